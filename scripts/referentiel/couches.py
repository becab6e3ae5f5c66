"""The published layers (EPCI, départements): union of the clean commune shapes, simplified layer by layer.

coverage_simplify works on a whole layer at once: simplifying polygons one by one would open gaps and overlaps
between neighbours.
"""

from __future__ import annotations

import sys
from collections import Counter, defaultdict

import numpy as np
import shapely

from .geometrie import polygons_only
from .parametres import GRID, SIMPLIFY_DEGREES


def grouped(shapes: dict[str, shapely.Geometry], key_of) -> dict[str, list]:
    """Commune shapes grouped by key_of(code), skipping communes without a key."""
    groups = defaultdict(list)
    for code, shape in sorted(shapes.items()):
        if key_of(code) and not shape.is_empty:
            groups[key_of(code)].append(shape)
    return groups


def simplified_layer(groups: dict[str, list], label: str) -> tuple[dict[str, shapely.Geometry], Counter]:
    """Union each group of clean commune shapes, simplify the whole layer at once, put it on the 1e-4° grid.

    Returns the shapes and counts: polygons before/after, polygons lost (farther than the tolerance from the
    result, i.e. an island that vanished), shapes repaired or kept unsimplified.
    """
    keys = sorted(groups)
    print(f"  union des communes par {label}…")
    merged = np.array([shapely.coverage_union_all(np.array(groups[k], dtype=object)) for k in keys], dtype=object)
    print(f"  simplification de la couche entière ({SIMPLIFY_DEGREES}°) et arrondi…")
    rounded = shapely.set_precision(shapely.coverage_simplify(merged, SIMPLIFY_DEGREES), GRID)
    shapes, stats = {}, Counter()
    for key, original, shape in zip(keys, merged, rounded):
        shape = polygons_only(shape)
        if not shape.is_valid:
            shape = polygons_only(shapely.set_precision(shapely.make_valid(shape), GRID))
            stats["repaired"] += 1
        if shape.is_empty:  # below the grid once simplified: keep the unsimplified shape on the grid
            shape = polygons_only(shapely.set_precision(original, GRID))
            stats["unsimplified"] += 1
        if shape.is_empty:
            sys.exit(f"{label} {key} : contour vide après arrondi")
        parts = shapely.get_parts(original)
        lost = [p for p in parts if shapely.distance(p, shape) > SIMPLIFY_DEGREES]
        stats["parts_before"] += len(parts)
        stats["parts_after"] += shapely.get_num_geometries(shape)
        stats["parts_lost"] += len(lost)
        shapes[key] = shape
    return shapes, stats
