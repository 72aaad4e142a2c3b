"""max_blur_pool2d (Zhang 2019): numbers by hand, the Keras composition, shift change.

The property test draws maps (channels last and first), pool sizes, strides
and filter sizes and compares poolviz with the composition of Keras layers in
:func:`poolviz.going_further.keras_compositions.max_blur_pool_model`.
"""

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import poolviz
from hypothesis_profiles import profile  # tests/hypothesis_profiles.py
from poolviz import data
from poolviz.explorer import translation_invariance
from poolviz.going_further.antialias import binomial_filter, max_blur_pool2d, relative_l1_change, shift_change

PROFILE = profile(ci_examples=60, dev_examples=8)


def test_binomial_filters_are_rows_of_pascals_triangle_summing_to_one():
    assert np.array_equal(binomial_filter(2) * 4, [[1, 1], [1, 1]])
    assert np.array_equal(binomial_filter(4)[0] * 64, [1, 3, 3, 1])
    assert np.array_equal(binomial_filter(5)[2] * 256, [6, 24, 36, 24, 6])
    for size in range(1, 8):
        assert binomial_filter(size).sum() == pytest.approx(1.0)


def test_the_tiny_example_by_hand():
    # dense 2x2 max: [[5, 6, 7], [9, 10, 11], [13, 14, 15]]; reflect-pad 1 and
    # blur [1, 2, 1] / 4 at stride 2: rows (9 + 2*5 + 9) / 4 = 7 and 11, then
    # columns (8 + 2*7 + 8) / 4 = 7.5 ...
    out = max_blur_pool2d(np.arange(16.0).reshape(4, 4))
    assert np.array_equal(out, [[7.5, 8.5], [11.5, 12.5]])


@pytest.mark.parametrize("pool, stride", [(2, 2), (3, 2), (2, 1), (3, 3)])
def test_filter_size_1_is_plain_valid_max_pooling(pool, stride):
    x = np.random.default_rng(3).normal(size=(2, 9, 7, 3))
    assert np.array_equal(max_blur_pool2d(x, pool, stride, filter_size=1),
                          poolviz.max_pool2d(x, pool, stride, padding="valid"))


def test_output_has_the_size_of_valid_max_pooling():
    x = np.zeros((1, 11, 8, 2))
    for filter_size in range(1, 8):
        assert max_blur_pool2d(x, 3, 2, filter_size).shape == (1, 5, 3, 2)


def test_channels_first_equals_channels_last_transposed_and_input_untouched():
    x = np.random.default_rng(1).normal(size=(2, 3, 10, 9))
    before = x.copy()
    first = max_blur_pool2d(x, 2, 2, 4, data_format="channels_first")
    last = max_blur_pool2d(x.transpose(0, 2, 3, 1), 2, 2, 4)
    assert np.allclose(first, last.transpose(0, 3, 1, 2))
    assert np.array_equal(x, before)


def test_a_constant_map_stays_constant_reflect_padding_does_not_darken_the_border():
    assert np.array_equal(max_blur_pool2d(np.full((8, 8), 3.0), filter_size=5), np.full((4, 4), 3.0))


def test_dtypes():
    assert max_blur_pool2d(np.ones((6, 6), np.float32)).dtype == np.float32
    assert max_blur_pool2d(np.ones((6, 6), np.int64)).dtype == np.float64


@pytest.mark.parametrize("kwargs, error, name", [
    ({"filter_size": 0}, ValueError, "filter_size"),
    ({"filter_size": 8}, ValueError, "filter_size"),
    ({"filter_size": 2.5}, TypeError, "filter_size"),
    ({"filter_size": True}, TypeError, "filter_size"),
    ({"pool_size": 0}, ValueError, "pool_size"),
    ({"pool_size": 2**31}, ValueError, "pool_size"),
    ({"strides": (1, 0)}, ValueError, "strides"),
    ({"data_format": "NCHW"}, ValueError, "data_format"),
])
def test_bad_arguments_are_named(kwargs, error, name):
    with pytest.raises(error, match=name):
        max_blur_pool2d(np.zeros((6, 6)), **kwargs)


