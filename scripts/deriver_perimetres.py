#!/usr/bin/env python3
"""Dérive les périmètres réels des Territoires d'industrie des fichiers de l'ANCT copiés dans datasets/sources/.

    python scripts/deriver_perimetres.py                 # écrit les quatre ressources et le rapport dans datasets/
    python scripts/deriver_perimetres.py --sortie DOSSIER  # les écrit sous DOSSIER (DOSSIER/datasets/…) : à comparer
    python scripts/deriver_perimetres.py --extraire-cog  # refait d'abord les extraits du COG (npm)

Writes datasets/territoires.csv, territoires_groupements.csv, territoires_communes.csv,
territoires_filiations.csv and communes_evolution.csv (both phases, COG 2026 codes), then
datasets/RAPPORT_PERIMETRES.md. Run scripts/deriver_fonds_vert.py afterwards: it places grants in the perimeters. Checks itself
against ANCT's outlines (a territory below 98 % either way without an explanation in
scripts/perimetres/parametres.py fails the script) and against the 2020 list. Deterministic: the same sources give
byte-identical files. The stages live in scripts/perimetres/, one module each.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from perimetres.execution import derive_all  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sortie", type=Path, default=None, help="racine où écrire datasets/… (le dépôt par défaut)")
    parser.add_argument("--extraire-cog", action="store_true", help="refait datasets/sources/cog/ depuis npm")
    args = parser.parse_args()
    return derive_all(args.sortie, extract=args.extraire_cog)


if __name__ == "__main__":
    sys.exit(main())
