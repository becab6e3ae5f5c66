"""`import`: write a file as ANCT or a partner publishes it into the package, after checking it.

A perimeter list (insee_com, lib_com, id_ti, lib_ti) replaces one phase of territoires_communes.csv and the matching
rows of territoires.csv; a sheet whose headers are a resource's fields replaces that resource's example rows and
its real rows of the same identifiers. Example rows left pointing to a row that is gone are removed.

All or nothing: every new file is computed in memory, checked in a temporary copy of the project, and only then
swapped in, one os.replace per file, datapackage.yaml last. On any error, datasets/ and datapackage.yaml are untouched.
"""

from __future__ import annotations

import re
import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from .check import CheckResult, check_package
from .errors import DataError, UsageError
from .import_files import (NOTHING_CHANGED, Layout, ReadFile, Sheet, Tables, add_source, closest_layout_error,
                           duplicated_columns, extra_cells, ignored_columns, read_file, read_text, refuse,
                           set_example_flag, typed_rows, verify_datapackage, write_files)
from .problems import Problem, format_report, plural
from .project import DATAPACKAGE, EXAMPLE_SOURCE, Project, ResourceInfo

PERIMETER, TERRITORIES, COMMUNES = "territoires_communes", "territoires", "communes"
SOURCE = "source"
ORIGIN = "\x00origine"  # (file label, line) of an imported row; never written, the CSV writer ignores extra keys
URL = re.compile(r"https?://\S+")
SHOWN = 10
# An example territory whose predecessor is gone is no longer a renewal (rules.renewal_links).
RENEWAL = {TERRITORIES: ("type_labellisation", "nouveau")}


def import_file(project: Project, path: Path, source: str, phase: str | None = None, sheet: str | None = None) -> str:
    """Import the file into the project and return the French report; raise a TIError and write nothing on failure."""
    if not URL.fullmatch(source or ""):
        raise UsageError(f"--source : « {source} » n'est pas une adresse http(s) ; donnez l'adresse publique du fichier importé.")
    read = read_file(path)
    chosen = choose_sheets(project, read, sheet)
    tables = Tables(project)
    report = [f"Fichier lu : {path.name} ({read.describe()})."]
    if ignored := [f"« {s.name} »" for s in read.sheets if s.name is not None and s not in [found for found, _ in chosen]]:
        report.append("Feuilles ignorées (aucune ressource n'a ces colonnes) : " + ", ".join(ignored) + ".")
    for found, layout in chosen:
        if layout.name == PERIMETER:
            phase = phase or ask_phase(project)
            import_perimeter(project, tables, found, phase, source, report)
        else:
            import_resource(tables, found, project.resource(layout.name), source, report)
    cascade(project, tables, report)
    files = {r.path: tables.csv_text(r) for r in project.tables if r.name in tables.changed}
    files = {rel: text for rel, text in files.items() if text != read_text(project.root / rel)}
    imported = [layout.name for _, layout in chosen]
    imported += [TERRITORIES] if PERIMETER in imported else []
    datapackage = updated_datapackage(project, tables, imported, source, path.name, report)
    if datapackage != read_text(project.root / DATAPACKAGE):
        files[DATAPACKAGE] = datapackage
    result = check_in_copy(project, files, tables)
    write_files(project.root, files)
    warned = f" ; {plural(len(result.warnings), 'avertissement')} (non bloquants)" if result.warnings else ""
    report.append(f"Contrôle du paquet importé : aucune erreur{warned}.")
    report.extend(f"  - {p.describe()}" for p in result.warnings[:SHOWN])
    report.append("Fichiers écrits : " + (", ".join(files) if files else "aucun, le paquet contenait déjà ces données") + ".")
    report.append("Relisez les changements avant de les commiter : python build.py diff HEAD")
    return "\n".join(report)


def ask_phase(project: Project) -> str:
    """The phase of a perimeter file, asked in a terminal; without one, the command must say it."""
    phases = project.resource(TERRITORIES).field("phase")["constraints"]["enum"]
    options = " ou ".join(f"--phase {p}" for p in phases)
    if sys.stdin is None or not sys.stdin.isatty():
        raise UsageError(f"Un fichier de périmètre vaut pour une phase : précisez-la avec {options}.")
    try:
        answer = input(f"Phase de ce périmètre ({' ou '.join(phases)}) : ").strip()
    except EOFError:
        answer = ""
    if answer not in phases:
        raise UsageError(f"Phase « {answer} » inconnue : relancez avec {options}.")
    return answer


