"""A symbolic link among the data, schemas, templates or pages, or a package path leaving the project, is refused by
every command with a French message naming it, before anything is read through it: a pull request that adds
`datasets/projets.csv -> /etc/passwd` must not print nor publish a file from elsewhere on the machine.

The links point to files these tests create in tmp_path, never to a system file.
"""

import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, tree_digest
from conftest import assert_refused as refused

SECRET = "SECRET-HORS-DU-PROJET"
REFUSED = "Lien symbolique refusé : "


@pytest.fixture
def secret(tmp_path):
    """A CSV file outside the project, shaped like projets.csv so that a followed link would pass its header check."""
    path = tmp_path / "dehors" / "secret.csv"
    path.parent.mkdir()
    header = (ROOT / "tests" / "fixtures" / "petit" / "datasets" / "projets.csv").read_text(encoding="utf-8").splitlines()[0]
    path.write_text(f"{header}\n{SECRET},{SECRET}\n", encoding="utf-8")
    return path


def link(root, relative, target):
    path = root / relative
    path.unlink()
    path.symlink_to(target)


def assert_refused(result, *fragments):
    refused(result, *fragments)
    assert SECRET not in result.text


def test_linked_data_file_is_refused_by_check_and_build(petit, run, secret):
    link(petit, "datasets/projets.csv", secret)
    assert_refused(run(petit, "check"), REFUSED + "datasets/projets.csv.", "remplacez chaque lien par le fichier lui-même")
    assert_refused(run(petit), REFUSED + "datasets/projets.csv.")
    assert not (petit / "site").exists()


def test_linked_schema_is_refused(petit, run, tmp_path):
    outside = tmp_path / "schema.yaml"
    outside.write_bytes((petit / "schemas" / "projets.yaml").read_bytes())
    link(petit, "schemas/projets.yaml", outside)
    assert_refused(run(petit, "check"), REFUSED + "schemas/projets.yaml.")


def test_linked_template_is_refused_before_any_page_is_written(petit, run, secret):
    link(petit, "templates/territoire.md.j2", secret)
    assert_refused(run(petit), REFUSED + "templates/territoire.md.j2.")
    assert not (petit / "site").exists()
    assert not list(petit.glob(".construction-*"))


def test_linked_folder_is_refused_without_looking_inside(petit, run, tmp_path):
    moved = tmp_path / "referentiel"
    (petit / "datasets" / "referentiel").rename(moved)
    (petit / "datasets" / "referentiel").symlink_to(moved, target_is_directory=True)
    assert_refused(run(petit, "check"), REFUSED + "datasets/referentiel.")


def test_linked_page_of_docs_is_refused(petit, run, secret):
    (petit / "docs" / "secret.md").symlink_to(secret)
    assert_refused(run(petit), REFUSED + "docs/secret.md.")


def test_linked_output_folder_is_refused(petit, run, tmp_path):
    (tmp_path / "ailleurs").mkdir()
    (petit / ".cache").symlink_to(tmp_path / "ailleurs", target_is_directory=True)
    assert_refused(run(petit, "check"), REFUSED + ".cache.")
    assert not any((tmp_path / "ailleurs").iterdir())


@pytest.mark.parametrize("key", ["path", "schema"])
def test_package_path_outside_the_project_is_refused(petit, run, secret, key):
    descriptor = yaml.safe_load((petit / "datapackage.yaml").read_text(encoding="utf-8"))
    projects = next(r for r in descriptor["resources"] if r["name"] == "projets")
    assert (petit / "../dehors/secret.csv").resolve() == secret
    projects[key] = "../dehors/secret.csv" if key == "path" else str(secret)
    (petit / "datapackage.yaml").write_text(yaml.safe_dump(descriptor, allow_unicode=True), encoding="utf-8")
    what = "la ressource « projets »" if key == "path" else "le schéma de « projets »"
    assert_refused(run(petit, "check"), f"datapackage.yaml : {what} désigne", "hors du dossier du projet")


def test_import_into_a_linked_file_writes_nothing_through_it(petit, run, secret, tmp_path):
    link(petit, "datasets/territoires_communes.csv", secret)
    before = secret.read_bytes(), tree_digest(petit / "datasets")
    result = run(petit, "import", str(ROOT / "tests" / "fixtures" / "import" / "perimetre_anct.csv"),
                 "--phase", "2023-2027", "--source", "https://www.data.gouv.fr/perimetres.csv")
    assert_refused(result, REFUSED + "datasets/territoires_communes.csv.")
    assert (secret.read_bytes(), tree_digest(petit / "datasets")) == before
    assert (petit / "datasets" / "territoires_communes.csv").is_symlink()


def test_serve_refuses_a_link_before_serving(petit, secret):
    link(petit, "datasets/projets.csv", secret)
    result = subprocess.run([sys.executable, str(ROOT / "build.py"), "--racine", str(petit), "serve",
                             "--adresse", "127.0.0.1:0"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 1, result.stdout + result.stderr
    assert REFUSED + "datasets/projets.csv." in result.stderr
    assert SECRET not in result.stdout + result.stderr
    assert "Traceback" not in result.stderr
    assert not (petit / ".apercu").exists()


def test_a_linked_datasets_folder_is_refused_without_reading_its_target(petit, run, tmp_path):
    """The up-to-date test of the build digests the project's files before the check: a linked folder is digested
    as its link, never walked, and the build refuses it."""
    elsewhere = tmp_path / "ailleurs"
    shutil.move(petit / "datasets", elsewhere)
    (petit / "datasets").symlink_to(elsewhere, target_is_directory=True)
    result = run(petit)
    assert result.code == 1 and "Traceback" not in result.text
    assert "Lien symbolique refusé : datasets." in result.err and not (petit / "site").exists()
