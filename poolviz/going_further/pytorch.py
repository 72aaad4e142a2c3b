"""Max and average pooling as PyTorch's ``torch.nn.functional`` computes them, in NumPy.

The same layer name gives different numbers in Keras and in PyTorch; this
module lets the course put the two side by side without installing PyTorch.
Where PyTorch differs from Keras:

* layout ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``: channels first;
* padding is explicit and symmetric, at most half the effective kernel
  ``(kernel_size - 1) * dilation + 1``; there is no ``"same"``;
* the output size is :func:`torch_output_size`'s;
* max pooling propagates NaN (TensorFlow's skips it);
* average pooling counts the explicit padding in the divisor by default.

``tests/test_torch_pooling.py`` checks every number against ONNX Runtime's
``MaxPool``/``AveragePool`` (the operators PyTorch exports to) and the loop
:func:`torch_pool2d_loop`.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

from .._checks import MAX_WINDOW, as_int, as_numeric_array, as_pair

__all__ = ["torch_avg_pool2d", "torch_max_pool2d", "torch_output_size", "torch_pool2d_loop"]

#: Largest number of cells one pass gathers (window cells that touch real
#: data, times the outputs): 2**25, 256 MB of float64.
MAX_GATHERED_CELLS = 2**25


def _as_bool(value, name):
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def torch_output_size(n: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                      dilation: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's pooled size along one axis of length ``n``; 0 when no window fits.

    ``floor_or_ceil((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``,
    rounding towards minus infinity, so that with ``ceil_mode`` a kernel
    overhanging the padded input by less than the stride still gives one
    window; then, with ``ceil_mode``, a last window that would start in the
    right padding is dropped.

    >>> torch_output_size(6, 3, 2), torch_output_size(6, 3, 2, ceil_mode=True)
    (2, 3)
    >>> torch_output_size(5, 2, 2, padding=1, ceil_mode=True)  # the 4th would start at 6
    3
    >>> torch_output_size(2, 3, 2, ceil_mode=True)  # overhangs by 1 < stride
    1
    """
    n = as_int(n, "n", 1, MAX_WINDOW)
    kernel_size = as_int(kernel_size, "kernel_size", 1, MAX_WINDOW)
    stride = kernel_size if stride is None else as_int(stride, "stride", 1, MAX_WINDOW)
    padding = as_int(padding, "padding", 0, MAX_WINDOW)
    dilation = as_int(dilation, "dilation", 1, MAX_WINDOW)
    ceil_mode = _as_bool(ceil_mode, "ceil_mode")
    span = n + 2 * padding - dilation * (kernel_size - 1) - 1
    size = (span + (stride - 1 if ceil_mode else 0)) // stride + 1
    if ceil_mode and (size - 1) * stride >= n + padding:
        size -= 1
    return max(size, 0)


