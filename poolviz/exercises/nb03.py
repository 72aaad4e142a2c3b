"""Checks for the exercises of ``notebooks/03_average_pooling.ipynb``.

>>> check_same_padding_bottom_row(None)
Not answered yet: give the bottom row of the 3x3 average-pooled map (3 numbers).
>>> check_same_padding_bottom_row([18.0, 19.5, 21.0])
Correct: Keras pads 1 row/column before and 1 after the map; the bottom windows cover rows 3-4 and one padded row, and each is divided by its real cells only (4, 6 and 4).
"""

from __future__ import annotations

import numpy as np

import poolviz
from poolviz import data

from ._harness import _as_int, _check_function, _check_number, _correct, _not_answered, _real_array

__all__ = ["check_average_pool_same", "check_cells_never_used",
           "check_same_padding_bottom_row", "cells_never_used"]

#: Exercise 1: ``AveragePooling2D(pool_size=3, strides=2, padding="same")`` on this map.
EXERCISE_1_MAP = np.arange(25.0).reshape(5, 5)
EXERCISE_1_POOL = 3
EXERCISE_1_STRIDE = 2


def _exercise_1(padding="same"):
    return poolviz.average_pool2d(EXERCISE_1_MAP, EXERCISE_1_POOL, EXERCISE_1_STRIDE,
                                  padding=padding)


# --------------------------------------------------------------------------
# Exercise 1: which cells the average divides by
# --------------------------------------------------------------------------
def _bottom_row_counting_padding():
    """The wrong answer of frameworks that divide by the full window (zeros
    in the padded cells), e.g. PyTorch's ``count_include_pad=True``."""
    windows = poolviz.walk_windows(EXERCISE_1_MAP, EXERCISE_1_POOL, EXERCISE_1_STRIDE,
                                   padding="same", operation="average")
    return np.array([w.real_values.sum() / w.values.size for w in windows[-3:]])


def _bottom_row_padding_all_after():
    """The wrong answer when both padded rows/columns are put after the map."""
    padded = np.full((7, 7), np.nan)
    padded[:5, :5] = EXERCISE_1_MAP
    bottom = padded[4:7]
    return np.array([np.nanmean(bottom[:, c:c + 3]) for c in (0, 2, 4)])


def check_same_padding_bottom_row(answer):
    """Exercise 1: bottom row of ``AveragePooling2D(3, strides=2, padding="same")``
    on ``np.arange(25.0).reshape(5, 5)``."""
    if _not_answered(answer, "give the bottom row of the 3x3 average-pooled map (3 numbers)."):
        return
    row = _real_array(answer).ravel()
    expected = _exercise_1()[-1]
    if row.shape != expected.shape:
        raise AssertionError(
            f"the pooled map is {expected.size}x{expected.size} (ceil(5 / 2) = 3), so its "
            f"bottom row has {expected.size} numbers; got {row.size}.")
    if np.allclose(row, expected):
        _correct("Keras pads 1 row/column before and 1 after the map; the bottom windows "
                 "cover rows 3-4 and one padded row, and each is divided by its real "
                 "cells only (4, 6 and 4).")
        return
    if np.allclose(row, _bottom_row_counting_padding()):
        hint = ("you divided by 9 in every window, counting the padded cells as zeros; "
                "Keras divides only by the real cells")
    elif np.allclose(row, _bottom_row_padding_all_after()):
        hint = ("the padding is 2 cells per side here; Keras puts 1 before and 1 after the "
                "map (only an odd extra cell goes after), so the bottom windows cover rows 3-5")
    elif np.allclose(row, _exercise_1()[0]):
        hint = "that is the top row; the question asks for the bottom one"
    else:
        hint = ("padding per side is (before, after) = poolviz.same_padding(5, 3, 2); "
                "list the rows and columns each bottom window covers and average only "
                "the real cells")
    raise AssertionError(f"{row} is not right: {hint}.")


# --------------------------------------------------------------------------
# Exercise 2: stride larger than the pool
# --------------------------------------------------------------------------
def cells_never_used(shape=(6, 6), pool_size=2, strides=3):
    """How many input cells no pooling window covers (padding 'valid')."""
    covered = np.zeros(shape, dtype=bool)
    for window in poolviz.walk_windows(np.zeros(shape), pool_size, strides):
        covered[window.rows.start:window.rows.stop, window.cols.start:window.cols.stop] = True
    return int((~covered).sum())


