"""Checks for ``notebooks/going_further/``; each check's docstring names its notebook.

>>> check_torch_output_size(3)  # doctest: +ELLIPSIS
Correct: ceil((4 + 2*1 - 3) / 2) + 1 = ceil(1.5) + 1 = 3; the third window starts at column 2 * 2 - 1 = 3, ...
"""

import functools

import numpy as np

import poolviz
import poolviz.pooling
from poolviz import data, going_further

from .._checks import _describe
from ..going_further.census import Census
from ._harness import _as_array, _as_int, _check_function, _close, _correct, _grade, _names_used, _rounded, exercise
from .nb04 import EXERCISE_1_MAP, EXERCISE_4_MAP

__all__ = ["check_average_pool_kernel", "check_cells_never_seen", "check_count_include_pad",
           "check_depthwise_parameters", "check_field_with_holes", "check_keras_same_in_pytorch",
           "check_l2_pool_by_hand", "check_least_change_ranking", "check_lp_pool", "check_max_blur_by_hand",
           "check_receptive_interval", "check_second_step_pooling_papers", "check_torch_output_size"]

#: 01, exercise 1, by hand; not square, so that square-only code and padding on the wrong side give wrong numbers.
MAX_BLUR_MAP = np.array([[4.0, 0.0, 0.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0, 8.0],
                         [0.0, 0.0, 4.0, 0.0, 0.0],
                         [0.0, 0.0, 0.0, 0.0, 0.0]])


@exercise("give the 2x2 result of max_blur_pool2d(MAX_BLUR_MAP, 2, 2, filter_size=2), e.g. [[a, b], [c, d]].")
def check_max_blur_by_hand(answer):
    """01, exercise 1: ``max_blur_pool2d(MAX_BLUR_MAP, 2, 2, filter_size=2)``."""
    result, dense = _as_array(answer), poolviz.max_pool2d(MAX_BLUR_MAP, 2, strides=1)
    expected = going_further.max_blur_pool2d(MAX_BLUR_MAP, 2, 2, filter_size=2)
    reflected, after = np.pad(dense, ((0, 1), (0, 1)), mode="reflect"), ((0, 1), (0, 1))
    _grade(result, expected, same=_close, shown=result.tolist(), wrong_shape={
        (3, 4): "3x4 is the max with stride 1 (or the blur at stride 1): the blur is applied with stride 2",
        (1, 2): "without the padding row only one window fits down the 3 rows: reflect-pad one row and column after"}
        .get(result.shape, f"the result is 2x2 (floor((4 - 2) / 2) + 1 = 2 rows, floor((5 - 2) / 2) + 1 = 2 columns); "
                           f"got shape {result.shape}") + ".", hints=[
        (poolviz.max_pool2d(MAX_BLUR_MAP, 2), "that is plain 2x2 max pooling (stride 2): take the max at stride 1"),
        (poolviz.average_pool2d(MAX_BLUR_MAP, 2), "that is plain 2x2 average pooling: take the max at stride 1"),
        (poolviz.average_pool2d(np.pad(dense, after), 2), "you padded with zeros; the paper's code reflects (the "
         "padded row repeats the second-to-last row, [a, b, c] -> [a, b, c, b])"),
        (poolviz.average_pool2d(np.pad(dense, after, mode="edge"), 2),
         "you repeated the last row and column; reflection repeats the second-to-last, [a, b, c] -> [a, b, c, b]"),
        (poolviz.average_pool2d(np.pad(dense, 1, mode="reflect")[:-1, :-1], 2), "you padded before the map (or used "
         "only its first 4 columns, as square-only code does): filter_size=2 pads 0 cells before and 1 after"),
        (4 * expected, "the blur [1, 1] x [1, 1] sums to 4: divide by it"),
        ((reflected[:, :4:2] + reflected[:, 1:4:2])[::2] / 2, "you blurred along the rows only: blur down columns too"),
        ((reflected[::2] + reflected[1::2])[:, :4:2] / 2, "you blurred down the columns only: blur along rows too"),
        (expected.T, "rows and columns are swapped"),
    ], otherwise="compute poolviz.max_pool2d(MAX_BLUR_MAP, 2, strides=1) (3x4), pad one row and "
                 "one column after it by reflection, then average each 2x2 block at stride 2",
        correct="the stride-1 max is 3x4; reflect padding adds one row and column after it (a copy of the "
                "second-to-last), and the [1, 1] / 2 blur at stride 2 averages each 2x2 block of that 4x5 map "
                "(its padded fifth column is never read).")


