"""The rows of the four CSV tables (régions, départements, EPCI, communes), from the COG package alone."""

from __future__ import annotations

import sys
from collections import Counter


def current_communes(cog: dict) -> list[dict]:
    """Communes actuelles of metropolitan France and the DROM (the overseas collectivities have no région)."""
    regions = {r["code"] for r in cog["regions"] if r["zone"] in ("metro", "drom")}
    communes = [c for c in cog["communes"] if c["type"] == "commune-actuelle" and c["region"] in regions]
    return sorted(communes, key=lambda c: c["code"])


def region_and_departement_rows(cog: dict, communes: list[dict]) -> tuple[list[dict], list[dict]]:
    used_regions = {c["region"] for c in communes}
    used_departements = {c["departement"] for c in communes}
    regions = [{"code_reg": r["code"], "lib_reg": r["nom"]} for r in cog["regions"] if r["code"] in used_regions]
    departements = [
        {"code_dep": d["code"], "lib_dep": d["nom"], "code_reg": d["region"]}
        for d in cog["departements"] if d["code"] in used_departements
    ]
    return sorted(regions, key=lambda r: r["code_reg"]), sorted(departements, key=lambda d: d["code_dep"])


def epci_of_communes(epcis: list[dict]) -> dict[str, str]:
    """commune code → EPCI SIREN, from the EPCI member lists (the COG communes carry no EPCI code)."""
    membership = {}
    for epci in epcis:
        for member in epci["membres"]:
            if member["code"] in membership:
                sys.exit(f"Commune {member['code']} membre de deux EPCI : {membership[member['code']]} et {epci['code']}")
            membership[member["code"]] = epci["code"]
    return membership


def epci_rows(epcis: list[dict], by_code: dict[str, dict]) -> list[dict]:
    """One row per EPCI having members among the kept communes.

    The package does not give the EPCI's siège: code_dep_siege is the département holding most of its population
    (ties: smallest code).
    """
    rows = []
    for epci in sorted(epcis, key=lambda e: e["code"]):
        members = [by_code[m["code"]] for m in epci["membres"] if m["code"] in by_code]
        if not members:
            continue
        population_by_dep = Counter()
        for commune in members:
            population_by_dep[commune["departement"]] += commune.get("population", 0)
        rows.append({
            "siren_epci": epci["code"], "lib_epci": epci["nom"], "type_epci": epci["type"],
            "population": sum(population_by_dep.values()), "nb_communes": len(members),
            "code_dep_siege": min(population_by_dep, key=lambda dep: (-population_by_dep[dep], dep)),
        })
    return rows


def commune_rows(communes: list[dict], membership: dict[str, str], points: dict[str, tuple[float, float]]) -> list[dict]:
    return [
        {
            "insee_com": c["code"], "lib_com": c["nom"], "population": c.get("population", ""),
            "code_dep": c["departement"], "code_reg": c["region"], "siren_epci": membership.get(c["code"], ""),
            "codes_postaux": " ".join(sorted(set(c.get("codesPostaux", [])))),
            "latitude": coordinate(points[c["code"]][1]), "longitude": coordinate(points[c["code"]][0]),
        }
        for c in communes
    ]


def coordinate(value: float) -> str:
    text = f"{value:.5f}"
    return "0.00000" if text == "-0.00000" else text
