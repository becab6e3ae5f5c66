"""Writing the CSV and GeoJSON files into datasets/referentiel/, and the checks around it: the tables before
anything is written, the written files re-read and measured afterwards."""

from __future__ import annotations

import csv
import gzip
import json
import sys

import numpy as np
import shapely

from .geometrie import area_km2, is_enclave
from .parametres import DECIMALS, FOREIGN_ENCLAVES, OUT


def write_csv(name: str, rows: list[dict]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"  {name} : {len(rows)} lignes")


def write_geojson(name: str, shapes: dict, properties: dict[str, dict]) -> None:
    (OUT / name).write_text(geojson_text(shapes, properties), encoding="utf-8")
    print(f"  {name} : {len(shapes)} contours, {(OUT / name).stat().st_size / 1e6:.2f} Mo")


def geojson_text(shapes: dict, properties: dict[str, dict]) -> str:
    """A FeatureCollection sorted by key, one feature per line, coordinates with at most DECIMALS decimals.

    RFC 7946: exterior rings counter-clockwise, holes clockwise.
    """
    keys = sorted(shapes)
    oriented = shapely.orient_polygons(np.array([shapes[k] for k in keys], dtype=object), exterior_cw=False)
    lines = [
        json.dumps({"type": "Feature", "properties": properties[key], "geometry": rounded(json.loads(shapely.to_geojson(shape)))},
                   ensure_ascii=False, separators=(",", ":"))
        for key, shape in zip(keys, oriented)
    ]
    return '{"type":"FeatureCollection","features":[\n' + ",\n".join(lines) + "\n]}\n"


def rounded(geometry: dict) -> dict:
    """Round the grid coordinates so that 2.3456000000000001 prints as 2.3456."""
    def walk(value):
        return round(value, DECIMALS) if isinstance(value, (int, float)) else [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


# --- Checks --------------------------------------------------------------------------------------------------


def read_layer(name: str, key: str) -> dict[str, shapely.Geometry]:
    features = json.loads((OUT / name).read_text(encoding="utf-8"))["features"]
    collection = json.dumps({"type": "GeometryCollection", "geometries": [f["geometry"] for f in features]})
    return dict(zip((f["properties"][key] for f in features), shapely.from_geojson(collection).geoms))


def check_layer(name: str, key: str) -> dict:
    """Re-read a written GeoJSON and measure it: invalid or empty shapes, coverage validity, overlaps between
    neighbours, holes of the union (the foreign enclaves apart), vertices, size raw and gzipped."""
    shapes = np.array(list(read_layer(name, key).values()), dtype=object)
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    pairs = left < right
    overlaps = shapely.intersection(shapes[left[pairs]], shapes[right[pairs]])
    union = shapely.coverage_union_all(shapes)
    holes = [shapely.Polygon(ring) for polygon in shapely.get_parts(union) for ring in polygon.interiors]
    gaps = [h for h in holes if not is_enclave(h)]
    raw = (OUT / name).read_bytes()
    return {
        "features": len(shapes),
        "invalid": int((~shapely.is_valid(shapes)).sum()),
        "empty": int(shapely.is_empty(shapes).sum()),
        "coverage_valid": bool(shapely.coverage_is_valid(shapes)),
        "overlap_km2": sum(area_km2(g) for g in overlaps if shapely.area(g) > 0),
        "gaps": len(gaps),
        "gap_km2": sum(area_km2(g) for g in gaps),
        "enclaves": sorted(n for n, xy in FOREIGN_ENCLAVES.items() if any(h.contains(shapely.Point(xy)) for h in holes)),
        "vertices": int(shapely.get_num_coordinates(shapes).sum()),
        "bytes": len(raw),
        "gzip_bytes": len(gzip.compress(raw, compresslevel=9, mtime=0)),
    }


def points_outside(name: str, rows: list[dict]) -> list[str]:
    """Communes whose written reference point (communes.csv) is not strictly inside their written outline."""
    shapes = read_layer(name, "insee_com")
    codes = [r["insee_com"] for r in rows]
    points = shapely.points([[float(r["longitude"]), float(r["latitude"])] for r in rows])
    inside = shapely.contains_properly(np.array([shapes[c] for c in codes], dtype=object), points)
    return [code for code, ok in zip(codes, inside) if not ok]


def check_tables(communes: list[dict], epcis: list[dict], epci_shapes: dict) -> None:
    """Stop before writing anything if the tables do not hold together."""
    sirens = {e["siren_epci"] for e in epcis}
    problems = []
    if len(communes) < 34_000 or len(epcis) < 1_200:
        problems.append(f"trop peu de communes ({len(communes)}) ou d'EPCI ({len(epcis)})")
    problems += [f"commune {c['insee_com']} : EPCI {c['siren_epci']} inconnu" for c in communes if c["siren_epci"] and c["siren_epci"] not in sirens]
    if set(epci_shapes) != sirens:
        problems.append(f"EPCI sans contour : {sorted(sirens - set(epci_shapes))} ; contours sans EPCI : {sorted(set(epci_shapes) - sirens)}")
    if problems:
        sys.exit("Référentiel incohérent :\n" + "\n".join(problems))
