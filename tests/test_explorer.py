"""poolviz.explorer: the states and the models, driven without widgets or a browser."""

import doctest
import sys
import time
import tracemalloc
import types

import numpy as np
import pytest
import traitlets

import poolviz
from poolviz import explorer
from poolviz.explorer import PoolingExplorerModel, TranslationExplorerModel, pooling_state, translation_invariance

TUTORIAL_MAP = np.tile([0.0, 0.0, 3.0, 3.0, 0.0, 0.0], (6, 1))


def test_doctests_pass():
    failures, attempted = doctest.testmod(explorer, optionflags=doctest.ELLIPSIS)
    assert attempted >= 6 and failures == 0


def _states(model):
    """The states a model publishes, one per change."""
    seen = []
    model.observe(lambda change: seen.append(change["new"]), names="state")
    return seen


# ---------------------------------------------------------------- pooling_state --
def test_pooling_state_holds_the_tutorials_numbers_and_formula():
    state = pooling_state(TUTORIAL_MAP, operation="average", step=4)
    np.testing.assert_array_equal(state.pooled, [[0, 3, 0]] * 3)
    assert state.formula_text == ("output rows = floor((6 - 2) / 2) + 1 = 3\n"
                                  "output cols = floor((6 - 2) / 2) + 1 = 3\noutput shape = (3, 3)")
    assert (state.step, state.n_windows, state.window.output_index, state.window.result) == (4, 9, (1, 1), 3.0)
    assert state.arithmetic_text.startswith("step 5 of 9: output cell (1, 1) <- input rows 2..3, cols 2..3")


def test_same_padding_amounts_divisors_and_padded_cells_follow_keras():
    state = pooling_state(np.arange(25.0).reshape(5, 5), 2, padding="SAME", operation="average", step=8)
    assert state.padding == "same" and state.padding_amounts == (0, 1, 0, 1)
    np.testing.assert_array_equal(state.divisors, [[4, 4, 2], [4, 4, 2], [2, 2, 1]])
    assert state.arithmetic_text.endswith("divisor 1, not 4: the 3 padded cells are not counted "
                                          "(Keras, TensorFlow backend)")
    maximum = pooling_state(np.arange(25.0).reshape(5, 5), 2, padding="same", step=8)
    assert maximum.divisors is None and maximum.real_cells.tolist() == state.real_cells.tolist()
    assert maximum.arithmetic_text.endswith("the 3 padded cells are ignored, not read as 0")


def test_a_pool_that_does_not_fit_gives_a_message_and_global_pooling_one_window():
    state = pooling_state(np.ones((4, 4)), 5)
    assert not state.ok and "does not fit in the 4 x 4 input" in state.message and state.pooled is None
    whole = pooling_state(np.arange(6.0).reshape(2, 3), operation="global average")
    assert whole.pool_size == (2, 3) and whole.pooled.tolist() == [[2.5]] and whole.divisors.tolist() == [[6]]


@pytest.mark.parametrize("arguments, error, name", [
    (dict(pool_size=0), ValueError, "pool_size"), (dict(pool_size=10**5000), ValueError, "pool_size"),
    (dict(strides=2.5), TypeError, "strides"), (dict(padding="full"), ValueError, "padding"),
    (dict(operation="sum"), ValueError, "operation"), (dict(step=9), ValueError, "step"),
    (dict(step=10**5000), ValueError, "step"), (dict(step=-1), ValueError, "step")])
def test_bad_arguments_name_themselves(arguments, error, name):
    with pytest.raises(error, match=name):
        pooling_state(np.zeros((6, 6)), **arguments)


def test_the_window_of_a_same_padded_pool_of_a_million_costs_like_the_map():
    tracemalloc.start()
    try:
        window = poolviz.pooling_window(np.ones((300, 300), np.uint8), (0, 0), 10**6, padding="same")
        assert tracemalloc.get_traced_memory()[1] < 5 * 2**20
    finally:
        tracemalloc.stop()
    assert (window.count, window.result, len(window.rows)) == (90_000, 1.0, 10**6)
    with pytest.raises(ValueError, match="pool_size"):
        _ = window.values  # written out cell by cell only up to 2**20 cells


def test_a_same_padded_pool_of_a_million_costs_like_the_map():
    """Issue 19 (3): it hung the explorer's slider callback."""
    start = time.perf_counter()
    state = pooling_state(np.random.default_rng(0).random((300, 300)), 10**6, padding="same", step=0)
    assert time.perf_counter() - start < 5
    assert state.output_shape == (1, 1) and state.window.count == 90_000
    assert state.arithmetic_text.splitlines()[1].startswith("max of the 1000000 x 1000000 window (90000 values)")


