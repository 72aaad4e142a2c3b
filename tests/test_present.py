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


LESSON_PLAN = REPO_ROOT / "present" / "lesson-plan.md"


def notes_of(notebook, slide):
    """The speaker notes of ``slide`` (0 is the title slide, 10 the take-away)."""
    (notes,) = [cell.source for cell in deck_slides(notebook)[slide]
                if cell.metadata["slideshow"]["slide_type"] == "notes"]
    return notes


def lesson_plan_timing():
    """The lesson plan's timing table: (number or "", title, minutes, start "h:mm") per row, the total left out."""
    rows = []
    for line in LESSON_PLAN.read_text(encoding="utf-8").splitlines():
        columns = [column.strip() for column in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(columns) >= 4 and re.fullmatch(r"\d+", columns[2]):
            rows.append((columns[0], columns[1], int(columns[2]), columns[3]))
    return rows


def test_every_slide_has_a_title_and_speaker_notes_and_the_minutes_and_the_slack_add_up_to_fifty():
    notebook = nbformat.read(DECK, as_version=4)
    assert notebook.metadata.kernelspec.name == "python3"
    assert all(cell.get("outputs", []) == [] for cell in notebook.cells if cell.cell_type == "code")
    slides = deck_slides(notebook)
    assert len(slides) == 11
    minutes = []
    for number, cells in enumerate(slides):
        assert cells[0].cell_type == "markdown" and cells[0].source.startswith("#"), number
        notes = notes_of(notebook, number)
        assert all(part in notes for part in ("Ask:", "Expect:", "Listen for:")), number
        minutes.append(int(re.match(r"\*\*(\d+) min\.\*\*", notes).group(1)))
    # The lesson plan's table has the notes' minutes, one row per slide, then a named slack row.
    timing = lesson_plan_timing()
    slide_rows, other_rows = [row for row in timing if row[0]], [row for row in timing if not row[0]]
    assert [int(row[0]) for row in slide_rows] == list(range(11)) and [row[2] for row in slide_rows] == minutes
    (slack,) = other_rows
    assert slack[1].startswith("slack") and 2 <= slack[2] <= 3, slack
    assert sum(minutes) + slack[2] == 50, (minutes, slack)
    starts = [row[3] for row in timing]
    assert starts == [f"0:{sum(row[2] for row in timing[:index]):02d}" for index in range(len(timing))], starts
    assert "| **total** | **50** |" in LESSON_PLAN.read_text(encoding="utf-8")


def stored_text(notebook_path):
    """Everything a notebook printed, as stored in it (nbval checks the stored outputs are current)."""
    notebook = nbformat.read(REPO_ROOT / notebook_path, as_version=4)
    return "\n".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                     for output in cell.get("outputs", []))


