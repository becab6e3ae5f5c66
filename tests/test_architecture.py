"""The stages stay apart and the package stays the one source of what it declares (issue « The house by stages »).

These read the code, not its behaviour: a new import across a stage boundary, or a phase written again in a
module, fails here with the place to fix."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "tidata"
EXPORTS = {"exports", "downloads", "catalogue", "api", "releases", "spreadsheet"}


def imported_modules(module: str) -> set[str]:
    """The tidata modules a module imports, at its top or inside a function."""
    tree = ast.parse((CODE / f"{module}.py").read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                found.add(node.module.split(".")[0])
            else:
                found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tidata."):
            found.add(node.module.split(".")[1])
    return found


def test_pages_show_the_exports_without_making_them():
    assert imported_modules("pages") & EXPORTS == set()


def test_figures_draw_from_the_model_only():
    assert imported_modules("figures") & EXPORTS == set()


def test_the_model_depends_on_no_later_stage():
    later = EXPORTS | {"pages", "figures", "maps", "charts", "finder", "site", "preview", "check", "rules"}
    for module in ("load", "views", "project"):
        assert imported_modules(module) & later == set(), module


def test_only_the_reader_parses_the_package_tables_and_outlines():
    """pyarrow's and pandas' CSV readers and the GeoJSON outline reader are called in tidata/load.py alone."""
    readers = re.compile(r"pacsv\.read_csv|pd\.read_csv|from_geojson\(|json\.load\(f\)")
    for path in sorted(CODE.glob("*.py")):
        if path.name != "load.py":
            assert not readers.search(path.read_text(encoding="utf-8")), path.name


def test_phases_are_written_once_in_the_schema_of_territoires():
    """2019-2022 and 2023-2027 as values: the code reads them from the schema (Project.phases). Docstrings and
    comments may name them."""
    for path in sorted(CODE.glob("*.py")) + sorted((ROOT / "templates").glob("*.j2")):
        for line in code_lines(path):
            assert not re.search(r"[\"']20(19-2022|23-2027)[\"']", line), f"{path.name} : {line.strip()}"


def test_envelope_statuses_are_read_from_their_schema():
    for path in [CODE / "figures.py", *sorted((ROOT / "templates").glob("*.j2"))]:
        for line in code_lines(path):
            assert not re.search(r"[\"']engagé[\"']", line), f"{path.name} : {line.strip()}"


def test_the_cog_year_and_the_outline_paths_are_read_from_the_package():
    for path in sorted(CODE.glob("*.py")) + sorted((ROOT / "templates").glob("*.j2")):
        for line in code_lines(path):
            assert "datasets/referentiel/" not in line or "REFERENTIAL_FOLDER" in line or "RAPPORT" in line, f"{path.name} : {line.strip()}"
            assert not re.search(r"\b2026\b", line), f"{path.name} : {line.strip()}"


def code_lines(path: Path) -> list[str]:
    """The lines of a module or template that are code: docstrings, comments and Jinja comments left out."""
    text = path.read_text(encoding="utf-8")
    if path.suffix == ".py":
        tree = ast.parse(text)
        docstrings = set()
        for node in ast.walk(tree):
            body = getattr(node, "body", None)
            if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                docstrings.update(range(body[0].lineno, body[0].end_lineno + 1))
        return [line.split("#")[0] for number, line in enumerate(text.splitlines(), start=1) if number not in docstrings]
    return [line for line in re.sub(r"\{#.*?#\}", "", text, flags=re.S).splitlines()]
