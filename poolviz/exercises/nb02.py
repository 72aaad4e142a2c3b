"""Checks for the exercises of ``notebooks/02_detecting_vertical_lines.ipynb``.

>>> check_parameter_count(304)
Correct: each of the 4 filters has 5 * 5 * 3 = 75 weights and 1 bias: 4 * (75 + 1) = 304.
"""

import numpy as np

import poolviz
from poolviz import data
from poolviz._checks import _describe

from ._harness import _as_array, _as_int, _as_pair_of_ints, _correct, _grade, _hint, _unpack_pair, exercise

__all__ = ["check_horizontal_detector", "check_parameter_count", "check_photograph_shapes"]


@exercise("write a 3x3 kernel (a list of 3 rows or an array) that detects horizontal lines.")
def check_horizontal_detector(answer):
    """Exercise 1: a 3x3 kernel that finds the horizontal line."""
    kernel = _as_array(answer, "your kernel")
    if kernel.shape != (3, 3):
        raise AssertionError(f"the kernel should be 3x3, got shape {kernel.shape}.")
    if not np.isfinite(kernel).all():
        raise AssertionError("the kernel contains NaN or infinity.")
    vertical = data.line_feature_map()  # the tutorial's detector on the vertical line
    horizontal, yours_on_vertical = (poolviz.relu(poolviz.conv2d(image, kernel))
                                     for image in (data.horizontal_line(), data.vertical_line()))
    if not np.allclose(horizontal, vertical.T):
        hint = _hint(horizontal, [
            (lambda _: np.allclose(yours_on_vertical, vertical), "that kernel finds the vertical "
             "line, as the tutorial's does; turn it on its side"),
            (lambda h: any(np.allclose(h, np.roll(vertical.T, k, axis=0)) for k in (-1, 1)),
             "the line shows one row off: put the weights in the middle row"),
            (lambda _: (kernel != 0).sum() == 1, "one weight alone: scaled, it answers 3 on the vertical line too"),
            (lambda h: h.max() > 0 and np.allclose(h * 3 / h.max(), vertical.T), f"the pattern "
             f"is right, at {horizontal.max() / 3:g} times the right values: scale the weights"),
        ], "on data.horizontal_line() the feature map should be 3 in rows 2 and 3 and 0 "
           "everywhere else, like the vertical detector's map turned on its side")
        raise AssertionError(f"{hint}. Your feature map:\n{horizontal}")
    on_vertical = yours_on_vertical.max()
    if on_vertical >= 3:
        raise AssertionError(f"it also answers {on_vertical:g} on the vertical line: a horizontal "
                             "detector should answer less there than on a horizontal line (3).")
    what = _hint(kernel, [
        (lambda k: np.array_equal(k, data.VERTICAL_LINE_DETECTOR.T), "It is the tutorial's detector transposed."),
        (lambda k: np.isclose(k.sum(), 0.0), "Its weights add up to 0, like the -1 2 -1 filter of section 4 turned on "
         "its side: 0 on flat areas; it answers where a row is brighter than the mean of the rows above and below it."),
    ], "It is not the tutorial's detector transposed (data.VERTICAL_LINE_DETECTOR.T), but gives its map here.")
    _correct(f"3 on the horizontal line, at most {on_vertical:g} on the vertical one. {what}")


def _conv2d_parameter_count(filters, kernel_size, in_channels, use_bias=True):
    """Weights plus biases of a Keras ``Conv2D`` layer."""
    weights = filters * kernel_size[0] * kernel_size[1] * in_channels
    return weights + (filters if use_bias else 0)


