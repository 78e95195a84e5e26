# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck pytest schema bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

## Serve the registry on http://127.0.0.1:8000 (SQLite + local files in ./.modelreg).
run: $(STAMP)
	$(BIN)/modelreg db upgrade
	$(BIN)/modelreg serve --no-migrate $(ARGS)

## Lint, type-check and run every test against SQLite and a PostgreSQL the tests start.
test: $(STAMP) lint typecheck pytest

lint: $(STAMP)
	$(BIN)/ruff check backend tests bench
	$(BIN)/ruff format --check backend tests bench

typecheck: $(STAMP)
	$(BIN)/mypy

pytest: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

## Regenerate schema.graphql from the code.
schema: $(STAMP)
	$(BIN)/modelreg export-schema --output schema.graphql

## Benchmarks (not part of `make test`): prints figures and ratios.
bench: $(STAMP)
	$(BIN)/python bench/bench_core.py $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
