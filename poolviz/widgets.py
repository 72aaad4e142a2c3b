"""Interactive explorers: thin ipywidgets views over :mod:`poolviz.explorer`.

``import poolviz`` never imports this module (it imports ipywidgets). A view sends a control's new value to its
model; the model computes one state, and the view draws it: it updates one persistent matplotlib figure in place,
sends the PNG to an ``ipywidgets.Image`` (no ipympl: JupyterLab and Voila alike), and sets every control to the
value in use (a slider widens to show a value set from code, never clamps it). Sliders follow a drag; the front
end keeps one update per control in flight and merges later moves, so a slow picture skips values and the newest
is drawn.

DOM hooks for browser tests: ``.poolviz-explorer`` (``.poolviz-pooling``, ``.poolviz-translation``,
``.poolviz-lecture``), the picture ``img.poolviz-plot``, the hidden caption of what it shows ``.poolviz-caption``
(sent after it), ``.poolviz-formula``, ``-arithmetic``, ``-message``, ``-keras``, ``-keras-button``, ``-fraction``,
``-tables``, the live region ``.poolviz-live``; controls ``.widget-slider``, ``.widget-dropdown select``.

Examples
--------
>>> from poolviz.widgets import pooling_explorer
>>> explorer = pooling_explorer(pool_rows=3, padding="same")
>>> explorer.model.output_shape
(2, 3)
>>> explorer.controls["pool rows"].value = 2  # what a student's slider does
>>> explorer.model.output_shape
(3, 3)
"""

from __future__ import annotations

import html
import pathlib
import traceback
from contextlib import nullcontext

import ipywidgets as widgets
import matplotlib as mpl
import numpy as np
import traitlets
from matplotlib.figure import Figure

import poolviz
import poolviz.explorer
from poolviz import plot
from poolviz._checks import as_bool
from poolviz._png import LayeredRenderer
from poolviz.explorer import (
    TRANSLATION_OPERATIONS,
    PoolingExplorerModel,
    ReceptiveFieldExplorerModel,
    TranslationExplorerModel,
)
from poolviz.lp_explorer import LpPoolingExplorerModel
from poolviz.walkthrough import RECEPTIVE_FIELD_STACKS, in_words

__all__ = ["lp_pooling_explorer", "pooling_explorer", "receptive_field_explorer", "translation_explorer"]

#: Slider ranges offered at first (a value set from code beyond them widens them).
MAX_POOL = 6
MAX_SHIFT = 4
#: CSS pixels per inch of figure size, and PNG pixels per CSS pixel (sharp up to devicePixelRatio 2).
CSS_DPI = 72
PIXEL_DENSITY = 2
DPI = CSS_DPI * PIXEL_DENSITY
#: Monospace for the arithmetic, so a window's rows line up (Voila gives <pre> a proportional font).
MONOSPACE = "var(--jp-code-font-family, monospace), monospace"
LECTURE_CONTROL_WIDTH = "400px"
TABLE_CELLS = 256  #: the numbers view shows a map of more cells in words, not as a table

_LECTURE_CSS = f"<style>{pathlib.Path(__file__).with_name('_lecture.css').read_text()}</style>"  # package data


try:  # the `course` extra has it; without it the explorers work, unnamed for a screen reader
    import anywidget
except ImportError:  # pragma: no cover - Colab-shaped installs
    anywidget = None

if anywidget is not None:
    class _Accessibility(anywidget.AnyWidget):
        """The explorer's words for a screen reader: `alts` (picture class -> alt text), `said` (the live region)."""
        _esm, _css = (pathlib.Path(__file__).with_name(f"_a11y.{kind}") for kind in ("js", "css"))
        alts = traitlets.Dict().tag(sync=True)
        said = traitlets.Unicode("").tag(sync=True)


def _pre(text):
    return (f'<pre class="poolviz-mono" style="margin:0; white-space:pre-wrap; font-family:{MONOSPACE}">'
            f"{html.escape(text)}</pre>") if text else ""