def check_cells_never_used(answer):
    """Exercise 2: cells of the 6x6 map that pool 2, stride 3 never looks at."""
    if _not_answered(answer, "count the cells of the 6x6 map that no window of pool 2, "
                             "stride 3 covers."):
        return
    count = _as_int(answer)
    expected = cells_never_used()
    _check_number(
        count, expected,
        correct=f"windows start at rows and columns 0 and 3 and cover 0-1 and 3-4, so "
                f"rows 2 and 5 and columns 2 and 5 are skipped: 36 - 4 * 4 = {expected} "
                f"cells never reach the output.",
        hints=[
            (36 - expected, "that is the number of cells the windows DO cover"),
            (0, "with stride 3 and pool 2 the window jumps over one row and column each step"),
            (24, "count cells, not rows and columns: a skipped row and a skipped column "
                 "share one cell, so do not count it twice"),
        ],
        otherwise="list the rows the windows cover (starts 0 and 3, 2 rows each), do the "
                  "same for the columns, and count the cells outside both")


# --------------------------------------------------------------------------
# Exercise 3: average pooling with 'same' padding, by loops
# --------------------------------------------------------------------------
_CASES = [
    # (description, feature map, pool, stride)
    ("np.arange(25.0).reshape(5, 5), pool 2, stride 2", np.arange(25.0).reshape(5, 5), 2, 2),
    ("the 6x6 line feature map, pool 2, stride 2", data.line_feature_map(), 2, 2),
    ("np.arange(36.0).reshape(6, 6), pool 3, stride 1 (overlapping)",
     np.arange(36.0).reshape(6, 6), 3, 1),
    ("np.arange(16.0).reshape(4, 4), pool 3, stride 2", np.arange(16.0).reshape(4, 4), 3, 2),
    ("a 7x5 map, pool 3, stride 2", np.arange(35.0).reshape(7, 5) % 4, 3, 2),
]


def _counting_padding(feature_map, pool, stride):
    """'same' average pooling that divides by pool * pool (the usual mistake)."""
    windows = poolviz.walk_windows(feature_map, pool, stride, padding="same",
                                   operation="average")
    rows = poolviz.output_size(feature_map.shape[0], pool, stride, "same")
    return np.array([w.real_values.sum() / w.values.size for w in windows]).reshape(rows, -1)


def _padding_placed(feature_map, pool, stride, place):
    """'same' average pooling (real cells only) with the padding misplaced:
    ``"all after"`` the map, or with the ``"odd cell before"`` it."""
    pads = []
    for n in feature_map.shape:
        before, after = poolviz.same_padding(n, pool, stride)
        total = before + after
        if place == "all after":
            pads.append((0, total))
        else:
            pads.append((total - total // 2, total // 2))
    padded = np.pad(feature_map, pads, constant_values=np.nan)
    windows = poolviz.walk_windows(np.nan_to_num(padded), pool, stride)
    real = ~np.isnan(padded)
    sums = [np.nansum(padded[w.rows.start:w.rows.stop, w.cols.start:w.cols.stop]) for w in windows]
    counts = [real[w.rows.start:w.rows.stop, w.cols.start:w.cols.stop].sum() for w in windows]
    rows = poolviz.output_size(padded.shape[0], pool, stride)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (np.array(sums) / np.array(counts)).reshape(rows, -1)


def _same_padding_average(feature_map, pool, stride):
    return poolviz.average_pool2d(feature_map, pool, stride, padding="same")


def _averaged_same_wrong_shape(result, expected, feature_map, pool, stride):
    return (f"the result should have shape {expected.shape} "
            f"(ceil(n / stride) per side with 'same'), got {result.shape}.")


def _averaged_same_wrong_values(result, expected, feature_map, pool, stride):
    extra = ""
    if np.allclose(result, _counting_padding(feature_map, pool, stride)):
        extra = (" You divided by the whole window; divide by the number of real "
                 "(non-padded) cells in it.")
    elif any(np.allclose(result, _padding_placed(feature_map, pool, stride, place))
             for place in ("all after", "odd cell before")):
        extra = (" The padding is in the wrong place: Keras puts half of it before the "
                 "map and half after, and only an odd extra cell goes after (bottom, "
                 f"right); poolviz.same_padding({feature_map.shape[0]}, {pool}, {stride}) "
                 f"= {poolviz.same_padding(feature_map.shape[0], pool, stride)} gives "
                 "(before, after) for the rows.")
    return f"the result should be\n{expected}\ngot\n{result}.{extra}"


def check_average_pool_same(answer):
    """Exercise 3: a function ``(feature_map, pool, stride)`` -> average pooling
    with ``padding="same"`` as Keras does it."""
    _check_function(
        answer, "write average_pool_same(feature_map, pool, stride) with loops", _CASES,
        expected=_same_padding_average,
        wrong_shape=_averaged_same_wrong_shape, wrong_values=_averaged_same_wrong_values,
        correct=f"your function agrees with Keras-style 'same' average pooling on "
                f"{len(_CASES)} cases, with padding before and after the map.")