@pytest.mark.parametrize("call", [
    lambda x: pooling_state(x), lambda x: translation_invariance(x), lambda x: PoolingExplorerModel(x)])
def test_large_maps_are_refused_before_any_copy(call):
    """Issue 19 (9): a 20000 x 20000 uint8 map was copied to float64 (4.6-5.4 GB) first."""
    huge = np.broadcast_to(np.uint8(1), (20_000, 20_000))  # no memory of its own
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match="feature_map|image"):
            call(huge)
        assert tracemalloc.get_traced_memory()[1] < 50 * 2**20
    finally:
        tracemalloc.stop()


# ------------------------------------------------------- translation_invariance --
def test_translation_of_the_vertical_line():
    result = translation_invariance(poolviz.data.vertical_line(), "max", 2, max_shift=3)
    np.testing.assert_array_equal(result.fraction_unchanged, [1.0, 0.75, 0.5, 0.25])
    np.testing.assert_array_equal(result.relative_change, [0.0, 0.5, 1.0, 1.5])
    assert result.changed.shape == (4, 4, 4)


@pytest.mark.parametrize("arguments, name", [
    (dict(operation="min"), "operation"), (dict(max_shift=257), "max_shift"),
    (dict(max_shift=10**5000), "max_shift"), (dict(direction="up"), "direction"),
    (dict(pool_size=9), "pool_size")])
def test_translation_arguments_name_themselves(arguments, name):
    with pytest.raises(ValueError, match=name):
        translation_invariance(np.ones((8, 8)), **arguments)


# ------------------------------------------------------------ the pooling model --
def test_one_state_per_change_for_every_control():
    model = PoolingExplorerModel()
    states = _states(model)
    changes = [("pool_rows", 3), ("pool_cols", 1), ("strides_same_as_pool", False), ("stride_rows", 1),
               ("stride_cols", 3), ("padding", "same"), ("operation", "average"), ("input_name", "random"),
               ("shift_rows", 1), ("shift_cols", -2), ("step", 3)]
    for count, (name, value) in enumerate(changes, start=1):
        setattr(model, name, value)
        assert len(states) == count, name
        assert states[-1] is model.state
    model.configure(pool_rows=2, pool_cols=2, operation="max", step=2)
    assert len(states) == len(changes) + 1 and model.window.output_index == (0, 2)


def test_outputs_are_read_from_the_one_state():
    model = PoolingExplorerModel(pool_rows=3)
    assert model.formula_text is model.state.formula_text and model.pooled is model.state.pooled
    for name in ("formula_text", "arithmetic_text", "pooled", "keras_text", "step_max", "version"):
        assert name not in model.trait_names()


def test_the_window_step_follows_a_shorter_walk_and_shows_the_step_in_use():
    model = PoolingExplorerModel(step=8)
    model.pool_rows = 3  # 2 x 3 windows
    assert model.step == model.state.step == 5 and model.window.output_index == (1, 2)
    with pytest.raises(traitlets.TraitError, match="step must be at most 5"):
        model.step = 6
    with pytest.raises(traitlets.TraitError, match="step"):
        PoolingExplorerModel(step=9)  # never clamped silently


def test_strides_that_follow_the_pool_are_not_copied_into_the_stride_controls():
    model = PoolingExplorerModel(pool_rows=4)
    model.stride_rows = 1  # kept for later, no error
    assert model.state.strides == (4, 2) and model.stride_rows == 1
    model.strides_same_as_pool = False
    assert model.state.strides == (1, 2)


def test_controls_out_of_range_raise_naming_the_control_and_keep_the_state():
    model = PoolingExplorerModel()
    state = model.state
    for name, value in [("pool_rows", 0), ("stride_cols", 2**31), ("shift_rows", 257), ("padding", "full"),
                        ("operation", np.array(["max"])), ("input_name", "cat"), ("pool_cols", 10**5000)]:
        with pytest.raises(traitlets.TraitError, match=name):
            setattr(model, name, value)
    assert model.state is state
    with pytest.raises(TypeError, match=r"unknown control\(s\) \['pool'\]"):
        PoolingExplorerModel(pool=3)


