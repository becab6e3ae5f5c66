"""A cache of `check` results keyed on what they depend on: file contents, schemas and the code itself.

With nothing changed, `check` answers from the cache without reading a table. When one file changed, only
that file goes through frictionless again (its per-file result is cached on its own key); the programme's
rules, which cross resources, always run again. The cache lives in .cache/controle/ (git-ignored) and is
only ever an optimisation: deleting it changes no result.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

CODE = Path(__file__).resolve().parent


def digest(*parts: bytes) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(hashlib.sha256(part).digest())
    return h.hexdigest()


def code_version() -> bytes:
    """The checking code itself: a change of a rule or a message invalidates every cached result."""
    return b"".join(path.read_bytes() for path in sorted(CODE.glob("*.py")))


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
