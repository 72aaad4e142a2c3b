"""Checks for the exercises of ``notebooks/01_pooling.ipynb``.

>>> check_output_sizes((13, 14))
Correct: valid: floor((28 - 3) / 2) + 1 = 13; same: ceil(28 / 2) = 14.
"""

import functools

import numpy as np

import poolviz
from poolviz import data

from ._harness import _as_int, _as_pair_of_ints, _check_function, _correct, _grade, _refuse_ready_made, exercise

__all__ = ["check_output_sizes", "check_pool_each_map", "check_unchanged_after_shift"]


@exercise("give (rows with valid padding, rows with same padding) for a 28x28 map, pool 3, stride 2.")
def check_output_sizes(answer):
    """Exercise 1: (valid rows, same rows) of a 28x28 map, pool 3, stride 2."""
    valid, same = _as_pair_of_ints(answer)
    right_valid, right_same = (poolviz.output_size(28, 3, 2, pad) for pad in ("valid", "same"))
    _grade(valid, right_valid, shown=f"valid padding: {valid} rows", hints=[
        (lambda rows: (rows, same) == (right_same, right_valid),
         "the two are swapped: give them in the order (valid, same)"),
        (14, "14 would need a window starting at row 26, which would reach row 28 and fall off "
             "the map; 'valid' drops windows that do not fit"),
        (12, "you dropped one window too many: count the first window too (the '+ 1')"),
        (26, "that is the count for stride 1; the window jumps 2 rows each step"),
        (9, "that is the count for stride 3: the stride is 2, not the pool size"),
    ], otherwise="use floor((n - pool) / stride) + 1 with n=28, pool=3, stride=2")
    _grade(same, right_same, shown=f"same padding: {same} rows", hints=[
        (right_valid, "'same' pads the map so that no window is dropped: ceil(n / stride)"),
        (28, "'same' keeps the size only when stride is 1; here stride is 2"),
        (right_same + 1, "no '+ 1' with 'same': ceil(n / stride) already counts every window"),
    ], otherwise="with 'same' the pool size does not matter: ceil(n / stride)")
    _correct(f"valid: {poolviz.output_size_formula(28, 3, 2, 'valid')}; "
             f"same: {poolviz.output_size_formula(28, 3, 2, 'same')}.")


def _unchanged_after_shift(cols_moved):
    """How many of the 9 max-pooled (2x2) line-detector outputs stay the same when the line moves right."""
    before, after = (poolviz.max_pool2d(poolviz.relu(poolviz.conv2d(data.shift(data.vertical_line(), cols=cols),
                                                                    data.VERTICAL_LINE_DETECTOR)))
                     for cols in (0, cols_moved))
    return int(np.sum(before == after))


@exercise("count how many of the 9 max-pooled outputs stay the same when the line moves 2 columns to the right.")
def check_unchanged_after_shift(answer):
    """Exercise 2: unchanged pooled outputs after moving the line 2 columns right."""
    count, expected, total = _as_int(answer), _unchanged_after_shift(2), 9
    _grade(count, expected, hints=[
        (total - expected, f"{total - expected} is the number of outputs that changed (or the count for a 1-column "
                           "move); the question asks how many stayed the same"),
        (total, "not all of them: count the cells where before == after, in the pooled maps before and after "
                "the move"),
        (lambda n: not 0 <= n <= total, f"the pooled map has only {total} cells"),
    ], otherwise="shift with data.shift(image, cols=2), then conv2d, relu and max_pool2d, and "
                 "count the cells where before == after",
        correct=f"{expected} of {total} pooled outputs stay the same. A 2-column move is a whole pooling window: the "
                "line leaves its window entirely, and only the left column of zeros keeps its value.")


