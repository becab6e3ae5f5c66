"""Accessibility (RGAA): axe-core, injected from node_modules, on the pages a citizen and a journalist use.

Zero violations of impact serious or critical, the theme's own included: no rule is disabled or filtered out.
Every page is also checked for what axe cannot judge alone: the language is French, the skip link leads to the
main heading, every map and chart has a text alternative.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .outils import AXE, ROOT, missing, territory_page

BLOCKING = {"serious", "critical"}


def first_page(site_root: Path, folder: str, pattern: str = "*/index.html") -> str:
    pages = sorted((site_root / folder).glob(pattern))
    if not pages:
        pytest.fail(f"aucune page {folder}/{pattern} dans le site construit")
    return "/" + pages[0].parent.relative_to(site_root).as_posix() + "/"


def dictionary_page(site_root: Path) -> str:
    """A data dictionary page under /donnees/ (its title says « dictionnaire »): every table of the package has one."""
    for path in sorted((site_root / "donnees").glob("*/index.html")):
        title = re.search(r"<h1[^>]*>(.*?)</h1>", path.read_text(encoding="utf-8"), re.S)
        if title and "dictionnaire" in title.group(1).lower():
            return "/" + path.parent.relative_to(site_root).as_posix() + "/"
    pytest.fail("aucune page de dictionnaire des données (titre « … : dictionnaire des données ») sous /donnees/")


PAGES = {
    "accueil": lambda site: "/",
    "territoire": territory_page,
    "territoires 2019-2022": lambda site: "/territoires/2019-2022/",
    "de 2019-2022 à 2023-2027": lambda site: "/de-2019-2022-a-2023-2027/",
    "fonds vert": lambda site: "/fonds-vert/",
    "région": lambda site: first_page(site, "regions"),
    "données": lambda site: "/donnees/",
    "trouver ma commune": lambda site: "/trouver-ma-commune/",
    "dictionnaire des données": dictionary_page,
}


def audit(page) -> list[dict]:
    """axe-core's violations on the page as it is now (all rules, default tags: WCAG 2.x A/AA and best practices)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ['violations']});
        return results.violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary}))
        }));
    }""")


def describe(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}) : {v['help']}")
        for node in v["nodes"][:5]:
            lines.append(f"    {node['target']} — {node['summary'].splitlines()[-1].strip() if node['summary'] else ''}")
    return "\n".join(lines)


PHONE_PAGES = ["accueil", "territoire", "trouver ma commune"]


def check_page(page, site_root, e2e_report, name: str, width: str) -> None:
    if not AXE.exists():
        missing(f"{AXE.relative_to(ROOT)} est absent : lancez `npm ci --ignore-scripts` à la racine.")
    url = PAGES[name](site_root)
    page.goto(url)
    if name == "trouver ma commune":  # audit the finder with its results shown
        page.locator("#commune-saisie").fill("chalon sur saone")
        page.wait_for_function("() => (document.querySelector('#commune-resultats li') || {textContent: ''})"
                               ".textContent.includes('71076')")
    page.wait_for_timeout(150)  # the theme's scripts have run (scrolling tables get their name)
    violations = audit(page)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    e2e_report["axe"][f"{url} ({width})"] = {"page": name, "all": len(violations), "serious": len(blocking),
                                             "rules": [(v["id"], v["impact"]) for v in violations]}
    assert not blocking, f"{url} ({width}) : violations graves ou critiques (axe-core)\n" + describe(blocking)


@pytest.mark.parametrize("name", list(PAGES))
def test_page_has_no_serious_accessibility_violation(page, site_root, e2e_report, name):
    check_page(page, site_root, e2e_report, name, "1280 px")


@pytest.mark.parametrize("name", PHONE_PAGES)
def test_page_on_a_phone_has_no_serious_accessibility_violation(phone_page, site_root, e2e_report, name):
    """At 390 px, wide tables scroll: their scrolling region must be reachable with the keyboard, among others."""
    check_page(phone_page, site_root, e2e_report, name, "390 px")


def test_text_alternatives_language_and_skip_link(page, site_root):
    territory = PAGES["territoire"](site_root)
    for url in ["/", territory, PAGES["région"](site_root)]:
        page.goto(url)
        assert page.locator("html").get_attribute("lang") == "fr", url
        # Every map and chart is announced with a name (role img or group + accessible name).
        unnamed = page.evaluate("""() => [...document.querySelectorAll('article svg.carte-svg, article svg.graphique-svg')]
            .filter(svg => {
                const label = svg.getAttribute('aria-label') || (svg.getAttribute('aria-labelledby') || '')
                    .split(' ').map(id => (document.getElementById(id) || {}).textContent || '').join(' ');
                return !['img', 'group'].includes(svg.getAttribute('role')) || !label.trim();
            }).map(svg => svg.outerHTML.slice(0, 120))""")
        assert not unnamed, f"{url} : cartes ou graphiques sans alternative textuelle : {unnamed}"
        # The skip link is the first stop of the keyboard and leads to the page's main heading.
        page.keyboard.press("Tab")
        skip = page.evaluate("() => document.activeElement.className + ' ' + document.activeElement.getAttribute('href')")
        assert skip.startswith("md-skip"), f"{url} : premier arrêt de tabulation {skip!r}"
        page.keyboard.press("Enter")
        target = page.evaluate("() => document.getElementById(location.hash.slice(1))?.tagName")
        assert target == "H1", f"{url} : le lien d'évitement mène à {target}"
    # The territory page's charts are followed by their data tables.
    page.goto(territory)
    for figure in page.locator("figure.graphique").all():
        assert figure.evaluate("f => { let n = f.nextElementSibling; while (n && !['TABLE', 'DIV'].includes(n.tagName)) "
                               "n = n.nextElementSibling; return !!n && !!(n.tagName === 'TABLE' || n.querySelector('table')); }")
