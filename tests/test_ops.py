"""The NumPy operations: the tutorial's numbers, the loop oracle, bad input."""

import itertools
import math
import warnings

import numpy as np
import pytest

import poolviz
from poolviz import data, ops, reference

TUTORIAL_ROW = [0.0, 0.0, 3.0, 3.0, 0.0, 0.0]


@pytest.fixture
def feature_map():
    """The tutorial's 6x6 map: the line detector on the 8x8 line image."""
    return poolviz.relu(poolviz.conv2d(data.vertical_line(), data.VERTICAL_LINE_DETECTOR))


# ---------------------------------------------------------------- tutorial --
def test_line_detector_gives_six_identical_rows(feature_map):
    assert feature_map.shape == (6, 6)
    assert feature_map.tolist() == [TUTORIAL_ROW] * 6


def test_conv2d_matches_the_plain_loop_on_the_tutorial_image():
    image = data.vertical_line()
    expected = reference.conv2d_loop(image.tolist(), data.VERTICAL_LINE_DETECTOR.tolist())
    np.testing.assert_array_equal(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR), expected)


@pytest.mark.parametrize("pool", [poolviz.max_pool2d, poolviz.average_pool2d])
def test_two_by_two_pooling_gives_the_tutorials_three_by_three(feature_map, pool):
    assert pool(feature_map).tolist() == [[0.0, 3.0, 0.0]] * 3
    assert pool(feature_map, pool_size=2, strides=(2, 2)).tolist() == [[0.0, 3.0, 0.0]] * 3


def test_global_max_of_the_feature_map_is_three(feature_map):
    assert poolviz.global_max_pool2d(feature_map) == 3.0
    batch = feature_map[np.newaxis, :, :, np.newaxis]
    assert poolviz.global_max_pool2d(batch).tolist() == [[3.0]]
    assert poolviz.global_average_pool2d(batch).tolist() == [[1.0]]


# ------------------------------------------------------- padding semantics --
def test_same_padding_puts_the_odd_cell_bottom_right():
    assert poolviz.same_padding(6, 3, 2) == (0, 1)
    assert poolviz.same_padding(5, 4, 1) == (1, 2)
    assert poolviz.same_padding(4, 2, 2) == (0, 0)


def test_max_pooling_ignores_padded_cells_on_negative_input():
    x = -np.arange(1.0, 10.0).reshape(3, 3)
    pooled = poolviz.max_pool2d(x, 2, padding="same")
    assert pooled.tolist() == [[-1.0, -3.0], [-7.0, -9.0]]


def test_average_pooling_divides_by_real_cells_only():
    x = np.arange(9.0).reshape(3, 3)
    pooled = poolviz.average_pool2d(x, 2, padding="same")
    # windows: 4 real cells, 2 (right column), 2 (bottom row), 1 (corner)
    assert pooled.tolist() == [[2.0, 3.5], [6.5, 8.0]]


def test_valid_padding_drops_windows_that_do_not_fit():
    x = np.arange(25.0).reshape(5, 5)
    assert poolviz.max_pool2d(x, 2).tolist() == [[6.0, 8.0], [16.0, 18.0]]


def test_output_size_formula_text():
    assert poolviz.output_size_formula(6, 2, 2, "valid") == "floor((6 - 2) / 2) + 1 = 3"
    assert poolviz.output_size_formula(7, 3, 2, "same") == "ceil(7 / 2) = 4"
    assert poolviz.pooled_shape((6, 6), 2) == (3, 3)
    assert poolviz.pooled_shape((7, 5), (3, 2), strides=2, padding="same") == (4, 3)
    assert poolviz.pooled_shape((8, 8), 3, strides=1) == (6, 6)


# --------------------------------------------------------- layouts, dtypes --
def test_two_d_and_four_d_layouts_agree():
    rng = np.random.default_rng(1)
    batch = rng.normal(size=(2, 3, 7, 9)).astype(np.float32)  # channels_first
    last = batch.transpose(0, 2, 3, 1)
    for pool in (poolviz.max_pool2d, poolviz.average_pool2d):
        first = pool(batch, 3, 2, "same", data_format="channels_first")
        assert first.shape == (2, 3, 4, 5)
        np.testing.assert_array_equal(first.transpose(0, 2, 3, 1), pool(last, 3, 2, "same"))
        np.testing.assert_array_equal(pool(batch[1, 2], 3, 2, "same"), first[1, 2])


