"""Arbitrary argument values against every public function, explorer model
trait and exercise check (issue 10).

Each call runs in a child process (tests/fuzz_worker.py) that has imported
TensorFlow and warmed up, so that a call which kills the process (SIGABRT,
SIGFPE), hangs or allocates gigabytes is caught instead of taking pytest
down.  For every call:

* the child must survive and answer within ``WALL_LIMIT`` seconds;
* the call must use at most ``CPU_BUDGET`` seconds of CPU (all threads of
  the child: robust against other processes loading the machine) and grow
  the child's peak resident memory by at most ``MEMORY_BUDGET_MIB``;
* it must return (pooling results are checked against the loop oracle), or
  raise ``ValueError``/``TypeError`` whose message names one of the
  arguments (a trait may raise ``traitlets.TraitError`` naming the trait; a
  check may raise ``AssertionError`` with a hint, as the notebooks expect).

Values: ints of any size, floats with NaN and infinities, bools, None,
strings, tuples and lists of any length, NumPy arrays of every dtype and both
byte orders with 0-size axes, masked arrays, iterators that never end, and
student functions that raise or return nonsense.  Half of the arguments of
a call are drawn from plausible values, so that calls reach past the first
check.
"""

from __future__ import annotations

import inspect
import os
import pickle
import select
import struct
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from poolviz._checks import _describe  # noqa: E402  (never fails, even on 10**5000)

pytest.importorskip("tensorflow")

WORKER = Path(__file__).with_name("fuzz_worker.py")
CPU_BUDGET = 1.0          # seconds of CPU per call
MEMORY_BUDGET_MIB = 256   # growth of the child's peak RSS per call
WALL_LIMIT = 30.0         # the child is killed (and the case fails) after this
EXAMPLES = int(os.environ.get("POOLVIZ_FUZZ_EXAMPLES", "12"))  # per target

# --------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------
FUNCTIONS = [
    "poolviz.max_pool2d", "poolviz.average_pool2d", "poolviz.global_max_pool2d",
    "poolviz.global_average_pool2d", "poolviz.conv2d", "poolviz.relu", "poolviz.output_size",
    "poolviz.output_size_formula", "poolviz.pooled_shape", "poolviz.same_padding",
    "poolviz.pooling_window", "poolviz.walk_windows",
    "poolviz.data.vertical_line", "poolviz.data.horizontal_line", "poolviz.data.diagonal_line",
    "poolviz.data.checkerboard", "poolviz.data.random_feature_map", "poolviz.data.shift",
    "poolviz.data.photograph", "poolviz.data.line_feature_map",
    "poolviz.explorer.pooling_state", "poolviz.explorer.translation_invariance",
    "poolviz.explorer.divisor_map", "poolviz.explorer.load_input",
    "poolviz.keras_bridge.keras_pool2d", "poolviz.keras_bridge.compare",
    "poolviz.keras_bridge.tutorial_model", "poolviz.walkthrough.format_number",
    "poolviz.plot.pooling_figure",
    "poolviz.going_further.max_blur_pool2d", "poolviz.going_further.shift_change", "poolviz.going_further.window_coverage",
    "poolviz.going_further.torch_max_pool2d", "poolviz.going_further.torch_avg_pool2d", "poolviz.going_further.torch_output_size",
    "poolviz.pooling.padding_amounts", "poolviz.pooling.window_bounds",
    "poolviz.pooling.pool_arguments", "poolviz.pooling.pool_fit_message",
    "poolviz.pooling.check_pool_fits", "poolviz.pooling.real_cell_counts",
    "poolviz.going_further.antialias.relative_l1_change", "poolviz.going_further.antialias.binomial_filter",
    "poolviz.pooling.pool_by_definition",
]
TRAITS = {
    "poolviz.explorer.PoolingExplorerModel": [
        "input_name", "pool_rows", "pool_cols", "strides_same_as_pool", "stride_rows",
        "stride_cols", "padding", "operation", "shift_rows", "shift_cols", "step"],
    "poolviz.explorer.TranslationExplorerModel": [
        "input_name", "operation", "pool_size", "max_shift", "shift", "direction"],
}
CHECKS = [f"poolviz.exercises.{module}.{name}" for module, names in {
    "nb01": ["check_output_sizes", "check_unchanged_after_shift", "check_pool_each_map"],
    "nb02": ["check_horizontal_detector", "check_parameter_count", "check_photograph_shapes"],
    "nb03": ["check_same_padding_bottom_row", "check_cells_never_used", "check_average_pool_same"],
    "nb04": ["check_max_pool_by_hand", "check_same_padding_max", "check_max_pool_gradient"],
    "nb05": ["check_global_shapes", "check_head_parameters", "check_global_average_pool"],
    "going_further": ["check_average_pool_kernel", "check_cells_never_seen", "check_count_include_pad",
                      "check_max_blur_by_hand", "check_most_cells_equal",
                      "check_strided_conv_parameters", "check_torch_output_size"],
}.items() for name in names]


