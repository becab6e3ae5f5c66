"""The programme's rules that a Table Schema cannot express.

Each rule is a function of the tables (pandas frames of text, indexed by their line number in the file) that
returns problems. `RULES` lists them with the tables each needs: a rule runs only when all its tables could be
read, so one unreadable file does not hide the problems of the others.
"""

from __future__ import annotations

import pandas as pd

from ..core.project import DATAPACKAGE, Project
from ..model.cog import department_of
from ..model.load import dates, numbers
from ..model.perimeters import evolution_rows, filiation_rows
from .cell_rules import example_rows_are_declared, free_text_is_plain, no_control_characters
from .problems import Context, Problem, Tables

PLACED_BY_COMMUNE = "territoire_par_commune"  # datapackage.yaml: rows whose territory is the one holding their commune
PUBLISHED_TOTALS = "totaux_publies"  # datapackage.yaml: rows and amount per year, as the publisher announced them

def territory_key(table: pd.DataFrame, phase: str = "phase", id_ti: str = "id_ti") -> pd.Series:
    """« 2023-2027/ti-0101 »: a territory is its phase and its id_ti together (ANCT reuses ids between phases)."""
    return table[phase] + "/" + table[id_ti]


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
                    f"absent {columns_phrase(fk['ref_fields'])} de {ctx.files[fk['resource']]}.",
                ))
    return problems


KEY_SEPARATOR = "\x1f"


def lookup(table: pd.DataFrame, keys: pd.Series) -> pd.DataFrame:
    """The table indexed by `keys`, the first row of a duplicated key kept: a duplicate is reported by the primary
    key check, and a rule must not stop on it."""
    indexed = table.set_index(keys.values)
    return indexed[~indexed.index.duplicated()]


def columns_phrase(fields: list[str]) -> str:
    """« de la colonne id_ti » or « des colonnes phase, id_ti » (the values must then be found together)."""
    return f"de la colonne {fields[0]}" if len(fields) == 1 else f"des colonnes {', '.join(fields)} (ensemble)"


def joined(table: pd.DataFrame, fields: list[str]) -> pd.Series:
    """One text key per row for one or several fields."""
    key = table[fields[0]]
    for field in fields[1:]:
        key = key + KEY_SEPARATOR + table[field]
    return key


def commune_in_one_territory_per_phase(ctx: Context) -> list[Problem]:
    perimeter = ctx.tables["territoires_communes"]
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
    communes = lookup(ctx.tables["communes"], ctx.tables["communes"]["insee_com"])["lib_com"]
    territories = ctx.tables["territoires"]
    names = lookup(territories, territory_key(territories))["lib_ti"]
    problems = []
    for column, keys, reference, file in (
        ("lib_com", perimeter["insee_com"], communes, ctx.files["communes"]),
        ("lib_ti", territory_key(perimeter), names, ctx.files["territoires"]),
    ):
        expected = keys.map(reference)
        wrong = perimeter[expected.notna() & (perimeter[column] != expected)]
        for line, row in wrong.iterrows():
            problems.append(ctx.problem(
                "Nom différent du référentiel", "territoires_communes", line, column, row[column],
                f"{file} nomme {keys[line].replace('/', ' ')} « {expected[line]} ».",
            ))
    return problems


def territory_has_communes(ctx: Context) -> list[Problem]:
    """Every territory has at least one commune in its phase. (A commune may join without the rest of its EPCI, and
    a territory may span more than four EPCI: ANCT's own perimeters do both, so neither is reported.)"""
    perimeter = ctx.tables["territoires_communes"]
    territories = ctx.tables["territoires"]
    empty = ~territory_key(territories).isin(set(territory_key(perimeter)))
    return [
        ctx.problem(
            "Périmètre", "territoires", line, "id_ti", territory["id_ti"],
            f"aucune commune de {ctx.files['territoires_communes']} n'appartient à ce territoire pour la phase {territory['phase']}.",
        )
        for line, territory in territories[empty].iterrows()
    ]


def commune_in_its_departement(ctx: Context) -> list[Problem]:
    """A commune's département is the one its INSEE code starts with (01…95, 2A, 2B, three characters overseas):
    the commune finder and the département pages rely on it."""
    communes = ctx.tables["communes"]
    expected = communes["insee_com"].map(department_of)
    wrong = (communes["code_dep"] != expected) & (communes["insee_com"] != "")
    return [
        ctx.problem("Département d'une commune", "communes", line, "code_dep", commune["code_dep"],
                    f"écrivez {expected[line]} : le code INSEE {commune['insee_com']} est celui d'une commune de ce département.")
        for line, commune in communes[wrong].iterrows()
    ]


