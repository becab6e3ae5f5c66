#!/usr/bin/env python3
"""Banc d'essai de croissance : durée et mémoire de `check` et de la construction, paquet d'exemple 1× contre 10×.

Two copies of the project are made in a temporary folder (datasets/ and site/ of the repository are left alone),
each with the real territories and perimeters and generated projects and envelope shares
(`scripts/generer_exemples.py --echelle N`): 1× (about six projects per territory, as a real action plan) and
10×. The real perimeters cannot grow tenfold, so only projects and envelopes do; the row counts and the factor
actually achieved are printed per resource.

Each measured command (`python build.py check`, then `python build.py`, with `--racine <copy>`) runs cold (the
copy's .cache/ and site/ are deleted first) in its own fresh wrapper process, which prints the command's wall time
and its own RUSAGE_CHILDREN ru_maxrss: the peak resident memory of the largest single process of that command
(the build forks 2 page workers; their memory is not added up, the figure is that of the biggest one).
Times and ratios come from this one run (the machine is shared and noisy): check is the median of REPEAT runs,
the full build runs once. A missed target is marked « MANQUÉE » and the bench exits 1 (as when a command fails).
"""

from __future__ import annotations

import csv
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from cibles import Targets

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tidata.core.project import SOURCES, copy_sources  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCALE = 10
REPEAT = 3
MAX_RATIO = 12  # 10× data in at most 12× the time: linear growth
MAX_PEAK_MB = 2048  # peak memory under 2 GB at 10×

# Runs one command and prints its wall time and the peak RSS of its largest process (Linux: kilobytes).
WRAPPER = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
seconds = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": done.returncode, "seconds": seconds, "maxrss_kb": peak, "stderr": done.stderr[-3000:]}))
"""


def make_copy(folder: Path, scale: int) -> Path:
    copy_sources(ROOT, folder, tuple(name for name in SOURCES if name != "datasets"))
    subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "generer_exemples.py"), "--echelle", str(scale), "--sortie", str(folder / "datasets")],
        check=True, capture_output=True,
    )
    return folder


REFERENTIAL = {"regions", "departements", "epci", "communes"}  # the real geography, the same at every scale


def resource_rows(root: Path) -> dict[str, int]:
    """Data rows of each CSV resource of the package (header excluded; quoted line breaks counted right)."""
    import yaml

    descriptor = yaml.safe_load((root / "datapackage.yaml").read_text(encoding="utf-8"))
    counts = {}
    for resource in descriptor.get("resources", []):
        path = root / resource["path"]
        if path.suffix == ".csv":
            with open(path, encoding="utf-8", newline="") as f:
                counts[resource["name"]] = sum(1 for _ in csv.reader(f)) - 1
    return counts


def measure(root: Path, *command: str) -> dict:
    """One cold run of `build.py [command] --racine root` in a fresh wrapper process."""
    for stale in (".cache", "site"):
        shutil.rmtree(root / stale, ignore_errors=True)
    cmd = [sys.executable, str(ROOT / "build.py"), "--racine", str(root), *command]
    out = subprocess.run([sys.executable, "-c", WRAPPER, *cmd], check=True, capture_output=True, text=True).stdout
    result = json.loads(out)
    if result["rc"] != 0:
        sys.exit(f"échec de « {' '.join(cmd)} » (code {result['rc']}) :\n{result['stderr']}")
    return result


def mb(result: dict) -> float:
    return result["maxrss_kb"] / 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        small = make_copy(Path(tmp) / "x1", 1)
        large = make_copy(Path(tmp) / f"x{SCALE}", SCALE)

        rows_small, rows_large = resource_rows(small), resource_rows(large)
        print(f"lignes par ressource : 1× → {SCALE}× (facteur obtenu)")
        for name, count in rows_small.items():
            print(f"  {name:<22} {count:>7} → {rows_large[name]:>7}   ({rows_large[name] / count:.2f}×)")
        programme = [name for name in rows_small if name not in REFERENTIAL]
        for label, names in (("total hors référentiel", programme), ("total", list(rows_small))):
            before, after = sum(rows_small[n] for n in names), sum(rows_large[n] for n in names)
            print(f"  {label:<22} {before:>7} → {after:>7}   ({after / before:.2f}×)")
        print("  (territoires et périmètres réels, les mêmes aux deux échelles ; projets et enveloppes générés ; "
              "référentiel, sites et chiffres clés inchangés)")

        checks = {small: [], large: []}
        for _ in range(REPEAT):  # interleaved, so that a slow spell of the machine hits both sizes
            for root in (small, large):
                checks[root].append(measure(root, "check"))
        builds = {root: measure(root) for root in (small, large)}  # `python build.py`: the full build

        def seconds(runs: list[dict]) -> float:
            return statistics.median(run["seconds"] for run in runs)

        def peak(runs: list[dict]) -> float:
            return max(mb(run) for run in runs)

        check_small, check_large = seconds(checks[small]), seconds(checks[large])
        build_small, build_large = builds[small]["seconds"], builds[large]["seconds"]
        check_ratio, build_ratio = check_large / check_small, build_large / build_small
        print(f"check à froid, 1×  : {check_small:6.1f} s   (médiane de {REPEAT})")
        print(f"check à froid, {SCALE}× : {check_large:6.1f} s")
        targets = Targets()
        print(f"ratio check {SCALE}× / 1×        : {check_ratio:.2f}   "
              + targets.compare(f"ratio check {SCALE}× / 1×", check_ratio, "≤", MAX_RATIO))
        print(f"construction complète, 1×  : {build_small:6.1f} s")
        print(f"construction complète, {SCALE}× : {build_large:6.1f} s")
        print(f"ratio construction {SCALE}× / 1× : {build_ratio:.2f}   "
              + targets.compare(f"ratio construction {SCALE}× / 1×", build_ratio, "≤", MAX_RATIO))
        print("mémoire de pointe (ru_maxrss : le plus gros processus, les 2 processus de pages ne s'additionnent pas)")
        print(f"  check, 1×         : {peak(checks[small]):6.0f} Mo")
        print(f"  check, {SCALE}×        : {peak(checks[large]):6.0f} Mo   "
              + targets.compare(f"mémoire de check, {SCALE}×", peak(checks[large]), "<", MAX_PEAK_MB, "Mo"))
        print(f"  construction, 1×  : {mb(builds[small]):6.0f} Mo")
        print(f"  construction, {SCALE}× : {mb(builds[large]):6.0f} Mo   "
              + targets.compare(f"mémoire de la construction, {SCALE}×", mb(builds[large]), "<", MAX_PEAK_MB, "Mo"))
        targets.exit()


if __name__ == "__main__":
    main()
