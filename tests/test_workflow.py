"""The GitHub Actions workflow: it lints clean, and the check annotates the offending CSV lines."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, set_cell

WORKFLOW = ROOT / ".github" / "workflows" / "publier.yml"


def test_workflow_passes_actionlint():
    linter = shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if linter is None:
        pytest.fail("actionlint absent du venv : make test installe requirements.txt, qui le fournit")
    result = subprocess.run([linter, str(WORKFLOW)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_workflow_checks_tests_builds_and_deploys():
    text = WORKFLOW.read_text(encoding="utf-8")
    for step in ("build.py check --format github", "build.py diff", "bash .ci/run", "actions/deploy-pages"):
        assert step in text


def test_check_in_github_format_annotates_the_csv_line(petit, run):
    set_cell(petit, "projets.csv", 3, "date_debut", "23/06/2023")
    result = run(petit, "check", "--format", "github")
    assert result.code == 1
    assert "::error file=datasets/projets.csv,line=3,title=Type de valeur::datasets/projets.csv, ligne 3, colonne date_debut" in result.out


def test_github_annotation_points_to_the_physical_line_after_a_multiline_value(petit, run):
    set_cell(petit, "projets.csv", 2, "resume", "Première ligne\nDeuxième ligne\r\nTroisième ligne")
    set_cell(petit, "projets.csv", 3, "date_debut", "23/06/2023")
    lines = (petit / "datasets" / "projets.csv").read_text(encoding="utf-8").split("\n")
    assert lines[4].startswith("prj-ex-00002,") and "23/06/2023" in lines[4]  # row 3 starts on line 5 of the file
    result = run(petit, "check", "--format", "github")
    assert result.code == 1
    assert "::error file=datasets/projets.csv,line=5,title=Type de valeur::datasets/projets.csv, ligne 3, colonne date_debut" in result.out
    assert "datasets/projets.csv, ligne 3, colonne date_debut" in result.err  # the report counts rows, as a spreadsheet
