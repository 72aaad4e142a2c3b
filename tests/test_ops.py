"""The NumPy operations: the tutorial's numbers, the definition, the loops, bad input.

How the engine behind max_pool2d and average_pool2d gets there (plans,
prepared calls, blocks, threads, the compiled loop): tests/test_engine.py
and tests/test_engine_compiled.py.
"""

import itertools

import numpy as np
import pytest

import poolviz
import oracle as reference
from poolviz import data, pooling as ops

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


# ------------------------------------------------------------ definition --
@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("data_format", ["channels_last", "channels_first"])
def test_the_definition_gives_the_numbers_of_the_loops(padding, data_format):
    """Small integers with NaN and infinities: every sum is exact, so the
    average agrees to the bit as well (tests/test_engine.py draws more)."""
    rng = np.random.default_rng(5)
    x = rng.integers(-4, 5, (2, 9, 7, 3)).astype(np.float32)
    x[rng.random(x.shape) < 0.1] = np.nan
    x[rng.random(x.shape) < 0.05] = np.inf
    layout = x.transpose(0, 3, 1, 2) if data_format == "channels_first" else x
    for pool_size, strides in itertools.product([(1, 1), (2, 3), (3, 3)], [None, (2, 1)]):
        stride = strides or pool_size
        for operation, loop in (("max", reference.max_pool2d_loop),
                                ("average", reference.average_pool2d_loop)):
            result = ops.pool_by_definition(layout, pool_size, strides, padding, data_format,
                                            operation)
            assert result.dtype == np.float32
            if data_format == "channels_first":
                result = result.transpose(0, 2, 3, 1)
            np.testing.assert_array_equal(result, loop(x, pool_size, stride, padding).astype(
                np.float32))


def test_the_definition_keeps_the_dtypes_of_the_pooling_functions(feature_map):
    ints = np.arange(16, dtype=np.int16).reshape(4, 4)
    assert ops.pool_by_definition(ints, 3, 1, "same").tolist() == poolviz.max_pool2d(
        ints, 3, 1, "same").tolist()
    assert ops.pool_by_definition(ints, 3, 1, "same").dtype == np.int16
    assert ops.pool_by_definition(ints, operation="average").dtype == np.float64
    assert ops.pool_by_definition(np.full((4, 4), 40000, np.float16),
                                  operation="average").tolist() == [[40000.0] * 2] * 2
    assert ops.pool_by_definition(feature_map).tolist() == [[0.0, 3.0, 0.0]] * 3


def test_the_pooling_docstrings_point_to_the_definition_and_the_loops():
    for function, loop in ((poolviz.max_pool2d, "reference.max_pool2d_loop"),
                           (poolviz.average_pool2d, "reference.average_pool2d_loop")):
        assert ":func:`pool_by_definition`" in function.__doc__
        assert loop in function.__doc__
        assert "poolviz._engine" in function.__doc__ or "the engine" in function.__doc__


def test_the_definition_refuses_to_lay_out_more_than_its_limit():
    assert ops.MAX_DEFINITION_CELLS == 2**22
    assert ops.pool_by_definition(np.ones((2048, 2048)), 1).shape == (2048, 2048)  # 2**22
    for call in (lambda: ops.pool_by_definition(np.ones((2048, 2049)), 1),
                 lambda: ops.pool_by_definition(np.ones((8, 8)), 10**9, padding="same"),
                 lambda: ops.pool_by_definition(np.ones((1, 10**6)), (2**21, 1), 10**6, "same")):
        with pytest.raises(ValueError, match=r"pool_by_definition would lay out \d+ cells \(the "
                                             r"padded x or its windows\), more than its limit of "
                                             r"4194304 \(2\*\*22\): choose a smaller x or pool_size"):
            call()
    with pytest.raises(ValueError, match="operation must be 'max' or 'average', got 'min'"):
        ops.pool_by_definition(np.ones((4, 4)), operation="min")
    with pytest.raises(ValueError, match=r"operation must be .* got an array of shape \(1,\)"):
        ops.pool_by_definition(np.ones((4, 4)), operation=np.array(["max"]))


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


@pytest.mark.parametrize("pool", [poolviz.max_pool2d, poolviz.average_pool2d,
                                  ops.pool_by_definition])
@pytest.mark.parametrize("kwargs, error, message", BAD_POOLING_CALLS)
def test_bad_pooling_arguments_are_named(pool, kwargs, error, message):
    kwargs = {"x": np.ones((4, 4)), **kwargs}
    with pytest.raises(error) as raised:
        pool(**kwargs)
    assert message in str(raised.value)


def test_bad_global_and_conv_arguments():
    with pytest.raises(ValueError, match=r"data_format must be .* got 'nchw'"):
        poolviz.global_max_pool2d(np.ones((4, 4)), data_format="nchw")
    with pytest.raises(TypeError, match=r"keepdims must be True or False, got 'yes'"):
        poolviz.global_average_pool2d(np.ones((4, 4)), keepdims="yes")
    with pytest.raises(ValueError, match=r"kernel must be 2-D \(rows, cols\) for a 2-D x, got shape \(3,\)"):
        poolviz.conv2d(np.ones((4, 4)), np.ones(3))
    with pytest.raises(ValueError, match=r"kernel must have shape \(rows, cols, 2, out_channels\)"):
        poolviz.conv2d(np.ones((1, 4, 4, 2)), np.ones((3, 3, 1, 1)))
    with pytest.raises(ValueError, match=r"A 5 x 5 kernel does not fit in the 4 x 4 input with padding "
                                         r"'valid': .* Choose a smaller kernel \(got \(5, 5\)\)"):
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
    # Large batches: tests/test_engine.py.
