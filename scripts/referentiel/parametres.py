"""Paths and constants of the referential refresh, shared by its stages."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent  # scripts/referentiel/ → the repository
OUT = ROOT / "datasets" / "referentiel"
CACHE = ROOT / ".cache" / "referentiel"
COGITER = ROOT / "datasets" / "sources" / "cogiter"  # the vendored COGiter files, see its PROVENANCE.md
WGS84 = "EPSG:4326"
DECIMALS = 5  # ≈ 1 m, the precision of the GeoJSON downloads; the coverage stays valid (4 decimals breaks it)
GRID = 10.0**-DECIMALS
POINT_TOLERANCE = GRID  # ° : precision of the centre of each commune's largest inscribed circle
KM_PER_DEGREE = 111.32
# Holes of the French mosaic that are real: foreign enclaves, never to be filled.
FOREIGN_ENCLAVES = {"Llívia (Espagne)": (1.9800, 42.4640)}
CREDIT = "IGN – ADMIN EXPRESS COG CARTO 2025, Licence Ouverte 2.0 ; traitement COGiter (MTES, licence MIT)"
LAYERS = {  # GeoJSON file → (key property, label property)
    "communes.geojson": ("insee_com", "lib_com"),
    "epci.geojson": ("siren_epci", "lib_epci"),
    "departements.geojson": ("code_dep", "lib_dep"),
    "regions.geojson": ("code_reg", "lib_reg"),
}
OUTPUTS = ("regions.csv", "departements.csv", "epci.csv", "communes.csv", *LAYERS)
