"""The real perimeters: scripts/deriver_perimetres.py run again on the vendored ANCT files and COG extracts gives
the committed CSV files byte for byte, and what they hold matches what ANCT publishes."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest
from conftest import ROOT, read_rows

DERIVED = ["territoires.csv", "territoires_groupements.csv", "territoires_communes.csv", "territoires_filiations.csv",
           "communes_evolution.csv", "RAPPORT_PERIMETRES.md"]


def rows(name: str) -> list[dict]:
    return read_rows(ROOT / "datasets" / name)[1]


@pytest.fixture(scope="module")
def derived(tmp_path_factory):
    out = tmp_path_factory.mktemp("derivation")
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "deriver_perimetres.py"), "--sortie", str(out)],
                            capture_output=True, text=True, timeout=600)
    return out, result


def test_derivation_passes_its_own_validation(derived):
    _, result = derived
    assert result.returncode == 0, result.stderr
    assert "2023-2027 : 183 territoires, 641 groupements" in result.stdout
    assert "2019-2022 : 149 territoires, 588 groupements" in result.stdout


@pytest.mark.parametrize("name", DERIVED)
def test_derivation_gives_the_committed_files_byte_for_byte(derived, name):
    out, _ = derived
    assert (out / "datasets" / name).read_bytes() == (ROOT / "datasets" / name).read_bytes(), name


def test_committed_counts_are_anct_s():
    territories = Counter(r["phase"] for r in rows("territoires.csv"))
    groupings = Counter(r["phase"] for r in rows("territoires_groupements.csv"))
    assert territories == {"2019-2022": 149, "2023-2027": 183}
    assert groupings == {"2019-2022": 588, "2023-2027": 641}
    natures = Counter(r["nature_groupement"] for r in rows("territoires_groupements.csv") if r["phase"] == "2023-2027")
    assert natures["EPT"] == 3 and natures["COM"] == 12 and sum(natures.values()) - 15 == 626


def test_every_territory_below_the_threshold_is_explained_in_the_report():
    report = (ROOT / "datasets" / "RAPPORT_PERIMETRES.md").read_text(encoding="utf-8")
    assert "aucune explication" not in report
    assert report.count("— sous le seuil") == report.count("- Explication : ")


def test_identifiers_are_reused_between_phases_for_other_territories():
    names = {(r["phase"], r["id_ti"]): r["lib_ti"] for r in rows("territoires.csv")}
    both = {i for p, i in names if p == "2019-2022"} & {i for p, i in names if p == "2023-2027"}
    assert len(both) == 145
    assert names[("2019-2022", "ti-0101")] == "Communauté d'agglomération Cap Excellence"
    assert names[("2023-2027", "ti-0101")] == "Basse-Terre"


def test_communes_that_changed_code_since_2023_are_under_their_cog_2026_code():
    perimeter = {(r["phase"], r["insee_com"]): r["id_ti"] for r in rows("territoires_communes.csv")}
    assert perimeter[("2023-2027", "71566")] == "ti-2704" and ("2023-2027", "71131") not in perimeter  # Ciel → Verdun-Ciel
    assert ("2023-2027", "12218") in perimeter and ("2023-2027", "12076") not in perimeter  # Conques-en-Rouergue
    assert perimeter[("2023-2027", "15171")] == perimeter[("2023-2027", "15141")]  # Sainte-Anastasie, rétablie


def test_montbeliard_and_le_creusot_are_in_their_territories():
    perimeter = {(r["phase"], r["insee_com"]): r["lib_ti"] for r in rows("territoires_communes.csv")}
    assert perimeter[("2023-2027", "25388")] == "Nord Franche-Comté"
    assert perimeter[("2023-2027", "71153")] == "Bourgogne Industrie"


def test_a_territory_may_have_several_predecessors_computed_from_shared_communes():
    predecessors = Counter((r["phase"], r["id_ti"]) for r in rows("territoires_filiations.csv"))
    assert max(predecessors.values()) >= 2
    cap_excellence = [r for r in rows("territoires_filiations.csv") if r["id_ti"] == "ti-0102"]
    assert [(r["id_ti_precedent"], r["part_territoire"]) for r in cap_excellence] == [("ti-0101", "100.0")]


def test_commune_list_groupings_are_inferred_as_anct_lists_them():
    from tidata.model.cog import CogYear
    from tidata.model.perimeters import infer_groupings

    sys.path.insert(0, str(ROOT / "scripts"))
    from perimetres import anct
    from perimetres.parametres import PHASES

    for phase in PHASES:
        cog = CogYear(ROOT, phase.cog_year)
        territories = anct.read_phase(phase)
        members = {t.id_ti: {code for siren in t.sirens for code in cog.grouping(siren).communes} for t in territories}
        inferred = infer_groupings(members, cog)
        assert {t.id_ti: sorted(t.sirens) for t in territories} == inferred, phase.name


def test_evolution_counts_reconcile_with_both_phases():
    perimeter = rows("territoires_communes.csv")
    evolution = Counter(r["statut"] for r in rows("communes_evolution.csv"))
    before = sum(1 for r in perimeter if r["phase"] == "2019-2022")
    after = sum(1 for r in perimeter if r["phase"] == "2023-2027")
    assert before == evolution["maintenue"] + evolution["changement de territoire"] + evolution["sortie"] == 16155
    assert after == evolution["maintenue"] + evolution["changement de territoire"] + evolution["entree"] == 18640
