"""The lecture dashboard and deck run headless, and scripts/present.py starts Voila as documented.

No browser here: the dashboard is executed with nbclient, the way Voila
executes it, and the launcher's pieces are checked one by one; the deck's
numbers are checked against the course notebooks' stored outputs, and its
handout is built and read. The browser tests in tests/browser/ drive the
served pages themselves.
"""

from __future__ import annotations

import html as html_module
import importlib.util
import os
import re
import socket
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

REPO_ROOT = Path(__file__).resolve().parents[1]
DASHBOARD = REPO_ROOT / "present" / "lecture.ipynb"
DECK = REPO_ROOT / "present" / "deck.ipynb"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def load_module(name, path):
    """Import a script or the deck's support module (neither is part of the package) as a module."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


present = load_module("present_script", REPO_ROOT / "scripts" / "present.py")
handout = load_module("handout_script", REPO_ROOT / "scripts" / "handout.py")
deck = load_module("deck_support", REPO_ROOT / "present" / "deck_support.py")


# --------------------------------------------------------------------------
# The dashboard notebook
# --------------------------------------------------------------------------

def execute_dashboard(style_environment: dict[str, str]) -> nbformat.NotebookNode:
    notebook = nbformat.read(DASHBOARD, as_version=4)
    client = NotebookClient(
        notebook, timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(DASHBOARD.parent)}},
    )
    environment = dict(os.environ)
    environment.pop(present.STYLE_VARIABLE, None)
    environment.update(style_environment)
    client.execute(env=environment)
    return notebook


def outputs_of(notebook, output_type):
    return [output for cell in notebook.cells if cell.cell_type == "code"
            for output in cell.get("outputs", []) if output.output_type == output_type]


def test_dashboard_executes_without_errors_in_lecture_style():
    # Executed once, in the style with more code (its HTML block): the default style's
    # explorers are the notebooks' own, which nbval executes, and the browser tests serve
    # the dashboard in both styles.
    notebook = execute_dashboard({"POOLVIZ_STYLE": "lecture"})

    errors = outputs_of(notebook, "error")
    assert errors == [], "\n".join(f"{e.ename}: {e.evalue}" for e in errors)
    stderr = [o.text for o in outputs_of(notebook, "stream") if o.name == "stderr"]
    assert stderr == [], stderr
    # One view for each explorer: the pooling one and the translation one.
    views = [o for o in outputs_of(notebook, "display_data") + outputs_of(notebook, "execute_result")
             if WIDGET_VIEW in o.get("data", {})]
    assert len(views) == 2, [o.get("data", {}).keys() for o in outputs_of(notebook, "display_data")]


def test_dashboard_is_short_and_uses_the_installed_kernel():
    notebook = nbformat.read(DASHBOARD, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"  # anything else opens "Select Kernel"
    assert notebook.cells[0].cell_type == "markdown" and notebook.cells[0].source.startswith("# ")
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert len(code) == 3, code  # setup, pooling explorer, translation explorer
    assert "POOLVIZ_STYLE" in code[0]
    assert "pooling_explorer(" in code[1] and "translation_explorer(" in code[2]
    # Committed clean: Voila executes it anyway, and stale widget outputs
    # would only bloat diffs.
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells if cell.cell_type == "code")


# --------------------------------------------------------------------------
# scripts/present.py
# --------------------------------------------------------------------------

TEMPLATES = str(REPO_ROOT / "present" / "jupyter")


def test_lecture_style_reaches_the_kernel_environment():
    environment = present.kernel_environment("lecture", base={"PATH": "/bin"})
    assert environment == {"PATH": "/bin", "POOLVIZ_STYLE": "lecture", "JUPYTER_PATH": TEMPLATES}


def test_default_style_removes_a_leftover_style_variable():
    base = {"PATH": "/bin", "POOLVIZ_STYLE": "lecture"}
    assert present.kernel_environment("default", base=base) == {"PATH": "/bin", "JUPYTER_PATH": TEMPLATES}
    assert base["POOLVIZ_STYLE"] == "lecture"  # the caller's mapping is left alone


def test_the_deck_template_goes_first_on_a_users_jupyter_path():
    environment = present.kernel_environment("default", base={"JUPYTER_PATH": "/mine"})
    assert environment["JUPYTER_PATH"] == TEMPLATES + os.pathsep + "/mine"
    assert (Path(TEMPLATES) / "voila" / "templates" / present.DECK_TEMPLATE / "index.html.j2").is_file()


def test_unknown_style_is_rejected_by_name():
    with pytest.raises(ValueError, match=r"style must be one of \('default', 'lecture'\), got 'huge'"):
        present.kernel_environment("huge", base={})


def test_voila_command_serves_localhost_from_this_environment():
    command = present.voila_command(Path("/course/present/lecture.ipynb"), 9123)
    assert command == [
        str(Path(sys.executable).parent / "voila"),
        "/course/present/lecture.ipynb",
        "--no-browser",
        "--port=9123",
        "--Voila.ip=127.0.0.1",
        "--show_tracebacks=False",
    ]
    assert Path(command[0]).is_file()
    assert present.voila_command(DECK, 9123, slides=True)[-2:] == [
        "--template=pooling-deck", "--VoilaExecutor.allow_errors=True"]


def test_the_deck_is_served_as_slides_and_the_dashboard_as_a_page():
    assert present.is_slide_deck(DECK) and not present.is_slide_deck(DASHBOARD)


def test_a_busy_port_is_reported_before_voila_starts(capsys):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as occupant:
        occupant.bind(("127.0.0.1", 0))
        occupant.listen()
        busy_port = occupant.getsockname()[1]
        assert present.main(["--port", str(busy_port)]) == 2
    assert f"port {busy_port} is already in use" in capsys.readouterr().err


def test_a_missing_notebook_is_reported(tmp_path, capsys):
    missing = tmp_path / "nowhere.ipynb"
    assert present.main([str(missing), "--port", "0"]) == 2
    assert f"notebook not found: {missing}" in capsys.readouterr().err


def test_default_options_match_make_present_and_make_dashboard():
    arguments = present.parse_arguments([])
    assert arguments.notebook == DECK
    assert (arguments.port, arguments.style) == (8866, "default")
    assert present.parse_arguments(["--dashboard", "--style", "lecture"]).notebook == DASHBOARD


def test_a_notebook_and_dashboard_together_are_refused(capsys):
    with pytest.raises(SystemExit):
        present.parse_arguments([str(DECK), "--dashboard"])
    assert "give a notebook or --dashboard, not both" in capsys.readouterr().err


# --------------------------------------------------------------------------
# The deck: its structure, its numbers, its handout
# --------------------------------------------------------------------------

def deck_slides(notebook):
    """The deck's cells grouped by slide (the setup cell, slide type "skip", left out)."""
    slides = []
    for cell in notebook.cells:
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        if slide_type == "skip":
            continue
        if slide_type == "slide":
            slides.append([])
        slides[-1].append(cell)
    return slides


