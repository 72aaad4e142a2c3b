"""Checks for the exercises of ``notebooks/05_global_pooling.ipynb``.

>>> check_global_shapes(((32, 64), (32, 1, 1, 64)))
Correct: global pooling removes the two spatial axes; keepdims=True keeps them with size 1.
"""

import functools

import numpy as np

import poolviz
from poolviz import data
from poolviz._checks import _describe

from ._harness import (
    _as_array,
    _as_int,
    _as_shape,
    _check_function,
    _grade,
    _hint,
    _names_used,
    _refuse_ready_made,
    _unpack_pair,
    exercise,
)

__all__ = ["EXERCISE_1_BATCH_SHAPE", "check_average_blind_maps", "check_global_average_pool", "check_global_shapes",
           "check_head_parameters"]

#: Exercise 1: a batch of 32 feature maps, 7x7, with 64 channels (channels last).
EXERCISE_1_BATCH_SHAPE = (32, 7, 7, 64)


@exercise("give the two output shapes as a pair of tuples: (without keepdims, with keepdims).")
def check_global_shapes(answer):
    """Exercise 1: ``GlobalAveragePooling2D``'s shapes on (32, 7, 7, 64), keepdims or not."""
    flat, kept = _unpack_pair(answer, f"answer should be a pair of shapes, got {_describe(answer)}")
    if all(isinstance(n, (int, np.integer)) and not isinstance(n, bool) for n in (flat, kept)):
        raise AssertionError(f"{_describe(answer)} is a single shape; give two shapes, like ((a, b), (a, 1, 1, b)).")
    if any(n is None for shape in (flat, kept) if isinstance(shape, (tuple, list)) for n in shape):
        raise AssertionError("Keras prints None for 'any batch size'; here the batch size is 32.")
    shapes = (_as_shape(flat, "the shape without keepdims"), _as_shape(kept, "the shape with keepdims"))
    batch, _, _, channels = EXERCISE_1_BATCH_SHAPE
    right = ((batch, channels), (batch, 1, 1, channels))
    _grade(shapes, right, hints=[
        (right[::-1], "the two shapes are swapped: keepdims=True is the one that keeps four axes"),
        (lambda pair: any(shape[:1] != (batch,) for shape in pair),
         "the batch axis (32) stays first: every image gets its own summary"),
        (lambda pair: pair[0] == right[0], "the shape without keepdims is right; with keepdims the pooled axes stay, "
         "with size 1, in their places (rows and columns come before the channels)"),
        (lambda pair: pair[1] == right[1], "the keepdims shape is right; without it only batch and channels remain"),
    ], otherwise="one number per image and channel is left: the 7x7 grid of each channel becomes a single value",
        correct="global pooling removes the two spatial axes; keepdims=True keeps them with size 1.")


def _head_parameters(input_size=28, filters=16, kernel=3, classes=10):
    """Parameters of ``Dense(classes)`` after a valid ``Conv2D(filters, kernel)``: (after Flatten, after pooling).

    >>> _head_parameters()
    (108170, 170)
    """
    return (input_size - kernel + 1) ** 2 * filters * classes + classes, filters * classes + classes


@exercise("give a pair: (Dense parameters after Flatten, Dense parameters after GlobalAveragePooling2D).")
def check_head_parameters(answer):
    """Exercise 2: parameters of ``Dense(10)`` after Flatten and after global pooling."""
    after_flatten, after_pooling = _unpack_pair(
        answer, f"answer should be a pair of whole numbers (after Flatten, after pooling), got {_describe(answer)}")
    counts = _as_int(after_flatten, "the count after Flatten"), _as_int(after_pooling, "the count after pooling")
    right, conv = _head_parameters(), "count only the Dense layer, not the 160 of the Conv2D"
    hints = [f"after {name}: " + _hint(count, [*more, (good - 10, "the 10 biases of the Dense layer are missing"),
                                               (good + 160, conv)], otherwise)
             for name, count, good, more, otherwise in [
                 ("Flatten", counts[0], right[0], [(_head_parameters(input_size=30)[0], "a 3x3 convolution without "
                                                    "padding turns 28x28 into 26x26, not 28x28")],
                  "the Dense layer sees 26 * 26 * 16 inputs: one weight per input and class, plus one bias per class"),
                 ("pooling", counts[1], right[1], [(330, "330 is section 3's head (32 filters); here there are 16")],
                  "the Dense layer sees one number per channel, 16 of them, whatever the image size")] if count != good]
    _grade(counts, right, hints=[(right[::-1], "the two are swapped: (after Flatten, after global pooling)")],
           otherwise="; ".join(hints),
           correct=f"{right[0]} against {right[1]}: global pooling cuts the head by a factor of "
                   f"{right[0] // right[1]}, and its size no longer depends on the image size.")


