# One entry point for people and CI. Every target creates the virtual environment
# on first use, so a fresh clone needs nothing but Python 3.11+ and make.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ARGS ?=

.DEFAULT_GOAL := help
.PHONY: help install mock test check format conformance clean

help:
	@echo "make mock          start the mock server on http://127.0.0.1:4242 (ARGS='--help')"
	@echo "make test          lint, type-check and run every test"
	@echo "make check         ruff format --check, ruff check and mypy only"
	@echo "make conformance   run the conformance suite (ARGS='--base-url ... --token ...')"
	@echo "make format        rewrite the code with ruff format and ruff check --fix"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else \
		"Python 3.11 or newer is needed; $(PYTHON) is " + sys.version.split()[0] + \
		". Run make with PYTHON=python3.11 (or newer).")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

mock: $(STAMP)
	$(BIN)/unleash-mock $(ARGS)

conformance: $(STAMP)
	$(BIN)/unleash-conformance run $(ARGS)

check: $(STAMP)
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .
	$(BIN)/mypy

test: check
	$(BIN)/pytest $(ARGS)

format: $(STAMP)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis reports
