"""Worked solutions for the exercises of ``04_max_pooling.ipynb``.

Try the exercises first. Each ``answer_N`` is what exercise N asks for;
run this file to see them checked:

    python notebooks/solutions/04_solutions.py
"""

import numpy as np

from poolviz.exercises import nb04

# Exercise 1: the four windows of EXERCISE_1_MAP are
#   [[0.2, 0.9], [0.5, 0.1]] -> 0.9     [[0.0, 0.4], [0.7, 0.3]] -> 0.7
#   [[0.0, 0.0], [0.3, 0.0]] -> 0.3     [[0.6, 0.8], [0.2, 0.1]] -> 0.8
answer_1 = [[0.9, 0.7],
            [0.3, 0.8]]

# Exercise 2: ceil(3 / 2) = 2 windows per side; the padded row and column go
# at the bottom and right and take no part in the max:
#   rows 0-1, cols 0-1: max(-4, -2, -1, -5) = -1    rows 0-1, col 2: max(-7, -3) = -3
#   row 2, cols 0-1:    max(-6, -8) = -6            row 2, col 2:    max(-9) = -9
answer_2 = [[-1.0, -3.0],
            [-6.0, -9.0]]


# Exercise 3: the notebook's skeleton with its three lines filled in. Each window
# hands its upstream gradient to the one cell that won the max. On a tie any
# split among the tied cells would be a valid gradient; np.argmax picks the first
# tied cell in reading order, the choice TensorFlow makes on the CPU and the one
# the check asks for. Cells that no window covers keep 0.
def max_pool_gradient(feature_map, upstream):
    gradient = np.zeros(np.shape(feature_map))
    for row in range(upstream.shape[0]):
        for col in range(upstream.shape[1]):
            window = feature_map[2 * row:2 * row + 2, 2 * col:2 * col + 2]
            winner_row, winner_col = np.unravel_index(np.argmax(window), window.shape)
            gradient[2 * row + winner_row, 2 * col + winner_col] += upstream[row, col]
    return gradient


answer_3 = max_pool_gradient


# Exercise 4: GELU rises from its minimum near -0.75 on, and falls to the left of it. A window's two
# orders differ when another cell's GELU is above the GELU of its largest value.
#   window       cells                  largest   GELU of the largest   highest GELU of a cell
#   top-left     1, -2, 0.5, -0.3       1.0       0.841                 0.841 (the 1.0): agree
#   top-right    -0.3, -2.5, -1, -0.6   -0.3      -0.115                -0.016 (the -2.5): differ
#   bottom-left  -0.1, -0.2, -0.6, -0.4 -0.1      -0.046                -0.046: agree (all >= -0.75, GELU rises)
#   bottom-right -1, -3, -2, -1.5       -1.0      -0.159                -0.004 (the -3): differ
answer_4 = [[False, True],
            [False, True]]



if __name__ == "__main__":
    nb04.check_max_pool_by_hand(answer_1)
    nb04.check_same_padding_max(answer_2)
    nb04.check_max_pool_gradient(answer_3)
    nb04.check_gelu_and_max_order(answer_4)
