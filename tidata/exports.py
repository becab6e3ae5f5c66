"""Downloadable files. For now: the per-territory slices linked from each territory's page.

Slices keep the rows exactly as in the package (text, codes with their leading zeros) so that they are the
same data as the full files, only filtered.
"""

from __future__ import annotations

import csv
import io
import json

from .views import Catalogue

SLICED = ["territoires", "territoires_communes", "projets", "enveloppes", "sites_cles_en_main"]


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
