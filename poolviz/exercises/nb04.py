"""Checks for the exercises of ``notebooks/04_max_pooling.ipynb``.

>>> check_max_pool_by_hand([[0.9, 0.7], [0.3, 0.8]])
Correct: each output cell keeps the largest of the four values in its window.
"""

import math

import numpy as np

import poolviz
from poolviz import data

from ._harness import _as_array, _check_function, _close, _grade, exercise

__all__ = ["EXERCISE_1_MAP", "EXERCISE_2_MAP", "EXERCISE_4_MAP", "check_max_pool_by_hand",
           "check_gelu_and_max_order", "check_max_pool_gradient", "check_same_padding_max"]

#: The 4x4 map of exercise 1: max and average pooling give different answers.
EXERCISE_1_MAP = np.array([[0.2, 0.9, 0.0, 0.4],
                           [0.5, 0.1, 0.7, 0.3],
                           [0.0, 0.0, 0.6, 0.8],
                           [0.3, 0.0, 0.2, 0.1]])
EXERCISE_1_MAP.setflags(write=False)

#: The 3x3 map of exercise 2: every value is negative, so zero padding shows.
EXERCISE_2_MAP = np.array([[-4.0, -2.0, -7.0],
                           [-1.0, -5.0, -3.0],
                           [-6.0, -8.0, -9.0]])
EXERCISE_2_MAP.setflags(write=False)


@exercise("give the 2x2 max-pooled map of EXERCISE_1_MAP (pool 2, stride 2).")
def check_max_pool_by_hand(answer):
    """Exercise 1: ``MaxPooling2D(2)`` on :data:`EXERCISE_1_MAP`, worked out by hand."""
    result, expected = _as_array(answer), poolviz.max_pool2d(EXERCISE_1_MAP, 2)
    off = [tuple(i) for i in np.argwhere(~np.isclose(result, expected)).tolist()] if result.shape == (2, 2) else []
    _grade(result, expected, same=_close, shown=f"\n{result}\n", wrong_shape=(
        f"the pooled map has shape (2, 2) (a 4x4 map in 2x2 windows with stride 2 gives 2x2 cells); got shape "
        f"{result.shape}."), hints=[
        (poolviz.average_pool2d(EXERCISE_1_MAP, 2),
         "that is average pooling; max pooling keeps the largest value of each window"),
        (expected.T, "rows and columns are swapped: the top-right output cell comes from rows 0-1 and columns 2-3"),
    ], otherwise=f"output cell(s) {off} are off; output cell (i, j) is the max of input rows "
                 f"2i..2i+1 and columns 2j..2j+1",
        correct="each output cell keeps the largest of the four values in its window.")


@exercise("give the 2x2 result of MaxPooling2D(2, padding='same') on EXERCISE_2_MAP.")
def check_same_padding_max(answer):
    """Exercise 2: ``MaxPooling2D(2, padding="same")`` on :data:`EXERCISE_2_MAP`."""
    result, expected = _as_array(answer), poolviz.max_pool2d(EXERCISE_2_MAP, 2, padding="same")
    _grade(result, expected, same=_close, shown=f"\n{result}\n", wrong_shape=(
        f"the pooled map has shape (2, 2) (with 'same' padding each side has ceil(3 / 2) = 2 "
        f"cells); got shape {result.shape}."), hints=[
        (poolviz.max_pool2d(np.pad(EXERCISE_2_MAP, ((0, 1), (0, 1))), 2),
         "you filled the padding with zeros, and 0 beats every negative value; Keras ignores "
         "padded cells, as if they were -infinity"),
        (poolviz.max_pool2d(EXERCISE_2_MAP[::-1, ::-1], 2, padding="same")[::-1, ::-1],
         "here the one padded row and column go after the map (bottom and right: an odd padded "
         "cell always goes after), not before it"),
        (poolviz.average_pool2d(EXERCISE_2_MAP, 2, padding="same"),
         "that is average pooling; max pooling keeps the largest real value of each window"),
        (expected.T, "rows and columns are swapped: the top-right cell comes from rows 0-1 and column 2"),
    ], otherwise="the windows cover rows 0-1 and row 2 plus one padded row, and the same for the "
                 "columns; take the max of the real cells only",
        correct="padded cells take no part in the max, so windows that hang over the edge keep "
                "the largest real value, even when it is negative.")


