"""Every downloadable file of the package, as bytes in memory: gathered first, written later by the site build.

For each table of datapackage.yaml: CSV (Etalab recommendations), Parquet and JSON typed from its schema; one
workbook with a sheet per table; the territories' perimeters and the turnkey sites as GeoJSON, with the
referential outlines; a published datapackage.json that validates next to the CSV files; one zip of it all.

Reproducible: the same data gives the same bytes. No clock is read — the workbook and zip dates come from the
data's last change (or 1980-01-01) —, JSON keys are sorted, rows keep the package's order, Parquet carries no
pandas metadata and no index.

Numbers are float64 (DOUBLE), not decimals: every number of the package (euros, hectares, coordinates) is a
short decimal that a double stores and prints back exactly, which the tests check on the shipped data; it is
the type Excel, JSON, pandas, R and DuckDB users get without conversion, where a decimal column becomes Python
Decimal objects in pandas and strings in JSON.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import shapely
from shapely.geometry import mapping

from ..core.project import Project, ResourceInfo
from ..model.load import outline_feature_lines
from ..model.views import Catalogue
from .spreadsheet import Properties, Sheet, workbook_bytes, zip_archive, zip_entry
from .table_files import csv_bytes, json_bytes, json_text, parquet_bytes, records

FOLDER = "donnees"
BUNDLE = "territoires-d-industrie"
MEDIA_TYPES = {
    "csv": "text/csv",
    "parquet": "application/vnd.apache.parquet",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "geojson": "application/geo+json",
    "zip": "application/zip",
}
DECIMALS = 5  # GeoJSON coordinates: about a metre
ZIP_LEVEL = 6  # level 9 took 2.7 times as long (1.9 s for the commune outlines and perimeters) for 1 % less
WORKERS = max(1, min(4, os.cpu_count() or 1))
OUTLINES = {"communes_contours": "communes", "epci_contours": "epci", "departements_contours": "departements",
            "regions_contours": "regions"}
GEO_RESOURCES = {  # the derived GeoJSON files, as resources of the published package
    "territoires": ("territoires_perimetres", "Périmètres des Territoires d'industrie (GeoJSON)",
                    "Un polygone par territoire et par phase (identifiant « phase/id_ti ») : la réunion des contours de ses communes."),
    "sites_cles_en_main": ("sites_cles_en_main_points", "Sites industriels clés en main (GeoJSON)",
                           "Un point par site, à sa latitude et sa longitude."),
}


@dataclass(frozen=True)
class Download:
    """One published file: where it goes under the site, what it holds, and its bytes."""

    path: str
    resource: str
    format: str
    media_type: str
    content: bytes
    rows: int | None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()

    @property
    def size(self) -> int:
        return len(self.content)

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def download(name: str, resource: str, fmt: str, content: bytes, rows: int | None) -> Download:
    return Download(f"{FOLDER}/{name}", resource, fmt, MEDIA_TYPES[fmt], content, rows)


def build_downloads(cat: Catalogue, base_url: str = "", updated: str | None = None) -> list[Download]:
    """Every file of donnees/, sorted by path, from the model's tables (text and typed, read once).

    `updated` (AAAA-MM-JJ) dates the workbook and the zip entries and is cited on the licence sheet; by default,
    the date of the last commit that changed datasets/ (none outside a git checkout: 1980-01-01 is used).
    Parquet and the compression of the zip's entries run in worker threads (pyarrow and zlib release the GIL)
    while this thread writes CSV, JSON, the workbook and the GeoJSON: the build takes half the time on two cores.
    Each table's files come from the output cache when that table, its schema and its metadata are unchanged,
    so that a one-row edit of projets.csv only recomputes the projects' files, the workbook and the zip.
    """
    project = cat.project
    if updated is None:
        updated = cat.last_change
    cache = project.outputs
    with ThreadPoolExecutor(max_workers=WORKERS) as pool:
        texts = {r.name: cat.tables.text(r.name) for r in project.tables}
        tables = {r.name: cat.typed(r.name) for r in project.tables}
        address = site_address(project.descriptor, base_url)
        keys = {r.name: resource_key(cat, r, updated, address) for r in project.tables}
        parquet = {
            r.name: cached_in_pool(pool, cache, cache.key("parquet", keys[r.name]),
                                   parquet_bytes, tables[r.name], attribution(project, r, updated, address))
            for r in project.tables
        }
        files = []
        for resource in project.tables:
            name, rows, key = resource.name, len(texts[resource.name]), keys[resource.name]
            content = cache.get_or_make(cache.key("csv", key), lambda: csv_bytes(texts[name]))
            files.append(download(f"{name}.csv", name, "csv", content, rows))
            content = cache.get_or_make(cache.key("json", key), lambda: json_bytes(tables[name]))
            files.append(download(f"{name}.json", name, "json", content, rows))
        zipped = [compressed(pool, cache, f) for f in files]
        every_table = "".join(keys[name] for name in sorted(keys))
        extra = [cache.get_or_make(cache.key("xlsx", every_table, base_url),
                                   lambda: workbook(project, tables, updated, base_url, pool, keys))]
        extra += cache.get_or_make(cache.key("geojson", geojson_inputs(cat)), lambda: geojson_files(cat))
        extra += [download(f"{name}.parquet", name, "parquet", future.result(), len(tables[name]))
                  for name, future in parquet.items()]
        extra.append(published_datapackage(project, files + extra, base_url))
        zipped += [compressed(pool, cache, f) for f in extra]
        files += extra
        entries = sorted((future.result() for future in zipped), key=lambda entry: entry.name)
    files.append(download(f"{BUNDLE}.zip", "", "zip", zip_archive(entries, stamp(updated)), None))
    return sorted(files, key=lambda f: f.path)


def resource_key(cat: Catalogue, resource: ResourceInfo, updated: str, address: str) -> str:
    """What a table's own files depend on: its bytes, its schema, its description and sources, the date and address."""
    from ..core.cache import text_digest

    return text_digest([cat.tables.digest(resource.name), resource.schema, resource.descriptor, updated, address]).hex()