def _parameters(target):
    module_name, _, name = target.rpartition(".")
    function = getattr(__import__(module_name, fromlist=[name]), name)
    return [p for p in inspect.signature(function).parameters
            if p not in ("fig", "ax", "_cache")]


def test_every_public_function_and_check_is_fuzzed():
    """The lists above cover the public API: a new function must be added."""
    import poolviz
    from poolviz import data, explorer, exercises, keras_bridge
    from poolviz import pooling as ops, pooling as windows
    from poolviz.going_further import antialias

    public = {f"poolviz.{name}" for name in poolviz.__all__ if callable(getattr(poolviz, name))
              and not isinstance(getattr(poolviz, name), type)}
    public |= {f"poolviz.data.{name}" for name in data.__all__ if callable(getattr(data, name))}
    public |= {f"poolviz.explorer.{name}" for name in explorer.__all__
               if inspect.isfunction(getattr(explorer, name))}
    public |= {f"poolviz.keras_bridge.{name}" for name in keras_bridge.__all__
               if inspect.isfunction(getattr(keras_bridge, name))}
    public |= {f"poolviz.pooling.{name}" for name in windows.__all__
               if getattr(poolviz, name, None) is not getattr(windows, name)}
    public |= {f"poolviz.pooling.{name}" for name in ops.__all__ if callable(getattr(ops, name))
               and getattr(poolviz, name, None) is not getattr(ops, name)}
    public |= {f"poolviz.going_further.antialias.{name}" for name in antialias.__all__
               if inspect.isfunction(getattr(antialias, name))
               and getattr(poolviz, name, None) is not getattr(antialias, name)}
    public.add("poolviz.walkthrough.format_number")
    # No arguments to fuzz (load_keras), a bool flag (input_names), or a
    # PoolingWindow made by poolviz itself (arithmetic_text).
    skipped = {"poolviz.explorer.input_names", "poolviz.explorer.arithmetic_text",
               "poolviz.keras_bridge.load_keras"}
    assert public - skipped <= set(FUNCTIONS), sorted(public - skipped - set(FUNCTIONS))
    import importlib

    checks = {f"poolviz.exercises.{module}.{name}"
              for module in [f"nb0{n}" for n in range(1, 6)] + ["going_further"]
              for name in dir(importlib.import_module(f"poolviz.exercises.{module}"))
              if name.startswith("check_")}
    assert checks == set(CHECKS)
    assert exercises.MAX_ANSWER_ITEMS == 64
    assert keras_bridge.MAX_KERAS_POOL == 10**5


# --------------------------------------------------------------------------
# Values
# --------------------------------------------------------------------------
DTYPES = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64",
          "float16", "float32", "float64", "complex64", "object", "U3", "datetime64[s]"]


