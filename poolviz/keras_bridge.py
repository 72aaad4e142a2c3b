"""Run the tutorial's Keras layers beside poolviz and compare the two.

This module is the only place in poolviz that talks to Keras. It imports
TensorFlow inside its functions, so ``import poolviz`` stays fast and works
without TensorFlow installed; the first call here pays TensorFlow's import
time (a few seconds) once.

Every function checks its arguments with poolviz's own validation *before*
Keras sees them. That is not politeness: ``MaxPooling2D(3, strides=1,
padding="valid")`` applied to a 2x2 input kills the Python process with
SIGFPE, a stride of 2**31 kills it with SIGABRT (poolviz refuses pool sizes
and strides above 2**31 - 1 everywhere), and in a notebook a slider must
never be able to kill the kernel.  The bridge adds the limits of
TensorFlow's own kernels, measured with TensorFlow 2.21 (see
:data:`MAX_KERAS_POOL` and :func:`_keras_input`): unsigned 32- and 64-bit
integers are refused for windowed max pooling (TensorFlow has no kernel for
them), and so are inputs of 2**31 cells or more.

Where poolviz and Keras differ by design, :func:`compare` says so instead
of reporting a difference: a window whose every real value is NaN (or
-inf) gives NaN (or -inf) in poolviz, while TensorFlow's max pooling
returns the lowest float32, -3.4028235e+38.

Examples
--------
>>> import numpy as np
>>> from poolviz import keras_bridge
>>> feature_map = np.arange(16.0).reshape(4, 4)
>>> keras_bridge.keras_pool2d(feature_map, "max")        # doctest: +SKIP
array([[ 5.,  7.],
       [13., 15.]], dtype=float32)
>>> print(keras_bridge.compare(feature_map, "average"))  # doctest: +SKIP
average pooling, pool_size=(2, 2), strides=(2, 2), padding='valid'
...
"""

from __future__ import annotations

import functools
import html
import os
import sys
from dataclasses import dataclass, field

import numpy as np

import poolviz
from poolviz._checks import as_numeric_array
from poolviz.pooling import pool_arguments
from poolviz.data import VERTICAL_LINE_DETECTOR

__all__ = ["Comparison", "compare", "keras_pool2d", "load_keras", "tutorial_model"]

INSTALL_HINT = (
    "poolviz.keras_bridge needs TensorFlow with Keras 3. Install it with "
    "`pip install tensorflow` (or `conda install -c conda-forge tensorflow`) "
    "in the environment this kernel runs in, then restart the kernel."
)

_POOLVIZ_OPERATIONS = {
    "max": poolviz.max_pool2d,
    "average": poolviz.average_pool2d,
    "global max": poolviz.global_max_pool2d,
    "global average": poolviz.global_average_pool2d,
}
_KERAS_LAYER_NAMES = {
    "max": "MaxPooling2D",
    "average": "AveragePooling2D",
    "global max": "GlobalMaxPooling2D",
    "global average": "GlobalAveragePooling2D",
}
_GLOBAL_OPERATIONS = ("global max", "global average")
#: Dtypes TensorFlow's MaxPool has no kernel for (InvalidArgumentError):
#: refused with a hint rather than converted, since no other integer dtype
#: holds every uint64.
_NO_MAX_POOL_KERNEL = frozenset({np.dtype(np.uint32), np.dtype(np.uint64)})
#: Largest pool size per axis handed to Keras with ``same`` padding (with
#: ``valid`` padding the pool fits in the input, which bounds it).
#: TensorFlow's max pooling takes time that grows with the pool size:
#: measured here on an 8x8 map, 10**5 took 0.1-0.4 s, 10**6 0.7-1 s, 10**7
#: 7-10 s, and 2**30 ran for minutes taking gigabytes.
MAX_KERAS_POOL = 10**5
#: Largest number of cells handed to TensorFlow (int32 indexing).
MAX_KERAS_CELLS = 2**31 - 1
_loaded_quietly = False  # set once load_keras has imported TensorFlow and listed devices


