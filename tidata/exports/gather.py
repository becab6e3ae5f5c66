"""The exports stage: every downloadable file, the DCAT catalogue, the JSON API, each territory's slices and the
past releases with their journal.

`gather_exports` returns them as {path under docs/: bytes or text}, with what the pages list about them (the
downloads with their checksums, the catalogue's files, each territory's slices): the pages stage shows exports,
it never makes them. The per-territory slices keep the rows exactly as in the package: the same data as the full
files, only filtered to the rows that name the territory (its phase and id_ti, through the schemas' foreign keys
to territoires).
"""

from __future__ import annotations

import contextlib
import csv
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from ..core.workers import INHERITED, forked_pool
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
    with territory_slices_aside(cat) as all_slices:
        files = downloads.build_downloads(cat, site_url)
        out: dict[str, str | bytes] = {d.path: d.content for d in files}
        catalogue_files = dcat.catalogue_files(cat.project, files, site_url, cat.last_change)
        out.update(catalogue_files)
        out.update(api.api_files(cat))
        slices = all_slices()
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


@contextlib.contextmanager
def territory_slices_aside(cat: Catalogue) -> Iterator[Callable[[], dict[str, dict[str, str | bytes]]]]:
    """Each territory's slices (territory key → its files), made in a forked process while this one makes the
    other exports: both are mostly pure Python (CSV and JSON), which threads would run in turns. Yields the function
    that waits for them. Slices come from the output cache when their rows and the schemas are unchanged; a few
    missing ones (a preview after an edit) are made here, without forking."""
    from ..core.cache import text_digest

    cache = cat.project.outputs
    schemas = text_digest([cat.project.resource(name).schema for name in cat.territory_columns])
    keys = {key: cache.key("extraits", schemas, text_digest(slice_rows(cat, key))) for key in cat.territories["key"]}
    found = {key: cache.get(cache_key) for key, cache_key in keys.items()}
    missing = [key for key, files in found.items() if files is None]

    def with_made(made: dict[str, dict[str, str | bytes]]) -> dict[str, dict[str, str | bytes]]:
        for key, files in made.items():
            cache.put(keys[key], files)
            found[key] = files
        return found

    if len(missing) < FORK_FROM:
        yield lambda: with_made(slices_of(cat, missing))
        return
    for name in cat.territory_columns:
        cat.typed(name)  # read before forking: the worker inherits the tables
    with forked_pool(1, cat=cat) as pool:
        made = pool.apply_async(slices_of_inherited, (missing,))
        yield lambda: with_made(made.get())


FORK_FROM = 20  # territories: fewer are made faster here than a process starts


def slices_of(cat: Catalogue, keys: list[str]) -> dict[str, dict[str, str | bytes]]:
    return {key: territory_slices(cat, key) for key in keys}


def slices_of_inherited(keys: list[str]) -> dict[str, dict[str, str | bytes]]:
    """In the forked worker (tidata.core.workers): slices_of the model it inherited."""
    return slices_of(INHERITED["cat"], keys)


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
