"""What a citizen or a journalist does on the site, in a real browser: the map, the commune finder (keyboard
alone, and on a phone), a sortable table, a download, the site search."""

from __future__ import annotations

import csv
import hashlib
import io
import re
import unicodedata
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest

from .outils import territory_page

# A commune that the shipped data places in a territory (Chalon-sur-Saône, INSEE 71076), typed as people type it.
COMMUNE_QUERY = "chalon sur saone"
COMMUNE_INSEE = "71076"
TERRITORY_URL = re.compile(r"/territoires/20\d\d-20\d\d/ti-[^/]+/$")


def h1(page) -> str:
    return page.locator("article h1").first.inner_text().strip()


def focused(page) -> dict:
    return page.evaluate("""() => {
        const el = document.activeElement;
        return {tag: el.tagName, id: el.id, href: el.getAttribute('href') || '', text: el.textContent.trim(),
                cls: el.className && el.className.baseVal === undefined ? el.className : '',
                inResults: !!el.closest('#commune-resultats')};
    }""")


def press_tab_until(page, condition, limit: int = 40, key: str = "Tab") -> dict:
    """Press Tab (or `key`) until the focused element satisfies `condition`; fails after `limit` presses."""
    seen = []
    for _ in range(limit):
        page.keyboard.press(key)
        state = focused(page)
        seen.append(f"{state['tag']}#{state['id']}.{state['cls']} {state['text'][:30]!r}")
        if condition(state):
            return state
    pytest.fail(f"Élément jamais atteint au clavier après {limit} × {key} ; parcours : " + " → ".join(seen))


def wait_for_results(page, insee: str = COMMUNE_INSEE) -> None:
    """Wait until the finder lists the commune first, then until its list stops changing (typing triggers a search
    120 ms after each key: on a loaded machine, a shorter query's results can show for a moment)."""
    page.wait_for_function("""insee => {
        const first = document.querySelector('#commune-resultats li');
        return !!first && first.textContent.includes(insee);
    }""", arg=insee)
    page.evaluate("""() => new Promise(resolve => {
        const list = document.querySelector('#commune-resultats');
        let timer = setTimeout(done, 400);
        const observer = new MutationObserver(() => { clearTimeout(timer); timer = setTimeout(done, 400); });
        function done() { observer.disconnect(); resolve(); }
        observer.observe(list, {childList: true, subtree: true, characterData: true});
    })""")


def test_home_map_shape_opens_its_territory_page(page):
    page.goto("/")
    assert page.locator("html").get_attribute("lang") == "fr"
    shapes = page.locator("svg.carte-svg-france a")
    assert shapes.count() >= 100, "la carte de France devrait lier chaque territoire 2023-2027"
    # A shape whose centre is really on top (small shapes can sit under their neighbours): click it there.
    target = page.evaluate("""() => {
        for (const a of document.querySelectorAll('svg.carte-svg-france a')) {
            const box = a.getBoundingClientRect();
            if (box.width < 12 || box.height < 12) continue;
            a.scrollIntoView({block: 'center'});
            const r = a.getBoundingClientRect(), x = r.left + r.width / 2, y = r.top + r.height / 2;
            const hit = document.elementFromPoint(x, y);
            if (hit && hit.closest('a') === a) return {x, y, href: a.getAttribute('href'), name: a.getAttribute('aria-label')};
        }
        return null;
    }""")
    assert target, "aucune forme cliquable en son centre sur la carte de France"
    page.mouse.click(target["x"], target["y"])
    page.wait_for_url(TERRITORY_URL)
    assert page.url.endswith("/" + target["href"])
    assert h1(page) == target["name"]


