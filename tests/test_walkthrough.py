"""The window walk-through that generates the notebooks' hand arithmetic."""

import numpy as np
import pytest

import poolviz
from poolviz import data


def test_first_row_of_the_tutorials_hand_calculation(feature_map):
    windows = poolviz.walk_windows(feature_map, operation="average")
    assert len(windows) == 9
    first_row = [w for w in windows if w.output_index[0] == 0]
    assert [w.arithmetic() for w in first_row] == [
        "average(0.0, 0.0,\n        0.0, 0.0) = 0.0 / 4 = 0.0",
        "average(3.0, 3.0,\n        3.0, 3.0) = 12.0 / 4 = 3.0",
        "average(0.0, 0.0,\n        0.0, 0.0) = 0.0 / 4 = 0.0",
    ]
    assert [list(w.cols) for w in first_row] == [[0, 1], [2, 3], [4, 5]]
    assert all(list(w.rows) == [0, 1] for w in first_row)
    maxima = poolviz.walk_windows(feature_map, operation="max")
    assert maxima[1].arithmetic() == "max(3.0, 3.0,\n    3.0, 3.0) = 3.0"


@pytest.mark.parametrize("operation, pool", [("max", poolviz.max_pool2d),
                                             ("average", poolviz.average_pool2d)])
@pytest.mark.parametrize("pool_size, strides, padding", [
    (2, None, "valid"), (3, 2, "same"), ((2, 3), 1, "same"), (4, (3, 1), "valid")])
def test_windows_reproduce_the_pooled_map(operation, pool, pool_size, strides, padding):
    x = data.random_feature_map((7, 6), seed=4)
    pooled = pool(x, pool_size, strides, padding)
    windows = poolviz.walk_windows(x, pool_size, strides, padding, operation)
    assert len(windows) == pooled.size
    for window in windows:
        assert window.result == pytest.approx(pooled[window.output_index])
        assert window == window  # identity; windows hold arrays
    single = poolviz.pooling_window(x, windows[-1].output_index, pool_size, strides,
                                    padding, operation)
    assert single.arithmetic() == windows[-1].arithmetic()


def test_padded_cells_are_marked_and_counted():
    x = np.arange(9.0).reshape(3, 3)
    windows = poolviz.walk_windows(x, 2, padding="same", operation="average")
    corner = windows[-1]
    assert corner.output_index == (1, 1)
    assert list(corner.rows) == [2, 3] and list(corner.cols) == [2, 3]
    assert corner.is_padding.tolist() == [[False, True], [True, True]]
    assert corner.count == 1
    assert corner.real_values.tolist() == [8.0]
    assert np.isnan(corner.values[0, 1])
    assert corner.arithmetic() == "average(8.0, pad,\n        pad, pad) = 8.0 / 1 = 8.0"


def test_leading_padding_has_negative_indices():
    window = poolviz.pooling_window(np.ones((5, 5)), (0, 0), 4, 1, "same")
    assert list(window.rows) == [-1, 0, 1, 2]
    assert window.is_padding[0].all() and not window.is_padding[1:, 1:].any()


def test_bad_walkthrough_arguments():
    with pytest.raises(ValueError, match=r"operation must be 'max' or 'average', got 'sum'"):
        poolviz.walk_windows(np.ones((4, 4)), operation="sum")
    with pytest.raises(ValueError, match="feature_map"):
        poolviz.walk_windows(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"output_index .* \(2, 2\)"):
        poolviz.pooling_window(np.ones((4, 4)), (2, 0))
    with pytest.raises(ValueError, match=r"A 5 x 5 pool does not fit in the 4 x 4 input"):
        poolviz.walk_windows(np.ones((4, 4)), 5)


# ---------------------------------------------- bounded windows --
def test_doctests_pass():
    import doctest

    from poolviz import walkthrough

    failures, attempted = doctest.testmod(walkthrough)
    assert attempted >= 4 and failures == 0


def test_a_window_is_written_out_only_up_to_2_to_the_20_cells():
    """pooling_window(8x8, (0, 0), 20000, 'same') used to take 9.9 GB; now it reads 64 cells."""
    window = poolviz.pooling_window(np.zeros((8, 8)), (0, 0), 20000, padding="same")
    assert window.count == 64 and window.result == 0.0 and len(window.rows) == 20000
    with pytest.raises(ValueError, match=r"pool_size \(20000, 20000\)"):
        window.arithmetic()
    window = poolviz.pooling_window(np.arange(64.0).reshape(8, 8), (0, 0), 1024, padding="same")
    assert window.values.shape == (1024, 1024) and window.count == 64 and window.result == 63.0
    assert window.rows.start == -508 and np.isnan(window.values[0, 0])


def test_a_large_map_is_neither_copied_nor_converted_to_read_its_windows():
    """Issue 19 (9): a 20000 x 20000 uint8 map was copied to float64 (4.6 GB) first."""
    import tracemalloc

    huge = np.broadcast_to(np.arange(20_000, dtype=np.uint8) % 7, (20_000, 20_000))  # no memory of its own
    tracemalloc.start()
    try:
        window = poolviz.pooling_window(huge, (5000, 9999), 2)
        with pytest.raises(ValueError, match="walk_windows would list 100000000 windows"):
            poolviz.walk_windows(huge)
        assert tracemalloc.get_traced_memory()[1] < 20 * 2**20
    finally:
        tracemalloc.stop()
    assert window.real_values.tolist() == [2.0, 3.0, 2.0, 3.0] and window.result == 3.0  # 19998 % 256 % 7 == 2


def test_walk_windows_is_bounded_in_windows_and_cells():
    with pytest.raises(ValueError, match=r"walk_windows would list 306089 windows of 4 cells, "
                                         r"1224356 cells in all; its limits are 16384 windows"):
        poolviz.walk_windows(np.zeros((600, 512)), 2, 1)
    with pytest.raises(ValueError, match=r"walk_windows would list 16 windows of 1048576 cells"):
        poolviz.walk_windows(np.zeros((8, 8)), 1024, 2, padding="same")
    assert len(poolviz.walk_windows(np.zeros((129, 129)), 2, 1)) == 2**14


def test_output_index_must_be_a_pair_of_ints():
    x = np.arange(16.0).reshape(4, 4)
    with pytest.raises(TypeError, match=r"output_index must be a pair of ints \(rows, cols\), got \(0.5, 0\)"):
        poolviz.pooling_window(x, (0.5, 0))
    with pytest.raises(ValueError, match=r"output_index must be a pair \(rows, cols\), got 0"):
        poolviz.pooling_window(x, 0)
    assert poolviz.pooling_window(x, (np.int64(1), 0)).output_index == (1, 0)


@pytest.mark.parametrize("arguments, name", [
    (dict(output_index=(10**5000, 0)), "output_index"), (dict(operation=10**5000), "operation"),
    (dict(pool_size=10**5000), "pool_size"), (dict(strides=(1, 10**5000)), "strides")])
def test_a_number_too_long_to_print_is_named(arguments, name):
    with pytest.raises((ValueError, TypeError), match=name):
        poolviz.pooling_window(np.ones((4, 4)), **{"output_index": (0, 0), **arguments})