@exercise("give the three names, least change first, e.g. ['average', 'max', 'max-blur'].")
def check_least_change_ranking(answer):
    """01, exercise 2: the poolings by relative L1 change when the diagonal line moves one pixel down alone."""
    names, ops = ("max", "average", "max-blur"), list(answer) if isinstance(answer, (list, tuple)) else answer
    ops = [op.strip().lower() if isinstance(op, str) else op for op in ops] if isinstance(ops, list) else ops
    if not isinstance(ops, list) or sorted(map(str, ops)) != sorted(names):
        raise AssertionError(f"answer should list 'max', 'average' and 'max-blur' once each, got {_describe(answer)}")
    change = {op: going_further.shift_change(data.diagonal_line(), op) for op in names}
    down, order = {op: change[op].relative_l1[1] for op in names}, lambda key: tuple(sorted(names, key=key))
    expected = order(down.get)
    hints = {order(lambda op: change[op].relative_l1.mean()): "that is the table's order, the mean over the three "
             "shifts; the down shift alone is relative_l1[1] (shifts[1] == (1, 0))",
             order(lambda op: change[op].relative_l1[0]): "that is the order for the right shift, shifts[0]",
             order(lambda op: -change[op].fraction_equal[1]): "that ranks by cells unchanged; rank by relative_l1",
             expected[::-1]: "that lists the most change first; list the least change first"}
    if tuple(ops) != expected:
        raise AssertionError(hints.get(tuple(ops), "sort the three by shift_change(data.diagonal_line(), op)"
                                                   ".relative_l1[1]") + ".")
    _correct(f"moved down, max changes {down['max']:.3f} (window row i reads image rows 2i - 1 and 2i, not 2i and "
             f"2i + 1, and row 2i alone lights the same windows), max-blur {down['max-blur']:.3f}, average "
             f"{down['average']:.3f}; moved right, max changes most. The table's mean over three shifts hides that.")


@exercise("give the number of parameters (an int).")
def check_depthwise_parameters(answer):
    """02, exercise 1: parameters of ``DepthwiseConv2D(3, strides=2)`` then ``Conv2D(64, 1)`` on 64 channels."""
    depthwise, pointwise, dense = 3 * 3 * 64 + 64, 64 * 64 + 64, "that is a dense Conv2D's count for the 3x3 step"
    _grade(_as_int(answer), depthwise + pointwise, hints=[
        (3 * 3 * 64 + 64 * 64, "you left out the biases (64 per layer, by default)"),
        (lambda count: count in (depthwise + 64 * 64, 3 * 3 * 64 + pointwise), "one layer's 64 biases are missing"),
        (3 * 3 * 64 + 1 + 64 * 64 + 1, "one bias per channel or filter, 64 per layer, not one per layer"),
        (lambda count: count in (depthwise, 3 * 3 * 64), "that is the depthwise layer alone (576 without its "
                                                         "biases): add the 1x1 Conv2D (64 x 64 weights + 64 biases)"),
        (lambda count: count in (pointwise, 64 * 64), "that is the 1x1 Conv2D alone: add the depthwise 3x3 layer"),
        (lambda count: count in (3 * 3 * 64 * 64, 3 * 3 * 64 * 64 + 64, 3 * 3 * 64 * 64 + 64 + pointwise), dense +
         " (each filter sees all 64 channels); a depthwise filter sees its own channel only"),
        (2 * 2 * 64 + 64 + pointwise, "that is a 2x2 depthwise kernel's count; this one is 3x3"),
        (0, "that is pooling's count; both layers learn their weights"),
    ], otherwise="depthwise: 3 x 3 weights + 1 bias per channel; 1x1 Conv2D: 64 weights + 1 bias per filter",
        correct=f"{depthwise} (one 3x3 filter and one bias per channel) + {pointwise} (the 1x1 Conv2D that mixes the "
                f"channels) = {depthwise + pointwise:,}, where Conv2D(64, 3, strides=2) has 36,928: "
                f"{36928 / (depthwise + pointwise):.1f} times as many; pooling has 0. (Keras's mobilenet.py builds "
                f"both without biases, in _depthwise_conv_block: {3 * 3 * 64 + 64 * 64:,} weights.)")