def test_every_slide_has_a_title_and_speaker_notes_and_the_minutes_add_up_to_fifty():
    notebook = nbformat.read(DECK, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells if cell.cell_type == "code")
    slides = deck_slides(notebook)
    assert len(slides) == 11
    minutes = 0
    for number, cells in enumerate(slides, start=1):
        assert cells[0].cell_type == "markdown" and cells[0].source.startswith("#"), number
        notes = [cell.source for cell in cells if cell.metadata["slideshow"]["slide_type"] == "notes"]
        assert len(notes) == 1, number
        assert all(part in notes[0] for part in ("Ask:", "Expect:", "Listen for:")), number
        minutes += int(re.match(r"\*\*(\d+) min\.\*\*", notes[0]).group(1))
    assert minutes == 50


def stored_text(notebook_path):
    """Everything a notebook printed, as stored in it (nbval checks the stored outputs are current)."""
    notebook = nbformat.read(REPO_ROOT / notebook_path, as_version=4)
    return "\n".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                     for output in cell.get("outputs", []))


def test_the_decks_numbers_are_the_notebooks_numbers():
    assert deck.output_sizes(7, 2, 2)["same padding"] == (0, 1)
    assert "n= 7 pool=2 stride=2   valid: floor((7 - 2) / 2) + 1 = 3" in stored_text("notebooks/01_pooling.ipynb")
    moved = deck.shift_measurement(1)
    assert f"1 px    {moved['max pooled unchanged']:10.1%} {moved['average pooled unchanged']:9.1%}   " \
           f"{moved['feature map change']:11.3f}   {moved['max pooled change']:10.3f} " \
           f"{moved['average pooled change']:9.3f}" in stored_text("notebooks/01_pooling.ipynb")
    assert f"{moved['feature map unchanged']:20.1%}" in stored_text("notebooks/01_pooling.ipynb")
    moved_2 = deck.shift_measurement(2)
    assert f"{moved_2['feature map change']:11.3f}   {moved_2['max pooled change']:10.3f} " \
           f"{moved_2['average pooled change']:9.3f}" in stored_text("notebooks/01_pooling.ipynb")
    thin_max, thin_average = deck.max_and_average(1)
    assert thin_max[0].tolist() == [0, 3, 0] and thin_average[0].tolist() == [0, 1.5, 0]
    assert "max pooled   [0. 3. 0.]\n         avg pooled   [0.  1.5 0. ]" in stored_text(
        "notebooks/04_max_pooling.ipynb")
    pooled, divisors = deck.same_padding_divisors()
    assert divisors.tolist() == [[4, 4, 2], [4, 4, 2], [2, 2, 1]] and pooled[2, 2] == 24
    assert "[[4 4 2]\n [4 4 2]\n [2 2 1]]" in stored_text("notebooks/03_average_pooling.ipynb")
    counts = deck.parameter_counts()
    assert (f"Flatten + Dense         {counts['Conv2D']:>10,}{counts['Flatten + Dense']:>10,}"
            in stored_text("notebooks/05_global_pooling.ipynb"))
    assert (f"global pooling + Dense  {counts['Conv2D']:>10,}{counts['global pooling + Dense']:>10,}"
            in stored_text("notebooks/05_global_pooling.ipynb"))
    assert deck.detector_parameters() == 10
    # The notes: behind Flatten a 64 x 64 image needs 1,230,090 parameters; global pooling's head stays 330.
    assert deck.parameter_counts(image_size=64)["Flatten + Dense"] == 1_230_090
    assert deck.parameter_counts(image_size=64)["global pooling + Dense"] == 330
    change = deck.antialiasing_change()
    row = "photo -> tutorial detector  " + "".join(f"{change[op]:9.3f}" for op in ("max", "average", "max-blur"))
    assert row in stored_text("notebooks/going_further/01_antialiased_pooling.ipynb")
    # The slide's other half: on the raw line, plain max pooling changes least.
    line = deck.data.vertical_line()
    assert (deck.shift_change(line, "max").relative_l1.mean()
            < min(deck.shift_change(line, op).relative_l1.mean() for op in ("average", "max-blur")))


