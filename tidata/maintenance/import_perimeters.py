"""Importing ANCT's perimeter lists into one phase: a commune list (liste-ti-com: insee_com, lib_com, id_ti, lib_ti)
or a groupings list (liste-ti-grpt: id_ti, lib_ti, siren_groupement), in the codes of their COG year.

Both end the same way as scripts/deriver_perimetres.py: each commune is carried forward to the referential's COG
(tidata.model.cog; every moved code is reported), the phase's rows of territoires_communes, territoires and
territoires_groupements are replaced (a commune list's groupings are inferred with the composition of its year,
as ANCT lists them), and territoires_filiations is computed again from the new perimeters.
"""

from __future__ import annotations

from ..check.problems import Problem, plural
from ..core.errors import UsageError
from ..core.project import EXAMPLE_SOURCE, Project
from ..model.cog import FOLDER, CarryForward, CogYear
from ..model.perimeters import evolution_rows, filiation_rows, geography, infer_groupings
from .import_files import ORIGIN, SOURCE, Layout, Tables, capped, refuse

PERIMETER, TERRITORIES, COMMUNES = "territoires_communes", "territoires", "communes"
GROUPINGS, FILIATIONS, EVOLUTION = "territoires_groupements", "territoires_filiations", "communes_evolution"
PLACED_BY_COMMUNE = "territoire_par_commune"  # datapackage.yaml: rows whose territory is the one holding their commune
GROUPINGS_LIST = "liste_groupements"  # a layout, not a resource: ANCT's groupings file, expanded into communes
COMMUNE_LIST_COLUMNS = ["insee_com", "lib_com", "id_ti", "lib_ti"]
GROUPINGS_LIST_COLUMNS = ["id_ti", "lib_ti", "siren_groupement"]
WRITTEN = [PERIMETER, TERRITORIES, GROUPINGS, FILIATIONS, EVOLUTION]  # what a perimeter import rewrites (with the
# territory of the rows placed by their commune)


def perimeter_layouts() -> list[Layout]:
    return [
        Layout(PERIMETER, "une liste de communes de l'ANCT (insee_com, lib_com, id_ti, lib_ti)", COMMUNE_LIST_COLUMNS, exact=False),
        Layout(GROUPINGS_LIST, "une liste de groupements de l'ANCT (id_ti, lib_ti, siren_groupement)", GROUPINGS_LIST_COLUMNS,
               exact=False),
    ]


def cog_year_for(project: Project, tables: Tables, phase: str, given: int | None) -> int:
    """The COG year of the file's codes: --cog, or the year of the phase's groupings already in the package."""
    available = sorted(int(p.stem.rsplit("_", 1)[1]) for p in (project.root / FOLDER).glob("groupements_*.csv"))
    known = sorted({int(r["annee_cog"]) for r in tables[GROUPINGS] if r["phase"] == phase and r["annee_cog"]})
    year = given or (known[0] if known else None)
    if year is None:
        raise UsageError(f"Année du code officiel géographique du fichier inconnue pour la phase {phase} : précisez-la avec "
                         f"--cog ({' ou '.join(map(str, available))}).")
    if year not in available:
        raise UsageError(f"--cog {year} : pas d'extrait du COG {year} dans {FOLDER} (années disponibles : "
                         f"{', '.join(map(str, available)) or 'aucune'}). Ajoutez-le avec python scripts/deriver_perimetres.py --extraire-cog.")
    return year


def import_commune_list(tables: Tables, rows: list[dict], label: str, phase: str, year: int, source: str,
                        report: list[str]) -> None:
    """`rows` are the sheet's rows (insee_com, lib_com, id_ti, lib_ti, each with its ORIGIN)."""
    problems = territory_names(rows, tables, phase, label)
    members: dict[str, set[str]] = {}
    for row in rows:
        members.setdefault(row["id_ti"], set()).add(row["insee_com"])
    names = {row["id_ti"]: row["lib_ti"] for row in reversed(rows)}
    origins = {(row["id_ti"], row["insee_com"]): row[ORIGIN] for row in rows}
    communes = {c["insee_com"]: c["lib_com"] for c in tables[COMMUNES]}
    renamed = [f"ligne {row[ORIGIN][1]} : « {row['lib_com']} » → « {communes[row['insee_com']]} »"
               for row in rows if row["insee_com"] in communes and row["lib_com"] != communes[row["insee_com"]]]
    report.append(f"Liste de communes de la phase {phase} (COG {year}) lue dans {label} : {plural(len(rows), 'commune')},"
                  f" {plural(len(members), 'territoire')}.")
    cog = CogYear(tables.project.root, year)
    replace_phase(tables, phase, cog, names, members, infer_groupings(members, cog), origins, source, report, problems, label)
    if renamed:
        report.append(f"Noms de commune écrits comme le référentiel ({len(renamed)}) : " + capped(renamed) + ".")