def territory_geography_agrees(ctx: Context) -> list[Problem]:
    """codes_dep and codes_reg list exactly the départements and régions of the perimeter's communes."""
    perimeter = ctx.tables["territoires_communes"]
    communes = lookup(ctx.tables["communes"], ctx.tables["communes"]["insee_com"])
    located = perimeter.assign(
        territory=territory_key(perimeter),
        code_dep=perimeter["insee_com"].map(communes["code_dep"]),
        code_reg=perimeter["insee_com"].map(communes["code_reg"]),
    ).dropna(subset=["code_dep"])
    territories = ctx.tables["territoires"]
    keys = territory_key(territories)
    problems = []
    for column, source in (("codes_dep", "code_dep"), ("codes_reg", "code_reg")):
        actual = located.groupby("territory")[source].agg(lambda codes: " ".join(sorted(set(codes))))
        expected = keys.map(actual)
        for line in territories.index[expected.notna() & (territories[column] != expected)]:
            problems.append(ctx.problem(
                "Géographie du territoire", "territoires", line, column, territories.at[line, column],
                f"les communes du périmètre donnent « {expected[line]} ».",
            ))
    return problems


def filiations_agree(ctx: Context) -> list[Problem]:
    """territoires_filiations holds exactly the pairs of consecutive-phase territories that share communes, with the
    counts and shares the perimeters give (it is computed, so any difference means it is out of date)."""
    filiations = ctx.tables["territoires_filiations"]
    expected = expected_filiations(ctx.tables["territoires_communes"], ctx.project.phases)
    found = filiations.assign(pair=territory_key(filiations) + ">" + territory_key(filiations, "phase_precedente", "id_ti_precedent"))
    problems = []
    redo = "recalculez-la avec python scripts/deriver_perimetres.py ou python build.py import."
    for line, row in found.iterrows():  # the schema holds phase and phase_precedente to consecutive phases
        want = expected.get(row["pair"])
        if want is None:
            problems.append(ctx.problem("Filiation", "territoires_filiations", line, "id_ti_precedent", row["id_ti_precedent"],
                                        f"ces deux territoires n'ont aucune commune en commun ; {redo}"))
            continue
        for column, value in want.items():
            if number_text(row[column]) != value:
                problems.append(ctx.problem("Filiation", "territoires_filiations", line, column, row[column],
                                            f"les périmètres donnent {value} ; {redo}"))
    for pair in sorted(set(expected) - set(found["pair"])):
        current, previous = pair.split(">")
        problems.append(ctx.problem("Filiation", "territoires_filiations", None, "id_ti_precedent", previous.replace("/", " "),
                                    f"{current.replace('/', ' ')} partage {expected[pair]['communes_en_commun']} communes avec ce"
                                    f" territoire, mais la ligne manque ; {redo}"))
    return problems


def expected_filiations(perimeter: pd.DataFrame, phases: list[str]) -> dict[str, dict[str, str]]:
    """« current key>previous key » → {communes_en_commun, part_territoire, part_precedent} as text."""
    rows = filiation_rows(row_dicts(perimeter, ["insee_com", "phase", "id_ti"]), phases)
    return {f"{r['phase']}/{r['id_ti']}>{r['phase_precedente']}/{r['id_ti_precedent']}":
            {k: r[k] for k in ("communes_en_commun", "part_territoire", "part_precedent")} for r in rows}


def row_dicts(table: pd.DataFrame, columns: list[str]) -> list[dict]:
    """The rows of a text table as dicts of the given columns (the form tidata.model.perimeters works on)."""
    return [dict(zip(columns, values)) for values in zip(*(table[c].tolist() for c in columns))]


def number_text(value: str) -> str:
    """The way the derivation writes numbers (« 34 », « 87.5 »), so that 87.50 and 87.5 compare equal."""
    try:
        number = float(value)
    except ValueError:
        return value
    return str(int(number)) if "." not in value else f"{number:.1f}"


