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

from ._checks import (
    MAX_IMAGE_CELLS,
    MAX_WINDOW,
    _describe,
    as_int,
    as_numeric_array,
    as_pair,
    as_size_pair,
    check_data_format,
    check_padding,
    check_rank,
)

__all__ = [
    "average_pool2d",
    "check_pool_fits",
    "global_average_pool2d",
    "global_max_pool2d",
    "max_pool2d",
    "pool_by_definition",
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


# --------------------------------------------------------------------------
# Pooling
# --------------------------------------------------------------------------
def max_pool2d(x, pool_size=(2, 2), strides=None, padding="valid",
               data_format="channels_last"):
    """Max pooling with the semantics of ``keras.layers.MaxPooling2D``.

    Parameters
    ----------
    x : array_like
        A 2-D feature map ``(rows, cols)`` or a 4-D batch laid out as
        ``data_format`` says.
    pool_size, strides : int or pair of ints
        Window size and step; ``strides=None`` means ``pool_size``.
    padding : {"valid", "same"}
    data_format : {"channels_last", "channels_first"}

    Returns
    -------
    numpy.ndarray
        2-D for a 2-D input, otherwise 4-D in the same layout.  Same dtype as
        ``x``.

    Examples
    --------
    >>> max_pool2d(np.arange(16).reshape(4, 4))
    array([[ 5,  7],
           [13, 15]])

    Notes
    -----
    What it computes, in a few lines of NumPy: :func:`pool_by_definition`
    (``poolviz.pooling.pool_by_definition??`` shows them); one window at a time,
    slowest and most literally: :func:`poolviz.reference.max_pool2d_loop`.
    The engine in :mod:`poolviz._engine` computes the same numbers faster
    (prepared plans, separable passes, threads, a compiled loop for large
    batches).
    """
    # The engine checks the arguments with _checked_pooling, except for a
    # repeat of a call it has already checked and prepared.
    return _engine.pool(x, pool_size, strides, padding, data_format, "max", _checked_pooling)


def average_pool2d(x, pool_size=(2, 2), strides=None, padding="valid",
                   data_format="channels_last"):
    """Average pooling with the semantics of ``keras.layers.AveragePooling2D``.

    Padded cells are left out of each window's average, as in Keras.
    Parameters and layout as in :func:`max_pool2d`; the result is float.

    Examples
    --------
    >>> average_pool2d(np.arange(16).reshape(4, 4))
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> average_pool2d(np.arange(16).reshape(4, 4), 3, strides=2, padding="same")
    array([[ 5. ,  6.5],
           [11. , 12.5]])

    Notes
    -----
    The meaning is :func:`pool_by_definition` with ``operation="average"``,
    and one window at a time :func:`poolviz.reference.average_pool2d_loop`;
    the numbers come from the engine, as in :func:`max_pool2d`.  It adds each
    window's cells in another order than the definition, so a float average
    may differ from the definition's in its last bits.
    """
    return _engine.pool(x, pool_size, strides, padding, data_format, "average",
                        _checked_pooling)


#: Most cells :func:`pool_by_definition` lays out in one call: the padded
#: input, and its windows (batch x channels x output cells x pool cells).
MAX_DEFINITION_CELLS = 2**22


def pool_by_definition(x, pool_size=(2, 2), strides=None, padding="valid",
                       data_format="channels_last", operation="max"):
    """Max or average pooling as its definition says, in a few lines of NumPy.

    Pad ``x`` with a value that changes no max and no sum, lay out every
    ``pool_size`` window with ``sliding_window_view``, keep every
    ``strides``-th one along each axis and reduce each window: ``np.fmax``
    for max pooling (it skips NaN, as TensorFlow does); for average pooling
    the sum, divided by the number of real (not padded) cells in the window.
    Arguments, checks and results are those of :func:`max_pool2d` and
    :func:`average_pool2d` (``operation`` says which), which compute the
    same numbers faster.  It refuses to lay out more than
    ``MAX_DEFINITION_CELLS`` (2**22) cells.

    >>> pool_by_definition(np.arange(16).reshape(4, 4), operation="average")
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    """
    if not isinstance(operation, str) or operation not in ("max", "average"):
        raise ValueError(f"operation must be 'max' or 'average', got {_describe(operation)}")
    array, axes, pool, stride, padding = _checked_pooling(x, pool_size, strides, padding,
                                                          data_format, operation)
    rows, cols = array.shape[axes[0]], array.shape[axes[1]]
    widths = [(0, 0)] * array.ndim
    widths[axes[0]] = padding_amounts(rows, pool[0], stride[0], padding)
    widths[axes[1]] = padding_amounts(cols, pool[1], stride[1], padding)
    _check_definition_size(array, axes, pool, stride, padding, widths)
    # Padding that changes no result: -0.0 for a sum (-0.0 + v is v, even
    # for v = -0.0), NaN for a max (np.fmax skips it), the lowest int for ints.
    if operation == "average":
        fill = -0.0
    elif array.dtype.kind == "f":
        fill = np.nan
    else:
        fill = np.iinfo(array.dtype).min
    padded = np.pad(array, widths, constant_values=fill)
    # Every window (two new axes at the end), then every stride-th one.
    windows = np.lib.stride_tricks.sliding_window_view(padded, pool, axis=axes)
    every = [slice(None)] * array.ndim
    every[axes[0]], every[axes[1]] = slice(None, None, stride[0]), slice(None, None, stride[1])
    windows = windows[tuple(every)]
    if operation == "max":
        return np.fmax.reduce(windows, axis=(-2, -1))
    counts = real_cell_counts((rows, cols), pool, stride, padding).astype(array.dtype)
    counts = counts.reshape(counts.shape + (1,) * (array.ndim - 1 - axes[1]))
    return np.add.reduce(windows, axis=(-2, -1)) / counts


def _checked_pooling(x, pool_size, strides, padding, data_format, operation):
    """The checked arguments of a pooling call: ``(array, axes, pool, stride,
    padding)``, the array in the dtype that ``operation`` pools in and its
    (rows, cols) axes (the pooling happens in the caller's layout)."""
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    data_format = check_data_format(data_format)
    array = as_numeric_array(x)
    check_rank(array)
    if array.ndim == 2:
        axes = (0, 1)
    elif data_format == "channels_first":
        axes = (2, 3)
    else:
        axes = (1, 2)
    check_pool_fits((array.shape[axes[0]], array.shape[axes[1]]), pool, stride, padding)
    if array.dtype == np.float16:
        # Keras computes float16 input in float32 and returns float32; in
        # float16 a sum of two 40000s is already inf.
        array = array.astype(np.float32)
    elif operation == "average" and array.dtype.kind != "f":
        array = array.astype(np.float64)
    return array, axes, pool, stride, padding


def _check_definition_size(array, axes, pool, stride, padding, widths):
    rows, cols = array.shape[axes[0]], array.shape[axes[1]]
    maps = array.size // (rows * cols)  # batch x channels
    out_rows, out_cols = pooled_shape((rows, cols), pool, stride, padding)
    padded_cells = maps * (rows + sum(widths[axes[0]])) * (cols + sum(widths[axes[1]]))
    cells = max(padded_cells, maps * out_rows * out_cols * pool[0] * pool[1])
    if cells > MAX_DEFINITION_CELLS:
        raise ValueError(
            f"pool_by_definition would lay out {cells} cells (the padded x or its windows), "
            f"more than its limit of {MAX_DEFINITION_CELLS} (2**22): choose a smaller x or "
            f"pool_size, or call max_pool2d or average_pool2d, which compute the same "
            f"numbers without laying the windows out")


def global_max_pool2d(x, data_format="channels_last", keepdims=False):
    """Largest value of each feature map, like ``GlobalMaxPooling2D``.

    A 2-D input gives a Python float (a ``(1, 1)`` array with ``keepdims``);
    a 4-D input gives ``(batch, channels)``, or ``(batch, 1, 1, channels)``
    with ``keepdims`` (``(batch, channels, 1, 1)`` for ``channels_first``).
    A map holding NaN gives NaN, as in TensorFlow (unlike windowed max pooling).

    >>> global_max_pool2d(np.arange(16).reshape(4, 4))
    15.0
    """
    return _global_pool(x, data_format, keepdims, "max")


def global_average_pool2d(x, data_format="channels_last", keepdims=False):
    """Mean of each feature map, like ``GlobalAveragePooling2D``.

    Shapes as in :func:`global_max_pool2d`.

    >>> global_average_pool2d(np.arange(16).reshape(4, 4))
    7.5
    """
    return _global_pool(x, data_format, keepdims, "average")


def _to_nhwc(x, data_format):
    """Validated input as a (batch, rows, cols, channels) view and a way back
    (None for a 2-D input)."""
    data_format = check_data_format(data_format)
    array = as_numeric_array(x)
    check_rank(array)
    if array.ndim == 2:
        return array[np.newaxis, :, :, np.newaxis], None
    if data_format == "channels_first":
        return array.transpose(0, 2, 3, 1), lambda out: out.transpose(0, 3, 1, 2)
    return array, lambda out: out


def _global_pool(x, data_format, keepdims, operation):
    if not isinstance(keepdims, (bool, np.bool_)):
        raise TypeError(f"keepdims must be True or False, got {keepdims!r}")
    nhwc, restore = _to_nhwc(x, data_format)
    if nhwc.dtype == np.float16:
        nhwc = nhwc.astype(np.float32)  # as in Keras: a float16 sum overflows
    if operation == "max":
        pooled = nhwc.max(axis=(1, 2), keepdims=True)
    else:
        dtype = nhwc.dtype if nhwc.dtype.kind == "f" else np.float64
        pooled = nhwc.mean(axis=(1, 2), keepdims=True, dtype=dtype)
    if restore is None:  # a 2-D input
        return pooled[0, :, :, 0] if keepdims else float(pooled[0, 0, 0, 0])
    pooled = np.ascontiguousarray(restore(pooled))
    if keepdims:
        return pooled
    return pooled.reshape(pooled.shape[0], -1)


from . import _engine  # noqa: E402  (the engine imports this module's window arithmetic)
