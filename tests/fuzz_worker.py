"""The hostile-input harness of tests/test_fuzz.py and scripts/hostile_sweep.py.

Parent side: :func:`discover` finds every public function and class (the
``__all__`` of poolviz's public modules), :func:`draw_case` draws seeded
arguments for one, :class:`Worker` runs a case in a long-lived child process
and :func:`classify` names the outcome. Child side (``python fuzz_worker.py
MODE LIMIT_MIB [CHECKS_MODULE]``): runs each case under an address-space
limit, checks what it returned (tests/oracle.py; the checks module adds
more) and answers how it ended, its CPU time and how much its peak memory
grew beyond twice the array it returned (the output is the call's due). A
call that kills the child is an end of file; one that stalls is killed.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import itertools
import math
import os
import pkgutil
import re
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

MARK = "<<fuzz>>"  # (MARK, what, ...) is built in the child: it cannot cross a pipe
CLEAN = ("returned", "clean error")
CATEGORIES = CLEAN + ("unnamed error", "other exception", "signal", "hang", "memory blow-up", "wrong result")


@dataclasses.dataclass
class Target:
    name: str        # dotted path where it is defined
    kind: str        # "call", "check" (exercise), "model" (explorer model), "record" (dataclass)
    params: list     # (name, required)
    traits: tuple = ()  # controls of the explorer model it is or shows
    keyword_traits: bool = False  # takes them as keyword arguments (a factory)
    keras: bool = False  # runs in the child that has TensorFlow

    @property
    def cost(self):
        """What one case costs: "keras", "picture" (a figure or an explorer) or "light"."""
        return "keras" if self.keras else "picture" if self.traits or ".plot." in self.name else "light"


def resolve(path):
    module_name, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module_name), name)


def _controls(model):
    outputs = {"state", "message", "version", "step_max", "keras_text", "input_options"}
    return tuple(name for name, trait in model.class_traits().items() if name[0] != "_" and name not in outputs
                 and not trait.read_only and type(trait).__name__ not in ("Instance", "List", "Dict", "Any"))


def discover():
    """Every public callable in the ``__all__`` of poolviz's public modules."""
    import traitlets

    import poolviz

    modules = ["poolviz"] + [m.name for m in pkgutil.walk_packages(poolviz.__path__, "poolviz.")
                             if not any(part.startswith("_") for part in m.name.split("."))]
    paths, seen = [], set()
    for module_name in modules:
        for name in getattr(importlib.import_module(module_name), "__all__", ()):
            obj = getattr(importlib.import_module(module_name), name)
            if callable(obj) and id(obj) not in seen and getattr(obj, "__module__", "").startswith("poolviz"):
                seen.add(id(obj))
                home = obj.__module__ if hasattr(importlib.import_module(obj.__module__), name) else module_name
                paths.append(f"{module_name if '._' in home else home}.{name}")
    models = [obj for obj in map(resolve, paths) if isinstance(obj, type)
              and issubclass(obj, traitlets.HasTraits) and "widgets" not in obj.__module__]
    targets = []
    for path in paths:
        obj, short = resolve(path), path.rpartition(".")[2]
        parameters = inspect.signature(obj).parameters.values()
        kind = "record" if dataclasses.is_dataclass(obj) else "model" if obj in models else \
            "check" if ".exercises." in path and short.startswith("check_") else "call"
        word = short.split("_")[0].lower()  # pooling_explorer, PoolingExplorer -> PoolingExplorerModel
        traits = tuple(t for m in models if m.__name__.lower().startswith(word) for t in _controls(m))
        params = [(p.name, p.default is p.empty) for p in parameters if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
                  and p.name != "_cache" and not (p.name in ("fig", "ax") and p.default is None)]
        targets.append(Target(path, kind, params, traits, any(p.kind == p.VAR_KEYWORD for p in parameters),
                              "keras" in path))
    return targets


# --------------------------------------------------------------------------
# Values: seeded by the caller's random.Random, picklable
# --------------------------------------------------------------------------
DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64", "float16", "float32",
          "float64", "complex64", "complex128", "object", "U3", "datetime64[s]"]
