"""Where a point of France falls on a map: Lambert-93 for the mainland, a local projection for each overseas
département (the zones), and a zone's extent fitted into a rectangle of the SVG (the views). tidata.site.maps
draws with these; they know nothing of SVG.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import shapely

# --- Lambert-93: conformal conic on GRS80, standard parallels 44° and 49°, origin 46.5° N 3° E ---------------

_A = 6378137.0
_F = 1 / 298.257222101
_E = np.sqrt(2 * _F - _F * _F)


def _m(phi):
    return np.cos(phi) / np.sqrt(1 - (_E * np.sin(phi)) ** 2)


def _t(phi):
    return np.tan(np.pi / 4 - phi / 2) / ((1 - _E * np.sin(phi)) / (1 + _E * np.sin(phi))) ** (_E / 2)


_PHI1, _PHI2, _PHI0, _LON0 = np.radians([44.0, 49.0, 46.5, 3.0])
_N = (np.log(_m(_PHI1)) - np.log(_m(_PHI2))) / (np.log(_t(_PHI1)) - np.log(_t(_PHI2)))
_AF = _A * _m(_PHI1) / (_N * _t(_PHI1) ** _N)
_RHO0 = _AF * _t(_PHI0) ** _N


def lambert93(lon, lat):
    """Lambert-93 easting and northing (metres) of longitudes and latitudes in degrees, scalars or arrays.

    WGS84 and RGF93 differ by centimetres, far below what a map shows: no datum shift is applied.
    """
    rho = _AF * _t(np.radians(lat)) ** _N
    theta = _N * (np.radians(lon) - _LON0)
    x, y = 700000.0 + rho * np.sin(theta), 6600000.0 + _RHO0 - rho * np.cos(theta)
    return (float(x), float(y)) if np.ndim(x) == 0 else (x, y)


# --- Zones: the mainland and the five overseas départements, each with its projection ----------------------


@dataclass(frozen=True)
class Zone:
    code: str
    name: str
    box: tuple[float, float, float, float]  # lon_min, lat_min, lon_max, lat_max: what the zone's frame shows

    def project(self, coords: np.ndarray) -> np.ndarray:
        """(n, 2) lon/lat → (n, 2) metres: Lambert-93 on the mainland; elsewhere equirectangular around the
        box centre, longitudes scaled by the cosine of its latitude (true enough over an island)."""
        if self is MAINLAND:
            return np.column_stack(lambert93(coords[:, 0], coords[:, 1]))
        lon0, lat0 = (self.box[0] + self.box[2]) / 2, (self.box[1] + self.box[3]) / 2
        metres_per_degree = np.radians(1.0) * 6371000.0
        return np.column_stack([(coords[:, 0] - lon0) * metres_per_degree * np.cos(np.radians(lat0)),
                                (coords[:, 1] - lat0) * metres_per_degree])

    def extent(self) -> tuple[float, float, float, float]:
        if self is MAINLAND:
            return 95000.0, 6040000.0, 1245000.0, 7115000.0  # Lambert-93 bounds of the mainland and Corsica
        corners = self.project(np.array([self.box[:2], self.box[2:]]))
        return (*corners.min(axis=0).tolist(), *corners.max(axis=0).tolist())

    def holds(self, lon: float, lat: float) -> bool:
        return self.box[0] <= lon <= self.box[2] and self.box[1] <= lat <= self.box[3]


MAINLAND = Zone("FR", "France métropolitaine", (-5.6, 41.2, 10.0, 51.2))
OVERSEAS = (
    Zone("971", "Guadeloupe", (-61.85, 15.8, -60.95, 16.55)),
    Zone("972", "Martinique", (-61.27, 14.36, -60.77, 14.91)),
    Zone("973", "Guyane", (-54.65, 2.07, -51.57, 5.79)),
    Zone("974", "La Réunion", (55.18, -21.42, 55.87, -20.84)),
    Zone("976", "Mayotte", (44.99, -13.03, 45.33, -12.61)),
)


def zone_at(lon: float, lat: float) -> Zone | None:
    return next((zone for zone in (MAINLAND, *OVERSEAS) if zone.holds(lon, lat)), None)


def by_zone(geometry) -> dict[str, object]:
    """The parts of a geometry in each zone (mainland, each overseas département), keyed by zone code: a shape
    spread over several zones (all the communes of a status) is drawn in every frame only once split this way."""
    parts: dict[str, list] = {}
    for polygon in polygons(geometry):
        zone = zone_at(*anchor(polygon))
        if zone is not None:
            parts.setdefault(zone.code, []).append(polygon)
    return {code: (found[0] if len(found) == 1 else shapely.MultiPolygon(found)) for code, found in parts.items()}


def anchor(geometry) -> tuple[float, float]:
    """A point inside the geometry: it decides which frame the geometry is drawn in."""
    point = shapely.point_on_surface(geometry)
    return point.x, point.y


# --- Views: a zone's projected extent fitted (centred) into a rectangle of the SVG -------------------------


@dataclass(frozen=True)
class View:
    zone: Zone
    extent: tuple[float, float, float, float]  # projected metres
    rect: tuple[float, float, float, float]  # x, y, width, height in the SVG
    takes_all: bool = False  # a zoom draws whatever reaches it; a frame of the map of France only its zone

    def holds(self, lon: float, lat: float) -> bool:
        return self.takes_all or self.zone.holds(lon, lat)

    def to_px(self, coords) -> np.ndarray:
        xmin, ymin, xmax, ymax = self.extent
        x, y, w, h = self.rect
        scale = min(w / (xmax - xmin), h / (ymax - ymin))
        left, top = x + (w - (xmax - xmin) * scale) / 2, y + (h - (ymax - ymin) * scale) / 2
        metres = self.zone.project(np.asarray(coords, dtype=float))
        return np.column_stack([left + (metres[:, 0] - xmin) * scale, top + (ymax - metres[:, 1]) * scale])

    def outlines_px(self, geometries: list, clip: bool) -> list:
        """The geometries in SVG pixels (all projected in one call), clipped to the view if asked."""
        projected = shapely.transform(np.array(geometries, dtype=object), self.to_px)
        if clip:
            x, y, w, h = self.rect
            projected = shapely.clip_by_rect(projected, x - 2, y - 2, x + w + 2, y + h + 2)
        return [polygonal(g) for g in projected]


def view_at(views: list[View], lon: float, lat: float) -> View | None:
    return next((view for view in views if view.holds(lon, lat)), None)


def polygons(geometry) -> list:
    if geometry is None or geometry.is_empty:
        return []
    if geometry.geom_type == "Polygon":
        return [geometry]
    if geometry.geom_type in ("MultiPolygon", "GeometryCollection"):
        return [p for part in geometry.geoms for p in polygons(part)]
    return []  # lines and points left by clipping


def polygonal(geometry):
    parts = polygons(geometry)
    return parts[0] if len(parts) == 1 else shapely.MultiPolygon(parts)
