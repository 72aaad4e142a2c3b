"""The Keras bridge: the tutorial's model, Keras beside poolviz, and every
argument TensorFlow cannot take refused before TensorFlow sees it."""

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


def tutorial_image_batch():
    return vertical_line().astype(np.float32).reshape(1, 8, 8, 1)


# --- The tutorial's model --------------------------------------------------

@pytest.mark.parametrize("pooling, layer_class, expected", [
    (None, None, [[LINE_FEATURE_MAP_ROW] * 6]),
    ("average", "AveragePooling2D", [[POOLED_ROW] * 3]),
    ("max", "MaxPooling2D", [[POOLED_ROW] * 3]),
    ("global max", "GlobalMaxPooling2D", [[3.0]]),
    ("global average", "GlobalAveragePooling2D", [[1.0]]),  # 12 threes in 36 cells
])
def test_the_tutorial_model_gives_the_tutorials_numbers(keras, pooling, layer_class, expected):
    model = keras_bridge.tutorial_model(pooling)
    suffix = "" if pooling is None else "_" + pooling.replace(" ", "_")
    assert model.name == "line_detector_model" + suffix
    assert model.count_params() == 10  # nine weights and one bias, all in the detector
    kernel, bias = model.get_layer("line_detector").get_weights()
    np.testing.assert_array_equal(kernel[:, :, 0, 0], VERTICAL_LINE_DETECTOR)
    np.testing.assert_array_equal(bias, [0.0])
    if pooling is not None:
        assert type(model.get_layer("pooling")).__name__ == layer_class
    output = np.asarray(model(tutorial_image_batch()))
    np.testing.assert_array_equal(np.squeeze(output, axis=-1) if output.ndim == 4 else output,
                                  expected)


def test_rebuilding_the_model_keeps_its_names_and_the_bridges_layers_survive(keras, feature_map):
    before = keras_bridge.keras_pool2d(feature_map, "average")
    first = keras_bridge.tutorial_model("max")
    second = keras_bridge.tutorial_model("max")  # clears the Keras session
    assert [layer.name for layer in first.layers] == [layer.name for layer in second.layers]
    assert second.name == "line_detector_model_max"
    np.testing.assert_array_equal(keras_bridge.keras_pool2d(feature_map, "average"), before)


def test_tutorial_model_rejects_an_unknown_pooling(keras_must_not_run):
    for pooling in ("min", 10**5000, ["max"]):
        with pytest.raises(ValueError, match="pooling"):
            keras_bridge.tutorial_model(pooling)


# --- keras_pool2d and compare ----------------------------------------------

def test_keras_pool2d_returns_the_shape_poolviz_returns(keras, feature_map):
    pooled = keras_bridge.keras_pool2d(feature_map, "max", pool_size=2)
    assert pooled.dtype == np.float32
    np.testing.assert_array_equal(pooled, [POOLED_ROW] * 3)
    assert keras_bridge.keras_pool2d(feature_map, "global max") == 3.0
    assert isinstance(keras_bridge.keras_pool2d(feature_map, "global average"), float)
    assert keras_bridge.keras_pool2d(feature_map, "global max", keepdims=True).shape == (1, 1)


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
    assert keras_bridge.keras_pool2d(numbers, "global average") == 7.5


def test_compare_reports_the_tutorial_map(keras, feature_map):
    comparison = keras_bridge.compare(feature_map, "max", pool_size=2)
    assert comparison.agree and comparison.max_abs_difference == 0.0
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
    assert "<b>agree</b>" in comparison._repr_html_()


def test_compare_sees_float32_rounding_with_zero_tolerance(keras):
    tenths = np.full((2, 2), 0.1)  # 0.1 is not a float32 number
    loose = keras_bridge.compare(tenths, "average", atol=1e-5)
    strict = keras_bridge.compare(tenths, "average", atol=0)
    assert loose.agree and not strict.agree
    assert strict.max_abs_difference == pytest.approx(abs(0.1 - float(np.float32(0.1))))
    assert "DISAGREE" in str(strict) and "<b>disagree</b>" in strict._repr_html_()


def test_compare_describes_global_pooling_and_big_results_by_their_shape(keras):
    comparison = keras_bridge.compare(np.ones((1, 2, 3, 3), np.float32), "global average",
                                      data_format="channels_first")
    assert comparison.agree and comparison.keras.shape == (1, 2)
    assert str(comparison).splitlines()[0] == (
        "global average pooling, data_format='channels_first'")
    big = str(keras_bridge.compare(np.zeros((1, 40, 40, 1), np.float32), "max"))
    assert "poolviz: shape (1, 20, 20, 1), float32" in big.splitlines() and "[[" not in big


