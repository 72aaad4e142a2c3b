"""Checks for the exercises of ``notebooks/04_max_pooling.ipynb``.

>>> check_max_pool_by_hand(None)
Not answered yet: give the 2x2 max-pooled map of EXERCISE_1_MAP (pool 2, stride 2).
>>> check_max_pool_by_hand([[0.9, 0.7], [0.3, 0.8]])
Correct: each output cell keeps the largest of the four values in its window.
"""

from __future__ import annotations

import numpy as np

import poolviz
from poolviz import data

from ._harness import _check_function, _correct, _not_answered, _real_array

__all__ = [
    "EXERCISE_1_MAP",
    "EXERCISE_2_MAP",
    "check_max_pool_by_hand",
    "check_max_pool_gradient",
    "check_same_padding_max",
    "max_pool_gradient_reference",
]

#: The 4x4 map of exercise 1: max and average pooling give different answers.
EXERCISE_1_MAP = np.array([
    [0.2, 0.9, 0.0, 0.4],
    [0.5, 0.1, 0.7, 0.3],
    [0.0, 0.0, 0.6, 0.8],
    [0.3, 0.0, 0.2, 0.1],
])
EXERCISE_1_MAP.setflags(write=False)

#: The 3x3 map of exercise 2: every value is negative, so zero padding shows.
EXERCISE_2_MAP = np.array([
    [-4.0, -2.0, -7.0],
    [-1.0, -5.0, -3.0],
    [-6.0, -8.0, -9.0],
])
EXERCISE_2_MAP.setflags(write=False)


def _wrong_shape(expected, got, why):
    return AssertionError(f"the pooled map has shape {expected.shape} ({why}); got shape {got.shape}.")


# --------------------------------------------------------------------------
# Exercise 1: max pooling by hand
# --------------------------------------------------------------------------
def check_max_pool_by_hand(answer):
    """Exercise 1: ``MaxPooling2D(2)`` on :data:`EXERCISE_1_MAP`, worked out by hand."""
    if _not_answered(answer, "give the 2x2 max-pooled map of EXERCISE_1_MAP (pool 2, stride 2)."):
        return
    result = _real_array(answer)
    expected = poolviz.max_pool2d(EXERCISE_1_MAP, 2)
    if result.shape != expected.shape:
        raise _wrong_shape(expected, result, "a 4x4 map in 2x2 windows with stride 2 gives 2x2 cells")
    if np.allclose(result, expected):
        _correct("each output cell keeps the largest of the four values in its window.")
        return
    if np.allclose(result, poolviz.average_pool2d(EXERCISE_1_MAP, 2)):
        hint = "that is average pooling; max pooling keeps the largest value of each window"
    elif np.allclose(result, expected.T):
        hint = ("rows and columns are swapped: the top-right output cell comes from "
                "rows 0-1 and columns 2-3")
    else:
        wrong = [tuple(int(i) for i in index)
                 for index in np.argwhere(~np.isclose(result, expected))]
        hint = (f"output cell(s) {wrong} are off; output cell (i, j) is the max of input "
                f"rows 2i..2i+1 and columns 2j..2j+1")
    raise AssertionError(f"\n{result}\nis not right: {hint}.")


