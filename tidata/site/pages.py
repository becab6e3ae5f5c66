"""Generated pages: gather every page's path and text first, then write them all.

Pages are rendered from the Jinja2 templates of templates/ with the contexts of tidata.model.views. Every value
from the data goes through a filter of tidata.core.escape for the place it lands (`md` for Markdown text and
table cells, `attr` for HTML attributes, `texte` for the text of the raw HTML blocks, `json` for JSON).

The big tables, lists and maps are raw HTML between `<!-- html -->` and `<!-- /html -->` lines, which
overrides/hooks/blocs_html.py keeps away from Python-Markdown: their links are final URLs (`lien`, `racine`).
"""

from __future__ import annotations

import functools
import os
import posixpath
from pathlib import Path

import jinja2

from ..core import escape, formats, urls
from ..core.errors import BuildError
from ..core.progress import SILENT, Progress
from ..core.workers import INHERITED, forked_pool
from ..model import views
from ..model.views import Catalogue
from . import figures, fonds_vert, transitions


@functools.cache
def environment(templates: Path) -> jinja2.Environment:
    """One environment per templates folder and process: its compiled templates are reused by every page, and
    jinja2 compiles a template again when its file changes (the preview keeps running across edits)."""
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
        texte=escape.html_line,
        json=escape.json_for_script,
        lien_externe=escape.external_link,
        code=escape.code_cell,
        mesure=formats.measure,
        euros=formats.euros,
        pourcent=formats.percent,
        nombre=formats.number,
        date=formats.date,
        rel=relative_link,
        lien=urls.link,
        racine=urls.root_of,
        svg=lambda text: " ".join(text.split("\n")),
    )
    return env


def newest_first(cat: Catalogue) -> list[str]:
    """The phases as the pages list them: the current one first."""
    return list(reversed(cat.phases))


def relative_link(target: str, current: str) -> str:
    """A link from page `current` to `target`, both paths under docs/ (mkdocs checks and rewrites .md links)."""
    return posixpath.relpath(target, posixpath.dirname(current) or ".")


def gather_pages(cat: Catalogue, exported, warnings: list | None = None, progress: Progress = SILENT) -> dict[str, str]:
    """Every generated page under docs/, as {path: text}, with the finder index.

    `exported` (tidata.exports.gather.Exported) says what the exports stage made: the downloads that the data pages
    list with their checksums, the catalogue's files, each territory's slices.
    """
    out = territory_outputs(cat, exported.slices, progress)
    reports = {page: cat.project.root / path for page, path in REPORTS.items() if (cat.project.root / path).exists()}
    for page, path in reports.items():
        out[page] = path.read_text(encoding="utf-8")
    pages = Renderer(cat, out)
    render_geography(pages, cat)
    render_national(pages, cat, reports)
    render_data_pages(pages, cat, exported, warnings or [], reports)
    return out


def render_geography(pages: Renderer, cat: Catalogue) -> None:
    """The lists of territories (all, per phase), and a page per région and per département."""
    territories = views.rows_of_table(cat.summary)
    pages.render("territoires.md.j2", "territoires/index.md", territoires=territories, regions=sorted(cat.regions.items()))
    for phase in newest_first(cat):
        pages.render("territoires_phase.md.j2", f"territoires/{phase}/index.md", phase=phase,
                     territoires=[t for t in territories if t["phase"] == phase])
    in_region = {code: [t for t in territories if code in t["codes_reg"].split()] for code in cat.regions}
    for code, name in sorted(cat.regions.items()):
        deps = [d for d in cat.records["departements"] if d["code_reg"] == code]
        pages.render("region.md.j2", cat.region_pages[code], code=code, nom=name, territoires=in_region[code],
                     departements=deps)
    for row in cat.records["departements"]:
        rows = [t for t in territories if row["code_dep"] in t["codes_dep"].split()]
        pages.render("departement.md.j2", cat.departement_pages[row["code_dep"]], code=row["code_dep"], nom=row["lib_dep"],
                     region=(row["code_reg"], cat.regions.get(row["code_reg"], "")), territoires=rows)
    pages.render("regions.md.j2", "regions/index.md", regions=[
        (code, name, sum(1 for t in in_region[code] if t["phase"] == cat.latest_phase)) for code, name in sorted(cat.regions.items())
    ])


