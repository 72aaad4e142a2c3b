"""Keras models for the "going further" notebooks: compositions and counts.

* :func:`max_blur_pool_model`: ``MaxPooling2D`` with stride 1, reflect
  padding and a ``DepthwiseConv2D`` with fixed binomial weights and the
  stride: the Keras composition :func:`poolviz.going_further.max_blur_pool2d` is checked
  against.
* :func:`average_pool_as_conv`: a ``Conv2D`` with fixed weights
  ``1 / (k * k)`` and stride ``k``, which is ``AveragePooling2D(k)``.
* :func:`downsampling_layers` and :func:`architecture_counts`: the pooling
  layers and the strided convolutions of a built model (nested models
  included), for the architectures ``keras.applications`` ships.

TensorFlow is imported only when a function is called (through
:func:`poolviz.keras_bridge.load_keras`).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

import numpy as np

from .antialias import binomial_filter
from ..keras_bridge import load_keras

__all__ = [
    "ArchitectureCounts",
    "architecture_counts",
    "average_pool_as_conv",
    "downsampling_layers",
    "max_blur_pool_model",
]


def max_blur_pool_model(input_shape, pool_size=2, strides=2, filter_size=3, name="max_blur_pool"):
    """The Keras composition of max-blur pooling, channels last.

    ``input_shape`` is ``(rows, cols, channels)``; ``pool_size`` and
    ``strides`` are ints.  Reflect padding of ``(filter_size - 1) // 2``
    cells before and ``filter_size // 2`` after, as the paper's code does.
    """
    keras = load_keras()
    channels = int(input_shape[-1])
    before, after = (filter_size - 1) // 2, filter_size // 2
    inputs = keras.Input(tuple(input_shape), name=f"{name}_input")
    maxed = keras.layers.MaxPooling2D(pool_size, strides=1, padding="valid", name=f"{name}_max")(inputs)
    padded = keras.layers.Lambda(
        lambda t: keras.ops.pad(t, [[0, 0], [before, after], [before, after], [0, 0]], mode="reflect"),
        name=f"{name}_reflect_pad")(maxed)
    blur = keras.layers.DepthwiseConv2D(filter_size, strides=strides, padding="valid", use_bias=False,
                                        name=f"{name}_blur")
    outputs = blur(padded)
    blur.set_weights([np.repeat(binomial_filter(filter_size)[:, :, None, None], channels, axis=2)])
    blur.trainable = False
    return keras.Model(inputs, outputs, name=name)


def average_pool_as_conv(input_shape, pool_size=2, name="average_as_conv"):
    """``Conv2D(channels, pool_size, strides=pool_size)`` whose weights make it
    ``AveragePooling2D(pool_size)``: ``1 / pool_size**2`` from each input
    channel to the same output channel, 0 across channels, no bias."""
    keras = load_keras()
    channels = int(input_shape[-1])
    inputs = keras.Input(tuple(input_shape), name=f"{name}_input")
    conv = keras.layers.Conv2D(channels, pool_size, strides=pool_size, use_bias=False, name=f"{name}_conv")
    outputs = conv(inputs)
    kernel = np.zeros((pool_size, pool_size, channels, channels))
    for c in range(channels):
        kernel[:, :, c, c] = 1.0 / pool_size ** 2
    conv.set_weights([kernel])
    return keras.Model(inputs, outputs, name=name)


def _all_layers(model):
    """Every layer of ``model``, nested models' layers in place of the model."""
    for layer in model.layers:
        if hasattr(layer, "layers") and layer.layers:
            yield from _all_layers(layer)
        else:
            yield layer


def _pair(value):
    return tuple(int(v) for v in value) if isinstance(value, (tuple, list)) else (int(value),) * 2


def downsampling_layers(model):
    """``(layer name, kind, window, strides)`` of each pooling layer and each
    convolution with a stride above 1, in model order.

    ``kind`` is the layer's class name; ``window`` is the pool or kernel size
    (``None`` for global pooling, which has no window: it reduces a whole map).
    """
    rows = []
    for layer in _all_layers(model):
        kind = type(layer).__name__
        if "Pooling" in kind:
            window = _pair(layer.pool_size) if hasattr(layer, "pool_size") else None
            strides = _pair(layer.strides) if hasattr(layer, "strides") else None
            rows.append((layer.name, kind, window, strides))
        elif "Conv" in kind and hasattr(layer, "strides") and max(_pair(layer.strides)) > 1:
            rows.append((layer.name, kind, _pair(layer.kernel_size), _pair(layer.strides)))
    return rows


@dataclass(frozen=True)
class ArchitectureCounts:
    """What one ``keras.applications`` model uses to downsample, counted."""

    name: str
    parameters: int
    pooling: dict          # class name -> number of layers
    strided_convolutions: dict  # class name -> number of layers
    global_pooling_in_blocks: int  # global pools before the last pooling layer
    last_pooling: str      # class name of the last pooling layer before the classifier
    layers: tuple = ()     # the rows of downsampling_layers(model)

    @property
    def windowed_pooling(self):
        """Number of MaxPooling2D/AveragePooling2D layers (pools with a window)."""
        return sum(n for kind, n in self.pooling.items() if "Global" not in kind)


def architecture_counts(name, input_shape=(64, 64, 3)):
    """Build ``keras.applications.<name>(weights=None)`` and count its layers.

    Nothing is downloaded (``weights=None``).  The counts do not depend on
    ``input_shape`` (a small one builds faster); the parameter count does not
    either, because every one of these models ends its convolutions with
    global pooling.  Global pools before the last pooling layer sit inside
    blocks (in MobileNetV3 and EfficientNet they are the squeeze-and-excitation
    gates, named ``*squeeze*``) and are counted in ``global_pooling_in_blocks``.
    """
    keras = load_keras()
    keras.backend.clear_session()
    model = getattr(keras.applications, name)(weights=None, input_shape=tuple(input_shape))
    layers = downsampling_layers(model)
    pooling = Counter(kind for _, kind, window, _ in layers if "Pooling" in kind)
    strided = Counter(kind for _, kind, _, _ in layers if "Pooling" not in kind)
    pools = [kind for _, kind, _, _ in layers if "Pooling" in kind]
    gates = sum(1 for kind in pools[:-1] if "Global" in kind)
    last = pools[-1]
    counts = ArchitectureCounts(name, int(model.count_params()), dict(sorted(pooling.items())),
                                dict(sorted(strided.items())), gates, last, tuple(layers))
    del model
    keras.backend.clear_session()
    return counts