def test_global_pooling_shapes_and_keepdims():
    x = np.arange(2 * 4 * 5 * 3, dtype=np.float32).reshape(2, 4, 5, 3)
    assert poolviz.global_max_pool2d(x).shape == (2, 3)
    assert poolviz.global_max_pool2d(x, keepdims=True).shape == (2, 1, 1, 3)
    first = x.transpose(0, 3, 1, 2)
    kept = poolviz.global_average_pool2d(first, data_format="channels_first", keepdims=True)
    assert kept.shape == (2, 3, 1, 1)
    np.testing.assert_allclose(kept[:, :, 0, 0], x.mean(axis=(1, 2)))
    assert poolviz.global_max_pool2d(np.ones((3, 3)), keepdims=True).shape == (1, 1)


def test_dtypes():
    ints = np.arange(16, dtype=np.int32).reshape(4, 4)
    assert poolviz.max_pool2d(ints).dtype == np.int32
    assert poolviz.max_pool2d(ints, 3, 1, "same").dtype == np.int32
    assert poolviz.average_pool2d(ints).dtype == np.float64
    assert poolviz.average_pool2d(ints.astype(np.float32)).dtype == np.float32
    assert poolviz.max_pool2d(ints > 7).tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert poolviz.max_pool2d([[1, 2], [3, 4]]).tolist() == [[4]]


def test_nan_handling():
    x = np.array([[np.nan, 1.0, np.nan, np.nan], [2.0, 3.0, np.nan, np.nan]])
    assert poolviz.max_pool2d(x).tolist()[0][0] == 3.0
    assert np.isnan(poolviz.max_pool2d(x)[0, 1])  # nothing but NaN
    assert np.isnan(poolviz.average_pool2d(x)).all()
    assert np.isnan(poolviz.global_max_pool2d(x))


def test_inputs_are_never_modified():
    x = np.arange(2 * 5 * 5 * 2, dtype=np.float64).reshape(2, 5, 5, 2)
    before = x.copy()
    for pool in (poolviz.max_pool2d, poolviz.average_pool2d):
        for padding in ("valid", "same"):
            out = pool(x, 3, 1, padding)
            out[...] = -1  # the result owns its memory
    poolviz.global_max_pool2d(x)[...] = -1
    poolviz.conv2d(x, np.ones((2, 2, 2, 1)))[...] = -1
    np.testing.assert_array_equal(x, before)
    square = np.ones((2, 2))
    poolviz.max_pool2d(square)[...] = 5
    assert square.tolist() == [[1.0, 1.0], [1.0, 1.0]]


# ----------------------------------------------------------- loop oracle --
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_fast_pooling_matches_the_loop_oracle(padding):
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 9, 7, 2))
    for pool_size, strides in itertools.product([(1, 1), (2, 3), (3, 3), (5, 2)],
                                                 [None, (1, 1), (2, 1), (3, 4)]):
        stride = strides or pool_size
        np.testing.assert_allclose(
            poolviz.max_pool2d(x, pool_size, strides, padding),
            reference.max_pool2d_loop(x, pool_size, stride, padding), rtol=0, atol=0)
        np.testing.assert_allclose(
            poolviz.average_pool2d(x, pool_size, strides, padding),
            reference.average_pool2d_loop(x, pool_size, stride, padding), rtol=1e-12)
    np.testing.assert_allclose(poolviz.global_max_pool2d(x), reference.global_max_pool2d_loop(x))
    np.testing.assert_allclose(poolviz.global_average_pool2d(x),
                               reference.global_average_pool2d_loop(x), rtol=1e-12)


def test_conv2d_four_d_with_bias_and_same_padding():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(1, 5, 6, 2))
    kernel = rng.normal(size=(3, 3, 2, 4))
    bias = np.array([0.0, 1.0, -1.0, 2.0])
    out = poolviz.conv2d(x, kernel, bias, padding="same")
    assert out.shape == (1, 5, 6, 4)
    padded = np.zeros((1, 7, 8, 2))
    padded[:, 1:6, 1:7] = x
    expected = sum(reference.conv2d_loop(padded[0, :, :, c], kernel[:, :, c, o])
                   for c in range(2) for o in [0])
    np.testing.assert_allclose(out[0, :, :, 0], expected + bias[0])
    strided = poolviz.conv2d(x, kernel, bias, strides=2)
    np.testing.assert_allclose(strided, poolviz.conv2d(x, kernel, bias)[:, ::2, ::2])