def test_the_decks_numbers_are_the_notebooks_numbers():
    assert deck.output_sizes(7, 2, 2)["same padding"] == (0, 1)
    assert "n= 7 pool=2 stride=2   valid: floor((7 - 2) / 2) + 1 = 3" in stored_text("notebooks/01_pooling.ipynb")
    moved = deck.shift_measurement(1)
    for cols_moved in (1, 2):  # the photograph's table: unchanged feature map, max, average; then the changes
        moved = deck.shift_measurement(cols_moved)
        assert f"{cols_moved} px    {moved['feature map unchanged']:11.1%} {moved['max pooled unchanged']:11.1%} " \
               f"{moved['average pooled unchanged']:8.1%}    {moved['feature map change']:11.3f} " \
               f"{moved['max pooled change']:11.3f} {moved['average pooled change']:8.3f}" in stored_text(
                   "notebooks/01_pooling.ipynb")
    edges = deck.shift_measurement(1, deck.ZERO_SUM_DETECTOR)  # notebook 01's second detector, row by row
    assert f"zero-sum 1 px    {edges['feature map unchanged']:11.1%} {edges['max pooled unchanged']:11.1%} " \
           f"{edges['average pooled unchanged']:8.1%}    {edges['feature map change']:11.3f} " \
           f"{edges['max pooled change']:11.3f} {edges['average pooled change']:8.3f}" in stored_text(
               "notebooks/01_pooling.ipynb")
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
    # The line map's global max and average (slide 8's picture).
    line_map = deck.line_feature_map(2)
    assert (f"global max: {deck.poolviz.global_max_pool2d(line_map)}  "
            f"global average: {deck.poolviz.global_average_pool2d(line_map)}") in stored_text(
        "notebooks/05_global_pooling.ipynb")
    # Slide 9: both measures on the photograph, averaged over the right, down and diagonal 1-px shifts.
    change = deck.antialiasing_change()
    size, kept = change["relative L1 change"], change["cells exactly unchanged"]
    operations = ("max", "average", "max-blur")
    assert deck.ANTIALIASING_OPERATIONS == operations
    going_further_01 = stored_text("notebooks/going_further/01_antialiased_pooling.ipynb")
    row = ("photo -> tutorial detector  " + "".join(f"{size[op]:9.3f}" for op in operations) + " | "
           + "".join(f"{kept[op]:9.3f}" for op in operations))
    assert row in going_further_01
    # max-blur changes least in size but keeps the fewest cells exactly: the catch the slide states.
    assert min(size, key=size.get) == "max-blur" and min(kept, key=kept.get) == "max-blur"
    # On the raw 8 x 8 vertical and horizontal lines plain max changes least; the diagonal is the exception.
    for name, least in [("vertical", "max"), ("horizontal", "max"), ("diagonal", "max-blur")]:
        line = getattr(deck.data, f"{name}_line")()
        line_change = {op: deck.shift_change(line, op).relative_l1.mean() for op in operations}
        assert min(line_change, key=line_change.get) == least, (name, line_change)
        assert f"{name} line 8x8".ljust(28) + "".join(f"{line_change[op]:9.3f}" for op in operations) \
            in going_further_01, name


def test_the_numbers_in_the_speaker_notes_are_the_computed_ones():
    notebook = nbformat.read(DECK, as_version=4)
    # Slide 1: on this photograph the detector (weights >= 0) mostly measures brightness, as notebook 02 prints.
    maps = deck.photograph_maps()
    brightness = deck.np.corrcoef(maps["feature map"].ravel(), maps["photograph"][1:-1, 1:-1].ravel())[0, 1]
    assert (deck.data.VERTICAL_LINE_DETECTOR >= 0).all() and f"{brightness:.2f}" == "0.99"
    assert f"mostly measures\nbrightness (correlation {brightness:.2f})" in notes_of(notebook, 1)
    assert f"mostly measures brightness (correlation {brightness:.2f})" in LESSON_PLAN.read_text(encoding="utf-8")
    assert f"with the photograph's brightness: {brightness:.2f}" in stored_text(
        "notebooks/02_detecting_vertical_lines.ipynb")
    # Slide 6: PyTorch's rules on the same ramp (no `same`; ceil_mode=True, or padding=1 and its divisors).
    torch = deck.pytorch_on_the_ramp()
    pooled, _ = deck.same_padding_divisors()
    assert deck.np.array_equal(torch["ceil_mode=True"], pooled) and torch["ceil_mode=True"][2, 2] == 24
    padded = torch["padding=1"]
    assert padded[0].tolist() == [0, 0.75, 1.75] and padded[0, 1] == (1 + 2) / 4
    assert torch["padding=1, count_include_pad=False"][0, 1] == 1.5
    notes = notes_of(notebook, 6)
    assert "`AvgPool2d(2, ceil_mode=True)`" in notes and "gives 24 too" in notes
    assert f"the top row reads {', '.join(f'{value:g}' for value in padded[0])}" in notes
    assert "(1 + 2) / 4 = 0.75 would be 1.5" in notes
    # Slide 7: where the translation explorer starts (the raw line, 1 px right), and the photograph.
    start = deck.explorer_start_change()
    notes = notes_of(notebook, 7)
    assert f"changes max pooling by {start['max']:.3f} and\naverage pooling by {start['average']:.3f}" in notes
    assert start["max"] == start["average"] / 2 and "max changes half as much" in notes
    from poolviz.explorer import TranslationExplorerModel

    explorer = TranslationExplorerModel(operation="max")
    assert (explorer.input_name, explorer.shift, explorer.direction) == ("vertical line", 1, "right")
    assert f"max {start['max']:.3f}, average {start['average']:.3f}" in explorer.fraction_text
    moved = deck.shift_measurement(1)
    assert f"({moved['max pooled change']:.3f} and {moved['average pooled change']:.3f})" in notes
    edges = deck.shift_measurement(1, deck.ZERO_SUM_DETECTOR)
    assert f"({edges['max pooled change']:.3f} against {edges['average pooled change']:.3f} for average)" in notes
    # "After 1 px max pooling changed less in every case measured": the line, and the photograph through both detectors.
    assert moved["max pooled change"] < moved["average pooled change"]
    assert edges["max pooled change"] < edges["average pooled change"]
    # Slide 9: both measures, for max and max-blur; ResNet50's one pooling layer.
    change = deck.antialiasing_change()
    size, kept = change["relative L1 change"], change["cells exactly unchanged"]
    notes = notes_of(notebook, 9)
    assert f"({size['max-blur']:.3f} against {size['max']:.3f}\nfor max)" in notes
    assert f"({kept['max-blur']:.1%} against {kept['max']:.1%} for max)" in notes
    census = deck.census_facts()
    assert f"of the {census['models']} `keras.applications` models" in notes
    for fact in (f"{census['models'] - census['with windowed pooling']} have no\n  windowed pooling layer and "
                 f"{census['with windowed pooling']} do", f"({census['3 x 3 stride 2']} models; ResNet50's one",
                 f"2 x 2 with stride 2 in {census['2 x 2 stride 2']} (max pooling in VGG16 and VGG19, average "
                 "pooling in the three\n  DenseNets)",
                 f"{census['global average head']} of the 40 end"):
        assert fact in notes, fact


