"""Play with every explorer, then run the rest of the notebook: nothing may break.

A student is invited to move the controls of each "Try it" explorer and then
to carry on. For each course notebook this test executes the cells in a
fresh kernel; right after a cell that displays an explorer, it plays with
that explorer the way a student could: every dropdown through every option,
every enabled slider to its minimum and its maximum, every checkbox toggled,
the "Check with Keras" button clicked. Then it executes the remaining cells,
which must all pass, and checks that none of them moved the controls the
student left (a cell must not silently change a widget shown above it).

The explorers are found by wrapping the two factory functions in
``poolviz.widgets`` before the notebook's first cell runs, so an explorer
counts even if the notebook never assigns it to a name. Notebooks without an
explorer (02, 05) simply run top to bottom: their cells must pass too.
"""

import json
import os
from pathlib import Path

import nbformat
import pytest

nbclient = pytest.importorskip("nbclient")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOK_DIR.glob("0*.ipynb")) + sorted(NOTEBOOK_DIR.glob("going_further/0*.ipynb"))

# Runs in the kernel before the notebook: record every explorer a cell creates.
RECORD_EXPLORERS = """
import poolviz.widgets as _play_widgets

_play_explorers = []


def _play_recording(factory):
    def record(*args, **kwargs):
        view = factory(*args, **kwargs)
        _play_explorers.append(view)
        return view
    return record


_play_widgets.pooling_explorer = _play_recording(_play_widgets.pooling_explorer)
_play_widgets.translation_explorer = _play_recording(_play_widgets.translation_explorer)
"""

# Runs in the kernel after a cell that created explorers: play with the new ones.
PLAY = """
import json as _play_json
import ipywidgets as _play_ipw


def _play_check(view, what):
    shown = view.message_html.value
    assert "Could not draw" not in shown and "Unexpected error" not in shown, (what, shown)


def _play_with(view):
    moves = 0
    for name, control in list(view.controls.items()):
        if isinstance(control, _play_ipw.Dropdown):
            for index in range(len(control.options)):
                control.index = index
                _play_check(view, (name, control.value))
                moves += 1
    for name, control in list(view.controls.items()):
        if isinstance(control, _play_ipw.Checkbox):
            control.value = not control.value
            _play_check(view, (name, control.value))
            moves += 1
    for name, control in list(view.controls.items()):
        if isinstance(control, _play_ipw.IntSlider) and not control.disabled:
            control.value = control.min
            _play_check(view, (name, control.value))
            control.value = control.max  # read now: a limit may follow the other controls
            _play_check(view, (name, control.value))
            moves += 2
    button = getattr(view, "keras_button", None)
    if button is not None:
        button.click()
        moves += 1
    return moves


def _play_state():
    # The view redraws on every new state: any change a later cell makes to the
    # explorer's model shows, even one that a control's value alone would not reveal.
    return [dict({name: repr(control.value) for name, control in view.controls.items()},
                 redraws=view.redraws)
            for view in _play_explorers]


_play_moves = [_play_with(view) for view in _play_explorers[_play_done:]]
_play_done = len(_play_explorers)
print(_play_json.dumps({"moves": _play_moves, "state": _play_state()}))
"""

REPORT = "import json as _play_json\nprint(_play_json.dumps({'state': _play_state()}))"


def _run(client, source):
    """Execute `source` in the notebook's kernel; return what it printed."""
    cell = nbformat.v4.new_code_cell(source)
    client.nb.cells.append(cell)  # nbclient stores the executed cell back at its index
    try:
        client.execute_cell(cell, len(client.nb.cells) - 1)
    finally:
        client.nb.cells.pop()
    return "".join(output.get("text", "") for output in cell.outputs
                   if output.get("output_type") == "stream" and output.get("name") == "stdout")


def test_the_course_notebooks_are_found_for_playing():
    assert [path.relative_to(NOTEBOOK_DIR).as_posix()[:-6] for path in NOTEBOOK_PATHS] == [
        "01_pooling", "02_detecting_vertical_lines", "03_average_pooling", "04_max_pooling",
        "05_global_pooling", "going_further/01_antialiased_pooling",
        "going_further/02_strided_convolutions", "going_further/03_keras_and_pytorch"]


@pytest.mark.parametrize("path", NOTEBOOK_PATHS, ids=lambda path: path.relative_to(NOTEBOOK_DIR).as_posix())
def test_cells_pass_after_a_student_plays_with_every_explorer(path):
    notebook = nbformat.read(path, as_version=4)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    client = nbclient.NotebookClient(notebook, timeout=300, kernel_name="python3",
                                     resources={"metadata": {"path": str(path.parent)}})
    played, states = [], None
    with client.setup_kernel(env=env):
        _run(client, RECORD_EXPLORERS + "\n_play_done = 0")
        for index, cell in enumerate(notebook.cells):
            if cell.cell_type != "code":
                continue
            client.execute_cell(cell, index)  # raises CellExecutionError on an error
            if "explorer(" in cell.source:
                report = json.loads(_run(client, PLAY).splitlines()[-1])
                played.extend(report["moves"])
                states = report["state"]
        if states is not None:
            after = json.loads(_run(client, REPORT).splitlines()[-1])["state"]
            # Later cells check fresh models: the explorers still show what the student set.
            assert after == states
    explorer_cells = [cell for cell in notebook.cells
                      if cell.cell_type == "code" and "widgets." in cell.source
                      and "explorer(" in cell.source]
    assert len(played) == len(explorer_cells)
    assert all(moves >= 5 for moves in played), played  # every explorer was really played with
