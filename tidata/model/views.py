"""What each generated page shows, computed from the package's tables (no Markdown here, no file written).

The tables are text (codes keep their leading zeros); amounts are converted where they are summed. A territory is
its phase and its id_ti together (ANCT reuses ids between phases for other territories): everything here is keyed
by `territory_key`, « 2023-2027/ti-0101 », which is also the territory's path under territoires/, donnees/ and api/.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import shapely

from ..core import urls
from ..core.project import EXAMPLE_SOURCE, Project
from .load import PackageTables, numbers, resource_outlines

TERRITORIES = "territoires"
GROUPING_NATURES = {  # the codes of territoires_groupements.nature_groupement, as a page names them
    "CC": "communauté de communes", "CA": "communauté d'agglomération", "CU": "communauté urbaine",
    "METRO": "métropole", "MET69": "Métropole de Lyon", "EPT": "établissement public territorial", "COM": "commune seule",
}


def territory_key(row: dict, phase: str = "phase", id_ti: str = "id_ti") -> str:
    """« 2023-2027/ti-0101 »: the phase and the id_ti of a row that names a territory."""
    return f"{row[phase]}/{row[id_ti]}"


@dataclass
class Catalogue:
    """The package's tables with the look-ups every page and download needs, each computed once per build."""

    project: Project
    tables: PackageTables
    last_change: str = ""  # AAAA-MM-JJ, the date the site and the downloads give the data

    @classmethod
    def read(cls, project: Project, last_change: str | None = None) -> Catalogue:
        """The model of a checked package: its tables are read on first use, once. The data's date is the
        project's (the last commit that touched datasets/) unless given."""
        return cls(project, PackageTables(project), project.data_last_change if last_change is None else last_change)

    @property
    def phases(self) -> list[str]:
        """The programme's phases, in order, as the schema of territoires.csv lists them."""
        return self.project.phases

    @property
    def latest_phase(self) -> str:
        return self.phases[-1]

    @property
    def previous_phase(self) -> str:
        return self.phases[-2]

    @cached_property
    def territory_views(self) -> dict[str, dict]:
        """Each territory's view (territory_view), computed once per build and shared by its page and its API file."""
        return {key: territory_view(self, key) for key in self.territories["key"]}

    @cached_property
    def territories(self) -> pd.DataFrame:
        """territoires.csv with a `key` column, current phase first, then by name."""
        return keyed(self.tables["territoires"]).sort_values(["phase", "lib_ti", "id_ti"], ascending=[False, True, True])

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
        """territoires_communes with each row's territory key and EPCI."""
        perimeter = keyed(self.tables["territoires_communes"])
        return perimeter.assign(siren_epci=perimeter["insee_com"].map(self.communes["siren_epci"]).fillna(""))

    @cached_property
    def pages(self) -> dict[str, str]:
        """territory key → path of the territory's page under docs/ (« territoires/2023-2027/ti-0101.md »)."""
        paths = {key: urls.territory_page(key) for key in self.territories["key"]}
        urls.refuse_collisions(list(paths.values()))
        return paths

    @cached_property
    def region_pages(self) -> dict[str, str]:
        return {code: urls.region_page(code, name) for code, name in self.regions.items()}

    @cached_property
    def departement_pages(self) -> dict[str, str]:
        return {row.code_dep: urls.departement_page(row.code_dep, row.lib_dep) for row in self.departements.itertuples()}

    @cached_property
    def predecessors(self) -> dict[str, list[dict]]:
        """territory key → its filiations with the previous phase, most communes in common first."""
        return self.filiations("phase", "id_ti")

    @cached_property
    def successors(self) -> dict[str, list[dict]]:
        """territory key → its filiations with the next phase, most communes in common first."""
        return self.filiations("phase_precedente", "id_ti_precedent")

    def filiations(self, phase: str, id_ti: str) -> dict[str, list[dict]]:
        grouped: dict[str, list[dict]] = {}
        for row in self.records["territoires_filiations"]:
            grouped.setdefault(territory_key(row, phase, id_ti), []).append(row)
        for rows in grouped.values():
            rows.sort(key=lambda r: (-int(r["communes_en_commun"]), r["id_ti"], r["id_ti_precedent"]))
        return grouped

    @cached_property
    def records(self) -> dict[str, list[dict]]:
        """Each table as a list of row dicts: pages loop over rows, which is much faster than pandas per territory."""
        return {name: rows_of_table(table) for name, table in self.tables.items()}

    @cached_property
    def territory_columns(self) -> dict[str, list[tuple[str, str]]]:
        """resource → the (phase, id_ti) column pairs that name a territory: territoires' own key, and every foreign
        key to territoires (territoires_filiations has two). Read from the schemas, so a new resource takes part."""
        columns = {}
        for resource in self.project.tables:
            pairs = [tuple(fk["fields"]) for fk in resource.foreign_keys if fk["resource"] == TERRITORIES]
            if resource.name == TERRITORIES:
                pairs = [("phase", "id_ti")]
            if pairs:
                columns[resource.name] = pairs
        return columns

    @cached_property
    def territory_row_numbers(self) -> dict[str, dict[str, list[int]]]:
        """resource → territory key → the numbers of the rows that name it (from 0, in the package's order; a row
        naming it twice counted once), for every resource that names territories (an empty table included: a
        resource with no rows yet still has its place). One pass over each table: the text rows and the typed
        table share these numbers, since both views come from one read."""
        grouped = {}
        for name, pairs in self.territory_columns.items():
            groups: dict[str, list[int]] = {}
            for number, row in enumerate(self.records[name]):
                keys = {territory_key(row, phase, id_ti) for phase, id_ti in pairs if row[id_ti]}
                for key in sorted(keys):
                    groups.setdefault(key, []).append(number)
            grouped[name] = groups
        return grouped

    @cached_property
    def by_territory(self) -> dict[str, dict[str, list[dict]]]:
        """resource → territory key → its rows (territory_row_numbers)."""
        return {name: {key: [self.records[name][n] for n in numbers] for key, numbers in groups.items()}
                for name, groups in self.territory_row_numbers.items()}

    @cached_property
    def perimeter_records(self) -> dict[str, list[dict]]:
        """territory key → its communes, each with its EPCI."""
        epci_of = dict(zip(self.tables["communes"]["insee_com"], self.tables["communes"]["siren_epci"]))
        grouped: dict[str, list[dict]] = {}
        for row in self.records["territoires_communes"]:
            grouped.setdefault(territory_key(row), []).append({**row, "siren_epci": epci_of.get(row["insee_com"], "")})
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
    def commune_names(self) -> dict[str, str]:
        return {row["insee_com"]: row["lib_com"] for row in self.records["communes"]}

    @cached_property
    def territory_rows(self) -> dict[str, dict]:
        """territory key → its row of territoires.csv."""
        return {territory_key(row): row for row in self.records["territoires"]}

    @cached_property
    def summary(self) -> pd.DataFrame:
        """One row per territory with its counts and amounts (territory_summary), computed once per build."""
        return territory_summary(self)

    @cached_property
    def has_examples(self) -> bool:
        """Whether a resource is flagged « exemple » or any row is a generated example (source « exemple »): the site
        then says so on every page. The published package has none."""
        return any(r.is_example for r in self.project.tables) or any(
            row.get("source") == EXAMPLE_SOURCE for rows in self.records.values() for row in rows
        )

    def typed(self, name: str):
        """A table typed from its schema (Arrow), from the same read as its text."""
        return self.tables.typed(name)

    def outlines(self, resource: str, key: str, label: str) -> dict:
        """An outline layer of the package (a GeoJSON resource), key → geometry."""
        return resource_outlines(self.project, self.project.resource(resource), key, label)

    @property
    def commune_outlines(self) -> dict:
        return self.outlines("communes_contours", "insee_com", "lib_com")

    @property
    def epci_outlines(self) -> dict:
        return self.outlines("epci_contours", "siren_epci", "lib_epci")

    @property
    def departement_outlines(self) -> dict:
        return self.outlines("departements_contours", "code_dep", "lib_dep")

    @cached_property
    def territory_outlines(self) -> dict:
        """territory key → outline of the territory: the union of its communes' outlines, so that maps, downloads
        and data agree (a commune that joined without the rest of its EPCI is drawn alone)."""
        members = {key: [c["insee_com"] for c in communes] for key, communes in self.perimeter_records.items()}
        return unions(members, self.commune_outlines)

    @cached_property
    def epci_index(self) -> tuple[list[str], shapely.STRtree]:
        """A spatial index of the EPCI outlines, to find a territory's neighbours quickly."""
        geometries = self.epci_outlines
        sirens = sorted(geometries)
        return sirens, shapely.STRtree([geometries[s] for s in sirens])

    def rows_of(self, resource: str, key: str) -> list[dict]:
        return self.by_territory[resource].get(key, [])

    def sites_of(self, key: str) -> list[dict]:
        """The turnkey sites of a territory (check makes sure a site's territory is the one holding its commune)."""
        return self.rows_of("sites_cles_en_main", key)


