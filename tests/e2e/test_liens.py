"""The full site built from the shipped data: every internal link and anchor resolves, nothing comes from
another origin, nothing runs but the site's own scripts. (tests/test_site.py checks the same on the small package;
this covers all 477 pages.)"""

import re

from test_site import PageLinks, markup, target_of, unsafe_markup, url_scheme


def test_every_internal_link_and_anchor_of_the_full_site_resolves(site_root):
    ids: dict = {}
    broken, checked = [], 0
    for page in sorted(site_root.rglob("*.html")):
        links = PageLinks()
        links.feed(page.read_text(encoding="utf-8"))
        for href in links.links + links.resources:
            if re.match(r"^[a-z]+:", href) or href.startswith("//"):
                continue
            checked += 1
            target, fragment = target_of(page, href, site_root)
            if not target.exists():
                broken.append(f"{page.relative_to(site_root)} → {href}")
            elif fragment and target.suffix == ".html":
                if target not in ids:
                    parser = PageLinks()
                    parser.feed(target.read_text(encoding="utf-8"))
                    ids[target] = parser.ids
                if fragment not in ids[target]:
                    broken.append(f"{page.relative_to(site_root)} → {href} (ancre absente)")
    print(f"liens internes vérifiés : {checked}")
    assert checked > 10_000
    assert not broken, "\n".join(broken[:30])


def test_no_page_of_the_full_site_loads_anything_from_another_origin(site_root):
    offenders = []
    for page in sorted(site_root.rglob("*.html")):
        links = PageLinks()
        links.feed(page.read_text(encoding="utf-8"))
        offenders += [f"{page.relative_to(site_root)}: {r}" for r in links.resources if re.match(r"^(https?:)?//", r)]
    for sheet in sorted(site_root.rglob("*.css")):
        offenders += re.findall(r"url\(\s*['\"]?((?:https?:)?//[^)'\"]+)", sheet.read_text(encoding="utf-8"))
    assert not offenders, "\n".join(offenders[:20])


def test_the_site_of_the_shipped_data_shows_real_territories_and_no_generated_value(site_root):
    """183 + 149 territory pages from ANCT's perimeters, and nothing generated anywhere: no example banner, no
    example id, no « Exemple – » territory; what no source publishes says « non publié »."""
    territories = site_root / "territoires"
    assert len(list((territories / "2023-2027").glob("ti-*/index.html"))) == 183
    assert len(list((territories / "2019-2022").glob("ti-*/index.html"))) == 149
    generated = re.compile(r"Données d'exemple\.|Exemple – |\b(?:ti|prj|env|scem)-ex-|\(exemple\)")
    offenders = [str(page.relative_to(site_root)) for page in sorted(site_root.rglob("*.html"))
                 if generated.search(page.read_text(encoding="utf-8"))]
    assert not offenders, offenders[:10]
    home = (site_root / "index.html").read_text(encoding="utf-8")
    assert "183 territoires" in home and "portés au code officiel géographique 2026" in home
    chalon = (territories / "2023-2027" / "ti-2704" / "index.html").read_text(encoding="utf-8")
    assert "Grand Chalon</h1>" in chalon and "non publié" in chalon.lower()
    data = site_root / "donnees" / "territoires" / "2023-2027" / "ti-2704"
    assert (data / "territoires_communes.csv").read_text(encoding="utf-8").count("\n") == 137  # 136 communes and the header


def test_every_territory_page_of_the_full_site_says_what_changed_and_its_fonds_vert(site_root):
    pages = sorted((site_root / "territoires").glob("*/ti-*/index.html"))
    assert len(pages) == 332
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert "D&#39;une phase à l&#39;autre" in text or "D'une phase à l'autre" in text, page
        assert "Fonds vert 2023" in text, page
    for name in ("de-2019-2022-a-2023-2027", "fonds-vert"):
        assert (site_root / name / "index.html").stat().st_size < 400_000


def test_no_page_of_the_full_site_has_a_script_link_or_markup_from_the_data(site_root):
    """No href or src with a javascript:, data: or vbscript: scheme (nor any scheme but http, https, mailto), no
    event handler, no embedded document, no script but the site's files, valid JSON and the theme's own code."""
    pages = sorted(site_root.rglob("*.html"))
    urls = [url for page in pages for _, _, url in markup(page).urls]
    assert len(pages) > 400 and len(urls) > 20_000
    assert not [url for url in urls if url_scheme(url) in ("javascript", "data", "vbscript")]
    found = unsafe_markup(site_root)
    assert not found, "\n".join(found[:30])
