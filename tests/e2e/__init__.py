"""End-to-end tests in a real browser (a package, so that its conftest never shadows tests/conftest.py)."""