@st.composite
def arrays(draw):
    dtype = np.dtype(draw(st.sampled_from(DTYPES)))
    if dtype.kind in "iuf" and dtype.itemsize > 1 and draw(st.booleans()):
        dtype = dtype.newbyteorder(">")
    ndim = draw(st.sampled_from([0, 1, 2, 2, 2, 3, 4, 4, 5]))
    shape = tuple(draw(st.lists(st.integers(0, 6), min_size=ndim, max_size=ndim)))
    size = int(np.prod(shape))
    if dtype.kind == "f":
        values = draw(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=16),
                               min_size=size, max_size=size))
    elif dtype.kind in "iu":
        info = np.iinfo(dtype)
        values = draw(st.lists(st.integers(int(info.min), int(info.max)), min_size=size, max_size=size))
    else:
        values = list(range(size))
    array = np.array(values, dtype=object).reshape(shape)
    try:
        array = array.astype(dtype)
    except (TypeError, ValueError):
        array = np.zeros(shape, dtype)
    if draw(st.booleans()) and draw(st.booleans()):
        mask = np.array(draw(st.lists(st.booleans(), min_size=size, max_size=size)), bool)
        array = np.ma.masked_array(array, mask.reshape(shape))
    return array


SCALARS = st.one_of(
    st.integers(),
    st.sampled_from([0, -1, 1, 2, 2**31 - 1, 2**31, 2**63, -(2**63), 10**9, 10**400]),
    # Too long for repr (Python prints at most 4300 digits); built by map so
    # that Hypothesis never has to print the strategy's own arguments.
    st.just(5000).map(lambda digits: 10**digits),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(), st.none(),
    st.text(max_size=8),
    st.sampled_from(["same", "SAME", "valid", " same", "max", "average", "global max",
                     "channels_first", "vertical line", "INFINITE_ITERATOR"]),
    st.sampled_from([np.int64(3), np.float64(2.0), np.uint64(2**64 - 1), np.bool_(True)]),
)
ANY = st.recursive(SCALARS | arrays(),
                   lambda inner: st.tuples(inner) | st.tuples(inner, inner)
                   | st.lists(inner, max_size=5).map(tuple) | st.lists(inner, max_size=3),
                   max_leaves=6)

SMALL_MAP = st.builds(lambda rows, cols, seed: np.random.default_rng(seed).normal(size=(rows, cols)),
                      st.integers(1, 9), st.integers(1, 9), st.integers(0, 99))
SMALL_BATCH = st.builds(lambda shape, seed: np.random.default_rng(seed).normal(size=shape).astype(np.float32),
                        st.tuples(st.integers(1, 2), st.integers(1, 7), st.integers(1, 7),
                                  st.integers(1, 3)), st.integers(0, 99))
SIZE = st.integers(1, 5) | st.sampled_from([10**9, 2**31 - 1, 1000])
PAIR = SIZE | st.tuples(SIZE, SIZE)
PLAUSIBLE = {
    "x": SMALL_MAP | SMALL_BATCH, "feature_map": SMALL_MAP, "image": SMALL_MAP,
    "kernel": st.just(np.ones((3, 3))), "bias": st.just(0.0),
    "pool_size": PAIR, "strides": st.none() | PAIR, "padding": st.sampled_from(["valid", "same", "SAME"]) | st.integers(0, 2),
    "data_format": st.just("channels_last"), "keepdims": st.booleans(),
    "operation": st.sampled_from(["max", "average", "global max", "global average"]),
    "n": st.integers(1, 12), "pool": SIZE, "stride": SIZE, "input_shape": st.tuples(SIZE, SIZE),
    "output_index": st.tuples(st.integers(0, 2), st.integers(0, 2)), "step": st.integers(0, 3),
    "size": st.integers(4, 12), "square": st.integers(1, 3), "shape": st.tuples(SIZE, SIZE),
    "seed": st.integers(0, 9), "rows": st.integers(-9, 9), "cols": st.integers(-9, 9),
    "downscale": st.integers(1, 600), "max_shift": st.integers(0, 300),
    "direction": st.sampled_from(["right", "down", "diagonal"]), "clamp_step": st.booleans(),
    "name": st.sampled_from(["vertical line", "random", "checkerboard"]),
    "shift_rows": st.integers(-9, 9), "shift_cols": st.integers(-9, 9), "custom": st.none(),
    "atol": st.sampled_from([0.0, 1e-5]), "show_arithmetic": st.booleans(),
    "pooling": st.sampled_from([None, "max", "global average"]),
    "value": st.floats(allow_nan=True) | st.integers(),
    # PyTorch-semantics and anti-aliased pooling (going further)
    "kernel_size": PAIR, "dilation": st.integers(1, 3),
    "ceil_mode": st.booleans(), "count_include_pad": st.booleans(),
    "divisor_override": st.none() | st.integers(1, 9), "filter_size": st.integers(1, 6),
    # window arithmetic
    "index": st.integers(0, 3) | st.integers(1, 4).map(np.arange),
    "noun": st.just("image"), "window": st.just("kernel"), "argument": st.just("kernel"),
    "before": SMALL_MAP, "after": SMALL_MAP,
}


