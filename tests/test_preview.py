"""The preview of `python build.py serve`: it keeps the last good pages on bad data, recovers, rewrites little."""

import os

from conftest import set_cell
from tidata.preview import regenerate
from tidata.project import Project


def test_preview_keeps_the_last_good_pages_and_recovers(petit, capsys):
    docs = petit / ".apercu" / "docs"
    assert regenerate(Project(petit), docs)
    page = docs / "territoires" / "2023-2027" / "ti-2703.md"
    good = page.read_text(encoding="utf-8")
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2024")
    assert not regenerate(Project(petit), docs)
    assert "ligne 2, colonne date_debut" in capsys.readouterr().err
    assert page.read_text(encoding="utf-8") == good
    set_cell(petit, "projets.csv", 2, "date_debut", "2024-04-01")
    assert regenerate(Project(petit), docs)
    assert "1er avril 2024" in page.read_text(encoding="utf-8")


def test_one_project_edit_rewrites_only_the_files_that_depend_on_it(petit, capsys):
    docs = petit / ".apercu" / "docs"
    regenerate(Project(petit), docs)
    other = docs / "territoires" / "2023-2027" / "ti-2704.md"
    os.utime(other, (1_000_000_000, 1_000_000_000))
    total = sum(1 for p in docs.rglob("*") if p.is_file())
    capsys.readouterr()
    set_cell(petit, "projets.csv", 2, "titre", "Campus des métiers, nouvelle version")
    regenerate(Project(petit), docs)
    written = int(capsys.readouterr().out.split("Aperçu : ")[1].split(" ")[0])
    # its territory page and slices, the API file, the projects downloads (CSV, Parquet, JSON, XLSX, zip,
    # datapackage.json), the catalogue and the pages that list those checksums
    assert 0 < written <= 20 < total / 10
    assert other.stat().st_mtime == 1_000_000_000
