"""The commune finder: its index, and the search that the Python twin and the browser script share."""

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
from tidata import finder, urls
from tidata.errors import BuildError

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
    }


def index_of(datasets: Path) -> dict:
    """The index as the browser gets it: built, written, read back."""
    t = tables(datasets)
    territories = t["territories"]
    territory_urls = {i: urls.page_url(urls.territory_page(i, name)) for i, name in zip(territories.id_ti, territories.lib_ti)}
    return json.loads(finder.index_json(finder.build_index(**t, territory_urls=territory_urls)))


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
    assert montceau["current"]["id"] == "ti-ex-2001" and montceau["current"]["phase"] == "2023-2027"
    assert montceau["previous"]["id"] == "ti-ex-1001" and montceau["previous"]["phase"] == "2019-2022"
    assert montceau["current"]["url"].startswith("territoires/ti-ex-2001-") and montceau["current"]["url"].endswith("/")
    assert montceau["dep_name"] == "Saône-et-Loire" and montceau["postcodes"] == ["71300"]


def test_autun_is_only_in_a_current_territory(petit):
    (autun,) = finder.search(petit, "71014")
    assert autun["current"]["id"] == "ti-ex-2002" and autun["previous"] is None


def test_marcigny_is_in_no_territory(petit):
    for commune in finder.search(petit, "71110"):
        assert commune["current"] is None and commune["previous"] is None


def test_index_is_deterministic_and_sorted(petit):
    t = tables(FIXTURE)
    territory_urls = {i: f"territoires/{i}/" for i in t["territories"].id_ti}
    first = finder.index_json(finder.build_index(**t, territory_urls=territory_urls))
    shuffled = {name: frame.sample(frac=1, random_state=1) for name, frame in t.items()}
    assert finder.index_json(finder.build_index(**shuffled, territory_urls=territory_urls)) == first
    assert [row[0] for row in petit["territories"]] == ["ti-ex-1001", "ti-ex-2001", "ti-ex-2002"]
    assert petit["communes"][0][1] == "Le Creusot"  # the most populous commune of the fixture first


def test_a_territory_without_a_page_is_refused():
    t = tables(FIXTURE)
    with pytest.raises(BuildError, match="ti-ex-2002"):
        finder.build_index(**t, territory_urls={"ti-ex-1001": "a/", "ti-ex-2001": "b/"})


def test_shipped_sample_gives_the_perimeter_territories(shipped):
    t = tables(SHIPPED)
    phases = dict(zip(t["territories"].id_ti, t["territories"].phase))
    expected: dict[str, dict[str, str]] = {}
    for insee, id_ti in zip(t["perimeter"].insee_com, t["perimeter"].id_ti):
        expected.setdefault(insee, {})[phases[id_ti]] = id_ti
    for insee in random.Random(2024).sample(sorted(t["communes"].insee_com), 50):
        (commune,) = [r for r in finder.search(shipped, insee) if r["insee"] == insee]
        found = {r["phase"]: r["id"] for r in (commune["current"], commune["previous"]) if r}
        assert found == expected.get(insee, {}), insee


def test_shipped_index_is_under_600_kb_gzipped(shipped):
    raw = finder.index_json(shipped).encode()
    size = len(gzip.compress(raw, compresslevel=9))
    print(f"communes.json : {len(raw) / 1000:.0f} ko, {size / 1000:.0f} ko compressé (gzip -9)")
    assert len(shipped["communes"]) == 34875 and size < 600_000


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
    "chalon sur saone", "l étoile", "", "   ", "zzz", "sainte helene",
]


def test_js_search_gives_the_python_results(petit, tmp_path):
    if shutil.which("node") is None:  # skipped on a workstation, a failure in CI (TI_E2E_OBLIGATOIRE=1)
        missing("node est absent (apt-get install nodejs) : la recherche JS n'est pas comparée à la recherche Python.")
    (tmp_path / "index.json").write_text(json.dumps(petit), encoding="utf-8")
    (tmp_path / "queries.json").write_text(json.dumps(NODE_QUERIES), encoding="utf-8")
    program = (f"const f = require({json.dumps(str(SCRIPT))});"
               "const index = require('./index.json'), queries = require('./queries.json');"
               "process.stdout.write(JSON.stringify(queries.map((q) => [f.fold(q), f.search(index, q)])));")
    out = subprocess.run(["node", "-e", program], cwd=tmp_path, capture_output=True, text=True, check=True).stdout
    for query, (folded, results) in zip(NODE_QUERIES, json.loads(out)):
        assert folded == finder.fold(query), query
        assert results == finder.search(petit, query), query
