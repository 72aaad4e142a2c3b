"""The exercise checks of the going-further notebooks and their worked solutions.

Each check accepts the worked solution, refuses the typical wrong answers
with the hint written for them and prints a hint for ``None``.
"""

import doctest
import importlib.util
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import poolviz
from poolviz.exercises import going_further as gf

ROOT = Path(__file__).resolve().parents[1]
SOLUTIONS_PATH = ROOT / "notebooks" / "going_further" / "solutions" / "going_further_solutions.py"


@pytest.fixture(scope="module")
def solutions():
    spec = importlib.util.spec_from_file_location("going_further_solutions", SOLUTIONS_PATH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CHECKS = [
    (gf.check_max_blur_by_hand, "answer_1_1"),
    (gf.check_most_cells_equal, "answer_1_2"),
    (gf.check_strided_conv_parameters, "answer_2_1"),
    (gf.check_average_pool_kernel, "answer_2_2"),
    (gf.check_torch_output_size, "answer_3_1"),
    (gf.check_count_include_pad, "answer_3_2"),
    (gf.check_cells_never_seen, "answer_3_3"),
]


@pytest.mark.parametrize("check, name", CHECKS)
def test_the_worked_solution_is_accepted(check, name, solutions, capsys):
    check(getattr(solutions, name))
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("check, name", CHECKS)
def test_none_prints_a_hint_and_does_not_raise(check, name, capsys):
    check(None)
    assert capsys.readouterr().out.startswith("Not answered yet: ")


def _refused(check, answer, *fragments):
    with pytest.raises(AssertionError) as caught:
        check(answer)
    for fragment in fragments:
        assert fragment in str(caught.value), str(caught.value)


def test_max_blur_hints():
    _refused(gf.check_max_blur_by_hand, poolviz.max_pool2d(gf.MAX_BLUR_MAP, 2),
             "plain 2x2 max pooling")
    _refused(gf.check_max_blur_by_hand, gf._blur_then_subsample_zero_padded(), "padded with zeros")
    _refused(gf.check_max_blur_by_hand,
             4 * poolviz.max_blur_pool2d(gf.MAX_BLUR_MAP, 2, 2, 2), "divide by it")
    _refused(gf.check_max_blur_by_hand, [[1, 2, 3]], "got shape (1, 3)")


def test_the_exact_equality_exercise_refuses_max_blur_and_average():
    _refused(gf.check_most_cells_equal, "max-blur", "fraction_equal")
    _refused(gf.check_most_cells_equal, "average", "fraction_equal")
    _refused(gf.check_most_cells_equal, "median", "got 'median'")


def test_parameter_count_hints():
    _refused(gf.check_strided_conv_parameters, 16384, "biases")
    _refused(gf.check_strided_conv_parameters, 256, "DepthwiseConv2D")
    _refused(gf.check_strided_conv_parameters, 0, "pooling's count")
    _refused(gf.check_strided_conv_parameters, 2.5, "whole number")


def test_average_kernel_hints():
    _refused(gf.check_average_pool_kernel, np.full((2, 2, 2, 2), 0.25), "never mixes channels")
    ones = np.zeros((2, 2, 2, 2))
    ones[:, :, 0, 0] = ones[:, :, 1, 1] = 1
    _refused(gf.check_average_pool_kernel, ones, "divides by the 4 cells")
    _refused(gf.check_average_pool_kernel, np.full((2, 2), 0.25), "(2, 2, 2, 2)")


def test_pytorch_hints():
    _refused(gf.check_torch_output_size, 2, "ceil_mode=False")
    _refused(gf.check_torch_output_size, 4, "use ceil(")
    _refused(gf.check_count_include_pad, 1.0, "Keras's answer")
    _refused(gf.check_cells_never_seen, 16, "covered")
    _refused(gf.check_cells_never_seen, 24, "row 7")


def test_the_facts_behind_the_pytorch_answers():
    # 2 is both floor and Keras 'same' here: the check's first hint is the floor one.
    assert poolviz.torch_output_size(4, 3, 2, padding=1) == 2
    assert poolviz.torch_avg_pool2d(np.ones((4, 4)), 3, 2, padding=1)[0, 0] == pytest.approx(4 / 9)
    assert poolviz.torch_avg_pool2d(np.ones((4, 4)), 3, 2, padding=1,
                                    count_include_pad=False)[0, 0] == 1.0


def test_module_docstring_examples_and_light_import():
    result = doctest.testmod(gf)
    assert result.attempted > 0 and result.failed == 0
    code = ("import sys; import poolviz.exercises.going_further; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.strip()
    assert out == "[]"
