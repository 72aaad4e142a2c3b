"""Update latency of the pooling explorer, in the kernel and through a browser.

What a student waits for after moving a control: the model recomputes,
the figure's artists are updated in place, the figure is drawn (only the
layers that changed) and encoded as PNG into the ``ipywidgets.Image``.
The first table measures that in this process, from setting the widget's
value to the new PNG being in place.

The second table measures it through a browser (headless Chromium, as in
tests/browser/), in Voila and in JupyterLab, on a dashboard with a 28 x 28
random input: pictures per second while a slider ("shift cols") is
dragged back and forth, on the 28 x 28 input and on the photograph
(75 x 64); the delay from releasing the mouse to the final value's
picture; and key press (ArrowRight/ArrowLeft) to new picture, median of 8.
It needs /usr/bin/chromium (or ``$POOLVIZ_CHROMIUM``) and playwright;
``--no-browser`` skips it.

Run: ``python benchmarks/bench_widgets.py`` (``--repeat N`` for more
samples). Prints the median (and 90th percentile) in milliseconds per
input size and kind of change. Targets: median <= 30 ms at 28 x 28 in the
kernel; 10 or more pictures per second while dragging at 28 x 28.
"""

import argparse
import importlib.util
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("MPLBACKEND", "Agg")

import nbformat  # noqa: E402
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
        step = controls["window step"]  # counted from 1, like "step 1 of 9"
        step.value = step.value % step.max + 1

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
        backgrounds = getattr(getattr(explorer.figure, "_renderer", None), "_backgrounds", None)

        def new_layout(backgrounds=backgrounds, explorer=explorer):
            backgrounds.clear()  # as if this pool size had never been shown (the renderer's cache)
            _changes(explorer)["pool rows"]()

        if backgrounds is not None:
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


# --------------------------------------------------------------------------
# Through a browser
# --------------------------------------------------------------------------
REPO_ROOT = Path(__file__).resolve().parents[1]
BROWSER_TESTS = REPO_ROOT / "tests" / "browser"
RANDOM_28 = "np.random.default_rng(0).random((28, 28))"


def _browser_helpers():
    """tests/browser/conftest.py (servers, Chromium flags) and lecture_hall.py (the measurements)."""
    sys.path.insert(0, str(BROWSER_TESTS))
    spec = importlib.util.spec_from_file_location("poolviz_browser_conftest", BROWSER_TESTS / "conftest.py")
    servers = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = servers  # its dataclasses look their module up there
    spec.loader.exec_module(servers)
    import lecture_hall

    return servers, lecture_hall


def _dashboard_28x28(folder):
    """The lecture dashboard with a 28 x 28 random array in the pooling explorer."""
    notebook = nbformat.read(REPO_ROOT / "present" / "lecture.ipynb", as_version=4)
    cell = next(cell for cell in notebook.cells if "pooling_explorer(" in cell.source)
    cell.source = f"import numpy as np\n\npooling_explorer({RANDOM_28}, lecture=LECTURE)"
    path = Path(folder) / "dashboard_28x28.ipynb"
    nbformat.write(notebook, path)
    return path


def _measure_page(page, url, lab, hall, repeat_keys):
    hall.open_dashboard(page, url, lab=lab)
    explorer = page.locator(hall.POOLING_EXPLORER)
    hall.wait_for_caption(explorer, r"^input your array 28 x 28")
    keys = hall.key_press_latencies(explorer, "shift cols", presses=repeat_keys)
    drags = {"28 x 28": hall.drag_slider(explorer, "shift cols", r"^input your array 28 x 28, shifted \(0, 4\)")}
    hall.control(explorer, hall.DROPDOWN, "input").locator("select").select_option("photograph")
    hall.wait_for_caption(explorer, r"^input photograph 75 x 64, ")
    drags["photograph"] = hall.drag_slider(explorer, "shift cols", r"^input photograph 75 x 64, shifted \(0, 4\)")
    return keys, drags


def browser_main(repeat_keys=8):
    """Print drag rates, release-to-final delays and key press latencies in Voila and JupyterLab."""
    try:
        servers, hall = _browser_helpers()
        from playwright.sync_api import expect, sync_playwright
    except ImportError as error:
        print(f"\nbrowser measurements skipped: {error}")
        return None
    chromium = servers.find_chromium()
    if chromium is None:
        print("\nbrowser measurements skipped: no Chromium (see tests/browser/conftest.py)")
        return None
    print(f"\nthrough headless Chromium ({os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f} at start): "
          f"dragging 'shift cols' back and forth,\nkey presses on it ({repeat_keys}, median); default style, "
          f"1280 x 720 at devicePixelRatio 1")
    print(f"{'where':<12}{'input':<12}{'pictures/s':>11}{'release->final ms':>19}{'pictures after':>16}"
          f"{'key->picture ms':>17}")
    results = {}
    logs = REPO_ROOT / "test-artifacts" / "bench-widgets"  # server logs, kept for a look after a failure
    logs.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        notebook = _dashboard_28x28(folder)
        port = servers.free_port()
        voila = servers.ServerProcess([sys.executable, str(REPO_ROOT / "scripts" / "present.py"), str(notebook),
                                       f"--port={port}"], logs / "voila.log", cwd=REPO_ROOT)
        (Path(folder) / "lab").mkdir()
        lab, lab_address, lab_ready = servers.launch_jupyter_lab(Path(folder) / "lab", notebook, logs / "lab.log")
        try:
            voila.wait_until(lambda: servers.port_accepts_connections(port), "Voila")
            lab.wait_until(lab_ready, "JupyterLab")
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=str(chromium), headless=True,
                                                     args=servers.CHROMIUM_ARGS)
                for where, url, is_lab in [("Voila", f"http://127.0.0.1:{port}/", False),
                                           ("JupyterLab", lab_address.notebook_url, True)]:
                    context = browser.new_context(viewport={"width": 1280, "height": 720})
                    context.set_default_timeout(servers.PAGE_TIMEOUT_MS)
                    expect.set_options(timeout=servers.PAGE_TIMEOUT_MS)
                    keys, drags = _measure_page(context.new_page(), url, is_lab, hall, repeat_keys)
                    context.close()
                    for index, (name, drag) in enumerate(drags.items()):
                        key_column = f"{statistics.median(keys):>17.0f}" if index == 0 else ""
                        print(f"{where if index == 0 else '':<12}{name:<12}{drag.pictures_per_second:>11.1f}"
                              f"{drag.release_to_final_ms:>19.0f}{drag.pictures_after_release:>16}{key_column}")
                    results[where] = (keys, drags)
                browser.close()
        finally:
            voila.terminate()
            lab.terminate()
            voila.stop()
            lab.stop()
    print("pictures after: pictures drawn after the release, the final one included (coalesced: at most 2)")
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30, help="samples per change (default 30)")
    parser.add_argument("--no-browser", action="store_true", help="skip the measurements through Chromium")
    arguments = parser.parse_args()
    main(arguments.repeat)
    if not arguments.no_browser:
        browser_main()
