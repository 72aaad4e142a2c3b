"""The hostile-input sweep of issue 19: thousands of seeded cases against every
public function, class and exercise check of poolviz, each in a child process
with a time and memory limit (the harness of tests/fuzz_worker.py).

Besides the fuzz's checks (tests/oracle.py, Keras's size rules, no truncated
integer, no clamped control, no traceback in a view), the child compares:

* ``max_pool2d``/``average_pool2d`` and the Keras compositions with TensorFlow;
* ``torch_max_pool2d``/``torch_avg_pool2d`` with ONNX Runtime (the operators
  PyTorch exports them to) and PyTorch's documented output-size rule, and
  reports a refusal of a call that rule accepts;
* ``relative_l1_change`` and the count maps (``real_cell_counts``,
  ``divisor_map``, ``window_coverage``) with float64 / brute-force counts.

Every example of issue 19 is an explicit case. Usage::

    PYTHONPATH=. python scripts/hostile_sweep.py --cases 60 --seed 0
    PYTHONPATH=. python scripts/hostile_sweep.py --seed 0 --only torch_max_pool2d --case 17
    PYTHONPATH=. python scripts/hostile_sweep.py --explicit-only

It prints counts by category and by target, then each failing case with the
command that repeats it; it exits 1 when a case failed.
"""

from __future__ import annotations

import argparse
import collections
import concurrent.futures
import math
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(Path(__file__).parent)]
import fuzz_worker as harness  # noqa: E402
from fuzz_worker import MARK, WrongResult  # noqa: E402

BIG = (MARK, "broadcast", (20000, 20000), "uint8")


def zeros(*shape, dtype="float64"):
    return np.zeros(shape, dtype)


def nan_map(rows=6, cols=6):
    x = np.arange(rows * cols, dtype=float).reshape(rows, cols)
    x[1, 2] = np.nan
    return x


INF_MAP = np.array([[np.inf, 1.0, 2.0], [3.0, -np.inf, 4.0], [5.0, 6.0, 7.0]])
PHOTO = (MARK, "call", "poolviz.data.photograph", {})
FIG = (MARK, "figure")
GF = "poolviz.going_further"
KC = f"{GF}.keras_compositions"

