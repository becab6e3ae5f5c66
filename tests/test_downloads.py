"""Downloads: every format reads back in the tools journalists use, typed, valid, and byte-identical build after build."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import subprocess
import sys
import zipfile
from decimal import Decimal
from pathlib import Path

import duckdb
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from conftest import ROOT, copy_project
from shapely.geometry import shape

from tidata.core.project import Project
from tidata.exports.downloads import build_downloads, write_downloads
from tidata.exports.spreadsheet import Properties, Sheet, workbook_bytes, zip_bytes
from tidata.model.load import PackageTables, typed_table
from tidata.model.views import Catalogue

FORMATS = {"csv", "parquet", "json"}
GEOJSON = ["territoires.geojson", "sites_cles_en_main.geojson", "communes.geojson", "epci.geojson", "departements.geojson",
           "regions.geojson"]
OUTLINE_FILES = {"communes.geojson": "communes_contours", "epci.geojson": "epci_contours",
                 "departements.geojson": "departements_contours", "regions.geojson": "regions_contours"}
CREDIT = "IGN – ADMIN EXPRESS COG CARTO 2025, Licence Ouverte 2.0 ; traitement COGiter (MTES, licence MIT)"


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """The petit package, its downloads, and the folder they were written to."""
    project = Project(copy_project(tmp_path_factory.mktemp("petit") / "projet"))
    downloads = build_downloads(Catalogue.read(project))
    site = tmp_path_factory.mktemp("site")
    write_downloads(downloads, site)
    return project, {d.name: d for d in downloads}, site / "donnees"


@pytest.fixture(scope="module")
def shipped():
    """The shipped package's downloads, built once (a few seconds)."""
    return {d.name: d for d in build_downloads(Catalogue.read(Project(ROOT)), updated="2026-01-01")}


def package_table(project: Project, name: str) -> pd.DataFrame:
    return pd.read_csv(project.path(project.resource(name)), dtype=str, keep_default_na=False, encoding="utf-8-sig")


def workbook(files) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(files["territoires-d-industrie.xlsx"].content))


# --- The set of files -----------------------------------------------------------------------------------------


def test_every_table_has_csv_parquet_and_json(small):
    project, files, _ = small
    for resource in project.tables:
        for fmt in FORMATS:
            item = files[f"{resource.name}.{fmt}"]
            assert (item.path, item.resource, item.format) == (f"donnees/{resource.name}.{fmt}", resource.name, fmt)


def test_files_are_sorted_by_path_with_their_media_types(small):
    project, files, _ = small
    downloads = build_downloads(Catalogue.read(project))
    assert [d.path for d in downloads] == sorted(d.path for d in downloads)
    media = {d.format: d.media_type for d in downloads}
    assert media == {
        "csv": "text/csv", "parquet": "application/vnd.apache.parquet", "json": "application/json",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "geojson": "application/geo+json", "zip": "application/zip",
    }
    assert {"datapackage.json", "territoires-d-industrie.zip", "territoires-d-industrie.xlsx", *GEOJSON} <= set(files)


def test_size_and_checksum_describe_the_content(small):
    _, files, folder = small
    for name, item in files.items():
        on_disk = (folder / name).read_bytes()
        assert (item.size, item.sha256) == (len(on_disk), hashlib.sha256(on_disk).hexdigest())


# --- Typed tables ---------------------------------------------------------------------------------------------


def test_typed_table_follows_the_schema_types_and_order(small):
    project, _, _ = small
    table = typed_table(project, project.resource("projets"))
    assert table.column_names == project.resource("projets").field_names
    types = {f.name: f.type for f in table.schema}
    assert types["insee_com"] == pa.string()
    assert types["cout_total_eur"] == pa.float64()
    assert types["date_debut"] == pa.date32()
    assert table["date_debut"][0].as_py() == dt.date(2024, 3, 1)


def test_typed_table_keeps_leading_zeros_of_codes(small):
    project, _, _ = small
    regions = typed_table(project, project.resource("regions"))
    assert regions["code_reg"][0].as_py() == "01"


def test_booleans_use_the_schema_true_and_false_values_and_empty_is_null(small):
    project, _, _ = small
    sites = typed_table(project, project.resource("sites_cles_en_main"))
    assert sites.schema.field("friche").type == pa.bool_()
    assert sites["friche"].to_pylist() == [True, None]
    assert sites["surface_ha"].to_pylist() == [42.5, None]


