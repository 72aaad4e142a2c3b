# The course in two commands: `make lab` opens it, `make test` checks it
# (ruff, then pytest).
# Each runs scripts/dev.py (which Windows users run directly, without make):
# it creates .venv in this folder with $(PYTHON), rebuilds it if the folder was
# moved or another Python version is asked for, and installs poolviz with the
# extra the command needs at the versions in requirements/lock.txt.

PYTHON ?= python3
PORT ?= 8866
STYLE ?= default
DEV := $(PYTHON) scripts/dev.py

.PHONY: lab test notebooks present dashboard handout bench venv clean class grading grading-test

lab:
	$(DEV) lab

test:
	$(DEV) test

# Re-execute every notebook from a fresh kernel and store its outputs.
notebooks:
	$(DEV) notebooks

# The lecture deck (reveal.js slides with live explorers); `make dashboard` serves
# the two explorers alone (STYLE=lecture for large print); `make handout` writes
# the deck as one static HTML file (build/pooling-lecture-handout.html).
present:
	$(DEV) present --port $(PORT)

dashboard:
	$(DEV) present --dashboard --port $(PORT) --style $(STYLE)

handout:
	$(DEV) handout

bench:
	$(DEV) bench

venv:
	$(DEV) venv

# The course on a local JupyterHub (Linux, node and npm): three students follow the
# README's nbgitpuller link, run notebook 01, and pull a fix (tests/class_hub).
class:
	$(DEV) class

# The graded exercises (class/grading/exercises.toml) for otter-grader, with the
# Gradescope zip, and for nbgrader: build/grading/otter/<notebook>/ and
# build/grading/nbgrader/, built in .venv-grading (requirements/grading-lock.txt).
# `make grading-test` runs CI's grading job (tests/class_grading/grading_job.py).
grading:
	$(DEV) grading

grading-test:
	$(DEV) grading-test

clean:
	$(DEV) clean
