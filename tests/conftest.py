"""Shared test helpers: a copy of the project on a small real package, and ways to edit its CSV files."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

import build
from tidata.core.project import SOURCES, copy_sources

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "petit"


def copy_project(root: Path, datasets: Path = FIXTURE / "datasets") -> Path:
    """A copy of the project at `root` with the given datasets/ (the small package by default) and the repository's
    COG extracts. Resources that hold generated example rows (source « exemple ») are declared so in the copy's
    datapackage.yaml, as check requires."""
    copy_sources(ROOT, root, tuple(name for name in SOURCES if name != "datasets"))
    shutil.copytree(datasets, root / "datasets")
    if not (root / "datasets" / "sources").exists():  # the COG extracts that import reads (tidata/model/cog.py)
        shutil.copytree(ROOT / "datasets" / "sources" / "cog", root / "datasets" / "sources" / "cog")
    declare_examples(root)
    declare_totals(root)
    return root


def declare_totals(root: Path) -> None:
    """A copy holds an extract of the resources whose publisher announced their totals (datapackage.yaml,
    « totaux_publies »): the copy's datapackage.yaml announces the extract's own totals, so that check keeps guarding
    them (tests/test_check_rules.py removes a row and sees it refused)."""
    import re

    import yaml

    from tidata.core.project import Project
    from tidata.model.load import numbers, read_text_table

    path = root / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    project = Project(root)
    for resource in project.tables:
        for total in resource.descriptor.get("totaux_publies", []):
            table = read_text_table(project, resource)
            rows = table[table["annee"] == str(total["annee"])]
            amount = float(numbers(rows["montant_eur"]).sum())
            text = re.sub(rf"(?m)^(\s*)lignes: {total['lignes']}$", rf"\g<1>lignes: {len(rows)}", text)
            text = re.sub(rf"(?m)^(\s*)montant_eur: {total['montant_eur']}$", rf"\g<1>montant_eur: {amount:.2f}", text)
    yaml.safe_load(text)
    path.write_text(text, encoding="utf-8")


def declare_examples(root: Path) -> None:
    from tidata.core.project import Project
    from tidata.maintenance.package_writer import set_example_flag

    path = root / "datapackage.yaml"
    text = path.read_text(encoding="utf-8")
    for resource in Project(root).tables:
        _, rows = read_rows(root / resource.path)
        if any(row.get("source") == "exemple" for row in rows):
            text = set_example_flag(text, resource.name, True)
    path.write_text(text, encoding="utf-8")


@pytest.fixture
def petit(tmp_path) -> Path:
    """A copy of the project whose datasets/ is the small package of tests/fixtures/petit (five real territories,
    generated example projects, envelopes and sites)."""
    return copy_project(tmp_path / "projet")


class Run:
    def __init__(self, code: int, out: str, err: str):
        self.code, self.out, self.err = code, out, err

    @property
    def text(self) -> str:
        return self.out + self.err


@pytest.fixture
def run(capsys):
    """Run the command line in-process on a project root; returns its exit code and printed text."""

    def runner(root: Path, *args: str) -> Run:
        code = build.main(["--racine", str(root), *args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return runner


def read_rows(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_rows(path: Path, fieldnames: list[str], rows: list[dict]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=fieldnames, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def set_cell(root: Path, file: str, line: int, column: str, value: str) -> None:
    """Change one cell, the line numbered as a spreadsheet shows it (header = line 1)."""
    path = root / "datasets" / file
    fieldnames, rows = read_rows(path)
    rows[line - 2][column] = value
    write_rows(path, fieldnames, rows)


def add_row(root: Path, file: str, **values: str) -> int:
    """Append a row (copying the last one, then overriding `values`); returns its line number."""
    path = root / "datasets" / file
    fieldnames, rows = read_rows(path)
    rows.append({**rows[-1], **values})
    write_rows(path, fieldnames, rows)
    return len(rows) + 1


def tree_digest(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            digest.update(str(path.relative_to(folder)).encode() + path.read_bytes())
    return digest.hexdigest()


def assert_refused(result, *fragments) -> None:
    """A refusal as a maintainer sees it: exit code 1, no traceback, and each fragment in the French report."""
    assert result.code == 1, result.text
    assert "Traceback" not in result.text
    for fragment in fragments:
        assert fragment in result.err, result.err
