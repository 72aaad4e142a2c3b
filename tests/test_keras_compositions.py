"""The Keras side of the going-further notebooks: average pooling as a
convolution, and what real architectures use to downsample (built with
``weights=None``; nothing is downloaded)."""

import numpy as np
import pytest

pytest.importorskip("tensorflow")

import poolviz  # noqa: E402
from poolviz.keras_bridge import load_keras  # noqa: E402
from poolviz.going_further.keras_compositions import (  # noqa: E402
    architecture_counts,
    average_pool_as_conv,
    downsampling_layers,
)


def test_average_pooling_is_a_strided_convolution_with_fixed_weights():
    keras = load_keras()
    x = np.random.default_rng(0).normal(size=(2, 8, 6, 3)).astype(np.float32)
    conv = average_pool_as_conv((8, 6, 3), 2)
    pooled = keras.layers.AveragePooling2D(2, name="avg")(x)
    np.testing.assert_allclose(np.asarray(conv(x)), np.asarray(pooled), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(conv(x)), poolviz.average_pool2d(x, 2), rtol=1e-6, atol=1e-6)
    # A learned strided convolution of this shape has 2 * 2 * 3 * 3 weights.
    assert conv.count_params() == 36


def test_downsampling_layers_find_nested_layers_and_skip_stride_1():
    keras = load_keras()
    inner = keras.Sequential([keras.layers.Conv2D(2, 2, strides=2, name="inner_conv")], name="inner")
    inputs = keras.Input((8, 8, 1))
    y = keras.layers.Conv2D(2, 3, padding="same", name="stride_1")(inputs)
    y = inner(y)
    y = keras.layers.MaxPooling2D(name="pool")(y)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(y)
    rows = downsampling_layers(keras.Model(inputs, y))
    assert rows == [("inner_conv", "Conv2D", (2, 2), (2, 2)),
                    ("pool", "MaxPooling2D", (2, 2), (2, 2)),
                    ("gap", "GlobalAveragePooling2D", None, None)]


def test_resnet50_counts():
    counts = architecture_counts("ResNet50")
    assert counts.pooling == {"GlobalAveragePooling2D": 1, "MaxPooling2D": 1}
    assert counts.strided_convolutions == {"Conv2D": 7}
    assert counts.last_pooling == "GlobalAveragePooling2D"
    assert counts.parameters == 25_636_712


def test_mobilenet_v3_small_gates_are_global_pools_inside_blocks():
    counts = architecture_counts("MobileNetV3Small")
    assert counts.windowed_pooling == 0
    assert counts.pooling == {"GlobalAveragePooling2D": 10}
    assert counts.global_pooling_in_blocks == 9
    assert counts.last_pooling == "GlobalAveragePooling2D"
    # The pools inside blocks are the squeeze-and-excitation gates (by their names).
    global_pools = [name for name, kind, _, _ in counts.layers if "Global" in kind]
    assert all("squeeze_excite" in name for name in global_pools[:-1])
    assert "squeeze" not in global_pools[-1]


def test_resnet50_counts_do_not_depend_on_the_input_size():
    small, large = architecture_counts("ResNet50"), architecture_counts("ResNet50", (224, 224, 3))
    assert small == large
