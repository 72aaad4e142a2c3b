"""Pooling as its definition, and the window arithmetic behind it.

The rules of ``keras.layers.MaxPooling2D`` and ``AveragePooling2D``: ``strides=None`` means ``pool_size``;
``"valid"`` keeps the windows that fit, ``floor((n - pool) / stride) + 1`` per axis; ``"same"`` gives
``ceil(n / stride)`` with just enough padding, the odd cell after (bottom/right).  Output cell ``i`` of an axis
reads cells ``i * stride - before`` to ``i * stride - before + pool`` (``before``: the padding before the input);
cells outside ``[0, n)`` are padding, skipped by max pooling and left out of the average's count.
"""

from __future__ import annotations

import numbers

import numpy as np

from ._checks import (
    MAX_AXIS,
    MAX_IMAGE_CELLS,
    MAX_WALK_CELLS,
    MAX_WINDOW,
    _describe,
    _real_array,
    as_bool,
    as_feature_map,
    as_int,
    as_pair,
    as_size_pair,
    check_data_format,
    check_padding,
    check_rank,
    check_result_cells,
)

__all__ = ["average_pool2d", "global_average_pool2d", "global_max_pool2d", "lp_pool2d", "max_pool2d", "output_size",
           "output_size_formula", "padding_amounts", "pooled_shape", "real_cell_counts", "same_padding",
           "window_bounds"]

_INT32_LIMIT = " (2**31 - 1, TensorFlow's int32 limit)"


