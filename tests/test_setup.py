"""Promises of the repository itself: ranges and lock, set-up, sdist, doctests."""

import doctest
import importlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tomllib
import venv
from importlib.metadata import distributions
from pathlib import Path

import numpy as np
import pytest
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "lock.txt"
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)==([^\s;#]+)$")
SUPPORTED_PYTHONS = ["3.11", "3.12", "3.13"]
TEST_TOOLS = {"pytest", "hypothesis", "nbval", "playwright", "ruff"}
# Installed by pip/venv themselves; the lock leaves them free.
BOOTSTRAP = {"pip", "setuptools", "wheel"}


def load_script(name):
    spec = importlib.util.spec_from_file_location(f"{name}_script", ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


dev = load_script("dev")


# --------------------------------------------------------------------------
# Ranges in pyproject.toml, exact versions in requirements/lock.txt
# --------------------------------------------------------------------------

def _project():
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _pins(path):
    """{canonical name: version} of a file of `name==version` lines (comments allowed)."""
    pins = {}
    for line in path.read_text().splitlines():
        line = line.split("#")[0].strip()
        if not line or line.startswith("-"):
            continue
        match = PIN.match(line)
        assert match, f"{line!r} in {path.name} is not pinned with =="
        name = canonicalize_name(match[1])
        assert name not in pins, f"{name} appears twice in {path.name}"
        pins[name] = match[2]
    return pins


def _requirements():
    """Every requirement of the package and its extras, except poolviz's own extras."""
    project = _project()
    requirements = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [Requirement(r) for r in extra if not r.startswith("poolviz")]
    return requirements


def test_package_metadata_declares_ranges_not_pins():
    for requirement in _requirements():
        operators = {spec.operator for spec in requirement.specifier}
        assert ">=" in operators and "==" not in operators, str(requirement)


def test_lock_satisfies_every_range():
    lock = _pins(LOCK)
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in lock, f"{name} is required by pyproject.toml but not locked"
        assert requirement.specifier.contains(lock[name]), (
            f"the lock's {name}=={lock[name]} is outside pyproject.toml's {requirement}")


def test_lock_pins_both_tensorflow_distributions_at_one_version():
    lock = _pins(LOCK)
    assert lock["tensorflow"] == lock["tensorflow-cpu"] == "2.21.0"


@pytest.mark.parametrize("platform, machine, distribution", [
    ("linux", "x86_64", "tensorflow-cpu"),
    ("win32", "AMD64", "tensorflow-cpu"),
    ("darwin", "arm64", "tensorflow"),
    ("darwin", "x86_64", "tensorflow"),
    ("linux", "aarch64", "tensorflow"),
])
def test_course_extra_asks_for_exactly_one_tensorflow_per_platform(platform, machine, distribution):
    course = [Requirement(r) for r in _project()["optional-dependencies"]["course"]]
    environment = {"sys_platform": platform, "platform_machine": machine, "extra": "course"}
    chosen = [r.name for r in course if r.name.startswith("tensorflow")
              and (r.marker is None or r.marker.evaluate(environment))]
    assert chosen == [distribution]


def test_keras_extra_keeps_the_full_tensorflow_that_colab_already_has():
    keras = [Requirement(r) for r in _project()["optional-dependencies"]["keras"]]
    assert sorted(r.name for r in keras) == ["keras", "tensorflow"]
    assert all(r.marker is None for r in keras)


def test_lower_bounds_are_the_versions_the_lower_bound_job_installs():
    tested = {name: version for name, version in _pins(ROOT / ".ci" / "lower-bounds.txt").items()}
    project = _project()
    runtime = [Requirement(r) for r in project["dependencies"]]
    for extra in ("widgets", "keras"):
        runtime += [Requirement(r) for r in project["optional-dependencies"][extra]]
    for requirement in runtime:
        lower = [spec.version for spec in requirement.specifier if spec.operator == ">="]
        assert lower == [tested[canonicalize_name(requirement.name)]], str(requirement)
    assert set(tested) == {canonicalize_name(r.name) for r in runtime}


def test_installed_versions_are_the_locked_ones():
    """The environment running the suite was installed from the lock (make test, CI)."""
    lock = _pins(LOCK)
    installed = {canonicalize_name(d.metadata["Name"]): d.version for d in distributions()}
    installed.pop("poolviz")
    unlocked = sorted(set(installed) - set(lock) - BOOTSTRAP)
    assert unlocked == [], f"installed but not in requirements/lock.txt: {unlocked}"
    differing = {name: (installed[name], lock[name]) for name in installed
                 if name in lock and installed[name] != lock[name]}
    assert differing == {}, f"installed vs locked: {differing}"


def test_requires_python_is_3_11_to_3_13():
    requires = SpecifierSet(_project()["requires-python"])
    assert [v for v in ["3.10", *SUPPORTED_PYTHONS, "3.14"] if requires.contains(v + ".0")] == SUPPORTED_PYTHONS
    assert ["%d.%d" % v for v in dev.SUPPORTED] == SUPPORTED_PYTHONS


def test_environment_yml_installs_the_course_from_the_lock():
    text = (ROOT / "environment.yml").read_text()
    items = [line.split("#")[0].strip() for line in text.splitlines()]
    items = [item[2:].strip() for item in items if item.startswith("- ")]
    python = [item for item in items if item.startswith("python=")]
    assert python and python[0].removeprefix("python=") in SUPPORTED_PYTHONS
    # The pip section: the lock as constraints and the course extra, nothing pinned twice.
    assert "-c requirements/lock.txt" in items and "-e .[course]" in items
    assert [item for item in items if "==" in item] == []


def test_binder_installs_the_course_without_test_tools_at_locked_versions():
    binder = ROOT / "binder"
    runtime = (binder / "runtime.txt").read_text().strip()
    assert runtime.removeprefix("python-") in SUPPORTED_PYTHONS
    lines = [line.split("#")[0].strip() for line in (binder / "requirements.txt").read_text().splitlines()]
    lines = [line for line in lines if line]
    assert lines[0] == "-c ../requirements/lock.txt"
    assert (binder / lines[0].split()[1]).resolve() == LOCK
    names = {canonicalize_name(Requirement(line.removeprefix("-e ").replace(".[", "poolviz[")).name)
             for line in lines[1:]}
    assert names == {"poolviz", "keras", "tensorflow-cpu", "voila", "anywidget"}
    assert not names & TEST_TOOLS
    assert all("==" not in line for line in lines), "versions come from the lock"


def test_binder_culls_idle_kernels_and_shuts_down_closed_notebooks():
    config = json.loads((ROOT / "binder" / "jupyter_server_config.json").read_text())
    assert config["MappingKernelManager"]["cull_idle_timeout"] == 1200
    assert config["MappingKernelManager"]["cull_connected"] is True
    overrides = json.loads((ROOT / "binder" / "overrides.json").read_text())
    assert overrides["@jupyterlab/notebook-extension:tracker"]["kernelShutdown"] is True
    post_build = (ROOT / "binder" / "postBuild").read_text()
    assert "binder/jupyter_server_config.json" in post_build and "binder/overrides.json" in post_build
    assert os.access(ROOT / "binder" / "postBuild", os.X_OK)


# --------------------------------------------------------------------------
# scripts/dev.py: the bootstrap behind make, usable on Windows
# --------------------------------------------------------------------------

def test_make_targets_run_the_bootstrap():
    makefile = (ROOT / "Makefile").read_text()
    for target in ("lab", "test", "notebooks", "bench", "venv", "clean"):
        assert re.search(rf"^{target}:\n\t\$\(DEV\) {target}$", makefile, re.M), target
    assert "DEV := $(PYTHON) scripts/dev.py" in makefile


@pytest.mark.parametrize("version", [(3, 10, 13), (3, 14, 0), (3, 9, 18)])
def test_unsupported_python_is_refused_naming_the_version(version):
    message = dev.check_python(version, "/usr/bin/python3")
    # It names the version refused, the interpreter and the versions supported.
    assert ".".join(map(str, version)) in message and "/usr/bin/python3" in message
    assert "3.11, 3.12, 3.13" in message


@pytest.mark.parametrize("version", [(3, 11, 7), (3, 12, 1), (3, 13, 0)])
def test_supported_python_is_accepted(version):
    assert dev.check_python(version) is None


def test_dev_script_refuses_an_unsupported_python_before_touching_the_venv(tmp_path):
    code = ("import runpy, sys; sys.version_info = (3, 10, 13, 'final', 0); "
            f"sys.argv = ['dev.py', 'test']; runpy.run_path({str(ROOT / 'scripts' / 'dev.py')!r}, run_name='__main__')")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={**os.environ, "POOLVIZ_VENV": str(tmp_path / "venv")})
    assert result.returncode == 2
    assert "3.10.13" in result.stderr
    assert not (tmp_path / "venv").exists()


def test_unknown_command_prints_usage():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "dev.py"), "serve"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert all(command in result.stderr for command in ("bench", "lab", "notebooks", "present", "test", "clean"))


def _stamped_venv(path, made_at=None, python=None):
    """A real (pip-less) venv at ``path`` with the stamp dev.py writes."""
    venv.create(path, with_pip=False, symlinks=os.name != "nt")
    stamp = {"venv": str(made_at or path), "python": python or "%d.%d" % sys.version_info[:2],
             "key": dev.install_key(), "extras": ["course", "test"]}
    (path / dev.STAMP_NAME).write_text(json.dumps(stamp))
    return path


def test_a_healthy_venv_is_reused(tmp_path):
    assert dev.venv_problem(str(_stamped_venv(tmp_path / "venv"))) is None


def test_a_moved_venv_is_detected(tmp_path):
    moved = _stamped_venv(tmp_path / "venv", made_at=tmp_path / "old-place" / ".venv")
    problem = dev.venv_problem(str(moved))
    assert problem == "it was made at %s; the folder has moved since" % (tmp_path / "old-place" / ".venv")


def test_a_venv_of_another_python_version_is_detected(tmp_path):
    other = _stamped_venv(tmp_path / "venv")
    problem = dev.venv_problem(str(other), version=(3, 99))
    assert problem == "it runs Python %d.%d, and this is Python 3.99" % sys.version_info[:2]


def test_a_venv_whose_python_is_gone_or_broken_is_detected(tmp_path):
    broken = _stamped_venv(tmp_path / "venv")
    python = Path(dev.venv_python(str(broken)))
    python.unlink()
    assert dev.venv_problem(str(broken)) == "it has no Python at %s" % python
    python.symlink_to(tmp_path / "uninstalled-python3.11")  # the base Python was removed
    assert dev.venv_problem(str(broken)) == "it has no Python at %s" % python
    python.unlink()
    python.write_text("#!/bin/sh\necho 'python: error while loading shared libraries' >&2\nexit 127\n")
    python.chmod(0o755)
    assert dev.venv_problem(str(broken)) == (
        "its Python does not start (python: error while loading shared libraries)")


def test_a_venv_made_without_the_bootstrap_is_rebuilt(tmp_path):
    old = _stamped_venv(tmp_path / "venv")
    (old / dev.STAMP_NAME).unlink()
    assert dev.venv_problem(str(old)) == "it was not made by scripts/dev.py (no poolviz-setup.json)"


@pytest.fixture
def recorded(tmp_path, monkeypatch):
    """dev.py pointed at a venv in tmp_path; pip commands are recorded, not run."""
    commands = []

    def fake_run(command):
        commands.append(command)
        if command[1:3] == ["-m", "venv"]:
            venv.create(command[3], with_pip=False, symlinks=os.name != "nt")
        return 0

    monkeypatch.setattr(dev, "VENV", str(tmp_path / ".venv"))
    monkeypatch.setattr(dev, "run", fake_run)
    return commands


def test_a_moved_venv_is_rebuilt_and_reinstalled_from_the_lock(tmp_path, recorded):
    _stamped_venv(tmp_path / ".venv", made_at="/somewhere/else/.venv")
    (tmp_path / ".venv" / "left-over").write_text("from the old place")
    dev.ensure_venv("test")
    assert not (tmp_path / ".venv" / "left-over").exists()
    assert recorded[0] == [sys.executable, "-m", "venv", str(tmp_path / ".venv")]
    assert recorded[-1] == [dev.venv_python(), "-m", "pip", "install", "-c", str(LOCK), "-e", ".[test]"]
    stamp = json.loads((tmp_path / ".venv" / dev.STAMP_NAME).read_text())
    assert stamp == {"venv": str(tmp_path / ".venv"), "python": "%d.%d" % sys.version_info[:2],
                     "key": dev.install_key(), "extras": ["course", "test"]}


def test_an_up_to_date_venv_installs_nothing(tmp_path, recorded):
    _stamped_venv(tmp_path / ".venv")
    dev.ensure_venv("course")
    dev.ensure_venv("test")
    assert recorded == []


def test_a_changed_lock_or_pyproject_reinstalls_without_rebuilding(tmp_path, recorded):
    _stamped_venv(tmp_path / ".venv")
    stamp_path = tmp_path / ".venv" / dev.STAMP_NAME
    stamp = json.loads(stamp_path.read_text())
    stamp_path.write_text(json.dumps({**stamp, "key": "digest of an older lock"}))
    (tmp_path / ".venv" / "kept").write_text("same venv")
    dev.ensure_venv("course")
    assert recorded == [[dev.venv_python(), "-m", "pip", "install", "-c", str(LOCK), "-e", ".[course]"]]
    assert (tmp_path / ".venv" / "kept").exists()
    assert json.loads(stamp_path.read_text())["extras"] == ["course"]


def test_dev_commands_run_python_modules_not_posix_scripts():
    python = dev.venv_python()
    assert dev.command_line("test", ["-x"]) == [python, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-x"]
    assert dev.command_line("lint", []) == [python, "-m", "ruff", "check", "."]
    lab = dev.command_line("lab", [])
    assert lab[:3] == [python, "-m", "jupyterlab"] and "--ServerApp.root_dir=notebooks" in lab
    notebooks = dev.command_line("notebooks", [])
    assert notebooks[:3] == [python, "-m", "nbconvert"]
    assert [Path(n).relative_to(ROOT / "notebooks").as_posix() for n in notebooks if n.endswith(".ipynb")] == (
        sorted(p.name for p in (ROOT / "notebooks").glob("0*.ipynb"))
        + sorted(f"going_further/{p.name}" for p in (ROOT / "notebooks" / "going_further").glob("0*.ipynb")))
    assert len([n for n in notebooks if n.endswith(".ipynb")]) == 5 + 5


@pytest.mark.parametrize("ruff_status, pytest_status, expected", [(0, 0, 0), (1, 0, 1), (0, 5, 5), (1, 2, 1)])
def test_the_test_command_runs_ruff_then_pytest_and_fails_if_either_fails(
        monkeypatch, ruff_status, pytest_status, expected):
    ran = []

    def fake_run(command):
        ran.append(command)
        return ruff_status if "ruff" in command else pytest_status

    monkeypatch.setattr(dev, "ensure_venv", lambda extra: ran.append(("ensure_venv", extra)))
    monkeypatch.setattr(dev, "run", fake_run)
    assert dev.main(["test", "-k", "layout"]) == expected
    python = dev.venv_python()
    assert ran == [("ensure_venv", "test"), [python, "-m", "ruff", "check", "."],
                   [python, "-m", "pytest", "-n", "2", "--dist", "loadfile", "-k", "layout"]]


def test_windows_paths_for_the_venv_python_and_voila():
    present = load_script("present")
    assert present.voila_executable("nt").name == "voila.exe"
    assert present.voila_executable("posix").name == "voila"
    assert present.voila_executable("nt").parent == Path(sys.executable).parent


POSIX_ONLY_CALLS = {"killpg", "setsid", "fork", "getuid", "geteuid", "getpgid"}


def _posix_assumptions(path):
    """Lines of ``path`` that would fail on Windows: POSIX-only os calls (unless
    guarded by ``hasattr(os, ...)`` on the same line) and absolute POSIX paths or
    ``bin/`` in string literals that are not docstrings."""
    import ast

    source = path.read_text()
    lines = source.splitlines()
    tree = ast.parse(source)
    docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                  if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
                  and node.body and isinstance(node.body[0], ast.Expr)
                  and isinstance(node.body[0].value, ast.Constant)}
    found = []
    for node in ast.walk(tree):
        if (isinstance(node, ast.Attribute) and node.attr in POSIX_ONLY_CALLS
                and isinstance(node.value, ast.Name) and node.value.id == "os"
                and "hasattr(os" not in lines[node.lineno - 1]):
            found.append(node.lineno)
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings
              and re.search(r"(^|\s)/(usr|tmp|bin|dev)/|(^|[/\s])bin/(python|jupyter|voila|pip)\b", node.value)):
            found.append(node.lineno)
    label = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path.name
    return [f"{label}:{n}: {lines[n - 1].strip()}" for n in sorted(set(found))]


