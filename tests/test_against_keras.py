"""Property tests: poolviz pools exactly like Keras, and like the loop oracle.

Hypothesis draws random feature maps (1-16 rows and columns, chosen
independently, batch and channels 1-3, both data formats), pool sizes and
strides 1-5 (and ``strides=None``) and both paddings, then checks that
poolviz, the Keras layer (through :mod:`poolviz.keras_bridge`) and the slow
loops in tests/oracle.py give the same numbers: max pooling bit for
bit, average pooling within float32 rounding.  The maps reach poolviz in C
order, Fortran order and as strided views.

Example counts come from a Hypothesis profile chosen by environment:

* ``dev`` (default): 40 examples per test, random, quick while editing;
* ``ci``: 100 examples per test, derandomized so that CI is reproducible;
  loaded when ``CI`` is set or ``POOLVIZ_HYPOTHESIS_PROFILE=ci``.

The profile is applied to this module's tests only (as a decorator), so it
does not change the settings of other test modules.

Keras layers are built once per parameter set (the bridge caches them), so an
example costs about a millisecond of Keras time.
"""


import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import hypothesis_profiles  # tests/hypothesis_profiles.py
from hypothesis_profiles import draw_values

profile = hypothesis_profiles.profile(ci_examples=100, dev_examples=40)

import oracle as reference  # noqa: E402
import poolviz  # noqa: E402

pytest.importorskip("tensorflow")
from poolviz import keras_bridge  # noqa: E402

SIZES = st.integers(1, 16)
WINDOW = st.integers(1, 5)
# TF's max pooling starts every window at the lowest float32, so a window of
# NaN only (or of -inf only) comes back as -3.4e38 from Keras.
KERAS_EMPTY_MAX = np.finfo(np.float32).min


@st.composite
def feature_maps(draw, rows, cols):
    """A float32 batch: 2-D (rows, cols), or 4-D in the drawn data format,
    of values from :func:`hypothesis_profiles.draw_values`.
    """
    data_format = draw(st.sampled_from(["channels_last", "channels_first"]))
    two_dimensional = draw(st.integers(0, 3)) == 0          # a quarter of the cases
    batch, channels = (1, 1) if two_dimensional else (draw(st.integers(1, 3)),
                                                      draw(st.integers(1, 3)))
    values = draw_values(draw, (batch, rows, cols, channels)).astype(np.float32)
    if two_dimensional:
        values = values[0, :, :, 0]
    elif data_format == "channels_first":
        values = np.ascontiguousarray(values.transpose(0, 3, 1, 2))
    # Arrays reach the ops in every memory layout: C order, Fortran order,
    # or a strided view into a larger array.
    layout = draw(st.sampled_from(["C", "Fortran", "strided"]))
    if layout == "Fortran":
        values = np.asfortranarray(values)
    elif layout == "strided":
        spread = np.zeros(tuple(2 * n for n in values.shape), dtype=np.float32)
        spread[tuple(slice(None, None, 2) for _ in values.shape)] = values
        values = spread[tuple(slice(None, None, 2) for _ in values.shape)]
    return values, data_format


@st.composite
def pooling_cases(draw):
    """Keyword arguments for a spatial pooling call plus the input."""
    rows, cols = draw(SIZES), draw(SIZES)
    pool = draw(st.tuples(WINDOW, WINDOW))
    strides = draw(st.none() | st.tuples(WINDOW, WINDOW))
    padding = draw(st.sampled_from(["valid", "same"]))
    x, data_format = draw(feature_maps(rows, cols))
    pool_size = pool[0] if pool[0] == pool[1] and draw(st.booleans()) else pool
    return dict(x=x, pool_size=pool_size, strides=strides, padding=padding,
                data_format=data_format), (rows, cols), pool


def _to_channels_last(x, data_format):
    """4-D channels-last view of ``x``, the layout the loop oracle takes."""
    if x.ndim == 2:
        return x[np.newaxis, :, :, np.newaxis]
    return x.transpose(0, 2, 3, 1) if data_format == "channels_first" else x


def _from_channels_last(result, like, data_format):
    if like.ndim == 2:
        return result[0, :, :, 0]
    return result.transpose(0, 3, 1, 2) if data_format == "channels_first" else result


