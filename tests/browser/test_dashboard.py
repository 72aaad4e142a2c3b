"""The lecture dashboard in a real browser: it follows a student's hands, and
it works in a lecture hall (sharp, monospace, on one screen, live while
dragging, driven from the keyboard).

Three places: Voila in the lecture and the default style (served as
``make dashboard`` does) and JupyterLab (after Run All). Each page is loaded
once, at 1280x720, and the tests below share it in file order: a load starts
a kernel and runs the notebook (5-10 s each on the 2-core machine), so one
load per place instead of one per test took the browser tests from 14 loads
to 3. Each test leaves the controls as it found them, through the controls.

Screenshots land in test-artifacts/browser/ as
``hall-<where>-<width>x<height>-dpr<ratio>-<explorer>.png`` and
``<where>-<step>.png``; the drag figures in ``hall-<where>-drag.txt`` (for
reading, not asserted: speed targets live in benchmarks/bench_widgets.py).
"""

from __future__ import annotations

import base64
import re
from dataclasses import dataclass

import pytest
from axe import audit, counts, report

import lecture_hall as hall
from conftest import new_page

pytestmark = pytest.mark.browser

POOLING_TAB_ORDER = ["pool rows", "pool cols", "strides same as pool", "stride rows", "stride cols", "padding",
                     "operation", "input", "shift rows", "shift cols", "window step", "player play", "player stop",
                     "Check with Keras", "show coverage (windows per input cell)", "numbers"]
TRANSLATION_TAB_ORDER = ["shift (px)", "pool size", "operation", "input", "direction", "numbers"]

# The default input is the tutorial's 6 x 6 line-detector output.
FORMULA = ".poolviz-formula"
FORMULA_POOL_2_VALID = ("output rows = floor((6 - 2) / 2) + 1 = 3\n"
                        "output cols = floor((6 - 2) / 2) + 1 = 3\n"
                        "output shape = (3, 3)")
FORMULA_POOL_3x2_VALID = ("output rows = floor((6 - 3) / 3) + 1 = 2\n"
                          "output cols = floor((6 - 2) / 2) + 1 = 3\n"
                          "output shape = (2, 3)")
FORMULA_POOL_4x2_VALID = ("output rows = floor((6 - 4) / 4) + 1 = 1\n"
                          "output cols = floor((6 - 2) / 2) + 1 = 3\n"
                          "output shape = (1, 3)")
# 6 rows in windows of 4 need 2 padded rows: the picture must change too.
FORMULA_POOL_4x2_SAME = ("output rows = ceil(6 / 4) = 2\n"
                         "output cols = ceil(6 / 2) = 3\n"
                         "output shape = (2, 3)")

# Widths of a run of narrow and of wide characters in an element's own font.
_GLYPH_WIDTHS = """(element) => {
    const context = document.createElement('canvas').getContext('2d');
    context.font = getComputedStyle(element).font;
    return [context.measureText('iiiiiiiiii').width, context.measureText('MMMMMMMMMM').width,
            context.measureText('max(0.0, 0.0,').width, context.measureText('    0.0, 0.0)').width];
}"""

# The screens each place is checked on: the lecture style on both (it must fit
# them), Voila's default style also at HiDPI, JupyterLab at the projector's size.
SCREENS = {"voila-lecture": [(1280, 720, 1), (1920, 1080, 2)],
           "voila-default": [(1280, 720, 1), (1920, 1080, 2)],
           "lab": [(1280, 720, 1)]}


@dataclass
class Dashboard:
    where: str
    page: object

    @property
    def explorer(self):
        return self.page.locator(hall.POOLING_EXPLORER)


@pytest.fixture(scope="module", params=list(SCREENS))
def dashboard(request, chromium, artifacts_dir):
    """The dashboard in one place, loaded once at 1280x720 with both explorers drawn."""
    where = request.param
    # All three places boot side by side on the first load; each test below waits for its own.
    request.getfixturevalue("servers").start("JupyterLab", "Voila (default style)", "Voila (lecture style)")
    if where == "lab":
        url = request.getfixturevalue("jupyter_lab").notebook_url
    else:
        url = request.getfixturevalue("voila_dashboard" if where == "voila-default"
                                      else "voila_lecture_dashboard").url
    context, page, messages = new_page(chromium)
    try:
        hall.open_dashboard(page, url, lab=where == "lab")
        yield Dashboard(where, page)
    finally:
        (artifacts_dir / f"dashboard-{where}-console.log").write_text("\n".join(messages) + "\n")
        context.close()