# (target, kwargs, trait settings after the call, the call must return)
EXPLICIT = [
    # 1. Keras compositions
    (f"{KC}.max_blur_pool_model", {"input_shape": (8, 8, 1), "strides": 2**31}, [], False),
    (f"{KC}.max_blur_pool_model", {"input_shape": (8, 8, 1), "pool_size": 2**31}, [], False),
    (f"{KC}.max_blur_pool_model", {"input_shape": (2, 2, 1), "pool_size": 3}, [], False),
    (f"{KC}.average_pool_as_conv", {"input_shape": (2, 2, 1), "pool_size": 3}, [], False),
    (f"{KC}.average_pool_as_conv", {"input_shape": (8, 8, 20000)}, [], False),
    (f"{KC}.max_blur_pool_model", {"input_shape": (8, 8, 1), "filter_size": 0}, [], False),
    (f"{KC}.max_blur_pool_model", {"input_shape": (8, 8, 2)}, [], True),
    (f"{KC}.average_pool_as_conv", {"input_shape": (6, 6, 2), "pool_size": 2}, [], True),
    # 2. NaN and infinities in the pictures
    ("poolviz.widgets.pooling_explorer", {"feature_map": nan_map()}, [], True),
    ("poolviz.widgets.translation_explorer", {"image": nan_map(8, 8)}, [], True),
    ("poolviz.widgets.pooling_explorer", {"feature_map": INF_MAP, "operation": "average", "padding": "same"}, [], True),
    ("poolviz.plot.heatmap", {"a": nan_map(), "label_paths": True, "annotate": True}, [], True),
    ("poolviz.plot.pooling_figure", {"feature_map": nan_map(), "fast_labels": True}, [], True),
    ("poolviz.plot.pooling_figure", {"feature_map": INF_MAP, "operation": "average", "padding": "same"}, [], True),
    # 3. work limits
    (f"{GF}.antialias.shift_change", {"image": zeros(300, 300), "pool_size": 300}, [], False),
    ("poolviz.plot.heatmap", {"a": PHOTO, "annotate": True}, [], False),
    ("poolviz.explorer.PoolingExplorerModel", {"feature_map": zeros(300, 300), "padding": "same"},
     [("pool_rows", 10**6), ("pool_cols", 10**6)], False),
    ("poolviz.widgets.pooling_explorer", {"feature_map": zeros(300, 300)},
     [("padding", "same"), ("pool_rows", 10**6), ("pool_cols", 10**6)], False),
    # 4. PyTorch semantics
    (f"{GF}.pytorch.torch_max_pool2d", {"x": np.arange(4.0).reshape(2, 2), "kernel_size": 3, "stride": 2,
                                        "ceil_mode": True}, [], True),
    (f"{GF}.pytorch.torch_output_size", {"n": 2, "kernel_size": 3, "stride": 2, "ceil_mode": True}, [], True),
    (f"{GF}.pytorch.torch_avg_pool2d", {"x": np.full((4, 4), 40000, np.float16), "kernel_size": 2}, [], True),
    (f"{GF}.pytorch.torch_avg_pool2d", {"x": np.arange(4.0).reshape(2, 2), "kernel_size": 3, "stride": 2,
                                        "ceil_mode": True}, [], True),
    # 5. helpers without checks
    (f"{GF}.antialias.relative_l1_change", {"before": np.ones((2, 2)), "after": np.ones((2, 1))}, [], False),
    (f"{GF}.antialias.relative_l1_change", {"before": np.array([200], np.uint8),
                                            "after": np.array([100], np.uint8)}, [], False),
    (f"{GF}.antialias.relative_l1_change", {"before": np.array([-100, 100], np.int8),
                                            "after": np.array([100, -100], np.int8)}, [], False),
    (f"{GF}.antialias.relative_l1_change", {"before": np.ma.masked_array([1.0, 2.0], [False, True]),
                                            "after": np.array([1.0, 5.0])}, [], False),
    (f"{GF}.coverage.window_coverage", {"input_shape": (5.7, 5.2)}, [], False),
    (f"{GF}.coverage.window_coverage", {"input_shape": "55"}, [], False),
    # 6. widgets
    ("poolviz.widgets.pooling_explorer", {"pool_rows": 10}, [], False),
    ("poolviz.widgets.translation_explorer", {"pool_size": 7}, [], False),
    ("poolviz.widgets.pooling_explorer", {}, [("strides_same_as_pool", True), ("stride_rows", 3)], False),
    ("poolviz.widgets.pooling_explorer", {}, [("pool_rows", 100), ("pool_rows", 6)], False),
    ("poolviz.widgets.pooling_explorer", {"input_name": "photograph"}, [("step", 10**6)], False),
    # 7. errors that name nothing
    ("poolviz.max_pool2d", {"x": zeros(4, 4), "pool_size": 10**5000}, [], False),
    ("poolviz.average_pool2d", {"x": zeros(4, 4), "strides": 10**5000}, [], False),
    ("poolviz.pooling_window", {"feature_map": zeros(4, 4), "output_index": (10**5000, 0)}, [], False),
    ("poolviz.data.checkerboard", {"size": 10**5000}, [], False),
    (f"{GF}.pytorch.torch_max_pool2d", {"x": zeros(4, 4), "kernel_size": 2, "padding": 10**5000}, [], False),
    ("poolviz.plot.heatmap", {"a": zeros(4, 4), "max_ticks": "8"}, [], False),
    ("poolviz.plot.figure_to_png", {"fig": FIG, "dpi": "high"}, [], False),
    ("poolviz.plot.coverage_figure", {"coverage": zeros(0, 0)}, [], False),
    # 8. conv2d with a bias of shape (1,), as Keras keeps it
    ("poolviz.conv2d", {"x": zeros(4, 4), "kernel": np.ones((3, 3)), "bias": np.zeros(1)}, [], True),
    ("poolviz.conv2d", {"x": zeros(1, 4, 4, 1), "kernel": np.ones((3, 3, 1, 1)), "bias": np.zeros(1)}, [], True),
    # 9. large maps checked before they are copied
    ("poolviz.average_pool2d", {"x": BIG}, [], False),
    ("poolviz.max_pool2d", {"x": BIG, "pool_size": 1000}, [], False),
    ("poolviz.walk_windows", {"feature_map": BIG}, [], False),
    ("poolviz.pooling_window", {"feature_map": BIG, "output_index": (0, 0)}, [], False),
    ("poolviz.explorer.pooling_state", {"feature_map": BIG}, [], False),
    ("poolviz.explorer.translation_invariance", {"image": BIG}, [], False),
]


