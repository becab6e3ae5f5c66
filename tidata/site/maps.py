"""Maps drawn at build time as inline SVG: no script, no tiles, no request to a third party.

Mainland France is drawn in Lambert-93 (EPSG:2154), each overseas département in an inset with a local
equirectangular projection. Outlines are projected to pixels, simplified to about a pixel and written as relative
path commands in tenths of a pixel, so that a map of France with every EPCI stays small. The output depends only
on the input (items sorted by key, ids hashed from the content): same input, same bytes.

Colours are defaults in a <style> element whose selectors have no specificity (`:where`): any rule of the site's
CSS overrides them, wherever it is loaded.
"""

from __future__ import annotations

import functools
import hashlib
import html
import re
from dataclasses import dataclass

import numpy as np
import shapely

from .projection import MAINLAND, OVERSEAS, View, Zone, anchor, polygons, view_at, zone_at


@dataclass
class Shape:
    key: str
    geometry: object  # a shapely geometry, WGS84 longitude/latitude
    label: str
    href: str | None = None
    css_class: str = ""


@dataclass
class Point:
    key: str
    lon: float
    lat: float
    label: str
    href: str | None = None
    css_class: str = ""


# --- Simplification and path data ------------------------------------------------------------------------

_TOLERANCE = 1.0  # px, Douglas-Peucker, for outlines that do not form a mosaic
_COVERAGE_TOLERANCE = 1.5  # px, Visvalingam-Whyatt on a mosaic: about as many vertices as the line above
_MIN_AREA = 0.5  # px²: smaller islands and holes are dropped (an outline keeps at least its largest part)


def _simplify(outlines: list) -> list:
    """Outlines in pixels simplified to about a pixel.

    A mosaic (EPCIs, départements, territories made of whole EPCIs) is simplified as a whole, so that neighbours
    keep one common border: no gap, no overlap. Other outlines are simplified one by one. Exteriors and holes are
    then oriented opposite ways, so that outlines merged into one path fill (nonzero rule) where they touch.
    """
    outlines = np.array(outlines, dtype=object)
    if shapely.coverage_is_valid(outlines):
        simplified = shapely.coverage_simplify(outlines, _COVERAGE_TOLERANCE)
    else:
        simplified = shapely.simplify(outlines, _TOLERANCE, preserve_topology=True)
    return list(shapely.orient_polygons(simplified))


def _number(tenths: int) -> str:
    """A coordinate in tenths of a pixel, as short as SVG allows: 5 → ".5", -125 → "-12.5", 30 → "3"."""
    units, decimal = divmod(abs(int(tenths)), 10)
    text = (str(units) if units or not decimal else "") + (f".{decimal}" if decimal else "")
    return "-" + text if tenths < 0 else text


def _px(value: float) -> str:
    return _number(round(value * 10))


def _numbers(values) -> str:
    """Numbers with the fewest separators: none before a minus sign, none before ".5" after "1.5"."""
    out, previous = [], ""
    for value in values:
        text = _number(value)
        if previous and text[0] != "-" and not (text[0] == "." and "." in previous):
            out.append(" ")
        out.append(text)
        previous = text
    return "".join(out)


def _ring_data(coords) -> str:
    points = np.rint(np.asarray(coords)[:, :2] * 10).astype(np.int64)
    points = np.vstack([points[:1], points[1:][np.any(np.diff(points, axis=0) != 0, axis=1)]])
    if len(points) > 1 and (points[-1] == points[0]).all():
        points = points[:-1]
    if len(points) < 3:
        return ""
    return f"M{_numbers(points[0])}l{_numbers(np.diff(points, axis=0).ravel())}z"


def _path_data(outline) -> str:
    parts = polygons(outline)
    if not parts:
        return ""
    largest = max(parts, key=lambda p: p.area)
    rings = []
    for polygon in parts:
        if polygon.area >= _MIN_AREA or polygon is largest:
            rings.append(polygon.exterior.coords)
            rings.extend(h.coords for h in polygon.interiors if shapely.Polygon(h).area >= _MIN_AREA)
    return "".join(_ring_data(ring) for ring in rings)


