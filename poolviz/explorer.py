"""State for the pooling explorers: traitlets models, no widgets, no drawing.

A model's control traits are its one source of truth: every change computes
one immutable state (:class:`PoolingState`, :class:`TranslationState`),
published as ``model.state``; every other output is read from it, and the
arguments are checked once, by the function that computes it.
:mod:`poolviz.widgets` links controls to a model and draws its state.
"""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import numbers
import re
from dataclasses import dataclass, field, replace

import numpy as np
import traitlets

import poolviz
from poolviz import _checks
from poolviz import data as _data
from poolviz._checks import MAX_IMAGE_CELLS, MAX_SHIFT, MAX_SHIFT_CELLS, MAX_WINDOW, _describe, as_feature_map, as_int
from poolviz.going_further import max_blur_pool2d, window_coverage
from poolviz.going_further.antialias import relative_l1_change
from poolviz.pooling import output_size_formula, padding_amounts, pool_arguments, pool_fit_message, real_cell_counts
from poolviz.walkthrough import (
    RECEPTIVE_FIELD_STACKS,
    ReceptiveFieldState,
    format_number,
    in_words,
    pooling_window,
    receptive_field,
)

__all__ = ["PoolingExplorerModel", "PoolingState", "ReceptiveFieldExplorerModel", "TranslationExplorerModel",
           "TranslationState", "pooling_state"]

LINE_DETECTOR_INPUT = "line detector output (tutorial)"  # the 8 x 8 line through the detector and ReLU
CUSTOM_INPUT = "your array"  # an array the caller passed
ARITHMETIC_MAX_CELLS = 64  # larger windows are summarised in one line
TRANSLATION_OPERATIONS = ("max", "average", "max-blur")
_SHIFT_STEPS = {"right": (0, 1), "down": (1, 0), "diagonal": (1, 1)}
_GLOBAL = ("global max", "global average")
_INT32 = " (2**31 - 1, TensorFlow's int32 limit)"


def _input(name, custom, shift):
    """The input called `name`, shifted; the line image moves *before* the detector, as in a photo."""
    base = custom if name == CUSTOM_INPUT else (_data.INPUTS.get(name) or _data.vertical_line)()
    moved = _data.shift(base, rows=shift[0], cols=shift[1]) if any(shift) else base
    return poolviz.relu(poolviz.conv2d(moved, _data.VERTICAL_LINE_DETECTOR)) if name == LINE_DETECTOR_INPUT else moved


@dataclass(frozen=True, eq=False)
class PoolingState:
    """Everything the pooling explorer shows for one set of controls.

    `pool_size` and `strides` are the ones used (global pooling: the whole map, ``"valid"``); `padding_amounts` is
    (top, bottom, left, right); `step` is the current window of `n_windows` (row by row, like the hand calculation)
    and `arithmetic_text` its arithmetic; `real_cells` counts the real cells of each window. When the controls give
    no output, `message` says why and the fields that need an output are None.
    """

    feature_map: np.ndarray
    operation: str
    pool_size: tuple
    strides: tuple
    padding: str
    padding_amounts: tuple = (0, 0, 0, 0)
    output_shape: tuple | None = None
    pooled: np.ndarray | None = field(default=None, repr=False)
    formula_text: str = ""
    step: int = 0
    n_windows: int = 0
    window: object = None
    arithmetic_text: str = ""
    real_cells: np.ndarray | None = field(default=None, repr=False)
    message: str = ""

    ok = property(lambda self: not self.message, doc="True when there is an output to show.")
    divisors = property(lambda self: self.real_cells if self.operation.endswith("average") else None,
                        doc="For average pooling, what each output cell was divided by (`real_cells`); else None.")

    @property
    def description(self):
        """The picture in words: the pooling, its output in numbers (summarised when large),
        then the window and its arithmetic, from :attr:`arithmetic_text`; or the message."""
        if not self.ok:
            return self.message
        (rows, cols), (pool, stride), window = self.feature_map.shape, (self.pool_size, self.strides), self.window
        divisors = self.divisors if any(self.padding_amounts) else None
        divided = "" if divisors is None else f"; divided by {in_words(divisors)}"
        arithmetic = " ".join(re.sub(r"(?<!,)\n", "; ", self.arithmetic_text.split("\n", 1)[1]).split())
        return (f"{self.operation} pooling {pool[0]} x {pool[1]}, strides {stride[0]} x {stride[1]}, {self.padding}, "
                f"of the {rows} x {cols} input ({in_words(self.feature_map, 16)}) gives {in_words(self.pooled)}"
                f"{divided}; window {self.step + 1} of {self.n_windows} reads rows {window.rows.start} to "
                f"{window.rows.stop - 1}, columns {window.cols.start} to {window.cols.stop - 1}: {arithmetic}")

    def _at_step(self, step):
        """The same pooling with window `step` selected: reads one window, nothing else."""
        window = pooling_window(self.feature_map, divmod(step, self.output_shape[1]), self.pool_size,
                                self.strides, self.padding, self.operation.split()[-1])
        return replace(self, step=step, window=window, arithmetic_text=_arithmetic_text(window, step, self.n_windows))


