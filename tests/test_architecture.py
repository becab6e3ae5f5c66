"""The stages stay apart and the package stays the one source of what it declares (issue « The house by stages »).

These read the code, not its behaviour: a new import across a stage boundary, or a phase written again in a
module, fails here with the place to fix."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CODE = ROOT / "tidata"
# The stages in the order they run: a module imports only from its own stage and the ones before it. site and
# exports are parallel (neither imports the other); build and serve (the commands, at the top) import anything.
STAGES = ("core", "model", "check", "site|exports", "maintenance", "commands")


def modules() -> list[Path]:
    return sorted(path for path in CODE.rglob("*.py") if path.name != "__init__.py")


def stage_of(path: Path) -> str:
    folder = path.relative_to(CODE).parts[0]
    return "commands" if folder.endswith(".py") else folder


def rank(stage: str) -> int:
    return next(i for i, names in enumerate(STAGES) if stage in names.split("|"))


def imported(path: Path) -> set[str]:
    """The tidata modules a module imports, at its top or inside a function, as paths relative to tidata/ without
    .py (exports/downloads), from `from .x import`, `from ..stage.x import`, `from . import x` alike."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = path.relative_to(CODE).parent.parts
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = list(package[: len(package) - node.level + 1])
            parts = base + (node.module.split(".") if node.module else [])
            for alias in node.names:
                found.add("/".join(module_path(parts + [alias.name])))
    return found


def module_path(parts: list[str]) -> list[str]:
    """A dotted import as the module file it names (a name imported from a module is dropped)."""
    for end in range(len(parts), 0, -1):
        if (CODE.joinpath(*parts[:end]).with_suffix(".py")).exists() or CODE.joinpath(*parts[:end]).is_dir():
            return parts[:end]
    return parts


def test_every_module_imports_only_from_its_stage_or_an_earlier_one():
    crossings = []
    for path in modules():
        stage = stage_of(path)
        for target in imported(path):
            other = stage_of(CODE / f"{target}.py")
            if other != stage and rank(other) >= rank(stage):
                crossings.append(f"{path.relative_to(CODE)} importe {target}")
    assert crossings == []


def test_the_site_and_the_exports_are_parallel_stages():
    """Pages list the exports' files (passed to them) but never make them; the exports never read a page."""
    for path in modules():
        stage = stage_of(path)
        if stage in ("site", "exports"):
            other = {"site": "exports", "exports": "site"}[stage]
            assert not any(target.startswith(other + "/") for target in imported(path)), path.name


def test_the_tree_shows_the_stages():
    """No module left beside the stages but the two commands (build, serve)."""
    loose = sorted(path.name for path in CODE.glob("*.py") if path.name != "__init__.py")
    assert loose == ["build.py", "serve.py"]


def test_only_the_reader_parses_the_package_tables_and_outlines():
    """pyarrow's, pandas' and the csv module's readers and the GeoJSON outline reader are called in
    tidata/model/load.py alone. Two modules read CSV text that is not yet the package's: the check's preflight
    judges a file as a file (encoding, separator, header line), and the import reads the contributor's file."""
    readers = re.compile(r"pacsv\.read_csv|pd\.read_csv|from_geojson\(|json\.load\(f\)|csv\.(DictReader|reader)\(")
    judges_raw_files = {"check/preflight.py", "maintenance/import_files.py"}
    for path in modules():
        name = path.relative_to(CODE).as_posix()
        if name != "model/load.py":
            found = {match.group() for match in readers.finditer(path.read_text(encoding="utf-8"))}
            allowed = {"csv.reader("} if name in judges_raw_files else set()
            assert found <= allowed, f"{name} : {sorted(found - allowed)}"


def test_only_the_reader_opens_the_package_files():
    """A resource's file is reached through Project.path: the reader alone calls it (the check's cache keys, the
    releases' fingerprints, the change log and the outlines read through it), besides the check's preflight, which
    judges a file's raw bytes before any reader trusts them, and the import, which rewrites the package's files.
    Frictionless, in the check's validation, opens the files itself from their descriptors."""
    allowed = {"model/load.py", "check/preflight.py", "maintenance/import_files.py"}
    for path in modules():
        name = path.relative_to(CODE).as_posix()
        if name not in allowed:
            found = [line.strip() for line in code_lines(path) if re.search(r"\bproject\.path\(", line)]
            assert found == [], f"{name} : {found}"


def test_the_model_runs_no_command():
    """The model is the tables and what is computed from them: the data's date comes from the project (git runs
    in tidata/core/project.py), never while the model is built."""
    for path in sorted((CODE / "model").glob("*.py")):
        text = "\n".join(code_lines(path))
        assert not re.search(r"\bgit(_output)?\(|subprocess", text), path.name


def test_phases_are_written_once_in_the_schema_of_territoires():
    """2019-2022 and 2023-2027 as values: the code reads them from the schema (Project.phases). Docstrings and
    comments may name them."""
    for path in modules() + sorted((ROOT / "templates").glob("*.j2")):
        for line in code_lines(path):
            assert not re.search(r"[\"']20(19-2022|23-2027)[\"']", line), f"{path.name} : {line.strip()}"


def test_envelope_statuses_are_read_from_their_schema():
    for path in [CODE / "site" / "figures.py", *sorted((ROOT / "templates").glob("*.j2"))]:
        for line in code_lines(path):
            assert not re.search(r"[\"']engagé[\"']", line), f"{path.name} : {line.strip()}"


def test_the_cog_year_the_programme_period_and_the_outline_paths_are_read_from_the_package():
    for path in modules() + sorted((ROOT / "templates").glob("*.j2")):
        for line in code_lines(path):
            assert "datasets/referentiel/" not in line or "RAPPORT" in line, f"{path.name} : {line.strip()}"
            assert not re.search(r"\b2026\b|2018-11-22|2027-12-31", line), f"{path.name} : {line.strip()}"


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


def test_no_code_is_ignored_by_git():
    """A pattern of .gitignore meant for an output (site/) once matched tidata/site/ too: its new modules were never
    committed and a clean clone could not import them. Checked on the patterns, whether the files are tracked or not."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("pas de dépôt git")
    code = [path.relative_to(ROOT).as_posix() for folder in ("tidata", "tests", "bench", "scripts", "templates", "overrides")
            for path in sorted((ROOT / folder).rglob("*")) if path.is_file() and "__pycache__" not in path.parts]
    ignored = subprocess.run(["git", "check-ignore", "--no-index", "--stdin"], cwd=ROOT, input="\n".join(code),
                             capture_output=True, text=True).stdout.split()
    assert ignored == []
