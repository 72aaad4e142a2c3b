"""Argument checks shared by every poolviz operation.

Each check names the argument and repeats the value it received, so a student
who types ``pool_size=0`` is told exactly which number is wrong.
"""

from __future__ import annotations

import numbers

import numpy as np

PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")

# --------------------------------------------------------------------------
# Limits.  Each is stated in the docstrings that use it, in the README and in
# the error message a student sees when a value goes past it.
# --------------------------------------------------------------------------
#: Largest pool size or stride along one axis (2**31 - 1).  TensorFlow keeps
#: them in int32: a stride of 2**31 kills the process in its max pooling
#: kernel (SIGABRT), so poolviz refuses it everywhere, not only before Keras.
MAX_WINDOW = 2**31 - 1
#: Largest number of cells in one window that :func:`poolviz.pooling_window`,
#: :func:`poolviz.walk_windows` and the explorer write out cell by cell
#: (1024 x 1024): a window is an array with one entry per cell, padding
#: included, so a 20000 x 20000 window would take gigabytes.
MAX_WINDOW_CELLS = 2**20
#: Largest number of cells :func:`poolviz.walk_windows` lists over all its
#: windows together (about 40 MB of window arrays), and of windows (each is
#: a Python object: 2**14 of them take about a third of a second).
MAX_WALK_CELLS = 2**22
MAX_WALK_WINDOWS = 2**14
#: Largest ``max_shift`` of the translation explorer: shifts past the image's
#: size only give empty images, and every shift keeps a pooled map.
MAX_SHIFT = 256
#: Largest number of cells the translation explorer keeps over all its
#: shifts together, ``(max_shift + 1) * rows * cols``.
MAX_SHIFT_CELLS = 2**24
#: Largest number of cells an image made by :mod:`poolviz.data` may have
#: (4096 x 4096, 128 MB of float64).
MAX_IMAGE_CELLS = 2**24
#: Largest number of multiply-adds one :func:`poolviz.conv2d` call may do
#: (about a second here).
MAX_CONV_WORK = 2**28


def as_pair(value, name):
    """Return ``value`` as a pair of positive ints; accept an int or a pair."""
    # The common spellings, 2 and (2, 2), skip the general checks below: a
    # slider calls this on every move.
    if type(value) is int and 0 < value <= MAX_WINDOW:
        return (value, value)
    if (type(value) is tuple and len(value) == 2 and type(value[0]) is int
            and type(value[1]) is int and 0 < value[0] <= MAX_WINDOW
            and 0 < value[1] <= MAX_WINDOW):
        return value
    if isinstance(value, (bool, np.bool_, str)):
        raise TypeError(f"{name} must be an int or a pair of ints, got {_describe(value)}")
    if isinstance(value, numbers.Integral):
        pair = (int(value), int(value))
    else:
        if not isinstance(value, (tuple, list, np.ndarray)):
            # Never iterate what might not end (a generator, itertools.count()).
            raise TypeError(
                f"{name} must be an int or a pair of ints, got {_describe(value)}"
            )
        if isinstance(value, np.ndarray) and value.ndim != 1:
            raise ValueError(f"{name} must be an int or a pair of ints, got {_describe(value)}")
        items = tuple(value)
        if len(items) != 2:
            raise ValueError(
                f"{name} must be an int or a pair of ints, got {_describe(value)} "
                f"with {len(items)} entries"
            )
        if not all(
            isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_))
            for item in items
        ):
            raise TypeError(f"{name} must be an int or a pair of ints, got {_describe(value)}")
        pair = (int(items[0]), int(items[1]))
    if pair[0] < 1 or pair[1] < 1:
        raise ValueError(f"{name} must be positive, got {_describe(value)}")
    if pair[0] > MAX_WINDOW or pair[1] > MAX_WINDOW:
        raise ValueError(
            f"{name} must be at most {MAX_WINDOW} (2**31 - 1, TensorFlow's int32 limit), "
            f"got {_describe(value)}"
        )
    return pair


def as_int(value, name, minimum=None, maximum=None, why=""):
    """``value`` as a Python int within ``[minimum, maximum]``, or an error
    naming ``name``: TypeError for anything but an integer (floats such as
    2.0 included, never truncated), ValueError for one out of range;
    ``why`` explains the maximum."""
    if type(value) is int:  # the common case, without the slower ABC check
        number = value
    elif isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {_describe(value)}")
    else:
        number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {_describe(value)}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}{why}, got {_describe(value)}")
    return number


