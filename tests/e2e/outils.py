"""Shared by the end-to-end fixtures and tests: paths, the browser's command line, skip-or-fail, the report."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
NODE_MODULES = ROOT / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
CHROMIUM = Path(os.environ.get("TI_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
LOCAL_SCHEMES = {"data", "blob"}
# What a build reads (the same list as tests/conftest.py, plus the data itself).
REQUIRED = os.environ.get("TI_E2E_OBLIGATOIRE") == "1"


def missing(what: str) -> None:
    """Skip (on a workstation) or fail (in CI, TI_E2E_OBLIGATOIRE=1) because a tool is not installed."""
    REPORT["absents"][what] = None
    if REQUIRED:
        pytest.fail(f"{what} (TI_E2E_OBLIGATOIRE=1 : en CI, ces tests doivent s'exécuter)", pytrace=False)
    pytest.skip(what)


def territory_page(site_root: Path) -> str:
    """The address of the first 2023-2027 territory page with the most a real territory page shows: its maps, its
    groupings, its predecessors of 2019-2022 and a turnkey site."""
    for path in sorted((site_root / "territoires" / "2023-2027").glob("ti-*/index.html")):
        text = path.read_text(encoding="utf-8")
        if "carte-territoire" in text and "carte-situation" in text and "Part du territoire 2019-2022" in text \
                and "Aucun site clé en main" not in text:
            return f"/territoires/2023-2027/{path.parent.name}/"
    pytest.fail("Aucune page de territoire 2023-2027 n'a ses cartes, ses territoires précédents et un site clé en main.")


# Counts printed at the end of the run (conftest.pytest_terminal_summary) and saved in test-artifacts/.
REPORT: dict = {"axe": {}, "vnu": None, "durations": {}, "absents": {}}


def is_local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in LOCAL_SCHEMES or (parts.hostname or "") in LOCAL_HOSTS


class Guard:
    """Every request of one browser context, and what must fail the test: third-party requests, JS errors."""

    def __init__(self, context):
        self.requests: list[str] = []
        self.third_party: list[str] = []
        self.errors: list[str] = []
        context.on("request", self.record)
        context.route("**/*", self.route)

    def record(self, request) -> None:
        self.requests.append(request.url)
        if not is_local(request.url):
            self.third_party.append(request.url)

    def route(self, route) -> None:
        if is_local(route.request.url):
            route.continue_()
        else:  # recorded by the request event; never let it leave the machine
            route.abort("blockedbyclient")

    def watch(self, page) -> None:
        page.on("pageerror", lambda error: self.errors.append(f"{page.url} : {error}"))

    def check(self) -> None:
        problems = []
        if self.third_party:
            problems.append("Requêtes vers un tiers (interdites) :\n  " + "\n  ".join(sorted(set(self.third_party))))
        if self.errors:
            problems.append("Erreurs JavaScript :\n  " + "\n  ".join(self.errors))
        if problems:
            pytest.fail("\n".join(problems), pytrace=False)


def open_context(browser, **options):
    context = browser.new_context(locale="fr-FR", accept_downloads=True, service_workers="block", **options)
    context.set_default_timeout(15_000)
    guard = Guard(context)
    context.on("page", guard.watch)
    return context, guard