def _outlines(views: list[View], items: list, clip: bool) -> list[tuple]:
    """(item, path data) of the items drawn in one of the views, in the items' order; the outlines of a view are
    simplified together."""
    anchors = shapely.point_on_surface(np.array([item.geometry for item in items], dtype=object))
    placed = [(item, view_at(views, a.x, a.y)) for item, a in zip(items, anchors)]
    data = {}
    for view in views:
        mine = [item for item, v in placed if v is view]
        if mine:
            simplified = _simplify(view.outlines_px([item.geometry for item in mine], clip))
            data.update({id(item): _path_data(outline) for item, outline in zip(mine, simplified)})
    return [(item, data[id(item)]) for item, view in placed if view is not None and data[id(item)]]


# --- SVG ----------------------------------------------------------------------------------------------------

_STYLE = (
    ":where(.carte-fond){fill:#e4e4e4;stroke:#fff;stroke-width:.5}"
    ":where(.carte-formes){fill:#3f51b5;stroke:#fff;stroke-width:.5}"
    ":where(.carte-points){fill:#ffd600;stroke:#000;stroke-width:1}"
    ":where(.carte-repere){fill:#c62828;stroke:#c62828;stroke-width:.5}"
    ":where(.carte-anneau){fill:none;stroke:#c62828;stroke-width:1.5}"
    ":where(.carte-cadres){fill:none;stroke:#767676;stroke-width:.5}"
    ":where(.carte-cadres text){font-size:11px;fill:#333;stroke:none}"
    # what changed for a commune between phases (tidata.site.transitions.STATUSES), Okabe-Ito colours told apart
    # with any colour vision: maintenue, changement de territoire, entrée, sortie
    ".evolution-0{fill:#0072b2}.evolution-1{fill:#e69f00}.evolution-2{fill:#009e73}.evolution-3{fill:#d55e00}"
    ".carte-svg a:hover path{fill:#1a237e}"
    ".carte-svg a:focus path,.carte-svg a:focus circle{stroke:#000;stroke-width:2.5}"
)
_SCHEME = re.compile(r"^\s*([a-zA-Z][a-zA-Z0-9+.-]*):")


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _safe_href(href: str) -> str:
    """A relative URL, an anchor or an http(s)/mailto URL, escaped; any other scheme (javascript:…) is refused."""
    scheme = _SCHEME.match(href)
    if scheme and scheme.group(1).lower() not in ("http", "https", "mailto"):
        raise ValueError(f"lien refusé dans une carte : {href!r}")
    return _esc(href)


def _class(*names: str) -> str:
    joined = " ".join(name for name in names if name)
    return f' class="{_esc(joined)}"' if joined else ""


def _element(tag: str, attributes: str, label: str, href: str | None) -> str:
    """An element with its label as <title> (a tooltip), in a link named by the label when it has a target."""
    title = f"<title>{_esc(label)}</title>" if label else ""
    if href is None:
        return f"<{tag}{attributes}>{title}</{tag}>" if title else f"<{tag}{attributes}/>"
    name = f' aria-label="{_esc(label)}"' if label else ""
    return f'<a href="{_safe_href(href)}"{name}>{title}<{tag}{attributes}/></a>'


def _shared_class(items) -> str:
    """The class all items have, if they have the same one: it is then written once, on their group."""
    classes = {item.css_class for item in items}
    return classes.pop() if len(classes) == 1 else ""


def _background(views: list[View], shapes, clip: bool) -> str:
    """Background outlines, one path per class: no link, no name, hidden from assistive technologies."""
    by_class: dict[str, list[str]] = {}
    for shape, data in _outlines(views, sorted(shapes, key=lambda s: s.key), clip):
        by_class.setdefault(shape.css_class, []).append(data)
    paths = "".join(f'<path{_class(c)} d="{"".join(d)}"/>' for c, d in sorted(by_class.items()))
    return f'<g class="carte-fond" aria-hidden="true">{paths}</g>' if paths else ""


