"""Shared test helpers: a copy of the project on a small real package, and ways to edit its CSV files."""

from __future__ import annotations

import csv
import hashlib
import shutil
from pathlib import Path

import pytest

import build

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = Path(__file__).resolve().parent / "fixtures" / "petit"
PROJECT_FILES = ["datapackage.yaml", "mkdocs.yml", "schemas", "templates", "docs", "overrides"]


@pytest.fixture
def petit(tmp_path) -> Path:
    """A copy of the project whose datasets/ is the small package of tests/fixtures/petit (real referential rows)."""
    return copy_petit(tmp_path / "projet")


def copy_petit(root: Path) -> Path:
    root.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, root / name)
        else:
            shutil.copy(source, root / name)
    shutil.copytree(FIXTURE / "datasets", root / "datasets")
    return root


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
