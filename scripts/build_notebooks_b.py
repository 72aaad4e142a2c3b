"""Write the sources of notebooks 04-05 (course-b) with nbformat.

Scaffolding for the authors, not for students or CI: the committed artifacts
are the ``.ipynb`` files. The setup cell comes from
``scripts/build_notebooks_a.py`` so that all five notebooks start the same
way. Run

    .venv/bin/python scripts/build_notebooks_b.py [04 05]
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/04_max_pooling.ipynb
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/05_global_pooling.ipynb

after changing a cell here; without arguments both are rewritten (outputs
cleared).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
NOTEBOOKS = HERE.parent / "notebooks"

_spec = importlib.util.spec_from_file_location("build_notebooks_a", HERE / "build_notebooks_a.py")
_course_a = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_course_a)
md, code, setup_cell = _course_a.md, _course_a.code, _course_a.setup_cell


# ==========================================================================
# 04 Max pooling
# ==========================================================================
def notebook_04():
    return [
        md("""
        # 04 · Max pooling: the strongest response in each window

        After this notebook you can

        * max-pool a feature map by hand, window by window, and check it against Keras's `MaxPooling2D`;
        * say why max pooling usually beats average pooling, and build an input where the two disagree;
        * trace the gradient back through both poolings, by hand and with `tf.GradientTape`;
        * predict what `MaxPooling2D(padding="same")` does at the border, even for negative values.

        Prerequisites: notebooks 02 and 03.
        """),
        setup_cell("nb04", """
            import poolviz.plot
            import poolviz.widgets
            from poolviz import keras_bridge
            from poolviz.explorer import PoolingExplorerModel
            """),
        md("""
        ## 1. Intuition: is the feature anywhere in this window?

        After a convolution and a ReLU, each cell of a feature map says how strongly one pattern
        (here: a vertical line) shows up at one place. Most cells are 0; a few are large. Max pooling
        keeps only the largest value of each window. The question it answers is *"does the pattern
        appear somewhere in this patch, and how strongly at best?"*, not *"how much of the patch does
        it cover?"*, which is average pooling's question.

        That difference is why max pooling is the usual choice in image classifiers. A feature map is
        a map of *presence*: a strong response in one corner of a window is evidence that the pattern
        is there, and the zeros next to it are not evidence against it. Averaging mixes the two, so
        the result also depends on how thick the pattern is and exactly where it falls inside the
        window. Max pooling keeps the evidence and drops the position within the window.

        Everything else is the same as for average pooling: a 2×2 window, stride 2, each feature map
        on its own, nothing to learn.
        """),
        md("""
        ## 2. A tiny example: the tutorial's line, window by window

        The 6×6 map of the line detector (notebook 02) and its first two rows, the ones the first
        row of windows covers:
        """),
        code("""
        feature_map = poolviz.relu(poolviz.conv2d(data.vertical_line(), data.VERTICAL_LINE_DETECTOR))
        first_two_rows = feature_map[:2]
        print(first_two_rows)
        """),
        md("""
        The calculation for each window is written out by `poolviz.walk_windows(...).arithmetic()`:
        generated from the numbers, never typed. The window starts at the left edge and moves two
        columns to the right each time.
        """),
        code("""
        for window in poolviz.walk_windows(first_two_rows, pool_size=(2, 2), operation="max"):
            print(f"columns {window.cols.start}-{window.cols.stop - 1}:")
            print(window.arithmetic())
        """),
        md("""
        The first pooled row is `0 3 0`. Then the window drops two rows, returns to the left edge,
        and so on until all nine windows are done. (The article's max-pooling section repeats two
        slips from its average-pooling one: the window moves "two columns to the left", and the
        expected result has four rows of `0 3 0`. The window moves right, and a 6×6 map pooled 2×2
        has three rows.)
        """),
        code("""
        windows = poolviz.walk_windows(feature_map, pool_size=(2, 2), operation="max")
        by_hand = np.zeros((3, 3))
        for window in windows:
            by_hand[window.output_index] = window.result
        print(by_hand)
        assert len(windows) == 9 and by_hand.shape == (3, 3)
        """),
        md("""
        Three rows of `0 3 0`, exactly what average pooling gave in notebook 03. That is a
        coincidence of this input: every window is either all 0 or all 3, and the largest value of a
        window whose cells are all equal is also their mean.
        """),
        code("""
        assert np.array_equal(by_hand, poolviz.average_pool2d(feature_map, pool_size=(2, 2)))
        """),
        md("""
        ### An input where max and average disagree

        Make the line thinner or thicker. With the detector from notebook 02, a line 1 pixel wide
        lights up one column of the feature map, a line 3 pixels wide lights up three. Now some
        windows are only half full, and the two poolings part ways:
        """),
        code("""
        def line_image(width, first_col=3, size=8):
            \"\"\"An 8x8 image of zeros with a vertical line `width` pixels wide.\"\"\"
            image = np.zeros((size, size))
            image[:, first_col:first_col + width] = 1.0
            return image


        for width in (1, 2, 3):
            line_map = poolviz.relu(poolviz.conv2d(line_image(width), data.VERTICAL_LINE_DETECTOR))
            print(f"width {width}: feature map row {line_map[0]}")
            print(f"         max pooled   {poolviz.max_pool2d(line_map)[0]}")
            print(f"         avg pooled   {poolviz.average_pool2d(line_map)[0]}")
        """),
        md("""
        Max pooling reports the line at full strength, 3, whatever its width. Average pooling reports
        1.5 wherever the line fills only half a window: it mixes "how strong" with "how wide".
        The thin line is the example we keep for the rest of the notebook:
        """),
        code("""
        thin_map = poolviz.relu(poolviz.conv2d(line_image(1), data.VERTICAL_LINE_DETECTOR))
        thin_max = poolviz.max_pool2d(thin_map)
        thin_average = poolviz.average_pool2d(thin_map)
        assert not np.array_equal(thin_max, thin_average)
        print(thin_max - thin_average)
        """),
        md("""
        ## 3. From scratch: max pooling with loops, and its gradient

        The loop version says what max pooling is in five lines; it is the same as notebook 03's
        average pooling with `.max()` in place of the mean.
        """),
        code('''
        def max_pool_loop(feature_map, pool=2, stride=2):
            """Max pooling of one 2-D map with 'valid' padding, one output cell at a time."""
            out_rows = (feature_map.shape[0] - pool) // stride + 1
            out_cols = (feature_map.shape[1] - pool) // stride + 1
            pooled = np.empty((out_rows, out_cols))
            for i in range(out_rows):
                for j in range(out_cols):
                    pooled[i, j] = feature_map[i * stride:i * stride + pool,
                                               j * stride:j * stride + pool].max()
            return pooled


        print(max_pool_loop(feature_map))
        assert np.array_equal(max_pool_loop(feature_map), by_hand)
        assert np.array_equal(max_pool_loop(thin_map), thin_max)
        assert np.array_equal(max_pool_loop(feature_map), poolviz.max_pool2d(feature_map))
        '''),
        md("""
        ### How the gradient flows back

        A pooling layer has no weights, but it sits between the loss and the convolution whose
        weights *are* trained, so backpropagation must pass gradients through it. Call `upstream`
        the gradient of the loss with respect to each pooled cell. What does each input cell get?

        * **Max:** a pooled cell *is* one of its input cells. Nudging the winning cell moves the
          output one-for-one; nudging any other cell (a little) changes nothing. So the winner gets
          the whole upstream value and the other three get 0.
        * **Average:** a pooled cell is the sum of its four cells divided by 4, so each cell gets a
          quarter of the upstream value.

        A small map with one clear winner per window, and a different upstream value for each
        pooled cell so we can see where each one goes:
        """),
        code("""
        activations = np.array([[0.1, 0.8, 0.0, 0.3],
                                [0.4, 0.2, 0.9, 0.5],
                                [0.0, 0.6, 0.2, 0.0],
                                [0.7, 0.3, 0.1, 0.4]])
        upstream = np.array([[1.0, 2.0],
                             [3.0, 4.0]])
        print(poolviz.max_pool2d(activations))
        """),
        code('''
        def max_pool_gradient_by_hand(feature_map, upstream):
            """Send each window's upstream value to its largest cell (the first one, on a tie)."""
            gradient = np.zeros_like(feature_map)
            for window in poolviz.walk_windows(feature_map, pool_size=(2, 2), operation="max"):
                winner = np.unravel_index(np.argmax(window.values), window.values.shape)
                gradient[window.rows[winner[0]], window.cols[winner[1]]] += upstream[window.output_index]
            return gradient


        def average_pool_gradient_by_hand(feature_map, upstream):
            """Spread each window's upstream value evenly over its cells."""
            gradient = np.zeros_like(feature_map)
            for window in poolviz.walk_windows(feature_map, pool_size=(2, 2), operation="average"):
                rows = slice(window.rows.start, window.rows.stop)
                cols = slice(window.cols.start, window.cols.stop)
                gradient[rows, cols] += upstream[window.output_index] / window.count
            return gradient


        max_gradient = max_pool_gradient_by_hand(activations, upstream)
        average_gradient = average_pool_gradient_by_hand(activations, upstream)
        print("max pooling:")
        print(max_gradient)
        print("average pooling:")
        print(average_gradient)
        '''),
        md("""
        Max pooling routes the gradient: only four cells of the sixteen learn anything from this
        step, the ones that won. Average pooling spreads it: every cell gets a share. Both hand on the
        same total, 1 + 2 + 3 + 4 = 10:
        """),
        code("""
        assert max_gradient.sum() == average_gradient.sum() == upstream.sum() == 10
        assert np.count_nonzero(max_gradient) == 4
        """),
        md("""
        **Ties.** The tutorial's map is full of ties: every window is four 0s or four 3s. Which cell
        wins then? Our rule takes the first winner in reading order (`np.argmax` does that), so each
        window sends everything to its top-left cell. Section 5 checks that TensorFlow does the same.
        """),
        code("""
        tie_gradient = max_pool_gradient_by_hand(feature_map, np.ones((3, 3)))
        print(tie_gradient)
        """),
        md("""
        ### `same` padding: a padded cell never wins

        With `padding="same"` Keras adds cells after the map (bottom and right) so that every input
        cell is in a window. For max pooling a padded cell takes no part in the comparison, as if it
        held minus infinity. Padding with zeros instead is a classic mistake, and it goes unnoticed
        as long as no value is negative (after a ReLU, none is). An all-negative map shows the
        difference:
        """),
        code("""
        all_negative = -np.arange(1.0, 10.0).reshape(3, 3)
        print(all_negative)
        print("padding (before, after) per side:", poolviz.same_padding(3, 2, 2))
        for window in poolviz.walk_windows(all_negative, pool_size=(2, 2), padding="same", operation="max"):
            print(window.arithmetic())
        """),
        code("""
        same_pooled = poolviz.max_pool2d(all_negative, pool_size=(2, 2), padding="same")
        zero_padded = poolviz.max_pool2d(np.pad(all_negative, ((0, 1), (0, 1))), pool_size=(2, 2))
        print("padded cells ignored:\\n", same_pooled)
        print("padded with zeros (wrong):\\n", zero_padded)
        """),
        md("""
        With zeros, three of the four outputs would be 0, a value that is nowhere in the input.
        """),
        md("""
        ## 4. Picture: the winning cells

        The first row of windows over the line detector's map, step 2 (the window over columns 2-3):
        """),
        code("""
        figure = poolviz.plot.pooling_figure(feature_map, pool_size=(2, 2), operation="max", step=1)
        plt.show()
        """),
        md("""
        The thin line, pooled both ways: the same input, two different summaries.
        """),
        code("""
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
        poolviz.plot.heatmap(thin_map, ax=axes[0], title="feature map (1-pixel line)")
        poolviz.plot.heatmap(thin_max, ax=axes[1], title="max pooled", vmin=0, vmax=3)
        poolviz.plot.heatmap(thin_average, ax=axes[2], title="average pooled", vmin=0, vmax=3)
        fig.tight_layout()
        plt.show()
        """),
        md("""
        Where the gradient goes: all of it to one cell per window, or a quarter to each.
        """),
        code("""
        fig, axes = plt.subplots(1, 3, figsize=(10, 3.4))
        poolviz.plot.heatmap(activations, ax=axes[0], title="activations")
        poolviz.plot.heatmap(max_gradient, ax=axes[1], title="gradient, max pooling", vmin=0, vmax=4)
        poolviz.plot.heatmap(average_gradient, ax=axes[2], title="gradient, average pooling", vmin=0, vmax=4)
        fig.tight_layout()
        plt.show()
        """),
        md("""
        ### Try it: the pooling explorer

        Choose an input, the pool size, the stride and the padding, and step through the windows
        with max pooling; switch the operation to compare with average pooling. (Run the notebook in
        JupyterLab to use the controls.)
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        explorer = poolviz.widgets.pooling_explorer(operation="max")
        explorer
        """),
        md("""
        Behind the controls is a model, `explorer.model`, that works without a browser. As displayed,
        it must show the line detector's map max-pooled as in section 2; a model of the same class,
        set as the menus would set it, must give the thin line's two different results.
        """),
        code("""
        explorer_model = explorer.model
        print(explorer_model.formula_text)
        assert explorer_model.operation == "max"
        assert np.array_equal(explorer_model.pooled, by_hand)

        thin_model = PoolingExplorerModel(thin_map, operation="max", step=1)
        print(thin_model.arithmetic_text)
        assert np.array_equal(thin_model.pooled, thin_max)
        thin_model.operation = "average"
        print(thin_model.arithmetic_text)
        assert np.array_equal(thin_model.pooled, thin_average)
        """),
        md("""
        ## 5. Check against Keras

        `MaxPooling2D` on the line detector's map, on its own:
        """),
        code("""
        keras.backend.clear_session()
        max_pooling = keras.layers.MaxPooling2D(pool_size=(2, 2), name="max_pooling")
        keras_pooled = keras.ops.convert_to_numpy(max_pooling(feature_map[np.newaxis, :, :, np.newaxis]))
        print(keras_pooled[0, :, :, 0])
        assert np.array_equal(keras_pooled[0, :, :, 0], by_hand)
        """),
        md("""
        > **2019 vs today:** the article's `from keras.layers import MaxPooling2D` still imports, but
        > `keras` now means Keras 3 (here on the TensorFlow backend), and two other lines of its
        > listing have changed meaning: `input_shape=(8, 8, 1)` on `Conv2D` is deprecated (a warning;
        > start with `keras.Input((8, 8, 1))`), and `model.predict(data)` prints a progress bar with
        > a timing (`model(x)` returns the output quietly). `MaxPooling2D()` with no arguments still
        > works: unlike `AveragePooling2D`, it keeps its default pool size of (2, 2).
        """),
        code("""
        default_pooling = keras.layers.MaxPooling2D(name="default_max_pooling")
        print("default pool size:", default_pooling.pool_size)
        assert tuple(default_pooling.pool_size) == (2, 2)
        """),
        md("""
        The tutorial's whole model with max pooling, from `keras_bridge.tutorial_model`: still 10
        parameters, all in the convolution, and the pooling layer halves 6×6 to 3×3.
        """),
        code("""
        model = keras_bridge.tutorial_model("max")
        model.summary(line_length=80, print_fn=print)
        keras_output = keras.ops.convert_to_numpy(model(data.vertical_line().reshape(1, 8, 8, 1)))
        print(keras_output[0, :, :, 0])
        assert np.array_equal(keras_output[0, :, :, 0], by_hand)
        assert model.count_params() == 10 and model.get_layer("pooling").count_params() == 0
        """),
        md("""
        The thin line: Keras's max and average pooling disagree too, and each agrees with ours.
        """),
        code("""
        keras_thin_max = keras_bridge.keras_pool2d(thin_map, "max")
        keras_thin_average = keras_bridge.keras_pool2d(thin_map, "average", pool_size=(2, 2))
        print(keras_thin_max)
        print(keras_thin_average)
        assert np.array_equal(keras_thin_max, thin_max)
        assert np.array_equal(keras_thin_average, thin_average)
        assert not np.array_equal(keras_thin_max, keras_thin_average)
        """),
        md("""
        `same` padding on the all-negative map: Keras gives the real maximum, not 0.
        """),
        code("""
        keras_same = keras_bridge.keras_pool2d(all_negative, "max", pool_size=(2, 2), padding="same")
        print(keras_same)
        assert np.array_equal(keras_same, same_pooled)
        assert not np.array_equal(keras_same, zero_padded)
        """),
        md("""
        ### The gradients, with `tf.GradientTape`

        The tape records the forward pass and returns d(loss)/d(input). With
        `loss = sum(upstream * pooled)` the gradient reaching each pooled cell is exactly its
        `upstream` value, as in our hand calculation.
        """),
        code('''
        import tensorflow as tf  # loaded (quietly) by load_keras() in the setup cell; for GradientTape


        def keras_input_gradient(pooling_layer, feature_map, upstream):
            """d(sum(upstream * pooled)) / d(feature_map), computed by TensorFlow."""
            inputs = tf.constant(feature_map[np.newaxis, :, :, np.newaxis], dtype=tf.float32)
            with tf.GradientTape() as tape:
                tape.watch(inputs)
                pooled = pooling_layer(inputs)[0, :, :, 0]
                loss = tf.reduce_sum(pooled * tf.constant(upstream, dtype=tf.float32))
            return tape.gradient(loss, inputs).numpy()[0, :, :, 0]


        max_layer = keras.layers.MaxPooling2D(pool_size=(2, 2), name="max_pooling_for_gradients")
        average_layer = keras.layers.AveragePooling2D(pool_size=(2, 2), name="average_pooling_for_gradients")

        tf_max_gradient = keras_input_gradient(max_layer, activations, upstream)
        tf_average_gradient = keras_input_gradient(average_layer, activations, upstream)
        print(tf_max_gradient)
        print(tf_average_gradient)
        assert np.array_equal(tf_max_gradient, max_gradient)
        assert np.array_equal(tf_average_gradient, average_gradient)
        '''),
        md("""
        And the ties: TensorFlow also gives each tied window's gradient to its first cell in reading
        order.
        """),
        code("""
        tf_tie_gradient = keras_input_gradient(max_layer, feature_map, np.ones((3, 3)))
        assert np.array_equal(tf_tie_gradient, tie_gradient)
        print("TensorFlow routes each tie to the top-left cell, like np.argmax")
        """),
        md("""
        ## 6. Summary

        * Max pooling keeps the largest value of each window. On the tutorial's line it gives three
          rows of `0 3 0`, by hand, with a loop, with poolviz and with `MaxPooling2D`; so does average
          pooling, because each window there is uniform.
        * A 1-pixel line separates them: max pooling reports 3, average pooling 1.5. Max pooling
          reports that a feature is present; average pooling also reports how much of the window it
          fills. That is why max pooling is the usual choice in classifiers.
        * Backpropagation: max pooling sends each pooled cell's gradient to the winning input cell
          (on a tie, the first in reading order) and 0 to the rest; average pooling gives each cell a
          quarter. `tf.GradientTape` agrees exactly.
        * With `same` padding, padded cells never win: Keras returns the real maximum even when every
          value is negative. Zero padding would return 0.
        * `MaxPooling2D()` still defaults to a 2×2 pool in Keras 3; use `keras.Input` instead of
          `input_shape=` and `model(x)` instead of `predict`.
        """),
        md("""
        ## 7. Exercises

        ### Exercise 1: max pooling by hand

        `exercises.EXERCISE_1_MAP` is printed below. Work out `MaxPooling2D(pool_size=(2, 2))` on it
        with pen and paper (no code), and give the 2×2 result as a nested list.
        """),
        code("""
        print(exercises.EXERCISE_1_MAP)
        """),
        code("""
        # Exercise 1: replace None with the 2x2 result, e.g. [[a, b], [c, d]].
        answer_1 = None
        exercises.check_max_pool_by_hand(answer_1)
        """),
        md("""
        ### Exercise 2: `same` padding and negative values

        What does `MaxPooling2D(pool_size=(2, 2), padding="same")` return for
        `exercises.EXERCISE_2_MAP`? Decide where the padding goes and what a padded cell contributes,
        then give the 2×2 result.
        """),
        code("""
        print(exercises.EXERCISE_2_MAP)
        """),
        code("""
        # Exercise 2: replace None with the 2x2 result.
        answer_2 = None
        exercises.check_same_padding_max(answer_2)
        """),
        md("""
        ### Exercise 3: the gradient of max pooling, your version

        Write `max_pool_gradient(feature_map, upstream)` for `MaxPooling2D(2)` with `valid` padding,
        using plain NumPy (no `walk_windows`): it returns an array shaped like `feature_map`. The
        check tries it on maps with ties and on a 5×5 map, whose last row and column are in no
        window.
        """),
        code("""
        # Exercise 3: define max_pool_gradient, then replace None with max_pool_gradient.
        answer_3 = None
        exercises.check_max_pool_gradient(answer_3)
        """),
        md("""
        Worked solutions: [`solutions/04_solutions.py`](solutions/04_solutions.py).
        Next: notebook 05 pools a whole feature map into one number.
        """),
    ]


# ==========================================================================
# 05 Global pooling
# ==========================================================================
def notebook_05():
    return [
        md("""
        # 05 · Global pooling: one number per feature map

        After this notebook you can

        * compute global max and global average pooling by hand and predict their output shapes, with and without `keepdims`;
        * reproduce the tutorial's `[[3.]]` with Keras's `GlobalMaxPooling2D`;
        * count the parameters that global pooling saves compared with `Flatten` + `Dense`;
        * train a tiny line classifier built around global pooling, and read what its filters learned.

        Prerequisites: notebooks 02-04.
        """),
        setup_cell("nb05", """
            import poolviz.plot
            from poolviz import keras_bridge
            """),
        md("""
        ## 1. Intuition: a window as large as the whole map

        Global pooling is ordinary pooling with the window stretched over the entire feature map:
        there is only one window, so each feature map shrinks to one number. Global max pooling asks
        *"does this pattern appear anywhere in the image, and how strongly?"*; global average
        pooling asks *"how much of the image shows it, on average?"*.

        One number per feature map is exactly what a classifier needs at its end. A network that
        has learned 64 pattern detectors can summarise an image by 64 numbers, one per detector,
        whatever the image size and wherever the patterns are. That is why modern classifiers
        often end with global pooling instead of a large fully connected layer.
        """),
        md("""
        ## 2. A tiny example: the tutorial's line, summed up in one number

        The 6×6 map of the line detector again, pooled with a single 6×6 window. The arithmetic is
        generated by `walk_windows`, with the window as large as the map:
        """),
        code("""
        feature_map = poolviz.relu(poolviz.conv2d(data.vertical_line(), data.VERTICAL_LINE_DETECTOR))
        (whole_max,) = poolviz.walk_windows(feature_map, pool_size=feature_map.shape, operation="max")
        (whole_average,) = poolviz.walk_windows(feature_map, pool_size=feature_map.shape, operation="average")
        print(whole_max.arithmetic())
        print(whole_average.arithmetic())
        """),
        code("""
        global_max = poolviz.global_max_pool2d(feature_map)
        global_average = poolviz.global_average_pool2d(feature_map)
        print("global max:", global_max, " global average:", global_average)
        assert global_max == whole_max.result == 3.0
        assert global_average == whole_average.result == 1.0
        """),
        md("""
        The maximum, 3, says that a full vertical line was found somewhere. The average, 1, mixes
        the line with the empty space around it: 12 cells of 3 spread over 36.

        ### Many maps at once: batches, channels and `keepdims`

        In a network, a layer's output holds a *batch* of images, each with several *channels*
        (one feature map per filter): shape `(batch, rows, cols, channels)`. Global pooling turns
        each map into one number, leaving `(batch, channels)`.

        Two images (the vertical line and a horizontal one) through two detectors (the vertical one
        and its transpose) give a batch of 2 images with 2 channels each:
        """),
        code("""
        images = [data.vertical_line(), data.horizontal_line()]
        detectors = [data.VERTICAL_LINE_DETECTOR, data.VERTICAL_LINE_DETECTOR.T]
        batch = np.stack([
            np.stack([poolviz.relu(poolviz.conv2d(image, detector)) for detector in detectors], axis=-1)
            for image in images
        ])
        print("batch shape (batch, rows, cols, channels):", batch.shape)
        print("global max:\\n", poolviz.global_max_pool2d(batch))
        print("global average:\\n", poolviz.global_average_pool2d(batch))
        print("shape without keepdims:", poolviz.global_max_pool2d(batch).shape)
        print("shape with keepdims:   ", poolviz.global_max_pool2d(batch, keepdims=True).shape)
        """),
        md("""
        Rows are images, columns are detectors. Global max tells the two lines apart: each detector
        responds with 3 to its own direction and only with 2 to the other. Global average cannot:
        both detectors collect the same total response (36) from both images, so every average is 1.
        The same "presence, not average" argument as in notebook 04, at the scale of a whole image.

        `keepdims=True` keeps the two pooled axes with size 1, `(batch, 1, 1, channels)`, which is
        handy when the result is multiplied back onto the feature maps (as attention blocks such as
        squeeze-and-excitation do).
        """),
        md("""
        ## 3. From scratch: one big window per map

        In NumPy, global pooling is a reduction over the rows and columns axes, 1 and 2:
        """),
        code("""
        by_hand_max = batch.max(axis=(1, 2))
        by_hand_average = batch.mean(axis=(1, 2))
        by_hand_kept = batch.max(axis=(1, 2), keepdims=True)
        print(by_hand_max)
        assert np.array_equal(by_hand_max, poolviz.global_max_pool2d(batch))
        assert np.array_equal(by_hand_average, poolviz.global_average_pool2d(batch))
        assert np.array_equal(by_hand_kept, poolviz.global_max_pool2d(batch, keepdims=True))
        """),
        md("""
        As the tutorial notes, it is the same as ordinary pooling with `pool_size` equal to the map
        size: one window, a 1×1 output.
        """),
        code("""
        same_as_big_window = poolviz.max_pool2d(batch, pool_size=(6, 6))
        print(same_as_big_window.shape)
        assert np.array_equal(same_as_big_window, by_hand_kept)
        """),
        md("""
        ### Counting parameters: `Flatten` + `Dense` against global pooling + `Dense`

        Take a colour image of 32×32 pixels (3 channels), a `Conv2D` with 32 filters of 3×3 and no
        padding, and a `Dense` layer for 10 classes. Two ways to get from the 30×30×32 feature maps to
        the 10 class scores:

        * `Flatten` lays all 30 · 30 · 32 = 28,800 values out in a row; the `Dense` layer needs one
          weight per value and class, plus one bias per class.
        * Global average pooling leaves 32 values, one per filter; the `Dense` layer needs
          32 · 10 weights plus 10 biases.
        """),
        code("""
        image_size, colour_channels, filters, kernel_size, classes = 32, 3, 32, 3, 10
        side = image_size - kernel_size + 1                      # 'valid' convolution: 30
        conv_parameters = kernel_size * kernel_size * colour_channels * filters + filters
        flatten_head = side * side * filters * classes + classes
        pooling_head = filters * classes + classes

        by_hand_counts = {
            "Flatten + Dense": (conv_parameters, flatten_head, conv_parameters + flatten_head),
            "global pooling + Dense": (conv_parameters, pooling_head, conv_parameters + pooling_head),
        }
        print(f"{'':24}{'Conv2D':>10}{'Dense':>10}{'total':>10}")
        for name, counts in by_hand_counts.items():
            print(f"{name:24}" + "".join(f"{count:>10,}" for count in counts))
        """),
        md("""
        The pooling head is nearly 900 times smaller, and its size does not depend on the
        image size at all: its `Dense` layer sees 32 numbers whether the image is 32×32 or 64×64.
        Behind `Flatten`, a 64×64 image would need 62 · 62 · 32 · 10 + 10 = 1,230,090 parameters. Fewer weights also mean less to overfit. The price:
        where in the image a pattern appeared is thrown away; the classifier only learns *which*
        patterns appeared.
        """),
        md("""
        ## 4. Picture: four feature maps, four numbers each way

        The batch from section 2, each map titled with its global max and global average:
        """),
        code("""
        fig, axes = plt.subplots(2, 2, figsize=(7, 6.6))
        image_names = ["vertical line", "horizontal line"]
        detector_names = ["vertical detector", "horizontal detector"]
        for i, image_name in enumerate(image_names):
            for j, detector_name in enumerate(detector_names):
                poolviz.plot.heatmap(batch[i, :, :, j], ax=axes[i, j], vmin=0, vmax=3,
                                     title=f"{image_name}, {detector_name}\\n"
                                           f"max {by_hand_max[i, j]:g}, average {by_hand_average[i, j]:g}")
        fig.tight_layout()
        plt.show()
        """),
        md("""
        The parameter counts of section 3, on a log scale:
        """),
        code("""
        fig, ax = plt.subplots(figsize=(6, 3))
        names = list(by_hand_counts)
        ax.barh(names, [counts[1] for counts in by_hand_counts.values()], color=["tab:red", "tab:green"])
        ax.set_xscale("log")
        ax.set_xlabel("parameters of the Dense head (log scale)")
        for position, counts in enumerate(by_hand_counts.values()):
            ax.text(counts[1], position, f" {counts[1]:,}", va="center")
        ax.set_xlim(100, 3e6)
        fig.tight_layout()
        plt.show()
        """),
        md("""
        ## 5. Check against Keras

        ### The tutorial's `[[3.]]`

        The tutorial's model with `GlobalMaxPooling2D`: the output is one value per image and
        channel, `(None, 1)` in the summary.
        """),
        code("""
        model = keras_bridge.tutorial_model("global max")
        model.summary(line_length=80, print_fn=print)
        keras_output = keras.ops.convert_to_numpy(model(data.vertical_line().reshape(1, 8, 8, 1)))
        print(keras_output)
        assert keras_output.shape == (1, 1)
        assert keras_output[0, 0] == global_max == 3.0
        """),
        md("""
        > **2019 vs today:** the article builds this model with `Sequential()`,
        > `Conv2D(..., input_shape=(8, 8, 1))` and prints `model.predict(data)`. On Keras 3 the
        > `input_shape=` argument is deprecated (start the model with `keras.Input((8, 8, 1))`) and
        > `predict` adds a progress bar with a timing to the output; calling `model(x)` gives the same
        > `[[3.]]` without it. `GlobalMaxPooling2D` itself is unchanged, and has gained `keepdims`.

        ### Both global layers, with and without `keepdims`
        """),
        code("""
        keras.backend.clear_session()
        keras_batch = batch.astype("float32")
        for layer_class, ours in [(keras.layers.GlobalMaxPooling2D, poolviz.global_max_pool2d),
                                  (keras.layers.GlobalAveragePooling2D, poolviz.global_average_pool2d)]:
            for keepdims in (False, True):
                layer = layer_class(keepdims=keepdims, name=f"{layer_class.__name__}_{keepdims}".lower())
                theirs = keras.ops.convert_to_numpy(layer(keras_batch))
                print(f"{layer_class.__name__}(keepdims={keepdims}): shape {theirs.shape}")
                assert theirs.shape == ours(batch, keepdims=keepdims).shape
                np.testing.assert_allclose(theirs, ours(batch, keepdims=keepdims))
        """),
        md("""
        ### The parameter counts, with `count_params`

        Both models from section 3, built for real:
        """),
        code('''
        def small_classifier(summary_layer, name):
            """Conv2D(32, 3x3) on a 32x32x3 image, then `summary_layer`, then Dense(10)."""
            keras.backend.clear_session()
            image = keras.Input((image_size, image_size, colour_channels), name="image")
            features = keras.layers.Conv2D(filters, (kernel_size, kernel_size), activation="relu",
                                           name="features")(image)
            summary = summary_layer(features)
            scores = keras.layers.Dense(classes, activation="softmax", name="classes")(summary)
            return keras.Model(image, scores, name=name)


        flatten_model = small_classifier(keras.layers.Flatten(name="flatten"), "flatten_dense")
        flatten_model.summary(line_length=80, print_fn=print)
        pooling_model = small_classifier(keras.layers.GlobalAveragePooling2D(name="global_pooling"),
                                         "global_pooling_dense")
        pooling_model.summary(line_length=80, print_fn=print)
        '''),
        code("""
        for model_built, name in [(flatten_model, "Flatten + Dense"), (pooling_model, "global pooling + Dense")]:
            counts = (model_built.get_layer("features").count_params(),
                      model_built.get_layer("classes").count_params(),
                      model_built.count_params())
            print(f"{name:24}" + "".join(f"{count:>10,}" for count in counts))
            assert counts == by_hand_counts[name]
        """),
        md("""
        ### A tiny classifier with global pooling

        Can a network with a single 3×3 convolution, global max pooling and one output unit learn to
        tell vertical lines from horizontal ones, wherever they are? The images are 12×12, with one
        line 6 pixels long at a random place, and Gaussian noise everywhere. They come from a seeded
        NumPy generator, so they are the same on every run.
        """),
        code('''
        # Scaffolding: the training and test images (not about pooling itself).
        def line_images(count, rng, size=12, length=6, noise=0.2):
            """`count` noisy size x size images, each with one line; label 1 = vertical, 0 = horizontal."""
            images = rng.normal(0.0, noise, size=(count, size, size))
            labels = rng.integers(0, 2, size=count)
            where = rng.integers(1, size - 1, size=count)          # the line's row or column
            start = rng.integers(0, size - length + 1, size=count)  # where along it the line begins
            for image, label, line, first in zip(images, labels, where, start):
                if label == 1:
                    image[first:first + length, line] += 1.0
                else:
                    image[line, first:first + length] += 1.0
            return images[..., np.newaxis].astype("float32"), labels.astype("float32")


        data_rng = np.random.default_rng(2019)
        x_train, y_train = line_images(300, data_rng)
        x_test, y_test = line_images(200, data_rng)
        print("train:", x_train.shape, "vertical:", int(y_train.sum()))
        print("test: ", x_test.shape, "vertical:", int(y_test.sum()))
        '''),
        code("""
        fig, axes = plt.subplots(2, 6, figsize=(10, 3.8))
        for ax, image, label in zip(axes.ravel(), x_train, y_train):
            ax.imshow(image[:, :, 0], cmap="gray")
            ax.set_title("vertical" if label else "horizontal", fontsize=9)
            ax.set_axis_off()
        fig.tight_layout()
        plt.show()
        """),
        md("""
        The model: two 3×3 filters with ReLU, `GlobalMaxPooling2D` (each filter's strongest response
        anywhere in the image), and a `Dense` unit with a sigmoid that turns those two numbers into the
        probability of "vertical". 23 parameters in all.

        Training must give the same numbers on every run: `keras.utils.set_random_seed` fixes the
        initial weights and `tf.config.experimental.enable_op_determinism()` makes TensorFlow's kernels
        deterministic. Each training step uses all 300 images at once (`train_on_batch`); they are tiny,
        and the loop shows every step. `model.fit(x_train, y_train, epochs=..., verbose=0)` would do
        the same work in mini-batches.
        """),
        code("""
        import tensorflow as tf  # loaded (quietly) by load_keras() in the setup cell

        keras.utils.set_random_seed(1)
        tf.config.experimental.enable_op_determinism()
        keras.backend.clear_session()

        classifier = keras.Sequential([
            keras.Input((12, 12, 1), name="image"),
            keras.layers.Conv2D(2, (3, 3), activation="relu", name="line_filters"),
            keras.layers.GlobalMaxPooling2D(name="strongest_response"),
            keras.layers.Dense(1, activation="sigmoid", name="is_vertical"),
        ], name="line_classifier")
        classifier.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05),
                           loss="binary_crossentropy", metrics=["accuracy"])
        classifier.summary(line_length=80, print_fn=print)
        assert classifier.count_params() == 2 * (3 * 3 + 1) + (2 + 1) == 23
        """),
        code("""
        for step in range(100):
            logs = classifier.train_on_batch(x_train, y_train, return_dict=True)

        test_probability = keras.ops.convert_to_numpy(classifier(x_test))[:, 0]
        test_accuracy = np.mean((test_probability > 0.5) == y_test)
        print(f"after 100 steps: training loss {logs['loss']:.3f}, training accuracy {logs['accuracy']:.2f}")
        print(f"test accuracy: {test_accuracy:.2f}")
        assert test_accuracy >= 0.95, "the classifier should classify nearly every test image correctly"
        """),
        md("""
        The pooling step in the trained model can be checked by hand like everything else: run the
        convolution with the learned weights in NumPy, take each map's maximum with poolviz, and
        apply the dense unit. The result must match the model's own output.
        """),
        code("""
        kernels, biases = classifier.get_layer("line_filters").get_weights()
        dense_weights, dense_bias = classifier.get_layer("is_vertical").get_weights()

        def classify_by_hand(image):
            maps = [poolviz.relu(poolviz.conv2d(image[:, :, 0], kernels[:, :, 0, k], bias=biases[k]))
                    for k in range(kernels.shape[-1])]
            presence = np.array([poolviz.global_max_pool2d(feature) for feature in maps])
            return 1.0 / (1.0 + np.exp(-(presence @ dense_weights[:, 0] + dense_bias[0])))

        by_hand_probability = np.array([classify_by_hand(image) for image in x_test])
        np.testing.assert_allclose(by_hand_probability, test_probability, atol=1e-5)
        print("NumPy + poolviz reproduce the classifier on all", len(x_test), "test images")
        """),
        md("""
        ### What the filters learned

        The two learned 3×3 kernels, and the weight the dense unit gives to each filter's strongest
        response (positive: evidence for "vertical"):
        """),
        code("""
        fig, axes = plt.subplots(1, 2, figsize=(7, 3.4))
        for k, ax in enumerate(axes):
            poolviz.plot.heatmap(np.round(kernels[:, :, 0, k], 1), ax=ax, cmap="coolwarm", vmin=-3, vmax=3,
                                 title=f"filter {k}: dense weight {dense_weights[k, 0]:+.1f}")
        fig.tight_layout()
        plt.show()
        """),
        md("""
        Filter 0 has its large positive weights in the middle column: a vertical line detector, like
        the tutorial's hand-made one, but with negative side columns, so a horizontal line crossing it
        cancels out. Its dense weight is positive: "a strong vertical response somewhere means
        vertical". Filter 1 has a positive top row over negative rows: it fires on a horizontal
        stroke (and, more weakly, on the noise), and its negative dense weight makes it vote for
        "horizontal". Nobody told the network where the lines are; global max pooling let it ignore the
        question. (A different seed can give different, equally good, filters: try exercise 3.)

        The code checks that reading of the kernels:
        """),
        code("""
        column_means = kernels[:, :, 0, 0].mean(axis=0)
        row_means = kernels[:, :, 0, 1].mean(axis=1)
        print("filter 0, mean of each column:", column_means.round(2))
        print("filter 1, mean of each row:   ", row_means.round(2))
        note = "this reading describes the filters learned with seed 1; another seed learns others"
        assert np.argmax(column_means) == 1 and dense_weights[0, 0] > 0, note  # vertical, votes "vertical"
        assert np.argmax(row_means) == 0 and dense_weights[1, 0] < 0, note     # horizontal, votes "horizontal"
        """),
        md("""
        Each filter's strongest response on one vertical and one horizontal test image: the numbers
        global max pooling hands to the dense unit.
        """),
        code("""
        first_vertical = int(np.argmax(y_test == 1))
        first_horizontal = int(np.argmax(y_test == 0))
        fig, axes = plt.subplots(2, 3, figsize=(9, 6))
        for row, index in enumerate([first_vertical, first_horizontal]):
            image = x_test[index, :, :, 0]
            axes[row, 0].imshow(image, cmap="gray")
            axes[row, 0].set_title("vertical" if y_test[index] else "horizontal")
            axes[row, 0].set_axis_off()
            for k in range(2):
                response = poolviz.relu(poolviz.conv2d(image, kernels[:, :, 0, k], bias=biases[k]))
                poolviz.plot.heatmap(response, ax=axes[row, k + 1], annotate=False,
                                     title=f"filter {k}: max {poolviz.global_max_pool2d(response):.1f}")
        fig.tight_layout()
        plt.show()
        """),
        md("""
        ## 6. Summary

        * Global pooling uses one window as large as the feature map: each map becomes one number.
          The tutorial's line gives a global max of 3 (`[[3.]]` in Keras) and a global average of 1.
        * On a batch `(batch, rows, cols, channels)` the result is `(batch, channels)`, or
          `(batch, 1, 1, channels)` with `keepdims=True`.
        * Global max pooling tells a vertical from a horizontal line even when global average pooling
          gives both the same value.
        * Replacing `Flatten` + `Dense` by global pooling + `Dense` shrinks the head from 288,010 to 330
          parameters in our example, and makes it independent of the image size.
        * A 23-parameter network with global max pooling learns to classify lines at any position;
          its filters turn out to be line detectors.
        * `keras.Input` replaces `input_shape=`, and `model(x)` replaces `predict`.
        """),
        md("""
        ## 7. Exercises

        ### Exercise 1: output shapes

        A batch of feature maps has shape `exercises.EXERCISE_1_BATCH_SHAPE`, `(32, 7, 7, 64)`, in
        the channels-last layout. What shape does `GlobalAveragePooling2D()` return, and what shape
        with `keepdims=True`? Answer with a pair of tuples.
        """),
        code("""
        # Exercise 1: replace None with (shape without keepdims, shape with keepdims).
        answer_1 = None
        exercises.check_global_shapes(answer_1)
        """),
        md("""
        ### Exercise 2: the size of the head

        A 28×28 grayscale image goes through `Conv2D(16, (3, 3))` (no padding). How many parameters
        does a `Dense(10)` layer have after `Flatten`, and how many after
        `GlobalAveragePooling2D`? Count by hand, then check with Keras if you like.
        """),
        code("""
        # Exercise 2: replace None with (Dense parameters after Flatten, after global pooling).
        answer_2 = None
        exercises.check_head_parameters(answer_2)
        """),
        md("""
        ### Exercise 3: global average pooling in one line

        Write `global_average_pool(batch)` for a channels-last batch `(batch, rows, cols, channels)`
        in NumPy, returning `(batch, channels)`, and pass the function to the check.

        Then, for exploring (not checked): change the seed in `keras.utils.set_random_seed(1)` above,
        rerun the classifier cells, and look at the filters. Do they still turn out to be line
        detectors? Swap `GlobalMaxPooling2D` for `GlobalAveragePooling2D`: what happens to the test
        accuracy, and why? (The checks after the training cell describe the seed-1, max-pooling
        model, so they will complain; that is expected.)
        """),
        code("""
        # Exercise 3: define global_average_pool, then replace None with global_average_pool.
        answer_3 = None
        exercises.check_global_average_pool(answer_3)
        """),
        md("""
        Worked solutions: [`solutions/05_solutions.py`](solutions/05_solutions.py).
        """),
    ]


BUILDERS = {
    "04": ("04_max_pooling.ipynb", notebook_04),
    "05": ("05_global_pooling.ipynb", notebook_05),
}


def build(key):
    filename, builder = BUILDERS[key]
    notebook = nbformat.v4.new_notebook()
    notebook.cells = builder()
    notebook.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    nbformat.validate(notebook)
    path = NOTEBOOKS / filename
    nbformat.write(notebook, path)
    return path


if __name__ == "__main__":
    for key in sys.argv[1:] or sorted(BUILDERS):
        print("wrote", build(key))
