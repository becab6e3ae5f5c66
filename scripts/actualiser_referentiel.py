#!/usr/bin/env python3
"""Actualise le référentiel géographique réel (datasets/referentiel/) à partir de données publiques.

    make referentiel    # installe scripts/requirements-referentiel.txt, puis lance ce script
    python scripts/actualiser_referentiel.py [--version-decoupage 6.0.0]

Sources:
- npm @etalab/decoupage-administratif (data under Licence Ouverte, code MIT), fetched once into .cache/referentiel/
  (git-ignored): régions, départements, communes (INSEE code officiel géographique), EPCI à fiscalité propre with
  their member lists (DGCL), postcodes (La Poste). Version 6.0.0 = COG 2026.
- the commune outlines of IGN ADMIN EXPRESS COG CARTO 2025 (Licence Ouverte 2.0) as generalised by the R package
  COGiter (MTES, MIT licence): its .rda files are vendored in datasets/sources/cogiter/ with their provenance and
  SHA-256 sums (PROVENANCE.md, SHA256SUMS), read with rdata and reprojected with pyproj. They hold exactly the COG
  2026 communes and tile France without gap or overlap (Llívia, a Spanish enclave, is the one hole).

Populations: the `population` field of the COG package's communes, i.e. the INSEE « population municipale » of
the populations légales 2023, in force on 1 January 2026 (Mayotte: 2017 census, as the package's README says).
An EPCI's population is the sum over its member communes. The package's EPCI records also carry
`populationMunicipale` / `populationTotale` (from the DGCL file, an older year): NOT used, so that communes and
EPCI add up.

Geometry route:
1. each COGiter file's vertices reprojected to WGS84 and rounded to 5 decimals (≈ 1 m): shared vertices stay
   shared, so the communes still form a valid coverage (checked; 4 decimals would break it);
2. one outline per COG commune (the script stops if a commune has none or an outline no commune) and a
   reference point per commune: the centre of the largest circle inscribed in its outline;
3. EPCI, département and région outlines: coverage_union_all of their communes' outlines, with no further
   simplification, so that every layer is exactly a union of communes.geojson features;
4. the written files are re-read and checked: valid shapes, valid coverage, no overlap, no hole but the foreign
   enclaves, every reference point inside its commune; RAPPORT.md gives the figures.

Every output is deterministic: the same sources give byte-identical files (no date anywhere).

The stages live in scripts/referentiel/, one module each (sources, cogiter, tables, mosaique, couches, sortie,
rapport; actualisation runs them in order); this file only reads the command line.
"""

from __future__ import annotations

import argparse

from referentiel.actualisation import refresh


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--version-decoupage", default="6.0.0", help="version du paquet npm @etalab/decoupage-administratif")
    args = parser.parse_args()
    refresh(args.version_decoupage)


if __name__ == "__main__":
    main()
