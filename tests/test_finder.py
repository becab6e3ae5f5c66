"""The commune finder and the places of the search box: their index, and the searches that the Python twin and the
browser script share."""

from __future__ import annotations

import gzip
import json
import random
import re
import shutil
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from e2e.outils import missing

from tidata.core import urls
from tidata.core.errors import BuildError
from tidata.core.project import Project
from tidata.site import finder

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "petit" / "datasets"
SHIPPED = ROOT / "datasets"
SCRIPT = ROOT / "docs" / "assets" / "recherche-commune.js"


def read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def tables(datasets: Path) -> dict[str, pd.DataFrame]:
    return {
        "communes": read(datasets / "referentiel" / "communes.csv"),
        "perimeter": read(datasets / "territoires_communes.csv"),
        "territories": read(datasets / "territoires.csv"),
        "departements": read(datasets / "referentiel" / "departements.csv"),
        "regions": read(datasets / "referentiel" / "regions.csv"),
        "epci": read(datasets / "referentiel" / "epci.csv"),
    }


def page_urls(t: dict[str, pd.DataFrame]) -> dict[str, dict[str, str]]:
    """The pages the build gives to territories, régions and départements (tidata.core.urls)."""
    territories, regions, departements = t["territories"], t["regions"], t["departements"]
    return {
        "territory_urls": {key: urls.page_url(urls.territory_page(key)) for key in territories.phase + "/" + territories.id_ti},
        "region_urls": {code: urls.page_url(urls.region_page(code, name)) for code, name in zip(regions.code_reg, regions.lib_reg)},
        "departement_urls": {code: urls.page_url(urls.departement_page(code, name))
                             for code, name in zip(departements.code_dep, departements.lib_dep)},
        "phases": Project(ROOT).phases,
    }


def index_of(datasets: Path) -> dict:
    """The index as the browser gets it: built, written, read back."""
    t = tables(datasets)
    return json.loads(finder.index_json(finder.build_index(**t, **page_urls(t))))


@pytest.fixture(scope="module")
def petit() -> dict:
    return index_of(FIXTURE)


@pytest.fixture(scope="module")
def shipped() -> dict:
    return index_of(SHIPPED)


def names(results: list[dict]) -> list[str]:
    return [r["name"] for r in results]


@pytest.mark.parametrize("text, folded", [
    ("CHALON-SUR-SAÔNE", "chalon sur saone"),
    ("L'Île-d'Yeu", "l ile d yeu"),
    ("L’Île d’Yeu", "l ile d yeu"),
    ("Cœuvres-et-Valsery", "coeuvres et valsery"),
    ("  Saint--Étienne  ", "saint etienne"),
    ("Montceaux-l'Étoile", "montceaux l etoile"),
    ("71 100", "71 100"),
    ("", ""),
])
def test_fold_ignores_case_accents_and_punctuation(text, folded):
    assert finder.fold(text) == folded


@pytest.mark.parametrize("query", ["Le Creusot", "le creusot", "LE-CREUSOT", "creusot"])
def test_name_search_finds_le_creusot_first(petit, query):
    assert names(finder.search(petit, query))[0] == "Le Creusot"


def test_name_search_finds_hyphenated_and_accented_names(petit):
    assert names(finder.search(petit, "MONTCEAU LES MINES"))[0] == "Montceau-les-Mines"
    assert names(finder.search(petit, "montceaux l etoile")) == ["Montceaux-l'Étoile"]


def test_exact_name_comes_before_longer_names(petit):
    assert names(finder.search(petit, "autun"))[0] == "Autun"


def test_st_and_saint_find_each_other(petit):
    assert names(finder.search(petit, "st vallier"))[0] == "Saint-Vallier"
    assert names(finder.search(petit, "saint vallier"))[0] == "Saint-Vallier"
    assert "Sainte-Hélène" in names(finder.search(petit, "ste helene"))
    assert "Mont-Saint-Vincent" in names(finder.search(petit, "mont st vincent"))


def test_shipped_names_from_the_brief(shipped):
    assert names(finder.search(shipped, "chalon sur saone"))[0] == "Chalon-sur-Saône"
    assert names(finder.search(shipped, "CHALON-SUR-SAÔNE"))[0] == "Chalon-sur-Saône"
    assert names(finder.search(shipped, "st etienne"))[0] == "Saint-Étienne"
    assert names(finder.search(shipped, "l ile d yeu"))[0] == "L'Île-d'Yeu"


