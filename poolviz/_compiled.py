"""A compiled pooling loop for large channels-last float batches (numba).

NumPy pools a large batch in five passes over strided views (two along the
rows, two along the columns, one division; see
:func:`poolviz._engine._pool_windows`), and along the columns its inner loops
move only one cell's channels at a time.  That costs about twice
TensorFlow's time.  The loop below makes one pass: for each output row it combines the
window's input rows into a buffer one input row long, then combines that
buffer's columns into the output row, once per column offset in the window.
It runs at about TensorFlow's speed.

numba is optional (``pip install "poolviz[fast]"``; the course and test
environments include it).  Without it, :mod:`poolviz._engine` pools with NumPy.
Importing this module imports numba, so :mod:`poolviz._engine` imports it only
when the first large batch arrives.

Cells are combined rows first, then columns, each in ascending order; max
pooling skips NaN as ``np.fmax`` does; average pooling divides each window's
sum by its number of real cells, in the input dtype.  Max pooling gives
exactly the numbers of the loops in :mod:`poolviz.reference`; sums
differ from its float64 sums only in their last bits.

numba checks for negative indices unless a loop counts up from zero, and
that check keeps a loop from being vectorised; so the inner loops below run
over slices that start where the loop does.
"""

from __future__ import annotations

import numba
import numpy as np


@numba.njit(inline="always")
def _combine(kept, value, average):
    """The sum, or ``np.fmax`` (NaN gives way to any value).  Written as a
    select rather than an ``if``, so that the loops vectorise."""
    if average:
        return kept + value
    return value if (value > kept) | (kept != kept) else kept


@numba.njit(nogil=True, cache=True)
def pool_rows(x, out, images, out_rows, pool, stride, before, divisors, average):
    """Max or average pooling of ``x`` into ``out``, both C-contiguous
    (batch, rows, cols, channels), for the images in ``range(*images)`` and
    the output rows in ``range(*out_rows)``.

    ``pool``, ``stride`` and ``before`` (padded cells before the first real
    one) are (rows, cols) pairs.  ``divisors[i, j]`` is the number of real
    cells in window (i, j), in ``x``'s dtype; it is read only when
    ``average`` is true.  Releases the GIL, so that threads can pool
    different blocks of one batch at the same time.
    """
    rows, cols, channels = x.shape[1], x.shape[2], x.shape[3]
    out_cols = out.shape[2]
    line = cols * channels
    # Leaves every sum (-0.0 + v is v, even for v = -0.0) and every max
    # (NaN gives way) unchanged.
    identity = x.dtype.type(-0.0) if average else x.dtype.type(np.nan)
    band = np.empty(line, x.dtype)
    band_cells = band.reshape((cols, channels))
    for image in range(images[0], images[1]):
        source = x[image].reshape((rows, line))
        for i in range(out_rows[0], out_rows[1]):
            # Rows: the window's real input rows, combined into the band.
            start = i * stride[0] - before[0]
            first, stop = max(start, 0), min(start + pool[0], rows)
            row = source[first]
            for m in range(line):
                band[m] = row[m]
            for r in range(first + 1, stop):
                row = source[r]
                for m in range(line):
                    band[m] = _combine(band[m], row[m], average)
            # Columns: offset by offset, into every output cell it reaches.
            cells = out[image, i]
            flat = cells.reshape(out_cols * channels)
            for m in range(flat.shape[0]):
                flat[m] = identity
            # Only the offsets that reach a real column: fewer than 2 * cols
            # however large the pool.
            for offset in range(max(0, before[1] - (out_cols - 1) * stride[1]),
                                min(pool[1], cols + before[1])):
                shift = offset - before[1]  # output cell j reads column j * stride + shift
                j_first = max(0, (stride[1] - 1 - shift) // stride[1])
                j_stop = min(out_cols, (cols - 1 - shift) // stride[1] + 1)
                if j_first >= j_stop:
                    continue
                first_col = j_first * stride[1] + shift
                if stride[1] == 1:  # the cells and their columns are two contiguous runs
                    targets = flat[j_first * channels:j_stop * channels]
                    sources = band[first_col * channels:(first_col + j_stop - j_first)
                                   * channels]
                    for m in range(targets.shape[0]):
                        targets[m] = _combine(targets[m], sources[m], average)
                else:
                    for j in range(j_first, j_stop):
                        col = j * stride[1] + shift
                        for k in range(channels):
                            cells[j, k] = _combine(cells[j, k], band_cells[col, k], average)
            if average:
                for j in range(out_cols):
                    divisor = divisors[i, j]
                    for k in range(channels):
                        cells[j, k] /= divisor
