"""`import`: write a file as ANCT or a partner publishes it into the package, after checking it.

A perimeter list (insee_com, lib_com, id_ti, lib_ti) replaces one phase of territoires_communes.csv and the matching
rows of territoires.csv; a sheet whose headers are a resource's fields replaces that resource's example rows and
its real rows of the same identifiers. Example rows left pointing to a row that is gone are removed.

All or nothing: every new file is computed in memory, checked in a temporary copy of the project, and only then
swapped in, one os.replace per file, datapackage.yaml last. On any error, datasets/ and datapackage.yaml are untouched.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

from ..check.package import CheckResult, check_package
from ..check.problems import Problem, format_report, plural
from ..core import escape
from ..core.errors import DataError, UsageError
from ..core.project import DATAPACKAGE, EXAMPLE_SOURCE, Project, ResourceInfo
from .import_files import (
    NOTHING_CHANGED,
    ORIGIN,
    SHOWN,
    SOURCE,
    Layout,
    ReadFile,
    Sheet,
    Tables,
    capped,
    closest_layout_error,
    duplicated_columns,
    extra_cells,
    ignored_columns,
    read_file,
    refuse,
    typed_rows,
)
from .import_perimeters import (
    GROUPINGS,
    GROUPINGS_LIST,
    PERIMETER,
    TERRITORIES,
    WRITTEN,
    cog_year_for,
    import_commune_list,
    import_grouping_list,
    perimeter_layouts,
)
from .package_writer import add_source, read_text, set_example_flag, verify_datapackage, write_files

URL = escape.WEB_ADDRESS


def import_file(project: Project, path: Path, source: str, phase: str | None = None, sheet: str | None = None,
                cog: int | None = None) -> str:
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
        if layout.name in (PERIMETER, GROUPINGS_LIST):
            phase = phase or ask_phase(project)
            import_perimeter_list(project, tables, found, layout, phase, cog_year_for(project, tables, phase, cog), source, report)
        else:
            import_resource(tables, found, project.resource(layout.name), source, report)
    cascade(project, tables, report)
    files = {r.path: tables.csv_text(r) for r in project.tables if r.name in tables.changed}
    files = {rel: text for rel, text in files.items() if text != read_text(project.root / rel)}
    imported = [layout.name for _, layout in chosen if layout.name not in (PERIMETER, GROUPINGS_LIST)]
    imported += WRITTEN if {PERIMETER, GROUPINGS_LIST} & {layout.name for _, layout in chosen} else []
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
    """Every resource with a source column (exactly its fields), then ANCT's two perimeter lists (their columns,
    extra ones allowed: tidata.maintenance.import_perimeters). The perimeter's own resources (communes, groupings) only come
    through those lists, so that the four stay consistent; territoires.csv can take a sheet of its own (a source
    that publishes governance or descriptions).

    The referential has no source column: scripts/actualiser_referentiel.py updates it.
    """
    found = [Layout(r.name, f"la ressource « {r.name} »", r.field_names, exact=True)
             for r in project.tables if SOURCE in r.field_names and (r.name == TERRITORIES or r.name not in WRITTEN)]
    return found + perimeter_layouts()


def import_perimeter_list(project: Project, tables: Tables, sheet: Sheet, layout: Layout, phase: str, year: int,
                          source: str, report: list[str]) -> None:
    """A commune or groupings list of ANCT into one phase (tidata.maintenance.import_perimeters)."""
    fields = [next(r.field(name) for r in map(project.resource, (PERIMETER, GROUPINGS)) if name in r.field_names)
              for name in layout.columns]
    rows, problems, notes = read_sheet(sheet, fields, layout.columns)
    if problems:
        raise refuse(problems, f"{sheet.label} : le périmètre ne peut pas être importé.")
    importer = import_commune_list if layout.name == PERIMETER else import_grouping_list
    importer(tables, rows, sheet.label, phase, year, source, report)
    report.extend(notes)


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
    candidates = layouts(project)
    chosen = []
    for sheet in sheets:
        layout = next((candidate for candidate in candidates if candidate.matches(sheet)), None)
        if layout:
            chosen.append((sheet, layout))
    if not chosen:
        raise closest_layout_error(read, sheets, candidates[-2:] + candidates[:-2])
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
                    touched = True
                kept.append(row)
            if touched:
                tables.set(resource.name, kept)
                changed, keys = True, {}
    if removed:
        report.append("Lignes d'exemple retirées parce qu'elles renvoyaient à une ligne disparue : "
                      + ", ".join(f"{name} ({count})" for name, count in sorted(removed.items())) + ".")
    if emptied:
        report.append(f"Références d'exemple vidées, la ligne visée ayant disparu ({len(emptied)}) : " + capped(emptied) + ".")


def dangling(tables: Tables, resource: ResourceInfo, row: dict, keys: dict) -> list[dict]:
    """The row's foreign keys that are filled in and point to no row (as tidata.check.rules.foreign_keys sees them)."""
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


def updated_datapackage(project: Project, tables: Tables, imported: list[str], url: str, file_name: str,
                        report: list[str]) -> str:
    """datapackage.yaml edited as text (comments and layout kept): example flags of the changed resources, new sources."""
    text = read_text(project.root / DATAPACKAGE)
    expected, lines = {}, []
    for resource in project.tables:
        if resource.name not in tables.changed:
            continue
        if SOURCE in resource.field_names:
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
