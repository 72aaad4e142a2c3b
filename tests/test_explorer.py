"""Tests of poolviz.explorer: pure state functions and the traitlets models.

No widgets and no drawing here: the models are driven like a student's
sliders would drive them, and the numbers they publish are checked.
"""

import doctest
import sys
import types

import numpy as np
import pytest
import traitlets

import poolviz
from poolviz import explorer
from poolviz.explorer import (
    CUSTOM_INPUT,
    LINE_DETECTOR_INPUT,
    PoolingExplorerModel,
    TranslationExplorerModel,
    divisor_map,
    load_input,
    pooling_state,
    translation_invariance,
)

TUTORIAL_ROW = [0.0, 0.0, 3.0, 3.0, 0.0, 0.0]


def test_doctests_pass():
    failures, attempted = doctest.testmod(explorer, optionflags=doctest.ELLIPSIS)
    assert attempted >= 8
    assert failures == 0


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
def test_default_input_is_the_tutorials_line_detector_output():
    feature_map = load_input(LINE_DETECTOR_INPUT)
    assert feature_map.shape == (6, 6)
    np.testing.assert_array_equal(feature_map, np.tile(TUTORIAL_ROW, (6, 1)))


def test_line_detector_input_shifts_the_image_before_detection():
    # The 8x8 line moves one column right, so the detected line does too.
    shifted = load_input(LINE_DETECTOR_INPUT, shift_cols=1)
    np.testing.assert_array_equal(shifted[0], [0, 0, 0, 3, 3, 0])


def test_other_inputs_shift_with_zero_fill():
    shifted = load_input("vertical line", shift_rows=-2)
    np.testing.assert_array_equal(shifted[-2:], np.zeros((2, 8)))
    np.testing.assert_array_equal(shifted[0], poolviz.data.vertical_line()[0])


def test_every_named_input_loads_as_a_2d_float_array():
    for name in explorer.input_names():
        array = load_input(name)
        assert array.ndim == 2 and array.dtype == np.float64, name


def test_unknown_input_names_the_argument():
    with pytest.raises(ValueError, match="input must be one of .* got 'cat'"):
        load_input("cat")


# --------------------------------------------------------------------------
# pooling_state
# --------------------------------------------------------------------------
@pytest.mark.parametrize("operation", ["max", "average"])
def test_tutorial_pooling_gives_zero_three_zero_rows(operation):
    state = pooling_state(load_input(LINE_DETECTOR_INPUT), operation=operation)
    assert state.ok and state.message == ""
    assert state.output_shape == (3, 3)
    np.testing.assert_array_equal(state.pooled, [[0, 3, 0]] * 3)
    assert state.formula_text == (
        "output rows = floor((6 - 2) / 2) + 1 = 3\n"
        "output cols = floor((6 - 2) / 2) + 1 = 3\n"
        "output shape = (3, 3)"
    )


def test_step_walks_the_windows_row_by_row_like_the_hand_calculation():
    feature_map = load_input(LINE_DETECTOR_INPUT)
    state = pooling_state(feature_map, operation="average", step=1)
    assert state.n_windows == 9
    assert state.window.output_index == (0, 1)
    assert list(state.window.cols) == [2, 3]  # moved two columns to the right
    assert state.arithmetic_text == (
        "step 2 of 9: output cell (0, 1) <- input rows 0..1, cols 2..3\n"
        "average(3.0, 3.0,\n"
        "        3.0, 3.0) = 12.0 / 4 = 3.0"
    )


@pytest.mark.parametrize(
    "pool_size, strides, padding",
    [((2, 2), None, "valid"), ((3, 2), (1, 2), "same"), ((2, 3), (3, 1), "same"), ((5, 5), (2, 2), "same"),
     ((1, 4), None, "valid")],
)
@pytest.mark.parametrize("operation", ["max", "average"])
def test_window_of_every_step_matches_walk_windows(pool_size, strides, padding, operation):
    feature_map = np.random.default_rng(3).normal(size=(7, 6))
    walk = poolviz.walk_windows(feature_map, pool_size, strides, padding, operation)
    for step, expected in enumerate(walk):
        state = pooling_state(feature_map, pool_size, strides, padding, operation, step=step)
        window = state.window
        assert window.output_index == expected.output_index
        assert (window.rows, window.cols) == (expected.rows, expected.cols)
        np.testing.assert_array_equal(window.is_padding, expected.is_padding)
        np.testing.assert_array_equal(window.values, expected.values)
        assert window.result == pytest.approx(expected.result)
        assert state.pooled[window.output_index] == pytest.approx(window.result)


