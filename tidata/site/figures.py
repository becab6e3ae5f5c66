"""Maps, charts and the finder index of the pages, drawn from the catalogue at build time.

tidata.site.maps and tidata.site.charts draw SVG from geometries and numbers; this module chooses what each page shows.
"""

from __future__ import annotations

import numpy as np
import shapely

from ..core import urls
from ..model.load import numbers
from ..model.views import Catalogue, keyed, pivot_amounts, unions
from . import charts, finder, maps, projection


def departement_shapes(cat: Catalogue) -> list[maps.Shape]:
    names = cat.departements["lib_dep"]
    return [maps.Shape(code, geometry, names.get(code, code), css_class="carte-fond")
            for code, geometry in sorted(cat.departement_outlines.items())]


def warm_up(cat: Catalogue) -> None:
    """Fill the model's caches that the territory pages share, before the page workers fork."""
    cat.tables.read_all()
    for name in ("records", "territory_columns", "by_territory", "perimeter_records", "territory_rows", "epci_rows", "populations",
                 "pages", "predecessors", "successors", "commune_names", "phases", "summary", "territory_outlines",
                 "epci_index", "commune_outlines", "departement_outlines"):
        getattr(cat, name)


def home_map(cat: Catalogue, page: str = "index.md") -> str:
    outlines = cat.territory_outlines
    current = cat.territories[cat.territories["phase"] == cat.latest_phase]
    shapes = [
        maps.Shape(row.id_ti, outlines[row.key], row.lib_ti, href=urls.link(cat.pages[row.key], page), css_class="carte-territoire")
        for row in current.itertuples() if row.key in outlines
    ]
    return maps.france_map(shapes, departement_shapes(cat), title=f"Carte des {len(shapes)} Territoires d'industrie {cat.latest_phase}")


def territory_map(cat: Catalogue, view: dict) -> str:
    """The territory's communes grouped by their EPCI (the part of it inside the territory), the EPCI around."""
    by_epci: dict[str, list[str]] = {}
    for commune in cat.perimeter_records.get(view["key"], []):
        by_epci.setdefault(commune["siren_epci"], []).append(commune["insee_com"])
    parts = unions(by_epci, cat.commune_outlines)
    names = {e["siren_epci"]: e for e in view["epci"]}
    own = [maps.Shape(siren, parts[siren], epci_label(names.get(siren)), css_class="carte-epci") for siren in sorted(parts)]
    if not own:
        return ""
    geometries = cat.epci_outlines
    sirens, tree = cat.epci_index
    xmin, ymin, xmax, ymax = shapely.total_bounds(np.array([s.geometry for s in own], dtype=object))
    frame = shapely.box(xmin - 0.3, ymin - 0.3, xmax + 0.3, ymax + 0.3)
    whole = {e["siren_epci"] for e in view["epci"] if e["communes_dedans"] == e["communes_total"]}
    around = [maps.Shape(sirens[i], geometries[sirens[i]], "", css_class="carte-fond")
              for i in sorted(tree.query(frame, predicate="intersects")) if sirens[i] not in whole]
    points = [site_point(site) for site in view["sites"]]
    return maps.area_map(own, around, points, title=f"Carte du territoire {view['t']['lib_ti']} : ses EPCI et ses sites clés en main")


def epci_label(epci: dict | None) -> str:
    """An EPCI's name on the map, saying when only some of its communes are in the territory."""
    if epci is None:
        return "Communes sans EPCI"
    if epci["communes_dedans"] < epci["communes_total"]:
        return f"{epci['lib_epci']} ({epci['communes_dedans']} communes sur {epci['communes_total']})"
    return epci["lib_epci"]


def locator(cat: Catalogue, key: str) -> str:
    outline = cat.territory_outlines.get(key)
    if outline is None:
        return ""
    return maps.locator_map(outline, departement_shapes(cat), title="Situation du territoire en France")


