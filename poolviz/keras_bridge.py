"""Run the tutorial's Keras layers beside poolviz and compare the two.

The only module of poolviz that talks to Keras. TensorFlow is imported inside the functions, so ``import poolviz``
stays light and works without it. Every argument is checked before TensorFlow sees it, because TensorFlow does not
check them itself: ``MaxPooling2D(3, strides=1)`` on a 2x2 input kills the process with SIGFPE, a stride of 2**31
kills it with SIGABRT, and in a notebook no slider may kill the kernel. The limits of TensorFlow's own kernels are
stated in the errors that enforce them.
"""

from __future__ import annotations

import functools
import html
import numbers
import os
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

import poolviz
from poolviz._checks import _describe, as_bool, as_numeric_array, check_data_format, check_rank
from poolviz.data import VERTICAL_LINE_DETECTOR
from poolviz.pooling import pool_arguments, pooled_shape

if TYPE_CHECKING:
    from types import ModuleType

    import keras

__all__ = ["Comparison", "compare", "keras_pool2d", "load_keras", "print_summary", "tutorial_model"]

INSTALL_HINT = ("poolviz.keras_bridge needs TensorFlow with Keras 3: `pip install tensorflow` "
                "in the environment this kernel runs in, then restart the kernel.")
_OPERATIONS = {"max": ("MaxPooling2D", poolviz.max_pool2d), "average": ("AveragePooling2D", poolviz.average_pool2d),
               "global max": ("GlobalMaxPooling2D", poolviz.global_max_pool2d),
               "global average": ("GlobalAveragePooling2D", poolviz.global_average_pool2d)}
# Limits of what TensorFlow is handed: a same-padded pool per axis (time grows with it:
# 10**6 took 1 s on 8x8, 2**30 minutes and GBs), cells of x (copied into a tensor), and
# cell reads, maps x output cells x real cells per window (2**28 take seconds).
MAX_KERAS_POOL = 10**5
MAX_KERAS_CELLS = 2**26
MAX_KERAS_WORK = 2**28
_loaded = False


def load_keras() -> ModuleType:
    """Import TensorFlow and Keras quietly and return ``keras`` (ImportError with an install hint without them).

    TensorFlow's C++ layer writes start-up lines ("Could not find cuda drivers") to file descriptor 2, which a
    notebook would store as a changing output: it points at ``os.devnull`` only while TensorFlow loads and lists
    its devices, so later warnings still show.
    """
    global _loaded
    if _loaded and sys.modules.get("tensorflow") and sys.modules.get("keras"):
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stdout.flush()
    sys.stderr.flush()
    saved, devnull = os.dup(2), os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        try:
            import keras
            import tensorflow as tf
        except ImportError as error:
            raise ImportError(f"{INSTALL_HINT} (import failed: {error})") from error
        tf.config.list_physical_devices()  # prints the "cuInit" line: inside the silence
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)
    _loaded = True
    return keras


def _check_operation(operation, name="operation"):
    if not isinstance(operation, str) or operation not in _OPERATIONS:
        raise ValueError(f"{name} must be one of {', '.join(map(repr, _OPERATIONS))}, got {_describe(operation)}")


def tutorial_model(pooling: str | None = None) -> keras.Model:
    """The tutorial's model: an 8x8 image, the 3x3 vertical-line detector (``Conv2D``, bias 0, ReLU), then the
    pooling layer ``pooling`` names (``"average"`` and ``"max"`` pool 2x2), if any.

    Layers ``"image"``, ``"line_detector"``, ``"pooling"``; the model is ``"line_detector_model"`` plus e.g.
    ``"_global_max"``, names that rebuilding keeps (the Keras session is cleared first).
    """
    if pooling is not None:
        _check_operation(pooling, "pooling")
    keras = load_keras()
    keras.backend.clear_session()
    image = keras.Input((8, 8, 1), name="image")
    detector = keras.layers.Conv2D(1, (3, 3), activation="relu", name="line_detector")
    output, name = detector(image), "line_detector_model"
    if pooling is not None:
        _, key = _checked(np.zeros((6, 6)), pooling, 2, None, "valid", "channels_last", False)
        output = _layer(keras, key, name="pooling")(output)
        name += "_" + pooling.replace(" ", "_")
    model = keras.Model(image, output, name=name)
    kernel = np.asarray(VERTICAL_LINE_DETECTOR, dtype=np.float32).reshape(3, 3, 1, 1)
    detector.set_weights([kernel, np.zeros(1, dtype=np.float32)])  # (rows, cols, in, out)
    return model


