"""The going-further notebooks: committed outputs, structure, exercises, and the
closing note's tables (their README) copied from their stored outputs.

Static: no kernel is started (nbval executes these notebooks once)."""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
FOLDER = ROOT / "notebooks" / "going_further"
NOTEBOOKS = sorted(FOLDER.glob("*.ipynb"))
README = FOLDER / "README.md"


def test_the_going_further_notebooks_are_found():
    assert [p.name for p in NOTEBOOKS] == ["01_antialiased_pooling.ipynb", "02_strided_convolutions.ipynb",
                                           "03_keras_and_pytorch.ipynb", "04_lp_pooling.ipynb",
                                           "05_receptive_fields.ipynb"]


def _read(path):
    return nbformat.read(path, as_version=4)


def _code(notebook):
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _text(notebook):
    return "".join("".join(o.get("text", "")) for cell in _code(notebook) for o in cell.outputs)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_outputs_committed_in_order_without_errors_or_stderr(path):
    notebook = _read(path)
    counts = [cell.execution_count for cell in _code(notebook)]
    assert counts == list(range(1, len(counts) + 1))
    for cell in _code(notebook):
        assert cell.outputs, cell.source[:80]
        for output in cell.outputs:
            assert output.output_type != "error" and output.get("name") != "stderr", cell.source[:80]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_setup_cell_first_and_markers_only_on_widget_cells(path):
    notebook = _read(path)
    setup = _code(notebook)[0].source
    assert setup.startswith("# Setup")
    assert setup.find('os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")') < setup.find("load_keras()")
    for cell in _code(notebook)[1:]:
        assert "load_keras(" not in cell.source
        if "NBVAL" in cell.source:
            assert cell.source.splitlines()[0] == "# NBVAL_IGNORE_OUTPUT"
            assert "explorer" in cell.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_exercises_call_checks_that_exist(path):
    from poolviz.exercises import going_further

    notebook = _read(path)
    markdown = "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")
    numbers = re.findall(r"^### Exercise (\d+)", markdown, re.MULTILINE)
    checks = [cell for cell in _code(notebook) if "exercises.check_" in cell.source]
    assert len(numbers) >= 2 and len(checks) == len(numbers)
    for number, cell in zip(numbers, checks):
        assert re.search(rf"^answer_{number} = None$", cell.source, re.MULTILINE)
        name = re.search(r"exercises\.(check_\w+)\(", cell.source).group(1)
        assert callable(getattr(going_further, name))
        assert "Not answered yet" in "".join(o.get("text", "") for o in cell.outputs)


def test_citations():
    text = "".join(cell.source for path in NOTEBOOKS for cell in _read(path).cells)
    assert "Making Convolutional Networks Shift-Invariant Again" in text and "ICML 2019" in text
    assert "Striving for Simplicity: The All Convolutional Net" in text


def _readme_blocks():
    return re.findall(r"```\n(.*?)```", README.read_text(), re.DOTALL)


def test_the_closing_note_tables_are_the_notebooks_stored_outputs():
    blocks = _readme_blocks()
    assert len(blocks) == 2
    sources = [_text(_read(FOLDER / "01_antialiased_pooling.ipynb")),
               _text(_read(FOLDER / "02_strided_convolutions.ipynb"))]
    for block, stored in zip(blocks, sources):
        assert block in stored, block



def test_02_reads_the_stored_census_and_shows_every_model_it_holds():
    # Statements about real networks come from the census of all keras.applications models
    # (scripts/census.py), not from models picked by hand: each one has a row in the table.
    import json

    census = json.loads((ROOT / "poolviz" / "going_further" / "keras_applications_census.json").read_text())
    notebook = _read(FOLDER / "02_strided_convolutions.ipynb")
    source = "".join(cell.source for cell in _code(notebook))
    assert "Census()" in source and "architecture_counts(" not in source
    from poolviz.going_further.census import Census

    assert Census().models == census["models"]  # the notebook's Census() is the stored file
    first_words = {line.split()[0] for line in _text(notebook).splitlines() if line.split()}
    assert len(census["models"]) >= 40 and sorted(set(census["models"]) - first_words) == []


