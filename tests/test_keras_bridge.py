"""The tutorial's numbers by NumPy (poolviz) and by Keras, and the bridge's
behaviour on bad input and without TensorFlow."""

import subprocess
import sys
import textwrap

import numpy as np
import pytest

import poolviz
from poolviz import keras_bridge
from poolviz.data import VERTICAL_LINE_DETECTOR, vertical_line

# The tutorial's facts (the seed article, reproduced with Keras 3.15).
LINE_FEATURE_MAP_ROW = [0.0, 0.0, 3.0, 3.0, 0.0, 0.0]
POOLED_ROW = [0.0, 3.0, 0.0]


@pytest.fixture()
def keras_must_not_run(monkeypatch):
    """Make any attempt to reach Keras fail the test instead of running it."""

    def refuse(*args, **kwargs):
        raise AssertionError("Keras was reached although the arguments are invalid")

    monkeypatch.setattr(keras_bridge, "load_keras", refuse)
    monkeypatch.setattr(keras_bridge, "_cached_layer", refuse)


def line_feature_map():
    return poolviz.relu(poolviz.conv2d(vertical_line(), VERTICAL_LINE_DETECTOR, bias=0.0))


def tutorial_image_batch():
    return vertical_line().astype(np.float32).reshape(1, 8, 8, 1)


# --- The tutorial by NumPy -------------------------------------------------

def test_numpy_line_detector_gives_six_by_six_map_with_the_line_at_columns_2_and_3():
    feature_map = line_feature_map()
    assert feature_map.shape == (6, 6)
    np.testing.assert_array_equal(feature_map, [LINE_FEATURE_MAP_ROW] * 6)


@pytest.mark.parametrize("pool", [poolviz.average_pool2d, poolviz.max_pool2d])
def test_numpy_two_by_two_pooling_of_the_line_map(pool):
    np.testing.assert_array_equal(pool(line_feature_map(), pool_size=2), [POOLED_ROW] * 3)


def test_numpy_global_pooling_of_the_line_map():
    assert poolviz.global_max_pool2d(line_feature_map()) == 3.0
    # Two columns of 3 in six: 12 * 3 / 36.
    assert poolviz.global_average_pool2d(line_feature_map()) == 1.0


# --- The tutorial by Keras -------------------------------------------------

def test_keras_model_without_pooling_reproduces_the_feature_map(keras):
    model = keras_bridge.tutorial_model()
    assert model.name == "line_detector_model"
    assert [layer.name for layer in model.layers] == ["image", "line_detector"]
    detector = model.get_layer("line_detector")
    assert detector.count_params() == 10  # nine weights and one bias
    kernel, bias = detector.get_weights()
    np.testing.assert_array_equal(kernel[:, :, 0, 0], VERTICAL_LINE_DETECTOR)
    np.testing.assert_array_equal(bias, [0.0])

    output = np.asarray(model(tutorial_image_batch()))
    assert output.shape == (1, 6, 6, 1)
    np.testing.assert_array_equal(output[0, :, :, 0], [LINE_FEATURE_MAP_ROW] * 6)


@pytest.mark.parametrize("pooling, layer_class", [("average", "AveragePooling2D"),
                                                  ("max", "MaxPooling2D")])
def test_keras_model_with_two_by_two_pooling(keras, pooling, layer_class):
    model = keras_bridge.tutorial_model(pooling)
    assert model.name == f"line_detector_model_{pooling}"
    layer = model.get_layer("pooling")
    assert type(layer).__name__ == layer_class
    assert tuple(layer.pool_size) == (2, 2) and tuple(layer.strides) == (2, 2)
    output = np.asarray(model(tutorial_image_batch()))
    assert output.shape == (1, 3, 3, 1)
    np.testing.assert_array_equal(output[0, :, :, 0], [POOLED_ROW] * 3)


