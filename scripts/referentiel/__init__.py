"""The stages of scripts/actualiser_referentiel.py (see its docstring for the sources and the geometry route).

One module per stage, in the order the refresh runs them:
- sources: fetch the COG package once (npm pack) and read its data files;
- cogiter: check and read the vendored COGiter outlines (rdata), reproject them to WGS84 (pyproj);
- tables: the rows of regions.csv, departements.csv, epci.csv and communes.csv;
- mosaique: one outline per COG commune, checked as a coverage, and a reference point per commune;
- couches: the EPCI, département and région outlines, unions of their communes';
- sortie: the checks before writing, the CSV and GeoJSON files, the checks of the written files;
- rapport: RAPPORT.md;
- actualisation: the whole refresh, stage after stage;
with parametres (paths and constants) and geometrie (helpers shared by the stages).
"""
