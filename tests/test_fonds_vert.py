"""The Fonds vert grants: scripts/deriver_fonds_vert.py run again gives the committed file, every grant of the
ministry's file is kept, and the amounts add up whatever way they are split."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

from conftest import ROOT, read_rows

TOTAL_EUR = 1_956_354_884  # the ministry's 10,782 grants of 2023: 1,956.35 M€


def grants() -> list[dict]:
    return read_rows(ROOT / "datasets" / "fonds_vert.csv")[1]


def test_derivation_gives_the_committed_file_byte_for_byte(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "deriver_fonds_vert.py"), "--sortie", str(tmp_path)],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    for name in ("fonds_vert.csv", "RAPPORT_FONDS_VERT.md"):
        assert (tmp_path / "datasets" / name).read_bytes() == (ROOT / "datasets" / name).read_bytes(), name


def test_every_grant_of_the_source_is_kept_with_its_amount():
    rows = grants()
    assert len(rows) == 10_782
    assert abs(sum(float(r["montant_eur"]) for r in rows) - TOTAL_EUR) < 1
    with open(ROOT / "datasets" / "sources" / "fonds_vert" / "fonds_vert_2023.csv", encoding="utf-8") as f:
        assert sum(1 for _ in f) - 1 == len(rows)


def test_territories_outside_and_unattached_add_up_to_the_total():
    rows = grants()
    by_territory = Counter()
    outside = unattached = 0.0
    for r in rows:
        amount = float(r["montant_eur"])
        if r["id_ti"]:
            by_territory[(r["phase"], r["id_ti"])] += amount
        elif r["insee_com"]:
            outside += amount
        else:
            unattached += amount
    assert abs(sum(by_territory.values()) + outside + unattached - TOTAL_EUR) < 1
    assert len(by_territory) > 150 and all(phase == "2023-2027" for phase, _ in by_territory)
    assert sum(1 for r in rows if not r["insee_com"]) == 827  # « NULL » in the source: counted, never dropped


def test_a_grant_in_an_arrondissement_of_paris_lyon_or_marseille_is_placed_in_its_city():
    placed = {(r["insee_com_source"], r["insee_com"]) for r in grants() if r["insee_com_source"][:3] in ("751", "693", "132")}
    assert ("75104", "75056") in placed and ("69387", "69123") in placed and ("13208", "13055") in placed