def geojson_inputs(cat: Catalogue) -> bytes:
    from ..core.cache import text_digest

    names = ["territoires", "territoires_communes", "sites_cles_en_main", "communes", *OUTLINES]
    return text_digest([[cat.project.resource(name).descriptor, cat.tables.digest(name)] for name in names])


def cached_in_pool(pool, cache, key: str, make, *args) -> Future:
    """The cached value as a finished future, or `make(*args)` submitted to the pool (and cached when done)."""
    value = cache.get(key)
    if value is not None:
        future: Future = Future()
        future.set_result(value)
        return future
    future = pool.submit(make, *args)
    future.add_done_callback(lambda done: done.exception() is None and cache.put(key, done.result()))
    return future


def compressed(pool, cache, file: Download) -> Future:
    return cached_in_pool(pool, cache, cache.key("zip", file.name, file.sha256, str(ZIP_LEVEL)),
                          zip_entry, file.name, file.content, ZIP_LEVEL)


# --- Attribution -----------------------------------------------------------------------------------------


def attribution(project: Project, resource: ResourceInfo, updated: str, address: str) -> dict[str, str]:
    """What Licence Ouverte asks a file to carry: licence, source, date of last update and a citation."""
    descriptor = project.descriptor
    return {
        "licence": licences_text(project, resource),
        "source": sources_text(resource),
        "mise_a_jour": updated or "",
        "citation": citation(descriptor, updated, address),
        "donnees_exemple": "oui" if resource.is_example else "non",
    }


# --- GeoJSON ------------------------------------------------------------------------------------------------


def geojson_files(cat: Catalogue) -> list[Download]:
    """Territories (perimeters), turnkey sites (points), and the referential outlines made RFC 7946."""
    project = cat.project
    territories = records(cat.typed("territoires"))
    sites = records(cat.typed("sites_cles_en_main"))
    outlines = cat.territory_outlines
    files = [
        geojson("territoires.geojson", "territoires", territories,
                [outlines.get(f"{row['phase']}/{row['id_ti']}") for row in territories],
                lambda props: f"{props['phase']}/{props['id_ti']}",
                credits(project, project.resource("territoires"), project.resource("communes_contours"))),
        geojson("sites_cles_en_main.geojson", "sites_cles_en_main", sites,
                shapely.points([[row["longitude"], row["latitude"]] for row in sites]) if sites else [], "id_site"),
    ]
    for name, file_name in OUTLINES.items():
        files.append(outline_file(project, project.resource(name), f"{file_name}.geojson"))
    return files


def outline_file(project: Project, resource: ResourceInfo, name: str) -> Download:
    """A referential outline layer as the refresh script wrote it: its features are already RFC 7946, one per line
    (scripts/referentiel/sortie.py writes them so, tests/test_referentiel.py checks it), so their lines are kept as
    they are, with the credits added as foreign members of the collection. Parsing and writing again the 35,000
    commune outlines would take seconds and change nothing."""
    lines = outline_feature_lines(project, resource)
    members = "".join(f",{json_text(k)}:{json_text(v)}" for k, v in sorted(credits(project, resource).items()))
    text = '{"features":[\n' + ",\n".join(lines) + "\n]" + members + ',"type":"FeatureCollection"}\n'
    return download(name, resource.name, "geojson", text.encode("utf-8"), len(lines))


