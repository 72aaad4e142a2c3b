"""Worked solutions for the exercises of notebook 01 (pooling).

Try the exercises first. Each answer below is computed the way the notebook
suggests, with a comment on the reasoning. Run this file to check them all:

    python notebooks/solutions/01_solutions.py
"""

import numpy as np

import poolviz
from poolviz import data

# Exercise 1 ------------------------------------------------------------------
# valid: windows start at rows 0, 2, ..., 24 (the last start n - pool = 25 is
# odd, so 24); that is floor((28 - 3) / 2) + 1 = 12 + 1 = 13 windows.
# same: padding makes every start 0, 2, ..., 26 usable: ceil(28 / 2) = 14.
answer_1 = ((28 - 3) // 2 + 1, -(-28 // 2))


# Exercise 2 ------------------------------------------------------------------
def line_detector(image):
    """The tutorial's detector followed by ReLU."""
    return poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR))


image = data.vertical_line()
pooled = poolviz.max_pool2d(line_detector(image))
moved_pooled = poolviz.max_pool2d(line_detector(data.shift(image, cols=2)))
# Before: every row is [0, 3, 0]; after: [0, 0, 3]. Only the left column
# (0 before and after) is unchanged: 3 of 9 cells.
answer_2 = int(np.sum(pooled == moved_pooled))


# Exercise 3 ------------------------------------------------------------------
def max_pool_loop(feature_map, pool=2, stride=2):
    """The loop from section 3 of the notebook."""
    out_rows = (feature_map.shape[0] - pool) // stride + 1
    out_cols = (feature_map.shape[1] - pool) // stride + 1
    pooled = np.empty((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            window = feature_map[i * stride:i * stride + pool, j * stride:j * stride + pool]
            pooled[i, j] = window.max()
    return pooled


def pool_each_map(batch):
    """2x2 max pooling of every (image, channel) map on its own; channels stay last."""
    maps = [[max_pool_loop(batch[n, :, :, c]) for c in range(batch.shape[3])]
            for n in range(batch.shape[0])]
    # maps[n][c] has shape (rows, cols): stack channels last, then images first.
    return np.stack([np.stack(per_image, axis=-1) for per_image in maps])


answer_3 = pool_each_map


if __name__ == "__main__":
    from poolviz.exercises import nb01

    nb01.check_output_sizes(answer_1)
    nb01.check_unchanged_after_shift(answer_2)
    nb01.check_pool_each_map(answer_3)
