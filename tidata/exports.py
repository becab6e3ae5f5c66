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


def territory_slices(cat: Catalogue, id_ti: str) -> dict[str, str]:
    """{path under docs/: text}: one CSV per resource with this territory's rows, and one JSON with all of them."""
    folder = territory_folder(id_ti)
    files, everything = {}, {}
    for name in SLICED:
        if name == "territoires":
            rows = [cat.territory_rows[id_ti]]
        elif name == "sites_cles_en_main":
            rows = cat.sites_of(id_ti)
        else:
            rows = cat.rows_of(name, id_ti)
        files[f"{folder}/{name}.csv"] = csv_text(rows, cat.project.resource(name).field_names)
        everything[name] = rows
    files[f"{folder}/{id_ti}.json"] = json.dumps(everything, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
    return files


def csv_text(rows: list[dict], fieldnames: list[str]) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=fieldnames, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()
