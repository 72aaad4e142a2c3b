"""The facts the exercise checks rely on, checked against poolviz and, where
installed, Keras and TensorFlow: the numbers of the right answers, the
wrong answers the hints name, and the cases the function checks run.
How the checks grade answers is in test_exercises.py.
"""

import numpy as np
import pytest

import poolviz
import poolviz.going_further
from poolviz import data
from poolviz.exercises import nb01, nb02, nb03, nb04, nb05


def test_the_function_checks_try_the_tutorial_map(feature_map):
    def holds_it(cases):
        return any(np.array_equal(np.squeeze(arg), feature_map)
                   for _, *args in cases for arg in args)

    assert np.array_equal(nb01._BATCHES[0][1][0, :, :, 0], feature_map)
    assert holds_it(nb03._CASES) and holds_it(nb04._GRADIENT_CASES) and holds_it(nb05._BATCHES)


# --------------------------------------------------------------------------
# Notebook 01
# --------------------------------------------------------------------------
def test_01_unchanged_counts_of_the_line_are_6_then_3():
    assert nb01._unchanged_after_shift(0) == 9
    assert nb01._unchanged_after_shift(1) == 6
    assert nb01._unchanged_after_shift(2) == 3


def test_keras_agrees_with_the_01_output_sizes(keras):
    for padding, expected in (("valid", 13), ("same", 14)):
        layer = keras.layers.MaxPooling2D(3, strides=2, padding=padding, name=f"pool_{padding}")
        assert tuple(layer(np.zeros((1, 28, 28, 1), "float32")).shape) == (1, expected, expected, 1)


def test_01_exercise_3_refuses_keras_pooling_passed_instead_of_a_loop(keras):
    # Section 5 of notebook 01 shows MaxPooling2D: passing it (or keras.ops.max_pool) writes nothing.
    for ready_made, name in [(keras.layers.MaxPooling2D(2, name="ready_made"), "MaxPooling2D"),
                             (keras.ops.max_pool, "max_pool")]:
        with pytest.raises(AssertionError, match=f"keras's {name} is a ready-made pooling.*max_pool_loop"):
            nb01.check_pool_each_map(ready_made)


# --------------------------------------------------------------------------
# Notebook 02
# --------------------------------------------------------------------------
def test_02_photograph_shape_of_the_exercise_is_the_real_one():
    assert data.photograph(downscale=3).shape == nb02.EXERCISE_3_PHOTO_SHAPE
    feature = poolviz.conv2d(data.photograph(downscale=3), np.ones((6, 6)))
    assert (feature.shape, poolviz.max_pool2d(feature).shape) == nb02._photograph_shapes()
    assert nb02._photograph_shapes() == ((195, 165), (97, 82))


def test_keras_counts_304_parameters_for_conv2d_4_5x5_on_rgb(keras):
    inputs = keras.Input((32, 32, 3), name="rgb")
    model = keras.Model(inputs, keras.layers.Conv2D(4, (5, 5), name="conv")(inputs), name="count")
    assert model.count_params() == nb02._conv2d_parameter_count(4, (5, 5), 3) == 304


# --------------------------------------------------------------------------
# Notebook 03
# --------------------------------------------------------------------------
def test_03_bottom_row_is_18_19_5_21():
    np.testing.assert_array_equal(
        poolviz.average_pool2d(nb03.EXERCISE_1_MAP, 3, 2, padding="same")[-1], [18.0, 19.5, 21.0])
    assert poolviz.same_padding(5, 3, 2) == (1, 1)


def test_keras_gives_the_03_bottom_row(keras):
    layer = keras.layers.AveragePooling2D(3, strides=2, padding="same", name="average_same")
    output = keras.ops.convert_to_numpy(layer(nb03.EXERCISE_1_MAP[None, :, :, None]))
    np.testing.assert_allclose(output[0, -1, :, 0], [18.0, 19.5, 21.0])


def test_03_cells_never_used_counts_cells_outside_every_window():
    assert nb03._cells_never_used() == 26  # 6x7: rows 2 and 5, columns 2, 5 and 6
    assert nb03._cells_never_used((6, 6), 2, 3) == 20
    assert nb03._cells_never_used((6, 6), 2, 2) == 0
    assert nb03._cells_never_used((7, 7), 2, 2) == 13  # last row and column