@pytest.mark.parametrize("pooling, expected", [("global max", 3.0), ("global average", 1.0)])
def test_keras_model_with_global_pooling(keras, pooling, expected):
    model = keras_bridge.tutorial_model(pooling)
    assert model.name == "line_detector_model_" + pooling.replace(" ", "_")
    output = np.asarray(model(tutorial_image_batch()))
    assert output.shape == (1, 1)
    assert output[0, 0] == expected
    # The whole model: 10 parameters, all in the detector.
    assert model.count_params() == 10


def test_rebuilding_the_model_keeps_the_same_names(keras):
    first = keras_bridge.tutorial_model("max")
    second = keras_bridge.tutorial_model("max")
    assert [layer.name for layer in first.layers] == [layer.name for layer in second.layers]
    assert second.name == "line_detector_model_max"


def test_cached_pooling_layers_survive_the_models_clear_session(keras):
    feature_map = line_feature_map()
    before = keras_bridge.keras_pool2d(feature_map, "average", pool_size=2)
    keras_bridge.tutorial_model("average")  # clears the Keras session
    after = keras_bridge.keras_pool2d(feature_map, "average", pool_size=2)
    np.testing.assert_array_equal(before, [POOLED_ROW] * 3)
    np.testing.assert_array_equal(after, before)


def test_tutorial_model_rejects_unknown_pooling(keras_must_not_run):
    with pytest.raises(ValueError, match=r"operation must be one of .*got 'min'"):
        keras_bridge.tutorial_model("min")


# --- keras_pool2d and compare ----------------------------------------------

def test_keras_pool2d_returns_the_shape_poolviz_returns(keras):
    feature_map = line_feature_map()
    pooled = keras_bridge.keras_pool2d(feature_map, "max", pool_size=2)
    assert pooled.shape == (3, 3) and pooled.dtype == np.float32
    np.testing.assert_array_equal(pooled, [POOLED_ROW] * 3)
    assert keras_bridge.keras_pool2d(feature_map, "global max") == 3.0
    assert isinstance(keras_bridge.keras_pool2d(feature_map, "global average"), float)


def test_keras_pool2d_on_a_channels_first_batch(keras):
    batch = np.arange(2 * 3 * 5 * 4, dtype=np.float32).reshape(2, 3, 5, 4)
    pooled = keras_bridge.keras_pool2d(batch, "average", pool_size=(2, 3), strides=(1, 2),
                                       padding="same", data_format="channels_first")
    assert pooled.shape == (2, 3, 5, 2)
    # Map (0, 0) holds 4 * row + col. `same` padding goes after (bottom and
    # right), so the last window covers only row 4, columns 2-3: (18 + 19) / 2.
    assert pooled[0, 0, 4, 1] == 18.5
    globally = keras_bridge.keras_pool2d(batch, "global max", data_format="channels_first",
                                         keepdims=True)
    assert globally.shape == (2, 3, 1, 1)
    np.testing.assert_array_equal(globally[:, :, 0, 0], batch.max(axis=(2, 3)))


def test_keras_pool2d_on_integers(keras):
    numbers = np.arange(16, dtype=np.int32).reshape(4, 4)
    maximum = keras_bridge.keras_pool2d(numbers, "max")
    assert maximum.dtype == np.int32
    np.testing.assert_array_equal(maximum, [[5, 7], [13, 15]])
    # TF has no integer average kernel: the bridge hands Keras float32.
    np.testing.assert_array_equal(keras_bridge.keras_pool2d(numbers, "average"),
                                  [[2.5, 4.5], [10.5, 12.5]])


