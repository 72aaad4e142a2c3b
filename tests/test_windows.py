"""Window arithmetic (poolviz.pooling): the rules every other module asks."""

import doctest
import itertools

import numpy as np
import pytest

from poolviz import pooling as windows


def test_docstring_examples():
    result = doctest.testmod(windows, extraglobs={"np": np})
    assert result.attempted >= 14 and result.failed == 0


AXES = list(itertools.product(range(1, 10), range(1, 8), range(1, 6), ["valid", "same"]))


@pytest.mark.parametrize("n, pool, stride, padding", AXES)
def test_windows_cover_the_axis_as_keras_lays_them_out(n, pool, stride, padding):
    size = windows.output_size(n, pool, stride, padding)
    before, after = windows.padding_amounts(n, pool, stride, padding)
    if padding == "valid":
        assert (before, after) == (0, 0)
        assert size == max(0, (n - pool) // stride + 1)
    else:
        assert size == -(-n // stride)
        # Just enough padding for the last window, the odd cell after.
        assert before + after == max(0, (size - 1) * stride + pool - n)
        assert after - before in (0, 1)
        assert (before, after) == windows.same_padding(n, pool, stride)
    bounds = [windows.window_bounds(i, n, pool, stride, padding) for i in range(size)]
    for i, (start, stop) in enumerate(bounds):
        first = i * stride - before
        # The real part of the window [first, first + pool): never empty.
        assert (start, stop) == (max(first, 0), min(first + pool, n))
        assert 1 <= stop - start <= pool
    if size:
        starts, stops = windows.window_bounds(np.arange(size), n, pool, stride, padding)
        assert list(zip(starts.tolist(), stops.tolist())) == bounds


def test_real_cell_counts_are_the_outer_product_of_the_axes():
    counts = windows.real_cell_counts((7, 5), 3, 2, "same")
    assert counts.tolist() == [[4, 6, 4], [6, 9, 6], [6, 9, 6], [4, 6, 4]]
    assert windows.real_cell_counts((6, 6), 2).tolist() == [[4] * 3] * 3
    assert windows.real_cell_counts((3, 3), (2, 2), (2, 2), "same").tolist() == [[4, 2], [2, 1]]


def test_pool_arguments_default_the_stride_to_the_pool():
    assert windows.pool_arguments(3) == ((3, 3), (3, 3), "valid")
    assert windows.pool_arguments((2, 3), 1, "Same") == ((2, 3), (1, 1), "same")


def test_one_wording_for_a_window_that_does_not_fit():
    expected = ("A 5 x 3 pool does not fit in the 4 x 4 input with padding 'valid': the output "
                "would have 0 x 2 cells. Choose a smaller pool_size (got (5, 3)) or padding 'same'.")
    assert windows.pool_fit_message((4, 4), (5, 3), 1) == expected
    with pytest.raises(ValueError) as raised:
        windows.check_pool_fits((4, 4), (5, 3), 1)
    assert str(raised.value) == expected
    assert windows.pool_fit_message((4, 4), (5, 3), 1, "same") == ""
    assert windows.pool_fit_message((3, 3), 4, noun="image").startswith(
        "A 4 x 4 pool does not fit in the 3 x 3 image")
    assert windows.pool_fit_message((4, 4), 5, 1, window="kernel", argument="kernel").endswith(
        "Choose a smaller kernel (got (5, 5)) or padding 'same'.")


@pytest.mark.parametrize("call, error, message", [
    (lambda: windows.window_bounds(3, 6, 2, 2), ValueError, r"index must lie in \[0, 3\) for this axis, got 3"),
    (lambda: windows.window_bounds(-1, 6, 2, 2), ValueError, r"index must lie in \[0, 3\)"),
    (lambda: windows.window_bounds(np.array([0, 3]), 6, 2, 2), ValueError,
     r"index must lie in \[0, 3\) for this axis, got values from 0 to 3"),
    (lambda: windows.window_bounds(1.0, 6, 2, 2), TypeError, "index must be an int or an integer array, got 1.0"),
    (lambda: windows.window_bounds(True, 6, 2, 2), TypeError, "got True"),
    (lambda: windows.window_bounds(0, 6, 2, 0), ValueError, "stride must be at least 1, got 0"),
    (lambda: windows.padding_amounts(6, 2, 2, "full"), ValueError, "padding must be 'valid' or 'same', got 'full'"),
    (lambda: windows.real_cell_counts((10**5, 10**5), 1), ValueError,
     r"real_cell_counts would return 100000 x 100000 counts, more than its limit of 16777216"),
    (lambda: windows.real_cell_counts((4, 4), 5), ValueError, "A 5 x 5 pool does not fit"),
    (lambda: windows.pool_fit_message((4, 4.0), 2), TypeError, "input_shape must be a pair of ints"),
    (lambda: windows.pool_arguments(0), ValueError, "pool_size must be positive, got 0"),
])
def test_bad_arguments_are_named(call, error, message):
    with pytest.raises(error, match=message):
        call()
