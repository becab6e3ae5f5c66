"""The programme's rules that a Table Schema cannot express.

Each rule is a function of the tables (pandas frames of text, indexed by their line number in the file) that
returns problems. `RULES` lists them with the tables each needs: a rule runs only when all its tables could be
read, so one unreadable file does not hide the problems of the others.
"""

from __future__ import annotations

import re

import pandas as pd

from .load import dates, numbers
from .problems import WARNING, Problem
from .project import Project

CURRENT_PHASE = "2023-2027"
PREVIOUS_PHASE = "2019-2022"
MAX_EPCI = 4
FORMULA_START = ("=", "+", "-", "@")
HTML_TAG = re.compile(r"</?[a-zA-Z!][^<>]*>")

Tables = dict[str, pd.DataFrame]


class Context:
    """What the rules share: the tables, and where each resource's file is (for messages)."""

    def __init__(self, project: Project, tables: Tables):
        self.project = project
        self.tables = tables
        self.files = {r.name: r.path for r in project.tables}

    def problem(self, rule, resource, line, column, value, expected, severity="erreur") -> Problem:
        line = None if line is None else int(line)  # pandas gives numpy integers; the report and cache want int
        return Problem(rule, self.files[resource], line, column, None if value is None else str(value), expected, severity)

    def territory_phase(self) -> pd.Series:
        territories = self.tables["territoires"]
        return pd.Series(territories["phase"].values, index=territories["id_ti"].values)

    def perimeter(self) -> pd.DataFrame:
        """territoires_communes with each row's phase and EPCI, keeping the file's line numbers as index."""
        perimeter = self.tables["territoires_communes"]
        communes = self.tables["communes"].set_index("insee_com")
        return perimeter.assign(
            phase=perimeter["id_ti"].map(self.territory_phase()),
            siren_epci=perimeter["insee_com"].map(communes["siren_epci"]),
        )


def foreign_keys(ctx: Context) -> list[Problem]:
    """Every foreign key of the schemas: a non-empty value must exist in the referenced table."""
    problems = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        for fk in resource.foreign_keys:
            target = ctx.tables.get(fk["resource"])
            if table is None or target is None:
                continue
            values = joined(table, fk["fields"])
            filled = (table[fk["fields"]] != "").all(axis=1)
            unknown = filled & ~values.isin(set(joined(target, fk["ref_fields"])))
            for line in table.index[unknown]:
                problems.append(ctx.problem(
                    "Référence inconnue", resource.name, line, ", ".join(fk["fields"]), values[line].replace(KEY_SEPARATOR, ", "),
                    f"absent de la colonne {', '.join(fk['ref_fields'])} de {ctx.files[fk['resource']]}.",
                ))
    return problems


KEY_SEPARATOR = "\x1f"


def joined(table: pd.DataFrame, fields: list[str]) -> pd.Series:
    """One text key per row for one or several fields."""
    key = table[fields[0]]
    for field in fields[1:]:
        key = key + KEY_SEPARATOR + table[field]
    return key


def commune_in_one_territory_per_phase(ctx: Context) -> list[Problem]:
    perimeter = ctx.perimeter().dropna(subset=["phase"])
    again = perimeter.duplicated(["insee_com", "phase"], keep="first")
    first = perimeter[~again].reset_index(names="line").set_index(["insee_com", "phase"])
    problems = []
    for line, row in perimeter[again].iterrows():
        earlier = first.loc[(row["insee_com"], row["phase"])]
        problems.append(ctx.problem(
            "Commune dans deux territoires", "territoires_communes", line, "insee_com", row["insee_com"],
            f"la commune appartient déjà au territoire {earlier['id_ti']} (ligne {earlier['line']}) pour la phase {row['phase']} ;"
            " une commune appartient à un seul territoire par phase.",
        ))
    return problems


def names_agree(ctx: Context) -> list[Problem]:
    """lib_com as in the referential, lib_ti as in territoires.csv."""
    perimeter = ctx.tables["territoires_communes"]
    communes = ctx.tables["communes"].set_index("insee_com")["lib_com"]
    territories = ctx.tables["territoires"].set_index("id_ti")["lib_ti"]
    problems = []
    for column, key, reference, file in (
        ("lib_com", "insee_com", communes, ctx.files["communes"]),
        ("lib_ti", "id_ti", territories, ctx.files["territoires"]),
    ):
        expected = perimeter[key].map(reference)
        wrong = perimeter[expected.notna() & (perimeter[column] != expected)]
        for line, row in wrong.iterrows():
            problems.append(ctx.problem(
                "Nom différent du référentiel", "territoires_communes", line, column, row[column],
                f"{file} nomme {row[key]} « {expected[line]} ».",
            ))
    return problems


