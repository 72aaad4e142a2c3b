"""State for the pooling explorers: pure functions and traitlets models.

Nothing here imports ipywidgets or draws anything. The models hold what a
student can change (pool size, strides, padding, operation, input, shift,
window step) as traits, and one derived trait, ``state``: an immutable
:class:`PoolingState` or :class:`TranslationState` with everything the
views show (the pooled map, the output-size formula, the arithmetic of the
current window), recomputed whenever a control changes. Their other outputs
(``pooled``, ``formula_text``, ``message``, ...) are read from that state,
never copied. They can be driven and tested in a plain Python process;
:mod:`poolviz.widgets` only links controls to them and draws the state.

The pure functions :func:`pooling_state` and :func:`translation_invariance`
do the work; the models call them, and notebooks can call them directly.
The window arithmetic (sizes, padding, real cells) comes from
:mod:`poolviz.pooling`.

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

import contextlib
import functools
import importlib.util
import traceback
from dataclasses import dataclass, field, replace
from typing import ClassVar

import numpy as np
import traitlets

import poolviz
import poolviz.going_further
from poolviz import data as _data
from poolviz._fingerprint import array_fingerprint
from poolviz._checks import (
    MAX_SHIFT,
    MAX_SHIFT_CELLS,
    MAX_WINDOW,
    _describe,
    as_feature_map,
    as_int,
    as_pair,
    check_padding,
)
from poolviz.going_further.antialias import relative_l1_change
from poolviz.walkthrough import format_number
from poolviz.pooling import (
    check_pool_fits,
    output_size_formula,
    padding_amounts,
    pool_arguments,
    pool_fit_message,
    pooled_shape,
    real_cell_counts,
)

__all__ = [
    "CUSTOM_INPUT",
    "LINE_DETECTOR_INPUT",
    "PoolingExplorerModel",
    "PoolingState",
    "TranslationExplorerModel",
    "TranslationInvariance",
    "TranslationState",
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
    real_cells : numpy.ndarray or None
        How many real (non-padding) cells each window holds
        (:func:`poolviz.pooling.real_cell_counts`), for every operation.
    divisors : numpy.ndarray or None
        For average pooling: `real_cells`, what each output cell was
        divided by; None for max pooling.
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
    real_cells: np.ndarray | None = None
    message: str = ""

    @property
    def ok(self):
        """True when there is an output to show."""
        return not self.message

    @property
    def divisors(self):
        """For average pooling, how many real cells each output cell was divided by; else None."""
        return self.real_cells if self.operation.endswith("average") else None

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
        _check_step_type(step)
        if not 0 <= step < self.n_windows:
            raise ValueError(f"step must be in [0, {self.n_windows - 1}] for {self.n_windows} windows, got {step}")
        window_operation = self.operation.split()[-1]
        window = poolviz.pooling_window(self.feature_map, divmod(int(step), self.output_shape[1]),
                                        pool_size=self.pool_size, strides=self.strides, padding=self.padding,
                                        operation=window_operation)
        return replace(self, step=int(step), window=window,
                       arithmetic_text=arithmetic_text(window, int(step), self.n_windows))


def _check_step_type(step):
    if isinstance(step, bool) or not isinstance(step, (int, np.integer)):
        raise TypeError(f"step must be an int, got {step!r}")


def divisor_map(input_shape, pool_size, strides, padding):
    """Number of real (non-padding) cells under each pooling window.

    Average pooling in Keras divides by this count, not by the pool area.
    The same as :func:`poolviz.pooling.real_cell_counts`.

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
    return real_cell_counts(input_shape, pool_size, strides, padding)


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
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    _check_step_type(step)
    if operation in _GLOBAL_OPERATIONS:
        state = _global_state(array, operation)
    else:
        message = pool_fit_message(array.shape, pool, stride, padding)
        if message:
            return PoolingState(array, operation, pool, stride, padding, message=message)
        state = _windowed_state(array, operation, pool, stride, padding)
    if clamp_step:
        step = min(max(int(step), 0), state.n_windows - 1)
    return state.at_step(step)


