"""The preview of `python build.py serve`: it keeps the last good pages on bad data, recovers, rewrites little; a
malformed address or a busy port is a clear error before any build, and nothing is left behind."""

import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import urllib.request

import pytest
from conftest import ROOT, set_cell

from tidata.core.project import Project
from tidata.serve import regenerate


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


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.0.1:port", "127.0.0.1:99999", ":8000", "[::1]:x"])
def test_serve_with_a_malformed_address_exits_2_before_building(petit, run, address):
    result = run(petit, "serve", "--adresse", address)
    assert result.code == 2, result.text
    assert f"--adresse : « {address} » n'est pas une adresse valide (attendu : HÔTE:PORT" in result.err
    assert "Traceback" not in result.text
    assert not (petit / ".apercu").exists()


def test_serve_on_a_busy_port_says_so_before_building_and_leaves_no_folder(petit, run, tmp_path, monkeypatch):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temporary))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = run(petit, "serve", "--adresse", f"127.0.0.1:{port}")
    assert result.code == 2, result.text
    assert f"--adresse : le port {port} est déjà utilisé sur 127.0.0.1" in result.err
    assert "Traceback" not in result.text
    assert not (petit / ".apercu").exists()  # found before the first build
    assert not any(temporary.iterdir())


def test_serve_serves_the_preview_and_cleans_up_when_stopped(petit, tmp_path):
    temporary = tmp_path / "tmp"
    temporary.mkdir()
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(petit), "serve",
                                "--adresse", "127.0.0.1:0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True, env={**os.environ, "TMPDIR": str(temporary)})
    try:
        for line in process.stdout:
            if line.startswith("Aperçu sur http://127.0.0.1:"):
                break
        url = line.split()[2]
        assert re.fullmatch(r"http://127\.0\.0\.1:[1-9][0-9]*/", url), line
        with urllib.request.urlopen(url, timeout=30) as response:
            assert "Territoires d&#39;industrie" in response.read().decode("utf-8")
        assert len(list(temporary.iterdir())) == 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, err = process.communicate(timeout=60)
    assert process.returncode == 0, err
    assert "Traceback" not in err
    assert not any(temporary.iterdir())


def test_a_generated_page_over_a_hand_written_one_is_refused_by_build_and_by_the_preview(petit, run, capsys):
    from tidata.core.project import Project
    from tidata.serve import regenerate

    (petit / "docs" / "fonds-vert.md").write_text("# Une page écrite à la main\n", encoding="utf-8")
    result = run(petit)
    assert result.code == 1 and "Traceback" not in result.text
    assert "les pages produiraient docs/fonds-vert.md, une page écrite à la main" in result.err
    try:
        regenerate(Project(petit), petit / ".apercu" / "docs")
    except Exception as error:  # the preview's own rebuild turns TIError into a message: the same gather refuses
        assert "les pages produiraient docs/fonds-vert.md, une page écrite à la main" in str(error)
    else:
        raise AssertionError("l'aperçu aurait dû refuser la page en double")
