"""Valid HTML: the Nu Html Checker (npm package vnu-jar, run with Java) over the whole built site, in one call.

Zero errors, inline SVG maps and charts included. A message the project cannot fix would be listed in ALLOWED
with its reason (exact text, never a pattern); the list is empty: the theme's own errors are fixed by the forks
of its templates in overrides/, whose differences from the installed theme are checked below.
"""

from __future__ import annotations

import collections
from pathlib import Path

import pytest

from .outils import ROOT, missing

# Exact message → why it cannot be fixed. Keep empty unless there is truly no way around.
ALLOWED: dict[str, str] = {}

THEME = Path(__import__("material").__file__).resolve().parent / "templates"
GENERATED = "{#-\n  This file was automatically generated - do not edit\n-#}\n"
# The forks of the theme's templates: (theme text, replacement) pairs; nothing else may differ.
FORKS = {
    "base.html": [
        ('<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer" autocomplete="off">',
         '<input class="md-toggle" data-md-toggle="drawer" type="checkbox" id="__drawer">'),
        ('<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search" autocomplete="off">',
         '<input class="md-toggle" data-md-toggle="search" type="checkbox" id="__search">'),
        ('content="{{ page.meta.description }}"', 'content="{{ page.meta.description | e }}"'),
        ('content="{{ config.site_description }}"', 'content="{{ config.site_description | e }}"'),
        ('content="{{ page.meta.author }}"', 'content="{{ page.meta.author | e }}"'),
        ('content="{{ config.site_author }}"', 'content="{{ config.site_author | e }}"'),
        ("<title>{{ page.meta.title }} -", "<title>{{ page.meta.title | e }} -"),
        ('"search": "assets/javascripts/workers/search.a7633da7.min.js" | url,',
         '"search": "assets/javascripts/workers/recherche.js?theme=search.a7633da7.min.js" | url,'),
    ],
    "partials/search.html": [
        ('role="dialog">', 'role="dialog" aria-label="Recherche dans le site">'),
        ('role="search">', 'role="search" aria-label="Pages du site">'),
    ],
    "partials/toc.html": [
        ('    <label class="md-nav__title" for="__toc">\n'
         '      <span class="md-nav__icon md-icon"></span>\n'
         '      {{ title }}\n'
         '    </label>\n',
         '    {% if page in nav.pages %}\n'
         '      <label class="md-nav__title" for="__toc">\n'
         '        <span class="md-nav__icon md-icon"></span>\n'
         '        {{ title }}\n'
         '      </label>\n'
         '    {% else %}\n'
         '      <div class="md-nav__title">{{ title }}</div>\n'
         '    {% endif %}\n'),
    ],
}


@pytest.mark.parametrize("name", list(FORKS))
def test_forked_theme_templates_differ_only_by_the_listed_edits(name):
    theme = (THEME / name).read_text(encoding="utf-8")
    assert theme.startswith(GENERATED), f"le gabarit {name} du thème a changé de forme : revoir la copie"
    expected = theme[len(GENERATED):]
    for old, new in FORKS[name]:
        assert expected.count(old) == 1, f"{name} : « {old} » introuvable dans le thème installé (mise à jour ?)"
        expected = expected.replace(old, new)
    fork = (ROOT / "overrides" / name).read_text(encoding="utf-8")
    assert fork.startswith("{#-") and "-#}\n" in fork, f"overrides/{name} : l'en-tête qui explique la copie manque"
    assert fork.split("-#}\n", 1)[1] == expected, \
        f"overrides/{name} diffère du thème autrement que par les modifications listées dans FORKS"


@pytest.mark.vnu
def test_whole_site_is_valid_html(vnu_run, site_root, e2e_report):
    if vnu_run.reason:
        missing(vnu_run.reason)
    code, report, seconds = vnu_run.result()
    messages = report.get("messages", [])
    failures = [m for m in messages if m.get("type") in ("error", "non-document-error")
                or m.get("subType") == "fatal"]
    blocking = [m for m in failures if m.get("message") not in ALLOWED]
    pages = sum(1 for _ in site_root.rglob("*.html"))
    e2e_report["vnu"] = {"pages": pages, "errors": len(blocking), "allowed": len(failures) - len(blocking),
                         "seconds": seconds}
    by_message = collections.Counter(m.get("message") for m in blocking)
    examples = {}
    for m in blocking:
        examples.setdefault(m.get("message"), f"{m.get('url', '').replace('file:' + str(site_root), '')}:"
                                              f"{m.get('lastLine')} {m.get('extract', '')!r}")
    summary = "\n".join(f"- {count} × {message}\n    ex. {examples[message]}"
                        for message, count in by_message.most_common(20))
    assert not blocking, f"{len(blocking)} erreurs HTML (Nu Html Checker) sur {pages} pages :\n{summary}"
    assert code == 0 or failures, f"le Nu Html Checker s'est arrêté avec le code {code}"
    # The checked pages include the inline SVG of the maps.
    assert all("<svg" in p.read_text(encoding="utf-8") and "carte-svg" in p.read_text(encoding="utf-8")
               for p in (site_root / "territoires").glob("*/ti-*/index.html"))


def test_allow_list_entries_have_reasons():
    assert all(reason.strip() for reason in ALLOWED.values())
