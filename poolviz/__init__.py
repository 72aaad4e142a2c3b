"""poolviz: pooling layers computed by hand in NumPy, drawn, and explored.

The operations follow Keras 3 exactly (padding side, padded cells, defaults).
``import poolviz`` loads only NumPy; the pictures (:mod:`poolviz.plot`), the
explorers (:mod:`poolviz.widgets`), the Keras bridge
(:mod:`poolviz.keras_bridge`) and :mod:`poolviz.going_further` are imported
when asked for.
"""

from . import data
from .convolution import conv2d, relu
from .pooling import (
    average_pool2d,
    global_average_pool2d,
    global_max_pool2d,
    max_pool2d,
    output_size,
    output_size_formula,
    pooled_shape,
    same_padding,
)
from .walkthrough import PoolingWindow, pooling_window, walk_windows

__version__ = "0.1.0"

OPERATIONS = ("max", "average", "global max", "global average")

__all__ = ["OPERATIONS", "PoolingWindow", "average_pool2d", "conv2d", "data", "global_average_pool2d",
           "global_max_pool2d", "max_pool2d", "output_size", "output_size_formula", "pooled_shape", "pooling_window",
           "relu", "same_padding", "walk_windows"]