def _arithmetic_text(window, step, n_windows):
    """Where the window is, then its arithmetic (one line for a window of many cells)."""
    rows, cols = window.rows, window.cols
    cells = len(rows) * len(cols)
    lines = [(f"step {step + 1} of {n_windows}: output cell {window.output_index} "
              f"<- input rows {rows.start}..{rows.stop - 1}, cols {cols.start}..{cols.stop - 1}")]
    size, result = f"{len(rows)} x {len(cols)} window", format_number(window.result)
    if cells <= ARITHMETIC_MAX_CELLS:
        lines.append(window.arithmetic())
    elif window.operation == "max":
        lines.append(f"max of the {size} ({window.count} values) = {result}")
    else:
        lines.append(f"average of the {size} = {format_number(float(np.sum(window.real_values)))} / "
                     f"{window.count} = {result}")
    padded, are = cells - window.count, "s are" if cells - window.count > 1 else " is"
    if padded and window.operation == "average":
        lines.append(f"divisor {window.count}, not {cells}: the {padded} padded cell{are} not counted "
                     "(Keras, TensorFlow backend)")
    elif padded:
        lines.append(f"the {padded} padded cell{are} ignored, not read as 0")
    return "\n".join(lines)


def pooling_state(feature_map: np.typing.ArrayLike, pool_size: int | tuple[int, int] = (2, 2),
                  strides: int | tuple[int, int] | None = None, padding: str = "valid", operation: str = "max",
                  step: int = 0) -> PoolingState:
    """Everything the pooling explorer shows for these arguments (those of
    :func:`poolviz.max_pool2d`, plus the global operations), at window `step`.

    Controls that merely give no output (a ``"valid"`` pool bigger than the
    map) give a state whose `message` says why; other bad arguments raise.

    >>> state = pooling_state(np.arange(16.0).reshape(4, 4), operation="average", step=3)
    >>> state.pooled.tolist(), state.window.output_index
    ([[2.5, 4.5], [10.5, 12.5]], (1, 1))
    >>> print(state.formula_text)
    output rows = floor((4 - 2) / 2) + 1 = 2
    output cols = floor((4 - 2) / 2) + 1 = 2
    output shape = (2, 2)
    """
    state = _pooling(feature_map, pool_size, strides, padding, operation)
    step = as_int(step, "step", 0)
    if not state.ok:
        return state
    if step >= state.n_windows:
        raise ValueError(f"step must be from 0 to {state.n_windows - 1} for {state.n_windows} windows, "
                         f"got {_describe(step)}")
    return state._at_step(step)


