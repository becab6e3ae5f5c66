"""The exports stage: every downloadable file, the DCAT catalogue, the JSON API, each territory's slices and the
past releases with their journal.

`gather_exports` returns them as {path under docs/: bytes or text}, with what the pages list about them (the
downloads with their checksums, the catalogue's files, each territory's slices): the pages stage shows exports,
it never makes them. The per-territory slices keep the rows exactly as in the package: the same data as the full
files, only filtered to the rows that name the territory (its phase and id_ti, through the schemas' foreign keys
to territoires).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..model.views import Catalogue


@dataclass
class Exported:
    """What the exports stage produces: its files, and what the pages say about them (without making them)."""

    files: dict[str, str | bytes]
    downloads: list  # tidata.exports.downloads.Download, the files of donnees/ that the data pages list with their checksums
    catalogue: list[tuple[str, int]] = field(default_factory=list)  # the catalogue's files and their sizes
    slices: dict[str, list[tuple[str, int, str]]] = field(default_factory=dict)  # territory key → (path, size, sha256)
    schema_org: dict[str, dict] = field(default_factory=dict)  # resource → its schema.org Dataset


def gather_exports(cat: Catalogue) -> Exported:
    """Every export: the downloads, the DCAT catalogue, the API, each territory's slices, the releases and their
    journal."""
    from . import api, dcat, downloads, releases

    site_url = cat.project.site_url
    files = downloads.build_downloads(cat, site_url)
    out: dict[str, str | bytes] = {d.path: d.content for d in files}
    catalogue_files = dcat.catalogue_files(cat.project, files, site_url, cat.last_change)
    out.update(catalogue_files)
    out.update(api.api_files(cat))
    slices = all_territory_slices(cat)
    for territory_files in slices.values():
        out.update(territory_files)
    history = releases.read_releases(cat.project)
    for release in history:
        out.update(releases.version_files(cat.project, release))
    out["donnees/journal.md"] = releases.changelog_markdown(cat.project, history)
    return Exported(
        files=out, downloads=files,
        catalogue=[(path, len(text.encode("utf-8"))) for path, text in sorted(catalogue_files.items())],
        slices={key: listing(territory_files) for key, territory_files in slices.items()},
        schema_org={r.name: dcat.schema_org_dataset(r, site_url, files, cat.last_change) for r in cat.project.tables},
    )


WORKERS = max(1, min(4, os.cpu_count() or 1))


def listing(files: dict[str, str | bytes]) -> list[tuple[str, int, str]]:
    """(path, size in bytes, SHA-256) of each file, by path: what a territory page lists."""
    listed = []
    for path, content in sorted(files.items()):
        data = content if isinstance(content, bytes) else content.encode("utf-8")
        listed.append((path, len(data), hashlib.sha256(data).hexdigest()))
    return listed


def territory_folder(key: str) -> str:
    """« donnees/territoires/2023-2027/ti-0101 »: the phase keeps apart the territories that share an id."""
    return f"donnees/territoires/{key}"


def all_territory_slices(cat: Catalogue) -> dict[str, dict[str, str | bytes]]:
    """territory key → its slices, from the output cache when its rows and the schemas are unchanged; the others
    made in worker threads (writing Parquet releases the GIL)."""
    from ..core.cache import text_digest

    cache = cat.project.outputs
    schemas = text_digest([cat.project.resource(name).schema for name in cat.territory_columns])
    keys = {key: cache.key("extraits", schemas, text_digest(slice_rows(cat, key))) for key in cat.territories["key"]}
    found = {key: cache.get(cache_key) for key, cache_key in keys.items()}
    missing = [key for key, files in found.items() if files is None]
    if missing:
        for name in cat.territory_columns:
            cat.typed(name)  # read before the threads share the model
        with ThreadPoolExecutor(max_workers=WORKERS) as pool:
            for key, files in zip(missing, pool.map(lambda k: territory_slices(cat, k), missing)):
                cache.put(keys[key], files)
                found[key] = files
    return found


def territory_slices(cat: Catalogue, key: str) -> dict[str, str | bytes]:
    """{path under docs/: content}: per resource, this territory's rows as CSV and as typed Parquet, and one
    JSON with all of them (named after the territory and its phase, so that a downloaded file says what it is)."""
    import pyarrow as pa

    from .table_files import parquet_bytes

    folder = territory_folder(key)
    phase, id_ti = key.split("/")
    files, everything = {}, {}
    for name, rows in slice_rows(cat, key).items():
        files[f"{folder}/{name}.csv"] = csv_text(rows, cat.project.resource(name).field_names)
        numbers = cat.territory_row_numbers[name].get(key, [])
        files[f"{folder}/{name}.parquet"] = parquet_bytes(cat.typed(name).take(pa.array(numbers, pa.int64())))
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