def test_the_decks_model_counts_are_those_built_in_the_going_further_notebook():
    text = stored_text("notebooks/going_further/02_strided_convolutions.ipynb")
    for model, counts in deck.MODEL_DOWNSAMPLING.items():
        line = next(line for line in text.splitlines() if line.startswith(model + " "))
        columns = line.split()
        # model, parameters, max/avg pool, global pool, (in blocks), strided convs, last pooling layer
        assert (int(columns[2]), int(columns[5])) == (counts["max/avg pool"], counts["strided convs"]), line


def test_the_handout_is_one_static_file_with_every_slide_and_picture(tmp_path):
    output = tmp_path / "handout" / "lecture.html"
    assert handout.main(["--output", str(output)]) == 0
    assert [path.name for path in output.parent.iterdir()] == ["lecture.html"]
    page = output.read_text(encoding="utf-8")
    titles = [cells[0].source.splitlines()[0].lstrip("# ") for cells in deck_slides(nbformat.read(DECK, 4))]
    headings = [html_module.unescape(re.sub(r"<[^>]+>", "", heading))
                for heading in re.findall(r"<h[12][^>]*>(.*?)</h[12]>", page)]
    assert [heading.rstrip("\u00b6") for heading in headings] == [title.replace("`", "") for title in titles]
    assert page.count('<section class="slide"') == len(titles) == page.count('<aside class="notes">')
    images = re.findall(r"<img [^>]*>", page)
    assert len(images) == 7  # five pictures and the two explorers' still pictures
    for image in images:
        assert re.search(r'src="data:image/png;base64,', image), image[:100]
        assert len(re.search(r'alt="([^"]*)"', image).group(1)) >= 20, image[:100]
    assert page.count("In the lecture this slide is a live") == 2
    # No kernel and no network: no script at all, no stylesheet or source from elsewhere.
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page) == []
