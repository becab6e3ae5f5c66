"""Derivation of the programme's real perimeters from ANCT's vendored files (scripts/deriver_perimetres.py).

Stages, one module each: parametres (paths, sources, thresholds), extraits_cog (the vendored COG extracts, made
once from npm), anct (reading ANCT's files), derivation (groupings → communes of their year → COG 2026, the
territory, grouping, perimeter and filiation rows), controle (agreement with ANCT's outlines and with the 2020
list), rapport (the Markdown report); sortie writes the CSV files.
"""
