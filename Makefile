# Two commands for a newcomer: `make run` (the app on SQLite with demo data) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
export FLASK_APP := wsgi.py

.PHONY: run test install install-dev lint bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-dev: $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'

## run: install, migrate, deploy the procedures, seed demo data and serve on http://127.0.0.1:5000
run: install
	GJY_DEMO=1 $(BIN)/flask db upgrade
	GJY_DEMO=1 $(BIN)/flask procedures deploy
	GJY_DEMO=1 $(BIN)/flask demo seed
	@echo "桂建云 Cases: http://$(HOST):$(PORT)/  (API: http://$(HOST):$(PORT)/api/v1/openapi.json)"
	GJY_DEMO=1 GJY_WORKER=embedded $(BIN)/flask run --host $(HOST) --port $(PORT)

## test: install with the dev extra, check the layer contracts, run the whole suite
test: install-dev
	$(BIN)/lint-imports
	$(BIN)/ruff check app handlers tests bench
	$(BIN)/python -m pytest

bench: install-dev
	$(BIN)/python bench/engine.py