def test_compare_agrees_on_the_tutorial_map(keras):
    comparison = keras_bridge.compare(line_feature_map(), "max", pool_size=2)
    assert comparison.agree
    assert comparison.max_abs_difference == 0.0
    np.testing.assert_array_equal(comparison.poolviz, comparison.keras)
    assert str(comparison) == textwrap.dedent("""\
        max pooling, pool_size=(2, 2), strides=(2, 2), padding='valid'
        poolviz: shape (3, 3), float64
        [[0. 3. 0.]
         [0. 3. 0.]
         [0. 3. 0.]]
        Keras:   shape (3, 3), float32
        [[0. 3. 0.]
         [0. 3. 0.]
         [0. 3. 0.]]
        largest absolute difference: 0 (tolerance 1e-05): agree""")
    page = comparison._repr_html_()
    assert "<b>poolviz</b>" in page and "<b>Keras</b>" in page
    assert "<b>agree</b>" in page and "#1a7f37" in page
    assert "pool_size=(2, 2), strides=(2, 2), padding=&#x27;valid&#x27;" in page


def test_compare_sees_float32_rounding_with_zero_tolerance(keras):
    # Keras computes in float32; 0.1 is not a float32 number.
    tenths = np.full((2, 2), 0.1)
    loose = keras_bridge.compare(tenths, "average", atol=1e-5)
    strict = keras_bridge.compare(tenths, "average", atol=0)
    assert loose.agree and not strict.agree
    assert strict.max_abs_difference == pytest.approx(abs(0.1 - float(np.float32(0.1))))
    assert "DISAGREE" in str(strict)
    assert "<b>disagree</b>" in strict._repr_html_()


def test_compare_of_global_pooling_describes_the_data_format(keras):
    batch = np.ones((1, 2, 3, 3), dtype=np.float32)
    comparison = keras_bridge.compare(batch, "global average", data_format="channels_first")
    assert comparison.agree and comparison.keras.shape == (1, 2)
    assert str(comparison).splitlines()[0] == (
        "global average pooling, data_format='channels_first'")


def test_big_results_print_their_shape_not_their_numbers(keras):
    comparison = keras_bridge.compare(np.zeros((1, 40, 40, 1), np.float32), "max")
    assert "poolviz: shape (1, 20, 20, 1), float32" in str(comparison).splitlines()
    assert "[[" not in str(comparison)


# --- Bad input never reaches Keras ----------------------------------------

@pytest.mark.parametrize("arguments, message", [
    # MaxPooling2D itself would kill the process with SIGFPE here.
    (dict(x=np.zeros((2, 2)), operation="max", pool_size=3, strides=1, padding="valid"),
     "pool_size"),
    (dict(x=np.zeros((2, 2)), operation="average", pool_size=3, strides=1), "pool_size"),
    (dict(x=np.zeros((4, 4)), operation="max", pool_size=0), r"pool_size must be positive, got 0"),
    (dict(x=np.zeros((4, 4)), operation="max", strides=(0, 1)), r"strides must be positive"),
    (dict(x=np.zeros((4, 4)), operation="max", padding="full"), r"padding .*'full'"),
    (dict(x=np.zeros((4, 4)), operation="max", data_format="NHWC"), r"data_format .*'NHWC'"),
    (dict(x=np.zeros((4, 4, 1)), operation="max"), r"x must be .*3-D"),
    (dict(x=np.zeros((4, 4)), operation="min"), r"operation must be one of .*got 'min'"),
    (dict(x=np.zeros((1, 4, 4, 1)), operation="global max", data_format="nchw"),
     r"data_format .*'nchw'"),
])
@pytest.mark.parametrize("function", [keras_bridge.keras_pool2d, keras_bridge.compare])
def test_invalid_arguments_raise_poolviz_errors_without_keras(keras_must_not_run, function,
                                                              arguments, message):
    with pytest.raises(ValueError, match=message):
        function(**arguments)


def test_window_larger_than_input_does_not_kill_the_process(keras):
    """The real thing, in a child process: Keras alone would exit with SIGFPE."""
    script = textwrap.dedent("""
        import numpy as np
        from poolviz import keras_bridge
        keras_bridge.keras_pool2d(np.ones((1, 1, 1, 1), np.float32), "max", pool_size=1)
        try:
            keras_bridge.keras_pool2d(np.ones((2, 2)), "max", pool_size=3, strides=1)
        except ValueError as error:
            print("ValueError:", error)
    """)
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=120)
    assert finished.returncode == 0, finished.stderr[-2000:]
    assert finished.stdout.startswith("ValueError: ")
    assert "pool_size" in finished.stdout