def set_screen(page, width: int, height: int, device_pixel_ratio: int):
    """Emulate another screen on the loaded page, without reloading it; return the DevTools session.

    Through Chromium's DevTools protocol: Playwright's own ``page.screenshot``
    would reset the emulated screen, so pictures are taken with the session's
    ``Page.captureScreenshot`` (see :func:`screenshot`).
    """
    session = page.context.new_cdp_session(page)
    session.send("Emulation.setDeviceMetricsOverride",
                 {"width": width, "height": height, "deviceScaleFactor": device_pixel_ratio, "mobile": False})
    page.wait_for_function("([w, h, r]) => innerWidth === w && innerHeight === h && devicePixelRatio === r",
                           arg=[width, height, device_pixel_ratio])
    return session


def screenshot(session, path) -> None:
    path.write_bytes(base64.b64decode(session.send("Page.captureScreenshot", {"format": "png"})["data"]))


def boxes_outside_view(page, selectors) -> list[str]:
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


def test_pictures_are_sharp_texts_monospace_and_lecture_fits_the_screen(dashboard, artifacts_dir):
    page, where = dashboard.page, dashboard.where
    try:
        for width, height, device_pixel_ratio in SCREENS[where]:
            session = set_screen(page, width, height, device_pixel_ratio)
            for kind in ("pooling", "translation"):
                explorer = page.locator(f".poolviz-{kind}")
                explorer.evaluate("element => element.scrollIntoView({block: 'start'})")
                natural, shown, screen = explorer.locator(hall.PLOT).evaluate(
                    "image => [image.naturalWidth, image.getBoundingClientRect().width,"
                    "          [innerWidth, innerHeight, devicePixelRatio]]")
                assert screen == [width, height, device_pixel_ratio], f"measured on {screen}"
                assert shown > 300, f"{kind} picture shown only {shown} px wide at {width}x{height}"
                assert natural >= shown * device_pixel_ratio, (
                    f"{kind} picture stretched: {natural} pixels shown over {shown} CSS px "
                    f"at ratio {device_pixel_ratio}")
                if where == "voila-lecture":
                    # Controls, picture and texts together on the screen, no scrolling between them.
                    parts = (f".poolviz-{kind} .widget-slider, .poolviz-{kind} .widget-dropdown, "
                             f".poolviz-{kind} .widget-checkbox, .poolviz-{kind} .widget-play, "
                             f".poolviz-{kind} img.poolviz-plot, .poolviz-{kind} pre")
                    assert boxes_outside_view(page, parts) == [], f"{kind} explorer does not fit {width}x{height}"
                screenshot(session, artifacts_dir / f"hall-{where}-{width}x{height}-dpr{device_pixel_ratio}-{kind}.png")
    finally:
        set_screen(page, 1280, 720, 1)
    for text in page.locator(".poolviz-explorer pre").all():
        family = text.evaluate("element => getComputedStyle(element).fontFamily")
        narrow, wide, first_row, second_row = text.evaluate(_GLYPH_WIDTHS)
        assert narrow == pytest.approx(wide), f"proportional font for the arithmetic: {family}"
        assert first_row == pytest.approx(second_row)  # 'max(0.0, 0.0,' over '    0.0, 0.0)'
    if where == "voila-lecture":
        prose = page.locator(".jp-RenderedMarkdown p").first
        assert float(prose.evaluate("element => getComputedStyle(element).fontSize")[:-2]) >= 22


def test_lecture_style_enlarges_the_controls_text(dashboard):
    """Against the theme's own widget font size, read on the same page."""
    from playwright.sync_api import expect

    page, lecture = dashboard.page, dashboard.where == "voila-lecture"
    theme_size = float(page.evaluate(
        "() => getComputedStyle(document.body).getPropertyValue('--jp-widgets-font-size')").strip()[:-2])
    label = hall.control(dashboard.explorer, hall.SLIDER, "pool rows").locator(hall.LABEL)
    checkbox = dashboard.explorer.locator(".widget-checkbox .widget-label-basic span", has_text="strides same as pool")
    sizes = [float(element.evaluate("element => getComputedStyle(element).fontSize")[:-2])
             for element in (label, checkbox)]
    expect(page.locator(".poolviz-lecture")).to_have_count(2 if lecture else 0)  # both explorers, or neither
    if lecture:
        assert min(sizes) >= 1.5 * theme_size, f"label and checkbox text {sizes} px, theme {theme_size} px"
    else:
        assert sizes == [theme_size, theme_size], f"label and checkbox text {sizes} px, theme {theme_size} px"