def test_results_are_exact_name_then_prefix_then_word_start_then_population(petit):
    population = dict(zip(*[tables(FIXTURE)["communes"][c] for c in ("insee_com", "population")]))
    results = finder.search(petit, "mont", limit=100)
    tiers = [0 if finder.fold(r["name"]) == "mont" else 1 if finder.fold(r["name"]).startswith("mont") else 2
             for r in results]
    assert tiers == sorted(tiers) and set(tiers) == {0, 1, 2}  # Mont, Montceau-les-Mines…, Villeneuve-en-Montagne
    for tier in (0, 1, 2):
        pops = [int(population[r["insee"]]) for r, t in zip(results, tiers) if t == tier]
        assert pops == sorted(pops, reverse=True)


def test_postcode_finds_every_commune_of_that_postcode_even_beyond_the_limit(petit):
    communes = tables(FIXTURE)["communes"]
    expected = set(communes.insee_com[communes.codes_postaux.str.split(" ").apply(lambda codes: "71390" in codes)])
    found = finder.search(petit, "71390", limit=10)
    assert len(expected) > 10 and {r["insee"] for r in found[:-1]} == expected
    assert all("71390" in r["postcodes"] for r in found[:-1])
    # 71390 is also the INSEE code of Saint-Berain-sous-Sanvignes (postcode 71300): that commune comes last
    assert found[-1]["insee"] == "71390" and len(found) == len(expected) + 1


def test_insee_code_finds_its_commune(petit):
    assert names(finder.search(petit, "71153")) == ["Le Creusot"]


def test_short_code_is_a_prefix_of_postcodes_or_insee_codes(petit):
    found = finder.search(petit, "713")
    assert len(found) == 10
    assert all(r["insee"].startswith("713") or any(p.startswith("713") for p in r["postcodes"]) for r in found)


def test_corsican_insee_codes(shipped):
    assert names(finder.search(shipped, "2A004")) == ["Ajaccio"]
    assert names(finder.search(shipped, "2b033")) == names(finder.search(shipped, "2B033")) != []


def test_commune_gives_its_current_and_previous_territory(petit):
    (montceau,) = finder.search(petit, "71306")
    assert montceau["current"]["id"] == "ti-2703" and montceau["current"]["phase"] == "2023-2027"
    assert montceau["current"]["name"] == "Bourgogne Industrie"
    assert montceau["previous"]["id"] == "ti-2708" and montceau["previous"]["phase"] == "2019-2022"
    assert montceau["previous"]["name"] == "Ouest Saône-et-Loire"  # not Nord Franche-Comté, ti-2708 of 2023-2027
    assert montceau["current"]["url"] == "territoires/2023-2027/ti-2703/"
    assert montceau["previous"]["url"] == "territoires/2019-2022/ti-2708/"
    assert montceau["dep_name"] == "Saône-et-Loire" and montceau["postcodes"] == ["71300"]


def test_commune_that_entered_the_programme_in_2023_has_only_a_current_territory(petit):
    (buxy,) = finder.search(petit, "71070")  # Buxy: CC Sud Côte Chalonnaise joined Grand Chalon in 2023
    assert buxy["current"]["id"] == "ti-2704" and buxy["previous"] is None
    assert buxy["change"] == "Entrée dans le programme en 2023."


def test_marcigny_is_in_no_territory(petit):
    (marcigny,) = finder.search(petit, "71275")
    assert marcigny["current"] is None and marcigny["previous"] is None


def test_index_is_deterministic_and_sorted(petit):
    t = tables(FIXTURE)
    first = finder.index_json(finder.build_index(**t, **page_urls(t)))
    shuffled = {name: frame.sample(frac=1, random_state=1) for name, frame in t.items()}
    assert finder.index_json(finder.build_index(**shuffled, **page_urls(t))) == first
    assert [row[2] + "/" + row[0] for row in petit["territories"]] == [
        "2019-2022/ti-2702", "2019-2022/ti-2708", "2023-2027/ti-2703", "2023-2027/ti-2704", "2023-2027/ti-2708"]
    assert petit["communes"][0][1] == "Dijon"  # the most populous commune of the fixture first


def test_a_territory_without_a_page_is_refused():
    t = tables(FIXTURE)
    pages = page_urls(t)
    del pages["territory_urls"]["2023-2027/ti-2708"]
    with pytest.raises(BuildError, match="2023-2027/ti-2708"):
        finder.build_index(**t, **pages)