@exercise("how many parameters has Conv2D(4, (5, 5)) on an RGB image?")
def check_parameter_count(answer):
    """Exercise 2: parameters of ``Conv2D(4, (5, 5))`` on a 3-channel (RGB) image."""
    expected = _conv2d_parameter_count(4, (5, 5), 3)
    _grade(_as_int(answer), expected, hints=[
        (_conv2d_parameter_count(4, (5, 5), 1), "an RGB image has 3 channels, and each filter "
                                               "has one 5x5 slice of weights per input channel"),
        (_conv2d_parameter_count(4, (5, 5), 3, use_bias=False), "add the biases: one per filter"),
        (expected - 4 + 1, "each filter has its own bias, not one for the whole layer"),
        (_conv2d_parameter_count(1, (5, 5), 3), "that is one filter; the layer has 4"),
        (expected - 4 + 12, "one bias per filter, not per filter and channel"),
        (expected - 4 + 3, "one bias per filter (4), not per input channel (3)"),
        (_conv2d_parameter_count(4, (1, 1), 3), "each filter has 5 * 5 weights per input channel"),
        (_conv2d_parameter_count(4, (5, 5), 1, use_bias=False), "each filter has 5 * 5 weights per input "
                                                               "channel (an RGB image has 3), and one bias"),
        (_conv2d_parameter_count(3, (5, 5), 3), "the layer has 4 filters; 3 is the number of input channels"),
    ], otherwise="count, per filter, 5 * 5 weights for each input channel, plus one bias; then "
                 "multiply by the number of filters",
        correct=f"each of the 4 filters has 5 * 5 * 3 = 75 weights and 1 bias: 4 * (75 + 1) = {expected}.")


#: ``data.photograph(downscale=3).shape`` (600 // 3, 512 // 3), and exercise 3's filter size (6: both map sides odd).
EXERCISE_3_PHOTO_SHAPE, EXERCISE_3_KERNEL = (200, 170), 6


def _photograph_shapes():
    """(feature map shape, pooled shape) of exercise 3: 6x6 filter, 2x2 max pooling."""
    feature = tuple(n - EXERCISE_3_KERNEL + 1 for n in EXERCISE_3_PHOTO_SHAPE)
    return feature, poolviz.pooled_shape(feature, 2)


@exercise("give ((feature map rows, cols), (pooled rows, cols)) for the 200x170 photograph and a 6x6 filter.")
def check_photograph_shapes(answer):
    """Exercise 3: (feature map shape, pooled shape) of the photograph, 6x6 filter."""
    feature, pooled = _unpack_pair(answer, "give two shapes, like ((rows, cols), (rows, cols)), "
                                           f"got {_describe(answer)}")
    feature, pooled = _as_pair_of_ints(feature, "the feature map shape"), _as_pair_of_ints(pooled, "the pooled shape")
    (rows, cols), (right_feature, right_pooled) = EXERCISE_3_PHOTO_SHAPE, _photograph_shapes()
    swapped = (f"rows and columns are swapped: the photograph is {rows} rows by {cols} columns, "
               "and a shape gives the rows first")
    _grade(feature, right_feature, shown=f"the feature map shape {feature}", hints=[
        (right_feature[::-1], swapped),
        ((rows, cols), "without padding the filter must fit entirely inside the photo, so the "
                       "border rows and columns are lost"),
        ((rows - 2, cols - 2), "that is what a 3x3 filter gives; a 6x6 filter loses 6 - 1 = 5 rows and columns"),
        ((rows - 6, cols - 6), "a 6x6 filter fits at n - 6 + 1 positions per side, not n - 6"),
        (lambda shape: shape[0] == shape[1], f"the photograph is not square: {rows} rows but "
                                             f"{cols} columns, and each side loses 5"),
    ], otherwise="a valid 6x6 convolution gives (rows - 5, cols - 5)")
    _grade(pooled, right_pooled, shown=f"the pooled shape {pooled}", hints=[
        ((rows // 2, cols // 2), "pool the feature map, not the photograph"),
        (right_pooled[::-1], swapped),
        (tuple(n - 1 for n in right_pooled), "the '+ 1' is missing: floor((n - 2) / 2) + 1, "
                                             "rounding down, counts the first window too"),
        (tuple(n + 1 for n in right_pooled), "round down: both sides are odd, and a last window "
                                             "that would stick out past the edge is dropped"),
    ], otherwise="2x2 pooling with stride 2 halves each side of the feature map, rounding down: "
                 "floor((n - 2) / 2) + 1")
    _correct(f"{rows}x{cols} -> {right_feature[0]}x{right_feature[1]} after the 6x6 filter -> "
             f"{right_pooled[0]}x{right_pooled[1]} after 2x2 pooling (rounding down).")
