"""mkdocs hook: the search index without the sections that say the same thing on many pages.

The generated pages share sections whose title and text are the same on every page of their kind: on each of the
332 territory pages, « Projets » and « Financements » say « non publié », « Gouvernance » says that the pair is not
published, « Citer cette page » has no text of its own. Such a section tells nothing about its page: in the index,
it only makes every territory page a result for « projets » (after the data page « Projets », but before anything
else) and makes the index half again as big, and the theme's worker (overrides/assets/javascripts/workers/recherche.js)
twice as long to set up. This hook drops, once the search plugin has written the index, every section that appears
with the same title and text on at least REPEATED pages. A page's own entry (its title and first paragraph) always
stays, and a section that differs from page to page — « Projets » once projects are published — stays too.

The index is written as the search plugin writes it, except for UTF-8 characters left as they are (smaller).
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

from mkdocs.plugins import event_priority

REPEATED = 10
INDEX = Path("search") / "search_index.json"


@event_priority(-100)  # after the search plugin (priority 0) has written the index
def on_post_build(config, **kwargs) -> None:
    path = Path(config.site_dir) / INDEX
    if not path.exists():
        return
    index = json.loads(path.read_text(encoding="utf-8"))
    index["docs"] = distinct_sections(index["docs"])
    path.write_text(json.dumps(index, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def distinct_sections(docs: list[dict]) -> list[dict]:
    """The entries of the index but the sections (an anchor in their location) repeated on REPEATED pages or more."""
    def key(doc: dict) -> tuple[str, str]:
        return doc["title"], doc["text"]

    sections = Counter(key(doc) for doc in docs if "#" in doc["location"])
    return [doc for doc in docs if "#" not in doc["location"] or sections[key(doc)] < REPEATED]
