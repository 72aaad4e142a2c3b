"""The speed engine behind :func:`poolviz.max_pool2d` and :func:`poolviz.average_pool2d`.

Private: nothing outside this module (and its tests) reaches into it, so it
can change without touching the teaching modules.  What pooling means is
written in :func:`poolviz.pooling.pool_by_definition`, in a few lines, and one
window at a time in :mod:`poolviz.reference`; this module computes the same
numbers faster, behind one door, :func:`pool`.

Contract
--------
``pool(x, pool_size, strides, padding, data_format, operation, check)``
takes a pooling call's arguments as the caller received them, ``operation``
(``"max"`` or ``"average"``) and ``check``, the caller's validation:
``check(x, pool_size, strides, padding, data_format, operation)`` raises the
caller's errors or returns ``(array, axes, pool, stride, padding)``, the
array in the dtype to pool in, its (rows, cols) axes, two pairs of ints and
the padding name.  ``check`` runs on every call except the repeats of one
already prepared (same shape, dtype and arguments, sizes spelled as exact
ints: a slider's case), which go straight to their prepared kernel.

It returns a new C-contiguous array that the caller owns, in the layout and
dtype ``check`` gave, holding the numbers of the definition and of the loops:

* max pooling bit for bit: NaN skipped as by ``np.fmax``, a window of NaN
  only gives NaN;
* average pooling: each window's sum over its real cells divided by their
  number, in the array's dtype.  The passes add the cells in another order
  than the definition (rows first, then columns), so float averages may
  differ from it in their last bits; they are equal whenever every sum is
  exact (small integers, infinities, NaN).

Caveats: where 0.0 and -0.0 tie, the max is the zero ``np.fmax``'s order
picks (0.0 == -0.0, only ``np.signbit`` sees it).  A window of -0.0
averages to 0.0 on the tiny path (as in the definition: ``np.add.reduce``
starts from 0.0) and to -0.0 in the passes and the compiled loop.  NumPy's
passes warn ("invalid value") where a window adds +inf and -inf and honour
the caller's ``np.errstate``, in worker threads too; the compiled loop gives
the same NaN silently.

How
---
A kernel is prepared once per shape, dtype and pooling (``_pool_kernel``,
cached) and remembered per call spelling (``_PREPARED_CALLS``):

* tiny (output cells x pool cells <= ``_GATHER_CELLS``): one gather of every
  window cell and one reduction (:class:`_Gather`);
* small (input <= ``_BLOCK_BYTES``): the separable passes, rows then columns,
  each a few whole-array ufunc calls on strided slices, no padding copied;
* large: the same passes in blocks that fit the CPU cache, on a thread pool
  when the input has ``_THREADED_BYTES`` or more; channels-last float32 and
  float64 batches with 2+ channels go to the compiled numba loop of
  :mod:`poolviz._compiled` when numba is installed (imported on the first
  such batch, so ``import poolviz`` stays light).

Speed
-----
poolviz's time / TensorFlow's (``tf.nn.max_pool2d``, ``tf.nn.avg_pool2d``,
eager), float32 channels-last, and poolviz's time per call: medians of three
runs of ``benchmarks/bench_pooling.py`` on 2 shared cores (TensorFlow 2.21,
NumPy 2.4, numba 0.68).  TensorFlow's eager call costs ~130 us whatever the
size, so at slider sizes the ratio says more about TensorFlow than about
poolviz; trust ratios, not microseconds, on a noisy machine.

==============  ===========  ===============  ===============  =============
input           pool/stride  max              average          path
==============  ===========  ===============  ===============  =============
1x8x8x1         2/2 valid    0.02 (2.6 us)    0.02 (3.1 us)    tiny
1x8x8x1         3/2 same     0.02 (2.8 us)    0.03 (3.6 us)    tiny
1x28x28x1       2/2 valid    0.03 (3.4 us)    0.03 (3.9 us)    tiny
1x28x28x1       3/1 valid    0.05 (6.2 us)    0.05 (6.8 us)    small
32x28x28x16     3/2 same     0.60 (116 us)    0.65 (122 us)    compiled
1x224x224x3     3/2 same     0.65 (146 us)    0.87 (172 us)    compiled
8x112x112x64    2/2 valid    1.09 (2.7 ms)    1.10 (2.5 ms)    compiled x2
8x112x112x64    3/2 same     1.13 (3.3 ms)    0.99 (2.8 ms)    compiled x2
8x112x112x64    3/1 valid    0.80 (5.7 ms)    0.95 (6.0 ms)    compiled x2
==============  ===========  ===============  ===============  =============

("compiled x2": the compiled loop on two threads.)  Without numba the large
rows take NumPy's blocked passes, 1.4-3.8x TensorFlow's time.
"""