SCALARS = [0, -1, 1, 2, 3, 2**31 - 1, 2**31, 2**63, -(2**63), 10**9, 10**400, 10**5000, math.nan, math.inf,
           -math.inf, 0.5, 5.7, -0.0, 1e308, 2.0, True, False, None, "", "same", "SAME", "valid", " same", "max",
           "average", "global max", "channels_first", "55", "2", "resnet50", "vertical line", "\x00",
           np.int64(3), np.float64(2.0), np.uint64(2**64 - 1), np.bool_(True), np.float16(40000),
           (MARK, "iterator"), *((MARK, "fn", kind) for kind in ("raises", "echo", "endless", "huge int", "nan"))]
SPECIAL = [math.nan, math.inf, -math.inf, 0.0, -0.0, 1e30, -1e30, 40000.0]


def hostile_array(rng):
    if rng.random() < 0.08:  # a cheap view of a huge map
        shape = rng.choice([(20000, 20000), (1, 20000, 20000, 1), (300, 300), (480, 640), (20000, 3)])
        return (MARK, "broadcast", shape, rng.choice(["uint8", "float16", "float64", "bool"]))
    dtype = np.dtype(rng.choice(DTYPES))
    if dtype.kind in "iufc" and dtype.itemsize > 1 and rng.random() < 0.3:
        dtype = dtype.newbyteorder(">")
    shape = tuple(rng.choice([0, 1, 1, 2, 3, 4, 5, 6, 7]) for _ in range(rng.choice([0, 1, 2, 2, 2, 3, 4, 4, 5])))
    values = np.array([rng.uniform(-9, 9) if rng.random() < 0.8 else rng.choice(SPECIAL)
                       for _ in range(math.prod(shape))]).reshape(shape)
    with np.errstate(all="ignore"):
        try:
            array = np.full(shape, np.iinfo(dtype).max, dtype) if dtype.kind == "i" and rng.random() < 0.2 \
                else values.astype(dtype)
        except (TypeError, ValueError):
            array = np.zeros(shape, dtype)
    if rng.random() < 0.2:
        array = np.ma.masked_array(array, np.array([rng.random() < 0.5 for _ in range(array.size)]).reshape(shape))
    return array


def hostile(rng, depth=0):
    roll = rng.random()
    if roll < 0.45 or depth > 1:
        return rng.choice(SCALARS) if rng.random() < 0.85 else rng.randint(-10**6, 10**6)
    if roll < 0.75:
        return hostile_array(rng)
    items = [hostile(rng, depth + 1) if rng.random() < 0.5 else rng.randint(-2, 9)
             for _ in range(rng.choice([0, 1, 2, 2, 3, 5]))]
    return tuple(items) if rng.random() < 0.7 else items


