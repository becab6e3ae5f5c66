"""Frictionless validation of the tables, with its errors turned into French problems.

Frictionless checks types, constraints and primary keys. Its messages are English sentences and
its row-level errors (primary key, foreign key) carry no field name, so each message here is rebuilt from the
error's type, row, field and cell, and from the schema (its `example` shows the expected form).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import re
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import TypeVar

import frictionless

from ..core.formats import number
from ..core.project import Project, ResourceInfo
from ..model.load import file_bytes
from .problems import RULE_STOPPED, Problem

RULE_TYPE = "Type de valeur"
RULE_CONSTRAINT = "Contrainte du schéma"
RULE_KEY = "Identifiant en double"
RULE_REFERENCE = "Référence inconnue"
RULE_SHAPE = "Forme des lignes"
# Frictionless stops reading a file after this many errors (the report shows 20 per rule anyway): a file that
# reaches it has a systematic fault, and the report says where the check stopped rather than count on silently.
ERROR_LIMIT = 1000
T = TypeVar("T")
STOPPED = "error-limit"

TYPE_EXPECTED = {
    "integer": "un nombre entier, sans espace ni séparateur de milliers (par exemple 12500)",
    "number": "un nombre avec un point décimal, sans espace ni séparateur de milliers (par exemple 1250.5)",
    "date": "une date au format AAAA-MM-JJ (par exemple 2023-06-23)",
    "boolean": "« oui » ou « non »",
    "year": "une année sur quatre chiffres",
}
FRENCH_DATE = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")
DECIMAL_COMMA = re.compile(r"^\s*-?[\d\s\u00a0\u202f]*,\d+\s*$")
SPACES = re.compile(r"[\s\u00a0\u202f]")


def validate_tables(project: Project, resources: list[ResourceInfo], cache=None, code: bytes = b"",
                    meanwhile: Callable[[], T] = lambda: None) -> tuple[list[Problem], T]:
    """Types, constraints and primary keys of each table, two tables at a time (two worker processes), and what
    `meanwhile()` returns: it runs in this process while the workers validate (the check's own rules), so that the
    check takes about the time of the longer of the two rather than their sum.

    Foreign keys are checked by tidata.check.rules.foreign_keys on the loaded tables: frictionless re-reads every
    referenced table to build its lookups, which tripled the time of `check` on the shipped package.
    """
    contents = {r.name: file_bytes(project, r) or b"" for r in resources}
    keys = {r.name: resource_key(r, code, contents[r.name]) for r in resources}
    results = {r.name: cache.get(f"fichier-{keys[r.name]}") if cache else None for r in resources}
    todo = sorted((r for r in resources if results[r.name] is None), key=lambda r: -len(contents[r.name]))  # longest first
    jobs = [(str(project.root), frictionless_resource(r)) for r in todo]
    workers = max(1, min(2, os.cpu_count() or 1, len(jobs)))
    if workers == 1:
        fresh = [validate_one(job) for job in jobs]
        other = meanwhile()
    else:
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("fork")) as pool:
            running = pool.map(validate_one, jobs)  # every job submitted now
            other = meanwhile()
            fresh = list(running)
    for resource, errors in zip(todo, fresh):
        results[resource.name] = errors
        if cache:
            cache.put(f"fichier-{keys[resource.name]}", errors)
    problems = []
    for resource in resources:
        problems.extend(translate(error, resource) for error in results[resource.name])
    return problems, other


def resource_key(resource: ResourceInfo, code: bytes, content: bytes) -> str:
    from ..core.cache import digest

    schema = json.dumps(resource.schema, sort_keys=True).encode()
    return digest(code, resource.path.encode(), schema, content)


def validate_one(job: tuple[str, dict]) -> list[dict]:
    root, descriptor = job
    resource = frictionless.Resource.from_descriptor(descriptor, basepath=root)
    report = resource.validate(frictionless.Checklist(checks=[PlainNumbers()]), limit_errors=ERROR_LIMIT)
    errors = [error.to_descriptor() for task in report.tasks for error in task.errors]
    if any(warning.startswith("reached error limit") for task in report.tasks for warning in task.warnings):
        errors.append({"type": STOPPED, "rowNumber": max((e.get("rowNumber") or 0 for e in errors), default=None)})
    return errors


# Numbers as the schemas' examples write them. Frictionless reads a cell with Python's int() and float(), which
# accept « 12 », « 1_000 », « +12 », « NaN » or Arabic-Indic digits; the Parquet and spreadsheet exports, the
# rules and the pages do not read them so, and a package `check` accepts must build.
PLAIN = {
    "integer": re.compile(r"-?[0-9]+"),
    "year": re.compile(r"[0-9]{4}"),
    "number": re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][-+]?[0-9]+)?"),
}


class PlainNumbers(frictionless.Check):
    """A type error for a number that frictionless parsed but that is not written plainly (see PLAIN)."""

    type = "nombres-simples"
    Errors = [frictionless.errors.TypeError]

    def validate_start(self):
        self.numbers = [(i, field.name, PLAIN[field.type]) for i, field in enumerate(self.resource.schema.fields)
                        if field.type in PLAIN]
        return []

    def validate_row(self, row):
        cells = row.cells
        for i, name, form in self.numbers:
            cell = cells[i] if i < len(cells) else None
            if cell and isinstance(cell, str) and not form.fullmatch(cell) and row[name] is not None:
                yield frictionless.errors.TypeError(  # (None: empty, or already a type error of frictionless)
                    note="type is a plainly written number", cells=[str(c) for c in cells], row_number=row.row_number,
                    cell=cell, field_name=name, field_number=i + 1)


def frictionless_resource(resource: ResourceInfo) -> dict:
    schema = {key: value for key, value in resource.schema.items() if key != "foreignKeys"}
    return {"name": resource.name, "path": resource.path, "schema": schema, "format": "csv", "encoding": "utf-8-sig"}


def translate(error: dict, resource: ResourceInfo) -> Problem:
    """One frictionless error as a French problem naming file, line, column, value and what is expected."""
    kind = error["type"]
    line = error.get("rowNumber")
    column = error.get("fieldName") or None
    cell = error.get("cell")
    file = resource.path
    if kind == "type-error":
        field = resource.field(column)
        return Problem(RULE_TYPE, file, line, column, cell, expected_type(field, cell))
    if kind == "constraint-error":
        field = resource.field(column)
        return Problem(RULE_CONSTRAINT, file, line, column, cell, expected_constraint(field, error["note"]))
    if kind in ("primary-key", "unique-error"):
        key = resource.primary_key if kind == "primary-key" else [column]
        first = re.search(r"position (\d+)", error.get("note", ""))
        where = f" ligne {first.group(1)}" if first else ""
        value = key_value(error, resource, key)
        return Problem(RULE_KEY, file, line, ", ".join(key), value, f"déjà utilisé{where} : chaque ligne doit avoir le sien.")
    if kind == "missing-cell":
        return Problem(RULE_SHAPE, file, line, column, None, "valeur manquante : la ligne s'arrête avant cette colonne (ligne tronquée ?).")
    if kind == "extra-cell":
        return Problem(
            RULE_SHAPE, file, line, None, cell,
            "valeur en trop : la ligne a plus de valeurs que l'en-tête (un texte contenant une virgule doit être entre guillemets).",
        )
    if kind == "blank-row":
        return Problem(RULE_SHAPE, file, line, None, None, "ligne vide : supprimez-la.")
    if kind == STOPPED:
        return Problem(
            RULE_STOPPED, file, line or None, None, None,
            f"{number(ERROR_LIMIT)} erreurs de type, de contrainte ou de forme dans ce fichier : leur contrôle s'est "
            "arrêté à cette ligne, les lignes suivantes n'ont pas été contrôlées. Corrigez d'abord celles-ci (souvent une colonne "
            "entière mal enregistrée), puis relancez le contrôle.",
        )
    return Problem(RULE_SHAPE, file, line, column, cell, f"fichier illisible à cet endroit (contrôle « {kind} »).")


def expected_type(field: dict, cell: str | None) -> str:
    kind = field.get("type", "string")
    if kind == "boolean":
        true, false = field.get("trueValues", ["oui"]), field.get("falseValues", ["non"])
        return f"valeur attendue : « {true[0]} » ou « {false[0]} »."
    if kind == "string" and field.get("format") == "email":
        return "adresse électronique attendue (par exemple prenom.nom@exemple.fr)."
    expected = TYPE_EXPECTED.get(kind, f"une valeur de type {kind}")
    hint = ""
    if kind == "date" and cell and (match := FRENCH_DATE.match(cell)):
        day, month, year = match.groups()
        hint = f" : écrivez {year}-{int(month):02d}-{int(day):02d}"
    elif kind in ("number", "integer") and cell and DECIMAL_COMMA.match(cell):
        fixed = SPACES.sub("", cell).replace(",", ".")
        hint = f" : écrivez {fixed}"
    elif kind in ("number", "integer") and cell and re.search(r"\d[\s\u00a0\u202f]\d", cell):
        hint = f" : écrivez {SPACES.sub('', cell)}"
    elif kind in PLAIN and cell and cell != cell.strip() and PLAIN[kind].fullmatch(cell.strip()):
        hint = f" : écrivez {cell.strip()}, sans espace autour"
    return f"attendu : {expected}{hint}."


def expected_constraint(field: dict, note: str) -> str:
    match = re.search(r'constraint "(\w+)"', note)
    name = match.group(1) if match else ""
    constraints = field.get("constraints", {})
    if name == "required":
        return "valeur obligatoire manquante."
    if name == "enum":
        values = " ; ".join(f"« {v} »" for v in constraints["enum"])
        return f"valeur attendue parmi : {values}."
    if name == "pattern":
        example = field.get("example")
        shown = f" de la forme « {example} »" if example is not None else ""
        return f"format incorrect : valeur attendue{shown} (motif {constraints['pattern']})."
    if name == "minimum":
        return f"valeur attendue supérieure ou égale à {constraints['minimum']}."
    if name == "maximum":
        return f"valeur attendue inférieure ou égale à {constraints['maximum']}."
    if name == "maxLength":
        return f"texte trop long : {constraints['maxLength']} caractères au plus."
    if name == "minLength":
        return f"texte trop court : {constraints['minLength']} caractères au moins."
    return f"contrainte « {name} » du schéma non respectée."


def key_value(error: dict, resource: ResourceInfo, key: list[str]) -> str:
    cells = error.get("cells", [])
    names = resource.field_names
    values = [cells[names.index(k)] for k in key if k in names and names.index(k) < len(cells)]
    return ", ".join(str(v) for v in values)
