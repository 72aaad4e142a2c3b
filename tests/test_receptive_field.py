"""Receptive fields (notebook 05): poolviz.walkthrough.receptive_field against a brute-force
loop, its explorer's model, view and picture, through the public API.

The oracle follows every cell's dependencies forward, one window at a time, with Keras's
padding rule written out here again: cell (i, j) of a layer depends on the union of the
dependencies of the real cells in its window.
"""

import itertools
import random

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import traitlets  # noqa: E402

from poolviz.explorer import ReceptiveFieldExplorerModel  # noqa: E402
from poolviz.walkthrough import RECEPTIVE_FIELD_STACKS, receptive_field  # noqa: E402


def _windows(n, kernel, stride, padding):
    """Real input cells of each window along one axis, by Keras's rule."""
    out = -(-n // stride) if padding == "same" else (n - kernel) // stride + 1
    before = max((out - 1) * stride + kernel - n, 0) // 2 if padding == "same" else 0
    return [[cell for cell in range(i * stride - before, i * stride - before + kernel) if 0 <= cell < n]
            for i in range(out)]


def dependencies(layers, input_shape):
    """For each output cell, the boolean mask of the input cells it depends on (a loop per cell)."""
    rows, cols = input_shape
    maps = [[np.eye(rows * cols, dtype=bool)[r * cols + c].reshape(rows, cols) for c in range(cols)]
            for r in range(rows)]
    for layer in layers:
        if layer == "global":
            layer = ((len(maps), len(maps[0])), (1, 1), "valid")
        kernel, stride = (tuple(v) if isinstance(v, tuple) else (v, v) for v in layer[:2])
        padding = layer[2]
        row_windows = _windows(len(maps), kernel[0], stride[0], padding)
        col_windows = _windows(len(maps[0]), kernel[1], stride[1], padding)
        maps = [[np.logical_or.reduce([maps[r][c] for r in window_rows for c in window_cols])
                 for window_cols in col_windows] for window_rows in row_windows]
    return maps


def _span(mask):
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    return (int(rows[0]), int(rows[-1]) + 1), (int(cols[0]), int(cols[-1]) + 1)


def _random_stack(rng):
    """A stack that may or may not fit: 1-4 layers of kernel 1-4, stride 1-3, either padding, or 'global'."""
    layers = []
    for _ in range(rng.randint(1, 4)):
        if rng.random() < 0.1:
            layers.append("global")
        else:
            kernel = rng.randint(1, 4) if rng.random() < 0.7 else (rng.randint(1, 4), rng.randint(1, 4))
            layers.append((kernel, rng.randint(1, 3), rng.choice(["valid", "same"])))
    return layers


def _strides_within_kernels(layers):
    return all((np.broadcast_to(layer[1], 2) <= np.broadcast_to(layer[0], 2)).all()
               for layer in layers if layer != "global")


def test_the_oracle_reads_keras_padding_rule():
    # 5 cells, window 3, stride 2, 'same': 3 outputs, 2 padded cells, one before and one after.
    assert _windows(5, 3, 2, "same") == [[0, 1], [1, 2, 3], [3, 4]]
    # 6 cells: 1 padded cell, after (bottom/right), as Keras puts it.
    assert _windows(6, 3, 2, "same") == [[0, 1, 2], [2, 3, 4], [4, 5]]


@pytest.mark.parametrize("seed", range(40))
def test_every_output_cell_of_random_stacks_spans_exactly_what_the_loop_finds(seed):
    rng = random.Random(seed)
    layers, shape = _random_stack(rng), (rng.randint(1, 11), rng.randint(1, 11))
    try:
        masks = dependencies(layers, shape)
    except (ValueError, IndexError):  # a 'valid' window larger than its map: no output
        with pytest.raises(ValueError, match=r"layers\[\d\] must be"):
            receptive_field(layers, (0, 0), shape)
        return
    if not masks or not masks[0]:
        with pytest.raises(ValueError, match=r"layers\["):
            receptive_field(layers, (0, 0), shape)
        return
    full = _strides_within_kernels(layers)
    for row, col in itertools.product(range(len(masks)), range(len(masks[0]))):
        field = receptive_field(layers, (row, col), shape)
        assert field == _span(masks[row][col]), (layers, shape, (row, col))
        if full:  # windows overlap or touch: every cell of the span is read
            (top, bottom), (left, right) = field
            assert masks[row][col][top:bottom, left:right].all() and masks[row][col].sum() == (
                bottom - top) * (right - left)


@pytest.mark.parametrize("stack", list(RECEPTIVE_FIELD_STACKS))
def test_the_explorers_stacks_on_odd_and_uneven_inputs_match_the_loop(stack):
    layers = RECEPTIVE_FIELD_STACKS[stack]
    for shape in ((12, 12), (13, 9), (11, 16)):
        masks = dependencies(layers, shape)
        for row, col in itertools.product(range(len(masks)), range(len(masks[0]))):
            (top, bottom), (left, right) = receptive_field(layers, (row, col), shape)
            assert masks[row][col].sum() == (bottom - top) * (right - left)
            assert masks[row][col][top:bottom, left:right].all()


def test_known_fields_with_same_padding_are_cut_differently_at_the_top_and_the_bottom():
    same = [(3, 1, "same"), (2, 2, "same")]
    # 7 rows: the pool pads one row, after; the convolution one row on each side.
    assert receptive_field(same, (0, 0), (7, 7))[0] == (0, 3)   # rows -1..2, clipped at the top
    assert receptive_field(same, (3, 0), (7, 7))[0] == (5, 7)   # the last output row sees only 2 rows
    assert receptive_field([(2, 2, "valid"), (3, 1, "same")], (2, 0), (7, 7))[0] == (2, 6)  # row 6 never read
    assert receptive_field([(3, 1, "valid")] * 4, (0, 0), (9, 9)) == ((0, 9), (0, 9))  # grows by 2 a layer
    assert receptive_field([], (2, 3), (4, 5)) == ((2, 3), (3, 4))  # no layer: the cell itself


def test_a_stride_past_the_kernel_leaves_holes_and_the_field_is_their_span():
    layers = [(1, 2, "valid"), (3, 1, "valid")]
    mask = dependencies(layers, (9, 9))[0][0]
    assert np.nonzero(mask[:, 0])[0].tolist() == [0, 2, 4]
    assert receptive_field(layers, (0, 0), (9, 9)) == ((0, 5), (0, 5))


def test_going_further_05_exercise_2_field_has_36_cells_in_an_8_by_8_span(capsys):
    # A 2x2 pool with stride 3, then a 3x3 convolution, on 12 x 12: the check's 36 is what the loop finds.
    from poolviz.exercises import going_further

    layers = [(2, 3, "valid"), (3, 1, "valid")]
    mask = dependencies(layers, (12, 12))[0][0]
    assert int(mask.sum()) == 36 and np.nonzero(mask[:, 0])[0].tolist() == [0, 1, 3, 4, 6, 7]
    assert receptive_field(layers, (0, 0), (12, 12)) == _span(mask) == ((0, 8), (0, 8))
    going_further.check_field_with_holes(int(mask.sum()))
    assert capsys.readouterr().out.startswith("Correct: ")


@pytest.mark.parametrize("arguments, named", [
    (([(3, 1, "valid")], (0, 0), (2, 2)), r"layers\[0\].*does not fit"),
    (([(3, 1, "middle")], (0, 0), (4, 4)), r"layers\[0\].*padding"),
    (([(0, 1, "valid")], (0, 0), (4, 4)), r"layers\[0\].*kernel must be positive"),
    (([(3, 0, "valid")], (0, 0), (4, 4)), r"layers\[0\].*stride must be positive"),
    (([(3, 1)], (0, 0), (4, 4)), r"layers\[0\]"),
    (([(3, 1, "valid")], (2, 0), (4, 4)), r"output_index must lie in the 2 x 2 output"),
    (([(3, 1, "valid")], (0, -1), (4, 4)), r"output_index"),
    (([(3, 1, "valid")], (0, 0), (0, 4)), r"input_shape"),
    (((3, 1, "valid"), (0, 0), (4, 4)), r"layers\[0\]"),
    ((None, (0, 0), (4, 4)), r"layers must be a list"),
    (([(1, 1, "valid")] * 1001, (0, 0), (4, 4)), r"layers must be a list of at most 1000"),
])
def test_bad_arguments_are_refused_naming_the_argument(arguments, named):
    with pytest.raises((ValueError, TypeError), match=named):
        receptive_field(*arguments)


# --------------------------------------------------------------------------
# The explorer's model, view and picture
# --------------------------------------------------------------------------
def test_the_model_gives_the_field_of_the_chosen_cell_and_follows_a_shrinking_output():
    model = ReceptiveFieldExplorerModel(stack="conv 3x3, pool 2x2 stride 2", output_cell=7)
    state = model.state
    assert state.shapes == ((12, 12), (10, 10), (5, 5)) and state.output_index == (1, 2)
    assert (state.rows, state.cols) == ((2, 6), (4, 8))
    assert "Output row 1, column 2 depends on input rows 2 to 5, columns 4 to 7: 16 of the 144" in state.description
    model.stack = "conv 3x3, global pooling"  # one output cell: the chosen one follows
    assert model.output_cell == 0 and (model.state.rows, model.state.cols) == ((0, 12), (0, 12))
    with pytest.raises(traitlets.TraitError, match="output_cell must be at most 0"):
        model.output_cell = 1
    with pytest.raises(traitlets.TraitError, match="input_rows must be at most 16"):
        model.input_rows = 17
    with pytest.raises(traitlets.TraitError, match="stack must be one of"):
        model.stack = "a transformer"
    model.configure(stack="(conv 3x3, pool 2x2 stride 2) twice", input_rows=4)
    assert not model.state.ok and "does not fit a 4 x 12 input: its layer 3 gets a 1 x 5 map" in model.message


def test_the_view_names_each_output_cell_and_a_click_shows_its_field():
    from poolviz.widgets import receptive_field_explorer

    explorer = receptive_field_explorer(input_rows=9, input_cols=11)
    buttons = explorer.cells_box.children
    assert len(buttons) == 3 * 4  # (9 - 2) // 2 x (11 - 2) // 2 output cells
    assert [b.tooltip for b in buttons[:2]] == ["output row 0, column 0 (shown)", "output row 0, column 1"]
    assert buttons[0].icon == "check" and buttons[1].icon == ""  # the chosen cell is marked, not by colour only
    assert [b.description for b in (buttons[0], buttons[6], buttons[11])] == ["0,0", "1,2", "2,3"]  # shown, not hovered
    before = explorer.image.value
    buttons[6].click()  # row 1, column 2
    state = explorer.model.state
    assert state.output_index == (1, 2) and (state.rows, state.cols) == ((2, 6), (4, 8))
    assert buttons[6].tooltip == "output row 1, column 2 (shown)" and buttons[0].icon == ""
    assert explorer.image.value != before
    said = "Output row 1, column 2 depends on input rows 2 to 5, columns 4 to 7: 16 of the 99 input cells"
    # Said once in the view, below the picture: one shown caption (both selectors), not a second copy above it.
    assert explorer.field_html is explorer.caption_html and explorer.caption_html.layout.display is None
    assert {"poolviz-field", "poolviz-caption"} <= set(explorer.field_html._dom_classes)
    assert said in explorer.field_html.value
    shown = [child for child in explorer.children if isinstance(child, type(explorer.field_html))]
    assert sum(said in child.value for child in shown) == 1
    assert explorer.children.index(explorer.field_html) == explorer.children.index(explorer.image) + 1
    if explorer.words is not None:
        assert said in explorer.words.alts["poolviz-plot"] and said in explorer.words.said
    explorer.controls["stack"].value = "conv 3x3, global pooling"
    assert len(explorer.cells_box.children) == 1 and explorer.model.state.rows == (0, 9)
    explorer.controls["stack"].value = "(conv 3x3, pool 2x2 stride 2) twice"
    explorer.controls["input rows"].value = 5
    assert "does not fit" in explorer.message_html.value and explorer.image.layout.display == "none"
    assert explorer.field_html.value == "" and explorer.field_html.layout.display == "none"
    assert explorer.cells_box.children == ()
    explorer.controls["input rows"].value = 16  # back: a picture again, the buttons reused
    assert explorer.image.layout.display is None and len(explorer.cells_box.children) == 2


def test_the_picture_writes_1_in_exactly_the_field_and_its_title_says_where():
    from poolviz.widgets import receptive_field_explorer

    explorer = receptive_field_explorer(stack="conv 3x3, conv 3x3", input_rows=6, input_cols=8, output_cell=3)
    ax = explorer.figure.axes[0]
    shown = ax.images[0].get_array()
    assert shown.shape == (6, 8) and shown.sum() == 5 * 5 and shown[0:5, 3:8].all()
    assert ax.get_title() == "input: rows 0-4, cols 3-7"
    assert sorted(text.get_text() for text in ax.texts).count("1") == 25  # the field, not by colour only
