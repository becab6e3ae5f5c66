"""Bar charts drawn at build time as inline SVG, with French number formatting.

A chart is an image (role="img") named by its <title> and described by a <desc> that gives the data in words; each
bar segment has a <title> with its exact value. Series differ by colour and by pattern, so that they can be told
apart without colour. The output depends only on the input: categories and series keep the order given, ids are
hashed from the content. Colours are defaults in a <style> element with zero specificity (`:where`).
"""

from __future__ import annotations

import hashlib
import html
import math
import re
from decimal import ROUND_HALF_UP, Decimal

NARROW_NBSP = "\u202f"  # thousands separator: 3 500
NBSP = "\u00a0"  # between a number and its unit: 3 500 €
MINUS = "\u2212"

_PREFIXES = ((1e9, "Md"), (1e6, "M"), (1e3, "k"))
_AXIS_PREFIXES = ((1e9, 1e9, "Md"), (1e6, 1e6, "M"), (1e4, 1e3, "k"))  # from this top of axis, in this size

# Default colours, each at least 3:1 against white; the patterns below make them distinct without colour.
PALETTE = ("#3f51b5", "#d55e00", "#00796b", "#8e24aa", "#795548", "#c2185b", "#455a64")
_MARKS = (  # white marks drawn over the colour in a 6 × 6 tile, one per series (the first is plain)
    "",
    '<path d="M-1 1l2-2M0 6l6-6M5 7l2-2"/>',
    '<circle cx="3" cy="3" r="1.3"/>',
    '<path d="M0 3h6"/>',
    '<path d="M0 3h6M3 0v6"/>',
    '<path d="M3 0v6"/>',
    '<path d="M-1 5l2 2M0 0l6 6M5-1l2 2"/>',
)

_FONT = 12  # px
_CHAR = 0.6 * _FONT  # estimated width of a character: text is laid out without measuring it


def _number(value: float, decimals: int) -> str:
    """1234567.891, 2 → "1 234 567,89" with narrow no-break spaces; halves rounded up (1,95 → 2,0, as one would
    by hand, where binary floats give 1,9); a minus sign, never "-0"."""
    rounded = Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = f"{abs(rounded):,.{decimals}f}".replace(",", NARROW_NBSP).replace(".", ",")
    return MINUS + text if rounded < 0 else text


def _with_unit(number: str, prefix: str, unit: str) -> str:
    return f"{number}{NBSP}{prefix}{unit}" if prefix or unit else number


def format_amount(value: float, unit: str = "€") -> str:
    """A rounded amount for reading: 1234567 → « 1,2 M€ », 350000 → « 350 k€ », 3500 → « 3 500 € »,
    0 → « 0 € ».

    Below 10 000 the amount is written in full (cents only when there are some); above, in k, M or Md with one
    decimal below 100 units of that size and none above.
    """
    value = float(value or 0.0)
    if value != value:
        return "—"  # not a number: nothing to show
    if abs(value) < 9999.5:
        return format_exact(value, unit)
    for size, prefix in reversed(_PREFIXES):  # k, then M, then Md
        scaled = value / size
        text = _number(scaled, 1 if abs(scaled) < 99.95 else 0)
        if len(text.replace(NARROW_NBSP, "").split(",")[0].lstrip(MINUS)) <= 3 or prefix == "Md":
            return _with_unit(text.removesuffix(",0"), prefix, unit)
    raise AssertionError("unreachable: Md takes every larger amount")


def format_exact(value: float, unit: str = "€") -> str:
    """The amount in full, cents only when there are some: 1234567 → « 1 234 567 € », 12.5 → « 12,50 € »."""
    value = float(value or 0.0)
    if value != value:
        return "—"
    return _with_unit(_number(value, 0 if abs(value - round(value)) < 0.005 else 2), "", unit)


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _r(value: float) -> str:
    """A coordinate with at most one decimal."""
    return f"{round(value, 1):g}"


def _nice_step(top: float, ticks: int = 5) -> float:
    """A step of 1, 2 or 5 times a power of ten giving about `ticks` intervals up to `top`."""
    if top <= 0:
        return 1.0
    raw = top / ticks
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw * (1 - 1e-9))


