"""The pooling explorer follows a student's hands, in JupyterLab and in Voila.

Each test presses ArrowRight twice on the "pool rows" slider and picks "same" in
the "padding" dropdown, then checks what a student sees: the slider's
readout, the output-size formula (exact text) and the picture (new image
source and different pixels). DOM hooks are listed in poolviz/widgets.py.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.browser

# ipywidgets 8 DOM plus the classes poolviz.widgets adds; same in Lab and Voila.
POOLING_EXPLORER = ".poolviz-pooling"
LECTURE_EXPLORER = ".poolviz-lecture"
PLOT = "img.poolviz-plot"
FORMULA = ".poolviz-formula"
SLIDER = ".widget-slider"
SLIDER_HANDLE = ".noUi-handle"
READOUT = ".widget-readout"
LABEL = ".widget-label"
DROPDOWN = ".widget-dropdown"

# The default input is the tutorial's 6 x 6 line-detector output.
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


def control(explorer, widget_selector: str, description: str):
    """The widget of ``widget_selector`` in ``explorer`` whose description is ``description``."""
    label = explorer.page.locator(LABEL, has_text=re.compile(rf"^{re.escape(description)}$"))
    return explorer.locator(widget_selector, has=label)


def plot_state(plot) -> tuple[str, bytes]:
    """The picture's source URL and its pixels as shown on the page."""
    return plot.get_attribute("src"), plot.screenshot()


def check_explorer_follows_controls(page, screenshot_prefix, artifacts_dir) -> None:
    from playwright.sync_api import expect

    explorer = page.locator(POOLING_EXPLORER)
    pool_rows = control(explorer, SLIDER, "pool rows")
    padding = control(explorer, DROPDOWN, "padding").locator("select")
    formula = explorer.locator(FORMULA)
    plot = explorer.locator(PLOT)

    expect(pool_rows.locator(SLIDER_HANDLE)).to_be_visible()
    expect(plot).to_be_visible()
    expect(pool_rows.locator(READOUT)).to_have_text("2")
    expect(formula).to_have_text(FORMULA_POOL_2_VALID)
    page.screenshot(path=artifacts_dir / f"{screenshot_prefix}-1-loaded.png", full_page=True)

    handle = pool_rows.locator(SLIDER_HANDLE)
    for pool_size, expected_formula in [(3, FORMULA_POOL_3x2_VALID), (4, FORMULA_POOL_4x2_VALID)]:
        source, pixels = plot_state(plot)
        handle.focus()
        page.keyboard.press("ArrowRight")
        expect(pool_rows.locator(READOUT)).to_have_text(str(pool_size))
        expect(formula).to_have_text(expected_formula)
        expect(plot).not_to_have_attribute("src", source)
        assert plot.screenshot() != pixels, f"the picture kept its pixels when pool rows became {pool_size}"
    page.screenshot(path=artifacts_dir / f"{screenshot_prefix}-2-pool-rows-4.png", full_page=True)

    source, pixels = plot_state(plot)
    padding.select_option("same")
    expect(formula).to_have_text(FORMULA_POOL_4x2_SAME)
    expect(plot).not_to_have_attribute("src", source)
    assert plot.screenshot() != pixels, "the picture kept its pixels after padding changed to 'same'"
    page.screenshot(path=artifacts_dir / f"{screenshot_prefix}-3-padding-same.png", full_page=True)


def test_explorer_follows_controls_in_voila(page, voila_dashboard, artifacts_dir):
    page.goto(voila_dashboard.url)
    check_explorer_follows_controls(page, "voila", artifacts_dir)


def pool_rows_label_font_size(page) -> float:
    """Computed font size, in CSS pixels, of the pooling explorer's "pool rows" label."""
    from playwright.sync_api import expect

    label = control(page.locator(POOLING_EXPLORER), SLIDER, "pool rows").locator(LABEL)
    expect(label).to_be_visible()
    size = label.evaluate("element => getComputedStyle(element).fontSize")
    assert size.endswith("px"), size
    return float(size[:-2])


def checkbox_label_font_size(page):
    """Computed font size, in CSS pixels, of the "strides same as pool" checkbox's text."""
    from playwright.sync_api import expect

    text = page.locator(POOLING_EXPLORER).locator(".widget-checkbox .widget-label-basic span",
                                                  has_text="strides same as pool")
    expect(text).to_be_visible()
    return float(text.evaluate("element => getComputedStyle(element).fontSize")[:-2])


def test_lecture_style_enlarges_labels_in_voila(page, voila_dashboard, voila_lecture_dashboard, artifacts_dir):
    from playwright.sync_api import expect

    # Both dashboards load side by side: each page load runs its notebook.
    lecture_page = page.context.new_page()
    page.goto(voila_dashboard.url, wait_until="commit")
    lecture_page.goto(voila_lecture_dashboard.url, wait_until="commit")

    default_size = pool_rows_label_font_size(page)  # waits for the explorer
    expect(page.locator(LECTURE_EXPLORER)).to_have_count(0)
    lecture_size = pool_rows_label_font_size(lecture_page)
    expect(lecture_page.locator(LECTURE_EXPLORER)).to_have_count(2)  # both explorers
    lecture_page.screenshot(path=artifacts_dir / "voila-lecture-style.png", full_page=True)

    assert lecture_size >= 1.5 * default_size, f"label font {default_size}px -> {lecture_size}px in lecture style"
    default_checkbox, lecture_checkbox = checkbox_label_font_size(page), checkbox_label_font_size(lecture_page)
    assert lecture_checkbox >= 1.5 * default_checkbox, (
        f"checkbox text {default_checkbox}px -> {lecture_checkbox}px in lecture style")


def test_explorer_follows_controls_in_jupyterlab(page, jupyter_lab, artifacts_dir):
    from playwright.sync_api import expect

    page.goto(jupyter_lab.notebook_url)
    # The status bar, not the toolbar dot: the dot says idle before the
    # kernel is connected, and Run All then silently runs nothing.
    expect(page.get_by_text("Python 3 (ipykernel) | Idle", exact=True)).to_be_visible()
    page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")
    check_explorer_follows_controls(page, "lab", artifacts_dir)
