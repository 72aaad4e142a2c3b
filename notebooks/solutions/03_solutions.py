"""Worked solutions for the exercises of notebook 03 (average pooling).

Try the exercises first. Run this file to check the answers:

    python notebooks/solutions/03_solutions.py
"""

import numpy as np

import poolviz

# Exercise 1 ------------------------------------------------------------------
# Pool 3, stride 2, 'same' on 5x5: ceil(5 / 2) = 3 windows per side and
# (3 - 1) * 2 + 3 - 5 = 2 padded cells per side, 1 before and 1 after
# (poolviz.same_padding(5, 3, 2) == (1, 1)). The bottom windows cover rows
# 3, 4 and a padded row 5; their columns are -1..1, 1..3 and 3..5.
small_map = np.arange(25.0).reshape(5, 5)
bottom_rows = small_map[3:5]
answer_1 = [
    bottom_rows[:, 0:2].mean(),  # (15 + 16 + 20 + 21) / 4 = 18.0  (column -1 is padding)
    bottom_rows[:, 1:4].mean(),  # (16 + 17 + 18 + 21 + 22 + 23) / 6 = 19.5
    bottom_rows[:, 3:5].mean(),  # (18 + 19 + 23 + 24) / 4 = 21.0  (column 5 is padding)
]

# Exercise 2 ------------------------------------------------------------------
# The 6x7 map (6 rows, 7 columns), pool 2, stride 3, 'valid'.
# Rows: floor((6 - 2) / 3) + 1 = 2 windows, starting at 0 and 3: rows 0-1 and 3-4.
# Columns: floor((7 - 2) / 3) + 1 = 2 windows as well: columns 0-1 and 3-4. A third
# window would start at column 6 and need column 7, which does not exist.
# Rows 2 and 5 and columns 2, 5 and 6 are never read.
# Covered cells: 4 rows x 4 columns = 16; never used: 42 - 16 = 26.
answer_2 = 6 * 7 - 4 * 4


# Exercise 3 ------------------------------------------------------------------
def average_pool_same(feature_map, pool, stride):
    """Keras-style 'same' average pooling: padded cells are left out of the mean."""
    rows, cols = feature_map.shape
    out_rows, out_cols = -(-rows // stride), -(-cols // stride)
    top, _ = poolviz.same_padding(rows, pool, stride)
    left, _ = poolviz.same_padding(cols, pool, stride)
    pooled = np.empty((out_rows, out_cols))
    for i in range(out_rows):
        for j in range(out_cols):
            # The window's first row/column in map coordinates may be negative
            # (padding before); clipping to the map keeps only real cells.
            row_start, col_start = i * stride - top, j * stride - left
            window = feature_map[max(row_start, 0):min(row_start + pool, rows),
                                 max(col_start, 0):min(col_start + pool, cols)]
            pooled[i, j] = window.sum() / window.size
    return pooled


answer_3 = average_pool_same


if __name__ == "__main__":
    from poolviz.exercises import nb03

    nb03.check_same_padding_bottom_row(answer_1)
    nb03.check_cells_never_used(answer_2)
    nb03.check_average_pool_same(answer_3)