def load_keras():
    """Import TensorFlow and Keras quietly; return the ``keras`` module.

    TensorFlow's C++ layer writes a few lines straight to file descriptor 2
    when it is imported and when it first looks for a GPU ("Could not find
    cuda drivers", "failed call to cuInit"), some of them before
    ``TF_CPP_MIN_LOG_LEVEL`` is read.  JupyterLab and nbconvert store them as
    a stderr output with a timestamp, while nbval's kernel never sees them,
    so a notebook showing them could never pass a strict comparison.  This
    points descriptor 2 at ``os.devnull`` only while TensorFlow loads and
    lists its devices, then restores it: later warnings still show.

    Only ``TF_CPP_MIN_LOG_LEVEL`` is defaulted here; oneDNN (which changes
    speed, not results) is left to the notebook or the caller.

    Raises
    ------
    ImportError
        If TensorFlow or Keras is missing, with an install hint.
    """
    global _loaded_quietly
    if _loaded_quietly and sys.modules.get("tensorflow") and sys.modules.get("keras"):
        # Every keras_pool2d call comes here: after the first, skip the
        # descriptor juggling (and the flushes it needs).
        return sys.modules["keras"]
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    sys.stdout.flush()
    sys.stderr.flush()
    saved_stderr = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        try:
            import tensorflow as tf
            import keras
        except ImportError as error:
            raise ImportError(f"{INSTALL_HINT} (import failed: {error})") from error
        # Device discovery prints the "cuInit" line: do it inside the silence
        # rather than at the first layer call.
        tf.config.list_physical_devices()
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    _loaded_quietly = True
    return keras


def _check_operation(operation):
    if not isinstance(operation, str) or operation not in _POOLVIZ_OPERATIONS:
        choices = ", ".join(repr(name) for name in _POOLVIZ_OPERATIONS)
        raise ValueError(f"operation must be one of {choices}, got {operation!r}")
    return operation


def tutorial_model(pooling=None):
    """Build the tutorial's line-detector model, optionally with a pooling layer.

    The model takes one 8x8 grayscale image, applies a single 3x3 Conv2D filter
    whose weights are the hand-made vertical-line detector (bias 0, ReLU), and
    then, if asked, one pooling layer as in the tutorial.

    Parameters
    ----------
    pooling : {None, "average", "max", "global max", "global average"}
        ``"average"`` and ``"max"`` add ``AveragePooling2D(2)`` and
        ``MaxPooling2D(2)``; the global names add ``GlobalMaxPooling2D()`` or
        ``GlobalAveragePooling2D()``.

    Returns
    -------
    keras.Model
        Layers named ``"image"``, ``"line_detector"`` and (if any)
        ``"pooling"``; the model is named ``"line_detector_model"`` plus the
        pooling name, e.g. ``"line_detector_model_global_max"``.

    Notes
    -----
    ``keras.backend.clear_session()`` runs first, so rebuilding the model in a
    notebook does not pile up layer-name counters.

    Examples
    --------
    >>> model = tutorial_model("max")                 # doctest: +SKIP
    >>> model.get_layer("line_detector").count_params()  # doctest: +SKIP
    10
    """
    if pooling is not None:
        _check_operation(pooling)
    keras = load_keras()
    keras.backend.clear_session()

    image = keras.Input((8, 8, 1), name="image")
    detector = keras.layers.Conv2D(1, (3, 3), activation="relu", name="line_detector")
    output = detector(image)
    model_name = "line_detector_model"
    if pooling is not None:
        output = _make_layer(keras, pooling, (2, 2), (2, 2), "valid", "channels_last",
                             keepdims=False, name="pooling")(output)
        model_name += "_" + pooling.replace(" ", "_")
    model = keras.Model(image, output, name=model_name)

    # Conv2D kernels are (rows, cols, in_channels, filters).
    kernel = np.asarray(VERTICAL_LINE_DETECTOR, dtype=np.float32)
    detector.set_weights([kernel.reshape(3, 3, 1, 1), np.zeros(1, dtype=np.float32)])
    return model


