"""State for the pooling explorers: pure functions and traitlets models.

Nothing here imports ipywidgets or draws anything. The models hold what a
student can change (pool size, strides, padding, operation, input, shift,
window step) as traits, and recompute what the views show (the pooled map,
the output-size formula, the arithmetic of the current window) whenever a
trait changes. They can be driven and tested in a plain Python process;
:mod:`poolviz.widgets` only links controls to them and draws.

The pure functions :func:`pooling_state` and :func:`translation_invariance`
do the work; the models call them, and notebooks can call them directly.

Examples
--------
>>> import numpy as np
>>> state = pooling_state(np.arange(16.0).reshape(4, 4), pool_size=(2, 2), step=1)
>>> state.output_shape
(2, 2)
>>> state.window.output_index, state.window.result
((0, 1), 7.0)
>>> model = PoolingExplorerModel()
>>> model.output_shape
(3, 3)
>>> model.pool_rows = 7
>>> print(model.message)  # doctest: +NORMALIZE_WHITESPACE
A 7 x 2 pool does not fit in the 6 x 6 input with padding 'valid': the
output would have 0 x 3 cells. Choose a smaller pool_size (got (7, 2)) or
padding 'same'.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import traceback
from dataclasses import dataclass, field, replace

import numpy as np
import traitlets

import poolviz
from poolviz import data as _data
from poolviz._validation import (
    MAX_SHIFT,
    MAX_SHIFT_CELLS,
    MAX_WINDOW,
    as_feature_map,
    as_int,
    as_pair,
    as_size_pair,
    check_padding,
)
from poolviz.ops import _axis_plan, _pool_fit_message, _real_cells
from poolviz.walkthrough import format_number

__all__ = [
    "CUSTOM_INPUT",
    "LINE_DETECTOR_INPUT",
    "PoolingExplorerModel",
    "PoolingState",
    "TranslationExplorerModel",
    "TranslationInvariance",
    "arithmetic_text",
    "divisor_map",
    "input_names",
    "load_input",
    "pooling_state",
    "translation_invariance",
]

#: Name of the default input: the tutorial's 6 x 6 feature map, i.e. the
#: 8 x 8 vertical-line image after the 3 x 3 line detector and ReLU.
LINE_DETECTOR_INPUT = "line detector output (tutorial)"
#: Name under which an array passed by the caller appears in the input list.
CUSTOM_INPUT = "your array"
#: Windows with more cells than this are summarised in one line instead of
#: printing every value (a global window over 28 x 28 has 784 values).
ARITHMETIC_MAX_CELLS = 64

_GLOBAL_OPERATIONS = ("global max", "global average")


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------
def input_names(include_custom=False):
    """Names of the inputs the explorers offer, in menu order.

    Parameters
    ----------
    include_custom : bool
        Append :data:`CUSTOM_INPUT` (an array the caller passed).

    Returns
    -------
    list of str
    """
    names = [LINE_DETECTOR_INPUT, *_data.INPUTS]
    if include_custom:
        names.append(CUSTOM_INPUT)
    return names


def _line_detector_output(image):
    return poolviz.relu(poolviz.conv2d(image, _data.VERTICAL_LINE_DETECTOR))


def load_input(name, shift_rows=0, shift_cols=0, custom=None, _cache=None):
    """Return the 2-D input called `name`, shifted by (shift_rows, shift_cols).

    Parameters
    ----------
    name : str
        One of :func:`input_names` (with :data:`CUSTOM_INPUT` when `custom`
        is given).
    shift_rows, shift_cols : int
        Translation of the image (down and right are positive), zero fill.
        For :data:`LINE_DETECTOR_INPUT` the 8 x 8 image is shifted *before*
        the line detector, which is what moving a feature in a photo means.
    custom : array_like, optional
        The caller's 2-D array, used when `name` is :data:`CUSTOM_INPUT`.

    Returns
    -------
    numpy.ndarray
        Float 2-D array.

    Examples
    --------
    >>> load_input(LINE_DETECTOR_INPUT)[0]
    array([0., 0., 3., 3., 0., 0.])
    """
    if not isinstance(name, str):
        raise ValueError(f"input must be one of {input_names(custom is not None)}, got {name!r}")
    if _cache is not None and name in _cache:
        base = _cache[name]
    else:
        if name == LINE_DETECTOR_INPUT:
            base = _data.vertical_line()
        elif name == CUSTOM_INPUT:
            if custom is None:
                raise ValueError(f"input {CUSTOM_INPUT!r} needs an array, got custom=None")
            base = np.asarray(custom, dtype=float)
        elif name in _data.INPUTS:
            base = _data.INPUTS[name]()
        else:
            raise ValueError(f"input must be one of {input_names(custom is not None)}, got {name!r}")
        base = np.asarray(base, dtype=float)
        if base.ndim != 2:
            raise ValueError(f"input must be a 2-D array, got shape {base.shape}")
        if _cache is not None:
            _cache[name] = base
    shift_rows, shift_cols = as_int(shift_rows, "shift_rows"), as_int(shift_cols, "shift_cols")
    shifted = _data.shift(base, rows=shift_rows, cols=shift_cols) if (shift_rows or shift_cols) else base
    if name == LINE_DETECTOR_INPUT:
        return _line_detector_output(shifted)
    return shifted


# --------------------------------------------------------------------------
# One pooling configuration: everything a picture or a label needs
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class PoolingState:
    """Everything the pooling explorer shows for one set of controls.

    When the controls make no sense (`message` is not empty), the fields
    that would need a valid output are None.

    Attributes
    ----------
    feature_map : numpy.ndarray
        The 2-D input being pooled.
    operation : str
        One of ``poolviz.OPERATIONS``.
    pool_size, strides : tuple of int
        Effective values (for global pooling, the whole map).
    padding : str
        ``"valid"`` or ``"same"`` (global pooling counts as ``"valid"``).
    padding_amounts : tuple of int
        Padded cells (top, bottom, left, right); Keras puts the odd one
        at the bottom/right.
    output_shape : tuple of int or None
    pooled : numpy.ndarray or None
        The pooled 2-D map (1 x 1 for global pooling).
    formula_text : str
        The output-size formula with the current numbers filled in.
    step, n_windows : int
        The current window (row-major, like the hand calculation) and how
        many windows there are.
    window : poolviz.PoolingWindow or None
    arithmetic_text : str
        Where the window is, and its arithmetic.
    divisors : numpy.ndarray or None
        For average pooling: how many real (non-padding) cells each output
        cell was divided by.
    message : str
        Empty, or why this combination of controls gives no output.
    """

    feature_map: np.ndarray
    operation: str
    pool_size: tuple
    strides: tuple
    padding: str
    padding_amounts: tuple = (0, 0, 0, 0)
    output_shape: tuple | None = None
    pooled: np.ndarray | None = None
    formula_text: str = ""
    step: int = 0
    n_windows: int = 0
    window: object = None
    arithmetic_text: str = ""
    divisors: np.ndarray | None = None
    message: str = ""

    @property
    def ok(self):
        """True when there is an output to show."""
        return not self.message

    def at_step(self, step):
        """The same state with window `step` selected.

        Cheap: the pooled map is reused, only one window is built (what a
        window-step slider or the Play button needs).

        Raises
        ------
        ValueError
            When the state has no output, or `step` is outside the walk.
        """
        if not self.ok:
            raise ValueError(f"step cannot be chosen: {self.message}")
        if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
            raise TypeError(f"step must be an int, got {step!r}")
        if not 0 <= step < self.n_windows:
            raise ValueError(f"step must be in [0, {self.n_windows - 1}] for {self.n_windows} windows, got {step}")
        window_operation = self.operation.split()[-1]
        window = poolviz.pooling_window(self.feature_map, divmod(int(step), self.output_shape[1]),
                                        pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                                        operation=window_operation)
        return replace(self, step=int(step), window=window,
                       arithmetic_text=arithmetic_text(window, int(step), self.n_windows))


def _axis_padding(n, pool, stride, padding):
    _, before, after = _axis_plan(n, pool, stride, padding)
    return (int(before), int(after))


def divisor_map(input_shape, pool_size, strides, padding):
    """Number of real (non-padding) cells under each pooling window.

    Average pooling in Keras divides by this count, not by the pool area.

    Parameters
    ----------
    input_shape : tuple of int
        (rows, cols) of the input.
    pool_size, strides : tuple of int
    padding : {"valid", "same"}

    Returns
    -------
    numpy.ndarray of int
        Shaped like the pooled output.

    Examples
    --------
    >>> divisor_map((3, 3), (2, 2), (2, 2), "same")
    array([[4, 2],
           [2, 1]])
    """
    input_shape = as_size_pair(input_shape, "input_shape")
    pool_size = as_pair(pool_size, "pool_size")
    strides = pool_size if strides is None else as_pair(strides, "strides")
    padding = check_padding(padding)
    message = _pool_fit_message(input_shape, pool_size, strides, padding)
    if message:
        raise ValueError(message)
    # The same per-axis counts average_pool2d divides by.
    rows, cols = (_real_cells(n, pool, stride, padding)
                  for n, pool, stride in zip(input_shape, pool_size, strides))
    return np.outer(rows, cols).astype(int)


def arithmetic_text(window, step, n_windows, max_cells=ARITHMETIC_MAX_CELLS):
    """Describe one window: where it is, then its arithmetic.

    Small windows print every value with ``PoolingWindow.arithmetic()``;
    windows with more than `max_cells` cells get a one-line summary.

    Parameters
    ----------
    window : poolviz.PoolingWindow
    step, n_windows : int
        Position of the window in the walk (0-based) and the walk's length.
    max_cells : int

    Returns
    -------
    str
    """
    rows, cols = window.rows, window.cols
    header = (
        f"step {step + 1} of {n_windows}: output cell {tuple(window.output_index)} "
        f"<- input rows {rows.start}..{rows.stop - 1}, cols {cols.start}..{cols.stop - 1}"
    )
    n_cells = window.values.size
    if n_cells <= max_cells:
        body = window.arithmetic()
    elif window.operation == "max":
        body = f"max of the {len(rows)} x {len(cols)} window ({window.count} values) = {format_number(window.result)}"
    else:
        total = float(np.sum(window.real_values))
        body = (
            f"average of the {len(rows)} x {len(cols)} window = "
            f"{format_number(total)} / {window.count} = {format_number(window.result)}"
        )
    lines = [header, body]
    n_padding = int(np.count_nonzero(window.is_padding))
    if window.operation == "average" and n_padding:
        lines.append(
            f"divisor {window.count}, not {n_cells}: the {n_padding} padded cell"
            f"{'s are' if n_padding > 1 else ' is'} not counted (Keras)"
        )
    elif window.operation == "max" and n_padding:
        lines.append(f"the {n_padding} padded cell{'s are' if n_padding > 1 else ' is'} ignored, not read as 0")
    return "\n".join(lines)


def _operation(operation):
    if not isinstance(operation, str) or operation not in poolviz.OPERATIONS:
        raise ValueError(f"operation must be one of {poolviz.OPERATIONS}, got {operation!r}")
    return operation


def pooling_state(feature_map, pool_size=(2, 2), strides=None, padding="valid", operation="max", step=0,
                  clamp_step=False):
    """Compute everything the pooling explorer shows for one set of controls.

    Never raises for a combination that merely gives no output (a pool
    bigger than the input with ``"valid"`` padding): the returned state
    carries a readable `message` instead.

    Parameters
    ----------
    feature_map : array_like
        2-D input.
    pool_size : int or tuple of int
    strides : int or tuple of int, optional
        Default: `pool_size` (as in Keras).
    padding : {"valid", "same"}
    operation : {"max", "average", "global max", "global average"}
        Global pooling uses one window over the whole map.
    step : int
        Which window to describe, counting row by row from 0.
    clamp_step : bool
        Move a `step` past the last window to the last window (what a
        slider whose range just shrank needs) instead of raising.

    Returns
    -------
    PoolingState

    Raises
    ------
    ValueError, TypeError
        For arguments no control can produce (pool size 0, unknown
        padding, a step outside the walk, a 3-D array).

    Examples
    --------
    >>> import numpy as np
    >>> state = pooling_state(np.arange(16.0).reshape(4, 4), operation="average", step=3)
    >>> state.pooled
    array([[ 2.5,  4.5],
           [10.5, 12.5]])
    >>> print(state.formula_text)
    output rows = floor((4 - 2) / 2) + 1 = 2
    output cols = floor((4 - 2) / 2) + 1 = 2
    output shape = (2, 2)
    """
    array = as_feature_map(feature_map)
    operation = _operation(operation)
    padding = check_padding(padding)
    pool = as_pair(pool_size, "pool_size")
    stride = pool if strides is None else as_pair(strides, "strides")
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an int, got {step!r}")
    rows_n, cols_n = array.shape

    if operation in _GLOBAL_OPERATIONS:
        pool = stride = (rows_n, cols_n)
        reduce = poolviz.global_max_pool2d if operation == "global max" else poolviz.global_average_pool2d
        value = float(reduce(array))
        pooled = np.array([[value]])
        formula = (
            f"global pooling: one window over the whole {rows_n} x {cols_n} map\n"
            "output = 1 value per feature map (Keras shape (batch, channels))"
        )
        window_operation = operation.split()[1]
        padding_used = "valid"
        output_shape = (1, 1)
    else:
        padding_used = padding
        message = _pool_fit_message(array.shape, pool, stride, padding)
        if message:
            return PoolingState(array, operation, pool, stride, padding, message=message)
        output_shape = poolviz.pooled_shape(array.shape, pool, stride, padding)
        formula = "\n".join(
            [
                f"output rows = {poolviz.output_size_formula(rows_n, pool[0], stride[0], padding)}",
                f"output cols = {poolviz.output_size_formula(cols_n, pool[1], stride[1], padding)}",
                f"output shape = {output_shape}",
            ]
        )
        pool_function = poolviz.max_pool2d if operation == "max" else poolviz.average_pool2d
        pooled = np.asarray(pool_function(array, pool_size=pool, strides=stride, padding=padding), dtype=float)
        window_operation = operation

    n_windows = output_shape[0] * output_shape[1]
    if clamp_step:
        step = min(max(int(step), 0), n_windows - 1)
    if not 0 <= step < n_windows:
        raise ValueError(f"step must be in [0, {n_windows - 1}] for {n_windows} windows, got {step}")
    rows_pad = _axis_padding(rows_n, pool[0], stride[0], padding_used)
    cols_pad = _axis_padding(cols_n, pool[1], stride[1], padding_used)
    divisors = divisor_map(array.shape, pool, stride, padding_used) if window_operation == "average" else None
    state = PoolingState(
        feature_map=array,
        operation=operation,
        pool_size=pool,
        strides=stride,
        padding=padding_used,
        padding_amounts=(*rows_pad, *cols_pad),
        output_shape=output_shape,
        pooled=pooled,
        formula_text=formula,
        n_windows=n_windows,
        divisors=divisors,
    )
    return state.at_step(int(step))


# --------------------------------------------------------------------------
# Translation invariance
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TranslationInvariance:
    """How pooled outputs react to shifting the input.

    Attributes
    ----------
    shifts : numpy.ndarray of int
        0, 1, ..., max_shift (pixels).
    shift_steps : tuple of int
        (rows, cols) moved per unit of shift: (0, 1) right, (1, 0) down,
        (1, 1) diagonally.
    pooled : list of numpy.ndarray
        The pooled map for each shift; ``pooled[0]`` is the unshifted one.
    changed : numpy.ndarray of bool
        ``changed[k]`` marks the pooled cells that differ from ``pooled[0]``.
    fraction_unchanged : numpy.ndarray of float
        Share of pooled cells equal to the unshifted ones, per shift.
    relative_change : numpy.ndarray of float
        Size of the change, per shift: ``sum(|pooled[k] - pooled[0]|) /
        sum(|pooled[0]|)`` (relative L1 change; 0 when nothing changed, NaN
        when an all-zero map became nonzero). Exact equality favours max
        pooling, whose outputs either stay put or jump; this measure also
        counts how far the changed outputs moved.
    """

    shifts: np.ndarray
    shift_steps: tuple
    operation: str
    pool_size: tuple
    pooled: list = field(repr=False)
    changed: np.ndarray = field(repr=False)
    fraction_unchanged: np.ndarray = field(default=None)
    relative_change: np.ndarray = field(default=None)


def _relative_l1_change(before, after):
    """sum(|after - before|) / sum(|before|); 0 if equal, NaN if `before` is all 0."""
    moved = float(np.nansum(np.abs(after - before)))
    total = float(np.nansum(np.abs(before)))
    if moved == 0.0:
        return 0.0
    return moved / total if total > 0.0 else float("nan")


_SHIFT_STEPS = {"right": (0, 1), "down": (1, 0), "diagonal": (1, 1)}
#: Poolings the translation explorer compares ("max-blur": poolviz.max_blur_pool2d).
TRANSLATION_OPERATIONS = ("max", "average", "max-blur")


def _max_shift(max_shift, shape):
    """``max_shift`` checked against :data:`MAX_SHIFT` and the cell budget."""
    max_shift = as_int(max_shift, "max_shift", 0, MAX_SHIFT,
                       " (shifts past the image's size only give an empty image)")
    cells = (max_shift + 1) * shape[0] * shape[1]
    if cells > MAX_SHIFT_CELLS:
        raise ValueError(
            f"max_shift={max_shift} on a {shape[0]} x {shape[1]} image would keep "
            f"{cells} cells of shifted images, more than the limit of {MAX_SHIFT_CELLS} "
            f"(2**24): use a smaller max_shift or a smaller image"
        )
    return max_shift


def translation_invariance(image, operation="max", pool_size=2, max_shift=3, direction="right"):
    """Shift `image` by 0..max_shift pixels and see which pooled cells change.

    Pooling uses stride = pool size and ``"valid"`` padding, the tutorial's
    setting. The shift fills with zeros (nothing wraps around).

    Parameters
    ----------
    image : array_like
        2-D input (an image or a feature map).
    operation : {"max", "average", "max-blur"}
        ``"max-blur"`` is :func:`poolviz.max_blur_pool2d` with stride = pool size.
    pool_size : int or tuple of int
    max_shift : int
        Largest shift in pixels, from 0 to 256; and ``(max_shift + 1) * rows
        * cols`` at most 2**24 (every shift keeps a shifted image and its
        pooled map).
    direction : {"right", "down", "diagonal"}

    Returns
    -------
    TranslationInvariance

    Examples
    --------
    >>> import numpy as np
    >>> image = np.zeros((4, 4)); image[:2, 0] = 1  # a short line at the top left
    >>> result = translation_invariance(image, "max", 2, max_shift=2)
    >>> result.fraction_unchanged
    array([1. , 1. , 0.5])
    >>> result.changed[2]
    array([[ True,  True],
           [False, False]])
    >>> result.relative_change  # the 1 left the top-left window: |0-1| + |1-0| over 1
    array([0., 0., 2.])
    """
    array = as_feature_map(image, "image")
    if not isinstance(operation, str) or operation not in TRANSLATION_OPERATIONS:
        raise ValueError(f"operation must be one of {TRANSLATION_OPERATIONS}, got {operation!r}")
    pool = as_pair(pool_size, "pool_size")
    max_shift = _max_shift(max_shift, array.shape)
    if not isinstance(direction, str) or direction not in _SHIFT_STEPS:
        raise ValueError(f"direction must be one of {tuple(_SHIFT_STEPS)}, got {direction!r}")
    message = _pool_fit_message(array.shape, pool, pool, "valid", noun="image")
    if message:
        raise ValueError(message)
    step_rows, step_cols = _SHIFT_STEPS[direction]
    if operation == "max-blur":  # Zhang (2019): max with stride 1, blur with the stride
        pool_function = functools.partial(poolviz.max_blur_pool2d, strides=pool)
    else:
        pool_function = poolviz.max_pool2d if operation == "max" else poolviz.average_pool2d
    pooled = [
        np.asarray(
            pool_function(_data.shift(array, rows=k * step_rows, cols=k * step_cols), pool_size=pool), dtype=float
        )
        for k in range(int(max_shift) + 1)
    ]
    changed = np.array([~np.isclose(p, pooled[0], rtol=0.0, atol=1e-9, equal_nan=True) for p in pooled])
    fraction = 1.0 - changed.reshape(len(pooled), -1).mean(axis=1)
    return TranslationInvariance(
        shifts=np.arange(int(max_shift) + 1),
        shift_steps=(step_rows, step_cols),
        operation=operation,
        pool_size=pool,
        pooled=pooled,
        changed=changed,
        fraction_unchanged=fraction,
        relative_change=np.array([_relative_l1_change(pooled[0], p) for p in pooled]),
    )


# --------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------
class _Choice(traitlets.Enum):
    """An Enum of strings that refuses anything but a string with a
    TraitError naming the trait (traitlets' Enum compares a NumPy array with
    its values and fails with NumPy's "truth value ... is ambiguous")."""

    def validate(self, obj, value):
        if not isinstance(value, str):
            self.error(obj, value)
        return super().validate(obj, value)


def _positive(proposal):
    """A pool size or stride: from 1 to 2**31 - 1 (TensorFlow's int32 limit)."""
    if proposal.value < 1:
        raise traitlets.TraitError(f"{proposal.trait.name} must be at least 1, got {proposal.value}")
    if proposal.value > MAX_WINDOW:
        raise traitlets.TraitError(
            f"{proposal.trait.name} must be at most {MAX_WINDOW} (2**31 - 1, TensorFlow's "
            f"int32 limit), got {proposal.value}")
    return proposal.value


def _array_key(array):
    return (array.shape, hashlib.sha1(np.ascontiguousarray(array).tobytes()).hexdigest())


class PoolingExplorerModel(traitlets.HasTraits):
    """State of the pooling explorer, usable without any widget.

    Set the control traits (one by one, or several at once with
    :meth:`configure`); the output traits follow at once. A value outside a
    control's range (a pool size or stride below 1 or above 2**31 - 1, a
    value of the wrong type) raises ``traitlets.TraitError`` naming the
    control; any combination of values in range sets `message` instead of
    raising when it gives no output (or a window of more than 2**20 cells).

    Parameters
    ----------
    feature_map : array_like, optional
        A 2-D array to explore; it appears as :data:`CUSTOM_INPUT` and is
        selected. Default: the tutorial's line-detector output.
    **values
        Initial values of the control traits, e.g. ``pool_rows=3``.

    Examples
    --------
    >>> model = PoolingExplorerModel(operation="average")
    >>> model.pooled
    array([[0., 3., 0.],
           [0., 3., 0.],
           [0., 3., 0.]])
    >>> model.step = 1
    >>> print(model.arithmetic_text)  # doctest: +ELLIPSIS
    step 2 of 9: output cell (0, 1) <- input rows 0..1, cols 2..3
    average(...
    """

    # Controls ------------------------------------------------------------
    input_name = traitlets.Unicode(LINE_DETECTOR_INPUT)
    pool_rows = traitlets.Int(2)
    pool_cols = traitlets.Int(2)
    #: True: the strides are the pool size, and `stride_rows` / `stride_cols`
    #: follow `pool_rows` / `pool_cols` so they always show the stride used.
    strides_same_as_pool = traitlets.Bool(True)
    stride_rows = traitlets.Int(2)
    stride_cols = traitlets.Int(2)
    padding = _Choice(("valid", "same"), default_value="valid")
    operation = _Choice(poolviz.OPERATIONS, default_value="max")
    shift_rows = traitlets.Int(0)
    shift_cols = traitlets.Int(0)
    step = traitlets.Int(0)

    # Outputs (set by the model) -------------------------------------------
    input_options = traitlets.List(traitlets.Unicode())
    state = traitlets.Instance(PoolingState, allow_none=True)
    step_max = traitlets.Int(0)
    formula_text = traitlets.Unicode("")
    arithmetic_text = traitlets.Unicode("")
    message = traitlets.Unicode("")
    keras_text = traitlets.Unicode("")
    #: Goes up by one after every recompute: views redraw on it, once per change.
    version = traitlets.Int(0)

    _CONTROLS = (
        "input_name", "pool_rows", "pool_cols", "strides_same_as_pool", "stride_rows", "stride_cols",
        "padding", "operation", "shift_rows", "shift_cols", "step",
    )

    def __init__(self, feature_map=None, **values):
        unknown = sorted(set(values) - set(self._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(self._CONTROLS)}")
        super().__init__()
        self._custom = None if feature_map is None else as_feature_map(feature_map)
        self._input_cache = {}
        self._keras_cache = {}
        self._batch = False
        self.input_options = input_names(include_custom=self._custom is not None)
        if self._custom is not None:
            values.setdefault("input_name", CUSTOM_INPUT)
        self.configure(**values)

    @traitlets.validate("pool_rows", "pool_cols", "stride_rows", "stride_cols")
    def _validate_positive(self, proposal):
        return _positive(proposal)

    @traitlets.validate("input_name")
    def _validate_input_name(self, proposal):
        if proposal.value not in self.input_options:
            raise traitlets.TraitError(f"input_name must be one of {self.input_options}, got {proposal.value!r}")
        return proposal.value

    @traitlets.validate("step")
    def _validate_step(self, proposal):
        # The slider's range follows the output; a stale value is clamped.
        return min(max(int(proposal.value), 0), self.step_max)

    def configure(self, **values):
        """Set several controls, recomputing once.

        Parameters
        ----------
        **values
            Control traits, e.g. ``pool_rows=3, padding="same"``.
        """
        unknown = sorted(set(values) - set(self._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(self._CONTROLS)}")
        step = values.pop("step", None)
        self._batch = True
        try:
            for name, value in values.items():
                setattr(self, name, value)
        finally:
            self._batch = False
        self._recompute(step=self.step if step is None else step)

    @traitlets.observe(*[name for name in _CONTROLS if name != "step"])
    def _on_control(self, change):
        if not self._batch:
            self._recompute(step=self.step)

    @traitlets.observe("step")
    def _on_step(self, change):
        if self._batch:
            return
        if self.state is not None and self.state.ok:
            # Only the window moved: reuse the pooled map.
            self.state = self.state.at_step(change["new"])
            self.arithmetic_text = self.state.arithmetic_text
            self.version += 1
        else:
            self._recompute(step=change["new"])

    # -- derived values --------------------------------------------------
    @property
    def feature_map(self):
        """The 2-D input currently pooled (after the shift)."""
        return None if self.state is None else self.state.feature_map

    @property
    def pooled(self):
        """The pooled 2-D map, or None when the controls give no output."""
        return None if self.state is None else self.state.pooled

    @property
    def output_shape(self):
        """Shape of the pooled map, or None."""
        return None if self.state is None else self.state.output_shape

    @property
    def window(self):
        """The current :class:`poolviz.PoolingWindow`, or None."""
        return None if self.state is None else self.state.window

    @property
    def coverage(self):
        """How many windows cover each input cell (:func:`poolviz.window_coverage`
        for the current settings), or None when they give no output."""
        state = self.state
        if state is None or not state.ok:
            return None
        return poolviz.window_coverage(state.feature_map.shape, state.pool_size, state.strides,
                                       state.padding)

    def _parameters(self):
        strides = None if self.strides_same_as_pool else (self.stride_rows, self.stride_cols)
        return dict(pool_size=(self.pool_rows, self.pool_cols), strides=strides,
                    padding=self.padding, operation=self.operation)

    def _recompute(self, step):
        self._batch = True
        try:
            if self.strides_same_as_pool:
                # The stride traits (and the disabled sliders linked to them)
                # show the stride actually used, never a stale one.
                self.stride_rows, self.stride_cols = self.pool_rows, self.pool_cols
            try:
                feature_map = load_input(self.input_name, self.shift_rows, self.shift_cols,
                                         custom=self._custom, _cache=self._input_cache)
                state = pooling_state(feature_map, step=step, clamp_step=True, **self._parameters())
                step = state.step
            except (ValueError, TypeError) as error:
                state, step = None, 0
                message = str(error)
            except Exception as error:  # a bug must not kill a student's widget
                state, step = None, 0
                message = f"Unexpected error, please report it: {error!r}\n{traceback.format_exc(limit=3)}"
            else:
                message = state.message
                if not state.ok:
                    step = 0
            # Order matters for linked sliders: shrink the value before the range.
            new_max = state.n_windows - 1 if state is not None and state.ok else 0
            if new_max < self.step_max:
                self.step = min(step, new_max)
                self.step_max = new_max
            else:
                self.step_max = new_max
                self.step = step
            self.formula_text = state.formula_text if state is not None and state.ok else ""
            self.arithmetic_text = state.arithmetic_text if state is not None and state.ok else ""
            self.message = message
            self.keras_text = self._keras_text(state)
            self.state = state
            self.version += 1
        finally:
            self._batch = False

    # -- Keras -------------------------------------------------------------
    def _keras_key(self, state):
        return (_array_key(state.feature_map), state.operation, state.pool_size, state.strides, state.padding)

    @staticmethod
    def tensorflow_available():
        """True when TensorFlow can be imported (checked without importing it)."""
        return importlib.util.find_spec("tensorflow") is not None

    def _keras_text(self, state):
        if state is None or not state.ok:
            return ""
        cached = self._keras_cache.get(self._keras_key(state))
        if cached is not None:
            return cached
        if not self.tensorflow_available():
            return "TensorFlow is not installed, so the Keras check is off (pip install tensorflow)."
        return "Keras check: not run for these settings yet (press 'Check with Keras')."

    def check_with_keras(self):
        """Compare the current output with the Keras layer, and cache the result.

        Slow the first time (TensorFlow loads, ~2-3 s); call it on request,
        never from a slider callback. Never raises: the outcome is written
        to `keras_text`, which is also returned.

        Returns
        -------
        str
        """
        state = self.state
        if state is None or not state.ok:
            self.keras_text = "Nothing to check: these settings give no output."
            return self.keras_text
        key = self._keras_key(state)
        if key in self._keras_cache:
            self.keras_text = self._keras_cache[key]
            return self.keras_text
        try:
            from poolviz.keras_bridge import compare
        except ImportError as error:
            self.keras_text = f"Keras check unavailable: {error}"
            return self.keras_text
        try:
            if state.operation in _GLOBAL_OPERATIONS:
                comparison = compare(state.feature_map, state.operation)
            else:
                comparison = compare(state.feature_map, state.operation, pool_size=state.pool_size,
                                     strides=state.strides, padding=state.padding)
        except ImportError as error:
            text = f"Keras check unavailable: {error}"
        except (ValueError, TypeError) as error:
            # A limit of TensorFlow the bridge checks before calling Keras
            # (e.g. a same-padded pool above 10**5): not a failure.
            text = f"Keras check not run: {error}"
        except Exception as error:  # noqa: BLE001 - shown to the student, not raised
            text = f"Keras check failed: {type(error).__name__}: {error}"
        else:
            verdict = "agrees with" if comparison.agree else "DISAGREES with"
            text = (f"Keras {verdict} poolviz for these settings: "
                    f"max |poolviz - Keras| = {comparison.max_abs_difference:.3g}")
        self._keras_cache[key] = text
        self.keras_text = text
        return text


class TranslationExplorerModel(traitlets.HasTraits):
    """State of the translation-invariance explorer.

    ``max_shift`` ranges from 0 to 256 and ``pool_size`` from 1 to
    2**31 - 1 (``traitlets.TraitError`` outside); a pool larger than the
    image, or more than 2**24 kept cells, sets `message`.

    Parameters
    ----------
    image : array_like, optional
        A 2-D array to shift; it appears as :data:`CUSTOM_INPUT`.
        Default input: the tutorial's 8 x 8 vertical line.
    **values
        Initial control values, e.g. ``operation="average"``.

    Examples
    --------
    >>> model = TranslationExplorerModel(shift=1)
    >>> float(model.result.fraction_unchanged[1])
    0.75
    """

    input_name = traitlets.Unicode("vertical line")
    operation = _Choice(TRANSLATION_OPERATIONS, default_value="max")
    pool_size = traitlets.Int(2)
    max_shift = traitlets.Int(3)
    shift = traitlets.Int(1)
    direction = _Choice(tuple(_SHIFT_STEPS), default_value="right")

    input_options = traitlets.List(traitlets.Unicode())
    image = traitlets.Any(None)
    result = traitlets.Instance(TranslationInvariance, allow_none=True)
    other_result = traitlets.Instance(TranslationInvariance, allow_none=True)
    fraction_text = traitlets.Unicode("")
    message = traitlets.Unicode("")
    #: Goes up by one after every recompute: views redraw on it, once per change.
    version = traitlets.Int(0)

    _CONTROLS = ("input_name", "operation", "pool_size", "max_shift", "shift", "direction")

    def __init__(self, image=None, **values):
        unknown = sorted(set(values) - set(self._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(self._CONTROLS)}")
        super().__init__()
        self._custom = None if image is None else as_feature_map(image, "image")
        self._input_cache = {}
        self._batch = False
        # The line-detector output is a pooling input, not something to shift.
        self.input_options = [n for n in input_names(self._custom is not None) if n != LINE_DETECTOR_INPUT]
        if self._custom is not None:
            values.setdefault("input_name", CUSTOM_INPUT)
        self.configure(**values)

    @traitlets.validate("pool_size")
    def _validate_pool(self, proposal):
        return _positive(proposal)

    @traitlets.validate("max_shift")
    def _validate_max_shift(self, proposal):
        if not 0 <= proposal.value <= MAX_SHIFT:
            raise traitlets.TraitError(
                f"max_shift must be from 0 to {MAX_SHIFT} (shifts past the image's size only "
                f"give an empty image), got {proposal.value}")
        return proposal.value

    @traitlets.validate("shift")
    def _validate_shift(self, proposal):
        return min(max(int(proposal.value), 0), self.max_shift)

    @traitlets.validate("input_name")
    def _validate_input_name(self, proposal):
        if proposal.value not in self.input_options:
            raise traitlets.TraitError(f"input_name must be one of {self.input_options}, got {proposal.value!r}")
        return proposal.value

    def configure(self, **values):
        """Set several controls, recomputing once."""
        unknown = sorted(set(values) - set(self._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(self._CONTROLS)}")
        self._batch = True
        try:
            if "max_shift" in values:  # before shift, which it bounds
                self.max_shift = values.pop("max_shift")
            for name, value in values.items():
                setattr(self, name, value)
        finally:
            self._batch = False
        self._recompute()

    @traitlets.observe(*_CONTROLS)
    def _on_control(self, change):
        if not self._batch:
            self._recompute()

    @property
    def changed(self):
        """Bool mask of pooled cells changed by the current shift, or None."""
        return None if self.result is None else self.result.changed[self.shift]

    @property
    def shifted_image(self):
        """The input after the current shift, or None."""
        if self.image is None:
            return None
        rows, cols = _SHIFT_STEPS[self.direction]
        return _data.shift(self.image, rows=rows * self.shift, cols=cols * self.shift)

    def _recompute(self):
        self._batch = True
        try:
            if self.shift > self.max_shift:
                self.shift = self.max_shift
            other = "average" if self.operation == "max" else "max"
            try:
                image = load_input(self.input_name, custom=self._custom, _cache=self._input_cache)
                result = translation_invariance(image, self.operation, self.pool_size, self.max_shift, self.direction)
                other_result = translation_invariance(image, other, self.pool_size, self.max_shift, self.direction)
            except (ValueError, TypeError) as error:
                image, result, other_result, message = None, None, None, str(error)
            except Exception as error:  # a bug must not kill a student's widget
                image, result, other_result = None, None, None
                message = f"Unexpected error, please report it: {error!r}"
            else:
                message = ""
            self.image = image
            if result is None:
                self.fraction_text = ""
            else:
                changed = result.changed[self.shift]
                self.fraction_text = (
                    f"shift {self.shift} px {self.direction}, {self.operation} pooling {self.pool_size} x "
                    f"{self.pool_size}: {result.fraction_unchanged[self.shift]:.2f} of the pooled outputs unchanged "
                    f"({changed.size - int(changed.sum())} of {changed.size}); "
                    f"{other} pooling: {other_result.fraction_unchanged[self.shift]:.2f}. "
                    f"Size of the change, sum |after - before| / sum |before|: "
                    f"{self.operation} {result.relative_change[self.shift]:.3f}, "
                    f"{other} {other_result.relative_change[self.shift]:.3f}"
                )
            self.message = message
            self.other_result = other_result
            self.result = result
            self.version += 1
        finally:
            self._batch = False