def as_size_pair(value, name, minimum=1):
    """``value`` as a pair of ints (a shape such as ``(rows, cols)``), each at
    least ``minimum``; never truncates a float, never iterates an iterator."""
    if not isinstance(value, (tuple, list, np.ndarray)) or np.ndim(value) != 1 or len(value) != 2:
        raise ValueError(f"{name} must be a pair (rows, cols), got {_describe(value)}")
    if not all(isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_))
               for item in value):
        raise TypeError(f"{name} must be a pair of ints (rows, cols), got {_describe(value)}")
    pair = (int(value[0]), int(value[1]))
    if pair[0] < minimum or pair[1] < minimum:
        qualifier = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {qualifier}, got {_describe(value)}")
    return pair


def check_padding(padding):
    """Return the padding name in lower case, or raise naming the value."""
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {_describe(padding)}")
    return padding.lower()


def check_data_format(data_format):
    if not isinstance(data_format, str) or data_format not in DATA_FORMATS:
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', got {_describe(data_format)}"
        )
    return data_format


def as_numeric_array(x, name="x"):
    """Return ``x`` as a real-valued NumPy array without copying it needlessly.

    Booleans become float64 so that max and average agree on what they return.
    Non-native byte order (big-endian data on a little-endian machine) is
    converted to native order.  Masked arrays are refused when any cell is
    masked (poolviz would otherwise read the hidden values as data); a
    masked array with nothing masked is read as its data.
    """
    if type(x) is not np.ndarray:
        if np.ma.isMaskedArray(x):
            masked = int(np.count_nonzero(np.ma.getmaskarray(x)))
            if masked:
                raise ValueError(
                    f"{name} is a masked array with {masked} masked cell(s); poolviz does not "
                    f"honour masks (the hidden values would be pooled as data): fill them "
                    f"first, e.g. {name}.filled(np.nan) or {name}.filled(0)"
                )
            x = np.ma.getdata(x)
        try:
            array = np.asarray(x)
        except (ValueError, TypeError) as error:
            raise TypeError(f"{name} must be a numeric array, got {_describe(x)}: {error}") from None
        except MemoryError:
            raise ValueError(f"{name} is too large to hold in memory: {_describe(x)}") from None
    else:
        array = x
    dtype = array.dtype
    kind = dtype.kind  # cheaper than np.issubdtype on the hot path
    if kind == "b":
        return array.astype(np.float64)
    if kind not in ("i", "u", "f"):
        raise TypeError(
            f"{name} must hold real numbers, got an array of dtype {dtype} "
            f"from {_describe(x)}"
        )
    if not dtype.isnative:
        return array.astype(dtype.newbyteorder("="))
    return array


def as_feature_map(x, name="feature_map", max_cells=None, why=""):
    """``x`` as a non-empty 2-D float64 array (rows, cols), or a named error.

    With ``max_cells``, a map of more cells is refused before anything is
    converted or copied (``why`` explains the limit in the message).
    """
    if max_cells is not None and isinstance(x, np.ndarray):
        _check_cells(x, name, max_cells, why)  # before a bool or byte-order copy
    array = as_numeric_array(x, name)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (rows, cols), got shape {array.shape}"
        )
    if max_cells is not None:
        _check_cells(array, name, max_cells, why)
    return array.astype(np.float64, copy=False)


def _check_cells(array, name, max_cells, why):
    if array.ndim == 2 and array.size > max_cells:
        raise ValueError(f"{name} has {array.shape[0]} x {array.shape[1]} = {array.size} cells, "
                         f"more than the limit of {max_cells}{why}")


def check_rank(array, name="x"):
    if array.ndim not in (2, 4):
        raise ValueError(
            f"{name} must be a 2-D feature map (rows, cols) or a 4-D batch in the "
            f"Keras layout, got shape {array.shape} ({array.ndim}-D)"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")


def _describe(x):
    """A short repr of ``x`` for an error message.  Never fails: a huge int
    has no repr (Python refuses to print more than 4300 digits)."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    try:
        text = repr(x)
    except Exception:  # noqa: BLE001 - an int too long to print, a broken __repr__
        if isinstance(x, numbers.Integral):
            return f"an int of {int(x).bit_length()} bits"
        return f"a {type(x).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."