def _table(title, array, marked=()):
    """`array` as an HTML table (in words past TABLE_CELLS cells); `marked` (row, col) cells are bracketed
    as well as shaded, so the window reads without colour."""
    if array.size > TABLE_CELLS:
        return f"<p>{html.escape(title)}: {in_words(array)}</p>"
    cells = ["".join(f"<td style='background:#ffe066;color:#000'>[{value:.3g}]</td>" if (row, col) in marked else
                     f"<td>{value:.3g}</td>" for col, value in enumerate(values)) for row, values in enumerate(array)]
    return (f"<table class='poolviz-table' style='display:inline-table; margin:0 2em 1em 0'>"
            f"<caption>{html.escape(title)}</caption><tr><td></td>"
            + "".join(f"<th scope='col'>{col}</th>" for col in range(array.shape[1])) + "</tr>"
            + "".join(f"<tr><th scope='row'>{row}</th>{line}</tr>" for row, line in enumerate(cells)) + "</table>")


def _html(css_class, **kwargs):
    widget = widgets.HTML("", **kwargs)
    widget.add_class(css_class)
    return widget


def _show(control, value, low=None, high=None):
    """Set `control` to `value`; a slider's range becomes [low, high], widened to hold `value`."""
    if isinstance(control, (widgets.IntSlider, widgets.Play)):
        low = min(control.min if low is None else low, value)
        high = max(control.max if high is None else high, value)
        with control.hold_sync():
            control.max, control.min = max(high, control.max), min(low, control.min)  # widen, then set
            control.value = value
            control.max, control.min = high, low
    else:
        control.value = value


class _ExplorerView(widgets.VBox):
    """Shared plumbing: controls bound to the model, the picture, safe redraws."""

    def __init__(self, model, lecture, kind, figsize):
        super().__init__()
        self.model, self.lecture, self.controls, self.redraws = model, lecture, {}, 0
        self.add_class("poolviz-explorer")
        self.add_class(f"poolviz-{kind}")
        if self.lecture:
            self.add_class("poolviz-lecture")
        # Never wider than drawn; narrower (a small window) only shrinks it. No margin: with one, a
        # full-width picture overflows its column, which becomes a scroll region no key reaches.
        self.image = widgets.Image(format="png", layout=widgets.Layout(
            width=f"{int(figsize[0] * CSS_DPI)}px", max_width="100%", height="auto", margin="0"))
        self.image.add_class("poolviz-plot")
        self.message_html = _html("poolviz-message")
        self.caption_html = _html("poolviz-caption", layout=widgets.Layout(display="none"))
        self._figsize, self._showing, self._control_traits = figsize, False, {}
        self.words = _Accessibility() if anywidget is not None else None
        self.tables_html = _html("poolviz-tables", layout=widgets.Layout(flex_flow="row wrap", grid_gap="0 2em"))

    def _numbers(self):
        """The "numbers" checkbox (registered last among the controls): the maps as tables."""
        box = self.controls["numbers"] = widgets.Checkbox(description="numbers", indent=False, layout=self._layout())
        box.observe(lambda change: self._show_tables(), names="value")
        return box

    def _show_tables(self):
        state = self.model.state
        box = self.controls.get("numbers")  # None during the first redraw
        shown = box is not None and box.value and state is not None and state.ok
        self.tables_html.value = "".join(_table(*table) for table in self._tables(state)) if shown else ""

    def _rc(self):
        return mpl.rc_context(plot.LECTURE_RC) if self.lecture else nullcontext()

    def _layout(self, width=None):
        return widgets.Layout(width=width or LECTURE_CONTROL_WIDTH, height="44px") if self.lecture else \
            widgets.Layout(width=width or "340px")

    def _add(self, description, control, trait, offset=0):
        """Register `control`; a change a student makes goes to `model.<trait>` (minus `offset`)."""
        self.controls[description], self._control_traits[description] = control, trait
        control.observe(lambda change: self._to_model(trait, change["new"] - offset if offset else change["new"]),
                        names="value")
        return control

    def _slider(self, description, trait, low, high, offset=0):  # continuous_update: follows a drag
        return self._add(description, widgets.IntSlider(min=low, max=high, continuous_update=True,
                                                        **self._look(description)), trait, offset)

    def _dropdown(self, description, trait, options):
        return self._add(description, widgets.Dropdown(options=options, **self._look(description)), trait)

    def _look(self, description):
        return dict(description=description, layout=self._layout(),
                    style={"description_width": "150px" if self.lecture else "90px"})

    _DERIVED = ()  # controls whose value or range the subclass reads from the state

    def _show_controls(self):
        """Every control shows the model's value (the subclasses show the `_DERIVED` ones)."""
        for description, trait in self._control_traits.items():
            if description not in self._DERIVED:
                _show(self.controls[description], getattr(self.model, trait))

    def _to_model(self, trait, value):
        if not self._showing:  # a control set to the state's value does not send it back
            setattr(self.model, trait, value)

    def _safe_redraw(self, change=None):
        # Runs in widget callbacks, where an exception only reaches the browser console.
        self.redraws += 1  # picture or message: what a test or benchmark waits for
        try:
            self._showing = True
            self._show_controls()
            self._showing = False
            self._redraw()
        except Exception as error:  # noqa: BLE001
            self._showing = False
            self._show_message(f"Could not draw: {error!r}\n{traceback.format_exc(limit=2)}")

    def _show_png(self, figure, caption):
        with self._rc():
            figure.show(*self._figure_arguments())
            self.image.value = figure.render_png()
        self._say({"poolviz-plot": figure.in_words()}, caption)
        self.caption_html.value = html.escape(caption)  # after the picture and its words
        self.image.layout.display = None

    def _say(self, alts, said=None):
        if self.words is not None:
            with self.words.hold_sync():
                self.words.alts = {**self.words.alts, **alts}
                self.words.said = self.words.said if said is None else said

    def _show_message(self, text):
        self.message_html.value = _pre(text)
        if text:
            self.image.layout.display = "none"
            self._say({}, text)

    def _words(self):
        return [] if self.words is None else [self.words]

    def _beside(self, controls, pictures):
        """Lecture layout: a column of controls with the pictures to its right."""
        return [widgets.HTML(_LECTURE_CSS), widgets.HBox(
            [widgets.VBox(controls, layout=widgets.Layout(flex="0 0 auto")),
             widgets.VBox(pictures, layout=widgets.Layout(flex="1 1 0%", min_width="0"))],
            layout=widgets.Layout(grid_gap="0 16px", align_items="flex-start"))]