from __future__ import annotations

import contextvars
import functools
import math
import os
from concurrent.futures import ThreadPoolExecutor
from typing import NamedTuple

import numpy as np

from .pooling import output_size, padding_amounts, window_bounds


def pool(x, pool_size, strides, padding, data_format, operation, check):
    """Max or average pooling of ``x``: the engine's one door (see the module
    docstring for the contract)."""
    # A slider repeats the same kind of call many times: once a call has
    # passed the checks, a call with the same shape, dtype and arguments goes
    # straight to its prepared kernel.  Only exact ints are looked up, because
    # True == 1 and 2.0 == 2 would find an entry that 1 and 2 made.
    key = None
    if type(x) is np.ndarray and _is_int_pair(pool_size) and (
            strides is None or _is_int_pair(strides)):
        key = (x.shape, x.dtype, pool_size, strides, padding, data_format, operation)
        try:
            run = _PREPARED_CALLS.get(key)
        except TypeError:  # an unhashable padding or data_format: `check` refuses it
            run = key = None
        if run is not None:
            return run(x)

    array, axes, pool_pair, stride, padding_name = check(x, pool_size, strides, padding,
                                                         data_format, operation)
    kernel = _pool_kernel(array.shape, axes, pool_pair, stride, padding_name, array.dtype,
                          operation)
    if key is not None:
        if len(_PREPARED_CALLS) >= _PREPARED_CALLS_MAX:
            _PREPARED_CALLS.clear()
        _PREPARED_CALLS[key] = (kernel if array.dtype == x.dtype
                                else functools.partial(_converted_then, array.dtype, kernel))
    return kernel(array)


def engine_name():
    """What pools large channels-last float batches here: ``"numba X.Y.Z"``
    (the compiled loop) or ``"NumPy"`` (vectorised passes).  For benchmarks
    and bug reports; the numbers are the same either way, up to the order of
    the additions in average pooling."""
    loop = _compiled_loop()
    if loop is None:
        return "NumPy"
    import numba

    return f"numba {numba.__version__}"


_PREPARED_CALLS = {}
_PREPARED_CALLS_MAX = 512


def _forget_kernels():
    """Drop every prepared kernel and plan: for tests that change the size
    thresholds (``_GATHER_CELLS``, ``_BLOCK_BYTES``, ``_COMPILED_MIN_CHANNELS``)
    or ``_compiled_loop``, which are read only when a kernel is prepared."""
    _PREPARED_CALLS.clear()
    _pool_kernel.cache_clear()
    _pool_plan.cache_clear()


def _is_int_pair(value):
    """Whether ``value`` is spelled as an int or a tuple of two ints."""
    return type(value) is int or (type(value) is tuple and len(value) == 2
                                  and type(value[0]) is int and type(value[1]) is int)


def _converted_then(dtype, kernel, x):
    """``kernel`` on ``x`` converted to ``dtype``: float64 for booleans and
    integers to average, float32 for float16, native byte order."""
    return kernel(x.astype(dtype))


