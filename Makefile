# Jewel CRM — the two commands: make run, make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JEWEL_DB ?= jewel
# PostgreSQL used by make test (trust auth, tests create and drop databases)
export JEWEL_TEST_PG ?= postgresql://postgres@127.0.0.1:5432/

.PHONY: run test bench install web browser db serve clean

run: install web db
	@$(PY) -m jewel serve

install: $(STAMP)

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -r requirements.txt -r requirements-test.txt
	@$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

web: install
	@$(PY) -m jewel install-web

db: install
	@$(PY) -m jewel create
	@$(PY) -m jewel demo

serve: install
	@$(PY) -m jewel serve

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium)
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  $(if $(filter 0,$(shell id -u)),,sudo) apt-get update -qq && \
	  $(if $(filter 0,$(shell id -u)),,sudo) env DEBIAN_FRONTEND=noninteractive \
	    apt-get install -y -qq chromium >/dev/null; }

test: install web browser
	@$(PY) tests/run.py

# Benchmarks on PostgreSQL (JEWEL_BENCH_PG), never run by make test or CI.
# make bench BENCH=import (or BENCH=phone) runs one of them.
bench: install web
	@$(PY) bench/run.py $(or $(BENCH),all)

clean:
	rm -rf var test-artifacts
