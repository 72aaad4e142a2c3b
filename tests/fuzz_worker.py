"""The child process of tests/test_fuzz.py: runs one call at a time.

Reads length-prefixed pickled requests on stdin and answers on the original
stdout (everything the calls print goes to /dev/null).  A request is
``(kind, target, kwargs)``; the answer says how the call ended, its CPU time
(all threads of this process) and how much its peak resident memory grew.
The parent kills this process when a call takes too long; a call that kills
the process shows up as an end of file.

Not a test module (pytest collects ``test_*.py`` only).
"""

from __future__ import annotations

import itertools
import os
import pickle
import struct
import sys
import time
import traceback

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")


def _memory_kib(field):
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak():
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")  # resets VmHWM to the current RSS (Linux)
        return True
    except OSError:
        return False


def _student_function(marker):
    """Stand-ins for what a student might hand a checker."""
    if marker == "FN_RAISES":
        def answer(*args):
            raise RuntimeError("student bug")
    elif marker == "FN_ECHO":
        def answer(*args):
            return args[0] if args else None
    elif marker == "FN_INFINITE":
        def answer(*args):
            return itertools.count()
    elif marker == "FN_HUGE_INT":
        def answer(*args):
            return 10**5000
    else:
        raise ValueError(marker)
    return answer


def _materialise(value):
    """Build what cannot cross a pipe: iterators that never end, functions."""
    if isinstance(value, str) and value == "INFINITE_ITERATOR":
        return itertools.count()
    if isinstance(value, str) and value.startswith("FN_"):
        return _student_function(value)
    if isinstance(value, tuple):
        return tuple(_materialise(item) for item in value)
    if isinstance(value, list):
        return [_materialise(item) for item in value]
    return value


def _resolve(target):
    module_name, _, name = target.rpartition(".")
    module = __import__(module_name, fromlist=[name])
    return getattr(module, name)


def _check_against_oracle(target, kwargs, result):
    """For pooling that returned: the loop oracle's numbers."""
    import numpy as np

    import oracle as reference
    from poolviz import pooling as windows
    from poolviz._checks import as_numeric_array

    name = target.rpartition(".")[2]
    if name not in ("max_pool2d", "average_pool2d"):
        return
    array = as_numeric_array(kwargs["x"])
    pool, stride, padding = windows.pool_arguments(kwargs.get("pool_size", (2, 2)),
                                                   kwargs.get("strides"),
                                                   kwargs.get("padding", "valid"))
    if array.ndim == 2:
        nhwc = array[np.newaxis, :, :, np.newaxis]
    elif kwargs.get("data_format", "channels_last") == "channels_first":
        nhwc = array.transpose(0, 2, 3, 1)
    else:
        nhwc = array
    if nhwc.size > 4096 or max(pool) > 64:
        return
    loop = reference.max_pool2d_loop if name == "max_pool2d" else reference.average_pool2d_loop
    with np.errstate(all="ignore"):
        expected = loop(nhwc.astype(np.float64), pool, stride, padding)
        got = np.asarray(result, dtype=np.float64)
        if array.ndim == 2:
            got = got[np.newaxis, :, :, np.newaxis]
        elif kwargs.get("data_format", "channels_last") == "channels_first":
            got = got.transpose(0, 2, 3, 1)
        # float32/float16 input is pooled in float32: compare at that precision
        rtol = 1e-12 if np.asarray(result).dtype == np.float64 else 1e-5
        np.testing.assert_allclose(got, expected, rtol=rtol, atol=0, equal_nan=True)


def _run(kind, target, kwargs):
    kwargs = {key: _materialise(value) for key, value in kwargs.items()}
    if kind == "call":
        function = _resolve(target)
        result = function(**kwargs)
        _check_against_oracle(target, kwargs, result)
        if target.startswith("poolviz.plot."):
            import matplotlib.pyplot as plt

            plt.close("all")
        return "returned"
    if kind == "trait":
        model = _resolve(target)()
        name, value = kwargs["name"], kwargs["value"]
        setattr(model, name, value)
        if model.message.startswith("Unexpected error"):
            raise AssertionError(f"the model reports a bug: {model.message}")
        if target.endswith("PoolingExplorerModel") and model.state is not None:
            model.check_with_keras()
            if model.keras_text.startswith("Keras check failed"):
                raise AssertionError(model.keras_text)
        return "returned"
    if kind == "check":
        result = _resolve(target)(kwargs["answer"])
        if result is not None:
            raise AssertionError(f"a check returned {result!r}")
        return "returned"
    raise ValueError(kind)


def _warm_up():
    """Pay the one-off costs before anything is timed."""
    import numpy as np

    import poolviz
    from poolviz import explorer, keras_bridge, plot  # noqa: F401
    from poolviz.exercises import nb01, nb02, nb03, nb04, nb05  # noqa: F401

    x = np.arange(16.0).reshape(4, 4)
    for operation in ("max", "average", "global max", "global average"):
        keras_bridge.compare(x, operation)
    poolviz.max_pool2d(np.ones((2, 200, 200, 4), np.float32), 3, 2, "same")  # numba
    explorer.PoolingExplorerModel().check_with_keras()
    explorer.TranslationExplorerModel()
    from matplotlib.figure import Figure

    plot.pooling_figure(x, fig=Figure())


def main():
    protocol_out = os.fdopen(os.dup(1), "wb")
    protocol_in = sys.stdin.buffer
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, 1)
    sys.stdout = open(os.devnull, "w")
    _warm_up()
    peak_resets = _reset_peak()

    def send(message):
        data = pickle.dumps(message)
        protocol_out.write(struct.pack("<Q", len(data)) + data)
        protocol_out.flush()

    send(("ready", peak_resets))
    while True:
        header = protocol_in.read(8)
        if len(header) < 8:
            return
        (size,) = struct.unpack("<Q", header)
        kind, target, kwargs = pickle.loads(protocol_in.read(size))
        _reset_peak()
        before = _memory_kib("VmRSS")
        started = time.process_time()
        wall = time.perf_counter()
        try:
            outcome = (_run(kind, target, kwargs), "", "")
        except Exception as error:  # noqa: BLE001 - reported to the parent
            outcome = ("raised", f"{type(error).__module__}.{type(error).__name__}",
                       f"{error}"[:2000] + "\n" + traceback.format_exc(limit=-4)[-3000:])
        cpu = time.process_time() - started
        wall = time.perf_counter() - wall
        grown = max(_memory_kib("VmHWM") - before, 0)
        send((*outcome, cpu, wall, grown))


if __name__ == "__main__":
    main()
