"""The search box at the top of every page, in a real browser: what people type finds the page they look for.

The queries are drawn from the shipped data (tests/e2e/requetes.py, fixed seed). Results are read as a person sees
them: the places that come first (docs/assets/recherche-site.js), then the theme's pages; a query succeeds when one
of the first three results leads to one of its expected pages (and, for a commune, shows its INSEE code; for a
postcode, every commune of the postcode comes before anything else).
"""

from __future__ import annotations

import re
import time
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from .outils import AXE, ROOT, missing
from .requetes import Query, queries
from .test_accessibilite import audit, describe

TOP = 3
SHARE = 0.95
THEME_META = ".md-search-result > .md-search-result__meta"  # the theme's count; the places have their own


def placeholder_of(page) -> str:
    """What the theme's count says while the box is empty (its translation, from the page's configuration)."""
    return page.evaluate("() => JSON.parse(document.getElementById('__config').textContent)"
                         ".translations['search.result.placeholder']")


def open_search(page) -> None:
    """Open the search box; wait until the theme's worker has its index (its count then leaves the initializer)."""
    search = page.locator("input.md-search__input")
    if not search.is_visible():
        page.locator("label[for='__search']").first.click()
    search.wait_for(state="visible")
    page.wait_for_function("([meta, placeholder]) => document.querySelector(meta).textContent.trim() === placeholder",
                           arg=[THEME_META, placeholder_of(page)], timeout=60_000)


def ask(page, text: str) -> list[dict]:
    """Type a query in the search box as a person does; the results in the order shown: places, then pages.
    The box is emptied first: the theme's count then says so, and its next change is the answer to the query."""
    search = page.locator("input.md-search__input")
    placeholder = placeholder_of(page)
    if search.input_value():
        search.fill("")
        search.press("End")  # the theme searches on keyup
        page.wait_for_function("([meta, placeholder]) => document.querySelector(meta).textContent.trim() === placeholder",
                               arg=[THEME_META, placeholder])
    search.fill(text)
    search.press("End")
    page.wait_for_function("""([meta, placeholder, text]) => {
        const places = document.querySelector('.recherche-lieux');
        return document.querySelector(meta).textContent.trim() !== placeholder
            && !!places && places.dataset.requete === text;
    }""", arg=[THEME_META, placeholder, text], timeout=30_000)
    return page.evaluate("""() => [...document.querySelectorAll('.md-search-result li.md-search-result__item')]
        .map(li => ({href: li.querySelector('a').href, text: li.textContent.replace(/\\s+/g, ' ').trim(),
                     place: !!li.closest('.recherche-lieux')}))""")


def path_of(href: str) -> str:
    return urlsplit(href).path.lstrip("/")


def judge(query: Query, results: list[dict]) -> int | None:
    """The position (from 1) of the first result that answers the query, or None."""
    if query.postcode_communes:
        places = [r for r in results if r["place"]]
        listed = [r for r in places if re.search(rf"\b{query.text}\b", r["text"].replace(f"code INSEE {query.text}", ""))]
        if len(listed) != query.postcode_communes or places[:len(listed)] != listed:
            return None
    for position, result in enumerate(results, start=1):
        if path_of(result["href"]) in query.pages and query.shows in result["text"]:
            return position
    return None


def test_queries_are_drawn_from_the_data_and_cover_every_kind(site_root):
    drawn = queries(ROOT, site_root)
    assert len(drawn) >= 40 and drawn == queries(ROOT, site_root)  # the same queries at every run
    kinds = " | ".join(query.kind for query in drawn)
    for kind in ["territoire 2023-2027", "territoire 2019-2022", "minuscules, sans accents", "début de",
                 "commune de Corse-du-Sud", "commune de Haute-Corse", "commune d'outre-mer", "apostrophe",
                 "commune « Saint- »", "écrit « St »", "hors de tout territoire", "code postal", "code INSEE", "EPCI",
                 "région", "département", "page de données", "format de fichier"]:
        assert kind in kinds, kind
    partial = [q for q in drawn if "début de" in q.kind]
    assert all(len(q.text) >= 4 and q.text in q.kind for q in partial)
    postcodes = [q for q in drawn if q.postcode_communes]
    assert all(q.postcode_communes > 1 for q in postcodes) and any(q.text.startswith("97") for q in postcodes)


