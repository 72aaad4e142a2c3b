"""The Keras compositions and counts of the going-further notebooks.

Hostile sizes are tried in a subprocess: TensorFlow answers some of them
with SIGFPE or SIGABRT, which must fail a test, not kill pytest.
"""

import json
import subprocess
import sys

import numpy as np
import pytest

import poolviz
from poolviz.going_further.keras_compositions import (
    average_pool_as_conv,
    downsampling_layers,
    max_blur_pool_model,
)

HOSTILE = [  # (function, keyword arguments, the argument the error must name)
    ("max_blur_pool_model", dict(input_shape=(8, 8, 1), strides=2**31), "strides"),      # SIGABRT
    ("max_blur_pool_model", dict(input_shape=(8, 8, 1), pool_size=2**31), "pool_size"),  # SIGABRT
    ("max_blur_pool_model", dict(input_shape=(2, 2, 1), pool_size=3), "pool_size"),      # SIGFPE
    ("max_blur_pool_model", dict(input_shape=(4, 4, 1), pool_size=2, filter_size=7), "pool_size"),
    ("max_blur_pool_model", dict(input_shape=(8, 8, 1), filter_size=0), "filter_size"),
    ("max_blur_pool_model", dict(input_shape=(8, 8, 2**31 - 1)), "input_shape"),
    ("max_blur_pool_model", dict(input_shape=(8.0, 8, 1)), "input_shape"),
    ("average_pool_as_conv", dict(input_shape=(2, 2, 1), pool_size=3), "pool_size"),     # garbage
    ("average_pool_as_conv", dict(input_shape=(8, 8, 20000)), "input_shape"),            # 6 GB
    ("average_pool_as_conv", dict(input_shape=(8, 8)), "input_shape"),
    ("average_pool_as_conv", dict(input_shape=(8, 8, 1), pool_size=(2, 0)), "pool_size"),
]
SCRIPT = """
import json, sys
from poolviz.going_further import keras_compositions
answers = []
for function, kwargs, _ in json.loads(sys.argv[1]):
    try:
        getattr(keras_compositions, function)(**kwargs)
        answers.append(["accepted", ""])
    except (ValueError, TypeError) as error:
        answers.append([type(error).__name__, str(error)])
print(json.dumps({"answers": answers, "tensorflow imported": "tensorflow" in sys.modules}))
"""


def test_hostile_sizes_are_refused_by_name_before_tensorflow_is_imported():
    run = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(HOSTILE)],
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr[-2000:]
    report = json.loads(run.stdout)
    for (function, kwargs, name), (kind, message) in zip(HOSTILE, report["answers"]):
        assert kind in ("ValueError", "TypeError") and name in message, (function, kwargs, message)
    assert not report["tensorflow imported"]


def test_average_pooling_is_a_strided_convolution_with_fixed_weights(keras):
    x = np.random.default_rng(0).normal(size=(2, 8, 6, 3)).astype(np.float32)
    conv = average_pool_as_conv((8, 6, 3), 2)
    pooled = keras.layers.AveragePooling2D(2, name="avg")(x)
    np.testing.assert_allclose(np.asarray(conv(x)), np.asarray(pooled), rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(np.asarray(conv(x)), poolviz.average_pool2d(x, 2), rtol=1e-6, atol=1e-6)
    assert conv.count_params() == 2 * 2 * 3 * 3


def test_the_largest_stride_and_a_pool_filling_the_input_still_build_and_run(keras):
    ones = np.ones((1, 4, 4, 1), np.float32)
    assert np.array_equal(max_blur_pool_model((4, 4, 1), 2, 2**31 - 1, 3)(ones), [[[[1.0]]]])
    assert np.array_equal(average_pool_as_conv((3, 3, 1), 3)(ones[:, :3, :3]), [[[[1.0]]]])


def test_downsampling_layers_find_nested_layers_and_skip_stride_1(keras):
    inner = keras.Sequential([keras.layers.Conv2D(2, 2, strides=2, name="inner_conv")], name="inner")
    inputs = keras.Input((16, 16, 1))
    y = keras.layers.Conv2D(2, 3, padding="same", name="stride_1")(inputs)
    y = keras.layers.Conv2D(2, 2, strides=2, use_bias=False, name="outer_conv")(y)
    y = inner(y)
    y = keras.layers.MaxPooling2D(name="pool")(y)
    y = keras.layers.GlobalAveragePooling2D(name="gap")(y)
    rows = downsampling_layers(keras.Model(inputs, y))
    assert rows == [("outer_conv", "Conv2D", (2, 2), (2, 2), False),
                    ("inner_conv", "Conv2D", (2, 2), (2, 2), True),  # its bias read inside the nested model
                    ("pool", "MaxPooling2D", (2, 2), (2, 2), None),
                    ("gap", "GlobalAveragePooling2D", None, None, None)]
    with pytest.raises(TypeError, match="model"):
        downsampling_layers("ResNet50")
