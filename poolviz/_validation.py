"""Argument checks shared by every poolviz operation.

Each check names the argument and repeats the value it received, so a student
who types ``pool_size=0`` is told exactly which number is wrong.
"""

from __future__ import annotations

import numbers

import numpy as np

PADDINGS = ("valid", "same")
DATA_FORMATS = ("channels_last", "channels_first")


def as_pair(value, name):
    """Return ``value`` as a pair of positive ints; accept an int or a pair."""
    # The common spellings, 2 and (2, 2), skip the general checks below: a
    # slider calls this on every move.
    if type(value) is int and value > 0:
        return (value, value)
    if (type(value) is tuple and len(value) == 2 and type(value[0]) is int
            and type(value[1]) is int and value[0] > 0 and value[1] > 0):
        return value
    if isinstance(value, (bool, np.bool_, str)):
        raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
    if isinstance(value, numbers.Integral):
        pair = (int(value), int(value))
    else:
        try:
            items = tuple(value)
        except TypeError:
            raise TypeError(
                f"{name} must be an int or a pair of ints, got {value!r}"
            ) from None
        if len(items) != 2:
            raise ValueError(
                f"{name} must be an int or a pair of ints, got {value!r} "
                f"with {len(items)} entries"
            )
        if not all(
            isinstance(item, numbers.Integral) and not isinstance(item, (bool, np.bool_))
            for item in items
        ):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        pair = (int(items[0]), int(items[1]))
    if pair[0] < 1 or pair[1] < 1:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return pair


def check_padding(padding):
    """Return the padding name in lower case, or raise naming the value."""
    if not isinstance(padding, str) or padding.lower() not in PADDINGS:
        raise ValueError(f"padding must be 'valid' or 'same', got {padding!r}")
    return padding.lower()


def check_data_format(data_format):
    if data_format not in DATA_FORMATS:
        raise ValueError(
            f"data_format must be 'channels_last' or 'channels_first', got {data_format!r}"
        )
    return data_format


def as_numeric_array(x, name="x"):
    """Return ``x`` as a real-valued NumPy array without copying it needlessly.

    Booleans become float64 so that max and average agree on what they return.
    """
    try:
        array = np.asarray(x)
    except (ValueError, TypeError) as error:
        raise TypeError(f"{name} must be a numeric array, got {_describe(x)}: {error}") from None
    kind = array.dtype.kind  # cheaper than np.issubdtype on the hot path
    if kind == "b":
        return array.astype(np.float64)
    if kind not in ("i", "u", "f"):
        raise TypeError(
            f"{name} must hold real numbers, got an array of dtype {array.dtype} "
            f"from {_describe(x)}"
        )
    return array


def as_feature_map(x, name="feature_map"):
    """``x`` as a non-empty 2-D float64 array (rows, cols), or a named error."""
    array = as_numeric_array(x, name)
    if array.ndim != 2 or array.size == 0:
        raise ValueError(
            f"{name} must be a non-empty 2-D array (rows, cols), got shape {array.shape}"
        )
    return array.astype(np.float64, copy=False)


def check_rank(array, name="x"):
    if array.ndim not in (2, 4):
        raise ValueError(
            f"{name} must be a 2-D feature map (rows, cols) or a 4-D batch in the "
            f"Keras layout, got shape {array.shape} ({array.ndim}-D)"
        )
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")


def _describe(x):
    text = repr(x)
    return text if len(text) <= 60 else text[:57] + "..."
