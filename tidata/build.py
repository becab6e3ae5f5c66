"""The whole build: check, gather every output (exports and pages) in memory, hand them to mkdocs beside the
hand-written docs/ (which mkdocs only reads), build the site in a staging folder, then swap it in. `gather` is the
one place that knows what a build produces: `build.py` and the preview (`serve`) both call it.

A failed build (bad data, a template error, an interrupted process) leaves the previous site/ exactly as it
was: nothing is written to site/ until the new site is complete, and datasets/ is only ever read.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import importlib.metadata
import json
import logging
import os
import shutil
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .check.package import CheckResult, publishable
from .check.problems import plural
from .core.cache import code_digest
from .core.errors import BuildError
from .core.progress import SILENT, Progress
from .core.project import SOURCES, Project, git_output
from .exports.gather import gather_exports
from .exports.releases import RELEASES
from .model.load import sources_digest
from .model.views import Catalogue
from .site.pages import gather_pages

SITE = "site"


EXPORTS, PAGES, MKDOCS = "Téléchargements", "Pages", "Site (mkdocs)"


CHECK = "Contrôle des données"


@dataclass
class Outputs:
    """What a build produces before mkdocs: every generated file under docs/, and what they were made from."""

    result: CheckResult
    files: dict[str, str | bytes]
    last_change: str


def gather(project: Project, progress: Progress = SILENT, strict: bool = False) -> Outputs:
    """Check the package (DataError when it is not publishable), then compute every generated file: the exports
    (downloads, catalogue, API, releases) and the pages. Two producers writing one path, or a generated path that
    is a hand-written page of docs/, is a BuildError naming both."""
    with progress.step(CHECK):
        result = publishable(project, strict)
    with progress.step(EXPORTS):
        model = Catalogue.read(project)
        exported = gather_exports(model)
    with progress.step(PAGES):
        pages = gather_pages(model, exported, result.warnings, progress)
    files = merged(project, {"les exports": exported.files, "les pages": pages})
    return Outputs(result, files, model.last_change)


def merged(project: Project, producers: dict[str, dict[str, str | bytes]]) -> dict[str, str | bytes]:
    """The files of every producer in one dict: no path produced twice, no hand-written page of docs/ replaced."""
    docs = project.root / "docs"
    files: dict[str, str | bytes] = {}
    owner: dict[str, str] = {}
    for producer, outputs in producers.items():
        for path, content in outputs.items():
            if path in owner:
                raise BuildError(f"Deux sorties à la même adresse : {path} (produite par {owner[path]} et par {producer}).")
            if (docs / path).exists():
                raise BuildError(f"{producer} produiraient docs/{path}, une page écrite à la main : renommez l'une des deux.")
            owner[path], files[path] = producer, content
    return files


def build_site(project: Project, progress: Progress = SILENT, strict: bool = False) -> Path:
    """Gather every output, build the site with mkdocs in a staging folder, then swap it in.

    When nothing the site is made from has changed since the last complete build (site_inputs) and site/ is as
    that build left it, the package is still checked (from the check cache: its verdict and --strict hold) but
    the site is kept as it is: the same inputs give the same bytes. `progress` shows each stage and keeps its
    duration (progress.timings)."""
    inputs = site_inputs(project)
    with building(project.root):  # also removes what a killed build left, even when nothing is to be built
        current = site_is_current(project, inputs)
    if current:
        with progress.step(CHECK):
            publishable(project, strict)
        progress.say("Rien n'a changé depuis la dernière construction : le site est déjà à jour.")
        return project.root / SITE
    outputs = gather(project, progress, strict)
    with building(project.root):
        staging = Path(tempfile.mkdtemp(prefix=STAGING, dir=project.root))
        try:
            config = mkdocs_config(project, project.root / "docs", staging / SITE, outputs.last_change)
            with progress.step(MKDOCS):
                run_mkdocs(with_generated_files(config, outputs.files))
            swap_in(staging / SITE, project.root / SITE)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        record_site(project, inputs)
    project.outputs.prune()
    return project.root / SITE


# --- Is site/ already what a build would make? ---------------------------------------------------------------

SITE_STAMP = Path(".cache") / "site.json"  # what the site of the last complete build was made from


def site_inputs(project: Project) -> str:
    """A digest of everything the site is made from: the code, every source file of the project (package, data,
    schemas, templates, hand-written pages, theme overrides, mkdocs.yml), the releases, the git commit (the dates
    and past releases read from history), and the versions of the installed libraries (mkdocs, its theme…)."""
    h = hashlib.sha256(code_digest())
    h.update(sources_digest(project, (*SOURCES, RELEASES)))
    h.update(git_output(project, "rev-parse", "HEAD").encode())
    versions = sorted(f"{d.metadata['Name']}=={d.version}" for d in importlib.metadata.distributions())
    h.update("\n".join(versions).encode())
    return h.hexdigest()


def site_listing(site: Path) -> str:
    """site/ as the last build left it: every file's path, size and modification time (a file edited, added or
    removed by hand since shows)."""
    h = hashlib.sha256()
    for path in sorted(site.rglob("*")):
        stat = path.stat()
        h.update(f"{path.relative_to(site).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return h.hexdigest()


def site_is_current(project: Project, inputs: str) -> bool:
    stamp, site = project.root / SITE_STAMP, project.root / SITE
    try:
        recorded = json.loads(stamp.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return site.is_dir() and recorded == {"entrees": inputs, "site": site_listing(site)}


def record_site(project: Project, inputs: str) -> None:
    stamp = project.root / SITE_STAMP
    stamp.parent.mkdir(exist_ok=True)
    stamp.write_text(json.dumps({"entrees": inputs, "site": site_listing(project.root / SITE)}), encoding="utf-8")


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


def footer(project: Project, last_change: str) -> dict[str, str]:
    """What every page's footer cites, from the package: the attribution Licence Ouverte asks for (title, date of
    the data, licence) and the source of the maps' outlines."""
    from .core.formats import date
    from .exports.downloads import licence

    descriptor = project.descriptor
    updated = f", données mises à jour le {date(last_change)}" if last_change else ""
    return {"citation": f"{descriptor.get('title', '')}{updated}, {licence(descriptor)['title']}",
            "credit_cartes": project.resource("communes_contours").descriptor["sources"][0]["title"]}