def layouts(project: Project) -> list[Layout]:
    """The perimeter first (its columns, extra ones allowed), then every resource with a source column (exactly its fields).

    The referential has no source column: scripts/actualiser_referentiel.py updates it.
    """
    perimeter = project.resource(PERIMETER)
    found = [Layout(PERIMETER, "le périmètre des territoires (disposition des fichiers de l'ANCT)",
                    [name for name in perimeter.field_names if name != SOURCE], exact=False)]
    for resource in project.tables:
        if SOURCE in resource.field_names and resource.name != PERIMETER:
            found.append(Layout(resource.name, f"la ressource « {resource.name} »", resource.field_names, exact=True))
    return found


def choose_sheets(project: Project, read: ReadFile, sheet_name: str | None) -> list[tuple[Sheet, Layout]]:
    """Every sheet that is a resource's table or a perimeter list; at most one per resource."""
    sheets = read.sheets
    if sheet_name is not None:
        if read.format != "XLSX":
            raise UsageError("--feuille ne s'emploie qu'avec un classeur XLSX.")
        sheets = [s for s in read.sheets if s.name == sheet_name]
        if not sheets:
            names = ", ".join(f"« {s.name} »" for s in read.sheets)
            raise UsageError(f"{read.path.name} : pas de feuille « {sheet_name} » ; feuilles du classeur : {names}.")
    perimeter, *resources = layouts(project)
    chosen = []
    for sheet in sheets:
        layout = next((candidate for candidate in resources if candidate.matches(sheet)), None)
        layout = layout or (perimeter if perimeter.matches(sheet) else None)
        if layout:
            chosen.append((sheet, layout))
    if not chosen:
        raise closest_layout_error(read, sheets, [perimeter, *resources])
    names = [layout.name for _, layout in chosen]
    for name in sorted(set(names)):
        if names.count(name) > 1:
            twice = ", ".join(f"« {sheet.name} »" for sheet, layout in chosen if layout.name == name)
            raise UsageError(f"{read.path.name} : plusieurs feuilles ({twice}) vont dans « {name} » ; choisissez-en une avec --feuille.")
    return chosen


def read_sheet(sheet: Sheet, fields: list[dict], required: list[str]) -> tuple[list[dict], list[Problem], list[str]]:
    """The sheet's rows for these fields, each with its origin; the problems found; notes for the report."""
    wanted = [f["name"] for f in fields]
    problems = duplicated_columns(sheet, wanted) + extra_cells(sheet)
    padded: dict[str, int] = {}
    rows = []
    for line, row in typed_rows(sheet, fields, padded):
        problems += [Problem("", sheet.label, line, name, None, "valeur obligatoire manquante.") for name in required if not row[name]]
        rows.append({**row, ORIGIN: (sheet.label, line)})
    if not rows:
        problems.append(Problem("", sheet.label, None, None, None, "aucune ligne de données sous l'en-tête."))
    notes = []
    if ignored := ignored_columns(sheet, wanted):
        notes.append("Colonnes ignorées : " + ", ".join(ignored) + ".")
    for name, count in padded.items():
        notes.append(f"Zéro initial rétabli (perdu par le tableur) : {plural(count, 'code')} de la colonne {name}.")
    return rows, problems, notes


