"""The dashboard in a lecture hall: sharp, monospace, on one screen, live while dragging, keyboard-driven.

Run in Voila (default and lecture style, served as ``make present`` does)
and in JupyterLab. Screenshots land in test-artifacts/browser/ as
``hall-<where>-<width>x<height>-dpr<ratio>-<explorer>.png``; the drag
figures of each run in ``hall-<where>-drag.txt`` (for reading, not asserted:
speed targets live in benchmarks/bench_widgets.py).
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

import lecture_hall as hall
from conftest import PAGE_TIMEOUT_MS

pytestmark = pytest.mark.browser

WHERE = ["voila-default", "voila-lecture", "lab"]
SCREENS = [(1280, 720, 1), (1920, 1080, 2)]

POOLING_TAB_ORDER = ["pool rows", "pool cols", "strides same as pool", "stride rows", "stride cols", "padding",
                     "operation", "input", "shift rows", "shift cols", "window step", "player play", "player stop",
                     "Check with Keras", "show coverage (windows per input cell)", "numbers"]
TRANSLATION_TAB_ORDER = ["shift (px)", "pool size", "operation", "input", "direction", "numbers"]

# Widths of a run of narrow and of wide characters in an element's own font.
_GLYPH_WIDTHS = """(element) => {
    const context = document.createElement('canvas').getContext('2d');
    context.font = getComputedStyle(element).font;
    return [context.measureText('iiiiiiiiii').width, context.measureText('MMMMMMMMMM').width,
            context.measureText('max(0.0, 0.0,').width, context.measureText('    0.0, 0.0)').width];
}"""


def dashboard_url(request, where: str) -> tuple[str, bool]:
    if where == "lab":
        return request.getfixturevalue("jupyter_lab").notebook_url, True
    fixture = "voila_dashboard" if where == "voila-default" else "voila_lecture_dashboard"
    return request.getfixturevalue(fixture).url, False


@contextmanager
def opened(request, chromium, artifacts_dir, where: str, width: int = 1280, height: int = 720,
           device_pixel_ratio: int = 1):
    """A page of ``where`` at this viewport and pixel ratio, with both explorers drawn."""
    from playwright.sync_api import expect

    url, lab = dashboard_url(request, where)
    context = chromium.new_context(viewport={"width": width, "height": height},
                                   device_scale_factor=device_pixel_ratio)
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    page = context.new_page()
    messages: list[str] = []
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    try:
        hall.open_dashboard(page, url, lab=lab)
        yield page
    finally:
        (artifacts_dir / f"{request.node.name}-console.log").write_text("\n".join(messages) + "\n")
        context.close()


def boxes_in_view(page, selectors) -> list[str]:
    """Descriptions of the visible elements matching ``selectors`` that are not wholly inside the viewport."""
    return page.evaluate("""(selectors) => {
        const outside = [];
        for (const element of document.querySelectorAll(selectors)) {
            const box = element.getBoundingClientRect();
            if (box.width === 0 && box.height === 0) continue;  // not displayed
            if (box.top < 0 || box.left < 0 || box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5) {
                outside.push(`${element.className.slice(0, 60)} at ${JSON.stringify(box)}`);
            }
        }
        return outside;
    }""", selectors)


# The lecture style on both screens (it must fit them); the others once each, HiDPI for Voila's default.
SCREEN_CASES = [("voila-lecture", *SCREENS[0]), ("voila-lecture", *SCREENS[1]), ("voila-default", *SCREENS[1]),
                ("lab", *SCREENS[0])]


@pytest.mark.parametrize("where, width, height, device_pixel_ratio", SCREEN_CASES, ids=lambda v: str(v))
def test_pictures_are_sharp_texts_monospace_and_lecture_fits_the_screen(
        request, chromium, artifacts_dir, where, width, height, device_pixel_ratio):
    with opened(request, chromium, artifacts_dir, where, width, height, device_pixel_ratio) as page:
        assert page.evaluate("() => devicePixelRatio") == device_pixel_ratio
        for kind in ("pooling", "translation"):
            explorer = page.locator(f".poolviz-{kind}")
            explorer.evaluate("element => element.scrollIntoView({block: 'start'})")
            page.screenshot(path=artifacts_dir / f"hall-{where}-{width}x{height}-dpr{device_pixel_ratio}-{kind}.png")
            natural, shown = explorer.locator(hall.PLOT).evaluate(
                "image => [image.naturalWidth, image.getBoundingClientRect().width]")
            assert shown > 300, f"{kind} picture shown only {shown} px wide"
            assert natural >= shown * device_pixel_ratio, (
                f"{kind} picture stretched: {natural} pixels shown over {shown} CSS px at ratio {device_pixel_ratio}")
            if where == "voila-lecture":
                # Controls, picture and texts together on the screen, no scrolling between them.
                parts = (f".poolviz-{kind} .widget-slider, .poolviz-{kind} .widget-dropdown, "
                         f".poolviz-{kind} .widget-checkbox, .poolviz-{kind} .widget-play, "
                         f".poolviz-{kind} img.poolviz-plot, .poolviz-{kind} pre")
                assert boxes_in_view(page, parts) == [], f"{kind} explorer does not fit {width}x{height}"
        for text in page.locator(".poolviz-explorer pre").all():
            family = text.evaluate("element => getComputedStyle(element).fontFamily")
            narrow, wide, first_row, second_row = text.evaluate(_GLYPH_WIDTHS)
            assert narrow == pytest.approx(wide), f"proportional font for the arithmetic: {family}"
            assert first_row == pytest.approx(second_row)  # 'max(0.0, 0.0,' over '    0.0, 0.0)'
        if where == "voila-lecture":
            prose = page.locator(".jp-RenderedMarkdown p").first
            assert float(prose.evaluate("element => getComputedStyle(element).fontSize")[:-2]) >= 22


@pytest.mark.parametrize("where", WHERE)
def test_dragging_draws_while_moving_and_the_final_value_right_after_release(
        request, chromium, artifacts_dir, where):
    with opened(request, chromium, artifacts_dir, where) as page:
        explorer = page.locator(hall.POOLING_EXPLORER)
        hall.control(explorer, hall.DROPDOWN, "input").locator("select").select_option("photograph")
        hall.wait_for_caption(explorer, r"^input photograph 75 x 64, shifted \(0, 0\)")
        drag = hall.drag_slider(explorer, "shift cols", r"shifted \(0, 4\)")
    (artifacts_dir / f"hall-{where}-drag.txt").write_text(
        f"{drag}\npictures per second while dragging: {drag.pictures_per_second:.1f}\n")
    assert drag.pictures_during >= 3, f"the picture did not follow the drag: {drag}"
    # Coalesced, not queued: at most the update in flight at release, then the final value.
    assert drag.pictures_after_release <= 2, drag
    assert drag.final_caption.startswith("input photograph 75 x 64, shifted (0, 4)")


@pytest.mark.parametrize("where", WHERE)
def test_keyboard_reaches_every_control_in_layout_order_and_drives_the_player(
        request, chromium, artifacts_dir, where):
    from playwright.sync_api import expect

    with opened(request, chromium, artifacts_dir, where) as page:
        explorer = page.locator(hall.POOLING_EXPLORER)
        stops = hall.tab_through(page, hall.control(explorer, hall.SLIDER, "pool rows").locator(hall.SLIDER_HANDLE))
        names = [stop["name"] for index, stop in enumerate(stops)
                 if index == 0 or stop["name"] != stops[index - 1]["name"]]  # a slider: handle, then readout
        assert names == POOLING_TAB_ORDER + TRANSLATION_TAB_ORDER, names
        first = {}
        for stop in stops:
            first.setdefault((stop["explorer"], stop["name"]), stop)
        position = {name: (first[("pooling", name)]["x"], first[("pooling", name)]["y"])
                    for name in POOLING_TAB_ORDER}
        if where == "voila-lecture":  # one column of controls, top to bottom; the Keras button beside it
            column = [position[name][1] for name in POOLING_TAB_ORDER[:11]]
            assert column == sorted(column), column
            assert position["Check with Keras"][0] > max(position[name][0] for name in POOLING_TAB_ORDER[:11])
        else:  # two columns, left then right, then the window stepper and the Keras button below
            left = [position[name][1] for name in POOLING_TAB_ORDER[:5]]
            right = [position[name][1] for name in POOLING_TAB_ORDER[5:10]]
            assert left == sorted(left) and right == sorted(right), (left, right)
            assert position["padding"][0] > position["pool rows"][0]
            assert position["window step"][1] > max(left + right)
            assert position["Check with Keras"][1] > position["window step"][1]
        # The coverage checkbox sits under the Keras button, with the picture it shows.
        assert position["show coverage (windows per input cell)"][1] > position["Check with Keras"][1]

        # The player (9 windows, one step per 0.9 s): Space starts it, Space pauses it,
        # Enter on the stop button rewinds it.
        play, stop = explorer.locator(".widget-play button").nth(0), explorer.locator(".widget-play button").nth(1)
        play.focus()
        page.keyboard.press("Space")
        expect(play.locator("i")).to_have_class("fa fa-pause")
        hall.wait_for_caption(explorer, r"; window [2-8] of 9$")  # moving, not yet at the end
        page.keyboard.press("Space")
        expect(play.locator("i")).to_have_class("fa fa-play")
        page.keyboard.press("Tab")
        assert hall.focused_control(page)["name"] == "player stop"
        page.keyboard.press("Enter")
        hall.wait_for_caption(explorer, r"; window 1 of 9$")
        step_readout = hall.control(explorer, hall.SLIDER, "window step").locator(hall.READOUT)
        expect(step_readout).to_have_text("1")  # counted from 1, as "window 1 of 9"

        # With 'strides same as pool', the disabled stride slider shows the stride used.
        pool_rows = hall.control(explorer, hall.SLIDER, "pool rows")
        pool_rows.locator(hall.SLIDER_HANDLE).focus()
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        expect(pool_rows.locator(hall.READOUT)).to_have_text("4")
        expect(hall.control(explorer, hall.SLIDER, "stride rows").locator(hall.READOUT)).to_have_text("4")
        hall.wait_for_caption(explorer, r"pooling 4 x 2, strides 4 x 2, .*; window 1 of 3$")
