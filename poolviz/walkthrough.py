"""The pooling window, one output cell at a time, for reading and drawing.

:func:`walk_windows` lists every window of a 2-D feature map in the order a
person would work through them by hand (row by row, left to right), with the
real values, which cells are padding and the result.
:meth:`PoolingWindow.arithmetic` writes one step out the way the notebooks
show it::

    max(0.0, 0.0,
        3.0, 3.0) = 3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (
    MAX_WALK_CELLS,
    MAX_WALK_WINDOWS,
    MAX_WINDOW_CELLS,
    as_feature_map,
    as_size_pair,
)
from .pooling import check_pool_fits, output_size, padding_amounts, pool_arguments, window_bounds

__all__ = ["PoolingWindow", "format_number", "pooling_window", "walk_windows"]

WINDOW_OPERATIONS = ("max", "average")


@dataclass(frozen=True, eq=False)
class PoolingWindow:
    """One window of a pooling operation over a 2-D feature map.

    Attributes
    ----------
    output_index : tuple of int
        ``(row, col)`` of the cell this window produces in the pooled map.
    rows, cols : range
        Input indices the window covers; indices below 0 or past the edge are
        padded cells (``same`` padding).
    values : numpy.ndarray
        Window-shaped float64 array of the input values, NaN at padded cells.
    is_padding : numpy.ndarray
        Window-shaped bool array, True at padded cells.
    operation : {"max", "average"}
    result : float
        What the pooling operation puts in the output cell.
    """

    output_index: tuple
    rows: range
    cols: range
    values: np.ndarray
    is_padding: np.ndarray
    operation: str
    result: float

    @property
    def real_values(self):
        """The values of the non-padded cells, row by row."""
        return self.values[~self.is_padding]

    @property
    def count(self):
        """Number of real cells: the divisor of average pooling."""
        return int((~self.is_padding).sum())

    def arithmetic(self):
        """The window's calculation as text, laid out like the window.

        >>> windows = walk_windows(np.arange(16.0).reshape(4, 4), operation="average")
        >>> print(windows[0].arithmetic())
        average(0.0, 1.0,
                4.0, 5.0) = 10.0 / 4 = 2.5
        """
        cells = [["pad" if pad else format_number(value) for value, pad in zip(row, pads)]
                 for row, pads in zip(self.values, self.is_padding)]
        width = max(len(cell) for row in cells for cell in row)
        indent = " " * (len(self.operation) + 1)
        lines = [", ".join(cell.rjust(width) for cell in row) for row in cells]
        body = (",\n" + indent).join(lines)
        if self.operation == "average":
            total = float(np.sum(self.real_values))
            tail = f"{format_number(total)} / {self.count} = {format_number(self.result)}"
        else:
            tail = format_number(self.result)
        return f"{self.operation}({body}) = {tail}"


def format_number(value):
    """A value as the hand arithmetic writes it: ``3.0``, ``1.5``, ``0.3333``.

    >>> format_number(3), format_number(1 / 3)
    ('3.0', '0.3333')
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"value must be a real number, got {value!r:.60}")
    try:
        number = float(value)
    except OverflowError:
        raise ValueError(f"value must fit in a float, got an int of {int(value).bit_length()} bits") from None
    text = f"{number:.4f}".rstrip("0")
    return text + "0" if text.endswith(".") else text


def _check_operation(operation):
    if not isinstance(operation, str) or operation not in WINDOW_OPERATIONS:
        raise ValueError(f"operation must be 'max' or 'average', got {operation!r}")
    return operation


class _Pooling:
    """A checked pooling of one map: its pool, stride and padding, and where
    the windows of each axis start (``before`` is the padding before it)."""

    def __init__(self, shape, pool_size, strides, padding):
        self.pool, self.stride, self.padding = pool_arguments(pool_size, strides, padding)
        check_pool_fits(shape, self.pool, self.stride, self.padding)
        self.shape = shape
        if self.pool[0] * self.pool[1] > MAX_WINDOW_CELLS:
            raise ValueError(
                f"pool_size {self.pool} gives windows of {self.pool[0] * self.pool[1]} cells; a "
                f"window is written out cell by cell (padding included) only up to "
                f"{MAX_WINDOW_CELLS} cells (1024 x 1024): use a smaller pool_size "
                f"(poolviz.max_pool2d and average_pool2d take any pool_size up to 2**31 - 1)"
            )
        self.out_shape = tuple(output_size(n, p, s, self.padding)
                               for n, p, s in zip(shape, self.pool, self.stride))

    def axis_window(self, index, axis):
        """``(range of input indices, (real start, real stop))`` of window
        ``index`` along ``axis``; indices outside ``[0, n)`` are padded cells."""
        n, pool, stride = self.shape[axis], self.pool[axis], self.stride[axis]
        first = index * stride - padding_amounts(n, pool, stride, self.padding)[0]
        return range(first, first + pool), window_bounds(index, n, pool, stride, self.padding)

    def axis_windows(self, axis):
        """:meth:`axis_window` of every window along ``axis``, in one pass."""
        n, pool, stride = self.shape[axis], self.pool[axis], self.stride[axis]
        indices = np.arange(self.out_shape[axis])
        before = padding_amounts(n, pool, stride, self.padding)[0]
        starts, stops = window_bounds(indices, n, pool, stride, self.padding)
        firsts = indices * stride - before
        return [(range(first, first + pool), (start, stop))
                for first, start, stop in zip(firsts.tolist(), starts.tolist(), stops.tolist())]


