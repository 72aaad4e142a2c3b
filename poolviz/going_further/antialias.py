"""Anti-aliased max pooling ("MaxBlurPool") as in Zhang (2019).

Richard Zhang, "Making Convolutional Networks Shift-Invariant Again",
ICML 2019 (arXiv:1904.11486).  Max pooling with stride ``s`` is split into
two steps: the dense max (stride 1), which is where the nonlinearity lives,
then a low-pass binomial blur applied with stride ``s``, which is where the
subsampling happens.  Blurring before subsampling removes the high
frequencies that otherwise alias.  On the course's photograph a 1-pixel
shift then changes the pooled map less (by magnitude; never not at all),
while on a sharp 2-pixel line max pooling changes less: see
``notebooks/going_further/01_antialiased_pooling.ipynb`` and
:func:`shift_change`.

Padding, as the paper's reference code does it
----------------------------------------------
The reference code (github.com/adobe/antialiased-cnns; read here at
``antialiased_cnns/resnet.py`` and ``antialiased_cnns/blurpool.py``) builds
``nn.MaxPool2d(kernel_size=2, stride=1)`` with no padding, then
``BlurPool(filt_size, stride)``, whose default ``pad_type`` is ``'reflect'``:
it pads ``floor((f - 1) / 2)`` cells before and ``ceil((f - 1) / 2)`` after
on each spatial axis with ``ReflectionPad2d`` (mirror without repeating the
edge cell, NumPy's ``mode="reflect"``), then convolves each channel with the
normalised binomial filter at the stride, without further padding.  This
module does the same, because that is the operation whose shift behaviour
the paper measured; zero padding would darken the border.  A consequence:
the output has ``floor((n - pool) / stride) + 1`` cells per axis, exactly
``MaxPooling2D(pool, stride, padding="valid")``'s size, and with
``filter_size=1`` (no blur) the result *is* that max pooling.
"""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass

import numpy as np

from .._checks import as_feature_map, as_numeric_array, as_pair, check_data_format
from ..data import shift
from ..convolution import conv2d, relu
from ..pooling import average_pool2d, max_pool2d

__all__ = ["SHIFT_OPERATIONS", "ShiftChange", "binomial_filter", "max_blur_pool2d", "relative_l1_change",
           "shift_change"]

#: Filter sizes the reference code offers (1 = no blur).
FILTER_SIZES = (1, 2, 3, 4, 5, 6, 7)


def _filter_size(filter_size):
    if (isinstance(filter_size, (bool, np.bool_)) or not isinstance(filter_size, numbers.Integral)
            or int(filter_size) not in FILTER_SIZES):
        raise ValueError(f"filter_size must be an int from 1 to 7, got {filter_size!r}")
    return int(filter_size)


def binomial_filter(filter_size=3):
    """The normalised 2-D binomial filter of the paper (outer product of a
    row of Pascal's triangle with itself, summing to 1).

    >>> binomial_filter(3) * 16
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    row = _binomial_row(_filter_size(filter_size))
    return np.outer(row, row)


def _binomial_row(size):
    """Row ``size - 1`` of Pascal's triangle, divided by its sum ``2**(size - 1)``."""
    return np.array([math.comb(size - 1, i) for i in range(size)], dtype=np.float64) / 2 ** (size - 1)


def _blur_axis(x, axis, weights, stride):
    """Reflect-pad ``x`` along ``axis`` as the reference code does, then
    convolve with the 1-D ``weights`` at ``stride`` (no further padding)."""
    size = len(weights)
    before, after = (size - 1) // 2, size // 2
    widths = [(0, 0)] * x.ndim
    widths[axis] = (before, after)
    padded = np.pad(x, widths, mode="reflect") if size > 1 else x
    n_out = (padded.shape[axis] - size) // stride + 1
    result = None
    for i, weight in enumerate(weights):
        index = [slice(None)] * x.ndim
        index[axis] = slice(i, i + stride * (n_out - 1) + 1, stride)
        part = weight * padded[tuple(index)]
        result = part if result is None else result + part
    return result


def max_blur_pool2d(x, pool_size=2, strides=2, filter_size=3, data_format="channels_last"):
    """Max pooling with stride 1, then a binomial blur applied with ``strides``.

    Parameters
    ----------
    x : array_like
        A 2-D feature map ``(rows, cols)`` or a 4-D batch in the Keras layout
        ``data_format`` names.
    pool_size, strides : int or pair of ints
        The max window (taken with stride 1, ``"valid"``) and the
        subsampling step of the blur.
    filter_size : int, 1 to 7
        Side of the binomial filter ([1, 1], [1, 2, 1], [1, 3, 3, 1], ...);
        1 means no blur (plain max pooling).  The paper compares 2, 3 and 5.
    data_format : {"channels_last", "channels_first"}

    Returns
    -------
    numpy.ndarray
        ``floor((n - pool) / stride) + 1`` cells per spatial axis, same
        layout as ``x``; float (float32 stays float32, others give float64).

    Raises
    ------
    ValueError
        When the max-pooled map is too small to reflect-pad for the filter
        (it needs more than ``filter_size // 2`` cells per axis).

    Examples
    --------
    >>> max_blur_pool2d(np.arange(16.0).reshape(4, 4), filter_size=1)
    array([[ 5.,  7.],
           [13., 15.]])
    >>> max_blur_pool2d(np.arange(16.0).reshape(4, 4))
    array([[ 7.5,  8.5],
           [11.5, 12.5]])
    """
    pool = as_pair(pool_size, "pool_size")
    stride = as_pair(strides, "strides")
    size = _filter_size(filter_size)
    data_format = check_data_format(data_format)
    array = as_numeric_array(x)
    if array.ndim not in (2, 4) or array.size == 0:
        raise ValueError(
            f"x must be a non-empty 2-D feature map (rows, cols) or a 4-D batch in the "
            f"Keras layout, got shape {array.shape}")
    if array.dtype != np.float32:
        array = array.astype(np.float64)
    axes = (0, 1) if array.ndim == 2 else ((2, 3) if data_format == "channels_first" else (1, 2))
    spatial = tuple(array.shape[a] for a in axes)
    dense = tuple(n - p + 1 for n, p in zip(spatial, pool))
    if min(dense) <= size // 2:
        raise ValueError(
            f"x's {spatial[0]}x{spatial[1]} rows x cols is too small for pool_size {pool} and "
            f"filter_size {size}: the stride-1 max gives {dense[0]}x{dense[1]} cells, and "
            f"reflect padding needs more than {size // 2} per axis")
    maxed = max_pool2d(array, pool, strides=1, padding="valid", data_format=data_format)
    # The 2-D binomial filter is an outer product: blur the rows, then the columns.
    weights = _binomial_row(size).astype(array.dtype)
    rows = _blur_axis(maxed, axes[0], weights, stride[0])
    return _blur_axis(rows, axes[1], weights, stride[1])


