"""Escaping a value from the data for the place it lands: Markdown text, table cell, HTML, JSON in a script.

A project title such as `A | B *C* <b>[x](javascript:y)` must show as that text: it must not open a link,
break a table, or inject markup.
"""

from __future__ import annotations

import html
import json
import re

MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|>])")  # the characters Python-Markdown can escape


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


def json_for_script(value) -> str:
    """JSON that can sit inside <script>: no `</script>` or `<!--` can close or confuse the element."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