def _axis_arguments(n, pool, stride, padding):
    """Checked ``(n, pool, stride, padding)`` of the one-axis functions."""
    return (as_int(n, "n", 1, MAX_AXIS), as_int(pool, "pool", 1, MAX_WINDOW, _INT32_LIMIT),
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


def _bounds(index, n, pool, stride, padding):
    """Unchecked :func:`window_bounds` (``index`` an int or an int64 array)."""
    starts = index * stride - _before_after(n, pool, stride, padding)[0]
    return np.maximum(starts, 0), np.minimum(starts + pool, n)


def output_size(n: int, pool: int, stride: int, padding: str = "valid") -> int:
    """Number of pooled cells along one axis of length ``n``: ``floor((n - pool) / stride) + 1`` for ``valid``
    (0 for a pool longer than ``n``), ``ceil(n / stride)`` for ``same``.

    >>> output_size(6, 2, 2, "valid"), output_size(7, 3, 2, "same")
    (3, 4)
    """
    return _size(*_axis_arguments(n, pool, stride, padding))


def output_size_formula(n: int, pool: int, stride: int, padding: str = "valid") -> str:
    """The output-size formula for one axis, filled in with the numbers.

    >>> output_size_formula(6, 2, 2, "valid"), output_size_formula(7, 3, 2, "same")
    ('floor((6 - 2) / 2) + 1 = 3', 'ceil(7 / 2) = 4')
    """
    n, pool, stride, padding = _axis_arguments(n, pool, stride, padding)
    size = _size(n, pool, stride, padding)
    if padding == "same":
        return f"ceil({n} / {stride}) = {size}"
    if pool > n:
        return f"floor(({n} - {pool}) / {stride}) + 1 < 1: the pool does not fit"
    return f"floor(({n} - {pool}) / {stride}) + 1 = {size}"


def same_padding(n: int, pool: int, stride: int) -> tuple[int, int]:
    """Padded cells ``(before, after)`` that Keras adds along one axis with
    ``padding="same"``: the odd extra cell goes after (bottom/right).

    >>> same_padding(6, 3, 2)
    (0, 1)
    """
    return _before_after(*_axis_arguments(n, pool, stride, "same"))


def padding_amounts(n: int, pool: int, stride: int, padding: str = "valid") -> tuple[int, int]:
    """Padded cells ``(before, after)`` along one axis: :func:`same_padding`
    for ``"same"``, ``(0, 0)`` for ``"valid"``.

    >>> padding_amounts(5, 3, 2, "same"), padding_amounts(5, 3, 2, "valid")
    ((1, 1), (0, 0))
    """
    return _before_after(*_axis_arguments(n, pool, stride, padding))


def window_bounds(index: int | np.ndarray, n: int, pool: int, stride: int,
                  padding: str = "valid") -> tuple[int, int] | tuple[np.ndarray, np.ndarray]:
    """Real input cells ``[start, stop)`` of window ``index`` along one axis.

    The window ``[index * stride - before, index * stride - before + pool)`` clipped to the real cells ``[0, n)``:
    ``stop - start`` is what average pooling divides by.  ``index`` is an int or an integer array (then so are
    ``start`` and ``stop``) in ``[0, output_size(n, pool, stride, padding))``.

    >>> window_bounds(0, 5, 3, 2, "same"), window_bounds(2, 5, 3, 2, "same")
    ((0, 2), (3, 5))
    >>> start, stop = window_bounds(np.arange(3), 5, 3, 2, "same")
    >>> stop - start
    array([2, 3, 2])
    """
    n, pool, stride, padding = _axis_arguments(n, pool, stride, padding)
    size = _size(n, pool, stride, padding)
    if isinstance(index, np.ndarray) and index.dtype.kind in "iu":
        if index.size and not (0 <= index.min() and index.max() < size):
            raise ValueError(f"index must lie in [0, {size}) for this axis, got values from "
                             f"{index.min()} to {index.max()}")
        return _bounds(index.astype(np.int64), n, pool, stride, padding)
    if isinstance(index, (bool, np.bool_)) or not isinstance(index, numbers.Integral):
        raise TypeError(f"index must be an int or an integer array, got {_describe(index)}")
    if not 0 <= index < size:
        raise ValueError(f"index must lie in [0, {size}) for this axis, got {_describe(index)}")
    start, stop = _bounds(int(index), n, pool, stride, padding)
    return int(start), int(stop)


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

    The one wording of this rule, raised by the pooling functions, worded for
    a kernel by :func:`poolviz.conv2d` and shown by the explorers.

    >>> pool_fit_message((4, 4), 5)[:50], pool_fit_message((4, 4), 5, padding="same")
    ('A 5 x 5 pool does not fit in the 4 x 4 input with ', '')
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
    message = pool_fit_message(input_shape, pool_size, strides, padding, noun=noun, window=window, argument=argument)
    if message:
        raise ValueError(message)


def pooled_shape(input_shape: tuple[int, int], pool_size: int | tuple[int, int],
                 strides: int | tuple[int, int] | None = None, padding: str = "valid") -> tuple[int, int]:
    """Shape ``(rows, cols)`` of the pooled map for an input ``(rows, cols)``.

    >>> pooled_shape((6, 6), 2)
    (3, 3)
    >>> pooled_shape((7, 5), (3, 2), strides=2, padding="same")
    (4, 3)
    """
    rows, cols = as_size_pair(input_shape, "input_shape")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    check_pool_fits((rows, cols), pool, stride, padding)
    return (_size(rows, pool[0], stride[0], padding), _size(cols, pool[1], stride[1], padding))


def real_cell_counts(input_shape: tuple[int, int], pool_size: int | tuple[int, int],
                     strides: int | tuple[int, int] | None = None, padding: str = "valid") -> np.ndarray:
    """Number of real (not padded) cells under each window, an int array shaped like the pooled output: what
    Keras's average pooling divides each window's sum by, not the pool's area.

    >>> real_cell_counts((3, 3), (2, 2), (2, 2), "same")
    array([[4, 2],
           [2, 1]])
    """
    out_rows, out_cols = pooled_shape(input_shape, pool_size, strides, padding)
    if out_rows * out_cols > MAX_IMAGE_CELLS:
        raise ValueError(f"real_cell_counts would return {out_rows} x {out_cols} counts, more than its limit of "
                         f"{MAX_IMAGE_CELLS} (2**24): count one axis at a time with window_bounds")
    (rows, cols), (pool, stride, padding) = input_shape, pool_arguments(pool_size, strides, padding)
    row_start, row_stop = _bounds(np.arange(out_rows), int(rows), pool[0], stride[0], padding)
    col_start, col_stop = _bounds(np.arange(out_cols), int(cols), pool[1], stride[1], padding)
    return np.multiply.outer(row_stop - row_start, col_stop - col_start).astype(int)


# Pooling ------------------------------------------------------------------
def max_pool2d(x: np.typing.ArrayLike, pool_size: int | tuple[int, int] = (2, 2),
               strides: int | tuple[int, int] | None = None, padding: str = "valid",
               data_format: str = "channels_last") -> np.ndarray:
    """Max pooling with the semantics of ``keras.layers.MaxPooling2D``.

    ``x`` is a 2-D map ``(rows, cols)`` or a 4-D batch in ``data_format``; ``pool_size`` and ``strides`` are ints or
    pairs (``strides=None``: the pool size); ``padding`` is ``"valid"`` or ``"same"``.  The result has the layout and
    dtype of ``x`` (float32 for float16 as in Keras, float64 for bool).  NaN is skipped, as in TensorFlow (a window
    of NaN only gives NaN); of a tie between 0.0 and -0.0 either may come back.

    >>> max_pool2d(np.arange(16).reshape(4, 4))
    array([[ 5,  7],
           [13, 15]])
    """
    array, order, pool, stride, padding = _checked(x, pool_size, strides, padding, data_format)
    # The dtype of x in native byte order; float16 in float32 (as in Keras), bool in float64.
    dtype = {"e": np.dtype("f4"), "?": np.dtype("f8")}.get(array.dtype.char, array.dtype.newbyteorder("="))
    # Start from what any real cell replaces: NaN (np.fmax skips it) or the lowest int.
    start = np.nan if dtype.kind == "f" else np.iinfo(dtype).min
    return _reduce_windows(np.fmax, array, order, pool, stride, padding, start, dtype)


def average_pool2d(x: np.typing.ArrayLike, pool_size: int | tuple[int, int] = (2, 2),
                   strides: int | tuple[int, int] | None = None, padding: str = "valid",
                   data_format: str = "channels_last") -> np.ndarray:
    """Average pooling with the semantics of ``keras.layers.AveragePooling2D``.

    Each window's sum is divided by its number of real cells: padded cells are left out, as in Keras.  Parameters
    and layout as in :func:`max_pool2d`; the result is float32 for float16 and float32 input, float64 otherwise.
    NaN propagates; a window holding both inf and -inf gives NaN, and a sum past the dtype's range gives inf,
    silently as in TF.

    >>> average_pool2d(np.arange(16).reshape(4, 4), 3, strides=2, padding="same")
    array([[ 5. ,  6.5],
           [11. , 12.5]])
    """
    array, order, pool, stride, padding = _checked(x, pool_size, strides, padding, data_format)
    dtype = np.promote_types(array.dtype, "f4") if array.dtype.kind == "f" else np.dtype("f8")
    with np.errstate(invalid="ignore", over="ignore"):  # as TensorFlow: NaN or inf, no warning
        return _reduce_windows(np.add, array, order, pool, stride, padding, 0, dtype, average=True)


def _reduce_windows(reduce, array, order, pool, stride, padding, start, dtype, average=False):
    """Every window of ``array`` reduced by ``reduce`` (np.fmax or np.add) in
    ``dtype``; with ``average``, divided by its number of real cells.
    ``array.transpose(order)`` has the rows and columns first.

    Max and sum over a rectangle are separable: reduce along rows, then along
    columns.  Along an axis, output ``i`` at window offset ``d`` reads cell
    ``i * stride - before + d``: one strided slice per offset, visiting only
    the offsets and outputs whose cell is real.  Nothing is padded.  Cost:
    the output times the real cells of a window's row and column (a pool
    larger than the map costs like one the size of the map); memory: the
    output, and at most the size of ``array`` for the rows pass (in bands).
    """
    rows, cols = array.shape[order[0]], array.shape[order[1]]
    if _size(cols, pool[1], stride[1], padding) * rows < _size(rows, pool[0], stride[0], padding) * cols:
        # First along the axis that shrinks more: the pass between keeps fewer cells.
        order, pool, stride = (order[1], order[0], *order[2:]), pool[::-1], stride[::-1]
    x = array.transpose(order)
    (rows, cols), shape = x.shape[:2], list(array.shape)
    shape[order[0]] = out_rows = _size(rows, pool[0], stride[0], padding)
    shape[order[1]] = out_cols = _size(cols, pool[1], stride[1], padding)
    out = np.full(shape, start, dtype)
    view = out.transpose(order)
    # The rows pass goes in bands of output rows, each no bigger than array.
    band = min(out_rows, max(1, rows * array.itemsize // dtype.itemsize))
    buffer = np.empty((band,) + x.shape[1:], dtype)
    # Average: a valid window's cells are all real; count those of a same one.
    counting = average and padding == "same"
    for lo in range(0, out_rows, band):
        block = view[lo:lo + band]
        passed = buffer[:len(block)]
        passed.fill(start)
        counts = []  # of the real cells each output reads, along rows and along columns
        for source, target, first, k, s in (
                (x, passed, lo, pool[0], stride[0]),
                (passed.swapaxes(0, 1), block.swapaxes(0, 1), 0, pool[1], stride[1])):
            n, last = len(source), first + len(target) - 1
            before = _before_after(n, k, s, padding)[0]
            counts.append(np.zeros(len(target), dtype) if counting else k)
            for d in range(max(0, before - last * s), min(k, n + before - first * s)):
                i = max(first, -((d - before) // s))  # first output whose cell is >= 0
                j = min(last, (n - 1 + before - d) // s)  # last output whose cell is < n
                if i <= j:
                    cell, part = i * s - before + d, target[i - first:j - first + 1]
                    reduce(part, source[cell:cell + (j - i) * s + 1:s], out=part)
                    if counting:
                        counts[-1][i - first:j - first + 1] += 1
        if counting:  # the real cells of each window, laid out in the buffer (free now)
            cells = buffer.reshape(-1)[:len(block) * out_cols].reshape(len(block), out_cols)
            np.multiply(counts[0][:, np.newaxis], counts[1], out=cells)
            block /= cells.reshape(cells.shape + (1,) * (block.ndim - 2))
        elif average:
            block /= counts[0] * counts[1]
    return out


def _checked(x, pool_size, strides, padding, data_format):
    """The checked arguments of a pooling call: ``(array, order, pool, stride,
    padding)``; ``array.transpose(order)`` puts its rows and columns first."""
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    data_format = check_data_format(data_format)
    array = _real_array(x, "x")  # not converted: the passes read it as it is
    check_rank(array)
    order = (0, 1) if array.ndim == 2 else (2, 3, 0, 1) if data_format == "channels_first" else (1, 2, 0, 3)
    rows, cols = array.shape[order[0]], array.shape[order[1]]
    if padding == "valid" and (pool[0] > rows or pool[1] > cols):
        raise ValueError(pool_fit_message((rows, cols), pool, stride, padding))
    check_result_cells(array.size // (rows * cols) * _size(rows, pool[0], stride[0], padding)
                       * _size(cols, pool[1], stride[1], padding), "x", " or larger strides")
    return array, order, pool, stride, padding


def global_max_pool2d(x: np.typing.ArrayLike, data_format: str = "channels_last",
                      keepdims: bool = False) -> float | np.ndarray:
    """Largest value of each feature map, like ``GlobalMaxPooling2D``.

    A 2-D input gives a Python float (a ``(1, 1)`` array with ``keepdims``);
    a 4-D input gives ``(batch, channels)``, or ``(batch, 1, 1, channels)``
    with ``keepdims`` (``(batch, channels, 1, 1)`` for ``channels_first``).
    A map holding NaN gives NaN, as in TensorFlow (unlike windowed max pooling).

    >>> global_max_pool2d(np.arange(16).reshape(4, 4))
    15.0
    """
    return _global_pool(x, data_format, keepdims, "max")


def global_average_pool2d(x: np.typing.ArrayLike, data_format: str = "channels_last",
                          keepdims: bool = False) -> float | np.ndarray:
    """Mean of each feature map, like ``GlobalAveragePooling2D``.

    Shapes as in :func:`global_max_pool2d`.

    >>> global_average_pool2d(np.arange(16).reshape(4, 4))
    7.5
    """
    return _global_pool(x, data_format, keepdims, "average")


def _global_pool(x, data_format, keepdims, operation):
    keepdims = as_bool(keepdims, "keepdims")
    data_format = check_data_format(data_format)
    array = _real_array(x, "x")  # read as it is: no bool or byte-order copy of a large map
    check_rank(array)
    axes = (0, 1) if array.ndim == 2 else (2, 3) if data_format == "channels_first" else (1, 2)
    if operation == "max":
        pooled = array.max(axis=axes, keepdims=True)
    else:
        # Ints and bools average in float64, float16 in float32 (as in Keras).
        dtype = np.promote_types(array.dtype, "f4") if array.dtype.kind == "f" else "f8"
        pooled = array.mean(axis=axes, keepdims=True, dtype=dtype)
    # The result in native order; float16 as float32 (as in Keras), bool as float64.
    pooled = pooled.astype({"e": "f4", "?": "f8"}.get(pooled.dtype.char, pooled.dtype.newbyteorder("=")), copy=False)
    if array.ndim == 2:
        return pooled if keepdims else float(pooled[0, 0])
    return pooled if keepdims else pooled.reshape(pooled.shape[0], -1)



def lp_pool2d(feature_map: np.typing.ArrayLike, p: float, pool_size: int | tuple[int, int] = (2, 2),
              strides: int | tuple[int, int] | None = None) -> np.ndarray:
    """Lp pooling of a 2-D map in ``"valid"`` windows: each window's power mean ``(mean |x|**p)**(1/p)``.

    ``p=1`` is average pooling of ``|x|`` (of ``x`` on a map without negative values); it never decreases as ``p``
    grows, and ``p=inf`` is max pooling of ``|x|``. Computed as ``m * mean((|x| / m)**p)**(1/p)``, ``m`` the window's
    largest ``|x|``, so no ``p`` overflows; for ``n`` cells it lies in ``[m * n**(-1/p), m]``, so within
    ``m * ln(n) / p`` of the max. No Keras layer computes it.

    >>> lp_pool2d(np.array([[0.0, 3.0], [0.0, 3.0]]), p=1), lp_pool2d(np.array([[0.0, 3.0], [0.0, 3.0]]), p=np.inf)
    (array([[1.5]]), array([[3.]]))
    """
    real = isinstance(p, numbers.Real) and not isinstance(p, (bool, np.bool_))
    if not (real and p >= 1):  # NaN too
        raise (ValueError if real else TypeError)(
            f"p must be a number of at least 1 (1: average of |x|) or inf (max of |x|), got {_describe(p)}")
    try:
        p = float(p)
    except OverflowError:  # an int past the floats: its power mean rounds to the max
        p = np.inf
    array = np.abs(as_feature_map(feature_map, max_cells=MAX_IMAGE_CELLS, why=" (2**24)"))
    if not np.isfinite(array).all():
        raise ValueError("feature_map must hold finite numbers: the power mean of inf or NaN has no value")
    pool, stride, _ = pool_arguments(pool_size, strides)
    check_pool_fits(array.shape, pool, stride)
    windows = np.lib.stride_tricks.sliding_window_view(array, pool)[::stride[0], ::stride[1]]
    if windows.size > MAX_WALK_CELLS:
        raise ValueError(f"the windows hold {windows.size} cells in all, more than {MAX_WALK_CELLS} (2**22): use a "
                         "smaller map or pool, or larger strides")
    largest = windows.max(axis=(2, 3))
    if p in (1, np.inf):  # the ends exactly: the average and the max of |x|
        return windows.mean(axis=(2, 3)) if p == 1 else largest
    scale = np.where(largest > 0, largest, 1.0)[..., np.newaxis, np.newaxis]  # a window of zeros gives 0
    return largest * np.mean((windows / scale) ** p, axis=(2, 3)) ** (1 / p)
