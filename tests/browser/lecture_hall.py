"""Drive an explorer in a page: record its pictures, drag a slider, press keys.

Shared by the browser tests (tests/browser/test_dashboard.py), which
assert what a lecturer sees, and by benchmarks/bench_widgets.py, which
prints the rates and delays. Plain functions over a playwright ``Page``;
nothing here imports pytest.

The page records, with ``performance.now()`` (milliseconds):

- every change of the explorer's picture (``img.poolviz-plot`` ``src``);
- every change of its caption (``.poolviz-caption``, sent by the kernel
  right after each picture, saying what the picture shows);
- every key press and every mouse-button release.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

POOLING_EXPLORER = ".poolviz-pooling"
TRANSLATION_EXPLORER = ".poolviz-translation"
PLOT = "img.poolviz-plot"
CAPTION = ".poolviz-caption"
LABEL = ".widget-label"
SLIDER = ".widget-slider"
SLIDER_HANDLE = ".noUi-handle"
SLIDER_TRACK = ".noUi-target"
READOUT = ".widget-readout"
DROPDOWN = ".widget-dropdown"

_INSTALL_RECORDER = """(explorer) => {
    const image = explorer.querySelector('img.poolviz-plot');
    const caption = explorer.querySelector('.poolviz-caption');
    const log = {pictures: [], captions: [], keys: [], releases: []};
    new MutationObserver(() => log.pictures.push(performance.now()))
        .observe(image, {attributes: true, attributeFilter: ['src']});
    new MutationObserver(() => log.captions.push([performance.now(), caption.textContent]))
        .observe(caption, {childList: true, characterData: true, subtree: true});
    document.addEventListener('keydown', () => log.keys.push(performance.now()), true);
    document.addEventListener('mouseup', () => log.releases.push(performance.now()), true);
    window.__poolvizLog = log;
}"""


def control(explorer, widget_selector: str, description: str):
    """The widget of ``widget_selector`` in ``explorer`` whose description is ``description``."""
    label = explorer.page.locator(LABEL, has_text=re.compile(rf"^{re.escape(description)}$"))
    return explorer.locator(widget_selector, has=label)


def open_dashboard(page, url: str, lab: bool = False) -> None:
    """Load the dashboard; in JupyterLab also run all cells (Voila runs them itself)."""
    from playwright.sync_api import expect

    page.goto(url)
    if lab:
        page.wait_for_function("() => window.jupyterapp !== undefined")
        run_all(page)
    for selector in (POOLING_EXPLORER, TRANSLATION_EXPLORER):
        expect(page.locator(selector).locator(PLOT)).to_be_visible()


_KERNEL_READY = """(kernelId) => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return !!kernel && (!kernelId || kernel.id === kernelId) && kernel.connectionStatus === 'connected'
        && kernel.status === 'idle';
}"""


def run_all(page, kernel_id: str | None = None) -> None:
    """In JupyterLab: once the current notebook's kernel (``kernel_id``, if given) is connected
    and idle, clear every output and prompt and start Run All.

    The kernel, not the status bar or the toolbar dot: both can say idle before the notebook
    has a kernel, and Run All then asks for one in a dialog. Clearing first makes "every
    prompt numbered" mean this run. The command is not awaited: its promise can outlive the
    run (page.evaluate has no timeout); callers wait, bounded, for what the run shows.
    """
    page.wait_for_function(_KERNEL_READY, arg=kernel_id)
    page.evaluate("async () => { await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs'); }")
    page.wait_for_function("""() => ![...window.jupyterapp.shell.currentWidget.node
        .querySelectorAll('.jp-CodeCell .jp-InputPrompt')].some(p => /\\[\\d+\\]/.test(p.textContent))""")
    page.evaluate("() => { window.jupyterapp.commands.execute('runmenu:run-all'); }")


def caption(explorer) -> str:
    return explorer.locator(CAPTION).text_content()


def start_recording(explorer) -> None:
    """Start recording pictures, captions, key presses and releases (replaces an earlier record)."""
    explorer.element_handle().evaluate(_INSTALL_RECORDER)


def recorded(page) -> dict:
    return page.evaluate("() => window.__poolvizLog")


def wait_for_caption(explorer, pattern: str) -> None:
    """Wait until the caption (so the picture sent before it) matches the regular expression."""
    from playwright.sync_api import expect

    expect(explorer.locator(CAPTION)).to_have_text(re.compile(pattern))


@dataclass
class Drag:
    """What a drag of a slider did to the picture."""

    seconds: float                  #: from pressing the button to releasing it
    pictures_during: int            #: pictures shown while the button was down
    pictures_after_release: int     #: pictures shown after release, the final one included
    release_to_final_ms: float      #: release until the caption of the final value arrived
    final_caption: str

    @property
    def pictures_per_second(self) -> float:
        return self.pictures_during / self.seconds


def drag_slider(explorer, description: str, final_caption_pattern: str, sweeps: int = 7,
                moves_per_sweep: int = 16, after_release=None) -> Drag:
    """Drag the slider ``description`` back and forth, ending at its right end.

    The mouse crosses the track ``sweeps`` times (made odd, so the last
    sweep ends at the right end) in ``moves_per_sweep`` moves each, as fast
    as the browser takes them (a hand's pace or faster: about 20-40 ms per
    move here). Then the button is released and the caption is awaited
    until it matches ``final_caption_pattern`` (the slider's last value).
    """
    page = explorer.page
    slider = control(explorer, SLIDER, description)
    handle, track = slider.locator(SLIDER_HANDLE), slider.locator(SLIDER_TRACK)
    track.scroll_into_view_if_needed()
    handle_box, track_box = handle.bounding_box(), track.bounding_box()
    y = handle_box["y"] + handle_box["height"] / 2
    left, right = track_box["x"] + 1, track_box["x"] + track_box["width"] - 1
    sweeps += 1 - sweeps % 2
    start_recording(explorer)
    page.mouse.move(handle_box["x"] + handle_box["width"] / 2, y)
    start = page.evaluate("() => performance.now()")
    page.mouse.down()
    for sweep in range(sweeps):
        for index in range(1, moves_per_sweep + 1):
            fraction = index / moves_per_sweep
            x = left + (right - left) * (fraction if sweep % 2 == 0 else 1 - fraction)
            page.mouse.move(x, y)
    page.mouse.up()
    wait_for_caption(explorer, final_caption_pattern)
    if after_release is not None:  # e.g. wait for what the live region says at rest
        after_release()
    # A key press on another control after the final picture: a picture
    # still queued from the drag would arrive before this one's.
    _press_and_wait_for_picture(explorer, "window step", "ArrowRight")
    log = recorded(page)
    released, sentinel = log["releases"][-1], log["keys"][-1]
    captions = [(t, text) for t, text in log["captions"] if t < sentinel]
    final_time, final_text = captions[-1]
    assert re.search(final_caption_pattern, final_text), (final_text, final_caption_pattern)
    for t, text in reversed(captions):  # the first caption of the final value's last run
        if not re.search(final_caption_pattern, text):
            break
        final_time = t
    return Drag(
        seconds=(released - start) / 1000,
        pictures_during=sum(start < t <= released for t in log["pictures"]),
        pictures_after_release=sum(released < t < sentinel for t in log["pictures"]),
        release_to_final_ms=max(0.0, final_time - released),
        final_caption=final_text,
    )


def _press_and_wait_for_picture(explorer, description, key):
    page = explorer.page
    control(explorer, SLIDER, description).locator(SLIDER_HANDLE).focus()
    page.keyboard.press(key)
    # The picture and then its caption, both after the latest key press.
    page.wait_for_function("""() => {
        const log = window.__poolvizLog, pressed = log.keys[log.keys.length - 1];
        return log.pictures.some(t => t > pressed) && log.captions.some(([t]) => t > pressed);
    }""")


def key_press_latencies(explorer, description: str, presses: int = 8) -> list[float]:
    """Milliseconds from each key press (ArrowRight, then ArrowLeft) on a slider to the next picture.

    Each press waits for the caption of the new value before the next one.
    """
    page = explorer.page
    control(explorer, SLIDER, description).locator(SLIDER_HANDLE).scroll_into_view_if_needed()
    start_recording(explorer)
    latencies = []
    for index in range(presses):
        _press_and_wait_for_picture(explorer, description, "ArrowRight" if index % 2 == 0 else "ArrowLeft")
        log = recorded(page)
        pressed = log["keys"][-1]
        latencies.append(min(t for t in log["pictures"] if t > pressed) - pressed)
    return latencies


_FOCUSED_CONTROL = """() => {
    const element = document.activeElement;
    const widget = element && element.closest('.jupyter-widgets:not(.widget-box)');
    if (!widget || !widget.closest('.poolviz-explorer')) return null;
    const explorer = widget.closest('.poolviz-explorer').classList.contains('poolviz-pooling') ? 'pooling'
                                                                                               : 'translation';
    let name;
    if (widget.classList.contains('widget-play')) {
        name = element.querySelector('i').className.replace('fa fa-', 'player ');
    } else if (widget.classList.contains('widget-checkbox')) {
        name = widget.querySelector('.widget-label-basic span').textContent;
    } else if (widget.classList.contains('widget-button')) {
        name = widget.textContent.trim();
    } else {
        name = widget.querySelector('.widget-label').textContent;
    }
    // Relative to the explorer: focus moves scroll the page between stops.
    const box = element.getBoundingClientRect(), origin = widget.closest('.poolviz-explorer').getBoundingClientRect();
    return {explorer, name, tag: element.tagName, x: box.x - origin.x, y: box.y - origin.y};
}"""


def focused_control(page):
    """The explorer control that has the keyboard focus: its explorer, name, tag and position in it; or None."""
    return page.evaluate(_FOCUSED_CONTROL)


def tab_through(page, first_handle, limit: int = 60) -> list[dict]:
    """Focus ``first_handle``, then press Tab until the focus leaves the explorers; return each stop."""
    first_handle.focus()
    stops = []
    for _ in range(limit):
        stop = focused_control(page)
        if stop is None:
            break
        stops.append(stop)
        page.keyboard.press("Tab")
    return stops