def render_national(pages: Renderer, cat: Catalogue, reports: dict) -> None:
    """The national pages: turnkey sites, funding, the change of map between phases, the Fonds vert, the home
    page and the commune finder."""
    summary = cat.summary
    current = summary["phase"] == cat.latest_phase
    pages.render("sites.md.j2", "sites-cles-en-main.md", sites=sorted(cat.records["sites_cles_en_main"], key=lambda s: (s["lib_com"], s["id_site"])),
                 carte=figures.sites_map(cat))
    pages.render("financements.md.j2", "financements.md", **figures.funding_view(cat))
    pages.render("evolution.md.j2", "de-2019-2022-a-2023-2027.md", **transitions.evolution_view(cat), carte=figures.evolution_map(cat))
    pages.render("fonds_vert.md.j2", "fonds-vert.md", **fonds_vert.national_view(cat),
                 rapport="donnees/rapport-fonds-vert.md" if "donnees/rapport-fonds-vert.md" in reports else "")
    pages.render("accueil.md.j2", "index.md", carte=figures.home_map(cat), chiffres=cat.records["chiffres_cles"],
                 territoires_carte=summary[current].sort_values(["lib_ti", "id_ti"]).to_dict("records"),
                 nb_territoires=int(current.sum()), nb_communes=int(summary.loc[current, "nb_communes"].sum()))
    pages.render("trouver.md.j2", "trouver-ma-commune.md")


def render_data_pages(pages: Renderer, cat: Catalogue, exported, warnings: list, reports: dict) -> None:
    """The data pages (a dictionary per table, the list of downloads, quality, API) and the finder's index."""
    files = exported.downloads
    titles = {r.name: r.title for r in cat.project.resources}
    by_resource: dict[str, list] = {}
    for d in files:
        by_resource.setdefault(d.resource, []).append(d)
    for resource in cat.project.tables:
        rows = cat.records[resource.name]
        pages.render("dictionnaire.md.j2", f"donnees/{resource.name}.md", r=resource, lignes=len(rows), titres=titles,
                     types=FIELD_TYPES, contraintes=describe_constraints, exemples=first_values(rows),
                     fichiers=by_resource.get(resource.name, []),
                     jsonld=exported.schema_org[resource.name])
    perimeters_report = "perimetres.md" if "donnees/perimetres.md" in reports else ""
    pages.render("donnees.md.j2", "donnees/index.md", ressources=cat.project.resources,
                 lignes={name: len(rows) for name, rows in cat.records.items()}, fichiers=by_resource,
                 paquet=[d for d in files if not d.resource],
                 catalogue=exported.catalogue,
                 rapport_perimetres=perimeters_report)
    pages.out["assets/communes.json"] = figures.finder_index(cat)
    pages.render("qualite.md.j2", "donnees/qualite.md", parts=example_shares(cat), avertissements=warnings,
                 rapport="referentiel.md" if "donnees/referentiel.md" in reports else "",
                 rapport_perimetres=perimeters_report)
    pages.render("api.md.j2", "api.md", adresse_site=cat.project.site_url, territoire_exemple=cat.territory_rows[str(cat.territories["key"].iloc[0])]
                 if len(cat.territories) else None)


REPORTS = {  # page under docs/ → the report the data scripts write
    "donnees/referentiel.md": "datasets/referentiel/RAPPORT.md",
    "donnees/perimetres.md": "datasets/RAPPORT_PERIMETRES.md",
    "donnees/rapport-fonds-vert.md": "datasets/RAPPORT_FONDS_VERT.md",
}