def test_the_decks_census_facts_are_those_of_the_stored_census():
    # Computed here a second way, from the stored census, as going-further 02 reads it.
    import importlib.resources
    import json

    models = json.loads((importlib.resources.files("poolviz.going_further") / "keras_applications_census.json")
                        .read_text(encoding="utf-8"))["models"]
    facts = deck.census_facts()
    assert (facts["models"], facts["papers"], facts["with windowed pooling"]) == (len(models), 14, 16)
    assert (facts["3 x 3 stride 2"], facts["2 x 2 stride 2"], facts["global average head"]) == (14, 5, 38)
    two_by_two = {name: {layer["class"] for layer in model["windowed_pooling"] if layer["downsamples"]
                         and layer["pool_size"] == [2, 2] and layer["strides"] == [2, 2]}
                  for name, model in models.items()}
    assert {name: kinds for name, kinds in two_by_two.items() if kinds} == {
        "VGG16": {"MaxPooling2D"}, "VGG19": {"MaxPooling2D"}, "DenseNet121": {"AveragePooling2D"},
        "DenseNet169": {"AveragePooling2D"}, "DenseNet201": {"AveragePooling2D"}}
    assert (facts["2 x 2 stride 2 max"], facts["2 x 2 stride 2 average"]) == (2, 3)
    assert facts["ResNet50 pools"] == [("MaxPooling2D", (3, 3), (2, 2))] and facts["ResNet50 strided convs"] == 7
    text = stored_text("notebooks/going_further/02_strided_convolutions.ipynb")
    assert "ResNet50" in text and str(len(models)) in text


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
    assert len(images) == 9  # seven pictures and the two explorers' still pictures
    for image in images:
        assert re.search(r'src="data:image/png;base64,', image), image[:100]
        assert len(re.search(r'alt="([^"]*)"', image).group(1)) >= 20, image[:100]
    assert page.count("In the lecture this slide is a live") == 2
    # No kernel and no network: no script at all, no stylesheet or source from elsewhere.
    assert "<script" not in page and "<link" not in page and "@import" not in page
    assert re.findall(r"""(?:src|href)=["']?(?:https?:)?//""", page) == []