def _global_state(array, operation):
    """Global pooling: one window over the whole map, no padding."""
    rows, cols = array.shape
    reduce = poolviz.global_max_pool2d if operation == "global max" else poolviz.global_average_pool2d
    formula = (f"global pooling: one window over the whole {rows} x {cols} map\n"
               "output = 1 value per feature map (Keras shape (batch, channels))")
    return _state(array, operation, (rows, cols), (rows, cols), "valid", np.array([[float(reduce(array))]]),
                  formula)


def _windowed_state(array, operation, pool, stride, padding):
    """Max or average pooling with these windows (which fit the input)."""
    output_shape = pooled_shape(array.shape, pool, stride, padding)
    formula = "\n".join([
        f"output rows = {output_size_formula(array.shape[0], pool[0], stride[0], padding)}",
        f"output cols = {output_size_formula(array.shape[1], pool[1], stride[1], padding)}",
        f"output shape = {output_shape}",
    ])
    pool_function = poolviz.max_pool2d if operation == "max" else poolviz.average_pool2d
    pooled = np.asarray(pool_function(array, pool_size=pool, strides=stride, padding=padding), dtype=float)
    return _state(array, operation, pool, stride, padding, pooled, formula)


def _state(array, operation, pool, stride, padding, pooled, formula):
    """The state of a pooling with an output; no window chosen yet."""
    (rows, cols), output_shape = array.shape, tuple(pooled.shape)
    return PoolingState(
        feature_map=array, operation=operation, pool_size=pool, strides=stride, padding=padding,
        padding_amounts=(*padding_amounts(rows, pool[0], stride[0], padding),
                         *padding_amounts(cols, pool[1], stride[1], padding)),
        output_shape=output_shape, pooled=pooled, formula_text=formula,
        n_windows=output_shape[0] * output_shape[1],
        real_cells=real_cell_counts(array.shape, pool, stride, padding),
    )


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
        sum(|pooled[0]|)`` (:func:`poolviz.going_further.antialias.relative_l1_change`: 0
        when nothing changed, ``inf`` when an all-zero map became nonzero).
        Exact equality favours max pooling, whose outputs either stay put or
        jump; this measure also counts how far the changed outputs moved.
    """

    shifts: np.ndarray
    shift_steps: tuple
    operation: str
    pool_size: tuple
    pooled: list = field(repr=False)
    changed: np.ndarray = field(repr=False)
    fraction_unchanged: np.ndarray = field(default=None)
    relative_change: np.ndarray = field(default=None)


_SHIFT_STEPS = {"right": (0, 1), "down": (1, 0), "diagonal": (1, 1)}
#: Poolings the translation explorer compares ("max-blur": poolviz.going_further.max_blur_pool2d).
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
        ``"max-blur"`` is :func:`poolviz.going_further.max_blur_pool2d` with stride = pool size.
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
    check_pool_fits(array.shape, pool, noun="image")
    step_rows, step_cols = _SHIFT_STEPS[direction]
    if operation == "max-blur":  # Zhang (2019): max with stride 1, blur with the stride
        pool_function = functools.partial(poolviz.going_further.max_blur_pool2d, strides=pool)
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
        relative_change=np.array([relative_l1_change(pooled[0], p) for p in pooled]),
    )


@dataclass(frozen=True, eq=False)
class TranslationState:
    """What the translation explorer shows for one input, operation, pool
    size, largest shift and direction: the chosen pooling and the one it is
    compared with, at every shift.

    Attributes
    ----------
    image : numpy.ndarray
        The unshifted input.
    result : TranslationInvariance
        The chosen operation.
    other_result : TranslationInvariance
        The comparison: average pooling when the operation is max, else max.
    """

    image: np.ndarray
    result: TranslationInvariance
    other_result: TranslationInvariance
    #: Always empty: arguments that give no output raise instead.
    message: ClassVar[str] = ""

    @classmethod
    def compute(cls, image, operation="max", pool_size=2, max_shift=3, direction="right"):
        """Both poolings of `image` (arguments as in :func:`translation_invariance`)."""
        array = as_feature_map(image, "image")
        other = "average" if operation == "max" else "max"
        return cls(array, translation_invariance(array, operation, pool_size, max_shift, direction),
                   translation_invariance(array, other, pool_size, max_shift, direction))

    def shifted_image(self, shift):
        """The input moved by `shift` steps in the result's direction (zero fill)."""
        rows, cols = self.result.shift_steps
        return _data.shift(self.image, rows=rows * shift, cols=cols * shift)


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


