#!/usr/bin/env python3
"""Banc d'essai de la boucle d'édition : une ligne de territoires.csv modifiée, combien de temps avant l'aperçu ?

In one run, on a copy of the project in a temporary folder: the full cold build (`python build.py` as CI runs
it, no cache), the preview of `python build.py serve` after a one-row edit (check, regeneration from the output
cache, mkdocs rebuilding the changed pages, search index merged), their ratio, the warm `check` with nothing
changed (the whole command, in a subprocess), and the peak memory of this process.
"""

from __future__ import annotations

import csv
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cibles import Targets  # noqa: E402

from tidata.build import build_site  # noqa: E402
from tidata.core.progress import QUIET, Progress  # noqa: E402
from tidata.core.project import Project, copy_sources  # noqa: E402
from tidata.serve import Preview  # noqa: E402


def copy_project(folder: Path) -> Path:
    return copy_sources(ROOT, folder / "projet")


def edit_one_territory(root: Path, title: str) -> None:
    """A maintainer fills in one territory's description (territoires.csv, a real table)."""
    path = root / "datasets" / "territoires.csv"
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index("description")] = title
    with open(path, "w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def full_build(root: Path) -> None:
    shutil.rmtree(root / ".cache", ignore_errors=True)  # cold: no check result, no output kept from a build
    build_site(Project(root), Progress(QUIET))


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_project(Path(tmp))
        full = timed(lambda: full_build(root))
        shutil.rmtree(root / ".cache")
        preview = Preview(Project(root), Path(tmp) / "apercu")
        first = timed(preview.rebuild)
        edit_one_territory(root, "Description modifiée pour le banc d'essai")
        edits = [timed(preview.rebuild)]
        edit_one_territory(root, "Description modifiée une seconde fois")
        edits.append(timed(preview.rebuild))
        edit = min(edits)
        command = [sys.executable, str(ROOT / "build.py"), "--racine", str(root), "check"]
        subprocess.run(command, capture_output=True, check=True)  # fills the cache after the edits
        warm = timed(lambda: subprocess.run(command, capture_output=True, check=True))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"construction complète à froid (python build.py, sans cache) : {full:.1f} s")
    print(f"premier aperçu (tout est calculé, le cache se remplit) : {first:.1f} s")
    print(f"aperçu après une ligne modifiée de territoires.csv : {edit:.1f} s (meilleure de {len(edits)} : "
          + ", ".join(f"{e:.1f} s" for e in edits) + ")")
    ratio = edit / full
    targets = Targets()
    print(f"aperçu après modification / construction complète : {ratio:.0%}   "
          + targets.compare("aperçu / construction complète", 100 * ratio, "≤", 20, "%"))
    print(f"python build.py check, rien de modifié (cache chaud, commande entière) : {warm:.2f} s   "
          + targets.compare("check à chaud", warm, "≤", 1, "s"))
    print(f"mémoire maximale de ce processus (construction et aperçu) : {peak:.0f} Mo")
    targets.exit()


if __name__ == "__main__":
    main()