# --------------------------------------------------------------------------
# Fast pooling kernels
#
# Pooling is separable: the max (or sum) over a k_r x k_c window is the max
# over k_c columns of the max over k_r rows, so k_r + k_c whole-array
# operations on strided slices replace k_r * k_c.  The input is never
# padded: window offset d of output cell i reads input cell
# i * stride - before + d, and the slice for offset d simply leaves out the
# output cells for which that input cell would be padding (max ignores
# padding and average does not count it, so leaving it out is exact).
# Large inputs pad only the row-pooled band, with a value that changes no
# max or sum (see _identity), so that the column pass writes whole blocks.
# Tiny inputs skip the slices for a single gather of every window cell (see
# _Gather); large inputs are cut into blocks that fit the CPU cache and
# shared between threads (NumPy releases the GIL inside ufuncs).
# --------------------------------------------------------------------------
_FULL = slice(None)
# Input bytes per block: the block, the row-pass result and the output block
# together stay within one core's L2 cache (2 MB on the machine this was
# tuned on).  Threads need larger blocks: each NumPy call hands the GIL
# over, and on calls much shorter than ~50 us the handing over is what the
# threads spend their time on.
_BLOCK_BYTES = 1 << 19
_THREAD_BLOCK_BYTES = 1 << 20
# Below this, threads cost more than they save.
_THREADED_BYTES = 1 << 22