# --------------------------------------------------------------------------
# Checks run in the child (fuzz_worker imports this module there)
# --------------------------------------------------------------------------
def keras_windows(n, k, s, padding):
    """(start, stop) of each window's real cells along one axis, by Keras's rules."""
    out = (n - k) // s + 1 if padding == "valid" else -(-n // s)
    before = max((out - 1) * s + k - n, 0) // 2 if padding == "same" else 0
    return [(max(i * s - before, 0), min(i * s - before + k, n)) for i in range(max(out, 0))]


def torch_rule(n, k, s, p, d, ceil_mode):
    """PyTorch's documented output size (torch.nn.MaxPool2d), with its rule
    that the last window starts inside the input or the left padding."""
    out = (n + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)) // s + 1
    return out - 1 if ceil_mode and (out - 1) * s >= n + p else out


INTEGER_PARAMS = {"n", "pool", "stride", "pool_size", "strides", "kernel_size", "dilation", "input_shape", "shape",
                  "size", "square", "downscale", "max_shift", "shift", "output_index", "index", "step", "filter_size",
                  "divisor_override", "max_ticks", "shift_rows", "shift_cols", "cols_moved", "filters", "in_channels",
                  "classes", "input_size", "max_cells", "pool_rows", "pool_cols", "stride_rows", "stride_cols"}


def not_an_integer(value):
    """The part of ``value`` that is no integer (a bool, a str, a float even 2.0, NaN), or None:
    poolviz refuses 2.0 for a size (never truncates), and so does PyTorch."""
    if isinstance(value, (tuple, list)):
        return next((bad for bad in map(not_an_integer, value) if bad is not None), None)
    if isinstance(value, (bool, np.bool_, str, float, np.floating)):
        return value
    return None


def _integers(name, kwargs):
    """An integer argument is taken as it is, never truncated or reinterpreted."""
    for key, value in kwargs.items():
        if key in INTEGER_PARAMS or key == "padding" and "torch" in name:
            if (bad := not_an_integer(value)) is not None:
                raise WrongResult(f"accepted {key}={harness.describe(value)} "
                                  f"({harness.describe(bad)} is not an integer)")


def _sizes(name, kwargs, result):
    """output_size, same_padding, pooled_shape and torch_output_size by the rules."""
    try:
        if name == "torch_output_size":
            k = int(kwargs["kernel_size"])
            s = k if kwargs.get("stride") is None else int(kwargs["stride"])
            expected = torch_rule(int(kwargs["n"]), k, s, int(kwargs.get("padding", 0)), int(kwargs.get("dilation", 1)),
                                  bool(kwargs.get("ceil_mode", False)))
        elif name == "pooled_shape":
            pool = _pair(kwargs["pool_size"])
            strides = pool if kwargs.get("strides") is None else _pair(kwargs["strides"])
            if max(_pair(kwargs["input_shape"])) > 10**6:
                return
            expected = tuple(len(keras_windows(n, k, s, str(kwargs.get("padding", "valid")).lower()))
                             for n, k, s in zip(_pair(kwargs["input_shape"]), pool, strides))
        else:
            n, k, s = (int(kwargs[key]) for key in ("n", "pool", "stride"))
            if n > 10**6:
                return  # the brute-force windows would not fit; the size is checked elsewhere
            padding = str(kwargs.get("padding", "same" if name == "same_padding" else "valid")).lower()
            out = len(keras_windows(n, k, s, padding))
            total = max((out - 1) * s + k - n, 0)
            expected = out if name == "output_size" else (total // 2, total - total // 2)
        if max(np.ravel(expected), default=0) > 10**6:
            return
    except (TypeError, ValueError, KeyError, OverflowError):
        return
    if name == "torch_output_size" and expected < 1 and result == 0:
        return  # no window: PyTorch raises; 0 says the same
    if tuple(np.ravel(result)) != tuple(np.ravel(expected)):
        raise WrongResult(f"{result!r}, the documented rule gives {expected!r}")


def _small_real(x, limit=4096):
    x = np.asarray(np.ma.getdata(x))
    return x if x.dtype.kind in "biuf" and 0 < x.size <= limit and np.isfinite(x.astype(np.float64)).all() else None


def _pair(value):
    """An int or a pair of ints as a pair, as PyTorch's ``_pair`` reads them (a 0-d array or
    three entries are refused there too: ValueError, so no verdict is drawn from the call)."""
    if isinstance(value, np.ndarray) or (np.ndim(value) == 1 and len(value) != 2):
        raise ValueError("not an int or a pair")
    return (int(value), int(value)) if np.ndim(value) == 0 else tuple(int(v) for v in value)


def _keras_pool(name, kwargs, result):
    import tensorflow as tf

    x = _small_real(kwargs["x"])
    if x is None or x.ndim not in (2, 4) or abs(x.astype(np.float64)).max(initial=0) > 2**50:
        return
    first = kwargs.get("data_format", "channels_last") == "channels_first"
    nhwc = x[None, :, :, None] if x.ndim == 2 else (x.transpose(0, 2, 3, 1) if first else x)
    pool = _pair(kwargs.get("pool_size", 2))
    strides = pool if kwargs.get("strides") is None else _pair(kwargs["strides"])
    padding = str(kwargs.get("padding", "valid")).upper()
    if max(pool + strides) > 64 or (padding == "VALID" and (pool[0] > nhwc.shape[1] or pool[1] > nhwc.shape[2])):
        return  # beyond what TensorFlow takes without dying (SIGFPE on a pool larger than a valid input)
    pooling = tf.nn.max_pool2d if name == "max_pool2d" else tf.nn.avg_pool2d
    expected = pooling(nhwc.astype(np.float64), pool, strides, padding).numpy()
    got = np.asarray(result, np.float64)
    got = got[None, :, :, None] if x.ndim == 2 else (got.transpose(0, 2, 3, 1) if first else got)
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-5, atol=1e-6):
        raise WrongResult(f"{got.ravel()[:6]} (shape {got.shape}) where TensorFlow gives "
                          f"{expected.ravel()[:6]} (shape {expected.shape})")