def _pooling(feature_map, pool_size, strides, padding, operation):
    """A :class:`PoolingState` without a window chosen (the part a step does not change)."""
    array = as_feature_map(feature_map, max_cells=MAX_IMAGE_CELLS, why=" (2**24, e.g. 4096 x 4096)")
    if not isinstance(operation, str) or operation not in poolviz.OPERATIONS:
        raise ValueError(f"operation must be one of {poolviz.OPERATIONS}, got {_describe(operation)}")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)
    (rows, cols) = array.shape
    if operation in _GLOBAL:
        pool, stride, padding = (rows, cols), (rows, cols), "valid"
        reduce = poolviz.global_max_pool2d if operation == "global max" else poolviz.global_average_pool2d
        pooled = np.array([[float(reduce(array))]])
        formula = (f"global pooling: one window over the whole {rows} x {cols} map\n"
                   "output = 1 value per feature map (Keras shape (batch, channels))")
    else:
        if message := pool_fit_message(array.shape, pool, stride, padding):
            return PoolingState(array, operation, pool, stride, padding, message=message)
        pool_function = poolviz.max_pool2d if operation == "max" else poolviz.average_pool2d
        pooled = np.asarray(pool_function(array, pool, stride, padding), dtype=float)
        formula = "\n".join([f"output rows = {output_size_formula(rows, pool[0], stride[0], padding)}",
                             f"output cols = {output_size_formula(cols, pool[1], stride[1], padding)}",
                             f"output shape = {pooled.shape}"])
    amounts = (*padding_amounts(rows, pool[0], stride[0], padding), *padding_amounts(cols, pool[1], stride[1], padding))
    return PoolingState(array, operation, pool, stride, padding, padding_amounts=amounts, output_shape=pooled.shape,
                        pooled=pooled, formula_text=formula, n_windows=pooled.size,
                        real_cells=real_cell_counts(array.shape, pool, stride, padding))


@dataclass(frozen=True, eq=False)
class TranslationInvariance:
    """How the pooled outputs react to shifting the input by 0, 1, ..., max_shift pixels (``shift_steps`` (rows,
    cols) per pixel): ``pooled[k]`` at shift k, ``changed[k]`` its cells unlike ``pooled[0]``; per shift,
    ``fraction_unchanged`` and ``relative_change`` = sum |pooled[k] - pooled[0]| / sum |pooled[0]| (equality
    favours max pooling, whose outputs stay put or jump; this also counts how far they moved)."""

    shifts: np.ndarray
    shift_steps: tuple
    operation: str
    pool_size: tuple
    pooled: list = field(repr=False)
    changed: np.ndarray = field(repr=False)
    fraction_unchanged: np.ndarray = None
    relative_change: np.ndarray = None


def translation_invariance(image, operation: str = "max", pool_size=2, max_shift: int = 3,
                           direction: str = "right") -> TranslationInvariance:
    """Shift `image` by 0..max_shift pixels (zero fill) and see which pooled cells change.

    Pooling uses stride = pool size and ``"valid"`` padding, the tutorial's setting;
    ``"max-blur"`` is :func:`poolviz.going_further.max_blur_pool2d`.

    >>> image = np.zeros((4, 4)); image[:2, 0] = 1
    >>> translation_invariance(image, "max", 2, max_shift=2).fraction_unchanged
    array([1. , 1. , 0.5])
    """
    if not isinstance(operation, str) or operation not in TRANSLATION_OPERATIONS:
        raise ValueError(f"operation must be one of {TRANSLATION_OPERATIONS}, got {_describe(operation)}")
    pool = pool_arguments(pool_size)[0]
    max_shift = as_int(max_shift, "max_shift", 0, MAX_SHIFT,
                       " (shifts past the image's size only give an empty image)")
    if not isinstance(direction, str) or direction not in _SHIFT_STEPS:
        raise ValueError(f"direction must be one of {tuple(_SHIFT_STEPS)}, got {_describe(direction)}")
    array = as_feature_map(image, "image", max_cells=MAX_SHIFT_CELLS // (max_shift + 1),
                           why=f" for max_shift={max_shift}: (max_shift + 1) * rows * cols may be at most "
                               f"{MAX_SHIFT_CELLS} (2**24); use a smaller max_shift or a smaller image")
    if message := pool_fit_message(array.shape, pool, noun="image"):
        raise ValueError(message)
    steps = _SHIFT_STEPS[direction]
    pool_function = {"max": poolviz.max_pool2d, "average": poolviz.average_pool2d,  # max-blur: Zhang (2019)
                     "max-blur": functools.partial(max_blur_pool2d, strides=pool)}[operation]
    pooled = [np.asarray(pool_function(_data.shift(array, k * steps[0], k * steps[1]), pool), dtype=float)
              for k in range(max_shift + 1)]
    changed = np.array([~np.isclose(p, pooled[0], rtol=0.0, atol=1e-9, equal_nan=True) for p in pooled])
    return TranslationInvariance(np.arange(max_shift + 1), steps, operation, pool, pooled, changed,
                                 fraction_unchanged=1.0 - changed.reshape(len(pooled), -1).mean(axis=1),
                                 relative_change=np.array([relative_l1_change(pooled[0], p) for p in pooled]))


