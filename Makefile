# The two front-door commands of the README: `make run` and `make test`.
# Each bootstraps .venv on first use and again whenever pyproject.toml changes,
# so a fresh clone needs nothing but Python 3.11+ and pip.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
ARGS ?=

.PHONY: run test lint conformance bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/python -m pip install --quiet --upgrade pip
	$(VENV)/bin/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)  ## Serve the mock on the bundled fixtures.
	$(VENV)/bin/python -m mockserver --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP)  ## Run every test, including the ones that start servers.
	$(VENV)/bin/python -m pytest $(ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

conformance: $(STAMP)  ## Run the conformance suite against a freshly started mock.
	$(VENV)/bin/python -m conformance.selfcheck $(ARGS)

bench: $(STAMP)  ## The side-by-side benchmarks (long; not part of `make test`).
	$(VENV)/bin/python -m benchmarks $(ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