def test_explorer_follows_the_controls(dashboard, artifacts_dir):
    """Two presses on "pool rows", then padding 'same': the readout, the
    formula (exact text) and the picture (new source, other pixels) follow."""
    from playwright.sync_api import expect

    page, explorer = dashboard.page, dashboard.explorer
    pool_rows = hall.control(explorer, hall.SLIDER, "pool rows")
    handle, readout = pool_rows.locator(hall.SLIDER_HANDLE), pool_rows.locator(hall.READOUT)
    padding = hall.control(explorer, hall.DROPDOWN, "padding").locator("select")
    formula, plot = explorer.locator(FORMULA), explorer.locator(hall.PLOT)

    expect(readout).to_have_text("2")
    expect(formula).to_have_text(FORMULA_POOL_2_VALID)
    for pool_size, expected_formula in [(3, FORMULA_POOL_3x2_VALID), (4, FORMULA_POOL_4x2_VALID)]:
        source, pixels = plot.get_attribute("src"), plot.screenshot()
        handle.focus()
        page.keyboard.press("ArrowRight")
        expect(readout).to_have_text(str(pool_size))
        expect(formula).to_have_text(expected_formula)
        expect(plot).not_to_have_attribute("src", source)
        assert plot.screenshot() != pixels, f"the picture kept its pixels when pool rows became {pool_size}"
    source, pixels = plot.get_attribute("src"), plot.screenshot()
    padding.select_option("same")
    expect(formula).to_have_text(FORMULA_POOL_4x2_SAME)
    expect(plot).not_to_have_attribute("src", source)
    assert plot.screenshot() != pixels, "the picture kept its pixels after padding changed to 'same'"
    explorer.evaluate("element => element.scrollIntoView({block: 'start'})")
    page.screenshot(path=artifacts_dir / f"{dashboard.where}-pool-4x2-same.png")

    # Back as found, as a student would: padding 'valid', two presses back.
    padding.select_option("valid")
    handle.focus()
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    expect(formula).to_have_text(FORMULA_POOL_2_VALID)


def test_keyboard_reaches_every_control_in_layout_order_and_drives_the_player(dashboard):
    from playwright.sync_api import expect

    page, explorer, where = dashboard.page, dashboard.explorer, dashboard.where
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
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    hall.wait_for_caption(explorer, r"pooling 2 x 2, strides 2 x 2, .*; window 1 of 9$")


def _alt(explorer):
    return explorer.locator(hall.PLOT).get_attribute("alt") or ""