class PoolingExplorer(_ExplorerView):
    """Pooling explorer view (build it with :func:`pooling_explorer`): controls,
    picture, formula, arithmetic, the Keras check and the coverage view.
    ``model`` is its :class:`~poolviz.explorer.PoolingExplorerModel`."""

    def __init__(self, model, lecture=False):
        lecture = as_bool(lecture, "lecture")
        super().__init__(model, lecture, "pooling", (13.5, 4.4) if lecture else (9.6, 3.2))
        self._build_controls()
        self._build_texts()
        self._build_coverage()
        with self._rc():
            self.figure = plot.PoolingFigure.build(Figure(figsize=self._figsize, dpi=DPI), show_arithmetic=False,
                                                   annotate_max_cells=plot.EXPLORER_ANNOTATE_MAX_CELLS, max_ticks=8,
                                                   fast_labels=True)
        model.observe(self._safe_redraw, names="state")
        self._safe_redraw()
        self.children = self._lay_out()

    def _build_controls(self):
        for axis in ("rows", "cols"):
            self._slider(f"pool {axis}", f"pool_{axis}", 1, MAX_POOL)
            self._slider(f"stride {axis}", f"stride_{axis}", 1, MAX_POOL)
        self.controls["strides same as pool"] = widgets.Checkbox(
            description="strides same as pool", indent=False, layout=self._layout())
        self.controls["strides same as pool"].observe(self._on_strides_checkbox, names="value")
        self._dropdown("padding", "padding", ["valid", "same"])
        self._dropdown("operation", "operation", list(self.model.operations))
        self._dropdown("input", "input_name", list(self.model.input_options))
        for axis in ("rows", "cols"):
            self._slider(f"shift {axis}", f"shift_{axis}", -MAX_SHIFT, MAX_SHIFT)
        # Counted from 1, like "step 1 of 9" in the arithmetic: the readout and the text agree.
        self._slider("window step", "step", 1, 1, offset=1)
        self.play = widgets.Play(min=1, max=1, interval=900, description="walk the window", show_repeat=False)
        self.play.observe(lambda change: self._to_model("step", change["new"] - 1), names="value")

    def _on_strides_checkbox(self, change):
        state = self.model.state
        if self._showing:
            return
        if change["new"] or state is None:
            self.model.strides_same_as_pool = change["new"]
        else:  # unchecking starts from the stride in use: the picture does not jump
            self.model.configure(strides_same_as_pool=False, stride_rows=state.strides[0], stride_cols=state.strides[1])

    def _build_texts(self):
        self.formula_html = _html("poolviz-formula")
        self.arithmetic_html = _html("poolviz-arithmetic")
        self.keras_html = _html("poolviz-keras")
        self.keras_button = widgets.Button(description="Check with Keras", icon="check",
                                           tooltip="Run the same pooling with the Keras layer (loads TensorFlow)",
                                           layout=widgets.Layout(width="auto", flex="0 0 auto"))
        self.keras_button.add_class("poolviz-keras-button")
        self.keras_button.on_click(self._check_with_keras)

    def _build_coverage(self):
        """A checkbox and a picture: windows per input cell beside the divisors."""
        self.coverage_checkbox = widgets.Checkbox(value=False, description="show coverage (windows per input cell)",
                                                  indent=False, layout=self._layout("auto"))
        self.coverage_image = widgets.Image(format="png", layout=widgets.Layout(
            display="none", width=f"{int(7.0 * CSS_DPI)}px", max_width="100%", height="auto"))
        self.coverage_image.add_class("poolviz-coverage")
        self.coverage_figure = Figure(figsize=(7.0, 3.0), dpi=DPI)
        self.coverage_checkbox.observe(lambda change: self._redraw_coverage(), names="value")

    def _lay_out(self):
        c = self.controls
        pool = [c[name] for name in ("pool rows", "pool cols", "strides same as pool", "stride rows", "stride cols")]
        inputs = [c[name] for name in ("padding", "operation", "input", "shift rows", "shift cols")]
        texts = widgets.HBox([self.formula_html, self.arithmetic_html], layout=widgets.Layout(
            justify_content="space-between", grid_gap="0 2em", flex_flow="row wrap"))
        below = [self.image, self.caption_html, *self._words(), self.message_html, texts,
                 widgets.HBox([self.keras_button, self.keras_html]),
                 widgets.HBox([self.coverage_checkbox, self._numbers()]), self.tables_html, self.coverage_image]
        if self.lecture:  # controls beside the picture: a projector's 720 rows hold both
            return self._beside(pool + inputs + [c["window step"], self.play], below)
        return [widgets.HBox([widgets.VBox(pool), widgets.VBox(inputs)]),
                widgets.HBox([c["window step"], self.play]), *below]

    _DERIVED = ("stride rows", "stride cols", "window step")

    def _show_controls(self):
        super()._show_controls()
        model, state, c = self.model, self.model.state, self.controls
        following = c["strides same as pool"].value = model.strides_same_as_pool
        in_use = state.strides if following and state is not None else (model.stride_rows, model.stride_cols)
        for name, stride in zip(("stride rows", "stride cols"), in_use):
            c[name].disabled = following
            _show(c[name], stride, high=max(MAX_POOL, stride))
        windows = state.n_windows if state is not None and state.ok else 1
        _show(c["window step"], model.step + 1, 1, windows)
        _show(self.play, model.step + 1, 1, windows)

    def _figure_arguments(self):
        return (self.model.state,)

    def _tables(self, state):
        window, (rows, cols) = state.window, state.feature_map.shape
        read = {(row, col) for row in window.rows for col in window.cols if 0 <= row < rows and 0 <= col < cols}
        (r0, c0), (r1, c1) = np.min(list(read), axis=0), np.max(list(read), axis=0)  # where, for a map in words
        where = "in [brackets]" if rows * cols <= TABLE_CELLS else f"on rows {r0} to {r1}, columns {c0} to {c1}"
        return [(f"input {rows} x {cols}, window {state.step + 1} of {state.n_windows} {where}",
                 state.feature_map, read), (f"{state.operation} pooled {state.output_shape[0]} x "
                                            f"{state.output_shape[1]}", state.pooled, {window.output_index})]

    def _caption(self):
        model, state = self.model, self.model.state
        rows, cols = state.feature_map.shape
        return (f"input {model.input_name} {rows} x {cols}, shifted ({model.shift_rows}, {model.shift_cols}); "
                f"{state.operation} pooling {state.pool_size[0]} x {state.pool_size[1]}, "
                f"strides {state.strides[0]} x {state.strides[1]}, padding {state.padding}; "
                f"output {state.output_shape[0]} x {state.output_shape[1]}; "
                f"window {state.step + 1} of {state.n_windows}")

    def _redraw(self):
        model, state = self.model, self.model.state
        self.formula_html.value = _pre(model.formula_text)
        self.arithmetic_html.value = _pre(model.arithmetic_text)
        self.keras_html.value = html.escape(model.keras_text)
        self._show_message(model.message)
        if state is not None and state.ok:
            self._show_png(self.figure, self._caption())
        self._redraw_coverage()
        self._show_tables()

    def _redraw_coverage(self):
        coverage = self.model.coverage if self.coverage_checkbox.value else None
        if coverage is None:
            self.coverage_image.layout.display = "none"
            return
        with self._rc():
            plot.coverage_figure(coverage, self.model.state.real_cells, fig=self.coverage_figure)
            self.coverage_image.value = plot.figure_to_png(self.coverage_figure)
        self._say({"poolviz-coverage": f"windows covering each input cell: {in_words(coverage)}; real cells "
                                       f"per window (divisor): {in_words(self.model.state.real_cells)}"})
        self.coverage_image.layout.display = None

    def _check_with_keras(self, button=None):
        self.keras_html.value = "Checking with Keras (the first time loads TensorFlow, a few seconds)..."
        self.keras_html.value = html.escape(self.model.check_with_keras())


