"""Accessible to everyone in the room: axe-core finds nothing serious in any notebook.

axe-core (tests/browser/axe.py) audits the outputs of every notebook after Run
All in JupyterLab (one server, one page, the notebooks one after another) and
must find 0 serious or critical violations. The dashboard's audit, its
pictures' words and its live region are checked on test_dashboard.py's shared
pages; the deck's in test_deck.py. The counts per page land in
test-artifacts/browser/axe-<page>.txt; the dark-theme screenshot in
test-artifacts/browser/a11y-lab-dark-*.png.
"""

from __future__ import annotations

import time

import numpy as np
import pytest
from axe import audit, counts, report

import lecture_hall as hall
from conftest import PAGE_TIMEOUT_MS, REPO_ROOT, new_page

pytestmark = pytest.mark.browser

NOTEBOOKS = [path.relative_to(REPO_ROOT).as_posix() for path in
             sorted((REPO_ROOT / "notebooks").glob("0*.ipynb")) + sorted(
                 (REPO_ROOT / "notebooks" / "going_further").glob("0*.ipynb"))]


def _record(artifacts_dir, where, violations):
    (artifacts_dir / f"axe-{where}.txt").write_text(
        f"{sum(counts(violations).values())} nodes {dict(counts(violations))}\n{report(violations, where)}\n")


def test_the_notebooks_to_audit_are_found():
    assert len(NOTEBOOKS) == 10, NOTEBOOKS


CURRENT = ".jp-NotebookPanel:not(.lm-mod-hidden)"
# Close without the "save?" dialog (the copy is thrown away); the shared kernel keeps running.
_CLOSE = """() => { const panel = window.jupyterapp.shell.currentWidget;
    panel.context.model.dirty = false; panel.dispose(); }"""


def _on_shared_kernel(page, lab, path, kernel_id):
    """Give the notebook a session on the shared kernel before it opens, so JupyterLab connects
    it there: one kernel (one TensorFlow import) runs the notebooks one after another.
    Each notebook's setup cell sets its own seeds, and nbval runs each in a fresh kernel; here
    the outputs are audited, not compared."""
    response = page.request.post(f"{lab.base_url}/api/sessions", headers={"Authorization": f"token {lab.token}"},
                                 data={"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook",
                                       "kernel": {"id": kernel_id}})
    assert response.ok, response.text()
    page.evaluate("async () => { await window.jupyterapp.serviceManager.sessions.refreshRunning(); }")


def _open_and_run(page, path, kernel_id):
    """Open the notebook on the shared kernel, Run All, and wait until every cell has run and every
    explorer picture has its words. (Notebooks run side by side were slower here: the page renders
    them all at once.)"""
    from playwright.sync_api import expect

    page.evaluate("async (path) => { await window.jupyterapp.commands.execute('docmanager:open', {path}); }", path)
    expect(page.locator(CURRENT + " .jp-Notebook")).to_be_visible()
    hall.run_all(page, kernel_id)
    # Every code cell numbered, none queued: the run is over. (A folded proof cell shows a placeholder,
    # whose empty prompt is not in an input area.)
    page.wait_for_function("""(current) => {
        const prompts = [...document.querySelectorAll(current + ' .jp-CodeCell .jp-InputArea .jp-InputPrompt')];
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

    context, page, _ = new_page(chromium, 1280, 900)
    found, seconds = {}, {}
    try:
        page.goto(f"{jupyter_lab.base_url}/lab?token={jupyter_lab.token}")
        page.wait_for_function("() => window.jupyterapp !== undefined")
        page.evaluate("async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }")
        kernel = page.request.post(f"{jupyter_lab.base_url}/api/kernels", data={"name": "python3"},
                                   headers={"Authorization": f"token {jupyter_lab.token}"})
        assert kernel.ok, kernel.text()
        for path in NOTEBOOKS:
            _on_shared_kernel(page, jupyter_lab, path, kernel.json()["id"])
            started = time.monotonic()
            _open_and_run(page, path, kernel.json()["id"])
            seconds[path] = time.monotonic() - started
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
        (artifacts_dir / "a11y-lab-run-all-seconds.txt").write_text(
            "".join(f"{seconds[path]:6.1f} s  {path}\n" for path in seconds))
    assert {path: report(v) for path, v in found.items() if v} == {}
