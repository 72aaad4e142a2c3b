"""Convolution and ReLU in NumPy with the semantics of Keras 3's ``Conv2D`` and ``relu``."""

from __future__ import annotations

import numpy as np

from ._checks import MAX_CONV_WORK, as_numeric_array, as_pair, check_padding, check_rank, check_result_cells
from .pooling import check_pool_fits, output_size, padding_amounts

__all__ = ["conv2d", "relu"]


def conv2d(x: np.typing.ArrayLike, kernel: np.typing.ArrayLike, bias: np.typing.ArrayLike = 0.0,
           strides: int | tuple[int, int] = (1, 1), padding: str = "valid") -> np.ndarray:
    """Cross-correlation like ``keras.layers.Conv2D`` (channels last).

    Either a 2-D map ``(rows, cols)`` with a 2-D kernel ``(k_rows, k_cols)`` and a bias (a number, or shape ``(1,)``
    as Keras keeps it), giving a 2-D map; or a 4-D batch ``(batch, rows, cols, in_channels)`` with a Keras kernel
    ``(k_rows, k_cols, in_channels, out_channels)`` and a bias per output channel.  ``same`` padding adds zeros, the
    odd one at the bottom/right.

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
            raise ValueError(f"kernel must be 2-D (rows, cols) for a 2-D x, got shape {weights.shape}")
        array = array[np.newaxis, :, :, np.newaxis]
        weights = weights[:, :, np.newaxis, np.newaxis]
    elif weights.ndim != 4 or weights.shape[2] != array.shape[3]:
        raise ValueError(f"kernel must have shape (rows, cols, {array.shape[3]}, out_channels) for x of shape "
                         f"{array.shape}, got shape {weights.shape}")
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
        raise ValueError(f"conv2d would do {work} multiply-adds ({out_cells} output positions x {weights.size} kernel "
                         f"weights), more than its limit of {MAX_CONV_WORK} (2**28, about a second): use a smaller "
                         f"kernel, a larger stride or a smaller x")
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
    """The bias per output channel: a number, or one per filter as Keras keeps
    it (shape ``(1,)`` for a 2-D kernel, its one filter)."""
    biases = as_numeric_array(bias, "bias")
    if biases.ndim == 0:
        return np.broadcast_to(biases, (out_channels,))
    if biases.shape != (out_channels,):
        what = "a single number or shape (1,) for a 2-D kernel" if flat else f"a number or shape ({out_channels},)"
        raise ValueError(f"bias must be {what}, got shape {biases.shape}")
    return biases


def relu(x: np.typing.ArrayLike) -> np.ndarray:
    """Rectified linear unit, ``max(x, 0)`` cell by cell; NaN stays NaN.

    >>> relu(np.array([-2.0, 0.0, 3.0]))
    array([0., 0., 3.])
    """
    array = as_numeric_array(x)  # copied only to convert, and then at most 2**24 cells
    check_result_cells(array.size)
    return np.maximum(array, array.dtype.type(0))