def test_search_box_finds_what_people_type(page, site_root, e2e_report):
    drawn = queries(ROOT, site_root)
    page.goto("/")
    open_search(page)
    start = time.perf_counter()
    report, failures = [], []
    for query in drawn:
        results = ask(page, query.text)
        position = judge(query, results)
        top = " ; ".join(f"{path_of(r['href'])} « {r['text'][:60]} »" for r in results[:TOP]) or "aucun résultat"
        report.append(f"{'ok' if position and position <= TOP else 'ÉCHEC'} {position or '-'} [{query.kind}] "
                      f"« {query.text} »")
        if not position or position > TOP:
            failures.append(f"« {query.text} » [{query.kind}] attendu : {', '.join(query.pages[:3])} "
                            f"{query.shows} ; trouvé en position {position or 'aucune'} ; en tête : {top}")
    seconds = time.perf_counter() - start
    found = 1 - len(failures) / len(drawn)
    e2e_report["durations"]["recherche : requêtes tirées des données"] = seconds
    e2e_report["recherche"] = {"requêtes": len(drawn), "trouvées": len(drawn) - len(failures),
                               "part": round(found, 3), "échecs": failures}
    print(f"recherche : {len(drawn) - len(failures)}/{len(drawn)} requêtes trouvées dans les {TOP} premiers "
          f"résultats ({found:.1%}), {seconds:.1f} s\n" + "\n".join(report))
    assert found >= SHARE, (f"{len(failures)} requêtes sur {len(drawn)} sans la page attendue dans les {TOP} premiers "
                            f"résultats ({found:.1%} < {SHARE:.0%}) :\n" + "\n".join(failures))


def open_results(page, text: str) -> None:
    open_search(page)
    ask(page, text)


@pytest.mark.parametrize("width", ["1280 px", "390 px"])
def test_search_results_open_have_no_accessibility_violation(request, e2e_report, width):
    """axe-core with the search dialog open on places and pages: no violation at all, of any impact."""
    if not AXE.exists():
        missing(f"{AXE.relative_to(ROOT)} est absent : lancez `npm ci --ignore-scripts` à la racine.")
    page = request.getfixturevalue("page" if width == "1280 px" else "phone_page")
    page.goto("/territoires/2023-2027/")
    open_results(page, "chalon")
    assert page.locator(".recherche-lieux li").count() >= 3 and page.locator(".md-search-result__list > li").count() >= 1
    violations = audit(page)
    e2e_report["axe"][f"recherche ouverte, « chalon » ({width})"] = {
        "page": "recherche", "all": len(violations), "serious": sum(v["impact"] in ("serious", "critical") for v in violations),
        "rules": [(v["id"], v["impact"]) for v in violations]}
    assert not violations, f"recherche ouverte ({width}) : violations (axe-core)\n" + describe(violations)


def test_search_places_with_the_keyboard_alone(page):
    """Type, hear the count, go down the places with the arrows as through the theme's results, open with Enter."""
    page.goto("/")
    page.keyboard.press("/")  # the theme's shortcut
    page.keyboard.type("grand chalon")
    page.wait_for_function("() => (document.querySelector('.recherche-lieux') || {dataset: {}}).dataset.requete === 'grand chalon'")
    status = page.locator("#lieux-etat")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    assert status.inner_text() == "2 territoires, 1 intercommunalité"
    first = page.locator(".recherche-lieux li a").first
    assert first.get_attribute("href").endswith("/territoires/2023-2027/ti-2704/")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.closest('.recherche-lieux li') !== null")
    assert page.evaluate("() => document.activeElement.href").endswith("/territoires/2023-2027/ti-2704/")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("() => document.activeElement.classList.contains('md-search__input')")
    page.keyboard.press("Enter")  # the theme opens the first result: the first place
    page.wait_for_url(re.compile(r"/territoires/2023-2027/ti-2704/$"))


def test_search_a_postcode_on_a_phone(phone_page):
    """On a phone: the magnifier opens the search, a postcode lists its communes, a tap opens the territory."""
    page = phone_page
    page.goto("/donnees/")
    page.locator("label[for='__search']").first.click()
    search = page.locator("input.md-search__input")
    search.wait_for(state="visible")
    search.type("71390")
    page.wait_for_function("() => (document.querySelector('.recherche-lieux') || {dataset: {}}).dataset.requete === '71390'")
    first = page.locator(".recherche-lieux li").first
    assert "Buxy" in first.inner_text() and "71390" in first.inner_text()
    expect(first).to_be_in_viewport(ratio=1)  # whole on the screen, once the dialog has slid in
    assert page.locator(".recherche-lieux li").count() == page.locator(".recherche-lieux li", has_text="71390").count() > 10
    first.locator("a").first.tap()
    page.wait_for_url(re.compile(r"/territoires/2023-2027/ti-2704/$"))


def test_the_finder_and_the_search_share_one_download_of_the_index(page):
    """The commune finder and the search at the top of the page read the same index (assets/communes.json, 1.4 MB):
    a page that uses both fetches it once."""
    page.goto("/trouver-ma-commune/")
    page.locator("#commune-saisie").fill("buxy")
    page.wait_for_selector("#commune-resultats li")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("/")  # the theme's shortcut to the search
    page.keyboard.type("grand chalon")
    page.wait_for_function("() => (document.querySelector('.recherche-lieux') || {dataset: {}}).dataset.requete === 'grand chalon'")
    fetched = [url for url in page.guard.requests if urlsplit(url).path.endswith("/assets/communes.json")]
    assert len(fetched) == 1, fetched