def test_a_departement_without_a_page_is_refused():
    t = tables(FIXTURE)
    pages = page_urls(t)
    del pages["departement_urls"]["2A"]
    with pytest.raises(BuildError, match="Recherche : pas d'adresse de page pour le département 2A"):
        finder.build_index(**t, **pages)


def test_shipped_sample_gives_the_perimeter_territories(shipped):
    t = tables(SHIPPED)
    expected: dict[str, dict[str, str]] = {}
    for insee, id_ti, phase in zip(t["perimeter"].insee_com, t["perimeter"].id_ti, t["perimeter"].phase):
        expected.setdefault(insee, {})[phase] = id_ti
    for insee in random.Random(2024).sample(sorted(t["communes"].insee_com), 50):
        (commune,) = [r for r in finder.search(shipped, insee) if r["insee"] == insee]
        found = {r["phase"]: r["id"] for r in (commune["current"], commune["previous"]) if r}
        assert found == expected.get(insee, {}), insee


def test_shipped_index_is_under_600_kb_gzipped(shipped):
    raw = finder.index_json(shipped).encode()
    size = len(gzip.compress(raw, compresslevel=9))
    print(f"communes.json : {len(raw) / 1000:.0f} ko, {size / 1000:.0f} ko compressé (gzip -9)")
    assert len(shipped["communes"]) == 34875 and size < 600_000


def kinds(found: list[dict]) -> list[tuple[str, str]]:
    return [(place["kind"], place["name"]) for place in found]


def test_name_followed_by_a_departement_code_or_a_postcode_keeps_the_communes_there(shipped):
    everywhere = finder.search(shipped, "beaumont", limit=100)
    assert len({r["dep"] for r in everywhere if r["name"] == "Beaumont"}) > 3
    for query in ["beaumont 63", "Beaumont (63)", "beaumont 63110"]:
        first = finder.search(shipped, query)[0]
        assert (first["name"], first["dep"]) == ("Beaumont", "63"), query
    assert [(r["name"], r["dep"]) for r in finder.search(shipped, "st pierre 974")][0] == ("Saint-Pierre", "974")
    assert {r["dep"] for r in finder.search(shipped, "san 2b")} == {"2B"}


def test_places_put_territories_first_then_regions_departements_epci_and_communes(petit):
    assert kinds(finder.places(petit, "chalon"))[:6] == [
        ("territoire", "Grand Chalon"), ("territoire", "Grand Chalon"), ("epci", "CA Le Grand Chalon"),
        ("epci", "CC Sud Côte Chalonnaise"), ("commune", "Chalon-sur-Saône"), ("commune", "Châlonvillars")]
    assert [place.get("phase") for place in finder.places(petit, "grand chalon")] == ["2023-2027", "2019-2022", None]
    assert kinds(finder.places(petit, "bourgogne")) == [
        ("territoire", "Bourgogne Industrie"), ("region", "Bourgogne-Franche-Comté"), ("epci", "CC Brionnais Sud Bourgogne")]


def test_an_exact_name_comes_first_whatever_its_kind(petit, shipped):
    assert kinds(finder.places(petit, "saone et loire")) == [
        ("departement", "Saône-et-Loire"), ("territoire", "Ouest Saône-et-Loire")]
    assert kinds(finder.places(shipped, "Vosges"))[:2] == [("territoire", "Vosges"), ("departement", "Vosges")]
    assert kinds(finder.places(shipped, "bretagne"))[:2] == [("region", "Bretagne"), ("commune", "Bretagne")]


def test_places_give_what_their_line_shows_and_where_it_leads(petit):
    territory = finder.places(petit, "grand chalon")[0]
    assert territory == {"kind": "territoire", "id": "ti-2704", "name": "Grand Chalon", "phase": "2023-2027",
                         "url": "territoires/2023-2027/ti-2704/", "departements": ["Saône-et-Loire"]}
    assert finder.places(petit, "bourgogne franche comte")[0] == {
        "kind": "region", "code": "27", "name": "Bourgogne-Franche-Comté", "url": "regions/27-bourgogne-franche-comte/"}
    epci, = finder.places(petit, "200040038")  # a SIREN
    assert epci["name"] == "CC Saône Doubs Bresse" and epci["dep_url"] == "departements/71-saone-et-loire/"
    assert [(t["phase"], t["name"]) for t in epci["territories"]] == [("2023-2027", "Grand Chalon")]
    le_grand_chalon = finder.places(petit, "CA Le Grand Chalon")[0]
    assert [t["phase"] for t in le_grand_chalon["territories"]] == ["2023-2027", "2019-2022"]
    marcigny = finder.places(petit, "marcigny")
    assert kinds(marcigny) == [("commune", "Marcigny"), ("epci", "CC de Marcigny")]
    assert marcigny[0]["current"] is None and marcigny[1]["territories"] == []
    assert marcigny[0]["dep_url"] == marcigny[1]["dep_url"] == "departements/71-saone-et-loire/"