# --------------------------------------------------------------------------
# Exercise 2: same padding on an all-negative map
# --------------------------------------------------------------------------
def _zero_padded_max(feature_map, pool=2):
    """What max pooling with ``same`` padding would give if padding were zeros."""
    out = -(-np.array(feature_map.shape) // pool)
    padded = np.zeros(out * pool)
    padded[:feature_map.shape[0], :feature_map.shape[1]] = feature_map
    return poolviz.max_pool2d(padded, pool)


def check_same_padding_max(answer):
    """Exercise 2: ``MaxPooling2D(2, padding="same")`` on :data:`EXERCISE_2_MAP`."""
    if _not_answered(answer, "give the 2x2 result of MaxPooling2D(2, padding='same') "
                             "on EXERCISE_2_MAP."):
        return
    result = _real_array(answer)
    expected = poolviz.max_pool2d(EXERCISE_2_MAP, 2, padding="same")
    if result.shape != expected.shape:
        raise _wrong_shape(expected, result, "with 'same' padding each side has ceil(3 / 2) = 2 cells")
    if np.allclose(result, expected):
        _correct("padded cells take no part in the max, so windows that hang over the "
                 "edge keep the largest real value, even when it is negative.")
        return
    if np.allclose(result, _zero_padded_max(EXERCISE_2_MAP)):
        hint = ("you filled the padding with zeros, and 0 beats every negative value; "
                "Keras ignores padded cells, as if they were -infinity")
    elif np.allclose(result, poolviz.max_pool2d(EXERCISE_2_MAP[::-1, ::-1], 2, padding="same")[::-1, ::-1]):
        hint = ("here the one padded row and column go after the map (bottom and right: "
                "an odd padded cell always goes after), not before it")
    else:
        hint = ("the windows cover rows 0-1 and row 2 plus one padded row, and the same "
                "for the columns; take the max of the real cells only")
    raise AssertionError(f"\n{result}\nis not right: {hint}.")


# --------------------------------------------------------------------------
# Exercise 3: where the gradient of max pooling goes
# --------------------------------------------------------------------------
def max_pool_gradient_reference(feature_map, upstream, pool=2):
    """Gradient of ``sum(upstream * max_pool2d(feature_map, pool))`` with respect
    to ``feature_map`` (valid padding, stride = pool), as TensorFlow on the CPU
    computes it.

    Each window passes its upstream gradient to one cell: the largest. On a tie
    the maximum has no single derivative, and any split of the upstream value
    over the tied cells is a valid subgradient; TensorFlow's CPU kernel (and
    this function) gives all of it to the first tied cell in reading order
    (``np.argmax`` order). Cells that no window covers get 0.

    >>> max_pool_gradient_reference(np.array([[1.0, 5.0], [5.0, 2.0]]), np.array([[7.0]]))
    array([[0., 7.],
           [0., 0.]])
    """
    feature_map = np.asarray(feature_map, dtype=np.float64)
    upstream = np.asarray(upstream, dtype=np.float64)
    gradient = np.zeros_like(feature_map)
    for row in range(upstream.shape[0]):
        for col in range(upstream.shape[1]):
            window = feature_map[row * pool:(row + 1) * pool, col * pool:(col + 1) * pool]
            winner_row, winner_col = np.unravel_index(np.argmax(window), window.shape)
            gradient[row * pool + winner_row, col * pool + winner_col] += upstream[row, col]
    return gradient


def _average_pool_gradient(feature_map, upstream, pool=2):
    """The wrong answer that spreads every upstream value evenly, like average pooling."""
    gradient = np.zeros(np.shape(feature_map))
    spread = np.kron(np.asarray(upstream, dtype=np.float64), np.ones((pool, pool))) / pool**2
    gradient[:spread.shape[0], :spread.shape[1]] = spread
    return gradient


def _all_winners_gradient(feature_map, upstream, pool=2):
    """The wrong answer that gives the full upstream value to every tied maximum."""
    return _tie_gradient(feature_map, upstream, "all", pool)


def _tie_gradient(feature_map, upstream, rule, pool=2):
    """Answers that differ from TensorFlow only on ties: ``"all"`` gives the full
    upstream value to every tied cell (wrong: the window passes on more than it
    got), ``"split"`` shares it evenly among them, ``"last"`` gives it to the
    last tied cell in reading order."""
    feature_map = np.asarray(feature_map, dtype=np.float64)
    gradient = np.zeros_like(feature_map)
    for row in range(upstream.shape[0]):
        for col in range(upstream.shape[1]):
            rows = slice(row * pool, (row + 1) * pool)
            cols = slice(col * pool, (col + 1) * pool)
            window = feature_map[rows, cols]
            winners = window == window.max()
            if rule == "last":
                winners = np.zeros(window.size, dtype=bool)
                winners[np.flatnonzero((window == window.max()).ravel())[-1]] = True
                winners = winners.reshape(window.shape)
            share = upstream[row, col] / (winners.sum() if rule == "split" else 1)
            gradient[rows, cols] += np.where(winners, share, 0.0)
    return gradient


_GRADIENT_CASES = [
    # (description, feature map, upstream gradient)
    ("EXERCISE_1_MAP with upstream ones((2, 2))", np.array(EXERCISE_1_MAP), np.ones((2, 2))),
    ("np.arange(16.0).reshape(4, 4)[::-1] with upstream [[1, 2], [3, 4]]",
     np.arange(16.0).reshape(4, 4)[::-1], np.array([[1.0, 2.0], [3.0, 4.0]])),
    ("a 5x5 map (the last row and column are in no window) with upstream ones((2, 2))",
     np.arange(25.0).reshape(5, 5) % 7, np.ones((2, 2))),
    ("the tutorial's 6x6 line feature map (ties in every window) with upstream ones((3, 3))",
     data.line_feature_map(), np.ones((3, 3))),
]


def _gradient_wrong_shape(result, expected, feature_map, upstream):
    return (f"the gradient must have the shape of the input feature map, {expected.shape}; "
            f"got {result.shape}.")


def _gradient_wrong_values(result, expected, feature_map, upstream):
    if np.allclose(result, _tie_gradient(feature_map, upstream, "split")):
        hint = ("on a tie you split the upstream value evenly over the tied cells. That is "
                "a valid choice (any split that adds up to the upstream value is a "
                "subgradient), but this check asks for TensorFlow's CPU choice: all of it "
                "to the first tied cell in reading order (np.argmax order)")
    elif np.allclose(result, _tie_gradient(feature_map, upstream, "last")):
        hint = ("on a tie you gave the upstream value to the last tied cell. That is a "
                "valid choice too (with a tie, any split is a subgradient), but this check "
                "asks for TensorFlow's CPU choice: the first tied cell in reading order "
                "(np.argmax order)")
    elif np.allclose(result, _average_pool_gradient(feature_map, upstream)):
        hint = ("you spread each upstream value evenly over its window: that is "
                "average pooling's gradient; max pooling sends it all to the winning cell")
    elif np.allclose(result, _all_winners_gradient(feature_map, upstream)):
        hint = ("on a tie you gave the full upstream value to every tied cell, so the "
                "window passes on more than it received; give it to one of them: this "
                "check asks for TensorFlow's CPU choice, the first in reading order "
                "(np.argmax order)")
    else:
        hint = "each window sends its upstream value to its largest cell; every other cell gets 0"
    return f"the gradient should be\n{expected}\ngot\n{result}\n{hint}."


def check_max_pool_gradient(answer):
    """Exercise 3: a function ``(feature_map, upstream) -> gradient`` for
    ``MaxPooling2D(2)`` (valid padding), matching TensorFlow's CPU choice on ties."""
    _check_function(
        answer, "write max_pool_gradient(feature_map, upstream)", _GRADIENT_CASES,
        expected=max_pool_gradient_reference,
        wrong_shape=_gradient_wrong_shape, wrong_values=_gradient_wrong_values,
        correct=f"your gradient matches TensorFlow's (CPU) choice on {len(_GRADIENT_CASES)} "
                "cases, including ties and cells that no window covers.")