#: Exercise 3's batches catch mixed channels, odd sizes, negative values, rectangles.
_BATCHES = [
    ("the line map and its transpose, shape (1, 6, 6, 2)",
     np.stack([data.line_feature_map(), data.line_feature_map().T], axis=-1)[np.newaxis]),
    ("two random images with 3 maps each, shape (2, 4, 4, 3)", np.stack(
        [data.random_feature_map((4, 4), seed=s) for s in range(6)], -1).reshape(4, 4, 2, 3).transpose(2, 0, 1, 3)),
    ("a 7x7 map (odd size), shape (1, 7, 7, 1)", data.random_feature_map((7, 7), seed=1)[np.newaxis, :, :, np.newaxis]),
    ("all-negative maps, shape (1, 4, 4, 2)", -1.0 - np.arange(32.0).reshape(1, 4, 4, 2)),
    ("a 2x6 rectangle, shape (1, 2, 6, 1)", np.arange(12.0).reshape(1, 2, 6, 1)),
]


#: Exercise 3's usual mistakes: what each gives on a batch (a shape where that is enough).
_POOL_EACH_MAP_MISTAKES = [
    (lambda batch: batch.shape[:1] + (batch.shape[1] // 2,) * 2 + batch.shape[3:],
     "The maps are not square: count the output rows from the rows, the columns from the columns."),
    (lambda batch: poolviz.max_pool2d(batch).swapaxes(1, 2),
     "Rows and columns are swapped: keep rows on axis 1 and columns on axis 2."),
    (lambda batch: (batch.shape[0], batch.shape[1], batch.shape[2] // 2, batch.shape[3] // 2),
     "You pooled axes 2 and 3; in (batch, rows, cols, channels) rows and cols are axes 1 and 2."),
    (lambda batch: poolviz.max_pool2d(batch[:1]).shape, "Pool every image of the batch."),
    *((lambda batch, cut=cut: poolviz.max_pool2d(batch).shape[:3] + cut, "The channels must "
       "stay separate: pool every map on its own and keep the channel axis last.")
      for cut in ((1,), ())),
    (lambda batch: poolviz.max_pool2d(batch, padding="same"),
     "An odd side drops its last row/column: a window that does not fit is not computed (padding='valid')."),
    (lambda batch: np.maximum(poolviz.max_pool2d(batch), 0.0),
     "Starting a running maximum at 0 is wrong for negative values: start from the window's first value (or -inf)."),
    (lambda batch: poolviz.max_pool2d(batch).max(axis=-1, keepdims=True) * np.ones(batch.shape[-1]),
     "You took the maximum over the channels too: they must not mix."),
    (poolviz.average_pool2d, "That is average pooling; max pooling keeps each window's largest value."),
]


#: Ready-made max poolings (poolviz, keras_bridge, Keras, TensorFlow), refused also inside the student's function.
_READY_MADE = ("max_pool2d", "keras_pool2d", "walk_windows", "MaxPooling2D", "MaxPool2D", "max_pool")


@exercise("write a function pool_each_map(batch) and pass the function itself (no brackets).")
def check_pool_each_map(answer):
    """Exercise 3: 2x2 max pooling of a channels-last batch, each map on its own, written by the student."""
    refusing = _refuse_ready_made(answer, ("keras", "tensorflow", poolviz.max_pool2d), "loop over the images and "
                                  "the channels and pool each 2-D map with max_pool_loop (section 3).", _READY_MADE)
    _check_function(
        refusing, _BATCHES, expected=poolviz.max_pool2d, mistakes=_POOL_EACH_MAP_MISTAKES,
        shape=lambda result, right, batch: (
            "The layout (batch, rows, cols, channels) is right, but the sizes are not: 2x2 windows that jump 2 cells "
            "give floor((n - 2) / 2) + 1 per side; check the window size and the stride." if result.ndim == 4 and
            result.shape[::3] == right.shape[::3] else "Keep the layout (batch, rows, cols, channels)."),
        values="It differs from poolviz.max_pool2d there.",
        # float32 keeps about 7 significant digits, and a max is only rounded.
        close=functools.partial(np.allclose, rtol=1e-6, atol=0.0),
        correct=f"your function agrees with poolviz.max_pool2d on {len(_BATCHES)} batches: each "
                "map pooled on its own, odd sizes, negative values and a rectangle.")
