"""`python build.py serve`: a local preview that rebuilds when a CSV, a schema, a template or a page changes.

The preview keeps its own copy of docs/ in .apercu/ (git-ignored), where only the files whose content changed
are rewritten, so mkdocs sees the smallest change. When `check` fails, its report is printed and the preview
keeps serving the last good site; it recovers at the next edit that fixes the data.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import logging
import shutil
import signal
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import NamedTuple

from .build import gather, mkdocs_config
from .core.errors import DataError, TIError, UsageError
from .core.project import Project

WATCHED = ["datasets", "schemas", "templates", "docs", "overrides", "datapackage.yaml", "mkdocs.yml"]


class Sync(NamedTuple):
    written: int
    removed: int


def sync_folder(target: Path, files: dict[str, bytes], previous: dict[str, bytes] | None = None) -> Sync:
    """Make `target` hold exactly `files`, rewriting only what differs.

    `previous`, the files of the last sync into `target`, saves reading every file back from the disk."""
    written = removed = 0
    for relative, content in files.items():
        path = target / relative
        if previous and previous.get(relative) == content:
            continue
        if not previous and path.exists() and path.read_bytes() == content:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        written += 1
    if previous:  # the files of the last sync are known: no need to list the folder
        for relative in sorted(set(previous) - set(files)):
            (target / relative).unlink(missing_ok=True)
            removed += 1
        return Sync(written, removed)
    for path in sorted(target.rglob("*"), reverse=True):
        relative = path.relative_to(target).as_posix()
        if path.is_file() and relative not in files:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return Sync(written, removed)


def preview_files(project: Project) -> dict[str, bytes] | None:
    """The docs folder of the preview (static pages and generated ones, tidata.site.gather: the same outputs as a
    build), or None when the data does not pass (its report printed)."""
    try:
        generated = gather(project).files
    except DataError as error:
        print(str(error), file=sys.stderr)
        print("L'aperçu garde la dernière version valide du site ; corrigez les données pour le mettre à jour.", file=sys.stderr)
        return None
    files = {p.relative_to(project.root / "docs").as_posix(): p.read_bytes()
             for p in sorted((project.root / "docs").rglob("*")) if p.is_file()}
    files.update({path: c if isinstance(c, bytes) else c.encode("utf-8") for path, c in generated.items()})
    project.outputs.prune()  # a complete regeneration: what it did not use is stale (the cache stays small)
    return files


def regenerate(project: Project, docs: Path, previous: dict[str, bytes] | None = None) -> Sync | None:
    """Bring the preview's docs folder up to date; None (and the report printed) when the data does not pass."""
    files = preview_files(project)
    if files is None:
        return None
    sync = sync_folder(docs, files, previous)
    if previous is not None:
        previous.clear()
        previous.update(files)  # the next sync compares with these instead of reading the files back
    print(f"Aperçu : {sync.written} fichier(s) régénéré(s).")
    return sync


class Preview:
    """The docs folder and the site of `serve`, rebuilt after each change.

    mkdocs only rebuilds the pages whose Markdown changed (its `dirty` mode: sync_folder leaves the others'
    modification times alone), which takes a second where a full build takes twenty. A dirty build's search
    index lists only the rebuilt pages, so their entries are merged into the previous index. A full build is
    run first, and again when a page disappeared or the theme (mkdocs.yml, overrides/) changed.
    """

    def __init__(self, project: Project, site: Path, address: str = "127.0.0.1:8000"):
        self.project = project
        self.docs = project.root / ".apercu" / "docs"
        self.site = site
        self.address = address
        self.theme = b""
        self.files: dict[str, bytes] = {}
        self.theme_env = None

    def rebuild(self) -> bool:
        start = time.perf_counter()
        self.project = Project(self.project.root)  # datapackage.yaml and the schemas may have changed
        sync = regenerate(self.project, self.docs, self.files)
        if sync is None:  # the previous pages stay, and so does the site built from them
            if not (self.site / "index.html").exists():
                self.site.mkdir(parents=True, exist_ok=True)
                (self.site / "index.html").write_text(WAITING, encoding="utf-8")
            return False
        theme = theme_digest(self.project)
        dirty = not sync.removed and theme == self.theme
        index = read_search_index(self.site) if dirty else None
        self.mkdocs(dirty)
        if index is not None:
            merge_search_index(self.site, index)
        self.theme = theme
        kind = "pages modifiées seulement" if dirty else "site complet"
        print(f"Aperçu à jour en {time.perf_counter() - start:.1f} s ({kind}).")
        return True

    def rebuild_or_say(self) -> bool:
        """A rebuild after an edit: a project error (a link, a broken schema) is reported, and the preview waits."""
        try:
            return self.rebuild()
        except TIError as error:
            print(str(error), file=sys.stderr)
            return False

    def mkdocs(self, dirty: bool) -> None:
        from mkdocs.commands.build import build

        config = mkdocs_config(self.project, self.docs, self.site, self.project.data_last_change, strict=False,
                               site_url=f"http://{self.address}/")
        if not dirty:
            self.theme_env = config.theme.get_env()
        config.theme.get_env = lambda: self.theme_env  # the theme's templates, compiled once per theme version
        with quiet_dirty_warning():
            build(config, serve_url=f"http://{self.address}/", dirty=dirty)


