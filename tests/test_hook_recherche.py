"""The mkdocs hook overrides/hooks/recherche.py: the search index without the sections repeated on many pages."""

from __future__ import annotations

import importlib.util
import json
from types import SimpleNamespace

from conftest import ROOT

spec = importlib.util.spec_from_file_location("recherche", ROOT / "overrides" / "hooks" / "recherche.py")
hook = importlib.util.module_from_spec(spec)
spec.loader.exec_module(hook)


def territory(n: int, projects: str = "<p>Non publié.</p>") -> list[dict]:
    page = f"territoires/2023-2027/ti-{n:04d}/"
    return [{"location": page, "title": f"Saône {n}", "text": "<p>Phase : 2023-2027</p>"},
            {"location": page + "#projets", "title": "Projets", "text": projects},
            {"location": page + "#citer-cette-page", "title": "Citer cette page", "text": ""}]


def test_sections_said_alike_on_many_pages_are_dropped_and_pages_stay():
    docs = [doc for n in range(hook.REPEATED) for doc in territory(n)]
    kept = hook.distinct_sections(docs)
    assert [doc["location"] for doc in kept] == [f"territoires/2023-2027/ti-{n:04d}/" for n in range(hook.REPEATED)]


def test_a_section_that_differs_from_page_to_page_stays():
    docs = [doc for n in range(hook.REPEATED) for doc in territory(n, projects=f"<p>Usine {n}</p>")]
    assert [doc["title"] for doc in hook.distinct_sections(docs)].count("Projets") == hook.REPEATED


def test_a_section_on_fewer_pages_stays():
    docs = [doc for n in range(hook.REPEATED - 1) for doc in territory(n)]
    assert hook.distinct_sections(docs) == docs


def test_the_hook_rewrites_the_written_index_in_utf8(tmp_path):
    index = {"config": {"lang": ["fr"]}, "docs": [doc for n in range(hook.REPEATED) for doc in territory(n)]}
    (tmp_path / "search").mkdir()
    (tmp_path / "search" / "search_index.json").write_text(json.dumps(index), encoding="utf-8")
    hook.on_post_build(config=SimpleNamespace(site_dir=str(tmp_path)))
    text = (tmp_path / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "Saône 0" in text and "Non publié" not in text and json.loads(text)["config"] == {"lang": ["fr"]}
    assert len(json.loads(text)["docs"]) == hook.REPEATED
