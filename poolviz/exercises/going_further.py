"""Checks for ``notebooks/going_further/``; each check's docstring names its notebook.

>>> check_torch_output_size(3)  # doctest: +ELLIPSIS
Correct: ceil((4 + 2*1 - 3) / 2) + 1 = ceil(1.5) + 1 = 3; the third window starts at column 2 * 2 - 1 = 3, ...
"""

import numpy as np

import poolviz
from poolviz import data, going_further

from .._checks import _describe
from ..going_further.census import Census
from ._harness import _as_array, _as_int, _close, _correct, _grade, _rounded, exercise

__all__ = ["check_average_pool_kernel", "check_cells_never_seen", "check_count_include_pad",
           "check_depthwise_parameters", "check_least_change_ranking", "check_max_blur_by_hand",
           "check_second_step_pooling_papers", "check_torch_output_size"]

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
    _correct(f"moved down, max changes {down['max']:.3f}, max-blur {down['max-blur']:.3f}, average "
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
                f"{36928 / (depthwise + pointwise):.1f} times as many; pooling has 0.")


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
                "divides by all 9: 4 / 9. Keras (and count_include_pad=False) divide by 4 and give 1.0.")


@exercise("give the number of cells no window covers (an int).")
def check_cells_never_seen(answer):
    """03, exercise 3: cells of a 7x7 map that ``MaxPooling2D(2, strides=3)`` never reads."""
    expected = int((going_further.window_coverage((7, 7), 2, strides=3) == 0).sum())
    _grade(_as_int(answer), expected, hints=[
        (49 - 5 * 5, "a window starting at 6 would need row 7, which a 7x7 map does not have: "
                     "'valid' gives floor((7 - 2) / 3) + 1 = 2 windows per side, not 3"),
        (16, "16 cells are covered; the question asks for the cells that are not"),
        (9, "9 is where a skipped row crosses a skipped column; a cell is never read if its row "
            "OR its column is skipped"),
        (3 * 7, "21 counts the cells of the 3 skipped rows only; the 3 skipped columns hold unread cells too"),
        (13, "13 is stride 2's answer (the last row and column); stride 3 also skips rows and columns 2 and 5"),
        (42, "a cell in a skipped row and a skipped column is counted twice"),
    ], otherwise="list the rows each window covers along one side, then count rows x columns",
        correct=f"windows start at rows/columns 0 and 3 and cover 0-1 and 3-4: 4 x 4 = 16 cells "
                f"are read, {expected} of 49 never are (every cell in row or column 2, 5 or 6).")
