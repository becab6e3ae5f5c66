"""`python build.py serve`: a local preview that rebuilds when a CSV, a schema, a template or a page changes.

The preview keeps its own copy of docs/ in .apercu/ (git-ignored), where only the files whose content changed
are rewritten, so mkdocs sees the smallest change. When `check` fails, its report is printed and the preview
keeps serving the last good site; it recovers at the next edit that fixes the data.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from .check import check_package
from .load import read_package
from .exports import gather_exports
from .pages import gather_pages, site_url
from .problems import format_report
from .project import Project
from .views import Catalogue

WATCHED = ["datasets", "schemas", "templates", "docs", "overrides", "datapackage.yaml", "mkdocs.yml"]


def sync_folder(target: Path, files: dict[str, bytes]) -> int:
    """Make `target` hold exactly `files`, rewriting only what differs; returns how many files were written."""
    written = 0
    for relative, content in files.items():
        path = target / relative
        if path.exists() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written += 1
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return written


def preview_files(project: Project) -> dict[str, bytes] | None:
    """The docs folder of the preview (static pages and generated ones), or None when the data does not pass."""
    result = check_package(project)
    if not result.ok:
        print(format_report(result.problems), file=sys.stderr)
        print("L'aperçu garde la dernière version valide du site ; corrigez les données pour le mettre à jour.", file=sys.stderr)
        return None
    files = {p.relative_to(project.root / "docs").as_posix(): p.read_bytes()
             for p in sorted((project.root / "docs").rglob("*")) if p.is_file()}
    catalogue = Catalogue(project, read_package(project))
    exported, downloads = gather_exports(catalogue, site_url(catalogue))
    generated = {**exported, **gather_pages(catalogue, downloads)}
    files.update({path: c if isinstance(c, bytes) else c.encode("utf-8") for path, c in generated.items()})
    return files


def regenerate(project: Project, docs: Path) -> bool:
    files = preview_files(project)
    if files is None:
        return False
    written = sync_folder(docs, files)
    print(f"Aperçu : {written} fichier(s) régénéré(s).")
    return True


def serve(project: Project, address: str = "127.0.0.1:8000") -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.livereload import LiveReloadServer

    docs = project.root / ".apercu" / "docs"
    site = Path(tempfile.mkdtemp(prefix="apercu-site-"))
    host, _, port = address.partition(":")

    def builder() -> None:
        regenerate(project, docs)  # on failure the previous pages stay, and so does the site built from them
        config = load_config(config_file=str(project.root / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(site),
                             strict=False, site_url=f"http://{address}/")
        build(config, serve_url=f"http://{address}/")

    server = LiveReloadServer(builder=builder, host=host, port=int(port or 8000), root=str(site))
    try:
        builder()
        for name in WATCHED:
            if (project.root / name).exists():
                server.watch(str(project.root / name))
        print(f"Aperçu sur http://{address}/ (Ctrl+C pour arrêter).")
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
        shutil.rmtree(site, ignore_errors=True)
