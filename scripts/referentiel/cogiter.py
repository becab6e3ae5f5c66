"""The vendored commune outlines of COGiter (datasets/sources/cogiter/), read with rdata and brought to WGS84.

Each .rda file is checked against SHA256SUMS before it is read. It holds one R `sf` data frame: DEPCOM (INSEE
code), AREA, geometry (an `sfc` column of POLYGON or MULTIPOLYGON whose `crs` attribute names its projection:
Lambert-93 for metropolitan France, a UTM projection for each overseas département). The vertices are reprojected
one by one with pyproj and put on the 1e-5° grid: a vertex shared by two neighbours stays shared, so the source's
coverage stays a coverage.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import numpy as np
import pyproj
import rdata
import shapely
from rdata.conversion import DEFAULT_CLASS_MAP

from .geometrie import single_part
from .parametres import DECIMALS, ROOT, WGS84


def verified_files(folder: Path) -> list[Path]:
    """The files listed in folder/SHA256SUMS (`sha256sum` format), each checked against its sum."""
    sums = folder / "SHA256SUMS"
    if not sums.exists():
        sys.exit(f"{shown(sums)} introuvable : la liste des sommes des contours copiés manque.")
    files = []
    for line in sums.read_text(encoding="utf-8").splitlines():
        expected, name = line.split(maxsplit=1)
        path = folder / name.lstrip("*")
        if not path.exists():
            sys.exit(f"{shown(path)} introuvable alors que SHA256SUMS le liste.")
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != expected:
            sys.exit(f"{shown(path)} : SHA-256 {actual}, SHA256SUMS attend {expected} ; le fichier a changé"
                     " depuis sa copie : voir PROVENANCE.md.")
        files.append(path)
    return files


def shown(path: Path) -> str:
    """A path as messages show it: relative to the repository when inside it."""
    return str(path.relative_to(ROOT)) if path.is_relative_to(ROOT) else str(path)


def geometry(coordinates: list, attributes: dict) -> shapely.Geometry:
    """An `sf` geometry (class XY, POLYGON or MULTIPOLYGON, sfg): rings as arrays of coordinates."""
    kind = str(attributes["class"][1])
    if kind == "POLYGON":
        return shapely.Polygon(coordinates[0], coordinates[1:])
    if kind == "MULTIPOLYGON":
        return shapely.MultiPolygon([shapely.Polygon(rings[0], rings[1:]) for rings in coordinates])
    raise ValueError(f"géométrie {kind} inattendue dans les contours COGiter")


def column(geometries: list, attributes: dict) -> tuple[str, list]:
    """An `sfc` column: its projection (the `input` of its crs, e.g. EPSG:2154) and its geometries."""
    return attributes["crs"], geometries


CLASSES = {
    **DEFAULT_CLASS_MAP,
    "sf": lambda columns, attributes: columns,
    "XY": geometry,
    "sfc_POLYGON": column,
    "sfc_MULTIPOLYGON": column,
    "crs": lambda crs, attributes: str(crs["input"][0]),
    "bbox": lambda bbox, attributes: None,
    "units": lambda values, attributes: values,
    "symbolic_units": lambda units, attributes: units,
}


def read_file(path: Path) -> tuple[str, list[str], list]:
    """One .rda file: its projection, its INSEE codes and their outlines (projected coordinates)."""
    (table,) = rdata.conversion.convert(rdata.parser.parse_file(path), CLASSES).values()
    crs, geometries = table["geometry"]
    return crs, [str(code) for code in table["DEPCOM"]], geometries


def to_wgs84(geometries: list, crs: str) -> np.ndarray:
    """Reproject to WGS84 longitude/latitude, on the 1e-5° grid, oriented as RFC 7946 wants (exterior rings
    counter-clockwise: the shapes unioned into EPCI are then those written); a one-part MultiPolygon becomes a
    Polygon."""
    transformer = pyproj.Transformer.from_crs(crs, WGS84, always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack((lon, lat)), DECIMALS)

    projected = shapely.orient_polygons(shapely.transform(np.array(geometries, dtype=object), project), exterior_cw=False)
    return np.array([single_part(g) for g in projected], dtype=object)


def read_outlines(folder: Path) -> tuple[dict[str, shapely.Geometry], dict[str, tuple[str, int]]]:
    """Commune outlines in WGS84 by INSEE code, and per file its projection and number of communes."""
    outlines, files = {}, {}
    for path in verified_files(folder):
        crs, codes, geometries = read_file(path)
        for code, outline in zip(codes, to_wgs84(geometries, crs)):
            if code in outlines:
                sys.exit(f"{shown(path)} : commune {code} déjà lue dans un autre fichier.")
            outlines[code] = outline
        files[path.name] = (crs, len(codes))
    return outlines, files