@exercise("give the number of papers (an int).")
def check_second_step_pooling_papers(answer):
    """02, exercise 3: papers of the census whose second down-sampling step is made by pooling alone (P)."""
    census = Census()
    second = {kind: [name for name in census.models if census.steps(name)[1] == kind] for kind in ("P", "C+P")}
    papers = {kind: {census.models[name]["arxiv"] for name in names} for kind, names in second.items()}
    expected = len(papers["P"])
    _grade(_as_int(answer), expected, hints=[
        (len(second["P"]), "that counts models (ResNet50, 101 and 152 come from one paper): count papers"),
        (len({census.models[name]["family"] for name in second["P"]}), "that counts Keras modules; vgg16 and vgg19 "
                                                                       "are one paper"),
        (len(second["P"] + second["C+P"]), "that counts models, and the C+P steps too (Xception, NASNet): count "
                                           "papers, and pooling alone (P)"),
        (lambda count: count in (len(papers["P"] | papers["C+P"]), len(papers["C+P"]), len(second["C+P"])),
         "that counts the C+P steps (Xception, NASNet): the question asks for pooling alone (P)"),
        (1, "1 paper (VGG's) starts with pooling: the question asks about the second step"),
    ], otherwise="read the second entry of each row's down-sampling steps, then count papers (arXiv ids)",
        correct=f"{expected} papers: VGG, InceptionV3, ResNet, InceptionResNetV2, ResNetV2 and DenseNet reach their "
                "second size by pooling alone; all but VGG start with a strided convolution in their stem (the "
                "layers before the first block) and pool after it.")


@exercise("give a (2, 2, 2, 2) array: (rows, cols, input channel, output channel).")
def check_average_pool_kernel(answer):
    """02, exercise 2: the Conv2D kernel that is AveragePooling2D(2) on 2 channels."""
    kernel, expected = _as_array(answer), np.zeros((2, 2, 2, 2))
    expected[:, :, 0, 0] = expected[:, :, 1, 1] = 0.25
    _grade(kernel, expected, same=_close, shown="the kernel", wrong_shape=(
        f"a Conv2D kernel is (rows, cols, input channels, filters) = (2, 2, 2, 2); got shape {kernel.shape}."), hints=[
        (np.full((2, 2, 2, 2), 0.25), "with 1/4 everywhere each output adds both input channels; pooling never mixes "
                                      "channels: put 0 where the input and output channel differ"),
        (4 * expected, "that sums each window; the average divides by the 4 cells"),
        (expected.transpose(2, 3, 0, 1), "the axes are (filters, input channels, rows, cols); Keras's kernel is "
                                         "(rows, cols, input channels, filters)"),
        (expected[..., ::-1], "each output channel averages the other input channel"),
    ], otherwise="kernel[:, :, c, c] = 1/4 for each channel c, 0 everywhere else",
        correct="each output channel averages its own input channel (1/4 on the diagonal) and "
                "ignores the other (0): pooling works on each map separately.")