def _first_offset_and_count(n, kernel, stride, padding, dilation, out):
    """The kernel offsets that reach a real cell for some output along one
    axis: the cost follows the input, never the kernel size."""
    first = max(0, -(((out - 1) * stride - padding) // dilation))
    last = min(kernel - 1, (n - 1 + padding) // dilation)
    return first, last - first + 1


def _axis_taps(n, stride, padding, dilation, out, first, count):
    """Input index read by each (output, offset) along one axis, and whether
    it is real; with no such offset (dilated windows of padding only), one
    unreal column."""
    offsets = np.arange(first, first + max(count, 1), dtype=np.int64)
    index = (np.arange(out, dtype=np.int64) * stride - padding)[:, None] + offsets * dilation
    return index, (index >= 0) & (index < n) & (count > 0)


def _reduce_axis(x, axis, index, real, fill, reduce):
    """Gather the taps along ``axis`` (-2 or -1), fill the unreal ones, reduce them."""
    taken = np.take(x, np.where(real, index, 0), axis=axis)
    mask = real[:, :, None] if axis == -2 else real
    return reduce(np.where(mask, taken, fill), axis=axis)


def _pool(x, kernel_size, stride, padding, dilation, ceil_mode, fill, reduce):
    array = as_numeric_array(x)
    if array.ndim not in (2, 3, 4) or array.size == 0:
        raise ValueError(f"x must be a non-empty (H, W), (C, H, W) or (N, C, H, W) array "
                         f"(PyTorch's layout), got shape {array.shape}")
    kernel = as_pair(kernel_size, "kernel_size")
    strides = kernel if stride is None else as_pair(stride, "stride")
    pairs = padding if isinstance(padding, (tuple, list)) and len(padding) == 2 else (padding,) * 2
    pads = tuple(as_int(p, "padding", 0, MAX_WINDOW) for p in pairs)
    dilations = as_pair(dilation, "dilation")
    ceil_mode = _as_bool(ceil_mode, "ceil_mode")
    if any(p > ((k - 1) * d + 1) // 2 for k, p, d in zip(kernel, pads, dilations)):
        raise ValueError(f"padding must be at most half the effective kernel size "
                         f"(kernel_size - 1) * dilation + 1 (PyTorch's rule), got padding={padding!r} with "
                         f"kernel_size={kernel_size!r} and dilation={dilation!r}")
    rows, cols = array.shape[-2:]
    out = [torch_output_size(n, k, s, p, d, ceil_mode)
           for n, k, s, p, d in zip((rows, cols), kernel, strides, pads, dilations)]
    if min(out) < 1:
        raise ValueError(f"kernel_size {kernel} (dilation {dilations}) does not fit x's "
                         f"{rows}x{cols} with padding {pads}: the output would be {out[0]}x{out[1]}")
    axes = list(zip((rows, cols), kernel, strides, pads, dilations, out))
    offsets = [_first_offset_and_count(*axis) for axis in axes]
    maps = array.size // (rows * cols)
    gathered = max(maps * cols * out[0] * max(offsets[0][1], 1),
                   maps * out[0] * out[1] * max(offsets[1][1], 1))
    if gathered > MAX_GATHERED_CELLS:
        raise ValueError(f"kernel_size {kernel} on x of shape {array.shape} would gather {gathered} "
                         f"cells, more than {MAX_GATHERED_CELLS} (2**25): use a smaller map or kernel")
    taps = [_axis_taps(n, s, p, d, o, *first_count)
            for (n, _, s, p, d, o), first_count in zip(axes, offsets)]
    if fill is None:  # max: padding never wins
        fill = -np.inf if array.dtype.kind == "f" else np.iinfo(array.dtype).min
    partial = _reduce_axis(array, -2, *taps[0], fill, reduce)
    return _reduce_axis(partial, -1, *taps[1], fill, reduce), pads, strides, out


def torch_max_pool2d(x: ArrayLike, kernel_size, stride=None, padding=0, dilation=1,
                     ceil_mode: bool = False) -> np.ndarray:
    """Max pooling as ``torch.nn.functional.max_pool2d`` computes it.

    ``kernel_size``, ``stride`` (``None``: the kernel size), ``padding`` and
    ``dilation`` are ints or pairs; padded cells never win, NaN propagates.
    Returns the layout and dtype of ``x``.

    >>> torch_max_pool2d(np.arange(25.0).reshape(5, 5), 3, stride=2, padding=1)
    array([[ 6.,  8.,  9.],
           [16., 18., 19.],
           [21., 23., 24.]])
    """
    return _pool(x, kernel_size, stride, padding, dilation, ceil_mode, None, np.max)[0]


def torch_avg_pool2d(x: ArrayLike, kernel_size, stride=None, padding=0, ceil_mode: bool = False,
                     count_include_pad: bool = True, divisor_override: int | None = None) -> np.ndarray:
    """Average pooling as ``torch.nn.functional.avg_pool2d`` computes it.

    ``count_include_pad=True`` (PyTorch's default) divides by the window's
    cells including the explicit padding, clipped to the padded map (cells
    beyond it, which ``ceil_mode`` can reach, never count); ``False`` divides
    by the real cells, like Keras; ``divisor_override`` replaces the divisor.
    float16 is summed in float32, as PyTorch's CPU kernel does, and returned
    as float16; float32 and float64 are kept; other dtypes give float64.

    >>> x = np.arange(25.0).reshape(5, 5)
    >>> torch_avg_pool2d(x, 3, stride=2, padding=1)[0]
    array([1.33333333, 3.        , 2.66666667])
    >>> torch_avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False)[0]
    array([3. , 4.5, 6. ])
    """
    count_include_pad = _as_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor_override = as_int(divisor_override, "divisor_override", 1, MAX_WINDOW)
    array = as_numeric_array(x)
    dtype = array.dtype if array.dtype.kind == "f" else np.dtype(np.float64)
    work = array.astype(np.float32 if dtype == np.float16 else dtype, copy=False)
    sums, pads, strides, out = _pool(work, kernel_size, stride, padding, 1, ceil_mode, 0, np.sum)
    if divisor_override is not None:
        return (sums / work.dtype.type(divisor_override)).astype(dtype)
    kernel = as_pair(kernel_size, "kernel_size")
    divisors = []
    for n, k, s, p, o in zip(work.shape[-2:], kernel, strides, pads, out):
        start = np.arange(o) * s - p
        stop = np.minimum(start + k, n + p)
        divisors.append(stop - start if count_include_pad
                        else np.minimum(stop, n) - np.maximum(start, 0))
    return (sums / np.outer(*divisors).astype(work.dtype)).astype(dtype)


def torch_pool2d_loop(x, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False,
                      operation="max", count_include_pad=True, divisor_override=None):
    """PyTorch's max or average pooling of one 2-D map, window by window.

    Written from PyTorch's documentation and CPU kernels, with pairs of ints
    for the sizes: the slow, obvious version the fast one is tested against.
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
