#!/usr/bin/env python3
"""Compare le site construit par une autre version du code avec celui du dossier de travail, octet pour octet.

    python scripts/comparer_constructions.py [REF]     # REF : branche, étiquette ou commit (HEAD par défaut)

For refactors that must change nothing a user sees: the site and every download built by the code of REF and by
the working tree, on the same data (the working tree's datasets/, schemas and datapackage.yaml, copied into both),
are compared file by file. Exit 0 when they are byte-identical, 1 otherwise, with the differing files listed.
Both builds run in temporary folders (a git worktree for REF); the repository's site/ and .cache/ are untouched.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ["datapackage.yaml", "mkdocs.yml", "schemas", "datasets"]  # what both builds share: the same data


def tree(folder: Path) -> dict[str, str]:
    """Relative path → SHA-256 of every file under folder."""
    return {path.relative_to(folder).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(folder.rglob("*")) if path.is_file()}


OUTPUTS = {".git", ".venv", ".venv-udata", ".cache", ".apercu", "site", "node_modules", "test-artifacts"}


def outputs_of(code: Path):
    """What the copy leaves out: the project's own outputs and tools at its top (a folder named site/ deeper down,
    such as tidata/site/, is code) and caches anywhere."""
    def ignored(folder: str, names: list[str]) -> set[str]:
        top = Path(folder) == code
        return {name for name in names
                if name == "__pycache__" or (top and (name in OUTPUTS or name.startswith(".construction-")))}
    return ignored


def build(code: Path, data: Path, target: Path) -> Path:
    """A copy of `code` with the data of `data`, built by its own build.py; returns its site folder."""
    shutil.copytree(code, target, ignore=outputs_of(code))
    for name in DATA:
        source, copy = data / name, target / name
        if copy.is_dir():
            shutil.rmtree(copy)
        (shutil.copytree if source.is_dir() else shutil.copy)(source, copy)
    env = {**os.environ, "GIT_DIR": str(ROOT / ".git"), "GIT_WORK_TREE": str(ROOT)}  # the data's git dates
    done = subprocess.run([sys.executable, str(target / "build.py"), "--racine", str(target), "--quiet"],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"La construction de {code} a échoué :\n{done.stderr[-3000:]}")
    return target / "site"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("ref", nargs="?", default="HEAD", help="la version du code à comparer (HEAD par défaut)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="comparaison-") as folder:
        other = Path(folder) / "reference"
        subprocess.run(["git", "worktree", "add", "--detach", "-q", str(other), args.ref], cwd=ROOT, check=True)
        try:
            before = tree(build(other, ROOT, Path(folder) / "avant"))
            after = tree(build(ROOT, ROOT, Path(folder) / "apres"))
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(other)], cwd=ROOT, check=False)
    differing = sorted(path for path in before.keys() | after.keys() if before.get(path) != after.get(path))
    print(f"{len(after)} fichiers construits ; {len(differing)} diffèrent de la version {args.ref}.")
    for path in differing[:50]:
        state = "absent avant" if path not in before else "absent après" if path not in after else "différent"
        print(f"  {path} : {state}")
    return 1 if differing else 0


if __name__ == "__main__":
    sys.exit(main())