@exercise("give the number of output columns PyTorch computes (an int).")
def check_torch_output_size(answer):
    """03, exercise 1: columns of ``F.max_pool2d(4 columns, 3, 2, 1, ceil_mode=True)``."""
    _grade(_as_int(answer), going_further.torch_output_size(4, 3, 2, padding=1, ceil_mode=True),
           hints=[(2, "2 is what floor gives (ceil_mode=False), what ceil gives without the padding, what it gives "
                      "without the '+ 1', and Keras's 'same' (ceil(4 / 2)); ceil_mode rounds "
                      "(n + 2 * padding - kernel_size) / stride up, then adds 1")],
           otherwise="use ceil((n + 2 * padding - kernel_size) / stride) + 1, then the padding rule",
           correct="ceil((4 + 2*1 - 3) / 2) + 1 = ceil(1.5) + 1 = 3; the third window starts at column 2 * 2 - 1 = 3, "
                   "inside the input (not in the right padding), so it is kept.")


@exercise("give the top-left value (a number).")
def check_count_include_pad(answer):
    """03, exercise 2: top-left value of ``F.avg_pool2d(ones(4, 4), 3, 2, padding=1)``."""
    if isinstance(answer, str):  # '4/9' in quotes is text, which _as_array would call "not an array"
        raise AssertionError(f"answer is the text {answer!r}, not a number: give one number, e.g. 0.44 or 4 / 9 "
                             "(without quotes)")
    value, top_left = _as_array(answer), going_further.torch_avg_pool2d(np.ones((4, 4)), 3, 2, padding=1)[0, 0]
    # Two decimals are enough: 0.44 is no other rule's answer.
    _grade(value, top_left, same=lambda a, b: _close(a, b, rtol=0, atol=0.005), shown=_describe(
        answer), wrong_shape=f"answer should be one number, got {_describe(answer)}", hints=[
        (1.0, "1.0 is Keras's answer (real cells only); PyTorch's default also counts the padding"),
        (6 / 9, "the window hangs over the left edge too, not only the top: count its real cells again"),
        (4.0, "4 is the sum of the window's real cells: divide it"),
        (_rounded(top_left), "rounded too coarsely: give two decimals or the fraction"),
    ], otherwise="sum the real cells of the window, divide by kernel rows x kernel cols",
        correct="the window covers 4 real cells and 5 padded ones, and PyTorch's default count_include_pad=True "
                "divides by all 9: 4 / 9. count_include_pad=False divides the same 4 real cells by 4 (1.0); Keras's "
                "'same' window starts at row 0 and holds 9 real cells (also 1.0).")


@exercise("give the number of cells no window covers (an int).")
def check_cells_never_seen(answer):
    """03, exercise 3: cells of an 8x9 map that ``MaxPooling2D(3, strides=4, padding="same")`` never reads."""
    expected = int((going_further.window_coverage((8, 9), 3, strides=4, padding="same") == 0).sum())
    _grade(_as_int(answer), expected, hints=[
        (42, "42 cells are covered; the question asks for the cells that are not"),
        (0, "'same' pads so that the last window fits, but windows of 3 with a stride of 4 still jump over one row "
            "or column between them"),
        (36, "36 is the answer with 'valid'; 'same' pads the 9 columns 1 before and 1 after "
             "(poolviz.same_padding(9, 3, 4) == (1, 1)), so the column windows start at -1, 3 and 7"),
        (4, "4 is where a skipped row crosses a skipped column; a cell is never read if its row OR its column is "
            "skipped"),
        (34, "a cell in a skipped row and a skipped column is counted twice"),
        (18, "18 counts the cells of the 2 skipped rows only; the skipped columns hold unread cells too"),
        (16, "16 counts the cells of the 2 skipped columns only; the skipped rows hold unread cells too"),
        (lambda count: count in (28, 32), "the map is 8 rows by 9 columns, not square: work out each side"),
    ], otherwise="find Keras's padding per side (poolviz.same_padding), list the rows and columns each window "
                 "covers, then count the cells whose row or column no window covers",
        correct=f"rows: no padding, windows at 0 and 4 read rows 0-2 and 4-6 (3 and 7 never); columns: 1 cell "
                f"padded before and 1 after, windows at -1, 3 and 7 read columns 0-1, 3-5 and 7-8 (2 and 6 never): "
                f"6 x 7 = 42 cells are read, {expected} of 72 never are.")