def geojson(name: str, resource: str, properties: list[dict], geometries, key=None,
            about: dict[str, str] | None = None) -> Download:
    """A FeatureCollection, one feature per line; `key` names the property used as the feature's id (or is a
    function of the properties that gives it); `about` (licence, source) is written as foreign members of the
    collection (RFC 7946, section 6.1)."""
    lines = []
    for props, geometry in zip(properties, rfc7946(geometries)):
        item = {"type": "Feature", "properties": props, "geometry": geometry}
        if key:
            item["id"] = key(props) if callable(key) else props[key]
        lines.append(json_text(item))
    members = "".join(f",{json_text(k)}:{json_text(v)}" for k, v in sorted((about or {}).items()))
    text = '{"features":[\n' + ",\n".join(lines) + "\n]" + members + ',"type":"FeatureCollection"}\n'
    return download(name, resource, "geojson", text.encode("utf-8"), len(lines))


def credits(project: Project, *resources: ResourceInfo) -> dict[str, str]:
    """The licence and sources a GeoJSON file carries: those of the resources it is drawn from."""
    return {"licence": licences_text(project, *resources), "source": " ; ".join(sources_text(r) for r in resources)}


def rfc7946(geometries) -> list[dict | None]:
    """GeoJSON geometries as RFC 7946 wants them: exterior rings counter-clockwise, holes clockwise, and
    coordinates rounded to 5 decimals (repaired in the rare case where rounding makes a shape invalid)."""
    array = np.array(list(geometries) + [None], dtype=object)[:-1]  # the None keeps a 1-D array of objects
    rounded = shapely.transform(array, lambda xy: np.round(xy, DECIMALS))
    broken = ~shapely.is_valid(rounded) & ~shapely.is_missing(rounded)
    if broken.any():
        rounded[broken] = shapely.make_valid(rounded[broken], method="structure", keep_collapsed=False)
    oriented = shapely.orient_polygons(rounded, exterior_cw=False)
    return [None if g is None or g.is_empty else mapping(g) for g in oriented]


# --- Workbook -----------------------------------------------------------------------------------------------


def workbook(project: Project, tables: dict[str, pa.Table], updated: str, base_url: str, pool=None,
             keys: dict[str, str] | None = None) -> Download:
    """One sheet per table after the licence sheet; with `keys` (resource_key per table), unchanged sheets come
    from the output cache."""
    sheets = [licence_sheet(project, tables, updated, base_url)]
    for resource in project.tables:
        table = tables[resource.name]
        sheets.append(Sheet(resource.name, [[name] + table[name].to_pylist() for name in table.column_names]))
    descriptor = project.descriptor
    properties = Properties(
        title=descriptor.get("title", BUNDLE), creator=publisher(descriptor),
        description=licence(descriptor)["title"], date=stamp_date(updated),
    )
    memo = sheet_keys = None
    if keys is not None:
        from ..core.cache import text_digest

        cache = project.outputs
        sheet_keys = [text_digest(sheets[0].columns).hex()] + [keys[r.name] for r in project.tables]
        memo = lambda key, make: cache.get_or_make(cache.key("feuille", key), make)  # noqa: E731
    return download(f"{BUNDLE}.xlsx", "", "xlsx", workbook_bytes(sheets, properties, pool, sheet_keys, memo), None)


def licence_sheet(project: Project, tables: dict[str, pa.Table], updated: str, base_url: str) -> Sheet:
    """What Licence Ouverte 2.0 asks a re-user to cite, the sources, and which tables hold example data."""
    descriptor = project.descriptor
    terms = licence(descriptor)
    address = site_address(descriptor, base_url)
    rows = [
        [descriptor.get("title", BUNDLE)],
        [],
        ["Licence", terms["title"], terms.get("path", "")],
        ["Producteur", publisher(descriptor)],
        ["Mise à jour des données", updated or "non datée"],
        ["Adresse", address],
        ["Citation", citation(descriptor, updated, address)],
        ["Données d'exemple", "Les feuilles marquées « oui » contiennent des données générées, non officielles "
                              "(colonne source = « exemple »), en attendant les fichiers officiels."],
        [],
        ["Feuille", "Titre", "Description", "Lignes", "Données d'exemple", "Sources"],
    ]
    bold = frozenset({0, len(rows) - 1})
    for resource in project.tables:
        rows.append([resource.name, resource.title, resource.description, len(tables[resource.name]),
                     "oui" if resource.is_example else "non", sources_text(resource)])
    return Sheet.from_rows("Licence et sources", rows, bold_rows=bold, frozen_header=False, autofilter=False)


