"""The course's inputs."""

import numpy as np
import pytest

from poolviz import data


def test_the_tutorials_image():
    image = data.vertical_line()
    assert image.shape == (8, 8) and image.dtype == np.float64
    assert image.tolist() == [[0, 0, 0, 1, 1, 0, 0, 0]] * 8
    assert data.VERTICAL_LINE_DETECTOR.tolist() == [[0, 1, 0]] * 3
    assert not data.VERTICAL_LINE_DETECTOR.flags.writeable


def test_other_images():
    np.testing.assert_array_equal(data.horizontal_line(), data.vertical_line().T)
    diagonal = data.diagonal_line(4)
    assert diagonal.tolist() == [[1, 0, 0, 0], [1, 1, 0, 0], [0, 1, 1, 0], [0, 0, 1, 1]]
    assert data.checkerboard(4).tolist() == [[1, 0, 1, 0], [0, 1, 0, 1]] * 2
    assert data.checkerboard(4, square=2)[:, 0].tolist() == [1, 1, 0, 0]


def test_random_map_is_seeded_and_non_negative():
    first, again = data.random_feature_map((5, 7), seed=3), data.random_feature_map((5, 7), seed=3)
    np.testing.assert_array_equal(first, again)
    assert first.shape == (5, 7) and first.min() == 0.0 and first.max() <= 1.0
    assert not np.array_equal(first, data.random_feature_map((5, 7), seed=4))


def test_shift_moves_without_wrapping():
    image = data.vertical_line()
    moved = data.shift(image, 0, 2)
    assert moved[0].tolist() == [0, 0, 0, 0, 0, 1, 1, 0]
    assert data.shift(image, 0, -3)[0].tolist() == [1, 1, 0, 0, 0, 0, 0, 0]
    assert data.shift(image, 9, 0).sum() == 0
    assert data.shift(image, 0, 0) is not image
    with pytest.raises(TypeError, match=r"cols must be an int, got 1.5"):
        data.shift(image, 0, 1.5)
    with pytest.raises(ValueError, match="image"):
        data.shift(np.ones(8), 1, 1)


def test_photograph_is_real_and_downscaled():
    full = data.photograph()
    assert full.shape == (600, 512)
    assert 0.0 <= full.min() and full.max() <= 1.0 and full.std() > 0.1
    small = data.photograph(downscale=8)
    assert small.shape == (75, 64)
    np.testing.assert_allclose(small[0, 0], full[:8, :8].mean())
    with pytest.raises(ValueError, match=r"downscale must be at least 1, got 0"):
        data.photograph(downscale=0)


def test_every_explorer_input_is_a_fresh_two_d_array():
    for name, make in data.INPUTS.items():
        first = make()
        assert first.ndim == 2, name
        first[...] = -1
        assert make().max() >= 0, name


def test_sizes_are_ints_never_truncated_and_images_never_empty():
    with pytest.raises(TypeError, match=r"shape must be a pair of ints \(rows, cols\), got \(2.5, 3\)"):
        data.random_feature_map((2.5, 3))
    with pytest.raises(ValueError, match=r"shape \(5000, 5000\) has 25000000 cells, more than the limit"):
        data.random_feature_map((5000, 5000))
    for bad_seed, error in (("a", TypeError), (-1, ValueError), (-(10**5000), ValueError)):
        with pytest.raises(error, match="seed"):
            data.random_feature_map(seed=bad_seed)
    with pytest.raises(TypeError, match="cols"):
        data.shift(np.ones((2, 2)), cols=1.0)
    assert not data.shift(np.ones((2, 2)), rows=10**5000).any()  # shifted out entirely
    for call, name in ((lambda: data.checkerboard(square=10**5000), "square"),
                       (lambda: data.random_feature_map((10**5000, 1)), "shape")):
        with pytest.raises(ValueError, match=name):
            call()
    with pytest.raises(ValueError, match=r"downscale must be at most 512 \(the photograph has 512 "
                                         r"columns; more would leave no pixel\), got 600"):
        data.photograph(600)
    assert data.photograph(512).shape == (1, 1)
    with pytest.raises(TypeError, match=r"size must be an int, got 8.0"):
        data.vertical_line(8.0)
    with pytest.raises(ValueError, match=r"size must be at most 4096"):
        data.checkerboard(10**6)
    assert data.random_feature_map((np.int64(2), 3)).shape == (2, 3)


def test_line_feature_map_is_the_tutorials_six_by_six_map():
    expected = [[0.0, 0.0, 3.0, 3.0, 0.0, 0.0]] * 6
    feature_map = data.line_feature_map()
    assert feature_map.dtype == np.float64
    assert feature_map.tolist() == expected
    feature_map[0, 0] = 9.0  # a fresh array each call
    assert data.line_feature_map().tolist() == expected
    assert data.line_feature_map(10)[0].tolist() == [0.0, 0.0, 0.0, 3.0, 3.0, 0.0, 0.0, 0.0]
