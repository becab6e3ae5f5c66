"""The whole build: generate pages into a staging copy of docs/, run mkdocs, then swap the new site in.

A failed build (bad data, a template error, an interrupted process) leaves the previous site/ exactly as it
was: nothing is written to site/ until the new site is complete, and datasets/ is only ever read.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

from .check import CheckResult
from .errors import BuildError
from .load import read_package
from .exports import gather_exports
from .pages import gather_pages, site_url, write_pages
from .progress import SILENT, Progress
from .project import Project
from .views import Catalogue

SITE = "site"


EXPORTS, PAGES, MKDOCS = "Téléchargements", "Pages", "Site (mkdocs)"


def build_site(project: Project, result: CheckResult, progress: Progress = SILENT) -> Path:
    """Generate the pages, build the site with mkdocs in a staging folder, then swap it in.

    `progress` shows each stage and keeps its duration (progress.timings).
    """
    with progress.step(EXPORTS):
        catalogue = Catalogue(project, read_package(project))
        exported, downloads = gather_exports(catalogue, site_url(catalogue))
    with progress.step(PAGES):
        pages = gather_pages(catalogue, downloads, result.warnings, progress)
    staging = Path(tempfile.mkdtemp(prefix=".construction-", dir=project.root))
    try:
        docs = staging / "docs"
        shutil.copytree(project.root / "docs", docs)
        write_pages(docs, {**exported, **pages})
        with progress.step(MKDOCS):
            run_mkdocs(project, docs, staging / SITE, citation(catalogue.last_change))
        swap_in(staging / SITE, project.root / SITE)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    project.outputs.prune()
    return project.root / SITE


def citation(last_change: str) -> str:
    """The attribution Licence Ouverte asks for, shown in every page's footer."""
    from .formats import date

    updated = f", données mises à jour le {date(last_change)}" if last_change else ""
    return f"Territoires d'industrie — données ouvertes{updated}, Licence Ouverte 2.0"


def run_mkdocs(project: Project, docs: Path, site: Path, cite: str = "") -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        config = load_config(config_file=str(project.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site))
        config["extra"]["citation"] = cite
        build(config)
    except MkDocsException as error:
        raise BuildError(f"La construction du site a échoué (mkdocs) : {error}") from None
    except SystemExit as error:  # mkdocs exits on strict-mode warnings
        raise BuildError(f"La construction du site a échoué (mkdocs, mode strict) : code {error.code}.") from None


def swap_in(new: Path, target: Path) -> None:
    """Replace target by new with two renames, so that site/ is never half-written."""
    old = target.with_name(f".{target.name}-ancien")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