_SESSIONS = {}


def _onnx(operator, x, kernel, stride, pads, ceil_mode, dilation, count_include_pad):
    import onnxruntime
    from onnx import TensorProto, helper

    key = (operator, kernel, stride, pads, ceil_mode, dilation, count_include_pad)
    if key not in _SESSIONS:
        attributes = dict(kernel_shape=list(kernel), strides=list(stride), ceil_mode=int(ceil_mode),
                          pads=[pads[0], pads[1], pads[0], pads[1]])
        if operator == "MaxPool":
            attributes["dilations"] = list(dilation)
        else:
            attributes["count_include_pad"] = int(count_include_pad)
        graph = helper.make_graph([helper.make_node(operator, ["x"], ["y"], **attributes)], "pool",
                                  [helper.make_tensor_value_info("x", TensorProto.FLOAT, None)],
                                  [helper.make_tensor_value_info("y", TensorProto.FLOAT, None)])
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 19)])
        model.ir_version = 9
        _SESSIONS[key] = onnxruntime.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])
    return _SESSIONS[key].run(None, {"x": x})[0]


def _torch_arguments(kwargs):
    """Plain PyTorch arguments, or None when the call is not one PyTorch takes."""
    try:
        kernel = _pair(kwargs["kernel_size"])
        stride = kernel if kwargs.get("stride") is None else _pair(kwargs["stride"])
        pads, dilation = _pair(kwargs.get("padding", 0)), _pair(kwargs.get("dilation", 1))
        ceil_mode = kwargs.get("ceil_mode", False)
        values = [kwargs.get(k) for k in ("kernel_size", "stride", "padding", "dilation")]
        if any(not_an_integer(v) is not None for v in values if v is not None):
            return None
    except (TypeError, ValueError, OverflowError):
        return None
    divisor, count = kwargs.get("divisor_override"), kwargs.get("count_include_pad", True)
    if divisor is not None and (not isinstance(divisor, (int, np.integer)) or isinstance(divisor, (bool, np.bool_))
                                or not 0 < divisor < 2**31) \
            or not isinstance(count, (bool, np.bool_)):
        return None
    if not isinstance(ceil_mode, (bool, np.bool_)) or min(kernel + stride + dilation) < 1 or min(pads) < 0 \
            or max(kernel + stride + pads + dilation) > 64 \
            or any(p > ((k - 1) * d + 1) // 2 for k, p, d in zip(kernel, pads, dilation)):
        return None
    return kernel, stride, pads, dilation, bool(ceil_mode)


def _torch_input(x):
    x = np.asarray(np.ma.getdata(x)) if not isinstance(x, np.ma.MaskedArray) else None
    # PyTorch pools no bool tensor: no reference (poolviz reads bools as 0.0/1.0 float64).
    if x is None or x.ndim not in (2, 3, 4) or 0 in x.shape or x.size > 4096 or x.dtype.kind not in "iuf":
        return None
    return x


def _torch(name, kwargs, result=None, error=None):
    arguments, x = _torch_arguments(kwargs), _torch_input(kwargs.get("x"))
    average = name == "torch_avg_pool2d"
    if arguments is None or x is None or (average and arguments[3] != (1, 1)):
        return
    kernel, stride, pads, dilation, ceil_mode = arguments
    out = tuple(torch_rule(n, k, s, p, d, ceil_mode)
                for n, k, s, p, d in zip(x.shape[-2:], kernel, stride, pads, dilation))
    if error is not None:
        if min(out) >= 1 and x.dtype.kind == "f":
            raise WrongResult(f"refused ({type(error).__name__}: {str(error)[:120]}) a call PyTorch's rule "
                              f"accepts (output {out[0]}x{out[1]})")
        return
    if np.shape(result)[-2:] != out:
        raise WrongResult(f"output shape {np.shape(result)}, PyTorch's rule gives {out}")
    finite = x.astype(np.float64)
    if average and kwargs.get("divisor_override") is not None or not np.isfinite(finite).all() \
            or abs(finite).max() > 1e30:
        return
    nchw = x.astype(np.float32).reshape((-1, 1) + x.shape[-2:])
    theirs = _onnx("AveragePool" if average else "MaxPool", nchw, kernel, stride, pads, ceil_mode, dilation,
                   bool(kwargs.get("count_include_pad", True)))
    # A window of padding only: -inf in PyTorch, the lowest value of an integer dtype (ONNX: the lowest float32)
    lowest = -np.inf if x.dtype.kind == "f" else 0 if x.dtype.kind == "b" else np.iinfo(x.dtype).min
    theirs = np.where(theirs <= np.finfo(np.float32).min, lowest, theirs).reshape(np.shape(result))
    # float16 results are rounded to float16, as PyTorch's are
    rtol, atol = (2e-3, 2e-3 * abs(finite).max()) if x.dtype == np.float16 else (1e-5, 1e-6)
    if not np.allclose(np.asarray(result, np.float64), theirs, rtol=rtol, atol=atol):
        raise WrongResult(f"{np.ravel(result)[:6]} where ONNX Runtime gives {theirs.ravel()[:6]}")


def _counts(name, kwargs, result):
    shape = np.asarray(result).shape
    try:
        rows, cols = _pair(kwargs["input_shape"])[-2:] if name != "divisor_map" else _pair(kwargs["input_shape"])
        pool = _pair(kwargs.get("pool_size", 2))
        strides = pool if kwargs.get("strides") is None else _pair(kwargs["strides"])
        padding = str(kwargs.get("padding", "valid")).lower()
    except (TypeError, ValueError):
        return
    if max(rows, cols) > 512 or padding not in ("valid", "same"):
        return
    windows = [keras_windows(n, k, s, padding) for n, k, s in zip((rows, cols), pool, strides)]
    if name == "window_coverage":
        expected = np.zeros((rows, cols), int)
        for r0, r1 in windows[0]:
            for c0, c1 in windows[1]:
                expected[r0:r1, c0:c1] += 1
    else:
        expected = np.outer([b - a for a, b in windows[0]], [b - a for a, b in windows[1]])
    if shape != expected.shape or not np.array_equal(np.asarray(result), expected):
        raise WrongResult(f"{np.asarray(result).ravel()[:6]} (shape {shape}) where the windows give "
                          f"{expected.ravel()[:6]} (shape {expected.shape})")


def _keras_model(name, kwargs, model):
    import poolviz
    from poolviz.going_further import max_blur_pool2d

    shape = tuple(model.input_shape[1:])
    if None in shape or math.prod(shape) > 4096:
        return
    x = np.random.default_rng(0).normal(size=(1,) + shape).astype(np.float32)
    got = np.asarray(model(x))
    if name == "average_pool_as_conv":
        expected = poolviz.average_pool2d(x, kwargs.get("pool_size", 2), padding="valid")
    else:
        expected = max_blur_pool2d(x, kwargs.get("pool_size", 2), kwargs.get("strides", 2),
                                   kwargs.get("filter_size", 3))
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=1e-4, atol=1e-5):
        raise WrongResult(f"the model gives {got.ravel()[:4]} (shape {got.shape}); pooling gives "
                          f"{np.ravel(expected)[:4]} (shape {np.shape(expected)})")


