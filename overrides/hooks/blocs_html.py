"""mkdocs hook: the generated pages' big blocks of HTML skip Python-Markdown, and the search plugin when it ignores them.

The templates (templates/*.md.j2) write their big tables, lists and maps as raw HTML between two lines
`<!-- html -->` and `<!-- /html -->`, every value escaped with tidata.core.escape. Python-Markdown passes raw HTML
through unchanged, but only after parsing it tag by tag (md_in_html), and the search plugin parses every page
once more: for the 332 territory pages, most of the time of the mkdocs stage. This hook takes each block out of
the Markdown before Python-Markdown sees it (a comment stands in its place) and puts it back in the HTML:

- right after Python-Markdown (on_page_content), so that the search plugin reads and indexes it as before;
- after the search plugin (on_page_context, lower priority) when the block's first element carries
  data-search-exclude: the plugin would skip the whole element anyway. The attribute is then removed, as the
  plugin removes it from the pages it reads.

A block must be one or more complete HTML elements, with no heading (headings, anchors and the table of contents
come from the Markdown); an excluded block must be one element. mkdocs neither rewrites nor checks the links of
raw HTML: the templates write final relative URLs (filters `lien`, `racine` of tidata.site.pages). Without this hook,
Python-Markdown would give the same page, only slower (and with data-search-exclude left in the blocks).
"""

from __future__ import annotations

import re

from mkdocs.plugins import event_priority

BLOCK = re.compile(r"^<!-- html -->\n(.*?)\n<!-- /html -->$", re.MULTILINE | re.DOTALL)
STAND_IN = re.compile(r"<!-- html (\d+) -->")
EXCLUDED = re.compile(r"<[a-z]+[^>]*?\sdata-search-exclude\b(=\"[^\"]*\")?")
EXCLUDED_ATTRIBUTE = re.compile(r"\sdata-search-exclude\b(=\"[^\"]*\")?")

_blocks: dict[str, list[str]] = {}  # page source → its blocks, from on_page_markdown to on_page_context


def on_page_markdown(markdown: str, page, **kwargs) -> str:
    blocks = _blocks[page.file.src_uri] = []

    def take_out(match: re.Match) -> str:
        blocks.append(match.group(1))
        return f"<!-- html {len(blocks) - 1} -->"

    return BLOCK.sub(take_out, markdown)


def on_page_content(html: str, page, **kwargs) -> str:
    return put_back(html, _blocks.get(page.file.src_uri, []), excluded=False)


@event_priority(-100)  # after the search plugin (priority 0) has read the page
def on_page_context(context, page, **kwargs):
    page.content = put_back(page.content, _blocks.pop(page.file.src_uri, []), excluded=True)
    return context


def put_back(html: str, blocks: list[str], excluded: bool) -> str:
    """The blocks excluded from search (or the others) in place of their stand-ins."""
    if not blocks:
        return html

    def block(match: re.Match) -> str:
        index = int(match.group(1))
        if index >= len(blocks) or bool(EXCLUDED.match(blocks[index])) != excluded:
            return match.group(0)
        return EXCLUDED_ATTRIBUTE.sub("", blocks[index], count=1) if excluded else blocks[index]

    return STAND_IN.sub(block, html)
