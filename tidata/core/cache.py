"""Caches keyed on everything a result depends on: file contents, schemas, templates and the code itself.

CheckCache: with nothing changed, `check` answers without reading a table. When one file changed, only that
file goes through frictionless again (its per-file result is cached on its own key); the programme's rules,
which cross resources, always run again. It lives in .cache/controle/.

OutputCache: the expensive outputs of a build (a territory's page, maps and slices; a table's CSV, JSON and
Parquet files; the GeoJSON) keyed on their inputs, so that after a one-row edit only what depends on that row
is computed again. It lives in .cache/construction/ and keeps only the entries the last complete build used.

Both are only ever an optimisation: deleting .cache/ changes no output, byte for byte (tests/test_incremental.py).
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import pickle
from pathlib import Path

CODE = Path(__file__).resolve().parents[1]  # the whole tidata package


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def code_version() -> bytes:
    """The checking code itself: a change of a rule or a message invalidates every cached result."""
    return b"".join(path.read_bytes() for path in sorted(CODE.rglob("*.py")))


@functools.cache
def code_digest() -> bytes:
    """code_version() hashed once per process (a running preview keeps the code it started with)."""
    return hashlib.sha256(code_version()).digest()


def text_digest(value) -> bytes:
    """A stable digest of JSON-like data (rows, views, settings)."""
    return hashlib.sha256(json.dumps(value, sort_keys=True, ensure_ascii=False, default=str).encode()).digest()


class OutputCache:
    """Build outputs on disk, one pickle per key; every key includes the code version."""

    def __init__(self, root: Path):
        self.folder = root / ".cache" / "construction"
        self.used: set[str] = set()

    def key(self, kind: str, *parts: bytes | str) -> str:
        encoded = [part if isinstance(part, bytes) else part.encode("utf-8") for part in parts]
        return f"{kind}-{digest(code_digest(), kind.encode(), *encoded)[:40]}"

    def get(self, key: str):
        self.used.add(key)
        try:
            with open(self.folder / key, "rb") as f:
                return pickle.load(f)
        except Exception:  # absent, truncated or written by another version: computed again
            return None

    def put(self, key: str, value) -> None:
        self.used.add(key)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f".{key}.{os.getpid()}.tmp"
            temporary.write_bytes(pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL))
            temporary.replace(self.folder / key)
        except OSError:
            pass

    def get_or_make(self, key: str, make):
        value = self.get(key)
        if value is None:
            value = make()
            self.put(key, value)
        return value

    def prune(self) -> None:
        """Remove the entries this build did not use: after a complete build, they can only be stale."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if path.name not in self.used:
                path.unlink(missing_ok=True)


class CheckCache:
    def __init__(self, root: Path):
        self.folder = root / ".cache" / "controle"

    def get(self, key: str):
        path = self.folder / f"{key}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def put(self, key: str, value) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            temporary = self.folder / f"{key}.tmp"
            temporary.write_text(json.dumps(value, ensure_ascii=False, default=str), encoding="utf-8")
            temporary.replace(self.folder / f"{key}.json")
        except OSError:
            pass  # a read-only checkout still checks, only without the cache