def _axis_label(value: float, top: float, step: float, unit: str) -> str:
    """Tick labels share the prefix fitting the top of the axis and show the decimals the step needs."""
    if value == 0:
        return _with_unit("0", "", unit)
    size, prefix = next(((size, p) for limit, size, p in _AXIS_PREFIXES if top >= limit), (1.0, ""))
    scaled = step / size
    decimals = next(d for d in range(4) if d == 3 or abs(scaled * 10**d - round(scaled * 10**d)) < 1e-6)
    return _with_unit(_number(value / size, decimals), prefix, unit)


def _lines(text: str, width: float, size: float) -> list[str]:
    """Text wrapped into lines of about `width` pixels at font size `size`, at spaces and after hyphens."""
    lines, line = [], ""
    for word in text.split():
        for piece in re.split(r"(?<=[^\W\d]-)", word):  # Bourgogne- / Franche- / Comté, never 2023- / 2027
            joined = line + piece if line.endswith("-") else f"{line} {piece}" if line else piece
            if line and len(joined) * 0.6 * size > width:
                lines.append(line)
                line = piece
            else:
                line = joined
    return lines + [line] if line else lines


_STYLE = (
    ":where(.graphique-svg text){font-size:12px;fill:currentColor}"
    ":where(.graphique-svg .graphique-titre){font-size:14px;font-weight:700}"
    ":where(.graphique-grille){stroke:#d9d9d9;stroke-width:1}"
    ":where(.graphique-axe){stroke:currentColor;stroke-width:1}"
    ":where(.graphique-barre){stroke:#fff;stroke-width:1}"
    ":where(.graphique-motif){fill:#fff;stroke:#fff;stroke-width:1.2}"
    + "".join(f":where(.graphique-serie-{i + 1}){{fill:{c}}}" for i, c in enumerate(PALETTE))
)


def _defs(ident: str, count: int) -> str:
    tiles = []
    for i in range(count):
        mark = _MARKS[i % len(_MARKS)]
        tiles.append(f'<pattern id="{ident}-m{i + 1}" width="6" height="6" patternUnits="userSpaceOnUse">'
                     f'<rect class="graphique-serie-{i % len(PALETTE) + 1}" width="6" height="6"/>'
                     + (f'<g class="graphique-motif">{mark}</g>' if mark else "") + "</pattern>")
    return f"<defs>{''.join(tiles)}</defs>"


def _legend(ident: str, names: list[str], width: float, top: float) -> tuple[str, float]:
    """Legend items in rows; returns the SVG and the y below it."""
    parts, x, y = [], 0.0, top
    for i, name in enumerate(names):
        item = 14 + 6 + len(name) * _CHAR + 18
        if x and x + item > width:
            x, y = 0.0, y + 20
        parts.append(f'<rect class="graphique-barre" fill="url(#{ident}-m{i + 1})" x="{_r(x)}" y="{_r(y)}" '
                     f'width="14" height="14"/><text x="{_r(x + 20)}" y="{_r(y + 11)}">{_esc(name)}</text>')
        x += item
    return f'<g class="graphique-legende">{"".join(parts)}</g>', y + 14


def _description(categories: list[str], series: dict[str, list[float]], unit: str) -> str:
    names = list(series)
    by_category = []
    for j, category in enumerate(categories):
        detail = ", ".join(f"{name} {format_amount(series[name][j], unit)}" for name in names)
        total = sum(series[name][j] for name in names)
        by_category.append(f"{category} : {format_amount(total, unit)} ({detail})")
    grand = sum(sum(values) for values in series.values())
    return (f"Barres empilées par {', '.join(names)}. Total : {format_amount(grand, unit)}. "
            + " ; ".join(by_category) + ".")


def _clean(categories, series) -> tuple[list[str], dict[str, list[float]]]:
    categories = [str(c) for c in categories]
    out = {}
    for name, values in series.items():
        values = [0.0 if v is None or v != v else float(v) for v in values]  # None and NaN count as 0
        if len(values) != len(categories):
            raise ValueError(f"la série {name!r} a {len(values)} valeurs pour {len(categories)} catégories")
        if any(v < 0 for v in values):
            raise ValueError(f"la série {name!r} a un montant négatif : des barres empilées ne peuvent le montrer")
        out[str(name)] = values
    return categories, out


