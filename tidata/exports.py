"""The exports stage: every downloadable file, the DCAT catalogue, the JSON API and past releases.

`gather_exports` returns them as {path under docs/: bytes or text} with the list of downloads that the data
pages show. The per-territory slices (built with each territory's page) keep the rows exactly as in the
package: the same data as the full files, only filtered.
"""

from __future__ import annotations

import csv
import io
import json

from .views import Catalogue

SLICED = ["territoires", "territoires_communes", "projets", "enveloppes", "sites_cles_en_main"]


def gather_exports(cat: Catalogue, site_url: str) -> tuple[dict[str, str | bytes], list]:
    from . import api, catalogue, downloads, releases

    files = downloads.build_downloads(cat.project, site_url, updated=cat.last_change or None)
    out: dict[str, str | bytes] = {d.path: d.content for d in files}
    out.update(catalogue.catalogue_files(cat.project, files, site_url, cat.last_change))
    out.update(api.api_files(cat))
    for release in releases.read_releases(cat.project):
        out.update(releases.version_files(cat.project, release))
    return out, files


def territory_folder(id_ti: str) -> str:
    return f"donnees/territoires/{id_ti}"


_TYPED: dict[int, dict] = {}


def typed_tables(cat: Catalogue) -> dict:
    """The sliced resources as typed Arrow tables (computed once per build, before the page workers fork)."""
    from .downloads import typed_table

    if id(cat) not in _TYPED:
        _TYPED.clear()
        _TYPED[id(cat)] = {name: typed_table(cat.project, cat.project.resource(name)) for name in SLICED}
    return _TYPED[id(cat)]


def territory_slices(cat: Catalogue, id_ti: str) -> dict[str, str | bytes]:
    """{path under docs/: content}: per resource, this territory's rows as CSV and as typed Parquet, and one
    JSON with all of them."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from .downloads import parquet_bytes

    folder = territory_folder(id_ti)
    files, everything = {}, {}
    for name, rows in slice_rows(cat, id_ti).items():
        files[f"{folder}/{name}.csv"] = csv_text(rows, cat.project.resource(name).field_names)
        table = typed_tables(cat)[name]
        if name == "sites_cles_en_main":
            mask = pc.is_in(table["id_site"], value_set=pa.array([r["id_site"] for r in rows], pa.string()))
        else:
            mask = pc.equal(table["id_ti"], id_ti)
        files[f"{folder}/{name}.parquet"] = parquet_bytes(table.filter(pc.fill_null(mask, False)))
        everything[name] = rows
    files[f"{folder}/{id_ti}.json"] = json.dumps(everything, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    return files


def slice_rows(cat: Catalogue, id_ti: str) -> dict[str, list[dict]]:
    """resource → this territory's rows, exactly as in the package."""
    rows = {}
    for name in SLICED:
        if name == "territoires":
            rows[name] = [cat.territory_rows[id_ti]]
        elif name == "sites_cles_en_main":
            rows[name] = cat.sites_of(id_ti)
        else:
            rows[name] = cat.rows_of(name, id_ti)
    return rows


def csv_text(rows: list[dict], fieldnames: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
