"""The core through its public API: window arithmetic, pooling, conv2d and
ReLU, held to the tutorial's numbers, to the loops in tests/oracle.py and to
the hostile-input guarantees (huge pools, int32 limits, dtypes, NaN, masks,
byte order, memory).  Keras itself: tests/test_against_keras.py."""

import doctest
import itertools
import tracemalloc

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import oracle  # tests/oracle.py
import poolviz
from hypothesis_profiles import profile  # tests/hypothesis_profiles.py
from poolviz import _checks, convolution, data, pooling

POOLS = [poolviz.max_pool2d, poolviz.average_pool2d]
HUGE = 10**5000


def test_docstring_examples():
    for module in (pooling, convolution):
        result = doctest.testmod(module, extraglobs={"np": np})
        assert result.attempted >= 2 and result.failed == 0


# ------------------------------------------------------- window arithmetic --
@pytest.mark.parametrize("padding", ["valid", "same"])
def test_windows_cover_the_axis_as_keras_lays_them_out(padding):
    for n, pool, stride in itertools.product(range(1, 10), range(1, 8), range(1, 6)):
        _check_axis(n, pool, stride, padding)


def _check_axis(n, pool, stride, padding):
    size = poolviz.output_size(n, pool, stride, padding)
    before, after = pooling.padding_amounts(n, pool, stride, padding)
    if padding == "valid":
        assert (before, after) == (0, 0)
        assert size == max(0, (n - pool) // stride + 1)
    else:
        assert size == -(-n // stride)
        # Just enough padding for the last window, the odd cell after.
        assert before + after == max(0, (size - 1) * stride + pool - n)
        assert after - before in (0, 1)
        assert (before, after) == poolviz.same_padding(n, pool, stride)
    bounds = [pooling.window_bounds(i, n, pool, stride, padding) for i in range(size)]
    for i, (start, stop) in enumerate(bounds):
        first = i * stride - before
        assert (start, stop) == (max(first, 0), min(first + pool, n))
        assert 1 <= stop - start <= pool  # never a window of padding only
    if size:
        starts, stops = pooling.window_bounds(np.arange(size), n, pool, stride, padding)
        assert list(zip(starts.tolist(), stops.tolist(), strict=True)) == bounds


def test_output_sizes_and_formulas():
    assert poolviz.output_size_formula(6, 2, 2, "valid") == "floor((6 - 2) / 2) + 1 = 3"
    assert poolviz.output_size_formula(7, 3, 2, "same") == "ceil(7 / 2) = 4"
    assert poolviz.pooled_shape((6, 6), 2) == (3, 3)
    assert poolviz.pooled_shape((7, 5), (3, 2), strides=2, padding="same") == (4, 3)
    assert poolviz.pooled_shape((8, 8), 3, strides=1) == (6, 6)
    assert poolviz.output_size(np.int64(7), np.int32(3), 2, "SAME") == 4
    assert poolviz.output_size(5, 6, 1) == 0  # a valid pool longer than the axis
    assert poolviz.same_padding(8, 10**9, 1) == ((10**9 - 1) // 2, 10**9 - 1 - (10**9 - 1) // 2)
    assert poolviz.same_padding(6, 3, 2) == (0, 1)
    assert poolviz.same_padding(5, 4, 1) == (1, 2)


def test_real_cell_counts_are_the_outer_product_of_the_axes():
    assert pooling.real_cell_counts((7, 5), 3, 2, "same").tolist() == [
        [4, 6, 4], [6, 9, 6], [6, 9, 6], [4, 6, 4]]
    assert pooling.real_cell_counts((6, 6), 2).tolist() == [[4] * 3] * 3
    assert pooling.real_cell_counts((3, 3), (2, 2), (2, 2), "same").tolist() == [[4, 2], [2, 1]]


def test_one_wording_for_a_window_that_does_not_fit():
    expected = ("A 5 x 3 pool does not fit in the 4 x 4 input with padding 'valid': the output "
                "would have 0 x 1 cells. Choose a smaller pool_size (got (5, 3)) or padding "
                "'same'.")
    for call in (lambda: poolviz.max_pool2d(np.ones((4, 4)), (5, 3)),
                 lambda: poolviz.average_pool2d(np.ones((4, 4)), (5, 3)),
                 lambda: poolviz.pooled_shape((4, 4), (5, 3)),
                 lambda: poolviz.walk_windows(np.ones((4, 4)), (5, 3))):
        with pytest.raises(ValueError) as raised:
            call()
        assert str(raised.value) == expected
    assert pooling.pool_fit_message((4, 4), (5, 3), padding="same") == ""
    with pytest.raises(ValueError, match="kernel"):
        poolviz.conv2d(np.ones((4, 4)), np.ones((5, 5)))


# ---------------------------------------------------------------- tutorial --
def test_the_tutorials_numbers(feature_map):
    assert feature_map.tolist() == [[0.0, 0.0, 3.0, 3.0, 0.0, 0.0]] * 6
    image = data.vertical_line()
    expected = oracle.conv2d_loop(image.tolist(), data.VERTICAL_LINE_DETECTOR.tolist())
    np.testing.assert_array_equal(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR), expected)
    for pool in POOLS:
        assert pool(feature_map).tolist() == [[0.0, 3.0, 0.0]] * 3
    assert poolviz.global_max_pool2d(feature_map) == 3.0
    batch = feature_map[np.newaxis, :, :, np.newaxis]
    assert poolviz.global_max_pool2d(batch).tolist() == [[3.0]]
    assert poolviz.global_average_pool2d(batch).tolist() == [[1.0]]


# ------------------------------------------------------- padding semantics --
def test_padded_cells_are_skipped_by_max_and_not_counted_by_average():
    x = -np.arange(1.0, 10.0).reshape(3, 3)
    assert poolviz.max_pool2d(x, 2, padding="same").tolist() == [[-1.0, -3.0], [-7.0, -9.0]]
    # windows: 4 real cells, 2 (right column), 2 (bottom row), 1 (corner)
    assert poolviz.average_pool2d(-x, 2, padding="same").tolist() == [[3.0, 4.5], [7.5, 9.0]]
    assert poolviz.max_pool2d(np.arange(25.0).reshape(5, 5), 2).tolist() == [[6.0, 8.0],
                                                                              [16.0, 18.0]]


# ------------------------------------------------------------ the oracle --
@st.composite
def pooling_calls(draw):
    """A pooling call on small integers (every sum exact), in every dtype,
    with NaN, infinities and -0.0 among the floats, in either layout."""
    rows, cols = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    pool = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    strides = draw(st.none() | st.tuples(st.integers(1, 5), st.integers(1, 5)))
    padding = draw(st.sampled_from(["valid", "same"]))
    assume(padding == "same" or (pool[0] <= rows and pool[1] <= cols))
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    dtype = np.dtype(draw(st.sampled_from(["float16", "float32", "float64", "int8", "uint8",
                                           "int32", "int64", "bool", ">f8", ">i4"])))
    batch, channels = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    generator = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    x = generator.integers(0 if dtype.kind in "ub" else -4, 5,
                           (batch, rows, cols, channels)).astype(dtype)
    if dtype.kind == "f":
        for value in (np.nan, np.inf, -np.inf, -0.0):
            x[generator.random(x.shape) < draw(st.sampled_from([0.0, 0.1, 0.4]))] = value
    return x, dict(pool_size=pool, strides=strides, padding=padding, data_format=data_format)


def _layout(nhwc, data_format, two_dimensional):
    if two_dimensional:
        return nhwc[0, :, :, 0]
    return nhwc.transpose(0, 3, 1, 2) if data_format == "channels_first" else nhwc


@profile(ci_examples=200, dev_examples=40)
@given(call=pooling_calls(), two_dimensional=st.booleans())
def test_pooling_gives_the_numbers_and_dtypes_of_the_loops(call, two_dimensional):
    x, arguments = call
    if two_dimensional:
        x = x[:1, :, :, :1]
    strides = arguments["strides"] or arguments["pool_size"]
    layout = _layout(x, arguments["data_format"], two_dimensional)
    before = layout.copy()
    with np.errstate(invalid="ignore"):  # inf - inf in an average
        for function, loop, dtype in (
                (poolviz.max_pool2d, oracle.max_pool2d_loop,
                 np.float32 if x.dtype == np.float16 else
                 np.float64 if x.dtype == bool else x.dtype.newbyteorder("=")),
                (poolviz.average_pool2d, oracle.average_pool2d_loop,
                 np.float32 if x.dtype in (np.float16, np.float32) else np.float64)):
            result = function(layout, **arguments)
            expected = loop(x.astype(np.float64), arguments["pool_size"], strides,
                            arguments["padding"]).astype(dtype)
            assert result.dtype == dtype and result.flags.c_contiguous
            np.testing.assert_array_equal(
                result, _layout(expected, arguments["data_format"], two_dimensional))
    np.testing.assert_array_equal(layout, before)  # never modified


def test_global_pooling_matches_the_loops_in_every_layout():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(2, 9, 7, 3))
    np.testing.assert_array_equal(poolviz.global_max_pool2d(x), oracle.global_max_pool2d_loop(x))
    np.testing.assert_allclose(poolviz.global_average_pool2d(x),
                               oracle.global_average_pool2d_loop(x), rtol=1e-12)
    first = x.transpose(0, 3, 1, 2)
    kept = poolviz.global_average_pool2d(first, data_format="channels_first", keepdims=True)
    assert kept.shape == (2, 3, 1, 1)
    np.testing.assert_allclose(kept[:, :, 0, 0], x.mean(axis=(1, 2)))
    assert poolviz.global_max_pool2d(x, keepdims=True).shape == (2, 1, 1, 3)
    assert poolviz.global_max_pool2d(np.ones((3, 3)), keepdims=True).shape == (1, 1)
    assert poolviz.global_average_pool2d(np.arange(16, dtype=np.uint8).reshape(4, 4)) == 7.5


# --------------------------------------------------------------- dtypes --
def test_dtypes_follow_keras():
    ints = np.arange(16, dtype=np.int32).reshape(4, 4)
    assert poolviz.max_pool2d(ints, 3, 1, "same").dtype == np.int32
    assert poolviz.average_pool2d(ints).dtype == np.float64
    assert poolviz.average_pool2d(ints.astype(np.float32)).dtype == np.float32
    assert poolviz.max_pool2d(ints > 7).tolist() == [[0.0, 0.0], [1.0, 1.0]]
    assert poolviz.max_pool2d([[1, 2], [3, 4]]).tolist() == [[4]]
    # float16 is pooled in float32: a float16 sum of 4 x 40000 would be inf.
    big = np.full((4, 4), 40000, np.float16)
    averaged = poolviz.average_pool2d(big)
    assert averaged.dtype == np.float32 and averaged.tolist() == [[40000.0] * 2] * 2
    assert poolviz.max_pool2d(big).dtype == np.float32
    batch = poolviz.global_average_pool2d(np.full((2, 28, 28, 3), 40000, np.float16))
    assert batch.dtype == np.float32 and batch.tolist() == [[40000.0] * 3] * 2


@pytest.mark.parametrize("dtype", [">f8", ">f4", ">i4", ">u2"])
def test_big_endian_input_is_read_in_native_byte_order(dtype):
    x = np.arange(16).reshape(4, 4).astype(dtype)
    native = x.astype(np.dtype(dtype).newbyteorder("="))
    assert poolviz.global_average_pool2d(x) == 7.5
    assert poolviz.global_max_pool2d(x) == 15.0
    for pool in POOLS:
        np.testing.assert_array_equal(pool(x, 3, 1, "same"), pool(native, 3, 1, "same"))
        assert pool(x).dtype.isnative


def test_nan_is_skipped_by_windowed_max_and_propagated_elsewhere():
    x = np.array([[np.nan, 1.0, np.nan, np.nan], [2.0, 3.0, np.nan, np.nan]])
    assert poolviz.max_pool2d(x)[0, 0] == 3.0
    assert np.isnan(poolviz.max_pool2d(x)[0, 1])  # nothing but NaN
    assert np.isnan(poolviz.average_pool2d(x)).all()
    assert np.isnan(poolviz.global_max_pool2d(x))
    assert np.isnan(poolviz.global_average_pool2d(x))


def test_average_of_inf_and_minus_inf_is_nan_and_an_overflow_is_inf_without_a_warning():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as TensorFlow: the numbers, no RuntimeWarning
        assert np.isnan(poolviz.average_pool2d(np.array([[np.inf, -np.inf], [1.0, 2.0]]), 2)[0, 0])
        assert poolviz.average_pool2d(np.full((2, 2), 3e38, np.float32), 2)[0, 0] == np.inf


def test_a_result_larger_than_poolviz_writes_out_is_refused_before_it_is_made():
    view = np.broadcast_to(np.float64(1.0), (20000, 20000))  # costs nothing to pass in
    for call in (lambda: poolviz.max_pool2d(view, 1), lambda: poolviz.average_pool2d(view, 2, 1),
                 lambda: poolviz.relu(view)):
        with pytest.raises(ValueError, match=r"\bx\b"):
            call()
    assert poolviz.max_pool2d(view, 10).shape == (2000, 2000)  # a result of 2**22 cells is fine


def test_masked_arrays_are_refused_when_a_cell_is_masked():
    masked = np.ma.masked_array([[1.0, 9.0], [2.0, 3.0]], mask=[[False, True], [False, False]])
    for function in (*POOLS, poolviz.global_max_pool2d, poolviz.relu):
        with pytest.raises(ValueError, match=r"x is a masked array with 1 masked cell"):
            function(masked)
    with pytest.raises(ValueError, match="feature_map is a masked array"):
        poolviz.walk_windows(masked)
    assert poolviz.max_pool2d(np.ma.masked_array([[1, 9], [2, 3]])).tolist() == [[9]]
    assert poolviz.max_pool2d(masked.filled(np.nan)).tolist() == [[3.0]]


def test_results_own_their_memory_and_inputs_are_never_modified():
    x = np.arange(2 * 5 * 5 * 2, dtype=np.float64).reshape(2, 5, 5, 2)
    before = x.copy()
    for pool in POOLS:
        for padding in ("valid", "same"):
            pool(x, 3, 1, padding)[...] = -1
    poolviz.global_max_pool2d(x)[...] = -1
    poolviz.conv2d(x, np.ones((2, 2, 2, 1)))[...] = -1
    poolviz.relu(x)[...] = -1
    np.testing.assert_array_equal(x, before)


# ------------------------------------------------------- huge pools, memory --
@pytest.mark.parametrize("pool", POOLS)
def test_a_same_padded_pool_of_a_billion_costs_like_one_the_size_of_the_map(pool):
    """It exhausted memory on 257x256 (on 256x256 it returned in 0.02 s)."""
    x = np.random.default_rng(0).normal(size=(257, 256))
    for size in (10**9, 2**31 - 1):  # the largest pool TensorFlow (int32) takes
        # One window: the whole map, as with a pool the size of the map.
        np.testing.assert_array_equal(pool(x, size, padding="same"),
                                      pool(x, x.shape, padding="same"))
        # Stride 1: every window covers the whole map, as with a pool twice its size.
        np.testing.assert_array_equal(pool(x, size, 1, "same"),
                                      pool(x, (2 * 257, 2 * 256), 1, "same"))
    whole = pool(x, 10**9, 1, "same")
    expected = x.max() if pool is poolviz.max_pool2d else x.mean()
    np.testing.assert_allclose(whole, np.full(x.shape, expected), rtol=1e-9)


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("arguments", [dict(), dict(pool_size=3, strides=1, padding="same")])
def test_peak_memory_stays_within_twice_the_input_plus_the_output(pool, arguments):
    """No padded copy, no float64 copy of a uint8 map (it took 5 GB at 20000 x 20000)."""
    x = np.random.default_rng(0).integers(0, 255, (1000, 1000), dtype=np.uint8)
    tracemalloc.start()
    try:
        result = pool(x, **arguments)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= 2 * x.nbytes + result.nbytes
    corner = pool(x[:4, :4].astype(float), **arguments)[:2, :2]
    np.testing.assert_array_equal(result[:2, :2], corner)


def test_a_size_limit_is_checked_before_the_map_is_converted():
    x = np.zeros((3000, 3000), np.uint8)  # 9 MB, 72 MB as float64
    tracemalloc.start()
    try:
        with pytest.raises(ValueError, match=r"image must have at most 1000000 cells \(limit\)"):
            _checks.as_feature_map(x, "image", max_cells=10**6, why=" (limit)")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < x.nbytes
    assert _checks.as_feature_map(x[:10, :10], max_cells=100).dtype == np.float64


# ------------------------------------------------------------ conv, relu --
def test_conv2d_four_d_with_bias_strides_and_same_padding():
    rng = np.random.default_rng(3)
    x, kernel = rng.normal(size=(1, 5, 6, 2)), rng.normal(size=(3, 3, 2, 4))
    bias = np.array([0.0, 1.0, -1.0, 2.0])
    out = poolviz.conv2d(x, kernel, bias, padding="same")
    assert out.shape == (1, 5, 6, 4)
    padded = np.zeros((1, 7, 8, 2))
    padded[:, 1:6, 1:7] = x
    expected = sum(oracle.conv2d_loop(padded[0, :, :, c], kernel[:, :, c, 0]) for c in range(2))
    np.testing.assert_allclose(out[0, :, :, 0], expected + bias[0])
    np.testing.assert_allclose(poolviz.conv2d(x, kernel, bias, strides=2),
                               poolviz.conv2d(x, kernel, bias)[:, ::2, ::2])


def test_conv2d_takes_the_bias_shape_keras_keeps_for_one_filter():
    image, kernel = data.vertical_line(), data.VERTICAL_LINE_DETECTOR
    np.testing.assert_array_equal(poolviz.conv2d(image, kernel, np.array([0.5])),
                                  poolviz.conv2d(image, kernel, 0.5))
    with pytest.raises(ValueError, match="bias"):
        poolviz.conv2d(image, kernel, np.ones(2))


def test_relu():
    assert poolviz.relu([[-1, 2], [0, -3]]).tolist() == [[0, 2], [0, 0]]
    assert np.isnan(poolviz.relu(np.array([np.nan]))).all()


# -------------------------------------------------------------- bad input --
BAD_POOLING_CALLS = [
    (dict(x=np.ones(5)), ValueError, "x"),
    (dict(x=np.ones((1, 4, 4))), ValueError, "x"),
    (dict(x=np.ones((0, 4))), ValueError, "x"),
    (dict(x=[["a", "b"], ["c", "d"]]), TypeError, "x"),
    (dict(x=np.ones((4, 4), complex)), TypeError, "x"),
    (dict(x=[[1, 2], [3]]), TypeError, "x"),
    (dict(x=HUGE), TypeError, "x"),
    (dict(pool_size=0), ValueError, "pool_size"),
    (dict(pool_size=(0, 2)), ValueError, "pool_size"),
    (dict(pool_size=(2, 2, 2)), ValueError, "pool_size"),
    (dict(pool_size=[[1, 2], [3]]), TypeError, "pool_size"),
    (dict(pool_size=np.ones((2, 2), int)), ValueError, "pool_size"),
    (dict(pool_size=2.5), TypeError, "pool_size"),
    (dict(pool_size=2.0), TypeError, "pool_size"),
    (dict(pool_size="2"), TypeError, "pool_size"),
    (dict(pool_size=True), TypeError, "pool_size"),
    (dict(pool_size=(True, 2)), TypeError, "pool_size"),
    (dict(pool_size=(2 for _ in range(9))), TypeError, "pool_size"),
    (dict(strides=-1), ValueError, "strides"),
    (dict(strides=(1,)), ValueError, "strides"),
    (dict(strides=np.float64(1.0)), TypeError, "strides"),
    (dict(padding="full"), ValueError, "padding"),
    (dict(padding=None), ValueError, "padding"),
    (dict(padding=["same"]), ValueError, "padding"),
    (dict(padding=HUGE), ValueError, "padding"),
    (dict(data_format="NHWC"), ValueError, "data_format"),
    (dict(data_format=HUGE), ValueError, "data_format"),
    (dict(pool_size=5), ValueError, "pool_size"),
    (dict(x=np.ones((1, 2, 2, 1)), pool_size=3, strides=1), ValueError, "pool_size"),
]


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("kwargs, error, argument", BAD_POOLING_CALLS)
def test_bad_pooling_arguments_are_named(pool, kwargs, error, argument):
    with pytest.raises(error, match=argument):
        pool(**{"x": np.ones((4, 4)), **kwargs})


@pytest.mark.parametrize("value", [2**31, (1, 2**31), 2**63, (2**100, 2), HUGE, (HUGE, 1)],
                         ids=_checks._describe)
@pytest.mark.parametrize("argument", ["pool_size", "strides"])
def test_pool_sizes_and_strides_stop_at_tensorflows_int32_limit(argument, value):
    for pool in POOLS:
        with pytest.raises(ValueError, match=rf"{argument} must be at most 2147483647"):
            pool(np.zeros((8, 8)), **{argument: value}, padding="same")


@pytest.mark.parametrize("call, error, argument", [
    (lambda: poolviz.global_max_pool2d(np.ones((4, 4)), data_format="nchw"),
     ValueError, "data_format"),
    (lambda: poolviz.global_average_pool2d(np.ones((4, 4)), keepdims="yes"),
     TypeError, "keepdims"),
    (lambda: poolviz.global_average_pool2d(np.ones((4, 4)), keepdims=HUGE), TypeError, "keepdims"),
    (lambda: poolviz.global_max_pool2d(np.ones(3)), ValueError, "x"),
    (lambda: poolviz.conv2d(np.ones((4, 4)), np.ones(3)), ValueError, "kernel"),
    (lambda: poolviz.conv2d(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 1))), ValueError, "kernel"),
    (lambda: poolviz.conv2d(np.ones((4, 4)), np.ones((0, 3))), ValueError, "kernel"),
    (lambda: poolviz.conv2d(np.ones((1, 4, 4, 1)), np.ones((3, 3, 1, 2)), bias=[1, 2, 3]),
     ValueError, "bias"),
    (lambda: poolviz.conv2d(np.ones((4, 4)), np.ones((3, 3)), bias=HUGE), TypeError, "bias"),
    (lambda: poolviz.conv2d(np.ones((4, 4)), np.ones((3, 3)), strides=HUGE),
     ValueError, "strides"),
    (lambda: poolviz.conv2d(np.ones((1, 600, 600, 1)), np.ones((90, 90, 1, 1)), padding="same"),
     ValueError, "multiply-adds"),
    (lambda: poolviz.relu("x"), TypeError, "x"),
    (lambda: poolviz.pooled_shape(6, 2), ValueError, "input_shape"),
    (lambda: poolviz.pooled_shape((8.7, 8), 2), TypeError, "input_shape"),
    (lambda: poolviz.pooled_shape((8, 0), 2), ValueError, "input_shape"),
    (lambda: poolviz.pooled_shape(iter([8, 8]), 2), ValueError, "input_shape"),
    (lambda: poolviz.pooled_shape((HUGE, 8), 2), ValueError, "input_shape"),
    (lambda: pooling.real_cell_counts((HUGE, 8), 2), ValueError, "input_shape"),
    (lambda: pooling.real_cell_counts((10**5, 10**5), 1), ValueError, "real_cell_counts"),
    (lambda: poolviz.output_size(5, 2, 0, "same"), ValueError, "stride"),
    (lambda: poolviz.output_size(5, 0, 1), ValueError, "pool"),
    (lambda: poolviz.output_size(-5, 2, 1), ValueError, "n"),
    (lambda: poolviz.output_size(5.5, 2, 1), TypeError, "n"),
    (lambda: poolviz.output_size(5, 2, 2**31), ValueError, "stride"),
    (lambda: poolviz.output_size(6, 2, 2, "Same "), ValueError, "padding"),
    (lambda: poolviz.output_size_formula(HUGE, 2, 2, "same"), ValueError, "n"),
    (lambda: poolviz.output_size_formula(5, True, 1), TypeError, "pool"),
    (lambda: poolviz.same_padding(5, HUGE, 1), ValueError, "pool"),
    (lambda: pooling.window_bounds(3, 6, 2, 2), ValueError, "index"),
    (lambda: pooling.window_bounds(HUGE, 6, 2, 2), ValueError, "index"),
    (lambda: pooling.window_bounds(np.array([0, 3]), 6, 2, 2), ValueError, "index"),
    (lambda: pooling.window_bounds(1.0, 6, 2, 2), TypeError, "index"),
    (lambda: pooling.window_bounds(True, 6, 2, 2), TypeError, "index"),
    (lambda: pooling.padding_amounts(6, 2, 2, "full"), ValueError, "padding"),
])
def test_bad_arguments_are_named(call, error, argument):
    with pytest.raises(error, match=argument):
        call()
