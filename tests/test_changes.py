"""`python build.py diff REF`: rows added, removed and modified since a git ref, with the changed fields."""

import subprocess

from conftest import add_row, read_rows, set_cell, write_rows


def commit_all(root):
    subprocess.run(["git", "init", "-q"], cwd=root, check=True)
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "v1"], cwd=root, check=True)


def test_diff_lists_a_modified_row_with_its_changed_fields(petit, run):
    commit_all(petit)
    set_cell(petit, "projets.csv", 2, "statut", "terminé")
    result = run(petit, "diff", "HEAD")
    assert result.code == 0, result.text
    assert "| Projets des plans d'action | 0 | 0 | 1 |" in result.out
    assert "`prj-ex-00001` — `statut` : « en cours » → « terminé »" in result.out


def test_diff_lists_added_and_removed_rows_by_identifier(petit, run):
    commit_all(petit)
    add_row(petit, "projets.csv", id_projet="prj-ex-00099")
    path = petit / "datasets" / "projets.csv"
    fields, rows = read_rows(path)
    write_rows(path, fields, [r for r in rows if r["id_projet"] != "prj-ex-00004"])
    result = run(petit, "diff", "HEAD")
    assert "Lignes ajoutées (1) : `prj-ex-00099`." in result.out
    assert "Lignes supprimées (1) : `prj-ex-00004`." in result.out


def test_diff_without_change_says_so(petit, run):
    commit_all(petit)
    assert "Aucune donnée n'a changé." in run(petit, "diff").out


def test_diff_with_an_unknown_ref_is_a_usage_error(petit, run):
    commit_all(petit)
    result = run(petit, "diff", "v-inexistante")
    assert result.code == 2
    assert "Référence git inconnue : « v-inexistante »" in result.err
