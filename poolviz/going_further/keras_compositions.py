"""Keras compositions for the going-further notebooks.  Sizes
are checked before any Keras layer is built: TensorFlow's kernels kill the process
(SIGFPE, SIGABRT) or return uninitialised memory on sizes they do not expect."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from .._checks import MAX_WINDOW, _describe, as_int, as_pair
from ..keras_bridge import load_keras
from ..pooling import check_pool_fits
from .antialias import binomial_filter

if TYPE_CHECKING:
    import keras

__all__ = ["average_pool_as_conv", "downsampling_layers", "max_blur_pool_model"]

MAX_WEIGHTS = 2**24  # fixed weights in one composition: 64 MB of float32


def _input_shape(input_shape, weights_per_channel=0):
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 3:
        raise ValueError(f"input_shape must be (rows, cols, channels), got {_describe(input_shape)}")
    rows, cols = (as_int(n, "input_shape rows and cols", 1, MAX_WINDOW) for n in input_shape[:2])
    channels = as_int(input_shape[2], "input_shape channels", 1, MAX_WINDOW)
    if channels * weights_per_channel > MAX_WEIGHTS:
        raise ValueError(f"input_shape channels {channels} would need {channels * weights_per_channel} "
                         f"fixed weights, more than {MAX_WEIGHTS} (2**24)")
    return rows, cols, channels


def max_blur_pool_model(input_shape: tuple[int, int, int], pool_size: int | tuple[int, int] = 2, strides: int = 2,
                        filter_size: int = 3, name: str = "max_blur_pool") -> keras.Model:
    """The Keras composition :func:`poolviz.going_further.max_blur_pool2d` is
    tested against: ``MaxPooling2D(pool_size, strides=1)``, reflect padding,
    then a ``DepthwiseConv2D`` with fixed binomial weights and ``strides``.
    ``input_shape`` is ``(rows, cols, channels)``."""
    pool = as_pair(pool_size, "pool_size")
    stride = as_int(strides, "strides", 1, MAX_WINDOW)  # TensorFlow's depthwise blur: one stride
    weights = binomial_filter(filter_size)
    size = len(weights)
    rows, cols, channels = _input_shape(input_shape, weights_per_channel=size * size)
    check_pool_fits((rows, cols), pool, 1)
    if min(rows - pool[0], cols - pool[1]) < size // 2:
        raise ValueError(f"pool_size {pool} leaves too few cells of the {rows}x{cols} input to "
                         f"reflect for filter_size {size}: more than {size // 2} per axis needed")
    keras = load_keras()
    before, after = (size - 1) // 2, size // 2
    inputs = keras.Input((rows, cols, channels), name=f"{name}_input")
    maxed = keras.layers.MaxPooling2D(pool, strides=1, name=f"{name}_max")(inputs)
    padded = keras.layers.Lambda(
        lambda t: keras.ops.pad(t, [[0, 0], [before, after], [before, after], [0, 0]], mode="reflect"),
        name=f"{name}_reflect_pad")(maxed)
    blur = keras.layers.DepthwiseConv2D(size, strides=stride, use_bias=False, name=f"{name}_blur")
    outputs = blur(padded)
    blur.set_weights([np.repeat(weights[:, :, None, None], channels, axis=2)])
    blur.trainable = False
    return keras.Model(inputs, outputs, name=name)


def average_pool_as_conv(input_shape: tuple[int, int, int], pool_size: int | tuple[int, int] = 2,
                         name: str = "average_as_conv") -> keras.Model:
    """``AveragePooling2D(pool_size)`` as a ``Conv2D(channels, pool_size,
    strides=pool_size)``: weight ``1 / (rows * cols of the pool)`` from each
    input channel to the same output channel, 0 across channels, no bias."""
    pool = as_pair(pool_size, "pool_size")
    rows, cols, channels = _input_shape(input_shape)
    check_pool_fits((rows, cols), pool)
    _input_shape(input_shape, weights_per_channel=pool[0] * pool[1] * channels)  # channels**2 weights
    keras = load_keras()
    inputs = keras.Input((rows, cols, channels), name=f"{name}_input")
    conv = keras.layers.Conv2D(channels, pool, strides=pool, use_bias=False, name=f"{name}_conv")
    outputs = conv(inputs)
    kernel = np.zeros(pool + (channels, channels), np.float32)
    kernel[:, :, np.arange(channels), np.arange(channels)] = 1.0 / (pool[0] * pool[1])
    conv.set_weights([kernel])
    return keras.Model(inputs, outputs, name=name)


def _all_layers(model):  # nested models' layers in place of the model
    for layer in model.layers:
        yield from (_all_layers(layer) if getattr(layer, "layers", None) else [layer])


def downsampling_layers(model: keras.Model) -> list[tuple]:
    """``(layer name, kind, window, strides, use_bias)`` of each pooling layer and
    each convolution with a stride above 1 of a Keras ``model``, in model order,
    nested models and blocks (ConvNeXt's ``Sequential`` stages) included.  ``kind`` is
    the class name; pooling has no ``use_bias`` and global pooling no window or
    strides (``None``): it reduces a whole map."""
    if not hasattr(model, "layers"):
        raise TypeError(f"model must be a Keras model, got {_describe(model)}")
    rows = []
    for layer in _all_layers(model):
        kind = type(layer).__name__
        if "Pooling" in kind:
            rows.append((layer.name, kind, *(as_pair(getattr(layer, key), key) if hasattr(layer, key) else None
                                             for key in ("pool_size", "strides")), None))
        elif "Conv" in kind and hasattr(layer, "strides") and max(as_pair(layer.strides, "strides")) > 1:
            rows.append((layer.name, kind, as_pair(layer.kernel_size, "kernel_size"),
                         as_pair(layer.strides, "strides"), bool(layer.use_bias)))
    return rows
