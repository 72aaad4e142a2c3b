"""Tests of poolviz.widgets, headless: widget values are set from Python the
way a browser would set them, and the model, the texts and the picture are
checked. Browser-level tests live in tests/browser/ (helper "browser").
"""

import doctest
import io
import itertools
import subprocess
import sys
import types

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import traitlets  # noqa: E402
from PIL import Image  # noqa: E402

pytest.importorskip("ipywidgets")

import ipywidgets  # noqa: E402

import poolviz  # noqa: E402
from poolviz import plot, widgets  # noqa: E402
from poolviz.explorer import PoolingExplorerModel  # noqa: E402
from poolviz.widgets import pooling_explorer, translation_explorer  # noqa: E402


def _png_size(png):
    return Image.open(io.BytesIO(png)).size


def test_doctests_pass():
    failures, attempted = doctest.testmod(widgets)
    assert attempted >= 4
    assert failures == 0


def test_import_poolviz_loads_no_widgets_no_tensorflow_no_matplotlib():
    code = ("import sys, poolviz\n"
            "print([m for m in ('ipywidgets', 'tensorflow', 'keras', 'matplotlib', 'traitlets') if m in sys.modules])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_controls_have_clear_descriptions():
    explorer = pooling_explorer()
    assert set(explorer.controls) == {
        "pool rows", "pool cols", "strides same as pool", "stride rows", "stride cols", "padding", "operation",
        "input", "shift rows", "shift cols", "window step", "numbers"}
    for description, control in explorer.controls.items():
        assert control.description == description
    assert explorer.controls["operation"].options == poolviz.OPERATIONS
    assert explorer.keras_button.description == "Check with Keras"
    assert isinstance(explorer.play, ipywidgets.Play)


def test_dom_classes_for_the_browser_tests():
    explorer = pooling_explorer()
    assert {"poolviz-explorer", "poolviz-pooling"} <= set(explorer._dom_classes)
    assert "poolviz-lecture" not in explorer._dom_classes
    assert "poolviz-plot" in explorer.image._dom_classes
    assert "poolviz-formula" in explorer.formula_html._dom_classes
    assert "poolviz-arithmetic" in explorer.arithmetic_html._dom_classes
    assert "poolviz-message" in explorer.message_html._dom_classes
    assert "poolviz-keras" in explorer.keras_html._dom_classes
    assert "poolviz-caption" in explorer.caption_html._dom_classes
    # everything is reachable from the top container
    def descendants(widget):
        for child in getattr(widget, "children", ()):
            yield child
            yield from descendants(child)
    shown = set(map(id, descendants(explorer)))
    for part in (explorer.image, explorer.formula_html, explorer.arithmetic_html, explorer.message_html,
                 explorer.keras_html, explorer.keras_button, explorer.play, explorer.caption_html,
                 *explorer.controls.values()):
        assert id(part) in shown
    lecture = pooling_explorer(lecture=True)  # the same parts, in a column of controls beside the picture
    shown = set(map(id, descendants(lecture)))
    assert all(id(part) in shown for part in (lecture.image, lecture.caption_html, lecture.formula_html,
                                              lecture.arithmetic_html, lecture.keras_button, lecture.play,
                                              *lecture.controls.values()))


def test_starts_with_the_tutorial_numbers_and_a_picture():
    explorer = pooling_explorer()
    # what a notebook displays (a broken repr shows a traceback, not the explorer)
    assert "PoolingExplorer(" in repr(explorer) and "TranslationExplorer(" in repr(translation_explorer())
    assert explorer.image.value[:8] == b"\x89PNG\r\n\x1a\n"
    assert "output rows = floor((6 - 2) / 2) + 1 = 3" in explorer.formula_html.value
    assert "output shape = (3, 3)" in explorer.formula_html.value
    assert "step 1 of 9: output cell (0, 0)" in explorer.arithmetic_html.value
    assert explorer.message_html.value == ""
    np.testing.assert_array_equal(explorer.model.pooled, [[0, 3, 0]] * 3)


def test_each_control_change_redraws_exactly_once():
    explorer = pooling_explorer(np.arange(16.0).reshape(4, 4))
    for name, value in [("pool rows", 3), ("window step", 2), ("padding", "same"), ("operation", "average"),
                        ("shift cols", 1), ("pool rows", 5), ("pool cols", 5), ("padding", "valid"),
                        ("pool rows", 6)]:
        redraws = explorer.redraws
        explorer.controls[name].value = value
        assert explorer.redraws == redraws + 1, name
    # the last move went from one message to another: the text followed
    assert "A 6 x 5 pool does not fit" in explorer.message_html.value


def test_strides_checkbox_disables_the_stride_sliders():
    explorer = pooling_explorer()
    assert explorer.controls["stride rows"].disabled and explorer.controls["stride cols"].disabled
    explorer.controls["strides same as pool"].value = False
    assert not explorer.controls["stride rows"].disabled
    explorer.controls["stride cols"].value = 1
    assert explorer.model.output_shape == (3, 5)
    assert "output cols = floor((6 - 2) / 1) + 1 = 5" in explorer.formula_html.value


def test_keras_button_reports_the_comparison(monkeypatch):
    calls = []

    def compare(x, operation, **kwargs):
        calls.append(operation)
        return types.SimpleNamespace(agree=True, max_abs_difference=0.0)

    module = types.ModuleType("poolviz.keras_bridge")
    module.compare = compare
    monkeypatch.setitem(sys.modules, "poolviz.keras_bridge", module)
    monkeypatch.setattr(PoolingExplorerModel, "tensorflow_available", staticmethod(lambda: True))
    explorer = pooling_explorer()
    assert "not run for these settings yet" in explorer.keras_html.value
    explorer.controls["pool cols"].value = 3  # moving a slider never calls Keras
    assert calls == []
    explorer.keras_button.click()
    assert calls == ["max"]
    assert explorer.keras_html.value == "Keras agrees with poolviz for these settings: max |poolviz - Keras| = 0"


def test_keras_button_without_tensorflow_shows_a_message(monkeypatch):
    module = types.ModuleType("poolviz.keras_bridge")

    def compare(*args, **kwargs):
        raise ImportError("TensorFlow is needed: pip install tensorflow")

    module.compare = compare
    monkeypatch.setitem(sys.modules, "poolviz.keras_bridge", module)
    explorer = pooling_explorer()
    explorer.keras_button.click()
    assert explorer.keras_html.value == "Keras check unavailable: TensorFlow is needed: pip install tensorflow"


def test_lecture_mode_is_large_and_scoped():
    before = matplotlib.rcParams.copy()
    normal = pooling_explorer()
    lecture = pooling_explorer(lecture=True)
    assert "poolviz-lecture" in lecture._dom_classes
    style = lecture.children[0]
    assert isinstance(style, ipywidgets.HTML)
    assert style.value.strip().startswith("<style>") and ".poolviz-lecture .widget-label" in style.value
    assert lecture.controls["pool rows"].layout.width == "400px"  # one column beside the picture
    assert normal.controls["pool rows"].layout.width == "340px"
    assert lecture.figure.input.ax.title.get_fontsize() == plot.LECTURE_RC["axes.titlesize"]
    assert normal.figure.input.ax.title.get_fontsize() < plot.LECTURE_RC["axes.titlesize"]
    assert _png_size(lecture.image.value)[0] > _png_size(normal.image.value)[0]
    lecture.controls["pool rows"].value = 3  # redraws keep the lecture fonts, globals stay put
    assert lecture.figure.output.ax.title.get_fontsize() == plot.LECTURE_RC["axes.titlesize"]
    assert dict.__eq__(matplotlib.rcParams.copy(), before)


def test_no_pyplot_figures_are_left_behind():
    import matplotlib.pyplot as plt

    plt.close("all")
    explorer = pooling_explorer()
    explorer.controls["pool rows"].value = 3
    translation_explorer()
    # a pyplot figure would be shown a second time by the inline backend
    assert plt.get_fignums() == []


def test_translation_explorer_highlights_changed_cells():
    explorer = translation_explorer()
    assert {"poolviz-explorer", "poolviz-translation"} <= set(explorer._dom_classes)
    assert "0.75 of the pooled outputs unchanged (12 of 16)" in explorer.fraction_html.value
    assert explorer.figure.changed_cells == [(0, 1), (1, 1), (2, 1), (3, 1)]
    picture = explorer.image.value
    explorer.controls["shift (px)"].value = 3
    assert "0.25 of the pooled outputs unchanged (4 of 16)" in explorer.fraction_html.value
    assert len(explorer.figure.changed_cells) == 12
    assert explorer.image.value != picture
    explorer.controls["operation"].value = "average"
    assert "average pooling 2 x 2: 0.25" in explorer.fraction_html.value
    explorer.controls["pool size"].value = 4
    assert explorer.model.result.changed.shape == (4, 2, 2)
    explorer.controls["direction"].value = "down"
    # a vertical line moving down: its top rows fill with zeros, which only the average notices
    assert "0.50 of the pooled outputs unchanged (2 of 4); max pooling: 1.00" in explorer.fraction_html.value


def test_the_operation_menu_offers_only_the_operations_given_and_a_choice_reaches_the_model():
    translation = translation_explorer(operations=("max", "average"))
    menu = translation.controls["operation"]
    assert menu.options == ("max", "average") == translation.model.operations
    menu.value = "average"
    assert translation.model.operation == "average" and "average pooling 2 x 2" in translation.fraction_html.value
    with pytest.raises(traitlets.TraitError):
        menu.value = "max-blur"  # not in the menu: the dropdown itself refuses it
    assert translation.model.operation == "average"
    pooling = pooling_explorer(operations=("max", "average"), operation="average")
    assert pooling.controls["operation"].options == ("max", "average")
    assert pooling.model.state.operation == "average" and "average(" in pooling.arithmetic_html.value
    with pytest.raises(ValueError, match=r"^operations must be .*, got \(\)"):
        pooling_explorer(operations=())
    with pytest.raises(TypeError, match="^operations must be a tuple of names"):
        translation_explorer(operations="max")


def test_translation_explorer_message_for_a_tiny_image():
    explorer = translation_explorer(np.ones((3, 3)))
    explorer.controls["pool size"].value = 4
    assert "A 4 x 4 pool does not fit in the 3 x 3 image" in explorer.message_html.value
    assert explorer.image.layout.display == "none"
    explorer.controls["pool size"].value = 2
    assert explorer.message_html.value == "" and explorer.image.layout.display is None


# --------------------------------------------------------------------------
# Every combination of controls: nothing raises, invariants hold
# --------------------------------------------------------------------------
POOLS = range(1, widgets.MAX_POOL + 1)
STRIDES = [None] + list(itertools.product([1, 2, 3], repeat=2))  # None: same as pool
SHIFTS = [(0, 0), (2, -1), (-4, 4)]


def _check_controls(explorer):
    """Every control shows the value in use, and the state agrees with the model."""
    model, state, controls = explorer.model, explorer.model.state, explorer.controls
    assert controls["pool rows"].value == model.pool_rows and controls["padding"].value == model.padding
    strides = state.strides if model.strides_same_as_pool else (model.stride_rows, model.stride_cols)
    assert (controls["stride rows"].value, controls["stride cols"].value) == strides
    if not state.ok:
        assert "does not fit" in model.message and explorer.image.layout.display == "none"
        return
    assert controls["window step"].value == model.step + 1 and controls["window step"].max == state.n_windows
    assert f"step {model.step + 1} of {state.n_windows}" in explorer.arithmetic_html.value
    assert state.window.output_index == divmod(model.step, state.output_shape[1])
    assert state.window.result == pytest.approx(state.pooled[state.window.output_index], nan_ok=True)
    assert explorer.figure.state is state and explorer.image.layout.display is None


def test_sampled_control_combinations_draw_the_state_and_show_the_values_in_use():
    explorer = pooling_explorer(np.random.default_rng(0).normal(size=(9, 9)))
    controls = explorer.controls
    grid = list(itertools.product(POOLS, POOLS, STRIDES, ("valid", "same"), poolviz.OPERATIONS, SHIFTS))
    pictures = set()
    for pool_rows, pool_cols, strides, padding, operation, (shift_rows, shift_cols) in grid[:: len(grid) // 12]:
        stride_values = {} if strides is None else dict(stride_rows=strides[0], stride_cols=strides[1])
        redraws = explorer.redraws
        explorer.model.configure(pool_rows=pool_rows, pool_cols=pool_cols, strides_same_as_pool=strides is None,
                                 padding=padding, operation=operation, shift_rows=shift_rows, shift_cols=shift_cols,
                                 **stride_values)
        assert explorer.redraws == redraws + 1
        step = controls["window step"]
        if step.max > 1:  # as a student drags it
            step.value = step.max if step.value != step.max else 1
            assert explorer.redraws == redraws + 2
        _check_controls(explorer)
        pictures.add(explorer.image.value)
    assert len(pictures) > 6


def test_pool_slider_changes_model_formula_stepper_range_and_picture_in_place():
    explorer = pooling_explorer(step=8)
    before, figure, image_artist = explorer.image.value, explorer.figure.fig, explorer.figure.output.image
    explorer.controls["pool rows"].value = 3
    assert explorer.model.output_shape == (2, 3) and explorer.model.step == 5
    assert "output rows = floor((6 - 3) / 3) + 1 = 2" in explorer.formula_html.value
    assert explorer.controls["window step"].max == explorer.play.max == 6
    assert explorer.controls["window step"].value == 6  # counted from 1, like "step 6 of 6"
    assert explorer.image.value != before
    assert explorer.figure.fig is figure and explorer.figure.output.image is image_artist


def test_the_window_step_readout_agrees_with_the_arithmetic():
    """Issue 19 (6): the readout said 1183 beside "step 1184 of 1184"."""
    explorer = pooling_explorer(operation="average")
    explorer.controls["window step"].value = 2
    assert explorer.model.step == 1
    assert "step 2 of 9: output cell (0, 1) &lt;- input rows 0..1, cols 2..3" in explorer.arithmetic_html.value
    assert explorer.figure.window_patch.get_xy() == (1.5, -0.5)
    explorer.play.value = 5  # the Play button drives the same step
    assert explorer.model.step == 4 and explorer.controls["window step"].value == 5
    assert "step 5 of 9" in explorer.arithmetic_html.value and explorer.caption_html.value.endswith("window 5 of 9")


def test_starting_values_beyond_the_sliders_widen_them_never_clamped():
    """Issue 19 (6): pooling_explorer(pool_rows=10) started at 6, translation_explorer(pool_size=7) at 4."""
    explorer = pooling_explorer(np.zeros((12, 12)), pool_rows=10, shift_cols=-9)
    assert explorer.controls["pool rows"].value == explorer.model.pool_rows == 10
    assert explorer.controls["shift cols"].value == -9 and explorer.model.output_shape == (1, 6)
    translation = translation_explorer(pool_size=7)
    assert translation.controls["pool size"].value == translation.model.pool_size == 7
    # after model.pool_rows = 100 the slider showed 6, and moving it to 6 did nothing
    explorer.model.configure(pool_rows=100, padding="same")
    assert explorer.controls["pool rows"].value == 100 and explorer.controls["stride rows"].value == 100
    explorer.controls["pool rows"].value = 6
    assert explorer.model.pool_rows == 6 and explorer.model.state.pool_size == (6, 2)
    explorer.controls["pool rows"].value = 2


def test_a_stride_set_while_the_strides_follow_the_pool_is_kept_not_shown():
    """Issue 19 (6): it raised "Broken link" and the disabled slider showed a stride not in use."""
    explorer = pooling_explorer()
    controls, model = explorer.controls, explorer.model
    controls["pool rows"].value = 4
    model.stride_rows = 1  # no error
    assert controls["stride rows"].disabled and controls["stride rows"].value == 4 == model.state.strides[0]
    model.strides_same_as_pool = False
    assert controls["stride rows"].value == 1 == model.state.strides[0]
    model.configure(strides_same_as_pool=True, pool_cols=3)
    # unchecking in the view starts from the stride in use, in one state
    pooled, redraws = model.pooled.copy(), explorer.redraws
    controls["strides same as pool"].value = False
    assert model.state.strides == (4, 3) and explorer.redraws == redraws + 1 and not controls["stride rows"].disabled
    np.testing.assert_array_equal(model.pooled, pooled)
    controls["stride rows"].value = 1
    assert model.state.strides == (1, 3)
    controls["strides same as pool"].value = True
    assert (controls["stride rows"].value, controls["stride cols"].value) == (4, 3) == model.state.strides


def test_nonsense_shows_a_message_instead_of_a_picture_and_recovers():
    explorer = pooling_explorer(np.arange(16.0).reshape(4, 4))
    explorer.controls["pool rows"].value = 5
    explorer.controls["pool cols"].value = 5
    assert "does not fit in the 4 x 4 input" in explorer.message_html.value
    assert explorer.image.layout.display == "none" and explorer.controls["window step"].max == 1
    explorer.controls["padding"].value = "same"
    assert explorer.message_html.value == "" and explorer.image.layout.display is None


def test_one_picture_per_change_and_the_views_compute_nothing(monkeypatch):
    from poolviz import explorer as explorer_module

    calls = {"pooling_window": 0, "translation_invariance": 0}
    for name in calls:
        function = getattr(explorer_module, name)

        def counted(*args, _function=function, _name=name, **kwargs):
            calls[_name] += 1
            return _function(*args, **kwargs)

        monkeypatch.setattr(explorer_module, name, counted)
    pooling = pooling_explorer()
    shows = []
    monkeypatch.setattr(pooling.figure, "show", lambda state, _show=pooling.figure.show: shows.append(_show(state)))
    pooling.controls["pool rows"].value = 3
    pooling.coverage_checkbox.value = True
    assert calls["pooling_window"] == 2 and len(shows) == 1 and pooling.figure.state is pooling.model.state
    translation = translation_explorer()
    assert calls["translation_invariance"] == 2  # the chosen pooling and the other one
    translation.controls["shift (px)"].value = 3  # picked from the state
    assert calls["translation_invariance"] == 2
    assert "0.25 of the pooled outputs unchanged" in translation.fraction_html.value


@pytest.mark.parametrize("lecture", [False, True], ids=["default", "lecture"])
def test_pictures_have_two_png_pixels_per_css_pixel_and_are_never_stretched(lecture):
    for explorer in (pooling_explorer(lecture=lecture), translation_explorer(lecture=lecture)):
        css_width = explorer.image.layout.width
        assert css_width.endswith("px") and explorer.image.layout.max_width == "100%"
        assert explorer.image.layout.height == "auto"  # the aspect ratio is kept when it shrinks
        png_width, png_height = _png_size(explorer.image.value)
        assert png_width == widgets.PIXEL_DENSITY * int(css_width[:-2]) == 2 * int(css_width[:-2])
        assert png_height == int(explorer.figure.fig.get_figheight() * widgets.DPI)


def test_formulas_and_arithmetic_are_monospace():
    explorer = pooling_explorer()
    for part in (explorer.formula_html, explorer.arithmetic_html):
        assert part.value.startswith('<pre class="poolviz-mono" style="')
        assert "font-family:var(--jp-code-font-family, monospace), monospace" in part.value
    assert "max(0.0, 0.0,\n    0.0, 0.0) = 0.0" in explorer.arithmetic_html.value


def test_sliders_follow_a_drag_and_the_caption_follows_the_picture():
    explorer = pooling_explorer(np.arange(64.0).reshape(8, 8))
    sliders = [control for control in explorer.controls.values() if isinstance(control, ipywidgets.IntSlider)]
    assert len(sliders) == 7 and all(slider.continuous_update for slider in sliders)
    assert all(slider.continuous_update for slider in translation_explorer().controls.values()
               if isinstance(slider, ipywidgets.IntSlider))
    sent = []
    explorer.image.observe(lambda change: sent.append("picture"), names="value")
    explorer.caption_html.observe(lambda change: sent.append(change["new"]), names="value")
    explorer.controls["pool rows"].value = 3
    assert sent == ["picture", "input your array 8 x 8, shifted (0, 0); max pooling 3 x 2, strides 3 x 2, "
                               "padding valid; output 2 x 4; window 1 of 8"]
    assert explorer.caption_html.layout.display == "none"


def test_padding_in_capitals_from_code_shows_in_the_dropdown():
    explorer = pooling_explorer(padding="SAME")
    assert explorer.controls["padding"].value == "same" == explorer.model.padding
    explorer.model.padding = "VALID"
    assert explorer.controls["padding"].value == "valid"


def test_each_picture_has_words_that_follow_it_and_the_live_region_says_the_output_and_window():
    pytest.importorskip("anywidget")
    explorer = pooling_explorer()
    words = explorer.words
    assert words in explorer.children or any(words in box.children for box in explorer.children)
    assert words.alts == {"poolviz-plot": explorer.model.state.description}
    assert words.said.endswith("output 3 x 3; window 1 of 9")
    picture = explorer.image.value
    explorer.controls["window step"].value = 2
    assert explorer.image.value != picture and words.alts["poolviz-plot"] == explorer.model.state.description
    assert "window 2 of 9 reads rows 0 to 1, columns 2 to 3" in words.alts["poolviz-plot"]
    assert words.said.endswith("window 2 of 9")
    explorer.coverage_checkbox.value = True
    assert words.alts["poolviz-coverage"] == ("windows covering each input cell: 6 x 6: rows 1 1 1 1 1 1 / "
                                              + " / ".join(["1 1 1 1 1 1"] * 5) + "; real cells per window "
                                              "(divisor): 3 x 3: rows 4 4 4 / 4 4 4 / 4 4 4")
    explorer.controls["pool rows"].value = 6
    explorer.controls["padding"].value = "valid"
    explorer.model.pool_rows = 7  # no output: the region says why
    assert words.said == explorer.model.message != ""
    translation = translation_explorer(shift=1)
    alt = translation.words.alts["poolviz-plot"]
    assert alt == ("Figure. input shifted 1 px: 8 x 8, values 0 to 1, the largest in 16 cells within rows 0 to 7, "
                   "columns 4 to 5. max pool 2 x 2, no shift: 4 x 4: rows 0 1 1 0 / 0 1 1 0 / 0 1 1 0 / 0 1 1 0. "
                   "after shift: 12 of 16 unchanged: 4 x 4: rows 0 0 1 0 / 0 0 1 0 / 0 0 1 0 / 0 0 1 0. "
                   "fraction unchanged (x axis shift (pixels)): max: 1 0.75 0.5 0.25; average: 1 0.5 0.5 0.25")
    assert translation.words.said.endswith("max pooling 2 x 2; output 4 x 4, 12 of 16 unchanged")
    translation.controls["shift (px)"].value = 2
    assert "after shift: 8 of 16 unchanged" in translation.words.alts["poolviz-plot"]
    assert translation.words.said.endswith("output 4 x 4, 8 of 16 unchanged")


def test_the_numbers_checkbox_shows_the_maps_as_tables_with_the_window_in_brackets():
    explorer = pooling_explorer()
    assert explorer.tables_html.value == ""
    explorer.controls["numbers"].value = True
    explorer.controls["window step"].value = 2  # rows 0-1, columns 2-3: the line's 3s
    tables = explorer.tables_html.value
    assert tables.count("<table") == 2 and "input 6 x 6, window 2 of 9 in [brackets]" in tables
    assert tables.count(">[3]</td>") == 4 + 1 and tables.count(">[0]</td>") == 0  # the window, its output cell
    assert "<th scope='row'>5</th><td>0</td><td>0</td><td>3</td><td>3</td><td>0</td><td>0</td></tr>" in tables
    explorer.controls["input"].value = "photograph"  # 4800 cells: words instead of a table
    # No brackets in words: the text says where the window is.
    assert ("<p>input 75 x 64, window 2 of 1184 on rows 0 to 1, columns 2 to 3: 75 x 64, values"
            in explorer.tables_html.value)
    explorer.controls["numbers"].value = False
    assert explorer.tables_html.value == ""
    translation = translation_explorer(shift=1)
    translation.controls["numbers"].value = True
    assert translation.tables_html.value.count(">[0]</td>") == 4  # the column the line left