def import_perimeter(project: Project, tables: Tables, sheet: Sheet, phase: str, source: str, report: list[str]) -> None:
    columns = [f for f in project.resource(PERIMETER).fields if f["name"] != SOURCE]
    rows, problems, notes = read_sheet(sheet, columns, [f["name"] for f in columns])
    communes = {c["insee_com"]: c for c in tables[COMMUNES]}
    phase_of = {t["id_ti"]: t["phase"] for t in tables[TERRITORIES]}
    names: dict[str, tuple[str, int]] = {}  # id_ti → (lib_ti, first line)
    renamed = []
    for row in rows:
        line, identifier, name = row[ORIGIN][1], row["id_ti"], row["lib_ti"]
        if identifier in names and names[identifier][0] != name:
            problems.append(Problem("", sheet.label, line, "lib_ti", name,
                                    f"le territoire {identifier} s'appelle « {names[identifier][0]} » ligne {names[identifier][1]} ;"
                                    " un territoire n'a qu'un nom."))
        elif identifier not in names and phase_of.get(identifier, phase) != phase:
            problems.append(Problem("", sheet.label, line, "id_ti", identifier,
                                    f"ce territoire est de la phase {phase_of[identifier]} dans territoires.csv, pas {phase} ;"
                                    " un identifiant ne vaut que pour une phase."))
        names.setdefault(identifier, (name, line))
        commune = communes.get(row["insee_com"])
        if commune is None and row["insee_com"]:
            problems.append(Problem("", sheet.label, line, "insee_com", row["insee_com"],
                                    f"commune inconnue du référentiel géographique ({cog_year(project)}) : si elle a fusionné"
                                    " avec d'autres depuis, écrivez le code de la commune nouvelle."))
        elif commune and commune["lib_com"] != row["lib_com"]:
            renamed.append(f"ligne {line} : « {row['lib_com']} » → « {commune['lib_com']} »")
            row["lib_com"] = commune["lib_com"]
    if problems:
        raise refuse(problems, f"{sheet.label} : le périmètre ne peut pas être importé.")
    report.append(f"Périmètre de la phase {phase} lu dans {sheet.label} : {plural(len(rows), 'commune')},"
                  f" {plural(len(names), 'territoire')}.")
    report.extend(notes)
    kept_rows = [r for r in tables[PERIMETER] if phase_of.get(r["id_ti"]) != phase]
    new_rows = [{**r, "lib_ti": names[r["id_ti"]][0], SOURCE: source} for r in rows]
    tables.set(PERIMETER, sorted(kept_rows + new_rows, key=lambda r: (r["id_ti"], r["insee_com"])))
    tables.set(TERRITORIES, updated_territories(tables, communes, new_rows, phase, source, report))
    if renamed:
        report.append(f"Noms de commune écrits comme le référentiel ({len(renamed)}) : " + capped(renamed) + ".")


def updated_territories(tables: Tables, communes: dict, new_rows: list[dict], phase: str, source: str,
                        report: list[str]) -> list[dict]:
    """territoires.csv for the file's territories of this phase: kept ones keep their other columns, new ones are added."""
    first, members = {}, {}
    for row in new_rows:
        first.setdefault(row["id_ti"], row)
        members.setdefault(row["id_ti"], []).append(communes[row["insee_com"]])
    codes = {identifier: {"codes_reg": " ".join(sorted({c["code_reg"] for c in found})),
                          "codes_dep": " ".join(sorted({c["code_dep"] for c in found}))}
             for identifier, found in members.items()}
    result, kept, removed, renamed, examples = [], [], [], 0, 0
    for row in tables[TERRITORIES]:
        identifier = row["id_ti"]
        if row["phase"] != phase:
            result.append(row)
        elif identifier in first:
            renamed += row["lib_ti"] != first[identifier]["lib_ti"]
            examples += row[SOURCE] == EXAMPLE_SOURCE
            result.append({**row, "lib_ti": first[identifier]["lib_ti"], **codes[identifier], ORIGIN: first[identifier][ORIGIN]})
            kept.append(identifier)
        else:
            removed.append(f"{identifier} ({row['lib_ti']})")
    added = sorted(identifier for identifier in first if identifier not in kept)
    fields = tables.project.resource(TERRITORIES).field_names
    new = [{**dict.fromkeys(fields, ""), "id_ti": i, "lib_ti": first[i]["lib_ti"], "phase": phase, **codes[i],
            "type_labellisation": "nouveau", SOURCE: source, ORIGIN: first[i][ORIGIN]} for i in added]
    after = max((i for i, row in enumerate(result) if row["phase"] == phase), default=len(result) - 1) + 1
    result[after:after] = new
    named = [f"{i} ({first[i]['lib_ti']})" for i in added]
    report.append(f"Territoires ajoutés ({len(added)}, type « nouveau ») : " + capped(named) + ".")
    named = [f"{i} ({first[i]['lib_ti']})" for i in kept]
    report.append(f"Territoires conservés ({len(kept)}, description, binôme et priorités gardés, "
                  f"nom mis à jour pour {renamed}) : " + capped(named) + ".")
    if examples:
        report.append(f"  dont {examples} d'exemple : leur ligne de territoires.csv garde la source « exemple ».")
    report.append(f"Territoires retirés ({len(removed)}) : " + capped(removed) + ".")
    return result