def test_too_small_maps_and_wrong_ranks_are_refused_by_name():
    with pytest.raises(ValueError, match="pool_size"):
        max_blur_pool2d(np.zeros((2, 2)), 2, 2, 3)  # the stride-1 max leaves 1x1: nothing to reflect
    with pytest.raises(ValueError, match=r"x must .* got shape \(3, 3, 3\)"):
        max_blur_pool2d(np.zeros((3, 3, 3)))
    with pytest.raises(TypeError, match="x"):
        max_blur_pool2d(np.array([["a"]]))


# --------------------------------------------------------------------------
# The Keras composition
# --------------------------------------------------------------------------
@PROFILE
@given(rows=st.integers(3, 14), cols=st.integers(3, 14), channels=st.integers(1, 3),
       pool=st.integers(1, 3), stride=st.integers(1, 3), filter_size=st.integers(1, 7),
       seed=st.integers(0, 2**32 - 1))
def test_max_blur_pool_equals_the_keras_composition(rows, cols, channels, pool, stride,
                                                    filter_size, seed):
    pytest.importorskip("tensorflow")

    assume(min(rows, cols) - pool + 1 > filter_size // 2)
    x = np.random.default_rng(seed).normal(size=(2, rows, cols, channels)).astype(np.float32)
    model = _cached_model((rows, cols, channels), pool, stride, filter_size)
    theirs = np.asarray(model(x))
    ours = max_blur_pool2d(x, pool, stride, filter_size)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-5)


_MODELS = {}


def _cached_model(shape, pool, stride, filter_size):
    from poolviz.going_further.keras_compositions import max_blur_pool_model

    key = (shape, pool, stride, filter_size)
    if key not in _MODELS:
        _MODELS[key] = max_blur_pool_model(shape, pool, stride, filter_size,
                                           name=f"mbp_{len(_MODELS)}")
    return _MODELS[key]


# --------------------------------------------------------------------------
# Shift change
# --------------------------------------------------------------------------
def test_shift_change_of_the_tutorial_line_by_hand():
    image = data.vertical_line()
    # Raw 8x8 line in columns 3-4, 2x2 max pooling: moving right by one puts
    # the line in columns 4-5, which pool into one column instead of two.
    result = shift_change(image, "max")
    assert result.shifts == [(0, 1), (1, 0), (1, 1)]
    assert np.array_equal(result.fraction_equal, [0.75, 1.0, 0.75])
    # Before: 2 pooled columns of 1.0 (8 cells); after: 1 column. 4 of 8 changed.
    assert np.allclose(result.relative_l1, [0.5, 0.0, 0.5])


def test_a_down_shift_of_a_vertical_line_changes_only_the_border_rows():
    result = shift_change(data.vertical_line(), "average")
    assert result.relative_l1[1] == pytest.approx(0.5 / 4)   # the top pooled row halves
    assert result.fraction_equal[1] == pytest.approx(14 / 16)


def test_shift_change_with_the_detector_moves_the_image_not_the_map():
    image = data.vertical_line()
    result = shift_change(image, "max", kernel=data.VERTICAL_LINE_DETECTOR)
    moved = poolviz.max_pool2d(poolviz.relu(poolviz.conv2d(data.shift(image, 0, 1),
                                                          data.VERTICAL_LINE_DETECTOR)), 2)
    reference = poolviz.max_pool2d(poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR)), 2)
    assert result.relative_l1[0] == pytest.approx(np.abs(moved - reference).sum() / reference.sum())