# --------------------------------------------------------------------------
# How much a pooled map changes when the input moves by less than a stride
# --------------------------------------------------------------------------
#: The operations :func:`shift_change` compares.
SHIFT_OPERATIONS = ("max", "average", "max-blur")


def relative_l1_change(before, after):
    """How much a map changed, as a share of its size:
    ``sum |after - before| / sum |before|``.

    0 when nothing changed, also when both maps are all zero; ``inf`` when an
    all-zero map became nonzero (any change is infinitely large next to
    nothing).  Cells where either map is NaN are left out of both sums.
    :func:`shift_change` and :func:`poolviz.explorer.translation_invariance`
    both measure with it.

    >>> relative_l1_change(np.array([2.0, 2.0]), np.array([2.0, 1.0]))
    0.25
    >>> relative_l1_change(np.zeros(2), np.zeros(2)), relative_l1_change(np.zeros(2), np.ones(2))
    (0.0, inf)
    """
    moved = float(np.nansum(np.abs(after - before)))
    size = float(np.nansum(np.abs(before)))
    if moved == 0.0:
        return 0.0
    return moved / size if size > 0.0 else math.inf


@dataclass(frozen=True, eq=False)
class ShiftChange:
    """The pooled map's change under every sub-stride shift of the input.

    Attributes
    ----------
    shifts : list of (int, int)
        (rows down, cols right) moved, every shift with ``0 <= shift < stride``
        per axis except (0, 0).
    relative_l1 : numpy.ndarray of float
        Per shift, ``sum |pooled(shifted) - pooled| / sum |pooled|``: how much
        the map changes, as a share of its size (:func:`relative_l1_change`:
        0 when nothing changed, ``inf`` when an all-zero map became nonzero).
    fraction_equal : numpy.ndarray of float
        Per shift, the share of pooled cells exactly equal (to 1e-9) to the
        unshifted ones.
    """

    operation: str
    pool_size: tuple
    shifts: list
    relative_l1: np.ndarray
    fraction_equal: np.ndarray


def _pool_for_shift(feature_map, operation, pool, filter_size):
    if operation == "max":
        return max_pool2d(feature_map, pool)
    if operation == "average":
        return average_pool2d(feature_map, pool)
    return max_blur_pool2d(feature_map, pool, pool, filter_size)


def shift_change(image, operation="max", pool_size=2, filter_size=3, kernel=None):
    """Shift ``image`` by every sub-stride amount and measure the pooled change.

    Pooling uses stride = ``pool_size`` (the tutorial's setting; max-blur
    blurs with that stride).  The shift fills with zeros, so cells that enter
    at the border count as change too.

    Parameters
    ----------
    image : array_like
        2-D image or feature map.
    operation : {"max", "average", "max-blur"}
    pool_size : int or pair of ints
    filter_size : int
        The binomial filter of ``"max-blur"`` (ignored otherwise).
    kernel : array_like, optional
        A 2-D detector: then the shifted image goes through
        ``relu(conv2d(image, kernel))`` before pooling (the image moves, not
        the feature map, which is what moving a feature in a photo means).

    Returns
    -------
    ShiftChange

    Examples
    --------
    >>> image = np.zeros((8, 8)); image[:, 3:5] = 1  # the tutorial's line
    >>> result = shift_change(image, "max")
    >>> result.shifts, result.fraction_equal
    ([(0, 1), (1, 0), (1, 1)], array([0.75, 1.  , 0.75]))
    """
    if not isinstance(operation, str) or operation not in SHIFT_OPERATIONS:
        raise ValueError(f"operation must be one of {SHIFT_OPERATIONS}, got {operation!r}")
    array = as_feature_map(image, "image")
    pool = as_pair(pool_size, "pool_size")
    _filter_size(filter_size)
    detector = None if kernel is None else as_feature_map(kernel, "kernel")

    def pooled(rows, cols):
        moved = shift(array, rows, cols) if (rows or cols) else array
        if detector is not None:
            moved = relu(conv2d(moved, detector))
        return np.asarray(_pool_for_shift(moved, operation, pool, filter_size), dtype=np.float64)

    reference = pooled(0, 0)
    shifts = [(r, c) for r in range(pool[0]) for c in range(pool[1]) if (r, c) != (0, 0)]
    relative, equal = [], []
    for rows, cols in shifts:
        moved = pooled(rows, cols)
        relative.append(relative_l1_change(reference, moved))
        equal.append(np.isclose(moved, reference, rtol=0.0, atol=1e-9).mean())
    return ShiftChange(operation, pool, shifts, np.array(relative), np.array(equal))
