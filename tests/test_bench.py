"""The benches (bench/, run by `make bench`) compare every target they print and exit 1 when one is missed."""

import re

import pytest
from conftest import ROOT

from bench.cibles import Targets


def test_a_missed_target_is_marked_and_fails_the_bench(capsys):
    targets = Targets()
    assert targets.compare("check", 4.2, "<", 5, "s") == "(cible : < 5 s)"
    assert targets.compare("page d'accueil", 410, "<", 400, "Ko") == "(cible : < 400 Ko)   MANQUÉE"
    with pytest.raises(SystemExit) as stop:
        targets.exit()
    assert stop.value.code == 1
    assert "1 cible(s) manquée(s) sur 2 :\n  - page d'accueil : 410 Ko, cible < 400 Ko" in capsys.readouterr().err


def test_a_bench_whose_targets_are_met_exits_0(capsys):
    targets = Targets()
    targets.compare("ratio", 0.18 * 100, "≤", 20, "%")
    targets.exit()
    assert "Toutes les cibles sont atteintes (1)." in capsys.readouterr().out


@pytest.mark.parametrize("bench", sorted(path.name for path in (ROOT / "bench").glob("bench_*.py")))
def test_every_target_a_bench_prints_goes_through_the_comparison(bench):
    text = (ROOT / "bench" / bench).read_text(encoding="utf-8")
    assert not re.search(r"cible\s*:", text), "une cible écrite à la main n'est pas comparée : targets.compare(...)"
    assert text.count("targets.compare(") >= 2 and "targets.exit()" in text
