"""Is the package publishable? Files first (preflight), then each table against its schema (validation), then the
rules across tables (rules); problems are reported in French with file, line and column. Imports core and model."""