def mkdocs_config(project: Project, docs: Path, site: Path, last_change: str, **settings):
    """The mkdocs configuration of a build or a preview: mkdocs.yml, the folders, the footer's citations."""
    from mkdocs.config import load_config

    config = load_config(config_file=str(project.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site), **settings)
    config["extra"].update(footer(project, last_change))
    return config


def with_generated_files(config, files: dict[str, str | bytes]):
    """The configuration with the gathered files handed to mkdocs in memory, as if they were in docs/: mkdocs
    renders the pages and writes the downloads once, straight into the site, instead of our writing 7,000 files
    (170 MB) into a copy of docs/ for mkdocs to read and copy again."""
    from mkdocs.plugins import BasePlugin
    from mkdocs.structure.files import File, Files

    class GeneratedFiles(BasePlugin):
        def on_files(self, found: Files, config) -> Files:
            generated = [File.generated(config, path, content=content) for path, content in files.items()]
            docs = [f for f in found if f.src_dir == config.docs_dir]
            theme = [f for f in found if f.src_dir != config.docs_dir]
            return Files(sorted(docs + generated, key=lambda f: walk_order(f.src_uri)) + theme)

    config.plugins["tidata-fichiers-generes"] = GeneratedFiles()
    return config


def walk_order(path: str) -> tuple:
    """Where mkdocs would list a file found in docs/: folder by folder, a folder's files before its sub-folders,
    index.md first (mkdocs.structure.files.get_files). Keeping that order keeps the search index as it was."""
    folder, _, name = path.rpartition("/")
    return tuple(folder.split("/")) if folder else (), name.rsplit(".", 1)[0] not in ("index", "README"), name


def run_mkdocs(config) -> None:
    from mkdocs.commands.build import build
    from mkdocs.exceptions import MkDocsException

    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    with mkdocs_messages() as messages:
        try:
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
