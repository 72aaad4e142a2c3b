"""Worked solutions for the exercises of the "going further" notebooks.

Try the exercises first. Run this file to check the answers:

    python notebooks/going_further/solutions/going_further_solutions.py
"""

import numpy as np

import poolviz
import poolviz.going_further
from poolviz.exercises import going_further as exercises

# 01 · Exercise 1 ---------------------------------------------------------------
# Max with stride 1 (2x2 windows) on the 4x5 map gives 3x4:
dense = np.array([[4.0, 0.0, 0.0, 8.0],
                  [0.0, 4.0, 4.0, 8.0],
                  [0.0, 4.0, 4.0, 0.0]])
# filter_size 2 pads 0 cells before and 1 after, by reflection: the new last
# row/column repeats the second-to-last one ([a, b, c] -> [a, b, c, b]).
padded = np.pad(dense, ((0, 1), (0, 1)), mode="reflect")  # 4x5
# The [1, 1] / 2 blur in both directions at stride 2 averages each 2x2 block;
# the windows start at columns 0 and 2, so the padded fifth column is never read.
answer_1_1 = padded[:, :4].reshape(2, 2, 2, 2).mean(axis=(1, 3))  # [[2, 5], [2, 4]]

# 01 · Exercise 2 ---------------------------------------------------------------
# By hand, max: window row i reads image rows 2i and 2i + 1 before the move and rows 2i - 1 and 2i after it.
# Image row r lights columns r - 1 and r. Window row 1: before, rows 2-3 light columns 1-3 (window columns
# 0 and 1); after, rows 1-2 light columns 0-2 (again window columns 0 and 1). Window row 2: rows 4-5 light
# columns 3-5, rows 3-4 columns 2-4: window columns 1 and 2 both times.
# Row 2i is read both times, and its part of the line (columns 2i - 1 and 2i, on either side of a window
# border) already lights every window the line lights in that window row: max pooling does not change.
# shift_change(data.diagonal_line(), op).relative_l1[1] (the down shift): max 0, max-blur 0.413, average 0.933.
answer_1_2 = ["max", "max-blur", "average"]

# 02 · Exercise 1 ---------------------------------------------------------------
# (In the notebook, answer_2_1 to answer_2_3 are answer_1 to answer_3.)
# A depthwise filter sees one channel: one 3x3 filter and one bias per channel (640); the 1x1 Conv2D
# mixes the channels: 64 weights and one bias per filter (4,160). Conv2D(64, 3, strides=2) has 36,928.
answer_2_1 = (3 * 3 * 64 + 64) + (64 * 64 + 64)

# 02 · Exercise 2 ---------------------------------------------------------------
answer_2_2 = np.zeros((2, 2, 2, 2))
answer_2_2[:, :, 0, 0] = 0.25
answer_2_2[:, :, 1, 1] = 0.25

# 02 · Exercise 3 ---------------------------------------------------------------
# The second entry of the steps column is P for VGG, InceptionV3, ResNet, InceptionResNetV2, ResNetV2, DenseNet.
# Optional part: no. Counting 1x1/2 convolutions as S changes only ResNet v1's later steps (its second is
# already P) and Xception's (C+P becomes P+S, not P alone).
answer_2_3 = 6

# 03 · Exercise 1 ---------------------------------------------------------------
# ceil((4 + 2 - 3) / 2) + 1 = 3; the third window starts at column 2 * 2 - 1 = 3, inside the input: kept.
answer_3_1 = 3

# 03 · Exercise 2 ---------------------------------------------------------------
# Rows -1..1 and columns -1..1: 4 real ones, divided by 3 * 3 (count_include_pad=True).
answer_3_2 = 4 / 9

# 03 · Exercise 3 ---------------------------------------------------------------
# Rows (8): same_padding(8, 3, 4) == (0, 0); windows at 0 and 4 read rows 0-2 and 4-6 (6 rows).
# Columns (9): same_padding(9, 3, 4) == (1, 1); windows at -1, 3, 7 read columns 0-1, 3-5, 7-8 (7 columns).
answer_3_3 = 8 * 9 - 6 * 7

# 03 · Exercise 4 ---------------------------------------------------------------
# Section 5's rule, per side: padding = Keras's padding before, ceil_mode=True, count_include_pad=False.
# Rows (10): Keras pads 0 before and 1 after: padding 0, and ceil_mode=True adds the 5th window,
# ceil((10 - 3) / 2) + 1 = 5; it starts at row 8, inside the map.
# Columns (9): Keras pads 1 before and 1 after: padding 1 ((9 + 2 - 3) / 2 = 4 is whole: ceil_mode changes
# nothing). count_include_pad=False divides by the real cells, as Keras does.
answer_3_4 = dict(padding=(0, 1), ceil_mode=True, count_include_pad=False)