def _relative_l1(kwargs, result):
    before, after = (np.asarray(np.ma.getdata(kwargs[k])) for k in ("before", "after"))
    if np.shape(before) != np.shape(after):
        raise WrongResult(f"accepted maps of shapes {np.shape(before)} and {np.shape(after)}")
    if any(np.ma.getmaskarray(kwargs[k]).any() for k in ("before", "after") if np.ma.isMaskedArray(kwargs[k])):
        raise WrongResult("accepted a masked array (its masked cells silently dropped or used)")
    if before.dtype.kind not in "biuf" or after.dtype.kind not in "biuf":
        return
    with np.errstate(all="ignore"):
        b, a = before.astype(np.float64), after.astype(np.float64)
        moved, size = np.nansum(np.abs(a - b)), np.nansum(np.abs(b))
    expected = 0.0 if moved == 0 else moved / size if size > 0 else math.inf
    if not (math.isclose(result, expected, rel_tol=1e-9) or (math.isnan(result) and math.isnan(expected))):
        raise WrongResult(f"{result!r}, in float64 the definition gives {expected!r}")


def check_result(target, kwargs, result):
    """The sweep's references (run in the child after the fuzz's own checks).
    A reference that cannot read the arguments says nothing (no verdict)."""
    try:
        _check_result(target, kwargs, result)
    except WrongResult:
        raise
    except Exception:  # noqa: BLE001
        pass


