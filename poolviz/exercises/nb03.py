"""Checks for the exercises of ``notebooks/03_average_pooling.ipynb``.

>>> check_same_padding_bottom_row([18.0, 19.5, 21.0])  # doctest: +ELLIPSIS
Correct: Keras pads 1 row/column before and 1 after the map; ... (4, 6 and 4).
"""

import numpy as np

import poolviz
from poolviz import data

from ._harness import _as_array, _as_int, _check_function, _close, _grade, _refuse_ready_made, _rounded, exercise

__all__ = ["check_average_pool_same", "check_cells_never_used", "check_same_padding_bottom_row"]

#: Exercise 1: ``AveragePooling2D(pool_size=3, strides=2, padding="same")`` on this map.
EXERCISE_1_MAP, EXERCISE_1_POOL, EXERCISE_1_STRIDE = np.arange(25.0).reshape(5, 5), 3, 2


def _average_padded(feature_map, pool, stride, place="keras", count_padding=False):
    """'same' average pooling with the usual mistakes: the padding ``"all after"`` the map, its ``"odd cell before"``
    it, the ``"rows'"`` before every side, or ``count_padding`` (as PyTorch)."""
    pads, (rows_before, _) = [], poolviz.same_padding(len(feature_map), pool, stride)
    for n in feature_map.shape:
        total = sum(poolviz.same_padding(n, pool, stride))
        pads.append({"keras": poolviz.same_padding(n, pool, stride), "all after": (0, total),
                     "odd cell before": (total - total // 2, total // 2),
                     "rows'": (rows_before, total - rows_before)}[place])
    padded = np.pad(np.asarray(feature_map, dtype=float), pads, constant_values=np.nan)
    windows = np.lib.stride_tricks.sliding_window_view(padded, (pool, pool))[::stride, ::stride]
    if count_padding:
        return np.nansum(windows, axis=(2, 3)) / pool**2
    return np.nanmean(windows, axis=(2, 3))  # every window holds a real cell


@exercise("give the bottom row of the 3x3 average-pooled map (3 numbers).")
def check_same_padding_bottom_row(answer):
    """Exercise 1: bottom row of ``AveragePooling2D(3, 2, "same")`` on EXERCISE_1_MAP."""
    row = _as_array(answer).ravel()
    mistake = (EXERCISE_1_MAP, EXERCISE_1_POOL, EXERCISE_1_STRIDE)
    pooled = poolviz.average_pool2d(*mistake, "same")
    _grade(row, pooled[-1], same=_close, wrong_shape=(
        f"the pooled map is 3x3 (ceil(5 / 2) = 3), so its bottom row has 3 numbers; got {row.size}."), hints=[
        (_average_padded(*mistake, count_padding=True)[-1],
         "you divided by 9 in every window, counting the padded cells as zeros; Keras divides only by the real cells"),
        (_average_padded(*mistake, "all after")[-1],
         "that is the max of each window (max pooling), or the average with both padded rows "
         "after the map; Keras puts 1 before and 1 after the map (only an odd extra cell goes "
         "after), so the bottom windows cover rows 3-5, and averages them"),
        (poolviz.average_pool2d(EXERCISE_1_MAP, 2, padding="same")[-1],
         "that is the bottom row with section 3's 2x2 windows; this exercise's windows are 3x3, with stride 2"),
        (pooled[0], "that is the top row; the question asks for the bottom one"),
        (pooled[:, -1], "that is the right column; the question asks for the bottom row"),
        (_rounded(pooled[-1]), "do not round: give the averages as they are"),
    ], otherwise="padding per side is (before, after) = poolviz.same_padding(5, 3, 2); list the "
                 "rows and columns each bottom window covers and average only the real cells",
        correct="Keras pads 1 row/column before and 1 after the map; the bottom windows cover rows 3-4 and one "
                "padded row, and each is divided by its real cells only (4, 6 and 4).")


#: Exercise 2: a 6-row, 7-column map (not square, and 7 leaves a remainder), pool 2, stride 3, 'valid'.
EXERCISE_2_SHAPE = (6, 7)


def _cells_never_used(shape=EXERCISE_2_SHAPE, pool_size=2, strides=3):
    """How many input cells no pooling window covers (padding 'valid')."""
    covered = np.zeros(shape, dtype=bool)
    for window in poolviz.walk_windows(np.zeros(shape), pool_size, strides):
        covered[window.rows.start:window.rows.stop, window.cols.start:window.cols.stop] = True
    return int((~covered).sum())


@exercise("count the cells of the 6x7 map that no window of pool 2, stride 3 covers.")
def check_cells_never_used(answer):
    """Exercise 2: cells of the 6x7 map that pool 2, stride 3 ('valid') never looks at."""
    expected, (rows, cols) = _cells_never_used(), EXERCISE_2_SHAPE
    _grade(_as_int(answer), expected, hints=[
        (rows * cols - expected, "that is the number of cells the windows DO cover"),
        (0, "with stride 3 and pool 2 the window jumps over one row and column each step"),
        (_cells_never_used((rows, rows)), f"that is the count for a square {rows}x{rows} map; this one has {cols} "
                                          "columns, and column 6 is not covered either"),
        (rows * cols - 4 * 5, "with 'valid' a window must fit: a third window would start at column 6 and need "
                              "column 7, which does not exist, so column 6 is never used"),
        (2 * cols + 3 * rows, "count cells, not rows and columns: a skipped row and a skipped column share "
                              "a cell, so do not count it twice"),
        (2 * 3, "those are the cells where a skipped row crosses a skipped column; a cell is never used if its "
                "row OR its column is skipped"),
    ], otherwise="list the rows the windows cover (starts 0 and 3, 2 rows each), do the same for "
                 "the columns, and count the cells outside both",
        correct="windows start at rows and columns 0 and 3 and cover 0-1 and 3-4, so rows 2 and 5 and columns 2, 5 "
                f"and 6 are skipped: {rows} * {cols} - 4 * 4 = {expected} cells never reach the output.")


_CASES = [
    ("np.arange(25.0).reshape(5, 5), pool 2, stride 2", np.arange(25.0).reshape(5, 5), 2, 2),
    ("the 6x6 line feature map, pool 2, stride 2", data.line_feature_map(), 2, 2),
    ("np.arange(36.0).reshape(6, 6), pool 3, stride 1 (overlapping)", np.arange(36.0).reshape(6, 6), 3, 1),
    ("np.arange(16.0).reshape(4, 4), pool 3, stride 2", np.arange(16.0).reshape(4, 4), 3, 2),
    ("a 7x5 map, pool 3, stride 2", np.arange(35.0).reshape(7, 5) % 4, 3, 2),
    ("a 6x5 map, pool 3, stride 2 (rows and columns padded differently)", np.arange(30.0).reshape(6, 5) % 7, 3, 2),
]


def _misplaced(result, right, feature_map, pool, stride):
    return ("The padding is in the wrong place: Keras puts half of it before the map and half after, and only an odd "
            f"extra cell goes after (bottom, right); poolviz.same_padding({len(feature_map)}, {pool}, {stride}) = "
            f"{poolviz.same_padding(len(feature_map), pool, stride)} gives (before, after) for the rows.")


#: Exercise 3's usual mistakes, as functions of a case, and their hints.
_MISTAKES = [
    (lambda *case: _average_padded(*case, count_padding=True),
     "You divided by the whole window; divide by the number of real (non-padded) cells in it."),
    (lambda *case: _average_padded(*case, "rows'"),
     "The columns are padded as the rows are; each side has its own: poolviz.same_padding(cols, pool, stride)."),
    *((lambda *case, side=side: _average_padded(*case, side), _misplaced) for side in ("all after", "odd cell before")),
    (lambda m, pool, stride: poolviz.max_pool2d(m, pool, stride, "same"),
     "That is max pooling; average pooling takes the mean of each window's real cells."),
    (lambda m, pool, stride: (-(-len(m) // stride),) * 2, "The map is not square: count the columns too."),
    (poolviz.average_pool2d, "That is 'valid' pooling: 'same' pads so that each side has ceil(n / stride) outputs."),
]


#: The ready-made poolings a wrapper might call (poolviz, keras.layers, keras.ops, tf.nn).
_READY_MADE = ("average_pool2d", "pool2d", "keras_pool2d", "pooling_window", "walk_windows", "AveragePooling2D",
               "average_pool", "avg_pool", "avg_pool2d")


@exercise("write average_pool_same(feature_map, pool, stride) with loops and pass the function itself (no brackets).")
def check_average_pool_same(answer):
    """Exercise 3: Keras's 'same' average pooling as a function (feature_map, pool, stride)."""
    refusing = _refuse_ready_made(answer, ("poolviz", "keras", "tensorflow"), "loop over the windows as "
                                  "average_pool_loop does (section 3), with the padding poolviz.same_padding gives.",
                                  _READY_MADE)  # and, while it runs, the ready-made poolings raise
    _check_function(
        refusing, _CASES,
        expected=lambda m, pool, stride: poolviz.average_pool2d(m, pool, stride, "same"),
        mistakes=_MISTAKES, shape="With 'same' each side has ceil(n / stride) outputs.",
        values=lambda result, *_: ("A window starting before the map has a negative start, which NumPy counts from "
            "the end: clip it as section 4's coverage cell does, max(start, 0), min(stop, n)." if np.isnan(result).any()
            else "Average each window's real cells, the padding placed as poolviz.same_padding says."),
        correct=f"your function agrees with Keras-style 'same' average pooling on {len(_CASES)} "
                "cases, with padding before and after the map.")