def project_commune_in_perimeter(ctx: Context) -> list[Problem]:
    projects = ctx.tables["projets"]
    inside = set(joined(ctx.tables["territoires_communes"], ["phase", "id_ti", "insee_com"]))
    outside = (projects["insee_com"] != "") & ~joined(projects, ["phase", "id_ti", "insee_com"]).isin(inside)
    problems = []
    for line, row in projects[outside].iterrows():
        problems.append(ctx.problem(
            "Commune hors du territoire", "projets", line, "insee_com", row["insee_com"],
            f"cette commune n'est pas dans le périmètre du territoire {row['id_ti']} ({row['phase']}).",
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


def territory_holds_commune(ctx: Context) -> list[Problem]:
    """In a resource placed by its commune (« territoire_par_commune: true » in datapackage.yaml: turnkey sites,
    Fonds vert grants), a row's territory is the current-phase territory whose perimeter holds its commune."""
    perimeter = ctx.tables["territoires_communes"]
    latest = ctx.project.phases[-1]
    current = perimeter[perimeter["phase"] == latest]
    holder = dict(zip(current["insee_com"], current["id_ti"]))
    problems = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        if not resource.descriptor.get(PLACED_BY_COMMUNE) or table is None:
            continue
        actual = pd.Series([holder.get(code, "") for code in table["insee_com"]], index=table.index, dtype=object)
        phase = actual.where(actual == "", latest)
        for line in table.index[(table["id_ti"] != actual) | (table["phase"] != phase)]:
            row, found = table.loc[line], actual[line]
            given = row["id_ti"] if row["phase"] in ("", latest) else f"{row['id_ti']} ({row['phase']})"
            if found:
                expected = f"écrivez {found} dans id_ti et {latest} dans phase : ce territoire contient sa commune {row['insee_com']}."
            else:
                expected = f"videz id_ti et phase : sa commune « {row['insee_com']} » n'est dans aucun territoire de la phase {latest}."
            problems.append(ctx.problem("Territoire d'une ligne placée par sa commune", resource.name, line, "id_ti", given,
                                        f"le territoire est celui dont le périmètre contient la commune ; {expected}"))
    return problems


def evolution_agrees(ctx: Context) -> list[Problem]:
    """communes_evolution is exactly what the perimeters give (tidata.model.perimeters.evolution_rows)."""
    table = ctx.tables["communes_evolution"]
    resource = ctx.project.resource("communes_evolution")
    communes = {row["insee_com"]: row for row in row_dicts(ctx.tables["communes"], ["insee_com", "lib_com", "code_dep", "code_reg"])}
    perimeter = row_dicts(ctx.tables["territoires_communes"], ["insee_com", "phase", "id_ti", "lib_ti"])
    expected = {row["insee_com"]: row for row in evolution_rows(perimeter, ctx.project.phases, communes)}
    redo = "recalculez-la avec python scripts/deriver_perimetres.py ou python build.py import."
    problems, seen = [], set()
    for line, row in zip(table.index, row_dicts(table, resource.field_names)):
        seen.add(row["insee_com"])
        want = expected.get(row["insee_com"])
        if want is None:
            problems.append(ctx.problem("Évolution des communes", "communes_evolution", line, "insee_com", row["insee_com"],
                                        f"cette commune n'est dans aucun territoire des deux phases ; {redo}"))
            continue
        for column in resource.field_names:
            if row[column] != want[column]:
                problems.append(ctx.problem("Évolution des communes", "communes_evolution", line, column, row[column],
                                            f"les périmètres donnent « {want[column]} » ; {redo}"))
                break
    for insee in sorted(set(expected) - seen):
        problems.append(ctx.problem("Évolution des communes", "communes_evolution", None, "insee_com", insee,
                                    f"la commune est dans un territoire d'une des deux phases, mais sa ligne manque ; {redo}"))
    return problems


def published_totals(ctx: Context) -> list[Problem]:
    """A resource that declares the totals its publisher announced (« totaux_publies » in datapackage.yaml) has, for
    each year, exactly that many rows and that amount: a truncated or doubled import is caught."""
    problems = []
    for resource in ctx.project.tables:
        table = ctx.tables.get(resource.name)
        if table is None:
            continue
        for total in resource.descriptor.get(PUBLISHED_TOTALS, []):
            rows = table[table["annee"] == str(total["annee"])]
            amount = float(numbers(rows["montant_eur"]).sum())
            if len(rows) != total["lignes"] or abs(amount - total["montant_eur"]) > 1:
                problems.append(ctx.problem(
                    "Total publié", resource.name, None, "montant_eur", f"{len(rows)} lignes, {amount:.2f} €",
                    f"pour {total['annee']}, la source annonce {total['lignes']} lignes et {total['montant_eur']} € "
                    f"({total.get('source', DATAPACKAGE)}) : une ligne manque, est en double ou a changé de montant.",
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


RULES = [
    (foreign_keys, set()),
    (commune_in_one_territory_per_phase, {"territoires", "territoires_communes", "communes"}),
    (names_agree, {"territoires", "territoires_communes", "communes"}),
    (territory_has_communes, {"territoires", "territoires_communes"}),
    (commune_in_its_departement, {"communes"}),
    (territory_geography_agrees, {"territoires", "territoires_communes", "communes"}),
    (filiations_agree, {"territoires_filiations", "territoires_communes"}),
    (project_commune_in_perimeter, {"projets", "territoires_communes"}),
    (project_amounts_and_dates, {"projets"}),
    (territory_holds_commune, {"territoires_communes"}),
    (evolution_agrees, {"communes_evolution", "territoires_communes", "communes"}),
    (published_totals, set()),
    (envelope_shares_within_parent, {"enveloppes"}),
    (free_text_is_plain, set()),
    (no_control_characters, set()),
    (example_rows_are_declared, set()),
]


def run_rules(project: Project, tables: Tables) -> list[Problem]:
    ctx = Context(project, tables)
    problems = []
    for rule, needs in RULES:
        if needs <= set(tables):
            problems.extend(rule(ctx))
    return problems