def test_same_padding_amounts_put_the_odd_cell_bottom_right():
    state = pooling_state(np.arange(25.0).reshape(5, 5), pool_size=(2, 2), padding="same")
    assert state.padding_amounts == (0, 1, 0, 1)
    state = pooling_state(np.arange(25.0).reshape(5, 5), pool_size=(4, 4), strides=(1, 1), padding="same")
    assert state.padding_amounts == (1, 2, 1, 2)


def test_divisors_count_only_real_cells_as_keras_does():
    state = pooling_state(np.arange(25.0).reshape(5, 5), pool_size=(2, 2), padding="same", operation="average")
    np.testing.assert_array_equal(state.divisors, [[4, 4, 2], [4, 4, 2], [2, 2, 1]])
    walk = poolviz.walk_windows(np.zeros((5, 7)), (3, 2), (2, 3), "same", "average")
    np.testing.assert_array_equal(divisor_map((5, 7), (3, 2), (2, 3), "same").ravel(), [w.count for w in walk])
    # Average of the corner window: 24 / 1, not 24 / 4.
    assert state.pooled[2, 2] == 24.0


def test_arithmetic_explains_padded_cells():
    state = pooling_state(np.arange(25.0).reshape(5, 5), padding="same", operation="average", step=2)
    assert state.arithmetic_text.splitlines()[-1] == "divisor 2, not 4: the 2 padded cells are not counted (Keras)"
    assert "pad" in state.arithmetic_text
    state = pooling_state(np.arange(25.0).reshape(5, 5), padding="same", operation="max", step=8)
    assert state.arithmetic_text.splitlines()[-1] == "the 3 padded cells are ignored, not read as 0"


def test_no_divisor_map_for_max_pooling():
    assert pooling_state(np.ones((4, 4)), padding="same").divisors is None


def test_pool_that_does_not_fit_gives_a_message_not_an_exception():
    state = pooling_state(np.ones((4, 4)), pool_size=(5, 5))
    assert not state.ok
    assert state.message == (
        "A 5 x 5 pool does not fit in the 4 x 4 input with padding 'valid': the output would have 0 x 0 cells. "
        "Choose a smaller pool_size (got (5, 5)) or padding 'same'."
    )
    assert state.pooled is None and state.window is None


def test_same_padding_makes_the_big_pool_fit():
    state = pooling_state(np.ones((4, 4)), pool_size=(5, 5), padding="same")
    assert state.output_shape == (1, 1)
    assert state.window.count == 16


@pytest.mark.parametrize("operation, expected", [("global max", 1.0), ("global average", 0.5)])
def test_global_pooling_is_one_window_over_the_whole_map(operation, expected):
    board = poolviz.data.checkerboard(8)
    state = pooling_state(board, pool_size=(3, 3), padding="same", operation=operation)
    assert state.output_shape == (1, 1)
    assert state.pooled[0, 0] == expected
    assert state.pool_size == (8, 8) and state.padding == "valid"
    assert state.window.values.shape == (8, 8)
    assert state.formula_text.startswith("global pooling: one window over the whole 8 x 8 map")


def test_big_windows_are_summarised_in_one_line():
    feature_map = np.arange(784.0).reshape(28, 28)
    state = pooling_state(feature_map, operation="global max")
    assert state.arithmetic_text.splitlines()[1] == "max of the 28 x 28 window (784 values) = 783.0"
    state = pooling_state(feature_map, operation="global average")
    assert state.arithmetic_text.splitlines()[1] == "average of the 28 x 28 window = 306936.0 / 784 = 391.5"


def test_clamp_step_moves_a_stale_step_to_the_last_window():
    state = pooling_state(np.ones((6, 6)), pool_size=(3, 3), step=8, clamp_step=True)
    assert state.step == 3