def test_float16_bool_and_big_endian_input_agree_with_keras(keras):
    """Keras pools float16 in float32 (measured: 40000.0, float32)."""
    for operation in ("average", "global average", "max", "global max"):
        comparison = keras_bridge.compare(np.full((4, 4), 40000, np.float16), operation)
        assert comparison.agree and comparison.max_abs_difference == 0.0, operation
        assert keras_bridge.compare(np.arange(16.0).reshape(4, 4).astype(">f8"),
                                    operation).agree, operation
        assert keras_bridge.compare(np.eye(4, dtype=bool), operation).agree, operation
    assert keras_bridge.keras_pool2d(np.full((4, 4), 40000, np.float16),
                                     "average").dtype == np.float32


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
    assert comparison.keras[0, 0] == np.float32(-3.4028235e38)
    assert comparison.agree and comparison.max_abs_difference == 0.0
    assert "NaN" in comparison.explained and "-inf" in comparison.explained
    assert "not counted:" in str(comparison)
    assert keras_bridge.compare(np.arange(16.0).reshape(4, 4), "max").explained == ""
    # Average pooling and global max give NaN and -inf on both sides: equal.
    assert keras_bridge.compare(x, "average").max_abs_difference == 0.0
    assert keras_bridge.compare(x, "global max").agree


# --- Bad input never reaches Keras ----------------------------------------

M = np.zeros((8, 8))
REFUSED = [
    # MaxPooling2D itself would kill the process with SIGFPE here.
    (dict(x=np.zeros((2, 2)), operation="max", pool_size=3, strides=1), ValueError, "pool_size"),
    (dict(x=np.zeros((1, 8, 2, 2)), operation="max", pool_size=3, strides=1,
          data_format="channels_first"), ValueError, "pool_size"),
    (dict(x=np.zeros((2, 2)), operation="average", pool_size=3, strides=1), ValueError,
     "pool_size"),
    # strides=2**31 made MaxPooling2D abort the process (SIGABRT, exit 134).
    (dict(x=M, operation="max", strides=2**31), ValueError, "strides"),
    (dict(x=M, operation="max", strides=(1, 2**31)), ValueError, "strides"),
    (dict(x=M, operation="max", strides=2**63), ValueError, "strides"),
    (dict(x=M, operation="average", pool_size=2**31, padding="same"), ValueError, "pool_size"),
    (dict(x=M, operation="max", pool_size=10**5000), ValueError, "pool_size"),
    (dict(x=M, operation="max", pool_size=0), ValueError, "pool_size"),
    (dict(x=M, operation="max", pool_size=2.0), TypeError, "pool_size"),
    (dict(x=M, operation="max", strides=(0, 1)), ValueError, "strides"),
    (dict(x=M, operation="max", strides=iter(int, 1)), TypeError, "strides"),
    # TensorFlow's time grows with a same-padded pool (2**30: minutes, gigabytes).
    (dict(x=M, operation="max", pool_size=10**5 + 1, padding="same"), ValueError, "pool_size"),
    # TensorFlow reads every cell of every window: 2**30 reads take many seconds.
    (dict(x=np.zeros((1000, 1000)), operation="max", pool_size=100, strides=1), ValueError,
     "pool_size"),
    (dict(x=M, operation="max", padding="full"), ValueError, "padding"),
    (dict(x=M, operation="max", padding=10**5000), ValueError, "padding"),
    (dict(x=M, operation="max", data_format="NHWC"), ValueError, "data_format"),
    (dict(x=np.zeros((1, 4, 4, 1)), operation="global max", data_format="nchw"), ValueError,
     "data_format"),
    (dict(x=M, operation="min"), ValueError, "operation"),
    (dict(x=M, operation=10**5000), ValueError, "operation"),
    (dict(x=M, operation="global max", keepdims="yes"), TypeError, "keepdims"),
    (dict(x=M, operation="max", keepdims="yes"), TypeError, "keepdims"),
    # TensorFlow's MaxPool has no uint32/uint64 kernel, nor anything float128.
    (dict(x=M.astype(np.uint64), operation="max"), TypeError, "x has dtype uint64"),
    (dict(x=np.zeros((1, 8, 8, 2), np.uint32), operation="max"), TypeError, "x has dtype uint32"),
    (dict(x=M.astype(np.longdouble), operation="average"), TypeError, "x has dtype"),
    (dict(x=np.ma.masked_array(np.zeros((2, 2)), [[1, 0], [0, 0]]), operation="max"),
     ValueError, "x is a masked array"),
    (dict(x=M + 1j, operation="max"), TypeError, "x"),
    (dict(x=10**5000, operation="max"), TypeError, "x"),
    (dict(x=iter(int, 1), operation="max"), TypeError, "x"),
    (dict(x=np.zeros((4, 4, 1)), operation="max"), ValueError, "x must be"),
    (dict(x=np.zeros((1, 0, 4, 1)), operation="max"), ValueError, "x must not be empty"),
    # TensorFlow would copy 3.6 GB into a tensor.
    (dict(x=np.broadcast_to(np.float32(0), (1, 30000, 30000, 1)), operation="global max"),
     ValueError, "x has 900000000 cells"),
]