def import_grouping_list(tables: Tables, rows: list[dict], label: str, phase: str, year: int, source: str,
                         report: list[str]) -> None:
    """`rows` are the sheet's rows (id_ti, lib_ti, siren_groupement): each grouping is expanded with its year's composition."""
    problems = territory_names(rows, tables, phase, label)
    cog = CogYear(tables.project.root, year)
    members: dict[str, set[str]] = {}
    sirens: dict[str, list[str]] = {}
    origins = {}
    owner: dict[str, tuple[str, int]] = {}
    for row in rows:
        line, siren = row[ORIGIN][1], row["siren_groupement"]
        grouping = cog.groupings.get(siren)
        if grouping is None:
            problems.append(Problem("", label, line, "siren_groupement", siren,
                                    f"ni EPCI, ni EPT, ni commune du COG {year} : vérifiez le SIREN ou l'année (--cog)."))
            continue
        if siren in owner:
            problems.append(Problem("", label, line, "siren_groupement", siren,
                                    f"déjà ligne {owner[siren][1]} ({owner[siren][0]}) : un groupement est dans un seul territoire."))
            continue
        owner[siren] = (row["id_ti"], line)
        sirens.setdefault(row["id_ti"], []).append(siren)
        for code in grouping.communes:
            members.setdefault(row["id_ti"], set()).add(code)
            origins[(row["id_ti"], code)] = row[ORIGIN]
    names = {row["id_ti"]: row["lib_ti"] for row in reversed(rows)}
    report.append(f"Liste de groupements de la phase {phase} (COG {year}) lue dans {label} : {plural(len(rows), 'groupement')},"
                  f" {plural(len(names), 'territoire')}, {plural(sum(len(m) for m in members.values()), 'commune')} du COG {year}.")
    replace_phase(tables, phase, cog, names, members, sirens, origins, source, report, problems, label)


def territory_names(rows: list[dict], tables: Tables, phase: str, label: str) -> list[Problem]:
    """A territory has one name in the file."""
    problems, names = [], {}
    for row in rows:
        line, identifier, name = row[ORIGIN][1], row["id_ti"], row["lib_ti"]
        if identifier in names and names[identifier][0] != name:
            problems.append(Problem("", label, line, "lib_ti", name,
                                    f"le territoire {identifier} s'appelle « {names[identifier][0]} » ligne {names[identifier][1]} ;"
                                    " un territoire n'a qu'un nom."))
        names.setdefault(identifier, (name, line))
    return problems


def replace_phase(tables: Tables, phase: str, cog: CogYear, names: dict[str, str], members: dict[str, set[str]],
                  sirens: dict[str, list[str]], origins: dict, source: str, report: list[str], problems: list[Problem],
                  label: str) -> None:
    """Carry the phase's communes forward to the referential's COG, then rewrite the four perimeter resources."""
    communes = {c["insee_com"]: c for c in tables[COMMUNES]}
    carry = CarryForward(tables.project.root, set(communes))
    now: dict[str, str] = {}  # COG 2026 code → id_ti
    moved = []
    for id_ti in sorted(members):
        for code in sorted(members[id_ti]):
            _, line = origins[(id_ti, code)]
            found = carry.codes(code, cog.year)
            if not found:
                problems.append(Problem("", label, line, "insee_com", code,
                                        f"commune inconnue du COG {cog.year} et du référentiel : vérifiez le code ou l'année (--cog)."))
            for insee, move in found:
                if now.setdefault(insee, id_ti) != id_ti:
                    problems.append(Problem("", label, line, "insee_com", code,
                                            f"la commune {insee} (COG actuel) serait dans {now[insee]} et dans {id_ti}."))
                if move:
                    moved.append(f"ligne {line} : {code} → {insee} {communes[insee]['lib_com']} ({move.reason})")
    if problems:
        raise refuse(problems, f"{label} : le périmètre ne peut pas être importé.")
    if moved:
        report.append(f"Codes portés au code officiel géographique du référentiel ({len(moved)}) : " + capped(moved) + ".")
    new_rows = [{"insee_com": insee, "lib_com": communes[insee]["lib_com"], "id_ti": id_ti, "lib_ti": names[id_ti],
                 "phase": phase, SOURCE: source} for insee, id_ti in now.items()]
    kept = [r for r in tables[PERIMETER] if r["phase"] != phase]
    perimeter = sorted(kept + new_rows, key=lambda r: (r["phase"], r["id_ti"], r["insee_com"]))
    tables.set(PERIMETER, perimeter)
    members_now = {id_ti: {insee for insee, owner in now.items() if owner == id_ti} for id_ti in names}
    tables.set(TERRITORIES, updated_territories(tables, communes, names, members_now, phase, source, report))
    tables.set(GROUPINGS, updated_groupings(tables, cog, sirens, phase, source))
    phases = tables.project.resource(TERRITORIES).field("phase")["constraints"]["enum"]
    tables.set(FILIATIONS, filiation_rows(perimeter, phases))
    tables.set(EVOLUTION, evolution_rows(perimeter, phases, communes))
    if phase == phases[-1]:
        for resource in tables.project.tables:
            if resource.descriptor.get(PLACED_BY_COMMUNE):
                tables.set(resource.name, placed_in_territories(tables, resource, now, phase, report))


