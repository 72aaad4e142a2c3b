"""The window walk-through that generates the notebooks' hand arithmetic."""

import numpy as np
import pytest

import poolviz
from poolviz import data


@pytest.fixture
def feature_map():
    return poolviz.relu(poolviz.conv2d(data.vertical_line(), data.VERTICAL_LINE_DETECTOR))


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
    with pytest.raises(ValueError, match=r"feature_map must be a non-empty 2-D array \(rows, cols\), got shape \(1, 4, 4, 1\)"):
        poolviz.walk_windows(np.ones((1, 4, 4, 1)))
    with pytest.raises(ValueError, match=r"output_index must lie inside the pooled map of shape \(2, 2\), got \(2, 0\)"):
        poolviz.pooling_window(np.ones((4, 4)), (2, 0))
    with pytest.raises(ValueError, match=r"A 5 x 5 pool does not fit in the 4 x 4 input"):
        poolviz.walk_windows(np.ones((4, 4)), 5)
