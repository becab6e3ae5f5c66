"""`check` remembers its results by content: unchanged files are not validated again, results never differ."""

from conftest import set_cell

from tidata.check.package import check_package
from tidata.core.project import Project


def cached_files(root, prefix):
    folder = root / ".cache" / "controle"
    return {p.name for p in folder.glob(f"{prefix}-*.json")} if folder.exists() else set()


def test_cached_result_equals_a_fresh_one(petit):
    set_cell(petit, "projets.csv", 2, "date_debut", "23/06/2023")
    first = check_package(Project(petit))
    second = check_package(Project(petit))
    fresh = check_package(Project(petit), use_cache=False)
    assert first.problems == second.problems == fresh.problems
    assert any(p.column == "date_debut" for p in second.errors)


def test_one_edited_file_is_the_only_one_validated_again(petit):
    check_package(Project(petit))
    before = cached_files(petit, "fichier")
    set_cell(petit, "projets.csv", 2, "statut", "terminé")
    result = check_package(Project(petit))
    assert result.ok
    assert len(cached_files(petit, "fichier") - before) == 1


def test_cross_resource_rules_run_again_after_an_edit(petit):
    check_package(Project(petit))
    set_cell(petit, "projets.csv", 4, "insee_com", "71153")  # Le Creusot, outside ti-ex-2002
    result = check_package(Project(petit))
    assert [p.rule for p in result.errors] == ["Commune hors du territoire"]


def test_outline_files_are_judged_again_only_when_they_change(petit):
    """The outlines' structure is remembered per file: a table edit leaves it as it was; an edit of an outline
    file is judged again (and refused when it breaks a feature), the rest still from the cache."""
    import json

    check_package(Project(petit))
    outlines = cached_files(petit, "contours")
    assert len(outlines) == 4  # communes, EPCI, départements, régions
    set_cell(petit, "projets.csv", 2, "statut", "terminé")
    assert check_package(Project(petit)).ok and cached_files(petit, "contours") == outlines
    path = petit / "datasets" / "referentiel" / "regions.geojson"
    lines = path.read_text(encoding="utf-8").split("\n")
    feature = json.loads(lines[1].rstrip(","))
    feature["geometry"] = None
    lines[1] = json.dumps(feature, separators=(",", ":"), ensure_ascii=False) + ","
    path.write_text("\n".join(lines), encoding="utf-8")
    result = check_package(Project(petit))
    assert [p.column for p in result.errors] == ["geometry"] and "regions.geojson" in result.errors[0].file
    assert len(cached_files(petit, "contours") - outlines) == 1
