"""PyTorch-semantics pooling: documented numbers, the loop oracle, ONNX Runtime.

ONNX Runtime runs ONNX's ``MaxPool``/``AveragePool`` operators, which take the
settings of ``max_pool2d``/``avg_pool2d``; it is light (no GPU libraries) and is in
the ``onnx`` extra. Without it these comparisons are skipped on a laptop,
with a message; with ``CI=true`` they fail, so CI cannot go green by testing
nothing (the pattern of the browser tests).
"""

import os

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from hypothesis_profiles import draw_values, profile  # tests/hypothesis_profiles.py
from oracle import torch_pool2d_loop  # tests/oracle.py
from poolviz.going_further.pytorch import torch_avg_pool2d, torch_max_pool2d, torch_output_size

# Each new set of arguments builds an ONNX Runtime session (tens of ms here):
# 150 examples per test in CI keep this module near 20 s.
PROFILE = profile(ci_examples=150, dev_examples=30)
ON_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


@pytest.fixture(scope="module")
def ort():
    try:
        import onnx  # noqa: F401
        import onnxruntime
    except ImportError as error:
        message = (f"ONNX Runtime is not installed ({error}); install the 'onnx' extra "
                   f"(pip install -e '.[onnx]') to compare with PyTorch's exported operators")
        if ON_CI:
            pytest.fail(message)
        pytest.skip(message)
    return onnxruntime


_SESSIONS = {}


