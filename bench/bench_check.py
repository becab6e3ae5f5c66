#!/usr/bin/env python3
"""Banc d'essai de `check` : paquet livré, paquet dix fois plus grand, et plancher (pyarrow lit les mêmes CSV).

Prints times in seconds and, above all, ratios measured in this one run (the machines are shared and noisy).
Cold times bypass the cache (.cache/controle/); the warm time is an unchanged package answered from it.
The 10× package multiplies projects and envelopes by ten; territories and perimeters cannot grow tenfold
(France has not ten times more communes), so the referential and perimeters stay as shipped.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyarrow.csv as pacsv

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cibles import Targets  # noqa: E402

from tidata.check.package import check_package  # noqa: E402
from tidata.core.project import Project, copy_sources  # noqa: E402

REPEAT = 3


def timed(function) -> float:
    times = []
    for _ in range(REPEAT):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def read_all_csv(project: Project) -> None:
    for resource in project.tables:
        pacsv.read_csv(project.path(resource), convert_options=pacsv.ConvertOptions(strings_can_be_null=False))


def ten_times_package(folder: Path) -> Project:
    copy_sources(ROOT, folder, ("datapackage.yaml", "schemas"))
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generer_exemples.py"), "--echelle", "10", "--sortie", str(folder / "datasets")],
        check=True, capture_output=True,
    )
    return Project(folder)


def rows(project: Project) -> int:
    return sum(sum(1 for _ in open(project.path(r), encoding="utf-8")) - 1 for r in project.tables)


def main() -> None:
    shipped = Project(ROOT)
    with tempfile.TemporaryDirectory() as tmp:
        big = ten_times_package(Path(tmp))
        assert check_package(big, use_cache=False).ok, "le paquet 10× doit être valide"
        floor = timed(lambda: read_all_csv(shipped))
        small = timed(lambda: check_package(shipped, use_cache=False))
        large = timed(lambda: check_package(big, use_cache=False))
        check_package(shipped)
        warm = timed(lambda: check_package(shipped))
        targets = Targets()
        print(f"check, paquet livré ({rows(shipped)} lignes)  : {small:.2f} s   "
              + targets.compare("check du paquet livré", small, "<", 5, "s"))
        print(f"check, paquet 10× ({rows(big)} lignes)     : {large:.2f} s")
        print(f"plancher (pyarrow lit les mêmes CSV)   : {floor:.3f} s")
        print(f"ratio 10× / livré                      : {large / small:.2f}   "
              + targets.compare("ratio check 10× / livré", large / small, "<", 10))
        print(f"ratio livré / plancher                 : {small / floor:.0f}")
        print(f"check à chaud, rien n'a changé (cache) : {warm:.2f} s   "
              + targets.compare("check à chaud", warm, "<", 1, "s") + " (hors démarrage de Python)")
        targets.exit()


if __name__ == "__main__":
    main()
