"""Writing the CSV and GeoJSON files into datasets/referentiel/, and the checks around it: the tables before
anything is written, the written layers re-read afterwards."""

from __future__ import annotations

import csv
import json
import sys

import shapely

from .geometrie import area_km2, is_enclave
from .parametres import DECIMALS, OUT


def write_csv(name: str, rows: list[dict]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"  {name} : {len(rows)} lignes")


def write_geojson(name: str, shapes: dict, properties: dict[str, dict]) -> None:
    """Compact FeatureCollection sorted by key, coordinates printed with at most DECIMALS decimals."""
    features = [
        {"type": "Feature", "properties": properties[key], "geometry": rounded(json.loads(shapely.to_geojson(shapes[key])))}
        for key in sorted(shapes)
    ]
    text = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))
    (OUT / name).write_text(text, encoding="utf-8")
    print(f"  {name} : {len(features)} contours, {(OUT / name).stat().st_size / 1e6:.2f} Mo")


def rounded(geometry: dict) -> dict:
    """Round the grid coordinates so that 2.3456000000000001 prints as 2.3456."""
    def walk(value):
        return round(value, DECIMALS) if isinstance(value, (int, float)) else [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


# --- Checks --------------------------------------------------------------------------------------------------


def check_layer(name: str) -> dict:
    """Re-read a written GeoJSON and measure it: invalid or empty shapes, overlaps, gaps (holes of the union)."""
    features = json.loads((OUT / name).read_text(encoding="utf-8"))["features"]
    shapes = [shapely.from_geojson(json.dumps(f["geometry"])) for f in features]
    left, right = shapely.STRtree(shapes).query(shapes, predicate="intersects")
    overlap = sum(area_km2(shapely.intersection(shapes[i], shapes[j])) for i, j in zip(left, right) if i < j)
    union = shapely.union_all(shapes)
    gaps = [shapely.Polygon(ring) for polygon in shapely.get_parts(union) for ring in polygon.interiors]
    gaps = [g for g in gaps if not is_enclave(g)]
    return {
        "features": len(shapes),
        "invalid": sum(1 for s in shapes if not s.is_valid),
        "empty": sum(1 for s in shapes if s.is_empty),
        "overlap_km2": overlap,
        "sum_minus_union_km2": sum(area_km2(s) for s in shapes) - area_km2(union),
        "gaps": len(gaps),
        "gap_km2": sum(area_km2(g) for g in gaps),
    }


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
