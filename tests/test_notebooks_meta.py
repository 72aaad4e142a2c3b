"""Static checks of the committed course notebooks (no kernel is started).

nbval re-runs the notebooks and compares outputs; these tests check what
nbval cannot see: that the outputs are there at all (a notebook without
outputs passes nbval while testing nothing), that they come from one fresh
top-to-bottom run, that nothing in them is machine-specific, and that every
notebook keeps the course's structure and rules (setup cell, sections,
exercises with checks, explicit Keras names, stable summaries, plt.show()).
"""

import ast
import importlib
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
NOTEBOOK_PATHS = sorted(NOTEBOOK_DIR.glob("0*.ipynb"))
SANITIZE_FILE = ROOT / "tests" / "nbval_sanitize.cfg"

SECTIONS = [
    "1. Intuition",
    "2. A tiny example",
    "3. From scratch",
    "4. Picture",
    "5. Check against Keras",
    "6. Summary",
    "7. Exercises",
]

# Text that would differ on another machine or in another run.
MACHINE_SPECIFIC = [
    (re.compile(r"(?<![\w.])/(?:work|home|root|tmp|usr|opt|Users|var)/"), "an absolute path"),
    (re.compile(r"[A-Za-z]:\\\\"), "a Windows path"),
    (re.compile(r"site-packages"), "a path into site-packages"),
    (re.compile(r"\b0x[0-9a-fA-F]{6,}\b"), "a memory address"),
    (re.compile(r"\d+(?:\.\d+)?\s*m?s/step"), "a Keras progress-bar timing"),
    (re.compile(r"\x1b\["), "an ANSI colour code"),
]


def _load(path):
    return nbformat.read(path, as_version=4)


