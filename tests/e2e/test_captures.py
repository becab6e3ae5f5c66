"""Screenshots of the home page and of a territory page, desktop (1280 px) and phone (390 px) widths, written to
test-artifacts/ (git-ignored: CI keeps them as artefacts, nobody commits them)."""

from __future__ import annotations

import pytest

from .outils import ARTIFACTS, open_context, territory_page

WIDTHS = {"bureau": {"width": 1280, "height": 900}, "telephone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("width", list(WIDTHS))
def test_screenshots(browser, base_url, site_root, width):
    phone = width == "telephone"
    context, guard = open_context(browser, viewport=WIDTHS[width], base_url=base_url, is_mobile=phone,
                                  has_touch=phone)
    try:
        page = context.new_page()
        ARTIFACTS.mkdir(exist_ok=True)
        for name, url in [("accueil", "/"), ("territoire", territory_page(site_root))]:
            page.goto(url)
            page.wait_for_load_state("networkidle")
            path = ARTIFACTS / f"{name}-{width}.png"
            page.screenshot(path=str(path), full_page=True)
            assert path.stat().st_size > 10_000, path
            if phone:  # nothing wider than the phone's screen
                assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), \
                    f"{url} déborde horizontalement à 390 px"
    finally:
        context.close()
    guard.check()
