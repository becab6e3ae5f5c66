"""Incremental builds: the output cache and the preview recompute only what an edit touches, and change no byte."""

from __future__ import annotations

import json
import shutil

from conftest import set_cell, tree_digest

from tidata.core.progress import QUIET, Progress
from tidata.core.project import Project
from tidata.serve import Preview

CACHE = (".cache", "construction")


def cache_entries(root, kind: str) -> set[str]:
    folder = root.joinpath(*CACHE)
    return {p.name for p in folder.iterdir() if p.name.startswith(f"{kind}-")} if folder.is_dir() else set()


def build_cold(root, run) -> str:
    shutil.rmtree(root / ".cache", ignore_errors=True)
    assert run(root, "--quiet").code == 0
    return tree_digest(root / "site")


def test_two_cold_builds_give_byte_identical_sites(petit, run):
    first = build_cold(petit, run)
    assert build_cold(petit, run) == first  # the DCAT JSON-LD once named its blank nodes at random


def test_a_build_from_the_cache_is_byte_identical_to_a_cold_build(petit, run):
    cold = build_cold(petit, run)
    assert cache_entries(petit, "territoire")
    shutil.rmtree(petit / "site")  # else the site is found up to date and nothing is built (next tests)
    assert run(petit, "--quiet").code == 0
    assert tree_digest(petit / "site") == cold


UP_TO_DATE = "le site est déjà à jour"


def test_a_build_with_nothing_changed_keeps_the_site_as_it_is(petit, run):
    build_cold(petit, run)
    page = petit / "site" / "index.html"
    built_at = page.stat().st_mtime_ns
    result = run(petit)
    assert result.code == 0 and UP_TO_DATE in result.text
    assert page.stat().st_mtime_ns == built_at


def test_a_build_after_any_edit_of_a_source_builds_again(petit, run):
    """A hand-written page is not data, yet the site is made from it too."""
    build_cold(petit, run)
    (petit / "docs" / "mentions-legales.md").write_text("# Mentions légales\n\nNouvelle version.\n", encoding="utf-8")
    result = run(petit)
    assert result.code == 0 and UP_TO_DATE not in result.text
    assert "Nouvelle version." in (petit / "site" / "mentions-legales" / "index.html").read_text(encoding="utf-8")


def test_a_site_edited_by_hand_is_built_again(petit, run):
    cold = build_cold(petit, run)
    (petit / "site" / "index.html").write_text("modifié", encoding="utf-8")
    result = run(petit)
    assert result.code == 0 and UP_TO_DATE not in result.text
    assert tree_digest(petit / "site") == cold


def test_one_project_edit_draws_only_its_territory_again(petit, run):
    build_cold(petit, run)
    before = cache_entries(petit, "territoire")
    set_cell(petit, "projets.csv", 2, "titre", "Campus des métiers, nouvelle version")
    assert run(petit, "--quiet").code == 0
    after = cache_entries(petit, "territoire")
    assert len(after - before) == 1 and len(before - after) == 1  # one new entry; the stale one is pruned
    assert "Campus des métiers, nouvelle version" in (petit / "site" / "api" / "territoires" / "2023-2027" / "ti-2703.json").read_text(encoding="utf-8")


def test_preview_rebuilds_only_the_edited_pages_and_keeps_the_whole_search_index(petit, tmp_path, capsys):
    site = tmp_path / "apercu"
    preview = Preview(Project(petit), site)
    assert preview.rebuild()
    index = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    other = site / "territoires" / "2023-2027" / "ti-2704" / "index.html"
    built_at = other.stat().st_mtime_ns
    set_cell(petit, "projets.csv", 2, "titre", "Campus des métiers, nouvelle version")
    assert preview.rebuild()
    merged = json.loads((site / "search" / "search_index.json").read_text(encoding="utf-8"))
    assert other.stat().st_mtime_ns == built_at
    assert {d["location"].split("#")[0] for d in merged["docs"]} == {d["location"].split("#")[0] for d in index["docs"]}
    assert any("Campus des métiers, nouvelle version" in d["text"] for d in merged["docs"])


def test_preview_keeps_its_site_on_bad_data_and_recovers(petit, tmp_path, capsys):
    site = tmp_path / "apercu"
    preview = Preview(Project(petit), site)
    assert preview.rebuild()
    page = site / "territoires" / "2023-2027" / "ti-2703" / "index.html"
    good = page.read_bytes()
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2024")
    assert not preview.rebuild()
    assert "ligne 2, colonne date_debut" in capsys.readouterr().err
    assert page.read_bytes() == good
    set_cell(petit, "projets.csv", 2, "date_debut", "2024-04-01")
    assert preview.rebuild()
    assert "1er avril 2024" in page.read_text(encoding="utf-8")


def test_quiet_build_prints_nothing(petit, run):
    result = run(petit, "--quiet")
    assert result.code == 0 and result.text == ""


def test_build_in_a_log_prints_one_line_per_stage_and_verbose_adds_durations(petit, run):
    result = run(petit, "--verbose")
    assert result.code == 0
    for stage in ("Contrôle des données…", "Téléchargements…", "Pages…", "Site (mkdocs)…"):
        assert stage in result.err
    assert "Site (mkdocs) : " in result.err and " s\n" in result.err
    assert "Site construit dans" in result.out


def test_progress_keeps_the_duration_of_each_stage():
    progress = Progress(QUIET)
    with progress.step("étape", total=3) as advance:
        advance(3)
    assert list(progress.timings) == ["étape"] and progress.timings["étape"] >= 0