@pytest.mark.parametrize(
    "kwargs, error, pattern",
    [
        (dict(pool_size=(0, 2)), ValueError, r"pool_size must be positive, got \(0, 2\)"),
        (dict(strides=(1, -1)), ValueError, r"strides must be positive, got \(1, -1\)"),
        (dict(pool_size="2"), TypeError, "pool_size must be an int or a pair of ints, got '2'"),
        (dict(padding="full"), ValueError, "padding must be 'valid' or 'same', got 'full'"),
        (dict(operation="min"), ValueError, "operation must be one of .* got 'min'"),
        (dict(step=9), ValueError, r"step must be in \[0, 8\] for 9 windows, got 9"),
        (dict(step=1.5), TypeError, "step must be an int, got 1.5"),
    ],
)
def test_bad_arguments_name_the_argument_and_value(kwargs, error, pattern):
    with pytest.raises(error, match=pattern):
        pooling_state(np.ones((6, 6)), **kwargs)


def test_feature_map_must_be_2d():
    with pytest.raises(ValueError, match=r"feature_map must be a non-empty 2-D array \(rows, cols\), got shape \(2, 2, 2\)"):
        pooling_state(np.ones((2, 2, 2)))


# --------------------------------------------------------------------------
# translation_invariance
# --------------------------------------------------------------------------
def test_translation_of_the_vertical_line_with_max_and_average():
    line = poolviz.data.vertical_line()
    by_max = translation_invariance(line, "max", 2, max_shift=3)
    by_average = translation_invariance(line, "average", 2, max_shift=3)
    # Line in columns 3-4; windows cover columns (0,1) (2,3) (4,5) (6,7).
    np.testing.assert_allclose(by_max.fraction_unchanged, [1.0, 0.75, 0.5, 0.25])
    np.testing.assert_allclose(by_average.fraction_unchanged, [1.0, 0.5, 0.5, 0.25])
    np.testing.assert_array_equal(by_max.changed[1], np.tile([False, True, False, False], (4, 1)))
    np.testing.assert_array_equal(by_max.pooled[1], np.tile([0, 0, 1, 0], (4, 1)))
    assert by_max.shift_steps == (0, 1)


def test_relative_change_measures_how_far_the_pooled_outputs_moved():
    line = poolviz.data.vertical_line()  # columns 3-4; max pooled rows [0, 1, 1, 0]
    by_max = translation_invariance(line, "max", 2, max_shift=2)
    by_average = translation_invariance(line, "average", 2, max_shift=2)
    # shift 1: max [0, 0, 1, 0] (4 of 8 lost); average [0, 0, 1, 0] from [0, .5, .5, 0]
    np.testing.assert_allclose(by_max.relative_change, [0.0, 0.5, 1.0])
    np.testing.assert_allclose(by_average.relative_change, [0.0, 1.0, 1.0])


def test_relative_change_of_the_photograph_is_close_for_max_and_average():
    # The photograph's line-detector map moved 1 pixel right (the explorer shifts its input
    # and fills with zeros): exact equality says 28% against 0.3%, while the size of the
    # change is nearly the same, 0.079 against 0.085.
    photo = poolviz.data.photograph(downscale=2)
    feature_map = poolviz.relu(poolviz.conv2d(photo, poolviz.data.VERTICAL_LINE_DETECTOR))
    by_max = translation_invariance(feature_map, "max", 2, max_shift=1)
    by_average = translation_invariance(feature_map, "average", 2, max_shift=1)
    assert by_max.fraction_unchanged[1] == pytest.approx(0.2770, abs=5e-4)
    assert by_average.fraction_unchanged[1] == pytest.approx(0.0030, abs=5e-4)
    assert by_max.relative_change[1] == pytest.approx(0.0787, abs=5e-4)
    assert by_average.relative_change[1] == pytest.approx(0.0853, abs=5e-4)


def test_relative_change_of_an_all_zero_map():
    zeros = translation_invariance(np.zeros((4, 4)), "max", 2, max_shift=1)
    np.testing.assert_array_equal(zeros.relative_change, [0.0, 0.0])
    spot = np.zeros((4, 4))
    spot[0, 3] = 1.0  # shifted out of the map: 1 -> 0
    gone = translation_invariance(spot, "max", 2, max_shift=1)
    np.testing.assert_array_equal(gone.relative_change, [0.0, 1.0])


