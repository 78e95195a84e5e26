# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FRONTEND_DEPS := frontend/node_modules/.installed
UI := frontend/dist/index.html
UI_SOURCES := $(shell find frontend/src -type f -not -path 'frontend/src/gql/*' 2>/dev/null) \
	frontend/index.html frontend/vite.config.ts frontend/codegen.ts frontend/package-lock.json \
	$(wildcard frontend/public/*) schema.graphql
CHROMIUM ?= /usr/bin/chromium
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD := 1

.PHONY: run test lint typecheck pytest frontend-check frontend-unit e2e ui schema bench clean \
	mlflow-server-env

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## A real MLflow server for the import-mlflow tests (pinned in tests/mlflow-server-requirements.txt),
## in a venv of its own: the main one has only the MLflow client. About 1.5 min the first time.
MLFLOW_SERVER_ENV := .venv-mlflow-server/.installed
$(MLFLOW_SERVER_ENV): tests/mlflow-server-requirements.txt
	$(PYTHON) -m venv .venv-mlflow-server
	.venv-mlflow-server/bin/pip install --quiet -r tests/mlflow-server-requirements.txt
	touch $(MLFLOW_SERVER_ENV)

mlflow-server-env: $(MLFLOW_SERVER_ENV)

$(FRONTEND_DEPS): frontend/package-lock.json
	cd frontend && npm ci --no-audit --no-fund
	touch $(FRONTEND_DEPS)

frontend/src/gql/index.ts: $(FRONTEND_DEPS) schema.graphql $(UI_SOURCES)
	cd frontend && npm run --silent codegen
	touch $@

## The web app bundle, rebuilt when its sources change.
$(UI): frontend/src/gql/index.ts
	cd frontend && npm run --silent build
	touch $(UI)

ui: $(UI)

## Serve the registry on http://127.0.0.1:8000 (SQLite + local files in ./.modelreg).
## `make run ARGS=--demo` also creates a demo project.
run: $(STAMP) $(UI)
	$(BIN)/modelreg db upgrade
	$(BIN)/modelreg serve --no-migrate $(ARGS)

## Lint, type-check and run every test: Python (SQLite and a PostgreSQL the tests start),
## frontend unit tests, and end-to-end tests in Chromium against the real server.
test: lint typecheck pytest frontend-check frontend-unit e2e

lint: $(STAMP)
	$(BIN)/ruff check backend tests bench
	$(BIN)/ruff format --check backend tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP) $(MLFLOW_SERVER_ENV)
	$(BIN)/pytest $(PYTEST_ARGS)

frontend-check: frontend/src/gql/index.ts
	cd frontend && npx tsc -b && npx eslint .

frontend-unit: frontend/src/gql/index.ts
	cd frontend && npx vitest run

$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then \
		apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium; \
	else \
		echo "Chromium is missing: install Debian's chromium package (sudo apt-get install chromium)"; \
		exit 1; \
	fi

## Screenshots of every page land in frontend/test-results/.
e2e: $(STAMP) $(UI) $(CHROMIUM)
	cd frontend && CHROMIUM_PATH=$(CHROMIUM) npx playwright test

## Regenerate schema.graphql from the code.
schema: $(STAMP)
	$(BIN)/modelreg export-schema --output schema.graphql

## Benchmarks (not part of `make test`): prints figures and ratios.
bench: $(STAMP)
	$(BIN)/python bench/bench_core.py $(ARGS)

clean:
	rm -rf $(VENV) .venv-mlflow-server .pytest_cache .mypy_cache .ruff_cache frontend/node_modules frontend/dist \
		frontend/src/gql frontend/test-results