def import_resource(tables: Tables, sheet: Sheet, resource: ResourceInfo, source: str, report: list[str]) -> None:
    """Example rows all go; the sheet's rows replace the real rows of the same key, other real rows stay."""
    required = [f["name"] for f in resource.fields if f.get("constraints", {}).get("required") and f["name"] != SOURCE]
    rows, problems, notes = read_sheet(sheet, resource.fields, required)
    key = resource.primary_key
    filled = 0
    incoming: dict[tuple, dict] = {}
    for row in rows:
        if not row[SOURCE]:
            row[SOURCE], filled = source, filled + 1
        identifier = tuple(row[k] for k in key)
        if identifier in incoming:
            problems.append(Problem("", sheet.label, row[ORIGIN][1], ", ".join(key), ", ".join(identifier),
                                    f"déjà ligne {incoming[identifier][ORIGIN][1]} : chaque ligne doit avoir le sien."))
        incoming[identifier] = row
    if problems:
        raise refuse(problems, f"{sheet.label} : la ressource « {resource.name} » ne peut pas être importée.")
    result, examples, replaced = [], 0, 0
    for row in tables[resource.name]:
        identifier = tuple(row[k] for k in key)
        if row[SOURCE] == EXAMPLE_SOURCE:
            examples += 1
        elif identifier in incoming:
            result.append(incoming.pop(identifier))
            replaced += 1
        else:
            result.append(row)
    result.extend(incoming.values())
    tables.set(resource.name, result)
    report.append(f"{sheet.label} → {resource.name} : {plural(len(rows), 'ligne importée', 'lignes importées')}, dont {replaced}"
                  f" à la place d'une ligne réelle de même identifiant ; lignes d'exemple retirées : {examples} ;"
                  f" autres lignes réelles gardées : {len(result) - len(rows)}.")
    report.extend(notes)
    if filled:
        report.append(f"Source vide remplacée par {source} : {plural(filled, 'ligne')}.")


def cascade(project: Project, tables: Tables, report: list[str]) -> None:
    """Remove example rows whose foreign keys point to a row that is gone, until none does; a real row is never touched.

    An optional reference to the same table (a territory's predecessor, a share's national envelope) is emptied
    instead, and the row stays.
    """
    removed: dict[str, int] = {}
    emptied: list[str] = []
    candidates = [r for r in project.tables if SOURCE in r.field_names and r.foreign_keys]
    changed = True
    while changed:
        changed, keys = False, {}
        for resource in candidates:
            kept, touched = [], False
            for row in tables[resource.name]:
                broken = dangling(tables, resource, row, keys) if row[SOURCE] == EXAMPLE_SOURCE else []
                if any(fk["resource"] != resource.name or any(is_required(resource, f) for f in fk["fields"]) for fk in broken):
                    removed[resource.name] = removed.get(resource.name, 0) + 1
                    touched = True
                    continue
                for fk in broken:
                    emptied.append(f"{resource.name} {' / '.join(row[k] for k in resource.primary_key)}"
                                   f" ({', '.join(fk['fields'])} : {' / '.join(row[f] for f in fk['fields'])})")
                    row.update(dict.fromkeys(fk["fields"], ""))
                    if resource.name in RENEWAL:
                        column, value = RENEWAL[resource.name]
                        row[column] = value
                    touched = True
                kept.append(row)
            if touched:
                tables.set(resource.name, kept)
                changed, keys = True, {}
    if removed:
        report.append("Lignes d'exemple retirées parce qu'elles renvoyaient à une ligne disparue : "
                      + ", ".join(f"{name} ({count})" for name, count in sorted(removed.items())) + ".")
    if emptied:
        report.append(f"Références d'exemple vidées, la ligne visée ayant disparu ({len(emptied)}) : " + capped(emptied)
                      + (" ; ces territoires deviennent « nouveau »." if any(e.startswith(TERRITORIES + " ") for e in emptied) else "."))


