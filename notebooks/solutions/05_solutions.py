"""Worked solutions for the exercises of ``05_global_pooling.ipynb``.

Try the exercises first. Each ``answer_N`` is what exercise N asks for;
run this file to see them checked:

    python notebooks/solutions/05_solutions.py
"""

import numpy as np

from poolviz.exercises import nb05

# Exercise 1: global pooling summarises each 7x7 channel by one number.
# Without keepdims only (batch, channels) is left; with keepdims=True the
# rows and columns axes stay, with size 1.
answer_1 = ((32, 64), (32, 1, 1, 64))

# Exercise 2: a 3x3 convolution without padding turns 28x28 into 26x26.
#   Flatten:  26 * 26 * 16 = 10816 inputs -> 10816 * 10 weights + 10 biases = 108170
#   Global:   16 inputs (one per channel) ->    16 * 10 weights + 10 biases =    170
answer_2 = (26 * 26 * 16 * 10 + 10, 16 * 10 + 10)


# Exercise 3: add up the rows and columns axes of a channels-last batch, then divide by
# the number of cells of one map, rows x cols (not rows squared: the maps need not be square).
def global_average_pool(batch):
    _, rows, cols, _ = np.shape(batch)
    return np.sum(batch, axis=(1, 2)) / (rows * cols)


answer_3 = global_average_pool

# Exercise 4: the same total, 36, spread two ways. Spread evenly, every cell is 1 (max 1);
# piled into one cell, that cell is 36 (max 36). Both averages are 36 / 36 = 1, so global
# average pooling gives both maps the same number and only global max pooling tells them apart.
# (Moving cells around, as in section 2, changes neither number: that is no answer.)
spread = np.ones((6, 6))
piled = np.zeros((6, 6))
piled[2, 3] = 36.0
answer_4 = (spread, piled)

# The open question after the exercises (not checked): other seeds, and lines at the border.
# What we measured with the notebook's data and code (Keras 3.15, TensorFlow on the CPU,
# seeds 1 to 10, the script scripts/classifier_seeds.py):
# test accuracy on the 200 test images, and accuracy on the 200 border-line images of section 5b
# (lines along row or column 0 or 11), per seed:
#   seed                       1     2     3     4     5     6     7     8     9    10    mean
#   GlobalMaxPooling2D  test  1.00  0.92  1.00  1.00  1.00  0.93  0.99  1.00  1.00  1.00  0.984
#                     border  0.52  0.76  0.52  0.43  0.65  0.77  0.52  0.48  0.48  0.52  0.562
#   GlobalAverage...    test  1.00  0.99  1.00  1.00  1.00  0.97  0.99  1.00  1.00  1.00  0.996
#                     border  0.62  0.99  0.55  0.44  0.55  0.89  0.52  0.53  0.68  0.52  0.627
# (test accuracies to three decimals: max 1.000 0.920 1.000 1.000 1.000 0.925 0.995 1.000 1.000
# 1.000; average 1.000 0.995 1.000 1.000 1.000 0.970 0.995 1.000 1.000 1.000.) Seed 1, the
# notebook's, scores 1.00 on the test images with either pooling; seeds 2 and 6 with global max
# stay below 0.95.
# So global average pooling is not worse on this task: learned filters, unlike the hand-made
# ones of section 2, can give a vertical and a horizontal line different averages.
#
# Why does seed 2 with global average pooling get nearly every border line right (0.99:
# vertical 0.99, horizontal 1.00)? Set SEED = 2 and
# GLOBAL_POOLING = keras.layers.GlobalAveragePooling2D in section 5b and rerun it; these are
# the numbers it shows (measured with the notebook's data and training, Keras 3, CPU):
#   filter 0 (dense weight +5.8, bias -3.3)    filter 1 (dense weight -6.0, bias -0.9)
#      4.2 -3.8  4.2                              2.9  2.6  3.6
#      3.8 -4.4  4.0                             -4.4 -4.0 -4.6
#      4.3 -4.5  4.5                              3.8  2.4  3.0
# Seed 2 learned the reverse of seed 1: filter 0 has a NEGATIVE middle column and positive
# side columns, filter 1 a negative middle row and positive top and bottom rows. Filter 0
# therefore answers a vertical line when the line lies under one of its side columns, in
# the windows one column left or right of it. Inside the image both happen: two columns of
# the 10x10 map light up. A line in column 0 (or 11) still lies under the left (right)
# side column of the windows next to it: one map column lights up, half the average.
# Average of each filter's map on a clean 6-pixel line (as the notebook's clean_vertical):
#                                  filter 0   filter 1
#   vertical line, column 6          0.96       0.24
#   horizontal line, row 6           0.14       0.96
#   vertical line, column 0          0.47       0.10
#   horizontal line, row 0           0.07       0.48
# Halving is not losing: the right filter still wins, and the dense unit's sum keeps its sign
# (its two weights times the two averages, plus its bias +1.95, the dense layer's bias):
#   vertical in column 0:    5.8 * 0.47 - 6.0 * 0.10 + 1.95 =  4.1 > 0, "vertical"
#   horizontal in row 0:     5.8 * 0.07 - 6.0 * 0.48 + 1.95 = -0.5 < 0, "horizontal"
# Seed 1's filter 0 (positive middle column, negative sides) can only see a line through its
# middle column, and no valid window is centred on column 0 or 11: it gives 0 there (the
# notebook checks it), so every vertical border line is called horizontal. Neither network
# was shown a border line; which one copes is an accident of what its filters learned.


if __name__ == "__main__":
    nb05.check_global_shapes(answer_1)
    nb05.check_head_parameters(answer_2)
    nb05.check_global_average_pool(answer_3)
    nb05.check_average_blind_maps(answer_4)