# 04 · Exercise 1 ---------------------------------------------------------------
# Left window 3, 0, 0, -4: squares 9, 0, 0, 16, mean 25 / 4 = 6.25, root 2.5.
# Right window 1, -1, 1, -1: every square is 1, mean 1, root 1.
# Squaring first is what removes the signs: the signed averages would be -0.25 and 0.
answer_4_1 = [[2.5, 1.0]]

# 04 · Exercise 2 ---------------------------------------------------------------
# Divide each window by its largest |x| before the power, so that no term exceeds 1
# (9.0 ** 1000 would overflow to inf), and multiply back after; a window of zeros
# gives 0, and p = inf gives the largest |x|.
def lp_pool(feature_map, p, pool=2):
    rows, cols = feature_map.shape[0] // pool, feature_map.shape[1] // pool
    pooled = np.zeros((rows, cols))
    for row in range(rows):
        for col in range(cols):
            window = np.abs(feature_map[row * pool:(row + 1) * pool, col * pool:(col + 1) * pool])
            largest = window.max()
            if largest == 0 or p == np.inf:
                pooled[row, col] = largest
            else:
                pooled[row, col] = largest * np.mean((window / largest) ** p) ** (1 / p)
    return pooled


answer_4_2 = lp_pool

# 05 · Exercise 1 ---------------------------------------------------------------
# First go forward to find the size of the map each layer reads, then go
# back from the output cell, the last layer first. Cells [start, stop) of a layer's
# output read [start * stride - before, (stop - 1) * stride - before + kernel) of its
# input, where `before` is Keras's padding above (or left): the smaller half. Clip to
# [0, size) at every layer: a padded cell depends on nothing.
def input_interval_same(index, n, layers):
    sizes = [n]
    for kernel, stride, padding in layers:
        sizes.append(poolviz.output_size(sizes[-1], kernel, stride, padding))
    start, stop = index, index + 1
    for (kernel, stride, padding), size in zip(reversed(layers), reversed(sizes[:-1])):
        before = poolviz.same_padding(size, kernel, stride)[0] if padding == "same" else 0
        start = max(start * stride - before, 0)
        stop = min((stop - 1) * stride - before + kernel, size)
    return start, stop


answer_5_1 = input_interval_same

# 05 · Exercise 2 ---------------------------------------------------------------
# The convolution reads pool cells 0-2 along each axis; pool cell i reads rows 3i and 3i + 1.
# Rows 0, 1, 3, 4, 6, 7 (rows 2 and 5 fall between the pool's windows), the same columns: 6 * 6.
answer_5_2 = 6 * 6


if __name__ == "__main__":
    exercises.check_max_blur_by_hand(answer_1_1)
    exercises.check_least_change_ranking(answer_1_2)
    exercises.check_depthwise_parameters(answer_2_1)
    exercises.check_average_pool_kernel(answer_2_2)
    exercises.check_second_step_pooling_papers(answer_2_3)
    exercises.check_torch_output_size(answer_3_1)
    exercises.check_count_include_pad(answer_3_2)
    exercises.check_cells_never_seen(answer_3_3)
    exercises.check_keras_same_in_pytorch(answer_3_4)
    exercises.check_l2_pool_by_hand(answer_4_1)
    exercises.check_lp_pool(answer_4_2)
    exercises.check_receptive_interval(answer_5_1)
    exercises.check_field_with_holes(answer_5_2)
    assert np.allclose(answer_1_1, poolviz.going_further.max_blur_pool2d(exercises.MAX_BLUR_MAP, 2, 2, 2))
    # 01 exercise 2, by hand: row 2i alone lights the same windows as rows 2i and 2i + 1 and as rows 2i - 1 and 2i.
    diagonal = np.pad(poolviz.data.diagonal_line(), ((1, 0), (0, 0)))  # row -1, the zero row entering at the top
    for i in range(4):
        lit = [set(np.flatnonzero(diagonal[rows].reshape(len(rows), 4, 2).max(axis=(0, 2)))) for rows in
               ([2 * i + 1], [2 * i + 1, 2 * i + 2], [2 * i, 2 * i + 1])]
        assert lit[0] == lit[1] == lit[2], (i, lit)