_map = lambda r: np.random.default_rng(r.randrange(99)).normal(size=(r.randint(1, 9), r.randint(1, 9)))
_size = lambda r: r.choice([1, 2, 2, 3, 3, 4, 5, r.randint(1, 9), 10**9, 2**31 - 1, 1000])
_pair = lambda r: _size(r) if r.random() < 0.5 else (_size(r), _size(r))
PLAUSIBLE = {  # by parameter or trait name: values that get past the first check
    "x": lambda r: _map(r) if r.random() < 0.5 else np.random.default_rng(r.randrange(99)).normal(
        size=(r.randint(1, 2), r.randint(1, 7), r.randint(1, 7), r.randint(1, 3))).astype(np.float32),
    **dict.fromkeys(["feature_map", "image", "a", "before", "after", "ours", "theirs", "upstream", "values"], _map),
    "kernel": lambda r: np.ones((r.randint(1, 3), r.randint(1, 3))), "bias": (0.0, 1.0),
    **dict.fromkeys(["pool_size", "kernel_size"], _pair), "strides": lambda r: r.choice([None, _pair(r)]),
    "stride": lambda r: r.choice([None, _size(r)]), "pool": _size, "n": range(1, 13), "dilation": range(1, 4),
    "padding": ("valid", "same", "SAME"), "torch padding": (0, 1, (1, 0)),
    "data_format": ("channels_last", "channels_first"),
    "operation": ("max", "average", "global max", "global average"),
    "operations": (("max", "average"), ("average",), ("max", "max-blur"), ["global max", "max"]),  # explorer menus
    "input_shape": ((1, 1), (2, 2), (5, 5), (7, 4), (8, 8, 1), (28, 28, 3), (2, 2, 1)),
    "output_index": lambda r: (r.randint(0, 2), r.randint(0, 2)), "index": range(0, 4), "step": range(0, 6),
    "size": range(2, 13), "square": range(1, 4), "shape": lambda r: (r.randint(1, 9), r.randint(1, 9)),
    "seed": range(0, 10), "rows": range(-9, 10), "cols": range(-9, 10), "downscale": range(1, 601),
    "max_shift": range(0, 10), "shift": range(0, 5), "direction": ("right", "down", "diagonal"),
    "name": ("vertical line", "random", "checkerboard", "mobilenet_v2"),
    "input_name": ("vertical line", "random", "checkerboard", "photograph"),
    **dict.fromkeys(["shift_rows", "shift_cols"], range(-9, 10)), "custom": (None,),
    **dict.fromkeys(["pool_rows", "pool_cols", "stride_rows", "stride_cols"], _size),
    **dict.fromkeys(["strides_same_as_pool", "keepdims", "clamp_step", "show_arithmetic", "ceil_mode", "lecture",
                     "count_include_pad", "colorbar", "fast_labels", "label_paths", "use_bias", "include_custom"],
                    (False, True)),
    "atol": (0.0, 1e-5), "p": (1, 2, 3.5, 1000, math.inf), "pooling": (None, "max", "global average"),
    "value": (1.5, -0.0, math.nan, 3, 1e300), "divisor_override": (None, 1, 4, 9),
    "filter_size": range(1, 7), "cols_moved": range(0, 5), "annotate": (None, True, False),
    "title": (None, "t"), "max_ticks": range(1, 17), "dpi": (None, 50), "n_windows": range(1, 10),
    "window": ((MARK, "call", "poolviz.pooling_window", {"feature_map": np.eye(4), "output_index": (0, 0)}),),
    "model": ((MARK, "model"),), **dict.fromkeys(["figure", "fig"], ((MARK, "figure"),)),
    "answer": (None, (MARK, "fn", "echo"), 3, (2, 2)), "filters": range(1, 10), "in_channels": range(1, 5),
    "classes": range(1, 11), "input_size": range(4, 29), "max_cells": range(1, 65),
    "annotate_max_cells": (None, 36), "vmin": (None,), "vmax": (None,),
    "layers": ([(3, 1, "valid")], [(3, 1, "same"), (2, 2, "same")], [(2, 2, "valid"), "global"], []),
    "output_cell": range(0, 9), "stack": ("conv 3x3", "x"),
    **dict.fromkeys(["input_rows", "input_cols"], range(0, 18)),
    **dict.fromkeys(["coverage", "divisors"], lambda r: np.random.default_rng(r.randrange(99)).integers(
        0, 4, size=(r.randint(1, 7), r.randint(1, 7)))),
}


def draw_case(target, rng, plausible=0.6):
    """Seeded keyword arguments, and the trait settings made after the call."""
    def value(name):
        key = "torch padding" if name == "padding" and "torch" in target.name else name
        if key not in PLAUSIBLE or rng.random() >= plausible:
            return hostile(rng)
        spec = PLAUSIBLE[key]  # a tuple or range to choose from, or a function of rng
        return rng.choice(spec) if isinstance(spec, (tuple, range)) else spec(rng)

    if target.kind == "check":
        return {"answer": value("answer")}, []
    kwargs = {name: value(name) for name, required in target.params if required or rng.random() < 0.5}
    if target.keyword_traits:
        kwargs.update({t: value(t) for t in rng.sample(target.traits, min(len(target.traits), rng.randint(0, 3)))})
    return kwargs, [(t, value(t)) for t in rng.sample(target.traits, min(len(target.traits), rng.randint(0, 2)))]


def is_mark(value):
    return isinstance(value, tuple) and len(value) > 1 and isinstance(value[0], str) and value[0] == MARK


def describe(value):
    from poolviz._checks import _describe

    if is_mark(value):
        return "<" + " ".join(map(str, value[1:3])) + ">"
    if isinstance(value, (tuple, list)):
        inner = ", ".join(map(describe, value))
        return f"({inner}{',' * (len(value) == 1)})" if isinstance(value, tuple) else f"[{inner}]"
    if isinstance(value, np.ma.MaskedArray):
        return f"masked {_describe(value.data)}"
    if isinstance(value, np.ndarray) and value.size <= 6 and value.dtype.kind in "biuf":
        return f"np.array({value.tolist()!r}, {value.dtype.str!r})"
    return _describe(value)


