"""The catalogue of the shipped data before its two judges: data.gouv.fr's own harvester and DCAT-AP 3.0.1.

The site built from the shipped data (the e2e `site_root`) is served as GitHub Pages serves it: `.ttl` as
text/turtle and `.jsonld` as application/ld+json, without a charset. udata's DCAT backend, the code data.gouv.fr
harvests with, runs in its own virtual environment (.venv-udata/, see moisson/README.md) on each of the two
files: every dataset must end `done`, with its title (accents intact), licence `lov2`, contact, and every
resource with its URL, format, size and checksum (stated in its description: see tidata/exports/dcat.py).

Without .venv-udata/ the harvest tests are skipped with a message, except under TI_MOISSON_OBLIGATOIRE=1
(set by .ci/run, which creates it): then they fail.
"""

from __future__ import annotations

import functools
import hashlib
import http.server
import json
import os
import subprocess
import threading
import time
from pathlib import Path

import pytest

from .outils import REPORT, ROOT

HERE = Path(__file__).resolve().parent / "moisson"
UDATA_PYTHON = ROOT / ".venv-udata" / "bin" / "python"
REQUIRED = os.environ.get("TI_MOISSON_OBLIGATOIRE") == "1"
FORMATS = {".csv": "csv", ".json": "json", ".parquet": "parquet", ".geojson": "geojson", ".xlsx": "xlsx", ".zip": "zip"}


class PagesHandler(http.server.SimpleHTTPRequestHandler):
    """The content types GitHub Pages sends for the catalogue: no charset, so HTTP clients fall back on their
    default (Latin-1 for text/*)."""

    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".ttl": "text/turtle", ".jsonld": "application/ld+json"}

    def log_message(self, format, *args):  # noqa: A002 — the signature of the base class
        pass


@pytest.fixture(scope="module")
def pages_url(site_root) -> str:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(PagesHandler, directory=str(site_root)))
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def udata_python() -> Path:
    if UDATA_PYTHON.exists():
        return UDATA_PYTHON
    what = ("Le moissonneur de data.gouv.fr (udata) n'est pas installé (.venv-udata/ absent) : `bash .ci/run` le crée, "
            "ou python3 -m venv .venv-udata && .venv-udata/bin/pip install -r tests/e2e/moisson/requirements.txt")
    REPORT["absents"][what] = None
    if REQUIRED:
        pytest.fail(f"{what} (TI_MOISSON_OBLIGATOIRE=1 : en CI, le moissonnage doit s'exécuter)", pytrace=False)
    pytest.skip(what)


@pytest.fixture(scope="module", params=["catalogue.ttl", "catalogue.jsonld"])
def harvest(request, pages_url) -> dict:
    python = udata_python()
    start = time.perf_counter()
    done = subprocess.run([str(python), str(HERE / "moissonner.py"), f"{pages_url}/donnees/{request.param}",
                           str(HERE / "licences.json")], capture_output=True, text=True, timeout=600, cwd=HERE)
    REPORT["durations"][f"moissonnage udata de {request.param}"] = time.perf_counter() - start
    if done.returncode != 0:
        pytest.fail(f"Le moissonneur udata a échoué (code {done.returncode}) :\n{done.stderr[-4000:]}", pytrace=False)
    return json.loads(done.stdout)


def catalogue_datasets(site_root: Path) -> dict[str, dict]:
    """identifier → {title, download URLs} of each dataset of the built catalogue."""
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    graph = Graph().parse(site_root / "donnees" / "catalogue.ttl", format="turtle")
    return {str(graph.value(d, DCTERMS.identifier)): {
        "titre": str(graph.value(d, DCTERMS.title)),
        "urls": {str(graph.value(x, DCAT.downloadURL)) for x in graph.objects(d, DCAT.distribution)},
    } for d in graph.subjects(RDF.type, DCAT.Dataset)}


def test_udata_harvests_every_dataset_of_the_catalogue(harvest, site_root):
    expected = catalogue_datasets(site_root)
    assert len(expected) >= 10
    assert harvest["statut"] == "done" and harvest["erreurs"] == []
    failed = [item for item in harvest["elements"] if item["statut"] != "done"]
    assert failed == [], failed
    assert sorted(item["id"] for item in harvest["elements"]) == sorted(expected)
    assert {d["id"]: d["titre"] for d in harvest["jeux"]} == {k: v["titre"] for k, v in expected.items()}
    assert "Sites industriels clés en main France 2030" in {d["titre"] for d in harvest["jeux"]}


def test_udata_records_licence_contact_frequency_and_coverage(harvest):
    from tidata.core.project import Project

    editor = next(c for c in Project(ROOT).descriptor["contributors"] if c["role"] == "publisher")
    licences = json.loads((HERE / "licences.json").read_text(encoding="utf-8"))
    assert next(item for item in licences if item["id"] == "lov2")["url"] == "https://www.etalab.gouv.fr/licence-ouverte-open-licence"
    for dataset in harvest["jeux"]:
        assert dataset["licence"] == "lov2", dataset["id"]
        assert dataset["contacts"] == [editor["email"]], dataset["id"]
        assert dataset["frequence"] in ("annual", "irregular"), dataset["id"]
        assert dataset["couverture_temporelle"] and dataset["couverture_spatiale"] == "MultiPolygon", dataset["id"]
        assert {"regions-et-villes"} <= set(dataset["mots_cles"]), dataset["id"]


def test_udata_records_every_file_with_its_url_format_size_and_checksum(harvest, site_root):
    expected = catalogue_datasets(site_root)
    for dataset in harvest["jeux"]:
        assert {r["url"] for r in dataset["ressources"]} == expected[dataset["id"]]["urls"], dataset["id"]
        for resource in dataset["ressources"]:
            path = site_root / "donnees" / resource["url"].rsplit("/", 1)[-1]
            content = path.read_bytes()
            assert resource["format"] == FORMATS[path.suffix], resource["url"]
            assert resource["taille"] == len(content), resource["url"]
            assert resource["description"].endswith(f"SHA-256 : {hashlib.sha256(content).hexdigest()}"), resource["url"]


def test_catalogue_of_the_shipped_data_has_no_violation_of_the_full_dcat_ap_3_0_1_shapes(site_root):
    from dcat_ap import violations

    start = time.perf_counter()
    for name, fmt in (("catalogue.ttl", "turtle"), ("catalogue.jsonld", "json-ld")):
        assert violations(site_root / "donnees" / name, fmt) == [], name
    REPORT["durations"]["DCAT-AP 3.0.1 (pyshacl, deux fichiers)"] = time.perf_counter() - start
