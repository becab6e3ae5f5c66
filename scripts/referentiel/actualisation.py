"""The whole refresh, stage after stage: read the sources, build the tables and the layers, check, write, report.

Everything is gathered and checked (commune_outlines, check_tables) before the first file is written; the
written files are then re-read and measured, and the report says what was found.
"""

from __future__ import annotations

import sys
import time

from .cogiter import read_outlines
from .couches import dissolved
from .mosaique import commune_outlines, commune_points
from .parametres import COGITER, LAYERS, OUT, ROOT
from .rapport import write_report
from .sortie import check_layer, check_tables, points_outside, write_csv, write_geojson
from .sources import cog_year, fetch, read_cog
from .tables import commune_rows, current_communes, epci_of_communes, epci_rows, region_and_departement_rows


def refresh(version: str) -> None:
    """Rebuild datasets/referentiel/ from @etalab/decoupage-administratif at this version and the COGiter outlines."""
    start = time.monotonic()
    def step(message: str) -> None:
        print(f"{message} [{time.monotonic() - start:.0f} s]")

    tarball = fetch(version)
    step("Lecture du code officiel géographique…")
    cog = read_cog(tarball)
    communes = current_communes(cog)
    region_rows, departement_rows = region_and_departement_rows(cog, communes)
    membership = epci_of_communes(cog["epci"])
    by_code = {c["code"]: c for c in communes}
    epcis = epci_rows(cog["epci"], by_code)
    print(f"  {len(communes)} communes, {len(epcis)} EPCI, {len(departement_rows)} départements, {len(region_rows)} régions")

    step(f"Lecture des contours COGiter ({COGITER.relative_to(ROOT)}), passage en WGS84…")
    outlines, files = read_outlines(COGITER)
    shapes = commune_outlines(communes, outlines)
    step("Points de référence des communes…")
    points = commune_points(shapes)
    step("Contours des EPCI, départements et régions (union des communes)…")
    layers = {
        "communes.geojson": shapes,
        "epci.geojson": dissolved(shapes, membership.get),
        "departements.geojson": dissolved(shapes, lambda code: by_code[code]["departement"]),
        "regions.geojson": dissolved(shapes, lambda code: by_code[code]["region"]),
    }
    rows = commune_rows(communes, membership, points)
    check_tables(rows, epcis, layers["epci.geojson"])

    step(f"Écriture dans {OUT.relative_to(ROOT)}…")
    OUT.mkdir(parents=True, exist_ok=True)
    write_csv("regions.csv", region_rows)
    write_csv("departements.csv", departement_rows)
    write_csv("epci.csv", epcis)
    write_csv("communes.csv", rows)
    labels = {
        "communes.geojson": {r["insee_com"]: r["lib_com"] for r in rows},
        "epci.geojson": {e["siren_epci"]: e["lib_epci"] for e in epcis},
        "departements.geojson": {d["code_dep"]: d["lib_dep"] for d in departement_rows},
        "regions.geojson": {r["code_reg"]: r["lib_reg"] for r in region_rows},
    }
    for name, (key, label) in LAYERS.items():
        write_geojson(name, layers[name], {k: {key: k, label: labels[name][k]} for k in layers[name]})

    step("Contrôle des fichiers écrits…")
    checks = {name: check_layer(name, key) for name, (key, _) in LAYERS.items()}
    for name, check in checks.items():
        print(f"  {name} : invalides {check['invalid']}, mosaïque valide {'oui' if check['coverage_valid'] else 'NON'},"
              f" chevauchements {check['overlap_km2']:.6f} km², trous {check['gaps']} ({check['gap_km2']:.6f} km²),"
              f" enclaves {', '.join(check['enclaves']) or 'aucune'}")
    outside = points_outside("communes.geojson", rows)
    print(f"  points de référence hors de leur commune : {len(outside)}")
    write_report({
        "version": version, "cog_year": cog_year(version), "files": files,
        "region_rows": region_rows, "departement_rows": departement_rows, "epci_rows": epcis, "commune_rows": rows,
        "excluded_com": sum(1 for x in cog["communes"] if x["type"] == "commune-actuelle" and x["zone"] == "com"),
        "island_communes": [r["insee_com"] for r in rows if not r["siren_epci"]],
        "checks": checks, "outside": outside,
    })
    if any(c["invalid"] or c["empty"] or not c["coverage_valid"] or c["gaps"] for c in checks.values()) or outside:
        sys.exit("Des contours publiés sont invalides, vides ou troués, ou des points hors de leur commune : voir RAPPORT.md")
    step(f"Référentiel écrit dans {OUT.relative_to(ROOT)} ; rapport : RAPPORT.md")