def test_commune_finder_with_the_keyboard_alone(page):
    page.goto("/trouver-ma-commune/")
    # The first Tab reaches the skip link, which leads into the content; the finder's field comes next.
    state = press_tab_until(page, lambda s: s["tag"] == "A", limit=1)
    assert "md-skip" in state["cls"], f"le premier arrêt de tabulation n'est pas le lien d'évitement : {state}"
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash"), "le lien d'évitement ne mène nulle part"
    press_tab_until(page, lambda s: s["id"] == "commune-saisie", limit=6)
    page.keyboard.type(COMMUNE_QUERY, delay=20)
    wait_for_results(page)
    assert re.search(r"communes? trouvées?", page.locator("#commune-etat").inner_text())
    # Tab from the field: the submit button, then the result links, in order.
    link = press_tab_until(page, lambda s: s["tag"] == "A" and s["inResults"], limit=4)
    page.keyboard.press("Enter")
    page.wait_for_url(TERRITORY_URL)
    assert h1(page) == link["text"]
    assert "Chalon-sur-Saône (71076)" in page.locator("details.communes", has_text="communes du territoire").text_content()


def test_commune_finder_on_a_phone(phone_page):
    page = phone_page
    page.goto("/trouver-ma-commune/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
        "la page déborde horizontalement sur un téléphone de 390 px"
    field = page.locator("#commune-saisie")
    field.tap()
    page.keyboard.type(COMMUNE_QUERY)
    wait_for_results(page)
    link = page.locator("#commune-resultats a").first
    box = link.bounding_box()
    assert box and box["height"] >= 16, "le lien de résultat est trop petit pour le doigt"
    name = link.inner_text().strip()
    link.tap()
    page.wait_for_url(TERRITORY_URL)
    assert h1(page) == name


def test_territory_table_sorts_when_its_header_is_clicked(page):
    page.goto("/territoires/2023-2027/")
    table = page.locator(".tableau-triable table").first
    header = table.locator("thead th").filter(has_text="Population")
    button = header.locator("button.tri")
    column = 1 + table.locator("thead th").all_inner_texts().index(header.inner_text())
    cells = table.locator(f"tbody tr td:nth-child({column})")

    def numbers() -> list[int]:
        return [int(re.sub(r"\D", "", text)) for text in cells.all_inner_texts()]

    before = numbers()
    assert len(before) == 183
    assert header.get_attribute("aria-sort") is None
    button.click()
    assert header.get_attribute("aria-sort") == "ascending"
    ascending = numbers()
    assert ascending == sorted(before)
    button.click()
    assert header.get_attribute("aria-sort") == "descending"
    descending = numbers()
    assert descending == sorted(before, reverse=True)
    assert len(set(before)) > 1 and descending != ascending, "l'ordre des lignes n'a pas changé"
    # Sorting by another column moves the indicator there.
    other = table.locator("thead th").first
    other.locator("button.tri").click()
    assert other.get_attribute("aria-sort") == "ascending" and header.get_attribute("aria-sort") is None
    names = table.locator("tbody tr td:nth-child(1)").all_inner_texts()
    assert page.evaluate("names => names.every((n, i) => i === 0 || names[i - 1].localeCompare(n, 'fr') <= 0)", names), \
        "tri alphabétique à la française (« Alès » avant « Alliances »)"


def stated_checksums(page) -> list[dict]:
    """Download links of the page with the SHA-256 (and the exact size in bytes, if any) stated next to them, in the
    same list item or table row."""
    return page.evaluate("""() => {
        const found = [];
        for (const a of document.querySelectorAll('article a[href]')) {
            const box = a.closest('li, tr, dd, p');
            const text = box ? box.textContent : '';
            const sha = text.match(/\\b[0-9a-f]{64}\\b/);
            const size = text.match(/(\\d[\\d\\s\\u00a0\\u202f]*) octets/);
            if (sha && box.querySelectorAll('a[href]').length === 1) {
                found.push({url: a.href, href: a.getAttribute('href'), sha256: sha[0],
                            size: size ? parseInt(size[1].replace(/\\D/g, ''), 10) : null});
            }
        }
        return found;
    }""")


def download(page, link) -> bytes:
    """Click a link as a person does and return the file the browser saved."""
    with page.expect_download() as info:
        link.click()
    return Path(info.value.path()).read_bytes()


def test_download_link_returns_the_stated_file(page, site_root, e2e_report):
    page.goto(territory_page(site_root))
    phase, territory = page.url.rstrip("/").rsplit("/", 2)[1:]
    assert page.locator("article a[href$='.csv']").count() >= 1, "aucun lien CSV sur la page du territoire"
    link = page.locator("article a[href$='/territoires_communes.csv']").first
    response = page.request.get(urljoin(page.url, link.get_attribute("href")))
    assert response.status == 200
    assert re.match(r"text/(csv|plain)", response.headers["content-type"]), response.headers["content-type"]
    body = download(page, link)
    assert body == response.body()
    text = body.decode("utf-8-sig")
    assert next(csv.reader(io.StringIO(text)))[:5] == ["insee_com", "lib_com", "id_ti", "lib_ti", "phase"], text.splitlines()[0]
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows and all((row["phase"], row["id_ti"]) == (phase, territory) for row in rows)
    # The checksums the site states (on the territory page, or else on the data page): each file matches them.
    stated, where = stated_checksums(page), urlsplit(page.url).path
    assert stated, "la page du territoire n'annonce pas la somme SHA-256 de ses fichiers"
    # One of them downloaded by a click, as a person does (a JSON file would open in the tab: take a download).
    first = next((f for f in stated if re.search(r"\.(csv|zip|xlsx|parquet)$", f["url"])), stated[0])
    downloaded = download(page, page.locator(f"article a[href='{first['href']}']").first)
    assert hashlib.sha256(downloaded).hexdigest() == first["sha256"], f"SHA-256 annoncé faux : {first['url']}"
    for file in stated[:12]:
        data = page.request.get(file["url"])
        assert data.status == 200, file["url"]
        assert hashlib.sha256(data.body()).hexdigest() == file["sha256"], f"SHA-256 annoncé faux : {file['url']}"
        if file["size"] is not None:
            assert len(data.body()) == file["size"], f"taille annoncée fausse : {file['url']}"
    e2e_report["sommes de contrôle"] = (f"{min(len(stated), 12)} fichiers de {where} conformes à leur SHA-256 "
                                        f"annoncé (sur {len(stated)} annoncés)")


def test_site_search_finds_a_territory_by_its_name(page, site_root):
    page.goto("/territoires/2023-2027/")
    # A territory whose name has accents, typed without them and in lower case, as people type (more queries of
    # every kind: tests/e2e/test_recherche.py).
    links = page.locator("article .tableau-triable a")
    link = next(links.nth(i) for i in range(links.count()) if re.search(r"[À-ÿ]", links.nth(i).inner_text()))
    name = link.inner_text().strip()
    href = link.get_attribute("href")
    page.keyboard.press("/")  # the theme's shortcut; a click on the magnifier label does the same
    search = page.locator("input.md-search__input")
    if not search.is_visible():
        page.locator("label[for='__search']").first.click()
    search.wait_for(state="visible")
    search.fill(unicodedata.normalize("NFD", name).encode("ascii", "ignore").decode().lower())
    path = "/".join(href.rstrip("/").rsplit("/", 2)[-2:])  # « 2023-2027/ti-… »: the same id exists in 2019-2022
    # The theme's own results (the places above them answer too: tests/e2e/test_recherche.py): its worker folds accents.
    result = page.locator(f".md-search-result > .md-search-result__list a[href*='{path}']").first
    result.wait_for(timeout=30_000)
    # The index was fetched by the theme's web worker: the guard sees workers' requests too.
    assert any(url.endswith("/search/search_index.json") for url in page.guard.requests), page.guard.requests
    result.click()
    page.wait_for_url(re.compile(re.escape(path) + r"/(#.*)?$"))
    assert h1(page) == name