@dataclass(frozen=True, eq=False)
class TranslationState:
    """What the translation explorer shows: the chosen pooling (`result`) and the one it is
    compared with (`other_result`: average for max, else max) at every shift; `shift` is selected."""

    image: np.ndarray
    result: TranslationInvariance
    other_result: TranslationInvariance
    shift: int = 0
    message, ok = "", True  # arguments that give no output raise instead

    @classmethod
    def compute(cls, image, operation="max", pool_size=2, max_shift=3, direction="right", shift=0):
        """Both poolings of `image`; arguments as in :func:`translation_invariance`."""
        result = translation_invariance(image, operation, pool_size, max_shift, direction)
        other = translation_invariance(image, "average" if operation == "max" else "max", pool_size,
                                       max_shift, direction)
        shift = as_int(shift, "shift", 0, int(result.shifts[-1]), " (max_shift)")
        return cls(as_feature_map(image, "image"), result, other, shift)

    def shifted_image(self, shift=None):
        """The input moved by `shift` (default: the selected one) in the result's direction."""
        shift = self.shift if shift is None else shift
        rows, cols = self.result.shift_steps
        return _data.shift(self.image, rows=rows * shift, cols=cols * shift)


def _checked_control(model, proposal):
    """A control's value within `_RANGES` or `_CHOICES` (None: the inputs), or a TraitError naming it."""
    name, value = proposal.trait.name, proposal.value
    if name in model._CHOICES:
        choices = model._CHOICES[name] or model.input_options
        if name == "padding" and isinstance(value, str):
            value = value.lower()  # any case, like the pooling functions
        if not isinstance(value, str) or value not in choices:
            raise traitlets.TraitError(f"{name} must be one of {list(choices)}, got {_describe(value)}")
        return value
    low, high, why = model._ranges().get(name, (value, value, ""))  # a bool has no range
    if not low <= value <= high:
        bound = f"at least {low}" if value < low else f"at most {high}{why}"
        raise traitlets.TraitError(f"{name} must be {bound}, got {_describe(value)}")
    return value


def _from_state(name, empty, doc):
    return property(lambda self: empty if self.state is None else getattr(self.state, name), doc=doc)


