"""Write the lecture deck as one static HTML file: the handout a lecturer uploads.

Run through ``make handout`` or directly::

    .venv/bin/python scripts/handout.py                       # build/pooling-lecture-handout.html
    .venv/bin/python scripts/handout.py --output handout.html

The deck (present/deck.ipynb) is executed once in a fresh kernel with
``POOLVIZ_DECK=handout``, so each live explorer becomes a still picture of its
starting state and a sentence saying so. The file holds every slide (title,
text, pictures as data: URLs with their alt texts, numbers) followed by its
speaker notes, its styles inline and no script: it opens in any browser, with
no kernel and no network.
"""

from __future__ import annotations

import argparse
import html
import os
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DECK = REPO_ROOT / "present" / "deck.ipynb"
DEFAULT_OUTPUT = REPO_ROOT / "build" / "pooling-lecture-handout.html"
CELL_TIMEOUT_SECONDS = 300

STYLE = """
body { font-family: system-ui, sans-serif; max-width: 62em; margin: 2em auto; padding: 0 1em; color: #1a1a1a; }
section.slide { border-top: 2px solid #0b3d91; padding: 1em 0 1.5em 0; page-break-inside: avoid; }
h1, h2 { color: #0b3d91; }
img { max-width: 100%; height: auto; display: block; margin: 0.5em 0; }
pre { background: #f4f4f4; padding: 0.5em; overflow-x: auto; }
aside.notes { background: #fff8e0; border-left: 4px solid #e0b000; padding: 0.3em 1em; margin-top: 1em; }
aside.notes > p:first-child { font-weight: bold; }
a.anchor-link { display: none; }
"""


def execute_deck(deck: Path = DECK):
    """The deck notebook, executed in handout mode (explorers as still pictures)."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(deck, as_version=4)
    environment = dict(os.environ, POOLVIZ_DECK="handout")
    # The kernel imports present/deck_support.py from its working directory, and poolviz from this checkout.
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + [part for part in environment.get("PYTHONPATH", "").split(os.pathsep) if part])
    client = NotebookClient(notebook, timeout=CELL_TIMEOUT_SECONDS, kernel_name="python3",
                            resources={"metadata": {"path": str(deck.parent)}})
    client.execute(env=environment)
    return notebook


def output_html(output) -> str:
    """One output as HTML; errors fail the build (a handout must not show a traceback)."""
    if output.output_type == "error":
        raise RuntimeError(f"the deck raised {output.ename}: {output.evalue}")
    if output.output_type == "stream":
        if output.name == "stderr":
            raise RuntimeError(f"the deck wrote to stderr: {output.text[:500]}")
        return f"<pre>{html.escape(output.text)}</pre>"
    data = output.get("data", {})
    if "text/html" in data:
        return data["text/html"]
    if "text/plain" in data:
        return f"<pre>{html.escape(data['text/plain'])}</pre>"
    return ""


def handout_html(notebook) -> str:
    """The executed deck as one HTML document: a <section> per slide, its notes in an <aside>."""
    from nbconvert.filters.markdown import markdown2html_mistune

    title = notebook.metadata.get("title", "Pooling layers: the lecture")
    slides: list[list[str]] = []
    for cell in notebook.cells:
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type", "-")
        if slide_type == "skip":
            continue
        if slide_type == "slide" or not slides:
            slides.append([])
        if cell.cell_type == "markdown":
            body = markdown2html_mistune(cell.source)
            slides[-1].append(f'<aside class="notes"><p>Speaker notes</p>{body}</aside>' if slide_type == "notes"
                              else body)
        elif cell.cell_type == "code":
            slides[-1].extend(output_html(output) for output in cell.get("outputs", []))
    sections = "\n".join(f'<section class="slide" id="slide-{number}">\n' + "\n".join(parts) + "\n</section>"
                         for number, parts in enumerate(slides, start=1))
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{html.escape(title)} (handout)</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"<p><em>{html.escape(title)}: the slides with their speaker notes. Pictures and numbers were computed "
            f"by poolviz when this file was written.</em></p>\n{sections}\n</body>\n</html>\n")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="where to write the handout (default: build/pooling-lecture-handout.html)")
    parser.add_argument("--deck", type=Path, default=DECK, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    try:
        document = handout_html(execute_deck(arguments.deck))
    except Exception as error:  # noqa: BLE001 - reported in one line, with a non-zero status
        print(f"handout.py: {error}", file=sys.stderr)
        return 1
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    arguments.output.write_text(document, encoding="utf-8")
    print(f"handout.py: wrote {arguments.output} ({len(document.encode('utf-8')) // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
