"""The NumPy operations: the tutorial's numbers, the loop oracle, bad input."""

import itertools
import math
import warnings

import numpy as np
import pytest

import poolviz
from poolviz import data, ops, reference

TUTORIAL_ROW = [0.0, 0.0, 3.0, 3.0, 0.0, 0.0]


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


# ------------------------------------------------- issue 10: bounds, dtypes --
def test_a_same_padded_pool_far_larger_than_the_input_is_one_window_per_output():
    """max_pool2d(8x8, 10**9, 'same') never returned (a loop over range(pool))."""
    x = np.arange(64.0).reshape(8, 8)
    for pool in (10**9, ops.MAX_WINDOW):
        assert poolviz.max_pool2d(x, pool, padding="same").tolist() == [[63.0]]
        assert poolviz.average_pool2d(x, pool, padding="same").tolist() == [[31.5]]
        # stride 1: every output cell's window covers the whole map
        np.testing.assert_array_equal(poolviz.max_pool2d(x, pool, 1, "same"), np.full((8, 8), 63.0))
    assert len(ops._window_offsets(8, 10**9, 1, "same")[2]) <= 16


def test_a_huge_same_pool_on_a_large_batch_takes_the_bounded_compiled_loop():
    x = np.arange(2 * 160 * 160 * 4, dtype=np.float32).reshape(2, 160, 160, 4) % 1000
    assert x.nbytes > ops._BLOCK_BYTES
    np.testing.assert_array_equal(poolviz.max_pool2d(x, 10**9, padding="same")[:, 0, 0],
                                  x.max(axis=(1, 2)))
    np.testing.assert_allclose(poolviz.average_pool2d(x, (10**9, 3), (10**9, 1), "same")[:, 0, 1],
                               x[:, :, :3].mean(axis=(1, 2)), rtol=1e-6)


@pytest.mark.parametrize("value", [2**31, (1, 2**31), 2**63, (2**100, 2)])
@pytest.mark.parametrize("argument", ["pool_size", "strides"])
def test_pool_sizes_and_strides_stop_at_tensorflows_int32_limit(argument, value):
    with pytest.raises(ValueError, match=rf"{argument} must be at most 2147483647 \(2\*\*31 - 1, "
                                         r"TensorFlow's int32 limit\), got "):
        poolviz.max_pool2d(np.zeros((8, 8)), **{argument: value}, padding="same")


def test_a_huge_int_is_described_not_printed():
    with pytest.raises(ValueError, match=r"strides must be at most .* got an int of 16610 bits"):
        poolviz.max_pool2d(np.zeros((8, 8)), strides=10**5000)


def test_float16_is_pooled_in_float32_like_keras():
    """In float16 the sum 4 x 40000 overflows to inf; Keras accumulates and
    returns float32 (measured: AveragePooling2D gives 40000.0 float32)."""
    big = np.full((4, 4), 40000, np.float16)
    averaged = poolviz.average_pool2d(big)
    assert averaged.dtype == np.float32 and averaged.tolist() == [[40000.0] * 2] * 2
    assert poolviz.max_pool2d(big).dtype == np.float32
    assert poolviz.global_average_pool2d(np.full((28, 28), 100, np.float16)) == 100.0
    batch = poolviz.global_average_pool2d(np.full((2, 28, 28, 3), 100, np.float16))
    assert batch.dtype == np.float32 and batch.tolist() == [[100.0] * 3] * 2


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i4", ">u2"])
def test_big_endian_input_is_read_in_native_byte_order(dtype):
    x = np.arange(16).reshape(4, 4).astype(dtype)
    native = x.astype(np.dtype(dtype).newbyteorder("="))
    assert poolviz.global_average_pool2d(x) == 7.5
    assert poolviz.global_max_pool2d(x) == 15.0
    for _ in range(2):  # the second call goes through the prepared kernel
        np.testing.assert_array_equal(poolviz.max_pool2d(x), poolviz.max_pool2d(native))
        assert poolviz.max_pool2d(x).dtype == native.dtype
        np.testing.assert_array_equal(poolviz.average_pool2d(x), poolviz.average_pool2d(native))


def test_masked_arrays_are_refused_when_a_cell_is_masked():
    masked = np.ma.masked_array([[1.0, 9.0], [2.0, 3.0]], mask=[[False, True], [False, False]])
    for function in (poolviz.max_pool2d, poolviz.average_pool2d, poolviz.global_max_pool2d,
                     poolviz.relu):
        with pytest.raises(ValueError, match=r"x is a masked array with 1 masked cell\(s\); poolviz "
                                             r"does not honour masks .* x.filled\(np.nan\)"):
            function(masked)
    with pytest.raises(ValueError, match="feature_map is a masked array"):
        poolviz.walk_windows(masked)
    # Nothing masked: the data is pooled.
    assert poolviz.max_pool2d(np.ma.masked_array([[1, 9], [2, 3]])).tolist() == [[9]]
    assert poolviz.max_pool2d(masked.filled(np.nan)).tolist() == [[3.0]]