def _foreground(views: list[View], shapes, points, radius: float, clip: bool) -> str:
    """Named shapes, then the points above them."""
    shapes, out = sorted(shapes, key=lambda s: s.key), ""
    shared = _shared_class(shapes)
    drawn = "".join(_element("path", f'{_class("" if shared else s.css_class)} d="{data}"', s.label, s.href)
                    for s, data in _outlines(views, shapes, clip))
    if drawn:
        out += f'<g{_class("carte-formes", shared)}>{drawn}</g>'
    points = sorted(points, key=lambda p: p.key)
    shared = _shared_class(points)
    dots = []
    for point in points:
        view = view_at(views, point.lon, point.lat)
        if view is not None:
            (x, y), = view.to_px([[point.lon, point.lat]])
            rx, ry, rw, rh = view.rect
            if rx <= x <= rx + rw and ry <= y <= ry + rh:
                circle = f'{_class("" if shared else point.css_class)} cx="{_px(x)}" cy="{_px(y)}" r="{radius:g}"'
                dots.append(_element("circle", circle, point.label, point.href))
    if dots:
        out += f'<g{_class("carte-points", shared)}>{"".join(dots)}</g>'
    return out


def _svg(kind: str, size: tuple[float, float], title: str, body: str, content: list[str]) -> str:
    """The SVG element: a group when it holds links, an image otherwise, named by its <title>, whose id is a
    hash of the content (two maps of a page cannot share it by chance, and it never changes between builds)."""
    title = title or "Carte"
    ident = "carte-" + hashlib.sha1("\n".join([kind, title, *content]).encode()).hexdigest()[:10]
    role = "group" if "<a " in body else "img"
    name = f'aria-label="{_esc(title)}"' if role == "img" else f'aria-labelledby="{ident}"'
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {_px(size[0])} {_px(size[1])}" width="100%" '
            f'class="carte-svg carte-svg-{kind}" role="{role}" {name}>'
            f'<title id="{ident}">{_esc(title)}</title><style>{_STYLE}</style>{body}</svg>')


def _keys(shapes, points=()) -> list[str]:
    return sorted(f"s{s.key}" for s in shapes) + sorted(f"p{p.key}" for p in points)


# --- Maps ---------------------------------------------------------------------------------------------------


def _france_views(width: float) -> tuple[list[View], float]:
    """The mainland over the whole width, then the five overseas insets in a row; and the total height."""
    pad, gap = width * 0.01, width * 0.015
    xmin, ymin, xmax, ymax = MAINLAND.extent()
    mainland_height = (ymax - ymin) * (width - 2 * pad) / (xmax - xmin)
    views = [View(MAINLAND, MAINLAND.extent(), (pad, pad, width - 2 * pad, mainland_height))]
    cell = (width - 2 * pad - gap * (len(OVERSEAS) - 1)) / len(OVERSEAS)
    top = pad + mainland_height + gap
    for i, zone in enumerate(OVERSEAS):  # inside each cell: a line for the name, then the map
        views.append(View(zone, zone.extent(), (pad + i * (cell + gap) + 4, top + 17, cell - 8, cell - 21)))
    return views, top + cell + pad


def _frames(insets: list[View]) -> str:
    parts = []
    for view in insets:
        x, y, w, _ = view.rect
        parts.append(f'<rect x="{_px(x - 4)}" y="{_px(y - 17)}" width="{_px(w + 8)}" height="{_px(w + 8)}"/>'
                     f'<text x="{_px(x - 1)}" y="{_px(y - 5)}">{_esc(view.zone.name)}</text>')
    return f'<g class="carte-cadres" aria-hidden="true" fill="none">{"".join(parts)}</g>'


def france_map(shapes: list[Shape], background: list[Shape], points: list[Point] = (), title: str = "",
               width: int = 640) -> str:
    """France, the overseas départements in insets below: background, then named shapes, then points.

    A shape is drawn in the frame that holds a point of its surface; shapes and points outside every frame
    (overseas collectivities such as Saint-Martin) are left out.
    """
    views, height = _france_views(width)
    body = (_background(views, background, clip=False) + _frames(views[1:])
            + _foreground(views, shapes, points, 4, clip=False))
    return _svg("france", (width, height), title, body, _keys(shapes, points))