def dangling(tables: Tables, resource: ResourceInfo, row: dict, keys: dict) -> list[dict]:
    """The row's foreign keys that are filled in and point to no row (as tidata.rules.foreign_keys sees them)."""
    broken = []
    for fk in resource.foreign_keys:
        values = tuple(row[f] for f in fk["fields"])
        target = (fk["resource"], tuple(fk["ref_fields"]))
        if target not in keys:
            keys[target] = {tuple(r[f] for f in fk["ref_fields"]) for r in tables[fk["resource"]]}
        if all(values) and values not in keys[target]:
            broken.append(fk)
    return broken


def is_required(resource: ResourceInfo, name: str) -> bool:
    return bool(resource.field(name).get("constraints", {}).get("required"))


def capped(items: list[str], cap: int = SHOWN) -> str:
    if not items:
        return "aucun"
    shown = ", ".join(items[:cap])
    return shown + (f" … et {len(items) - cap} autres" if len(items) > cap else "")


def cog_year(project: Project) -> str:
    titles = " ".join(str(s.get("title", "")) for s in project.resource(COMMUNES).descriptor.get("sources", []))
    found = re.search(r"COG (\d{4})", titles)
    return f"COG {found.group(1)}" if found else "code officiel géographique"


def updated_datapackage(project: Project, tables: Tables, imported: list[str], url: str, file_name: str,
                        report: list[str]) -> str:
    """datapackage.yaml edited as text (comments and layout kept): example flags of the changed resources, new sources."""
    text = read_text(project.root / DATAPACKAGE)
    expected, lines = {}, []
    for resource in project.tables:
        if resource.name not in tables.changed or SOURCE not in resource.field_names:
            continue
        left = sum(row[SOURCE] == EXAMPLE_SOURCE for row in tables[resource.name])
        expected[resource.name] = bool(left)
        text = set_example_flag(text, resource.name, bool(left))
        if left:
            lines.append(f"  - {resource.name} : il reste {plural(left, 'ligne')} d'exemple, le drapeau reste à true.")
        else:
            lines.append(f"  - {resource.name} : plus aucune ligne d'exemple, le drapeau "
                         + ("passe à false." if resource.is_example else "reste à false."))
        if resource.name in imported and url not in [s.get("path") for s in resource.descriptor.get("sources", [])]:
            text = add_source(text, resource.name, f"Fichier importé : {file_name}", url)
    report.extend(["Drapeau « exemple » des ressources modifiées (datapackage.yaml) :", *lines] if lines else [])
    verify_datapackage(project, text, expected, {name: url for name in imported})
    return text


def check_in_copy(project: Project, files: dict[str, str], tables: Tables) -> CheckResult:
    """Check the package as the import would leave it, in a temporary copy; refuse with the report if it fails."""
    with tempfile.TemporaryDirectory(prefix="ti-import-") as folder:
        root = Path(folder)
        needed = {DATAPACKAGE} | {r.path for r in project.resources} | {r.schema_path for r in project.resources if r.schema_path}
        for rel in sorted(needed):
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            if rel in files:
                target.write_bytes(files[rel].encode("utf-8"))
            elif (project.root / rel).exists():
                shutil.copyfile(project.root / rel, target)
        result = check_package(Project(root), use_cache=False)
    if not result.ok:
        rows = {r.path: tables.rows[r.name] for r in project.tables if r.name in tables.changed}
        problems = [with_origin(p, rows.get(p.file)) for p in result.problems]
        raise DataError(f"{NOTHING_CHANGED}\nLe paquet tel que l'import l'écrirait ne passe pas le contrôle"
                        " (les lignes sont celles des fichiers qu'il écrirait) :\n\n" + format_report(problems))
    return result


def with_origin(problem: Problem, rows: list[dict] | None) -> Problem:
    if not rows or not problem.line or not 2 <= problem.line < len(rows) + 2 or ORIGIN not in rows[problem.line - 2]:
        return problem
    label, line = rows[problem.line - 2][ORIGIN]
    return replace(problem, expected=f"{problem.expected} (ligne importée de {label}, ligne {line})")
