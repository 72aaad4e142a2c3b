"""Max and average pooling with the semantics of PyTorch's ``torch.nn.functional``.

The same layer name gives different numbers in Keras and in PyTorch; this
module computes PyTorch's numbers in NumPy so that the course can put the two
side by side without installing PyTorch (its wheels bring gigabytes of GPU
libraries).  The rules below are those of PyTorch's documentation for
``MaxPool2d``/``AvgPool2d`` and of its CPU kernels; the tests check the
functions against ONNX Runtime's ``MaxPool``/``AveragePool``, the operators
PyTorch exports these layers to, and against a loop version in
:mod:`poolviz.reference`.

How PyTorch differs from Keras
------------------------------
* Layout: 2-D maps ``(H, W)``, ``(C, H, W)`` or batches ``(N, C, H, W)``
  (channels first); Keras defaults to channels last.
* ``stride=None`` means ``stride = kernel_size`` (as in Keras).
* Padding is explicit and symmetric: ``padding`` cells on *both* sides, at
  most half the effective kernel size ``(kernel_size - 1) * dilation + 1``.  There is no ``"same"``; Keras's ``same`` puts the
  odd extra cell at the bottom/right only.
* Output size per axis::

      floor_or_ceil((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1

  with ``ceil`` when ``ceil_mode=True``; then a window that would *start*
  in the right/bottom padding is dropped (the output shrinks by one).
* Max pooling: padded cells are ignored (as if -inf).  NaN propagates: a
  window holding NaN gives NaN (TensorFlow's max pooling skips it).
* Average pooling: ``count_include_pad=True`` (the default) divides by the
  window's cells *including* the explicit padding, clipped to the padded
  map (cells that ``ceil_mode`` adds beyond it are never counted);
  ``count_include_pad=False`` divides by the real cells only, which is
  Keras's rule.  ``divisor_override`` replaces the divisor.  A window that
  holds no real cell gives 0.
* Max keeps the input dtype; average returns float (float64 for integer
  input, where PyTorch would refuse integer input).

Where ONNX Runtime (1.32, CPU) differs, this module follows PyTorch
-------------------------------------------------------------------
Measured by ``tests/test_torch_pooling.py``, which checks every other number:

* its ``MaxPool`` skips NaN (the max of [nan, 1, 2, 3] is 3); PyTorch's CPU
  kernel propagates it (``if (val > maxval || isnan(val))``);
* a dilated window that reads padding only gives the lowest float32 there,
  ``-inf`` in PyTorch (its running max starts at ``-inf``).
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from .._checks import MAX_WINDOW, as_int, as_numeric_array, as_pair

__all__ = ["torch_avg_pool2d", "torch_max_pool2d", "torch_output_size", "torch_pool2d_loop"]

#: Padded arrays larger than this many cells (beyond 4x the input) are refused:
#: a huge ``padding`` typed by mistake must not exhaust the memory.
_MAX_EXTRA_CELLS = 1 << 24


def _padding_pair(padding):
    """``padding`` as a pair of ints >= 0 (an int means the same on both axes)."""
    items = (padding, padding) if isinstance(padding, numbers.Integral) else padding
    if (isinstance(items, (tuple, list)) and len(items) == 2
            and all(isinstance(p, numbers.Integral) and not isinstance(p, (bool, np.bool_))
                    for p in items)):
        if min(items) < 0:
            raise ValueError(f"padding must be an int >= 0 or a pair of them, got {padding!r}")
        return int(items[0]), int(items[1])
    raise TypeError(f"padding must be an int >= 0 or a pair of them, got {padding!r}")


def torch_output_size(n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """PyTorch's pooled size along one axis of length ``n`` (its documented formula).

    >>> torch_output_size(5, 3, 2, padding=1)
    3
    >>> torch_output_size(6, 3, 2), torch_output_size(6, 3, 2, ceil_mode=True)
    (2, 3)
    >>> torch_output_size(5, 2, 2, padding=1, ceil_mode=True)  # 4 without the rule
    3

    Every size is an int from 1 (padding from 0) to 2**31 - 1.
    """
    n = as_int(n, "n", 1, MAX_WINDOW)
    kernel_size = as_int(kernel_size, "kernel_size", 1, MAX_WINDOW)
    stride = kernel_size if stride is None else as_int(stride, "stride", 1, MAX_WINDOW)
    padding = as_int(padding, "padding", 0, MAX_WINDOW)
    dilation = as_int(dilation, "dilation", 1, MAX_WINDOW)
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    span = n + 2 * padding - dilation * (kernel_size - 1) - 1
    if span < 0:
        return 0
    size = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    # ceil_mode: the last window must start inside the input or the left padding.
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1
    return size


def _arguments(x, kernel_size, stride, padding, dilation, ceil_mode):
    array = as_numeric_array(x)
    if array.ndim not in (2, 3, 4):
        raise ValueError(
            f"x must be a 2-D map (H, W), a 3-D (C, H, W) or a 4-D batch (N, C, H, W) in "
            f"PyTorch's layout, got shape {array.shape} ({array.ndim}-D)")
    if array.size == 0:
        raise ValueError(f"x must not be empty, got shape {array.shape}")
    kernel = as_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else as_pair(stride, "stride")
    pads = _padding_pair(padding)
    dilations = as_pair(dilation, "dilation")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be True or False, got {ceil_mode!r}")
    for k, p, d in zip(kernel, pads, dilations):
        if p > ((k - 1) * d + 1) // 2:
            raise ValueError(
                f"padding must be at most half the effective kernel size "
                f"(kernel_size - 1) * dilation + 1 (PyTorch's rule), got padding={padding!r} "
                f"with kernel_size={kernel_size!r} and dilation={dilation!r}")
    spatial = array.shape[-2:]
    out = tuple(torch_output_size(n, k, s, p, d, bool(ceil_mode))
                for n, k, s, p, d in zip(spatial, kernel, strides, pads, dilations))
    if min(out) < 1:
        raise ValueError(
            f"kernel_size {kernel} (dilation {dilations}) does not fit the input's "
            f"{spatial[0]}x{spatial[1]} with padding {pads}: the output would be "
            f"{out[0]}x{out[1]}")
    extra = (spatial[0] + 2 * pads[0]) * (spatial[1] + 2 * pads[1]) - spatial[0] * spatial[1]
    if extra * (array.size // (spatial[0] * spatial[1])) > max(4 * array.size, _MAX_EXTRA_CELLS):
        raise ValueError(
            f"padding {padding!r} would add {extra} cells to each {spatial[0]}x{spatial[1]} "
            f"map; use a padding close to the kernel size")
    return array, kernel, strides, pads, dilations, out


#: Above this many window cells along one axis, reduce over a window view
#: instead of looping over the offsets in Python (a 1 x 1,000,000 map with
#: kernel (1, 1,000,000) would otherwise loop a million times).
_LOOP_MAX_KERNEL = 64


def _window_sum_or_max(padded, axis, kernel, stride, dilation, size, reduce):
    """Reduce ``size`` windows along ``axis`` of an array padded for them."""
    if kernel > _LOOP_MAX_KERNEL:
        span = dilation * (kernel - 1) + 1
        windows = np.lib.stride_tricks.sliding_window_view(padded, span, axis=axis % padded.ndim)
        index = [slice(None)] * windows.ndim
        index[axis % padded.ndim] = slice(0, stride * (size - 1) + 1, stride)
        index[-1] = slice(None, None, dilation)
        return reduce.reduce(windows[tuple(index)], axis=-1)
    result = None
    for i in range(kernel):
        start = i * dilation
        index = [slice(None)] * padded.ndim
        index[axis] = slice(start, start + stride * (size - 1) + 1, stride)
        part = padded[tuple(index)]
        result = part.copy() if result is None else reduce(result, part)
    return result


def _padded_for(array, pads, kernel, strides, dilations, out, fill):
    """``array`` with ``pads`` cells of ``fill`` on each side and, for
    ``ceil_mode``, enough cells after for the last window (also ``fill``)."""
    widths = []
    for axis, (n, k, s, p, d, o) in enumerate(zip(array.shape[-2:], kernel, strides, pads,
                                                   dilations, out)):
        need = (o - 1) * s + d * (k - 1) + 1
        widths.append((p, max(need - n - p, p)))
    shape = array.shape[:-2] + tuple(n + a + b for n, (a, b) in zip(array.shape[-2:], widths))
    padded = np.full(shape, fill, dtype=array.dtype)
    (top, _), (left, _) = widths
    padded[..., top:top + array.shape[-2], left:left + array.shape[-1]] = array
    return padded


def torch_max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Max pooling as ``torch.nn.functional.max_pool2d`` computes it.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)`` (PyTorch's layout).
    kernel_size, stride, padding, dilation : int or pair of ints
        ``stride=None`` means ``kernel_size``; ``padding`` cells on each side,
        at most ``((kernel_size - 1) * dilation + 1) // 2``.
    ceil_mode : bool
        Round the output size up (see the module docstring for the rule that
        drops a window starting in the padding).

    Returns
    -------
    numpy.ndarray
        Same layout and dtype as ``x``.

    Examples
    --------
    >>> x = np.arange(25.0).reshape(5, 5)
    >>> torch_max_pool2d(x, 3, stride=2, padding=1)
    array([[ 6.,  8.,  9.],
           [16., 18., 19.],
           [21., 23., 24.]])
    """
    array, kernel, strides, pads, dilations, out = _arguments(
        x, kernel_size, stride, padding, dilation, ceil_mode)
    if array.dtype.kind == "f":
        fill = -np.inf
    else:
        fill = np.iinfo(array.dtype).min
    padded = _padded_for(array, pads, kernel, strides, dilations, out, fill)
    rows = _window_sum_or_max(padded, -2, kernel[0], strides[0], dilations[0], out[0], np.maximum)
    return _window_sum_or_max(rows, -1, kernel[1], strides[1], dilations[1], out[1], np.maximum)


