"""window_coverage: how many pooling windows see each input cell."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import oracle as reference
import poolviz
from poolviz.going_further.coverage import window_coverage


def test_tiling_windows_see_every_cell_once():
    assert np.array_equal(window_coverage((6, 6), 2), np.ones((6, 6), int))


def test_valid_drops_the_last_row_and_column_of_an_odd_map():
    coverage = window_coverage((5, 5), 2)
    assert coverage[:4, :4].min() == 1 and coverage[4].max() == 0 and coverage[:, 4].max() == 0


def test_stride_larger_than_the_pool_skips_cells():
    assert np.array_equal(window_coverage((1, 6), (1, 2), strides=(1, 3)), [[1, 1, 0, 1, 1, 0]])


def test_overlap_counts_2_and_4():
    coverage = window_coverage((7, 7), 3, strides=2, padding="same")
    # windows cover rows -1..1, 1..3, 3..5, 5..7: rows 1, 3, 5 are in two of them
    assert coverage[0, 0] == 1 and coverage[0, 1] == 2 and coverage[1, 1] == 4
    assert set(np.unique(coverage)) == {1, 2, 4}


@settings(max_examples=200, deadline=None)
@given(rows=st.integers(1, 12), cols=st.integers(1, 12), pool=st.integers(1, 5),
       stride=st.integers(1, 5), padding=st.sampled_from(["valid", "same"]))
def test_coverage_counts_the_windows_the_loop_oracle_walks(rows, cols, pool, stride, padding):
    if padding == "valid" and pool > min(rows, cols):
        return
    expected = np.zeros((rows, cols), int)
    out_rows, out_cols = poolviz.pooled_shape((rows, cols), pool, stride, padding)
    for i in range(out_rows):
        r0, r1 = reference.window_bounds(i, rows, pool, stride, padding)
        for j in range(out_cols):
            c0, c1 = reference.window_bounds(j, cols, pool, stride, padding)
            expected[r0:r1, c0:c1] += 1
    assert np.array_equal(window_coverage((rows, cols), pool, stride, padding), expected)


@pytest.mark.parametrize("args, error, name", [
    (((0, 3), 2), ValueError, "input_shape"),
    (((3,), 2), ValueError, "input_shape"),
    (((5.7, 5.2), 2), TypeError, "input_shape"),    # used to be truncated to (5, 5)
    (("55", 2), ValueError, "input_shape"),          # used to be read as (5, 5)
    (((10**5000, 3), 2), ValueError, "input_shape"),
    (((1 << 13, 1 << 13), 2), ValueError, "input_shape"),  # beyond the stated 2**24 cells
    (((3, 3), 0), ValueError, "pool_size"),
    (((3, 3), 2, None, "full"), ValueError, "padding"),
])
def test_bad_arguments_are_named(args, error, name):
    with pytest.raises(error, match=name):
        window_coverage(*args)


@pytest.mark.parametrize("module", ["poolviz.going_further.antialias", "poolviz.going_further.coverage",
                                    "poolviz.going_further.pytorch"])
def test_docstring_examples_of_the_going_further_modules(module):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module), extraglobs={"np": np})
    assert result.attempted > 0 and result.failed == 0