def test_a_pool_of_two_to_the_31_minus_one_gives_a_message_or_an_output():
    model = PoolingExplorerModel(padding="same")
    model.pool_rows = 2**31 - 1
    assert model.output_shape == (1, 3) and model.message == ""
    model.padding = "valid"
    assert "does not fit" in model.message and model.state.pooled is None


def _fake_keras(monkeypatch, calls, agree=True):
    def compare(x, operation, **kwargs):
        calls.append((operation, kwargs.get("pool_size")))
        return types.SimpleNamespace(agree=agree, max_abs_difference=0.0)

    monkeypatch.setitem(sys.modules, "poolviz.keras_bridge", types.SimpleNamespace(compare=compare))
    monkeypatch.setattr(PoolingExplorerModel, "tensorflow_available", staticmethod(lambda: True))


def test_keras_runs_only_on_request_and_once_per_setting(monkeypatch):
    calls = []
    _fake_keras(monkeypatch, calls)
    model = PoolingExplorerModel()
    model.configure(pool_rows=3, step=1)
    assert calls == [] and "not run for these settings yet" in model.keras_text
    assert model.check_with_keras() == "Keras agrees with poolviz for these settings: max |poolviz - Keras| = 0"
    model.step = 2
    model.check_with_keras()
    assert calls == [("max", (3, 2))] and model.keras_text.startswith("Keras agrees")
    model.pool_rows = 9
    assert model.check_with_keras() == "Nothing to check: these settings give no output."


def test_the_keras_text_says_when_tensorflow_is_missing(monkeypatch):
    monkeypatch.setattr(PoolingExplorerModel, "tensorflow_available", staticmethod(lambda: False))
    assert "TensorFlow is not installed" in PoolingExplorerModel().keras_text


# ------------------------------------------------------------ the menus (issue 21) --
def test_a_model_offers_only_the_operations_it_is_given_and_refuses_the_others():
    assert PoolingExplorerModel().operations == poolviz.OPERATIONS  # by default: every one, as before
    assert TranslationExplorerModel().operations == ("max", "average", "max-blur")
    model = TranslationExplorerModel(operations=("max", "average"), shift=1)
    model.operation = "average"
    state = model.state
    assert model.operations == ("max", "average") and model.result.operation == "average"
    with pytest.raises(traitlets.TraitError, match=r"operation must be one of \['max', 'average'\], got 'max-blur'"):
        model.operation = "max-blur"
    assert model.operation == "average" and model.state is state  # refused before anything was computed
    pooling = PoolingExplorerModel(operations=("max", "average"))
    for refused in ("global max", "global average"):
        with pytest.raises(traitlets.TraitError, match=f"operation must be one of .*, got '{refused}'"):
            pooling.configure(operation=refused, pool_rows=3)
        assert (pooling.operation, pooling.pool_rows) == ("max", 2)
    with pytest.raises(traitlets.TraitError, match="got 'global max'"):
        PoolingExplorerModel(operations=("max", "average"), operation="global max")


def test_a_menu_without_the_default_operation_starts_with_its_first():
    model = PoolingExplorerModel(operations=["average"])
    assert model.operations == ("average",) and model.operation == model.state.operation == "average"
    np.testing.assert_array_equal(model.pooled, [[0, 3, 0]] * 3)
    assert model.state.divisors.tolist() == [[4] * 3] * 3  # average pooling's divisors: it really averaged
    assert TranslationExplorerModel(operations=("max-blur", "max")).operation == "max"  # the default, offered


@pytest.mark.parametrize("model", [PoolingExplorerModel, TranslationExplorerModel])
@pytest.mark.parametrize("operations, error", [
    ("max", TypeError), (iter(["max"]), TypeError), (3, TypeError), ((), ValueError),
    (("max", "sum"), ValueError), (("max", "max"), ValueError), (("max", 10**5000), ValueError),
    ((["max"],), ValueError)])
def test_a_bad_menu_is_refused_naming_the_argument_and_the_value(model, operations, error):
    with pytest.raises(error, match=r"^operations must be .*, got "):
        model(operations=operations)


def test_a_menu_takes_only_operations_the_model_knows():
    with pytest.raises(ValueError, match=r"operations must be .* from \('max', 'average', 'global max', "
                                         r"'global average'\), got \('max-blur',\)"):
        PoolingExplorerModel(operations=("max-blur",))
    with pytest.raises(ValueError, match=r"from \('max', 'average', 'max-blur'\), got \('global max',\)"):
        TranslationExplorerModel(operations=("global max",))


