# Set-up and everyday commands. Each target creates .venv in the repository root when
# it is missing and installs the project into it, so a fresh checkout needs nothing else.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo test bench lint clean

demo: $(VENV)/.installed
	$(PY) -m resolver shell --home demo/home.yaml

test: $(VENV)/.installed-dev
	$(PY) -m pytest -q

bench: $(VENV)/.installed-dev
	$(PY) bench/ha_tests.py
	$(PY) bench/latency.py

lint: $(VENV)/.installed-dev
	$(PY) -m ruff check resolver bench tests

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build *.egg-info