def test_every_number_of_the_shipped_package_is_exact_as_a_double():
    """Why float64 and not decimal: each number's text and its double are the same decimal value."""
    project = Project(ROOT)
    for resource in project.tables:
        text = PackageTables(project).text(resource.name)
        for field in resource.fields:
            if field["type"] == "number":
                for value in text[field["name"]].drop_null().to_pylist():
                    assert Decimal(value) == Decimal(repr(float(value))), (resource.name, field["name"], value)


# --- Parquet --------------------------------------------------------------------------------------------------


def test_every_parquet_reads_with_duckdb_with_the_package_row_count(small):
    project, _, folder = small
    for resource in project.tables:
        count = duckdb.sql(f"select count(*) from read_parquet('{folder / resource.name}.parquet')").fetchall()[0][0]
        assert count == len(package_table(project, resource.name)), resource.name


def test_duckdb_sees_the_schema_types(small):
    _, _, folder = small

    def types(name):
        described = duckdb.sql(f"describe select * from read_parquet('{folder / name}.parquet')").fetchall()
        return {row[0]: row[1] for row in described}

    assert types("projets")["insee_com"] == "VARCHAR"
    assert types("projets")["date_debut"] == "DATE"
    assert types("enveloppes")["montant_eur"] == "DOUBLE"
    assert types("enveloppes")["annee"] == "BIGINT"
    assert types("sites_cles_en_main")["friche"] == "BOOLEAN"
    assert (types("fonds_vert")["montant_eur"], types("fonds_vert")["axe"], types("fonds_vert")["insee_com"]) == ("DOUBLE", "BIGINT", "VARCHAR")
    assert types("communes_evolution")["statut"] == "VARCHAR"
    first = duckdb.sql(f"select min(code_dep) from read_parquet('{folder}/departements.parquet')").fetchall()
    assert first == [("01",)]


def test_every_parquet_reads_with_pyarrow_as_the_typed_table(small):
    project, _, folder = small
    for resource in project.tables:
        assert pq.read_table(folder / f"{resource.name}.parquet").equals(typed_table(project, resource)), resource.name


def test_parquet_has_no_pandas_metadata_and_no_index(small):
    project, _, folder = small
    for resource in project.tables:
        schema = pq.read_schema(folder / f"{resource.name}.parquet")
        assert b"pandas" not in (schema.metadata or {})
        assert schema.names == resource.field_names
        assert "__index_level_0__" not in schema.names


def test_parquet_is_zstd_and_dictionary_encodes_repeated_codes(small):
    _, _, folder = small
    metadata = pq.ParquetFile(folder / "territoires_communes.parquet").metadata.row_group(0)
    columns = {metadata.column(i).path_in_schema: metadata.column(i) for i in range(metadata.num_columns)}
    assert all(column.compression == "ZSTD" for column in columns.values())
    assert "RLE_DICTIONARY" in columns["id_ti"].encodings


# --- CSV and JSON ---------------------------------------------------------------------------------------------


def test_every_csv_reads_with_pandas_with_the_package_rows(small):
    project, _, folder = small
    for resource in project.tables:
        published = pd.read_csv(folder / f"{resource.name}.csv", dtype=str, keep_default_na=False)
        pd.testing.assert_frame_equal(published, package_table(project, resource.name))


def test_csv_is_utf8_without_bom_with_lf_line_endings(small):
    project, files, _ = small
    for resource in project.tables:
        content = files[f"{resource.name}.csv"].content
        assert not content.startswith(b"\xef\xbb\xbf") and b"\r\n" not in content
        assert content.decode("utf-8").split("\n", 1)[0] == ",".join(resource.field_names)


def test_csv_from_excel_with_bom_and_crlf_is_published_normalised(tmp_path):
    project = Project(copy_project(tmp_path / "projet"))
    path = project.path(project.resource("projets"))
    original = path.read_bytes()
    path.write_bytes(b"\xef\xbb\xbf" + original.replace(b"\n", b"\r\n"))
    files = {d.name: d for d in build_downloads(Catalogue.read(project))}
    assert files["projets.csv"].content == original
    assert pq.read_table(io.BytesIO(files["projets.parquet"].content)).column_names[0] == "id_projet"


def test_json_is_an_array_of_typed_objects_with_sorted_keys(small):
    _, files, _ = small
    projects = json.loads(files["projets.json"].content)
    first = projects[0]
    assert list(first) == sorted(first)
    assert first["insee_com"] == "71153" and first["cout_total_eur"] == 2500000 and first["date_debut"] == "2024-03-01"
    sites = json.loads(files["sites_cles_en_main.json"].content)
    assert [s["friche"] for s in sites] == [True, None]
    assert sites[1]["nom"] is not None and sites[1]["remarque"] is None