def test_relu():
    assert poolviz.relu([[-1, 2], [0, -3]]).tolist() == [[0, 2], [0, 0]]


# -------------------------------------------------------------- bad input --
BAD_POOLING_CALLS = [
    (dict(x=np.ones(5)), ValueError, "x must be a 2-D feature map (rows, cols) or a 4-D batch in the Keras layout, got shape (5,) (1-D)"),
    (dict(x=np.ones((1, 4, 4))), ValueError, "got shape (1, 4, 4) (3-D)"),
    (dict(x=np.ones((0, 4))), ValueError, "x must not be empty, got shape (0, 4)"),
    (dict(x=[["a", "b"], ["c", "d"]]), TypeError, "x must hold real numbers, got an array of dtype <U1"),
    (dict(x=np.ones((4, 4), complex)), TypeError, "x must hold real numbers, got an array of dtype complex128"),
    (dict(x=[[1, 2], [3]]), TypeError, "x must be a numeric array"),
    (dict(pool_size=0), ValueError, "pool_size must be positive, got 0"),
    (dict(pool_size=(0, 2)), ValueError, "pool_size must be positive, got (0, 2)"),
    (dict(pool_size=(2, 2, 2)), ValueError, "pool_size must be an int or a pair of ints, got (2, 2, 2) with 3 entries"),
    (dict(pool_size=2.5), TypeError, "pool_size must be an int or a pair of ints, got 2.5"),
    (dict(pool_size="2"), TypeError, "pool_size must be an int or a pair of ints, got '2'"),
    (dict(pool_size=True), TypeError, "pool_size must be an int or a pair of ints, got True"),
    (dict(strides=-1), ValueError, "strides must be positive, got -1"),
    (dict(strides=(1,)), ValueError, "strides must be an int or a pair of ints, got (1,) with 1 entries"),
    (dict(padding="full"), ValueError, "padding must be 'valid' or 'same', got 'full'"),
    (dict(padding=None), ValueError, "padding must be 'valid' or 'same', got None"),
    (dict(data_format="NHWC"), ValueError, "data_format must be 'channels_last' or 'channels_first', got 'NHWC'"),
    (dict(x=np.ones((4, 4)), pool_size=5), ValueError, "A 5 x 5 pool does not fit in the 4 x 4 input with padding 'valid': the output would have 0 x 0 cells. Choose a smaller pool_size (got (5, 5)) or padding 'same'."),
    (dict(x=np.ones((1, 2, 2, 1)), pool_size=3, strides=1), ValueError, "A 3 x 3 pool does not fit in the 2 x 2 input"),
]


@pytest.mark.parametrize("pool", [poolviz.max_pool2d, poolviz.average_pool2d])
@pytest.mark.parametrize("kwargs, error, message", BAD_POOLING_CALLS)
def test_bad_pooling_arguments_are_named(pool, kwargs, error, message):
    kwargs = {"x": np.ones((4, 4)), **kwargs}
    with pytest.raises(error) as raised:
        pool(**kwargs)
    assert message in str(raised.value)


# A valid call prepares a kernel that later calls with equal arguments reuse
# (the slider case).  Values equal to a valid one must still be refused.
LOOK_ALIKES = [
    (dict(pool_size=1), dict(pool_size=True), TypeError, "pool_size must be an int or a pair of ints, got True"),
    (dict(pool_size=2), dict(pool_size=2.0), TypeError, "pool_size must be an int or a pair of ints, got 2.0"),
    (dict(pool_size=(1, 2)), dict(pool_size=(True, 2)), TypeError, "got (True, 2)"),
    (dict(pool_size=2, strides=1), dict(pool_size=2, strides=np.float64(1.0)), TypeError, "strides must be an int or a pair of ints, got np.float64(1.0)"),
    (dict(strides=(2, 1)), dict(strides=(2.0, 1)), TypeError, "strides must be an int or a pair of ints, got (2.0, 1)"),
    (dict(padding="same"), dict(padding=["same"]), ValueError, "padding must be 'valid' or 'same', got ['same']"),
    (dict(), dict(data_format=["channels_last"]), ValueError, "got ['channels_last']"),
]


