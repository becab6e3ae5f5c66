# Territoires d'industrie — données ouvertes.
#   make site   crée .venv/ si besoin, installe les dépendances et construit le site dans site/
#   make test   crée .venv/ si besoin et lance les tests
#   make referentiel   actualise datasets/referentiel/ (dépendances du script en plus : scripts/requirements-referentiel.txt)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installe
STAMP_REFERENTIEL := $(VENV)/.installe-referentiel

.PHONY: site test check bench lock clean referentiel

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

# The referential script's own dependencies (rdata, pyproj), constrained by requirements.txt; the tests re-run
# parts of the script, so make test installs them too.
$(STAMP_REFERENTIEL): $(STAMP) scripts/requirements-referentiel.txt
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r scripts/requirements-referentiel.txt -c requirements.txt
	touch $(STAMP_REFERENTIEL)

site: $(STAMP)
	$(BIN)/python build.py

check: $(STAMP)
	$(BIN)/python build.py check

test: $(STAMP) $(STAMP_REFERENTIEL) outils-e2e
	$(BIN)/python -m pytest -q

# axe-core and the Nu Html Checker (vnu-jar) for tests/e2e, from package-lock.json into node_modules/. Install
# scripts stay off: vnu-jar's would download a Java runtime (Java comes from the system). Without npm, the tests
# that need these tools are skipped with a message (.ci/run installs npm and makes them mandatory).
.PHONY: outils-e2e
outils-e2e:
	@if [ -f node_modules/.package-lock.json ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then :; \
	elif command -v npm >/dev/null 2>&1; then echo "npm ci (axe-core, vnu-jar)"; npm ci --ignore-scripts --no-audit --no-fund; \
	else echo "npm absent : axe-core et vnu-jar non installés, les tests d'accessibilité et de validité HTML seront ignorés."; fi

referentiel: $(STAMP_REFERENTIEL)
	$(BIN)/python scripts/actualiser_referentiel.py

# Every bench runs; each exits 1 when a target it prints is missed (bench/cibles.py), and so does make bench.
bench: $(STAMP)
	@failed=""; for bench in bench/bench_*.py; do echo "== $$bench"; $(BIN)/python $$bench || failed="$$failed $$bench"; done; \
	if [ -n "$$failed" ]; then echo "Bancs en échec (cible manquée ou commande en erreur) :$$failed"; exit 1; fi

# requirements.txt pins the site build's tree only: the referential script's packages stay in their own file.
LOCK_EXCLUDES = $(shell sed -n 's/^\([A-Za-z0-9_.-]*\)==.*/--exclude \1/p' scripts/requirements-referentiel.txt)
lock: $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements.in
	$(BIN)/python -m pip freeze --exclude-editable $(LOCK_EXCLUDES) > requirements.txt

clean:
	rm -rf site docs/_generated .pytest_cache
