"""Argument checks shared by every poolviz operation: each names the argument
and describes the value it received (:func:`_describe`, safe for any value).
"""

from __future__ import annotations

import numbers

import numpy as np

PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")

# Limits: each is explained in the error message that enforces it.
#: Pool sizes and strides: TensorFlow keeps them in int32 (a stride of 2**31
#: kills the process with SIGABRT), so poolviz refuses more everywhere.
MAX_WINDOW = 2**31 - 1
#: Cells of one window written out cell by cell (walk-through, explorer).
MAX_WINDOW_CELLS = 2**20
#: Cells and windows that :func:`poolviz.walk_windows` lists in all.
MAX_WALK_CELLS = 2**22
MAX_WALK_WINDOWS = 2**14
#: The translation explorer's largest shift, and the cells of all its shifts.
MAX_SHIFT = 256
MAX_SHIFT_CELLS = 2**24
#: Cells of an image made by :mod:`poolviz.data` (4096 x 4096).
MAX_IMAGE_CELLS = 2**24
#: Multiply-adds of one :func:`poolviz.conv2d` call (about a second).
MAX_CONV_WORK = 2**28
#: Cells of an array that a pooling function or relu returns (512 MB of float64): a
#: broadcast view costs nothing to pass in, but its result would be written out.
MAX_RESULT_CELLS = 2**26
#: Size of an axis: NumPy indexes with int64, so no array is larger.
MAX_AXIS = 2**63 - 1

_NOT_A_PAIR = "{name} must be an int or a pair of ints, got {value}"


def _is_int(item):
    return isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_))


def _is_pair(value):
    """Whether a tuple, list or array holds two entries along one axis."""
    return getattr(value, "ndim", 1) == 1 and len(value) == 2


def as_pair(value, name):
    """``value`` (an int or a pair of ints) as a pair of ints from 1 to 2**31 - 1."""
    if type(value) is int and 0 < value <= MAX_WINDOW:  # the common case, quickly
        return (value, value)
    if _is_int(value):
        items = (value, value)
    elif isinstance(value, (tuple, list, np.ndarray)):  # never iterate a generator
        if not _is_pair(value):
            count = value.size if isinstance(value, np.ndarray) else len(value)
            raise ValueError(_NOT_A_PAIR.format(name=name, value=_describe(value)) + f" with {count} entries")
        items = tuple(value)
    else:
        raise TypeError(_NOT_A_PAIR.format(name=name, value=_describe(value)))
    if not all(_is_int(item) for item in items):
        raise TypeError(_NOT_A_PAIR.format(name=name, value=_describe(value)))
    pair = (int(items[0]), int(items[1]))
    if pair[0] < 1 or pair[1] < 1:
        raise ValueError(f"{name} must be positive, got {_describe(value)}")
    if pair[0] > MAX_WINDOW or pair[1] > MAX_WINDOW:
        raise ValueError(f"{name} must be at most {MAX_WINDOW} (2**31 - 1, TensorFlow's "
                         f"int32 limit), got {_describe(value)}")
    return pair


def as_int(value, name, minimum=None, maximum=None, why=""):
    """``value`` as a Python int within ``[minimum, maximum]`` (``why`` explains
    the maximum); a float such as 2.0 is refused, never truncated."""
    if type(value) is int:  # the common case, without the slower ABC check
        number = value
    elif not _is_int(value):
        raise TypeError(f"{name} must be an int, got {_describe(value)}")
    else:
        number = int(value)
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {_describe(value)}")
    if maximum is not None and number > maximum:
        raise ValueError(f"{name} must be at most {maximum}{why}, got {_describe(value)}")
    return number


def as_size_pair(value, name, minimum=1, maximum=MAX_AXIS):
    """``value`` as a pair of ints (a shape such as ``(rows, cols)``), each in
    ``[minimum, maximum]``; never truncates a float, never iterates an iterator."""
    if not isinstance(value, (tuple, list, np.ndarray)) or not _is_pair(value):
        raise ValueError(f"{name} must be a pair (rows, cols), got {_describe(value)}")
    if not all(_is_int(item) for item in value):
        raise TypeError(f"{name} must be a pair of ints (rows, cols), got {_describe(value)}")
    pair = (int(value[0]), int(value[1]))
    if pair[0] < minimum or pair[1] < minimum:
        qualifier = "positive" if minimum == 1 else f"at least {minimum}"
        raise ValueError(f"{name} must be {qualifier}, got {_describe(value)}")
    if pair[0] > maximum or pair[1] > maximum:
        raise ValueError(f"{name} must be at most {maximum}, got {_describe(value)}")
    return pair