def _axis(totals: list[float], unit: str) -> tuple[float, list[float], list[str]]:
    """Top of the axis, its ticks and their labels."""
    highest = max(totals, default=0.0)
    step = _nice_step(highest)
    top = step * max(1, math.ceil(highest / step - 1e-9))
    ticks = [step * k for k in range(round(top / step) + 1)]
    return top, ticks, [_axis_label(t, top, step, unit) for t in ticks]


def _stack(ident: str, category: str, values: dict[str, float], x: float, width: float, y_of, unit: str) -> str:
    """The segments of one bar, bottom up, each with its exact value as <title>, and the y of the bar's top."""
    parts, base = [], 0.0
    for i, (name, value) in enumerate(values.items()):
        if value > 0:
            y, height = y_of(base + value), y_of(base) - y_of(base + value)
            parts.append(f'<rect class="graphique-barre" fill="url(#{ident}-m{i + 1})" x="{_r(x)}" y="{_r(y)}" '
                         f'width="{_r(width)}" height="{_r(height)}">'
                         f"<title>{_esc(category)}, {_esc(name)} : {_esc(format_exact(value, unit))}</title></rect>")
            base += value
    return "".join(parts), y_of(base)


def bar_chart(categories: list[str], series: dict[str, list[float]], title: str, unit: str = "€",
              width: int = 640) -> str:
    """Bars stacked by series (in the order given, the first at the bottom), one bar per category, its total
    above it, the axis in French amounts, a legend under the title."""
    categories, series = _clean(categories, series)
    names = list(series)
    ident = "graphique-" + hashlib.sha1(repr((title, unit, width, categories, series)).encode()).hexdigest()[:10]

    title_lines = _lines(title, width, 14)
    legend, legend_bottom = _legend(ident, names, width, 18 * len(title_lines) + 8)
    totals = [sum(series[n][j] for n in names) for j in range(len(categories))]
    top, ticks, labels = _axis(totals, unit)
    left = max(len(label) for label in labels) * _CHAR + 10
    band = (width - left - 4) / max(1, len(categories))
    bar_width = min(band * 0.6, 80.0)
    category_lines = [_lines(c, band - 6, _FONT) or [""] for c in categories]
    bottom = legend_bottom + 26 + 220.0  # the plot is 220 px high
    height = bottom + 14 * max((len(lines) for lines in category_lines), default=1) + 12

    def y_of(value: float) -> float:
        return bottom - value / top * 220.0

    drawn = [f'<text class="graphique-titre" x="0" y="{14 + 18 * k}">{_esc(line)}</text>'
             for k, line in enumerate(title_lines)] + [legend]
    for tick, label in zip(ticks, labels):
        drawn.append(f'<line class="graphique-grille" x1="{_r(left)}" x2="{width}" y1="{_r(y_of(tick))}" '
                     f'y2="{_r(y_of(tick))}"/><text x="{_r(left - 6)}" y="{_r(y_of(tick) + 4)}" '
                     f'text-anchor="end">{_esc(label)}</text>')
    for j, category in enumerate(categories):
        x = left + band * j + (band - bar_width) / 2
        centre = _r(x + bar_width / 2)
        segments, summit = _stack(ident, category, {n: series[n][j] for n in names}, x, bar_width, y_of, unit)
        drawn.append(segments)
        total = format_amount(totals[j], unit)
        if len(total) * _CHAR * 0.92 <= band:  # the total above the bar, where it fits
            drawn.append(f'<text x="{centre}" y="{_r(summit - 5)}" text-anchor="middle" font-size="11">'
                         f"{_esc(total)}</text>")
        drawn.append(f'<text x="{centre}" y="{_r(bottom + 17)}" text-anchor="middle">'
                     + "".join(f'<tspan x="{centre}" dy="{14 if k else 0}">{_esc(line)}</tspan>'
                               for k, line in enumerate(category_lines[j])) + "</text>")
    drawn.append(f'<line class="graphique-axe" x1="{_r(left)}" x2="{width}" y1="{_r(bottom)}" y2="{_r(bottom)}"/>')
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {_r(height)}" width="100%" '
            f'class="graphique-svg" role="img" aria-labelledby="{ident}-titre {ident}-desc">'
            f'<title id="{ident}-titre">{_esc(title)}</title>'
            f'<desc id="{ident}-desc">{_esc(_description(categories, series, unit))}</desc>'
            f'<style>{_STYLE}</style>{_defs(ident, len(names))}<g aria-hidden="true">{"".join(drawn)}</g></svg>')
