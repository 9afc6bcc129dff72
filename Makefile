# swarmtui — `make run` opens the console, `make test` runs every test.
VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python

.PHONY: run test deps venv lint unit lab-up lab-down clean bench

run: deps venv
	@VENV=$(VENV) scripts/run-console.sh

test: deps venv
	$(PY) -m pytest

unit: venv
	$(PY) -m pytest tests/unit

lint: venv
	$(VENV)/bin/ruff check swarmtui tests

deps:
	@scripts/setup-debian.sh

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q --upgrade pip
	$(VENV)/bin/pip install -q -e '.[test]'
	@touch $@

lab-up: deps venv
	$(VENV)/bin/swarmtui lab up --stack demo

lab-down: venv
	$(VENV)/bin/swarmtui lab down

clean:
	rm -rf $(VENV) .pytest_cache build dist *.egg-info

bench: deps venv
	$(PY) bench/run.py