def _oracle(operation, arguments, pool):
    x, data_format = arguments["x"], arguments["data_format"]
    strides = pool if arguments["strides"] is None else arguments["strides"]
    loop = {"max": reference.max_pool2d_loop,
            "average": reference.average_pool2d_loop}[operation]
    result = loop(_to_channels_last(x, data_format), pool, strides, arguments["padding"])
    return _from_channels_last(result, x, data_format)


def _expected_shape(arguments, pool):
    x, data_format = arguments["x"], arguments["data_format"]
    spatial_axes = (2, 3) if x.ndim == 4 and data_format == "channels_first" else (
        (1, 2) if x.ndim == 4 else (0, 1))
    out_rows, out_cols = poolviz.pooled_shape(
        tuple(x.shape[axis] for axis in spatial_axes), pool, arguments["strides"],
        arguments["padding"])
    shape = list(x.shape)
    shape[spatial_axes[0]], shape[spatial_axes[1]] = out_rows, out_cols
    return tuple(shape)


def _fits(spatial_shape, pool, padding):
    return padding == "same" or (pool[0] <= spatial_shape[0] and pool[1] <= spatial_shape[1])


def _compare_with_keras(case, operation):
    """Keras's and poolviz's answers for a drawn case, shapes already checked."""
    arguments, spatial_shape, pool = case
    assume(_fits(spatial_shape, pool, arguments["padding"]))
    comparison = keras_bridge.compare(operation=operation, **arguments)
    assert comparison.poolviz.shape == _expected_shape(arguments, pool)
    assert comparison.keras.shape == comparison.poolviz.shape
    assert comparison.poolviz.flags.c_contiguous
    return comparison, _oracle(operation, arguments, pool)


@profile
@given(case=pooling_cases())
def test_max_pool_matches_keras_and_loop_exactly(case):
    comparison, loop = _compare_with_keras(case, "max")
    assert comparison.poolviz.dtype == np.float32
    np.testing.assert_array_equal(comparison.poolviz, comparison.keras)
    np.testing.assert_array_equal(comparison.poolviz, loop)
    assert comparison.agree and comparison.max_abs_difference == 0.0


