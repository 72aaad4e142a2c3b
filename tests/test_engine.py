"""The speed engine (poolviz._engine): the numbers of the definition and of
the loops on every path, prepared calls, blocks, threads, bounds.

The engine's paths are chosen by size: a gather for tiny inputs, separable
passes for small ones, blocks (on threads from _THREADED_BYTES) for large
ones, and the compiled loop for large channels-last float batches
(tests/test_engine_compiled.py).  Shrinking the thresholds sends small
inputs down every path.
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis_profiles import profile  # tests/hypothesis_profiles.py

import poolviz
import oracle as reference
from poolviz import _engine, pooling as ops

# ------------------------------------------ definition == engine == loops --
PATHS = {
    # path: the thresholds that send a small input down it
    "as sized": {},
    "separable passes": dict(_GATHER_CELLS=0),
    "blocks": dict(_GATHER_CELLS=0, _BLOCK_BYTES=64, _THREAD_BLOCK_BYTES=64,
                   _THREADED_BYTES=1 << 62),
    "threads": dict(_GATHER_CELLS=0, _BLOCK_BYTES=1, _THREAD_BLOCK_BYTES=1, _THREADED_BYTES=0),
    "compiled loop": dict(_GATHER_CELLS=0, _BLOCK_BYTES=64, _THREAD_BLOCK_BYTES=64,
                          _COMPILED_MIN_CHANNELS=1),
}
DTYPES = ["float16", "float32", "float64", "int8", "uint8", "int32", "int64", "bool"]


@st.composite
def pooling_calls(draw):
    """Arguments of a pooling call on small integers (every sum exact, so
    the order of the additions cannot matter), with NaN, infinities and -0.0
    among the floats."""
    rows, cols = draw(st.integers(1, 12)), draw(st.integers(1, 12))
    pool = (draw(st.integers(1, 5)), draw(st.integers(1, 5)))
    strides = draw(st.none() | st.tuples(st.integers(1, 5), st.integers(1, 5)))
    padding = draw(st.sampled_from(["valid", "same"]))
    assume(padding == "same" or (pool[0] <= rows and pool[1] <= cols))
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    if draw(st.integers(0, 3)) == 0:
        shape = (rows, cols)
    else:
        batch, channels = draw(st.integers(1, 3)), draw(st.integers(1, 3))
        shape = ((batch, channels, rows, cols) if data_format == "channels_first"
                 else (batch, rows, cols, channels))
    generator = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    low = 0 if dtype.kind in "ub" else -4
    x = generator.integers(low, 5, shape).astype(dtype)
    if dtype.kind == "f":
        for value in (np.nan, np.inf, -np.inf, -0.0):
            x[generator.random(shape) < draw(st.sampled_from([0.0, 0.1, 0.4]))] = value
    pool_size = pool[0] if pool[0] == pool[1] and draw(st.booleans()) else pool
    return dict(x=x, pool_size=pool_size, strides=strides, padding=padding,
                data_format=data_format)


def _loop(operation, arguments, dtype):
    """The loop version's numbers, in the layout and dtype of ``arguments``."""
    x, data_format = arguments["x"], arguments["data_format"]
    pool, stride, padding = poolviz.pooling.pool_arguments(
        arguments["pool_size"], arguments["strides"], arguments["padding"])
    if x.ndim == 2:
        nhwc = x[np.newaxis, :, :, np.newaxis]
    else:
        nhwc = x.transpose(0, 2, 3, 1) if data_format == "channels_first" else x
    loop = {"max": reference.max_pool2d_loop, "average": reference.average_pool2d_loop}
    result = loop[operation](nhwc.astype(np.float64), pool, stride, padding).astype(dtype)
    if x.ndim == 2:
        return result[0, :, :, 0]
    return result.transpose(0, 3, 1, 2) if data_format == "channels_first" else result


@pytest.mark.parametrize("path", [
    pytest.param(path, marks=pytest.mark.skipif(
        path == "compiled loop" and _engine._compiled_loop() is None,
        reason="numba is not installed"))
    for path in PATHS])
@profile(ci_examples=300, dev_examples=40)
@given(arguments=pooling_calls(), operation=st.sampled_from(["max", "average"]))
def test_the_engine_gives_the_numbers_of_the_definition_and_the_loops(path, arguments,
                                                                      operation):
    function = {"max": poolviz.max_pool2d, "average": poolviz.average_pool2d}[operation]
    with pytest.MonkeyPatch.context() as patch, np.errstate(invalid="ignore"):
        for name, value in PATHS[path].items():
            patch.setattr(_engine, name, value)
        _engine._forget_kernels()  # kernels prepared before read the thresholds then
        try:
            engine = function(**arguments)
            again = function(**arguments)  # the prepared call
        finally:
            _engine._forget_kernels()  # and these must not outlive the patch
        definition = ops.pool_by_definition(**arguments, operation=operation)
        loop = _loop(operation, arguments, definition.dtype)
    assert engine.dtype == again.dtype == definition.dtype
    assert engine.flags.c_contiguous
    np.testing.assert_array_equal(engine, definition)
    np.testing.assert_array_equal(again, definition)
    np.testing.assert_array_equal(definition, loop)


