# Jewel CRM — the two commands: make run, make test
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
export JEWEL_DB ?= jewel
# PostgreSQL used by make test (trust auth, tests create and drop databases)
export JEWEL_TEST_PG ?= postgresql://postgres@127.0.0.1:5432/

.PHONY: run test test-tryton bench install web browser db serve clean

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

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium),
# pango and a font for WeasyPrint's PDF reports
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)
browser:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	ldconfig -p | grep -q libpangoft2-1.0.so.0 || missing="$$missing libpango-1.0-0 libpangoft2-1.0-0"; \
	fc-list 2>/dev/null | grep -q . || missing="$$missing fontconfig fonts-dejavu-core"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian's$$missing..."; \
	  $(SUDO) apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi

test: install web browser
	@$(PY) tests/run.py

# Tryton's own suites of the standard modules we build on, with ours
# activated (SQLite); not yet in CI (see docs/tryton-suites.md)
test-tryton: install
	@$(PY) tests/tryton_suites.py

# Benchmarks on PostgreSQL (JEWEL_BENCH_PG), never run by make test or CI.
# make bench BENCH=import (or BENCH=phone) runs one of them.
bench: install web
	@$(PY) bench/run.py $(or $(BENCH),all)

clean:
	rm -rf var test-artifacts