@pytest.mark.parametrize("pool_size", [2, 3, 4])
def test_max_pooling_is_never_less_invariant_on_a_single_bright_pixel(pool_size):
    image = np.zeros((12, 12))
    image[4, 4] = 1.0
    by_max = translation_invariance(image, "max", pool_size, max_shift=3, direction="diagonal")
    by_average = translation_invariance(image, "average", pool_size, max_shift=3, direction="diagonal")
    assert np.all(by_max.fraction_unchanged >= by_average.fraction_unchanged)
    assert by_max.fraction_unchanged[0] == 1.0
    assert by_max.changed.shape == (4, 12 // pool_size, 12 // pool_size)


def test_translation_down_moves_rows():
    result = translation_invariance(poolviz.data.horizontal_line(), "max", 2, max_shift=1, direction="down")
    assert result.shift_steps == (1, 0)
    np.testing.assert_allclose(result.fraction_unchanged, [1.0, 0.75])


@pytest.mark.parametrize(
    "kwargs, pattern",
    [
        (dict(operation="global max"), r"operation must be one of \('max', 'average', 'max-blur'\), got 'global max'"),
        (dict(max_shift=-1), "max_shift must be at least 0, got -1"),
        (dict(direction="left"), "direction must be one of .* got 'left'"),
        (dict(pool_size=9), r"A 9 x 9 pool does not fit in the 8 x 8 image .* pool_size \(got \(9, 9\)\)"),
    ],
)
def test_translation_bad_arguments(kwargs, pattern):
    with pytest.raises(ValueError, match=pattern):
        translation_invariance(np.ones((8, 8)), **kwargs)


# --------------------------------------------------------------------------
# PoolingExplorerModel
# --------------------------------------------------------------------------
def test_model_starts_on_the_tutorial_example():
    model = PoolingExplorerModel()
    assert model.input_name == LINE_DETECTOR_INPUT
    np.testing.assert_array_equal(model.pooled, [[0, 3, 0]] * 3)
    assert model.step_max == 8
    assert model.arithmetic_text.startswith("step 1 of 9: output cell (0, 0)")
    assert model.message == ""


def test_model_follows_each_control():
    model = PoolingExplorerModel()
    model.pool_rows = 3
    assert model.output_shape == (2, 3)
    assert model.formula_text.splitlines()[0] == "output rows = floor((6 - 3) / 3) + 1 = 2"
    model.strides_same_as_pool = False
    model.stride_cols = 1
    assert model.output_shape == (2, 5)
    model.padding = "same"
    assert model.formula_text.splitlines()[1] == "output cols = ceil(6 / 1) = 6"
    model.operation = "global average"
    assert model.output_shape == (1, 1) and model.pooled[0, 0] == 1.0
    model.input_name = "checkerboard"
    assert model.pooled[0, 0] == 0.5
    model.shift_cols = 1
    assert model.pooled[0, 0] == pytest.approx(28 / 64)


def test_step_range_follows_the_output_and_a_stale_step_is_clamped():
    model = PoolingExplorerModel(step=8)
    assert model.window.output_index == (2, 2)
    model.pool_rows = 3  # 2 x 3 output: only 6 windows
    assert model.step_max == 5 and model.step == 5
    assert model.window.output_index == (1, 2)
    model.step = 100
    assert model.step == 5
    model.pool_rows = 1
    assert model.step_max == 17 and model.step == 5


def test_nonsense_combination_sets_a_message_and_keeps_working():
    model = PoolingExplorerModel(np.ones((4, 4)))
    assert model.input_name == CUSTOM_INPUT
    model.configure(pool_rows=5, pool_cols=5)
    assert "does not fit in the 4 x 4 input" in model.message
    assert model.state is not None and not model.state.ok
    assert model.step_max == 0 and model.formula_text == "" and model.arithmetic_text == ""
    model.padding = "same"
    assert model.message == "" and model.output_shape == (1, 1)


def test_configure_recomputes_once():
    model = PoolingExplorerModel()
    seen = []
    model.observe(lambda change: seen.append(change["new"]), names="state")
    model.configure(pool_rows=3, pool_cols=3, operation="average", step=2)
    assert len(seen) == 1
    assert model.window.output_index == (1, 0)


@pytest.mark.parametrize("name", ["pool_rows", "pool_cols", "stride_rows", "stride_cols"])
def test_sizes_below_one_are_refused_with_the_trait_name(name):
    model = PoolingExplorerModel()
    with pytest.raises(traitlets.TraitError, match=f"{name} must be at least 1, got 0"):
        setattr(model, name, 0)


def test_unknown_controls_and_inputs_are_refused():
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['pool'\]"):
        PoolingExplorerModel(pool=3)
    with pytest.raises(traitlets.TraitError, match="input_name must be one of"):
        PoolingExplorerModel(input_name=CUSTOM_INPUT)  # no array given


def test_keras_text_without_tensorflow(monkeypatch):
    monkeypatch.setattr(PoolingExplorerModel, "tensorflow_available", staticmethod(lambda: False))
    model = PoolingExplorerModel()
    assert model.keras_text == "TensorFlow is not installed, so the Keras check is off (pip install tensorflow)."


def _fake_bridge(monkeypatch, calls, agree=True, error=None):
    def compare(x, operation, pool_size=(2, 2), strides=None, padding="valid", **kwargs):
        calls.append((operation, pool_size, strides, padding, np.asarray(x).shape))
        if error is not None:
            raise error
        return types.SimpleNamespace(agree=agree, max_abs_difference=0.0 if agree else 0.5)

    module = types.ModuleType("poolviz.keras_bridge")
    module.compare = compare
    monkeypatch.setitem(sys.modules, "poolviz.keras_bridge", module)
    monkeypatch.setattr(poolviz, "keras_bridge", module, raising=False)


def test_check_with_keras_is_cached_per_setting(monkeypatch):
    calls = []
    _fake_bridge(monkeypatch, calls)
    monkeypatch.setattr(PoolingExplorerModel, "tensorflow_available", staticmethod(lambda: True))
    model = PoolingExplorerModel()
    assert "not run for these settings yet" in model.keras_text
    text = model.check_with_keras()
    assert text == "Keras agrees with poolviz for these settings: max |poolviz - Keras| = 0"
    assert calls == [("max", (2, 2), (2, 2), "valid", (6, 6))]
    model.step = 3  # same settings: cached, no new call
    assert model.keras_text == text
    model.padding = "same"
    assert "not run for these settings yet" in model.keras_text
    model.padding = "valid"
    assert model.keras_text == text and len(calls) == 1
    model.operation = "global max"
    model.check_with_keras()
    assert calls[-1][0] == "global max"


def test_check_with_keras_reports_failures_instead_of_raising(monkeypatch):
    calls = []
    _fake_bridge(monkeypatch, calls, error=ImportError("TensorFlow is not installed"))
    model = PoolingExplorerModel()
    assert model.check_with_keras() == "Keras check unavailable: TensorFlow is not installed"
    _fake_bridge(monkeypatch, calls, agree=False)
    model.pool_rows = 3
    assert model.check_with_keras().startswith("Keras DISAGREES with poolviz")
    model.configure(pool_rows=7)
    assert model.check_with_keras() == "Nothing to check: these settings give no output."


@pytest.mark.skipif(not PoolingExplorerModel.tensorflow_available(), reason="TensorFlow not installed")
def test_check_with_real_keras_agrees_on_same_padding():
    model = PoolingExplorerModel(pool_rows=3, pool_cols=3, padding="same", operation="average", input_name="random")
    assert model.check_with_keras().startswith("Keras agrees with poolviz")


# --------------------------------------------------------------------------
# TranslationExplorerModel
# --------------------------------------------------------------------------
def test_translation_model_follows_its_controls():
    model = TranslationExplorerModel()
    assert model.shift == 1 and model.operation == "max"
    assert model.fraction_text == (
        "shift 1 px right, max pooling 2 x 2: 0.75 of the pooled outputs unchanged (12 of 16); "
        "average pooling: 0.50. Size of the change, sum |after - before| / sum |before|: "
        "max 0.500, average 1.000"
    )
    np.testing.assert_array_equal(model.changed, np.tile([False, True, False, False], (4, 1)))
    model.shift = 3
    assert "0.25 of the pooled outputs unchanged (4 of 16)" in model.fraction_text
    model.operation = "average"
    assert model.result.operation == "average" and model.other_result.operation == "max"
    model.max_shift = 2
    assert model.shift == 2
    np.testing.assert_array_equal(model.shifted_image[:, 5:7], np.ones((8, 2)))


def test_translation_model_message_for_a_pool_bigger_than_the_image():
    model = TranslationExplorerModel(np.ones((3, 3)))
    model.pool_size = 4
    assert model.result is None
    assert model.message == (
        "A 4 x 4 pool does not fit in the 3 x 3 image with padding 'valid': the output would "
        "have 0 x 0 cells. Choose a smaller pool_size (got (4, 4)) or padding 'same'.")
    model.pool_size = 2
    assert model.message == "" and model.result is not None


# ------------------------------------------------- issue 10: model limits --
def test_pooling_state_accepts_the_paddings_the_ops_accept():
    """padding='SAME' worked in the ops but was refused here."""
    state = pooling_state(np.arange(25.0).reshape(5, 5), 2, padding="SAME")
    assert state.padding == "same" and state.output_shape == (3, 3)
    np.testing.assert_array_equal(state.pooled, poolviz.max_pool2d(np.arange(25.0).reshape(5, 5), 2,
                                                                   padding="same"))


def test_the_keras_check_says_why_it_did_not_run_past_a_tensorflow_limit():
    pytest.importorskip("tensorflow")
    model = PoolingExplorerModel()
    model.configure(pool_rows=200_000, pool_cols=1, padding="same")
    assert model.state is not None and model.output_shape == (1, 6)
    assert model.check_with_keras() == (
        "Keras check not run: pool_size (200000, 1) is larger than 100000, the largest the "
        "Keras bridge hands to TensorFlow with padding 'same' (its pooling takes time that "
        "grows with the pool size); poolviz.max_pool2d pools it alone")


def test_the_pooling_figure_accepts_the_paddings_the_ops_accept():
    from matplotlib.figure import Figure

    from poolviz import plot

    figure = plot.pooling_figure(np.arange(25.0).reshape(5, 5), 2, padding="SAME", fig=Figure())
    assert figure.state.padding == "same" and figure.padding_regions == [(5, 0, 1, 6), (0, 5, 5, 1)]


def test_a_huge_pool_in_the_model_gives_a_message_at_once():
    """configure(pool_rows=10**4, pool_cols=10**4) allocated pool**2 cells."""
    model = PoolingExplorerModel()
    model.configure(pool_rows=10**4, pool_cols=10**4, padding="same")
    assert model.state is None and model.message.startswith(
        "pool_size (10000, 10000) gives windows of 100000000 cells")
    model.configure(pool_rows=1000, pool_cols=1000)
    assert model.message == "" and model.output_shape == (1, 1) and model.pooled[0, 0] == 3.0


@pytest.mark.parametrize("name", ["pool_rows", "pool_cols", "stride_rows", "stride_cols"])
def test_pool_and_stride_traits_stop_at_tensorflows_int32_limit(name):
    model = PoolingExplorerModel()
    with pytest.raises(traitlets.TraitError, match=rf"{name} must be at most 2147483647 \(2\*\*31 - 1, "
                                                   r"TensorFlow's int32 limit\), got 2147483648"):
        setattr(model, name, 2**31)
    setattr(model, name, 2**31 - 1)
    assert "Unexpected error" not in model.message


def test_translation_max_shift_is_bounded():
    """max_shift=10**7 grew to 3.6 GB."""
    model = TranslationExplorerModel()
    with pytest.raises(traitlets.TraitError, match=r"max_shift must be from 0 to 256 .* got 10000000"):
        model.max_shift = 10**7
    model.max_shift = 256
    assert model.message == "" and len(model.result.pooled) == 257
    with pytest.raises(ValueError, match=r"max_shift must be at most 256 .* got 257"):
        translation_invariance(np.ones((8, 8)), max_shift=257)
    with pytest.raises(ValueError, match=r"max_shift=256 on a 300 x 300 image would keep 23130000 cells"):
        translation_invariance(np.ones((300, 300)), max_shift=256)
    with pytest.raises(TypeError, match=r"max_shift must be an int, got 2.0"):
        translation_invariance(np.ones((8, 8)), max_shift=2.0)


def test_load_input_refuses_float_shifts_instead_of_truncating_them():
    with pytest.raises(TypeError, match=r"shift_rows must be an int, got 1.5"):
        load_input("vertical line", shift_rows=1.5)
    np.testing.assert_array_equal(load_input("vertical line", shift_cols=np.int64(1))[0],
                                  [0, 0, 0, 0, 1, 1, 0, 0])


def test_divisor_map_checks_its_arguments():
    with pytest.raises(TypeError, match=r"input_shape must be a pair of ints \(rows, cols\), got \(3.5, 3\)"):
        divisor_map((3.5, 3), (2, 2), (2, 2), "same")
    with pytest.raises(ValueError, match=r"A 4 x 4 pool does not fit in the 3 x 3 input"):
        divisor_map((3, 3), 4, None, "valid")
    np.testing.assert_array_equal(divisor_map((3, 3), 2, None, "SAME"), [[4, 2], [2, 1]])


# ------------------------------------ issue 11: one rule, one implementation --
def test_the_model_takes_padding_in_any_case_like_the_pooling_functions():
    model = PoolingExplorerModel(padding="SAME", pool_rows=3)
    assert model.padding == "same" and model.state.padding == "same" and model.output_shape == (2, 3)
    model.padding = "Valid"
    assert model.padding == "valid" and model.output_shape == (2, 3)
    with pytest.raises(traitlets.TraitError, match="'padding' trait .* expected any of \\['valid', 'same'\\]"):
        model.padding = "full"
    with pytest.raises(traitlets.TraitError, match="'padding' trait"):
        model.padding = np.array(["same"])


@pytest.mark.parametrize("make", [PoolingExplorerModel, TranslationExplorerModel])
def test_both_models_refuse_unknown_controls_when_built_and_when_configured(make):
    with pytest.raises(TypeError) as raised:
        make(size=3)
    assert str(raised.value) == f"unknown control(s) ['size']; choose from {list(make._CONTROLS)}"
    model = make()
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['a', 'b'\]"):
        model.configure(b=1, a=2)


def test_the_model_holds_one_derived_state_and_reads_every_output_from_it():
    model = PoolingExplorerModel(pool_rows=3)
    state = model.state
    assert model.formula_text is state.formula_text and model.arithmetic_text is state.arithmetic_text
    assert model.pooled is state.pooled and model.message == state.message == ""
    for name in ("formula_text", "arithmetic_text", "message", "pooled"):
        assert name not in model.trait_names()  # read from the state, not copied into a trait
        with pytest.raises(AttributeError):
            setattr(model, name, "x")
    model.step = 2
    assert model.state is not state and model.arithmetic_text is model.state.arithmetic_text
    assert model.arithmetic_text.startswith("step 3 of 6")


def test_a_failure_leaves_no_state_and_its_message_until_the_next_good_one():
    model = PoolingExplorerModel()
    model.configure(pool_rows=10**4, pool_cols=10**4, padding="same")
    assert model.state is None and model.formula_text == model.arithmetic_text == ""
    assert model.message.startswith("pool_size (10000, 10000) gives windows of 100000000 cells")
    model.configure(pool_rows=2, pool_cols=2)
    assert model.message == "" and model.state.ok


def test_a_shift_in_the_translation_model_picks_from_its_state_without_recomputing():
    model = TranslationExplorerModel()
    state, version = model.state, model.version
    assert (model.image is state.image and model.result is state.result
            and model.other_result is state.other_result)
    model.shift = 3
    assert model.state is state and model.version == version + 1  # one redraw, no new poolings
    np.testing.assert_array_equal(model.shifted_image, poolviz.data.shift(state.image, 0, 3))
    assert model.fraction_text.startswith("shift 3 px right, max pooling 2 x 2: 0.25")
    model.direction = "down"
    assert model.state is not state and model.state.result.shift_steps == (1, 0)


def test_a_pooling_state_has_real_cell_counts_for_every_operation_and_divisors_for_average():
    feature_map = np.arange(25.0).reshape(5, 5)
    counts = [[4, 4, 2], [4, 4, 2], [2, 2, 1]]
    by_max = pooling_state(feature_map, 2, padding="same")
    by_average = pooling_state(feature_map, 2, padding="same", operation="average")
    np.testing.assert_array_equal(by_max.real_cells, counts)
    np.testing.assert_array_equal(by_average.real_cells, counts)
    assert by_max.divisors is None and by_average.divisors is by_average.real_cells
    assert pooling_state(feature_map, operation="global average").divisors.tolist() == [[25]]
    assert pooling_state(feature_map, operation="global max").real_cells.tolist() == [[25]]


@pytest.mark.parametrize("model_class, control", [
    (PoolingExplorerModel, "pool_rows"), (PoolingExplorerModel, "input_name"),
    (TranslationExplorerModel, "shift"), (TranslationExplorerModel, "operation")])
def test_a_number_too_long_to_print_is_refused_by_name(model_class, control):
    # traitlets' own message would call repr(), which Python refuses for an
    # int of more than 4300 digits: the model names the control instead.
    model = model_class()
    before = model.state
    with pytest.raises(traitlets.TraitError,
                       match=rf"^{control} cannot be an int of 16610 bits: no control takes"):
        setattr(model, control, 10**5000)
    assert model.state is before
