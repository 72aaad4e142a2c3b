"""The exercise checks of notebooks 01-03, and their worked solutions.

A check must accept the worked solution, refuse the typical wrong answers
with the hint written for them, print a hint (not raise) for ``None`` so a
notebook with open exercises runs, and never import TensorFlow. The facts
the checks rely on (output sizes, parameter counts, padding placement) are
also tested against Keras itself.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import poolviz
from poolviz import data
from poolviz.exercises import nb01, nb02, nb03

from solutions import load_solutions  # tests/solutions.py

ROOT = Path(__file__).resolve().parents[1]


SOLUTIONS = {key: load_solutions(f"{key}_solutions") for key in ("01", "02", "03")}

CHECKS = {
    ("01", 1): nb01.check_output_sizes,
    ("01", 2): nb01.check_unchanged_after_shift,
    ("01", 3): nb01.check_pool_each_map,
    ("02", 1): nb02.check_horizontal_detector,
    ("02", 2): nb02.check_parameter_count,
    ("02", 3): nb02.check_photograph_shapes,
    ("03", 1): nb03.check_same_padding_bottom_row,
    ("03", 2): nb03.check_cells_never_used,
    ("03", 3): nb03.check_average_pool_same,
}


def _assert_refused(check, answer, *fragments):
    """``check(answer)`` raises AssertionError whose message has every fragment."""
    with pytest.raises(AssertionError) as caught:
        check(answer)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message


# --------------------------------------------------------------------------
# Every check
# --------------------------------------------------------------------------
def test_exercise_modules_do_not_import_tensorflow_keras_or_widgets():
    code = ("import sys; import poolviz.exercises.nb01, poolviz.exercises.nb02, "
            "poolviz.exercises.nb03; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


@pytest.mark.parametrize("key", sorted(CHECKS), ids=lambda key: f"{key[0]}-ex{key[1]}")
def test_unanswered_exercise_prints_a_hint_and_returns(key, capsys):
    assert CHECKS[key](None) is None
    printed = capsys.readouterr().out
    assert printed.startswith("Not answered yet: ")
    assert printed.count("\n") == 1


@pytest.mark.parametrize("key", sorted(CHECKS), ids=lambda key: f"{key[0]}-ex{key[1]}")
def test_worked_solution_is_accepted(key, capsys):
    notebook, exercise = key
    CHECKS[key](getattr(SOLUTIONS[notebook], f"answer_{exercise}"))
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("key", sorted(CHECKS), ids=lambda key: f"{key[0]}-ex{key[1]}")
def test_a_string_is_refused_with_a_message(key):
    with pytest.raises(AssertionError) as caught:
        CHECKS[key]("no idea")
    assert len(str(caught.value)) > 20


def test_solution_files_check_themselves_when_run():
    for key in SOLUTIONS:
        result = subprocess.run([sys.executable, f"notebooks/solutions/{key}_solutions.py"],
                                capture_output=True, text=True, cwd=ROOT, check=True)
        assert result.stdout.count("Correct: ") == 3, result.stdout


# --------------------------------------------------------------------------
# Notebook 01
# --------------------------------------------------------------------------
def test_01_output_sizes_answer_is_13_and_14():
    nb01.check_output_sizes((13, 14))
    nb01.check_output_sizes([13.0, 14])


@pytest.mark.parametrize("answer, fragment", [
    ((14, 14), "'valid' drops windows that do not fit"),
    ((12, 14), "the '+ 1'"),
    ((26, 14), "stride 1"),
    ((13, 13), "ceil(n / stride)"),
    ((13, 28), "only when stride is 1"),
    ((13, 15), "the pool size does not matter"),
    ((13,), "a pair of whole numbers"),
    ((13.5, 14), "whole number"),
    ((True, 14), "bool"),
])
def test_01_output_sizes_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb01.check_output_sizes, answer, fragment)


def test_01_unchanged_counts_of_the_line_are_6_then_3():
    assert nb01.unchanged_after_shift(0) == 9
    assert nb01.unchanged_after_shift(1) == 6
    assert nb01.unchanged_after_shift(2) == 3


@pytest.mark.parametrize("answer, fragment", [
    (6, "number of outputs that changed"),
    (9, "not all of them"),
    (12, "only 9 cells"),
    (4, "count the cells where before == after"),
])
def test_01_unchanged_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb01.check_unchanged_after_shift, answer, fragment)


def _pool_all_channels_together(batch):
    pooled = poolviz.max_pool2d(batch)
    return np.broadcast_to(pooled.max(axis=-1, keepdims=True), pooled.shape)


def _pool_with_zero_start(batch):
    pooled = poolviz.max_pool2d(batch)
    return np.maximum(pooled, 0.0)


def _pool_with_same_padding(batch):
    return poolviz.max_pool2d(batch, padding="same")


@pytest.mark.parametrize("function, fragments", [
    (_pool_all_channels_together, ["channels too"]),
    (_pool_with_zero_start, ["all-negative", "Starting a running maximum at 0"]),
    (_pool_with_same_padding, ["odd size", "'valid'"]),
    (lambda batch: poolviz.max_pool2d(batch)[..., :1], ["channels must stay separate"]),
    (lambda batch: 1 / 0, ["raised ZeroDivisionError"]),
    (42, ["should be a function"]),
])
def test_01_pool_each_map_refuses_typical_mistakes(function, fragments):
    _assert_refused(nb01.check_pool_each_map, function, *fragments)


def _pool_without_return(batch):
    poolviz.max_pool2d(batch)  # the result is computed, then lost


@pytest.mark.parametrize("function, fragments", [
    (_pool_without_return, ["your function returned None", "`return` statement missing"]),
    (lambda batch: poolviz.max_pool2d(batch, 2, 1),
     ["should have shape (1, 3, 3, 2), got (1, 5, 5, 2)",
      "The layout (batch, rows, cols, channels) is right, but the sizes are not"]),
    (lambda batch: poolviz.max_pool2d(batch) + 1j,
     ["your function's result should hold real numbers, got complex values"]),
])
def test_01_pool_each_map_diagnoses_the_real_mistake(function, fragments):
    _assert_refused(nb01.check_pool_each_map, function, *fragments)


def test_01_pool_each_map_layout_hint_only_when_the_layout_is_wrong():
    with pytest.raises(AssertionError) as caught:
        nb01.check_pool_each_map(lambda batch: poolviz.max_pool2d(batch).transpose(0, 3, 1, 2))
    assert "Keep the layout (batch, rows, cols, channels)" in str(caught.value)
    assert "is right" not in str(caught.value)


def test_01_pool_each_map_accepts_a_float32_result(capsys):
    nb01.check_pool_each_map(lambda batch: poolviz.max_pool2d(batch.astype(np.float32)))
    assert capsys.readouterr().out.startswith("Correct: ")
    # ... but not a result that is wrong in the 5th digit.
    with pytest.raises(AssertionError, match="differs from poolviz.max_pool2d"):
        nb01.check_pool_each_map(lambda batch: poolviz.max_pool2d(batch) * (1 + 1e-5))


def test_01_pool_each_map_does_not_let_the_student_change_the_test_inputs():
    def destructive(batch):
        result = poolviz.max_pool2d(batch)
        batch[...] = 0
        return result

    nb01.check_pool_each_map(destructive)
    nb01.check_pool_each_map(poolviz.max_pool2d)


# --------------------------------------------------------------------------
# Notebook 02
# --------------------------------------------------------------------------
def test_02_horizontal_detector_is_the_transposed_tutorial_detector():
    nb02.check_horizontal_detector(data.VERTICAL_LINE_DETECTOR.T)
    nb02.check_horizontal_detector(data.VERTICAL_LINE_DETECTOR.T.tolist())


@pytest.mark.parametrize("kernel, fragment", [
    (data.VERTICAL_LINE_DETECTOR, "finds the vertical line"),
    (np.ones((3, 3)), "3 in rows 2 and 3"),
    (np.ones((2, 2)), "should be 3x3"),
    ([[0, 0, 0], [1, 1, 1], [0, 0, np.nan]], "NaN"),
    # right on the horizontal line, but 4 on the vertical one: not a horizontal detector
    ([[-1, 2, -1], [1, 1, 1], [-1, 2, -1]], "answers 4 on the vertical line"),
])
def test_02_horizontal_detector_wrong_kernels_get_their_hint(kernel, fragment):
    _assert_refused(nb02.check_horizontal_detector, kernel, fragment)


def test_02_horizontal_detector_says_what_a_correct_kernel_is(capsys):
    nb02.check_horizontal_detector(data.VERTICAL_LINE_DETECTOR.T)
    assert "It is the tutorial's detector transposed." in capsys.readouterr().out
    zero_sum = [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]
    nb02.check_horizontal_detector(zero_sum)
    printed = capsys.readouterr().out
    assert printed.startswith("Correct: ") and "transposed." not in printed
    assert "Its weights add up to 0" in printed
    other = [[1, -1, 0], [1, 1, 1], [0, 0, 0]]  # 3 on the line, not the transposed detector
    nb02.check_horizontal_detector(other)
    printed = capsys.readouterr().out
    assert "It is not the tutorial's detector transposed" in printed


def test_02_horizontal_detector_refuses_complex_kernels():
    kernel = data.VERTICAL_LINE_DETECTOR.T + 1j  # right once the imaginary part is dropped
    _assert_refused(nb02.check_horizontal_detector, kernel,
                    "your kernel should hold real numbers, got complex values")
    _assert_refused(nb02.check_horizontal_detector, kernel.tolist(), "complex values")


@pytest.mark.parametrize("answer, fragment", [
    (104, "3 channels"),
    (300, "add the biases"),
    (301, "its own bias"),
    (76, "that is one filter"),
    (312, "not per filter and channel"),
    (250, "plus one bias"),
])
def test_02_parameter_count_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb02.check_parameter_count, answer, fragment)


def test_02_photograph_shape_of_the_exercise_is_the_real_one():
    assert data.photograph(downscale=3).shape == nb02.EXERCISE_3_PHOTO_SHAPE
    feature = poolviz.conv2d(data.photograph(downscale=3), np.ones((5, 5)))
    assert (feature.shape, poolviz.max_pool2d(feature).shape) == nb02.photograph_shapes()
    assert nb02.photograph_shapes() == ((196, 166), (98, 83))


@pytest.mark.parametrize("answer, fragment", [
    (((200, 170), (100, 85)), "border rows and columns are lost"),
    (((198, 168), (99, 84)), "3x3 filter"),
    (((195, 165), (97, 82)), "n - 5 + 1"),
    (((196, 166), (100, 85)), "pool the feature map"),
    (((196, 166), (97, 82)), "rounding down"),
    ((196, 166), "a pair of whole numbers"),
    ("shape", "give two shapes"),
])
def test_02_photograph_shapes_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb02.check_photograph_shapes, answer, fragment)


# --------------------------------------------------------------------------
# Notebook 03
# --------------------------------------------------------------------------
def test_03_bottom_row_is_18_19_5_21():
    np.testing.assert_array_equal(
        poolviz.average_pool2d(nb03.EXERCISE_1_MAP, 3, 2, padding="same")[-1], [18.0, 19.5, 21.0])
    assert poolviz.same_padding(5, 3, 2) == (1, 1)


@pytest.mark.parametrize("answer, fragment", [
    ([8.0, 13.0, 84 / 9], "counting the padded cells as zeros"),
    ([21.0, 23.0, 24.0], "1 before and 1 after"),
    ([3.0, 4.5, 6.0], "that is the top row"),
    ([18.0, 19.5], "bottom row has 3 numbers"),
    ([18.0, 19.5, 22.0], "poolviz.same_padding(5, 3, 2)"),
])
def test_03_bottom_row_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb03.check_same_padding_bottom_row, answer, fragment)


def test_03_bottom_row_refuses_complex_numbers():
    _assert_refused(nb03.check_same_padding_bottom_row, [18.0 + 2j, 19.5, 21.0],
                    "should hold real numbers, got complex values")


def test_03_cells_never_used_counts_cells_outside_every_window():
    assert nb03.cells_never_used() == 20
    assert nb03.cells_never_used((6, 6), 2, 2) == 0
    assert nb03.cells_never_used((7, 7), 2, 2) == 13  # last row and column


@pytest.mark.parametrize("answer, fragment", [
    (16, "the windows DO cover"),
    (0, "jumps over one row"),
    (24, "do not count it twice"),
    (12, "count the cells outside both"),
])
def test_03_cells_never_used_wrong_answers_get_their_hint(answer, fragment):
    _assert_refused(nb03.check_cells_never_used, answer, fragment)


def _average_counting_padding(feature_map, pool, stride):
    rows, cols = feature_map.shape
    out = (-(-rows // stride), -(-cols // stride))
    top, bottom = poolviz.same_padding(rows, pool, stride)
    left, right = poolviz.same_padding(cols, pool, stride)
    padded = np.pad(feature_map, ((top, bottom), (left, right)))
    return poolviz.average_pool2d(padded, pool, stride)[:out[0], :out[1]]


def _average_same_padding_misplaced(place):
    def average_pool_same(feature_map, pool, stride):
        pads = []
        for n in feature_map.shape:
            total = sum(poolviz.same_padding(n, pool, stride))
            pads.append((0, total) if place == "all after" else (total - total // 2, total // 2))
        padded = np.pad(feature_map, pads, constant_values=np.nan)
        rows = (padded.shape[0] - pool) // stride + 1
        cols = (padded.shape[1] - pool) // stride + 1
        return np.array([[np.nanmean(padded[i * stride:i * stride + pool, j * stride:j * stride + pool])
                          for j in range(cols)] for i in range(rows)])
    return average_pool_same


def _average_same_without_return(feature_map, pool, stride):
    poolviz.average_pool2d(feature_map, pool, stride, padding="same")


@pytest.mark.parametrize("function, fragments", [
    (_average_same_padding_misplaced("all after"),
     ["The padding is in the wrong place", "only an odd extra cell goes after",
      "poolviz.same_padding(6, 3, 1) = (1, 1)"]),
    (_average_same_padding_misplaced("odd cell before"),
     ["The padding is in the wrong place", "poolviz.same_padding(5, 2, 2) = (0, 1)"]),
    (_average_same_without_return, ["your function returned None"]),
    (_average_counting_padding, ["divided by the whole window"]),
    (lambda m, pool, stride: poolviz.average_pool2d(m, pool, stride), ["ceil(n / stride)"]),
    (lambda m, pool, stride: poolviz.max_pool2d(m, pool, stride, padding="same"),
     ["should be"]),
])
def test_03_average_pool_same_refuses_typical_mistakes(function, fragments):
    _assert_refused(nb03.check_average_pool_same, function, *fragments)


def test_03_average_pool_same_cases_cover_padding_after_and_on_both_sides():
    placements = {(poolviz.same_padding(m.shape[0], pool, stride),
                   poolviz.same_padding(m.shape[1], pool, stride))
                  for _, m, pool, stride in nb03._CASES}
    sides = {pair for placement in placements for pair in placement}
    assert (0, 1) in sides and (1, 1) in sides and (0, 0) in sides
    assert any(m.shape[0] != m.shape[1] for _, m, _, _ in nb03._CASES)


# --------------------------------------------------------------------------
# The facts behind the checks, against Keras
# --------------------------------------------------------------------------
def test_keras_agrees_with_the_01_output_sizes(keras):
    for padding, expected in (("valid", 13), ("same", 14)):
        layer = keras.layers.MaxPooling2D(3, strides=2, padding=padding, name=f"pool_{padding}")
        assert tuple(layer(np.zeros((1, 28, 28, 1), "float32")).shape) == (1, expected, expected, 1)


def test_keras_counts_304_parameters_for_conv2d_4_5x5_on_rgb(keras):
    inputs = keras.Input((32, 32, 3), name="rgb")
    model = keras.Model(inputs, keras.layers.Conv2D(4, (5, 5), name="conv")(inputs), name="count")
    assert model.count_params() == nb02.conv2d_parameter_count(4, (5, 5), 3) == 304


def test_keras_gives_the_03_bottom_row(keras):
    layer = keras.layers.AveragePooling2D(3, strides=2, padding="same", name="average_same")
    output = keras.ops.convert_to_numpy(layer(nb03.EXERCISE_1_MAP[None, :, :, None]))
    np.testing.assert_allclose(output[0, -1, :, 0], [18.0, 19.5, 21.0])


def test_load_keras_hides_tensorflow_start_up_lines_but_not_later_stderr():
    code = ("import os, sys; os.environ.setdefault('TF_CPP_MIN_LOG_LEVEL', '2'); "
            "os.environ.setdefault('TF_ENABLE_ONEDNN_OPTS', '0'); "
            "from poolviz.keras_bridge import load_keras; keras = load_keras(); "
            "keras.layers.AveragePooling2D(2, name='p')(__import__('numpy').ones((1, 4, 4, 1))); "
            "print('after', file=sys.stderr)")
    pytest.importorskip("tensorflow")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stderr == "after\n"
