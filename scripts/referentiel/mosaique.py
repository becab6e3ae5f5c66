"""The gap-free commune mosaic, and a point inside each commune.

1. a shape per current commune: its own outline united with its communes déléguées/associées' outlines (the
   outlines are older than the COG);
2. coverage_clean of the national mosaic; its holes (former communes with no outline) and the notches of the
   national outline are given to a neighbouring commune (see assign_pieces), then a second coverage_clean.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely

from .geometrie import area_km2, is_enclave, polygons_only
from .parametres import BY_ANCIENT_CODE, BY_BORDER, BY_DELEGATED, NOTCH_MIN_KM2, NOTCH_MIN_SHARE, NOTCH_OPENING


def former_communes(cog_communes: list[dict], current: set[str]) -> dict[str, list[str]]:
    """commune code → codes of its communes déléguées/associées (COG), itself excepted."""
    formers = defaultdict(list)
    for former in sorted(cog_communes, key=lambda c: c["code"]):
        if former["type"] in ("commune-deleguee", "commune-associee") and former.get("chefLieu") in current:
            if former["code"] != former["chefLieu"]:
                formers[former["chefLieu"]].append(former["code"])
    return formers


def commune_shapes(communes: list[dict], formers: dict, own: dict, former: dict) -> tuple[dict, dict]:
    """A shape per current commune: its own outline united with its communes déléguées/associées' outlines.

    The outlines are older than the COG: a commune nouvelle may only have its former communes' outlines (or its
    chef-lieu's under its own code). Returns the shapes and how each was made: "propre", "propre+déléguées",
    "déléguées".
    """
    shapes, how = {}, {}
    for commune in communes:
        code = commune["code"]
        parts = [former[f] for f in formers[code] if f in former]
        base = [own[code]] if code in own else ([former[code]] if code in former else [])
        if base or parts:
            shapes[code] = polygons_only(shapely.union_all(base + parts))
            how[code] = "propre" if code in own and not parts else ("propre+déléguées" if code in own else "déléguées")
    return shapes, how


def missing_former_parts(communes: list[dict], formers: dict, own: dict, former: dict) -> dict[str, tuple[str, list[str]]]:
    """Communes that may lack part of their territory: code → (why, codes without outline).

    A commune déléguée without outline is a sure sign (BY_DELEGATED); a former code (anciensCodes) without outline
    a weaker one (BY_ANCIENT_CODE: it may be an old merger whose outline is already whole). The Corsican codes
    renamed from 20xxx to 2Axxx/2Bxxx are not former communes.
    """
    missing = {}
    for commune in communes:
        code = commune["code"]
        delegated = [f for f in formers[code] if f not in former and f not in own]
        ancient = [
            a for a in commune.get("anciensCodes") or []
            if a not in former and a not in own and a != "20" + code[2:]
        ]
        if delegated:
            missing[code] = (BY_DELEGATED, delegated)
        elif ancient:
            missing[code] = (BY_ANCIENT_CODE, ancient)
    return missing


def clean(shapes: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """coverage_clean of the whole mosaic: snaps shared borders, resolves overlaps (to the longest border)."""
    codes = sorted(shapes)
    cleaned = shapely.coverage_clean(np.array([shapes[c] for c in codes], dtype=object))
    return {code: polygons_only(shape) for code, shape in zip(codes, cleaned)}


def mosaic_holes(shapes: dict[str, shapely.Geometry]) -> list[shapely.Geometry]:
    """Areas enclosed by the communes but covered by none (former communes missing from the outlines)."""
    union = shapely.coverage_union_all(np.array([shapes[c] for c in sorted(shapes)], dtype=object))
    holes = [shapely.Polygon(ring) for polygon in shapely.get_parts(union) for ring in polygon.interiors]
    return sorted((h for h in holes if not is_enclave(h)), key=lambda h: (h.centroid.x, h.centroid.y, h.area))


def mosaic_notches(shapes: dict[str, shapely.Geometry], territory: shapely.Geometry) -> list[shapely.Geometry]:
    """Areas of the national outline next to the mosaic but covered by no commune, slivers left out.

    Most are the sea or a neighbouring country seen through two different generalisations: only those touching
    a commune known to lack former communes are taken (see assign_pieces).
    """
    national = shapely.coverage_union_all(np.array([shapes[c] for c in sorted(shapes)], dtype=object))
    filled = shapely.union_all([shapely.Polygon(p.exterior) for p in shapely.get_parts(national)])
    outside = shapely.difference(territory, filled)
    opened = polygons_only(shapely.intersection(outside.buffer(-NOTCH_OPENING).buffer(NOTCH_OPENING), outside))
    cores = [p for p in shapely.get_parts(opened) if area_km2(p) >= NOTCH_MIN_KM2]
    # The opening also shaved the notch along the communes' jagged borders: take that margin back.
    notches = [polygons_only(shapely.intersection(outside, core.buffer(2 * NOTCH_OPENING))) for core in cores]
    return sorted(notches, key=lambda n: (n.centroid.x, n.centroid.y, n.area))


def neighbours(piece: shapely.Geometry, shapes: dict, codes: list[str], tree: shapely.STRtree) -> list[tuple[str, float]]:
    """Communes sharing a border with a piece, with the shared length in degrees, longest first."""
    ring = shapely.boundary(piece).buffer(1e-7)
    found = []
    for index in sorted(tree.query(ring, predicate="intersects")):
        length = shapely.intersection(shapely.boundary(shapes[codes[index]]), ring).length
        if length > 0:
            found.append((codes[index], length))
    return sorted(found, key=lambda item: (-item[1], item[0]))


def assign_pieces(pieces: list, kind: str, shapes: dict, missing: dict) -> list[dict]:
    """Choose the commune that takes each piece (a hole or a notch of the mosaic).

    A hole goes first to a neighbour lacking communes déléguées, then to one with a former code lacking an
    outline, else to the longest shared border. A notch goes only to a neighbour lacking communes déléguées, over
    at least NOTCH_MIN_SHARE of its outline (otherwise it is left: sea or abroad).
    """
    codes = sorted(shapes)
    tree = shapely.STRtree([shapes[c] for c in codes])
    rank = {BY_DELEGATED: 0, BY_ANCIENT_CODE: 1}
    report = []
    for piece in pieces:
        around = neighbours(piece, shapes, codes, tree)
        perimeter = shapely.boundary(piece).length
        if kind == "notch":
            around = [(c, n) for c, n in around if missing.get(c, ("",))[0] == BY_DELEGATED and n >= NOTCH_MIN_SHARE * perimeter]
        if not around:
            if kind == "hole":
                report.append({"kind": kind, "piece": piece, "commune": None})
            continue
        target, length = min(around, key=lambda item: (rank.get(missing.get(item[0], ("",))[0], 2), -item[1], item[0]))
        point = shapely.point_on_surface(piece)
        report.append({
            "kind": kind, "piece": piece, "commune": target, "lat": point.y, "lon": point.x,
            "area_km2": area_km2(piece), "share": length / perimeter,
            "why": missing[target][0] if target in missing else BY_BORDER,
            "lacking": missing.get(target, ("", []))[1], "longest": around[0][0],
        })
    return report


def complete_mosaic(shapes: dict, missing: dict, territory: shapely.Geometry) -> tuple[dict, list[dict]]:
    """Clean the mosaic, give its notches then its holes (including the slivers left around a notch) to
    communes, cleaning it again after each step."""
    cleaned = clean(shapes)
    notches = assign_pieces(mosaic_notches(cleaned, territory), "notch", cleaned, missing)
    if notches:
        cleaned = clean(with_pieces(cleaned, notches))
    holes = assign_pieces(mosaic_holes(cleaned), "hole", cleaned, missing)
    return clean(with_pieces(cleaned, holes)), notches + holes


def with_pieces(shapes: dict, pieces: list[dict]) -> dict:
    """The mosaic with each piece united to the commune that takes it."""
    additions = defaultdict(list)
    for piece in pieces:
        if piece["commune"]:
            additions[piece["commune"]].append(piece["piece"])
    completed = dict(shapes)
    for code, parts in additions.items():
        completed[code] = polygons_only(shapely.union_all([shapes[code], *parts]))
    return completed


# --- Points --------------------------------------------------------------------------------------------------


def commune_points(communes: list[dict], shapes: dict, how: dict, membership: dict, epci_shapes: dict) -> tuple[dict, dict]:
    """A point inside each commune: point_on_surface of its own shape (before cleaning, so never a filled hole).

    A commune without any outline gets a point in the communes of its EPCI that share one of its postcodes
    (where it most likely lies), or else in its EPCI. Returns the points and, for the others, where they come from.
    """
    points, fallback = {}, {}
    by_postcode_and_epci = defaultdict(list)
    for commune in communes:
        if commune["code"] in shapes:
            for postcode in commune.get("codesPostaux", []):
                by_postcode_and_epci[postcode, membership.get(commune["code"])].append(commune["code"])
    for commune in communes:
        code = commune["code"]
        if code in shapes:
            point = shapely.point_on_surface(shapes[code])
            if how[code] == "déléguées":
                fallback[code] = "l'union des contours de ses communes déléguées"
        else:
            siren = membership.get(code)
            around = sorted({n for p in commune.get("codesPostaux", []) for n in by_postcode_and_epci[p, siren]})
            if around:
                point = shapely.point_on_surface(shapely.union_all([shapes[n] for n in around]))
                fallback[code] = "les communes de son EPCI qui partagent son code postal (" + ", ".join(around) + ")"
            else:
                point = shapely.point_on_surface(epci_shapes[siren])
                fallback[code] = f"son EPCI {siren}"
        points[code] = (point.x, point.y)
    return points, fallback