def rows_of_table(table: pd.DataFrame) -> list[dict]:
    """table.to_dict("records"), four times faster on these text tables (no per-value type boxing)."""
    names = list(table.columns)
    columns = [table[name].tolist() for name in names]
    return [dict(zip(names, values)) for values in zip(*columns)]


def unions(groups: dict[str, list[str]], geometries: dict) -> dict:
    """group → the union of its members' geometries (members without one are skipped, empty groups left out).

    The members tile the ground without gap or overlap (communes, EPCI), so coverage_union_all, which only drops
    the shared edges, merges them exactly and far faster than a general union."""
    merged = {}
    for group, members in groups.items():
        parts = [geometries[m] for m in sorted(set(members)) if m in geometries]
        if parts:
            merged[group] = shapely.coverage_union_all(np.array(parts, dtype=object))
    return merged


def territory_view(cat: Catalogue, key: str) -> dict:
    territory = cat.territory_rows[key]
    perimeter = cat.perimeter_records.get(key, [])
    projects = cat.rows_of("projets", key)
    envelopes = cat.rows_of("enveloppes", key)
    return {
        "key": key,
        "t": territory,
        "regions": [(code, cat.regions.get(code, code)) for code in territory["codes_reg"].split()],
        "departements": [(code, cat.departement_names[code]) for code in territory["codes_dep"].split() if code in cat.departement_names],
        "groupements": sorted(cat.rows_of("territoires_groupements", key), key=lambda g: (g["lib_groupement"], g["siren_groupement"])),
        "epci": epci_rows(cat, perimeter),
        "communes": sorted(({"insee_com": c["insee_com"], "lib_com": c["lib_com"]} for c in perimeter), key=lambda c: (c["lib_com"], c["insee_com"])),
        "projets": sorted(projects, key=lambda p: (p["axe"], p["titre"], p["id_projet"])),
        "projets_par_axe": totals(projects, "axe"),
        "projets_par_statut": totals(projects, "statut"),
        "projets_total": totals(projects, None),
        "enveloppes": sorted(envelopes, key=lambda e: (e["annee"], e["dispositif"], e["id_enveloppe"])),
        "enveloppes_par_annee": pivot_amounts(envelopes, "annee", "statut"),
        "sites": cat.sites_of(key),
        "predecesseurs": [linked(cat, row, "phase_precedente", "id_ti_precedent") for row in cat.predecessors.get(key, [])],
        "successeurs": [linked(cat, row, "phase", "id_ti") for row in cat.successors.get(key, [])],
        "population": sum(cat.populations.get(c["insee_com"], 0) for c in perimeter),
    }


