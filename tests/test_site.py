"""The built site, on the small package: pages, links, escaping, and no third-party request."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from conftest import read_rows, set_cell, tree_digest

NASTY_TITLE = 'Usine | *gras* _x_ 1 < 2 [lien](javascript:alert(1)) # 100 % & co'


class PageLinks(HTMLParser):
    """Every link, resource reference and element id of one HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links, self.resources, self.ids = [], [], set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.add(attrs["id"])
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        if attrs.get("src"):
            self.resources.append(attrs["src"])
        if tag == "link" and attrs.get("href") and attrs.get("rel") != "canonical":
            # the canonical link names the page's public address; browsers do not fetch it
            self.resources.append(attrs["href"])


# What a page could run or load. A URL may only be relative or http(s)/mailto; no element embeds another
# document; no event-handler attribute; a script is the site's own file, JSON that parses, or the theme's inline code.
URL_ATTRIBUTES = {"href", "src", "xlink:href", "action", "formaction", "data", "poster", "cite", "background", "ping",
                  "srcset"}
SAFE_SCHEMES = {"http", "https", "mailto"}
EMBEDDING = {"iframe", "frame", "frameset", "object", "embed", "applet", "base"}
JSON_SCRIPTS = {"application/json", "application/ld+json"}


def url_scheme(url: str) -> str | None:
    """The scheme a browser sees (it drops tabs and line breaks anywhere, controls and spaces around); None: relative."""
    cleaned = re.sub(r"[\t\n\r]", "", url).strip("".join(map(chr, range(33))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*):", cleaned)
    return match.group(1).lower() if match else None


class Markup(HTMLParser):
    """The URLs, event handlers, embedding elements and scripts of one page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.urls, self.handlers, self.embedding, self.scripts = [], [], [], []
        self.script = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith("on"):
                self.handlers.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None:
                values = [c.strip().split(" ")[0] for c in value.split(",")] if name == "srcset" else [value]
                self.urls += [(tag, name, v) for v in values]
        if tag in EMBEDDING or (tag == "meta" and (dict(attrs).get("http-equiv") or "").lower() == "refresh"):
            self.embedding.append(tag)
        if tag == "script":
            self.script = [dict(attrs).get("type"), dict(attrs).get("src"), ""]

    def handle_data(self, data):
        if self.script is not None:
            self.script[2] += data

    def handle_endtag(self, tag):
        if tag == "script" and self.script is not None:
            self.scripts.append(tuple(self.script))
            self.script = None


def markup(path: Path) -> Markup:
    parser = Markup()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def theme_script(text: str) -> str:
    return re.sub(r'new URL\("[^"]*",location\)', "new URL(…,location)", text)  # the theme's scope differs per page


def unsafe_markup(site: Path) -> list[str]:
    """Everything in the site's HTML pages that could run a script, load a document or leave through an unsafe link.

    The theme's own inline scripts are those of its 404 page, the one page no data reaches."""
    theme = {theme_script(text) for kind, src, text in markup(site / "404.html").scripts if not kind and not src}
    found = []
    for page in sorted(site.rglob("*.html")):
        name, parsed = page.relative_to(site).as_posix(), markup(page)
        found += [f"{name} : <{tag} {attribute}=\"{url}\">" for tag, attribute, url in parsed.urls
                  if url_scheme(url) not in (None, *SAFE_SCHEMES)]
        found += [f"{name} : attribut {handler}" for handler in parsed.handlers]
        found += [f"{name} : élément <{tag}>" for tag in parsed.embedding]
        for kind, src, text in parsed.scripts:
            if src is not None:
                if url_scheme(src) is not None:
                    found.append(f"{name} : script d'ailleurs {src}")
            elif kind in JSON_SCRIPTS:
                try:
                    json.loads(text)
                except ValueError:
                    found.append(f"{name} : script {kind} qui n'est pas du JSON : {text[:80]!r}")
            elif theme_script(text) not in theme:
                found.append(f"{name} : script en ligne inconnu du thème : {text[:80]!r}")
    return found


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The small package's site, built once for the module (with a nasty project title)."""
    from conftest import copy_project

    import build

    root = copy_project(tmp_path_factory.mktemp("site") / "projet")
    set_cell(root, "projets.csv", 3, "titre", NASTY_TITLE)
    assert build.main(["--racine", str(root)]) == 0
    return root


def parse(path: Path) -> PageLinks:
    parser = PageLinks()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def html_pages(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def target_of(page: Path, href: str, site: Path) -> tuple[Path, str]:
    parts = urlsplit(href)
    base = site if parts.path.startswith("/") else page.parent
    path = (base / unquote(parts.path).lstrip("/")).resolve() if parts.path else page
    if path.is_dir():
        path = path / "index.html"
    return path, parts.fragment


def test_every_territory_row_has_its_page(built):
    _, territories = read_rows(built / "datasets" / "territoires.csv")
    for territory in territories:
        page = built / "site" / "territoires" / territory["phase"] / territory["id_ti"] / "index.html"
        assert territory["lib_ti"] in page.read_text(encoding="utf-8"), page


def test_same_id_in_two_phases_gives_two_pages_and_the_predecessor_link_points_to_the_right_one(built):
    territories = built / "site" / "territoires"
    before = (territories / "2019-2022" / "ti-2708" / "index.html").read_text(encoding="utf-8")
    after = (territories / "2023-2027" / "ti-2708" / "index.html").read_text(encoding="utf-8")
    assert "<h1" in before and "Ouest Saône-et-Loire</h1>" in before and "Nord Franche-Comté</h1>" in after
    successor = (territories / "2023-2027" / "ti-2703" / "index.html").read_text(encoding="utf-8")
    assert '<a href="../../2019-2022/ti-2708/">Ouest Saône-et-Loire</a>' in successor
    assert '<a href="../../2023-2027/ti-2703/">Bourgogne Industrie</a>' in before


def test_same_id_in_two_phases_gives_two_sets_of_downloads(built):
    folder = built / "site" / "donnees" / "territoires"
    before = (folder / "2019-2022" / "ti-2708" / "territoires_communes.csv").read_text(encoding="utf-8").splitlines()
    after = (folder / "2023-2027" / "ti-2708" / "territoires_communes.csv").read_text(encoding="utf-8").splitlines()
    assert {line.split(",")[3] for line in before[1:]} == {"Ouest Saône-et-Loire"}
    assert {line.split(",")[3] for line in after[1:]} == {"Nord Franche-Comté"}
    assert (folder / "2019-2022" / "ti-2708" / "ti-2708_2019-2022.json").exists()
    assert (folder / "2023-2027" / "ti-2708" / "ti-2708_2023-2027.json").exists()


def test_every_internal_link_and_anchor_resolves(built):
    site = built / "site"
    cache = {}
    broken = []
    for page in html_pages(site):
        links = parse(page)
        for href in links.links + links.resources:
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            target, fragment = target_of(page, href, site)
            if not target.exists():
                broken.append(f"{page.relative_to(site)} → {href}")
                continue
            if fragment and target.suffix == ".html":
                ids = cache.setdefault(target, parse(target).ids)
                if fragment not in ids:
                    broken.append(f"{page.relative_to(site)} → {href} (ancre absente)")
    assert not broken, "\n".join(broken[:30])


def test_no_page_loads_anything_from_another_origin(built):
    offenders = []
    for path in sorted((built / "site").rglob("*")):
        if path.suffix in (".html", ".css", ".js") and path.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            if path.suffix == ".html":
                refs = parse(path).resources
                offenders += [f"{path.name}: {r}" for r in refs if re.match(r"^(https?:)?//", r)]
            offenders += [f"{path.name}: {m}" for m in re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", text)]
            if path.suffix == ".js":
                offenders += [f"{path.name}: {m}" for m in re.findall(r"fetch\(\s*['\"]((?:https?:)?//[^'\"]+)", text)]
    assert not offenders, "\n".join(offenders[:20])


def test_pages_use_the_system_fonts_and_embed_no_web_font(built):
    """mkdocs.yml's `font: false`: no font to download, from the site or elsewhere (the theme's default is Google's)."""
    site = built / "site"
    sheets = "".join(path.read_text(encoding="utf-8") for path in site.rglob("*.css"))
    assert "@font-face" not in sheets
    assert not [path.name for path in site.rglob("*") if path.suffix in (".woff", ".woff2", ".ttf", ".otf", ".eot")]
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "--md-text-font" not in home  # the theme sets it only when it loads a web font


def test_no_page_runs_or_loads_anything_from_the_data(built):
    assert not unsafe_markup(built / "site"), "\n".join(unsafe_markup(built / "site")[:30])


def test_the_markup_scan_finds_scripts_links_and_embeds(tmp_path):
    """The scan the site tests rely on, on pages written by hand."""
    theme = '<script>__md_scope=new URL("..",location)</script>'
    (tmp_path / "404.html").write_text(theme, encoding="utf-8")
    (tmp_path / "a.html").write_text(
        '<a href=" JaVa\tScript:alert(1)">x</a><img src="data:image/png;base64,AA"><a href="vbscript:x">y</a>'
        '<a href="mailto:a@b.fr">ok</a><a href="../b/">ok</a><a href="https://x.fr/">ok</a>'
        '<svg><a xlink:href="javascript:1"></a></svg><p onclick="x()">z</p><iframe src="x.html"></iframe>'
        '<script src="https://cdn.example.org/x.js"></script><script type="application/json">{"a": </script>'
        '<script>alert(1)</script>' + theme.replace("..", "../.."), encoding="utf-8")
    found = unsafe_markup(tmp_path)
    expected = [
        '<a href=" JaVa\tScript:alert(1)', '<img src="data:image/png;base6', '<a href="vbscript:x">',
        '<a xlink:href="javascript:1">', "attribut <p onclick>", "élément <iframe>",
        "script d'ailleurs https://cdn.example.org/x.js", "script application/json qui n'est pas du JSON",
        "script en ligne inconnu du thème : 'alert(1)'"]
    assert len(found) == len(expected) and all(line.startswith(f"a.html : {e}") for line, e in zip(found, expected)), found


def test_project_title_with_special_characters_shows_as_text(built):
    page = (built / "site" / "territoires" / "2023-2027" / "ti-2703" / "index.html").read_text(encoding="utf-8")
    assert 'href="javascript' not in page
    assert "<em>gras</em>" not in page
    assert "Usine | *gras* _x_ 1 &lt; 2 [lien](javascript:alert(1)) # 100 % &amp; co" in page


def test_every_page_shows_the_example_notice(built):
    for name in ("index.html", "territoires/index.html", "financements/index.html"):
        assert "Données d'exemple." in (built / "site" / name).read_text(encoding="utf-8"), name


def test_pages_are_in_french_and_load_no_google_fonts(built):
    home = (built / "site" / "index.html").read_text(encoding="utf-8")
    assert '<html lang="fr"' in home
    assert "fonts.googleapis" not in home and "fonts.gstatic" not in home


def test_failed_build_leaves_the_previous_site_unchanged(built, run):
    before = tree_digest(built / "site")
    set_cell(built, "projets.csv", 2, "date_debut", "23/06/2023")
    try:
        result = run(built)
        assert result.code == 1
        assert "ligne 2, colonne date_debut" in result.err
        assert tree_digest(built / "site") == before
    finally:
        set_cell(built, "projets.csv", 2, "date_debut", "2024-03-01")


def test_checksums_and_sizes_on_the_data_page_match_the_files(built):
    import hashlib

    folder = built / "site" / "donnees"
    page = (folder / "index.html").read_text(encoding="utf-8")
    rows = re.findall(r'<a href="([^"]+)">[^<]+</a></td>\s*<td>[^<]*</td>\s*<td[^>]*>([\d\u202f]+) octets</td>\s*<td[^>]*><code>([0-9a-f]{64})</code>', page)
    assert len(rows) >= 30
    for href, size, sha in rows:
        content = (folder / href).read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha, href
        assert len(content) == int(size.replace("\u202f", "")), href


def test_dcat_catalogue_parses_and_every_distribution_is_complete(built):
    from rdflib import Graph
    from rdflib.namespace import DCAT, DCTERMS, RDF

    for name, fmt in (("catalogue.ttl", "turtle"), ("catalogue.jsonld", "json-ld")):
        graph = Graph().parse(built / "site" / "donnees" / name, format=fmt)
        distributions = list(graph.subjects(RDF.type, DCAT.Distribution))
        assert len(distributions) >= 30, name  # CSV, Parquet and JSON of each table, GeoJSON
        for distribution in distributions:
            for prop in (DCAT.downloadURL, DCAT.mediaType, DCAT.byteSize, DCTERMS.license, DCTERMS.description):
                assert graph.value(distribution, prop) is not None, (name, distribution, prop)
            assert re.search(r"SHA-256 : [0-9a-f]{64}$", graph.value(distribution, DCTERMS.description)), distribution
        datasets = list(graph.subjects(RDF.type, DCAT.Dataset))
        assert {str(graph.value(d, DCTERMS.identifier)) for d in datasets} >= {"territoires-d-industrie/projets"}


def test_territory_downloads_match_the_checksums_on_its_page_and_hold_only_its_rows(built):
    import hashlib

    import duckdb

    page_path = built / "site" / "territoires" / "2023-2027" / "ti-2703" / "index.html"
    page = page_path.read_text(encoding="utf-8")
    rows = re.findall(r'<a href="([^"]+)">[^<]+</a></td>\s*<td[^>]*>([\d\u202f]+) octets</td>\s*<td[^>]*><code>([0-9a-f]{64})</code>', page)
    from tidata.core.project import Project

    naming = [r for r in Project(built).tables if any(fk["resource"] == "territoires" for fk in r.foreign_keys)]
    assert len(rows) == 2 * (len(naming) + 1) + 1  # CSV and Parquet of territoires and of each resource naming it, one JSON
    assert rows[0][0].endswith("donnees/territoires/2023-2027/ti-2703/communes_evolution.csv")
    for href, size, sha in rows:
        content = (page_path.parent / href).resolve().read_bytes()
        assert hashlib.sha256(content).hexdigest() == sha and len(content) == int(size.replace("\u202f", ""))
    parquet = (page_path.parent / next(h for h, _, _ in rows if h.endswith("projets.parquet"))).resolve()
    assert duckdb.sql(f"select distinct phase, id_ti from read_parquet('{parquet}')").fetchall() == [("2023-2027", "ti-2703")]
    assert duckdb.sql(f"select typeof(cout_total_eur) from read_parquet('{parquet}') limit 1").fetchall() == [("DOUBLE",)]


def test_quality_page_shows_real_and_example_shares_and_the_cog_year(built):
    page = (built / "site" / "donnees" / "qualite" / "index.html").read_text(encoding="utf-8")
    assert "code officiel géographique 2026" in page
    assert "Communes" in page and "100 %" in page


def test_data_and_legal_pages_credit_the_outlines_and_list_their_downloads(built):
    credit = "IGN – ADMIN EXPRESS COG CARTO 2025, Licence Ouverte 2.0 ; traitement COGiter (MTES, licence MIT)"
    data = (built / "site" / "donnees" / "index.html").read_text(encoding="utf-8")
    assert credit in data
    for name in ("communes", "epci", "departements", "regions"):
        assert f'<a href="{name}.geojson">{name}.geojson</a>' in data, name
    legal = (built / "site" / "mentions-legales" / "index.html").read_text(encoding="utf-8")
    assert credit in legal and "Copyright (c) 2019 MTES-MCT" in legal and '<blockquote lang="en">' in legal


def test_every_page_footer_gives_the_citation_licence_ouverte_asks_for(built):
    for name in ("index.html", "donnees/index.html", "a-propos/index.html"):
        page = (built / "site" / name).read_text(encoding="utf-8")
        assert "Citer : « Territoires d&#39;industrie — données ouvertes" in page or "Citer : « Territoires d'industrie — données ouvertes" in page, name
        assert "Licence Ouverte / Open Licence version 2.0 »" in page
        assert "Contours des cartes : IGN – ADMIN EXPRESS COG CARTO 2025, Licence Ouverte 2.0 ; traitement COGiter (MTES, licence MIT)." in page


def test_evolution_page_shows_the_map_its_legend_and_the_counts(built):
    page = (built / "site" / "de-2019-2022-a-2023-2027" / "index.html").read_text(encoding="utf-8")
    assert 'class="carte-svg carte-svg-france"' in page and "<title>Communes : maintenue</title>" in page
    assert 'class="pastille evolution-2"' in page and "entrée dans le programme en 2023" in page
    assert "Bourgogne Industrie" in page and "Ouest Saône-et-Loire" in page  # its predecessor, by shared communes


def test_territory_pages_say_what_changed_and_the_fonds_vert_with_its_caveat(built):
    territories = built / "site" / "territoires"
    grand_chalon = (territories / "2023-2027" / "ti-2704" / "index.html").read_text(encoding="utf-8")
    assert "Communes entrées dans le programme en 2023 : 85" in grand_chalon
    assert "Fonds vert 2023 — dépenses publiques dans le périmètre, hors crédits du programme Territoires d&#39;industrie" \
        in grand_chalon or "Fonds vert 2023 — dépenses publiques dans le périmètre, hors crédits du programme Territoires d'industrie" in grand_chalon
    assert "subventions dans les communes du territoire" in grand_chalon
    before = (territories / "2019-2022" / "ti-2708" / "index.html").read_text(encoding="utf-8")
    assert "Le Fonds vert 2023 est rattaché aux territoires de la phase en cours" in before


def test_fonds_vert_page_adds_up_inside_outside_and_without_commune(built):
    page = (built / "site" / "fonds-vert" / "index.html").read_text(encoding="utf-8")
    assert "hors crédits du programme" in page and "Précautions de lecture" in page
    assert "dans un Territoire d&#39;industrie 2023-2027" in page or "dans un Territoire d'industrie 2023-2027" in page


def test_failed_mkdocs_stage_says_which_page_and_which_link(petit, run):
    with open(petit / "docs" / "a-propos.md", "a", encoding="utf-8") as page:
        page.write("\nVoir la [page disparue](page-disparue.md).\n")
    result = run(petit)
    assert result.code == 1, result.text
    assert "La construction du site a échoué : mkdocs s'arrête en mode strict sur 1 message" in result.err
    assert "a-propos.md" in result.err and "page-disparue.md" in result.err, result.err
    assert "Traceback" not in result.text
    assert not (petit / "site").exists() and not list(petit.glob(".construction-*"))


def test_build_removes_the_folders_a_killed_build_left_behind(petit, run):
    import signal
    import subprocess
    import sys
    import time

    from conftest import ROOT

    assert run(petit).code == 0  # a first site, so that the next build has an old one to swap out
    (petit / ".cache" / "site.json").unlink()  # and so that the next build does not find it up to date
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--racine", str(petit), "--quiet"])
    deadline = time.monotonic() + 120
    while not list(petit.glob(".construction-*")) and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGKILL)  # as a CI timeout or the OOM killer would
    process.wait()
    left = list(petit.glob(".construction-*"))
    assert left, "la construction s'est terminée avant d'être interrompue"
    (petit / ".site-ancien").mkdir()  # what a build killed between its two renames leaves
    (petit / ".site-ancien" / "index.html").write_text("ancien", encoding="utf-8")
    assert run(petit).code == 0
    assert not list(petit.glob(".construction-*")) and not (petit / ".site-ancien").exists()
    assert (petit / "site" / "index.html").exists()


def test_generated_files_are_listed_where_mkdocs_would_find_them_in_docs(tmp_path):
    """The build hands its files to mkdocs in memory (with_generated_files): they are listed in the order mkdocs'
    own walk of docs/ gives, so that the search index and the sitemap keep their order."""
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files

    from tidata.build import walk_order

    paths = ["index.md", "a.md", "B.md", "donnees/index.md", "donnees/a.csv", "donnees/territoires/x/index.md",
             "donnees/territoires/x/a.json", "donnees/z.md", "regions/README.md", "regions/01.md", "z/a.b.md", "z/a.md"]
    docs = tmp_path / "docs"
    for path in paths:
        (docs / path).parent.mkdir(parents=True, exist_ok=True)
        (docs / path).write_text("x", encoding="utf-8")
    (tmp_path / "mkdocs.yml").write_text("site_name: essai\n", encoding="utf-8")
    config = load_config(config_file=str(tmp_path / "mkdocs.yml"), docs_dir=str(docs), site_dir=str(tmp_path / "site"))
    assert sorted(paths, key=walk_order) == [f.src_uri for f in get_files(config)]