def _axis_divisors(n, k, s, p, o, count_include_pad):
    """Per-output divisor along one axis, as PyTorch's average kernel counts."""
    start = np.arange(o) * s - p
    end = np.minimum(start + k, n + p)
    if count_include_pad:
        return end - start
    return np.minimum(end, n) - np.maximum(start, 0)


def torch_avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False,
                     count_include_pad=True, divisor_override=None):
    """Average pooling as ``torch.nn.functional.avg_pool2d`` computes it.

    Parameters
    ----------
    x : array_like
        ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``.
    kernel_size, stride, padding : int or pair of ints
        As in :func:`torch_max_pool2d` (average pooling has no dilation).
    ceil_mode : bool
    count_include_pad : bool
        ``True`` (PyTorch's default): the explicit padding counts in the
        divisor (the cells ``ceil_mode`` adds beyond it do not);
        ``False``: divide by the real cells only, like Keras.
    divisor_override : int, optional
        Divide every window's sum by this instead.

    Returns
    -------
    numpy.ndarray
        Same layout as ``x``; float32/float64 kept, integers give float64.

    Examples
    --------
    >>> x = np.arange(25.0).reshape(5, 5)
    >>> torch_avg_pool2d(x, 3, stride=2, padding=1)[0]
    array([1.33333333, 3.        , 2.66666667])
    >>> torch_avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0]
    array([3. , 4.5, 6. ])
    """
    array, kernel, strides, pads, dilations, out = _arguments(
        x, kernel_size, stride, padding, 1, ceil_mode)
    if not isinstance(count_include_pad, (bool, np.bool_)):
        raise TypeError(f"count_include_pad must be True or False, got {count_include_pad!r}")
    if divisor_override is not None:
        if (isinstance(divisor_override, (bool, np.bool_))
                or not isinstance(divisor_override, numbers.Integral) or divisor_override < 1):
            raise ValueError(
                f"divisor_override must be None or a positive int, got {divisor_override!r}")
    if array.dtype.kind != "f":
        array = array.astype(np.float64)
    padded = _padded_for(array, pads, kernel, strides, dilations, out, 0)
    rows = _window_sum_or_max(padded, -2, kernel[0], strides[0], 1, out[0], np.add)
    sums = _window_sum_or_max(rows, -1, kernel[1], strides[1], 1, out[1], np.add)
    if divisor_override is not None:
        return sums / array.dtype.type(divisor_override)
    n_rows, n_cols = array.shape[-2:]
    row_div = _axis_divisors(n_rows, kernel[0], strides[0], pads[0], out[0], count_include_pad)
    col_div = _axis_divisors(n_cols, kernel[1], strides[1], pads[1], out[1], count_include_pad)
    # Every window holds a real cell (no dilation here): padding is at most
    # half the kernel and the last window starts inside the input or the left padding.
    return sums / np.outer(row_div, col_div).astype(array.dtype)


