"""While nbval runs a notebook, a student plays with its explorers (tests/play_explorers.py).

Here at the root because nbval's items live under notebooks/, where a conftest
would sit among the course's files. Each nbval kernel starts with
``PYTHONSTARTUP`` pointing at tests/play_explorers.py and ``POOLVIZ_PLAY_REPORT``
at a file of its own; both are set only while nbval starts that kernel, so the
kernels of other tests (and of the browser tests' servers) play with nothing.
After a notebook's last cell, its report must show every explorer cell played.
"""

import json
import tempfile
from pathlib import Path

import pytest

try:
    from nbval.plugin import IPyNbCell
except ImportError:  # an environment without nbval (the lower-bound job): no notebooks to play
    IPyNbCell = None

PLAYER = Path(__file__).parent / "tests" / "play_explorers.py"


def _notebook_of(item):
    """The notebook an nbval cell item belongs to, or None for any other test."""
    return Path(str(item.fspath)) if IPyNbCell is not None and isinstance(item, IPyNbCell) else None


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_setup(item):
    notebook = _notebook_of(item)
    if notebook is None or getattr(item.parent, "kernel", None) is not None:
        yield  # not nbval, or its kernel already runs
        return
    report = Path(tempfile.mkdtemp(prefix="poolviz-play-")) / "report.json"
    item.parent.play_report = report
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYTHONSTARTUP", str(PLAYER))
        patch.setenv("POOLVIZ_PLAY_REPORT", str(report))
        yield  # nbval starts the notebook's kernel here


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item, nextitem):
    yield
    notebook = _notebook_of(item)
    if notebook is None or (nextitem is not None and nextitem.parent is item.parent):
        return
    code = [cell.source for cell in item.parent.nb.cells if cell.cell_type == "code"]  # as nbval read it
    if sum(other.parent is item.parent for other in item.session.items) < len(code):
        return  # only some cells were selected (-k, a cell id): not a whole play
    explorers = sum("widgets." in source and "explorer(" in source for source in code)
    report = getattr(item.parent, "play_report", None)
    moves = json.loads(report.read_text())["moves"] if report is not None and report.exists() else []
    assert len(moves) == explorers, (
        f"{notebook.name}: {explorers} explorer cell(s), {len(moves)} explorer(s) played with")
    assert all(count >= 5 for count in moves), f"{notebook.name}: too few moves per explorer: {moves}"
