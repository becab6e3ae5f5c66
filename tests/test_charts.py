"""Bar charts drawn at build time: inline SVG that is valid, described in words, readable without colour, and
amounts written the French way."""

import re
import xml.etree.ElementTree as ET

import pytest

from tidata.site import charts
from tidata.site.charts import format_amount

SVG = "{http://www.w3.org/2000/svg}"
NNBSP, NBSP = "\u202f", "\u00a0"  # narrow no-break space between thousands, no-break space before the unit
YEARS = ["2023", "2024", "2025"]
BY_STATUS = {"prévu": [1_200_000.0, 800_000.0, 0.0], "engagé": [500_000.0, 900_000.0, 300_000.0],
             "versé": [250_000.0, 0.0, 0.0]}


def chart(categories=YEARS, series=BY_STATUS, title="Enveloppes par année et par statut", **kwargs) -> str:
    return charts.bar_chart(categories, series, title, **kwargs)


def parse(svg: str) -> ET.Element:
    root = ET.fromstring(svg)
    assert root.tag == SVG + "svg"
    return root


def texts(root) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter(SVG + "text")]


# --- Amounts ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("value, text", [
    (1_234_567, f"1,2{NBSP}M€"),
    (350_000, f"350{NBSP}k€"),
    (3_500, f"3{NNBSP}500{NBSP}€"),
    (0, f"0{NBSP}€"),
    (12_345, f"12,3{NBSP}k€"),
    (2_000_000, f"2{NBSP}M€"),  # no trailing ",0"
    (999_950, f"1{NBSP}M€"),  # rounding up to the next size
    (1_500_000_000, f"1,5{NBSP}Md€"),
    (12.5, f"12,50{NBSP}€"),
    (1_950_000, f"2{NBSP}M€"),  # halves rounded up, as by hand
    (-2_500, f"\u22122{NNBSP}500{NBSP}€"),
])
def test_format_amount_writes_a_rounded_french_amount(value, text):
    assert format_amount(value) == text


def test_format_amount_takes_another_unit_or_none():
    assert format_amount(1_234_567, unit="") == f"1,2{NBSP}M"
    assert format_amount(3_500, unit="ha") == f"3{NNBSP}500{NBSP}ha"


def test_format_exact_writes_every_digit():
    assert charts.format_exact(1_234_567) == f"1{NNBSP}234{NNBSP}567{NBSP}€"


# --- Chart --------------------------------------------------------------------------------------------------


def test_chart_is_an_image_named_by_its_title_and_described_by_its_desc():
    root = parse(chart())
    title, desc = root.find(SVG + "title"), root.find(SVG + "desc")
    assert root.get("role") == "img" and root.get("width") == "100%"
    assert root.get("aria-labelledby").split() == [title.get("id"), desc.get("id")]
    assert title.text == "Enveloppes par année et par statut"


def test_desc_gives_the_total_and_each_category_in_words():
    desc = parse(chart()).find(SVG + "desc").text
    assert f"Total : 4{NBSP}M€" in desc  # 3 950 000, halves rounded up
    assert f"2023 : 2{NBSP}M€ (prévu 1,2{NBSP}M€, engagé 500{NBSP}k€, versé 250{NBSP}k€)" in desc


def test_chart_shows_every_category_and_every_series_in_the_legend():
    shown = texts(parse(chart()))
    assert set(YEARS) <= set(shown)
    assert {"prévu", "engagé", "versé"} <= set(shown)


def test_every_bar_segment_has_a_title_with_its_exact_value():
    root = parse(chart())
    bars = [r for r in root.iter(SVG + "rect") if r.find(SVG + "title") is not None]
    nonzero = sum(1 for values in BY_STATUS.values() for v in values if v)
    assert len(bars) == nonzero
    titles = {bar.find(SVG + "title").text for bar in bars}
    assert f"2024, engagé : 900{NNBSP}000{NBSP}€" in titles


def test_axis_labels_share_one_french_unit():
    shown = texts(parse(chart()))
    assert {f"0{NBSP}€", f"0,5{NBSP}M€", f"1,0{NBSP}M€", f"1,5{NBSP}M€", f"2,0{NBSP}M€"} <= set(shown)


def test_series_differ_by_pattern_not_only_by_colour():
    root = parse(chart())
    patterns = root.findall(f"{SVG}defs/{SVG}pattern")
    assert len(patterns) == len(BY_STATUS)
    marks = [ET.tostring(p.find(SVG + "g")) if p.find(SVG + "g") is not None else b"" for p in patterns]
    assert len(set(marks)) == len(marks)
    legend = root.find(f".//{SVG}g[@class='graphique-legende']")
    assert len({r.get("fill") for r in legend.iter(SVG + "rect")}) == len(BY_STATUS)


def test_default_series_colours_stand_out_from_white():
    for colour in charts.PALETTE:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
        assert 1.05 / (luminance + 0.05) >= 3, colour


def test_names_with_markup_are_escaped():
    nasty = "<script>alert(1)</script> & \"x\" 'y'"
    svg = chart(categories=[nasty, "2024"], series={nasty: [1.0, 2.0]}, title=nasty)
    assert "<script" not in svg
    root = parse(svg)
    assert root.find(SVG + "title").text == nasty and nasty in texts(root)


def test_same_input_gives_the_same_bytes_and_ids_differ_between_charts():
    assert chart() == chart()
    first, other = parse(chart()), parse(chart(title="Autre graphique"))
    assert first.find(SVG + "title").get("id") != other.find(SVG + "title").get("id")


def test_chart_holds_no_script_and_no_inline_colour():
    svg = chart()
    assert "<script" not in svg and "style=" not in svg
    assert not re.search(r'(fill|stroke)="#', svg)


def test_a_chart_of_zeros_or_of_years_as_numbers_still_draws():
    root = parse(charts.bar_chart([2023, 2024], {"prévu": [0, 0]}, "Rien encore"))
    assert {"2023", "2024"} <= set(texts(root))


def test_series_of_the_wrong_length_or_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        chart(series={"prévu": [1.0]})
    with pytest.raises(ValueError):
        chart(series={"prévu": [1.0, -2.0, 3.0]})