class _Padding(_Choice):
    """``"valid"`` or ``"same"`` in any case, kept in lower case: the rule of
    the pooling functions (``_checks.check_padding``)."""

    def __init__(self, **kwargs):
        super().__init__(("valid", "same"), **kwargs)

    def validate(self, obj, value):
        try:
            return check_padding(value)
        except ValueError:
            self.error(obj, value)


def _positive(proposal):
    """A pool size or stride: from 1 to 2**31 - 1 (TensorFlow's int32 limit)."""
    if proposal.value < 1:
        raise traitlets.TraitError(f"{proposal.trait.name} must be at least 1, got {proposal.value}")
    if proposal.value > MAX_WINDOW:
        raise traitlets.TraitError(
            f"{proposal.trait.name} must be at most {MAX_WINDOW} (2**31 - 1, TensorFlow's "
            f"int32 limit), got {proposal.value}")
    return proposal.value


def _from_state(name, empty, doc):
    """A read-only property: the state's `name`, or `empty` when there is no state."""
    return property(lambda self: empty if self.state is None else getattr(self.state, name), doc=doc)


class _ExplorerModel(traitlets.HasTraits):
    """What both explorer models share: the controls in `_CONTROLS`, a list
    of inputs (with the caller's array), changes of several controls at once
    recomputed once, and ONE derived trait, `state`, from which everything
    shown is read.  `_failure` says why there is no state (None) when
    computing it raised."""

    _CONTROLS = ()
    input_options = traitlets.List(traitlets.Unicode())
    #: Goes up by one after every recompute: views redraw on it, once per change.
    version = traitlets.Int(0)

    def __init__(self, custom, values, hidden_inputs=()):
        self._check_controls(values)
        super().__init__()
        self._custom = custom
        self._input_cache = {}
        self._batch = False
        self._failure = ""
        self.input_options = [n for n in input_names(custom is not None) if n not in hidden_inputs]
        if custom is not None:
            values.setdefault("input_name", CUSTOM_INPUT)
        self.configure(**values)

    def __setattr__(self, name, value):
        if name in self._CONTROLS:
            # traitlets words a refusal with repr(value), which Python itself
            # refuses for an int of more than 4300 digits (ValueError).
            try:
                repr(value)
            except ValueError:
                raise traitlets.TraitError(
                    f"{name} cannot be {_describe(value)}: no control takes such a value"
                ) from None
        super().__setattr__(name, value)

    @classmethod
    def _check_controls(cls, values):
        unknown = sorted(set(values) - set(cls._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(cls._CONTROLS)}")

    @traitlets.validate("input_name")
    def _validate_input_name(self, proposal):
        if proposal.value not in self.input_options:
            raise traitlets.TraitError(f"input_name must be one of {self.input_options}, got {proposal.value!r}")
        return proposal.value

    @contextlib.contextmanager
    def _quietly(self):
        """Set traits without recomputing after each one."""
        self._batch = True
        try:
            yield
        finally:
            self._batch = False

    def _set_controls(self, values):
        with self._quietly():
            for name, value in values.items():
                setattr(self, name, value)

    @property
    def message(self):
        """Empty, or why the current controls give no output."""
        return self._failure if self.state is None else self.state.message

    def _compute(self, function, *args, **kwargs):
        """``(function(...), "")``, or ``(None, why)`` when it raises: a
        student's widget shows the reason and keeps working."""
        try:
            return function(*args, **kwargs), ""
        except (ValueError, TypeError) as error:
            return None, str(error)
        except Exception as error:  # a bug must not kill a student's widget
            return None, self._unexpected(error)

    @staticmethod
    def _unexpected(error):
        return f"Unexpected error, please report it: {error!r}"


class PoolingExplorerModel(_ExplorerModel):
    """State of the pooling explorer, usable without any widget.

    Set the control traits (one by one, or several at once with
    :meth:`configure`); `state` (a :class:`PoolingState`) follows at once,
    and the other outputs are read from it. A value outside a control's
    range (a pool size or stride below 1 or above 2**31 - 1, a value of the
    wrong type) raises ``traitlets.TraitError`` naming the control;
    ``padding`` takes any case, like the pooling functions; any combination
    of values in range sets `message` instead of raising when it gives no
    output (or a window of more than 2**20 cells).

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
    padding = _Padding(default_value="valid")
    operation = _Choice(poolviz.OPERATIONS, default_value="max")
    shift_rows = traitlets.Int(0)
    shift_cols = traitlets.Int(0)
    step = traitlets.Int(0)

    # Outputs (set by the model) -------------------------------------------
    state = traitlets.Instance(PoolingState, allow_none=True)
    #: The last window step (the step slider's range).
    step_max = traitlets.Int(0)
    keras_text = traitlets.Unicode("")

    _CONTROLS = (
        "input_name", "pool_rows", "pool_cols", "strides_same_as_pool", "stride_rows", "stride_cols",
        "padding", "operation", "shift_rows", "shift_cols", "step",
    )

    def __init__(self, feature_map=None, **values):
        self._keras_cache = {}
        super().__init__(None if feature_map is None else as_feature_map(feature_map), values)

    @traitlets.validate("pool_rows", "pool_cols", "stride_rows", "stride_cols")
    def _validate_positive(self, proposal):
        return _positive(proposal)

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
        self._check_controls(values)
        step = values.pop("step", None)
        self._set_controls(values)
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
            self.version += 1
        else:
            self._recompute(step=change["new"])

    # -- read from the state ------------------------------------------------
    feature_map = _from_state("feature_map", None, "The 2-D input currently pooled (after the shift).")
    pooled = _from_state("pooled", None, "The pooled 2-D map, or None when the controls give no output.")
    output_shape = _from_state("output_shape", None, "Shape of the pooled map, or None.")
    window = _from_state("window", None, "The current :class:`poolviz.PoolingWindow`, or None.")
    formula_text = _from_state("formula_text", "", "The output-size formula with the numbers filled in, or ''.")
    arithmetic_text = _from_state("arithmetic_text", "", "Where the current window is, and its arithmetic, or ''.")

    @property
    def coverage(self):
        """How many windows cover each input cell (:func:`poolviz.going_further.window_coverage`
        for the current settings), or None when they give no output."""
        state = self.state
        if state is None or not state.ok:
            return None
        return poolviz.going_further.window_coverage(state.feature_map.shape, state.pool_size, state.strides,
                                       state.padding)

    def _parameters(self):
        strides = None if self.strides_same_as_pool else (self.stride_rows, self.stride_cols)
        return dict(pool_size=(self.pool_rows, self.pool_cols), strides=strides,
                    padding=self.padding, operation=self.operation)

    def _pooling_state(self, step):
        feature_map = load_input(self.input_name, self.shift_rows, self.shift_cols, custom=self._custom,
                                 _cache=self._input_cache)
        return pooling_state(feature_map, step=step, clamp_step=True, **self._parameters())

    @staticmethod
    def _unexpected(error):
        return f"Unexpected error, please report it: {error!r}\n{traceback.format_exc(limit=3)}"

    def _recompute(self, step):
        with self._quietly():
            if self.strides_same_as_pool:
                # The stride traits (and the disabled sliders linked to them)
                # show the stride actually used, never a stale one.
                self.stride_rows, self.stride_cols = self.pool_rows, self.pool_cols
            state, self._failure = self._compute(self._pooling_state, step)
            self._set_step_range(state)
            self.keras_text = self._keras_text(state)
            self.state = state
            self.version += 1

    def _set_step_range(self, state):
        ok = state is not None and state.ok
        step, new_max = (state.step, state.n_windows - 1) if ok else (0, 0)
        # Order matters for linked sliders: shrink the value before the range.
        if new_max < self.step_max:
            self.step = min(step, new_max)
            self.step_max = new_max
        else:
            self.step_max = new_max
            self.step = step

    # -- Keras -------------------------------------------------------------
    def _keras_key(self, state):
        return (array_fingerprint(state.feature_map), state.operation, state.pool_size, state.strides,
                state.padding)

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


class TranslationExplorerModel(_ExplorerModel):
    """State of the translation-invariance explorer.

    ``max_shift`` ranges from 0 to 256 and ``pool_size`` from 1 to
    2**31 - 1 (``traitlets.TraitError`` outside); a pool larger than the
    image, or more than 2**24 kept cells, sets `message`.  `state` (a
    :class:`TranslationState`) holds the poolings at every shift; moving
    ``shift`` only picks another one of them.

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

    state = traitlets.Instance(TranslationState, allow_none=True)

    _CONTROLS = ("input_name", "operation", "pool_size", "max_shift", "shift", "direction")

    def __init__(self, image=None, **values):
        # The line-detector output is a pooling input, not something to shift.
        super().__init__(None if image is None else as_feature_map(image, "image"), values,
                         hidden_inputs=(LINE_DETECTOR_INPUT,))

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

    def configure(self, **values):
        """Set several controls, recomputing once."""
        self._check_controls(values)
        if "max_shift" in values:  # before shift, which it bounds
            values = {"max_shift": values.pop("max_shift"), **values}
        self._set_controls(values)
        self._recompute()

    @traitlets.observe(*[name for name in _CONTROLS if name != "shift"])
    def _on_control(self, change):
        if not self._batch:
            self._recompute()

    @traitlets.observe("shift")
    def _on_shift(self, change):
        # Every shift up to max_shift is in the state already.
        if not self._batch:
            self.version += 1

    # -- read from the state ------------------------------------------------
    image = _from_state("image", None, "The unshifted input, or None.")
    result = _from_state("result", None, "The chosen pooling's :class:`TranslationInvariance`, or None.")
    other_result = _from_state("other_result", None, "The pooling it is compared with, or None.")

    @property
    def changed(self):
        """Bool mask of pooled cells changed by the current shift, or None."""
        return None if self.state is None else self.state.result.changed[self.shift]

    @property
    def shifted_image(self):
        """The input after the current shift, or None."""
        return None if self.state is None else self.state.shifted_image(self.shift)

    @property
    def fraction_text(self):
        """The share of pooled cells the current shift leaves unchanged, and
        the size of the change, for both poolings; or ''."""
        if self.state is None:
            return ""
        result, other, shift = self.state.result, self.state.other_result, self.shift
        changed = result.changed[shift]
        return (
            f"shift {shift} px {self.direction}, {self.operation} pooling {self.pool_size} x "
            f"{self.pool_size}: {result.fraction_unchanged[shift]:.2f} of the pooled outputs unchanged "
            f"({changed.size - int(changed.sum())} of {changed.size}); "
            f"{other.operation} pooling: {other.fraction_unchanged[shift]:.2f}. "
            f"Size of the change, sum |after - before| / sum |before|: "
            f"{self.operation} {result.relative_change[shift]:.3f}, "
            f"{other.operation} {other.relative_change[shift]:.3f}"
        )

    def _translation_state(self):
        image = load_input(self.input_name, custom=self._custom, _cache=self._input_cache)
        return TranslationState.compute(image, self.operation, self.pool_size, self.max_shift, self.direction)

    def _recompute(self):
        with self._quietly():
            if self.shift > self.max_shift:
                self.shift = self.max_shift
            state, self._failure = self._compute(self._translation_state)
            self.state = state
            self.version += 1