def _argument(name):
    plausible = PLAUSIBLE.get(name)
    return ANY if plausible is None else st.one_of(plausible, ANY)


# --------------------------------------------------------------------------
# The child process
# --------------------------------------------------------------------------
class Worker:
    """One child process; restarted after a case kills or stalls it."""

    def __init__(self):
        self.process = None
        self.cases = 0
        self.seconds = 0.0
        self.most_cpu = self.most_memory_kib = 0

    def start(self):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(Path(__file__).parents[1])] + os.environ.get("PYTHONPATH", "").split(os.pathsep)))
        self.process = subprocess.Popen([sys.executable, str(WORKER)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        env=env)
        status, peak_resets = self._receive(300.0)
        assert status == "ready", status
        self.measures_memory = peak_resets

    def _receive(self, timeout):
        fd = self.process.stdout.fileno()
        deadline = time.monotonic() + timeout
        data = b""
        needed = 8
        size = None
        while len(data) < needed:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not select.select([fd], [], [], remaining)[0]:
                raise TimeoutError
            chunk = os.read(fd, needed - len(data))
            if not chunk:
                raise EOFError(self.process.wait())
            data += chunk
            if size is None and len(data) == 8:
                (size,) = struct.unpack("<Q", data)
                needed, data = size, b""
        return pickle.loads(data)

    def run(self, kind, target, kwargs):
        if self.process is None or self.process.poll() is not None:
            self.start()
        payload = pickle.dumps((kind, target, kwargs))
        self.process.stdin.write(struct.pack("<Q", len(payload)) + payload)
        self.process.stdin.flush()
        started = time.monotonic()
        try:
            answer = self._receive(WALL_LIMIT)
            self.most_cpu = max(self.most_cpu, answer[3])
            self.most_memory_kib = max(self.most_memory_kib, answer[5])
            return answer
        except TimeoutError:
            self.stop()
            return ("hung", "", f"no answer within {WALL_LIMIT} s", WALL_LIMIT, WALL_LIMIT, 0)
        except EOFError as ended:
            self.process = None
            return ("killed", "", f"the child process died (exit status {ended.args[0]})", 0, 0, 0)
        finally:
            self.cases += 1
            self.seconds += time.monotonic() - started

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="module")
def worker():
    worker = Worker()
    started = time.monotonic()
    worker.start()
    yield worker
    worker.stop()
    print(f"\nfuzz: {worker.cases} calls, {worker.seconds:.1f} s in calls, "
          f"{time.monotonic() - started:.1f} s with start-up; the most CPU one call took "
          f"{worker.most_cpu:.3f} s, the most memory it added {worker.most_memory_kib / 1024:.1f} MiB")


def _names_an_argument(message, names):
    return any(name in message for name in names)