# --------------------------------------------------------------------------
# Proofs out of the reading path; sources for history and for PyTorch
# --------------------------------------------------------------------------
def _folded(cell):
    return bool(cell.metadata.get("jupyter", {}).get("source_hidden"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_folded_cells_are_checks_that_print_one_checked_line(path):
    # A folded cell hides its code, so what it prints must say what it checked, and it must check.
    for cell in filter(_folded, _code(_read(path))):
        assert re.search(r"^\s*(assert |np\.testing\.assert_)", cell.source, re.MULTILINE), cell.source
        assert {output.output_type for output in cell.outputs} == {"stream"}, cell.source
        printed = "".join(output.text for output in cell.outputs)
        assert re.fullmatch(r"checked: [^\n]+\n", printed), printed


@pytest.mark.parametrize("name", ["01_antialiased_pooling.ipynb", "03_keras_and_pytorch.ipynb", "04_lp_pooling.ipynb"])
def test_no_assert_in_the_reading_path(name):
    notebook = _read(FOLDER / name)
    folded = [cell for cell in _code(notebook) if _folded(cell)]
    assert len(folded) >= 8, len(folded)
    for cell in _code(notebook):
        if not _folded(cell):
            assert not re.search(r"\bassert\b|np\.testing\.assert", cell.source), cell.source


def test_history_is_cited_from_its_earliest_sources():
    text = " ".join(" ".join(cell.source for cell in _read(FOLDER / "01_antialiased_pooling.ipynb").cells).split())
    for source in ("Certain topics in telegraph transmission theory", "Communication in the presence of noise",
                   "The Laplacian pyramid as a compact image code", "Shiftable multiscale transforms",
                   "Handwritten digit recognition with a back-propagation network", "arXiv:1805.12177",
                   "PMLR 97:7324-7334", "Deep Learning*, MIT Press 2016, section 9.3",
                   "Neocognitron", "Biological Cybernetics* 36, 193-202",
                   "Fast filter transforms for image processing",
                   "On the transmission capacity of the 'ether' and wire in electrocommunications"):
        assert source in text, source


def test_04_cites_lp_poolings_history_from_sources_read_without_hedges():
    notebook = _read(FOLDER / "04_lp_pooling.ipynb")
    text = " ".join(" ".join(cell.source for cell in notebook.cells).split())
    for source in ("*Sur les fonctions convexes et les inégalités entre les valeurs moyennes*, Acta Mathematica 30",
                   "Decomposition of Natural Images into Independent Feature Subspaces*, Neural Computation 12 (7), "
                   "1705-1720, 2000", "*Complex cell pooling and the statistics of natural images*",
                   "*Convolutional Neural Networks Applied to House Numbers Digit Classification*, ICPR 2012",
                   "arXiv:1204.3968", "3×3 Gaussian kernel",
                   "*Learned-Norm Pooling for Deep Feedforward and Recurrent Neural Networks*, ECML PKDD 2014",
                   "docs.pytorch.org/docs/stable/generated/torch.nn.LPPool2d.html", "\"power-average pooling\"",
                   "**2012, weighted L2 pooling in a convolutional network for house numbers.**",
                   "*Spatiotemporal energy models for the perception of motion*, J. Opt. Soc. Am. A 2 (2), "
                   "284-299, 1985",
                   "*Fine-tuning CNN Image Retrieval with No Human Annotation*, arXiv:1711.02512",
                   "*Ueber einen Mittelwerthssatz*, Nachrichten von der Königl. Gesellschaft der Wissenschaften "
                   "und der Georg-Augusts-Universität zu Göttingen",
                   "None of these sources uses this notebook's exact operation",
                   "## 6. Examples of Lp pooling in use",
                   "These are examples from the sources read for this notebook, by year, not a history",
                   "That is the power-mean inequality; the convexity step is Jensen's",
                   "dLp/dx_i = (1/n) * (|x_i| / Lp) ** (p-1) * sign(x_i)", "### Optional: gradients"):
        assert source in text, source
    for hedge in ("from memory", "could not read", "could not verify", "not verified", "we could", "may exist"):
        assert hedge not in text, hedge
    # Sources read, not a history: no claim of an origin, of completeness, or that Hoelder/Jensen found the
    # power-mean inequality (they are credited for the convexity step only).
    for claim in ("comes from", "origin", "first used", "Hölder 1889", "Jensen 1906)", "No source found", "classical"):
        assert claim not in text, claim


def test_pytorch_is_not_in_the_lock_and_03_says_where_its_rules_come_from():
    lock = (ROOT / "requirements" / "lock.txt").read_text().splitlines()
    assert not [line for line in lock if re.match(r"torch\b", line)]
    notebook = _read(FOLDER / "03_keras_and_pytorch.ipynb")
    assert "PyTorch importable in this Python: False\n" in _text(notebook)
    text = " ".join(" ".join(cell.source for cell in notebook.cells).split())
    for source in ("docs.pytorch.org", "`torch.nn.MaxPool2d`", "`torch.nn.AvgPool2d`",
                   "aten/src/ATen/native/cpu/AvgPoolKernel.cpp", "tests/test_torch_pooling.py",
                   "aten/src/ATen/native/cpu/MaxPoolKernel.cpp", "aten/src/ATen/native/Pool.h",
                   "67eb71bcb9e21a3abf572b07981c33bc3f0dcbd1",
                   "docs.pytorch.org/docs/2.2/generated/torch.nn.MaxPool2d.html",
                   "05f542c9ef2e3d9994e92eb30a7bae294ccc7cf0"):
        assert source in text, source
    assert "newest source" not in text  # an uncited claim about unreleased PyTorch code
