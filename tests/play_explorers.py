"""Play with every explorer while nbval runs the notebook: nothing after it may break.

A student is invited to move the controls of each "Try it" explorer and then
to carry on. The root ``conftest.py`` starts each nbval kernel with this file
as ``PYTHONSTARTUP`` (IPython runs it before the first cell). It records every
explorer that ``poolviz.widgets`` makes and, right after the cell that showed
one, plays with it the way a student could: every dropdown through every
option (the operation menu must offer exactly the operations its model
accepts), every checkbox toggled, every enabled slider to its minimum and
its maximum (a slider of stops, the Lp explorer's p, to every stop), the
"Check with Keras" button clicked. nbval then runs the rest of the notebook
and compares every output with the stored one, so the cells
after an explorer must give the same results whatever the student did.

After each later cell it checks that the cell did not move the controls the
student left (a cell must not silently change a widget shown above it).
A failure raises here, which IPython shows as an error of that cell, and
nbval fails the cell with this traceback. Nothing is printed otherwise, so
the outputs nbval compares are the notebook's own.

The number of moves per explorer goes to the JSON file ``$POOLVIZ_PLAY_REPORT``
after each cell: the conftest checks at the end of each notebook that every
explorer cell was played with.
"""

import json
import os

import ipywidgets
from IPython import get_ipython

import poolviz.widgets

_explorers, _moves, _states = [], [], []


def _recording(factory):
    def record(*args, **kwargs):
        view = factory(*args, **kwargs)
        _explorers.append(view)
        return view
    return record


def _check(view, what):
    shown = view.message_html.value
    assert "Could not draw" not in shown and "Unexpected error" not in shown, (what, shown)


def _play_with(view):
    # The menu offers exactly what the model accepts, so playing every option plays every operation offered.
    menu = view.controls.get("operation")
    assert menu is None or tuple(menu.options) == view.model.operations, (menu.options, view.model.operations)
    moves = 0
    for name, control in list(view.controls.items()):
        if isinstance(control, ipywidgets.Dropdown):
            for index in range(len(control.options)):
                control.index = index
                _check(view, (name, control.value))
                moves += 1
    for name, control in list(view.controls.items()):
        if isinstance(control, ipywidgets.Checkbox):
            control.value = not control.value
            _check(view, (name, control.value))
            moves += 1
    for name, control in list(view.controls.items()):
        if isinstance(control, ipywidgets.IntSlider) and not control.disabled:
            control.value = control.min
            _check(view, (name, control.value))
            control.value = control.max  # read now: a limit may follow the other controls
            _check(view, (name, control.value))
            moves += 2
    cells = getattr(view, "cells_box", None)  # the receptive-field explorer: click its first and last output cell
    for button in (cells.children[:1] + cells.children[-1:]) if cells is not None else ():
        button.click()
        _check(view, ("output cell", button.tooltip))
        moves += 1
    for name, control in list(view.controls.items()):
        if isinstance(control, ipywidgets.SelectionSlider):  # every stop (the Lp explorer's p)
            for value in list(control.options):
                control.value = value[1] if isinstance(value, tuple) else value
                _check(view, (name, control.value))
                moves += 1
    button = getattr(view, "keras_button", None)
    if button is not None:
        button.click()
        moves += 1
    return moves


def _state(view):
    # The controls, the model's traits and which state object it holds (a recompute makes a
    # new one): any change a later cell makes to the explorer's model shows.
    return dict({name: repr(control.value) for name, control in view.controls.items()},
                model={name: repr(value) for name, value in view.model.trait_values().items()
                       if not name.startswith("_")},
                state_id=id(getattr(view.model, "state", None)))


def _after_each_cell(result):
    played = len(_states)
    for index, view in enumerate(_explorers[:played]):
        assert _state(view) == _states[index], (
            f"this cell moved explorer {index + 1}, which the student had left as it was")
    new = _explorers[played:]
    if not new:
        return
    _moves.extend(_play_with(view) for view in new)
    _states.extend(_state(view) for view in new)
    with open(os.environ["POOLVIZ_PLAY_REPORT"], "w") as report:
        json.dump({"moves": _moves}, report)


if os.environ.get("POOLVIZ_PLAY_REPORT"):
    poolviz.widgets.pooling_explorer = _recording(poolviz.widgets.pooling_explorer)
    poolviz.widgets.translation_explorer = _recording(poolviz.widgets.translation_explorer)
    poolviz.widgets.receptive_field_explorer = _recording(poolviz.widgets.receptive_field_explorer)
    poolviz.widgets.lp_pooling_explorer = _recording(poolviz.widgets.lp_pooling_explorer)
    get_ipython().events.register("post_run_cell", _after_each_cell)