def _routed_gradient(feature_map, upstream, rule, pool=2):
    """Each window's upstream value given to the ``"first"`` or ``"last"`` tied maximum, ``"split"`` over them, in
    ``"all"`` of them, or ``"spread"`` over the window."""
    feature_map = np.asarray(feature_map, dtype=np.float64)
    gradient = np.zeros_like(feature_map)
    for row, col in np.ndindex(np.shape(upstream)):
        rows, cols = slice(row * pool, (row + 1) * pool), slice(col * pool, (col + 1) * pool)
        window = feature_map[rows, cols]
        tied = np.flatnonzero(window == window.max())
        chosen = {"first": np.argmax(window), "last": tied[-1:], "all": tied, "split": tied, "spread": slice(None)}
        share = np.zeros(window.size)
        share[chosen[rule]] = {"split": 1 / len(tied), "spread": 1 / window.size}.get(rule, 1.0)
        gradient[rows, cols] += upstream[row, col] * share.reshape(window.shape)
    return gradient


def _max_pool_gradient_reference(feature_map, upstream, pool=2):
    """Gradient of ``sum(upstream * max_pool2d(feature_map, pool))`` with respect to ``feature_map`` (valid padding,
    stride = pool), as TensorFlow on the x86-64 CPU computes it.

    Each window passes its upstream gradient to its largest cell; on a tie (where any non-negative split is a valid
    subgradient) TensorFlow's CPU kernel gives it all to the first in reading order (``np.argmax`` order).

    >>> _max_pool_gradient_reference(np.array([[1.0, 5.0], [5.0, 2.0]]), np.array([[7.0]]))
    array([[0., 7.],
           [0., 0.]])
    """
    return _routed_gradient(feature_map, np.asarray(upstream, dtype=np.float64), "first", pool)


_GRADIENT_CASES = [
    ("EXERCISE_1_MAP with upstream ones((2, 2))", np.array(EXERCISE_1_MAP), np.ones((2, 2))),
    ("np.arange(16.0).reshape(4, 4)[::-1] with upstream [[1, 2], [3, 4]]", np.arange(16.0).reshape(4, 4)[::-1],
     np.array([[1.0, 2.0], [3.0, 4.0]])),
    ("a 5x5 map (the last row and column are in no window) with upstream ones((2, 2))",
     np.arange(25.0).reshape(5, 5) % 7, np.ones((2, 2))),
    ("the tutorial's 6x6 line feature map (ties in every window) with upstream ones((3, 3))", data.line_feature_map(),
     np.ones((3, 3))),
    ("a 4x6 map of negative values with upstream [[1, 2, 3], [4, 5, 6]]",
     -1.0 - np.arange(24.0).reshape(4, 6) % 5, np.arange(1.0, 7.0).reshape(2, 3)),
]
_TF_CHOICE = ("this check asks for TensorFlow's choice as measured in section 5 (x86-64 CPU): all of it to the first "
              "tied cell in reading order (np.argmax order)")
#: The usual wrong gradients, as :func:`_routed_gradient` rules or functions of a case, and their hints.
_GRADIENT_MISTAKES = [(lambda m, up, rule=rule: _routed_gradient(m, up, rule), hint + ".") for rule, hint in [
    ("split", "On a tie you split the upstream value evenly over the tied cells. That is a valid choice (any split "
              "into non-negative shares is a subgradient), but " + _TF_CHOICE),
    ("last", "On a tie you gave the upstream value to the last tied cell. That is a valid choice too (with a tie, any "
             "non-negative split is a subgradient), but " + _TF_CHOICE),
    ("spread", "You spread each upstream value evenly over its window: that is average pooling's gradient; max "
               "pooling sends it all to the winning cell"),
    ("all", "On a tie you gave the full upstream value to every tied cell, so the window passes on more than it "
            "received; give it to one of them: " + _TF_CHOICE)]] + [
    (lambda m, up: _routed_gradient(m, np.ones_like(up), "first"),
     "You put 1 at each winning cell; it gets its window's upstream value."),
    (lambda m, up: _routed_gradient(m, up.T, "first"),
     "The rows and columns of upstream are swapped: upstream[i, j] belongs to the window in row i, column j."),
    (lambda m, up: _routed_gradient(m, up[:, :len(up)], "first"),
     "The map is not square: loop over upstream.shape[1] for the columns."),
    (lambda m, up: _routed_gradient(m, up * (poolviz.max_pool2d(m) > 0), "first"), "A window of values all 0 or "
     "negative got nothing: a running maximum that starts at 0 never picks one of its cells; start from the window's "
     "first value."),
]


