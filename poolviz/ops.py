"""Pooling, convolution and ReLU in NumPy with the exact semantics of Keras 3.

Every public function validates its arguments first and then does a few
lines of vectorised array work.  For pooling, those lines are
:func:`pool_by_definition`: pad, lay out the windows, reduce each.
:func:`max_pool2d` and :func:`average_pool2d` hand the same work to the
engine in :mod:`poolviz._engine`, which computes the same numbers faster;
the loops in :mod:`poolviz.reference` compute them slowest and most
literally, one window at a time.

Conventions shared with the Keras layers
----------------------------------------
* ``strides=None`` means ``strides = pool_size``.
* ``"valid"`` drops windows that do not fit; ``"same"`` gives ``ceil(n / s)``
  outputs per axis and puts the odd extra padded row/column at the
  bottom/right.  The arithmetic lives in :mod:`poolviz.windows`.
* Max pooling ignores padded cells; average pooling divides by the number of
  real (not padded) cells in each window.

NaN, infinities, signed zeros and dtype
---------------------------------------
* Max pooling skips NaN like TensorFlow does (``max(nan, 1, 2) == 2``).  A
  window holding only NaN gives NaN here, and a window holding only -inf
  gives -inf; TensorFlow returns the dtype's lowest finite number in both
  cases (-3.4028235e+38 for float32), which no student should mistake for
  data.  :func:`poolviz.keras_bridge.compare` lists such windows as
  differences by design instead of counting them.
* Average pooling, global max and global average pooling propagate NaN, as
  TensorFlow does.
* Signed zeros: the max of a window holding both 0.0 and -0.0 is whichever
  comes first in the window in TensorFlow, and here with NumPy 2.4 (the
  locked version; measured); NumPy 2.1's ``fmax`` returns the later one, so
  with it poolviz may give the other zero.  The average
  of a window of -0.0 is 0.0 in TensorFlow, in :func:`pool_by_definition`
  and here for tiny inputs (at most 4096 window cells in all), but -0.0
  from the engine's passes and compiled loop for larger ones.  0.0 == -0.0,
  so no comparison of values sees it; only ``np.signbit`` does.
* Max pooling keeps the input dtype (ints stay ints).  Average pooling keeps
  float32/float64 and returns float64 for integer input.  Keras computes in
  float32; poolviz does not round float64 down to it.
* float16 input is pooled in float32 and returned as float32, by every
  pooling function, as Keras does (in float16 a sum of two 40000s is
  already inf).
* Boolean input is treated as float64 0.0/1.0; big-endian input is read in
  native byte order.
* Masked arrays are refused (ValueError) when any cell is masked: the mask
  is not honoured, and the hidden values would be pooled as data.  Fill
  them first (after ``x.filled(np.nan)`` windowed max pooling skips them).

Limits
------
Pool sizes and strides are ints from 1 to 2**31 - 1 (TensorFlow keeps them
in int32; a stride of 2**31 kills its max pooling with SIGABRT); floats and
bools are refused, never truncated.  Pooling costs at most about one pass
per window row and column that reaches a real cell, so a same-padded pool
of 10**9 costs like one window per output cell.  :func:`pool_by_definition`
lays out every window and refuses more than ``MAX_DEFINITION_CELLS`` (2**22)
cells.  :func:`conv2d` does at most 2**28 multiply-adds per call.
* NumPy warns ("invalid value") where a window adds +inf and -inf; the
  compiled loop that pools large float batches when numba is installed
  returns the same NaN without a warning.
"""

from __future__ import annotations

import numpy as np

from . import _engine
from ._validation import (
    MAX_CONV_WORK,
    _describe,
    as_numeric_array,
    as_pair,
    check_data_format,
    check_padding,
    check_rank,
)
from .windows import (
    check_pool_fits,
    output_size,
    output_size_formula,
    padding_amounts,
    pool_arguments,
    pooled_shape,
    real_cell_counts,
    same_padding,
)

__all__ = [
    "average_pool2d",
    "conv2d",
    "global_average_pool2d",
    "global_max_pool2d",
    "max_pool2d",
    "output_size",
    "output_size_formula",
    "pool_by_definition",
    "pooled_shape",
    "relu",
    "same_padding",
]

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
    (``poolviz.ops.pool_by_definition??`` shows them); one window at a time,
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