class TranslationExplorer(_ExplorerView):
    """Translation-invariance explorer view; build it with :func:`translation_explorer`.
    ``figure`` is None until the model first has a state to draw."""

    def __init__(self, model, lecture=False):
        lecture = as_bool(lecture, "lecture")
        super().__init__(model, lecture, "translation", (15, 4.4) if lecture else (11, 3.2))
        self._slider("shift (px)", "shift", 0, model.max_shift)
        self._slider("pool size", "pool_size", 2, 4)
        self._dropdown("operation", "operation", list(model.operations))
        self._dropdown("input", "input_name", list(model.input_options))
        self._dropdown("direction", "direction", ["right", "down", "diagonal"])
        self.fraction_html = _html("poolviz-fraction")
        self.figure = None
        model.observe(self._safe_redraw, names="state")
        self._safe_redraw()
        c = self.controls
        pictures = [self.image, self.caption_html, *self._words(), self.message_html, self.fraction_html,
                    self.tables_html]
        numbers = self._numbers()
        if self.lecture:
            self.children = self._beside([c[name] for name in c], pictures)
        else:
            self.children = [widgets.HBox([widgets.VBox([c["shift (px)"], c["pool size"]]),
                                           widgets.VBox([c["operation"], c["input"], c["direction"]])]), numbers,
                             *pictures]

    _DERIVED = ("shift (px)",)

    def _show_controls(self):
        super()._show_controls()
        _show(self.controls["shift (px)"], self.model.shift, 0, self.model.max_shift)

    def _figure_arguments(self):
        state = self.model.state
        return state.shifted_image(), state.result, state.shift, state.other_result

    def _tables(self, state):
        result, shift = state.result, state.shift
        changed = {tuple(cell) for cell in np.argwhere(result.changed[shift]).tolist()}
        return [(f"input shifted {shift} px", state.shifted_image(), ()), ("pooled before the shift", result.pooled[0]),
                ("pooled after the shift, changed cells in [brackets]", result.pooled[shift], changed)]

    def _redraw(self):
        model = self.model
        self.fraction_html.value = _pre(model.fraction_text)
        self._show_message(model.message)
        if model.state is None:
            return
        self._show_tables()
        if self.figure is None:
            with self._rc():
                self.figure = plot.TranslationFigure.build(Figure(figsize=self._figsize, dpi=DPI), fast_labels=True)
        changed = model.state.result.changed[model.shift]
        same = changed.size - int(changed.sum())
        self._show_png(self.figure, f"input {model.input_name} {model.image.shape[0]} x {model.image.shape[1]}, "
                                    f"shifted {model.shift} px {model.direction}; {model.operation} pooling "
                                    f"{model.pool_size} x {model.pool_size}; output {changed.shape[0]} x "
                                    f"{changed.shape[1]}, {same} of {changed.size} unchanged")


