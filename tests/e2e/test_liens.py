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


def test_no_page_of_the_full_site_has_a_script_link_or_markup_from_the_data(site_root):
    """No href or src with a javascript:, data: or vbscript: scheme (nor any scheme but http, https, mailto), no
    event handler, no embedded document, no script but the site's files, valid JSON and the theme's own code."""
    pages = sorted(site_root.rglob("*.html"))
    urls = [url for page in pages for _, _, url in markup(page).urls]
    assert len(pages) > 400 and len(urls) > 20_000
    assert not [url for url in urls if url_scheme(url) in ("javascript", "data", "vbscript")]
    found = unsafe_markup(site_root)
    assert not found, "\n".join(found[:30])