def print_summary(model: keras.Model) -> None:
    """Print ``model.summary()`` once, as plain text: in Jupyter, Keras also sends an empty rich copy, dropped here."""
    if not callable(getattr(model, "summary", None)):
        raise TypeError(f"model must be a Keras model (it has a .summary() method), got {_describe(model)}")
    from IPython.utils.capture import capture_output

    with capture_output(stdout=False, stderr=False):
        model.summary(line_length=80, print_fn=print)


def _layer(keras, key, name=None):
    operation, pool, stride, padding, data_format, keepdims = key
    layer_class = getattr(keras.layers, _OPERATIONS[operation][0])
    if pool is None:
        return layer_class(data_format=data_format, keepdims=keepdims, name=name)
    return layer_class(pool_size=pool, strides=stride, padding=padding, data_format=data_format, name=name)


@functools.lru_cache(maxsize=256)
def _cached_layer(*key):  # building costs more than calling; pooling has no weights
    return _layer(load_keras(), key)


def _checked(x, operation, pool_size, strides, padding, data_format, keepdims):
    """``(array for TensorFlow, layer key)``, or a ValueError/TypeError naming
    the argument TensorFlow could not take."""
    _check_operation(operation)
    data_format = check_data_format(data_format)
    keepdims = as_bool(keepdims, "keepdims")
    array = as_numeric_array(x)
    check_rank(array)
    if array.size > MAX_KERAS_CELLS:
        raise ValueError(f"x has {array.size} cells; the Keras bridge hands at most "
                         f"{MAX_KERAS_CELLS} (2**26) to TensorFlow")
    if array.dtype.itemsize > 8 or (operation == "max" and array.dtype in (np.uint32, np.uint64)):
        raise TypeError(f"x has dtype {array.dtype}, for which TensorFlow's {operation} pooling "
                        f"has no kernel; convert it first, e.g. x.astype(np.float64)")
    pool, stride, padding = pool_arguments(pool_size, strides, padding)  # checked even where unused
    if operation.startswith("global"):
        key = (operation, None, None, None, data_format, keepdims)
    else:
        rows, cols = array.shape[-2:] if array.ndim == 2 or data_format == "channels_first" else array.shape[1:3]
        out_rows, out_cols = pooled_shape((rows, cols), pool, stride, padding)
        if padding == "same" and max(pool) > MAX_KERAS_POOL:
            raise ValueError(f"pool_size {pool} is larger than {MAX_KERAS_POOL}, the largest the Keras bridge hands "
                             f"to TensorFlow with padding 'same' (its time grows with the pool size); "
                             f"poolviz.{operation}_pool2d pools it alone")
        work = (array.size // (rows * cols)) * out_rows * out_cols * min(pool[0], rows) * min(pool[1], cols)
        if work > MAX_KERAS_WORK:
            raise ValueError(f"pool_size {pool} with strides {stride} reads {work} cells in TensorFlow, more than the "
                             f"Keras bridge's limit of {MAX_KERAS_WORK} (2**28, seconds): choose a smaller x or "
                             f"pool_size, or larger strides")
        key = (operation, pool, stride, padding, data_format, False)
    if "average" in operation and array.dtype.kind != "f":
        array = array.astype(np.float32)  # TensorFlow cannot average integers
    return array, key


def _keras_result(array, key):
    """Pool a checked ``array`` with Keras; a 2-D input gives poolviz's shape."""
    load_keras()
    _, pool, stride, padding, data_format, keepdims = key
    batch = array
    if array.ndim == 2:
        batch = array[None, None] if data_format == "channels_first" else array[None, :, :, None]
    result = np.asarray(_cached_layer(*key)(batch))
    if array.ndim == 4:
        return result
    if pool is None:
        return result.reshape(1, 1) if keepdims else result.item()
    return result.reshape(pooled_shape(array.shape, pool, stride, padding))


def keras_pool2d(x: np.typing.ArrayLike, operation: str, pool_size: int | tuple[int, int] = (2, 2),
                 strides: int | tuple[int, int] | None = None, padding: str = "valid",
                 data_format: str = "channels_last", keepdims: bool = False) -> float | np.ndarray:
    """Pool ``x`` with the Keras layer of ``operation``: ``"max"``, ``"average"``, ``"global max"`` or
    ``"global average"``.

    Other arguments as in :func:`poolviz.max_pool2d` and :func:`poolviz.global_max_pool2d`. Integers are averaged
    as float32. Returns Keras's result (float32 for float input) in the shape poolviz gives: for a 2-D ``x``, a 2-D
    map or a float (global pooling).

    >>> keras_pool2d(np.arange(16.0).reshape(4, 4), "max")  # doctest: +SKIP
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    return _keras_result(*_checked(x, operation, pool_size, strides, padding, data_format, keepdims))


@dataclass(frozen=True)
class Comparison:
    """poolviz's and Keras's result for the same pooling, and how far apart.

    ``max_abs_difference`` counts NaN in both at one place as equal, NaN in one only or different shapes as
    ``inf``, and leaves out what ``explained`` lists: windows whose values are all NaN or all -inf, where
    TensorFlow's max pooling gives its lowest float32 (-3.4028235e+38), a difference by design.
    """

    poolviz: object
    keras: object
    max_abs_difference: float
    agree: bool
    atol: float
    description: str = ""
    explained: str = ""

    def __str__(self):
        verdict = "agree" if self.agree else "DISAGREE"
        lines = [self.description, f"poolviz: {_shown(self.poolviz)}", f"Keras:   {_shown(self.keras)}",
                 f"largest absolute difference: {self.max_abs_difference:.3g} (tolerance {self.atol:g}): {verdict}",
                 self.explained and f"not counted: {self.explained}"]
        return "\n".join(line for line in lines if line)

    def _repr_html_(self):
        colour, verdict = ("#1a7f37", "agree") if self.agree else ("#cf222e", "disagree")
        head, *rest = str(self).split("\n", 1)
        return (f"<div class='poolviz-comparison'><p style='color:{colour}'><b>{verdict}</b>: "
                f"{html.escape(head)}</p><pre>{html.escape(rest[0] if rest else '')}</pre></div>")


def _shown(value, max_printed=100):
    """The numbers when there are few enough to read, else the shape and dtype."""
    array = np.asarray(value)
    if array.ndim == 0:
        return repr(float(array))
    summary = f"shape {array.shape}, {array.dtype}"
    if array.size > max_printed:
        return summary
    return summary + "\n" + np.array2string(array, precision=4, suppress_small=True)


def _difference(ours, theirs, operation):
    """``(max_abs_difference, explained)`` as :class:`Comparison` defines them."""
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs)
    if ours.shape != theirs.shape:
        return float("inf"), ""
    same = (np.isnan(ours) & np.isnan(theirs)) | (ours == theirs)
    explained = []
    if operation == "max" and theirs.dtype.kind == "f":
        lowest = np.finfo(theirs.dtype).min
        for what, by_design in (("NaN", np.isnan(ours)), ("-inf", ours == -np.inf)):
            by_design &= theirs == lowest
            same |= by_design
            if by_design.any():
                explained.append(f"{int(by_design.sum())} window(s) whose values are all {what}: poolviz gives {what}")
    if explained:
        explained.append(f"TensorFlow gives its lowest {theirs.dtype} {float(lowest):.8g} there "
                         f"(a difference by design, documented in poolviz.pooling)")
    with np.errstate(invalid="ignore"):
        difference = np.where(same, 0.0, np.abs(ours - theirs))
    # NaN left over means one side only is NaN: as different as it gets.
    return float(np.max(np.nan_to_num(difference, nan=np.inf), initial=0.0)), "; ".join(explained)


def compare(x: np.typing.ArrayLike, operation: str, pool_size: int | tuple[int, int] = (2, 2),
            strides: int | tuple[int, int] | None = None, padding: str = "valid",
            data_format: str = "channels_last", keepdims: bool = False,
            atol: float = 1e-5) -> Comparison:
    """Pool ``x`` with poolviz and with Keras and say how far apart they are.

    Arguments as in :func:`keras_pool2d`, plus ``atol``, the largest absolute
    difference that counts as agreement (Keras computes in float32).

    >>> compare(np.arange(16.0).reshape(4, 4), "max").agree  # doctest: +SKIP
    True
    """
    try:
        is_real = isinstance(atol, numbers.Real) and not isinstance(atol, (bool, np.bool_))
        tolerance = float(atol) if is_real else -1.0
    except OverflowError:  # an int of 10**5000
        tolerance = -1.0
    if not tolerance >= 0:
        raise ValueError(f"atol must be a float >= 0, got {_describe(atol)}")
    array, key = _checked(x, operation, pool_size, strides, padding, data_format, keepdims)
    operation, pool, stride, padding, data_format, _ = key
    if pool is None:  # poolviz reads x itself: the array for Keras may be float32
        ours = _OPERATIONS[operation][1](x, data_format=data_format, keepdims=keepdims)
        description = f"{operation} pooling"
    else:
        ours = _OPERATIONS[operation][1](x, pool, stride, padding, data_format)
        description = f"{operation} pooling, pool_size={pool}, strides={stride}, padding={padding!r}"
    if data_format != "channels_last":
        description += f", data_format={data_format!r}"
    theirs = _keras_result(array, key)
    difference, explained = _difference(ours, theirs, operation)
    return Comparison(ours, theirs, difference, bool(difference <= tolerance), tolerance, description, explained)
