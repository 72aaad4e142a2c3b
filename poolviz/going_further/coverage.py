"""Which input cells the pooling windows read, and how often: 0 where a
stride larger than the pool (or ``"valid"``) skips cells, 1 where windows
tile the input, 2 or more where they overlap."""

from __future__ import annotations

import numpy as np

from .._checks import _describe, as_size_pair
from ..pooling import output_size, pool_arguments, window_bounds

__all__ = ["window_coverage"]

MAX_COVERAGE_CELLS = 2**24


def _axis_coverage(n, pool, stride, padding):
    starts, stops = window_bounds(np.arange(output_size(n, pool, stride, padding)), n, pool, stride, padding)
    # +1 where a window begins, -1 where it ends: the running sum counts windows.
    return np.cumsum(np.bincount(starts, minlength=n + 1) - np.bincount(stops, minlength=n + 1))[:n]


def window_coverage(input_shape: tuple[int, int], pool_size: int | tuple[int, int] = (2, 2),
                    strides: int | tuple[int, int] | None = None, padding: str = "valid") -> np.ndarray:
    """Number of pooling windows (Keras's rules) covering each cell of a
    ``(rows, cols)`` input: an int array shaped ``input_shape``.

    >>> window_coverage((5, 5), 2)  # the last row and column are never read
    array([[1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    >>> window_coverage((1, 5), (1, 3), strides=(1, 2))  # overlapping windows
    array([[1, 1, 2, 1, 1]])
    """
    rows, cols = as_size_pair(input_shape, "input_shape")
    if rows * cols > MAX_COVERAGE_CELLS:
        raise ValueError(f"input_shape must have at most {MAX_COVERAGE_CELLS} (2**24) cells, "
                         f"got {_describe(input_shape)}")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    # The windows form a grid: the count is a product of one count per axis.
    return np.outer(_axis_coverage(rows, pool[0], stride[0], padding),
                    _axis_coverage(cols, pool[1], stride[1], padding))
