"""Generated Markdown pages: gather every page's path and text first, then write them all.

Pages are rendered from the Jinja2 templates of templates/. Every value from the data goes through a filter
of tidata.escape for the place it lands (`md` for Markdown text and table cells, `attr` for HTML).
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import jinja2
import pandas as pd

from . import escape, formats, urls
from .project import Project

Tables = dict[str, pd.DataFrame]


def environment(project: Project) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.root / "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: values are escaped explicitly with |md or |attr
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        md=escape.markdown_text,
        attr=escape.html_text,
        json=escape.json_for_script,
        euros=formats.euros,
        nombre=formats.number,
        date=formats.date,
        url=urls.page_url,
        rel=relative_link,
    )
    return env


def gather_pages(project: Project, tables: Tables) -> dict[str, str]:
    """Every generated page, as {path under docs/: Markdown text}."""
    env = environment(project)
    territories = tables["territoires"].sort_values(["phase", "lib_ti"], ascending=[False, True])
    paths = {row.id_ti: urls.territory_page(row.id_ti, row.lib_ti) for row in territories.itertuples()}
    urls.refuse_collisions(list(paths.values()))
    example = any(r.is_example for r in project.tables)
    common = {"exemple": example, "paths": paths}
    pages = {}
    perimeter = tables["territoires_communes"]
    projects = tables["projets"]
    counts = perimeter.groupby("id_ti").size()
    for row in territories.itertuples():
        own_projects = projects[projects["id_ti"] == row.id_ti]
        pages[paths[row.id_ti]] = env.get_template("territoire.md.j2").render(
            t=row._asdict(),
            nb_communes=int(counts.get(row.id_ti, 0)),
            projets=own_projects.to_dict("records"),
            depth=1,
            **common,
        )
    pages["territoires/index.md"] = env.get_template("territoires.md.j2").render(
        territoires=territories.to_dict("records"), counts=counts.to_dict(), depth=1, **common
    )
    pages["donnees/index.md"] = env.get_template("donnees.md.j2").render(
        ressources=[(r, len(tables[r.name]) if r.name in tables else None) for r in project.resources], depth=1, **common
    )
    figures = tables["chiffres_cles"]
    pages["index.md"] = env.get_template("accueil.md.j2").render(
        chiffres=figures[figures["incertain"] == "non"].to_dict("records"),
        nb_territoires=(territories["phase"] == "2023-2027").sum(),
        depth=0,
        **common,
    )
    return pages


def relative_link(target: str, current: str) -> str:
    """A link from page `current` to page `target`, both paths under docs/ (mkdocs checks and rewrites it)."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".")


def write_pages(docs_dir: Path, pages: dict[str, str]) -> None:
    for path, text in sorted(pages.items()):
        target = docs_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
