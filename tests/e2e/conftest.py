"""End-to-end fixtures: the full site built once, served on 127.0.0.1, and Debian's chromium driven by Playwright.

- `site_root`: the site built from the shipped data into a temporary copy of the project (about 20-40 s), or the
  folder named by TI_E2E_SITE (an already-built site/, to iterate quickly on the tests: `TI_E2E_SITE=site make test`).
- `base_url`: that folder served by Python's http.server on 127.0.0.1, on a free port.
- `page` / `phone_page`: a fresh browser context each; every request it makes is recorded and a request to any
  other host than 127.0.0.1/localhost fails the test (it is also aborted, so it can never leave the machine);
  an uncaught JavaScript error fails the test too.

The browser is /usr/bin/chromium (Debian's package: nothing is downloaded). Where it, Java or the npm tools
(axe-core, vnu-jar: `npm ci`) are missing, the tests that need them are skipped with a message saying what to
install — unless TI_E2E_OBLIGATOIRE=1 (set by .ci/run), where they fail instead: CI must run them.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import shutil
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tidata.core.project import copy_sources

from .outils import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, REPORT, ROOT, VNU, missing, open_context

# ---- Counts printed at the end of the run, so that CI logs show them ----

@pytest.fixture(scope="session")
def e2e_report():
    return REPORT


def pytest_terminal_summary(terminalreporter):
    axe, vnu, durations, absent = REPORT["axe"], REPORT["vnu"], REPORT["durations"], REPORT["absents"]
    if not (axe or vnu or durations or absent or "sommes de contrôle" in REPORT or "recherche" in REPORT):
        return
    write = terminalreporter.write_line
    terminalreporter.section("bout en bout : accessibilité et validité HTML")
    for what in absent:
        write(f"NON EXÉCUTÉS : {what}", yellow=True, bold=True)
    if axe:
        serious = sum(page["serious"] for page in axe.values())
        total = sum(page["all"] for page in axe.values())
        write(f"axe-core : {len(axe)} pages auditées, {serious} violations graves ou critiques "
              f"({total} violations de tout niveau)")
        for url, page in axe.items():
            rules = ", ".join(f"{rule} ({impact})" for rule, impact in page["rules"]) or "aucune violation"
            write(f"  {url} : {page['serious']} graves ou critiques ; {rules}")
    if vnu:
        write(f"Nu Html Checker : {vnu['pages']} pages HTML, {vnu['errors']} erreurs "
              f"({vnu['allowed']} admises par la liste motivée), {vnu['seconds']:.0f} s")
    if "sommes de contrôle" in REPORT:
        write(f"téléchargements : {REPORT['sommes de contrôle']}")
    if "recherche" in REPORT:
        search = REPORT["recherche"]
        write(f"recherche du site : {search['trouvées']}/{search['requêtes']} requêtes tirées des données trouvées dans "
              f"les 3 premiers résultats ({search['part']:.1%})" + "".join(f"\n  échec : {f}" for f in search["échecs"]))
    for name, seconds in durations.items():
        write(f"durée — {name} : {seconds:.1f} s")
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "rapport-e2e.json").write_text(json.dumps(REPORT, ensure_ascii=False, indent=2), encoding="utf-8")


# ---- The site ----


def build_copy(target: Path) -> Path:
    """Build the site of the shipped data in a copy of the project; returns the site folder."""
    import build

    root = copy_sources(ROOT, target / "projet")
    code = build.main(["--racine", str(root)])
    if code != 0:
        pytest.fail(f"La construction du site a échoué (code {code}) : voir la sortie ci-dessus.", pytrace=False)
    return root / "site"


@pytest.fixture(scope="session")
def site_root(tmp_path_factory) -> Path:
    given = os.environ.get("TI_E2E_SITE")
    if given:
        site = Path(given).resolve()
        if not (site / "index.html").exists():
            pytest.fail(f"TI_E2E_SITE={given} : pas de index.html dans ce dossier.", pytrace=False)
        return site
    start = time.perf_counter()
    site = build_copy(tmp_path_factory.mktemp("e2e"))
    REPORT["durations"]["construction du site"] = time.perf_counter() - start
    return site


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map,
                      ".csv": "text/csv", ".json": "application/json", ".geojson": "application/geo+json"}

    def log_message(self, format, *args):  # noqa: A002 — the signature of the base class
        pass


@pytest.fixture(scope="session")
def base_url(site_root) -> str:
    handler = functools.partial(QuietHandler, directory=str(site_root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


# ---- The Nu Html Checker, started as soon as the site exists so that it runs alongside the browser tests ----


class VnuRun:
    def __init__(self, site: Path):
        self.site, self.start, self.reason = site, time.perf_counter(), None
        self.process = None
        java = shutil.which("java")
        if not java:
            self.reason = "Java est absent (apt-get install default-jre-headless) : validation HTML impossible."
        elif not VNU.exists():
            self.reason = f"{VNU.relative_to(ROOT)} est absent : lancez `npm ci --ignore-scripts` à la racine."
        else:
            self.process = subprocess.Popen(
                [java, "-jar", str(VNU), "--errors-only", "--format", "json", "--skip-non-html",
                 str(site)],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8")

    def result(self) -> tuple[int, dict, float]:
        out, err = self.process.communicate(timeout=900)
        seconds = time.perf_counter() - self.start
        try:
            return self.process.returncode, json.loads(err or out), seconds
        except json.JSONDecodeError:
            pytest.fail(f"Sortie illisible du Nu Html Checker (code {self.process.returncode}) :\n{err[-2000:]}",
                        pytrace=False)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()


@pytest.fixture(scope="session")
def vnu_run(site_root):
    run = VnuRun(site_root)
    yield run
    run.stop()


@pytest.fixture(scope="session", autouse=True)
def _start_vnu_early(request):
    """Start the checker (about a minute on two cores) before the browser tests, when the HTML test is selected."""
    if any(item.get_closest_marker("vnu") for item in request.session.items):
        request.getfixturevalue("vnu_run")


def pytest_configure(config):
    config.addinivalue_line("markers", "vnu: uses the Nu Html Checker started at the beginning of the session")


# ---- The browser ----


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Chromium est absent ({CHROMIUM}) : apt-get install chromium. Tests dans un navigateur ignorés.")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("Le paquet Python playwright est absent : make test installe requirements.txt.")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception as error:  # the browser is there but cannot start (missing libraries, no /dev/shm...)
        playwright.stop()
        missing(f"Chromium ({CHROMIUM}) ne démarre pas : {error}")
    yield browser
    browser.close()
    playwright.stop()


@pytest.fixture
def page(browser, base_url):
    """A desktop page (1280×900); the test fails on any third-party request or JavaScript error."""
    context, guard = open_context(browser, viewport={"width": 1280, "height": 900}, base_url=base_url)
    page = context.new_page()
    page.guard = guard
    yield page
    context.close()
    guard.check()


@pytest.fixture
def phone_page(browser, base_url):
    """A phone: 390×844, touch, mobile user agent behaviour."""
    context, guard = open_context(browser, viewport={"width": 390, "height": 844}, device_scale_factor=2,
                                  is_mobile=True, has_touch=True, base_url=base_url)
    page = context.new_page()
    page.guard = guard
    yield page
    context.close()
    guard.check()