def test_a_code_gives_its_departement_then_its_communes(petit, shipped):
    assert kinds(finder.places(petit, "71"))[:2] == [("departement", "Saône-et-Loire"), ("commune", "Chalon-sur-Saône")]
    assert kinds(finder.places(shipped, "2a"))[:2] == [("departement", "Corse-du-Sud"), ("commune", "Ajaccio")]
    assert kinds(finder.places(shipped, "974"))[0] == ("departement", "La Réunion")
    postcode = finder.places(petit, "71390")  # every commune of a postcode, beyond the limit of names
    assert len(postcode) > finder.PLACES and {p["kind"] for p in postcode} == {"commune"}


def test_a_territory_name_ending_with_a_number_is_not_a_commune_and_a_code(shipped):
    assert kinds(finder.places(shipped, "cergy ouest 95")) == [
        ("territoire", "Cergy Ouest 95"), ("territoire", "Cergy - Ouest 95")]


def test_finder_html_has_what_the_script_looks_for():
    html = finder.FINDER_HTML.format(racine="../")
    script = SCRIPT.read_text(encoding="utf-8")
    for selector in ["recherche-commune", "commune-saisie", "commune-resultats", "commune-etat"]:
        assert selector in html and selector in script
    assert 'data-index="../assets/communes.json"' in html and 'data-racine="../"' in html


def test_script_never_parses_data_as_html():
    script = SCRIPT.read_text(encoding="utf-8")
    assert not re.search(r"innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function", script)


NODE_QUERIES = [
    "le creusot", "LE-CREUSOT", "creusot", "montceau les mines", "autun", "st vallier", "saint vallier",
    "ste", "mont st vincent", "marcigny", "mont", "sa", "71390", "71300", "71153", "713", "7", "71 1",
    "chalon sur saone", "l étoile", "", "   ", "zzz", "sainte helene", "montceau 71", "mont 713", "autun (71)",
]
PLACE_QUERIES = [
    "chalon", "grand chalon", "Grand-Chalon", "bourgogne", "saone et loire", "71", "2a", "21", "713", "71390",
    "200040038", "CA Le Grand Chalon", "marcigny", "mont", "st", "nord franche comte", "ouest", "beaune 21", "", "zzz",
]


def test_js_search_and_places_give_the_python_results(petit, tmp_path):
    if shutil.which("node") is None:  # skipped on a workstation, a failure in CI (TI_E2E_OBLIGATOIRE=1)
        missing("node est absent (apt-get install nodejs) : la recherche JS n'est pas comparée à la recherche Python.")
    (tmp_path / "index.json").write_text(json.dumps(petit), encoding="utf-8")
    (tmp_path / "queries.json").write_text(json.dumps(NODE_QUERIES), encoding="utf-8")
    (tmp_path / "places.json").write_text(json.dumps(PLACE_QUERIES), encoding="utf-8")
    program = (f"const f = require({json.dumps(str(SCRIPT))});"
               "const index = require('./index.json'), queries = require('./queries.json');"
               "const places = require('./places.json').map((q) => f.places(index, q));"
               "process.stdout.write(JSON.stringify([queries.map((q) => [f.fold(q), f.search(index, q)]), places]));")
    out = subprocess.run(["node", "-e", program], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    communes, places = json.loads(out)
    for query, (folded, results) in zip(NODE_QUERIES, communes):
        assert folded == finder.fold(query), query
        assert results == finder.search(petit, query), query
    for query, results in zip(PLACE_QUERIES, places):
        assert results == finder.places(petit, query), query


def test_commune_that_left_the_programme_in_2023_says_so(shipped):
    t = tables(SHIPPED)
    current = set(t["perimeter"].insee_com[t["perimeter"].phase == "2023-2027"])
    left = sorted(set(t["perimeter"].insee_com[t["perimeter"].phase == "2019-2022"]) - current)
    (commune,) = [r for r in finder.search(shipped, left[0]) if r["insee"] == left[0]]
    assert commune["current"] is None and commune["previous"] is not None
    assert commune["change"] == "Sortie du programme en 2023."
