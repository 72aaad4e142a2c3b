"""Max and average pooling as PyTorch's ``torch.nn.functional`` computes them, in NumPy,
so that the course shows PyTorch's numbers beside Keras's without PyTorch.  Its
layout is channels first, ``(H, W)``, ``(C, H, W)`` or ``(N, C, H, W)``; its padding is
explicit and symmetric (no ``"same"``), at most ``kernel_size // 2`` even with
dilation (``pool2d_shape_check`` in ``Pool.h`` at commit 67eb71bc, which going-further
03 cites; at the later commit 05f542c9 it allows half the dilated window).  Tested against ONNX Runtime."""

from __future__ import annotations

import numpy as np

from .._checks import MAX_WINDOW, _converted, as_int, as_numeric_array, as_pair
from .._checks import as_bool as _as_bool

__all__ = ["torch_avg_pool2d", "torch_max_pool2d", "torch_output_size"]

IntOrPair = int | tuple[int, int]
MAX_GATHERED_CELLS = 2**25  # per pass: outputs times the window cells that reach real data


def torch_output_size(n: int, kernel_size: int, stride: int | None = None, padding: int = 0,
                      dilation: int = 1, ceil_mode: bool = False) -> int:
    """PyTorch's pooled size along one axis of length ``n``; 0 when no window fits.

    ``floor_or_ceil((n + 2 * padding - dilation * (kernel_size - 1) - 1) / stride) + 1``,
    where, with ``ceil_mode``, a kernel overhanging the padded input by less
    than the stride still gives a window (below: 2, 3, 2) and a last window
    starting in the right padding is dropped (below: 5, 2, 2, padding 1).

    >>> torch_output_size(6, 3, 2), torch_output_size(6, 3, 2, ceil_mode=True)
    (2, 3)
    >>> torch_output_size(5, 2, 2, padding=1, ceil_mode=True), torch_output_size(2, 3, 2, ceil_mode=True)
    (3, 1)
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


def _reduce_axis(x, axis, n, kernel, stride, padding, dilation, out, fill, reduce):
    """Reduce the windows along ``axis`` (-2 or -1): gather, per output, the
    kernel offsets that reach a real cell for some window (so the cost follows
    the input, never the kernel size), fill the others, reduce."""
    first = max(0, -(((out - 1) * stride - padding) // dilation))
    count = min(kernel - 1, (n - 1 + padding) // dilation) - first + 1  # < 1: padding only
    if x.size // n * out * max(count, 1) > MAX_GATHERED_CELLS:
        raise ValueError(f"kernel_size {kernel} on x's {n} cells would gather more than "
                         f"{MAX_GATHERED_CELLS} (2**25) cells: use a smaller map or kernel")
    index = (np.arange(out) * stride - padding)[:, None] + np.arange(first, first + max(count, 1)) * dilation
    real = (index >= 0) & (index < n) & (count > 0)
    taken = np.take(x, np.where(real, index, 0), axis=axis)
    return reduce(np.where(real[:, :, None] if axis == -2 else real, taken, fill), axis=axis)


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
    if any(p > k // 2 for k, p in zip(kernel, pads)):  # implies p <= half the effective kernel
        dilated = "" if dilations == (1, 1) else ", even with dilation (PyTorch's pool2d_shape_check)"
        raise ValueError(f"padding must be at most kernel_size // 2{dilated}, got padding={padding!r} "
                         f"with kernel_size={kernel_size!r}")
    axes = [(n, k, s, p, d, torch_output_size(n, k, s, p, d, ceil_mode))
            for n, k, s, p, d in zip(array.shape[-2:], kernel, strides, pads, dilations)]
    if min(axes[0][-1], axes[1][-1]) < 1:
        raise ValueError(f"kernel_size {kernel} (dilation {dilations}) does not fit x's "
                         f"{array.shape[-2]}x{array.shape[-1]} with padding {pads}")
    if fill is None:  # max: padding never wins
        fill = -np.inf if array.dtype.kind == "f" else np.iinfo(array.dtype).min
    return _reduce_axis(_reduce_axis(array, -2, *axes[0], fill, reduce), -1, *axes[1], fill, reduce), axes


def torch_max_pool2d(x: np.typing.ArrayLike, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                     padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False) -> np.ndarray:
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


def torch_avg_pool2d(x: np.typing.ArrayLike, kernel_size: IntOrPair, stride: IntOrPair | None = None,
                     padding: IntOrPair = 0, ceil_mode: bool = False, count_include_pad: bool = True,
                     divisor_override: int | None = None) -> np.ndarray:
    """Average pooling as ``torch.nn.functional.avg_pool2d`` computes it.

    ``count_include_pad=True`` (PyTorch's default) divides by the window's
    cells including the explicit padding, clipped to the padded map (cells
    beyond it, which ``ceil_mode`` can reach, never count); ``False`` divides
    by the real cells, like Keras; ``divisor_override`` replaces the divisor.
    float16 is summed in float32, as PyTorch's CPU kernel (ATen's cpu/AvgPoolKernel.cpp) does, and returned
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
    work = _converted(array, "x", np.float32 if dtype == np.float16 else dtype)  # bounded before the copy
    sums, axes = _pool(work, kernel_size, stride, padding, 1, ceil_mode, 0, np.sum)
    if divisor_override is not None:
        return (sums / work.dtype.type(divisor_override)).astype(dtype)
    divisors = []
    for n, k, s, p, _, out in axes:
        start = np.arange(out) * s - p
        stop = np.minimum(start + k, n + p)  # clipped to the padded map
        divisors.append(stop - start if count_include_pad else np.minimum(stop, n) - np.maximum(start, 0))
    return (sums / np.outer(*divisors).astype(work.dtype)).astype(dtype)