class _ExplorerModel(traitlets.HasTraits):
    """Controls in `_CONTROLS`; a change of any computes one `state`. The `_FOLLOWER` (step,
    shift) follows a shrinking range; moving it alone selects from the state, computing nothing."""

    _CONTROLS = ()
    _FOLLOWER = ""
    input_options = traitlets.List(traitlets.Unicode(), read_only=True)

    def __init__(self, custom, values, hidden=(), operations=None):
        super().__init__()
        self._custom, self._last_input, self._holding, self._failure = custom, (None, None), False, ""
        if operations is not None:  # only what the lesson has taught: the menu, and what the model accepts
            offered = _checks.as_choices(operations, "operations", self.operations)
            self._CHOICES = {**self._CHOICES, "operation": offered}
            if self.operation not in offered:  # the default is not offered: start with the first
                values.setdefault("operation", offered[0])
        self.set_trait("input_options", [name for name in (LINE_DETECTOR_INPUT, *_data.INPUTS)
                                         if name not in hidden] + ([CUSTOM_INPUT] if custom is not None else []))
        if custom is not None:
            values.setdefault("input_name", CUSTOM_INPUT)
        self.configure(**values)

    operations = property(lambda self: self._CHOICES.get("operation"), doc="The operations the model offers.")

    def __setattr__(self, name, value):
        if name in self._CONTROLS:
            try:  # traitlets words a refusal with repr(), which Python refuses for an int of 4300+ digits
                repr(value)
            except ValueError:
                raise traitlets.TraitError(f"{name} cannot be {_describe(value)}: no control takes it") from None
            integral = isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            if isinstance(getattr(type(self), name), traitlets.Int) and not integral:
                # traitlets would take 2.0 as 2; a size is an int (never a float), as everywhere in poolviz
                raise traitlets.TraitError(f"{name} must be an int, got {_describe(value)}")
        super().__setattr__(name, value)

    def _ranges(self):
        last = MAX_WINDOW if self._holding else self._last(self.state)
        return {**self._RANGES, self._FOLLOWER: (0, last, " for these settings")}

    @contextlib.contextmanager
    def _hold(self):  # set controls without computing a state after each one
        holding, self._holding = self._holding, True
        try:
            yield
        finally:
            self._holding = holding

    def configure(self, **values):
        """Set several controls and compute one state."""
        unknown = sorted(set(values) - set(self._CONTROLS))
        if unknown:
            raise TypeError(f"unknown control(s) {unknown}; choose from {list(self._CONTROLS)}")
        try:
            with self._hold():
                for name, value in values.items():
                    setattr(self, name, value)
        finally:
            self._update()
        follower = self._FOLLOWER  # checked against the new state: never clamped silently
        if follower in values and getattr(self, follower) != values[follower]:
            raise traitlets.TraitError(f"{follower} must be at most {getattr(self, follower)} for these "
                                       f"settings, got {values[follower]}")

    @traitlets.observe(traitlets.All)
    def _on_change(self, change):
        name = change["name"]
        if name not in self._CONTROLS or self._holding:
            return
        if name == self._FOLLOWER and self.state is not None and self.state.ok:
            self.set_trait("state", self._select(change["new"]))
        else:
            self._update()

    def _update(self):
        state, self._failure = None, ""
        with self._hold():
            try:
                state = self._compute()
            except (ValueError, TypeError) as error:
                self._failure = str(error)
            last = self._last(state)
            if getattr(self, self._FOLLOWER) > last:  # the control shows the value in use
                setattr(self, self._FOLLOWER, last)
        if state is None is self.state:  # another failure: still a change, with its own message
            self.notify_change(traitlets.Bunch(name="state", old=None, new=None, owner=self, type="change"))
        self.set_trait("state", state)

    message = property(lambda self: self._failure if self.state is None else self.state.message,
                       doc="Empty, or why the current controls give no output.")

    def _input_map(self, shift=(0, 0)):
        """The input called `input_name`, shifted; the last one is kept (most changes keep it)."""
        key = (self.input_name, *shift)
        if self._last_input[0] != key:
            self._last_input = (key, _input(self.input_name, self._custom, shift))
        return self._last_input[1]