def placed_in_territories(tables: Tables, resource, territory_of: dict[str, str], phase: str, report: list[str]) -> list[dict]:
    """The territory of a row placed by its commune (a turnkey site, a Fonds vert grant) is the current-phase
    territory whose perimeter holds that commune: computed again, each change reported."""
    rows, moved = [], []
    key = resource.primary_key
    for row in tables[resource.name]:
        id_ti = territory_of.get(row["insee_com"], "")
        updated = {**row, "id_ti": id_ti, "phase": phase if id_ti else ""}
        if (updated["id_ti"], updated["phase"]) != (row["id_ti"], row["phase"]):
            moved.append(f"{' / '.join(row[k] for k in key)} : {row['id_ti'] or 'aucun'} → {id_ti or 'aucun'}")
        rows.append(updated)
    if moved:
        report.append(f"Territoire des lignes de {resource.name}, d'après leur commune ({len(moved)}) : " + capped(moved) + ".")
    return rows


def updated_territories(tables: Tables, communes: dict, names: dict[str, str], members: dict[str, set[str]], phase: str,
                        source: str, report: list[str]) -> list[dict]:
    """territoires.csv for the file's territories of this phase: kept ones keep their other columns, new ones are added."""
    result, kept, removed, renamed, examples = [], [], [], 0, 0
    for row in tables[TERRITORIES]:
        identifier = row["id_ti"]
        if row["phase"] != phase:
            result.append(row)
        elif identifier in names:
            renamed += row["lib_ti"] != names[identifier]
            examples += row[SOURCE] == EXAMPLE_SOURCE
            result.append({**row, "lib_ti": names[identifier], **geography(members[identifier], communes)})
            kept.append(identifier)
        else:
            removed.append(f"{identifier} ({row['lib_ti']})")
    added = sorted(identifier for identifier in names if identifier not in kept)
    fields = tables.project.resource(TERRITORIES).field_names
    result += [{**dict.fromkeys(fields, ""), "id_ti": i, "lib_ti": names[i], "phase": phase, **geography(members[i], communes),
                SOURCE: source} for i in added]
    result.sort(key=lambda r: (r["phase"], r["id_ti"]))
    report.append(f"Territoires ajoutés ({len(added)}) : " + capped([f"{i} ({names[i]})" for i in added]) + ".")
    report.append(f"Territoires conservés ({len(kept)}, gouvernance, priorités et description gardées, "
                  f"nom mis à jour pour {renamed}) : " + capped([f"{i} ({names[i]})" for i in kept]) + ".")
    if examples:
        report.append(f"  dont {examples} d'exemple : leur ligne de territoires.csv garde la source « exemple ».")
    report.append(f"Territoires retirés ({len(removed)}) : " + capped(removed) + ".")
    return result


def updated_groupings(tables: Tables, cog: CogYear, sirens: dict[str, list[str]], phase: str, source: str) -> list[dict]:
    rows = [r for r in tables[GROUPINGS] if r["phase"] != phase]
    for id_ti, listed in sirens.items():
        for siren in listed:
            grouping = cog.groupings[siren]
            rows.append({"id_ti": id_ti, "phase": phase, "siren_groupement": siren, "lib_groupement": grouping.name,
                         "nature_groupement": grouping.nature, "nb_communes": str(len(grouping.communes)),
                         "annee_cog": str(cog.year), SOURCE: source})
    return sorted(rows, key=lambda r: (r["phase"], r["id_ti"], r["siren_groupement"]))