@pytest.mark.parametrize("arguments, error, argument", REFUSED,
                         ids=[f"{i}-{argument}" for i, (_, _, argument) in enumerate(REFUSED)])
@pytest.mark.parametrize("function", [keras_bridge.keras_pool2d, keras_bridge.compare])
def test_what_tensorflow_cannot_take_is_refused_before_it(keras_must_not_run, function,
                                                          arguments, error, argument):
    with pytest.raises(error, match=argument):
        function(**arguments)


@pytest.mark.parametrize("atol", [-1, float("nan"), "1", 10**5000, np.array([1.0]), True],
                         ids=["-1", "nan", "str", "10**5000", "array", "True"])
def test_compare_refuses_a_tolerance_that_is_not_a_float_at_least_0(keras_must_not_run, atol):
    with pytest.raises(ValueError, match="atol"):
        keras_bridge.compare(np.zeros((4, 4)), "max", atol=atol)


def test_the_guards_keep_the_process_alive_and_tensorflow_quiet(keras):
    """The real thing, in a child process: Keras alone exits with SIGFPE
    (a pool that does not fit) or SIGABRT (a stride of 2**31), and
    TensorFlow's start-up lines must not reach a notebook's stderr."""
    script = textwrap.dedent("""
        import os, sys
        os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
        import numpy as np
        from poolviz import keras_bridge
        keras_bridge.keras_pool2d(np.ones((1, 1, 1, 1), np.float32), "max", pool_size=1)
        for call in (lambda: keras_bridge.keras_pool2d(np.ones((2, 2)), "max", pool_size=3,
                                                       strides=1),
                     lambda: keras_bridge.compare(np.zeros((8, 8)), "max", strides=2**31),
                     lambda: keras_bridge.keras_pool2d(np.zeros((8, 8)), "max",
                                                       strides=(1, 2**31))):
            try:
                call()
            except ValueError as error:
                print("ValueError:", error)
        print("after", file=sys.stderr)
    """)
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=180)
    assert finished.returncode == 0, finished.stderr[-2000:]
    lines = finished.stdout.splitlines()
    assert len(lines) == 3 and all(line.startswith("ValueError: ") for line in lines)
    assert "pool_size" in lines[0] and "strides" in lines[1] and "strides" in lines[2]
    assert finished.stderr == "after\n"


def test_inputs_past_the_cell_limit_are_refused(keras_must_not_run, monkeypatch):
    """Shown on a small limit (the real one, 2**26 cells, takes 512 MB of float64)."""
    monkeypatch.setattr(keras_bridge, "MAX_KERAS_CELLS", 15)
    with pytest.raises(ValueError, match="x has 16 cells"):
        keras_bridge.keras_pool2d(np.zeros((4, 4)), "max")


# --- Without TensorFlow ----------------------------------------------------

@pytest.mark.parametrize("call", [
    lambda: keras_bridge.tutorial_model(),
    lambda: keras_bridge.keras_pool2d(np.ones((2, 2)), "max"),
    lambda: keras_bridge.compare(np.ones((2, 2)), "global average"),
])
def test_missing_tensorflow_raises_import_error_with_install_hint(monkeypatch, call):
    monkeypatch.setattr(keras_bridge, "_loaded", False)
    # A None entry in sys.modules makes `import name` raise ImportError.
    monkeypatch.setitem(sys.modules, "tensorflow", None)
    monkeypatch.setitem(sys.modules, "keras", None)
    with pytest.raises(ImportError, match=r"pip install tensorflow"):
        call()


def test_importing_poolviz_the_bridge_and_the_exercises_imports_no_tensorflow():
    script = ("import sys, poolviz, poolviz.keras_bridge, poolviz.exercises.nb01, "
              "poolviz.exercises.nb02, poolviz.exercises.nb03, poolviz.exercises.nb04, "
              "poolviz.exercises.nb05, poolviz.exercises.going_further; "
              "print(sorted(m for m in ('tensorflow', 'keras', 'ipywidgets') "
              "if m in sys.modules))")
    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                              timeout=60)
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.strip() == "[]"


def test_poolviz_alone_gives_the_tutorials_numbers(feature_map):
    np.testing.assert_array_equal(feature_map, [LINE_FEATURE_MAP_ROW] * 6)
    for pool in (poolviz.average_pool2d, poolviz.max_pool2d):
        np.testing.assert_array_equal(pool(feature_map, pool_size=2), [POOLED_ROW] * 3)


def test_print_summary_prints_the_table_once_as_text(keras, capsys):
    keras_bridge.print_summary(keras_bridge.tutorial_model("max"))
    printed = capsys.readouterr().out
    assert printed.count("Total params: 10 (40.00 B)") == 1, printed
    assert "pooling (MaxPooling2D)" in printed and "(None, 3, 3, 1)" in printed, printed
    assert max(map(len, printed.splitlines())) <= 80, printed
    with pytest.raises(TypeError, match=r"model must be a Keras model .*got 3"):
        keras_bridge.print_summary(3)