# --------------------------------------------------------------------------
# Parent side: the child process and the verdict
# --------------------------------------------------------------------------
class Worker:
    """One child (mode light, keras or bare); started again after a case kills or stalls it."""

    def __init__(self, mode="light", checks=None, memory_limit_mib=2048):
        self.mode, self.checks, self.memory_limit_mib, self.process = mode, checks, memory_limit_mib, None

    def spawn(self):
        path = os.pathsep.join([str(Path(__file__).parents[1]), str(Path(__file__).parent),
                                os.environ.get("PYTHONPATH", "")])
        command = [sys.executable, __file__, self.mode, str(self.memory_limit_mib)] + [self.checks] * bool(self.checks)
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL, env=dict(os.environ, PYTHONPATH=path))
        self.to_child = Connection(os.dup(self.process.stdin.fileno()), readable=False)
        self.from_child = Connection(os.dup(self.process.stdout.fileno()), writable=False)
        self.ready = False

    def _receive(self, timeout):
        if not self.from_child.poll(timeout):
            raise TimeoutError
        return self.from_child.recv()  # EOFError when the child died

    def run(self, request, wall_limit):
        """(status, error, message, cpu seconds, peak growth in KiB)."""
        if self.process is None or self.process.poll() is not None:
            self.spawn()
        try:
            self.ready = self.ready or self._receive(300.0) == "ready"
            self.to_child.send(request)
            return self._receive(wall_limit)
        except TimeoutError:
            self.stop()
            return ("hang", "", f"no answer within {wall_limit} s", wall_limit, 0)
        except (EOFError, OSError):
            status, self.process = self.process.wait(), None
            return ("signal", "", f"the child died (exit status {status})", 0, 0)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


def names_an_argument(message, names):
    return any(re.search(rf"(?<![\w.]){re.escape(name)}(?!\w)", message) for name in names)


def classify(target, kwargs, sets, answer, cpu_budget, memory_budget_mib):
    """(category, detail) of one answer of :meth:`Worker.run`."""
    status, error, message, cpu, grown_kib = answer
    if status in ("hang", "signal"):
        return status, message
    if error == "MemoryError" or grown_kib > memory_budget_mib * 1024:
        return "memory blow-up", f"peak memory grew by {grown_kib / 1024:.0f} MiB; {error} {message}"[:300]
    if cpu > cpu_budget:
        return "hang", f"{cpu:.1f} s of CPU (budget {cpu_budget} s); {status} {error}"
    if status != "raised":
        return status, message
    if target.kind == "check":  # a hint, as the notebooks expect
        return ("clean error", "") if error == "AssertionError" else ("other exception", f"{error}: {message}")
    names = [name for name, _ in target.params] + list(kwargs) + [name for name, _ in sets]
    if error in ("ValueError", "TypeError", "TraitError"):
        return ("clean error", "") if names_an_argument(message, names) else ("unnamed error", f"{error}: {message}")
    return "other exception", f"{error}: {message}"


# --------------------------------------------------------------------------
# Child side
# --------------------------------------------------------------------------
class WrongResult(Exception):
    pass


STUDENT = {"raises": lambda *a: 1 / 0, "echo": lambda *a: a[0] if a else None, "endless": lambda *a: itertools.count(),
           "huge int": lambda *a: 10**5000, "nan": lambda *a: math.nan}


def _materialise(value):
    if is_mark(value):
        what = value[1]
        if what == "broadcast":
            return np.broadcast_to(np.ones(1, value[3]), value[2])
        if what == "figure":
            return importlib.import_module("matplotlib.figure").Figure()
        if what == "call":
            return resolve(value[2])(**value[3])
        return itertools.count() if what == "iterator" else STUDENT[value[2]] if what == "fn" else value
    if isinstance(value, (tuple, list)):
        return type(value)(_materialise(item) for item in value)
    return value


def _nhwc(array, kwargs):
    first = kwargs.get("data_format", "channels_last") == "channels_first"
    return array[None, :, :, None] if array.ndim == 2 else array.transpose(0, 2, 3, 1) if first else array


