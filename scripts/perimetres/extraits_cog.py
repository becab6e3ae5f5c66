"""The vendored COG extracts of datasets/sources/cog/, made once from the published npm versions of
@etalab/decoupage-administratif (`python scripts/deriver_perimetres.py --extraire-cog`; npm needed).

The derivation itself reads only the extracts (tidata/model/cog.py), so that it runs offline, in CI, byte for byte.
"""

from __future__ import annotations

import json
import tarfile

from referentiel.sources import fetch

from tidata.model.cog import FOLDER, MERGED, RESTORED
from tidata.model.load import write_csv_rows

from .parametres import DECOUPAGE, EPT_FROM, ROOT

ACTUAL = "commune-actuelle"
FORMER = ("commune-deleguee", "commune-associee")


def read_json(version: str, name: str) -> list[dict]:
    """One data file of a version of the npm package, fetched once as the referential refresh fetches it."""
    with tarfile.open(fetch(version)) as archive:
        try:
            return json.load(archive.extractfile(f"package/data/{name}.json"))
        except KeyError:
            return []


def grouping_rows(year: int) -> list[dict]:
    version, ept_version = DECOUPAGE[year], DECOUPAGE[EPT_FROM[year]]
    records = read_json(version, "epci") + read_json(ept_version, "ept")
    return sorted(
        ({"siren_groupement": r["code"], "nature_groupement": r["type"], "lib_groupement": r["nom"],
          "communes": " ".join(sorted(m["code"] for m in r["membres"]))} for r in records),
        key=lambda row: row["siren_groupement"],
    )


def commune_rows(year: int) -> list[dict]:
    communes = [c for c in read_json(DECOUPAGE[year], "communes") if c["type"] == ACTUAL]
    return sorted(({"insee_com": c["code"], "siren": c.get("siren", ""), "lib_com": c["nom"]} for c in communes),
                  key=lambda row: row["insee_com"])


def passage_rows(years: list[int]) -> list[dict]:
    """Merged codes (from COG 2026's anciensCodes, whatever their year) and, per past year, the communes rétablies
    since: a 2026 commune that was then a commune déléguée or associée of another one."""
    current = [c for c in read_json(DECOUPAGE[2026], "communes") if c["type"] == ACTUAL]
    codes_now = {c["code"] for c in current}
    merged = {old: c["code"] for c in current for old in c.get("anciensCodes", []) if old not in codes_now}
    rows = [{"code_origine": old, "annee_cog": "", "insee_com": now, "motif": MERGED} for old, now in sorted(merged.items())]
    for year in years:
        communes = read_json(DECOUPAGE[year], "communes")
        actual_then = {c["code"] for c in communes if c["type"] == ACTUAL}
        for c in communes:
            code, parent = c["code"], c.get("chefLieu", "")
            if c["type"] in FORMER and code in codes_now and code not in actual_then and merged.get(parent) != code:
                rows.append({"code_origine": parent, "annee_cog": str(year), "insee_com": code, "motif": RESTORED})
    unique = {tuple(row.values()): row for row in rows}
    return sorted(unique.values(), key=lambda r: (r["motif"], r["annee_cog"], r["code_origine"], r["insee_com"]))


def write_extracts(years: list[int]) -> None:
    folder = ROOT / FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    for year in years:
        groupings, communes = grouping_rows(year), commune_rows(year)
        write_csv_rows(folder / f"groupements_{year}.csv", groupings, list(groupings[0]))
        write_csv_rows(folder / f"communes_{year}.csv", communes, list(communes[0]))
        print(f"  COG {year} : {len(groupings)} groupements (EPCI, EPT), {len(communes)} communes")
    passages = passage_rows(years)
    write_csv_rows(folder / "passage_cog_2026.csv", passages, list(passages[0]))
    print(f"  passage vers le COG 2026 : {sum(r['motif'] == MERGED for r in passages)} fusions, "
          f"{sum(r['motif'] == RESTORED for r in passages)} rétablissements")
