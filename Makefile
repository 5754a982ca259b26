# The two front-door commands of the README: `make run` and `make test`.
# Each bootstraps .venv on first use and again whenever pyproject.toml changes,
# so a fresh clone needs nothing but Python 3.11+ and pip.

PYTHON ?= python3
VENV := .venv
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
ARGS ?=

.PHONY: help run test lint docs conformance bench wrk clean
.DEFAULT_GOAL := help

# pip alone spends ~20 s resolving and unpacking these ~65 packages (most of it one index request
# at a time), which puts the first `make run` near 30 s; uv, installed into the venv through pip,
# does the same install in ~3 s. It reads the machine's certificate store as pip and curl do
# (behind a TLS-inspecting proxy its own bundle fails). If uv cannot be had or fails, pip does the
# install. pip is refreshed in the venv either way, for people who use it.
PIP := $(VENV)/bin/python -m pip --quiet --disable-pip-version-check
UV := $(VENV)/bin/uv pip install --quiet --system-certs --python $(VENV)/bin/python

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	( $(PIP) install 'uv>=0.13' && $(UV) --upgrade-package pip pip -e '.[test]' ) \
	|| ( echo "make: uv could not install the project; installing it with pip instead" >&2 \
	     && $(PIP) install --upgrade pip && $(PIP) install -e '.[test]' )
	touch $(STAMP)

help:  ## This list. PORT, HOST: where `make run` listens; ARGS: passed on by run, test, conformance, bench.
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z]+):.*## /  make \1\t/' | expand -t 20

run: $(STAMP)  ## Serve the mock on the bundled fixtures.
	$(VENV)/bin/python -m mockserver --host $(HOST) --port $(PORT) $(ARGS)

test: $(STAMP)  ## Run every test, including the ones that start servers.
	$(VENV)/bin/python -m pytest $(ARGS)

# The contract's linters come from npm, installed on first use into benchmarks/.cache/ by the
# installer Prism uses (benchmarks/artifacts.py); NPM_TOOL prints a tool's executable.
NPM_TOOL = $(VENV)/bin/python -c 'import sys; from pathlib import Path; \
	from benchmarks.artifacts import Artifacts; \
	print(Artifacts(Path.cwd(), Path("benchmarks/.cache")).npm_tool(sys.argv[1])[0])'
# Where both linters' configs (.spectral.yaml, redocly.yaml) expect the bundle.
LINT_BUNDLE := build/lint/course_users.bundle.json

lint: $(STAMP)  ## ruff (rules in pyproject.toml), then Spectral and Redocly CLI on the spec and its bundle.
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	mkdir -p $(dir $(LINT_BUNDLE))
	$(VENV)/bin/python -m openapi bundle --out $(LINT_BUNDLE)
	spectral="$$($(NPM_TOOL) spectral)" && \
	  "$$spectral" lint --fail-severity=warn openapi/course_users.yaml $(LINT_BUNDLE)
	@# Redocly exits 1 on errors only: recommended-strict is recommended with warnings as errors.
	redocly="$$($(NPM_TOOL) redocly)" && REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true \
	  "$$redocly" lint --extends=recommended-strict openapi/course_users.yaml $(LINT_BUNDLE)

DOCS_OUT ?= build/course_users.html

docs: $(STAMP)  ## Write the contract's reference page to DOCS_OUT (one HTML file, renders offline).
	mkdir -p $(dir $(DOCS_OUT))
	$(VENV)/bin/python -m openapi docs $(DOCS_OUT)

conformance: $(STAMP)  ## Run the conformance suite against a freshly started mock.
	$(VENV)/bin/python -m conformance.selfcheck $(ARGS)

# wrk, the benchmarks' one load generator (the Debian package), installed when missing; the
# benchmarks only check for it. The lock timeout waits out another apt-get on a shared machine.
WRK_INSTALL := apt-get install -y -o DPkg::Lock::Timeout=300 wrk

wrk:
	@command -v wrk >/dev/null || $(WRK_INSTALL) || (apt-get update && $(WRK_INSTALL))

bench: $(STAMP) wrk  ## The side-by-side benchmarks (long; not part of `make test`).
	$(VENV)/bin/python -m benchmarks $(ARGS)

clean:  ## Remove .venv and the tool caches.
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
