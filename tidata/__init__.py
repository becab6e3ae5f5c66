"""Publication des données ouvertes des Territoires d'industrie.

The pipeline runs in stages, one module each:
load (project, load) → check (preflight, validation, rules) → pages → exports → maps → metadata.
`build.py` at the project root is the command-line adapter over these modules.
"""
