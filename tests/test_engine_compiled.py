"""The engine's large channels-last float batches: numba's compiled loop and
its NumPy fallback.

The loop (poolviz/_compiled.py, called only by poolviz._engine) pools
batches of more than _BLOCK_BYTES with 2 or more channels when numba is
installed; everything else, and every input when numba is missing, goes
through NumPy's passes.  These tests pin down
which engine runs, that both give the same numbers, and that the fallback
works.
"""

import contextlib
import subprocess
import sys
import warnings

import numpy as np
import pytest

import poolviz
import oracle as reference
from poolviz import _engine

pytestmark = pytest.mark.skipif(_engine._compiled_loop() is None,
                                reason="numba is not installed")

POOLINGS = [  # (pool, strides, padding): the benchmark's three, and padding before
    ((2, 2), None, "valid"),
    ((3, 3), (2, 2), "same"),
    ((3, 3), (1, 1), "valid"),
    ((3, 3), (1, 1), "same"),
    ((5, 4), (3, 2), "same"),
]
OPERATIONS = [poolviz.max_pool2d, poolviz.average_pool2d]


def _batch(shape, dtype, seed=0):
    """Small integers (every sum exact, so the order of the additions cannot
    matter) with NaN, infinities and -0.0 sprinkled in, and a corner of -0.0."""
    generator = np.random.default_rng(seed)
    x = generator.integers(-4, 5, shape).astype(dtype)
    for value in (np.nan, np.inf, -np.inf, -0.0):
        x[generator.random(shape) < 0.01] = value
    x[0, :6, :6] = -0.0  # whole windows of -0.0, whose average is -0.0
    return x


@pytest.fixture
def loop_calls(monkeypatch):
    """Records the images of every block the compiled loop pools."""
    calls, loop = [], _engine._compiled_loop()

    def counting_loop(*args):
        calls.append(args[2])
        return loop(*args)

    monkeypatch.setattr(_engine, "_compiled_loop", lambda: counting_loop)
    _engine._forget_kernels()
    yield calls
    _engine._forget_kernels()