@functools.lru_cache(maxsize=1024)
def _window_offsets(n, pool, stride, padding):
    """``(output size, padded cells before, ((offset, first, stop), ...))``.

    Output cell ``i`` reads input cell ``i * stride - before + offset``, which
    is a real cell for ``first <= i < stop``.  Every window has at least one
    real cell, and offset ``before`` is real for every output cell.
    """
    # The public window arithmetic checks its arguments (microseconds): it is
    # asked here, when a plan is built and cached, never per pooling call.
    out = output_size(n, pool, stride, padding)
    before = padding_amounts(n, pool, stride, padding)[0]
    ranges = []
    # Only offsets that reach a real cell for some output cell: at most
    # n + (out - 1) * stride < 2 * n of them, however large the pool (a
    # same-padded pool of 10**9 costs like one window per output cell).
    for offset in range(max(0, before - (out - 1) * stride), min(pool, n + before)):
        first = max(0, -(-(before - offset) // stride))
        stop = min(out, (n - 1 - offset + before) // stride + 1)
        if first < stop:
            ranges.append((offset, first, stop))
    return out, before, tuple(ranges)


@functools.lru_cache(maxsize=1024)
def _slice_steps(ndim, axis, n, pool, stride, padding, first_cell, stop_cell):
    """Index steps that pool output cells ``[first_cell, stop_cell)`` along ``axis``.

    A tuple of ``(output index, input index)`` pairs, one per window offset,
    each a full index tuple for an ``ndim``-D array.  Offsets that reach every
    output cell come first, with output index ``None``.
    """
    _, before, ranges = _window_offsets(n, pool, stride, padding)
    lead = (_FULL,) * axis
    full, partial = [], []
    for offset, first, stop in ranges:
        low, high = max(first, first_cell), min(stop, stop_cell)
        if low >= high:
            continue
        source = lead + (slice(low * stride - before + offset,
                               (high - 1) * stride - before + offset + 1, stride),)
        if (low, high) == (first_cell, stop_cell):
            full.append((None, source))
        else:
            partial.append((lead + (slice(low - first_cell, high - first_cell),), source))
    return tuple(full + partial)


def _fold(source, steps, combine, out=None):
    """Combine ``source``'s slices listed in ``steps`` (see :func:`_slice_steps`).

    The first step covers every output cell (offset ``before`` always does),
    so it seeds the result.  Writes into ``out`` if given; otherwise returns
    a new array, or a view of ``source`` when there is a single step.
    """
    first = source[steps[0][1]]
    rest = steps[1:]
    if rest and rest[0][0] is None:
        # order="C": a new result is C-ordered whatever the input's layout.
        result = combine(first, source[rest[0][1]], out=out, order="C")
        rest = rest[1:]
    elif out is not None:
        np.copyto(out, first)
        result = out
    else:
        result = first.copy() if rest else first
    for cells, cut in rest:
        target = result if cells is None else result[cells]
        combine(target, source[cut], out=target)
    return result


class _Divisor(NamedTuple):
    """How to turn window sums into averages.

    Windows whose cells are all real (rows ``full_rows``, columns
    ``full_cols``, always a rectangle in the middle) share one divisor,
    ``pool_rows * pool_cols``, applied by one scalar operation; a power of two
    is applied as a multiplication by its inverse, which gives the same bits
    faster.  Border windows that overlap the padding are divided by their own
    count of real cells, from ``counts`` (read-only, shaped to broadcast
    against the output).
    """

    full_rows: tuple
    full_cols: tuple
    operation: np.ufunc
    operand: object
    counts: np.ndarray | None  # None when no window overlaps the padding


def _real_cells(n, pool, stride, padding):
    """Number of real cells in each window along one axis (for cached plans)."""
    out = _window_offsets(n, pool, stride, padding)[0]
    start, stop = window_bounds(np.arange(out), n, pool, stride, padding)
    return stop - start


def _full_range(counts, pool):
    """``(first, stop)`` of the windows with ``pool`` real cells (a single run)."""
    full = np.flatnonzero(counts == pool)
    return (int(full[0]), int(full[-1]) + 1) if full.size else (0, 0)


@functools.lru_cache(maxsize=256)
def _window_cell_counts(rows, cols, pool, stride, padding, dtype):
    """Number of real cells in each window, (output rows, output cols), in
    ``dtype``: what average pooling divides by.  Read-only."""
    counts = np.multiply.outer(_real_cells(rows, pool[0], stride[0], padding),
                               _real_cells(cols, pool[1], stride[1], padding)).astype(dtype)
    counts.flags.writeable = False
    return counts


@functools.lru_cache(maxsize=256)
def _average_divisor(rows, cols, pool, stride, padding, dtype, trailing_axes):
    """The :class:`_Divisor` for one input size; ``trailing_axes`` is the
    number of axes after the column axis (1 for channels-last)."""
    row_counts = _real_cells(rows, pool[0], stride[0], padding)
    col_counts = _real_cells(cols, pool[1], stride[1], padding)
    cells = pool[0] * pool[1]
    counts = _window_cell_counts(rows, cols, pool, stride, padding, dtype)
    if (counts == cells).all():
        counts = None
    else:
        counts = counts.reshape(counts.shape + (1,) * trailing_axes)
    if cells & (cells - 1) == 0:
        operation, operand = np.multiply, dtype.type(1 / cells)
    else:
        operation, operand = np.divide, dtype.type(cells)
    return _Divisor(_full_range(row_counts, pool[0]), _full_range(col_counts, pool[1]),
                    operation, operand, counts)


def _divide_whole(sums, divisor):
    """Averages from the sums of a small input, in place, in one NumPy call."""
    if divisor is None:
        return sums  # max pooling
    if divisor.counts is None:
        divisor.operation(sums, divisor.operand, out=sums)
    else:
        np.divide(sums, divisor.counts, out=sums)
    return sums


def _divide_full_windows(sums, axes, first_row, divisor):
    """Divide the windows without padding in ``sums`` (output rows from
    ``first_row`` on) by the full cell count, in place, in one NumPy call.

    Border windows are left as sums for :func:`_divide_border_windows`, which
    divides them once for the whole output: per block, those thin strips
    would cost more NumPy calls than numbers.
    """
    if divisor.counts is None:
        divisor.operation(sums, divisor.operand, out=sums)
        return
    (full_first, full_stop), (col_first, col_stop) = divisor.full_rows, divisor.full_cols
    low = max(first_row, full_first)
    high = min(first_row + sums.shape[axes[0]], full_stop)
    if low < high and col_first < col_stop:
        lead = (_FULL,) * axes[0]   # the column axis follows the row axis
        inner = sums[lead + (slice(low - first_row, high - first_row),
                             slice(col_first, col_stop))]
        divisor.operation(inner, divisor.operand, out=inner)


def _divide_border_windows(out, axes, divisor):
    """Divide the sums of the windows that overlap the padding by their own
    numbers of real cells, in place: the rows above and below the full
    windows, and the columns beside them."""
    if divisor.counts is None:
        return
    lead = (_FULL,) * axes[0]   # the column axis follows the row axis
    (full_first, full_stop), (col_first, col_stop) = divisor.full_rows, divisor.full_cols
    if full_first == full_stop:  # no window is full: every row is border
        full_first = full_stop = out.shape[axes[0]]
    rows_and_cols = [(slice(0, full_first), _FULL),
                     (slice(full_stop, out.shape[axes[0]]), _FULL),
                     (slice(full_first, full_stop), slice(0, col_first)),
                     (slice(full_first, full_stop), slice(col_stop, out.shape[axes[1]]))]
    for rows, cols in rows_and_cols:
        strip = out[lead + (rows, cols)]
        if strip.size:
            np.divide(strip, divisor.counts[rows, cols], out=strip)


class _Gather(NamedTuple):
    """Pooling of a tiny input as one gather and one reduction.

    The rows and columns axes are merged into one (``merged_shape``, which
    is 1-D for a single feature map: batch and channels of size 1 are
    dropped, and ``out_shape`` puts them back); ``indices[k, i, j]`` is the
    merged index of cell ``k`` of the window of output cell ``(i, j)``, so
    that gathering along the merged axis (``axis``) and reducing over ``k``
    leaves the output in its final layout.
    Padded cells point at a real cell of the same window (the nearest one
    along each axis), which cannot change a max.  For average pooling,
    ``padded`` lists their flat positions in the gathered array, which are
    overwritten with -0.0: adding -0.0 changes no sum (not even -0.0 or
    NaN), and a plain sum costs half as much as one that skips cells with
    ``where=`` (None for max pooling and when no cell is padded).
    ``average`` is ``(ufunc, operand)`` that turns the reduced sums into
    averages (None for max pooling): a division by the counts of real cells,
    shaped like the sums, or a scalar operation when every window is full.
    """

    merged_shape: tuple
    axis: int
    indices: np.ndarray
    padded: np.ndarray | None
    average: tuple | None
    out_shape: tuple


# A gather copies every window cell: worth it while that is a few thousand
# numbers, where each NumPy call costs more than the numbers it moves.
_GATHER_CELLS = 4096


def _gather_plan(shape, axes, pool, stride, padding, out_shape, divisor):
    """The :class:`_Gather` for one input shape and pooling."""
    (row_axis, col_axis), (rows, cols) = axes, (shape[axes[0]], shape[axes[1]])
    out_rows, out_cols = out_shape[row_axis], out_shape[col_axis]
    top = _window_offsets(rows, pool[0], stride[0], padding)[1]
    left = _window_offsets(cols, pool[1], stride[1], padding)[1]
    # Axes (pool row, pool col, output row, output col).
    cell_rows = (np.arange(pool[0])[:, None, None, None]
                 + np.arange(out_rows)[None, None, :, None] * stride[0] - top)
    cell_cols = (np.arange(pool[1])[None, :, None, None]
                 + np.arange(out_cols)[None, None, None, :] * stride[1] - left)
    real = ((cell_rows >= 0) & (cell_rows < rows) & (cell_cols >= 0) & (cell_cols < cols))
    indices = np.clip(cell_rows, 0, rows - 1) * cols + np.clip(cell_cols, 0, cols - 1)
    windows = (pool[0] * pool[1], out_rows, out_cols)
    if math.prod(shape) == rows * cols:  # a single feature map
        row_axis, col_axis, shape = 0, 1, (rows, cols)
    merged_shape = shape[:row_axis] + (rows * cols,) + shape[col_axis + 1:]
    trailing = (1,) * (len(shape) - 1 - col_axis)
    padded = average = None
    if divisor is not None:
        if not real.all():
            cells_shape = shape[:row_axis] + windows + shape[col_axis + 1:]
            padded = np.flatnonzero(
                ~np.broadcast_to(real.reshape(windows + trailing), cells_shape))
            padded.flags.writeable = False
        average = (divisor.operation, divisor.operand)
        if divisor.counts is not None:
            average = (np.divide, divisor.counts.reshape((out_rows, out_cols) + trailing))
    return _Gather(merged_shape, row_axis, indices.reshape(windows), padded, average,
                   out_shape)


class _Plan(NamedTuple):
    """Everything about a pooling call that does not depend on the values.

    ``row_steps`` and ``col_steps`` cover all output cells (see
    :func:`_slice_steps`); ``divisor`` is None for max pooling; ``gather``
    is None unless the input is tiny.
    """

    out_shape: tuple
    row_steps: tuple
    col_steps: tuple
    divisor: _Divisor | None
    gather: _Gather | None


@functools.lru_cache(maxsize=256)
def _pool_plan(shape, axes, pool, stride, padding, dtype, operation):
    (row_axis, col_axis), ndim = axes, len(shape)
    rows, cols = shape[row_axis], shape[col_axis]
    out_rows = _window_offsets(rows, pool[0], stride[0], padding)[0]
    out_cols = _window_offsets(cols, pool[1], stride[1], padding)[0]
    out_shape = list(shape)
    out_shape[row_axis], out_shape[col_axis] = out_rows, out_cols
    row_steps = _slice_steps(ndim, row_axis, rows, pool[0], stride[0], padding, 0, out_rows)
    col_steps = _slice_steps(ndim, col_axis, cols, pool[1], stride[1], padding, 0, out_cols)
    divisor = None
    if operation == "average":
        divisor = _average_divisor(rows, cols, pool, stride, padding, dtype,
                                   ndim - 1 - col_axis)
    gather = None
    if math.prod(out_shape) * pool[0] * pool[1] <= _GATHER_CELLS:
        gather = _gather_plan(shape, axes, pool, stride, padding, tuple(out_shape), divisor)
    return _Plan(tuple(out_shape), row_steps, col_steps, divisor, gather)


@functools.lru_cache(maxsize=256)
def _pool_kernel(shape, axes, pool, stride, padding, dtype, operation):
    """A function that pools a validated array of this shape and dtype."""
    plan = _pool_plan(shape, axes, pool, stride, padding, dtype, operation)
    if plan.gather is not None:
        return functools.partial(_pool_tiny, plan.gather,
                                 np.fmax if operation == "max" else np.add)
    if math.prod(shape) * dtype.itemsize <= _BLOCK_BYTES:
        return functools.partial(_pool_small, plan.row_steps, plan.col_steps, plan.divisor,
                                 np.fmax if operation == "max" else np.add)
    col_padding = padding_amounts(shape[axes[1]], pool[1], stride[1], padding)
    windows = functools.partial(_pool_windows, out_shape=plan.out_shape,
                                divisor=plan.divisor, axes=axes, pool=pool, stride=stride,
                                padding=padding, col_padding=col_padding, operation=operation)
    if not _suits_compiled_loop(shape, axes, dtype):
        return windows
    loop = _compiled_loop()
    if loop is None:  # no numba, or none that can run here
        return windows
    rows, cols = shape[1], shape[2]
    before = (_window_offsets(rows, pool[0], stride[0], padding)[1],
              _window_offsets(cols, pool[1], stride[1], padding)[1])
    divisors = _window_cell_counts(rows, cols, pool, stride, padding, dtype)
    return functools.partial(_pool_compiled, loop, windows, plan.out_shape, pool, stride,
                             before, divisors, operation == "average")


# Large channels-last float batches go to a compiled loop when numba is
# installed (see poolviz._compiled): one pass where NumPy makes five, 0.4 to
# 0.9 of NumPy's time with 2 to 64 channels as measured on 2 cores (about
# the same for stride-1 max pooling of 64 channels, 1.15).  A single
# channel (2-D maps, channels-first batches) leaves the loop one number per
# cell, where NumPy's long runs along the rows win, so those stay on NumPy,
# as do other dtypes (ints, which max pooling keeps, and float16).
_COMPILED_DTYPES = frozenset({np.dtype(np.float32), np.dtype(np.float64)})
_COMPILED_MIN_CHANNELS = 2


def _suits_compiled_loop(shape, axes, dtype):
    return (len(shape) == 4 and axes == (1, 2) and shape[3] >= _COMPILED_MIN_CHANNELS
            and dtype in _COMPILED_DTYPES)


@functools.lru_cache(maxsize=1)
def _compiled_loop():
    """:func:`poolviz._compiled.pool_rows`, or None if numba cannot provide it.

    Imported on the first large batch: numba takes about half a second to
    import, and ``import poolviz`` stays light.  Without numba (or with one
    that does not match NumPy: ImportError), or without a writable directory
    for the compiled code (numba raises RuntimeError when it finds none),
    NumPy pools instead, to the same numbers.
    """
    try:
        from ._compiled import pool_rows
    except (ImportError, RuntimeError):
        return None
    return pool_rows


def _pool_tiny(gather, combine, array):
    """Tiny input, the slider case: two NumPy calls (four for average)."""
    cells = array.reshape(gather.merged_shape).take(gather.indices, axis=gather.axis)
    if gather.padded is not None:
        cells.put(gather.padded, -0.0)
    pooled = combine.reduce(cells, axis=gather.axis)
    if gather.average is not None:
        operation, operand = gather.average
        operation(pooled, operand, out=pooled)
    return pooled.reshape(gather.out_shape)


def _pool_small(row_steps, col_steps, divisor, combine, array):
    """Small input: as few NumPy calls as possible, rows then columns."""
    result = _fold(_fold(array, row_steps, combine), col_steps, combine)
    if len(col_steps) == 1:
        result = result.copy()  # a view of the input otherwise
    return _divide_whole(result, divisor)


def _pool_windows(array, out_shape, divisor, axes, pool, stride, padding, col_padding,
                  operation):
    """Max or average pooling of a large validated array along ``axes``
    (rows, cols), in blocks that fit the CPU cache, on several threads;
    ``col_padding`` is the (left, right) padding of the columns."""
    combine = np.fmax if operation == "max" else np.add  # fmax skips NaN, as TF does

    (row_axis, col_axis), ndim = axes, array.ndim
    rows, out_rows = array.shape[row_axis], out_shape[row_axis]
    cols, out_cols = array.shape[col_axis], out_shape[col_axis]
    out = np.empty(out_shape, array.dtype)
    row_lead, col_lead = (_FULL,) * row_axis, (_FULL,) * col_axis
    # The row pass writes into a band widened by the column padding, which
    # holds a value that leaves ``combine`` unchanged.  The column pass then
    # pools without padding: every window offset covers every output cell,
    # so each of its NumPy calls writes the whole output block, whose
    # contiguous layout makes the calls about twice as fast as on a part.
    left, right = col_padding
    band_cols = left + cols + right
    band_col_steps = _slice_steps(ndim, col_axis, band_cols, pool[1], stride[1], "valid",
                                  0, out_cols)
    interior = col_lead + (slice(left, left + cols),)
    margins = [col_lead + (margin,) for margin in (slice(0, left), slice(left + cols, None))
               if margin.start != margin.stop]
    identity = _identity(operation, array.dtype)

    def pool_block(images, first_row, stop_row):
        """Pool output rows [first_row, stop_row) of the images in slice ``images``."""
        band_steps = _slice_steps(ndim, row_axis, rows, pool[0], stride[0], padding,
                                  first_row, stop_row)
        source = array[images]
        band_shape = list(source.shape)
        band_shape[row_axis], band_shape[col_axis] = stop_row - first_row, band_cols
        by_rows = np.empty(band_shape, array.dtype)
        for margin in margins:
            by_rows[margin] = identity
        _fold(source, band_steps, combine, out=by_rows[interior])
        target = out[images][row_lead + (slice(first_row, stop_row),)]
        _fold(by_rows, band_col_steps, combine, out=target)
        if divisor is not None:
            _divide_full_windows(target, axes, first_row, divisor)

    _in_blocks(pool_block, array, row_axis, stride[0], out_rows, _BLOCK_BYTES)
    if divisor is not None:
        _divide_border_windows(out, axes, divisor)
    return out


def _pool_compiled(loop, fallback, out_shape, pool, stride, before, divisors, average,
                   array):
    """Large channels-last float batch: the compiled ``loop``, in blocks, on
    several threads (the loop releases the GIL)."""
    if not array.flags.c_contiguous:  # the loop is compiled for C order
        return fallback(array)
    out = np.empty(out_shape, array.dtype)
    images = array.shape[0]

    def pool_block(image_slice, first_row, stop_row):
        loop(array, out, (image_slice.start, min(image_slice.stop, images)),
             (first_row, stop_row), pool, stride, before, divisors, average)

    # The loop keeps its working set in cache by itself (one input row), so
    # one thread pools the whole batch in one call.
    _in_blocks(pool_block, array, 1, stride[0], out_shape[1], array.nbytes)
    return out


def _in_blocks(pool_block, array, row_axis, row_stride, out_rows, single_thread_block_bytes):
    """Call ``pool_block(images, first_row, stop_row)`` for blocks (see
    :func:`_blocks`) that cover the output: on several threads if the input
    is large enough to repay them, else on this one, in blocks of about
    ``single_thread_block_bytes`` of input."""
    threads = _thread_count() if array.nbytes >= _THREADED_BYTES else 1
    block_bytes = single_thread_block_bytes if threads == 1 else _THREAD_BLOCK_BYTES
    blocks = _blocks(array, row_axis, row_stride, out_rows, block_bytes)

    def pool_blocks(queue):
        for block in queue:
            pool_block(*block)

    if threads > 1 and len(blocks) > 1:
        # The threads take blocks from one shared queue (next() on a list
        # iterator is atomic under the GIL), so a thread slowed down by
        # another process's load simply pools fewer blocks.  Each runs in a
        # copy of the caller's context, which holds NumPy's error state: a
        # caller's np.errstate applies to every block.
        queue = iter(blocks)
        contexts = [contextvars.copy_context() for _ in range(threads)]
        for _ in _thread_pool().map(lambda context: context.run(pool_blocks, queue),
                                    contexts):
            pass
    else:
        pool_blocks(blocks)


def _identity(operation, dtype):
    """The value that leaves every max (or sum) unchanged, padding included.

    fmax skips NaN, so NaN for floats (an all-NaN window stays NaN); -0.0
    for sums, because -0.0 + x is x even for x = -0.0 (0.0 + -0.0 is 0.0).
    """
    if operation == "average":
        return dtype.type(-0.0)
    if dtype.kind == "f":
        return dtype.type(np.nan)
    return np.iinfo(dtype).min


def _blocks(array, row_axis, row_stride, out_rows, block_bytes):
    """Cut the work into ``(images, first output row, stop output row)`` blocks
    of about ``block_bytes`` of input each: whole images when they are small,
    bands of output rows of one image when they are large."""
    images = array.shape[0] if array.ndim == 4 else 1
    image_bytes = array.nbytes // images
    if image_bytes <= block_bytes:
        per_block = block_bytes // image_bytes
        return [(slice(start, start + per_block), 0, out_rows)
                for start in range(0, images, per_block)]
    row_bytes = image_bytes // array.shape[row_axis]
    band = max(1, block_bytes // (row_bytes * row_stride))
    band = -(-out_rows // -(-out_rows // band))  # equal bands, no thin last one
    if array.ndim == 4:
        image_slices = [slice(image, image + 1) for image in range(images)]
    else:
        image_slices = [_FULL]
    return [(image, first, min(first + band, out_rows))
            for image in image_slices for first in range(0, out_rows, band)]


@functools.lru_cache(maxsize=1)
def _thread_count():
    """Threads for large inputs: the CPUs this process may use, at most 4
    (pooling is limited by memory bandwidth, which a few cores saturate)."""
    try:
        available = len(os.sched_getaffinity(0))
    except AttributeError:  # macOS and Windows have no sched_getaffinity
        available = os.cpu_count() or 1
    return min(available, 4)


def _thread_pool():
    return _thread_pool_of_process(os.getpid())


@functools.lru_cache(maxsize=1)
def _thread_pool_of_process(pid):
    """One pool per process, started on the first large input.

    Keyed by process id: a process forked from this one does not inherit the
    worker threads, so it must start its own pool.
    """
    return ThreadPoolExecutor(max_workers=_thread_count(), thread_name_prefix="poolviz")