def pooling_explorer(feature_map: np.typing.ArrayLike | None = None, *, lecture: bool = False,
                     operations: tuple = poolviz.OPERATIONS, **controls) -> PoolingExplorer:
    """An interactive pooling explorer for a notebook or a Voila page; its ``model`` drives it from code.

    `feature_map`, `operations` (the menu) and `controls` as in :class:`poolviz.explorer.PoolingExplorerModel` (default
    input: the tutorial's 6 x 6 line-detector output); `lecture`: large fonts and controls, for the back of a room.
    """
    return PoolingExplorer(PoolingExplorerModel(feature_map, operations=operations, **controls), lecture=lecture)


def translation_explorer(image: np.typing.ArrayLike | None = None, *, lecture: bool = False,
                         operations: tuple = TRANSLATION_OPERATIONS, **controls) -> TranslationExplorer:
    """An explorer of translation invariance: shift the input, see what changes.

    `image`, `operations` and `controls` as in :class:`poolviz.explorer.TranslationExplorerModel` (default input:
    the tutorial's 8 x 8 vertical line); `lecture` as in :func:`pooling_explorer`.
    """
    return TranslationExplorer(TranslationExplorerModel(image, operations=operations, **controls), lecture=lecture)


class ReceptiveFieldExplorer(_ExplorerView):
    """Receptive-field explorer view (build it with :func:`receptive_field_explorer`): the stack and the input size,
    the output cells as buttons (``cell_buttons``, row by row, labelled "1,2", titled "output row 1, column 2"; a click
    shows that cell), the input, 1 where the chosen cell depends on it, and below it, once, where in words (the shown
    caption ``.poolviz-caption``, also ``.poolviz-field``)."""

    def __init__(self, model, lecture=False):
        super().__init__(model, as_bool(lecture, "lecture"), "receptive-field", (5.0, 4.6) if lecture else (4.0, 3.7))
        self._dropdown("stack", "stack", list(RECEPTIVE_FIELD_STACKS)).layout.width = "460px"
        rows, cols = (self._slider(f"input {axis}", f"input_{axis}", 1, 16) for axis in ("rows", "cols"))
        self.cell_buttons, self.cells_box = [], widgets.GridBox(layout=widgets.Layout(grid_gap="2px"))
        self.field_html, self.figure = self.caption_html, Figure(figsize=self._figsize, dpi=DPI)  # said once, below
        self.field_html.add_class("poolviz-field")
        model.observe(self._safe_redraw, names="state")
        self._safe_redraw()
        self.children = [self.controls["stack"], widgets.HBox([rows, cols]), widgets.HTML(
            "<b>Output cells</b> (click one; each says its row,column):"), self.cells_box, self.image, self.field_html,
            *self._words(), self.message_html]

    def _show_cells(self, state):
        rows, cols = state.shapes[-1] if state is not None and state.ok else (0, 0)
        while len(self.cell_buttons) < rows * cols:  # made once, reused: a new stack makes no new widgets
            button = widgets.Button(layout=widgets.Layout(width="46px", height="30px", padding="0"))
            button.on_click(lambda button: self._to_model("output_cell", self.cell_buttons.index(button)))
            self.cell_buttons.append(button)
        for number, button in enumerate(self.cell_buttons[:rows * cols]):  # named by the title; the chosen one
            chosen = divmod(number, cols) == state.output_index  # is marked by an icon as well as a colour
            button.tooltip = f"output row {number // cols}, column {number % cols}{' (shown)' * chosen}"
            button.icon, button.button_style = ("check", "warning") if chosen else ("", "")
            button.description = f"{number // cols},{number % cols}"
        self.cells_box.layout.grid_template_columns = f"repeat({cols}, 46px)"
        self.cells_box.children = self.cell_buttons[:rows * cols]

    def _redraw(self):
        state, said = self.model.state, self.model.message or self.model.state.description
        self._show_message(self.model.message)
        self._show_cells(state)
        self.field_html.value, self.field_html.layout.display = ("", "none") if self.model.message else (
            html.escape(said), None)
        if not self.model.message:
            (top, bottom), (left, right) = state.rows, state.cols
            mask = np.zeros(state.shapes[0])
            mask[top:bottom, left:right] = 1  # 1 written in each cell of the field: not told by colour only
            with self._rc():
                self.figure.clear()
                plot.heatmap(mask, ax=self.figure.subplots(), cmap="Blues", vmin=-0.3, vmax=1.3, max_ticks=12,
                             title=f"input: rows {top}-{bottom - 1}, cols {left}-{right - 1}")
                self.image.value = plot.figure_to_png(self.figure)
            self._say({"poolviz-plot": f"The input, 1 where it is depended on. {said}"}, said)
            self.image.layout.display = None


