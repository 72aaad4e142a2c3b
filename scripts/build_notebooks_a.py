"""Write the sources of notebooks 01-03 (course-a) with nbformat.

Scaffolding for the authors, not for students or CI: the committed artifacts
are the ``.ipynb`` files, and ``make notebooks`` only executes them. Run

    .venv/bin/python scripts/build_notebooks_a.py [01 02 03]
    .venv/bin/jupyter nbconvert --to notebook --execute --inplace notebooks/0*.ipynb

after changing a cell here; without arguments all three are rewritten
(outputs cleared).
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import nbformat

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def md(text):
    return nbformat.v4.new_markdown_cell(textwrap.dedent(text).strip("\n"))


def code(text):
    return nbformat.v4.new_code_cell(textwrap.dedent(text).strip("\n"))


SETUP_TEMPLATE = textwrap.dedent('''
    # Setup (scaffolding, not part of the lesson): imports, versions, seeds.
    import os
    import platform

    # Set before TensorFlow is imported: they keep its start-up quiet, so
    # JupyterLab and the tests show the same outputs.
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")

    import matplotlib
    import matplotlib.pyplot as plt
    import numpy as np

    import poolviz
    from poolviz import data
    from poolviz.keras_bridge import load_keras
    from poolviz.exercises import EXERCISE_MODULE as exercisesEXTRA_IMPORTS

    keras = load_keras()  # TensorFlow + Keras, without TensorFlow's start-up log lines

    %matplotlib inline
    np.set_printoptions(precision=4, suppress=True)
    keras.utils.set_random_seed(0)  # seeds Python, NumPy and TensorFlow at once

    print(f"Python {platform.python_version()}, NumPy {np.__version__}, "
          f"Matplotlib {matplotlib.__version__}, Keras {keras.__version__}, "
          f"poolviz {poolviz.__version__}")
    assert keras.__version__.startswith("3."), "these notebooks are written for Keras 3"
    ''').strip("\n")


def setup_cell(exercise_module, extra_imports=""):
    """The first code cell of every notebook: the same lines everywhere."""
    extra = textwrap.dedent(extra_imports).strip("\n")
    source = SETUP_TEMPLATE.replace("EXERCISE_MODULE", exercise_module)
    source = source.replace("EXTRA_IMPORTS", ("\n" + extra) if extra else "")
    return nbformat.v4.new_code_cell(source)


# ==========================================================================
# 01 Pooling
# ==========================================================================
def notebook_01():
    cells = [
        md("""
        # 01 · Pooling layers: making feature maps smaller on purpose

        After this notebook you can

        * say why a convolutional network shrinks its feature maps, and what a pooling layer does to them;
        * work out the size of a pooled map, for `valid` and for `same` padding, before running anything;
        * pool a feature map by hand (with a loop) and get exactly what Keras gets;
        * measure, rather than take on trust, how much of a pooled map survives a small shift of the input.

        Prerequisites: NumPy arrays and slicing. The feature map used here comes from a
        3×3 "vertical line detector"; notebook 02 builds that detector step by step.
        """),
        setup_cell("nb01", """
            import poolviz.plot
            import poolviz.widgets
            from poolviz import keras_bridge
            """),
        md("""
        ## 1. Intuition: why feature maps are made smaller

        A convolutional layer slides each of its filters over the image and writes down, position
        by position, how strongly the filter's pattern is present there. The result, one grid per
        filter, is a **feature map**. A feature map is very precise about *where*: move the object
        in the image one pixel to the right and the whole pattern of numbers moves with it, so the
        value stored at any given position changes.

        The layers that come later mostly need to know *whether* a feature is present in a region,
        not at which exact pixel. So networks regularly make their feature maps coarser
        (**down-sampling**): the large structure is kept, the pixel-exact position is thrown away.
        As a side effect the following layers get cheaper: half the rows and half the columns means
        a quarter of the cells.

        A **pooling layer** is the usual way to do this. What it is, in five points:

        1. It comes after a convolution and its nonlinearity: *convolution → ReLU → pooling*, a block
           that a network may repeat several times.
        2. It moves a small window over a feature map and replaces everything under the window by a
           single number: the largest value (**max pooling**) or the mean (**average pooling**).
        3. The window is nearly always 2×2 and jumps 2 cells at a time (**stride** 2), so every side
           of the map is halved: a 6×6 map becomes 3×3, 36 cells become 9.
        4. It is a fixed rule, not a learned one: a pooling layer has **no weights** at all.
        5. It handles **each feature map on its own**: 16 maps in, 16 pooled maps out; values from
           different maps are never combined.
        """),
        md("""
        ## 2. A tiny example: a 6×6 feature map becomes 3×3

        The tutorial's image is 8×8 pixels, black except for a vertical line two pixels wide. Its
        line detector turns it into a 6×6 feature map (notebook 02 shows how); here we simply take
        that map as given.
        """),
        code("""
        image = data.vertical_line()
        feature_map = poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR))
        print(feature_map)
        """),
        md("""
        Every row reads `0 0 3 3 0 0`: the detector answers 3 in the two columns where the line
        runs, 0 elsewhere. Now max pooling with a 2×2 window and stride 2. `poolviz.walk_windows`
        lists the windows in the order you would work through them on paper, row by row and left
        to right; here are the first three, which together make the first row of the result.
        """),
        code("""
        windows = poolviz.walk_windows(feature_map, pool_size=(2, 2), operation="max")
        print(len(windows), "windows")
        for window in windows[:3]:
            print(f"output cell {window.output_index}: input rows {list(window.rows)}, "
                  f"columns {list(window.cols)}")
            print(window.arithmetic())
        """),
        code("""
        pooled = poolviz.max_pool2d(feature_map, pool_size=(2, 2))
        print(pooled)
        print(feature_map.shape, "->", pooled.shape)
        """),
        md("""
        The line is still there, in the middle column of a 3×3 map: the pooled map says "there is a
        vertical line in the middle third of the image", which is all a later layer needs.

        ### How big is the output?

        Take one side of the map, with `n` cells, a window of `pool` cells and a step of `stride`.

        * **`valid` padding** (the default) only uses windows that fit entirely inside the map. They
          start at 0, `stride`, 2·`stride`, ... and the last start is at most `n - pool`, so there are
          `floor((n - pool) / stride) + 1` of them. Cells that no window reaches are ignored.
        * **`same` padding** adds empty cells after the map, just enough that the windows
          reach every cell; the number of outputs is then `ceil(n / stride)`, whatever the window
          size. (With stride 1 the output has the same size as the input, hence the name.)

        `poolviz.output_size_formula` fills in either formula with the numbers:
        """),
        code("""
        print(poolviz.output_size_formula(6, 2, 2, "valid"))
        """),
        code("""
        size_cases = [(6, 2, 2), (7, 2, 2), (28, 2, 2), (7, 3, 2), (6, 3, 1)]
        for n, pool, stride in size_cases:
            valid = poolviz.output_size_formula(n, pool, stride, "valid")
            same = poolviz.output_size_formula(n, pool, stride, "same")
            print(f"n={n:2d} pool={pool} stride={stride}   valid: {valid:<27}  same: {same}")
        """),
        md("""
        Two rows deserve a second look. With `n = 7`, `valid` padding gives 3: the windows cover
        cells 0-1, 2-3 and 4-5, and cell 6 is never looked at. With pool 3 and stride 1 the windows
        overlap, and `valid` gives 4 outputs while `same` keeps all 6.

        Counting the windows that `walk_windows` produces gives the same numbers, without any formula:
        """),
        code("""
        for n, pool, stride in size_cases:
            counted = len(poolviz.walk_windows(np.zeros((n, n)), pool, stride, padding="valid"))
            assert counted == poolviz.output_size(n, pool, stride, "valid") ** 2
        print("window counts agree with the formula for", len(size_cases), "cases")
        """),
        md("""
        ### One feature map at a time

        A real convolutional layer produces many feature maps, stacked along a last axis
        (**channels**): Keras stores a batch as `(batch, rows, cols, channels)`. Here are two maps,
        the line map and the same map turned on its side, pooled together and pooled one by one.
        """),
        code("""
        two_maps = np.stack([feature_map, feature_map.T], axis=-1)[np.newaxis]  # (1, 6, 6, 2)
        pooled_together = poolviz.max_pool2d(two_maps)
        print(two_maps.shape, "->", pooled_together.shape)
        for channel in range(2):
            alone = poolviz.max_pool2d(two_maps[0, :, :, channel])
            assert np.array_equal(pooled_together[0, :, :, channel], alone)
        print("pooling the stack = pooling each map on its own")
        print(pooled_together[0, :, :, 1])
        """),
        md("""
        ## 3. From scratch: max pooling with two loops

        Nothing in pooling needs more than two loops over the output cells: cut out the window,
        take its maximum. This slow, plain version is the one to read; `poolviz.max_pool2d` does the
        same with whole-array NumPy operations and must give identical numbers.
        """),
        code('''
        def max_pool_loop(feature_map, pool=2, stride=2):
            """Max pooling of one 2-D map with 'valid' padding, one output cell at a time."""
            out_rows = (feature_map.shape[0] - pool) // stride + 1
            out_cols = (feature_map.shape[1] - pool) // stride + 1
            pooled = np.empty((out_rows, out_cols))
            for i in range(out_rows):
                for j in range(out_cols):
                    window = feature_map[i * stride:i * stride + pool, j * stride:j * stride + pool]
                    pooled[i, j] = window.max()
            return pooled


        print(max_pool_loop(feature_map))
        '''),
        code("""
        checks = [
            (feature_map, 2, 2),
            (data.random_feature_map((7, 7), seed=3), 2, 2),  # odd size: last row and column unused
            (data.random_feature_map((8, 8), seed=4), 3, 1),  # overlapping windows
        ]
        for array, pool, stride in checks:
            assert np.array_equal(max_pool_loop(array, pool, stride),
                                  poolviz.max_pool2d(array, pool, stride))
        print("the loop and poolviz.max_pool2d agree on", len(checks), "inputs")
        """),
        md("""
        ### Measuring local translation invariance

        The deep-learning literature says pooling makes a network *approximately invariant to small
        translations*: shift the input a little and most pooled outputs keep their values. That is a
        claim we can count. First the smallest possible case: a 4×4 map with one active cell,
        moved one and then two columns to the right.
        """),
        code('''
        def count_unchanged(before, after):
            """How many cells hold exactly the same value in two maps of the same shape."""
            return int(np.sum(before == after))


        spot = np.zeros((4, 4))
        spot[0, 0] = 1.0
        for cols_moved in range(3):
            moved = data.shift(spot, cols=cols_moved)
            print(f"moved {cols_moved} column(s): map {count_unchanged(spot, moved):2d}/16 unchanged, "
                  f"pooled {count_unchanged(poolviz.max_pool2d(spot), poolviz.max_pool2d(moved))}/4 "
                  f"unchanged")
        '''),
        md("""
        A move that stays inside one 2×2 window is invisible after pooling: the window's maximum is
        still 1 and it is still in the same window. A move that crosses a window border is not
        invisible: the 1 now belongs to the next window. That is what *local* means.

        The feature map of the line tells the same story. Here the image is moved, then run through
        the detector, ReLU and pooling again, and we count the cells that kept their value:
        """),
        code('''
        def line_detector(image):
            """The tutorial's detector followed by ReLU: image -> feature map."""
            return poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR))


        for direction, rows_moved, cols_moved in [("down", 1, 0), ("right", 0, 1)]:
            moved_map = line_detector(data.shift(image, rows=rows_moved, cols=cols_moved))
            unchanged_map = count_unchanged(feature_map, moved_map)
            unchanged_pooled = count_unchanged(pooled, poolviz.max_pool2d(moved_map))
            print(f"{max(rows_moved, cols_moved)} px {direction:5s}: feature map {unchanged_map:2d}/36 "
                  f"({unchanged_map / 36:.0%}), pooled {unchanged_pooled}/9 ({unchanged_pooled / 9:.0%})")
        '''),
        md("""
        Moving the line down costs the pooled map nothing (only the top row of the feature map
        changes, and each top window still holds a 3). Moving it right, the 8×8 line is too tidy to
        show much: it lines up with the pooling grid, so the pooled map changes in the same
        proportion as the feature map. A real photograph
        is a fairer test. `data.photograph(downscale=2)` is a 300×256 grayscale portrait; we shift
        it 0 to 3 pixels right and count, in percent, how many cells stay exactly the same.
        """),
        code('''
        photo = data.photograph(downscale=2)
        photo_map = line_detector(photo)
        photo_pooled = poolviz.max_pool2d(photo_map)


        def unchanged_share(cols_moved):
            """Share of unchanged cells (feature map, max-pooled map) after moving the photo."""
            moved_map = line_detector(data.shift(photo, cols=cols_moved))
            return (count_unchanged(photo_map, moved_map) / photo_map.size,
                    count_unchanged(photo_pooled, poolviz.max_pool2d(moved_map)) / photo_pooled.size)


        photo_shares = {cols_moved: unchanged_share(cols_moved) for cols_moved in range(4)}
        print(f"photo {photo.shape} -> feature map {photo_map.shape} -> pooled {photo_pooled.shape}")
        print("moved   feature map unchanged   pooled unchanged")
        for cols_moved, (share_map, share_pooled) in photo_shares.items():
            print(f"{cols_moved} px    {share_map:20.1%}   {share_pooled:16.1%}")
        '''),
        md("""
        This is the honest version of the claim:

        * Moved by one pixel, practically no cell of the feature map keeps its value, but about a
          quarter of the max-pooled cells do: wherever the largest value of a window sat in the
          column that the window shares with its shifted self, the output did not move at all.
        * Moved by two pixels, a whole window width, the pooled map does not stay the same either:
          it moves by one cell. A single 2×2 pooling layer buys invariance to moves smaller than its
          window, and only partly. Networks stack several pooling layers to tolerate more.
        """),
        code("""
        photo_moved_2_pooled = poolviz.max_pool2d(line_detector(data.shift(photo, cols=2)))
        moved_one_cell = data.shift(photo_pooled, cols=1)
        # Compare away from the left edge, where zeros came in with the shift.
        inner = slice(2, None)
        share = np.mean(photo_moved_2_pooled[:, inner] == moved_one_cell[:, inner])
        print(f"pooled map of the photo moved 2 px = pooled map moved 1 cell, in {share:.1%} of the cells")
        """),
        md("""
        ## 4. Picture: the windows, and what a shift does

        `poolviz.plot.pooling_figure` draws the feature map with one window highlighted, and the
        pooled map with the cell that window produces. Step 4 is the centre window.
        """),
        code("""
        figure = poolviz.plot.pooling_figure(feature_map, pool_size=(2, 2), operation="max", step=4)
        plt.show()
        """),
        md("""
        On the photograph, the left picture is the max-pooled feature map and the right one marks in
        colour how much each pooled cell changed when the photo moved one pixel to the right.
        Unchanged cells are 0.
        """),
        code("""
        photo_moved_1_pooled = poolviz.max_pool2d(line_detector(data.shift(photo, cols=1)))
        fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4.5))
        poolviz.plot.heatmap(photo_pooled, ax=left, annotate=False, cmap="gray",
                             title="max-pooled feature map of the photo")
        poolviz.plot.difference_heatmap(photo_moved_1_pooled, photo_pooled, ax=right,
                                        title="change after a 1-pixel shift", annotate=False)
        plt.show()
        """),
        md("""
        ### Try it: the translation explorer

        It starts with the 4×4 spot from section 3 ("your array"); the input menu has the line,
        a checkerboard, a random map and the photograph. Move the shift slider and watch which
        pooled cells change, for max and for average pooling. (The controls need a running
        kernel: open the notebook in JupyterLab.)
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        translation_widget = poolviz.widgets.translation_explorer(spot, max_shift=2, shift=1)
        translation_widget
        """),
        md("""
        The explorer keeps its state in a model, `translation_widget.model`, which can be driven
        from code. Setting its shift as the slider would, it must report the counts we made by hand:
        """),
        code("""
        explorer_model = translation_widget.model
        for cols_moved in range(3):
            explorer_model.shift = cols_moved
            print(explorer_model.fraction_text)
            ours = count_unchanged(poolviz.max_pool2d(spot), poolviz.max_pool2d(data.shift(spot, cols=cols_moved)))
            assert explorer_model.result.fraction_unchanged[cols_moved] == ours / 4
            assert int((~explorer_model.changed).sum()) == ours
        """),
        md("""
        ## 5. Check against Keras

        Every number above came from NumPy. Keras's `MaxPooling2D` layer must agree with all of
        them. Keras layers work on batches `(batch, rows, cols, channels)`, so the 6×6 map gets a
        batch axis and a channel axis of length 1.
        """),
        code("""
        keras.backend.clear_session()
        max_pooling = keras.layers.MaxPooling2D(pool_size=(2, 2), name="max_pooling")
        batch = feature_map[np.newaxis, :, :, np.newaxis]  # (1, 6, 6, 1)
        keras_pooled = keras.ops.convert_to_numpy(max_pooling(batch))
        print(keras_pooled.shape)
        print(keras_pooled[0, :, :, 0])
        assert np.array_equal(keras_pooled[0, :, :, 0], pooled)
        print("weights in the pooling layer:", max_pooling.count_params())
        assert max_pooling.count_params() == 0
        """),
        md("""
        The layer has no weights: pooling is a fixed operation. Now the two stacked maps, which
        Keras must also pool one by one:
        """),
        code("""
        keras_two = keras.ops.convert_to_numpy(max_pooling(two_maps))
        assert np.array_equal(keras_two, pooled_together)
        print("Keras pools each of the", two_maps.shape[-1], "maps on its own, like poolviz")
        """),
        md("""
        Output sizes, for both kinds of padding: the shape Keras produces must be the one the
        formula predicted.
        """),
        code("""
        for n, pool, stride in size_cases:
            for padding in ("valid", "same"):
                layer = keras.layers.MaxPooling2D(pool_size=pool, strides=stride, padding=padding,
                                                  name=f"pool_{padding}")
                output = layer(np.zeros((1, n, n, 1), dtype="float32"))
                expected = poolviz.output_size(n, pool, stride, padding)
                assert tuple(output.shape) == (1, expected, expected, 1), (n, pool, stride, padding)
        print("Keras output shapes match the formula for", 2 * len(size_cases), "cases")
        """),
        md("""
        And the translation measurements: pooling the same feature maps with Keras must give the
        same pooled maps, hence the same counts. Keras computes in float32, so the photograph's
        values are compared with a relative tolerance.
        """),
        code("""
        for cols_moved in range(3):
            moved = data.shift(spot, cols=cols_moved)
            assert np.array_equal(keras_bridge.keras_pool2d(moved, "max"), poolviz.max_pool2d(moved))

        keras_photo_pooled = keras_bridge.keras_pool2d(photo_map, "max")
        print("moved   unchanged (poolviz, float64)   unchanged (Keras, float32)")
        for cols_moved, (share_map, share_pooled) in photo_shares.items():
            moved_map = line_detector(data.shift(photo, cols=cols_moved))
            ours = poolviz.max_pool2d(moved_map)
            theirs = keras_bridge.keras_pool2d(moved_map, "max")
            np.testing.assert_allclose(theirs, ours, rtol=1e-6)
            keras_share = np.mean(theirs == keras_photo_pooled)
            print(f"{cols_moved} px    {share_pooled:26.2%}   {keras_share:24.2%}")
            assert abs(keras_share - share_pooled) < 0.005
        """),
        md("""
        The pooled maps agree to float32 precision, and the shares agree to a tenth of a percent.
        They are not identical: rounding to float32 makes a few values that differed in the 8th
        digit equal, so Keras counts slightly more cells as unchanged.
        """),
        md("""
        > **2019 vs today:** the article adds its layer as `MaxPooling2D()` to a `Sequential` model
        > whose first layer gets `input_shape=(8, 8, 1)`. `MaxPooling2D()` still works in Keras 3
        > (its `pool_size` defaults to `(2, 2)`), but `input_shape=` on a layer is deprecated and
        > prints a warning: today the input is declared with `keras.Input((8, 8, 1))`. Its sibling
        > `AveragePooling2D()` no longer runs at all without a `pool_size`; see notebook 03.
        """),
        md("""
        ## 6. Summary

        * A convolutional layer's feature maps record *where* each feature is, pixel by pixel.
          Pooling keeps *whether* it is there, per region, and makes the map smaller.
        * A pooling layer slides a window (almost always 2×2, stride 2) over each feature map
          separately and keeps the maximum or the mean of each window. It has no weights.
        * Output size per side: `floor((n - pool) / stride) + 1` with `valid` padding,
          `ceil(n / stride)` with `same` padding. 6×6 becomes 3×3.
        * Local translation invariance is partial and measurable: after a 1-pixel shift of the
          photograph about a quarter of the max-pooled outputs were unchanged, against almost none of
          the feature-map cells; a shift by a whole window moves the pooled map instead.
        * Keras's `MaxPooling2D` agrees with the loop and with poolviz on every number above.
        """),
        md("""
        ## 7. Exercises

        Each exercise ends with a call to a check function: it says *Correct* with a short
        explanation, or raises an error whose message says what is wrong.

        ### Exercise 1: output sizes

        A 28×28 feature map is pooled with a 3×3 window and stride 2. How many rows does the
        pooled map have with `padding="valid"`, and how many with `padding="same"`? Work it out
        with the formulas, then give both numbers as a pair `(valid_rows, same_rows)`.
        """),
        code("""
        # Exercise 1: replace None with your answer, then run the cell.
        answer_1 = None
        exercises.check_output_sizes(answer_1)
        """),
        md("""
        ### Exercise 2: count what survives a shift

        Move the 8×8 line image **two** columns to the right (`data.shift(image, cols=2)`), run it
        through `line_detector` and 2×2 max pooling, and compare with `pooled`. How many of the 9
        pooled outputs keep their value? Compute it, don't guess: `count_unchanged` is defined in
        section 3.
        """),
        code("""
        # Exercise 2: replace None with your count (an int), then run the cell.
        answer_2 = None
        exercises.check_unchanged_after_shift(answer_2)
        """),
        md("""
        ### Exercise 3: every feature map on its own

        Write a function `pool_each_map(batch)` that takes a Keras-style batch of shape
        `(batch, rows, cols, channels)` and returns its 2×2, stride-2, `valid` max pooling with
        shape `(batch, rows // 2, cols // 2, channels)`, pooling every 2-D map separately.
        You may call `max_pool_loop` from section 3. Pass the function itself to the check.
        """),
        code("""
        # Exercise 3: define pool_each_map, then replace None with pool_each_map.
        answer_3 = None
        exercises.check_pool_each_map(answer_3)
        """),
        md("""
        Worked solutions: [`solutions/01_solutions.py`](solutions/01_solutions.py).
        Next: notebook 02 builds the line detector that produced our feature map.
        """),
    ]
    return cells


# ==========================================================================
# 02 Detecting vertical lines
# ==========================================================================
def notebook_02():
    cells = [
        md("""
        # 02 · Detecting vertical lines: a convolution you can check by hand

        After this notebook you can

        * compute a small convolution and ReLU by hand, first with loops, then with `poolviz.conv2d`;
        * build the same thing as a Keras `Conv2D` layer with weights you set yourself, and read its
          summary (10 parameters: 9 weights and 1 bias);
        * read a feature map as a picture, on the tutorial's 8×8 image and on a real photograph,
          and pool it.

        Prerequisites: notebook 01 (what pooling does).
        """),
        setup_cell("nb02", """
            import poolviz.plot
            """),
        md("""
        ## 1. Intuition: a filter is a small pattern that answers "how much do you look like me?"

        A convolutional filter is a small grid of weights. Placed on a patch of the image, it
        multiplies each pixel by the weight on top of it and adds everything up: a large sum means
        the patch looks like the pattern in the filter. Sliding the filter over every position gives
        a grid of such answers, the feature map.

        The tutorial's filter is made by hand rather than learned:

        ```
        0 1 0
        0 1 0
        0 1 0
        ```

        It adds up the three pixels of the middle column of the patch and ignores the rest. On a
        black image with a white (value 1) vertical line, it answers 3 wherever its middle column
        lies on the line, and 0 where it sees only black. A ReLU after it (negative → 0) changes
        nothing here, because nothing is negative; it is there because a real network has one
        between the convolution and the pooling.
        """),
        md("""
        ## 2. A tiny example: the 8×8 line and one position by hand
        """),
        code("""
        image = data.vertical_line()
        detector = data.VERTICAL_LINE_DETECTOR
        print(image)
        print(detector)
        """),
        md("""
        Put the filter's top-left corner on row 0, column 2 of the image: it covers rows 0-2 and
        columns 2-4, and its middle column lies on column 3, which is part of the line. Multiply
        and add:
        """),
        code("""
        patch = image[0:3, 2:5]
        print(patch)
        print("sum of patch * detector =", np.sum(patch * detector))
        print("at column 0 instead:     ", np.sum(image[0:3, 0:3] * detector))
        """),
        md("""
        ## 3. From scratch: convolution and ReLU

        A 3×3 filter fits in an 8×8 image at 8 - 3 + 1 = 6 positions per side (no padding), so the
        feature map is 6×6. First the plain loop, exactly the hand calculation repeated:
        """),
        code('''
        def convolve_loop(image, kernel):
            """Slide `kernel` over `image` without padding; one multiply-and-add per position."""
            k_rows, k_cols = kernel.shape
            out_rows = image.shape[0] - k_rows + 1
            out_cols = image.shape[1] - k_cols + 1
            result = np.zeros((out_rows, out_cols))
            for i in range(out_rows):
                for j in range(out_cols):
                    result[i, j] = np.sum(image[i:i + k_rows, j:j + k_cols] * kernel)
            return result


        feature_map_loop = np.maximum(convolve_loop(image, detector), 0.0)  # ReLU
        print(feature_map_loop.shape)
        print(feature_map_loop)
        '''),
        md("""
        Six rows of `0 0 3 3 0 0`. The detector answers 3 in columns 2 and 3 of the feature map,
        the positions where its middle column sits on image columns 3 and 4.

        > **The article's mistake:** its printed output lists *eight* rows of this map, although the
        > map (and the article's own text) is 6×6. Eight rows cannot come out of this model; the
        > shape printed below and in section 5 is `(6, 6)`.

        `poolviz.conv2d` and `poolviz.relu` do the same with whole-array NumPy operations:
        """),
        code("""
        feature_map = poolviz.relu(poolviz.conv2d(image, detector))
        assert np.array_equal(feature_map, feature_map_loop)
        print(feature_map.shape, "- the loop and poolviz agree")
        """),
        md("""
        Then 2×2 max pooling, as in notebook 01, halves each side:
        """),
        code("""
        pooled = poolviz.max_pool2d(feature_map)
        print(pooled)
        """),
        md("""
        ## 4. Picture: the feature map as a heatmap

        Numbers in a 6×6 grid are easy to read; a picture is easier still, and for a real image
        it is the only way. `poolviz.plot.line_detector_figure` shows image, filter and feature map
        side by side.
        """),
        code("""
        figure = poolviz.plot.line_detector_figure(image, detector, feature_map)
        plt.show()
        """),
        code("""
        fig, ax = plt.subplots(figsize=(4, 3.5))
        poolviz.plot.heatmap(feature_map, ax=ax, annotate=True, colorbar=True,
                             title="6×6 feature map of the line detector")
        plt.show()
        """),
        md("""
        ### The same detector on a photograph

        The tutorial stops at the 8×8 toy. The same three lines of code work on any grayscale image;
        `data.photograph(downscale=2)` is a 300×256 portrait with values between 0 (black) and 1
        (white).
        """),
        code("""
        photo = data.photograph(downscale=2)
        photo_map = poolviz.relu(poolviz.conv2d(photo, detector))
        photo_pooled = poolviz.max_pool2d(photo_map)
        print("photo", photo.shape, "-> feature map", photo_map.shape, "-> pooled", photo_pooled.shape)
        print(f"feature map values from {photo_map.min():.3f} to {photo_map.max():.3f}")
        """),
        md("""
        All nine weights of the tutorial's filter are ≥ 0, so on a photograph it does not only
        respond to lines: it adds up three pixels stacked vertically, which is a vertical blur of
        the brightness. A filter that responds to *thin bright vertical lines* only should also
        subtract the columns on either side, so that a flat area sums to 0:

        ```
        -1 2 -1
        -1 2 -1
        -1 2 -1
        ```

        On the tutorial's 8×8 image that filter still finds the line. Below, both filters on the
        photograph, each followed by ReLU and 2×2 max pooling.
        """),
        code("""
        line_only = np.array([[-1.0, 2.0, -1.0]] * 3)
        edges_map = poolviz.relu(poolviz.conv2d(photo, line_only))
        edges_pooled = poolviz.max_pool2d(edges_map)
        print("zero-sum filter on the 8x8 line, row 0:", poolviz.relu(poolviz.conv2d(image, line_only))[0])

        fig, axes = plt.subplots(1, 3, figsize=(13, 5))
        poolviz.plot.heatmap(photo, ax=axes[0], annotate=False, cmap="gray", title="photograph 300×256")
        poolviz.plot.heatmap(photo_pooled, ax=axes[1], annotate=False, cmap="gray",
                             title="tutorial filter, ReLU, max pool")
        poolviz.plot.heatmap(edges_pooled, ax=axes[2], annotate=False, cmap="gray",
                             title="zero-sum filter, ReLU, max pool")
        plt.show()
        """),
        md("""
        The middle picture is the photograph, a little blurred and at half the size: the tutorial's
        filter mostly measures brightness. The right one is dark except for thin vertical
        structures. Pooling keeps both readable at a quarter of the cells.
        """),
        md("""
        ## 5. Check against Keras

        Now the model from the tutorial, written for Keras 3: an explicit input of shape
        (8, 8, 1), a `Conv2D` layer with one 3×3 filter and ReLU, with explicit names.
        """),
        code("""
        keras.backend.clear_session()
        inputs = keras.Input(shape=(8, 8, 1), name="image")
        conv = keras.layers.Conv2D(filters=1, kernel_size=(3, 3), activation="relu", name="line_detector")
        model = keras.Model(inputs, conv(inputs), name="line_detector_model")
        model.summary(line_length=80, print_fn=print)
        """),
        md("""
        10 parameters: 3 × 3 = 9 weights for the filter, plus 1 bias that is added to every sum.
        Keras initialises them at random; we overwrite them with the hand-made detector and a bias
        of 0. A `Conv2D` kernel has shape `(rows, cols, input channels, filters)`, here
        `(3, 3, 1, 1)`.
        """),
        code("""
        kernel, bias = conv.get_weights()
        print("kernel", kernel.shape, "bias", bias.shape)
        assert kernel.size == 9 and bias.size == 1 and model.count_params() == 10

        conv.set_weights([detector.reshape(3, 3, 1, 1), np.zeros(1)])
        keras_map = keras.ops.convert_to_numpy(model(image.reshape(1, 8, 8, 1)))
        print(keras_map.shape)
        print(keras_map[0, :, :, 0])
        assert np.array_equal(keras_map[0, :, :, 0], feature_map)
        """),
        md("""
        The Keras output has shape `(1, 6, 6, 1)` (batch, rows, columns, filters) and every value
        equals the hand calculation.

        > **2019 vs today:** the article builds this model with
        > `Conv2D(1, (3,3), activation='relu', input_shape=(8, 8, 1))`. In Keras 3, `input_shape=` on a
        > layer is deprecated (a warning is printed); declare the input with `keras.Input` as above.
        > It then calls `model.predict(data)`, which today prints a progress bar with a timing that
        > changes every run; calling the model, `model(x)`, returns the same numbers silently. The
        > summary table also looks different in Keras 3, and layer names come from `name=` rather
        > than automatic counters such as `conv2d_1`.

        The photograph, through the same Keras layer (the model accepts any image size once its
        input is declared as `(None, None, 1)`), and the pooling through `MaxPooling2D`:
        """),
        code("""
        photo_input = keras.Input(shape=(None, None, 1), name="photo")
        photo_conv = keras.layers.Conv2D(1, (3, 3), activation="relu", name="photo_line_detector")
        photo_model = keras.Model(
            photo_input,
            keras.layers.MaxPooling2D(pool_size=(2, 2), name="pooling")(photo_conv(photo_input)),
            name="photo_line_detector_model",
        )
        photo_conv.set_weights([detector.reshape(3, 3, 1, 1), np.zeros(1)])
        keras_photo_pooled = keras.ops.convert_to_numpy(photo_model(photo[np.newaxis, :, :, np.newaxis]))
        print(keras_photo_pooled.shape)
        # Keras computes in float32: agreement to about 6 significant digits.
        np.testing.assert_allclose(keras_photo_pooled[0, :, :, 0], photo_pooled, rtol=1e-5, atol=1e-6)

        # The same layer with the zero-sum filter of section 4.
        photo_conv.set_weights([line_only.reshape(3, 3, 1, 1), np.zeros(1)])
        keras_edges_pooled = keras.ops.convert_to_numpy(photo_model(photo[np.newaxis, :, :, np.newaxis]))
        np.testing.assert_allclose(keras_edges_pooled[0, :, :, 0], edges_pooled, rtol=1e-5, atol=1e-6)
        print("Keras and poolviz agree on both pooled feature maps of the photograph")
        """),
        md("""
        ## 6. Summary

        * A 3×3 filter on an 8×8 image without padding gives a 6×6 feature map: 8 - 3 + 1 = 6.
        * Each value is a multiply-and-add of the filter with one image patch; a loop, `poolviz.conv2d`
          and Keras's `Conv2D` give exactly the same map, six rows of `0 0 3 3 0 0` (not eight, as
          the article prints).
        * The `Conv2D` layer has 10 parameters: 9 weights and 1 bias. With weights set by hand
          there is nothing to train.
        * On a photograph the tutorial's filter (all weights ≥ 0) mostly measures brightness; a
          zero-sum filter responds to thin vertical lines only. Pooling halves both maps per side.
        """),
        md("""
        ## 7. Exercises

        ### Exercise 1: a horizontal line detector

        `data.horizontal_line()` is the tutorial's image turned on its side. Write a 3×3 kernel
        that finds this line the way `detector` finds the vertical one: after `poolviz.conv2d`
        and `poolviz.relu` it should give 3 in rows 2 and 3 of the 6×6 map and 0 everywhere else.
        """),
        code("""
        # Exercise 1: replace None with your 3x3 kernel (a NumPy array or a list of rows).
        answer_1 = None
        exercises.check_horizontal_detector(answer_1)
        """),
        md("""
        ### Exercise 2: counting parameters

        A colour (RGB) image has 3 channels. How many parameters does
        `keras.layers.Conv2D(4, (5, 5))` have on such an image? Count on paper first; you can then
        confirm with a small Keras model and `count_params()`.
        """),
        code("""
        # Exercise 2: replace None with the number of parameters.
        answer_2 = None
        exercises.check_parameter_count(answer_2)
        """),
        md("""
        ### Exercise 3: shapes on the photograph

        Without running anything: `data.photograph(downscale=3)` is 200×170. A 5×5 filter (no
        padding) turns it into a feature map, and 2×2 max pooling with stride 2 shrinks that. What
        are the two shapes? Answer as `((rows, cols), (rows, cols))`.
        """),
        code("""
        # Exercise 3: replace None with ((feature map rows, cols), (pooled rows, cols)).
        answer_3 = None
        exercises.check_photograph_shapes(answer_3)
        """),
        md("""
        Worked solutions: [`solutions/02_solutions.py`](solutions/02_solutions.py).
        Next: notebook 03 pools this feature map with averages instead of maxima.
        """),
    ]
    return cells


# ==========================================================================
# 03 Average pooling
# ==========================================================================
def notebook_03():
    cells = [
        md("""
        # 03 · Average pooling: the mean of each window

        After this notebook you can

        * average-pool a feature map by hand and produce the arithmetic of every window;
        * check the result against Keras's `AveragePooling2D`;
        * explain what `same` padding adds and why Keras divides a border window by fewer than 4;
        * predict what happens when the stride and the pool size differ (overlaps and gaps).

        Prerequisites: notebooks 01 and 02.
        """),
        setup_cell("nb03", """
            import poolviz.plot
            import poolviz.widgets
            from poolviz import keras_bridge
            """),
        md("""
        ## 1. Intuition: the average presence of a feature

        Max pooling keeps the strongest answer in each window. Average pooling keeps the mean:
        the sum of the window divided by the number of cells. Where max pooling asks "is the feature
        anywhere in this window?", average pooling asks "how much of this window shows it?". A
        feature that fills a window keeps its full value; a feature that touches one corner of it
        is diluted to a quarter.

        Everything else is as in notebook 01: a 2×2 window, stride 2, each feature map on its own,
        no weights.
        """),
        md("""
        ## 2. A tiny example: the first row of the pooled map, window by window

        The line detector's 6×6 feature map from notebook 02, and its first two rows, which
        the first row of windows covers:
        """),
        code("""
        feature_map = poolviz.relu(poolviz.conv2d(data.vertical_line(), data.VERTICAL_LINE_DETECTOR))
        first_two_rows = feature_map[:2]
        print(first_two_rows)
        """),
        md("""
        The arithmetic below is generated by `walk_windows(...)`, not typed, so it cannot drift away
        from what the code computes.
        """),
        code("""
        for window in poolviz.walk_windows(first_two_rows, pool_size=(2, 2), operation="average"):
            print(f"columns {window.cols.start}-{window.cols.stop - 1}:")
            print(window.arithmetic())
        """),
        md("""
        After each window the operation moves two columns to the **right** (columns 0-1, then
        2-3, then 4-5).

        > **The article's slip:** it says the window is moved "two columns to the left". Starting at
        > the left edge, it can only move right.

        The first row of the result is `0 3 0`. Then the window goes down two rows and starts again
        at the left. The whole map, window by window:
        """),
        code("""
        windows = poolviz.walk_windows(feature_map, pool_size=(2, 2), operation="average")
        by_hand = np.zeros((3, 3))
        for window in windows:
            by_hand[window.output_index] = window.result
        print(by_hand)
        """),
        md("""
        Every row is `0 3 0`: each row of the feature map is the same, so each row of windows gives
        the same averages. Max pooling happens to give exactly the same map here (the windows are
        either all 0 or all 3); they differ as soon as a window is half full, below.

        ## 3. From scratch: average pooling with loops
        """),
        code('''
        def average_pool_loop(feature_map, pool=2, stride=2):
            """Average pooling of one 2-D map with 'valid' padding, one output cell at a time."""
            out_rows = (feature_map.shape[0] - pool) // stride + 1
            out_cols = (feature_map.shape[1] - pool) // stride + 1
            pooled = np.empty((out_rows, out_cols))
            for i in range(out_rows):
                for j in range(out_cols):
                    window = feature_map[i * stride:i * stride + pool, j * stride:j * stride + pool]
                    pooled[i, j] = window.sum() / window.size
            return pooled


        pooled = average_pool_loop(feature_map)
        print(pooled)
        assert np.array_equal(pooled, by_hand)
        assert np.array_equal(pooled, poolviz.average_pool2d(feature_map))
        '''),
        md("""
        Where max and average differ: move the line one column to the right, so that it straddles
        two windows.
        """),
        code("""
        moved_map = poolviz.relu(poolviz.conv2d(data.shift(data.vertical_line(), cols=1),
                                                data.VERTICAL_LINE_DETECTOR))
        print("feature map row:", moved_map[0])
        print("average pooled: ", average_pool_loop(moved_map)[0])
        print("max pooled:     ", poolviz.max_pool2d(moved_map)[0])
        """),
        md("""
        Max pooling reports the line fully in both windows it touches; average pooling reports half
        of it in each.

        ### `same` padding: which cells the average divides by

        With `valid` padding a 5×5 map loses its last row and column (2×2 output). With `same`
        padding there are ceil(5 / 2) = 3 windows per side, and the last ones hang over the edge.
        Keras adds `(out - 1) * stride + pool - n` padded cells per side, half before the map and
        half after; when that number is odd, the extra cell goes **after** (bottom, right). Here it
        is 1 cell, so one padded row below and one padded column to the right.
        """),
        code("""
        small_map = np.arange(25.0).reshape(5, 5)
        print(small_map)
        print("padding (before, after) per side:", poolviz.same_padding(5, 2, 2))
        print("for comparison, a 6x6 map with pool 3, stride 1:", poolviz.same_padding(6, 3, 1))
        same_windows = poolviz.walk_windows(small_map, pool_size=(2, 2), padding="same",
                                            operation="average")
        for window in same_windows[-3:]:
            print(f"output cell {window.output_index}: {window.count} real cell(s)")
            print(window.arithmetic())
        """),
        md("""
        `pad` marks a padded cell. Keras **does not count** padded cells: the bottom-right window
        holds one real value, 24, and its average is 24 / 1 = 24, not 24 / 4 = 6. Padding with zeros
        and dividing by 4 would make the border of every average-pooled map artificially dark.
        (PyTorch's `AvgPool2d` does count them by default, `count_include_pad=True`; the frameworks
        disagree here.)
        """),
        code("""
        same_pooled = poolviz.average_pool2d(small_map, pool_size=(2, 2), padding="same")
        divisors = np.array([window.count for window in same_windows]).reshape(3, 3)
        print(same_pooled)
        print("divided by:")
        print(divisors)
        """),
        md("""
        ### When stride and pool size differ

        The stride is how far the window jumps; the pool size is how big it is. They are usually
        equal, but need not be:

        * **stride < pool size**: windows overlap, a cell can be counted in several windows, and the
          output is larger. Pool 3, stride 1 on a 6×6 map: `floor((6 - 3) / 1) + 1 = 4` per side.
        * **stride > pool size**: windows leave gaps, and the cells in the gaps never reach the
          output. Pool 2, stride 3 on a 6×6 map: `floor((6 - 2) / 3) + 1 = 2` per side.
        """),
        code("""
        ramp = np.arange(36.0).reshape(6, 6)
        for pool, stride in [(2, 2), (3, 1), (2, 3)]:
            result = poolviz.average_pool2d(ramp, pool_size=pool, strides=stride)
            assert np.array_equal(result, average_pool_loop(ramp, pool, stride))
            print(f"pool {pool}, stride {stride}: {poolviz.output_size_formula(6, pool, stride)}")
            print(result)
        """),
        md("""
        ## 4. Picture: the windows and the explorer
        """),
        code("""
        figure = poolviz.plot.pooling_figure(feature_map, pool_size=(2, 2), operation="average", step=1)
        plt.show()
        """),
        code("""
        figure = poolviz.plot.pooling_figure(small_map, pool_size=(2, 2), padding="same",
                                             operation="average", step=8)
        plt.show()
        """),
        md("""
        ### Try it: the pooling explorer

        Change the input, the pool size, the stride and the padding, and step through the windows;
        the arithmetic of the current window is written out, padded cells included. (Run the
        notebook in JupyterLab to use the controls.)
        """),
        code("""
        # NBVAL_IGNORE_OUTPUT
        explorer = poolviz.widgets.pooling_explorer(operation="average")
        explorer
        """),
        md("""
        Behind the controls is a model, `explorer.model`, that works without a browser. It must show
        the numbers of sections 2 and 3: first the line detector's map as displayed, then (in a
        model of the same class, stepped as the "window step" slider would) the 5×5 map with
        `same` padding, window by window.
        """),
        code("""
        from poolviz.explorer import PoolingExplorerModel

        explorer_model = explorer.model
        print(explorer_model.formula_text)
        assert np.array_equal(explorer_model.pooled, by_hand)

        # The same kind of model on the 5x5 map, without a view (nothing to draw).
        small_model = PoolingExplorerModel(small_map, operation="average", padding="same")
        for step, window in enumerate(same_windows):
            small_model.step = step
            assert small_model.window.output_index == window.output_index
            assert small_model.window.result == window.result
        print(small_model.arithmetic_text)
        assert np.array_equal(small_model.pooled, same_pooled)
        assert np.array_equal(small_model.state.divisors, divisors)
        """),
        md("""
        ## 5. Check against Keras

        `AveragePooling2D` on the line detector's feature map, first on its own, then inside the
        tutorial's whole model.
        """),
        code("""
        keras.backend.clear_session()
        average_pooling = keras.layers.AveragePooling2D(pool_size=(2, 2), name="average_pooling")
        keras_pooled = keras.ops.convert_to_numpy(average_pooling(feature_map[np.newaxis, :, :, np.newaxis]))
        print(keras_pooled[0, :, :, 0])
        assert np.array_equal(keras_pooled[0, :, :, 0], by_hand)
        """),
        md("""
        > **2019 vs today:** the article writes `AveragePooling2D()` and says the pool size defaults
        > to (2, 2). In Keras 3 `pool_size` has no default for this layer, and the line fails:
        """),
        code("""
        try:
            keras.layers.AveragePooling2D()
        except TypeError as error:
            print(f"TypeError: {error}")
        """),
        md("""
        > Write `AveragePooling2D(pool_size=(2, 2))` (or `AveragePooling2D(2)`). `MaxPooling2D()` still
        > has its default. The article's `input_shape=` and `model.predict` are replaced by
        > `keras.Input` and `model(x)`, as in notebook 02.

        The tutorial's complete model with average pooling comes ready-made from
        `poolviz.keras_bridge.tutorial_model`; its summary shows the pooling layer's (6, 6) input
        and (3, 3) output and still 10 parameters, all in the convolution.
        """),
        code("""
        model = keras_bridge.tutorial_model("average")
        model.summary(line_length=80, print_fn=print)
        keras_output = keras.ops.convert_to_numpy(model(data.vertical_line().reshape(1, 8, 8, 1)))
        print(keras_output[0, :, :, 0])
        assert np.array_equal(keras_output[0, :, :, 0], by_hand)
        assert model.count_params() == 10 and model.get_layer("pooling").count_params() == 0
        """),
        md("""
        `same` padding: Keras must divide the border windows by the number of real cells, and so
        must disagree with the "zeros divided by 4" version:
        """),
        code("""
        keras_same = keras_bridge.keras_pool2d(small_map, "average", pool_size=(2, 2), padding="same")
        print(keras_same)
        np.testing.assert_allclose(keras_same, same_pooled, rtol=1e-6)

        zeros_counted = np.array([w.real_values.sum() / 4 for w in same_windows]).reshape(3, 3)
        assert not np.allclose(keras_same, zeros_counted)
        print("Keras excludes padded cells from the average")
        """),
        md("""
        Overlapping windows and gaps, and the half-covered line, through `keras_bridge.compare`:
        """),
        code("""
        for pool, stride in [(2, 2), (3, 1), (2, 3)]:
            comparison = keras_bridge.compare(ramp, "average", pool_size=pool, strides=stride)
            print(comparison.description, "->", "agree" if comparison.agree else "DISAGREE")
            assert comparison.agree
        assert keras_bridge.compare(moved_map, "average").agree
        """),
        md("""
        ## 6. Summary

        * Average pooling replaces each window by its mean. On the line detector's 6×6 map it gives
          three rows of `0 3 0`, by hand, with a loop, with poolviz and with Keras.
        * The window moves right along a row (the article says left), then down.
        * `same` padding adds cells after the map (bottom/right). Keras's `AveragePooling2D` divides
          by the real cells only: a border window with 1 real value returns that value.
        * Stride smaller than the pool: overlapping windows, larger output. Stride larger than the
          pool: gaps, and some cells never reach the output.
        * `AveragePooling2D()` without `pool_size` raises `TypeError` in Keras 3.
        """),
        md("""
        ## 7. Exercises

        ### Exercise 1: the bottom row with `same` padding

        `small_map = np.arange(25.0).reshape(5, 5)` is pooled with
        `AveragePooling2D(pool_size=(3, 3), strides=(2, 2), padding="same")`. Work out the bottom
        row of the 3×3 result by hand: where does the padding go (`poolviz.same_padding` helps),
        which cells of each window are real, what do you divide by? Then give the 3 numbers.
        """),
        code("""
        # Exercise 1: replace None with the bottom row, e.g. [a, b, c].
        answer_1 = None
        exercises.check_same_padding_bottom_row(answer_1)
        """),
        md("""
        ### Exercise 2: cells that never count

        A 6×6 map is pooled with pool size 2 and stride 3 (`valid` padding). How many of its 36
        cells are not covered by any window?
        """),
        code("""
        # Exercise 2: replace None with the number of cells.
        answer_2 = None
        exercises.check_cells_never_used(answer_2)
        """),
        md("""
        ### Exercise 3: `same` padding with loops

        `average_pool_loop` in section 3 only does `valid` padding. Write
        `average_pool_same(feature_map, pool, stride)` that does what Keras does with
        `padding="same"`: `ceil(n / stride)` outputs per side, padding placed as
        `poolviz.same_padding` says, and each window divided by its number of real cells. It is
        tested on square and rectangular maps, with padding after and on both sides.
        """),
        code("""
        # Exercise 3: define average_pool_same, then replace None with average_pool_same.
        answer_3 = None
        exercises.check_average_pool_same(answer_3)
        """),
        md("""
        Worked solutions: [`solutions/03_solutions.py`](solutions/03_solutions.py).
        Next: notebook 04 looks at max pooling in more depth.
        """),
    ]
    return cells


BUILDERS = {
    "01": ("01_pooling.ipynb", notebook_01),
    "02": ("02_detecting_vertical_lines.ipynb", notebook_02),
    "03": ("03_average_pooling.ipynb", notebook_03),
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