# --------------------------------------------------------------------------
# Convolution and ReLU
# --------------------------------------------------------------------------
def conv2d(x, kernel, bias=0.0, strides=(1, 1), padding="valid"):
    """Cross-correlation like ``keras.layers.Conv2D`` (channels last).

    Either a 2-D map ``(rows, cols)`` with a 2-D kernel ``(k_rows, k_cols)``
    and a scalar bias, giving a 2-D map; or a 4-D batch
    ``(batch, rows, cols, in_channels)`` with a Keras kernel
    ``(k_rows, k_cols, in_channels, out_channels)`` and a bias per output
    channel.  ``same`` padding adds zeros, the odd one at the bottom/right.

    >>> conv2d(np.arange(16).reshape(4, 4), np.ones((3, 3)))
    array([[45., 54.],
           [81., 90.]])
    """
    array = as_numeric_array(x)
    weights = as_numeric_array(kernel, "kernel")
    stride = as_pair(strides, "strides")
    padding = check_padding(padding)
    check_rank(array)
    flat = array.ndim == 2
    if flat:
        if weights.ndim != 2:
            raise ValueError(
                f"kernel must be 2-D (rows, cols) for a 2-D x, got shape {weights.shape}"
            )
        array = array[np.newaxis, :, :, np.newaxis]
        weights = weights[:, :, np.newaxis, np.newaxis]
    elif weights.ndim != 4 or weights.shape[2] != array.shape[3]:
        raise ValueError(
            f"kernel must have shape (rows, cols, {array.shape[3]}, out_channels) "
            f"for x of shape {array.shape}, got shape {weights.shape}"
        )
    if weights.size == 0:
        raise ValueError(f"kernel must not be empty, got shape {weights.shape}")
    biases = _conv_bias(bias, weights.shape[3], flat)
    window, (rows, cols) = weights.shape[:2], array.shape[1:3]
    check_pool_fits((rows, cols), window, stride, padding, window="kernel", argument="kernel")
    out_rows = output_size(rows, window[0], stride[0], padding)
    out_cols = output_size(cols, window[1], stride[1], padding)
    out_cells = array.shape[0] * out_rows * out_cols
    work = out_cells * weights.size
    if work > MAX_CONV_WORK:
        raise ValueError(
            f"conv2d would do {work} multiply-adds ({out_cells} output positions x "
            f"{weights.size} kernel weights), more than its limit of {MAX_CONV_WORK} "
            f"(2**28, about a second): use a smaller kernel, a larger stride or a smaller x"
        )
    dtype = np.result_type(array.dtype, weights.dtype, biases.dtype, np.float32)
    array = array.astype(dtype, copy=False)
    if padding == "same":  # zeros, the odd one after (bottom/right)
        array = np.pad(array, ((0, 0), padding_amounts(rows, window[0], stride[0], padding),
                               padding_amounts(cols, window[1], stride[1], padding), (0, 0)))
    patches = np.lib.stride_tricks.sliding_window_view(array, window, axis=(1, 2))
    patches = patches[:, ::stride[0], ::stride[1]][:, :out_rows, :out_cols]
    result = np.einsum("nhwcij,ijco->nhwo", patches, weights.astype(dtype)) + biases
    return result[0, :, :, 0] if flat else result


def _conv_bias(bias, out_channels, flat):
    biases = as_numeric_array(bias, "bias")
    if biases.ndim == 0:
        return np.broadcast_to(biases, (out_channels,))
    if flat:
        raise ValueError(
            f"bias must be a single number for a 2-D x and a 2-D kernel, "
            f"got an array of shape {biases.shape}"
        )
    if biases.shape != (out_channels,):
        raise ValueError(
            f"bias must be a number or have shape ({out_channels},), "
            f"got shape {biases.shape}"
        )
    return biases


def relu(x):
    """Rectified linear unit, ``max(x, 0)`` cell by cell; NaN stays NaN.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    array = as_numeric_array(x)
    return np.maximum(array, array.dtype.type(0))
