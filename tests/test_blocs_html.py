"""The mkdocs hook overrides/hooks/blocs_html.py: raw HTML blocks skip Python-Markdown and give the same page."""

from __future__ import annotations

import importlib.util
import re
from types import SimpleNamespace

import markdown
from conftest import ROOT
from material.plugins.search.plugin import SearchIndex

from tidata.core import escape

spec = importlib.util.spec_from_file_location("blocs_html", ROOT / "overrides" / "hooks" / "blocs_html.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)

NASTY = "Usine | *gras* <b>x</b> [lien](javascript:alert(1)) & l'« co »"

PAGE = f"""# Titre

<div class="entete" markdown>
- **liste :** a

<!-- html -->
<figure class="carte"><svg role="img" aria-label="carte"><title>Carte</title></svg></figure>
<!-- /html -->
</div>

## Tableau

<!-- html -->
<table>
<thead>
<tr>
<th>Nom</th>
</tr>
</thead>
<tbody>
<tr>
<td>{escape.html_line(NASTY)}</td>
</tr>
</tbody>
</table>
<!-- /html -->

<!-- html -->
<details class="communes" data-search-exclude>
<summary>Les communes</summary>
<p>Commune exclue de la recherche</p>
</details>
<!-- /html -->

Fin.
"""


def convert(text: str) -> str:
    md = markdown.Markdown(extensions=["attr_list", "md_in_html", "tables", "admonition", "toc"])
    return md.convert(text)


def build_page(text: str, with_hook: bool) -> tuple[str, list[dict]]:
    """The page's HTML and its search entries, through the events in mkdocs' order."""
    page = SimpleNamespace(file=SimpleNamespace(src_uri="page.md"), meta={}, toc=[], url="page/", title="Titre")
    if with_hook:
        text = hook.on_page_markdown(text, page=page)
    html = convert(text)
    if with_hook:
        html = hook.on_page_content(html, page=page)
    page.content = html
    index = SearchIndex(lang=["fr"])
    index.add_entry_from_context(page)  # the search plugin's on_page_context, then its clean-up
    page.content = re.sub(r"\s?data-search-\w+=\"[^\"]+\"", "", page.content)
    if with_hook:
        hook.on_page_context({}, page=page)
    return page.content, index.entries


def same_text(html: str) -> str:
    """Without the hook, the markers stay as comments and the valueless data-search-exclude stays too."""
    html = re.sub(r"<!-- /?html -->| data-search-exclude(?!=)", "", html)
    return re.sub(r"\s+", " ", html).replace("&#x27;", "'")


def test_blocks_skip_markdown_and_give_the_same_page_and_search_entries():
    with_hook, entries = build_page(PAGE, with_hook=True)
    without, expected = build_page(PAGE, with_hook=False)
    assert "<!-- html" not in with_hook
    assert same_text(with_hook) == same_text(without)
    assert entries == expected
    assert not any("Commune exclue" in entry["text"] for entry in entries)
    assert any("Carte" in entry["text"] for entry in entries)  # a searchable block is indexed as before
    assert '<details class="communes">' in with_hook  # the attribute goes, as the search plugin removes it


def test_values_in_blocks_show_as_text():
    html, _ = build_page(PAGE, with_hook=True)
    assert "<b>" not in html and "<em>" not in html and 'href="javascript' not in html
    assert "Usine | *gras* &lt;b&gt;x&lt;/b&gt; [lien](javascript:alert(1)) &amp; l&#x27;« co »" in html


def test_html_line_escapes_and_keeps_one_line():
    assert escape.html_line('a  "b"\n\n<c> & d') == "a &quot;b&quot; &lt;c&gt; &amp; d"
    assert escape.html_line(None) == ""