def _code_cells(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _python_source(cell):
    """Cell source with IPython magics commented out, so ``ast`` can parse it."""
    return "\n".join("# " + line if line.lstrip().startswith(("%", "!")) else line
                     for line in cell.source.splitlines())


def _output_text(output):
    if output.output_type == "stream":
        return output.text
    if output.output_type in ("display_data", "execute_result"):
        return "\n".join(str(value) for key, value in output.data.items()
                         if key.startswith("text/"))
    if output.output_type == "error":
        return "\n".join(output.traceback)
    return ""


def _markdown(notebook):
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


@pytest.fixture(params=NOTEBOOK_PATHS, ids=lambda path: path.name)
def notebook_path(request):
    return request.param


@pytest.fixture
def notebook(notebook_path):
    return _load(notebook_path)


def test_the_course_notebooks_are_found():
    # A wrong glob would find nothing and every parametrized test would vanish.
    names = [path.name for path in NOTEBOOK_PATHS]
    assert names[:3] == ["01_pooling.ipynb", "02_detecting_vertical_lines.ipynb",
                         "03_average_pooling.ipynb"]
    assert len(names) == 5, names


# --------------------------------------------------------------------------
# Format and execution
# --------------------------------------------------------------------------
def test_valid_nbformat_with_a_python3_kernelspec(notebook):
    nbformat.validate(notebook)
    assert notebook.metadata.kernelspec.name == "python3"
    assert notebook.metadata.kernelspec.language == "python"


def test_every_code_cell_ran_once_in_order_from_a_fresh_kernel(notebook):
    counts = [cell.execution_count for cell in _code_cells(notebook)]
    assert counts == list(range(1, len(counts) + 1)), counts


def test_outputs_are_committed(notebook):
    cells = _code_cells(notebook)
    with_output = [cell for cell in cells if cell.outputs]
    # Every cell that prints, plots or checks an exercise shows it; a few
    # cells only define things or assert silently.
    assert len(with_output) >= 0.75 * len(cells), (len(with_output), len(cells))
    for cell in cells:
        if "print(" in cell.source or "plt.show()" in cell.source:
            assert cell.outputs, f"cell without its output:\n{cell.source}"


def test_no_stale_widget_state_is_stored(notebook):
    # nbconvert keeps a notebook's old metadata.widgets when it re-records without widget state, so
    # a static viewer (GitHub, nbviewer) would draw controls the explorer no longer has.
    assert "widgets" not in notebook.metadata


def test_no_errors_and_no_stderr_in_outputs(notebook):
    # nbval's kernel never captures C-level stderr (TensorFlow's log lines),
    # so a stored stderr output could never be matched.
    for cell in _code_cells(notebook):
        for output in cell.outputs:
            assert output.output_type != "error", cell.source
            assert not (output.output_type == "stream" and output.name == "stderr"), (
                f"stderr in the output of:\n{cell.source}\n---\n{output.text}")


def test_no_machine_specific_text_in_outputs(notebook):
    for cell in _code_cells(notebook):
        for output in cell.outputs:
            text = _output_text(output)
            for pattern, what in MACHINE_SPECIFIC:
                assert not pattern.search(text), f"{what} in the output of:\n{cell.source}"


def test_no_absolute_paths_or_environment_lookups_in_code(notebook):
    # A student's `make lab` run must show the committed outputs: nothing may
    # depend on a variable only CI sets, or on where the repository lives.
    for cell in _code_cells(notebook):
        assert not MACHINE_SPECIFIC[0][0].search(cell.source), cell.source
        for lookup in ("os.environ[", "os.environ.get", "os.getenv", "environ.get("):
            assert lookup not in cell.source, cell.source


# --------------------------------------------------------------------------
# The setup cell
# --------------------------------------------------------------------------
def test_first_code_cell_is_the_setup_cell(notebook):
    setup = _code_cells(notebook)[0]
    lines = setup.source.splitlines()
    assert lines[0].startswith("# Setup"), lines[0]
    source = setup.source
    for required in (
        'os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")',
        'os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")',
        "np.set_printoptions(precision=4, suppress=True)",
        "%matplotlib inline",
        "keras.utils.set_random_seed(",
        "keras = load_keras()",
        "keras.__version__",
        "poolviz.plot.show_figures_with_alt_text()",
    ):
        assert required in source, required
    # After %matplotlib, which would otherwise bring back the bare PNG that has no alt text.
    assert source.index("%matplotlib inline") < source.index("poolviz.plot.show_figures_with_alt_text()")
    first_tensorflow = min(source.find(marker) for marker in ("load_keras()", "import keras",
                                                              "import tensorflow")
                           if marker in source)
    assert source.find("TF_CPP_MIN_LOG_LEVEL") < first_tensorflow
    assert source.find("TF_ENABLE_ONEDNN_OPTS") < first_tensorflow


def test_tensorflow_is_loaded_only_through_load_keras_in_the_setup_cell(notebook):
    for cell in _code_cells(notebook)[1:]:
        tree = ast.parse(_python_source(cell))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "load_keras":
                pytest.fail(f"load_keras() outside the setup cell:\n{cell.source}")
    setup_tree = ast.parse(_python_source(_code_cells(notebook)[0]))
    imported = {alias.name.split(".")[0] for node in ast.walk(setup_tree)
                if isinstance(node, ast.Import) for alias in node.names}
    assert not imported & {"tensorflow", "keras"}, "import TF/Keras via load_keras()"


def test_the_setup_line_is_sanitized_to_version_free_text(notebook):
    from nbval.plugin import get_sanitize_patterns

    rules = get_sanitize_patterns(SANITIZE_FILE.read_text())
    printed = "".join(_output_text(o) for o in _code_cells(notebook)[0].outputs)
    for regex, replacement in rules:
        printed = re.sub(regex, replacement, printed)
    assert re.fullmatch(r"Python VERSION, NumPy VERSION, Matplotlib VERSION, "
                        r"Keras VERSION, poolviz VERSION\n", printed), printed


# --------------------------------------------------------------------------
# Structure
# --------------------------------------------------------------------------
# A notebook that teaches a second lesson gives it its own section right after
# the Keras check, so that a lecturer finds it in the table of contents.
PART_TWO = "5b. Part two: "


def test_title_then_the_seven_sections_in_order(notebook, notebook_path):
    assert notebook.cells[0].cell_type == "markdown"
    number = notebook_path.name[:2]
    assert notebook.cells[0].source.startswith(f"# {number} · ")
    headings = [line[3:] for line in _markdown(notebook).splitlines() if line.startswith("## ")]
    part_two = [index for index, heading in enumerate(headings) if heading.startswith(PART_TWO)]
    assert part_two in ([], [SECTIONS.index("5. Check against Keras") + 1]), headings
    headings = [heading for heading in headings if not heading.startswith(PART_TWO)]
    assert len(headings) == len(SECTIONS), headings
    for heading, section in zip(headings, SECTIONS):
        assert heading.startswith(section), (heading, section)


def test_at_least_two_exercises_with_check_calls_that_exist(notebook, notebook_path):
    module = importlib.import_module(f"poolviz.exercises.nb{notebook_path.name[:2]}")
    exercise_headings = re.findall(r"^### Exercise (\d+)", _markdown(notebook), re.MULTILINE)
    assert len(exercise_headings) >= 2
    check_cells = [cell for cell in _code_cells(notebook) if "exercises.check_" in cell.source]
    assert len(check_cells) == len(exercise_headings)
    for number, cell in zip(exercise_headings, check_cells):
        assert cell.source.splitlines()[0].startswith(f"# Exercise {number}")
        assert re.search(rf"^answer_{number} = None$", cell.source, re.MULTILINE)
        name = re.search(r"exercises\.(check_\w+)\(", cell.source).group(1)
        assert callable(getattr(module, name)), name
        # The committed notebook has the exercises open, and the check said so.
        assert _output_text(cell.outputs[0]).startswith("Not answered yet: ")


def test_solutions_are_out_of_the_way(notebook, notebook_path):
    solution_file = NOTEBOOK_DIR / "solutions" / f"{notebook_path.name[:2]}_solutions.py"
    assert solution_file.exists() or "<details>" in _markdown(notebook)
    assert f"solutions/{solution_file.name}" in _markdown(notebook)


def test_nbval_markers_are_whole_first_lines_and_only_on_widget_cells(notebook):
    for cell in _code_cells(notebook):
        markers = re.findall(r"NBVAL_\w+", cell.source)
        shows_widget = any("application/vnd.jupyter.widget-view+json" in output.get("data", {})
                           for output in cell.outputs)
        if not markers:
            assert not shows_widget, f"widget display without # NBVAL_IGNORE_OUTPUT:\n{cell.source}"
            continue
        # nbval silently ignores a marker with anything else on its line.
        assert markers == ["NBVAL_IGNORE_OUTPUT"], cell.source
        assert cell.source.splitlines()[0] == "# NBVAL_IGNORE_OUTPUT", cell.source
        assert "widgets." in cell.source and "explorer(" in cell.source, (
            "only cells that display an explorer widget may skip the output check")


def test_each_widget_has_a_strict_cell_driving_its_model(notebook):
    cells = _code_cells(notebook)
    for index, cell in enumerate(cells):
        if cell.source.startswith("# NBVAL_IGNORE_OUTPUT"):
            widget_name = cell.source.splitlines()[-1].strip()
            following = cells[index + 1]
            # The check drives a fresh model of the widget's class, so that it passes whatever
            # a student did with the controls and never moves the widget shown above.
            assert f"type({widget_name}.model)" in following.source, following.source
            assert "ExplorerModel(" in following.source
            assert not re.search(rf"{widget_name}\.model\.\w+\s*=", following.source)
            assert "assert" in following.source and following.outputs


def _is_proof(cell):
    return "proof" in cell.metadata.get("tags", [])


def test_proof_cells_are_folded_tagged_and_print_one_checked_line(notebook):
    # A proof tests the claim just made, out of the reading path (issue 21): its code folded, its
    # output one line saying what it checked. nbval still runs it and compares that line.
    for cell in _code_cells(notebook):
        folded = cell.metadata.get("jupyter", {}).get("source_hidden", False)
        assert folded == _is_proof(cell), f"folded code must be a tagged proof, and a proof folded:\n{cell.source}"
        if _is_proof(cell):
            assert cell.source.startswith("# Proof") and "assert" in cell.source, cell.source
            printed = "".join(_output_text(output) for output in cell.outputs)
            assert re.fullmatch(r"checked: [^\n]+\n", printed), f"one 'checked: ...' line, got {printed!r}"


def test_01_keeps_its_asserts_in_proofs_outside_the_keras_section():
    notebook = _load(NOTEBOOK_DIR / "01_pooling.ipynb")
    section, visible_asserts, proofs = "", [], 0
    for cell in notebook.cells[2:]:  # after the title and the setup cell (which asserts Keras 3)
        if cell.cell_type == "markdown":
            section = next((line for line in cell.source.splitlines() if line.startswith("## ")), section)
        elif _is_proof(cell):
            proofs += 1
        elif "assert" in cell.source and not section.startswith("## 5. Check against Keras"):
            visible_asserts.append(cell.source)
    assert visible_asserts == [] and proofs >= 6, (visible_asserts, proofs)


# --------------------------------------------------------------------------
# Rules for Keras and plots
# --------------------------------------------------------------------------
KERAS_FACTORIES = re.compile(r"^keras\.(layers\.\w+|Model|Sequential|Input)$")


def _dotted(node):
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _calls_outside_try(tree):
    """Calls not inside a ``try`` body (where notebooks show errors on purpose)."""
    inside_try = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Try):
            for statement in node.body:
                inside_try.update(id(child) for child in ast.walk(statement))
    return [node for node in ast.walk(tree)
            if isinstance(node, ast.Call) and id(node) not in inside_try]