class PoolingExplorerModel(_ExplorerModel):
    """The pooling explorer without widgets: controls in, one :class:`PoolingState` out.

    `feature_map` (optional, 2-D) is listed as ``"your array"`` and selected; `operations` (from poolviz.OPERATIONS,
    default all) are the ones offered; `controls` are starting values of the traits below. A value out of range or not
    offered raises ``traitlets.TraitError`` naming it; controls that merely give no output set `message`. When the
    walk gets shorter, `step` moves to its last window. Keras runs only on request (:meth:`check_with_keras`).

    >>> model = PoolingExplorerModel(operation="average")
    >>> model.step = 1
    >>> print(model.arithmetic_text)  # doctest: +ELLIPSIS
    step 2 of 9: output cell (0, 1) <- input rows 0..1, cols 2..3
    average(...
    """

    input_name = traitlets.Unicode(LINE_DETECTOR_INPUT)
    padding, operation = traitlets.Unicode("valid"), traitlets.Unicode("max")
    pool_rows, pool_cols, stride_rows, stride_cols = (traitlets.Int(2) for _ in range(4))
    #: True: the strides used are the pool size (stride_rows/stride_cols wait for False).
    strides_same_as_pool = traitlets.Bool(True)
    shift_rows, shift_cols, step = (traitlets.Int(0) for _ in range(3))
    state = traitlets.Instance(PoolingState, allow_none=True, read_only=True)

    _CONTROLS = ("input_name", "pool_rows", "pool_cols", "strides_same_as_pool", "stride_rows", "stride_cols",
                 "padding", "operation", "shift_rows", "shift_cols", "step")
    _FOLLOWER = "step"
    _CHOICES = {"padding": ("valid", "same"), "operation": poolviz.OPERATIONS, "input_name": None}
    _RANGES = {**dict.fromkeys(_CONTROLS[1:3] + _CONTROLS[4:6], (1, MAX_WINDOW, _INT32)),
               **dict.fromkeys(_CONTROLS[8:10], (-MAX_SHIFT, MAX_SHIFT, ""))}
    _validate = traitlets.validate(*_CONTROLS)(_checked_control)

    def __init__(self, feature_map: np.typing.ArrayLike | None = None, *, operations: tuple = poolviz.OPERATIONS,
                 **controls) -> None:
        self._keras_results = {}
        super().__init__(None if feature_map is None else as_feature_map(
            feature_map, max_cells=MAX_IMAGE_CELLS, why=" (2**24, e.g. 4096 x 4096)"), controls, operations=operations)

    def _last(self, state):  # the step's range
        return state.n_windows - 1 if state is not None and state.ok else MAX_WINDOW

    _select = lambda self, step: self.state._at_step(step)  # noqa: E731 - only the window moved

    def _compute(self):
        feature_map = self._input_map((self.shift_rows, self.shift_cols))
        strides = None if self.strides_same_as_pool else (self.stride_rows, self.stride_cols)
        state = _pooling(feature_map, (self.pool_rows, self.pool_cols), strides, self.padding, self.operation)
        return state._at_step(min(self.step, state.n_windows - 1)) if state.ok else state

    pooled = _from_state("pooled", None, "The pooled map, or None.")
    output_shape = _from_state("output_shape", None, "Shape of the pooled map, or None.")
    window = _from_state("window", None, "The current :class:`poolviz.PoolingWindow`, or None.")
    formula_text = _from_state("formula_text", "", "The output-size formula with the numbers, or ''.")
    arithmetic_text = _from_state("arithmetic_text", "", "Where the window is and its arithmetic, or ''.")

    @property
    def coverage(self):
        """Windows covering each input cell (:func:`poolviz.going_further.window_coverage`), or None."""
        state = self.state
        return None if self.message else window_coverage(state.feature_map.shape, state.pool_size,
                                                         state.strides, state.padding)

    @staticmethod
    def tensorflow_available():
        """True when TensorFlow can be imported (checked without importing it)."""
        return importlib.util.find_spec("tensorflow") is not None

    def _keras_key(self):
        state = self.state
        return None if state is None or not state.ok else (
            self.input_name, self.shift_rows, self.shift_cols, state.operation, state.pool_size, state.strides,
            state.padding)

    @property
    def keras_text(self):
        """The Keras check's verdict for the current settings, or why there is none."""
        key = self._keras_key()
        if key is None or key in self._keras_results:
            return self._keras_results.get(key, "")
        if not self.tensorflow_available():
            return "TensorFlow is not installed, so the Keras check is off (pip install tensorflow)."
        return "Keras check: not run for these settings yet (press 'Check with Keras')."

    def check_with_keras(self):
        """Compare the output with the Keras layer; return the verdict (kept per setting; never raises).
        Slow the first time (TensorFlow loads): call it on request, never from a slider callback."""
        key = self._keras_key()
        if key is None:
            return "Nothing to check: these settings give no output."
        if key not in self._keras_results:
            self._keras_results[key] = _keras_verdict(self.state)
        return self._keras_results[key]