# --- Workbook -------------------------------------------------------------------------------------------------


def test_workbook_has_the_licence_sheet_then_one_sheet_per_table(small):
    project, files, _ = small
    assert workbook(files).sheetnames == ["Licence et sources"] + [r.name for r in project.tables]


def test_workbook_cells_are_typed(small):
    book = workbook(small[1])
    projects = book["projets"]
    header = [cell.value for cell in projects[1]]
    row = {name: cell for name, cell in zip(header, projects[2])}
    assert row["cout_total_eur"].data_type == "n" and row["cout_total_eur"].value == 2500000
    assert row["date_debut"].is_date and row["date_debut"].value.date() == dt.date(2024, 3, 1)
    assert row["insee_com"].data_type == "s" and row["insee_com"].value == "71153"
    departement = book["departements"]["A2"]
    assert (departement.data_type, departement.value) == ("s", "01")
    friche = book["sites_cles_en_main"]["G2"]
    assert (book["sites_cles_en_main"]["G1"].value, friche.data_type, friche.value) == ("friche", "b", True)


def test_workbook_header_is_bold_and_frozen(small):
    project, files, _ = small
    book = workbook(files)
    for resource in project.tables:
        sheet = book[resource.name]
        assert sheet.freeze_panes == "A2"
        assert [cell.value for cell in sheet[1]] == resource.field_names
        assert all(cell.font.b for cell in sheet[1])


def test_licence_sheet_names_the_licence_sources_and_example_flags(small):
    project, files, _ = small
    sheet = workbook(files)["Licence et sources"]
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    text = json.dumps(values, ensure_ascii=False, default=str)
    assert "Licence Ouverte / Open Licence version 2.0" in text
    assert "https://www.etalab.gouv.fr/licence-ouverte-open-licence/" in text
    flags = {row[0]: row[4] for row in values if row and row[0] in {r.name for r in project.tables}}
    assert flags == {r.name: "oui" if r.is_example else "non" for r in project.tables}
    assert "https://www.npmjs.com/package/@etalab/decoupage-administratif" in text


def test_workbook_carries_no_build_time(small):
    _, files, _ = small
    with zipfile.ZipFile(io.BytesIO(files["territoires-d-industrie.xlsx"].content)) as archive:
        core = archive.read("docProps/core.xml").decode()
        dates = {info.date_time for info in archive.infolist()}
    assert re.findall(r"<dcterms:(?:created|modified)[^>]*>([^<]+)<", core) == ["1980-01-01T00:00:00Z"] * 2
    assert dates == {(1980, 1, 1, 0, 0, 0)}


def test_strings_never_become_formulas_or_numbers():
    sheet = Sheet("s", [["texte", "=1+1", "01001", "-5"]])
    content = workbook_bytes([sheet], Properties("t", "c", "d", dt.date(2026, 1, 1)))
    cells = openpyxl.load_workbook(io.BytesIO(content))["s"]["A"]
    assert [(c.data_type, c.value) for c in cells] == [("s", "texte"), ("s", "=1+1"), ("s", "01001"), ("s", "-5")]


# --- GeoJSON --------------------------------------------------------------------------------------------------


def rings(geometry: dict):
    polygons = [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
    for polygon in polygons:
        yield polygon[0], True
        for hole in polygon[1:]:
            yield hole, False


def positions(coordinates):
    if isinstance(coordinates[0], (int, float)):
        yield coordinates
    else:
        for item in coordinates:
            yield from positions(item)


def signed_area(ring) -> float:
    return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:])) / 2


@pytest.mark.parametrize("name", GEOJSON)
def test_geojson_is_valid_rfc7946(small, name):
    data = json.loads(small[1][name].content)
    assert data["type"] == "FeatureCollection" and data["features"]
    for feature in data["features"]:
        geometry = feature["geometry"]
        assert feature["type"] == "Feature" and geometry is not None
        assert shape(geometry).is_valid
        for lon, lat in positions(geometry["coordinates"]):
            assert -180 <= lon <= 180 and -90 <= lat <= 90
            assert all(len(repr(float(v)).partition(".")[2]) <= 5 for v in (lon, lat)), "5 décimales au plus"
        if geometry["type"] != "Point":
            for ring, exterior in rings(geometry):
                assert ring[0] == ring[-1] and len(ring) >= 4
                assert (signed_area(ring) > 0) == exterior, "extérieur anti-horaire, trous horaires"