def linked(cat: Catalogue, filiation: dict, phase: str, id_ti: str) -> dict:
    """A filiation row with the other territory's key and name, for a link to its page."""
    other = territory_key(filiation, phase, id_ti)
    return {**filiation, "key": other, "lib_ti": cat.territory_rows[other]["lib_ti"] if other in cat.territory_rows else ""}


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
    """One row per territory (indexed by its key) with its counts and amounts, for lists and région / département pages."""
    perimeter = cat.perimeter
    population = numbers(perimeter["insee_com"].map(cat.communes["population"]))
    communes = perimeter.assign(population=population).groupby("key").agg(
        nb_communes=("insee_com", "size"), population=("population", "sum"), nb_epci=("siren_epci", "nunique")
    )
    projects = keyed(cat.tables["projets"]).assign(cout=numbers(cat.tables["projets"]["cout_total_eur"]))
    project_totals = projects.groupby("key").agg(nb_projets=("id_projet", "size"), cout_projets=("cout", "sum"))
    envelopes = keyed(cat.tables["enveloppes"]).assign(montant=numbers(cat.tables["enveloppes"]["montant_eur"]))
    envelope_totals = envelopes[envelopes["id_ti"] != ""].groupby("key").agg(montant_enveloppes=("montant", "sum"))
    summary = cat.territories.set_index("key", drop=False).join(communes).join(project_totals).join(envelope_totals)
    return summary.fillna({"nb_communes": 0, "population": 0, "nb_epci": 0, "nb_projets": 0, "cout_projets": 0, "montant_enveloppes": 0})


def keyed(table: pd.DataFrame) -> pd.DataFrame:
    """A table with phase and id_ti columns, with their territory key as a column."""
    return table.assign(key=table["phase"] + "/" + table["id_ti"])
