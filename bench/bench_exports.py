#!/usr/bin/env python3
"""Banc d'essai des téléchargements : temps de construction de tous les fichiers du paquet livré, taille du
Parquet de `communes` rapportée à son CSV, taille du zip rapportée à la somme de ses fichiers.

Prints the median wall time of a few cold builds (a copy of the project in a temporary folder, its output cache
emptied before each: the repository's .cache/ would answer in a fraction of a second) with the CPU time beside it
(on a shared machine the CPU time says what the work costs, the wall time what the parallel threads save), and
ratios measured in this one run.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cibles import Targets  # noqa: E402

from tidata.core.project import Project, copy_sources  # noqa: E402
from tidata.exports.downloads import BUNDLE, WORKERS, build_downloads  # noqa: E402
from tidata.model.views import Catalogue  # noqa: E402

REPEAT = 3


def timed_builds(project: Project) -> tuple[float, float, list]:
    walls, cpus, downloads = [], [], []
    for _ in range(REPEAT):
        shutil.rmtree(project.root / ".cache", ignore_errors=True)
        project = Project(project.root)  # a fresh output cache
        wall, cpu = time.perf_counter(), time.process_time()
        downloads = build_downloads(Catalogue.read(project), updated="2026-01-01")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus), downloads


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        wall, cpu, downloads = timed_builds(Project(copy_sources(ROOT, Path(tmp) / "projet")))
    files = {d.name: d for d in downloads}
    zipped = files[f"{BUNDLE}.zip"].size
    total = sum(d.size for name, d in files.items() if name != f"{BUNDLE}.zip")
    parquet, csv = files["communes.parquet"].size, files["communes.csv"].size
    by_format = defaultdict(int)
    for d in downloads:
        by_format[d.format] += d.size
    rows = sum(d.rows or 0 for d in downloads if d.format == "csv")
    print(f"téléchargements, paquet livré ({rows} lignes, {len(downloads)} fichiers)")
    targets = Targets()
    print(f"  construction (médiane de {REPEAT})           : {wall:.2f} s   "
          + targets.compare("construction des téléchargements", wall, "<", 10, "s") + " sur 2 cœurs")
    print(f"  temps processeur, tous fils           : {cpu:.2f} s   ({WORKERS} fils auxiliaires, {os.cpu_count()} cœurs)")
    print(f"  Parquet communes / CSV communes       : {parquet / csv:.1%}   ({parquet} / {csv} octets) "
          + targets.compare("Parquet / CSV de communes", 100 * parquet / csv, "<", 35, "%"))
    print(f"  zip / somme de ses fichiers           : {zipped / total:.1%}   ({zipped} / {total} octets) "
          + targets.compare("zip / somme de ses fichiers", 100 * zipped / total, "<", 50, "%"))
    print("  par format : " + ", ".join(f"{fmt} {size / 1e6:.2f} Mo" for fmt, size in sorted(by_format.items())))
    targets.exit()


if __name__ == "__main__":
    main()