def licence(descriptor: dict) -> dict:
    return (descriptor.get("licenses") or [{"title": "Licence Ouverte / Open Licence version 2.0"}])[0]


def licences_text(project: Project, *resources: ResourceInfo) -> str:
    """The licences of resources (their own `licenses`, else the package's), each licence named once."""
    titles: dict[str, str] = {}
    for resource in resources:
        for terms in resource.descriptor.get("licenses") or [licence(project.descriptor)]:
            titles.setdefault(terms.get("name", terms["title"]), terms["title"])
    return " ; ".join(titles.values())


def publisher(descriptor: dict) -> str:
    return next((c.get("title", "") for c in descriptor.get("contributors", []) if c.get("role") == "publisher"), "")


def site_address(descriptor: dict, base_url: str) -> str:
    return f"{base_url.rstrip('/')}/{FOLDER}/" if base_url else descriptor.get("homepage", "")


def citation(descriptor: dict, updated: str, address: str) -> str:
    date = f", mise à jour du {updated}" if updated else ""
    return f"{descriptor.get('title', BUNDLE)} ({publisher(descriptor)}){date}, {licence(descriptor)['title']}, {address}"


def sources_text(resource: ResourceInfo) -> str:
    return " ; ".join(f"{s.get('title', '')} ({s['path']})" if s.get("path") else s.get("title", "")
                      for s in resource.descriptor.get("sources", []))


def stamp_date(updated: str) -> dt.date:
    return dt.date.fromisoformat(updated) if updated else dt.date(1980, 1, 1)


def stamp(updated: str) -> tuple:
    """The date of every zip entry: the data's, never the build's."""
    day = stamp_date(updated)
    return (day.year, day.month, day.day, 0, 0, 0)


# --- Published data package and zip -------------------------------------------------------------------------


def published_datapackage(project: Project, files: list[Download], base_url: str) -> Download:
    """The package as downloaded: CSV and GeoJSON resources by relative path, with schemas, bytes and hashes.

    Parquet, JSON and the workbook hold the same tables again and are left out: a data package lists each
    resource once, and the CSV is its reference form. The GeoJSON files are non-tabular resources, which
    frictionless checks by size and hash only.
    """
    by_name = {f.name: f for f in files}
    descriptor = {k: v for k, v in project.descriptor.items() if k not in ("resources",)}
    if base_url:  # the site's address (site_url of mkdocs.yml), never datapackage.yaml's placeholder
        descriptor["homepage"] = base_url
        descriptor["id"] = f"{site_address(descriptor, base_url)}datapackage.json"
    resources = []
    for resource in project.resources:
        item = {k: v for k, v in resource.descriptor.items() if k not in ("path", "schema")}
        if resource.is_table:
            item.update(path=f"{resource.name}.csv", format="csv", mediatype="text/csv", encoding="utf-8",
                        schema=resource.schema)
        else:
            item.update(path=f"{OUTLINES.get(resource.name, resource.name)}.geojson")
        resources.append(with_checksum(item, by_name[item["path"]]))
        if resource.name in GEO_RESOURCES:
            resources.append(with_checksum(geo_resource(project, resource), by_name[f"{resource.name}.geojson"]))
    descriptor["resources"] = resources
    text = json.dumps(descriptor, ensure_ascii=False, sort_keys=True, indent=2) + "\n"
    return download("datapackage.json", "", "json", text.encode("utf-8"), None)


def geo_resource(project: Project, resource: ResourceInfo) -> dict:
    """A derived GeoJSON file as a resource: its table's example flag, and the sources of what it is drawn from."""
    name, title, description = GEO_RESOURCES[resource.name]
    sources = list(resource.descriptor.get("sources", []))
    extra = {}
    if resource.name == "territoires":
        outlines = project.resource("communes_contours").descriptor
        sources += [s for s in outlines.get("sources", []) if s not in sources]
        if outlines.get("licenses"):
            extra["licenses"] = outlines["licenses"]
    return {
        "name": name, "title": title, "description": description, "path": f"{resource.name}.geojson",
        "format": "geojson", "mediatype": MEDIA_TYPES["geojson"], "exemple": resource.is_example, "sources": sources,
        **extra,
    }


def with_checksum(item: dict, file: Download) -> dict:
    return {**item, "bytes": file.size, "hash": f"sha256:{file.sha256}"}


def write_downloads(downloads: list[Download], site: Path) -> None:
    """Write the files under the site folder (for tests and tools; the site build may write them itself)."""
    for item in downloads:
        target = site / item.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(item.content)
