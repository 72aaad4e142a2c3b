"""The pooling operations as loops: the slowest, most literal definition.

Each function walks over every output cell, finds its window's real cells
with :func:`poolviz.pooling.window_bounds` and reduces them with plain
Python.  Nothing here is vectorised on purpose: it is the version a reader
can check line by line; the tests hold :mod:`poolviz.pooling` to it.

They take a 4-D ``channels_last`` array (batch, rows, cols, channels) that has
already been validated; :func:`torch_pool2d_loop`, PyTorch's rules, takes one 2-D map.
"""

from __future__ import annotations

import math

import numpy as np

from poolviz.pooling import output_size, window_bounds


def _pool_loop(x, pool_size, strides, padding, reduce):
    pool_rows, pool_cols = pool_size
    stride_rows, stride_cols = strides
    batch, rows, cols, channels = x.shape
    out_rows = output_size(rows, pool_rows, stride_rows, padding)
    out_cols = output_size(cols, pool_cols, stride_cols, padding)
    out = np.zeros((batch, out_rows, out_cols, channels), dtype=np.float64)
    for b in range(batch):
        for c in range(channels):
            for i in range(out_rows):
                r0, r1 = window_bounds(i, rows, pool_rows, stride_rows, padding)
                for j in range(out_cols):
                    c0, c1 = window_bounds(j, cols, pool_cols, stride_cols, padding)
                    values = [float(x[b, r, k, c]) for r in range(r0, r1) for k in range(c0, c1)]
                    out[b, i, j, c] = reduce(values)
    return out


def _max_skipping_nan(values):
    numbers = [v for v in values if not math.isnan(v)]
    return max(numbers) if numbers else math.nan


def _mean(values):
    return sum(values) / len(values)


def max_pool2d_loop(x, pool_size, strides, padding):
    """Max over the real cells of each window; NaN skipped (as in TF)."""
    return _pool_loop(x, pool_size, strides, padding, _max_skipping_nan)


def average_pool2d_loop(x, pool_size, strides, padding):
    """Mean over the real cells of each window (padding not counted)."""
    return _pool_loop(x, pool_size, strides, padding, _mean)


def _max_propagating_nan(values):
    return math.nan if any(math.isnan(v) for v in values) else max(values)


def global_max_pool2d_loop(x):
    """(batch, channels) of per-map maxima; NaN propagates, as in
    ``GlobalMaxPooling2D`` (unlike windowed max pooling)."""
    batch, _, _, channels = x.shape
    return np.array([[_max_propagating_nan([float(v) for v in x[b, :, :, c].ravel()])
                      for c in range(channels)] for b in range(batch)])


def global_average_pool2d_loop(x):
    """(batch, channels) of per-map means."""
    batch, _, _, channels = x.shape
    return np.array([[_mean([float(v) for v in x[b, :, :, c].ravel()])
                      for c in range(channels)] for b in range(batch)])


def conv2d_loop(image, kernel, bias=0.0):
    """Valid cross-correlation of a 2-D image with a 2-D kernel, as in the
    tutorial: slide the kernel, multiply cell by cell, add up, add the bias."""
    rows, cols = len(image), len(image[0])
    k_rows, k_cols = len(kernel), len(kernel[0])
    out = np.zeros((rows - k_rows + 1, cols - k_cols + 1))
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            total = bias
            for di in range(k_rows):
                for dj in range(k_cols):
                    total += image[i + di][j + dj] * kernel[di][dj]
            out[i, j] = total
    return out


def torch_pool2d_loop(x, kernel_size, stride, padding, dilation=(1, 1), ceil_mode=False, operation="max",
                      count_include_pad=True, divisor_override=None):
    """PyTorch's max or average pooling of one 2-D map (sizes as pairs), window by window, from its
    documentation and its CPU kernels in ATen (the sources notebook going_further/03 cites)."""
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
            if operation == "max":  # a dilated window may see padding only: -inf, as in PyTorch
                out[i, j] = math.nan if any(map(math.isnan, real)) else max(real, default=-math.inf)
            else:  # count_include_pad: the window clipped to the padded map
                bottom = min(top + kernel_size[0], rows + padding[0])
                right = min(left + kernel_size[1], cols + padding[1])
                out[i, j] = sum(real) / (divisor_override or ((bottom - top) * (right - left)
                                                              if count_include_pad else len(real)))
    return out