@pytest.mark.parametrize("call, error, message", [
    (lambda: poolviz.pooled_shape((8.7, 8), 2), TypeError, "input_shape must be a pair of ints (rows, cols), got (8.7, 8)"),
    (lambda: poolviz.pooled_shape((8, 0), 2), ValueError, "input_shape must be positive, got (8, 0)"),
    (lambda: poolviz.pooled_shape(iter([8, 8]), 2), ValueError, "input_shape must be a pair (rows, cols)"),
    (lambda: poolviz.output_size(5, 2, 0, "same"), ValueError, "stride must be at least 1, got 0"),
    (lambda: poolviz.output_size(5, 0, 1), ValueError, "pool must be at least 1, got 0"),
    (lambda: poolviz.output_size(-5, 2, 1), ValueError, "n must be at least 1, got -5"),
    (lambda: poolviz.output_size(5.5, 2, 1), TypeError, "n must be an int, got 5.5"),
    (lambda: poolviz.output_size(5, 2, 2**31), ValueError, "stride must be at most 2147483647"),
    (lambda: poolviz.output_size_formula(5, True, 1), TypeError, "pool must be an int, got True"),
    (lambda: poolviz.same_padding(5, 2, 0), ValueError, "stride must be at least 1, got 0"),
    (lambda: poolviz.max_pool2d(np.zeros((8, 8)), strides=2**63), ValueError, "strides must be at most 2147483647"),
    (lambda: poolviz.max_pool2d(np.zeros((8, 8)), pool_size=(2 for _ in range(9))), TypeError, "pool_size must be an int or a pair of ints, got <generator"),
    (lambda: poolviz.conv2d(np.ones((4, 4)), np.ones((3, 3)), bias=np.ones(1)), ValueError, "bias must be a single number for a 2-D x and a 2-D kernel, got an array of shape (1,)"),
    (lambda: poolviz.conv2d(np.ones((1, 600, 600, 1)), np.ones((90, 90, 1, 1)), padding="same"), ValueError, "conv2d would do 2916000000 multiply-adds"),
])
def test_sizes_are_checked_ints_and_never_truncated(call, error, message):
    with pytest.raises(error) as raised:
        call()
    assert message in str(raised.value)


def test_output_size_still_computes_both_paddings():
    assert poolviz.output_size(np.int64(7), np.int32(3), 2, "SAME") == 4
    assert poolviz.output_size(5, 6, 1) == 0  # a valid pool longer than the axis
    assert poolviz.same_padding(8, 10**9, 1) == ((10**9 - 1) // 2, 10**9 - 1 - (10**9 - 1) // 2)


def test_one_message_for_a_pool_that_does_not_fit():
    """ops, the walk-through, the explorer state and the translation explorer
    say it the same way."""
    from poolviz.explorer import pooling_state, translation_invariance

    expected = ("A 5 x 3 pool does not fit in the 4 x 4 input with padding 'valid': the output "
                "would have 0 x 1 cells. Choose a smaller pool_size (got (5, 3)) or padding 'same'.")
    for call in (lambda: poolviz.max_pool2d(np.ones((4, 4)), (5, 3)),
                 lambda: poolviz.pooled_shape((4, 4), (5, 3)),
                 lambda: poolviz.walk_windows(np.ones((4, 4)), (5, 3))):
        with pytest.raises(ValueError) as raised:
            call()
        assert str(raised.value) == expected
    assert pooling_state(np.ones((4, 4)), (5, 3)).message == expected
    with pytest.raises(ValueError) as raised:
        translation_invariance(np.ones((4, 4)), pool_size=(5, 3))
    assert str(raised.value) == expected.replace("4 x 4 input", "4 x 4 image")


def test_signed_zeros_as_documented():
    """The module docstring's claims about 0.0 and -0.0."""
    first_plus = np.array([[0.0, -0.0], [-0.0, -0.0]])
    first_minus = np.array([[-0.0, 0.0], [-0.0, -0.0]])
    assert poolviz.max_pool2d(first_plus) == 0 and poolviz.max_pool2d(first_minus) == 0
    if np.lib.NumpyVersion(np.__version__) >= "2.4.0":  # older fmax returns the later zero
        assert not np.signbit(poolviz.max_pool2d(first_plus)).any()
        assert np.signbit(poolviz.max_pool2d(first_minus)).all()
    assert not np.signbit(poolviz.average_pool2d(np.full((2, 2), -0.0))).any()
    large = np.full((2, 160, 160, 4), -0.0, np.float32)
    assert large.nbytes > ops._BLOCK_BYTES
    assert np.signbit(poolviz.average_pool2d(large)).all() == (ops._compiled_loop() is not None)