_BATCHES = [
    ("a random (3, 5, 7, 4) batch", np.random.default_rng(5).normal(size=(3, 5, 7, 4))),
    ("a (1, 6, 6, 1) batch holding the tutorial's line feature map", data.line_feature_map().reshape(1, 6, 6, 1)),
    ("np.arange(48.0).reshape(2, 4, 3, 2)", np.arange(48.0).reshape(2, 4, 3, 2)),
]

#: Exercise 3's usual mistakes: what each gives on a batch (a shape where that is enough).
_MISTAKES = [
    (lambda batch: batch.shape[:1] + (1, 1) + batch.shape[3:], "That is the keepdims=True shape; drop the 1, 1."),
    (lambda batch: batch.shape[3:], "Keep the batch axis: one row of channel averages per image."),
    (lambda batch: batch.max(axis=(1, 2)), "That is global max pooling; average each channel of each image instead."),
    (lambda batch: batch.sum(axis=(1, 2)), "You added the values up; divide by the number of cells, rows x cols."),
    (lambda batch: batch.sum(axis=(1, 2)) / batch.shape[1]**2, "The maps are not square: divide by rows x cols."),
]


@exercise("write global_average_pool(batch) for a (batch, rows, cols, channels) array; pass the function, no brackets.")
def check_global_average_pool(answer):
    """Exercise 3: ``GlobalAveragePooling2D`` on a channels-last batch, as a function, without mean or average."""
    how = "add up with sum over axes 1 and 2, then divide by rows x cols."
    _refuse_ready_made(answer, ("poolviz", "keras", "tensorflow"), how)
    function = answer.func if isinstance(answer, functools.partial) else answer
    if used := sorted({"mean", "average", "nanmean"} & _names_used(function, set())):
        raise AssertionError(f"you used {used[0]}; the exercise is to average without mean or average: {how}")
    _check_function(answer, _BATCHES, expected=poolviz.global_average_pool2d, mistakes=_MISTAKES,
                    shape="Average over the rows and columns axes (1 and 2) only.",
                    values="Average each channel of each image over all its rows and columns.",
                    correct=f"your function agrees with poolviz.global_average_pool2d on {len(_BATCHES)} batches.")


@exercise("give a pair of 6x6 maps, (first, second), with equal global averages and different global maxima.")
def check_average_blind_maps(answer):
    """Exercise 4: two 6x6 feature maps with the same global average and different global maxima."""
    maps = [_as_array(m, "a map") for m in _unpack_pair(answer, f"give a pair of maps, not {_describe(answer)}")]
    if any(m.shape != (6, 6) for m in maps):
        raise AssertionError(f"each map should be 6x6, got shapes {maps[0].shape} and {maps[1].shape}.")
    (average, other_average), (peak, other_peak) = ([f(m) for m in maps] for f in (np.mean, np.max))
    _grade([np.isclose(average, other_average), np.isclose(peak, other_peak)], [True, False], shown="your pair", hints=[
        (lambda same: not same[0], f"the averages differ, {average:g} and {other_average:g}: give both one total")],
        otherwise=f"both global maxima are {peak:g}: spread one map's total evenly, pile the other's up",
        correct=f"both average {average:g}, maxima {peak:g} and {other_peak:g}: only global max tells them apart.")