# -------------------------------------------------------- prepared calls --
# A valid call prepares a kernel that later calls with equal arguments reuse
# (the slider case).  Values equal to a valid one must still be refused.
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
    assert x.nbytes >= _engine._THREADED_BYTES
    with np.errstate(invalid="raise"), pytest.raises(FloatingPointError, match="invalid"):
        poolviz.average_pool2d(x, 3, 2, "same", "channels_first")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="ignore"):
            result = poolviz.average_pool2d(x, 3, 2, "same", "channels_first")
    assert np.isnan(result[3, 0, 45, 45]) and np.isnan(result).sum() == 1



def test_a_same_padded_pool_far_larger_than_the_input_is_one_window_per_output():
    """max_pool2d(8x8, 10**9, 'same') never returned (a loop over range(pool))."""
    x = np.arange(64.0).reshape(8, 8)
    for pool in (10**9, 2**31 - 1):  # the largest pool TensorFlow (int32) takes
        assert poolviz.max_pool2d(x, pool, padding="same").tolist() == [[63.0]]
        assert poolviz.average_pool2d(x, pool, padding="same").tolist() == [[31.5]]
        # stride 1: every output cell's window covers the whole map
        np.testing.assert_array_equal(poolviz.max_pool2d(x, pool, 1, "same"), np.full((8, 8), 63.0))
    assert len(_engine._window_offsets(8, 10**9, 1, "same")[2]) <= 16


def test_a_huge_same_pool_on_a_large_batch_takes_the_bounded_compiled_loop():
    x = np.arange(2 * 160 * 160 * 4, dtype=np.float32).reshape(2, 160, 160, 4) % 1000
    assert x.nbytes > _engine._BLOCK_BYTES
    np.testing.assert_array_equal(poolviz.max_pool2d(x, 10**9, padding="same")[:, 0, 0],
                                  x.max(axis=(1, 2)))
    np.testing.assert_allclose(poolviz.average_pool2d(x, (10**9, 3), (10**9, 1), "same")[:, 0, 1],
                               x[:, :, :3].mean(axis=(1, 2)), rtol=1e-6)




def test_the_compiled_loop_averages_a_window_of_negative_zeros_to_negative_zero():
    """The signed-zero caveat of poolviz.pooling's docstring, for large batches."""
    large = np.full((2, 160, 160, 4), -0.0, np.float32)
    assert large.nbytes > _engine._BLOCK_BYTES
    assert np.signbit(poolviz.average_pool2d(large)).all() == (_engine._compiled_loop() is not None)


def test_plans_ask_the_window_arithmetic_once_per_shape(monkeypatch):
    """The public window functions check their arguments (microseconds): the
    engine asks them when it prepares a kernel, never on a prepared call."""
    calls = []
    for name in ("output_size", "padding_amounts", "window_bounds"):
        function = getattr(_engine, name)
        monkeypatch.setattr(_engine, name, lambda *args, _f=function, _n=name:
                            calls.append(_n) or _f(*args))
    _engine._forget_kernels()
    _engine._window_offsets.cache_clear()
    try:
        for shape in [(6, 6), (2, 40, 40, 3), (2, 200, 200, 8)]:
            x = np.ones(shape, np.float32)
            for function in (poolviz.max_pool2d, poolviz.average_pool2d):
                function(x, 3, 2, "same")
                prepared = len(calls)
                function(x, 3, 2, "same")
                assert len(calls) == prepared, shape
        assert calls
    finally:
        _engine._forget_kernels()
        _engine._window_offsets.cache_clear()


def test_engine_name_says_what_pools_large_batches():
    name = _engine.engine_name()
    assert name == "NumPy" or name.startswith("numba ")


def test_a_window_of_negative_zeros_averages_as_the_docstrings_say():
    """0.0 on the tiny path and in the definition, -0.0 from the passes."""
    tiny, small = np.full((8, 8), -0.0), np.full((1, 100, 100, 3), -0.0)
    assert not np.signbit(poolviz.average_pool2d(tiny)).any()
    assert np.signbit(poolviz.average_pool2d(small)).all()
    for x in (tiny, small):
        assert not np.signbit(ops.pool_by_definition(x, operation="average")).any()
