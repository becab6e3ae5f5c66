"""The EPCI, département and région outlines: unions of the commune outlines of each group.

The commune outlines form a coverage (neighbours share their vertices), so coverage_union_all only drops the
shared edges: each group's outline is exactly the union of its communes', with no new vertex and no
simplification, and the layers stay consistent with communes.geojson and with each other.
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import shapely

from .geometrie import single_part


def dissolved(shapes: dict[str, shapely.Geometry], key_of) -> dict[str, shapely.Geometry]:
    """Union of the commune shapes of each key_of(code), skipping communes without a key (islands without EPCI)."""
    groups = defaultdict(list)
    for code, shape in sorted(shapes.items()):
        if key_of(code):
            groups[key_of(code)].append(shape)
    return {key: single_part(shapely.coverage_union_all(np.array(groups[key], dtype=object))) for key in sorted(groups)}
