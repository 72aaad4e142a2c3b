"""How fast is poolviz's NumPy pooling next to TensorFlow's kernels, and how
much memory does it take?

Prints one row per (operation, shape, pooling configuration): the median time
of ``poolviz.max_pool2d`` / ``poolviz.average_pool2d`` and of
``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` on the same float32 channels-last
input, measured in the same run with alternating samples, their ratio
(poolviz / TF; below 1 means poolviz is faster), and poolviz's peak memory
during one call (tracemalloc) over the bound ``2 x input + output``, plus
64 KiB for the call's Python objects and array headers (which alone exceed
``2 x input + output`` on an 8x8 map).
The machine is shared and noisy: compare ratios, not microseconds.

Targets (issue 18): at most 0.2x TF on a 28x28 map, at most 10x on
(8, 112, 112, 64), peak memory within the bound everywhere.  Each prints
PASS or MISS; the script exits with 1 if any is missed.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pooling.py            # full table
    .venv/bin/python benchmarks/bench_pooling.py --quick    # fewer repeats
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import timeit
import tracemalloc
from pathlib import Path

import numpy as np

# Run from a checkout without installing: put the repository root first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import poolviz  # noqa: E402

SHAPES = [(1, 8, 8, 1), (1, 28, 28, 1), (32, 28, 28, 16), (8, 112, 112, 64), (1, 224, 224, 3)]
CONFIGS = [(2, 2, "valid"), (3, 2, "same"), (3, 1, "valid")]  # (pool, stride, padding)
# Largest acceptable time ratio (poolviz / TF) by shape.
TARGETS = {(1, 28, 28, 1): 0.2, (8, 112, 112, 64): 10.0}
OBJECTS = 64 * 1024  # bytes of Python objects and array headers, whatever the shape


def paired_medians(functions, repeats, min_time):
    """Median time of one call of each function, timeit-style.

    Each function is called once untimed (warm-up), then calibrated so that
    one sample lasts about ``min_time`` seconds.  The samples of the
    functions alternate, so a burst of load from another process hits both
    sides of a ratio alike.
    """
    timers, numbers = [], []
    for function in functions:
        function()
        timer = timeit.Timer(function)
        number, elapsed = timer.autorange()
        timers.append(timer)
        numbers.append(max(1, int(number * min_time / max(elapsed, 1e-9))))
    samples = [[] for _ in functions]
    for _ in range(repeats):
        for timer, number, bucket in zip(timers, numbers, samples, strict=True):
            bucket.append(timer.timeit(number) / number)
    return [statistics.median(bucket) for bucket in samples]


def peak_memory(function):
    """Peak bytes allocated during one call, and the result."""
    tracemalloc.start()
    try:
        result = function()
        return tracemalloc.get_traced_memory()[1], result
    finally:
        tracemalloc.stop()


def format_seconds(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer and shorter repeats")
    args = parser.parse_args(argv)
    repeats, min_time = (5, 0.01) if args.quick else (9, 0.05)

    from poolviz.keras_bridge import load_keras

    load_keras()  # imports TensorFlow without its start-up lines on stderr
    import tensorflow as tf

    print(f"poolviz vs TensorFlow {tf.__version__}, NumPy {np.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset (on)')}")
    print(f"float32, channels_last; median of {repeats} repeats; ratio = poolviz / TF; "
          f"memory = peak / (2 x input + output + 64 KiB)\n")
    header = (f"{'operation':<8} {'shape':<16} {'pool/stride/pad':<15} {'poolviz':>11} "
              f"{'tf.nn':>11} {'ratio':>7}  {'target':<13} {'memory':>6}")
    print(header)
    print("-" * len(header))

    operations = [("max", poolviz.max_pool2d, tf.nn.max_pool2d),
                  ("average", poolviz.average_pool2d, tf.nn.avg_pool2d)]
    generator = np.random.default_rng(0)
    missed = 0
    for name, ours, theirs in operations:
        for shape in SHAPES:
            x = generator.random(shape, dtype=np.float32)
            x_tf = tf.constant(x)
            for pool, stride, padding in CONFIGS:
                def call(ours=ours, x=x, pool=pool, stride=stride, padding=padding):
                    return ours(x, pool_size=pool, strides=stride, padding=padding)

                def tf_call(theirs=theirs, x=x_tf, pool=pool, stride=stride, padding=padding):
                    # .numpy(): TF finishes and hands back an array, as poolviz does.
                    return theirs(x, pool, stride, padding.upper()).numpy()

                our_time, their_time = paired_medians([call, tf_call], repeats, min_time)
                ratio = our_time / their_time
                target = TARGETS.get(shape)
                verdict = ""
                if target is not None:
                    verdict = f"<= {target:g} " + ("PASS" if ratio <= target else "MISS")
                    missed += ratio > target
                peak, result = peak_memory(call)
                memory = peak / (2 * x.nbytes + result.nbytes + OBJECTS)
                missed += memory > 1
                shape_text = "x".join(map(str, shape))
                print(f"{name:<8} {shape_text:<16} {f'{pool}/{stride}/{padding}':<15} "
                      f"{format_seconds(our_time)} {format_seconds(their_time)} {ratio:7.3f}  "
                      f"{verdict:<13} {memory:5.2f} {'PASS' if memory <= 1 else 'MISS'}",
                      flush=True)
        print()
    print(f"{missed} target(s) missed" if missed else "all targets met")
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