@pytest.mark.parametrize("arguments, error, message", [
    # strides=2**31 made MaxPooling2D abort the process (SIGABRT, exit 134).
    (dict(x=np.zeros((8, 8)), operation="max", strides=2**31), ValueError,
     r"strides must be at most 2147483647 \(2\*\*31 - 1, TensorFlow's int32 limit\), got 2147483648"),
    (dict(x=np.zeros((8, 8)), operation="max", strides=(1, 2**31)), ValueError, r"strides must be at most"),
    (dict(x=np.zeros((8, 8)), operation="average", pool_size=2**31, padding="same"), ValueError,
     r"pool_size must be at most 2147483647"),
    (dict(x=np.zeros((8, 8)), operation="max", strides=2**63), ValueError, r"strides must be at most"),
    # TensorFlow's MaxPool has no uint32/uint64 kernel (InvalidArgumentError).
    (dict(x=np.zeros((8, 8), np.uint64), operation="max"), TypeError,
     r"x has dtype uint64, for which TensorFlow's max pooling has no kernel; convert it first"),
    (dict(x=np.zeros((1, 8, 8, 2), np.uint32), operation="max"), TypeError, r"x has dtype uint32"),
    # TensorFlow's time grows with a same-padded pool (2**30: minutes, gigabytes).
    (dict(x=np.zeros((8, 8)), operation="max", pool_size=10**5 + 1, padding="same"), ValueError,
     r"pool_size \(100001, 100001\) is larger than 100000, the largest the Keras bridge hands"),
    (dict(x=np.ma.masked_array(np.zeros((2, 2)), [[1, 0], [0, 0]]), operation="max"), ValueError,
     r"x is a masked array with 1 masked cell"),
    (dict(x=np.zeros((4, 4)), operation="max", atol=-1), ValueError, r"atol must be a number >= 0, got -1"),
])
def test_what_tensorflow_cannot_pool_is_refused_before_keras(keras_must_not_run, arguments, error,
                                                             message):
    function = keras_bridge.compare if "atol" in arguments else keras_bridge.keras_pool2d
    with pytest.raises(error, match=message):
        function(**arguments)
    if "atol" not in arguments:
        with pytest.raises(error, match=message):
            keras_bridge.compare(**arguments)


def test_a_stride_of_2_to_the_31_does_not_kill_the_process(keras):
    """The real thing, in a child process: Keras alone exits with SIGABRT."""
    script = textwrap.dedent("""
        import numpy as np
        from poolviz import keras_bridge
        from poolviz.explorer import PoolingExplorerModel
        for call in (lambda: keras_bridge.compare(np.zeros((8, 8)), "max", strides=2**31),
                     lambda: keras_bridge.keras_pool2d(np.zeros((8, 8)), "max", strides=(1, 2**31))):
            try:
                call()
            except ValueError as error:
                print("ValueError:", error)
        model = PoolingExplorerModel()
        try:
            model.configure(strides_same_as_pool=False, stride_rows=2**31)
        except Exception as error:
            print(type(error).__name__ + ":", error)
        print(model.check_with_keras())
    """)
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=180)
    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.splitlines()
    assert lines[0].startswith("ValueError: strides must be at most 2147483647")
    assert lines[1].startswith("ValueError: strides must be at most 2147483647")
    assert lines[2].startswith("TraitError: stride_rows must be at most 2147483647")
    assert lines[3].startswith("Keras agrees with poolviz")