def _area_extent(zone: Zone, geometry, ratios=(0.6, 1.4)) -> tuple[float, float, float, float]:
    """Projected bounds of the area plus a margin, widened so that height / width stays within `ratios`."""
    xmin, ymin, xmax, ymax = shapely.transform(geometry, zone.project).bounds
    margin = max(xmax - xmin, ymax - ymin, 2000.0) * 0.05
    xmin, ymin, xmax, ymax = xmin - margin, ymin - margin, xmax + margin, ymax + margin
    w, h = xmax - xmin, ymax - ymin
    if h < w * ratios[0]:
        ymin, ymax = ymin - (w * ratios[0] - h) / 2, ymax + (w * ratios[0] - h) / 2
    elif h > w * ratios[1]:
        xmin, xmax = xmin - (h / ratios[1] - w) / 2, xmax + (h / ratios[1] - w) / 2
    return xmin, ymin, xmax, ymax


def area_map(shapes: list[Shape], background: list[Shape] = (), points: list[Point] = (), title: str = "",
             width: int = 480) -> str:
    """A zoom on the shapes (e.g. the EPCIs of a territory) and the points in view, over the background clipped
    to the view; projected as on the map of France (or, outside France, around the shapes)."""
    if not shapes:
        raise ValueError("area_map : aucune forme à cadrer")
    union = shapely.union_all([s.geometry for s in sorted(shapes, key=lambda s: s.key)])
    zone = zone_at(*anchor(union)) or Zone("local", "", union.bounds)
    extent = _area_extent(zone, union)
    height = width * (extent[3] - extent[1]) / (extent[2] - extent[0])
    view = View(zone, extent, (0.0, 0.0, float(width), height), takes_all=True)
    lon_min, lat_min, lon_max, lat_max = union.bounds
    reach = max(lon_max - lon_min, lat_max - lat_min)  # degrees: more than the margins and widening add
    near = shapely.box(lon_min - reach, lat_min - reach, lon_max + reach, lat_max + reach)
    background = list(background)
    around = [s for s, hit in zip(background, shapely.intersects(near, [s.geometry for s in background])) if hit]
    body = _background([view], around, clip=True) + _foreground([view], shapes, points, 6, clip=True)
    return _svg("zone", (width, height), title, body, _keys(shapes, points))


@functools.lru_cache(maxsize=8)
def _cached_background(view: View, departements: tuple) -> str:
    """The départements of a locator map: the same on every page, drawn once per build."""
    return _background([view], [Shape(key, geometry, "", css_class=c) for key, c, geometry in departements], False)


def locator_map(highlight, departements: list[Shape], title: str = "", width: int = 160) -> str:
    """A small map of the highlight's part of France (the mainland, or its overseas département) with the
    highlight filled, and ringed when too small to see."""
    zone = zone_at(*anchor(highlight)) or MAINLAND
    xmin, ymin, xmax, ymax = zone.extent()
    pad, top = 2.0, 2.0 if zone is MAINLAND else 16.0  # an overseas département is named above its map
    height = (ymax - ymin) * (width - 2 * pad) / (xmax - xmin) + pad + top
    view = View(zone, zone.extent(), (pad, top, width - 2 * pad, height - pad - top))
    spot = _simplify(view.outlines_px([highlight], clip=False))[0]
    departements = sorted(departements, key=lambda d: d.key)
    body = _cached_background(view, tuple((d.key, d.css_class, d.geometry) for d in departements))
    body += f'<path class="carte-repere" d="{_path_data(spot)}"/>'
    if zone is not MAINLAND:
        body += f'<g class="carte-cadres" aria-hidden="true"><text x="2" y="12">{_esc(zone.name)}</text></g>'
    x0, y0, x1, y1 = spot.bounds if not spot.is_empty else (0.0, 0.0, 0.0, 0.0)
    if max(x1 - x0, y1 - y0) < 6:
        body += f'<circle class="carte-anneau" cx="{_px((x0 + x1) / 2)}" cy="{_px((y0 + y1) / 2)}" r="5"/>'
    return _svg("situation", (width, height), title, body, [zone.code, hashlib.sha1(highlight.wkb).hexdigest()])
