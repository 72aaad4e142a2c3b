"""The lecture dashboard runs headless, and scripts/present.py starts Voila as documented.

No browser here: the dashboard is executed with nbclient, the way Voila
executes it, and the launcher's pieces are checked one by one. The browser
tests in tests/browser/ drive the served page itself.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = REPO_ROOT / "present" / "lecture.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def load_present_script():
    """Import scripts/present.py (a script, not part of the package) as a module."""
    spec = importlib.util.spec_from_file_location("present_script", REPO_ROOT / "scripts" / "present.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


present = load_present_script()


# --------------------------------------------------------------------------
# The dashboard notebook
# --------------------------------------------------------------------------

def execute_dashboard(style_environment: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(DASHBOARD, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(DASHBOARD.parent)}},
    )
    environment = dict(os.environ)
    environment.pop(present.STYLE_VARIABLE, None)
    environment.update(style_environment)
    client.execute(env=environment)
    return notebook


def outputs_of(notebook, output_type):
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.output_type == output_type]


def test_dashboard_executes_without_errors_in_lecture_style():
    # Executed once, in the style with more code (its HTML block): the default style's
    # explorers are the notebooks' own, which nbval executes, and the browser tests serve
    # the dashboard in both styles.
    notebook = execute_dashboard({"POOLVIZ_STYLE": "lecture"})

    errors = outputs_of(notebook, "error")
    assert errors == [], "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in outputs_of(notebook, "stream") if o.name == "stderr"]
    assert stderr == [], stderr
    # One view for each explorer: the pooling one and the translation one.
    views = [o for o in outputs_of(notebook, "display_data") + outputs_of(notebook, "execute_result")
             if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 2, [o.get("data", {}).keys() for o in outputs_of(notebook, "display_data")]


def test_dashboard_is_short_and_uses_the_installed_kernel():
    notebook = nbformat.read(DASHBOARD, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"  # anything else opens "Select Kernel"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) == 3, code  # setup, pooling explorer, translation explorer
    assert "POOLVIZ_STYLE" in code[0]
    assert "pooling_explorer(" in code[1] and "translation_explorer(" in code[2]
    # Committed clean: Voila executes it anyway, and stale widget outputs
    # would only bloat diffs.
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells if cell.cell_type == "code")


# --------------------------------------------------------------------------
# scripts/present.py
# --------------------------------------------------------------------------

def test_lecture_style_reaches_the_kernel_environment():
    environment = present.kernel_environment("lecture", base={"PATH": "/bin"})
    assert environment == {"PATH": "/bin", "POOLVIZ_STYLE": "lecture"}


def test_default_style_removes_a_leftover_style_variable():
    base = {"PATH": "/bin", "POOLVIZ_STYLE": "lecture"}
    assert present.kernel_environment("default", base=base) == {"PATH": "/bin"}
    assert base["POOLVIZ_STYLE"] == "lecture"  # the caller's mapping is left alone


def test_unknown_style_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"style must be one of \('default', 'lecture'\), got 'huge'"):
        present.kernel_environment("huge", base={})


def test_voila_command_serves_localhost_from_this_environment():
    command = present.voila_command(Path("/course/present/lecture.ipynb"), 9123)
    assert command == [
        str(Path(sys.executable).parent / "voila"),
        "/course/present/lecture.ipynb",
        "--no-browser",
        "--port=9123",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=False",
    ]
    assert Path(command[0]).is_file()


def test_a_busy_port_is_reported_before_voila_starts(capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        busy_port = occupant.getsockname()[1]
        assert present.main(["--port", str(busy_port)]) == 2
    assert f"port {busy_port} is already in use" in capsys.readouterr().err


def test_a_missing_notebook_is_reported(tmp_path, capsys):
    missing = tmp_path / "nowhere.ipynb"
    assert present.main([str(missing), "--port", "0"]) == 2
    assert f"notebook not found: {missing}" in capsys.readouterr().err


def test_default_options_match_make_present():
    arguments = present.parse_arguments([])
    assert arguments.notebook == DASHBOARD
    assert (arguments.port, arguments.style) == (8866, "default")