def _judge(kind, target, kwargs, answer, allowed, names):
    status, error, message, cpu, wall, grown_kib = answer
    where = f"{target}({', '.join(f'{k}={_describe(v)}' for k, v in kwargs.items())})"
    assert status in ("returned", "raised"), f"{where}: {status}: {message}"
    if status == "raised":
        assert error in allowed, f"{where} raised {error}: {message}"
        if error in ("builtins.ValueError", "builtins.TypeError", "traitlets.traitlets.TraitError"):
            assert _names_an_argument(message, names), f"{where}: message names no argument: {message}"
    assert cpu <= CPU_BUDGET, f"{where} took {cpu:.2f} s of CPU ({wall:.2f} s wall)"
    assert grown_kib <= MEMORY_BUDGET_MIB * 1024, f"{where} grew memory by {grown_kib / 1024:.0f} MiB"


SETTINGS = settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                    suppress_health_check=list(HealthCheck))
VALUE_ERRORS = ("builtins.ValueError", "builtins.TypeError")


@pytest.mark.parametrize("target", FUNCTIONS)
@SETTINGS
@given(data=st.data())
def test_a_public_function_answers_or_names_the_bad_argument(worker, target, data):
    parameters = _parameters(target)
    chosen = data.draw(st.lists(st.sampled_from(parameters), unique=True, max_size=len(parameters)))
    kwargs = {name: data.draw(_argument(name), label=name) for name in chosen}
    answer = worker.run("call", target, kwargs)
    # A missing required argument raises a TypeError naming it (Python's own).
    _judge("call", target, kwargs, answer, VALUE_ERRORS, list(kwargs) + parameters)


@pytest.mark.parametrize("model, trait", [(model, trait) for model, traits in TRAITS.items()
                                          for trait in traits])
@SETTINGS
@given(data=st.data())
def test_an_explorer_trait_accepts_or_names_itself(worker, model, trait, data):
    value = data.draw(_argument({"pool_rows": "pool", "pool_cols": "pool", "stride_rows": "stride",
                                 "stride_cols": "stride", "pool_size": "pool"}.get(trait, trait)))
    answer = worker.run("trait", model, {"name": trait, "value": value})
    _judge("trait", model, {trait: value}, answer, VALUE_ERRORS + ("traitlets.traitlets.TraitError",),
           [trait])


@pytest.mark.parametrize("target", CHECKS)
@SETTINGS
@given(answer=ANY | st.sampled_from(["FN_RAISES", "FN_ECHO", "FN_INFINITE", "FN_HUGE_INT",
                                     "INFINITE_ITERATOR", ("INFINITE_ITERATOR", (1, 2)),
                                     ((32, 64), "INFINITE_ITERATOR")]))
def test_a_check_answers_with_a_hint(worker, target, answer):
    result = worker.run("check", target, {"answer": answer})
    _judge("check", target, {"answer": answer}, result, ("builtins.AssertionError",), ["answer"])


def test_the_harness_sees_a_call_that_kills_the_process(worker):
    """A test that cannot fail is worse than none: a dead child is reported."""
    status, _, message, *_ = worker.run("call", "os.abort", {})
    assert status == "killed" and "exit status -6" in message
    status, error, message, *_ = worker.run("call", "poolviz.max_pool2d",
                                            {"x": np.zeros((8, 8)), "strides": 2**31})
    assert (status, error) == ("raised", "builtins.ValueError") and "strides" in message


@pytest.mark.parametrize("target", CHECKS)
def test_a_check_given_an_endless_answer_gives_a_hint_at_once(worker, target):
    """An itertools.count() answer (or inside one, or returned by the
    student's function) ran away; now every check reads a bounded part."""
    for answer in ("INFINITE_ITERATOR", ("INFINITE_ITERATOR", (1, 2)),
                   ((32, 64), "INFINITE_ITERATOR"), "FN_INFINITE"):
        _judge("check", target, {"answer": answer}, worker.run("check", target, {"answer": answer}),
               ("builtins.AssertionError",), ["answer"])