def as_bool(value, name):
    """``value`` as a Python bool; anything but True, False (or NumPy's) is refused."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {_describe(value)}")
    return bool(value)


def as_choices(value, name, allowed):
    """``value``, a non-empty tuple or list of distinct names from ``allowed``, as a tuple in its order."""
    if not isinstance(value, (tuple, list)):  # a lone str would be read letter by letter
        raise TypeError(f"{name} must be a tuple of names from {allowed}, got {_describe(value)}")
    known = all(isinstance(item, str) and item in allowed for item in value)  # then hashable, for set()
    if not value or not known or len(set(value)) < len(value):
        raise ValueError(f"{name} must be a non-empty tuple of distinct names from {allowed}, got {_describe(value)}")
    return tuple(map(str, value))


def check_padding(padding):
    """Return the padding name in lower case, or raise naming the value."""
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {_describe(padding)}")
    return padding.lower()


def check_data_format(data_format):
    """Return ``data_format``, or raise naming the value."""
    if not isinstance(data_format, str) or data_format not in DATA_FORMATS:
        raise ValueError(f"data_format must be 'channels_last' or 'channels_first', got {_describe(data_format)}")
    return data_format


def _real_array(x, name):
    """``x`` as an ndarray of real numbers or bools, not converted: no copy of
    an ndarray.  Masked arrays are refused when any cell is masked (the
    hidden values would be read as data); otherwise their data is read."""
    if type(x) is not np.ndarray and np.ma.isMaskedArray(x) and np.ma.getmask(x).any():
        masked = np.count_nonzero(np.ma.getmask(x))
        raise ValueError(f"{name} is a masked array with {masked} masked cell(s); poolviz does not honour masks (the "
                         f"hidden values would be pooled as data): fill them first, e.g. {name}.filled(np.nan) or "
                         f"{name}.filled(0)")
    if type(x) in (tuple, list):  # np.asarray would copy the arrays it holds, however large
        held = sum(np.size(item) for item in x if isinstance(item, np.ndarray))
        if held > MAX_IMAGE_CELLS:
            raise ValueError(f"{name} is a {type(x).__name__} holding arrays of {held} cells, more than "
                             f"{MAX_IMAGE_CELLS} (2**24) to copy into one array: pass one array")
    try:
        array = x if type(x) is np.ndarray else np.asarray(np.ma.getdata(x))
    except (ValueError, TypeError, np.ma.MAError) as error:
        raise TypeError(f"{name} must be a numeric array, got {_describe(x)}: {error}") from None
    except MemoryError:
        raise ValueError(f"{name} is too large to hold in memory: {_describe(x)}") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got an array of dtype {array.dtype} from {_describe(x)}")
    return array


def as_numeric_array(x, name="x"):
    """``x`` as a real-valued NumPy array in native byte order, copied only
    when it must be: booleans become float64 (so max and average agree on
    what they return), big-endian data is read into native order."""
    array = _real_array(x, name)
    if array.dtype.kind == "b":
        return _converted(array, name, np.float64)
    if not array.dtype.isnative:
        return _converted(array, name, array.dtype.newbyteorder("="))
    return array


def _converted(array, name, dtype):
    """``array`` in ``dtype``: a copy, so refused past MAX_IMAGE_CELLS cells before it is made."""
    if array.dtype != dtype and array.size > MAX_IMAGE_CELLS:
        raise ValueError(f"{name} has {array.size} cells of {array.dtype}; reading it as {np.dtype(dtype)} "
                         f"would copy it, and poolviz copies at most {MAX_IMAGE_CELLS} cells (2**24) that "
                         f"way: pass a smaller array, or one already in {np.dtype(dtype)}")
    return array.astype(dtype, copy=False)


def as_feature_map(x, name="feature_map", max_cells=None, why=""):
    """``x`` as a non-empty 2-D float64 array (rows, cols), or a named error.

    With ``max_cells``, a map of more cells is refused before anything is
    copied or converted; ``why`` ends that message (e.g. ``" (2**24)"``).
    """
    array = _real_array(x, name)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(f"{name} must be a non-empty 2-D array (rows, cols), got shape {array.shape}")
    if max_cells is not None and array.size > max_cells:
        raise ValueError(f"{name} must have at most {max_cells} cells{why}, got shape "
                         f"{array.shape} ({array.size} cells)")
    return _converted(array, name, np.float64)


def check_result_cells(cells, name="x", or_else=""):
    """Refuse a call whose result would have more than MAX_RESULT_CELLS cells."""
    if cells > MAX_RESULT_CELLS:
        raise ValueError(f"the result for this {name} would have {cells} cells, more than poolviz writes out "
                         f"({MAX_RESULT_CELLS}, 2**26): use a smaller {name}{or_else}")


def check_rank(array, name="x"):
    """Refuse all but a non-empty 2-D map or 4-D batch, naming ``name``."""
    if array.ndim not in (2, 4):
        raise ValueError(f"{name} must be a 2-D feature map (rows, cols) or a 4-D batch in "
                         f"the Keras layout, got shape {array.shape} ({array.ndim}-D)")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")


def as_real(value, name, minimum=None):
    """``value`` as a finite float of at least ``minimum``, or an error naming ``name``."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a number, got {_describe(value)}")
    try:
        number = float(value)
    except OverflowError:  # an int too large for a float
        number = float("inf")
    if not np.isfinite(number) or (minimum is not None and number < minimum):
        allowed = "a finite number" + ("" if minimum is None else f" of at least {minimum}")
        raise ValueError(f"{name} must be {allowed}, got {_describe(value)}")
    return number


def check_type(value, name, types, allowed):
    """``value`` if it is an instance of ``types``, else a TypeError naming
    ``name`` and what is ``allowed`` (include ``type(None)`` to accept None)."""
    if not isinstance(value, types):
        raise TypeError(f"{name} must be {allowed}, got {_describe(value)}")
    return value


def _describe(x):
    """A short description of ``x`` for an error message.  Never fails: a
    huge int has no repr (Python refuses to print more than 4300 digits)."""
    if isinstance(x, np.ndarray):
        return f"an array of shape {x.shape} and dtype {x.dtype}"
    if type(x) in (tuple, list):  # item by item: an item may be a huge int
        if len(x) > 4:
            return f"a {type(x).__name__} of {len(x)} items"
        inner = ", ".join(f"a {type(item).__name__}" if type(item) in (tuple, list)
                          else _describe(item) for item in x)  # one level: never recurses
        text = f"({inner}{',' if len(x) == 1 else ''})" if type(x) is tuple else f"[{inner}]"
    else:
        try:
            text = repr(x)
        except Exception:  # noqa: BLE001 - an int too long to print, a broken __repr__
            if isinstance(x, numbers.Integral):
                return f"an int of {int(x).bit_length()} bits"
            return f"a {type(x).__name__}"
    return text if len(text) <= 60 else text[:57] + "..."
