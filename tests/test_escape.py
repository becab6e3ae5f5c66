"""Values from the data show as text wherever they land."""

import markdown

from tidata.core import escape, formats

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


def test_link_from_the_data_is_escaped_html_and_keeps_the_table_columns():
    link = escape.external_link('https://a.fr/x?q="y"&z|w', "source 1")
    assert link == '<a href="https://a.fr/x?q=&quot;y&quot;&amp;z&#124;w">source 1</a>'
    html = render("| Source | Montant |\n|---|---|\n| " + link + " | 12 |\n")
    assert html.count("<td>") == 2 and "<td>12</td>" in html


def test_link_with_another_scheme_is_only_its_label():
    for url in ("javascript:alert(1)", " JAVASCRIPT:alert(1)", "data:text/html,<b>x</b>", "vbscript:x", "//evil.example/x"):
        assert escape.external_link(url, "source <1>") == "source &lt;1&gt;"
    assert escape.external_link("mailto:o'hara&co@exemple.fr", "o'hara&co@exemple.fr") == \
        '<a href="mailto:o&#x27;hara&amp;co@exemple.fr">o&#x27;hara&amp;co@exemple.fr</a>'  # escaped once, not twice


def test_source_address_that_could_close_a_markdown_link_is_not_a_web_address():
    assert escape.WEB_ADDRESS.fullmatch("https://www.exemple.fr/a-b_c/d.html?x=1&y=%C3%A9#z")
    assert not escape.WEB_ADDRESS.fullmatch("https://a.fr/x) [y](javascript:alert(1))")
    assert not escape.WEB_ADDRESS.fullmatch("https://a.fr/x\"onmouseover=\"y")


def test_code_cell_with_a_backtick_and_a_pipe_shows_literally():
    html = render("| Champ | Exemple |\n|---|---|\n| a | " + escape.code_cell("x` **gras** | [l](javascript:y)") + " |\n")
    assert html.count("<td>") == 2 and "<strong>" not in html and "href" not in html
    assert "<code>x` **gras** | [l](javascript:y)</code>" in html


def test_french_numbers_round_half_up_and_measures_keep_their_decimals():
    assert formats.euros(2.5) == "3\u00a0€" and formats.euros(3.5) == "4\u00a0€"
    assert formats.measure("30.3", "ha") == "30,3\u00a0ha"
    assert formats.measure("187", "ha") == "187\u00a0ha"
    assert formats.measure("1250.75", "ha") == "1\u202f250,75\u00a0ha"
    assert formats.measure("", "ha") == "—"