def _keras_verdict(state):
    try:
        from poolviz.keras_bridge import compare

        arguments = {} if state.operation in _GLOBAL else dict(pool_size=state.pool_size, strides=state.strides,
                                                                padding=state.padding)
        comparison = compare(state.feature_map, state.operation, **arguments)
    except ImportError as error:
        return f"Keras check unavailable: {error}"
    except (ValueError, TypeError) as error:  # a TensorFlow limit the bridge checks first
        return f"Keras check not run: {error}"
    except Exception as error:  # noqa: BLE001 - shown to the student, not raised
        return f"Keras check failed: {type(error).__name__}: {error}"
    verdict = "agrees with" if comparison.agree else "DISAGREES with"
    return f"Keras {verdict} poolviz for these settings: max |poolviz - Keras| = {comparison.max_abs_difference:.3g}"


class TranslationExplorerModel(_ExplorerModel):
    """The translation-invariance explorer without widgets: one :class:`TranslationState`.

    `image` (optional, 2-D) is listed as ``"your array"``; `operations` (from TRANSLATION_OPERATIONS, default all) are
    the ones offered; `controls` are starting values of the traits below. The state holds the poolings at every shift
    up to ``max_shift``, so moving ``shift`` only selects one; when ``max_shift`` drops below ``shift``, it follows.

    >>> float(TranslationExplorerModel(shift=1).result.fraction_unchanged[1])
    0.75
    """

    input_name, operation = traitlets.Unicode("vertical line"), traitlets.Unicode("max")
    direction = traitlets.Unicode("right")
    pool_size, max_shift, shift = traitlets.Int(2), traitlets.Int(3), traitlets.Int(1)
    state = traitlets.Instance(TranslationState, allow_none=True, read_only=True)

    _CONTROLS = ("input_name", "operation", "pool_size", "max_shift", "shift", "direction")
    _FOLLOWER = "shift"
    _CHOICES = {"operation": TRANSLATION_OPERATIONS, "direction": tuple(_SHIFT_STEPS), "input_name": None}
    _RANGES = {"pool_size": (1, MAX_WINDOW, _INT32),
               "max_shift": (0, MAX_SHIFT, " (shifts past the image's size only give an empty image)")}
    _validate = traitlets.validate(*_CONTROLS)(_checked_control)

    def __init__(self, image: np.typing.ArrayLike | None = None, *, operations: tuple = TRANSLATION_OPERATIONS,
                 **controls) -> None:
        custom = None if image is None else as_feature_map(image, "image", max_cells=MAX_SHIFT_CELLS)
        super().__init__(custom, controls, hidden=(LINE_DETECTOR_INPUT,), operations=operations)

    _last = lambda self, state: self.max_shift  # noqa: E731 - the shift's range
    _select = lambda self, shift: replace(self.state, shift=shift)  # noqa: E731 - every shift is in the state

    def _compute(self):
        return TranslationState.compute(self._input_map(), self.operation, self.pool_size, self.max_shift,
                                        self.direction, min(self.shift, self.max_shift))

    image = _from_state("image", None, "The unshifted input, or None.")
    result = _from_state("result", None, "The chosen pooling's :class:`TranslationInvariance`, or None.")
    other_result = _from_state("other_result", None, "The pooling it is compared with, or None.")

    changed = property(lambda self: None if self.state is None else self.state.result.changed[self.state.shift],
                       doc="Bool mask of the pooled cells the current shift changed, or None.")
    shifted_image = property(lambda self: None if self.state is None else self.state.shifted_image(),
                             doc="The input after the current shift, or None.")

    @property
    def fraction_text(self):
        """Share of pooled cells the shift leaves unchanged and the size of the change, for both poolings."""
        if self.state is None:
            return ""
        result, other, shift = self.state.result, self.state.other_result, self.state.shift
        changed = result.changed[shift]
        return (f"shift {shift} px {self.direction}, {result.operation} pooling {result.pool_size[0]} x "
                f"{result.pool_size[1]}: {result.fraction_unchanged[shift]:.2f} of the pooled outputs unchanged "
                f"({changed.size - int(changed.sum())} of {changed.size}); {other.operation} pooling: "
                f"{other.fraction_unchanged[shift]:.2f}. Size of the change, sum |after - before| / sum |before|: "
                f"{result.operation} {result.relative_change[shift]:.3f}, "
                f"{other.operation} {other.relative_change[shift]:.3f}")


