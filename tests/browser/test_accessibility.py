"""Accessible to everyone in the room: axe-core finds nothing serious, pictures have words.

axe-core (tests/browser/axe.py) audits the Voila dashboard in both styles and
the outputs of every notebook after Run All in JupyterLab (one server, one
page, the notebooks one after another); each audit must find 0 serious or
critical violations. On the dashboards, each explorer picture's text
alternative must follow the picture, and the live region must say the new
output once a drag ends rather than at every step of it. The counts per page
land in test-artifacts/browser/axe-<page>.txt; the dark-theme screenshot in
test-artifacts/browser/a11y-lab-dark-*.png.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
from axe import audit, counts, report

import lecture_hall as hall
from conftest import PAGE_TIMEOUT_MS, REPO_ROOT

pytestmark = pytest.mark.browser

NOTEBOOKS = [path.relative_to(REPO_ROOT).as_posix() for path in
             sorted((REPO_ROOT / "notebooks").glob("0*.ipynb")) + sorted(
                 (REPO_ROOT / "notebooks" / "going_further").glob("0*.ipynb"))]
LIVE = ".poolviz-live"


def _page(chromium, width=1280, height=720):
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    return context, context.new_page()


def _record(artifacts_dir, where, violations):
    (artifacts_dir / f"axe-{where}.txt").write_text(
        f"{sum(counts(violations).values())} nodes {dict(counts(violations))}\n{report(violations, where)}\n")


def test_the_notebooks_to_audit_are_found():
    assert len(NOTEBOOKS) == 8, NOTEBOOKS


def _alt(explorer):
    return explorer.locator(hall.PLOT).get_attribute("alt") or ""


@pytest.mark.parametrize("style", ["default", "lecture"])
def test_dashboard_has_no_serious_violations_and_its_pictures_speak(request, chromium, artifacts_dir, style):
    from playwright.sync_api import expect

    dashboard = request.getfixturevalue("voila_dashboard" if style == "default" else "voila_lecture_dashboard")
    context, page = _page(chromium)
    try:
        hall.open_dashboard(page, dashboard.url)
        pooling = page.locator(hall.POOLING_EXPLORER)
        expect(pooling.locator(hall.PLOT)).to_have_attribute("alt", re.compile("window 1 of 9"))
        violations = audit(page, "body")
        _record(artifacts_dir, f"voila-{style}", violations)
        assert violations == [], report(violations, f"Voila ({style} style)")

        # Each picture's words follow it: a new pooling, a new window, a new shift.
        translation = page.locator(hall.TRANSLATION_EXPLORER)
        for explorer, kind in ((pooling, "pooling"), (translation, "translation")):
            alt = _alt(explorer)
            assert len(alt) > 40, f"{kind} picture: alt {alt!r}"
        assert _alt(pooling).startswith("max pooling 2 x 2, strides 2 x 2, valid, of the 6 x 6 "), _alt(pooling)
        for description, key in (("pool rows", "ArrowRight"), ("window step", "ArrowRight")):
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
        assert [button.get_attribute("aria-label") for button in pooling.locator(".widget-play button").all()
                if button.is_visible()] == ["play the window walk", "stop: back to window 1"]
        before_alt = _alt(translation)
        hall.control(translation, hall.SLIDER, "shift (px)").locator(hall.SLIDER_HANDLE).focus()
        page.keyboard.press("ArrowRight")
        expect(translation.locator(hall.PLOT)).not_to_have_attribute("alt", before_alt)

        if style == "lecture":
            # The live region speaks once a drag ends, not at every picture of it.
            live = pooling.locator(LIVE)
            expect(live).to_have_attribute("aria-live", "polite")
            live.evaluate("""(region) => { window.__liveLog = [];
                new MutationObserver(() => window.__liveLog.push(region.textContent))
                    .observe(region, {childList: true, characterData: true, subtree: true}); }""")
            drag = hall.drag_slider(pooling, "shift cols", r"shifted \(0, 4\)")
            # drag_slider ends with a key press on "window step", right after the drag's last picture.
            expect(live).to_have_text(re.compile(r"shifted \(0, 4\);.*; output 2 x 3; window 3 of 6$"))
            spoken = page.evaluate("() => window.__liveLog")
            (artifacts_dir / "a11y-live-region-drag.txt").write_text(f"{drag}\n" + "\n".join(spoken) + "\n")
            assert drag.pictures_during >= 3, drag
            # The region rests while the pictures follow the drag, then says the last one (at most
            # the drag's last value, then the key press's).
            assert 1 <= len(spoken) <= 2 < drag.pictures_during, (spoken, drag)
    finally:
        context.close()


CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Close without the "save?" and "shut down?" dialogs (the copy is thrown away).
_CLOSE = """async () => { const panel = window.jupyterapp.shell.currentWidget;
    await panel.sessionContext.shutdown(); panel.context.model.dirty = false; panel.dispose(); }"""


def _open_and_run(page, path):
    """Open the notebook, Run All, and wait until every cell has run and every explorer picture has
    its words. (Notebooks run side by side were slower here: the page renders them all at once.)"""
    from playwright.sync_api import expect

    page.evaluate("async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }", path)
    expect(page.locator(CURRENT + " .jp-Notebook")).to_be_visible()
    # The status bar, not the toolbar dot: Run All before "Idle" silently runs nothing.
    expect(page.get_by_text("Python 3 (ipykernel) | Idle", exact=True)).to_be_visible()
    page.evaluate("() => window.jupyterapp.commands.execute('runmenu:run-all')")
    # Every code cell numbered, none queued: the run is over.
    page.wait_for_function("""(current) => {
        const prompts = [...document.querySelectorAll(current + ' .jp-CodeCell .jp-InputPrompt')];
        return prompts.length && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
    }""", arg=CURRENT, timeout=4 * PAGE_TIMEOUT_MS)
    # Widgets render after their output arrives: wait until each explorer picture has its words.
    page.wait_for_function("""(current) => [...document.querySelectorAll(current + ' .poolviz-explorer')]
        .every(e => (e.querySelector('img.poolviz-plot')?.getAttribute('alt') || '').length > 0)""", arg=CURRENT)


DARK_NOTEBOOK = "notebooks/04_max_pooling.ipynb"
_THEME = "async (theme) => { await window.jupyterapp.commands.execute('apputils:change-theme', {theme}); }"


def _check_dark_theme(page, artifacts_dir):
    """In JupyterLab Dark: a screenshot, the text drawn in the explorer's picture against its
    background (WCAG 4.5:1, on the rendered pixels), and axe on the outputs (its color-contrast
    rule covers the widgets' own text). The light theme is restored for the tests that follow."""
    import io

    from colour_vision import contrast
    from PIL import Image

    page.evaluate(_THEME, "JupyterLab Dark")
    try:
        page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
        picture = page.locator(CURRENT + " .poolviz-pooling " + hall.PLOT)
        picture.scroll_into_view_if_needed()
        page.screenshot(path=artifacts_dir / "a11y-lab-dark-04.png")
        pixels = np.asarray(Image.open(io.BytesIO(picture.screenshot())).convert("RGB"), dtype=float) / 255
        title = pixels[: pixels.shape[0] // 10]  # the strip with the maps' titles
        background = np.median(title.reshape(-1, 3), axis=0)
        darkest = title.reshape(-1, 3)[np.argmin(title.sum(axis=2))]
        assert contrast(darkest, background) >= 4.5, (darkest, background)
        return audit(page, CURRENT + " .jp-OutputArea")
    finally:
        page.evaluate(_THEME, "JupyterLab Light")


def test_every_notebook_after_run_all_in_jupyterlab_has_no_serious_violations(
        request, chromium, artifacts_dir, jupyter_lab):

    context, page = _page(chromium, 1280, 900)
    found = {}
    try:
        page.goto(f"{jupyter_lab.base_url}/lab?token={jupyter_lab.token}")
        page.wait_for_function("() => window.jupyterapp !== undefined")
        page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
        for path in NOTEBOOKS:
            _open_and_run(page, path)
            violations = found[path] = audit(page, CURRENT + " .jp-OutputArea")
            _record(artifacts_dir, "lab-" + path.rsplit("/", 1)[-1].removesuffix(".ipynb"), violations)
            if path == DARK_NOTEBOOK:
                found[path + " (JupyterLab Dark)"] = _check_dark_theme(page, artifacts_dir)
            page.evaluate(_CLOSE)
    except Exception:
        page.screenshot(path=artifacts_dir / "a11y-lab-failure.png")
        raise
    finally:
        context.close()
    assert {path: report(v) for path, v in found.items() if v} == {}
