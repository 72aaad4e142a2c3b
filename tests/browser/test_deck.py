"""The lecture deck in a browser: every slide visited, nothing scrolls, the explorers answer keys,
axe-core finds nothing serious or critical on any slide.

One page load of the deck as ``make present`` serves it (scripts/present.py,
Voila with the reveal.js template in present/jupyter/), at 1280x720; the same
page is then resized to 1920x1080 and walked again. Screenshots land in
test-artifacts/browser/ as ``deck-<width>x<height>-slide<number>.png``.
"""

from __future__ import annotations

import statistics

import pytest
from axe import audit, report

import lecture_hall as hall
from conftest import new_page

pytestmark = pytest.mark.browser

SLIDES = 11  # title, the nine parts, the take-away
EXPLORER_SLIDES = {3: (hall.POOLING_EXPLORER, "window step"), 8: (hall.TRANSLATION_EXPLORER, "shift (px)")}
KEY_TO_PICTURE_LIMIT_MS = 200

_CURRENT_SLIDE = """() => {
    const slides = [...document.querySelectorAll('.reveal .slides > section')];
    return slides.findIndex(slide => slide.classList.contains('present')) + 1;
}"""

# Everything the current slide shows that sticks out of the window, text too wide for its box,
# Python errors and pictures without a text alternative.
_SLIDE_PROBLEMS = """() => {
    const slide = document.querySelector('.reveal .slides > section.present');
    const problems = [];
    for (const element of slide.querySelectorAll('*')) {
        if (element.closest('aside.notes')) continue;
        const box = element.getBoundingClientRect();
        if (box.width === 0 && box.height === 0) continue;
        const name = `${element.tagName}.${String(element.className).slice(0, 50)}`;
        if (box.top < -0.5 || box.left < -0.5 || box.bottom > innerHeight + 0.5 || box.right > innerWidth + 0.5) {
            problems.push(`outside the window: ${name} ${JSON.stringify(box)}`);
        }
        if (element.scrollWidth > element.clientWidth + 1 && element.tagName === 'PRE') {
            problems.push(`text wider than its box: ${name}`);
        }
        const overflowY = getComputedStyle(element).overflowY;
        if (element.scrollHeight > element.clientHeight + 1 && ['auto', 'scroll'].includes(overflowY)) {
            problems.push(`scrolls: ${name}`);
        }
    }
    const errors = '[data-mime-type="application/vnd.jupyter.stderr"], .jp-OutputArea-output.jp-mod-error';
    for (const output of slide.querySelectorAll(errors)) {
        problems.push(`Python error: ${output.textContent.slice(0, 300)}`);
    }
    // Voila replaces a failing cell's output with "There was an error when executing cell ..." (ExecutionError).
    const said = slide.textContent.match(/There was an error when executing cell|ExecutionError|Traceback/);
    if (said) problems.push(`Python error: ${said[0]}`);
    for (const image of slide.querySelectorAll('img.deck-picture')) {
        if (!image.alt || image.alt.length < 20) problems.push(`picture without a text alternative: ${image.alt}`);
        if (!image.src.startsWith('data:image/png')) problems.push(`picture not stored: ${image.src.slice(0, 60)}`);
    }
    return problems;
}"""


def walk_slides(page, artifacts_dir, width, height, explorer_keys: bool, axe_found=None) -> dict[int, list[float]]:
    """Go through every slide with the arrow key; on explorer slides, press keys inside the explorer.
    With a dict ``axe_found``, axe-core audits each slide (reveal.js hides all but the present one)
    and the serious and critical violations are stored by slide number."""
    page.keyboard.press("Home")
    latencies = {}
    for number in range(1, SLIDES + 1):
        assert page.evaluate(_CURRENT_SLIDE) == number, f"expected slide {number}"
        if explorer_keys or number in EXPLORER_SLIDES:  # each slide once, the explorers at both sizes
            page.screenshot(path=artifacts_dir / f"deck-{width}x{height}-slide{number:02d}.png")
        assert page.evaluate(_SLIDE_PROBLEMS) == [], f"slide {number} at {width}x{height}"
        if axe_found is not None:
            violations = audit(page, ".reveal .slides > section.present")
            if violations:
                axe_found[number] = report(violations, f"slide {number}")
        if explorer_keys and number in EXPLORER_SLIDES:
            selector, slider = EXPLORER_SLIDES[number]
            explorer = page.locator(selector)
            latencies[number] = hall.key_press_latencies(explorer, slider, presses=4)
            # The keys moved the slider, not the deck; Space too stays with the control; Escape gives them back.
            assert page.evaluate(_CURRENT_SLIDE) == number, f"a key in the explorer left slide {number}"
            page.keyboard.press("Space")
            assert page.evaluate(_CURRENT_SLIDE) == number, f"Space in the explorer left slide {number}"
            page.keyboard.press("Escape")
            assert page.evaluate("() => document.activeElement.closest('.jupyter-widgets')") is None
            assert page.evaluate(_CURRENT_SLIDE) == number, "Escape in the explorer left the slide"
        page.keyboard.press("ArrowRight" if number % 2 else "Space")
    assert page.evaluate(_CURRENT_SLIDE) == SLIDES, "the last slide is not the last"
    return latencies


def test_deck_every_slide_fits_has_notes_and_no_error_and_the_explorers_answer_keys(
        voila_deck, chromium, artifacts_dir):
    from playwright.sync_api import expect

    context, page, _ = new_page(chromium)
    errors, remote = [], []
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("request", lambda request: remote.append(request.url)
            if not request.url.startswith(("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:http://127.0.0.1"))
            else None)
    try:
        page.goto(voila_deck.url)
        # Voila ran every cell on open: both explorers have drawn their first picture.
        for selector in (hall.POOLING_EXPLORER, hall.TRANSLATION_EXPLORER):
            expect(page.locator(selector).locator(hall.CAPTION)).not_to_have_text("")
        slides = page.locator(".reveal .slides > section")
        assert slides.count() == SLIDES
        for number in range(1, SLIDES + 1):
            notes = slides.nth(number - 1).locator("aside.notes").text_content()
            for part in ("min.", "Ask:", "Expect:", "Listen for:"):
                assert part in notes, f"slide {number}: speaker notes without {part!r}"

        axe_found = {}
        latencies = walk_slides(page, artifacts_dir, 1280, 720, explorer_keys=True, axe_found=axe_found)
        (artifacts_dir / "axe-deck.txt").write_text(f"{len(axe_found)} slides with violations\n{axe_found}\n")
        assert axe_found == {}, "\n".join(axe_found.values())
        (artifacts_dir / "deck-key-latencies.txt").write_text(repr(latencies) + "\n")
        for number, values in latencies.items():
            assert statistics.median(values) <= KEY_TO_PICTURE_LIMIT_MS, (number, values)

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.wait_for_function("() => document.querySelector('.reveal .slides').getBoundingClientRect().width > 1300")
        walk_slides(page, artifacts_dir, 1920, 1080, explorer_keys=False)

        assert errors == [], errors
        assert remote == [], f"the deck asked the network for {remote}"
    finally:
        context.close()
