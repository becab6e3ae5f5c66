"""Escaping a value from the data for the place it lands: Markdown text, table cell, HTML, JSON in a script.

A project title such as `A | B *C* <b>[x](javascript:y)` must show as that text: it must not open a link,
break a table, or inject markup.
"""

from __future__ import annotations

import html
import json
import re

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")  # the characters Python-Markdown can escape
# A web address as the schemas accept it: http(s), then no character that has no place in a URL (spaces, quotes,
# brackets, angle brackets, backslash, backtick…), so that no address can close a link or an attribute.
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'`()\[\]{}|\\^]+")
LINK_SCHEMES = ("http://", "https://", "mailto:")


def markdown_text(value) -> str:
    """Text for Markdown: HTML-escaped, then every Markdown punctuation backslash-escaped."""
    if value is None:
        return ""
    text = html.escape(str(value), quote=False)
    text = " ".join(text.split())  # no line break can start a list, a heading or a table row
    return MARKDOWN_SPECIAL.sub(r"\\\1", text)


def table_cell(value) -> str:
    """Text for a Markdown table cell (the pipe is escaped by markdown_text)."""
    return markdown_text(value)


def html_text(value) -> str:
    return "" if value is None else html.escape(str(value), quote=True)


def html_line(value) -> str:
    """Text for an element of the raw HTML blocks of a Markdown page (tables, lists): escaped as html_text, on one
    line like markdown_text, so that the page shows and the search indexes the same text as in a Markdown table."""
    return "" if value is None else html_text(" ".join(str(value).split()))


def code_cell(value) -> str:
    """A value from the data shown as code in a Markdown table cell: an HTML element rather than a backtick span
    (which the value could close), its text escaped as Markdown text (Python-Markdown still reads the inside of
    inline HTML: no emphasis, no link, no raw | to split the cell)."""
    return "—" if value in (None, "") else f"<code>{markdown_text(value)}</code>"


def external_link(url, label) -> str:
    """An HTML link to an address from the data, its target quoted and escaped; an address whose scheme is not
    http, https or mailto (javascript:, data:…) gives the label alone, never a link. Used instead of a Markdown
    link, whose target a `)` in the data could close."""
    label_html = html_line(label).replace("|", "&#124;")  # a raw | would split a Markdown table's cell
    url = "" if url is None else str(url).strip()
    if not url.lower().startswith(LINK_SCHEMES):
        return label_html
    return f'<a href="{html_text(url).replace("|", "&#124;")}">{label_html}</a>'


def json_for_script(value) -> str:
    """JSON that can sit inside <script>: no `</script>` or `<!--` can close or confuse the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