def test_keras_layers_and_models_have_explicit_names(notebook):
    for cell in _code_cells(notebook):
        for call in _calls_outside_try(ast.parse(_python_source(cell))):
            name = _dotted(call.func)
            line = cell.source.splitlines()[call.lineno - 1]
            if "# no name= on purpose" in line:  # a cell showing Keras's automatic names
                continue
            if KERAS_FACTORIES.match(name) and not name.endswith(("Layer",)):
                keywords = {keyword.arg for keyword in call.keywords}
                assert "name" in keywords, f"{name}(...) without name= in:\n{cell.source}"


def _inside_capture_output(tree):
    """Ids of the nodes inside ``with capture_output(...)`` that keeps stdout: it is captured, not stored."""
    captured = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.With) and any(
                _dotted(getattr(item.context_expr, "func", None)).endswith("capture_output")
                and not any(keyword.arg == "stdout" for keyword in item.context_expr.keywords)
                for item in node.items):
            captured.update(id(child) for statement in node.body for child in ast.walk(statement))
    return captured


def test_no_predict_progress_bars_and_stable_summaries(notebook):
    for cell in _code_cells(notebook):
        tree = ast.parse(_python_source(cell))
        captured = _inside_capture_output(tree)  # a proof cell may capture a progress bar to check it
        for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
            attribute = getattr(call.func, "attr", None)
            keywords = {keyword.arg: keyword.value for keyword in call.keywords}
            if attribute == "predict" and id(call) not in captured:
                verbose = keywords.get("verbose")
                assert isinstance(verbose, ast.Constant) and verbose.value == 0, cell.source
            if attribute == "summary":
                assert ast.literal_eval(keywords["line_length"]) == 80, cell.source
                assert getattr(keywords["print_fn"], "id", None) == "print", cell.source
        assert "input_shape=" not in cell.source, "Keras 3: use keras.Input"
        stored = "".join(_output_text(output) for output in cell.get("outputs", []))
        assert not re.search(r"\d+m?s/step", stored), f"a stored progress bar with a timing in:\n{cell.source}"