def receptive_field_explorer(*, lecture: bool = False, **controls) -> ReceptiveFieldExplorer:
    """An explorer of receptive fields: choose a stack of layers and an output cell, see the input cells it depends on.

    `controls` as in :class:`poolviz.explorer.ReceptiveFieldExplorerModel`; `lecture` as in :func:`pooling_explorer`.
    """
    return ReceptiveFieldExplorer(ReceptiveFieldExplorerModel(**controls), lecture=lecture)


#: The Lp explorer's slider stops: p from 1 (average) to inf (max), roughly doubling.
LP_STOPS = (1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 16.0, 32.0, 64.0, 128.0, 1024.0, np.inf)


def _lp_panels(state):
    """(title, map) of each panel of the Lp explorer: the input, then the poolings at p = 1, p and p = inf."""
    return list(zip((f"input {state.feature_map.shape[0]} x {state.feature_map.shape[1]}",
                     f"average{state.of_sizes} (p = 1)", f"Lp, p = {state.p:g}", f"max{state.of_sizes} (p = inf)"),
                    (state.feature_map, state.average, state.pooled, state.maximum)))


class _LpFigure:
    """The Lp explorer's picture: its panels on the input's colour scale, redrawn in place."""

    def __init__(self, fig):
        self.fig, self.state, self.renderer = fig, None, LayeredRenderer(fig)
        self.maps = [plot.heatmap([[0.0]], ax=ax, annotate=False, label_paths=True) for ax in fig.subplots(1, 4)]
        fig.subplots_adjust(left=0.03, right=0.99, bottom=0.08, top=0.86, wspace=0.25)

    def show(self, state):
        self.state, (low, high) = state, (float(state.feature_map.min()), float(state.feature_map.max()))
        for artists, (title, array) in zip(self.maps, _lp_panels(state)):
            artists.update(array, low, high, annotate=array.size <= plot.EXPLORER_ANNOTATE_MAX_CELLS)
            artists.ax.set_title(title)

    def render_png(self):  # the maps and titles redrawn over the kept axes (a full savefig: ~300 ms)
        changing = [artist for m in self.maps for artist in (*m.artists, *m.ax.spines.values(), m.ax.title)]
        return self.renderer.render((self.state.feature_map.shape, self.state.pooled.shape), [(None, changing)])

    def in_words(self):
        return self.state.description


