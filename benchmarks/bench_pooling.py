"""How fast is poolviz's NumPy pooling next to TensorFlow's kernels?

Prints one row per (operation, shape, pooling configuration): the median time
of ``poolviz.max_pool2d`` / ``poolviz.average_pool2d`` and of
``tf.nn.max_pool2d`` / ``tf.nn.avg_pool2d`` on the same float32 channels-last
input, measured in the same run, and their ratio (poolviz / TF; below 1 means
poolviz is faster). The machine is shared and noisy: compare ratios, not
microseconds.

Run from the repository root::

    .venv/bin/python benchmarks/bench_pooling.py            # full table
    .venv/bin/python benchmarks/bench_pooling.py --quick    # fewer repeats

TF's oneDNN setting is left as the environment has it (on by default); it
changes TF's speed, so it is printed in the header.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import timeit
from pathlib import Path

import numpy as np

# Run from a checkout without installing: put the repository root first.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
import poolviz  # noqa: E402
from poolviz import _engine  # noqa: E402

SHAPES = [(1, 8, 8, 1), (1, 28, 28, 1), (32, 28, 28, 16), (8, 112, 112, 64), (1, 224, 224, 3)]
CONFIGS = [
    # (pool, stride, padding)
    (2, 2, "valid"),
    (3, 2, "same"),
    (3, 1, "valid"),
]
# The speed targets from the team contract: largest acceptable ratio by shape.
TARGETS = {(1, 8, 8, 1): 0.1, (1, 28, 28, 1): 0.1, (8, 112, 112, 64): 2.0}


def paired_medians(functions, repeats, min_time):
    """Median time of one call of each function, timeit-style.

    Each function is called once untimed (warm-up: allocation, TF's
    first-call setup), then calibrated so that one sample lasts about
    ``min_time`` seconds (microsecond calls are not lost in timer
    resolution). The samples of the functions alternate, so a burst of load
    from another process hits both sides of a ratio alike.
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
        for timer, number, bucket in zip(timers, numbers, samples):
            bucket.append(timer.timeit(number) / number)
    return [statistics.median(bucket) for bucket in samples]


def format_seconds(seconds):
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.2f} ms"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="fewer and shorter repeats (about a quarter of the time)")
    args = parser.parse_args(argv)
    repeats, min_time = (5, 0.01) if args.quick else (9, 0.05)

    from poolviz.keras_bridge import load_keras

    load_keras()  # imports TensorFlow without its start-up lines on stderr
    import tensorflow as tf

    print(f"poolviz vs TensorFlow {tf.__version__}, NumPy {np.__version__}, "
          f"Python {platform.python_version()}, {os.cpu_count()} cores, "
          f"TF_ENABLE_ONEDNN_OPTS={os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'unset (on)')}")
    print(f"float32, channels_last; median of {repeats} repeats; "
          "ratio = poolviz / TF (lower is better)")
    # Large batches with 2 or more channels take numba's compiled loop when
    # it is installed (poolviz[fast]), NumPy's passes otherwise.
    print(f"large batches of 2+ channels pooled by: {_engine.engine_name()}\n")
    header = (f"{'operation':<8} {'shape':<18} {'pool/stride/pad':<16} "
              f"{'poolviz':>11} {'tf.nn':>11} {'ratio':>7}  target")
    print(header)
    print("-" * len(header))

    operations = [
        ("max", poolviz.max_pool2d, tf.nn.max_pool2d),
        ("average", poolviz.average_pool2d, tf.nn.avg_pool2d),
    ]
    generator = np.random.default_rng(0)
    missed = []
    for name, ours, theirs in operations:
        for shape in SHAPES:
            x = generator.random(shape, dtype=np.float32)
            x_tf = tf.constant(x)
            for pool, stride, padding in CONFIGS:
                our_time, their_time = paired_medians(
                    [lambda: ours(x, pool_size=pool, strides=stride, padding=padding),
                     # .numpy(): TF finishes and hands back an array, as poolviz does.
                     lambda: theirs(x_tf, pool, stride, padding.upper()).numpy()],
                    repeats, min_time)
                ratio = our_time / their_time
                target = TARGETS.get(shape)
                verdict = ""
                if target is not None:
                    verdict = f"<= {target:g} " + ("ok" if ratio <= target else "MISSED")
                    if ratio > target:
                        missed.append((name, shape, pool, stride, padding, ratio))
                shape_text = "x".join(map(str, shape))
                print(f"{name:<8} {shape_text:<18} {f'{pool}/{stride}/{padding}':<16} "
                      f"{format_seconds(our_time)} {format_seconds(their_time)} "
                      f"{ratio:7.3f}  {verdict}", flush=True)
        print()
    print(f"{len(missed)} target(s) missed" if missed else "all targets met")


if __name__ == "__main__":
    main()
