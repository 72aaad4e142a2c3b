"""Anti-aliased max pooling after R. Zhang, "Making Convolutional Networks
Shift-Invariant Again" (ICML 2019): the dense max (stride 1), then a binomial
blur with the stride.  Blurring before subsampling damps the fine detail that
aliases; whether a shift then changes the pooled map less depends on the map."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .._checks import MAX_IMAGE_CELLS, _describe, _real_array, as_feature_map, as_int, as_pair, check_data_format
from ..convolution import conv2d, relu
from ..data import shift
from ..pooling import average_pool2d, max_pool2d

__all__ = ["binomial_filter", "max_blur_pool2d", "relative_l1_change", "shift_change"]

MAX_SHIFT_WORK = 2**24  # image cells shift_change pools over all its shifts


def _binomial_row(filter_size):  # row filter_size - 1 of Pascal's triangle, summing to 1
    size = as_int(filter_size, "filter_size", 1, 7)
    return np.array([math.comb(size - 1, i) for i in range(size)]) / 2 ** (size - 1)


def binomial_filter(filter_size: int = 3) -> np.ndarray:
    """The paper's 2-D binomial filter, ``filter_size`` 1 (no blur) to 7,
    summing to 1: a row of Pascal's triangle times itself.

    >>> binomial_filter(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    row = _binomial_row(filter_size)
    return np.outer(row, row)


def _blur_axis(x, axis, weights, stride):
    """Reflect-pad ``x`` along ``axis``, then convolve it with ``weights`` at ``stride``."""
    size = len(weights)
    padded = np.pad(np.moveaxis(x, axis, 0), [((size - 1) // 2, size // 2)] + [(0, 0)] * (x.ndim - 1), mode="reflect")
    n_out = (len(padded) - size) // stride + 1
    total = sum(weight * padded[i:i + stride * (n_out - 1) + 1:stride] for i, weight in enumerate(weights))
    return np.moveaxis(total, 0, axis)


def max_blur_pool2d(x: np.typing.ArrayLike, pool_size: int | tuple[int, int] = 2, strides: int | tuple[int, int] = 2,
                    filter_size: int = 3, data_format: str = "channels_last") -> np.ndarray:
    """Max pooling with stride 1 (``"valid"``), then a binomial blur with ``strides``.

    The blur reflect-pads ``(filter_size - 1) // 2`` cells before and ``filter_size // 2``
    after, as the paper's code does (adobe/antialiased-cnns, antialiased_cnns/blurpool.py at
    b27a34a on master, whose default filt_size is 4): zero padding would darken the border.  So the output has valid
    ``MaxPooling2D(pool_size, strides)``'s size, and ``filter_size=1`` *is*
    it.  ``x``: a 2-D map or a 4-D batch; float32 is kept, others give float64.

    >>> max_blur_pool2d(np.arange(16.0).reshape(4, 4))
    array([[ 7.5,  8.5],
           [11.5, 12.5]])
    """
    pool, stride = as_pair(pool_size, "pool_size"), as_pair(strides, "strides")
    weights = _binomial_row(filter_size)
    data_format = check_data_format(data_format)
    array = _real_array(x, "x")  # checked before any copy
    if array.ndim not in (2, 4) or array.size == 0:
        raise ValueError(f"x must be a non-empty 2-D map or 4-D batch, got shape {array.shape}")
    if array.size > MAX_IMAGE_CELLS:  # it keeps a few float64 copies of x
        raise ValueError(f"x must have at most {MAX_IMAGE_CELLS} cells (2**24), got shape {array.shape}")
    axes = (0, 1) if array.ndim == 2 else ((2, 3) if data_format == "channels_first" else (1, 2))
    dense = [array.shape[a] - p + 1 for a, p in zip(axes, pool)]
    if min(dense) <= len(weights) // 2:
        raise ValueError(f"x's {dense[0] + pool[0] - 1}x{dense[1] + pool[1] - 1} is too small for pool_size "
                         f"{pool} and filter_size {len(weights)}: the stride-1 max must leave more "
                         f"than {len(weights) // 2} cells per axis to reflect")
    array = array.astype(np.float32 if array.dtype == np.float32 else np.float64, copy=False)
    maxed = max_pool2d(array, pool, strides=1, data_format=data_format)
    weights = weights.astype(array.dtype)  # the 2-D filter is an outer product: blur each axis
    return _blur_axis(_blur_axis(maxed, axes[0], weights, stride[0]), axes[1], weights, stride[1])


def relative_l1_change(before: np.typing.ArrayLike, after: np.typing.ArrayLike) -> float:
    """How much a map changed, as a share of its size: ``sum |after - before| / sum |before|``.

    0 when nothing changed (also when both maps are all zero), ``inf`` when
    an all-zero map became nonzero, NaN only for an infinite change of an
    infinite map; cells where either map is NaN are left out of both sums.
    Computed in float64, whatever the dtypes.

    >>> relative_l1_change(np.array([2.0, 2.0]), np.array([2.0, 1.0]))
    0.25
    """
    before, after = _real_array(before, "before"), _real_array(after, "after")  # not copied yet
    if before.shape != after.shape:
        raise ValueError(f"after must have before's shape {before.shape}, got {after.shape}")
    if before.size > MAX_IMAGE_CELLS:
        raise ValueError(f"before must have at most {MAX_IMAGE_CELLS} cells (2**24), got shape {before.shape}")
    before64, after64 = before.astype(np.float64), after.astype(np.float64)
    both = ~(np.isnan(before64) | np.isnan(after64))
    with np.errstate(invalid="ignore", over="ignore"):
        moved = float(np.nansum(np.abs(after64 - before64)[both]))
        size = float(np.sum(np.abs(before64)[both]))
    return 0.0 if moved == 0.0 else (moved / size if size > 0.0 else math.inf)


@dataclass(frozen=True, eq=False)
class ShiftChange:
    """:func:`shift_change`'s result: per shift ``(rows down, cols right)``, the :func:`relative_l1_change`
    of the pooled map and the share of pooled cells equal (to 1e-9) to the unshifted ones."""

    operation: str
    pool_size: tuple
    shifts: list
    relative_l1: np.ndarray
    fraction_equal: np.ndarray


def shift_change(image: np.typing.ArrayLike, operation: str = "max", pool_size: int | tuple[int, int] = 2,
                 filter_size: int = 3, kernel: np.typing.ArrayLike | None = None) -> ShiftChange:
    """Shift ``image`` by every amount below the stride and measure the pooled change.

    Pools by ``operation``, "max", "average" or "max-blur" (with ``filter_size``),
    with stride = ``pool_size`` (the tutorial's setting).  The shift fills with
    zeros: cells entering at the border count as change.  With a 2-D ``kernel``
    the shifted image goes through ``relu(conv2d(image, kernel))`` first.

    >>> image = np.zeros((8, 8)); image[:, 3:5] = 1  # the tutorial's line
    >>> result = shift_change(image, "max")
    >>> result.shifts, result.fraction_equal
    ([(0, 1), (1, 0), (1, 1)], array([0.75, 1.  , 0.75]))
    """
    poolings = {"max": max_pool2d, "average": average_pool2d,
                "max-blur": lambda m, p: max_blur_pool2d(m, p, p, filter_size)}
    if not isinstance(operation, str) or operation not in poolings:
        raise ValueError(f"operation must be one of {tuple(poolings)}, got {_describe(operation)}")
    array = as_feature_map(image, "image")
    pool = as_pair(pool_size, "pool_size")
    _binomial_row(filter_size)
    detector = None if kernel is None else as_feature_map(kernel, "kernel")
    if pool[0] * pool[1] * array.size > MAX_SHIFT_WORK:
        raise ValueError(f"pool_size {pool} on a {array.shape[0]}x{array.shape[1]} image means "
                         f"{pool[0] * pool[1] - 1} shifted maps, more than {MAX_SHIFT_WORK} (2**24) "
                         f"cells in all: use a smaller pool_size or image")

    def pooled(rows, cols):
        moved = shift(array, rows, cols)
        return poolings[operation](moved if detector is None else relu(conv2d(moved, detector)), pool)

    reference = pooled(0, 0)
    shifts = [(r, c) for r in range(pool[0]) for c in range(pool[1]) if (r, c) != (0, 0)]
    moved = [pooled(rows, cols) for rows, cols in shifts]
    return ShiftChange(operation, pool, shifts, np.array([relative_l1_change(reference, m) for m in moved]),
                       np.array([np.isclose(m, reference, rtol=0, atol=1e-9).mean() for m in moved]))