# -------------------------------------------------------- the translation model --
def test_a_shift_selects_from_the_state_without_pooling_again(monkeypatch):
    model = TranslationExplorerModel()
    states = _states(model)
    monkeypatch.setattr(explorer, "translation_invariance", None)  # would fail if called
    model.shift = 3
    assert len(states) == 1 and model.state.shift == 3
    assert model.fraction_text.startswith("shift 3 px right, max pooling 2 x 2: 0.25 of the pooled outputs")
    np.testing.assert_array_equal(model.shifted_image, poolviz.data.shift(model.image, 0, 3))


def test_the_shift_follows_a_smaller_max_shift_and_is_never_clamped_silently():
    model = TranslationExplorerModel(shift=3)
    states = _states(model)
    model.max_shift = 2
    assert len(states) == 1 and model.shift == model.state.shift == 2
    with pytest.raises(traitlets.TraitError, match="shift must be at most 2"):
        model.shift = 3
    with pytest.raises(traitlets.TraitError, match="shift"):
        TranslationExplorerModel(max_shift=1, shift=2)
    with pytest.raises(traitlets.TraitError, match="max_shift"):
        model.max_shift = 10**7


def test_a_pool_bigger_than_the_image_sets_a_message_and_each_change_is_published():
    model = TranslationExplorerModel(np.ones((3, 3)))
    states = _states(model)
    model.pool_size = 5
    model.pool_size = 4
    assert len(states) == 2  # one per change, though neither has an output
    assert model.state is None and "A 4 x 4 pool does not fit in the 3 x 3 image" in model.message
    model.pool_size = 2
    assert model.message == "" and model.result is not None


# --------------------------------------------------------------------------
# The pictures in words (issue 22): exact numbers, following the state
# --------------------------------------------------------------------------

def test_the_pooling_picture_in_words_gives_the_pooled_numbers_and_the_window_arithmetic():
    from poolviz.explorer import PoolingExplorerModel

    model = PoolingExplorerModel()
    assert model.state.description == (
        "max pooling 2 x 2, strides 2 x 2, valid, of the 6 x 6 input (6 x 6, values 0 to 3, the largest in 12 "
        "cells within rows 0 to 5, columns 2 to 3) gives 3 x 3: rows 0 3 0 / 0 3 0 / 0 3 0; window 1 of 9 reads "
        "rows 0 to 1, columns 0 to 1: max(0.0, 0.0, 0.0, 0.0) = 0.0")
    model.step = 1
    assert model.state.description.endswith("window 2 of 9 reads rows 0 to 1, columns 2 to 3: "
                                            "max(3.0, 3.0, 3.0, 3.0) = 3.0")


def test_the_words_name_padding_divisors_and_summarise_a_large_map():
    from poolviz.explorer import PoolingExplorerModel

    padded = PoolingExplorerModel(operation="average", padding="same", pool_rows=4).state.description
    assert "gives 2 x 3: rows 0 3 0 / 0 3 0; divided by 2 x 3: rows 6 6 6 / 6 6 6;" in padded
    assert padded.endswith("average(pad, pad, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0) = 0.0 / 6 = 0.0; "
                           "divisor 6, not 8: the 2 padded cells are not counted (Keras, TensorFlow backend)")
    photo = PoolingExplorerModel(input_name="photograph").state
    largest = np.unravel_index(np.argmax(photo.pooled), photo.pooled.shape)
    assert f"gives 37 x 32, values {photo.pooled.min():.3g} to 1, the largest at row {largest[0]}, " \
           f"column {largest[1]};" in photo.description
    assert PoolingExplorerModel(pool_rows=9).state.description.startswith("A 9 x 2 pool does not fit")


def test_in_words_lists_small_maps_summarises_large_ones_and_names_bad_input():
    from poolviz.walkthrough import in_words

    assert in_words([[1.0, np.nan], [np.inf, 0.25]]) == "2 x 2: rows 1 nan / inf 0.25"
    assert in_words(np.arange(64.0).reshape(8, 8)) == "8 x 8, values 0 to 63, the largest at row 7, column 7"
    assert in_words(np.arange(4.0).reshape(2, 2), max_cells=3) == "2 x 2, values 0 to 3, the largest at row 1, column 1"
    assert in_words(np.full((7, 7), np.nan)) == "7 x 7, no finite value"
    with pytest.raises(ValueError, match="values must be a non-empty 2-D array"):
        in_words(np.zeros(3))
    with pytest.raises(ValueError, match="max_cells must be at least 0"):
        in_words([[1.0]], max_cells=-1)