def check_result(target, kwargs, result):
    """Pooling that returned equals the loop oracle's numbers."""
    name = target.rpartition(".")[2]
    x = np.asarray(np.ma.getdata(kwargs.get("x", ())))
    if name not in ("max_pool2d", "average_pool2d", "global_max_pool2d",
                    "global_average_pool2d") or x.ndim not in (2, 4) or x.size > 4096 or x.dtype.kind not in "biuf":
        return
    try:
        expected, got = _oracle(name, x, kwargs, result)
    except (TypeError, ValueError, IndexError, OverflowError):
        return  # arguments the oracle cannot read (poolviz took them: the sweep's integer rule judges)
    # float16 and float32 input are pooled in float32 (a 2-D global pool still returns a Python float).
    low = x.dtype.kind == "f" and x.dtype.itemsize < 8
    tolerance = 2e-3 if x.dtype.itemsize == 2 and low else 1e-5 if low or np.asarray(result).dtype != np.float64 \
        else 1e-12
    # A float32 sum near zero keeps float32's error of its terms' size, not of the result's.
    finite = np.abs(x[np.isfinite(x)]) if x.dtype.kind == "f" else np.abs(x)
    atol = tolerance * float(finite.max(initial=0))
    if got.shape != expected.shape or not np.allclose(got, expected, rtol=tolerance, atol=atol, equal_nan=True):
        raise WrongResult(f"{got.ravel()[:6]} (shape {got.shape}) where the oracle gives "
                          f"{expected.ravel()[:6]} (shape {expected.shape})")


def _oracle(name, x, kwargs, result):
    import oracle

    with np.errstate(all="ignore"):
        values = _nhwc(x, kwargs).astype(np.float64)
        if name.startswith("global"):
            expected = getattr(oracle, name + "_loop")(values)
            got = np.asarray(result, np.float64).reshape(-1, expected.shape[-1])
        else:
            pair = lambda v: (int(v), int(v)) if np.ndim(v) == 0 else tuple(map(int, v))  # noqa: E731
            pool = pair(kwargs.get("pool_size", 2))
            strides = pool if kwargs.get("strides") is None else pair(kwargs["strides"])
            if max(pool + strides) > 64:
                raise ValueError("too slow for the loops")
            average = name == "average_pool2d" or kwargs.get("operation") == "average"
            loop = oracle.average_pool2d_loop if average else oracle.max_pool2d_loop
            expected = loop(values, pool, strides, str(kwargs.get("padding", "valid")).lower())
            got = _nhwc(np.asarray(result, np.float64), kwargs)
    return expected, got


def _scan_view(view, model):
    """No traceback in a view's texts; a control named like a trait shows its value."""
    stack = [view]
    while stack:
        widget = stack.pop()
        stack.extend(getattr(widget, "children", ()))
        shown = getattr(widget, "value", None)
        if isinstance(shown, str) and re.search(r"Could not draw|Traceback|Broken link|Error\(", shown):
            raise WrongResult(f"the view shows {shown[:200]!r}")
        label = re.sub(r"\s*\(.*\)", "", str(getattr(widget, "description", ""))).strip().replace(" ", "_")
        if label and model.has_trait(label) and isinstance(shown, (int, float)) \
                and shown not in _values_in_use(model, label):
            raise WrongResult(f"the '{label}' control shows {shown}, the model holds {getattr(model, label)}")


def _values_in_use(model, label):
    """The trait's value, or the one the state uses instead (strides that follow the pool,
    the whole map under global pooling)."""
    values, state = {getattr(model, label)}, getattr(model, "state", None)
    name, _, axis = label.rpartition("_")
    if name in ("pool", "stride") and axis in ("rows", "cols") and getattr(state, "ok", False):
        values.add((state.pool_size if name == "pool" else state.strides)[axis == "cols"])
    if name == "stride" and getattr(model, "strides_same_as_pool", False):
        values.add(getattr(model, f"pool_{axis}"))
    return values


def _settle(model, kwargs, sets, view=None):
    """Set the traits: an accepted number is kept (not clamped), the model
    reports no bug, the view shows the model and Keras agrees."""
    steps = [(k, v, False) for k, v in kwargs.items() if model.has_trait(k)] + [(None, None, False)]
    for name, value, assign in steps + [(k, v, True) for k, v in sets]:
        if assign:
            setattr(model, name, value)
        if name and isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_)) \
                and getattr(model, name) != value:
            raise WrongResult(f"{name}={describe(value)} was accepted but the model holds {getattr(model, name)}")
        if re.search("Unexpected error|Traceback|Could not", str(getattr(model, "message", ""))):
            raise WrongResult(f"the model reports {model.message[:200]!r}")
        if view is not None:
            _scan_view(view, model)
    if "tensorflow" in sys.modules and getattr(model, "state", None) is not None and hasattr(model, "check_with_keras"):
        text = model.check_with_keras()
        text = str(text if isinstance(text, str) else getattr(model, "keras_text", ""))
        if re.search("failed|disagree", text):
            raise WrongResult(f"Keras check: {text[:200]}")


