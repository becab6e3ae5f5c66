"""Publication des données ouvertes des Territoires d'industrie.

The pipeline, one sub-package per stage, each importing only from the stages before it:

    core → model → check → site | exports → build, serve
                     ↘ maintenance (import)

- core: the project and its data package (project), errors, the output cache, progress, escaping, formats, URLs;
- model: the one reader of the package's files (load) and the model every later stage reads (views), with the
  COG and the perimeters' derivations;
- check: is the package publishable? (preflight, validation against the schemas, rules across tables);
- site: the pages and what they show (figures, maps, charts, the commune finder);
- exports: the downloads (CSV, Parquet, XLSX, GeoJSON), the API, the DCAT catalogue, the change log, releases;
- maintenance: importing a contributor's file into the package;
- build (the one gather, then mkdocs) and serve (the preview) are the two commands that produce the site.

`build.py` at the project root is the command-line adapter over these modules.
"""