@profile
@given(case=pooling_cases())
def test_average_pool_matches_keras_and_loop(case):
    comparison, loop = _compare_with_keras(case, "average")
    assert np.issubdtype(comparison.poolviz.dtype, np.floating)
    np.testing.assert_allclose(comparison.poolviz, comparison.keras, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(comparison.poolviz, loop, rtol=1e-5, atol=1e-6)
    assert comparison.agree


@st.composite
def windows_that_do_not_fit(draw):
    """A valid-padding pooling whose window is taller or wider than the input."""
    rows, cols = draw(SIZES.filter(lambda n: n < 5)), draw(SIZES)
    pool = (draw(st.integers(rows + 1, 6)), draw(WINDOW))
    if draw(st.booleans()):  # too wide instead of too tall
        rows, cols, pool = cols, rows, pool[::-1]
    x, data_format = draw(feature_maps(rows, cols))
    strides = draw(st.none() | st.tuples(WINDOW, WINDOW))
    return dict(x=x, pool_size=pool, strides=strides, padding="valid",
                data_format=data_format)


@profile
@given(arguments=windows_that_do_not_fit(), operation=st.sampled_from(["max", "average"]))
def test_window_larger_than_valid_input_is_rejected_before_keras(arguments, operation):
    """Keras itself would crash (SIGFPE) on some of these: the bridge must not."""
    poolviz_op = {"max": poolviz.max_pool2d, "average": poolviz.average_pool2d}[operation]
    with pytest.raises(ValueError, match="pool_size"):
        poolviz_op(**arguments)

    def keras_must_not_run(*args, **kwargs):
        raise AssertionError("Keras was called with a window that does not fit")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(keras_bridge, "_cached_layer", keras_must_not_run)
        with pytest.raises(ValueError, match="pool_size"):
            keras_bridge.keras_pool2d(operation=operation, **arguments)


@st.composite
def global_cases(draw):
    x, data_format = draw(feature_maps(draw(SIZES), draw(SIZES)))
    return dict(x=x, data_format=data_format, keepdims=draw(st.booleans()))


def _global_oracle(operation, arguments):
    x, data_format, keepdims = arguments["x"], arguments["data_format"], arguments["keepdims"]
    loop = {"global max": reference.global_max_pool2d_loop,
            "global average": reference.global_average_pool2d_loop}[operation]
    result = loop(_to_channels_last(x, data_format))        # (batch, channels)
    if x.ndim == 2:
        return result[0, 0] if not keepdims else result.reshape(1, 1)
    if keepdims:
        result = (result[:, :, np.newaxis, np.newaxis] if data_format == "channels_first"
                  else result[:, np.newaxis, np.newaxis, :])
    return result


@profile
@given(arguments=global_cases())
def test_global_max_pool_matches_keras_and_loop_exactly(arguments):
    comparison = keras_bridge.compare(operation="global max", **arguments)
    assert np.shape(comparison.poolviz) == np.shape(comparison.keras)
    np.testing.assert_array_equal(comparison.poolviz, comparison.keras)
    np.testing.assert_array_equal(comparison.poolviz, _global_oracle("global max", arguments))


@profile
@given(arguments=global_cases())
def test_global_average_pool_matches_keras_and_loop(arguments):
    comparison = keras_bridge.compare(operation="global average", **arguments)
    assert np.shape(comparison.poolviz) == np.shape(comparison.keras)
    np.testing.assert_allclose(comparison.poolviz, comparison.keras, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(comparison.poolviz, _global_oracle("global average", arguments),
                               rtol=1e-5, atol=1e-6)


# --- NaN: max pooling skips it (as TF does), average pooling propagates it ---

@profile
@given(case=pooling_cases(), nan_fraction=st.sampled_from([0.1, 0.5, 0.9]),
       seed=st.integers(0, 2**32 - 1))
def test_nan_skipped_by_max_and_propagated_by_average(case, nan_fraction, seed):
    arguments, spatial_shape, pool = case
    assume(_fits(spatial_shape, pool, arguments["padding"]))
    x = arguments["x"].copy()
    x[np.random.default_rng(seed).random(x.shape) < nan_fraction] = np.nan
    arguments = dict(arguments, x=x)

    ours_max = poolviz.max_pool2d(**arguments)
    theirs_max = keras_bridge.keras_pool2d(operation="max", **arguments)
    oracle_max = _oracle("max", arguments, pool)
    np.testing.assert_array_equal(ours_max, oracle_max)          # NaN where all NaN
    only_nan = np.isnan(oracle_max)
    np.testing.assert_array_equal(ours_max[~only_nan], theirs_max[~only_nan])
    # A window holding nothing but NaN: TF reports its starting value.
    assert np.all(theirs_max[only_nan] == KERAS_EMPTY_MAX)

    ours_average = poolviz.average_pool2d(**arguments)
    theirs_average = keras_bridge.keras_pool2d(operation="average", **arguments)
    oracle_average = _oracle("average", arguments, pool)
    np.testing.assert_allclose(ours_average, theirs_average, rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(ours_average, oracle_average, rtol=1e-5, atol=1e-6)


def test_nan_examples_by_hand():
    window = np.array([[np.nan, 1.0], [2.0, 3.0]], dtype=np.float32)
    assert poolviz.max_pool2d(window)[0, 0] == 3.0
    assert keras_bridge.keras_pool2d(window, "max")[0, 0] == 3.0
    assert np.isnan(poolviz.average_pool2d(window)[0, 0])
    assert np.isnan(keras_bridge.keras_pool2d(window, "average")[0, 0])
    # A window with no number at all: poolviz says NaN, TF its starting value.
    only_nan = np.full((2, 2), np.nan, dtype=np.float32)
    assert np.isnan(poolviz.max_pool2d(only_nan)[0, 0])
    assert keras_bridge.keras_pool2d(only_nan, "max")[0, 0] == KERAS_EMPTY_MAX


def test_global_max_propagates_nan_like_keras_unlike_windowed_max():
    """Keras's GlobalMaxPooling2D is a reduce_max: unlike MaxPooling2D it
    propagates NaN, and poolviz follows both."""
    feature_map = np.array([[np.nan, 1.0], [2.0, 3.0]], dtype=np.float32)
    assert np.isnan(poolviz.global_max_pool2d(feature_map))
    assert np.isnan(keras_bridge.keras_pool2d(feature_map, "global max"))
    assert poolviz.max_pool2d(feature_map, pool_size=2)[0, 0] == 3.0
    assert keras_bridge.keras_pool2d(feature_map, "max", pool_size=2)[0, 0] == 3.0
    comparison = keras_bridge.compare(feature_map, "global max")
    assert comparison.agree and comparison.max_abs_difference == 0.0
