"""What each generated page shows, computed from the package's tables (no Markdown here, no file written).

The tables are text (codes keep their leading zeros); amounts are converted where they are summed.
"""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from functools import cached_property

import pandas as pd

from . import urls
from .load import numbers
from .project import Project

CURRENT_PHASE = "2023-2027"
PREVIOUS_PHASE = "2019-2022"


@dataclass
class Catalogue:
    """The package's tables with the look-ups every page needs."""

    project: Project
    tables: dict[str, pd.DataFrame]
    last_change: str = field(default="")

    def __post_init__(self):
        if not self.last_change:
            self.last_change = data_last_change(self.project)

    @cached_property
    def territories(self) -> pd.DataFrame:
        return self.tables["territoires"].sort_values(["phase", "lib_ti"], ascending=[False, True])

    @cached_property
    def communes(self) -> pd.DataFrame:
        return self.tables["communes"].set_index("insee_com", drop=False)

    @cached_property
    def epci(self) -> pd.DataFrame:
        return self.tables["epci"].set_index("siren_epci", drop=False)

    @cached_property
    def regions(self) -> dict[str, str]:
        return dict(zip(self.tables["regions"]["code_reg"], self.tables["regions"]["lib_reg"]))

    @cached_property
    def departements(self) -> pd.DataFrame:
        return self.tables["departements"].set_index("code_dep", drop=False)

    @cached_property
    def perimeter(self) -> pd.DataFrame:
        perimeter = self.tables["territoires_communes"]
        return perimeter.assign(siren_epci=perimeter["insee_com"].map(self.communes["siren_epci"]).fillna(""))

    @cached_property
    def pages(self) -> dict[str, str]:
        """id_ti → path of the territory's page under docs/."""
        paths = {row.id_ti: urls.territory_page(row.id_ti, row.lib_ti) for row in self.territories.itertuples()}
        urls.refuse_collisions(list(paths.values()))
        return paths

    @cached_property
    def region_pages(self) -> dict[str, str]:
        return {code: urls.region_page(code, name) for code, name in self.regions.items()}

    @cached_property
    def departement_pages(self) -> dict[str, str]:
        return {row.code_dep: urls.departement_page(row.code_dep, row.lib_dep) for row in self.departements.itertuples()}

    @cached_property
    def successors(self) -> dict[str, str]:
        rows = self.territories[self.territories["id_ti_precedent"] != ""]
        return dict(zip(rows["id_ti_precedent"], rows["id_ti"]))

    @cached_property
    def records(self) -> dict[str, list[dict]]:
        """Each table as a list of row dicts: pages loop over rows, which is much faster than pandas per territory."""
        return {name: rows_of_table(table) for name, table in self.tables.items()}

    @cached_property
    def by_territory(self) -> dict[str, dict[str, list[dict]]]:
        """resource → id_ti → its rows, for every resource with an id_ti column."""
        grouped = {}
        for name, rows in self.records.items():
            if rows and "id_ti" in rows[0]:
                groups: dict[str, list[dict]] = {}
                for row in rows:
                    groups.setdefault(row["id_ti"], []).append(row)
                grouped[name] = groups
        return grouped

    @cached_property
    def perimeter_records(self) -> dict[str, list[dict]]:
        """id_ti → its communes, each with its EPCI."""
        epci_of = dict(zip(self.tables["communes"]["insee_com"], self.tables["communes"]["siren_epci"]))
        grouped: dict[str, list[dict]] = {}
        for row in self.records["territoires_communes"]:
            grouped.setdefault(row["id_ti"], []).append({**row, "siren_epci": epci_of.get(row["insee_com"], "")})
        return grouped

    @cached_property
    def epci_rows(self) -> dict[str, dict]:
        return {row["siren_epci"]: row for row in self.records["epci"]}

    @cached_property
    def departement_names(self) -> dict[str, str]:
        return dict(zip(self.tables["departements"]["code_dep"], self.tables["departements"]["lib_dep"]))

    @cached_property
    def populations(self) -> dict[str, int]:
        return {row["insee_com"]: int(row["population"] or 0) for row in self.records["communes"]}

    @cached_property
    def territory_rows(self) -> dict[str, dict]:
        return {row["id_ti"]: row for row in self.records["territoires"]}

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per territory with its counts and amounts (territory_summary), computed once per build."""
        return territory_summary(self)

    @property
    def has_examples(self) -> bool:
        return any(r.is_example for r in self.project.tables)

    def rows_of(self, resource: str, id_ti: str) -> list[dict]:
        return self.by_territory[resource].get(id_ti, [])

    def sites_of(self, id_ti: str) -> list[dict]:
        """Sites whose territory is this one, or whose commune lies in its perimeter (current phase)."""
        inside = {row["insee_com"] for row in self.perimeter_records.get(id_ti, [])}
        current = self.territory_rows[id_ti]["phase"] == CURRENT_PHASE
        return [
            site for site in self.records["sites_cles_en_main"]
            if site["id_ti"] == id_ti or (current and not site["id_ti"] and site["insee_com"] in inside)
        ]


def rows_of_table(table: pd.DataFrame) -> list[dict]:
    """table.to_dict("records"), four times faster on these text tables (no per-value type boxing)."""
    names = list(table.columns)
    columns = [table[name].tolist() for name in names]
    return [dict(zip(names, values)) for values in zip(*columns)]


def data_last_change(project: Project) -> str:
    """Date (YYYY-MM-DD) of the last commit that touched datasets/: reproducible, unlike file times."""
    try:
        result = subprocess.run(
            ["git", "log", "-1", "--format=%cs", "--", "datasets"],
            cwd=project.root, capture_output=True, text=True, timeout=10,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def territory_view(cat: Catalogue, id_ti: str) -> dict:
    territory = cat.territory_rows[id_ti]
    perimeter = cat.perimeter_records.get(id_ti, [])
    projects = cat.rows_of("projets", id_ti)
    envelopes = cat.rows_of("enveloppes", id_ti)
    other = territory["id_ti_precedent"] or cat.successors.get(id_ti, "")
    return {
        "t": territory,
        "regions": [(code, cat.regions.get(code, code)) for code in territory["codes_reg"].split()],
        "departements": [(code, cat.departement_names[code]) for code in territory["codes_dep"].split() if code in cat.departement_names],
        "epci": epci_rows(cat, perimeter),
        "communes": sorted(({"insee_com": c["insee_com"], "lib_com": c["lib_com"]} for c in perimeter), key=lambda c: (c["lib_com"], c["insee_com"])),
        "projets": sorted(projects, key=lambda p: (p["axe"], p["titre"], p["id_projet"])),
        "projets_par_axe": totals(projects, "axe"),
        "projets_par_statut": totals(projects, "statut"),
        "projets_total": totals(projects, None),
        "enveloppes": sorted(envelopes, key=lambda e: (e["annee"], e["dispositif"], e["id_enveloppe"])),
        "enveloppes_par_annee": pivot_amounts(envelopes, "annee", "statut"),
        "sites": cat.sites_of(id_ti),
        "autre_phase": other if other in cat.pages else "",
        "population": sum(cat.populations.get(c["insee_com"], 0) for c in perimeter),
    }


def epci_rows(cat: Catalogue, perimeter: list[dict]) -> list[dict]:
    inside: dict[str, int] = {}
    for commune in perimeter:
        if commune["siren_epci"]:
            inside[commune["siren_epci"]] = inside.get(commune["siren_epci"], 0) + 1
    rows = []
    for siren, count in inside.items():
        epci = cat.epci_rows[siren]
        rows.append({
            "siren_epci": siren, "lib_epci": epci["lib_epci"], "type_epci": epci["type_epci"],
            "population": int(epci["population"]), "communes_dedans": count, "communes_total": int(epci["nb_communes"]),
        })
    return sorted(rows, key=lambda r: (-r["population"], r["siren_epci"]))


def amount(value: str) -> float:
    return float(value) if value else 0.0


def totals(projects: list[dict], column: str | None) -> list[dict]:
    """Count, total cost and public funding of projects per value of `column` (all together when None)."""
    groups: dict[str, dict] = {}
    for project in projects:
        key = project[column] if column else "Total"
        group = groups.setdefault(key, {"cle": key, "nombre": 0, "cout": 0.0, "public": 0.0})
        group["nombre"] += 1
        group["cout"] += amount(project["cout_total_eur"])
        group["public"] += amount(project["financement_public_eur"])
    return [groups[key] for key in sorted(groups)]


def pivot_amounts(envelopes: list[dict], rows: str, columns: str) -> dict:
    """{"lignes": [...], "colonnes": [...], "valeurs": {ligne: {colonne: montant}}} summed in euros."""
    lines = sorted({e[rows] for e in envelopes})
    cols = sorted({e[columns] for e in envelopes})
    values = {line: {col: 0.0 for col in cols} for line in lines}
    for envelope in envelopes:
        values[envelope[rows]][envelope[columns]] += amount(envelope["montant_eur"])
    return {"lignes": lines, "colonnes": cols, "valeurs": values}


def territory_summary(cat: Catalogue) -> pd.DataFrame:
    """One row per territory with its counts and amounts, for lists and région / département pages."""
    perimeter = cat.perimeter
    population = numbers(perimeter["insee_com"].map(cat.communes["population"]))
    communes = perimeter.assign(population=population).groupby("id_ti").agg(
        nb_communes=("insee_com", "size"), population=("population", "sum"), nb_epci=("siren_epci", "nunique")
    )
    projects = cat.tables["projets"].assign(cout=numbers(cat.tables["projets"]["cout_total_eur"]))
    project_totals = projects.groupby("id_ti").agg(nb_projets=("id_projet", "size"), cout_projets=("cout", "sum"))
    envelopes = cat.tables["enveloppes"].assign(montant=numbers(cat.tables["enveloppes"]["montant_eur"]))
    envelope_totals = envelopes[envelopes["id_ti"] != ""].groupby("id_ti").agg(montant_enveloppes=("montant", "sum"))
    summary = cat.territories.set_index("id_ti", drop=False).join(communes).join(project_totals).join(envelope_totals)
    return summary.fillna({"nb_communes": 0, "population": 0, "nb_epci": 0, "nb_projets": 0, "cout_projets": 0, "montant_enveloppes": 0})
