"""The static JSON API, on the small package (five real territories; ti-2708 names two of them)."""

import json

from tidata.core.project import Project
from tidata.exports import api
from tidata.model.views import Catalogue


def files(root):
    project = Project(root)
    return api.api_files(Catalogue.read(project, last_change="2026-11-26"))


def test_territory_file_holds_its_groupings_projects_envelopes_and_epci(petit):
    detail = json.loads(files(petit)["api/territoires/2023-2027/ti-2703.json"])
    assert detail["lib_ti"] == "Bourgogne Industrie"
    assert [p["id_projet"] for p in detail["projets"]] == ["prj-ex-00001", "prj-ex-00002"]
    assert detail["projets"][0]["cout_total_eur"] == 2500000
    assert "242100410" in {g["siren_groupement"] for g in detail["groupements"]}  # Dijon Métropole
    assert detail["groupements"][0]["annee_cog"] == 2023
    assert "247100290" in {e["siren_epci"] for e in detail["epci"]}  # CU Le Creusot Montceau-les-Mines
    assert detail["enveloppes"][0]["montant_eur"] == 40000


def test_same_id_in_two_phases_gives_two_files(petit):
    out = files(petit)
    before = json.loads(out["api/territoires/2019-2022/ti-2708.json"])
    after = json.loads(out["api/territoires/2023-2027/ti-2708.json"])
    assert (before["lib_ti"], after["lib_ti"]) == ("Ouest Saône-et-Loire", "Nord Franche-Comté")
    assert before["nb_communes"] != after["nb_communes"]


def test_predecessor_points_to_the_territory_of_the_previous_phase(petit):
    out = files(petit)
    successor = json.loads(out["api/territoires/2023-2027/ti-2703.json"])
    assert successor["precedents"] == [{
        "phase": "2019-2022", "id_ti": "ti-2708", "communes_en_commun": 163, "part_territoire": 87.6,
        "part_precedent": 100.0, "api": "api/territoires/2019-2022/ti-2708.json",
    }]
    assert successor["precedents"][0]["api"] in out
    predecessor = json.loads(out["api/territoires/2019-2022/ti-2708.json"])
    assert [(s["phase"], s["id_ti"]) for s in predecessor["suivants"]] == [("2023-2027", "ti-2703")]
    assert json.loads(out["api/territoires/2023-2027/ti-2708.json"])["precedents"] == []


def test_territory_list_gives_every_territory_with_its_page(petit):
    listing = json.loads(files(petit)["api/territoires.json"])
    keys = [(t["phase"], t["id_ti"]) for t in listing["territoires"]]
    assert keys == [("2019-2022", "ti-2702"), ("2019-2022", "ti-2708"), ("2023-2027", "ti-2703"), ("2023-2027", "ti-2704"),
                    ("2023-2027", "ti-2708")]
    assert listing["territoires"][1]["page"] == "territoires/2019-2022/ti-2708/"
    assert listing["maj"] == "2026-11-26"


def test_commune_lookup_gives_both_phases_and_keeps_codes_as_text(petit):
    communes = json.loads(files(petit)["api/communes/71.json"])["communes"]
    le_creusot = next(c for c in communes if c["lib_com"] == "Le Creusot")
    assert le_creusot["insee_com"] == "71153"
    assert le_creusot["id_ti"] == "ti-2703" and le_creusot["id_ti_2019_2022"] == "ti-2708"
    marcigny = next(c for c in communes if c["lib_com"] == "Marcigny")
    assert marcigny["id_ti"] is None


def test_api_files_are_identical_across_runs(petit):
    assert files(petit) == files(petit)


def test_values_take_the_type_their_schema_gives_them(petit):
    """friche is a boolean of trueValues « oui »: true in the API, as in the JSON download; an empty number is null."""
    detail = json.loads(files(petit)["api/territoires/2023-2027/ti-2703.json"])
    site = next(s for s in detail["sites_cles_en_main"] if s["id_site"] == "scem-ex-01")
    assert (site["friche"], site["surface_ha"], site["latitude"]) == (True, 42.5, 46.80505)
    assert site["remarque"] == ""  # a string stays as written


def test_index_cites_the_package_licence(petit):
    index = json.loads(files(petit)["api/index.json"])
    assert index["licence"] == Project(petit).descriptor["licenses"][0]["title"]


def test_governance_gathers_the_columns_the_schema_files_under_it(petit):
    """`rubrique: gouvernance` in schemas/territoires.yaml decides what the API nests under « gouvernance »: a
    column added there with that tag appears without a change to the code; an unpublished value is null."""
    path = petit / "schemas" / "territoires.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "  - name: description\n", "  - name: description\n    rubrique: gouvernance\n", 1), encoding="utf-8")
    detail = json.loads(files(petit)["api/territoires/2023-2027/ti-2703.json"])
    assert set(detail["gouvernance"]) == {"elu_nom", "elu_fonction", "industriel_nom", "industriel_fonction",
                                          "industriel_entreprise", "chef_projet_courriel", "description"}
    assert detail["gouvernance"]["elu_nom"] is None  # ANCT does not publish it
