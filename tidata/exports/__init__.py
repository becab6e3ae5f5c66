"""Every published file but the pages: downloads (CSV, Parquet, XLSX, GeoJSON, per territory), the API, the DCAT
catalogue and schema.org, the change log and releases. Imports core and model; never the site."""
