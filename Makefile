# The two commands a newcomer needs (see README):
#   make run    installs what is missing and launches Casework on its encrypted database
#   make test   installs what is missing and runs every check and test
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)

# The public DfE SSDA903 validator (Data to Insight's csc-validator-be-903) pins pandas 1.5
# and numpy < 1.25, which have wheels for Python 3.11 only: it gets its own environment,
# which the tests use to check the demo's return.
VALIDATOR_PYTHON ?= $(shell command -v python3.11 || echo $(PYTHON))
VALIDATOR_VENV   := .venv-903
VALIDATOR_PINS   := csc-validator-be-903==0.1.17 numpy==1.24.4 pandas==1.5.3
VALIDATOR_STAMP  := $(VALIDATOR_VENV)/.installed-$(shell echo '$(VALIDATOR_PINS)' | cksum | cut -d' ' -f1)

.PHONY: run demo test lint typecheck pytest bench clean validators

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Casework needs Python 3.11 or newer") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	./tools/system-packages.sh window
	$(BIN)/casework $(ARGS)

demo: $(STAMP)
	./tools/system-packages.sh window
	$(BIN)/casework --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

$(VALIDATOR_STAMP):
	$(VALIDATOR_PYTHON) -c 'import sys; sys.exit("the SSDA903 validator needs Python 3.11 (set VALIDATOR_PYTHON)") if sys.version_info[:2] != (3, 11) else None'
	rm -rf $(VALIDATOR_VENV)
	$(VALIDATOR_PYTHON) -m venv $(VALIDATOR_VENV)
	$(VALIDATOR_VENV)/bin/python -m pip install --quiet $(VALIDATOR_PINS)
	touch $(VALIDATOR_STAMP)

validators: $(VALIDATOR_STAMP)

pytest: $(STAMP) $(VALIDATOR_STAMP)
	./tools/system-packages.sh tests
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest -q -p no:cacheprovider

test: lint typecheck pytest

bench: $(STAMP)
	./tools/system-packages.sh
	QT_QPA_PLATFORM=offscreen $(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) $(VALIDATOR_VENV) build dist *.egg-info .pytest_cache .mypy_cache .ruff_cache