def torch_pool2d_loop(x, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False,
                      operation="max", count_include_pad=True, divisor_override=None):
    """PyTorch's max or average pooling of one 2-D map, window by window.

    Written from PyTorch's documentation (output size) and its CPU kernels
    (which cells the average divides by); pairs of ints for the sizes.
    """
    rows, cols = len(x), len(x[0])
    sizes = []
    for n, k, s, p, d in zip((rows, cols), kernel_size, stride, padding, dilation):
        span = (n + 2 * p - d * (k - 1) - 1) / s
        size = (math.ceil(span) if ceil_mode else math.floor(span)) + 1
        if ceil_mode and (size - 1) * s >= n + p:  # the last window starts in the padding
            size -= 1
        sizes.append(size)
    out = np.zeros(sizes)
    for i in range(sizes[0]):
        for j in range(sizes[1]):
            top, left = i * stride[0] - padding[0], j * stride[1] - padding[1]
            cells = [(top + a * dilation[0], left + b * dilation[1])
                     for a in range(kernel_size[0]) for b in range(kernel_size[1])]
            real = [float(x[r][c]) for r, c in cells if 0 <= r < rows and 0 <= c < cols]
            if operation == "max":
                # A dilated window may see padding only: -inf, as in PyTorch.
                out[i, j] = math.nan if any(math.isnan(v) for v in real) else max(real, default=-math.inf)
                continue
            if divisor_override is not None:
                divisor = divisor_override
            elif count_include_pad:  # the window clipped to the padded map
                bottom = min(top + kernel_size[0], rows + padding[0])
                right = min(left + kernel_size[1], cols + padding[1])
                divisor = (bottom - top) * (right - left)
            else:
                divisor = len(real)
            out[i, j] = sum(real) / divisor
    return out