@exercise("write max_pool_gradient(feature_map, upstream) and pass the function itself (no brackets).")
def check_max_pool_gradient(answer):
    """Exercise 3: the gradient of ``MaxPooling2D(2)``, ``(feature_map, upstream)``."""
    _check_function(
        answer, _GRADIENT_CASES, expected=_max_pool_gradient_reference,
        mistakes=_GRADIENT_MISTAKES,
        shape=lambda result, right, *_: f"The gradient has the shape of the input feature map, {right.shape}.",
        values="Each window sends its upstream value to its largest cell; every other cell gets 0.",
        correct=f"your gradient matches TensorFlow's (CPU) choice on {len(_GRADIENT_CASES)} "
                "cases, including ties and cells that no window covers.")


#: The 4x4 map of exercise 4: a convolution's output before its GELU, negative values included.
EXERCISE_4_MAP = np.array([[1.0, -2.0, -0.3, -2.5],
                           [0.5, -0.3, -1.0, -0.6],
                           [-0.1, -0.2, -1.0, -3.0],
                           [-0.6, -0.4, -2.0, -1.5]])
EXERCISE_4_MAP.setflags(write=False)


def _gelu(x):
    """GELU, exactly: x times the standard normal CDF of x."""
    return x * 0.5 * (1.0 + np.vectorize(math.erf)(np.asarray(x) / math.sqrt(2.0)))


@exercise("give a 2x2 map of True/False: True where GELU then max pooling differs from max pooling then GELU.")
def check_gelu_and_max_order(answer):
    """Exercise 4: where ``MaxPooling2D(2)`` and GELU do not commute on :data:`EXERCISE_4_MAP`."""
    result = _as_array(answer)
    expected = ~np.isclose(poolviz.max_pool2d(_gelu(EXERCISE_4_MAP)), _gelu(poolviz.max_pool2d(EXERCISE_4_MAP)))
    _grade(result, expected.astype(float), shown=f"\n{result.astype(bool)}\n", same=np.array_equal, wrong_shape=(
        f"give one True/False per pooled cell: shape (2, 2); got shape {result.shape}."), hints=[
        (expected.T.astype(float), "rows and columns are swapped: the top-right cell is rows 0-1 and columns 2-3"),
        (lambda r: not r.any(), "GELU goes down between minus infinity and its minimum near -0.75, so unlike ReLU it "
                                "need not commute with max pooling"),
        (lambda r: r[0, 0] != 0, "window (0, 0) has a positive largest value, 1.0: GELU rises from -0.75 on and is "
                                 "below 0 for every negative cell, so both orders keep gelu(1.0)"),
        (lambda r: r[1, 0] != 0, "window (1, 0) is all negative, but its values lie between -0.75 and 0, where GELU "
                                 "still rises: both orders keep gelu(-0.1)"),
        (lambda r: not r[0, 1], "window (0, 1)'s largest value, -0.3, is negative and another cell lies far below "
                                "-0.75: gelu(-2.5) = -0.016 is above gelu(-0.3) = -0.115"),
        (lambda r: not r[1, 1], "window (1, 1)'s largest value, -1.0, is negative and another cell lies far below "
                                "-0.75: gelu(-3.0) = -0.004 is above gelu(-1.0) = -0.159"),
    ], otherwise="in each window compare the GELU of its largest value with the GELU of every other cell (read "
                 "them off the GELU curve of section 5b); the orders differ where another cell's GELU is higher",
        correct="the orders differ where a cell far enough below -0.75 has a higher GELU than the window's largest "
                "value; a window whose values are all at least -0.75 agrees, as with ReLU.")