@pytest.mark.parametrize("pool", [poolviz.max_pool2d, poolviz.average_pool2d])
@pytest.mark.parametrize("valid, look_alike, error, message", LOOK_ALIKES)
def test_repeated_calls_still_refuse_look_alike_arguments(pool, valid, look_alike, error, message):
    x = np.arange(36.0).reshape(1, 6, 6, 1)
    expected = pool(x, **valid)
    np.testing.assert_array_equal(pool(x, **valid), expected)  # the prepared kernel
    with pytest.raises(error) as raised:
        pool(x, **look_alike)
    assert message in str(raised.value)


@pytest.mark.parametrize("shape", [(6, 6), (1, 6, 6, 2), (2, 40, 40, 3), (2, 200, 200, 8)])
def test_repeated_calls_give_the_same_fresh_result(shape):
    """Every kernel (tiny, small, blocked) through the prepared path: the same
    numbers and dtype as the first call, in memory the caller owns."""
    ints = np.arange(math.prod(shape)).reshape(shape) % 7
    for x in (ints, ints.astype(np.float32), ints > 3):
        before = x.copy()
        for pool in (poolviz.max_pool2d, poolviz.average_pool2d):
            for padding in ("valid", "same"):
                first = pool(x, 3, 2, padding)
                again = pool(x, 3, 2, padding)
                assert again.dtype == first.dtype
                np.testing.assert_array_equal(again, first)
                again[...] = -1
                np.testing.assert_array_equal(pool(x, 3, 2, padding), first)
        np.testing.assert_array_equal(x, before)
    assert poolviz.average_pool2d(ints, 3, 2).dtype == np.float64
    assert poolviz.max_pool2d(ints > 3, 3, 2).dtype == np.float64


def test_threads_of_a_large_input_follow_the_callers_errstate():
    """np.errstate lives in a context variable, which worker threads do not
    inherit unless handed a copy."""
    x = np.ones((4, 32, 96, 96), np.float32)  # large enough for threads
    # Both only in window (45, 45) of the last image, a late block: 3x3
    # windows with stride 2 start at even rows and columns.
    x[3, 0, 91, 91], x[3, 0, 91, 90] = np.inf, -np.inf
    assert x.nbytes >= ops._THREADED_BYTES
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError, match="invalid"):
        poolviz.average_pool2d(x, 3, 2, "same", "channels_first")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore"):
            result = poolviz.average_pool2d(x, 3, 2, "same", "channels_first")
    assert np.isnan(result[3, 0, 45, 45]) and np.isnan(result).sum() == 1


def test_bad_global_and_conv_arguments():
    with pytest.raises(ValueError, match=r"data_format must be .* got 'nchw'"):
        poolviz.global_max_pool2d(np.ones((4, 4)), data_format="nchw")
    with pytest.raises(TypeError, match=r"keepdims must be True or False, got 'yes'"):
        poolviz.global_average_pool2d(np.ones((4, 4)), keepdims="yes")
    with pytest.raises(ValueError, match=r"kernel must be 2-D \(rows, cols\) for a 2-D x, got shape \(3,\)"):
        poolviz.conv2d(np.ones((4, 4)), np.ones(3))
    with pytest.raises(ValueError, match=r"kernel must have shape \(rows, cols, 2, out_channels\)"):
        poolviz.conv2d(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match=r"kernel of size \(5, 5\) is larger than the input's 4x4"):
        poolviz.conv2d(np.ones((4, 4)), np.ones((5, 5)))
    with pytest.raises(ValueError, match=r"bias must be a number or have shape \(2,\), got shape \(3,\)"):
        poolviz.conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2)), bias=[1, 2, 3])
    with pytest.raises(ValueError, match=r"input_shape must be a pair \(rows, cols\), got 6"):
        poolviz.pooled_shape(6, 2)
    with pytest.raises(ValueError, match=r"A 7 x 7 pool does not fit in the 6 x 6 input .* pool_size \(got \(7, 7\)\)"):
        poolviz.pooled_shape((6, 6), 7)
    with pytest.raises(ValueError, match=r"padding must be 'valid' or 'same', got 'Same '"):
        poolviz.output_size(6, 2, 2, "Same ")


def test_loop_oracle_handles_nan_like_the_fast_version():
    x = np.array([[1.0, np.nan], [3.0, 2.0]])[np.newaxis, :, :, np.newaxis]
    assert reference.max_pool2d_loop(x, (2, 2), (2, 2), "valid").item() == 3.0
    assert np.isnan(reference.global_max_pool2d_loop(x)).all()
    assert np.isnan(poolviz.global_max_pool2d(x)).all()
