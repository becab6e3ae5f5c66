"""Values from the data show as text wherever they land."""

import markdown

from tidata import escape, formats

NASTY = "Usine | *gras* _souligné_ <b>balise</b> [x](javascript:alert(1)) # 100 % & co"


def render(md_text: str) -> str:
    return markdown.markdown(md_text, extensions=["tables"])


def test_markdown_text_with_special_characters_renders_as_the_same_text():
    html = render(escape.markdown_text(NASTY))
    assert "<b>" not in html and "<em>" not in html and "<strong>" not in html
    assert "href" not in html
    assert "Usine | *gras* _souligné_ &lt;b&gt;balise&lt;/b&gt; [x](javascript:alert(1)) # 100 % &amp; co" in html


def test_table_cell_with_a_pipe_keeps_the_table_columns():
    table = "| Titre | Coût |\n|---|---|\n| " + escape.table_cell(NASTY) + " | 12 |\n"
    html = render(table)
    assert html.count("<td>") == 2
    assert "<td>12</td>" in html


def test_markdown_text_with_line_breaks_stays_on_one_line():
    assert "\n" not in escape.markdown_text("# titre\n- liste\n1. un")


def test_json_for_script_cannot_close_the_script_element():
    text = escape.json_for_script({"titre": "</script><script>alert(1)</script>"})
    assert "</script>" not in text and "<" not in text


def test_html_text_escapes_quotes_for_attributes():
    assert escape.html_text('a "b" <c>') == "a &quot;b&quot; &lt;c&gt;"


def test_french_formats_for_euros_and_dates():
    assert formats.euros(1234567) == "1\u202f234\u202f567\u00a0€"
    assert formats.date("2023-06-23") == "23 juin 2023"
    assert formats.date("2024-04-01") == "1er avril 2024"