class LpPoolingExplorer(_ExplorerView):
    """The Lp-pooling explorer view (build it with :func:`lp_pooling_explorer`): one slider, p, from average to max.
    ``model`` is its :class:`~poolviz.lp_explorer.LpPoolingExplorerModel`."""

    def __init__(self, model, lecture=False):
        super().__init__(model, as_bool(lecture, "lecture"), "lp", (13.5, 3.6) if lecture else (11, 3.0))
        self._add("p", widgets.SelectionSlider(options=self._stops(), continuous_update=True, **self._look("p")), "p")
        with self._rc():
            self.figure = _LpFigure(Figure(figsize=self._figsize, dpi=DPI))
        model.observe(self._safe_redraw, names="state")
        self._safe_redraw()
        parts = [self.image, self.caption_html, *self._words(), self.message_html, self.tables_html]
        self.children = self._beside([self.controls["p"], self._numbers()], parts) if self.lecture else \
            [widgets.HBox([self.controls["p"], self._numbers()]), *parts]

    _DERIVED = ("p",)
    _figure_arguments = lambda self: (self.model.state,)  # noqa: E731 - what _show_png draws

    def _stops(self):  # the slider's stops, and a p set from code among them
        return [("inf" if p == np.inf else f"{p:g}", p) for p in sorted({*LP_STOPS, self.model.p})]

    def _show_controls(self):
        super()._show_controls()
        slider, stops = self.controls["p"], tuple(self._stops())
        if slider.options != stops:
            slider.options = stops
        slider.value = self.model.p

    _tables = staticmethod(_lp_panels)

    def _redraw(self):
        state = self.model.state
        self._show_png(self.figure, f"Lp pooling 2 x 2, p = {state.p:g}: {in_words(state.pooled)}")
        self._show_tables()


def lp_pooling_explorer(feature_map: np.typing.ArrayLike | None = None, *, lecture: bool = False,
                        p: float = 1.0) -> LpPoolingExplorer:
    """An explorer of Lp pooling: one slider moves p from 1 (average of |x|) to inf (max of |x|; on a map after a ReLU,
    average and max pooling).

    `feature_map` and `p` as in :class:`poolviz.lp_explorer.LpPoolingExplorerModel` (default input: the diagonal line
    through the line detector); `lecture` as in :func:`pooling_explorer`.
    """
    return LpPoolingExplorer(LpPoolingExplorerModel(feature_map, p=p), lecture=lecture)
