"""The exercise checks of notebooks 04 and 05, and their worked solutions.

A check must accept the worked solution, refuse the typical wrong answers
with the hint written for them, stay quiet about ``None`` (so a notebook with
open exercises runs), and never import TensorFlow. The facts the checks
teach (TensorFlow's gradient rule for max pooling, Keras's parameter counts)
are tested against TensorFlow itself where it is installed.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import poolviz
from poolviz.exercises import nb04, nb05

from solutions import load_solutions  # tests/solutions.py

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def solutions_04():
    return load_solutions("04_solutions")


@pytest.fixture(scope="module")
def solutions_05():
    return load_solutions("05_solutions")


def test_exercise_modules_do_not_import_tensorflow():
    code = ("import sys; import poolviz.exercises.nb04, poolviz.exercises.nb05; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True, cwd=ROOT)
    assert result.stdout.strip() == "[]"


ALL_CHECKS = [
    (nb04.check_max_pool_by_hand, "give the 2x2 max-pooled map"),
    (nb04.check_same_padding_max, "MaxPooling2D(2, padding='same')"),
    (nb04.check_max_pool_gradient, "write max_pool_gradient(feature_map, upstream)"),
    (nb05.check_global_shapes, "give the two output shapes"),
    (nb05.check_head_parameters, "Dense parameters after Flatten"),
    (nb05.check_global_average_pool, "write global_average_pool(batch)"),
]


@pytest.mark.parametrize("check, hint", ALL_CHECKS)
def test_unanswered_exercise_prints_a_hint_and_does_not_raise(check, hint, capsys):
    assert check(None) is None
    printed = capsys.readouterr().out
    assert printed.startswith("Not answered yet: ")
    assert hint in printed


@pytest.mark.parametrize("exercise, check", [
    (1, nb04.check_max_pool_by_hand),
    (2, nb04.check_same_padding_max),
    (3, nb04.check_max_pool_gradient),
])
def test_worked_solutions_04_pass(solutions_04, exercise, check, capsys):
    check(getattr(solutions_04, f"answer_{exercise}"))
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("exercise, check", [
    (1, nb05.check_global_shapes),
    (2, nb05.check_head_parameters),
    (3, nb05.check_global_average_pool),
])
def test_worked_solutions_05_pass(solutions_05, exercise, check, capsys):
    check(getattr(solutions_05, f"answer_{exercise}"))
    assert capsys.readouterr().out.startswith("Correct: ")


# --------------------------------------------------------------------------
# Notebook 04
# --------------------------------------------------------------------------
def test_exercise_1_map_pools_to_the_documented_answer():
    np.testing.assert_array_equal(poolviz.max_pool2d(nb04.EXERCISE_1_MAP, 2),
                                  [[0.9, 0.7], [0.3, 0.8]])


@pytest.mark.parametrize("answer, message", [
    (poolviz.average_pool2d(nb04.EXERCISE_1_MAP, 2), "that is average pooling"),
    ([[0.9, 0.3], [0.7, 0.8]], "rows and columns are swapped"),
    ([[0.9, 0.7], [0.3, 0.6]], "output cell(s) [(1, 1)] are off"),
    ([0.9, 0.7, 0.3, 0.8], "has shape (2, 2)"),
    ("six", "should be an array of numbers"),
])
def test_max_pool_by_hand_explains_wrong_answers(answer, message):
    with pytest.raises(AssertionError) as error:
        nb04.check_max_pool_by_hand(answer)
    assert message in str(error.value)


def test_exercise_2_answer_differs_from_zero_padding():
    right = poolviz.max_pool2d(nb04.EXERCISE_2_MAP, 2, padding="same")
    np.testing.assert_array_equal(right, [[-1.0, -3.0], [-6.0, -9.0]])
    np.testing.assert_array_equal(nb04._zero_padded_max(nb04.EXERCISE_2_MAP),
                                  [[-1.0, 0.0], [0.0, 0.0]])


@pytest.mark.parametrize("answer, message", [
    ([[-1.0, 0.0], [0.0, 0.0]], "you filled the padding with zeros"),
    ([[-4.0, -2.0], [-1.0, -3.0]], "the one padded row and column go after the map"),
    ([[-1.0]], "ceil(3 / 2) = 2"),
    ([[-1.0, -3.0], [-6.0, -8.0]], "take the max of the real cells only"),
])
def test_same_padding_max_explains_wrong_answers(answer, message):
    with pytest.raises(AssertionError) as error:
        nb04.check_same_padding_max(answer)
    assert message in str(error.value)


def _average_style_gradient(feature_map, upstream):
    return nb04._average_pool_gradient(feature_map, upstream)


def _every_tied_cell_gradient(feature_map, upstream):
    return nb04._all_winners_gradient(feature_map, upstream)


def _tied_windows_gradient(rule):
    """A student's gradient that differs from TensorFlow's only on ties."""
    def max_pool_gradient(feature_map, upstream):
        gradient = np.zeros_like(feature_map)
        for i in range(upstream.shape[0]):
            for j in range(upstream.shape[1]):
                window = feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]
                rows, cols = np.nonzero(window == window.max())
                if rule == "split":
                    gradient[2 * i + rows, 2 * j + cols] += upstream[i, j] / len(rows)
                else:  # the last tied cell in reading order
                    gradient[2 * i + rows[-1], 2 * j + cols[-1]] += upstream[i, j]
        return gradient
    return max_pool_gradient


def _gradient_without_return(feature_map, upstream):
    nb04.max_pool_gradient_reference(feature_map, upstream)


def _pooled_shape_gradient(feature_map, upstream):
    return upstream


def _crashing_gradient(feature_map, upstream):
    raise IndexError("index 2 is out of bounds")


@pytest.mark.parametrize("function, message", [
    (_average_style_gradient, "that is average pooling's gradient"),
    (_every_tied_cell_gradient, "you gave the full upstream value to every tied cell"),
    (_tied_windows_gradient("split"),
     "on a tie you split the upstream value evenly over the tied cells. That is a valid choice"),
    (_tied_windows_gradient("last"),
     "on a tie you gave the upstream value to the last tied cell. That is a valid choice too"),
    (lambda feature_map, upstream: np.zeros_like(feature_map),
     "each window sends its upstream value to its largest cell"),
    (_gradient_without_return, "your function returned None"),
    (_pooled_shape_gradient, "the shape of the input feature map, (4, 4)"),
    (_crashing_gradient, "your function raised IndexError: index 2 is out of bounds"),
    ("max_pool_gradient", "answer should be a function"),
])
def test_max_pool_gradient_explains_wrong_functions(function, message):
    with pytest.raises(AssertionError) as error:
        nb04.check_max_pool_gradient(function)
    assert message in str(error.value)


def test_max_pool_gradient_reference_routes_to_the_first_winner():
    feature_map = np.array([[3.0, 3.0, 0.0, 1.0],
                            [3.0, 1.0, 2.0, 0.0]])
    upstream = np.array([[5.0, 7.0]])
    np.testing.assert_array_equal(
        nb04.max_pool_gradient_reference(feature_map, upstream),
        [[5.0, 0.0, 0.0, 0.0],
         [0.0, 0.0, 7.0, 0.0]])


@pytest.mark.parametrize("seed", [0, 1])
def test_max_pool_gradient_reference_matches_tensorflow(seed):
    tf = pytest.importorskip("tensorflow")
    keras = pytest.importorskip("keras")
    generator = np.random.default_rng(seed)
    # Rounded to 1 decimal so windows have ties, the case that needs TF's rule.
    feature_map = np.round(generator.uniform(0, 1, size=(7, 6)), 1).astype(np.float32)
    upstream = generator.integers(1, 9, size=(3, 3)).astype(np.float32)
    inputs = tf.constant(feature_map[np.newaxis, :, :, np.newaxis])
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        pooled = keras.layers.MaxPooling2D(2, name="pooling")(inputs)
        loss = tf.reduce_sum(pooled[0, :, :, 0] * upstream)
    theirs = tape.gradient(loss, inputs).numpy()[0, :, :, 0]
    np.testing.assert_array_equal(nb04.max_pool_gradient_reference(feature_map, upstream), theirs)


# --------------------------------------------------------------------------
# Notebook 05
# --------------------------------------------------------------------------
@pytest.mark.parametrize("answer, message", [
    (((32, 1, 1, 64), (32, 64)), "the two shapes are swapped"),
    (((64,), (1, 1, 64)), "the batch axis (32) stays first"),
    (((32, 64), (32, 64, 1, 1)), "the shape without keepdims is right"),
    (((32, 7, 7), (32, 1, 1, 64)), "the keepdims shape is right"),
    (((32, 49), (32, 1, 49)), "the 7x7 grid of each channel becomes a single value"),
    ((32, 64), "(32, 64) is a single shape; give two shapes"),
    (((32, 64), 64), "should be a shape like (2, 3), got 64"),
    ("(32, 64)", "answer should be a pair of shapes"),
])
def test_global_shapes_explains_wrong_answers(answer, message):
    with pytest.raises(AssertionError) as error:
        nb05.check_global_shapes(answer)
    assert message in str(error.value)


@pytest.mark.parametrize("answer, message", [
    ((108160, 170), "after Flatten: the 10 biases of the Dense layer are missing"),
    ((125450, 170), "turns 28x28 into 26x26"),
    ((108330, 330), "count only the Dense layer"),
    ((108170, 160), "after pooling: the 10 biases of the Dense layer are missing"),
    ((108170, 7850), "one number per channel, 16 of them"),
    ((1, 2, 3), "answer should be a pair of whole numbers"),
    ((108170.5, 170), "should be a whole number"),
])
def test_head_parameters_explains_wrong_answers(answer, message):
    with pytest.raises(AssertionError) as error:
        nb05.check_head_parameters(answer)
    assert message in str(error.value)


def test_head_parameters_match_keras_count_params():
    keras = pytest.importorskip("keras")
    counts = []
    for summary_layer in (keras.layers.Flatten, keras.layers.GlobalAveragePooling2D):
        keras.backend.clear_session()
        image = keras.Input((28, 28, 1), name="image")
        features = keras.layers.Conv2D(16, (3, 3), name="features")(image)
        head = keras.layers.Dense(10, name="head")
        keras.Model(image, head(summary_layer(name="summary")(features)), name="model")
        counts.append(head.count_params())
    assert tuple(counts) == nb05.head_parameters() == (108170, 170)


def _keepdims_average(batch):
    return np.mean(batch, axis=(1, 2), keepdims=True)


def _average_over_channels_too(batch):
    return np.mean(batch, axis=(1, 2, 3))


def _max_instead_of_average(batch):
    return np.max(batch, axis=(1, 2))


@pytest.mark.parametrize("function, message", [
    (_keepdims_average, "that is the keepdims=True shape"),
    (_average_over_channels_too, "average over the rows and columns axes (1 and 2) only"),
    (_max_instead_of_average, "average each channel of each image"),
    (lambda batch: None, "your function returned None: is the `return` statement missing?"),
])
def test_global_average_pool_explains_wrong_functions(function, message):
    with pytest.raises(AssertionError) as error:
        nb05.check_global_average_pool(function)
    assert message in str(error.value)
