"""Worked solutions for the exercises of notebook 02 (detecting vertical lines).

Try the exercises first. Run this file to check the answers:

    python notebooks/solutions/02_solutions.py
"""

import numpy as np

# Exercise 1 ------------------------------------------------------------------
# The vertical detector sums the middle *column* of each 3x3 patch; a
# horizontal detector sums the middle *row*: the same kernel, transposed.
# On the vertical line it sees at most 2 bright pixels in its row.
answer_1 = np.array([[0.0, 0.0, 0.0],
                     [1.0, 1.0, 1.0],
                     [0.0, 0.0, 0.0]])

# Exercise 2 ------------------------------------------------------------------
# Each filter covers 5 x 5 pixels in each of the 3 input channels: 75 weights,
# plus its own bias: 76. Four filters: 4 * 76 = 304.
# To confirm with Keras (slow the first time, TensorFlow loads):
#   inputs = keras.Input((32, 32, 3)); layer = keras.layers.Conv2D(4, (5, 5), name="conv")
#   keras.Model(inputs, layer(inputs)).count_params()  ->  304
answer_2 = 4 * (5 * 5 * 3 + 1)

# Exercise 3 ------------------------------------------------------------------
# A 6x6 filter without padding fits at n - 6 + 1 positions per side:
# 200 - 5 = 195 rows, 170 - 5 = 165 columns. 2x2 pooling with stride 2 rounds down,
# since both sides are odd: floor((195 - 2) / 2) + 1 = 97, floor((165 - 2) / 2) + 1 = 82.
feature_shape = (200 - 6 + 1, 170 - 6 + 1)
pooled_shape = tuple((n - 2) // 2 + 1 for n in feature_shape)
answer_3 = (feature_shape, pooled_shape)


if __name__ == "__main__":
    from poolviz.exercises import nb02

    nb02.check_horizontal_detector(answer_1)
    nb02.check_parameter_count(answer_2)
    nb02.check_photograph_shapes(answer_3)
