# Two commands do all the set-up on a fresh machine:
#   make run    - check the shipped pathways and guide a call in the terminal
#   make test   - get the machine ready (tools/test-machine: PostgreSQL, Chromium), then
#                 lint, type-check and run every test (writes reports/cucumber.json)
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin

.PHONY: setup run serve call machine test lint bench clean

setup: $(VENV)/.installed node_modules/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

# GOV.UK Frontend (CSS, JS, fonts for the handler's screen) and axe-core (browser tests).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

run: setup
	$(BIN)/triage validate
	$(BIN)/triage call front-door --handler "$${TRIAGE_HANDLER:-Sam}"

# TRIAGE_DEMO=1: demo users (the password is printed) and the demo client index.
serve: setup
	TRIAGE_DEMO=$${TRIAGE_DEMO:-1} $(BIN)/python -m api

lint: setup
	$(BIN)/ruff check .
	$(BIN)/mypy

# Starts the local PostgreSQL cluster and installs Chromium when they are missing (or says
# exactly how, without root); first, so a missing piece is found before a long set-up.
machine:
	tools/test-machine

test: machine lint
	mkdir -p reports
	$(BIN)/pytest --cucumberjson=reports/cucumber.json

bench: setup
	$(BIN)/python benchmarks/engine_bench.py

clean:
	rm -rf $(VENV) reports .pytest_cache .mypy_cache .ruff_cache