def test_territories_are_the_union_of_their_communes_outlines(small):
    project, files, _ = small
    features = json.loads(files["territoires.geojson"].content)["features"]
    territories = package_table(project, "territoires")
    assert [f["id"] for f in features] == (territories["phase"] + "/" + territories["id_ti"]).tolist()
    perimeter = package_table(project, "territoires_communes")
    outlines = {f["properties"]["insee_com"]: shape(f["geometry"])
                for f in json.loads(files["communes.geojson"].content)["features"]}
    names = dict(zip(territories["phase"] + "/" + territories["id_ti"], territories["lib_ti"]))
    for feature in features:
        members = perimeter.loc[perimeter["phase"] + "/" + perimeter["id_ti"] == feature["id"], "insee_com"]
        expected = shapely.union_all([outlines[c] for c in members])
        assert shape(feature["geometry"]).symmetric_difference(expected).area < 1e-6 * expected.area
        assert feature["properties"]["lib_ti"] == names[feature["id"]]


@pytest.mark.parametrize("name", [*OUTLINE_FILES, "territoires.geojson"])
def test_outline_geojson_carries_the_ign_credit_and_its_licences(small, name):
    data = json.loads(small[1][name].content)
    assert list(data) == ["features", "licence", "source", "type"]
    assert CREDIT in data["source"]
    ouverte, mit = data["licence"].split(" ; ")
    assert ouverte.startswith("Licence Ouverte / Open Licence version 2.0") and mit == "Licence MIT (traitement COGiter, © 2019 MTES-MCT)"


def test_commune_outlines_are_published_one_per_commune_of_the_package(small):
    project, files, _ = small
    features = json.loads(files["communes.geojson"].content)["features"]
    assert [f["properties"]["insee_com"] for f in features] == package_table(project, "communes")["insee_com"].tolist()
    assert files["communes.geojson"].resource == "communes_contours"


def test_sites_are_points_at_their_coordinates(small):
    features = json.loads(small[1]["sites_cles_en_main.geojson"].content)["features"]
    first = features[0]
    site = package_table(small[0], "sites_cles_en_main").iloc[0]
    assert first["geometry"] == {"type": "Point", "coordinates": [float(site["longitude"]), float(site["latitude"])]}
    assert first["id"] == "scem-ex-01" and first["properties"]["surface_ha"] == 42.5


# --- Published data package -----------------------------------------------------------------------------------


def test_published_datapackage_passes_frictionless_validate_where_downloaded(small):
    _, _, folder = small
    tool = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(tool), "validate", "datapackage.json"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "INVALID" not in result.stdout


def test_published_datapackage_points_at_the_published_files_with_their_checksums(small):
    project, files, _ = small
    package = json.loads(files["datapackage.json"].content)
    resources = {r["name"]: r for r in package["resources"]}
    for resource in project.tables:
        item = resources[resource.name]
        csv_file = files[f"{resource.name}.csv"]
        assert item["path"] == f"{resource.name}.csv"
        assert (item["bytes"], item["hash"]) == (csv_file.size, f"sha256:{csv_file.sha256}")
        assert item["schema"] == resource.schema
        assert item["exemple"] == resource.is_example and item["sources"] == resource.descriptor["sources"]
    assert package["licenses"] == project.descriptor["licenses"]
    assert resources["territoires_perimetres"]["path"] == "territoires.geojson"
    assert list(package) == sorted(package)


def test_published_datapackage_gives_each_geographic_resource_its_source_and_licence(small):
    project, files, _ = small
    resources = {r["name"]: r for r in json.loads(files["datapackage.json"].content)["resources"]}
    for name in ["regions", "departements", "epci", "communes", *OUTLINE_FILES.values(), "territoires_perimetres"]:
        assert resources[name]["sources"] and resources[name]["licenses"], name
    for name, resource in OUTLINE_FILES.items():
        item = resources[resource]
        assert item["path"] == name and item["format"] == "geojson" and item["mediatype"] == "application/geo+json"
        assert item["sources"][0]["title"] == CREDIT
        assert [terms["name"] for terms in item["licenses"]] == ["etalab-2.0", "MIT"]
        assert (item["bytes"], item["hash"]) == (files[name].size, f"sha256:{files[name].sha256}")
    assert resources["territoires_perimetres"]["licenses"] == resources["epci_contours"]["licenses"]


# --- Reproducibility and the zip ------------------------------------------------------------------------------


def test_two_builds_in_two_copies_give_identical_bytes(small, tmp_path):
    _, files, _ = small
    again = build_downloads(Catalogue.read(Project(copy_project(tmp_path / "autre"))))
    assert {d.name: d.content for d in again} == {name: d.content for name, d in files.items()}


