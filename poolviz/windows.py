"""Window arithmetic: where each pooling window lies, and how much of it is real.

Everything in poolviz that needs to know where a window starts, how many
outputs an axis gives or how many real cells a window covers asks this
module: the pooling functions and their fast engine, the window walk-through,
the explorers, the coverage maps and the loop versions in
:mod:`poolviz.reference`.  Nothing here touches feature-map values.

The rules are those of ``keras.layers.MaxPooling2D`` and
``AveragePooling2D`` (TensorFlow's, measured in ``shared/notes/keras-semantics.md``):

* ``strides=None`` means ``strides = pool_size``.
* ``"valid"``: only windows that fit, ``floor((n - pool) / stride) + 1``
  per axis.
* ``"same"``: ``ceil(n / stride)`` per axis, with just enough padded cells
  around the input; an odd one goes after (bottom/right).
* Output cell ``i`` of an axis reads input cells ``i * stride - before``
  up to (not including) ``i * stride - before + pool``, where ``before`` is
  the padding before the input; cells outside ``[0, n)`` are padding.

Sizes are ints (a float such as 2.0 is refused, never truncated); pool
sizes and strides are at most 2**31 - 1, TensorFlow's int32 limit.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._validation import (
    MAX_IMAGE_CELLS,
    MAX_WINDOW,
    _describe,
    as_int,
    as_pair,
    as_size_pair,
    check_padding,
)

__all__ = [
    "check_pool_fits",
    "output_size",
    "output_size_formula",
    "padding_amounts",
    "pool_arguments",
    "pool_fit_message",
    "pooled_shape",
    "real_cell_counts",
    "same_padding",
    "window_bounds",
]

_INT32_LIMIT = " (2**31 - 1, TensorFlow's int32 limit)"


# --------------------------------------------------------------------------
# One axis
# --------------------------------------------------------------------------
def _axis_arguments(n, pool, stride, padding):
    """Checked ``(n, pool, stride, padding)`` of the one-axis functions."""
    return (as_int(n, "n", minimum=1), as_int(pool, "pool", 1, MAX_WINDOW, _INT32_LIMIT),
            as_int(stride, "stride", 1, MAX_WINDOW, _INT32_LIMIT), check_padding(padding))


def _size(n, pool, stride, padding):
    if padding == "same":
        return -(-n // stride)
    return 0 if pool > n else (n - pool) // stride + 1


def _before_after(n, pool, stride, padding):
    if padding == "valid":
        return 0, 0
    total = max((_size(n, pool, stride, "same") - 1) * stride + pool - n, 0)
    return total // 2, total - total // 2


def output_size(n, pool, stride, padding="valid"):
    """Number of pooled cells along one axis of length ``n``.

    ``valid``: ``floor((n - pool) / stride) + 1``; ``same``: ``ceil(n / stride)``.
    ``n`` is an int >= 1; ``pool`` and ``stride`` are ints from 1 to 2**31 - 1
    (TensorFlow's limit).  A ``valid`` pool longer than ``n`` gives 0.

    >>> output_size(6, 2, 2, "valid"), output_size(7, 3, 2, "same")
    (3, 4)
    """
    return _size(*_axis_arguments(n, pool, stride, padding))


def output_size_formula(n, pool, stride, padding="valid"):
    """The output-size formula for one axis, filled in with the numbers.

    >>> output_size_formula(6, 2, 2, "valid")
    'floor((6 - 2) / 2) + 1 = 3'
    >>> output_size_formula(7, 3, 2, "same")
    'ceil(7 / 2) = 4'
    """
    n, pool, stride, padding = _axis_arguments(n, pool, stride, padding)
    size = _size(n, pool, stride, padding)
    if padding == "same":
        return f"ceil({n} / {stride}) = {size}"
    if pool > n:
        return f"floor(({n} - {pool}) / {stride}) + 1 < 1: the pool does not fit"
    return f"floor(({n} - {pool}) / {stride}) + 1 = {size}"


def same_padding(n, pool, stride):
    """Padded cells ``(before, after)`` that Keras adds along one axis with
    ``padding="same"``.

    The odd extra cell goes after (bottom/right), as in TensorFlow.

    >>> same_padding(6, 3, 2)
    (0, 1)
    """
    return _before_after(*_axis_arguments(n, pool, stride, "same"))


def padding_amounts(n, pool, stride, padding="valid"):
    """Padded cells ``(before, after)`` along one axis: :func:`same_padding`
    for ``"same"``, ``(0, 0)`` for ``"valid"``.

    >>> padding_amounts(5, 3, 2, "same"), padding_amounts(5, 3, 2, "valid")
    ((1, 1), (0, 0))
    """
    return _before_after(*_axis_arguments(n, pool, stride, padding))


def window_bounds(index, n, pool, stride, padding="valid"):
    """Real input cells ``[start, stop)`` of window ``index`` along one axis.

    The window of output cell ``index`` spans ``index * stride - before``
    to ``index * stride - before + pool``; this clips it to the real cells
    ``[0, n)``, so ``stop - start`` is the number of real cells it holds
    (what average pooling divides by).  ``index`` is an int, or an integer
    array of indices (then ``start`` and ``stop`` are arrays like it); each
    lies in ``[0, output_size(n, pool, stride, padding))``.

    >>> window_bounds(0, 5, 3, 2, "same"), window_bounds(2, 5, 3, 2, "same")
    ((0, 2), (3, 5))
    >>> start, stop = window_bounds(np.arange(3), 5, 3, 2, "same")
    >>> stop - start
    array([2, 3, 2])
    """
    n, pool, stride, padding = _axis_arguments(n, pool, stride, padding)
    size = _size(n, pool, stride, padding)
    before = _before_after(n, pool, stride, padding)[0]
    if isinstance(index, np.ndarray) and index.dtype.kind in "iu":
        if index.size and not (0 <= index.min() and index.max() < size):
            raise ValueError(f"index must lie in [0, {size}) for this axis, got values from "
                             f"{index.min()} to {index.max()}")
        starts = index.astype(np.int64) * stride - before
        return np.maximum(starts, 0), np.minimum(starts + pool, n)
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
        raise TypeError(f"index must be an int or an integer array, got {_describe(index)}")
    if not 0 <= index < size:
        raise ValueError(f"index must lie in [0, {size}) for this axis, got {_describe(index)}")
    start = int(index) * stride - before
    return max(start, 0), min(start + pool, n)


# --------------------------------------------------------------------------
# Both axes
# --------------------------------------------------------------------------
def pool_arguments(pool_size, strides=None, padding="valid"):
    """Checked ``(pool, stride, padding)``: two pairs of ints and the padding
    name in lower case; ``strides=None`` means the pool size.

    >>> pool_arguments(3, None, "SAME")
    ((3, 3), (3, 3), 'same')
    """
    pool = as_pair(pool_size, "pool_size")
    stride = pool if strides is None else as_pair(strides, "strides")
    return pool, stride, check_padding(padding)


def pool_fit_message(input_shape, pool_size, strides=None, padding="valid", *,
                     noun="input", window="pool", argument="pool_size"):
    """Why a window gives no output on a ``(rows, cols)`` input, or ``""``.

    The one wording of this rule: the pooling functions raise it as a
    ``ValueError``, :func:`poolviz.conv2d` words it for its kernel
    (``window="kernel"``, ``argument="kernel"``), and the explorers show it
    as their message.

    >>> pool_fit_message((4, 4), 5)[:50]
    'A 5 x 5 pool does not fit in the 4 x 4 input with '
    >>> pool_fit_message((4, 4), 5, padding="same")
    ''
    """
    (rows, cols) = as_size_pair(input_shape, "input_shape")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    if padding != "valid" or (pool[0] <= rows and pool[1] <= cols):
        return ""
    out_rows = _size(rows, pool[0], stride[0], "valid")
    out_cols = _size(cols, pool[1], stride[1], "valid")
    return (f"A {pool[0]} x {pool[1]} {window} does not fit in the {rows} x {cols} {noun} "
            f"with padding 'valid': the output would have {out_rows} x {out_cols} cells. "
            f"Choose a smaller {argument} (got {tuple(pool)}) or padding 'same'.")


def check_pool_fits(input_shape, pool_size, strides=None, padding="valid", *,
                    noun="input", window="pool", argument="pool_size"):
    """Raise :func:`pool_fit_message` as a ``ValueError`` if it is not empty."""
    message = pool_fit_message(input_shape, pool_size, strides, padding, noun=noun,
                               window=window, argument=argument)
    if message:
        raise ValueError(message)


def pooled_shape(input_shape, pool_size, strides=None, padding="valid"):
    """Shape ``(rows, cols)`` of the pooled map for an input ``(rows, cols)``.

    Raises ``ValueError`` when a ``valid`` pool does not fit the input, and
    ``TypeError`` for sizes that are not ints (8.7 is not truncated to 8).

    >>> pooled_shape((6, 6), 2)
    (3, 3)
    >>> pooled_shape((7, 5), (3, 2), strides=2, padding="same")
    (4, 3)
    """
    rows, cols = as_size_pair(input_shape, "input_shape")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    check_pool_fits((rows, cols), pool, stride, padding)
    return (_size(rows, pool[0], stride[0], padding), _size(cols, pool[1], stride[1], padding))


def real_cell_counts(input_shape, pool_size, strides=None, padding="valid"):
    """Number of real (not padded) cells under each window: what Keras's
    average pooling divides each window's sum by, not the pool's area.

    Returns an int array shaped like the pooled output, of at most 2**24
    cells (bigger inputs raise ``ValueError``: count one axis at a time with
    :func:`window_bounds`).

    >>> real_cell_counts((3, 3), (2, 2), (2, 2), "same")
    array([[4, 2],
           [2, 1]])
    """
    out_rows, out_cols = pooled_shape(input_shape, pool_size, strides, padding)
    if out_rows * out_cols > MAX_IMAGE_CELLS:
        raise ValueError(
            f"real_cell_counts would return {out_rows} x {out_cols} counts, more than its "
            f"limit of {MAX_IMAGE_CELLS} (2**24): count one axis at a time with window_bounds"
        )
    (rows, cols), (pool, stride, padding) = input_shape, pool_arguments(pool_size, strides,
                                                                         padding)
    row_start, row_stop = window_bounds(np.arange(out_rows), int(rows), pool[0], stride[0],
                                        padding)
    col_start, col_stop = window_bounds(np.arange(out_cols), int(cols), pool[1], stride[1],
                                        padding)
    return np.multiply.outer(row_stop - row_start, col_stop - col_start).astype(int)