def _check_result(target, kwargs, result):
    name = target.rpartition(".")[2]
    _integers(name, kwargs)
    if name in ("max_pool2d", "average_pool2d") and "tensorflow" in sys.modules:
        _keras_pool(name, kwargs, result)
    elif name in ("torch_max_pool2d", "torch_avg_pool2d"):
        _torch(name, kwargs, result)
    elif name in ("output_size", "same_padding", "pooled_shape", "torch_output_size"):
        _sizes(name, kwargs, result)
    elif name in ("real_cell_counts", "divisor_map", "window_coverage"):
        _counts(name, kwargs, result)
    elif name in ("average_pool_as_conv", "max_blur_pool_model"):
        _keras_model(name, kwargs, result)
    elif name == "relative_l1_change":
        _relative_l1(kwargs, result)


def check_refusal(target, kwargs, error):
    """A ValueError/TypeError is wrong where the reference accepts the call."""
    name = target.rpartition(".")[2]
    try:
        if name in ("torch_max_pool2d", "torch_avg_pool2d"):
            _torch(name, kwargs, error=error)
    except WrongResult:
        raise
    except Exception:  # noqa: BLE001 - the reference cannot read these arguments: no verdict
        pass


# --------------------------------------------------------------------------
# Valid calls for the targets with a reference (Keras, ONNX Runtime, rules)
# --------------------------------------------------------------------------
def _valid_map(r, ndim):
    shape = (r.randint(1, 9), r.randint(1, 9)) if ndim == 2 else \
        (r.randint(1, 2), r.randint(1, 7), r.randint(1, 7), r.randint(1, 3))
    values = np.random.default_rng(r.randrange(10**6)).normal(scale=10, size=shape)
    if r.random() < 0.15:
        values.flat[r.randrange(values.size)] = r.choice([np.nan, np.inf, -np.inf])
    dtype = np.dtype(r.choice(["float64", "float64", "float32", "float16", "int32", "int64", "uint8", "bool"]))
    if dtype.itemsize > 1 and r.random() < 0.2:
        dtype = dtype.newbyteorder(">")
    with np.errstate(all="ignore"):
        return (values if dtype.kind == "f" else np.nan_to_num(values, posinf=99, neginf=-99)).astype(dtype)


def _one_or_two(r, low, high):
    return r.randint(low, high) if r.random() < 0.5 else (r.randint(low, high), r.randint(low, high))


