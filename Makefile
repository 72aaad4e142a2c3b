# The course in two commands: `make lab` opens it, `make test` checks it.
# Both create (or reuse) .venv in this folder and install what they need.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8866
STYLE ?= default
# JupyterLab refuses to run as root unless told it may (CI and containers).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)

.PHONY: lab test notebooks present bench venv clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# One stamp per extra: re-install only when pyproject.toml changes.
$(VENV)/.installed-%: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[$*]"
	touch $@

venv: $(VENV)/.installed-test

lab: $(VENV)/.installed-course
	@echo "Starting JupyterLab on 127.0.0.1; open the URL it prints below."
	$(BIN)/jupyter lab --ip=127.0.0.1 --no-browser $(ALLOW_ROOT) --ServerApp.root_dir=notebooks

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

# Re-execute every notebook from a fresh kernel and store its outputs.
notebooks: $(VENV)/.installed-course
	$(BIN)/jupyter nbconvert --to notebook --execute --inplace \
		--ExecutePreprocessor.store_widget_state=False notebooks/0*.ipynb

present: $(VENV)/.installed-course
	$(BIN)/python scripts/present.py --port $(PORT) --style $(STYLE)

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/bench_pooling.py
	$(BIN)/python benchmarks/bench_widgets.py

clean:
	rm -rf $(VENV) test-artifacts .pytest_cache .hypothesis
