"""What a set of perimeters implies, computed the same way by the derivation script, `build.py import` and `check`:
the filiations between consecutive phases, the régions and départements of a territory, and the groupings that a
commune list is made of in the COG of its year.
"""

from __future__ import annotations

from collections import defaultdict

from .cog import COMMUNE, CogYear


def filiation_rows(perimeter: list[dict], phases: list[str]) -> list[dict]:
    """Every pair of territories of consecutive phases (`phases` in order) that share communes, as rows of
    territoires_filiations (text values): the communes in common and the share of each perimeter they make.

    Computed from the communes, never from the ids, which ANCT reuses between phases for other territories."""
    members: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in perimeter:
        members[(row["phase"], row["id_ti"])].add(row["insee_com"])
    rows = []
    for older, newer in zip(phases, phases[1:]):
        owner = {insee: id_ti for (phase, id_ti), codes in members.items() if phase == older for insee in codes}
        for (phase, id_ti), codes in sorted(members.items()):
            if phase != newer:
                continue
            shared: dict[str, int] = defaultdict(int)
            for insee in codes:
                if insee in owner:
                    shared[owner[insee]] += 1
            for before, count in sorted(shared.items(), key=lambda item: (-item[1], item[0])):
                rows.append({
                    "id_ti": id_ti, "phase": newer, "id_ti_precedent": before, "phase_precedente": older,
                    "communes_en_commun": str(count),
                    "part_territoire": percent(count, len(codes)),
                    "part_precedent": percent(count, len(members[(older, before)])),
                })
    return rows


def percent(part: int, whole: int) -> str:
    return f"{100 * part / whole:.1f}"


def geography(codes: set[str], communes: dict[str, dict]) -> dict[str, str]:
    """codes_reg and codes_dep of a territory: those of its communes, in increasing order, space-separated."""
    found = [communes[code] for code in codes if code in communes]
    return {"codes_reg": " ".join(sorted({c["code_reg"] for c in found})),
            "codes_dep": " ".join(sorted({c["code_dep"] for c in found}))}


def infer_groupings(members: dict[str, set[str]], cog: CogYear) -> dict[str, list[str]]:
    """id_ti → the SIREN of the groupings its communes (codes of the COG year) make: every EPCI, then every EPT,
    whose communes all belong to that territory, and the communes left over as groupings of one — what ANCT lists."""
    owner = {code: id_ti for id_ti, codes in members.items() for code in codes}
    found: dict[str, list[str]] = defaultdict(list)
    placed: set[str] = set()
    for nature_first in (True, False):  # EPCI before EPT: an EPT lies inside the Métropole du Grand Paris
        for grouping in sorted(cog.groupings.values(), key=lambda g: g.siren):
            if grouping.nature == COMMUNE or (grouping.nature != "EPT") != nature_first:
                continue
            territories = {owner.get(code) for code in grouping.communes}
            if len(territories) == 1 and None not in territories and not placed & set(grouping.communes):
                found[territories.pop()].append(grouping.siren)
                placed.update(grouping.communes)
    sirens = {code: row["siren"] for code, row in cog.communes.items()}
    for code, id_ti in sorted(owner.items()):
        if code not in placed and sirens.get(code):
            found[id_ti].append(sirens[code])
    return {id_ti: sorted(sirens_) for id_ti, sirens_ in found.items()}


ENTERED, LEFT, KEPT, MOVED = "entree", "sortie", "maintenue", "changement de territoire"


def main_successors(perimeter: list[dict], older: str, newer: str) -> dict[str, str]:
    """id_ti of the older phase → the territory of the newer phase that took most of its communes (ties: lowest id)."""
    after = {row["insee_com"]: row["id_ti"] for row in perimeter if row["phase"] == newer}
    shared: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for row in perimeter:
        if row["phase"] == older and row["insee_com"] in after:
            shared[row["id_ti"]][after[row["insee_com"]]] += 1
    return {before: min(counts, key=lambda id_ti: (-counts[id_ti], id_ti)) for before, counts in shared.items()}


def evolution_rows(perimeter: list[dict], phases: list[str], communes: dict[str, dict]) -> list[dict]:
    """One row per commune that is in a territory in either of the last two phases, with both territories and a
    status: « entree » (in the newer phase only), « sortie » (in the older only), « maintenue » (its newer territory
    is the one that took most of its older territory's communes), « changement de territoire » otherwise."""
    older, newer = phases[-2], phases[-1]
    names = {(row["phase"], row["id_ti"]): row["lib_ti"] for row in perimeter}
    before = {row["insee_com"]: row["id_ti"] for row in perimeter if row["phase"] == older}
    after = {row["insee_com"]: row["id_ti"] for row in perimeter if row["phase"] == newer}
    successor = main_successors(perimeter, older, newer)
    rows = []
    for insee in sorted(before.keys() | after.keys()):
        was, now = before.get(insee, ""), after.get(insee, "")
        status = ENTERED if not was else LEFT if not now else KEPT if successor.get(was) == now else MOVED
        commune = communes.get(insee, {})
        rows.append({
            "insee_com": insee, "lib_com": commune.get("lib_com", ""), "code_dep": commune.get("code_dep", ""),
            "code_reg": commune.get("code_reg", ""),
            "phase_precedente": older if was else "", "id_ti_precedent": was, "lib_ti_precedent": names.get((older, was), ""),
            "phase": newer if now else "", "id_ti": now, "lib_ti": names.get((newer, now), ""), "statut": status,
        })
    return rows