# The receptive-field explorer ---------------------------------------------------
class ReceptiveFieldExplorerModel(_ExplorerModel):
    """The receptive-field explorer without widgets: a stack of layers, an input size and an output cell (numbered
    row by row, like the explorer's buttons) in, one :class:`ReceptiveFieldState` out. A value out of range raises
    ``traitlets.TraitError`` naming it; when the output shrinks, `output_cell` moves to its last cell.

    >>> model = ReceptiveFieldExplorerModel(stack="conv 3x3, pool 2x2 stride 2", output_cell=6)
    >>> model.state.output_index, model.state.rows, model.state.cols
    ((1, 1), (2, 6), (2, 6))
    """

    stack = traitlets.Unicode("conv 3x3, pool 2x2 stride 2")
    input_rows, input_cols, output_cell = traitlets.Int(12), traitlets.Int(12), traitlets.Int(0)
    state = traitlets.Instance(ReceptiveFieldState, allow_none=True, read_only=True)
    _CONTROLS, _FOLLOWER = ("stack", "input_rows", "input_cols", "output_cell"), "output_cell"
    _CHOICES = {"stack": tuple(RECEPTIVE_FIELD_STACKS)}
    _RANGES = dict.fromkeys(_CONTROLS[1:3], (1, 16, " (one button per output cell)"))
    _validate = traitlets.validate(*_CONTROLS)(_checked_control)

    def __init__(self, **controls) -> None:
        traitlets.HasTraits.__init__(self)  # no input menu: the base's first lines do not apply
        self._holding, self._failure = False, ""
        self.configure(**controls)

    _last = lambda self, state: state.shapes[-1][0] * state.shapes[-1][1] - 1 if state and state.ok else 255  # noqa
    _compute = lambda self: self._select(self.output_cell)  # noqa: E731

    def _select(self, cell):
        layers, shapes = RECEPTIVE_FIELD_STACKS[self.stack], [(self.input_rows, self.input_cols)]
        for number, layer in enumerate(layers, 1):
            kernel, stride, padding = (shapes[-1], shapes[-1], "valid") if layer == "global" else layer
            if pool_fit_message(shapes[-1], kernel, stride, padding):
                return ReceptiveFieldState(self.stack, tuple(shapes), message=(
                    f"The stack does not fit a {shapes[0][0]} x {shapes[0][1]} input: its layer {number} gets a "
                    f"{shapes[-1][0]} x {shapes[-1][1]} map, smaller than its {kernel} x {kernel} window. Choose a "
                    "larger input."))
            shapes.append(poolviz.pooled_shape(shapes[-1], kernel, stride, padding))
        index = divmod(min(cell, shapes[-1][0] * shapes[-1][1] - 1), shapes[-1][1])
        return replace(ReceptiveFieldState(self.stack, tuple(shapes), index),
                       **dict(zip(("rows", "cols"), receptive_field(layers, index, shapes[0]))))