def example_shares(cat: Catalogue) -> list[dict]:
    """Per table: how many rows are real (a URL) and how many are generated examples, and which columns are empty in
    every row (what no source publishes yet)."""
    shares = []
    for resource in cat.project.tables:
        rows = cat.records[resource.name]
        if "source" not in resource.field_names:
            real, example = len(rows), 0
        else:
            example = sum(1 for row in rows if row["source"] == "exemple")
            real = len(rows) - example
        empty = [name for name in resource.field_names if rows and not any(row[name] for row in rows)]
        shares.append({"nom": resource.name, "titre": resource.title, "lignes": len(rows), "reelles": real,
                       "exemple": example, "part": round(100 * real / len(rows)) if rows else 100, "vides": empty})
    return shares


FIELD_TYPES = {"string": "texte", "integer": "entier", "number": "nombre décimal", "date": "date (AAAA-MM-JJ)",
               "boolean": "booléen (oui / non)", "year": "année"}


def describe_constraints(field: dict) -> str:
    """The constraints of a schema field, in French."""
    constraints = field.get("constraints", {})
    parts = []
    if constraints.get("required"):
        parts.append("obligatoire")
    if "enum" in constraints:
        parts.append("valeurs permises : " + " ; ".join(f"« {v} »" for v in constraints["enum"]))
    if "pattern" in constraints:
        parts.append(f"motif {constraints['pattern']}")
    if "minimum" in constraints:
        parts.append(f"au moins {constraints['minimum']}")
    if "maximum" in constraints:
        parts.append(f"au plus {constraints['maximum']}")
    if "maxLength" in constraints:
        parts.append(f"{constraints['maxLength']} caractères au plus")
    return ", ".join(parts) or "—"


def first_values(rows: list[dict]) -> dict[str, str]:
    """For each column, its first non-empty value: the example shown when the schema gives none."""
    examples: dict[str, str] = {}
    for row in rows:
        for key, value in row.items():
            if value and key not in examples:
                examples[key] = str(value)[:60]
    return examples


class Renderer:
    """Renders templates into `out`, refusing two pages at one address and turning template errors into BuildError."""

    def __init__(self, cat: Catalogue, out: dict[str, str]):
        self.env = environment(cat.project.root / "templates")
        self.out = out
        self.common = {  # what every template may use; keys in French, as the templates that read them
            "exemple": cat.has_examples, "phases": newest_first(cat), "cog": cat.project.cog_year, "maj": cat.last_change,
            "pages": cat.pages, "pages_regions": cat.region_pages, "pages_departements": cat.departement_pages,
            "noms_territoires": {key: row["lib_ti"] for key, row in cat.territory_rows.items()},
            "noms_communes": cat.commune_names, "noms_regions": cat.regions,
            "natures": views.GROUPING_NATURES, "natures_changement": transitions.KIND_SENTENCES,
            "fonds_vert_source": fonds_vert.source_of(cat),
        }

    def render(self, template: str, path: str, **context) -> None:
        if path in self.out:
            raise BuildError(f"Deux pages auraient la même adresse : {path}.")
        try:
            self.out[path] = self.env.get_template(template).render(page=path, **self.common, **context)
        except jinja2.TemplateError as error:
            where = f", ligne {error.lineno}" if getattr(error, "lineno", None) else ""
            raise BuildError(f"Gabarit templates/{template}{where} : {error.message} (page {path}).") from None


