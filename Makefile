# Two commands for a newcomer: `make run` (the app on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
# `make test` runs the suite on this many processes (pytest-xdist; a file's tests stay on one worker, which keeps
# its module fixtures); PYTEST_WORKERS=0 runs it in this process.
PYTEST_WORKERS ?= 2
export FLASK_APP := wsgi.py

.PHONY: run test install install-dev lint bench bench-dashboard bench-http assets translations i18n screenshots

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

## run: install, migrate, deploy the procedures, seed demo data and serve on http://127.0.0.1:5000
run: install assets translations
	GJY_DEMO=1 $(BIN)/flask db upgrade
	GJY_DEMO=1 $(BIN)/flask procedures deploy
	GJY_DEMO=1 $(BIN)/flask demo seed
	@echo "桂建云 Cases: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/openapi.json)"
	GJY_DEMO=1 GJY_WORKER=embedded $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: install with the dev extra, check the layer contracts, types and style, run the whole suite
test: install-dev assets translations
	$(BIN)/lint-imports
	$(BIN)/mypy
	$(BIN)/ruff check app handlers tests bench
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder

bench: install-dev
	$(BIN)/python bench/engine.py

## bench-http: personnel-unlock lifecycles over HTTP (gunicorn, 4 sync workers), baseline 0ffc36d vs the working tree
## and bare SpiffWorkflow, alternating rounds, SQLite and PostgreSQL; BENCH_HTTP_ARGS adds options (see bench/http_load.py)
bench-http: install-dev
	$(BIN)/python bench/http_load.py $(BENCH_HTTP_ARGS)

## bench-dashboard: load 1,000,000 cases into PostgreSQL (database gjy_bench_dashboard, once) and time the dashboard
bench-dashboard: install-dev
	$(BIN)/python bench/dashboard.py

## assets: browser assets from the npm registry (package-lock.json) copied into app/web/static/vendor/
VENDOR := app/web/static/vendor
assets: $(VENDOR)/.stamp

WORKSPACE_SRC := $(wildcard app/web/static/src/workspace/*)
ESBUILD := node_modules/.bin/esbuild --bundle --minify --format=iife --target=es2020 --loader:.json=json \
	--jsx=automatic --jsx-import-source=@bpmn-io/properties-panel/preact --log-level=error

$(VENDOR)/.stamp: package.json package-lock.json $(WORKSPACE_SRC)
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --no-audit --no-fund --loglevel=error && \
	  rm -rf $(VENDOR) && mkdir -p $(VENDOR)/bootstrap $(VENDOR)/bpmn-js $(VENDOR)/axe-core $(VENDOR)/workspace \
	    $(VENDOR)/dmn-js && \
	  cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js \
	     $(VENDOR)/bootstrap/ && \
	  cp node_modules/bpmn-js/dist/bpmn-navigated-viewer.production.min.js \
	     node_modules/bpmn-js/dist/assets/diagram-js.css node_modules/bpmn-js/dist/assets/bpmn-js.css $(VENDOR)/bpmn-js/ && \
	  cp node_modules/axe-core/axe.min.js $(VENDOR)/axe-core/ && \
	  cp node_modules/bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css \
	     node_modules/@bpmn-io/properties-panel/dist/assets/properties-panel.css \
	     node_modules/bpmn-js-bpmnlint/dist/assets/css/bpmn-js-bpmnlint.css $(VENDOR)/workspace/ && \
	  cp node_modules/dmn-js/dist/assets/dmn-js-shared.css node_modules/dmn-js/dist/assets/dmn-js-decision-table.css \
	     node_modules/dmn-js/dist/assets/dmn-js-decision-table-controls.css \
	     node_modules/dmn-js/dist/assets/dmn-font/css/dmn-embedded.css $(VENDOR)/dmn-js/ && \
	  for entry in modeler diff form-editor decision-editor; do \
	    $(ESBUILD) app/web/static/src/workspace/$$entry.js --outfile=$(VENDOR)/workspace/$$entry.js || exit 1; \
	  done && \
	  touch $@; \
	else echo "npm not found: pages run unstyled, without the diagram; browser tests will be skipped"; fi

## translations: compile the page language catalogues (.po -> .mo, which git ignores)
CATALOGUES := app/web/translations
translations: $(CATALOGUES)/en/LC_MESSAGES/messages.mo

$(CATALOGUES)/en/LC_MESSAGES/messages.mo: $(CATALOGUES)/en/LC_MESSAGES/messages.po $(BIN)/python
	$(BIN)/pybabel compile --statistics -d $(CATALOGUES)

## i18n: extract every message id (babel.cfg) and update the catalogues; then write the new English in the .po
i18n: install-dev
	$(BIN)/pybabel extract -F babel.cfg --no-location --sort-output --project gjy-cases -o $(CATALOGUES)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) --no-wrap --no-fuzzy-matching --ignore-obsolete
	rm $(CATALOGUES)/messages.pot

## screenshots: walk the pages in Debian's chromium and save screenshots into screenshots/ (every page, zh and en, 1366 and 390 px)
screenshots: install-dev assets
	GJY_SCREENSHOT_DIR=screenshots $(BIN)/python -m pytest -q -m browser tests/browser -p no:cacheprovider
	$(BIN)/python -m tests.browser.guide_images bpmn/screenshots
	$(BIN)/python -m tests.browser.walkthrough_images docs/walkthroughs/img