def test_axe_finds_nothing_serious_and_each_picture_has_words_that_follow_it(dashboard, artifacts_dir):
    """axe-core (serious and critical) on the page (JupyterLab: on the outputs, not Lab's own
    chrome); each explorer picture's alt says what it shows and follows it; controls are named."""
    from playwright.sync_api import expect

    page, pooling, where = dashboard.page, dashboard.explorer, dashboard.where
    translation = page.locator(hall.TRANSLATION_EXPLORER)
    expect(pooling.locator(hall.PLOT)).to_have_attribute("alt", re.compile("window 1 of 9"))
    violations = audit(page, ".jp-OutputArea" if where == "lab" else "body")
    (artifacts_dir / f"axe-{where}.txt").write_text(
        f"{sum(counts(violations).values())} nodes {dict(counts(violations))}\n{report(violations, where)}\n")
    assert violations == [], report(violations, where)

    for explorer, kind in ((pooling, "pooling"), (translation, "translation")):
        assert len(_alt(explorer)) > 40, f"{kind} picture: alt {_alt(explorer)!r}"
    assert _alt(pooling).startswith("max pooling 2 x 2, strides 2 x 2, valid, of the 6 x 6 "), _alt(pooling)
    moves = (("pool rows", "ArrowRight"), ("window step", "ArrowRight"))
    for description, key in moves:
        before_alt, before_src = _alt(pooling), pooling.locator(hall.PLOT).get_attribute("src")
        hall.control(pooling, hall.SLIDER, description).locator(hall.SLIDER_HANDLE).focus()
        page.keyboard.press(key)
        expect(pooling.locator(hall.PLOT)).not_to_have_attribute("src", before_src)
        expect(pooling.locator(hall.PLOT)).not_to_have_attribute("alt", before_alt)
    assert "pooling 3 x 2" in _alt(pooling) and "window 2 of 6" in _alt(pooling), _alt(pooling)
    # Focus shows: the handle the keys moved has a 3 px outline.
    handle = hall.control(pooling, hall.SLIDER, "window step").locator(hall.SLIDER_HANDLE)
    assert handle.evaluate("h => [h.matches(':focus-visible'), getComputedStyle(h).outlineStyle, "
                           "getComputedStyle(h).outlineWidth]") == [True, "solid", "3px"]
    assert handle.get_attribute("aria-label") == "window step"
    assert handle.get_attribute("aria-disabled") == "false"
    # With 'strides same as pool' (the default) the stride sliders are disabled, and say so.
    stride = hall.control(pooling, hall.SLIDER, "stride rows")
    assert stride.locator(hall.SLIDER_HANDLE).get_attribute("aria-disabled") == "true"
    assert stride.locator(hall.READOUT).get_attribute("aria-label") == "stride rows value"
    assert [button.get_attribute("aria-label") for button in pooling.locator(".widget-play button").all()
            if button.is_visible()] == ["play the window walk", "stop: back to window 1"]
    before_alt = _alt(translation)
    shift = hall.control(translation, hall.SLIDER, "shift (px)").locator(hall.SLIDER_HANDLE)
    shift.focus()
    page.keyboard.press("ArrowRight")
    expect(translation.locator(hall.PLOT)).not_to_have_attribute("alt", before_alt)

    # Back as found.
    page.keyboard.press("ArrowLeft")
    expect(translation.locator(hall.PLOT)).to_have_attribute("alt", before_alt)
    for description, _ in reversed(moves):
        hall.control(pooling, hall.SLIDER, description).locator(hall.SLIDER_HANDLE).focus()
        page.keyboard.press("ArrowLeft")
    hall.wait_for_caption(pooling, r"pooling 2 x 2, strides 2 x 2, .*; window 1 of 9$")


def test_dragging_draws_while_moving_and_the_final_value_right_after_release(dashboard, artifacts_dir):
    from playwright.sync_api import expect

    explorer, page = dashboard.explorer, dashboard.page
    hall.control(explorer, hall.DROPDOWN, "input").locator("select").select_option("photograph")
    hall.wait_for_caption(explorer, r"^input photograph 75 x 64, shifted \(0, 0\)")
    live = explorer.locator(".poolviz-live")
    expect(live).to_have_attribute("aria-live", "polite")
    live.evaluate("""(region) => { window.__liveLog = [];
        new MutationObserver(() => window.__liveLog.push(region.textContent))
            .observe(region, {childList: true, characterData: true, subtree: true}); }""")
    at_rest = re.compile(r"shifted \(0, 4\);.*; output 37 x 32; window 1 of 1184$")
    drag = hall.drag_slider(explorer, "shift cols", r"shifted \(0, 4\)",
                            after_release=lambda: expect(live).to_have_text(at_rest))
    # drag_slider then pressed a key on "window step": said once that rests too.
    expect(live).to_have_text(re.compile(r"shifted \(0, 4\);.*; window 2 of 1184$"))
    spoken = page.evaluate("() => window.__liveLog")
    (artifacts_dir / f"a11y-{dashboard.where}-live-region-drag.txt").write_text(f"{drag}\n" + "\n".join(spoken) + "\n")
    # The live region rests while the pictures follow the drag, then says where the drag
    # ended, then the key press's window: two announcements for 3 or more pictures.
    assert drag.pictures_during >= 3, drag
    assert len(spoken) == 2 and at_rest.search(spoken[0]), (spoken, drag)
    (artifacts_dir / f"hall-{dashboard.where}-drag.txt").write_text(
        f"{drag}\npictures per second while dragging: {drag.pictures_per_second:.1f}\n")
    assert drag.pictures_during >= 3, f"the picture did not follow the drag: {drag}"
    # Coalesced, not queued: at most the update in flight at release, then the final value.
    assert drag.pictures_after_release <= 2, drag
    assert drag.final_caption.startswith("input photograph 75 x 64, shifted (0, 4)")
    # Last in this file: it leaves the photograph and the shift as they are.