def test_models_are_built_after_clear_session(notebook):
    seen_clear = False
    for cell in _code_cells(notebook):
        if "keras.backend.clear_session()" in cell.source or "tutorial_model(" in cell.source:
            seen_clear = True
        if re.search(r"keras\.(Model|Sequential)\(", cell.source):
            assert seen_clear, f"model built before keras.backend.clear_session():\n{cell.source}"


def test_plot_cells_end_with_plt_show(notebook):
    for cell in _code_cells(notebook):
        draws = [output for output in cell.outputs
                 if output.output_type == "display_data" and "image/png" in output.data]
        if draws:
            assert cell.source.rstrip().endswith("plt.show()"), cell.source


def test_every_notebook_checks_its_numbers_against_keras_with_assert(notebook):
    source = "\n".join(cell.source for cell in _code_cells(notebook))
    keras_section = _markdown(notebook).split("## 5. Check against Keras")[1]
    assert keras_section
    keras_cells = [cell.source for cell in _code_cells(notebook)
                   if "keras" in cell.source and "assert" in cell.source]
    assert len(keras_cells) >= 2
    assert "np.testing.assert" in source or "np.array_equal" in source


def test_every_notebook_has_a_2019_vs_today_note(notebook):
    assert "**2019 vs today:**" in _markdown(notebook)


# --------------------------------------------------------------------------
# What each of notebooks 01-03 must contain (the course's issue text)
# --------------------------------------------------------------------------
def _all_output_text(notebook):
    return "\n".join(_output_text(output) for cell in _code_cells(notebook)
                     for output in cell.outputs)


def _all_code(notebook):
    return "\n".join(cell.source for cell in _code_cells(notebook))


def test_01_shows_sizes_formula_and_measured_invariance():
    notebook = _load(NOTEBOOK_DIR / "01_pooling.ipynb")
    code, printed = _all_code(notebook), _all_output_text(notebook)
    assert "output_size_formula(" in code
    assert "floor((6 - 2) / 2) + 1 = 3" in printed and "ceil(7 / 2) = 4" in printed
    assert "(6, 6) -> (3, 3)" in printed
    assert "count_unchanged(" in code and "data.shift(" in code
    assert "pooled 4/4 unchanged" in printed  # the 1-column move inside a window
    assert "pooled 2/4 unchanged" in printed  # the 2-column move across windows
    assert "weights in the pooling layer: 0" in printed