#: 03, exercise 4: not square, so each side needs its own recipe (10 rows: Keras pads 0 + 1; 9 columns: 1 + 1).
SAME_PORT_MAP = data.random_feature_map((10, 9), seed=3)


@exercise("give a dict of F.avg_pool2d arguments, e.g. dict(padding=(1, 0), ceil_mode=False, count_include_pad=True).")
def check_keras_same_in_pytorch(answer):
    """03, exercise 4: ``F.avg_pool2d(SAME_PORT_MAP, 3, 2, **answer)`` equals ``AveragePooling2D(3, 2, "same")``."""
    if not isinstance(answer, dict) or not set(answer) <= {"padding", "ceil_mode", "count_include_pad"}:
        raise AssertionError("answer should be a dict with the keys padding, ceil_mode and count_include_pad only "
                             f"(kernel_size=3 and stride=2 are given), got {_describe(answer)}")
    if isinstance(answer.get("padding"), str):
        raise AssertionError(f"PyTorch's pooling has no padding={answer['padding']!r}: give the cells it pads on "
                             "each side, (rows, columns)")
    try:
        result = going_further.torch_avg_pool2d(SAME_PORT_MAP, 3, 2, **answer)
    except (TypeError, ValueError) as error:
        raise AssertionError(f"these arguments are refused: {error}") from None
    pads = tuple(np.broadcast_to(answer.get("padding", 0), (2,)).tolist())
    rows = ("the 10 rows: Keras pads 0 before and 1 after (poolviz.same_padding(10, 3, 2) == (0, 1)) and PyTorch "
            "pads both sides alike, so pad the rows by 0 and let ceil_mode=True add the window that runs past the edge")
    hint = next(text for wrong, text in [
        (pads == (1, 0), "padding is (rows, columns): you padded the rows and not the columns"), (pads[0] != 0, rows),
        (not answer.get("ceil_mode", False), f"with padding 0 the 10 rows give floor((10 - 3) / 2) + 1 = 4 windows and "
                                             f"Keras's 'same' gives 5: {rows}"),
        (pads[1] != 1, "the 9 columns: Keras pads 1 before and 1 after (poolviz.same_padding(9, 3, 2) == (1, 1)): "
                       "pad the columns by 1"),
        (True, "the windows are Keras's now, but the default count_include_pad=True divides the border windows by 9 "
               "(6 in the last row, which runs past the map), padding included; Keras divides by the real cells "
               "(6, or 4 in the last row): count_include_pad=False")] if wrong)
    _grade(result, poolviz.average_pool2d(SAME_PORT_MAP, 3, 2, "same"), same=_close, otherwise=hint,
           shown=f"dict({', '.join(f'{key}={value!r}' for key, value in answer.items())})",
           correct="padding=(0, 1), ceil_mode=True, count_include_pad=False: section 5's rule, padding = Keras's "
                   "padding before, per side. Rows: Keras pads 0 before and 1 after; ceil_mode=True adds the last "
                   "window (the 6x6 case). Columns: 1 before and 1 after, divided by the real cells (the 7x7 case).")


#: 04, exercise 1, by hand: a 2x4 map with negative values, so that x and |x| give different averages and maxima.
L2_MAP = np.array([[3.0, 0.0, -1.0, 1.0],
                   [0.0, -4.0, 1.0, -1.0]])


