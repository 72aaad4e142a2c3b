"""Which input cells the pooling windows read, and how often: 0 where a
stride larger than the pool (or ``"valid"``) skips cells, 1 where windows
tile the input, 2 or more where they overlap."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import _describe, as_numeric_array, as_size_pair
from ..pooling import output_size, pool_arguments, window_bounds

if TYPE_CHECKING:
    from matplotlib.figure import Figure

__all__ = ["coverage_figure", "window_coverage"]

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


def _counts(values, name):
    array = as_numeric_array(values, name)
    if array.ndim != 2 or array.size == 0 or not np.all(np.isfinite(array)) or array.min() < 0:
        raise ValueError(f"{name} must be a non-empty 2-D array of counts (finite, >= 0), "
                         f"got shape {array.shape}")
    return array


def coverage_figure(coverage: np.typing.ArrayLike, divisors: np.typing.ArrayLike | None = None,
                    fig: Figure | None = None) -> Figure:
    """Draw the coverage map (per input cell) beside the divisor map (real
    cells per window, :func:`poolviz.pooling.real_cell_counts`) into ``fig``
    (cleared first; a new ``Figure`` by default) and return it."""
    from matplotlib.figure import Figure

    from ..plot import heatmap

    coverage = _counts(coverage, "coverage")
    divisors = None if divisors is None else _counts(divisors, "divisors")
    if fig is not None and not isinstance(fig, Figure):
        raise TypeError(f"fig must be None or a matplotlib Figure, got {type(fig).__name__}")
    fig = Figure(figsize=(7.0, 3.0)) if fig is None else fig
    fig.clear()
    axes = fig.subplots(1, 1 if divisors is None else 2, squeeze=False)[0]
    heatmap(coverage, ax=axes[0], cmap="Greens", vmin=0, vmax=max(float(coverage.max()), 1),
            title=f"windows covering each input cell ({int((coverage == 0).sum())} never read)")
    if divisors is not None:
        heatmap(divisors, ax=axes[1], cmap="Greys", vmin=0, title="real cells per window (divisor)")
    return fig
