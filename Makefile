# The two commands a new user needs: `make demo` and `make test`. Everything else is for developers.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PG_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/test

.PHONY: demo test test-pg lint bench install clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "asylon needs Python 3.11 or newer"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## Start the platform with a demo world on an embedded SQLite database.
demo: $(STAMP)
	$(BIN)/asylon demo

## Run the whole test suite (SQLite; browser tests need Debian's chromium). Each test has its own
## database, so test files run in parallel, one process per core.
test: $(STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile

## The database tests again, on PostgreSQL (one process: they share the database).
test-pg: $(STAMP)
	ASYLON_TEST_DATABASE_URL=$(PG_URL) $(BIN)/python -m pytest -m db

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
