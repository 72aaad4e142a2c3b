"""Which input cells the pooling windows see, and how often.

A pooled cell summarises one window; :func:`window_coverage` turns the
question around and counts, for every *input* cell, how many windows cover
it: 0 where a stride larger than the pool skips cells (or ``valid`` drops
the last ones), 1 where windows tile the input, 2 or more where they
overlap.  It is the companion of the divisor map (how many real cells each
window averages over).
"""

from __future__ import annotations

import numpy as np

from ..pooling import output_size, pool_arguments, window_bounds

__all__ = ["window_coverage"]


def _axis_coverage(n, pool, stride, padding):
    starts, stops = window_bounds(np.arange(output_size(n, pool, stride, padding)), n, pool, stride, padding)
    # +1 where a window begins, -1 where it ends; the running sum counts windows.
    steps = np.zeros(n + 1, dtype=int)
    np.add.at(steps, starts, 1)
    np.add.at(steps, stops, -1)
    return np.cumsum(steps)[:n]


def window_coverage(input_shape, pool_size=(2, 2), strides=None, padding="valid"):
    """Number of pooling windows (Keras's rules) that cover each input cell.

    Parameters
    ----------
    input_shape : pair of int
        (rows, cols) of the input.
    pool_size, strides : int or pair of ints
        ``strides=None`` means ``pool_size``.
    padding : {"valid", "same"}

    Returns
    -------
    numpy.ndarray of int, shaped ``input_shape``
        The windows form a grid, so the count is the product of the counts
        along the rows and along the columns.

    Examples
    --------
    >>> window_coverage((5, 5), 2)  # the last row and column are never seen
    array([[1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [1, 1, 1, 1, 0],
           [0, 0, 0, 0, 0]])
    >>> window_coverage((1, 5), (1, 3), strides=(1, 2))  # overlapping windows
    array([[1, 1, 2, 1, 1]])
    """
    try:
        rows, cols = (int(n) for n in input_shape)
    except (TypeError, ValueError):
        raise ValueError(f"input_shape must be a pair (rows, cols), got {input_shape!r}") from None
    if rows < 1 or cols < 1:
        raise ValueError(f"input_shape must be positive, got {input_shape!r}")
    if rows * cols > 1 << 24:
        raise ValueError(f"input_shape {input_shape!r} has more than 2**24 cells")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    return np.outer(_axis_coverage(rows, pool[0], stride[0], padding),
                    _axis_coverage(cols, pool[1], stride[1], padding))


def coverage_figure(coverage, divisors=None, fig=None):
    """Draw the coverage map (per input cell) beside the divisor map (per output cell).

    Parameters
    ----------
    coverage : array_like of int
        From :func:`window_coverage`.
    divisors : array_like of int, optional
        Real cells per window (:func:`poolviz.pooling.real_cell_counts`).
    fig : matplotlib.figure.Figure, optional
        Drawn into (cleared first); a new figure otherwise.

    Returns
    -------
    matplotlib.figure.Figure
    """
    from matplotlib.figure import Figure

    from ..plot import heatmap

    coverage = np.asarray(coverage)
    fig = Figure(figsize=(7.0, 3.0)) if fig is None else fig
    fig.clear()
    axes = fig.subplots(1, 2 if divisors is not None else 1, squeeze=False)[0]
    never = int((coverage == 0).sum())
    heatmap(coverage, ax=axes[0], cmap="Greens", vmin=0, vmax=max(int(coverage.max()), 1),
            title=f"windows covering each input cell ({never} never read)")
    if divisors is not None:
        heatmap(np.asarray(divisors), ax=axes[1], cmap="Greys", vmin=0,
                title="real cells per window (divisor)")
    return fig
