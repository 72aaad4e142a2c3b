"""Interactive explorers: thin ipywidgets views over :mod:`poolviz.explorer`.

``import poolviz`` never imports this module (it imports ipywidgets). Each
view links its controls to a traitlets model with ``traitlets.link`` /
``dlink``; the model does the work, and on every change the view updates
the artists of one persistent matplotlib figure in place and sends it as
PNG bytes to an ``ipywidgets.Image``. That needs no front-end extension and
no ipympl: it works in JupyterLab and in Voila alike. Sliders update while
dragged; the front end keeps one update per control in flight and merges
the moves made meanwhile, so a slow redraw skips values rather than queue
them. In lecture style the controls stand in one column beside the picture.

DOM hooks for browser tests (JupyterLab and Voila; ipywidgets 8 puts a
widget's classes on its outermost element):

====================================  ==========================================
what                                  selector
====================================  ==========================================
explorer container                    ``.poolviz-explorer`` (plus
                                      ``.poolviz-pooling`` or
                                      ``.poolviz-translation``;
                                      ``.poolviz-lecture`` in lecture mode)
the picture (PNG, updates in place)   ``img.poolviz-plot`` (also ``img.widget-image``);
                                      PNG pixels = 2 x its CSS width
what the picture shows (hidden)       ``.poolviz-caption``, sent after each picture,
                                      e.g. ``input ... 6 x 6, shifted (0, 0); max
                                      pooling 2 x 2, strides 2 x 2, padding valid;
                                      output 3 x 3; window 1 of 9``
output-size formula text              ``.poolviz-formula`` (an HTML widget; text in
                                      a monospace ``<pre class="poolviz-mono">``), e.g. ``output rows = floor((6 -
                                      2) / 2) + 1 = 3``
current window's arithmetic           ``.poolviz-arithmetic`` (``<pre>``), e.g.
                                      ``step 2 of 9: ...`` then ``max(0.0, 3.0, ...``
message when settings give no output  ``.poolviz-message`` (empty otherwise; the
                                      picture is hidden while it shows)
Keras check result                    ``.poolviz-keras``; button ``.poolviz-keras-button``
translation: fraction unchanged       ``.poolviz-fraction`` (followed by the
                                      size of the change, relative L1)
sliders                               ``.widget-slider``, each with its description in
                                      ``.widget-label`` ("pool rows", "pool cols",
                                      "stride rows", "stride cols", "shift rows",
                                      "shift cols", "window step"; translation:
                                      "shift (px)", "pool size")
dropdowns                             ``.widget-dropdown select`` ("padding",
                                      "operation", "input"; translation:
                                      "operation", "input", "direction")
====================================  ==========================================

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
import traceback
from contextlib import nullcontext

import ipywidgets as widgets
import matplotlib as mpl
import traitlets
from matplotlib.figure import Figure

import poolviz
from poolviz import plot
from poolviz.explorer import TRANSLATION_OPERATIONS, PoolingExplorerModel, TranslationExplorerModel

__all__ = ["PoolingExplorer", "TranslationExplorer", "pooling_explorer", "translation_explorer"]

#: Largest pool size and stride the sliders offer.
MAX_POOL = 6
#: Shift slider range (pixels, either way).
MAX_SHIFT = 4
#: CSS pixels per inch of figure size: a 9.6-inch-wide figure is shown
#: 691 CSS pixels wide (never wider: the picture is not stretched up).
CSS_DPI = 72
#: Pixels of the PNG per CSS pixel: 2 keeps the pictures sharp on displays
#: with a devicePixelRatio up to 2 (HiDPI laptops); at 1 it is shrunk, not blurred.
PIXEL_DENSITY = 2
#: Resolution the figures are drawn at.
DPI = CSS_DPI * PIXEL_DENSITY
#: Fonts for the arithmetic and formulas, so a window's rows line up in
#: JupyterLab and Voila alike (Voila gives ``<pre>`` a proportional font).
MONOSPACE = "var(--jp-code-font-family, monospace), monospace"

#: Width of each control in lecture style (the controls form one column).
LECTURE_CONTROL_WIDTH = "400px"

_LECTURE_CSS = """
<style>
.poolviz-lecture .widget-label, .poolviz-lecture .widget-readout,
.poolviz-lecture .widget-html-content, .poolviz-lecture .widget-html-content pre,
.poolviz-lecture select, .poolviz-lecture button, .poolviz-lecture .widget-checkbox,
.poolviz-lecture .widget-label-basic span {
    font-size: 22px !important;
    line-height: 1.35 !important;
}
.poolviz-lecture .widget-slider, .poolviz-lecture .widget-dropdown,
.poolviz-lecture .widget-checkbox, .poolviz-lecture .widget-play {
    height: 44px !important;
}
.poolviz-lecture select, .poolviz-lecture button { height: 40px !important; }
.poolviz-lecture .noUi-handle { transform: scale(1.6); }
.poolviz-lecture .widget-checkbox input { transform: scale(1.6); margin-right: 10px; }
.poolviz-lecture .poolviz-message .widget-html-content { font-size: 26px !important; }
</style>
"""


def _pre(text):
    return (f'<pre class="poolviz-mono" style="margin:0; white-space:pre-wrap; font-family:{MONOSPACE}">'
            f"{html.escape(text)}</pre>")


def _beside(controls, pictures):
    """Lecture layout: a column of controls, the pictures and texts to its right."""
    picture_column = widgets.VBox(pictures, layout=widgets.Layout(flex="1 1 0%", min_width="0"))
    return widgets.HBox([widgets.VBox(controls, layout=widgets.Layout(flex="0 0 auto")), picture_column],
                        layout=widgets.Layout(grid_gap="0 16px", align_items="flex-start"))


class _ExplorerView(widgets.VBox):
    """Shared plumbing: lecture styling, the picture, safe redraws."""

    def __init__(self, lecture, kind):
        super().__init__()
        self.lecture = bool(lecture)
        self.add_class("poolviz-explorer")
        self.add_class(f"poolviz-{kind}")
        self.image = widgets.Image(format="png")
        self.image.add_class("poolviz-plot")
        self.message_html = widgets.HTML("")
        self.message_html.add_class("poolviz-message")
        # What the picture shows (a hook for browser tests; not displayed).
        self.caption_html = widgets.HTML("", layout=widgets.Layout(display="none"))
        self.caption_html.add_class("poolviz-caption")
        self.controls = {}
        self.redraws = 0
        if self.lecture:
            self.add_class("poolviz-lecture")

    def _rc(self):
        """matplotlib settings for this view; global settings stay untouched."""
        return mpl.rc_context(plot.LECTURE_RC) if self.lecture else nullcontext()

    def _layout(self, width=None):
        if self.lecture:
            return widgets.Layout(width=width or LECTURE_CONTROL_WIDTH, height="44px")
        return widgets.Layout(width=width or "340px")

    def _style(self):
        return {"description_width": "150px" if self.lecture else "90px"}

    def _slider(self, description, minimum, maximum, value, **kwargs):
        # continuous_update: the picture follows a drag. The front end keeps
        # at most one update per widget in flight and merges later moves into
        # one pending message, so a slow redraw skips values instead of
        # queueing them: after release, the final value is drawn next.
        slider = widgets.IntSlider(value=value, min=minimum, max=maximum, description=description,
                                   continuous_update=True, layout=self._layout(), style=self._style(), **kwargs)
        self.controls[description] = slider
        return slider

    def _dropdown(self, description, options, value):
        dropdown = widgets.Dropdown(options=options, value=value, description=description,
                                    layout=self._layout(), style=self._style())
        self.controls[description] = dropdown
        return dropdown

    def _new_figure(self, figsize):
        """A figure drawn at :data:`DPI` and shown ``figsize`` x :data:`CSS_DPI` CSS pixels wide."""
        width = int(figsize[0] * CSS_DPI)  # rounded down: the PNG has at least PIXEL_DENSITY x as many pixels
        # Never wider than drawn; narrower (a small window, a side column) only shrinks it.
        self.image.layout = widgets.Layout(width=f"{width}px", max_width="100%", height="auto")
        return Figure(figsize=figsize, dpi=DPI)

    def _caption(self):
        """Short text saying what the picture shows (:attr:`caption_html`)."""
        return ""

    def _show_png(self, png):
        self.image.value = png
        # Sent after the picture, so a page showing this caption shows its picture.
        # (Not the image's tooltip: Voila's widget front end fails to draw an
        # Image that has one.)
        self.caption_html.value = html.escape(self._caption())
        self.image.layout.display = None

    def _show_message(self, text):
        self.message_html.value = _pre(text) if text else ""
        if text:
            self.image.layout.display = "none"

    def _safe_redraw(self, change=None):
        # Runs inside widget callbacks: an exception here would only reach
        # the browser console, so show it in the widget instead.
        self.redraws += 1  # picture or message: what a test or benchmark waits for
        try:
            self._redraw()
        except Exception as error:  # noqa: BLE001
            self._show_message(f"Could not draw: {error!r}\n{traceback.format_exc(limit=2)}")


class PoolingExplorer(_ExplorerView):
    """Pooling explorer view: controls, picture, formula and arithmetic.

    Build it with :func:`pooling_explorer`. The view links its controls to
    the model's traits and, on every new state (``model.version``), draws
    ``model.state`` and writes its texts; it computes nothing itself.

    Attributes
    ----------
    model : poolviz.explorer.PoolingExplorerModel
    controls : dict
        Description -> control widget ("pool rows", "padding", ...).
    image : ipywidgets.Image
    formula_html, arithmetic_html, message_html, keras_html : ipywidgets.HTML
    keras_button : ipywidgets.Button
    coverage_checkbox : ipywidgets.Checkbox
        Shows ``coverage_image``: how many windows cover each input cell
        (``model.coverage``) beside the divisor of each window.
    play : ipywidgets.Play
    figure : poolviz.plot.PoolingFigure
    """

    #: Control description -> model trait, for the two-way links.
    _LINKS = {
        "pool rows": "pool_rows", "pool cols": "pool_cols", "strides same as pool": "strides_same_as_pool",
        "stride rows": "stride_rows", "stride cols": "stride_cols", "padding": "padding",
        "operation": "operation", "input": "input_name", "shift rows": "shift_rows", "shift cols": "shift_cols",
    }

    def __init__(self, model, lecture=False):
        super().__init__(lecture, "pooling")
        self.model = model
        self._build_controls()
        self._link_controls()
        self._build_texts()
        with self._rc():
            size = (13.5, 4.4) if self.lecture else (9.6, 3.2)
            self.figure = plot.PoolingFigure.build(self._new_figure(size), show_arithmetic=False,
                                                   annotate_max_cells=plot.EXPLORER_ANNOTATE_MAX_CELLS,
                                                   max_ticks=8, fast_labels=True)
        self._build_coverage_view()
        model.observe(self._safe_redraw, names="version")
        self._safe_redraw()
        self._lay_out()

    def _build_controls(self):
        model = self.model
        self._slider("pool rows", 1, MAX_POOL, model.pool_rows)
        self._slider("pool cols", 1, MAX_POOL, model.pool_cols)
        self.controls["strides same as pool"] = widgets.Checkbox(
            value=model.strides_same_as_pool, description="strides same as pool", indent=False,
            layout=self._layout())
        self._slider("stride rows", 1, MAX_POOL, model.stride_rows)
        self._slider("stride cols", 1, MAX_POOL, model.stride_cols)
        self._dropdown("padding", ["valid", "same"], model.padding)
        self._dropdown("operation", list(poolviz.OPERATIONS), model.operation)
        self._dropdown("input", list(model.input_options), model.input_name)
        self._slider("shift rows", -MAX_SHIFT, MAX_SHIFT, model.shift_rows)
        self._slider("shift cols", -MAX_SHIFT, MAX_SHIFT, model.shift_cols)
        self._slider("window step", 0, model.step_max, model.step)
        self.play = widgets.Play(value=model.step, min=0, max=model.step_max, interval=900,
                                 description="walk the window", show_repeat=False)

    def _link_controls(self):
        model, c = self.model, self.controls
        self._links = [traitlets.link((c[name], "value"), (model, trait)) for name, trait in self._LINKS.items()]
        # The range first, so a value linked next always fits.
        self._links += [
            traitlets.dlink((model, "step_max"), (c["window step"], "max")),
            traitlets.dlink((model, "step_max"), (self.play, "max")),
            traitlets.link((c["window step"], "value"), (model, "step")),
            traitlets.link((self.play, "value"), (model, "step")),
            traitlets.dlink((model, "strides_same_as_pool"), (c["stride rows"], "disabled")),
            traitlets.dlink((model, "strides_same_as_pool"), (c["stride cols"], "disabled")),
        ]

    def _build_texts(self):
        self.formula_html = widgets.HTML()
        self.formula_html.add_class("poolviz-formula")
        self.arithmetic_html = widgets.HTML()
        self.arithmetic_html.add_class("poolviz-arithmetic")
        self.keras_html = widgets.HTML()
        self.keras_html.add_class("poolviz-keras")
        self.keras_button = widgets.Button(description="Check with Keras", icon="check",
                                           tooltip="Run the same pooling with the Keras layer (loads TensorFlow)",
                                           layout=widgets.Layout(width="auto", flex="0 0 auto"))  # never cut
        self.keras_button.add_class("poolviz-keras-button")
        self.keras_button.on_click(self._check_with_keras)
        self._links.append(traitlets.dlink((self.model, "keras_text"), (self.keras_html, "value"), html.escape))

    def _lay_out(self):
        c = self.controls
        pool_controls = [c[name] for name in ("pool rows", "pool cols", "strides same as pool", "stride rows",
                                              "stride cols")]
        input_controls = [c[name] for name in ("padding", "operation", "input", "shift rows", "shift cols")]
        texts = widgets.HBox([self.formula_html, self.arithmetic_html],
                             layout=widgets.Layout(justify_content="space-between", grid_gap="0 2em",
                                                   flex_flow="row wrap"))
        keras_row = widgets.HBox([self.keras_button, self.keras_html])
        if self.lecture:
            # Controls beside the picture: a projector's 720 rows hold both.
            self.children = [widgets.HTML(_LECTURE_CSS),
                             _beside(pool_controls + input_controls + [c["window step"], self.play],
                                     [self.image, self.caption_html, self.message_html, texts, keras_row,
                                      self.coverage_checkbox, self.coverage_image])]
        else:
            self.children = [widgets.HBox([widgets.VBox(pool_controls), widgets.VBox(input_controls)]),
                             widgets.HBox([c["window step"], self.play]), self.image, self.caption_html,
                             self.message_html, texts, keras_row, self.coverage_checkbox, self.coverage_image]

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
        if state is None or not state.ok:
            self._show_message(model.message)
            return
        self._show_message("")
        with self._rc():
            self.figure.show(state)
            self._show_png(self.figure.render_png())
        self._redraw_coverage()

    def _build_coverage_view(self):
        """A checkbox and a picture: windows per input cell beside the divisors."""
        self.coverage_checkbox = widgets.Checkbox(
            value=False, description="show coverage (windows per input cell)", indent=False,
            layout=self._layout("auto"))
        figsize = (7.0, 3.0)
        # Shown at its CSS size like the main picture: PIXEL_DENSITY PNG pixels per CSS pixel.
        self.coverage_image = widgets.Image(format="png", layout=widgets.Layout(
            display="none", width=f"{int(figsize[0] * CSS_DPI)}px", max_width="100%", height="auto"))
        self.coverage_image.add_class("poolviz-coverage")
        self.coverage_figure = Figure(figsize=figsize, dpi=DPI)
        self.coverage_checkbox.observe(self._safe_redraw, names="value")

    def _redraw_coverage(self):
        coverage = self.model.coverage
        if not self.coverage_checkbox.value or coverage is None:
            self.coverage_image.layout.display = "none"
            return
        from poolviz.going_further.coverage import coverage_figure

        with self._rc():
            coverage_figure(coverage, self.model.state.real_cells, fig=self.coverage_figure)
            self.coverage_image.value = plot.figure_to_png(self.coverage_figure)
        self.coverage_image.layout.display = None

    def _check_with_keras(self, button=None):
        self.keras_html.value = "Checking with Keras (the first time loads TensorFlow, a few seconds)..."
        try:
            self.model.check_with_keras()
        finally:
            self.keras_html.value = html.escape(self.model.keras_text)


class TranslationExplorer(_ExplorerView):
    """Translation-invariance explorer view; build it with :func:`translation_explorer`.

    Attributes
    ----------
    model : poolviz.explorer.TranslationExplorerModel
    controls : dict
    image : ipywidgets.Image
    fraction_html, message_html : ipywidgets.HTML
    figure : poolviz.plot.TranslationFigure or None
        None until the model first has a state to draw.
    """

    #: Control description -> model trait, for the two-way links.
    _LINKS = {"shift (px)": "shift", "pool size": "pool_size", "operation": "operation", "input": "input_name",
              "direction": "direction"}

    def __init__(self, model, lecture=False):
        super().__init__(lecture, "translation")
        self.model = model
        self._slider("shift (px)", 0, model.max_shift, model.shift)
        self._slider("pool size", 2, 4, model.pool_size)
        self._dropdown("operation", list(TRANSLATION_OPERATIONS), model.operation)
        self._dropdown("input", list(model.input_options), model.input_name)
        self._dropdown("direction", ["right", "down", "diagonal"], model.direction)
        self._links = [traitlets.dlink((model, "max_shift"), (self.controls["shift (px)"], "max"))]
        self._links += [traitlets.link((self.controls[name], "value"), (model, trait))
                        for name, trait in self._LINKS.items()]
        self.fraction_html = widgets.HTML()
        self.fraction_html.add_class("poolviz-fraction")
        self.figure = None
        model.observe(self._safe_redraw, names="version")
        self._safe_redraw()
        self._lay_out()

    def _lay_out(self):
        c = self.controls
        if self.lecture:
            self.children = [widgets.HTML(_LECTURE_CSS),
                             _beside([c["shift (px)"], c["pool size"], c["operation"], c["input"], c["direction"]],
                                     [self.image, self.caption_html, self.message_html, self.fraction_html])]
        else:
            self.children = [widgets.HBox([widgets.VBox([c["shift (px)"], c["pool size"]]),
                                           widgets.VBox([c["operation"], c["input"], c["direction"]])]),
                             self.image, self.caption_html, self.message_html, self.fraction_html]

    def _caption(self):
        model = self.model
        rows, cols = model.image.shape
        return (f"input {model.input_name} {rows} x {cols}, shifted {model.shift} px {model.direction}; "
                f"{model.operation} pooling {model.pool_size} x {model.pool_size}")

    def _redraw(self):
        model, state = self.model, self.model.state
        self.fraction_html.value = _pre(model.fraction_text)
        if state is None:
            self._show_message(model.message)
            return
        self._show_message("")
        with self._rc():
            if self.figure is None:
                size = (15, 4.4) if self.lecture else (11, 3.2)
                self.figure = plot.TranslationFigure.build(self._new_figure(size), fast_labels=True)
            self.figure.show(model.shifted_image, state.result, model.shift, state.other_result)
            self._show_png(self.figure.render_png())


def pooling_explorer(feature_map=None, *, lecture=False, **initial_values):
    """An interactive pooling explorer for a notebook or a Voila page.

    Parameters
    ----------
    feature_map : array_like, optional
        A 2-D array to explore (listed as "your array" among the inputs).
        Default: the tutorial's 6 x 6 line-detector output.
    lecture : bool
        Large fonts and controls, readable from the back of a room.
    **initial_values
        Initial control values: ``pool_rows, pool_cols,
        strides_same_as_pool, stride_rows, stride_cols, padding, operation,
        input_name, shift_rows, shift_cols, step``.

    Returns
    -------
    PoolingExplorer
        An ``ipywidgets.VBox``; its ``model`` drives it from code.
    """
    return PoolingExplorer(PoolingExplorerModel(feature_map, **initial_values), lecture=lecture)


def translation_explorer(image=None, *, lecture=False, **initial_values):
    """An explorer of translation invariance: shift the input, see what changes.

    Parameters
    ----------
    image : array_like, optional
        A 2-D array to shift (listed as "your array"). Default input: the
        tutorial's 8 x 8 vertical line.
    lecture : bool
        Large fonts and controls.
    **initial_values
        ``input_name, operation, pool_size, max_shift, shift, direction``.

    Returns
    -------
    TranslationExplorer
    """
    return TranslationExplorer(TranslationExplorerModel(image, **initial_values), lecture=lecture)
