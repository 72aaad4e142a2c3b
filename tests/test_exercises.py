"""The exercise checks of every notebook (01-05 and going further).

A check prints a one-line hint for ``None`` (so a notebook with open
exercises runs), accepts the worked solution, and refuses each typical wrong
answer with the hint written for it; checks whose answer is a function
share one harness, tested here once for all of them; every check answers
hostile answers with a hint. The facts the checks rely on are in
test_exercises_facts.py.
"""

import collections
import doctest
import functools
import importlib.util
import itertools
import runpy
from pathlib import Path

import numpy as np
import pytest

import poolviz
import poolviz.going_further
import poolviz.pooling
from poolviz import data
from poolviz.exercises import going_further as gf
from poolviz.exercises import nb01, nb02, nb03, nb04, nb05

ROOT = Path(__file__).resolve().parents[1]
MODULES = [nb01, nb02, nb03, nb04, nb05, gf]


@functools.cache
def _solutions(path):
    """Import a worked-solutions file (``notebooks/...py``, no package) once."""
    spec = importlib.util.spec_from_file_location(Path(path).stem, ROOT / "notebooks" / path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def assert_refused(check, answer, *fragments):
    """``check(answer)`` raises AssertionError whose message holds every fragment."""
    with pytest.raises(AssertionError) as caught:
        check(answer)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message, message


def _name(check):
    return f"{check.__module__.rsplit('.', 1)[-1]}.{check.__name__}"


# --------------------------------------------------------------------------
# What every check promises
# --------------------------------------------------------------------------
#: Every check, the name of its worked solution and a fragment of its
#: "Not answered yet" hint.
CHECKS = [
    (nb01.check_output_sizes, "answer_1", "rows with valid padding"),
    (nb01.check_unchanged_after_shift, "answer_2", "9 max-pooled"),
    (nb01.check_pool_each_map, "answer_3", "pool_each_map(batch)"),
    (nb02.check_horizontal_detector, "answer_1", "a 3x3 kernel"),
    (nb02.check_parameter_count, "answer_2", "Conv2D(4, (5, 5))"),
    (nb02.check_photograph_shapes, "answer_3", "200x170 photograph"),
    (nb03.check_same_padding_bottom_row, "answer_1", "bottom row"),
    (nb03.check_cells_never_used, "answer_2", "pool 2, stride 3"),
    (nb03.check_average_pool_same, "answer_3", "with loops"),
    (nb04.check_max_pool_by_hand, "answer_1", "give the 2x2 max-pooled map"),
    (nb04.check_same_padding_max, "answer_2", "MaxPooling2D(2, padding='same')"),
    (nb04.check_max_pool_gradient, "answer_3", "write max_pool_gradient(feature_map, upstream)"),
    (nb04.check_gelu_and_max_order, "answer_4", "True where GELU then max pooling differs"),
    (nb05.check_global_shapes, "answer_1", "give the two output shapes"),
    (nb05.check_head_parameters, "answer_2", "Dense parameters after Flatten"),
    (nb05.check_global_average_pool, "answer_3", "write global_average_pool(batch)"),
    (nb05.check_average_blind_maps, "answer_4", "equal global averages and different global maxima"),
    (gf.check_max_blur_by_hand, "answer_1_1", "max_blur_pool2d(MAX_BLUR_MAP"),
    (gf.check_least_change_ranking, "answer_1_2", "least change first"),
    (gf.check_depthwise_parameters, "answer_2_1", "number of parameters"),
    (gf.check_average_pool_kernel, "answer_2_2", "a (2, 2, 2, 2) array"),
    (gf.check_second_step_pooling_papers, "answer_2_3", "number of papers"),
    (gf.check_torch_output_size, "answer_3_1", "output columns PyTorch computes"),
    (gf.check_count_include_pad, "answer_3_2", "the top-left value"),
    (gf.check_cells_never_seen, "answer_3_3", "cells no window covers"),
    (gf.check_l2_pool_by_hand, "answer_4_1", "L2 pooling (p=2"),
    (gf.check_lp_pool, "answer_4_2", "write lp_pool(feature_map, p)"),
    (gf.check_receptive_interval, "answer_5_1", "write input_interval_same(index, n, layers)"),
    (gf.check_field_with_holes, "answer_5_2", "output cell (0, 0) depends on"),
    (gf.check_keras_same_in_pytorch, "answer_3_4", "a dict of F.avg_pool2d arguments"),
]
every_check = pytest.mark.parametrize("check, solution, unanswered", CHECKS,
                                      ids=[_name(row[0]) for row in CHECKS])


def _solution_file(check):
    """The worked solutions of ``check``'s notebook(s), relative to notebooks/."""
    module = check.__module__.rsplit(".", 1)[-1]
    if module == "going_further":
        return "going_further/solutions/going_further_solutions.py"
    return f"solutions/{module[2:]}_solutions.py"  # nb03 -> solutions/03_solutions.py


def test_every_check_of_every_module_is_listed_here():
    defined = {_name(getattr(module, name)) for module in MODULES
               for name in dir(module) if name.startswith("check_")}
    assert defined == {_name(row[0]) for row in CHECKS}


@every_check
def test_an_unanswered_exercise_prints_a_one_line_hint_and_returns(check, solution, unanswered,
                                                                   capsys):
    assert check(None) is None
    printed = capsys.readouterr().out
    assert printed.startswith("Not answered yet: ")
    assert printed.count("\n") == 1
    assert unanswered in printed


@every_check
def test_the_worked_solution_is_accepted(check, solution, unanswered, capsys):
    check(getattr(_solutions(_solution_file(check)), solution))
    assert capsys.readouterr().out.startswith("Correct: ")


class _LyingLength:
    """Says it has 2 items, then never stops giving them."""

    def __len__(self):
        return 2

    def __iter__(self):
        return itertools.count()

    def __getitem__(self, index):
        return 1


class _Broken:
    """Every way of reading it raises; so does its repr."""

    def __array__(self, *args, **kwargs):
        raise RuntimeError("broken")

    __iter__ = __len__ = __repr__ = __float__ = __index__ = __array__


def _raises_system_exit(*args):
    raise SystemExit(3)


HOSTILE = {
    "a string": "no idea", "10**5000": 10**5000, "-10**5000": -10**5000, "10**5000 in a pair": (10**5000, 3),
    "10**5000 nested": [[10**5000]], "2**64": 2**64, "nan": float("nan"), "inf": float("inf"),
    "nan pair": (float("nan"), float("nan")), "nan map": np.full((2, 2), np.nan),
    "huge view": np.broadcast_to(0.0, (50000, 50000)), "huge list": [0.0] * 10**5,
    "masked": np.ma.masked_array(np.full((2, 2), 0.25), [[1, 0], [0, 0]]),
    "count()": itertools.count(), "repeat pair": itertools.repeat((1, 2)),
    "lying length": _LyingLength(), "broken": _Broken(), "dict": {1: 2}, "bytes": b"ab",
    "complex": 3 + 1j, "ragged": [[1, 2], [3]], "object array": np.array([1, None]),
    "self-containing list": (lambda x: x.append(x) or x)([]),
    "raises SystemExit": _raises_system_exit,
    "returns a generator": lambda *args: (i for i in range(3)),
    "returns a huge view": lambda *args: np.broadcast_to(0.0, (50000, 50000)),
    "returns a masked array": lambda *args: np.ma.masked_array(np.zeros(3), [1, 0, 0]),
    "returns something broken": lambda *args: _Broken(),
}


@every_check
def test_hostile_answers_get_a_hint(check, solution, unanswered):
    """Never a crash, a hang or gigabytes: a number too long to print, NaN,
    an endless iterator, a broken object or function, a huge array."""
    for name, answer in HOSTILE.items():
        try:
            check(answer)
        except AssertionError as hint:
            assert len(str(hint)) > 20, name
        else:
            pytest.fail(f"{name} was accepted")


def test_solution_files_check_themselves_when_run(capsys):
    checks_per_file = collections.Counter(_solution_file(row[0]) for row in CHECKS)
    assert len(checks_per_file) == 6
    for path, checks in checks_per_file.items():
        runpy.run_path(str(ROOT / "notebooks" / path), run_name="__main__")
        assert capsys.readouterr().out.count("Correct: ") == checks, path


@pytest.mark.parametrize("module", MODULES, ids=lambda module: module.__name__)
def test_module_docstring_examples_hold(module):
    result = doctest.testmod(module)
    assert result.attempted > 0 and result.failed == 0


# --------------------------------------------------------------------------
# The harness of the checks whose answer is a function
# --------------------------------------------------------------------------
def _average_pool_same(feature_map, pool, stride):
    """A right answer with loops: a wrapper around poolviz.average_pool2d is refused."""
    (top, _), (left, _) = (poolviz.same_padding(n, pool, stride) for n in feature_map.shape)
    rows, cols = (-(-n // stride) for n in feature_map.shape)
    return np.array([[feature_map[max(i * stride - top, 0):i * stride - top + pool,
                                  max(j * stride - left, 0):j * stride - left + pool].mean()
                      for j in range(cols)] for i in range(rows)])


def _max_pool_by_hand(batch, pool=2, stride=2, padding="valid"):
    """Max pooling of each map of a channels-last batch, written without a ready-made pooling (the check refuses a
    wrapper around one); 'same' pads with -inf where poolviz.same_padding puts the padding."""
    if padding == "same":
        pads = [poolviz.same_padding(n, pool, stride) for n in batch.shape[1:3]]
        batch = np.pad(batch, [(0, 0), *pads, (0, 0)], constant_values=-np.inf)
    windows = np.lib.stride_tricks.sliding_window_view(batch, (pool, pool), axis=(1, 2))
    return windows[:, ::stride, ::stride].max(axis=(-2, -1))


def _average_pool_valid(feature_map, pool, stride):
    windows = np.lib.stride_tricks.sliding_window_view(feature_map, (pool, pool))
    return windows[::stride, ::stride].mean(axis=(2, 3))


#: Each function check, a right answer to it, and the cases it runs.
FUNCTION_CHECKS = [
    (nb01.check_pool_each_map, _max_pool_by_hand, nb01._BATCHES),
    (nb03.check_average_pool_same, _average_pool_same, nb03._CASES),
    (nb04.check_max_pool_gradient, nb04._max_pool_gradient_reference, nb04._GRADIENT_CASES),
    (gf.check_lp_pool, poolviz.pooling.lp_pool2d, gf._LP_CASES),
    (nb05.check_global_average_pool, lambda batch: poolviz.global_average_pool2d(batch), nb05._BATCHES),
]
every_function_check = pytest.mark.parametrize("check, right, cases", FUNCTION_CHECKS,
                                               ids=[_name(row[0]) for row in FUNCTION_CHECKS])


def _arrays(cases):
    return [np.array(arg) for _, *args in cases for arg in args]


@every_function_check
def test_a_function_check_does_not_let_the_student_change_its_cases(check, right, cases, capsys):
    def destructive(*args):
        result = right(*args)
        for arg in args:
            if isinstance(arg, np.ndarray):
                arg[...] = 0
        return result

    before = _arrays(cases)
    # The right numbers, but the student's own arrays would be spoilt: a hint says so.
    assert_refused(check, destructive, "changed the array it was given", "copy")
    check(right)
    assert capsys.readouterr().out.count("Correct: ") == 1
    for kept, now in zip(before, _arrays(cases), strict=True):
        np.testing.assert_array_equal(now, kept)


def _forgets_to_return(*args):
    """Computes nothing to keep: the student's usual slip."""


@every_function_check
def test_a_function_that_returns_nothing_is_asked_for_its_return(check, right, cases):
    assert_refused(check, _forgets_to_return, "returned None", "`return`")


def _raises_index_error(*args):
    raise IndexError("index 2 is out of bounds")


@every_function_check
def test_a_function_that_raises_gets_its_error_and_arguments_back(check, right, cases):
    assert_refused(check, _raises_index_error, "raised IndexError", "index 2 is out of bounds",
                   "array of shape")
    assert_refused(check, lambda *args: 1 / 0, "raised ZeroDivisionError")


@every_function_check
def test_a_function_with_a_complex_result_is_refused(check, right, cases):
    assert_refused(check, lambda *args: right(*args) + 1j, "complex")


@every_function_check
def test_an_answer_that_is_not_a_function_is_refused(check, right, cases):
    assert_refused(check, 42, "function", "42")
    assert_refused(check, "max_pool_gradient", "function", "'max_pool_gradient'")


# --------------------------------------------------------------------------
# Right answers in other forms
# --------------------------------------------------------------------------
def average_pool(window):
    """A student's helper that shares its name with keras.ops.average_pool: its name alone is not refused."""
    return window.sum() / window.size


def _average_pool_same_with_a_helper(feature_map, pool, stride):
    (top, _), (left, _) = (poolviz.same_padding(n, pool, stride) for n in feature_map.shape)
    rows, cols = (-(-n // stride) for n in feature_map.shape)
    return np.array([[average_pool(feature_map[max(i * stride - top, 0):i * stride - top + pool,
                                               max(j * stride - left, 0):j * stride - left + pool])
                      for j in range(cols)] for i in range(rows)])


@pytest.mark.parametrize("check, answer", [
    pytest.param(nb01.check_output_sizes, (13, 14), id="01 sizes as ints"),
    pytest.param(nb01.check_output_sizes, [13.0, 14], id="01 sizes as a list with a float"),
    # float32 keeps about 7 digits: the check's tolerance allows for it.
    pytest.param(nb01.check_pool_each_map,
                 lambda batch: _max_pool_by_hand(batch.astype(np.float32)),
                 id="01 pooling in float32"),
    pytest.param(nb02.check_horizontal_detector, data.VERTICAL_LINE_DETECTOR.T,
                 id="02 kernel as an array"),
    pytest.param(nb02.check_horizontal_detector, data.VERTICAL_LINE_DETECTOR.T.tolist(),
                 id="02 kernel as a list"),
    pytest.param(nb03.check_average_pool_same, _average_pool_same_with_a_helper,
                 id="03 loops with the student's own helper named average_pool"),
])
def test_a_right_answer_in_another_form_is_accepted(check, answer, capsys):
    check(answer)
    assert capsys.readouterr().out.startswith("Correct: ")


def test_02_horizontal_detector_says_what_a_correct_kernel_is(capsys):
    nb02.check_horizontal_detector(data.VERTICAL_LINE_DETECTOR.T)
    assert "It is the tutorial's detector transposed" in capsys.readouterr().out
    zero_sum = [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]]
    nb02.check_horizontal_detector(zero_sum)
    printed = capsys.readouterr().out
    assert printed.startswith("Correct: ") and "transposed." not in printed
    assert "add up to 0" in printed
    other = [[1, -1, 0], [1, 1, 1], [0, 0, 0]]  # 3 on the line, not the transposed detector
    nb02.check_horizontal_detector(other)
    printed = capsys.readouterr().out
    assert "not the tutorial's detector transposed" in printed


# --------------------------------------------------------------------------
# Typical wrong answers and their hints
# --------------------------------------------------------------------------
# Wrong student functions, written independently of the checks' own diagnoses.
def _pool_all_channels_together(batch):
    pooled = _max_pool_by_hand(batch)
    return np.broadcast_to(pooled.max(axis=-1, keepdims=True), pooled.shape)


def _pool_with_zero_start(batch):
    return np.maximum(_max_pool_by_hand(batch), 0.0)


def _pool_with_same_padding(batch):
    return _max_pool_by_hand(batch, padding="same")


def _average_counting_padding(feature_map, pool, stride):
    rows, cols = feature_map.shape
    out = (-(-rows // stride), -(-cols // stride))
    top, bottom = poolviz.same_padding(rows, pool, stride)
    left, right = poolviz.same_padding(cols, pool, stride)
    padded = np.pad(feature_map, ((top, bottom), (left, right)))
    return _average_pool_valid(padded, pool, stride)[:out[0], :out[1]]


def _average_same_padding_misplaced(place):
    def average_pool_same(feature_map, pool, stride):
        pads = []
        for n in feature_map.shape:
            total = sum(poolviz.same_padding(n, pool, stride))
            pads.append((0, total) if place == "all after" else (total - total // 2, total // 2))
        padded = np.pad(feature_map, pads, constant_values=np.nan)
        rows = (padded.shape[0] - pool) // stride + 1
        cols = (padded.shape[1] - pool) // stride + 1
        return np.array([[np.nanmean(padded[i * stride:i * stride + pool,
                                            j * stride:j * stride + pool])
                          for j in range(cols)] for i in range(rows)])
    return average_pool_same


def _tied_windows_gradient(rule):
    """A student's gradient that differs from TensorFlow's only on ties."""
    def max_pool_gradient(feature_map, upstream):
        gradient = np.zeros_like(feature_map)
        for i in range(upstream.shape[0]):
            for j in range(upstream.shape[1]):
                window = feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]
                rows, cols = np.nonzero(window == window.max())
                if rule == "spread":  # like average pooling
                    gradient[2 * i:2 * i + 2, 2 * j:2 * j + 2] += upstream[i, j] / 4
                elif rule == "all":  # the full value to every tied cell
                    gradient[2 * i + rows, 2 * j + cols] += upstream[i, j]
                elif rule == "split":
                    gradient[2 * i + rows, 2 * j + cols] += upstream[i, j] / len(rows)
                else:  # the last tied cell in reading order
                    gradient[2 * i + rows[-1], 2 * j + cols[-1]] += upstream[i, j]
        return gradient
    return max_pool_gradient


def _max_blur_zero_padded():
    """Max with stride 1, then the blur at stride 2 with zeros as padding."""
    dense = poolviz.max_pool2d(gf.MAX_BLUR_MAP, 2, strides=1)
    padded = np.zeros((dense.shape[0] + 1, dense.shape[1] + 1))
    padded[:-1, :-1] = dense
    blurred = padded[0:-1:2, 0:-1:2] + padded[1::2, 0:-1:2] + padded[0:-1:2, 1::2] + padded[1::2, 1::2]
    return blurred / 4


_summing_kernel = np.zeros((2, 2, 2, 2))  # each channel's own window, summed, not averaged
_summing_kernel[:, :, 0, 0] = _summing_kernel[:, :, 1, 1] = 1

#: (check, wrong answer, fragments its hint must hold), notebook by notebook.
WRONG_ANSWERS = [
    # 01, exercise 1
    (nb01.check_output_sizes, (14, 14), ["'valid' drops windows that do not fit"]),
    (nb01.check_output_sizes, (12, 14), ["the '+ 1'"]),
    (nb01.check_output_sizes, (26, 14), ["stride 1"]),
    (nb01.check_output_sizes, (13, 13), ["ceil(n / stride)"]),
    (nb01.check_output_sizes, (13, 28), ["only when stride is 1"]),
    (nb01.check_output_sizes, (13, 16), ["the pool size does not matter"]),
    (nb01.check_output_sizes, (13,), ["a pair of whole numbers"]),
    (nb01.check_output_sizes, (13.5, 14), ["whole number"]),
    (nb01.check_output_sizes, (True, 14), ["bool"]),
    # 01, exercise 2
    (nb01.check_unchanged_after_shift, 6, ["number of outputs that changed"]),
    (nb01.check_unchanged_after_shift, 9, ["not all of them"]),
    (nb01.check_unchanged_after_shift, 12, ["only 9 cells"]),
    (nb01.check_unchanged_after_shift, 4, ["count the cells where before == after"]),
    # 01, exercise 3
    (nb01.check_pool_each_map, _pool_all_channels_together, ["channels too"]),
    (nb01.check_pool_each_map, _pool_with_zero_start,
     ["all-negative", "Starting a running maximum at 0"]),
    (nb01.check_pool_each_map, _pool_with_same_padding, ["odd size", "'valid'"]),
    (nb01.check_pool_each_map, lambda batch: _max_pool_by_hand(batch)[..., :1],
     ["channels must stay separate"]),
    (nb01.check_pool_each_map, lambda batch: _max_pool_by_hand(batch, 2, 1),
     ["(1, 3, 3, 2)", "(1, 5, 5, 2)", "is right, but the sizes are not"]),
    # ... and a result wrong in the 5th digit is not forgiven as float32 rounding.
    (nb01.check_pool_each_map, lambda batch: _max_pool_by_hand(batch) * (1 + 1e-5),
     ["differs from poolviz.max_pool2d"]),
    # 02, exercise 1
    (nb02.check_horizontal_detector, data.VERTICAL_LINE_DETECTOR, ["finds the vertical line"]),
    (nb02.check_horizontal_detector, np.ones((3, 3)), ["3 in rows 2 and 3"]),
    (nb02.check_horizontal_detector, np.ones((2, 2)), ["should be 3x3"]),
    (nb02.check_horizontal_detector, [[0, 0, 0], [1, 1, 1], [0, 0, np.nan]], ["NaN"]),
    # right on the horizontal line, but 4 on the vertical one: not a horizontal detector
    (nb02.check_horizontal_detector, [[-1, 2, -1], [1, 1, 1], [-1, 2, -1]],
     ["answers 4 on the vertical line"]),
    # right once the imaginary part is dropped
    (nb02.check_horizontal_detector, data.VERTICAL_LINE_DETECTOR.T + 1j,
     ["your kernel", "complex values"]),
    (nb02.check_horizontal_detector, (data.VERTICAL_LINE_DETECTOR.T + 1j).tolist(),
     ["complex values"]),
    # 02, exercise 2
    (nb02.check_parameter_count, 104, ["3 channels"]),
    (nb02.check_parameter_count, 300, ["add the biases"]),
    (nb02.check_parameter_count, 301, ["its own bias"]),
    (nb02.check_parameter_count, 76, ["that is one filter"]),
    (nb02.check_parameter_count, 312, ["not per filter and channel"]),
    (nb02.check_parameter_count, 250, ["plus one bias"]),
    # 02, exercise 3
    (nb02.check_photograph_shapes, ((200, 170), (100, 85)), ["border rows and columns are lost"]),
    (nb02.check_photograph_shapes, ((198, 168), (99, 84)), ["3x3 filter"]),
    (nb02.check_photograph_shapes, ((194, 164), (96, 81)), ["n - 6 + 1"]),
    (nb02.check_photograph_shapes, ((195, 165), (100, 85)), ["pool the feature map"]),
    (nb02.check_photograph_shapes, ((195, 165), (96, 81)), ["rounding down"]),
    (nb02.check_photograph_shapes, ((195, 165), (98, 83)), ["round down", "both sides are odd"]),
    (nb02.check_photograph_shapes, (195, 165), ["a pair of whole numbers"]),
    (nb02.check_photograph_shapes, "shape", ["give two shapes"]),
    # 03, exercise 1
    (nb03.check_same_padding_bottom_row, [8.0, 13.0, 84 / 9],
     ["counting the padded cells as zeros"]),
    (nb03.check_same_padding_bottom_row, [21.0, 23.0, 24.0], ["1 before and 1 after"]),
    (nb03.check_same_padding_bottom_row, [3.0, 4.5, 6.0], ["that is the top row"]),
    (nb03.check_same_padding_bottom_row, [18.0, 19.5], ["bottom row has 3 numbers"]),
    (nb03.check_same_padding_bottom_row, [18.0, 19.5, 22.0], ["poolviz.same_padding(5, 3, 2)"]),
    (nb03.check_same_padding_bottom_row, [18.0 + 2j, 19.5, 21.0],
     ["should hold real numbers, got complex values"]),
    # 03, exercise 2
    (nb03.check_cells_never_used, 16, ["the windows DO cover"]),
    (nb03.check_cells_never_used, 0, ["jumps over one row"]),
    (nb03.check_cells_never_used, 32, ["do not count it twice"]),
    (nb03.check_cells_never_used, 14, ["count the cells outside both"]),
    # 03, exercise 3
    (nb03.check_average_pool_same, _average_same_padding_misplaced("all after"),
     ["The padding is in the wrong place", "only an odd extra cell goes after",
      "poolviz.same_padding(6, 3, 1) = (1, 1)"]),
    (nb03.check_average_pool_same, _average_same_padding_misplaced("odd cell before"),
     ["The padding is in the wrong place", "poolviz.same_padding(5, 2, 2) = (0, 1)"]),
    (nb03.check_average_pool_same, _average_counting_padding, ["divided by the whole window"]),
    (nb03.check_average_pool_same, _average_pool_valid, ["ceil(n / stride)"]),
    (nb03.check_average_pool_same,
     lambda m, pool, stride: poolviz.max_pool2d(m, pool, stride, padding="same"), ["should be"]),
    # 04, exercise 1
    (nb04.check_max_pool_by_hand, poolviz.average_pool2d(nb04.EXERCISE_1_MAP, 2),
     ["that is average pooling"]),
    (nb04.check_max_pool_by_hand, [[0.9, 0.3], [0.7, 0.8]], ["rows and columns are swapped"]),
    (nb04.check_max_pool_by_hand, [[0.9, 0.7], [0.3, 0.6]], ["output cell(s) [(1, 1)] are off"]),
    (nb04.check_max_pool_by_hand, [0.9, 0.7, 0.3, 0.8], ["has shape (2, 2)"]),
    (nb04.check_max_pool_by_hand, "six", ["should be an array of numbers"]),
    # 04, exercise 2
    (nb04.check_same_padding_max, [[-1.0, 0.0], [0.0, 0.0]], ["you filled the padding with zeros"]),
    (nb04.check_same_padding_max, [[-4.0, -2.0], [-1.0, -3.0]],
     ["go after the map"]),
    (nb04.check_same_padding_max, [[-1.0]], ["ceil(3 / 2) = 2"]),
    (nb04.check_same_padding_max, [[-1.0, -3.0], [-6.0, -8.0]],
     ["take the max of the real cells only"]),
    # 04, exercise 3
    (nb04.check_max_pool_gradient, _tied_windows_gradient("spread"),
     ["average pooling's gradient"]),
    (nb04.check_max_pool_gradient, _tied_windows_gradient("all"), ["every tied cell"]),
    (nb04.check_max_pool_gradient, _tied_windows_gradient("split"),
     ["split the upstream value evenly", "valid choice"]),
    (nb04.check_max_pool_gradient, _tied_windows_gradient("last"),
     ["the last tied cell", "valid choice"]),
    (nb04.check_max_pool_gradient, lambda feature_map, upstream: np.zeros_like(feature_map),
     ["its largest cell"]),
    (nb04.check_max_pool_gradient, lambda feature_map, upstream: upstream,
     ["the shape of the input feature map, (4, 4)"]),
    # 05, exercise 1
    (nb05.check_global_shapes, ((32, 1, 1, 64), (32, 64)), ["the two shapes are swapped"]),
    (nb05.check_global_shapes, ((64,), (1, 1, 64)), ["the batch axis (32) stays first"]),
    (nb05.check_global_shapes, ((32, 64), (32, 64, 1, 1)), ["the shape without keepdims is right"]),
    (nb05.check_global_shapes, ((32, 7, 7), (32, 1, 1, 64)), ["the keepdims shape is right"]),
    (nb05.check_global_shapes, ((32, 49), (32, 1, 49)),
     ["a single value"]),
    (nb05.check_global_shapes, (32, 64), ["(32, 64) is a single shape; give two shapes"]),
    (nb05.check_global_shapes, ((32, 64), 64), ["should be a shape like (2, 3), got 64"]),
    (nb05.check_global_shapes, "(32, 64)", ["answer should be a pair of shapes"]),
    # 05, exercise 2
    (nb05.check_head_parameters, (108160, 170),
     ["after Flatten", "10 biases"]),
    (nb05.check_head_parameters, (125450, 170), ["turns 28x28 into 26x26"]),
    (nb05.check_head_parameters, (108330, 330), ["count only the Dense layer"]),
    (nb05.check_head_parameters, (108170, 160),
     ["after pooling", "10 biases"]),
    (nb05.check_head_parameters, (108170, 7850), ["one number per channel, 16 of them"]),
    (nb05.check_head_parameters, (1, 2, 3), ["answer should be a pair of whole numbers"]),
    (nb05.check_head_parameters, (108170.5, 170), ["should be a whole number"]),
    # 05, exercise 3
    (nb05.check_global_average_pool,
     lambda batch: np.sum(batch, axis=(1, 2), keepdims=True) / (batch.shape[1] * batch.shape[2]),
     ["That is the keepdims=True shape"]),
    (nb05.check_global_average_pool, lambda batch: np.sum(batch, axis=(1, 2, 3)) / np.prod(batch.shape[1:]),
     ["axes (1 and 2)"]),
    (nb05.check_global_average_pool, lambda batch: np.max(batch, axis=(1, 2)),
     ["average each channel of each image"]),
    # going further 01
    (gf.check_max_blur_by_hand, poolviz.max_pool2d(gf.MAX_BLUR_MAP, 2), ["plain 2x2 max pooling"]),
    (gf.check_max_blur_by_hand, _max_blur_zero_padded(), ["padded with zeros"]),
    (gf.check_max_blur_by_hand, 4 * poolviz.going_further.max_blur_pool2d(gf.MAX_BLUR_MAP, 2, 2, 2),
     ["divide by it"]),
    (gf.check_max_blur_by_hand, [[1, 2, 3]], ["got shape (1, 3)"]),
    (gf.check_least_change_ranking, ["max-blur", "max", "average"], ["table's order", "relative_l1[1]"]),
    (gf.check_least_change_ranking, ["average", "max-blur", "max"], ["most change first"]),
    (gf.check_least_change_ranking, ["max", "median", "average"], ["got ['max', 'median', 'average']"]),
    # going further 02
    (gf.check_depthwise_parameters, 576, ["biases"]),
    (gf.check_depthwise_parameters, 36928, ["Conv2D's count"]),
    (gf.check_depthwise_parameters, 0, ["pooling's count"]),
    (gf.check_depthwise_parameters, 2.5, ["whole number"]),
    (gf.check_average_pool_kernel, np.full((2, 2, 2, 2), 0.25), ["never mixes channels"]),
    (gf.check_average_pool_kernel, _summing_kernel, ["divides by the 4 cells"]),
    (gf.check_average_pool_kernel, np.full((2, 2), 0.25), ["(2, 2, 2, 2)"]),
    (gf.check_second_step_pooling_papers, 13, ["counts models"]),
    (gf.check_second_step_pooling_papers, 1.5, ["whole number"]),
    # going further 03
    (gf.check_torch_output_size, 2, ["ceil_mode=False"]),
    (gf.check_torch_output_size, 4, ["use ceil("]),
    (gf.check_count_include_pad, 1.0, ["Keras's answer"]),
    (gf.check_cells_never_seen, 42, ["covered"]),
    (gf.check_cells_never_seen, 36, ["'valid'"]),
    (gf.check_keras_same_in_pytorch, dict(padding=(0, 1), ceil_mode=True), ["count_include_pad=False"]),
]


@pytest.mark.parametrize("check, answer, fragments", WRONG_ANSWERS,
                         ids=[f"{_name(check)}: {fragments[0]}"
                              for check, _, fragments in WRONG_ANSWERS])
def test_a_typical_wrong_answer_gets_its_hint(check, answer, fragments):
    assert_refused(check, answer, *fragments)


def test_01_pool_each_map_layout_hint_only_when_the_layout_is_wrong():
    with pytest.raises(AssertionError) as caught:
        nb01.check_pool_each_map(lambda batch: _max_pool_by_hand(batch).transpose(0, 3, 1, 2))
    assert "Keep the layout (batch, rows, cols, channels)" in str(caught.value)
    assert "is right" not in str(caught.value)