def territory_epci_count(ctx: Context) -> list[Problem]:
    """A 2023-2027 territory spans 1 to 4 EPCIs, unless `exception_perimetre` says why; partial EPCIs are reported."""
    perimeter = ctx.perimeter()
    members = perimeter[perimeter["siren_epci"].fillna("") != ""]
    epci = ctx.tables["epci"].set_index("siren_epci")
    territories = ctx.tables["territoires"]
    line_of = pd.Series(territories.index, index=territories["id_ti"].values)
    line_of = line_of[~line_of.index.duplicated()]
    problems = []
    for line, territory in territories[~territories["id_ti"].isin(set(perimeter["id_ti"]))].iterrows():
        problems.append(ctx.problem(
            "Périmètre", "territoires", line, "id_ti", territory["id_ti"],
            f"aucune commune de {ctx.files['territoires_communes']} n'appartient à ce territoire.",
        ))
    counts = members.groupby("id_ti")["siren_epci"].nunique()
    current = territories[(territories["phase"] == CURRENT_PHASE) & (territories["exception_perimetre"] == "")]
    for line, territory in current.iterrows():
        count = int(counts.get(territory["id_ti"], 0))
        if count > MAX_EPCI:
            problems.append(ctx.problem(
                "Périmètre", "territoires", line, "id_ti", territory["id_ti"],
                f"le périmètre rassemble {count} EPCI ; un territoire de la phase {CURRENT_PHASE} en compte de 1 à {MAX_EPCI},"
                " sauf exception justifiée dans la colonne exception_perimetre.",
            ))
    inside = members.groupby(["id_ti", "siren_epci"]).size().rename("inside").reset_index()
    inside["total"] = pd.to_numeric(inside["siren_epci"].map(epci["nb_communes"]), errors="coerce")
    for row in inside[inside["inside"] < inside["total"]].itertuples():
        problems.append(ctx.problem(
            "EPCI en partie dans un territoire", "territoires", line_of.get(row.id_ti), "id_ti", row.id_ti,
            f"l'EPCI {row.siren_epci} ({epci.at[row.siren_epci, 'lib_epci']}) n'a que {row.inside} de ses {int(row.total)}"
            " communes dans le territoire.",
            WARNING,
        ))
    return problems


def territory_geography_agrees(ctx: Context) -> list[Problem]:
    """codes_dep and codes_reg list exactly the départements and régions of the perimeter's communes."""
    perimeter = ctx.tables["territoires_communes"]
    communes = ctx.tables["communes"].set_index("insee_com")
    located = perimeter.assign(
        code_dep=perimeter["insee_com"].map(communes["code_dep"]),
        code_reg=perimeter["insee_com"].map(communes["code_reg"]),
    ).dropna(subset=["code_dep"])
    problems = []
    for column, source in (("codes_dep", "code_dep"), ("codes_reg", "code_reg")):
        actual = located.groupby("id_ti")[source].agg(lambda codes: " ".join(sorted(set(codes))))
        for line, territory in ctx.tables["territoires"].iterrows():
            expected = actual.get(territory["id_ti"])
            if expected is not None and territory[column] != expected:
                problems.append(ctx.problem(
                    "Géographie du territoire", "territoires", line, column, territory[column],
                    f"les communes du périmètre donnent « {expected} ».",
                ))
    return problems


def renewal_links(ctx: Context) -> list[Problem]:
    territories = ctx.tables["territoires"]
    phases = ctx.territory_phase()
    problems = []
    for line, row in territories.iterrows():
        previous = row["id_ti_precedent"]
        if row["type_labellisation"] == "renouvelé" and not previous:
            expected = "un territoire renouvelé indique dans id_ti_precedent le territoire qu'il prolonge."
            problems.append(ctx.problem("Renouvellement", "territoires", line, "id_ti_precedent", previous, expected))
        elif row["type_labellisation"] == "nouveau" and previous:
            expected = "un nouveau territoire n'a pas de territoire précédent : videz la cellule ou écrivez « renouvelé »."
            problems.append(ctx.problem("Renouvellement", "territoires", line, "id_ti_precedent", previous, expected))
        elif previous and (row["phase"] != CURRENT_PHASE or phases.get(previous, PREVIOUS_PHASE) != PREVIOUS_PHASE):
            expected = f"le territoire précédent doit être de la phase {PREVIOUS_PHASE}, et seul un territoire de la phase {CURRENT_PHASE} en a un."
            problems.append(ctx.problem("Renouvellement", "territoires", line, "id_ti_precedent", previous, expected))
    return problems


def project_commune_in_perimeter(ctx: Context) -> list[Problem]:
    projects = ctx.tables["projets"]
    inside = set(joined(ctx.tables["territoires_communes"], ["id_ti", "insee_com"]))
    outside = (projects["insee_com"] != "") & ~joined(projects, ["id_ti", "insee_com"]).isin(inside)
    problems = []
    for line, row in projects[outside].iterrows():
        problems.append(ctx.problem(
            "Commune hors du territoire", "projets", line, "insee_com", row["insee_com"],
            f"cette commune n'est pas dans le périmètre du territoire {row['id_ti']}.",
        ))
    return problems