def _make_layer(keras, operation, pool_size, strides, padding, data_format, keepdims,
                name=None):
    """Instantiate the Keras pooling layer for ``operation``."""
    layer_class = getattr(keras.layers, _KERAS_LAYER_NAMES[operation])
    if operation in _GLOBAL_OPERATIONS:
        return layer_class(data_format=data_format, keepdims=keepdims, name=name)
    return layer_class(pool_size=pool_size, strides=strides, padding=padding,
                       data_format=data_format, name=name)


@functools.lru_cache(maxsize=256)
def _cached_layer(operation, pool_size, strides, padding, data_format, keepdims):
    """One layer per parameter set: building a layer costs more than calling it.

    Pooling layers hold no weights and work on any input size, so sharing
    them is safe, and they survive ``keras.backend.clear_session()``.
    """
    return _make_layer(load_keras(), operation, pool_size, strides, padding,
                       data_format, keepdims)


def _pool_both(x, operation, pool_size, strides, padding, data_format, keepdims):
    """Return ``(poolviz result, Keras result, layer key)`` for the same arguments.

    poolviz runs first: it validates everything, so Keras only ever sees
    arguments poolviz accepted. The Keras result is returned in the same shape
    as poolviz's for a 2-D input (2-D map, or a float for global pooling).
    The layer key is the normalised parameter set, e.g.
    ``("max", (2, 2), (2, 2), "valid", "channels_last", False)``.
    """
    _check_operation(operation)
    if operation in _GLOBAL_OPERATIONS:
        ours = _POOLVIZ_OPERATIONS[operation](x, data_format=data_format, keepdims=keepdims)
        layer_key = (operation, None, None, None, data_format, bool(keepdims))
    else:
        ours = _POOLVIZ_OPERATIONS[operation](
            x, pool_size=pool_size, strides=strides, padding=padding, data_format=data_format
        )
        # poolviz accepted these, so normalising them cannot fail.
        pool_pair, stride_pair, padding_name = pool_arguments(pool_size, strides, padding)
        layer_key = (operation, pool_pair, stride_pair, padding_name, data_format, False)
    array = _keras_input(x, operation, layer_key)
    load_keras()
    two_dimensional = array.ndim == 2
    if two_dimensional:
        if data_format == "channels_first":
            array = array[np.newaxis, np.newaxis, :, :]
        else:
            array = array[np.newaxis, :, :, np.newaxis]

    theirs = np.asarray(_cached_layer(*layer_key)(array))
    if two_dimensional:
        if np.ndim(ours) == 0:
            theirs = theirs.reshape(()).item()
        else:
            theirs = theirs.reshape(np.shape(ours))
    return ours, theirs, layer_key


def _keras_input(x, operation, layer_key):
    """``x`` as an array Keras can pool, or a ValueError/TypeError naming
    the argument; called only after poolviz accepted ``x``."""
    array = as_numeric_array(x)  # native byte order, masks refused
    if array.size > MAX_KERAS_CELLS:
        raise ValueError(
            f"x has {array.size} cells; the Keras bridge hands at most {MAX_KERAS_CELLS} "
            f"(2**31 - 1) to TensorFlow"
        )
    _, pool, _, padding, _, _ = layer_key
    if pool is not None and padding == "same" and max(pool) > MAX_KERAS_POOL:
        raise ValueError(
            f"pool_size {pool} is larger than {MAX_KERAS_POOL}, the largest the Keras bridge "
            f"hands to TensorFlow with padding 'same' (its pooling takes time that grows with "
            f"the pool size); poolviz.{'max' if operation == 'max' else 'average'}_pool2d pools it alone"
        )
    if operation == "max" and array.dtype in _NO_MAX_POOL_KERNEL:
        raise TypeError(
            f"x has dtype {array.dtype}, for which TensorFlow's max pooling has no kernel; "
            f"convert it first, e.g. x.astype(np.int64) if every value fits"
        )
    if array.dtype == bool or (operation in ("average", "global average")
                               and array.dtype.kind != "f"):
        # Keras cannot average integers (TF's AvgPool has no int kernel).
        array = array.astype(np.float32)
    return array