def test_zip_holds_every_file_sorted_with_fixed_times(small):
    _, files, _ = small
    with zipfile.ZipFile(io.BytesIO(files["territoires-d-industrie.zip"].content)) as archive:
        assert archive.testzip() is None
        names = archive.namelist()
        assert names == sorted(set(files) - {"territoires-d-industrie.zip"})
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert all(archive.read(name) == files[name].content for name in names)


def test_zip_helper_is_a_function_of_its_entries():
    entries = [("b.txt", b"deux" * 100), ("a.txt", b"un")]
    assert zip_bytes(entries) == zip_bytes(list(reversed(entries)))
    with zipfile.ZipFile(io.BytesIO(zip_bytes(entries))) as archive:
        assert archive.namelist() == ["a.txt", "b.txt"] and archive.read("b.txt") == b"deux" * 100


# --- The shipped package --------------------------------------------------------------------------------------


def test_shipped_row_counts_and_leading_zeros(shipped):
    communes = pq.read_table(io.BytesIO(shipped["communes.parquet"].content))
    assert shipped["communes.parquet"].rows == communes.num_rows >= 34_000
    assert communes.schema.field("insee_com").type == pa.string()
    assert "01001" in set(communes["insee_com"].to_pylist())
    assert len(json.loads(shipped["territoires.geojson"].content)["features"]) == shipped["territoires.csv"].rows


def test_shipped_communes_parquet_is_under_35_percent_of_its_csv(shipped):
    assert shipped["communes.parquet"].size < 0.35 * shipped["communes.csv"].size


def test_shipped_zip_is_under_half_of_its_files(shipped):
    total = sum(d.size for name, d in shipped.items() if name != "territoires-d-industrie.zip")
    assert shipped["territoires-d-industrie.zip"].size < 0.5 * total


def test_parquet_files_carry_licence_source_and_citation(petit):
    files = {d.path: d for d in build_downloads(Catalogue.read(Project(petit)), "https://exemple.org/", updated="2026-11-26")}
    metadata = pq.read_schema(io.BytesIO(files["donnees/projets.parquet"].content)).metadata
    assert metadata[b"licence"].decode() == "Licence Ouverte / Open Licence version 2.0"
    assert "2026-11-26" in metadata[b"citation"].decode()
    assert metadata[b"donnees_exemple"] == b"oui"
    assert b"pandas" not in metadata
    communes = pq.read_schema(io.BytesIO(files["donnees/communes.parquet"].content)).metadata
    assert CREDIT in communes[b"source"].decode()  # its points come from the commune outlines
    assert communes[b"licence"].decode() == ("Licence Ouverte / Open Licence version 2.0 (données IGN et INSEE) ;"
                                             " Licence MIT (traitement COGiter, © 2019 MTES-MCT)")


def test_a_territory_slice_holds_the_same_rows_in_csv_and_parquet():
    """ti-2703 of 2023-2027 has communes that entered the programme in 2023: their row of communes_evolution has
    no previous territory (empty phase_precedente). The Parquet slice once left them out (a null comparison
    dropped the row) while the CSV slice had them."""
    from tidata.exports.gather import territory_slices

    cat = Catalogue.read(Project(ROOT), last_change="2026-01-01")
    key = "2023-2027/ti-2703"
    files = territory_slices(cat, key)
    for name in cat.territory_columns:
        csv_rows = pd.read_csv(io.StringIO(files[f"donnees/territoires/{key}/{name}.csv"]), dtype=str, keep_default_na=False)
        parquet_rows = pq.read_table(io.BytesIO(files[f"donnees/territoires/{key}/{name}.parquet"]))
        assert parquet_rows.num_rows == len(csv_rows) == len(cat.rows_of(name, key)), name
        assert parquet_rows.column_names == list(csv_rows.columns), name
    evolution = pq.read_table(io.BytesIO(files[f"donnees/territoires/{key}/communes_evolution.parquet"])).to_pylist()
    assert any(row["phase_precedente"] is None and row["statut"] == "entree" for row in evolution)


def test_territory_slices_made_in_a_forked_worker_equal_those_made_here(petit, monkeypatch):
    """Many missing slices are made in a forked process (tidata.core.workers), a few here: the same files."""
    import shutil

    from tidata.exports import gather

    def slices(fork_from: int) -> dict:
        project = Project(petit)
        shutil.rmtree(project.outputs.folder, ignore_errors=True)  # every slice missing
        monkeypatch.setattr(gather, "FORK_FROM", fork_from)
        with gather.territory_slices_aside(Catalogue.read(project, last_change="2026-01-01")) as made:
            return made()

    here, forked = slices(fork_from=1000), slices(fork_from=0)
    assert len(here) == 5 and forked == here