def valid_case(name, r):
    """Arguments a framework takes (or that must be refused by name), small enough to check."""
    if name in ("max_pool2d", "average_pool2d", "keras_pool2d", "compare"):
        x = _valid_map(r, r.choice([2, 4]))
        kwargs = {"x": x, "pool_size": _one_or_two(r, 1, 5), "strides": r.choice([None, _one_or_two(r, 1, 4)]),
                  "padding": r.choice(["valid", "same"])}
        if x.ndim == 4 and r.random() < 0.3:
            kwargs["data_format"] = "channels_first"
        if name in ("keras_pool2d", "compare"):
            kwargs["operation"] = r.choice(["max", "average", "global max", "global average"])
        return kwargs
    if name in ("torch_max_pool2d", "torch_avg_pool2d"):
        x = _valid_map(r, 2 if r.random() < 0.5 else 4)
        x = x[0] if x.ndim == 4 and r.random() < 0.3 else x  # (C, H, W)
        kernel = (r.randint(1, 4), r.randint(1, 4))
        dilation = (r.randint(1, 2), r.randint(1, 2)) if name == "torch_max_pool2d" else (1, 1)
        kwargs = {"x": x, "kernel_size": kernel, "stride": r.choice([None, _one_or_two(r, 1, 3)]),
                  "padding": tuple(r.randint(0, ((k - 1) * d + 1) // 2) for k, d in zip(kernel, dilation)),
                  "ceil_mode": r.random() < 0.5}
        if name == "torch_max_pool2d":
            kwargs["dilation"] = dilation
        else:
            kwargs["count_include_pad"] = r.random() < 0.5
        return kwargs
    if name == "torch_output_size":
        k, d = r.randint(1, 6), r.randint(1, 3)
        return {"n": r.randint(1, 20), "kernel_size": k, "stride": r.randint(1, 4),
                "padding": r.randint(0, ((k - 1) * d + 1) // 2), "dilation": d, "ceil_mode": r.random() < 0.5}
    if name in ("output_size", "same_padding"):
        kwargs = {"n": r.randint(1, 20), "pool": r.randint(1, 8), "stride": r.randint(1, 5)}
        return kwargs if name == "same_padding" else {**kwargs, "padding": r.choice(["valid", "same"])}
    if name in ("pooled_shape", "real_cell_counts", "divisor_map", "window_coverage"):
        pool = (r.randint(1, 5), r.randint(1, 5))
        return {"input_shape": (r.randint(1, 12), r.randint(1, 12)), "pool_size": pool,
                "strides": r.choice([None, pool, (r.randint(1, 4), r.randint(1, 4))]),
                "padding": r.choice(["valid", "same"])}
    return None


# --------------------------------------------------------------------------
# The parent: run the cases, count, list the failures
# --------------------------------------------------------------------------
def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=60, help="cases per cheap target (pictures, explorers "
                        "and Keras get a quarter or a sixth)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", default="", help="run only targets whose name contains this")
    parser.add_argument("--case", type=int, help="run only this case number (with --only)")
    parser.add_argument("--valid", type=int, default=60, help="valid calls per target with a reference")
    parser.add_argument("--valid-case", type=int, help="run only this valid call (with --only)")
    parser.add_argument("--explicit-only", action="store_true", help="only the examples of issue 19")
    parser.add_argument("--no-explicit", action="store_true")
    parser.add_argument("--wall", type=float, default=20.0, help="seconds before a call counts as a hang")
    parser.add_argument("--cpu", type=float, default=5.0, help="CPU seconds a call may use")
    parser.add_argument("--memory-mib", type=int, default=512, help="peak-memory growth a call may cause")
    parser.add_argument("--limit-mib", type=int, default=2048, help="address space a call may add")
    args = parser.parse_args(argv)

    os.environ["PYTHONPATH"] = os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")])
    targets = {t.name: t for t in harness.discover()}
    jobs = []  # (label, target, kwargs, sets, must_return)
    for number, (name, kwargs, sets, must_return) in enumerate(EXPLICIT):
        if args.no_explicit or args.only not in name or args.case is not None or args.valid_case is not None:
            continue
        short = "." + name.rpartition(".")[2]  # a target that moved is found by its name
        target = targets.get(name) or next((t for t in targets.values() if t.name.endswith(short)), None)
        if target is None:
            try:
                params = [(p, True) for p in harness.inspect.signature(harness.resolve(name)).parameters]
            except (ImportError, AttributeError):
                print(f"warning: explicit case {number}: {name} not found (moved or renamed?)")
                continue
            target = harness.Target(name, "call", params, keras="keras" in name)
        jobs.append((f"explicit {number}", target, kwargs, sets, must_return))
    for target in targets.values():
        if args.explicit_only or args.only not in target.name:
            continue
        if target.kind == "record":
            continue
        blind = [p for p, required in target.params
                 if required and p not in harness.PLAUSIBLE and target.kind != "check"]
        if blind:
            print(f"warning: {target.name}: no argument generator for {blind}; hostile values only")
        share = {"light": 1, "picture": 4, "keras": 6}[target.cost]
        for index in ([args.case] if args.case is not None else [] if args.valid_case is not None
                      else range(max(3, args.cases // share))):
            rng = random.Random(f"{args.seed}:{target.name}:{index}")  # odd cases: mostly plausible values
            kwargs, sets = harness.draw_case(target, rng, plausible=0.9 if index % 2 else 0.6)
            jobs.append((f"case {index}", target, kwargs, sets, False))
        short = target.name.rpartition(".")[2]
        for index in ([args.valid_case] if args.valid_case is not None else range(args.valid)):
            kwargs = valid_case(short, random.Random(f"{args.seed}:{target.name}:valid {index}"))
            if kwargs is not None:
                jobs.append((f"valid {index}", target, kwargs, [], False))

    workers = {"light": harness.Worker("light", "hostile_sweep", args.limit_mib),
               "keras": harness.Worker("keras", "hostile_sweep", args.limit_mib)}
    queues = collections.defaultdict(list)
    for job in jobs:
        queues["keras" if job[1].keras or job[1].kind == "model" else "light"].append(job)
    results, started = [], time.monotonic()

    def work(kind):
        for label, target, kwargs, sets, must_return in queues[kind]:
            answer = workers[kind].run((target.kind, target.name, kwargs, sets), args.wall)
            category, detail = harness.classify(target, kwargs, sets, answer, args.cpu, args.memory_mib)
            if must_return and category == "clean error":
                category, detail = "wrong result", f"refused a call that must work: {answer[1]}: {answer[2][:200]}"
            results.append((label, target, kwargs, sets, category, detail))
        workers[kind].stop()

    for worker in workers.values():
        worker.spawn()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        list(pool.map(work, list(queues)))
    report(results, args, time.monotonic() - started)
    return 0 if all(r[4] in harness.CLEAN for r in results) else 1


def report(results, args, seconds):
    by_category = collections.Counter(r[4] for r in results)
    print(f"\n{len(results)} cases in {seconds:.0f} s (seed {args.seed}, --cases {args.cases})")
    for category in harness.CATEGORIES:
        print(f"  {category:16} {by_category.get(category, 0)}")
    valid = collections.Counter(r[1].name.rpartition(".")[2] for r in results
                                if r[0].startswith("valid") and r[4] == "returned")
    print("valid calls that returned and were checked against their reference: "
          + ", ".join(f"{name} {count}" for name, count in sorted(valid.items())))
    per_target = collections.defaultdict(collections.Counter)
    for r in results:
        per_target[r[1].name][r[4]] += 1
    print("\nby target (" + ", ".join(harness.CATEGORIES) + "):")
    for name in sorted(per_target):
        counts = per_target[name]
        print(f"  {name:62} " + " ".join(f"{counts.get(c, 0):4}" for c in harness.CATEGORIES))
    failures = collections.defaultdict(list)
    for r in results:
        if r[4] not in harness.CLEAN:
            failures[r[1].name].append(r)
    print(f"\nfailing cases: {sum(map(len, failures.values()))} in {len(failures)} targets")
    for name in sorted(failures):
        print(f"\n{name}:")
        for label, _, kwargs, sets, category, detail in failures[name]:
            call = ", ".join(f"{k}={harness.describe(v)}" for k, v in kwargs.items())
            then = "".join(f"; then .{k} = {harness.describe(v)}" for k, v in sets)
            flag = {"case": "--case", "valid": "--valid-case"}.get(label.split()[0])
            again = f"  [--seed {args.seed} --only {name} {flag} {label.split()[1]}]" if flag else ""
            detail = " ".join(detail.split())[:220]
            print(f"  {label}: {category}: {name.rpartition('.')[2]}({call}){then} -> {detail}{again}")


if __name__ == "__main__":
    sys.exit(main())
