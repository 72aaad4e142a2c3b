"""The pooling window, one output cell at a time: :func:`walk_windows` lists them in the order
a person works by hand (row by row), :meth:`PoolingWindow.arithmetic` writes one out::

    max(0.0, 0.0,
        3.0, 3.0) = 3.0
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._checks import (
    MAX_IMAGE_CELLS,
    MAX_LAYERS,
    MAX_WALK_CELLS,
    MAX_WALK_WINDOWS,
    MAX_WINDOW_CELLS,
    _describe,
    _real_array,
    as_feature_map,
    as_int,
    as_pair,
    as_size_pair,
    check_padding,
)
from .pooling import check_pool_fits, padding_amounts, pool_arguments, pooled_shape, window_bounds

__all__ = ["PoolingWindow", "ReceptiveFieldState", "in_words", "pooling_window", "receptive_field", "walk_windows"]


@dataclass(frozen=True, eq=False)
class PoolingWindow:
    """One window of a pooling over a 2-D feature map.

    Attributes
    ----------
    output_index : tuple of int
        ``(row, col)`` of the cell this window gives in the pooled map.
    rows, cols : range
        Input indices the window covers; those outside the map are padded
        cells (``same`` padding).
    operation : {"max", "average"}
    result : float
        What the pooling puts in the output cell.
    real_block : numpy.ndarray
        The window's real (not padded) cells, float64: one block, since every
        window holds at least one real cell.
    """

    output_index: tuple
    rows: range
    cols: range
    operation: str
    result: float
    real_block: np.ndarray

    real_values = property(lambda self: self.real_block.ravel(), doc="The real cells' values, row by row.")
    count = property(lambda self: self.real_block.size, doc="Number of real cells: average pooling's divisor.")

    @property
    def is_padding(self):
        """Window-shaped bool array, True at padded cells."""
        cells = len(self.rows) * len(self.cols)
        if cells > MAX_WINDOW_CELLS:
            raise ValueError(f"pool_size ({len(self.rows)}, {len(self.cols)}) gives windows of {cells} "
                             f"cells; a window is written out cell by cell only up to {MAX_WINDOW_CELLS} "
                             f"cells (1024 x 1024): read real_block instead")
        padding = np.ones((len(self.rows), len(self.cols)), dtype=bool)
        padding[self._inner] = False
        return padding

    @property
    def values(self):
        """Window-shaped float64 array of the input values, NaN at padded cells."""
        values = np.where(self.is_padding, np.nan, 0.0)
        values[self._inner] = self.real_block
        return values

    @property
    def _inner(self):
        first = max(-self.rows.start, 0), max(-self.cols.start, 0)
        return tuple(slice(start, start + size) for start, size in zip(first, self.real_block.shape))

    def arithmetic(self):
        """The window's calculation as text, laid out like the window.

        >>> windows = walk_windows(np.arange(16.0).reshape(4, 4), operation="average")
        >>> print(windows[0].arithmetic())
        average(0.0, 1.0,
                4.0, 5.0) = 10.0 / 4 = 2.5
        """
        cells = [["pad" if pad else format_number(value) for value, pad in zip(row, pads)]
                 for row, pads in zip(self.values, self.is_padding)]
        width = max(len(cell) for row in cells for cell in row)
        body = (",\n" + " " * (len(self.operation) + 1)).join(
            ", ".join(cell.rjust(width) for cell in row) for row in cells)
        tail = format_number(self.result)
        if self.operation == "average":
            tail = f"{format_number(float(np.sum(self.real_block)))} / {self.count} = {tail}"
        return f"{self.operation}({body}) = {tail}"


def format_number(value):
    """A value as the hand arithmetic writes it: ``3.0``, ``1.5``, ``0.3333``.

    >>> format_number(3), format_number(1 / 3)
    ('3.0', '0.3333')
    """
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"value must be a real number, got {_describe(value)}")
    try:
        text = f"{float(value):.4f}".rstrip("0")
    except OverflowError:
        raise ValueError(f"value must fit in a float, got an int of {int(value).bit_length()} bits") from None
    return text + "0" if text.endswith(".") else text


def in_words(values: np.typing.ArrayLike, max_cells: int = 36) -> str:
    """A map in words, for a screen reader: its values row by row up to `max_cells` cells, else
    its shape, its range and where its largest values are.

    >>> in_words(np.array([[0.0, 3.0], [1 / 3, 3.0]]))
    '2 x 2: rows 0 3 / 0.333 3'
    """
    array = as_feature_map(values, "values", max_cells=MAX_IMAGE_CELLS, why=" (2**24)")
    max_cells, shape = as_int(max_cells, "max_cells", 0, MAX_IMAGE_CELLS), f"{array.shape[0]} x {array.shape[1]}"
    if array.size <= max_cells:
        return f"{shape}: rows " + " / ".join(" ".join(f"{value:.3g}" for value in row) for row in array)
    finite = array[np.isfinite(array)]
    if not finite.size:
        return f"{shape}, no finite value"
    top = np.argwhere(array == finite.max())
    (first_row, first_col), (last_row, last_col) = top.min(axis=0), top.max(axis=0)
    where = (f"at row {first_row}, column {first_col}" if len(top) == 1 else
             f"in {len(top)} cells within rows {first_row} to {last_row}, columns {first_col} to {last_col}")
    return f"{shape}, values {finite.min():.3g} to {finite.max():.3g}, the largest {where}"


def _checked(feature_map, pool_size, strides, padding, operation):
    """The map as given (2-D, not converted: only the windows read are) and the
    checked ``(pool, stride, padding, output shape)``."""
    image = _real_array(feature_map, "feature_map")  # no bool or byte-order copy of a large map
    if image.ndim != 2 or image.size == 0:
        as_feature_map(image)  # raises the one wording of this rule
    if not isinstance(operation, str) or operation not in ("max", "average"):
        raise ValueError(f"operation must be 'max' or 'average', got {_describe(operation)}")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    return image, (pool, stride, padding), pooled_shape(image.shape, pool, stride, padding)


def _window(image, index, pooling, operation):
    """The window of output cell ``index``: work and memory bounded by its real cells."""
    spans, bounds = [], []
    for axis in (0, 1):
        n, pool, stride, padding = image.shape[axis], pooling[0][axis], pooling[1][axis], pooling[2]
        first = index[axis] * stride - padding_amounts(n, pool, stride, padding)[0]
        spans.append(range(first, first + pool))
        bounds.append(slice(*window_bounds(index[axis], n, pool, stride, padding)))
    block = image[tuple(bounds)].astype(np.float64)
    # fmax: NaN only when every value is NaN
    result = float(np.fmax.reduce(block, axis=None) if operation == "max" else np.mean(block))
    return PoolingWindow((int(index[0]), int(index[1])), spans[0], spans[1], operation, result, block)


def pooling_window(feature_map: np.typing.ArrayLike, output_index: tuple, pool_size: int | tuple[int, int] = (2, 2),
                   strides: int | tuple[int, int] | None = None, padding: str = "valid",
                   operation: str = "max") -> PoolingWindow:
    """The single window behind pooled cell ``output_index`` (row, col).

    Reads only that window's cells, whatever the size of the map.

    >>> pooling_window(np.arange(16).reshape(4, 4), (1, 0)).arithmetic()
    'max( 8.0,  9.0,\\n    12.0, 13.0) = 13.0'
    """
    image, pooling, out_shape = _checked(feature_map, pool_size, strides, padding, operation)
    row, col = as_size_pair(output_index, "output_index", minimum=-(2**63))
    if not (0 <= row < out_shape[0] and 0 <= col < out_shape[1]):
        raise ValueError(f"output_index must lie inside the pooled map of shape {out_shape}, "
                         f"got {_describe(output_index)}")
    return _window(image, (row, col), pooling, operation)


def walk_windows(feature_map: np.typing.ArrayLike, pool_size: int | tuple[int, int] = (2, 2),
                 strides: int | tuple[int, int] | None = None, padding: str = "valid",
                 operation: str = "max") -> list[PoolingWindow]:
    """Every window of the pooling (arguments as in :func:`poolviz.max_pool2d`; `operation`
    ``"max"`` or ``"average"``), row by row, left to right, as a list of :class:`PoolingWindow`.

    >>> windows = walk_windows(np.arange(16).reshape(4, 4))
    >>> len(windows), windows[1].output_index, list(windows[1].cols)
    (4, (0, 1), [2, 3])
    >>> print(windows[1].arithmetic())
    max(2.0, 3.0,
        6.0, 7.0) = 7.0
    """
    image, pooling, (out_rows, out_cols) = _checked(feature_map, pool_size, strides, padding, operation)
    pool = pooling[0]
    windows, cells = out_rows * out_cols, out_rows * out_cols * pool[0] * pool[1]
    if windows > MAX_WALK_WINDOWS or cells > MAX_WALK_CELLS:
        raise ValueError(f"walk_windows would list {windows} windows of {pool[0] * pool[1]} cells, {cells} cells in "
                         f"all; its limits are {MAX_WALK_WINDOWS} windows (2**14) and {MAX_WALK_CELLS} cells (2**22): "
                         f"walk a smaller feature_map, or read single windows with pooling_window")
    return [_window(image, (i, j), pooling, operation) for i in range(out_rows) for j in range(out_cols)]


# Receptive fields ----------------------------------------------------------------
_CONV, _POOL = (3, 1, "valid"), (2, 2, "valid")
#: Stacks for :func:`receptive_field` (and its explorer), by name.
RECEPTIVE_FIELD_STACKS = {
    "conv 3x3": (_CONV,), "conv 3x3, conv 3x3": (_CONV, _CONV), "conv 3x3, pool 2x2 stride 2": (_CONV, _POOL),
    "(conv 3x3, pool 2x2 stride 2) twice": (_CONV, _POOL) * 2,
    "(conv 3x3, pool 2x2 stride 2) twice, padding 'same'": ((3, 1, "same"), (2, 2, "same")) * 2,
    "conv 3x3, pool 3x3 stride 2 (overlapping)": (_CONV, (3, 2, "valid")),
    "conv 3x3, global pooling": (_CONV, "global")}


def receptive_field(layers, output_index: tuple, input_shape: tuple) -> tuple[tuple[int, int], tuple[int, int]]:
    """The input cells that output cell `output_index` of a stack of `layers` depends on, its receptive field:
    ``((first row, stop row), (first col, stop col))``, stops excluded as in ``range``.

    A layer is ``(kernel, stride, padding)``, first layer first (Keras's rules, the same for ``Conv2D`` and pooling;
    no dilation), or ``"global"``. Going back a layer, cells ``[a, b)`` come from ``[a * stride - before,
    (b - 1) * stride - before + kernel)``, clipped to the map that layer reads: padded cells depend on nothing, and
    ``same`` puts the odd padded cell after (bottom/right). A stride larger than its kernel skips cells of the map it
    reads: the field can then have holes (unless earlier layers' windows cover the gaps), and this is its span.

    >>> receptive_field([(3, 1, "valid"), (2, 2, "valid")], (0, 1), (8, 8)), receptive_field(["global"], (0, 0), (5, 7))
    (((0, 4), (2, 6)), ((0, 5), (0, 7)))
    """
    if not isinstance(layers, (list, tuple)) or len(layers) > MAX_LAYERS:
        raise TypeError(f"layers must be a list of at most {MAX_LAYERS} layers, got {_describe(layers)}")
    shapes, checked = [as_size_pair(input_shape, "input_shape")], []
    for number, layer in enumerate(layers):
        try:
            kernel, stride, padding = (shapes[-1], shapes[-1], "valid") if isinstance(layer, str) and \
                layer == "global" else layer
            kernel, stride, padding = as_pair(kernel, "kernel"), as_pair(stride, "stride"), check_padding(padding)
            check_pool_fits(shapes[-1], kernel, stride, padding, noun="map", window="window", argument="kernel")
        except (TypeError, ValueError) as error:
            raise type(error)(f"layers[{number}] must be (kernel, stride, padding) or 'global', fitting its "
                              f"{shapes[-1][0]} x {shapes[-1][1]} map, got {_describe(layer)}: {error}") from None
        checked.append((kernel, stride, padding))
        shapes.append(pooled_shape(shapes[-1], kernel, stride, padding))
    index = as_size_pair(output_index, "output_index", minimum=0)
    if index[0] >= shapes[-1][0] or index[1] >= shapes[-1][1]:
        raise ValueError(f"output_index must lie in the {shapes[-1][0]} x {shapes[-1][1]} output, got {index}")
    field = []
    for axis in (0, 1):
        start, stop = index[axis], index[axis] + 1
        for shape, (kernel, stride, padding) in zip(shapes[-2::-1], checked[::-1]):
            start = window_bounds(start, shape[axis], kernel[axis], stride[axis], padding)[0]
            stop = window_bounds(stop - 1, shape[axis], kernel[axis], stride[axis], padding)[1]
        field.append((start, stop))
    return tuple(field)


@dataclass(frozen=True, eq=False)
class ReceptiveFieldState:
    """What the receptive-field explorer shows: the `stack`'s map `shapes` (input first), the chosen `output_index`
    and the input `rows` and `cols` ``[start, stop)`` it depends on; or `message`, why the stack gives no output."""

    stack: str
    shapes: tuple
    output_index: tuple = (0, 0)
    rows: tuple = (0, 0)
    cols: tuple = (0, 0)
    message: str = ""
    ok = property(lambda self: not self.message, doc="True when the stack gives an output.")

    @property
    def description(self):
        """The state in words: the maps' sizes, the output cell and the input cells it depends on; or the message."""
        (top, bottom), (left, right), (rows, cols) = self.rows, self.cols, self.shapes[0]
        return self.message or (
            f"{self.stack}: maps {' -> '.join(f'{r} x {c}' for r, c in self.shapes)}. Output row {self.output_index[0]}"
            f", column {self.output_index[1]} depends on input rows {top} to {bottom - 1}, columns {left} to "
            f"{right - 1}: {(bottom - top) * (right - left)} of the {rows * cols} input cells")
