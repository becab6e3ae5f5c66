"""What the pages say of the Fonds vert: public money spent inside a territory's communes, never the programme's own.

Each grant of the resource fonds_vert is attached once, by the commune of its project, to the 2023-2027 territory
whose perimeter holds it (columns phase and id_ti, computed from the perimeters); a grant whose commune is in no
territory counts « hors des territoires », one without a commune « non rattachée ». Whoever the beneficiary is (the
commune, its EPCI, a département, a company), the amount is counted once: nothing is added twice.
"""

from __future__ import annotations

from collections import defaultdict

from ..model.views import Catalogue
from . import charts

RESOURCE = "fonds_vert"
CAPTION = "Fonds vert 2023 — dépenses publiques dans le périmètre, hors crédits du programme Territoires d'industrie"
AXES = {"1": "Performance environnementale", "2": "Adaptation au changement climatique", "3": "Cadre de vie"}
LARGEST = 10


def amount(row: dict) -> float:
    return float(row["montant_eur"] or 0)


def total(rows) -> float:
    return sum(amount(r) for r in rows)


def per_inhabitant(value: float, population: int) -> float | None:
    return value / population if population else None


def grouped(rows: list[dict], column: str) -> list[dict]:
    """Count and amount per value of `column`, largest amount first."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(row[column], {"cle": row[column], "nombre": 0, "montant": 0.0})
        group["nombre"] += 1
        group["montant"] += amount(row)
    return sorted(groups.values(), key=lambda g: (-g["montant"], g["cle"]))


def by_axis_chart(rows: list[dict], title: str) -> str:
    totals = defaultdict(float)
    for row in rows:
        totals[row["axe"]] += amount(row)
    axes = [a for a in sorted(AXES) if totals[a]]
    if not axes:
        return ""
    return charts.bar_chart([AXES[a] for a in axes], {"Montant engagé": [totals[a] for a in axes]}, title=title)


def source_of(cat: Catalogue) -> dict:
    """Source, licence and year of the grants, from the data package (shown wherever the figures are)."""
    resource = cat.project.resource(RESOURCE)
    source = resource.descriptor.get("sources", [{}])[0]
    years = sorted({row["annee"] for row in cat.records[RESOURCE]})
    return {"titre": source.get("title", ""), "adresse": source.get("path", ""), "annees": years, "legende": CAPTION}


def territory_view(cat: Catalogue, key: str, population: int) -> dict:
    """The Fonds vert section of a territory page."""
    rows = cat.rows_of(RESOURCE, key)
    value = total(rows)
    return {
        "nombre": len(rows), "montant": value, "par_habitant": per_inhabitant(value, population),
        "par_mesure": grouped(rows, "mesure"), "par_beneficiaire": grouped(rows, "type_beneficiaire"),
        "plus_grands": sorted(rows, key=lambda r: (-amount(r), r["id_subvention"]))[:LARGEST],
        "graphique": by_axis_chart(rows, f"Fonds vert dans le territoire {cat.territory_rows[key]['lib_ti']}, par axe"),
    }


def national_view(cat: Catalogue) -> dict:
    """The national page: inside the territories against outside, territory by territory per inhabitant."""
    rows = cat.records[RESOURCE]
    population = cat.populations
    inside_communes = {r["insee_com"] for r in cat.records["territoires_communes"] if r["phase"] == cat.latest_phase}
    groups = {"dedans": [r for r in rows if r["id_ti"]], "dehors": [r for r in rows if r["insee_com"] and not r["id_ti"]],
              "sans_commune": [r for r in rows if not r["insee_com"]]}
    people = {"dedans": sum(population.get(c, 0) for c in inside_communes),
              "dehors": sum(p for c, p in population.items() if c not in inside_communes)}
    communes = {"dedans": len(inside_communes), "dehors": len(population) - len(inside_communes)}
    comparison = []
    for name in ("dedans", "dehors"):
        value = total(groups[name])
        aided = len({r["insee_com"] for r in groups[name]})
        comparison.append({"groupe": name, "communes": communes[name], "population": people[name], "nombre": len(groups[name]),
                           "montant": value, "par_habitant": per_inhabitant(value, people[name]), "communes_aidees": aided,
                           "part_aidees": 100 * aided / communes[name] if communes[name] else None})
    summary = cat.summary
    territories = []
    for key, mine in sorted(cat.by_territory.get(RESOURCE, {}).items()):
        inhabitants = int(summary.loc[key, "population"]) if key in summary.index else 0
        value = total(mine)
        territories.append({"key": key, "lib_ti": cat.territory_rows[key]["lib_ti"], "nombre": len(mine), "montant": value,
                            "population": inhabitants, "par_habitant": per_inhabitant(value, inhabitants)})
    current = [k for k, t in cat.territory_rows.items() if t["phase"] == cat.latest_phase and k not in cat.by_territory.get(RESOURCE, {})]
    territories += [{"key": k, "lib_ti": cat.territory_rows[k]["lib_ti"], "nombre": 0, "montant": 0.0,
                     "population": int(summary.loc[k, "population"]), "par_habitant": 0.0} for k in sorted(current)]
    return {
        "total": total(rows), "nombre": len(rows), "comparaison": comparison,
        "sans_commune": {"nombre": len(groups["sans_commune"]), "montant": total(groups["sans_commune"])},
        "par_mesure": measures_compared(groups["dedans"], groups["dehors"]),
        "territoires": sorted(territories, key=lambda t: (-(t["par_habitant"] or 0), t["lib_ti"])),
        "graphique": by_axis_chart([r for r in rows if r["id_ti"]], "Fonds vert dans les Territoires d'industrie, par axe"),
    }


def measures_compared(inside: list[dict], outside: list[dict]) -> list[dict]:
    """Per measure: the count and amount inside the territories and outside them, largest inside first."""
    ins = {g["cle"]: g for g in grouped(inside, "mesure")}
    out = {g["cle"]: g for g in grouped(outside, "mesure")}
    empty = {"nombre": 0, "montant": 0.0}
    names = sorted(ins.keys() | out.keys(), key=lambda m: (-ins.get(m, empty)["montant"], m))
    return [{"mesure": m, "nombre_dedans": ins.get(m, empty)["nombre"], "dedans": ins.get(m, empty)["montant"],
             "nombre_dehors": out.get(m, empty)["nombre"], "dehors": out.get(m, empty)["montant"]} for m in names]