def keras_pool2d(x, operation, pool_size=(2, 2), strides=None, padding="valid",
                 data_format="channels_last", keepdims=False):
    """Pool ``x`` with the Keras layer that matches ``operation``.

    Arguments are checked by poolviz first, with poolviz's error messages,
    so an impossible window is a ValueError here instead of a dead kernel.

    Parameters
    ----------
    x : array_like
        A 2-D feature map (rows, cols), or a 4-D batch in the layout of
        ``data_format``. Integers are cast to float32 for average pooling,
        which Keras cannot do on integers.
    operation : {"max", "average", "global max", "global average"}
    pool_size, strides, padding
        As in :func:`poolviz.max_pool2d`; ignored for global pooling.
    data_format : {"channels_last", "channels_first"}
    keepdims : bool
        Global pooling only, as in :func:`poolviz.global_max_pool2d`.

    Returns
    -------
    numpy.ndarray or float
        The Keras output (float32 for float input). For a 2-D ``x`` it has the
        shape poolviz gives: a 2-D map, or a float for global pooling.

    Raises
    ------
    ValueError, TypeError
        For arguments poolviz rejects; Keras is not called.
    ImportError
        If TensorFlow is not installed.

    Examples
    --------
    >>> keras_pool2d(np.arange(16.0).reshape(4, 4), "max")  # doctest: +SKIP
    array([[ 5.,  7.],
           [13., 15.]], dtype=float32)
    """
    return _pool_both(x, operation, pool_size, strides, padding, data_format, keepdims)[1]


@dataclass(frozen=True)
class Comparison:
    """poolviz's and Keras's result for the same pooling, side by side.

    Attributes
    ----------
    poolviz, keras : numpy.ndarray or float
        The two results.
    max_abs_difference : float
        Largest absolute difference; NaN in both at the same place counts as
        equal, NaN in only one of them or different shapes count as ``inf``.
        Cells listed in ``explained`` are left out.
    agree : bool
        ``max_abs_difference <= atol``.
    atol : float
        The tolerance ``agree`` used.
    description : str
        The operation and its arguments, for printing.
    explained : str
        Differences by design, left out of ``max_abs_difference``: windows
        whose real values are all NaN or all -inf, where poolviz gives NaN or
        -inf and TensorFlow the lowest finite number of its dtype
        (-3.4028235e+38 for float32).  Empty when there are none.
    """

    poolviz: object
    keras: object
    max_abs_difference: float
    agree: bool
    atol: float
    description: str = field(default="")
    explained: str = field(default="")

    def __str__(self):
        verdict = "agree" if self.agree else "DISAGREE"
        lines = [self.description] if self.description else []
        lines += [
            f"poolviz: {_describe_result(self.poolviz)}",
            f"Keras:   {_describe_result(self.keras)}",
            f"largest absolute difference: {self.max_abs_difference:.3g} "
            f"(tolerance {self.atol:g}): {verdict}",
        ]
        if self.explained:
            lines.append(f"not counted: {self.explained}")
        return "\n".join(lines)

    def _repr_html_(self):
        colour = "#1a7f37" if self.agree else "#cf222e"
        verdict = "agree" if self.agree else "disagree"
        cells = "".join(
            f"<td style='vertical-align:top;padding:0 1em'><b>{name}</b>"
            f"<pre>{html.escape(_describe_result(value))}</pre></td>"
            for name, value in (("poolviz", self.poolviz), ("Keras", self.keras))
        )
        return (
            f"<div class='poolviz-comparison'>"
            f"<p>{html.escape(self.description)}</p>"
            f"<table><tr>{cells}</tr></table>"
            f"<p style='color:{colour}'><b>{verdict}</b>: largest absolute difference "
            f"{self.max_abs_difference:.3g} (tolerance {self.atol:g})</p>"
            + (f"<p>not counted: {html.escape(self.explained)}</p>" if self.explained else "")
            + "</div>"
        )


def _describe_result(value, max_printed=100):
    """The array itself when it is small enough to read, else its shape and dtype."""
    array = np.asarray(value)
    if array.ndim == 0:
        return repr(float(array))
    summary = f"shape {array.shape}, {array.dtype}"
    if array.size <= max_printed:
        return summary + "\n" + np.array2string(array, precision=4, suppress_small=True)
    return summary


