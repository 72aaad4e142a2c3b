"""Check functions for the course notebooks, and the notebooks' Keras loader.

Each notebook ``notebooks/0N_*.ipynb`` has a module ``poolviz.exercises.nb0N``
with one ``check_...(answer)`` function per exercise. A check

* prints ``Not answered yet: ...`` when ``answer`` is still ``None`` (so a
  notebook with open exercises runs from top to bottom without errors),
* raises :class:`AssertionError` with a hint saying what is wrong,
* prints ``Correct: ...`` with a sentence on why the answer is right.

Nothing here imports TensorFlow, Keras or ipywidgets at import time;
:func:`load_keras` imports TensorFlow and Keras when a notebook calls it.
"""

from __future__ import annotations

import os
import sys

import numpy as np

__all__ = ["load_keras"]


def load_keras():
    """Import TensorFlow and Keras with their native start-up messages silenced.

    TensorFlow's C++ layer writes a few lines straight to file descriptor 2
    when it is imported and when it first looks for a GPU ("Could not find
    cuda drivers", "failed call to cuInit", ...), some of them before
    ``TF_CPP_MIN_LOG_LEVEL`` is read. JupyterLab and ``nbconvert`` store them
    as a stderr output of the cell, with a timestamp, while the nbval test
    kernel never sees them: a notebook that shows them can never pass a strict
    comparison. This function points descriptor 2 at ``os.devnull`` only
    while TensorFlow loads and lists its devices, then restores it, so later
    warnings and errors are shown as usual.

    Set ``TF_CPP_MIN_LOG_LEVEL`` and ``TF_ENABLE_ONEDNN_OPTS`` before calling
    it (the notebooks' setup cell does).

    Returns
    -------
    module
        The ``keras`` module (Keras 3 on the TensorFlow backend).

    Raises
    ------
    ImportError
        If TensorFlow or Keras is not installed, with an install hint.
    """
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
            raise ImportError(
                "The course notebooks need TensorFlow with Keras 3: run "
                "`pip install tensorflow` in the environment of this kernel, "
                f"then restart the kernel (import failed: {error})"
            ) from error
        # Device discovery is where the "cuInit" line comes from: do it now,
        # inside the silence, rather than at the first layer call.
        tf.config.list_physical_devices()
    finally:
        os.dup2(saved_stderr, 2)
        os.close(saved_stderr)
        os.close(devnull)
    return keras


# --------------------------------------------------------------------------
# Shared by the nbNN modules
# --------------------------------------------------------------------------
def _not_answered(answer, what):
    """Print the "not answered yet" hint and return True when ``answer`` is None."""
    if answer is None:
        print(f"Not answered yet: {what}")
        return True
    return False


def _correct(message):
    print(f"Correct: {message}")


def _as_int(answer, name="answer"):
    """``answer`` as a Python int, or AssertionError saying what it is instead."""
    if isinstance(answer, bool):
        raise AssertionError(f"{name} should be a whole number, got the bool {answer!r}")
    if isinstance(answer, (int, np.integer)):
        return int(answer)
    if isinstance(answer, (float, np.floating)) and float(answer).is_integer():
        return int(answer)
    raise AssertionError(f"{name} should be a whole number, got {answer!r}")


def _as_pair_of_ints(answer, name="answer"):
    """``answer`` as a tuple of two ints, or AssertionError with a hint."""
    try:
        first, second = answer
    except (TypeError, ValueError):
        raise AssertionError(
            f"{name} should be a pair of whole numbers like (3, 3), got {answer!r}"
        ) from None
    return _as_int(first, name), _as_int(second, name)


def _as_array(answer, name="answer"):
    """``answer`` as a float64 NumPy array, or AssertionError with a hint."""
    try:
        array = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise AssertionError(f"{name} should be an array of numbers, got {answer!r}") from None
    return array


def _call(function, *args, name="your function"):
    """Call a student's function; turn its exception into an AssertionError hint."""
    if not callable(function):
        raise AssertionError(f"answer should be a function (def ...), got {function!r}")
    try:
        return function(*args)
    except Exception as error:  # the student's code may raise anything
        shapes = ", ".join(
            f"array of shape {np.shape(arg)}" if isinstance(arg, np.ndarray) else repr(arg)
            for arg in args
        )
        raise AssertionError(
            f"{name} raised {type(error).__name__}: {error} (called with {shapes})"
        ) from error
