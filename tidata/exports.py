"""The exports stage: every downloadable file, the DCAT catalogue, the JSON API and past releases.

`gather_exports` returns them as {path under docs/: bytes or text} with the list of downloads that the data
pages show. The per-territory slices (built with each territory's page) keep the rows exactly as in the
package: the same data as the full files, only filtered to the rows that name the territory (its phase and id_ti,
through the schemas' foreign keys to territoires).
"""

from __future__ import annotations

import csv
import io
import json

from .views import Catalogue


def gather_exports(cat: Catalogue, site_url: str) -> tuple[dict[str, str | bytes], list]:
    from . import api, catalogue, downloads, releases

    files = downloads.build_downloads(cat.project, site_url, updated=cat.last_change or None)
    out: dict[str, str | bytes] = {d.path: d.content for d in files}
    out.update(catalogue.catalogue_files(cat.project, files, site_url, cat.last_change))
    out.update(api.api_files(cat))
    for release in releases.read_releases(cat.project):
        out.update(releases.version_files(cat.project, release))
    return out, files


def territory_folder(key: str) -> str:
    """« donnees/territoires/2023-2027/ti-0101 »: the phase keeps apart the territories that share an id."""
    return f"donnees/territoires/{key}"


_TYPED: dict[int, dict] = {}


def typed_tables(cat: Catalogue) -> dict:
    """The sliced resources as typed Arrow tables (computed once per build, before the page workers fork)."""
    from .downloads import typed_table

    if id(cat) not in _TYPED:
        _TYPED.clear()
        _TYPED[id(cat)] = {name: typed_table(cat.project, cat.project.resource(name)) for name in cat.territory_columns}
    return _TYPED[id(cat)]


def territory_slices(cat: Catalogue, key: str) -> dict[str, str | bytes]:
    """{path under docs/: content}: per resource, this territory's rows as CSV and as typed Parquet, and one
    JSON with all of them (named after the territory and its phase, so that a downloaded file says what it is)."""
    import pyarrow.compute as pc

    from .downloads import parquet_bytes

    folder = territory_folder(key)
    phase, id_ti = key.split("/")
    files, everything = {}, {}
    for name, rows in slice_rows(cat, key).items():
        files[f"{folder}/{name}.csv"] = csv_text(rows, cat.project.resource(name).field_names)
        table = typed_tables(cat)[name]
        mask = None
        for phase_column, id_column in cat.territory_columns[name]:
            match = pc.and_(pc.equal(table[phase_column], phase), pc.equal(table[id_column], id_ti))
            mask = match if mask is None else pc.or_(mask, match)
        files[f"{folder}/{name}.parquet"] = parquet_bytes(table.filter(pc.fill_null(mask, False)))
        everything[name] = rows
    files[f"{folder}/{id_ti}_{phase}.json"] = json.dumps(everything, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    return files


def slice_rows(cat: Catalogue, key: str) -> dict[str, list[dict]]:
    """resource → this territory's rows, exactly as in the package."""
    return {name: cat.rows_of(name, key) for name in cat.territory_columns}


def csv_text(rows: list[dict], fieldnames: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
