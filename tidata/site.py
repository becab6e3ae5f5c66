"""The whole build: generate pages into a staging copy of docs/, run mkdocs, then swap the new site in.

A failed build (bad data, a template error, an interrupted process) leaves the previous site/ exactly as it
was: nothing is written to site/ until the new site is complete, and datasets/ is only ever read.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import shutil
import sys
import tempfile
from pathlib import Path

from .check import CheckResult
from .errors import BuildError
from .load import read_package
from .exports import gather_exports
from .pages import gather_pages, site_url, write_pages
from .problems import plural
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
    with building(project.root):
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=project.root))
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


STAGING = ".construction-"


@contextlib.contextmanager
def building(root: Path):
    """Hold the project folder for one build, after removing what an interrupted build left behind.

    A build killed mid-way (kill -9, a CI timeout) leaves its staging folder and maybe the old site, over 100 MB.
    Builds of one folder take turns (flock on the folder, released by the system when a process dies): the
    build holding the lock knows that any staging folder it finds belongs to a dead build.
    """
    fd = os.open(root, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            print("Une autre construction de ce dossier est en cours : celle-ci attend qu'elle se termine.",
                  file=sys.stderr)
            fcntl.flock(fd, fcntl.LOCK_EX)
        for stale in [*root.glob(f"{STAGING}*"), old_site(root / SITE)]:
            shutil.rmtree(stale, ignore_errors=True)
        yield
    finally:
        os.close(fd)  # releases the lock


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
    with mkdocs_messages() as messages:
        try:
            config = load_config(config_file=str(project.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site))
            config["extra"]["citation"] = cite
            build(config)
        except MkDocsException as error:
            raise BuildError(failure(str(error), messages)) from None
        except SystemExit as error:  # mkdocs exits on strict-mode warnings
            raise BuildError(failure(f"code {error.code}", messages)) from None


class Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(f"{'avertissement' if record.levelno == logging.WARNING else 'erreur'} : {record.getMessage()}")


@contextlib.contextmanager
def mkdocs_messages():
    """mkdocs' own warnings and errors during a build (which page, which link), to explain a failure."""
    handler = Collect()
    logger = logging.getLogger("mkdocs")
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


def failure(error: str, messages: list[str]) -> str:
    """mkdocs' own messages (in English: which page, which link) under a French sentence; its error alone without."""
    if not messages:
        return f"La construction du site a échoué (mkdocs) : {error}"
    listed = "".join(f"\n  - {message}" for message in messages)
    return (f"La construction du site a échoué : mkdocs s'arrête en mode strict sur "
            f"{plural(len(messages), 'message')} (page, lien en cause) :{listed}")


def old_site(target: Path) -> Path:
    return target.with_name(f".{target.name}-ancien")


def swap_in(new: Path, target: Path) -> None:
    """Replace target by new with two renames, so that site/ is never half-written."""
    old = old_site(target)
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(new, target)
    shutil.rmtree(old, ignore_errors=True)