def _run(kind, target, kwargs, sets, extra):
    kwargs = {key: _materialise(value) for key, value in kwargs.items()}
    sets, obj = [(name, _materialise(value)) for name, value in sets], resolve(target)
    if is_mark(kwargs.get("model")):  # a Keras model, or the explorer model a view shows
        explorer, short = importlib.import_module("poolviz.explorer"), target.rpartition(".")[2].lower()[:5]
        models = [getattr(explorer, m) for m in explorer.__all__ if m.lower().startswith(short) and m.endswith("Model")]
        kwargs["model"] = importlib.import_module("poolviz.keras_bridge").tutorial_model() if "keras" in target \
            else models[0]()
    if kind == "check":
        if (result := obj(kwargs["answer"])) is not None:
            raise WrongResult(f"a check returned {describe(result)}")
        return
    if kind == "model":
        return _settle(obj(**kwargs), kwargs, sets)
    try:
        result = obj(**kwargs)
    except (ValueError, TypeError) as error:
        if hasattr(extra, "check_refusal"):  # raises WrongResult where the reference takes the call
            extra.check_refusal(target, kwargs, error)
        raise
    check_result(target, kwargs, result)
    if hasattr(extra, "check_result"):
        extra.check_result(target, kwargs, result)
    widgets = sys.modules.get("ipywidgets")
    if widgets is not None and isinstance(result, widgets.Widget) and hasattr(result, "model"):
        _settle(result.model, kwargs, sets, view=result)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")
    return getattr(result, "nbytes", 0)


def _memory_kib(field):
    with open("/proc/self/status") as status:
        return next((int(line.split()[1]) for line in status if line.startswith(field + ":")), 0)


def main(mode, memory_limit_mib, checks=None):
    import resource

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("MPLBACKEND", "Agg")
    parent, source = Connection(os.dup(1), readable=False), Connection(os.dup(0), writable=False)
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # what the calls print goes nowhere
    sys.stdout = open(os.devnull, "w")
    try:  # pay the one-off costs before anything is timed (a case reports what fails here)
        if mode != "bare":
            widgets = importlib.import_module("poolviz.widgets")
            widgets.pooling_explorer(), widgets.translation_explorer()
        if mode == "keras":
            for operation in ("max", "average", "global max", "global average"):
                importlib.import_module("poolviz.keras_bridge").compare(np.eye(4), operation)
    except Exception:  # noqa: BLE001
        pass
    extra = importlib.import_module(checks) if checks else None
    parent.send("ready")
    while True:
        try:
            kind, target, kwargs, sets = source.recv()
        except EOFError:
            return
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # the peak (VmHWM) starts again from the current RSS
        limit = (_memory_kib("VmSize") + memory_limit_mib * 1024) * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, resource.RLIM_INFINITY))
        before, started, output = _memory_kib("VmRSS"), time.process_time(), 0
        try:
            output = _run(kind, target, kwargs, sets, extra) or 0
            outcome = ("returned", "", "")
        except WrongResult as error:
            outcome = ("wrong result", "", str(error)[:500])
        except Exception as error:  # noqa: BLE001 - reported to the parent
            kinds = ("TraitError", "MemoryError", "AssertionError", "ValueError", "TypeError")
            name = next((k for k in kinds if any(c.__name__ == k for c in type(error).__mro__)), type(error).__name__)
            try:
                outcome = ("raised", name, str(error)[:1000])
            except Exception:  # noqa: BLE001 - a message that cannot be printed
                outcome = ("raised", name, "<a message that cannot be printed>")
        resource.setrlimit(resource.RLIMIT_AS, (resource.RLIM_INFINITY, resource.RLIM_INFINITY))
        grown = _memory_kib("VmHWM") - before - 2 * output // 1024  # beyond twice the array it returned
        parent.send((*outcome, time.process_time() - started, max(grown, 0)))


if __name__ == "__main__":  # run as the module, so that the checks raise its WrongResult
    importlib.import_module("fuzz_worker").main(sys.argv[1], int(sys.argv[2]), *sys.argv[3:])