def _explained_cells(ours, theirs, operation):
    """Cells where poolviz and TensorFlow differ by design, and why.

    TensorFlow's windowed max pooling starts each window from the lowest
    finite number of the dtype, so a window whose real values are all NaN
    (which it skips) or all -inf gives that number; poolviz gives NaN or
    -inf.  Returns ``(mask, text)``; ``mask`` is None when there are none.
    """
    if operation != "max":
        return None, ""
    ours_array, theirs_array = np.asarray(ours), np.asarray(theirs)
    if (ours_array.shape != theirs_array.shape or theirs_array.dtype.kind != "f"
            or ours_array.dtype.kind != "f"):
        return None, ""
    lowest = np.finfo(theirs_array.dtype).min
    keras_lowest = theirs_array == lowest
    all_nan = keras_lowest & np.isnan(ours_array)
    all_minus_inf = keras_lowest & np.isneginf(ours_array)
    parts = []
    if all_nan.any():
        parts.append(f"{int(all_nan.sum())} window(s) whose values are all NaN: poolviz "
                     f"gives NaN")
    if all_minus_inf.any():
        parts.append(f"{int(all_minus_inf.sum())} window(s) whose values are all -inf: "
                     f"poolviz gives -inf")
    if not parts:
        return None, ""
    text = ("; ".join(parts) + f"; TensorFlow gives its lowest {theirs_array.dtype} "
            f"{float(lowest):.8g} there (a difference by design, documented in poolviz.pooling)")
    return all_nan | all_minus_inf, text


def _max_abs_difference(ours, theirs, ignore=None):
    ours = np.asarray(ours, dtype=np.float64)
    theirs = np.asarray(theirs, dtype=np.float64)
    if ours.shape != theirs.shape:
        return float("inf")
    if ours.size == 0:
        return 0.0
    both_nan = np.isnan(ours) & np.isnan(theirs)
    if ignore is not None:
        both_nan |= ignore
    with np.errstate(invalid="ignore"):  # inf - inf where both are -inf
        difference = np.where(both_nan | (ours == theirs), 0.0, np.abs(ours - theirs))
    # NaN left over means exactly one side is NaN: as different as it gets.
    return float(np.max(np.nan_to_num(difference, nan=np.inf)))


def compare(x, operation, pool_size=(2, 2), strides=None, padding="valid",
            data_format="channels_last", keepdims=False, atol=1e-5):
    """Pool ``x`` with poolviz and with Keras and report how far apart they are.

    Parameters are those of :func:`keras_pool2d`, plus ``atol``, the largest
    absolute difference still counted as agreement (Keras computes in
    float32, so float64 input differs in the last bits).

    Returns
    -------
    Comparison
        Prints as a short text report and renders as an HTML table in Jupyter.

    Examples
    --------
    >>> result = compare(np.arange(16.0).reshape(4, 4), "max")  # doctest: +SKIP
    >>> result.agree, result.max_abs_difference                  # doctest: +SKIP
    (True, 0.0)
    """
    if (isinstance(atol, (bool, np.bool_)) or not isinstance(atol, (int, float, np.integer, np.floating))
            or not atol >= 0):
        raise ValueError(f"atol must be a number >= 0, got {atol!r}")
    ours, theirs, layer_key = _pool_both(x, operation, pool_size, strides, padding,
                                         data_format, keepdims)
    explained_mask, explained = _explained_cells(ours, theirs, operation)
    difference = _max_abs_difference(ours, theirs, explained_mask)
    _, pool_pair, stride_pair, padding_name, _, _ = layer_key
    if operation in _GLOBAL_OPERATIONS:
        description = f"{operation} pooling"
    else:
        description = (f"{operation} pooling, pool_size={pool_pair}, strides={stride_pair}, "
                       f"padding={padding_name!r}")
    if data_format != "channels_last":
        description += f", data_format={data_format!r}"
    return Comparison(poolviz=ours, keras=theirs, max_abs_difference=difference,
                      agree=bool(difference <= atol), atol=float(atol),
                      description=description, explained=explained)
