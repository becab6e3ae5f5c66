"""Geometry helpers shared by the stages: polygonal parts, areas in km², the foreign enclaves."""

from __future__ import annotations

import numpy as np
import shapely

from .parametres import FOREIGN_ENCLAVES, KM_PER_DEGREE


def polygons_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a geometry (make_valid and set_precision may leave lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def area_km2(geometry: shapely.Geometry) -> float:
    """Area in km² of a lon/lat geometry, in the (equal-area) sinusoidal projection."""
    def sinusoidal(coords: np.ndarray) -> np.ndarray:
        return np.column_stack((coords[:, 0] * np.cos(np.radians(coords[:, 1])), coords[:, 1])) * KM_PER_DEGREE

    return float(shapely.area(shapely.transform(geometry, sinusoidal)))


def is_enclave(ring_polygon: shapely.Geometry) -> bool:
    return any(ring_polygon.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())
