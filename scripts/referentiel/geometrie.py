"""Geometry helpers shared by the stages: one-part multipolygons, areas in km², the foreign enclaves."""

from __future__ import annotations

import numpy as np
import shapely

from .parametres import FOREIGN_ENCLAVES, KM_PER_DEGREE


def single_part(geometry: shapely.Geometry) -> shapely.Geometry:
    """A MultiPolygon of one polygon as that Polygon (smaller GeoJSON); any other geometry as it is."""
    return shapely.get_geometry(geometry, 0) if geometry.geom_type == "MultiPolygon" and len(geometry.geoms) == 1 else geometry


def area_km2(geometry: shapely.Geometry) -> float:
    """Area in km² of a lon/lat geometry, in the (equal-area) sinusoidal projection."""
    def sinusoidal(coords: np.ndarray) -> np.ndarray:
        return np.column_stack((coords[:, 0] * np.cos(np.radians(coords[:, 1])), coords[:, 1])) * KM_PER_DEGREE

    return float(shapely.area(shapely.transform(geometry, sinusoidal)))


def is_enclave(ring_polygon: shapely.Geometry) -> bool:
    return any(ring_polygon.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())
