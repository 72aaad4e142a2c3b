"""Update latency of the pooling explorer, in the kernel.

What a student waits for after moving a control: the model recomputes,
the figure's artists are updated in place, the figure is drawn (only the
layers that changed) and encoded as PNG into the ``ipywidgets.Image``.
Measured from setting the widget's value to the new PNG being in place;
the trip through the browser (~0.2 s measured) is not included.

Run: ``python benchmarks/bench_widgets.py`` (``--repeat N`` for more
samples). Prints the median (and 90th percentile) in milliseconds per
input size and kind of change. Target: median <= 30 ms at 28 x 28.
"""

import argparse
import os
import statistics
import time

os.environ.setdefault("MPLBACKEND", "Agg")

import numpy as np  # noqa: E402

from poolviz.widgets import pooling_explorer, translation_explorer  # noqa: E402

SIZES = (8, 28, 224)


def _changes(explorer):
    """Name -> function making one change, alternating between two values."""
    controls = explorer.controls

    def toggle(name, first, second):
        def change():
            control = controls[name]
            control.value = second if control.value == first else first
        return change

    def next_step():
        step = controls["window step"]
        step.value = (step.value + 1) % (step.max + 1)

    return {
        "window step": next_step,                            # only the window moves
        "shift cols": toggle("shift cols", 0, 1),            # new data, same layout
        "operation": toggle("operation", "max", "average"),  # new output values
        "pool rows": toggle("pool rows", 2, 3),              # new output shape: full redraw
    }


def _time(change, explorer, repeat):
    """Wall-clock and CPU milliseconds of `repeat` changes.

    CPU time (this process only) is the steadier number on a shared
    machine: other processes stretch the wall clock, not the CPU time.
    """
    samples = []
    for _ in range(repeat):
        before = explorer.redraws
        wall, cpu = time.perf_counter(), time.process_time()
        change()
        samples.append(((time.perf_counter() - wall) * 1e3, (time.process_time() - cpu) * 1e3))
        assert explorer.redraws == before + 1, "the change did not redraw"
    return samples


def _row(label, samples):
    walls = sorted(wall for wall, _ in samples)
    p90 = walls[int(0.9 * (len(walls) - 1))]
    cpu = statistics.median(cpu for _, cpu in samples)
    return f"{label:<20}{statistics.median(walls):>9.1f}{p90:>9.1f}{cpu:>9.1f}"


HEADER = f"{'change':<20}{'median':>9}{'p90':>9}{'cpu':>9}"


def main(repeat=30):
    print(f"poolviz explorer update latency in ms: wall-clock median and 90th percentile, and median CPU time\n"
          f"of this process, over {repeat} changes each; {os.cpu_count()} cores, load average "
          f"{os.getloadavg()[0]:.1f} at start")
    all_samples = {}
    for size in SIZES:
        feature_map = np.random.default_rng(0).random((size, size))
        start = time.perf_counter()
        explorer = pooling_explorer(feature_map)
        build = (time.perf_counter() - start) * 1e3
        print(f"\n{size} x {size} input (explorer built and first drawn in {build:.0f} ms)")
        print(HEADER)
        mixed = []
        for name, change in _changes(explorer).items():
            change()  # warm up this kind of change
            samples = _time(change, explorer, repeat)
            mixed += samples
            print(_row(name, samples))
        renderer = explorer.figure._renderer

        def new_layout():
            renderer._backgrounds.clear()  # as if this pool size had never been shown
            _changes(explorer)["pool rows"]()

        print(_row("pool rows, 1st time", _time(new_layout, explorer, repeat)))
        print(_row("all but 1st time", mixed))
        all_samples[size] = mixed
    translation = translation_explorer()
    shift = translation.controls["shift (px)"]

    def move():
        shift.value = 1 if shift.value != 1 else 2

    move()
    print(f"\ntranslation explorer, 8 x 8 line\n{HEADER}")
    print(_row("shift", _time(move, translation, repeat)))
    return all_samples


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="samples per change (default 30)")
    main(parser.parse_args().repeat)