def test_03_average_pool_same_cases_cover_padding_after_and_on_both_sides():
    placements = {(poolviz.same_padding(m.shape[0], pool, stride),
                   poolviz.same_padding(m.shape[1], pool, stride))
                  for _, m, pool, stride in nb03._CASES}
    sides = {pair for placement in placements for pair in placement}
    assert (0, 1) in sides and (1, 1) in sides and (0, 0) in sides
    assert any(m.shape[0] != m.shape[1] for _, m, _, _ in nb03._CASES)
    # Code that pads the columns as it pads the rows passes unless some map pads them differently.
    assert any(rows != cols for rows, cols in placements)


# --------------------------------------------------------------------------
# Notebook 04
# --------------------------------------------------------------------------
def test_04_exercise_1_map_pools_to_the_documented_answer():
    np.testing.assert_array_equal(poolviz.max_pool2d(nb04.EXERCISE_1_MAP, 2),
                                  [[0.9, 0.7], [0.3, 0.8]])


def test_04_exercise_2_answer_differs_from_zero_padding():
    right = poolviz.max_pool2d(nb04.EXERCISE_2_MAP, 2, padding="same")
    np.testing.assert_array_equal(right, [[-1.0, -3.0], [-6.0, -9.0]])
    zero_padded = np.zeros((4, 4))
    zero_padded[:3, :3] = nb04.EXERCISE_2_MAP
    np.testing.assert_array_equal(poolviz.max_pool2d(zero_padded, 2), [[-1.0, 0.0], [0.0, 0.0]])


def test_04_max_pool_gradient_cases_catch_square_only_loops_and_a_max_started_at_0():
    upstream_shapes = {upstream.shape for _, _, upstream in nb04._GRADIENT_CASES}
    assert any(rows != cols for rows, cols in upstream_shapes)
    assert any(feature_map.max() < 0 for _, feature_map, _ in nb04._GRADIENT_CASES)


def test_04_max_pool_gradient_reference_routes_to_the_first_winner():
    feature_map = np.array([[3.0, 3.0, 0.0, 1.0],
                            [3.0, 1.0, 2.0, 0.0]])
    upstream = np.array([[5.0, 7.0]])
    np.testing.assert_array_equal(
        nb04._max_pool_gradient_reference(feature_map, upstream),
        [[5.0, 0.0, 0.0, 0.0],
         [0.0, 0.0, 7.0, 0.0]])


@pytest.mark.parametrize("seed", [0, 1])
def test_04_max_pool_gradient_reference_matches_tensorflow(keras, seed):
    import tensorflow as tf  # the keras fixture has skipped when it is missing

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
    np.testing.assert_array_equal(nb04._max_pool_gradient_reference(feature_map, upstream), theirs)


# --------------------------------------------------------------------------
# Notebook 05
# --------------------------------------------------------------------------
def test_05_head_parameters_match_keras_count_params(keras):
    counts = []
    for summary_layer in (keras.layers.Flatten, keras.layers.GlobalAveragePooling2D):
        keras.backend.clear_session()
        image = keras.Input((28, 28, 1), name="image")
        features = keras.layers.Conv2D(16, (3, 3), name="features")(image)
        head = keras.layers.Dense(10, name="head")
        keras.Model(image, head(summary_layer(name="summary")(features)), name="model")
        counts.append(head.count_params())
    assert tuple(counts) == nb05._head_parameters() == (108170, 170)


# --------------------------------------------------------------------------
# Going further
# --------------------------------------------------------------------------
def test_the_facts_behind_the_pytorch_answers():
    # 2 is both floor and Keras 'same' here: the check's first hint is the floor one.
    assert poolviz.going_further.torch_output_size(4, 3, 2, padding=1) == 2
    top_left = poolviz.going_further.torch_avg_pool2d(np.ones((4, 4)), 3, 2, padding=1)[0, 0]
    assert top_left == pytest.approx(4 / 9)
    assert poolviz.going_further.torch_avg_pool2d(np.ones((4, 4)), 3, 2, padding=1,
                                    count_include_pad=False)[0, 0] == 1.0