@exercise("give the 1x2 result of L2 pooling (p=2, 2x2 windows, stride 2) of L2_MAP, e.g. [[a, b]].")
def check_l2_pool_by_hand(answer):
    """04, exercise 1: ``lp_pool2d(L2_MAP, 2)``, worked out by hand."""
    result, expected = _as_array(answer), poolviz.pooling.lp_pool2d(L2_MAP, 2)
    _grade(result, expected, same=_close, shown=f"{result.tolist()}", wrong_shape="a 2x4 map in 2x2 windows with "
           f"stride 2 gives 1x2 cells, e.g. [[a, b]]; got shape {result.shape}.", hints=[
        ([[5.0, 2.0]], "you added the squares up; take their mean (divide by the 4 cells) before the square root"),
        ([[6.25, 1.0]], "the square root is missing: (mean of x**2) ** (1/2)"),
        ([[1.75, 1.0]], "that is p=1, the average of |x|: square the cells first"),
        ([[1.75, 0.0]], "0 is the average of the second window's signed x: square first (p=2), so the signs vanish"),
        ([[-0.25, 0.0]], "that is average pooling of the signed values; Lp pooling takes |x|, and p=2 squares it"),
        ([[4.0, 1.0]], "that is the largest |x| (p=inf); at p=2 the other cells count too"),
        ([[3.0, 1.0]], "that is max pooling of the signed values; Lp pooling takes |x|, then the power mean"),
        (_rounded(expected), "give the exact values; do not round"),
    ], otherwise="each output cell is the square root of the mean of the squares of its 4 cells",
        correct="sqrt((9 + 0 + 0 + 16) / 4) = sqrt(6.25) = 2.5, and sqrt((1 + 1 + 1 + 1) / 4) = 1: between the "
                "average of |x| (1.75, 1) and the largest |x| (4, 1).")


_LP_CASES = [(f"{name} with p={p:g}", np.array(m, dtype=float), p) for name, m, p in [
    *(("notebook 04 (max pooling)'s EXERCISE_1_MAP", EXERCISE_1_MAP, p) for p in (1.0, 2.0)),
    ("np.arange(24.0).reshape(4, 6) % 5 (a 4x6 map)", np.arange(24.0).reshape(4, 6) % 5, 3.0),
    ("a 4x4 map whose top-left window is all zeros", np.kron([[0, 1], [2, 3]], np.ones((2, 2))) + np.eye(4)[::-1], 2.0),
    ("a map of values up to 9", np.arange(16.0).reshape(4, 4) % 10, 1000.0),
    ("a map of values up to 9", np.arange(16.0).reshape(4, 4) % 10, np.inf),
    *(("notebook 04 (max pooling)'s EXERCISE_4_MAP (negative values)", EXERCISE_4_MAP, p) for p in (3.0, 1.0, np.inf))]]


def _windows(m, size=np.abs):
    """(rows, cols, 4): size(cell) for the cells of each 2x2 window, stride 2."""
    rows, cols = m.shape[0] // 2, m.shape[1] // 2
    return size(m[:2 * rows, :2 * cols]).reshape(rows, 2, cols, 2).swapaxes(1, 2).reshape(rows, cols, 4)


def _scaled(m, p, size=np.abs, by=None):  # divided by each window's largest value (or largest by(x)): 0 / 0 on zeros
    w, largest = _windows(m, size), _windows(m, by or size).max(-1, keepdims=True)
    return largest[..., 0] * np.mean((w / largest) ** p, axis=-1) ** (1 / p)