@contextlib.contextmanager
def _numpy_passes_only():
    """Pool as if numba were not installed."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(_engine, "_compiled_loop", lambda: None)
        _engine._forget_kernels()
        try:
            yield
        finally:
            _engine._forget_kernels()


@pytest.fixture
def numpy_passes():
    with _numpy_passes_only():
        yield


def _with_numpy_passes(pool, x, *args):
    # NumPy warns where a window adds inf and -inf (the compiled loop gives
    # the same NaN silently); the numbers are what these tests compare.
    with _numpy_passes_only(), np.errstate(invalid="ignore"):
        return pool(x, *args)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(2, 40, 37, 64), (4, 96, 96, 32), (1, 300, 301, 2)])
@pytest.mark.parametrize("pool_size, strides, padding", POOLINGS)
@pytest.mark.parametrize("pool", OPERATIONS)
def test_compiled_loop_gives_the_numbers_of_the_numpy_passes(
        loop_calls, pool, pool_size, strides, padding, shape, dtype):
    x = _batch(shape, dtype)
    before = x.copy()
    result = pool(x, pool_size, strides, padding)
    assert loop_calls, "the compiled loop did not run"
    # One call pools the whole batch; only threads (4 MB and up) need blocks.
    threaded = x.nbytes >= _engine._THREADED_BYTES and _engine._thread_count() > 1
    assert (len(loop_calls) > 1) == threaded
    assert result.dtype == dtype and result.flags.c_contiguous
    assert result.shape == (shape[0], *poolviz.pooled_shape(shape[1:3], pool_size, strides,
                                                            padding), shape[3])
    expected = _with_numpy_passes(pool, x, pool_size, strides, padding)
    np.testing.assert_array_equal(result, expected)
    if pool is poolviz.average_pool2d:  # a window of -0.0 only averages to -0.0
        # (max may pick either zero of a tie, and NaN's sign is not data)
        numbers = ~np.isnan(expected)
        np.testing.assert_array_equal(np.signbit(result[numbers]),
                                      np.signbit(expected[numbers]))
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("pool_size, strides, padding", POOLINGS)
def test_compiled_loop_matches_the_loop_oracle_on_real_numbers(loop_calls, monkeypatch,
                                                               pool_size, strides, padding):
    monkeypatch.setattr(_engine, "_BLOCK_BYTES", 1 << 10)  # small enough for the slow oracle
    _engine._forget_kernels()
    x = np.random.default_rng(1).standard_normal((2, 23, 30, 16))
    stride_pair = pool_size if strides is None else strides
    np.testing.assert_array_equal(
        poolviz.max_pool2d(x, pool_size, strides, padding),
        reference.max_pool2d_loop(x, pool_size, stride_pair, padding))
    # Rows first, then columns, each in ascending order: float64 sums that
    # differ from the oracle's only in their last bits.
    np.testing.assert_allclose(
        poolviz.average_pool2d(x, pool_size, strides, padding),
        reference.average_pool2d_loop(x, pool_size, stride_pair, padding), rtol=1e-13,
        atol=1e-14)
    assert len(loop_calls) == 2


@pytest.mark.parametrize("x, reason", [
    (np.zeros((2, 300, 300, 1), np.float32), "a single channel"),
    (np.zeros((2, 40, 40, 64), np.int32), "not floats (max pooling keeps ints)"),
    (np.zeros((2, 64, 40, 40), np.float32), "channels first"),
    (np.zeros((2, 40, 40, 128), np.float32)[..., ::2], "not in C order"),
    (np.zeros((2, 40, 40, 64), np.float32, order="F"), "not in C order"),
    (np.zeros((700, 700), np.float32), "a single 2-D map"),
])
def test_other_large_inputs_stay_on_numpy(loop_calls, x, reason):
    data_format = "channels_first" if reason == "channels first" else "channels_last"
    expected = _with_numpy_passes(poolviz.max_pool2d, x, 3, 2, "same", data_format)
    assert x.nbytes > _engine._BLOCK_BYTES
    result = poolviz.max_pool2d(x, 3, 2, "same", data_format)
    assert loop_calls == [], reason
    np.testing.assert_array_equal(result, expected)


def test_half_precision_is_pooled_as_float32_like_keras(loop_calls):
    """float16 is converted to float32 first (Keras computes and returns
    float32 for it), so a large float16 batch takes the float32 loop."""
    x = np.full((2, 60, 60, 64), 40000, np.float16)
    result = poolviz.average_pool2d(x, 3, 2, "same")
    assert result.dtype == np.float32 and loop_calls == [(0, 2)]
    np.testing.assert_array_equal(result, np.full((2, 30, 30, 64), 40000, np.float32))


def test_numpy_passes_pool_large_batches_without_numba(numpy_passes):
    x = _batch((2, 40, 37, 64), np.float32)
    expected = reference.average_pool2d_loop(x.astype(np.float64), (3, 3), (2, 2), "same")
    with np.errstate(invalid="ignore"):  # windows with inf and -inf
        np.testing.assert_allclose(poolviz.average_pool2d(x, 3, 2, "same"), expected,
                                   rtol=1e-6)
    assert _engine.engine_name() == "NumPy"


def test_compiled_loop_gives_nan_for_inf_minus_inf_without_a_warning(loop_calls):
    """As documented in poolviz.pooling: numba does not report floating-point
    errors, so np.errstate has nothing to act on (NumPy's passes raise here,
    see tests/test_engine.py)."""
    x = np.ones((4, 96, 96, 32), np.float32)
    x[3, 91, 91, 0], x[3, 91, 90, 0] = np.inf, -np.inf  # both in window (45, 45) only
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(invalid="raise"):
            result = poolviz.average_pool2d(x, 3, 2, "same")
    assert loop_calls
    assert np.isnan(result[3, 45, 45, 0]) and np.isnan(result).sum() == 1
    assert result[3, 45, 44, 0] == -np.inf


def _no_numba(patch):
    patch.setitem(sys.modules, "numba", None)  # now `import numba` raises ImportError


def _no_cache_directory(patch):
    import numba

    def njit_without_a_cache_directory(*args, **kwargs):
        raise RuntimeError("cannot cache function 'pool_rows': no locator available")

    patch.setattr(numba, "njit", njit_without_a_cache_directory)


@pytest.mark.parametrize("break_numba", [_no_numba, _no_cache_directory])
def test_the_loader_falls_back_to_numpy_when_numba_cannot_help(break_numba):
    with pytest.MonkeyPatch.context() as patch:
        break_numba(patch)
        patch.delitem(sys.modules, "poolviz._compiled", raising=False)
        _engine._compiled_loop.cache_clear()
        _engine._forget_kernels()
        try:
            assert _engine._compiled_loop() is None
            assert _engine.engine_name() == "NumPy"
            x = _batch((2, 40, 37, 64), np.float32)
            with np.errstate(invalid="ignore"):
                pooled = poolviz.max_pool2d(x, 3, 2, "same")
        finally:
            _engine._compiled_loop.cache_clear()
            _engine._forget_kernels()
    assert _engine.engine_name().startswith("numba ")
    np.testing.assert_array_equal(pooled, poolviz.max_pool2d(x, 3, 2, "same"))


def test_numba_is_imported_only_for_the_first_large_batch():
    code = (
        "import sys, numpy as np, poolviz\n"
        "loaded = lambda: 'numba' in sys.modules\n"
        "print(loaded())\n"
        "poolviz.average_pool2d(np.ones((28, 28)), 3, 1)\n"
        "poolviz.max_pool2d(np.ones((2, 40, 40, 8), np.float32), 3, 2, 'same')\n"
        "print(loaded())\n"
        "poolviz.max_pool2d(np.ones((2, 100, 100, 8), np.float32), 3, 2, 'same')\n"
        "print(loaded())\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout.split() == ["False", "False", "True"]
    assert result.stderr == ""


def test_read_only_batches_take_the_loop_too(loop_calls):
    """numba compiles a separate version for read-only arrays (memory maps,
    arrays a library hands out with writeable=False)."""
    x = _batch((2, 40, 37, 64), np.float32)
    x.flags.writeable = False
    result = poolviz.average_pool2d(x, 3, 2, "same")
    assert loop_calls and result.flags.writeable
    np.testing.assert_array_equal(
        result, _with_numpy_passes(poolviz.average_pool2d, x, 3, 2, "same"))