def test_02_builds_the_detector_by_hand_and_in_keras_with_10_parameters():
    notebook = _load(NOTEBOOK_DIR / "02_detecting_vertical_lines.ipynb")
    code, printed = _all_code(notebook), _all_output_text(notebook)
    assert "for i in range(" in code and "poolviz.conv2d(" in code
    assert "print_summary(model)" in code  # keras_bridge.print_summary: model.summary() as 80-column text
    assert re.search(r"Total params: 10\b", printed)
    assert "line_detector (Conv2D)" in printed and "(None, 6, 6, 1)" in printed
    assert "set_weights(" in code
    assert "poolviz.plot.heatmap(" in code
    assert "data.photograph(" in code
    # The article prints 6 rows; the seed file's scrape ran its output into the next excerpt.
    assert "(None, 6, 6, 1)" in printed and not re.search(r"\beight\b", _markdown(notebook).lower())
    # Keras 3 still names unnamed layers automatically, and NumPy 2 prints np.float32(0.0).
    assert "['conv2d', 'conv2d_1']" in printed and "np.float32(0.0)" in printed


def test_03_generates_the_hand_calculation_and_checks_padding_and_strides():
    notebook = _load(NOTEBOOK_DIR / "03_average_pooling.ipynb")
    code, printed = _all_code(notebook), _all_output_text(notebook)
    assert ".arithmetic()" in code and "walk_windows(first_two_rows" in code
    assert "average(3.0, 3.0,\n        3.0, 3.0) = 12.0 / 4 = 3.0" in printed
    assert "pooling_explorer(" in code and 'operation="average"' in code
    assert "AveragePooling2D.__init__() missing 1 required positional argument: 'pool_size'" in printed
    assert "24.0 / 1 = 24.0" in printed  # the padded corner divides by its one real cell
    assert "pool 3, stride 1" in printed and "pool 2, stride 3" in printed
    assert "to the left" in _markdown(notebook)  # the article's slip is named


def test_no_notebook_calls_the_articles_row_counts_an_error():
    # The seed's "eight rows" and "four rows" come from its text scrape, not from the article.
    for path in NOTEBOOK_PATHS:
        text = _markdown(_load(path)).lower()
        for phrase in ("eight rows", "four rows", "8 rows", "4 rows"):
            assert phrase not in text, (path.name, phrase)


def test_same_padding_is_described_with_its_real_rule():
    # Not "cells after the map" alone: total max((out - 1) * stride + pool - n, 0), split evenly.
    for path in NOTEBOOK_PATHS:
        text = _markdown(_load(path))
        assert "adds cells after the map" not in text and "adds empty cells after" not in text
        assert "so that every input cell is in a window" not in text
    for name in ("01_pooling.ipynb", "03_average_pooling.ipynb", "04_max_pooling.ipynb"):
        assert "max((out - 1) * stride + pool - n, 0)" in _markdown(_load(NOTEBOOK_DIR / name)), name


def test_the_photograph_goes_through_detector_and_pooling_in_02_or_03():
    code = _all_code(_load(NOTEBOOK_DIR / "02_detecting_vertical_lines.ipynb"))
    assert "photo = data.photograph(" in code
    assert "poolviz.conv2d(photo" in code and "max_pool2d(photo_map)" in code


# --------------------------------------------------------------------------
# The sanitize file itself
# --------------------------------------------------------------------------
def test_sanitize_rules_parse_and_do_not_mangle_figure_sizes():
    from nbval.plugin import get_sanitize_patterns

    text = SANITIZE_FILE.read_text()
    rules = get_sanitize_patterns(text)
    # nbval drops a rule silently when its two lines are not adjacent.
    assert len(rules) == text.count("\nregex: ") == text.count("\nreplace: ") == 3
    sample = "<Figure size 640x480 with 1 Axes> at 0x7f17deadbeef, Keras 3.15.1"
    figure = '<img src="data:image/png;base64,iVBORw0K+/9=" alt="Figure. input 6 x 6: rows 0 3">'
    for regex, replacement in rules:
        figure = re.sub(regex, replacement, figure)
    assert figure == '<img src="data:image/png;base64,PNG" alt="Figure. input 6 x 6: rows 0 3">'
    for regex, replacement in rules:
        assert replacement.strip()
        sample = re.sub(regex, replacement, sample)
    assert sample == "<Figure size 640x480 with 1 Axes> at 0xADDRESS, Keras VERSION"