WAITING = """<!doctype html><html lang="fr"><meta charset="utf-8"><title>Aperçu en attente</title>
<p>Les données ne passent pas le contrôle : le rapport est dans le terminal. L'aperçu se mettra à jour dès
qu'elles seront corrigées.</p></html>
"""


def theme_digest(project: Project) -> bytes:
    paths = [project.root / "mkdocs.yml", *sorted((project.root / "overrides").rglob("*"))]
    return hashlib.sha256(b"".join(p.read_bytes() for p in paths if p.is_file())).digest()


SEARCH_INDEX = "search/search_index.json"


def read_search_index(site: Path) -> dict | None:
    try:
        return json.loads((site / SEARCH_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def merge_search_index(site: Path, previous: dict) -> None:
    """Put the entries of the pages a dirty build rebuilt into the previous, complete index."""
    rebuilt = read_search_index(site) or {"docs": []}
    page = lambda doc: doc["location"].split("#")[0]  # noqa: E731
    fresh: dict[str, list[dict]] = {}
    for doc in rebuilt["docs"]:
        fresh.setdefault(page(doc), []).append(doc)
    docs, done = [], set()
    for doc in previous["docs"]:
        key = page(doc)
        if key not in fresh:
            docs.append(doc)
        elif key not in done:
            docs.extend(fresh[key])
            done.add(key)
    docs.extend(doc for key, entries in fresh.items() if key not in done for doc in entries)
    merged = {**previous, "docs": docs}
    (site / SEARCH_INDEX).write_text(json.dumps(merged, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


@contextlib.contextmanager
def quiet_dirty_warning():
    """mkdocs warns on every dirty build that navigation may be stale: the preview accepts it knowingly."""
    logger = logging.getLogger("mkdocs.commands.build")
    hide = lambda record: "dirty" not in record.getMessage()  # noqa: E731
    logger.addFilter(hide)
    try:
        yield
    finally:
        logger.removeFilter(hide)


def serve(project: Project, address: str = "127.0.0.1:8000") -> None:
    """Serve the preview on `address` (HÔTE:PORT); a malformed address or a busy port is a UsageError, raised
    before anything is built or any folder created."""
    host, port = parse_address(address)
    project.resources  # a broken datapackage.yaml, a schema or a symbolic link: refused before serving
    server = bind(host, port)
    site = Path(tempfile.mkdtemp(prefix="apercu-site-"))
    stopped_by_signal()
    try:
        shown = f"[{host}]" if ":" in host else host
        address = f"{shown}:{server.server_address[1]}"  # the port the system chose, for --adresse HÔTE:0
        preview = Preview(project, site, address)
        server.root, server.builder = str(site), preview.rebuild_or_say
        preview.rebuild()
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


def stopped_by_signal() -> None:
    """`kill` (SIGTERM) stops the preview as Ctrl+C does, so that its temporary site is removed."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, interrupt)


def interrupt(signum, frame):
    raise KeyboardInterrupt


ADDRESS_FORM = "attendu : HÔTE:PORT, par exemple 127.0.0.1:8000"


def parse_address(address: str) -> tuple[str, int]:
    """`127.0.0.1:8000`, `localhost:8001` or `[::1]:8000` as (host, port)."""
    host, colon, port = address.rpartition(":")
    host = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if not colon or not host or not port.isascii() or not port.isdigit() or int(port) > 65535:
        raise UsageError(f"--adresse : « {address} » n'est pas une adresse valide ({ADDRESS_FORM}).")
    return host, int(port)


BIND_ERRORS = {errno.EADDRNOTAVAIL: "cette adresse n'est pas celle de cette machine",
               errno.EACCES: "port réservé : choisissez un port au-dessus de 1023"}


def bind(host: str, port: int):
    """The preview's server, its port already bound: a busy port is found before the first build."""
    from mkdocs.livereload import LiveReloadServer

    class BoundServer(LiveReloadServer):
        def server_bind(self):  # bound below, once; LiveReloadServer.serve() calls these again
            pass

        def server_activate(self):
            pass

    server = BoundServer(builder=lambda: None, host=host, port=port, root=tempfile.gettempdir())
    try:
        LiveReloadServer.server_bind(server)
        LiveReloadServer.server_activate(server)
    except (OSError, OverflowError, UnicodeError) as error:
        server.server_close()
        if getattr(error, "errno", None) == errno.EADDRINUSE:
            raise UsageError(f"--adresse : le port {port} est déjà utilisé sur {host} (un autre aperçu tourne-t-il ?) ; "
                             f"choisissez-en un autre, par exemple --adresse {host}:{port + 1 if port else 8001}.") from None
        reason = BIND_ERRORS.get(getattr(error, "errno", None)) or ("hôte inconnu" if isinstance(error, socket.gaierror)
                                                                   else getattr(error, "strerror", None) or str(error))
        raise UsageError(f"--adresse : impossible d'écouter sur {host}:{port} ({reason}) ; {ADDRESS_FORM}.") from None
    return server
