"""The static JSON API, on the small package."""

import json

from tidata import api
from tidata.load import read_package
from tidata.project import Project
from tidata.views import Catalogue


def files(root):
    project = Project(root)
    return api.api_files(Catalogue(project, read_package(project), last_change="2026-11-26"))


def test_territory_file_holds_its_projects_envelopes_and_epci(petit):
    detail = json.loads(files(petit)["api/territoires/ti-ex-2001.json"])
    assert [p["id_projet"] for p in detail["projets"]] == ["prj-ex-00001", "prj-ex-00002"]
    assert detail["projets"][0]["cout_total_eur"] == 2500000
    assert {e["siren_epci"] for e in detail["epci"]} == {"247100290", "200070316", "247104094"}
    assert detail["enveloppes"][0]["montant_eur"] == 40000
    assert detail["id_ti_precedent"] == "ti-ex-1001"


def test_territory_list_gives_every_territory_with_its_page(petit):
    listing = json.loads(files(petit)["api/territoires.json"])
    assert [t["id_ti"] for t in listing["territoires"]] == ["ti-ex-1001", "ti-ex-2001", "ti-ex-2002"]
    assert listing["territoires"][1]["page"].startswith("territoires/ti-ex-2001-")
    assert listing["maj"] == "2026-11-26"


def test_commune_lookup_gives_both_phases_and_keeps_codes_as_text(petit):
    communes = json.loads(files(petit)["api/communes/71.json"])["communes"]
    le_creusot = next(c for c in communes if c["lib_com"] == "Le Creusot")
    assert le_creusot["insee_com"] == "71153"
    assert le_creusot["id_ti"] == "ti-ex-2001" and le_creusot["id_ti_2019_2022"] == "ti-ex-1001"
    marcigny = next(c for c in communes if c["lib_com"] == "Marcigny")
    assert marcigny["id_ti"] is None


def test_api_files_are_identical_across_runs(petit):
    assert files(petit) == files(petit)