def test_nothing_outside_tests_assumes_a_posix_system():
    paths = [*ROOT.glob("poolviz/**/*.py"), *ROOT.glob("scripts/*.py"), *ROOT.glob("benchmarks/*.py")]
    assert len(paths) > 10
    assert [line for path in paths for line in _posix_assumptions(path)] == []


def test_the_posix_check_finds_what_it_looks_for(tmp_path):
    sample = tmp_path / "_posix_sample.py"
    sample.write_text('"""Run .venv/bin/python x.py (a docstring is fine)."""\nimport os\n'
                      'os.killpg(1, 15)\nBIN = ".venv/bin/python"\n'
                      'root = hasattr(os, "geteuid") and os.geteuid() == 0\n')
    assert _posix_assumptions(sample) == [
        "_posix_sample.py:3: os.killpg(1, 15)", '_posix_sample.py:4: BIN = ".venv/bin/python"']


# --------------------------------------------------------------------------
# Licence and sdist
# --------------------------------------------------------------------------

def test_license_file_is_the_declared_mit_licence():
    assert _project()["license"] == "MIT" and _project()["license-files"] == ["LICENSE"]
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and "THE SOFTWARE IS PROVIDED \"AS IS\"" in text


SDIST_SOURCES = ["tests", "notebooks", "present", "scripts", "benchmarks", "requirements", "binder", ".ci"]