def evolution_map(cat: Catalogue) -> str:
    """The communes of both phases coloured by what changed for them (one shape per status, its name in the legend)."""
    from .transitions import STATUS_LABELS, STATUSES

    groups: dict[str, list[str]] = {}
    for row in cat.records["communes_evolution"]:
        groups.setdefault(row["statut"], []).append(row["insee_com"])
    outlines = unions(groups, cat.commune_outlines)
    shapes = [maps.Shape(f"{status} {zone}", part, f"Communes : {STATUS_LABELS[status]}", css_class=f"evolution-{i}")
              for i, status in enumerate(STATUSES) if status in outlines
              for zone, part in sorted(projection.by_zone(outlines[status]).items())]
    return maps.france_map(shapes, departement_shapes(cat), title="Carte des communes des Territoires d'industrie :"
                           " ce qui a changé entre 2019-2022 et 2023-2027")


def site_point(site: dict, href: str | None = None) -> maps.Point:
    name = site["nom"] or f"Site de {site['lib_com']}"
    return maps.Point(site["id_site"], float(site["longitude"]), float(site["latitude"]), name, href=href, css_class="carte-site")


def sites_map(cat: Catalogue) -> str:
    sites = cat.tables["sites_cles_en_main"]
    points = [site_point(row, href=f"#{row['id_site']}") for row in sites.to_dict("records")]
    return maps.france_map([], departement_shapes(cat), points, title=f"Carte des {len(points)} sites clés en main France 2030")


def envelope_chart(view: dict) -> str:
    table = view["enveloppes_par_annee"]
    if not table["lignes"]:
        return ""
    series = {status: [table["valeurs"][year].get(status, 0.0) for year in table["lignes"]] for status in table["colonnes"]}
    return charts.bar_chart(table["lignes"], series, title="Enveloppes du territoire par année et par statut")


def funding_view(cat: Catalogue) -> dict:
    envelopes = keyed(cat.tables["enveloppes"]).assign(montant=lambda t: numbers(t["montant_eur"]))
    national = envelopes[envelopes["id_ti"] == ""].drop(columns="key")
    shares = envelopes[envelopes["id_ti"] != ""]
    share_rows = shares.drop(columns="key").to_dict("records")
    regions = shares["key"].map(cat.territories.set_index("key")["codes_reg"]).str.split().str[0]
    by_region = shares.assign(code_reg=regions).groupby("code_reg")["montant"].sum()
    statuses = cat.project.resource("enveloppes").allowed("statut")
    return {
        "statuts": statuses,
        "nationales": national.sort_values(["annee", "dispositif"]).to_dict("records"),
        "par_annee_dispositif": pivot_amounts(share_rows, "annee", "dispositif"),
        "par_annee_statut": pivot_amounts(share_rows, "annee", "statut"),
        "par_financeur": pivot_amounts(share_rows, "financeur", "statut"),
        "par_statut": shares.groupby("statut")["montant"].sum().to_dict(),
        "par_region": [(code, cat.regions.get(code, code), float(total)) for code, total in by_region.items()],
        "graphique": charts.bar_chart(
            sorted(shares["annee"].unique()),
            {status: [float(shares[(shares["annee"] == y) & (shares["statut"] == status)]["montant"].sum())
                      for y in sorted(shares["annee"].unique())] for status in statuses},
            title="Parts territoriales des enveloppes par année et par statut",
        ),
    }


FINDER_TABLES = ["communes", "territoires_communes", "territoires", "departements", "regions", "epci"]


def finder_index(cat: Catalogue) -> str:
    """The index of the commune finder and of the search box's places (assets/communes.json), from the output cache
    while its tables and page addresses are unchanged."""
    from ..core.cache import text_digest

    pages = {
        "territory_urls": {key: urls.page_url(path) for key, path in cat.pages.items()},
        "region_urls": {code: urls.page_url(path) for code, path in cat.region_pages.items()},
        "departement_urls": {code: urls.page_url(path) for code, path in cat.departement_pages.items()},
    }
    cache = cat.project.outputs
    key = cache.key("communes", text_digest(pages), *(cat.tables.digest(name) for name in FINDER_TABLES))
    tables = [cat.tables[name] for name in FINDER_TABLES]
    return cache.get_or_make(key, lambda: finder.index_json(finder.build_index(*tables, **pages, phases=cat.phases)))