def project_amounts_and_dates(ctx: Context) -> list[Problem]:
    projects = ctx.tables["projets"]
    cost, public = numbers(projects["cout_total_eur"]), numbers(projects["financement_public_eur"])
    start, end = dates(projects["date_debut"]), dates(projects["date_fin"])
    problems = []
    for line in projects.index[public > cost]:
        problems.append(ctx.problem(
            "Montants d'un projet", "projets", line, "financement_public_eur", projects.at[line, "financement_public_eur"],
            f"le financement public dépasse le coût total ({projects.at[line, 'cout_total_eur']}).",
        ))
    for line in projects.index[end < start]:
        problems.append(ctx.problem(
            "Dates d'un projet", "projets", line, "date_fin", projects.at[line, "date_fin"],
            f"la date de fin précède la date de début ({projects.at[line, 'date_debut']}).",
        ))
    return problems


def site_territory_holds_commune(ctx: Context) -> list[Problem]:
    sites = ctx.tables["sites_cles_en_main"]
    perimeter = ctx.perimeter()
    current = perimeter[perimeter["phase"] == CURRENT_PHASE]
    holder = pd.Series(current["id_ti"].values, index=current["insee_com"].values)
    holder = holder[~holder.index.duplicated()]
    problems = []
    for line, row in sites[sites["id_ti"] != ""].iterrows():
        actual = holder.get(row["insee_com"])
        if actual != row["id_ti"]:
            where = f"elle est dans le territoire {actual}" if actual else f"elle n'est dans aucun territoire de la phase {CURRENT_PHASE}"
            problems.append(ctx.problem(
                "Territoire d'un site", "sites_cles_en_main", line, "id_ti", row["id_ti"],
                f"le territoire d'un site est celui dont le périmètre contient sa commune {row['insee_com']} ; {where}.",
            ))
    return problems


def envelope_shares_within_parent(ctx: Context) -> list[Problem]:
    envelopes = ctx.tables["enveloppes"]
    amounts = numbers(envelopes["montant_eur"])
    by_id = pd.Series(envelopes.index, index=envelopes["id_enveloppe"].values)
    by_id = by_id[~by_id.index.duplicated()]
    problems = []
    children = envelopes[envelopes["id_enveloppe_parent"] != ""]
    for parent_id, shares in children.groupby("id_enveloppe_parent", sort=True):
        if parent_id not in by_id.index:
            continue  # reported as an unknown reference
        parent_line = by_id[parent_id]
        parent = envelopes.loc[parent_line]
        if parent["id_ti"]:
            problems.append(ctx.problem(
                "Parts d'une enveloppe nationale", "enveloppes", shares.index[0], "id_enveloppe_parent", parent_id,
                f"l'enveloppe parente (ligne {parent_line}) doit être nationale : sa colonne id_ti doit être vide.",
            ))
            continue
        total = amounts[shares.index].sum()
        if total > amounts[parent_line] + 0.005:
            problems.append(ctx.problem(
                "Parts d'une enveloppe nationale", "enveloppes", parent_line, "montant_eur", parent["montant_eur"],
                f"les {len(shares)} parts territoriales de {parent_id} totalisent {total:.2f} €, plus que l'enveloppe nationale.",
            ))
    return problems


def free_text_is_plain(ctx: Context) -> list[Problem]:
    """No spreadsheet formula at the start of a text, no HTML tag inside; `&`, `|`, `*`, `#`, `%`, `>` are fine."""
    problems = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        if table is None:
            continue
        for field in resource.fields:
            if not is_free_text(field) or field["name"] not in table:
                continue
            column = table[field["name"]]
            formula = column.str.startswith(FORMULA_START)
            tagged = column.str.contains(HTML_TAG, regex=True)
            for line in column.index[formula]:
                problems.append(ctx.problem(
                    "Texte libre", resource.name, line, field["name"], column[line],
                    "un texte ne doit pas commencer par =, +, - ou @ (un tableur le prendrait pour une formule).",
                ))
            for line in column.index[tagged & ~formula]:
                problems.append(ctx.problem(
                    "Texte libre", resource.name, line, field["name"], column[line],
                    "un texte ne doit pas contenir de balise HTML (<…>).",
                ))
    return problems


def is_free_text(field: dict) -> bool:
    constraints = field.get("constraints", {})
    return field.get("type", "string") == "string" and not field.get("format") and not (
        {"pattern", "enum"} & set(constraints)
    )


RULES = [
    (foreign_keys, set()),
    (commune_in_one_territory_per_phase, {"territoires", "territoires_communes", "communes"}),
    (names_agree, {"territoires", "territoires_communes", "communes"}),
    (territory_epci_count, {"territoires", "territoires_communes", "communes", "epci"}),
    (territory_geography_agrees, {"territoires", "territoires_communes", "communes"}),
    (renewal_links, {"territoires"}),
    (project_commune_in_perimeter, {"projets", "territoires_communes"}),
    (project_amounts_and_dates, {"projets"}),
    (site_territory_holds_commune, {"sites_cles_en_main", "territoires", "territoires_communes", "communes"}),
    (envelope_shares_within_parent, {"enveloppes"}),
    (free_text_is_plain, set()),
]


def run_rules(project: Project, tables: Tables) -> list[Problem]:
    ctx = Context(project, tables)
    problems = []
    for rule, needs in RULES:
        if needs <= set(tables):
            problems.extend(rule(ctx))
    return problems