def test_sdist_contains_everything_its_tests_read(tmp_path):
    import setuptools

    if Version(setuptools.__version__) < Version("77"):
        if os.environ.get("CI"):
            pytest.fail(f"setuptools {setuptools.__version__} cannot build the sdist (needs 77+; "
                        "scripts/dev.py installs it in a new venv)")
        pytest.skip(f"setuptools {setuptools.__version__} < 77 in this environment (CI builds the sdist)")
    ignore = shutil.ignore_patterns(".venv*", ".git", "__pycache__", "*.egg-info", ".pytest_cache", ".ruff_cache",
                                    ".hypothesis", "test-artifacts", ".ipynb_checkpoints")
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=ignore)
    code = ("import setuptools.build_meta as b, sys; "
            "print(b.build_sdist(sys.argv[1]))")
    result = subprocess.run([sys.executable, "-c", code, str(tmp_path / "dist")], cwd=source,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    archive = tmp_path / "dist" / result.stdout.strip().splitlines()[-1]
    with tarfile.open(archive) as sdist:
        members = {Path(*Path(name).parts[1:]).as_posix() for name in sdist.getnames()}
    expected = {"LICENSE", "README.md", "CONTRIBUTING.md", "pyproject.toml", "environment.yml", "Makefile"}
    for folder in SDIST_SOURCES:
        expected |= {p.relative_to(source).as_posix() for p in (source / folder).rglob("*")
                     if p.is_file() and not p.name.endswith(".pyc")}
    assert sorted(expected - members) == []


def test_the_files_poolviz_reads_beside_its_modules_are_package_data():
    # widgets.py reads _a11y.js, _a11y.css and _lecture.css from its own folder: one left out of
    # package-data would be missing from the wheel, and the explorers would fail there.
    listed = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]["poolviz"]
    beside = sorted(path.name for path in (ROOT / "poolviz").iterdir() if path.is_file() and path.suffix != ".py")
    assert "_lecture.css" in beside and sorted(listed) == beside


# --------------------------------------------------------------------------
# Doctests and CI
# --------------------------------------------------------------------------

@pytest.mark.parametrize("module", ["poolviz.pooling", "poolviz.walkthrough", "poolviz.data"])
def test_docstring_examples(module):
    result = doctest.testmod(importlib.import_module(module), extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0


def test_marker_syntax_of_the_course_extra_is_plain_pep_508():
    # `not` is not PEP 508: a marker written with it would not even parse.
    for requirement in _project()["optional-dependencies"]["course"]:
        if ";" in requirement:
            Marker(requirement.split(";", 1)[1])


def test_every_test_file_the_lower_bound_job_names_exists():
    # A renamed test file would otherwise fail only in that job, at its end.
    named = re.findall(r"tests/[\w/]+\.py", (ROOT / ".ci" / "lower-bounds.sh").read_text())
    assert len(named) >= 10
    assert [name for name in named if not (ROOT / name).is_file()] == []