#: The usual wrong Lp poolings, as functions of a case, and their hints.
_LP_MISTAKES = [
    (lambda m, p: np.mean(_windows(m) ** p, axis=-1) ** (1 / p), "Your numbers overflowed: 9**1000 is beyond the "
     "largest float (inf). Divide each window by its largest |x| first, and multiply the result back."),
    (lambda m, p: np.sum(_windows(m) ** p, axis=-1) ** (1 / p), "You added |x|**p up over the window; take the mean "
     "(divide by its 4 cells), so that p=1 is average pooling. (The sum is the Lp norm, as in PyTorch's nn.LPPool2d.)"),
    *((root_forgotten, "The 1/p-th root is missing: (mean |x|**p)**(1/p).") for root_forgotten in (
        lambda m, p: np.mean(_windows(m) ** p, axis=-1),  # and when each window was scaled by its largest |x|:
        lambda m, p: _windows(m).max(-1) * (poolviz.pooling.lp_pool2d(m, p) / _windows(m).max(-1)) ** p)),
    (lambda m, p: poolviz.average_pool2d(np.abs(m)), "That is average pooling whatever p is: raise the cells to the "
     "power p, average, then take the 1/p-th root."),
    (lambda m, p: poolviz.max_pool2d(np.abs(m)), "That is max pooling whatever p is."),
    (lambda m, p: _windows(m, np.asarray).max(-1) if p == np.inf else poolviz.pooling.lp_pool2d(m, p), "At p=inf "
     "Lp pooling is the largest |x| of each window, not the largest x: a window of -2 and -1 gives 2."),
    (_scaled, "A window of zeros gave NaN (0 / 0), but its power mean is 0: divide only where the largest |x| is "
     "positive."),
    *((signed, "Use |x|: a negative value to the power 3 stays negative, and a negative mean has no real p-th root "
       "(NaN). Take |x| of each cell first.") for signed in (lambda m, p: _scaled(m, p, size=np.asarray),
                                                             lambda m, p: _scaled(m, p, size=np.asarray, by=np.abs))),
]


@exercise("write lp_pool(feature_map, p) and pass the function itself (no brackets).")
def check_lp_pool(answer):
    """04, exercise 2: Lp pooling, 2x2 windows, stride 2, ``(feature_map, p)``: :func:`poolviz.pooling.lp_pool2d`."""
    with np.errstate(all="ignore"):  # the mistakes overflow and divide by 0 on purpose
        _check_function(
            answer, _LP_CASES, expected=lambda m, p: poolviz.pooling.lp_pool2d(m, p), mistakes=_LP_MISTAKES,
            shape=lambda result, right, m, p: f"A {m.shape[0]}x{m.shape[1]} map in 2x2 windows with stride 2 gives "
                                             f"{right.shape}; is your code written for square maps only?",
            values="Each output cell is (mean of |x|**p over its 2x2 window)**(1/p).",
            close=functools.partial(np.allclose, equal_nan=True),  # so that a NaN is recognised as a mistake
            correct=f"your Lp pooling agrees with poolviz.pooling.lp_pool2d on {len(_LP_CASES)} cases, from p=1 "
                    "(average of |x|) to p=inf (largest |x|), overflow, zero windows and negative values included.")


@exercise("give the number of input cells output cell (0, 0) depends on (an int).")
def check_field_with_holes(answer):
    """05, exercise 2: input cells of output cell (0, 0) after a 2x2 pool with stride 3, then a 3x3 convolution."""
    _grade(_as_int(answer), (expected := 6 * 6), hints=[  # rows and columns 0, 1, 3, 4, 6 and 7
        (64, "64 is the span, rows and columns 0-7; rows and columns 2 and 5 fall between the pool's windows"),
        (6, "6 is one axis (rows 0, 1, 3, 4, 6, 7); the field is rows x columns"),
        (9, "each of the pool's windows reads 2 rows and 2 columns, not 1"),
        (16, "16 is a 2x2 pool with stride 1; with stride 3 its windows start 3 rows apart"),
        (28, "28 cells of the span are skipped; the question asks for the cells read")],
        otherwise="go back one axis at a time: the convolution reads pool cells 0-2, pool cell i rows 3i and 3i + 1",
        correct=f"rows 0, 1, 3, 4, 6 and 7 by the same columns: {expected} cells, in a span of 8 x 8 = 64.")


