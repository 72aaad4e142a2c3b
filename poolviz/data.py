"""Small inputs for the course: the tutorial's line image and its relatives.

Every function returns a new float64 array, so a student may change it freely without touching anyone else's copy.
Sizes are ints (a float such as 2.5 is refused, not truncated); images have at most 2**24 cells (4096 x 4096).
"""

from __future__ import annotations

import numpy as np

from ._checks import MAX_IMAGE_CELLS, _describe, as_feature_map, as_int, as_size_pair
from .convolution import conv2d, relu

__all__ = ["VERTICAL_LINE_DETECTOR", "checkerboard", "diagonal_line", "horizontal_line", "line_feature_map",
           "photograph", "random_feature_map", "shift", "vertical_line"]

#: The hand-made 3x3 filter of the tutorial: it sums a vertical strip of three.
VERTICAL_LINE_DETECTOR = np.array([[0.0, 1.0, 0.0]] * 3)
VERTICAL_LINE_DETECTOR.setflags(write=False)


def _size(size, smallest=2, name="size", largest=4096):  # 4096 ** 2 == MAX_IMAGE_CELLS
    return as_int(size, name, smallest, largest, " (images have at most 4096 x 4096 cells)")


def vertical_line(size: int = 8) -> np.ndarray:
    """The tutorial's image: zeros with a 2-pixel line down the middle.

    >>> vertical_line()[0]
    array([0., 0., 0., 1., 1., 0., 0., 0.])
    """
    size = _size(size, smallest=4)
    image = np.zeros((size, size))
    image[:, size // 2 - 1:size // 2 + 1] = 1.0
    return image


def line_feature_map(size: int = 8) -> np.ndarray:
    """The tutorial's feature map: the vertical-line detector on
    :func:`vertical_line`, through ReLU (6x6 for the 8x8 image).

    >>> line_feature_map()[0]
    array([0., 0., 3., 3., 0., 0.])
    """
    return relu(conv2d(vertical_line(size), VERTICAL_LINE_DETECTOR)).astype(np.float64)


def horizontal_line(size: int = 8) -> np.ndarray:
    """The vertical line turned on its side."""
    return vertical_line(size).T.copy()


def diagonal_line(size: int = 8) -> np.ndarray:
    """A 2-pixel-wide line from the top-left to the bottom-right corner."""
    size = _size(size)
    image = np.eye(size)
    image[1:, :-1] += np.eye(size - 1)
    return image


def checkerboard(size: int = 8, square: int = 1) -> np.ndarray:
    """Alternating 0/1 squares of ``square`` pixels, top-left square 1."""
    size = _size(size)
    square = _size(square, smallest=1, name="square")
    index = np.arange(size) // square
    return ((index[:, None] + index[None, :]) % 2 == 0).astype(np.float64)


def random_feature_map(shape: tuple[int, int] = (8, 8), seed: int | None = 0) -> np.ndarray:
    """A seeded random map that looks like a post-ReLU feature map: about
    half the cells are 0, the rest lie in (0, 1], rounded to 0.1."""
    rows, cols = as_size_pair(shape, "shape")
    if rows * cols > MAX_IMAGE_CELLS:
        raise ValueError(f"shape {_describe(shape)} has {_describe(rows * cols)} cells, more than the limit of "
                         f"{MAX_IMAGE_CELLS} (2**24, e.g. 4096 x 4096)")
    seed = None if seed is None else as_int(seed, "seed", 0)
    values = np.random.default_rng(seed).uniform(-1.0, 1.0, size=(rows, cols))
    return np.round(np.maximum(values, 0.0), 1)


def shift(image: np.typing.ArrayLike, rows: int = 0, cols: int = 0) -> np.ndarray:
    """``image`` moved down by ``rows`` and right by ``cols`` (negative: up,
    left); cells that come in from the edge are 0, nothing wraps around.

    >>> shift(np.arange(4.0).reshape(2, 2), 0, 1)
    array([[0., 0.],
           [0., 2.]])
    """
    array = as_feature_map(image, "image", max_cells=MAX_IMAGE_CELLS, why=" (4096 x 4096)")
    rows, cols = as_int(rows, "rows"), as_int(cols, "cols")
    moved = np.zeros(array.shape)
    height, width = array.shape
    if abs(rows) >= height or abs(cols) >= width:
        return moved
    source = array[max(-rows, 0):height - max(rows, 0), max(-cols, 0):width - max(cols, 0)]
    moved[max(rows, 0):max(rows, 0) + source.shape[0], max(cols, 0):max(cols, 0) + source.shape[1]] = source
    return moved


def photograph(downscale: int = 1) -> np.ndarray:
    """A real grayscale photograph (Grace Hopper, from matplotlib's sample data, so nothing is downloaded) as
    float64 in [0, 1], 600 rows x 512 columns before ``downscale``.

    ``downscale`` is an int from 1 to 512: each ``downscale`` x ``downscale`` block is averaged into one pixel
    (edges that do not fill a block are dropped; 512 leaves a single pixel).
    """
    downscale = as_int(downscale, "downscale", 1, 512, " (the photograph has 512 columns; more would leave no pixel)")
    import matplotlib.image
    from matplotlib import cbook

    with cbook.get_sample_data("grace_hopper.jpg") as file:
        rgb = matplotlib.image.imread(file, format="jpeg")
    # ITU-R BT.601 luma: how bright each pixel looks to a person
    gray = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    rows, cols = gray.shape[0] // downscale, gray.shape[1] // downscale
    return gray[:rows * downscale, :cols * downscale].reshape(rows, downscale, cols, downscale).mean(axis=(1, 3))


#: The explorers' input menu (not in __all__): name -> function giving a fresh 2-D array.
INPUTS = {"vertical line": vertical_line, "horizontal line": horizontal_line, "diagonal line": diagonal_line,
          "checkerboard": checkerboard, "random": random_feature_map, "photograph": lambda: photograph(downscale=8)}