def test_float16_and_big_endian_input_agree_with_keras(keras):
    """Keras pools float16 in float32 (measured: 40000.0, float32)."""
    for operation in ("average", "global average", "max"):
        comparison = keras_bridge.compare(np.full((4, 4), 40000, np.float16), operation)
        assert comparison.agree and comparison.max_abs_difference == 0.0, operation
        assert np.asarray(comparison.poolviz).dtype in (np.float32, np.float64)
    assert np.asarray(keras_bridge.keras_pool2d(np.full((4, 4), 40000, np.float16),
                                                "average")).dtype == np.float32
    big_endian = np.arange(16.0).reshape(4, 4).astype(">f8")
    for operation in ("max", "average", "global max", "global average"):
        assert keras_bridge.compare(big_endian, operation).agree, operation


def test_signed_zeros_in_keras_as_poolviz_documents(keras):
    """Max: the first zero of the window wins; average of -0.0 gives 0.0."""
    first_plus = np.array([[0.0, -0.0], [-0.0, -0.0]], np.float32)
    first_minus = np.array([[-0.0, 0.0], [-0.0, -0.0]], np.float32)
    assert not np.signbit(keras_bridge.keras_pool2d(first_plus, "max")).any()
    assert np.signbit(keras_bridge.keras_pool2d(first_minus, "max")).all()
    assert not np.signbit(keras_bridge.keras_pool2d(np.full((2, 2), -0.0, np.float32),
                                                    "average")).any()


def test_compare_explains_windows_of_only_nan_or_minus_inf(keras):
    """TensorFlow gives -3.4028235e+38 where poolviz gives NaN or -inf: a
    difference by design, not a disagreement by 1.8e308."""
    x = np.ones((4, 4))
    x[:2, :2] = -np.inf
    x[2:, 2:] = np.nan
    comparison = keras_bridge.compare(x, "max")
    assert np.asarray(comparison.keras)[0, 0] == np.float32(-3.4028235e38)
    assert comparison.agree and comparison.max_abs_difference == 0.0
    assert comparison.explained == (
        "1 window(s) whose values are all NaN: poolviz gives NaN; 1 window(s) whose values are "
        "all -inf: poolviz gives -inf; TensorFlow gives its lowest float32 -3.4028235e+38 there "
        "(a difference by design, documented in poolviz.pooling)")
    assert "not counted: 1 window(s) whose values are all NaN" in str(comparison)
    assert "not counted:" in comparison._repr_html_()
    # A real difference is still counted.
    assert keras_bridge.compare(np.arange(16.0).reshape(4, 4), "max").explained == ""


# --- Without TensorFlow ----------------------------------------------------

@pytest.fixture()
def without_tensorflow(monkeypatch):
    # A None entry in sys.modules makes `import name` raise ImportError.
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setitem(sys.modules, "keras", None)


@pytest.mark.parametrize("call", [
    lambda: keras_bridge.tutorial_model(),
    lambda: keras_bridge.keras_pool2d(np.ones((2, 2)), "max"),
    lambda: keras_bridge.compare(np.ones((2, 2)), "global average"),
])
def test_missing_tensorflow_raises_import_error_with_install_hint(without_tensorflow, call):
    with pytest.raises(ImportError, match=r"pip install tensorflow"):
        call()


def test_importing_poolviz_and_the_bridge_does_not_import_tensorflow():
    script = ("import sys, poolviz, poolviz.keras_bridge; "
              "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') "
              "if m in sys.modules))")
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"


def test_inputs_past_tensorflows_int32_cell_count_are_refused(keras_must_not_run, monkeypatch):
    """The limit is 2**31 - 1 cells; shown on a small limit (2**31 cells take 2 GB)."""
    assert keras_bridge.MAX_KERAS_CELLS == 2**31 - 1
    monkeypatch.setattr(keras_bridge, "MAX_KERAS_CELLS", 15)
    with pytest.raises(ValueError, match=r"x has 16 cells; the Keras bridge hands at most 15"):
        keras_bridge.keras_pool2d(np.zeros((4, 4)), "max")
