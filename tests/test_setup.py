"""Promises of the repository itself: light import, agreeing pins, doctests."""

import doctest
import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)$")


def test_import_poolviz_stays_light():
    code = ("import sys, poolviz; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets', 'matplotlib.pyplot') "
            "if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True).stdout.strip()
    assert loaded == "[]"


def _pyproject_pins():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        requirements += [r for r in extra if not r.startswith("poolviz")]
    pins = {}
    for requirement in requirements:
        match = PIN.match(requirement)
        assert match, f"{requirement!r} in pyproject.toml is not pinned with =="
        pins[match[1].lower()] = match[2]
    return pins


def _environment_pins():
    pins = {}
    in_pip = False
    for line in (ROOT / "environment.yml").read_text().splitlines():
        item = line.split("#")[0].strip()
        if item == "- pip:":
            in_pip = True
        elif in_pip and item.startswith("- ") and "==" in item:
            name, version = item[2:].split("==")
            pins[name.strip().lower()] = version.strip()
    return pins


def test_environment_yml_and_pyproject_pin_the_same_packages():
    assert _environment_pins() == _pyproject_pins()
    assert "- -e ." in (ROOT / "environment.yml").read_text()


def test_installed_versions_are_the_pinned_ones():
    from importlib.metadata import version

    for name, pinned in _pyproject_pins().items():
        assert version(name) == pinned, name


@pytest.mark.parametrize("module", ["poolviz.ops", "poolviz.walkthrough", "poolviz.data"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0


def test_ci_runs_the_readme_test_command():
    assert "make test" in (ROOT / ".ci" / "run").read_text()
    assert "make test" in (ROOT / "README.md").read_text()
    assert "make lab" in (ROOT / "README.md").read_text()
