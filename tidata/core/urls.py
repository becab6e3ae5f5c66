"""Stable page addresses: /territoires/<phase>/<id_ti>/ (no name in it: a renamed territory keeps its address),
/regions/<code>-<slug>/, /departements/<code>-<slug>/."""

from __future__ import annotations

import posixpath
import re
import unicodedata

from .errors import BuildError


def slug(text: str, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().lower()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text).strip("-")
    return words[:limit].rstrip("-") or "sans-nom"


def territory_page(key: str) -> str:
    """Path of a territory's Markdown page under docs/, from its key « 2023-2027/ti-0101 »: the phase keeps the two
    territories that ANCT gave the same id apart, and no name is in it, so that a renamed territory keeps its address."""
    return f"territoires/{key}.md"


def region_page(code: str, name: str) -> str:
    return f"regions/{code}-{slug(name)}.md"


def departement_page(code: str, name: str) -> str:
    return f"departements/{code.lower()}-{slug(name)}.md"


def page_url(path: str) -> str:
    """The site URL of a Markdown page with use_directory_urls (territoires/x.md → territoires/x/)."""
    path = path.removesuffix(".md")
    if path == "index" or path.endswith("/index"):
        return path.removesuffix("index")
    return path + "/"


def link(target: str, current: str) -> str:
    """A URL from page `current` to page `target` (paths under docs/), for raw HTML and SVG links, which
    mkdocs does not rewrite the way it rewrites Markdown links to .md files."""
    return posixpath.relpath(page_url(target) or ".", page_url(current) or ".") + "/"


def root_of(current: str) -> str:
    """The relative URL of the site root seen from page `current` ("" for the home page)."""
    return "../" * page_url(current).count("/")


def refuse_collisions(paths: list[str]) -> None:
    seen = set()
    for path in paths:
        if path in seen:
            raise BuildError(f"Deux pages auraient la même adresse : {path}. Changez l'identifiant de l'une d'elles.")
        seen.add(path)
