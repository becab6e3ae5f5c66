#!/usr/bin/env python3
"""Banc d'essai de la construction complète du site : durée de chaque étape, ratio pages / mkdocs, poids.

Builds a copy of the project in a temporary folder (the real site/ is left alone): first cold (no cache, as a
first CI run), then again with nothing changed (a maintainer's next build: the site is found up to date), then
once more without site/ (CI, whose .cache/ is restored but not site/: the check and output caches answer, mkdocs
runs).
Prints, from that one run: the time of check, page generation (templates, maps, charts) and mkdocs; page
generation as a share of the mkdocs stage; the weight of a territory page, of the home page, of the search
index and of the finder index.
"""

from __future__ import annotations

import gzip
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cibles import Targets  # noqa: E402

from tidata.build import CHECK, EXPORTS, MKDOCS, PAGES, build_site  # noqa: E402
from tidata.core.progress import QUIET, Progress  # noqa: E402
from tidata.core.project import Project, copy_sources  # noqa: E402

COLD_TARGET, WARM_TARGET = 10, 4  # seconds, on the 2-core machine (issue « The house by stages »)


def kb(path: Path) -> float:
    return path.stat().st_size / 1024


def timed_build(root: Path) -> tuple[float, dict[str, float]]:
    """The wall-clock time of the whole build (what the stages leave out too: the up-to-date test, the swap), and
    each stage's."""
    progress = Progress(QUIET)
    start = time.perf_counter()
    build_site(Project(root), progress)
    total = time.perf_counter() - start
    stages = {"check": CHECK, "exports": EXPORTS, "pages": PAGES, "mkdocs": MKDOCS}
    return total, {name: progress.timings.get(stage, 0.0) for name, stage in stages.items()}  # 0: did not run


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = copy_sources(ROOT, Path(tmp) / "projet")
        total, timings = timed_build(root)
        site = root / "site"
        territory_pages = sorted((site / "territoires").glob("*/ti-*/index.html"), key=kb)
        finder = site / "assets" / "communes.json"
        targets = Targets()
        print(f"construction complète, à froid (sans cache, comme une première intégration continue) : {total:.1f} s   "
              + targets.compare("construction complète à froid", total, "≤", COLD_TARGET, "s"))
        for stage, seconds in timings.items():
            print(f"  {stage:<7} {seconds:6.1f} s")
        share = timings["pages"] / timings["mkdocs"]
        print(f"génération des pages / étape mkdocs : {share:.0%}   "
              + targets.compare("génération des pages / mkdocs", 100 * share, "<", 25, "%"))
        warm_total, warm = timed_build(root)
        print(f"construction complète, données inchangées (le site est trouvé à jour) : {warm_total:.1f} s   "
              + targets.compare("construction complète, données inchangées", warm_total, "≤", WARM_TARGET, "s"))
        for stage, seconds in warm.items():
            print(f"  {stage:<7} {seconds:6.1f} s")
        shutil.rmtree(site)  # as in CI, where .cache/ is restored between runs but site/ is not
        rebuilt_total, rebuilt = timed_build(root)
        print(f"construction complète, données inchangées mais site/ absent (caches seuls, comme en intégration "
              f"continue) : {rebuilt_total:.1f} s (sans cible)")
        for stage, seconds in rebuilt.items():
            print(f"  {stage:<7} {seconds:6.1f} s")
        print(f"page de territoire (HTML) : médiane {kb(territory_pages[len(territory_pages) // 2]):.0f} Ko, "
              f"maximum {kb(territory_pages[-1]):.0f} Ko   "
              + targets.compare("plus grande page de territoire", kb(territory_pages[-1]), "<", 150, "Ko"))
        print(f"page d'accueil avec sa carte : {kb(site / 'index.html'):.0f} Ko   "
              + targets.compare("page d'accueil", kb(site / "index.html"), "<", 400, "Ko"))
        search = kb(site / "search" / "search_index.json") / 1024
        print(f"index de recherche : {search:.2f} Mo   " + targets.compare("index de recherche", search, "<", 2, "Mo"))
        compressed = len(gzip.compress(finder.read_bytes())) / 1024
        print(f"index de la recherche de commune : {compressed:.0f} Ko compressé ({kb(finder):.0f} Ko brut)   "
              + targets.compare("index de la recherche de commune, compressé", compressed, "<", 600, "Ko"))
        print(f"pages HTML : {len(list(site.rglob('*.html')))}")
        targets.exit()


if __name__ == "__main__":
    main()