def _run_onnx(ort, operator, x, kernel, stride, pads, ceil_mode, dilation=(1, 1),
              count_include_pad=True):
    """Run one ONNX pooling node (opset 19) on a float32 (N, C, H, W) batch."""
    from onnx import TensorProto, helper

    key = (operator, kernel, stride, pads, ceil_mode, dilation, count_include_pad)
    if key not in _SESSIONS:
        attributes = dict(kernel_shape=list(kernel), strides=list(stride),
                          pads=[pads[0], pads[1], pads[0], pads[1]], ceil_mode=int(ceil_mode))
        if operator == "MaxPool":
            attributes["dilations"] = list(dilation)
        else:
            attributes["count_include_pad"] = int(count_include_pad)
        node = helper.make_node(operator, ["x"], ["y"], **attributes)
        graph = helper.make_graph(
            [node], "pool", [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
            [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
        model.ir_version = 9
        _SESSIONS[key] = ort.InferenceSession(model.SerializeToString(),
                                              providers=["CPUExecutionProvider"])
    return _SESSIONS[key].run(None, {"x": x})[0]


# --------------------------------------------------------------------------
# The documented numbers
# --------------------------------------------------------------------------
X = np.arange(25.0).reshape(5, 5)


def test_output_size_formula_and_the_ceil_mode_rule():
    assert torch_output_size(5, 3, 2, padding=1) == 3
    assert torch_output_size(6, 3, 2) == 2
    assert torch_output_size(6, 3, 2, ceil_mode=True) == 3
    # (5 + 2 - 2) / 2 = 2.5 -> ceil 3 -> 4 windows; the 4th would start at
    # 3 * 2 = 6 >= 5 + 1, inside the right padding: dropped.
    assert torch_output_size(5, 2, 2, padding=1, ceil_mode=True) == 3
    assert torch_output_size(7, 3, 1, dilation=2) == 3


def test_max_pool_with_symmetric_padding_by_hand():
    assert np.array_equal(torch_max_pool2d(X, 3, 2, padding=1),
                          [[6, 8, 9], [16, 18, 19], [21, 23, 24]])


def test_average_counts_padding_by_default_and_not_with_count_include_pad_false():
    # Top-left window: rows -1..1, cols -1..1; real cells 0, 1, 5, 6 (sum 12).
    assert torch_avg_pool2d(X, 3, 2, padding=1)[0, 0] == pytest.approx(12 / 9)
    assert torch_avg_pool2d(X, 3, 2, padding=1, count_include_pad=False)[0, 0] == 12 / 4
    assert torch_avg_pool2d(X, 3, 2, padding=1, divisor_override=2)[0, 0] == 6


def test_ceil_mode_window_beyond_the_padding_is_not_counted():
    x = np.ones((1, 6))
    # kernel 3, stride 2, no padding, ceil: the last window covers columns 4-6,
    # column 6 does not exist and is not padding: divided by 2 cells, not 3.
    out = torch_avg_pool2d(x, (1, 3), (1, 2), ceil_mode=True)
    assert np.array_equal(out, [[1.0, 1.0, 1.0]])


def test_keras_same_and_pytorch_defaults_differ_on_the_same_map():
    import poolviz

    keras_same = poolviz.average_pool2d(X, 3, 2, padding="same")
    assert keras_same.shape == (3, 3) and keras_same[0, 0] == 3.0
    assert not np.allclose(keras_same, torch_avg_pool2d(X, 3, 2, padding=1))
    assert np.allclose(keras_same, torch_avg_pool2d(X, 3, 2, padding=1, count_include_pad=False))
    # On an even map Keras pads only at the bottom/right: the windows move.
    even = np.arange(36.0).reshape(6, 6)
    assert poolviz.max_pool2d(even, 3, 2, padding="same")[0, 0] == 14.0     # rows/cols 0-2
    assert torch_max_pool2d(even, 3, 2, padding=1)[0, 0] == 7.0             # rows/cols -1..1


def test_max_pool_propagates_nan_and_keeps_integer_dtype():
    x = np.array([[np.nan, 1.0], [2.0, 3.0]])
    assert np.isnan(torch_max_pool2d(x, 2)[0, 0])
    assert torch_max_pool2d(np.arange(16).reshape(4, 4), 2).dtype == np.arange(1).dtype
    assert torch_avg_pool2d(np.arange(16).reshape(4, 4), 2).dtype == np.float64


def test_layouts_2d_3d_4d_agree():
    x = np.random.default_rng(0).normal(size=(2, 3, 7, 6))
    out = torch_max_pool2d(x, 3, 2, 1, ceil_mode=True)
    assert out.shape == (2, 3, 4, 4)
    assert np.array_equal(out[1], torch_max_pool2d(x[1], 3, 2, 1, ceil_mode=True))
    assert np.array_equal(out[1, 2], torch_max_pool2d(x[1, 2], 3, 2, 1, ceil_mode=True))


@pytest.mark.parametrize("call, error, name", [
    (lambda: torch_max_pool2d(X, 3, padding=2), ValueError, "padding"),       # > half the kernel
    # PyTorch's pool2d_shape_check refuses this although the effective kernel is 5
    (lambda: torch_max_pool2d(X, 3, padding=2, dilation=2), ValueError, "kernel_size // 2"),
    (lambda: torch_max_pool2d(X, 3, padding=3, dilation=2), ValueError, "padding"),
    (lambda: torch_max_pool2d(X, 0), ValueError, "kernel_size"),
    (lambda: torch_max_pool2d(X, 2, stride=(1, 0)), ValueError, "stride"),
    (lambda: torch_max_pool2d(X, 2, padding=-1), ValueError, "padding"),
    (lambda: torch_max_pool2d(X, 2, dilation=0), ValueError, "dilation"),
    (lambda: torch_max_pool2d(X, 6), ValueError, "kernel_size"),             # does not fit
    (lambda: torch_max_pool2d(X, 2.0), TypeError, "kernel_size"),
    (lambda: torch_max_pool2d(X, 3, padding=True), TypeError, "padding"),
    (lambda: torch_max_pool2d(X, 3, padding=(1, 2, 3)), TypeError, "padding"),
    (lambda: torch_max_pool2d(X, 2, stride=2**31), ValueError, "stride"),
    (lambda: torch_max_pool2d(X, 2, ceil_mode="yes"), TypeError, "ceil_mode"),
    (lambda: torch_max_pool2d(np.zeros(5), 2), ValueError, "x"),
    (lambda: torch_max_pool2d(np.zeros((0, 3)), 2), ValueError, "x"),
    (lambda: torch_avg_pool2d(X, 2, divisor_override=0), ValueError, "divisor_override"),
    (lambda: torch_avg_pool2d(X, 2, divisor_override=2.5), TypeError, "divisor_override"),
    (lambda: torch_avg_pool2d(X, 2, count_include_pad=None), TypeError, "count_include_pad"),
])
def test_bad_arguments_are_named(call, error, name):
    with pytest.raises(error, match=name):
        call()


def test_dilation_keeps_the_padding_limit_and_a_window_of_padding_only_gives_minus_inf():
    # Effective kernel (3 - 1) * 2 + 1 = 5, yet pool2d_shape_check allows padding 1 (3 // 2) only.
    out = torch_max_pool2d(X, 3, stride=2, padding=1, dilation=2)
    assert out.shape == (2, 2) and out[0, 0] == X[1:4:2, 1:4:2].max()
    with pytest.raises(ValueError, match=r"padding=2 with kernel_size=3"):
        torch_max_pool2d(X, 3, stride=2, padding=2, dilation=2)
    # One row, kernel 2, dilation 2, padding 1: the window reads rows -1 and 1, both padding.
    assert torch_max_pool2d(np.ones((1, 3)), 2, stride=1, padding=1, dilation=2)[0, 0] == -np.inf


@pytest.mark.parametrize("operation", [torch_max_pool2d, torch_avg_pool2d])
def test_cost_follows_the_input_not_the_kernel(operation):
    # A million-cell kernel on a million-cell row, and a kernel of 10**9 that
    # overhangs a 2x2 map by less than its stride, return at once.
    assert operation(np.ones((1, 10**6)), (1, 10**6)).shape == (1, 1)
    assert operation(np.arange(4.0).reshape(2, 2), 10**9, 10**9, ceil_mode=True).shape == (1, 1)
    # Padding 10000 is legal for a kernel of 20001: one window, the whole map.
    expected = 7.0 if operation is torch_max_pool2d else 28 / 20001**2
    assert operation(np.full((2, 2), 7.0), 20001, padding=10000)[0, 0] == pytest.approx(expected)


def test_work_beyond_the_stated_limit_is_refused_by_kernel_size():
    with pytest.raises(ValueError, match="kernel_size"):
        torch_max_pool2d(np.zeros((1, 10**6)), (1, 5 * 10**5), stride=1)


def test_a_kernel_overhanging_the_input_by_less_than_the_stride_gives_one_cell_with_ceil_mode():
    """PyTorch's rule rounds towards minus infinity: (2 - 3 + 2 - 1) // 2 + 1 = 1."""
    x = np.arange(4.0).reshape(2, 2)
    assert torch_output_size(2, 3, 2, ceil_mode=True) == 1
    assert torch_output_size(2, 3, 2) == 0
    assert np.array_equal(torch_max_pool2d(x, 3, stride=2, ceil_mode=True), [[3.0]])
    # The window is clipped to the map (no padding): the divisor is 2 x 2.
    assert np.array_equal(torch_avg_pool2d(x, 3, stride=2, ceil_mode=True), [[1.5]])
    with pytest.raises(ValueError, match="kernel_size"):
        torch_max_pool2d(x, 3, stride=2)


def test_float16_average_is_summed_in_float32_and_returned_as_float16():
    out = torch_avg_pool2d(np.full((4, 4), 40000, np.float16), 2)
    assert out.dtype == np.float16 and np.array_equal(out, np.full((2, 2), 40000, np.float16))
    assert torch_avg_pool2d(np.ones((2, 2), np.float32), 2).dtype == np.float32


# --------------------------------------------------------------------------
# Property tests: the loop oracle and ONNX Runtime
# --------------------------------------------------------------------------
@st.composite
def pooling_cases(draw):
    rows, cols = draw(st.integers(1, 9)), draw(st.integers(1, 9))
    kernel = (draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    dilation = (draw(st.integers(1, 2)), draw(st.integers(1, 2)))
    # PyTorch's limit (pool2d_shape_check): kernel_size // 2, whatever the dilation.
    pads = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    ceil_mode = draw(st.booleans())
    x = draw_values(draw, (draw(st.integers(1, 2)), draw(st.integers(1, 2)), rows, cols))
    out = [torch_output_size(n, k, s, p, d, ceil_mode)
           for n, k, s, p, d in zip((rows, cols), kernel, stride, pads, dilation)]
    assume(min(out) >= 1)
    return x.astype(np.float32), kernel, stride, pads, dilation, ceil_mode


def _as_pytorch_max(onnx_result):
    """ONNX Runtime starts a max at the lowest float32 where PyTorch starts at
    -inf: only a dilated window that sees padding alone shows the difference."""
    return np.where(onnx_result == np.finfo(np.float32).min, -np.inf, onnx_result)


@PROFILE
@given(case=pooling_cases())
def test_max_pool_equals_the_loop_oracle_and_onnx_runtime(ort, case):
    x, kernel, stride, pads, dilation, ceil_mode = case
    ours = torch_max_pool2d(x, kernel, stride, pads, dilation, ceil_mode)
    loop = torch_pool2d_loop(x[0, 0], kernel, stride, pads, dilation, ceil_mode, "max")
    assert np.array_equal(ours[0, 0], loop)
    theirs = _as_pytorch_max(_run_onnx(ort, "MaxPool", x, kernel, stride, pads, ceil_mode, dilation))
    assert ours.shape == theirs.shape
    assert np.array_equal(ours, theirs)


@PROFILE
@given(case=pooling_cases(), count_include_pad=st.booleans())
def test_average_pool_equals_the_loop_oracle_and_onnx_runtime(ort, case, count_include_pad):
    x, kernel, stride, pads, _, ceil_mode = case
    assume(all(p <= k // 2 for p, k in zip(pads, kernel)))  # average pooling has no dilation
    assume(torch_output_size(x.shape[2], kernel[0], stride[0], pads[0], 1, ceil_mode) >= 1)
    assume(torch_output_size(x.shape[3], kernel[1], stride[1], pads[1], 1, ceil_mode) >= 1)
    ours = torch_avg_pool2d(x, kernel, stride, pads, ceil_mode, count_include_pad)
    loop = torch_pool2d_loop(x[0, 0], kernel, stride, pads, (1, 1), ceil_mode,
                                       "average", count_include_pad)
    np.testing.assert_allclose(ours[0, 0], loop, rtol=1e-6, atol=1e-6)
    theirs = _run_onnx(ort, "AveragePool", x, kernel, stride, pads, ceil_mode,
                       count_include_pad=count_include_pad)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose(ours, theirs, rtol=1e-5, atol=1e-6)


def test_where_onnx_runtime_differs_poolviz_follows_pytorch(ort):
    x = np.array([[[[np.nan, 1.0], [2.0, 3.0]]]], np.float32)
    assert _run_onnx(ort, "MaxPool", x, (2, 2), (2, 2), (0, 0), False)[0, 0, 0, 0] == 3.0
    assert np.isnan(torch_max_pool2d(x, 2)[0, 0, 0, 0])
    padding_only = np.ones((1, 1, 1, 3), np.float32)
    theirs = _run_onnx(ort, "MaxPool", padding_only, (2, 2), (1, 1), (1, 1), False, dilation=(2, 1))
    assert theirs[0, 0, 0, 0] == np.finfo(np.float32).min
    assert torch_max_pool2d(padding_only, 2, 1, 1, dilation=(2, 1))[0, 0, 0, 0] == -np.inf


@PROFILE
@given(case=pooling_cases(), divisor=st.integers(1, 9))
def test_divisor_override_equals_the_loop_oracle(case, divisor):
    # ONNX has no divisor_override: the loop oracle is the reference here.
    x, kernel, stride, pads, _, ceil_mode = case
    assume(all(p <= k // 2 for p, k in zip(pads, kernel)))  # average pooling has no dilation
    assume(torch_output_size(x.shape[2], kernel[0], stride[0], pads[0], 1, ceil_mode) >= 1)
    assume(torch_output_size(x.shape[3], kernel[1], stride[1], pads[1], 1, ceil_mode) >= 1)
    ours = torch_avg_pool2d(x, kernel, stride, pads, ceil_mode, divisor_override=divisor)
    loop = torch_pool2d_loop(x[0, 0], kernel, stride, pads, (1, 1), ceil_mode,
                                       "average", divisor_override=divisor)
    np.testing.assert_allclose(ours[0, 0], loop, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("kwargs, error, name", [
    (dict(padding="valid"), TypeError, "padding"),
    (dict(dilation="00"), TypeError, "dilation"),   # once multiplied out to 953 MiB
    (dict(kernel_size=0), ValueError, "kernel_size"),
    (dict(stride=2.0), TypeError, "stride"),
    (dict(n=10**5000), ValueError, "n"),
    (dict(ceil_mode=1), TypeError, "ceil_mode"),
])
def test_torch_output_size_names_a_bad_argument(kwargs, error, name):
    arguments = dict(n=4, kernel_size=3, stride=2, padding=1, dilation=1, ceil_mode=False) | kwargs
    with pytest.raises(error, match=name):
        torch_output_size(**arguments)