_CONV, _POOL = (3, 1, "valid"), (2, 2, "valid")
#: 05, exercise 1's cases: (description, index, n, layers), one axis; each catches a mistake the others let through.
_FIELDS = [("cell 3 of conv 3 + pool 2/2 on 20 cells", 3, 20, [_CONV, _POOL]),
           ("cell 1 of (conv 3 + pool 2/2) twice on 16 cells", 1, 16, [_CONV, _POOL] * 2),
           ("cell 0 of conv 3 'same' + pool 2/2 'same' on 7 cells", 0, 7, [(3, 1, "same"), (2, 2, "same")]),
           ("cell 3 of conv 3 'same' + pool 2/2 'same' on 7 cells", 3, 7, [(3, 1, "same"), (2, 2, "same")]),
           ("cell 2 of pool 2/2 + conv 3 'same' on 7 cells", 2, 7, [_POOL, (3, 1, "same")]),
           ("cell 0 of pool 2/2 + conv 3/2 'same' on 9 cells", 0, 9, [_POOL, (3, 2, "same")])]


def _interval(index, n, layers, *, before=lambda total: total // 2, clip=True, last=True, step=True, pad=None):
    """One axis, as :func:`poolviz.walkthrough.receptive_field`; the knobs are the usual mistakes."""
    sizes = [n]
    for kernel, stride, padding in layers:
        sizes.append(poolviz.output_size(sizes[-1], kernel, stride, padding))
    start, stop = index, index + 1
    for (kernel, stride, padding), size in zip(layers[::-1], sizes[-2::-1]):
        shift = pad(size, n, kernel, stride) if pad else before(sum(poolviz.same_padding(size, kernel, stride)))
        start = start * stride - (shift := shift if padding == "same" else 0)
        stop = (stop - 1) * stride - shift + kernel if last else stop * stride - shift + kernel
        start, stop = (max(start, 0), min(stop, size)) if clip is True or (clip and size == n) else (start, stop)
    return np.array([start, stop - (not step)])


_INTERVAL_MISTAKES = [(lambda *case, knobs=knobs: _interval(*case, **knobs), hint) for knobs, hint in [
    (dict(clip=False), "Clip at the borders: padded cells depend on nothing, so no interval leaves the map"),
    (dict(clip="end"), "Clip after every layer, not only at the end, and to the size of the map each layer reads "
                       "(go forward first), not to n: a 'valid' layer may skip its map's last cells"),
    *[(dict(pad=rule), "Keras pads each 'same' layer for the map it reads (go forward first) and puts the smaller "
                       "half before: total // 2 of that layer's own padding, not (kernel - 1) // 2 and not the padding "
                       "the input's n would need")
      for rule in (lambda size, n, k, s: (k - 1) // 2, lambda size, n, k, s: poolviz.same_padding(n, k, s)[0])],
    (dict(before=lambda t: t - t // 2), "Keras puts the odd padded cell after (bottom/right): before = total // 2"),
    (dict(before=lambda t: 0), "With 'same' padding a window starts `before` cells earlier: from i * stride - before"),
    (dict(step=False), "Give the stop excluded, as range(start, stop) does: the last cell read, plus 1"),
    (dict(last=False), "Cells [start, stop) end with the window of cell stop - 1, at "
                       "(stop - 1) * stride - before + kernel"),
]] + [(lambda index, n, layers: _interval(index, n, layers[::-1]), "Go back from the output: the last layer first")]


@exercise("write input_interval_same(index, n, layers) and pass the function itself (no brackets).")
def check_receptive_interval(answer):
    """05, exercise 1: one axis of a receptive field, ``'same'`` padding and borders included."""
    if callable(answer) and "receptive_field" in _names_used(answer, set()):  # it would only hand back poolviz's
        raise AssertionError("your function calls receptive_field, the ready-made answer; the exercise is to write "
                             "the rule: go back layer by layer from the output cell, as input_interval does.")
    if callable(function := answer):  # range(start, stop) is a fine way to give an interval
        def answer(*case):
            return [got.start, got.stop] if isinstance(got := function(*case), range) and got.step == 1 else got
    _check_function(answer, _FIELDS, expected=_interval, mistakes=_INTERVAL_MISTAKES, close=np.array_equal,
                    shape="Return two numbers: (start, stop).", values="Go back layer by layer from the output cell.",
                    correct=f"your function gives the right interval on {len(_FIELDS)} stacks, 'same' ones included.")
