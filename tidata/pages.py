"""Generated pages: gather every page's path and text first, then write them all.

Pages are rendered from the Jinja2 templates of templates/ with the contexts of tidata.views. Every value
from the data goes through a filter of tidata.escape for the place it lands (`md` for Markdown text and
table cells, `attr` for HTML attributes, `json` for JSON).
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import jinja2

from . import escape, exports, figures, formats, urls, views
from .errors import BuildError
from .views import CURRENT_PHASE, Catalogue

PHASES = [CURRENT_PHASE, views.PREVIOUS_PHASE]


def environment(templates: Path) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(templates),
        undefined=jinja2.StrictUndefined,
        autoescape=False,  # Markdown, not HTML: values are escaped explicitly with |md, |attr or |json
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
        rel=relative_link,
        lien=urls.link,
        racine=urls.root_of,
        svg=lambda text: " ".join(text.split("\n")),
    )
    return env


def relative_link(target: str, current: str) -> str:
    """A link from page `current` to `target`, both paths under docs/ (mkdocs checks and rewrites .md links)."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".")


def gather_pages(cat: Catalogue) -> dict[str, str]:
    """Every generated file under docs/, as {path: text}: pages, maps and per-territory downloads."""
    env = environment(cat.project.root / "templates")
    summary = views.territory_summary(cat)
    common = {"exemple": cat.has_examples, "pages": cat.pages, "maj": cat.last_change,
              "region_pages": cat.region_pages, "departement_pages": cat.departement_pages}
    out: dict[str, str] = {}

    def render(template: str, path: str, **context) -> None:
        if path in out:
            raise BuildError(f"Deux pages auraient la même adresse : {path}.")
        try:
            out[path] = env.get_template(template).render(page=path, **common, **context)
        except jinja2.TemplateError as error:
            where = f", ligne {error.lineno}" if getattr(error, "lineno", None) else ""
            raise BuildError(f"Gabarit templates/{template}{where} : {error.message} (page {path}).") from None

    for id_ti in cat.territories["id_ti"]:
        view = views.territory_view(cat, id_ti)
        downloads = exports.territory_slices(cat, id_ti)
        out.update(downloads)
        render("territoire.md.j2", cat.pages[id_ti], **view, telechargements=sorted(downloads),
               carte=figures.territory_map(cat, id_ti, view), situation=figures.locator(cat, id_ti),
               graphique=figures.envelope_chart(view))
    render("territoires.md.j2", "territoires/index.md", territoires=summary.to_dict("records"),
           regions=sorted(cat.regions.items()))
    for code, name in sorted(cat.regions.items()):
        rows = summary[summary["codes_reg"].str.split().apply(lambda codes: code in codes)]
        deps = cat.departements[cat.departements["code_reg"] == code]
        render("region.md.j2", cat.region_pages[code], code=code, nom=name, territoires=rows.to_dict("records"),
               departements=deps.to_dict("records"))
    for row in cat.departements.itertuples():
        rows = summary[summary["codes_dep"].str.split().apply(lambda codes: row.code_dep in codes)]
        render("departement.md.j2", cat.departement_pages[row.code_dep], code=row.code_dep, nom=row.lib_dep,
               region=(row.code_reg, cat.regions.get(row.code_reg, "")), territoires=rows.to_dict("records"))
    render("regions.md.j2", "regions/index.md", regions=[
        (code, name, int(summary["codes_reg"].str.split().apply(lambda c: code in c)[summary["phase"] == CURRENT_PHASE].sum()))
        for code, name in sorted(cat.regions.items())
    ])
    render("sites.md.j2", "sites-cles-en-main.md", sites=cat.tables["sites_cles_en_main"].sort_values("lib_com").to_dict("records"),
           carte=figures.sites_map(cat))
    render("financements.md.j2", "financements.md", **figures.funding_view(cat))
    render("accueil.md.j2", "index.md", carte=figures.home_map(cat),
           chiffres=cat.tables["chiffres_cles"].to_dict("records"),
           nb_territoires=int((summary["phase"] == CURRENT_PHASE).sum()),
           nb_communes=int(summary.loc[summary["phase"] == CURRENT_PHASE, "nb_communes"].sum()))
    render("trouver.md.j2", "trouver-ma-commune.md")
    render("donnees.md.j2", "donnees/index.md", ressources=cat.project.resources)
    out["assets/communes.json"] = figures.finder_index(cat)
    return out


def write_pages(docs_dir: Path, pages: dict[str, str]) -> None:
    for path, text in sorted(pages.items()):
        target = docs_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
