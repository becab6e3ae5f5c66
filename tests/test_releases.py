"""Releases: recorded with their content hash, downloadable under a dated URL, and described in the change log."""

import datetime as dt
import subprocess

from conftest import set_cell

from tidata.core.project import Project
from tidata.exports import releases


def git(root, *args):
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@t", *args], cwd=root, check=True, capture_output=True)


def two_releases(root):
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v1")
    project = Project(root)
    first = releases.publish(project, dt.date(2026, 1, 15))
    set_cell(root, "projets.csv", 2, "statut", "terminé")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "v2")
    second = releases.publish(project, dt.date(2026, 2, 15))
    return project, first, second


def test_publish_records_date_commit_and_hash(petit):
    project, first, second = two_releases(petit)
    recorded = releases.read_releases(project)
    assert [r["date"] for r in recorded] == ["2026-01-15", "2026-02-15"]
    assert first["empreinte"] != second["empreinte"]
    assert len(second["commit"]) == 40


def test_changed_row_appears_in_the_next_release_change_log(petit):
    project, _, _ = two_releases(petit)
    log = releases.changelog_markdown(project, releases.read_releases(project))
    february = log.split("## Publication du 2026-02-15")[1].split("## Publication du 2026-01-15")[0]
    assert "`prj-ex-00001` — `statut` : « en cours » → « terminé »" in february


def test_earlier_release_files_stay_downloadable_as_they_were(petit):
    project, first, _ = two_releases(petit)
    files = releases.version_files(project, first)
    assert ",en cours," in files["donnees/versions/2026-01-15/projets.csv"].splitlines()[1]