def test_on_the_photograph_max_blur_changes_least_in_magnitude_but_keeps_fewest_cells_equal():
    photo = data.photograph(downscale=4)
    results = {op: shift_change(photo, op, kernel=data.VERTICAL_LINE_DETECTOR)
               for op in ("max", "average", "max-blur")}
    l1 = {op: r.relative_l1.mean() for op, r in results.items()}
    equal = {op: r.fraction_equal.mean() for op, r in results.items()}
    assert l1["max-blur"] < l1["max"] < l1["average"]
    assert equal["max-blur"] < equal["max"]


def test_shift_change_rejects_unknown_operations_and_an_all_zero_map_is_unchanged():
    with pytest.raises(ValueError, match="operation"):
        shift_change(np.zeros((4, 4)), "median")
    # An array is refused by name too, not with NumPy's "truth value is ambiguous".
    with pytest.raises(ValueError, match="operation"):
        shift_change(np.zeros((4, 4)), np.array(["max", "x"]))
    result = shift_change(np.zeros((4, 4)), "max-blur")
    assert np.array_equal(result.relative_l1, [0.0, 0.0, 0.0])


def test_relative_l1_change_is_0_for_no_change_and_inf_when_nothing_became_something():
    assert relative_l1_change(np.array([2.0, 2.0]), np.array([2.0, 1.0])) == 0.25
    assert relative_l1_change(np.zeros((2, 2)), np.zeros((2, 2))) == 0.0  # both all zero: nothing changed
    assert relative_l1_change(np.zeros((2, 2)), np.eye(2)) == np.inf      # not NaN: a change from nothing
    # A cell that is NaN in either map is left out of both sums.
    assert relative_l1_change(np.array([1.0, np.nan]), np.array([0.5, 3.0])) == 0.5
    assert relative_l1_change(np.array([1.0, 5.0]), np.array([0.5, np.nan])) == 0.5


def test_relative_l1_change_computes_in_float64_whatever_the_dtypes():
    # uint8 used to wrap (100 - 200 = 156) and int8 to overflow to inf.
    assert relative_l1_change(np.array([200], np.uint8), np.array([100], np.uint8)) == 0.5
    assert relative_l1_change(np.array([-128], np.int8), np.array([127], np.int8)) == 255 / 128
    assert relative_l1_change(np.array([True]), np.array([False])) == 1.0


@pytest.mark.parametrize("before, after, error, name", [
    (np.ones((2, 2)), np.ones(2), ValueError, "after"),            # used to broadcast
    (np.ones((2, 2)), np.ones((2, 2, 1)), ValueError, "after"),
    (np.ma.masked_array([1.0, 2.0], [False, True]), np.ones(2), ValueError, "before"),
    (np.ones(2), np.ma.masked_array([1.0, 2.0], [True, False]), ValueError, "after"),
    (np.array(["a"]), np.ones(1), TypeError, "before"),
])
def test_relative_l1_change_refuses_mismatched_shapes_and_masks_by_name(before, after, error, name):
    with pytest.raises(error, match=name):
        relative_l1_change(before, after)


def test_shift_change_refuses_more_shifted_maps_than_its_work_limit():
    with pytest.raises(ValueError, match="pool_size"):   # 89,999 shifts of 90,000 cells
        shift_change(np.zeros((300, 300)), pool_size=300)
    with pytest.raises(ValueError, match="filter_size"):
        shift_change(np.zeros((4, 4)), "max", filter_size=9)


def test_shift_change_and_translation_invariance_agree_on_a_map_that_pools_to_zero():
    """Average pooling of +1/-1 pairs is all zero until a 1-pixel shift splits them:
    one rule for both measures (shift_change said inf, translation_invariance NaN)."""
    image = np.tile([1.0, -1.0, 0.0, 0.0], (4, 1))
    assert not poolviz.average_pool2d(image, 2).any()
    by_shift = shift_change(image, "average")
    by_translation = translation_invariance(image, "average", 2, max_shift=1)
    assert by_shift.shifts[0] == (0, 1)
    assert by_shift.relative_l1[0] == by_translation.relative_change[1] == np.inf
    assert by_translation.relative_change[0] == 0.0