def territory_outputs(cat: Catalogue, slices: dict[str, list], progress: Progress = SILENT) -> dict[str, str]:
    """Every territory's page, from the output cache when none of the territory's inputs changed.

    A territory's key holds its view (every row the page shows), the list of its slices and what all pages
    share (templates, schemas, outlines, the site's addresses and dates): after a one-row edit of projets.csv,
    only the territory of that project is drawn and rendered again. `slices`: territory key → its downloads
    (path, size, sha256), listed on its page.
    """
    from ..core.cache import text_digest

    cache = cat.project.outputs
    shared = shared_inputs(cat)
    contexts = {key: territory_context(cat, key) for key in cat.territories["key"]}
    keys = {key: cache.key("territoire", shared, text_digest([context, slices.get(key, [])]))
            for key, context in contexts.items()}
    outputs = {key: cache.get(cache_key) for key, cache_key in keys.items()}
    missing = {key: contexts[key] for key, files in outputs.items() if files is None}
    with progress.step("Pages des territoires (cartes)", total=len(missing)) as advance:
        for key, files in territory_files_in_parallel(cat, missing, slices, advance).items():
            cache.put(keys[key], files)
            outputs[key] = files
    return {path: content for key in keys for path, content in outputs[key].items()}


def shared_inputs(cat: Catalogue) -> bytes:
    """What every territory page depends on besides its own rows."""
    from ..core.cache import digest, text_digest

    root = cat.project.root
    templates = [path.read_bytes() for path in sorted((root / "templates").rglob("*")) if path.is_file()]
    outlines = [cat.tables.digest(name).encode() for name in OUTLINE_LAYERS]
    settings = text_digest([Renderer(cat, {}).common, [r.schema for r in cat.project.tables]])
    return digest(settings, *templates, *outlines).encode()


OUTLINE_LAYERS = ("epci_contours", "departements_contours", "communes_contours")  # what the territory maps draw


def territory_context(cat: Catalogue, key: str) -> dict:
    """Everything a territory page shows: its view, what changed for it between phases, its Fonds vert grants."""
    view = cat.territory_views[key]
    return {**view, "changements": transitions.territory_changes(cat, key),
            "fonds_vert": fonds_vert.territory_view(cat, key, view["population"])}


def territory_files(cat: Catalogue, contexts: dict[str, dict], slices: dict[str, list]) -> dict[str, dict[str, str]]:
    """territory key → {path: text} of the territory's page, from its context (territory_context)."""
    out: dict[str, dict[str, str]] = {}
    renderer = Renderer(cat, {})
    for key, view in contexts.items():
        renderer.out = page = {}
        renderer.render("territoire.md.j2", cat.pages[key], **view, telechargements=slices.get(key, []),
                        carte=figures.territory_map(cat, view), situation=figures.locator(cat, key),
                        graphique=figures.envelope_chart(view))
        out[key] = page
    return out


def territory_files_of_batch(keys: list[str]) -> dict[str, dict[str, str]]:
    """In a forked worker (tidata.core.workers): the pages of these territories."""
    contexts = INHERITED["contexts"]
    return territory_files(INHERITED["cat"], {key: contexts[key] for key in keys}, INHERITED["slices"])


def territory_files_in_parallel(cat: Catalogue, contexts: dict[str, dict], slices: dict[str, list],
                                advance=lambda done: None) -> dict[str, dict[str, str]]:
    """Territory pages on every core: their maps are most of the page-generation time.

    The catalogue's caches (records, outlines, spatial index) are filled before forking, so each worker
    starts with them and with the territories' contexts; the workers receive keys and return text, in small
    batches so that `advance` can count them.
    """
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or len(contexts) < 20:
        out = territory_files(cat, contexts, slices)
        advance(len(contexts))
        return out
    figures.warm_up(cat)
    keys = list(contexts)
    batches = [keys[i:i + BATCH] for i in range(0, len(keys), BATCH)]
    out: dict[str, dict[str, str | bytes]] = {}
    with forked_pool(workers, cat=cat, contexts=contexts, slices=slices) as pool:
        for part in pool.imap_unordered(territory_files_of_batch, batches):
            out.update(part)
            advance(len(part))
    return out


BATCH = 8  # territories per task: small enough to show progress, large enough to keep both cores busy