def _window(image, index, row_window, col_window, pooling, operation):
    (rows, (first_row, stop_row)), (cols, (first_col, stop_col)) = row_window, col_window
    # The real cells form one block (every window has at least one).
    real_block = image[first_row:stop_row, first_col:stop_col]
    inner = (slice(first_row - rows.start, stop_row - rows.start),
             slice(first_col - cols.start, stop_col - cols.start))
    values = np.full(pooling.pool, np.nan)
    values[inner] = real_block
    is_padding = np.ones(pooling.pool, dtype=bool)
    is_padding[inner] = False
    real = real_block.ravel()  # row by row
    if operation == "max":
        result = float(np.fmax.reduce(real))  # NaN only if every value is NaN
    else:
        result = float(np.mean(real))
    return PoolingWindow((int(index[0]), int(index[1])), rows, cols, values,
                         is_padding, operation, result)


def pooling_window(feature_map, output_index, pool_size=(2, 2), strides=None,
                   padding="valid", operation="max"):
    """The single window behind pooled cell ``output_index`` (row, col).

    Cheaper than :func:`walk_windows` when only one step is shown.  A window
    holds at most 2**20 cells (1024 x 1024, padding included): larger
    ``pool_size`` values raise ``ValueError``.

    >>> pooling_window(np.arange(16).reshape(4, 4), (1, 0)).arithmetic()
    'max( 8.0,  9.0,\\n    12.0, 13.0) = 13.0'
    """
    image = as_feature_map(feature_map)
    operation = _check_operation(operation)
    pooling = _Pooling(image.shape, pool_size, strides, padding)
    index = _output_index(output_index, pooling.out_shape)
    return _window(image, index, pooling.axis_window(index[0], 0),
                   pooling.axis_window(index[1], 1), pooling, operation)


def _output_index(output_index, out_shape):
    """Validate an ``(row, col)`` index into a pooled map of ``out_shape``."""
    row, col = as_size_pair(output_index, "output_index", minimum=-(2**63))
    if not (0 <= row < out_shape[0] and 0 <= col < out_shape[1]):
        raise ValueError(
            f"output_index must lie inside the pooled map of shape {out_shape}, "
            f"got {output_index!r}"
        )
    return row, col


def walk_windows(feature_map, pool_size=(2, 2), strides=None, padding="valid",
                 operation="max"):
    """Every window of the pooling, row by row, left to right.

    Parameters
    ----------
    feature_map : array_like, 2-D
    pool_size, strides, padding
        As in :func:`poolviz.max_pool2d`.
    operation : {"max", "average"}

    Returns
    -------
    list of PoolingWindow

    Raises
    ------
    ValueError
        Besides bad arguments: when there would be more than 2**14
        windows, or more than 2**22 cells in all (about 40 MB), or more than
        2**20 in one window; look at a large map one window at a time with
        :func:`pooling_window`.

    Examples
    --------
    >>> windows = walk_windows(np.arange(16).reshape(4, 4))
    >>> len(windows), windows[1].output_index, list(windows[1].cols)
    (4, (0, 1), [2, 3])
    >>> print(windows[1].arithmetic())
    max(2.0, 3.0,
        6.0, 7.0) = 7.0
    """
    image = as_feature_map(feature_map)
    operation = _check_operation(operation)
    pooling = _Pooling(image.shape, pool_size, strides, padding)
    (out_rows, out_cols), pool = pooling.out_shape, pooling.pool
    windows = out_rows * out_cols
    cells = windows * pool[0] * pool[1]
    if windows > MAX_WALK_WINDOWS or cells > MAX_WALK_CELLS:
        raise ValueError(
            f"walk_windows would list {windows} windows of {pool[0] * pool[1]} cells, "
            f"{cells} cells in all; its limits are {MAX_WALK_WINDOWS} windows (2**14) and "
            f"{MAX_WALK_CELLS} cells (2**22): walk a smaller feature_map, or look at single "
            f"windows with pooling_window"
        )
    row_windows, col_windows = pooling.axis_windows(0), pooling.axis_windows(1)
    return [_window(image, (i, j), row_window, col_window, pooling, operation)
            for i, row_window in enumerate(row_windows)
            for j, col_window in enumerate(col_windows)]
