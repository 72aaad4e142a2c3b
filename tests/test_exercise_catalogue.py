"""The catalogue of wrong answers: for every exercise check, the mistakes a
student new to CNNs makes (swapped axes, padding on the wrong side, max for
mean, square-only code, floor for ceil, rounding, a function called instead
of passed, ...), each refused with a hint that names that mistake; and the
right answer in the forms a student reasonably gives it, each accepted.

The wrong functions are written here as a student would write them (loops
and plain NumPy), independently of the checks' own diagnoses.
"""

import functools
import sys
import types
import warnings

import numpy as np
import pytest
from test_exercises import _name, assert_refused

import poolviz
import poolviz.going_further
import poolviz.pooling
import poolviz.walkthrough
from poolviz import data
from poolviz.exercises import going_further as gf
from poolviz.exercises import nb01, nb02, nb03, nb04, nb05


# --------------------------------------------------------------------------
# 01 exercise 3: pool_each_map(batch), 2x2 max pooling, channels last
# --------------------------------------------------------------------------
def _max_pool_map(feature_map, rows_out=None, cols_out=None, reduce=np.max, start=None):
    """A student's 2x2, stride-2 loop over one map; the knobs are the mistakes."""
    rows_out = feature_map.shape[0] // 2 if rows_out is None else rows_out
    cols_out = feature_map.shape[1] // 2 if cols_out is None else cols_out
    pooled = np.zeros((rows_out, cols_out))
    for i in range(rows_out):
        for j in range(cols_out):
            window = feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            pooled[i, j] = reduce(window) if start is None else max(start, window.max())
    return pooled


def _each_map(pool_map, batch):
    return np.stack([np.stack([pool_map(batch[n, :, :, c]) for c in range(batch.shape[3])], -1)
                     for n in range(batch.shape[0])])


def pool_each_map_averaging(batch):
    return _each_map(lambda m: _max_pool_map(m, reduce=np.mean), batch)


def pool_each_map_square_maps_only(batch):
    """Counts the output rows and uses that count for the columns too."""
    return _each_map(lambda m: _max_pool_map(m, cols_out=m.shape[0] // 2), batch)


def pool_each_map_channels_first(batch):
    """Pools axes 2 and 3, as if the batch were (batch, channels, rows, cols)."""
    return np.stack([np.stack([_max_pool_map(image[c]) for c in range(image.shape[0])])
                     for image in batch])


def pool_each_map_rows_and_cols_swapped(batch):
    """Stacks each map's result transposed (the columns loop outside)."""
    return _each_map(lambda m: _max_pool_map(m.T).T if m.shape[0] == m.shape[1]
                     else _max_pool_map(m), batch).swapaxes(1, 2)


def pool_each_map_first_image_only(batch):
    return _each_map(_max_pool_map, batch[:1])


def pool_each_map_ceil(batch):
    """Rounds the output size up, keeping a half window at an odd edge."""
    return _each_map(lambda m: _max_pool_map(m, -(-m.shape[0] // 2), -(-m.shape[1] // 2)), batch)


def pool_each_map_max_starts_at_zero(batch):
    return _each_map(lambda m: _max_pool_map(m, start=0.0), batch)


def pool_each_map_integer_output(batch):
    """``np.zeros(shape, dtype=int)`` as the output: every max is cut to a whole number."""
    return _each_map(_max_pool_map, batch).astype(int)


def pool_each_map_wrapper(batch):
    """Reader r5's wrapper: passes no ready-made function itself, but calls one."""
    return poolviz.max_pool2d(batch)


def max_pool_loop(feature_map):
    """Named like section 3's loop, but wraps poolviz: what it calls is refused, not its name."""
    return poolviz.max_pool2d(feature_map)


def pool_each_map_through_a_namesake(batch):
    return np.stack([np.stack([max_pool_loop(image[:, :, c]) for c in range(image.shape[-1])], -1)
                     for image in batch])


def pool_each_map_through_keras_layer(batch):
    from poolviz.keras_bridge import load_keras
    return np.asarray(load_keras().layers.MaxPooling2D()(batch))


def pool_each_map_through_keras_ops(batch):
    from poolviz.keras_bridge import load_keras
    keras = load_keras()
    return keras.ops.convert_to_numpy(keras.ops.max_pool(batch, 2))


# --------------------------------------------------------------------------
# 03 exercise 3: average_pool_same(feature_map, pool, stride), with loops
# --------------------------------------------------------------------------
def _average_same(feature_map, pool, stride, *, pads=None, out=None, reduce=np.mean,
                  divide_by_pool=False):
    """A student's loop; ``pads(n)`` gives (before, after) for a side of n cells,
    ``out(n)`` the output size of that side."""
    pads = pads or (lambda n: poolviz.same_padding(n, pool, stride))
    out = out or (lambda n: -(-n // stride))
    rows, cols = feature_map.shape
    (top, _), (left, _) = pads(rows), pads(cols)
    pooled = np.zeros((out(rows), out(cols)))
    for i in range(pooled.shape[0]):
        for j in range(pooled.shape[1]):
            r, c = i * stride - top, j * stride - left
            window = feature_map[max(r, 0):max(r + pool, 0), max(c, 0):max(c + pool, 0)]
            if window.size:  # square-only code reads past the map's last column
                pooled[i, j] = window.sum() / pool**2 if divide_by_pool else reduce(window)
    return pooled


def average_same_row_padding_for_columns(feature_map, pool, stride):
    """The issue's example: the columns are padded as the rows are."""
    rows_pad = poolviz.same_padding(feature_map.shape[0], pool, stride)
    return _average_same(feature_map, pool, stride, pads=lambda n: rows_pad)


def average_same_all_padding_after(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride,
                         pads=lambda n: (0, sum(poolviz.same_padding(n, pool, stride))))


def average_same_odd_cell_before(feature_map, pool, stride):
    """PyTorch-like: the larger half of the padding before the map."""
    def pads(n):
        total = sum(poolviz.same_padding(n, pool, stride))
        return total - total // 2, total // 2
    return _average_same(feature_map, pool, stride, pads=pads)


def average_same_half_pool_before(feature_map, pool, stride):
    """Pads (pool - 1) // 2 before, whatever the map: wrong where the total is odd."""
    return _average_same(feature_map, pool, stride, pads=lambda n: ((pool - 1) // 2, 0))


def average_same_divides_by_pool_area(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride, divide_by_pool=True)


def average_same_takes_the_max(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride, reduce=np.max)


def average_same_square_maps_only(feature_map, pool, stride):
    side = -(-feature_map.shape[0] // stride)
    return _average_same(feature_map, pool, stride, out=lambda n: side)


def average_same_floor_size(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride, out=lambda n: n // stride)


def average_same_valid(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride, pads=lambda n: (0, 0),
                         out=lambda n: (n - pool) // stride + 1)


def average_same_stride_ignored(feature_map, pool, stride):
    return _average_same(feature_map, pool, 1)


def average_same_start_not_clipped(feature_map, pool, stride):
    """Slices from `i * stride - top` unclipped: a negative start counts from the map's end."""
    top, left = (poolviz.same_padding(n, pool, stride)[0] for n in feature_map.shape)
    rows, cols = (-(-n // stride) for n in feature_map.shape)
    pooled = np.zeros((rows, cols))
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # the empty slices' mean is what the check sees: NaN
        for i in range(rows):
            for j in range(cols):
                r, c = i * stride - top, j * stride - left
                pooled[i, j] = feature_map[r:r + pool, c:c + pool].mean()
    return pooled


def average_same_integer_output(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride).astype(int)


def average_same_wrapper(feature_map, pool, stride):
    """Reader r4's wrapper: passes no ready-made function itself, but calls one."""
    return poolviz.average_pool2d(feature_map, pool, stride, "same")


def average_pool2d(feature_map, pool, stride):
    """Named like poolviz's, and wraps it: the attribute it calls is what is refused."""
    return poolviz.average_pool2d(feature_map, pool, stride, "same")


def average_same_through_a_namesake(feature_map, pool, stride):
    return average_pool2d(feature_map, pool, stride)


def _keras_same_layer(pool, stride):
    from poolviz.keras_bridge import load_keras
    return load_keras().layers.AveragePooling2D(pool, stride, padding="same")


def average_same_through_keras(feature_map, pool, stride):
    return _keras_same_layer(pool, stride)(feature_map[None, :, :, None])[0, :, :, 0]


def average_same_default_argument(feature_map, pool, stride, pool_same=poolviz.average_pool2d):
    """Reader r5's wrappers: poolviz's pooling bound as a default, in a closure, or fetched by getattr."""
    return pool_same(feature_map, pool, stride, "same")


def average_same_keyword_default(feature_map, pool, stride, *, pool_same=poolviz.average_pool2d):
    return pool_same(feature_map, pool, stride, "same")


def _closing_over_poolviz():
    pool_same = poolviz.average_pool2d

    def average_same(feature_map, pool, stride):
        return pool_same(feature_map, pool, stride, "same")
    return average_same


def average_same_through_getattr(feature_map, pool, stride):
    return getattr(poolviz, "average_" + "pool2d")(feature_map, pool, stride, "same")



def test_keras_poolings_fetched_by_getattr_are_refused_and_restored(monkeypatch):
    """Keras's layers module, faked so that TensorFlow is not loaded (25 s): what the check swaps while the
    student's function runs, and puts back."""
    layers = types.ModuleType("keras.layers")
    layers.AveragePooling2D = lambda pool, stride, padding: functools.partial(poolviz.average_pool2d, pool_size=pool,
                                                                              strides=stride, padding=padding)
    ready_made = layers.AveragePooling2D
    monkeypatch.setitem(sys.modules, "keras", types.SimpleNamespace(layers=layers))

    def average_same(feature_map, pool, stride):
        return getattr(sys.modules["keras"].layers, "Average" + "Pooling2D")(pool, stride, "same")(feature_map)
    assert_refused(nb03.check_average_pool_same, average_same, "calls AveragePooling2D, a ready-made pooling")
    assert layers.AveragePooling2D is ready_made


# --------------------------------------------------------------------------
# 04 exercise 3: max_pool_gradient(feature_map, upstream)
# --------------------------------------------------------------------------
def _gradient(feature_map, upstream, *, value=None, rows=None, cols=None, start=None,
              upstream_at=lambda upstream, i, j: upstream[i, j]):
    rows = upstream.shape[0] if rows is None else rows
    cols = upstream.shape[1] if cols is None else cols
    gradient = np.zeros(feature_map.shape)
    for i in range(rows):
        for j in range(cols):
            window = feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            if start is not None and window.max() <= start:
                continue  # "best = 0": a window of negative values has no winner
            r, c = np.unravel_index(np.argmax(window), window.shape)
            gradient[2 * i + r, 2 * j + c] += (upstream_at(upstream, i, j)
                                              if value is None else value)
    return gradient


def gradient_ones_at_the_winners(feature_map, upstream):
    """Marks where the max is, forgetting the upstream value."""
    return _gradient(feature_map, upstream, value=1.0)


def gradient_upstream_transposed(feature_map, upstream):
    return _gradient(feature_map, upstream, upstream_at=lambda up, i, j: up[j, i])


def gradient_square_maps_only(feature_map, upstream):
    return _gradient(feature_map, upstream, cols=upstream.shape[0])


def gradient_max_starts_at_zero(feature_map, upstream):
    return _gradient(feature_map, upstream, start=0.0)


def gradient_of_average_pooling(feature_map, upstream):
    gradient = np.zeros(feature_map.shape)
    for i, j in np.ndindex(upstream.shape):
        gradient[2 * i:2 * i + 2, 2 * j:2 * j + 2] += upstream[i, j] / 4
    return gradient


def gradient_aliases_the_feature_map(feature_map, upstream):
    """``gradient = feature_map`` is no copy: zeroing it wipes the map it reads."""
    gradient = feature_map
    gradient[...] = 0.0
    return _gradient(feature_map, upstream)


def gradient_is_the_pooled_map(feature_map, upstream):
    return poolviz.max_pool2d(feature_map)


# --------------------------------------------------------------------------
# going further 04, exercise 2: lp_pool(feature_map, p), 2x2 windows, stride 2
# --------------------------------------------------------------------------
def _lp_loop(feature_map, p, *, reduce=np.mean, root=True, scale=True, guard_zero=True, size=np.abs,
             cols_out=None, p_used=None):
    """A student's loop over 2x2 windows; the knobs are the mistakes."""
    rows_out = feature_map.shape[0] // 2
    cols_out = feature_map.shape[1] // 2 if cols_out is None else cols_out
    p = p if p_used is None else p_used
    pooled = np.zeros((rows_out, cols_out))
    with np.errstate(all="ignore"):
        for i in range(rows_out):
            for j in range(cols_out):
                window = size(feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2])
                largest = window.max() if scale else 1.0
                if scale and guard_zero and largest == 0:
                    continue  # a window of zeros: 0
                value = reduce((window / largest) ** p)
                pooled[i, j] = largest * (value ** (1 / p) if root else value)
    return pooled


def lp_pool_sums(feature_map, p):
    """The Lp norm, as PyTorch's nn.LPPool2d: a sum, not a mean."""
    return _lp_loop(feature_map, p, reduce=np.sum)


def lp_pool_root_forgotten(feature_map, p):
    return _lp_loop(feature_map, p, root=False)


def lp_pool_overflows(feature_map, p):
    """The formula as written, no scaling: 9.0**1000 is inf."""
    return _lp_loop(feature_map, p, scale=False)


def lp_pool_zero_window_nan(feature_map, p):
    return _lp_loop(feature_map, p, guard_zero=False)


def lp_pool_without_abs(feature_map, p):
    return _lp_loop(feature_map, p, size=lambda window: window)


def lp_pool_without_abs_divided_by_largest_size(feature_map, p):
    """x instead of |x|, each window divided by its largest |x|, zero windows guarded: a negative mean, NaN."""
    pooled = np.zeros((feature_map.shape[0] // 2, feature_map.shape[1] // 2))
    with np.errstate(all="ignore"):
        for i, j in np.ndindex(pooled.shape):
            window = feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]
            if (largest := np.abs(window).max()) > 0:
                pooled[i, j] = largest * np.mean((window / largest) ** p) ** (1 / p)
    return pooled


def lp_pool_square_maps_only(feature_map, p):
    return _lp_loop(feature_map, p, cols_out=feature_map.shape[0] // 2)


def lp_pool_always_average(feature_map, p):
    return _lp_loop(feature_map, p, p_used=1.0)


def lp_pool_always_max(feature_map, p):
    return np.array([[np.abs(feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]).max()
                      for j in range(feature_map.shape[1] // 2)] for i in range(feature_map.shape[0] // 2)])


def lp_pool_signed_max_at_inf(feature_map, p):
    """Right for p < inf, but p=inf taken as window.max(): the largest x, not the largest |x|."""
    if p == np.inf:
        return poolviz.max_pool2d(feature_map)
    return _lp_loop(feature_map, p)


def lp_pool_integer_output(feature_map, p):
    return _lp_loop(feature_map, p).astype(int)


def lp_pool_by_logs(feature_map, p):
    """Right, by another road: the log of the mean of exp(p log |x|), stabilised by its largest term."""
    pooled = np.zeros((feature_map.shape[0] // 2, feature_map.shape[1] // 2))
    for i, j in np.ndindex(pooled.shape):
        window = np.abs(feature_map[2 * i:2 * i + 2, 2 * j:2 * j + 2]).ravel()
        if window.max() == 0:
            continue
        if p == np.inf:
            pooled[i, j] = window.max()
            continue
        with np.errstate(divide="ignore"):
            logs = p * np.log(window)
        top = logs.max()
        pooled[i, j] = np.exp((top + np.log(np.mean(np.exp(logs - top)))) / p)
    return pooled


# --------------------------------------------------------------------------
# 05 exercise 3: global_average_pool(batch)
# --------------------------------------------------------------------------
def global_average_takes_the_max(batch):
    return batch.max(axis=(1, 2))


def global_average_sums(batch):
    return batch.sum(axis=(1, 2))


def global_average_square_maps_only(batch):
    return batch.sum(axis=(1, 2)) / batch.shape[1] ** 2


def global_average_first_image_only(batch):
    return batch[0].sum(axis=(0, 1)) / (batch.shape[1] * batch.shape[2])


def global_average_channels_first(batch):
    return batch.sum(axis=(2, 3)) / (batch.shape[2] * batch.shape[3])


def global_average_divides_in_place(batch):
    """The right numbers, but the caller's batch is divided too."""
    batch /= batch.shape[1] * batch.shape[2]
    return batch.sum(axis=(1, 2))


def global_average_keepdims(batch):
    return batch.sum(axis=(1, 2), keepdims=True) / (batch.shape[1] * batch.shape[2])


def global_average_with_np_mean(batch):
    """Right, but with the np.mean the exercise forbids."""
    return np.mean(batch, axis=(1, 2))


def global_average_with_np_average(batch):
    return np.average(batch, axis=(1, 2))


# --------------------------------------------------------------------------
# going further 05 exercise 1: input_interval_same(index, n, layers), one axis of a receptive field
# --------------------------------------------------------------------------
def _keras_before(size, kernel, stride):
    out = -(-size // stride)
    return max((out - 1) * stride + kernel - size, 0) // 2


def _student_interval(index, n, layers, *, before=_keras_before, clip="each", back=True, stop_rule=None,
                      read_size=None, inclusive=False):
    """A student's loop; the knobs are the mistakes."""
    sizes = [n]
    for kernel, stride, padding in layers:
        sizes.append(-(-sizes[-1] // stride) if padding == "same" else (sizes[-1] - kernel) // stride + 1)
    steps = list(zip(layers, sizes[:-1], sizes[1:]))
    start, stop = index, index + 1
    for (kernel, stride, padding), size_in, size_out in (steps[::-1] if back else steps):
        size = size_in if read_size is None else size_out
        pad = before(size, kernel, stride) if padding == "same" else 0
        start = start * stride - pad
        stop = (stop - 1) * stride - pad + kernel if stop_rule is None else stop_rule(stop, stride, pad, kernel)
        if clip == "each":
            start, stop = max(start, 0), min(stop, size)
        elif clip == "input":  # after every layer, but to the input's size
            start, stop = max(start, 0), min(stop, n)
    if clip == "end":
        start, stop = max(start, 0), min(stop, n)
    return (start, stop - 1) if inclusive else (start, stop)


def interval_without_clipping(index, n, layers):
    return _student_interval(index, n, layers, clip=None)


def interval_clipped_only_at_the_end(index, n, layers):
    return _student_interval(index, n, layers, clip="end")


def interval_clipped_to_the_input_size(index, n, layers):
    return _student_interval(index, n, layers, clip="input")


def interval_symmetric_padding(index, n, layers):  # PyTorch-style: (kernel - 1) // 2 before, whatever the map
    return _student_interval(index, n, layers, before=lambda size, kernel, stride: (kernel - 1) // 2)


def interval_padding_from_the_input(index, n, layers):  # each layer padded as if it read the input's n cells
    def from_n(size, kernel, stride):
        total = max((-(-n // stride) - 1) * stride + kernel - n, 0)
        return total // 2
    return _student_interval(index, n, layers, before=from_n)


def interval_odd_padding_before(index, n, layers):
    def pytorch_like(size, kernel, stride):
        total = max((-(-size // stride) - 1) * stride + kernel - size, 0)
        return total - total // 2
    return _student_interval(index, n, layers, before=pytorch_like)


def interval_same_padding_ignored(index, n, layers):
    return _student_interval(index, n, layers, before=lambda size, kernel, stride: 0)


def interval_last_cell_not_stop(index, n, layers):
    return _student_interval(index, n, layers, inclusive=True)


def interval_stop_times_stride(index, n, layers):
    return _student_interval(index, n, layers, stop_rule=lambda stop, stride, pad, kernel: stop * stride - pad + kernel)


def interval_layers_in_forward_order(index, n, layers):
    return _student_interval(index, n, layers, back=False)


def interval_as_a_list(index, n, layers):
    return list(_student_interval(index, n, layers))


def interval_by_receptive_field(index, n, layers):  # the ready-made answer, one axis of it
    return poolviz.walkthrough.receptive_field(layers, (index, index), (n, n))[0]


def global_average_flattened(batch):
    return batch.reshape(len(batch), -1).sum(axis=1) / (batch.shape[1] * batch.shape[2])


# --------------------------------------------------------------------------
# The catalogue: (check, mistake, answer, fragments the hint must hold)
# --------------------------------------------------------------------------
_MAX_BLUR_DENSE = poolviz.max_pool2d(gf.MAX_BLUR_MAP, 2, strides=1)
_KERAS_KERNEL = np.zeros((2, 2, 2, 2))
_KERAS_KERNEL[:, :, 0, 0] = _KERAS_KERNEL[:, :, 1, 1] = 0.25
_CALLED = "pass the function itself"

CATALOGUE = [
    # 01, exercise 1: 28 rows, pool 3, stride 2 -> (13, 14)
    (nb01.check_output_sizes, "valid rounded up", (14, 14), ["'valid' drops windows"]),
    (nb01.check_output_sizes, "the + 1 forgotten", (12, 14), ["the '+ 1'"]),
    (nb01.check_output_sizes, "stride ignored (stride 1)", (26, 28), ["stride 1"]),
    (nb01.check_output_sizes, "stride taken as the pool", (9, 10), ["stride", "not the pool"]),
    (nb01.check_output_sizes, "valid and same swapped", (14, 13), ["swapped", "(valid, same)"]),
    (nb01.check_output_sizes, "same taken as valid", (13, 13), ["ceil(n / stride)"]),
    (nb01.check_output_sizes, "same keeps the size", (13, 28), ["only when stride is 1"]),
    (nb01.check_output_sizes, "the + 1 added to same", (13, 15), ["no '+ 1'"]),
    (nb01.check_output_sizes, "floor forgotten", (13.5, 14), ["whole number"]),
    # 01, exercise 2: 3 of 9 stay
    (nb01.check_unchanged_after_shift, "counted the changed cells", 6, ["changed"]),
    (nb01.check_unchanged_after_shift, "assumed pooling hides the move", 9, ["not all of them"]),
    (nb01.check_unchanged_after_shift, "a fraction, not a count", 1 / 3, ["whole number"]),
    (nb01.check_unchanged_after_shift, "counted cells of the 6x6 map", 12, ["only 9 cells"]),
    # 01, exercise 3
    (nb01.check_pool_each_map, "average for max", pool_each_map_averaging, ["average pooling"]),
    (nb01.check_pool_each_map, "square maps only", pool_each_map_square_maps_only,
     ["rows", "columns", "not square"]),
    (nb01.check_pool_each_map, "channels-first axes", pool_each_map_channels_first,
     ["axes 1 and 2"]),
    (nb01.check_pool_each_map, "rows and columns swapped", pool_each_map_rows_and_cols_swapped,
     ["Rows and columns are swapped"]),
    (nb01.check_pool_each_map, "first image only", pool_each_map_first_image_only,
     ["every image"]),
    (nb01.check_pool_each_map, "ceil for the size", pool_each_map_ceil, ["'valid'"]),
    (nb01.check_pool_each_map, "running max starts at 0", pool_each_map_max_starts_at_zero,
     ["Starting a running maximum at 0"]),
    (nb01.check_pool_each_map, "integer output array", pool_each_map_integer_output,
     ["whole numbers", "dtype"]),
    (nb01.check_pool_each_map, "called instead of passed",
     pool_each_map_averaging(nb01._BATCHES[0][1]), [_CALLED]),
    (nb01.check_pool_each_map, "poolviz.max_pool2d passed, nothing written", poolviz.max_pool2d,
     ["poolviz's max_pool2d is a ready-made pooling", "max_pool_loop"]),
    (nb01.check_pool_each_map, "a 1-line wrapper around poolviz.max_pool2d", pool_each_map_wrapper,
     ["calls max_pool2d, a ready-made pooling", "max_pool_loop"]),
    (nb01.check_pool_each_map, "the loops, through the student's max_pool_loop that wraps poolviz",
     pool_each_map_through_a_namesake, ["calls max_pool2d, a ready-made pooling"]),
    (nb01.check_pool_each_map, "a wrapper around Keras's MaxPooling2D layer", pool_each_map_through_keras_layer,
     ["calls MaxPooling2D, a ready-made pooling"]),
    (nb01.check_pool_each_map, "a wrapper around keras.ops.max_pool", pool_each_map_through_keras_ops,
     ["calls max_pool, a ready-made pooling"]),
    # 02, exercise 1
    (nb02.check_horizontal_detector, "the vertical detector", data.VERTICAL_LINE_DETECTOR,
     ["finds the vertical line"]),
    (nb02.check_horizontal_detector, "the line off-centre", [[1, 1, 1], [0, 0, 0], [0, 0, 0]],
     ["middle row"]),
    (nb02.check_horizontal_detector, "weights too large", [[0, 0, 0], [2, 2, 2], [0, 0, 0]],
     ["2 times"]),
    (nb02.check_horizontal_detector, "a row, not a 3x3 kernel", [1, 1, 1], ["should be 3x3"]),
    (nb02.check_horizontal_detector, "the centre cell alone", [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
     ["one weight alone", "vertical line too"]),
    (nb02.check_horizontal_detector, "the centre cell alone, scaled", [[0, 0, 0], [0, 3, 0], [0, 0, 0]],
     ["answers 3 on the vertical line"]),
    # 02, exercise 2: 4 * (5 * 5 * 3 + 1) = 304
    (nb02.check_parameter_count, "one input channel", 104, ["3 channels"]),
    (nb02.check_parameter_count, "biases forgotten", 300, ["add the biases"]),
    (nb02.check_parameter_count, "one filter", 76, ["one filter"]),
    (nb02.check_parameter_count, "a bias per input channel", 303, ["per filter"]),
    (nb02.check_parameter_count, "kernel size forgotten", 16, ["5 * 5"]),
    (nb02.check_parameter_count, "channels and biases forgotten", 100, ["per input channel", "3", "one bias"]),
    (nb02.check_parameter_count, "channels taken for filters", 228, ["4 filters", "input channels"]),
    # 02, exercise 3: 200x170 -> (195, 165) -> (97, 82)
    (nb02.check_photograph_shapes, "rows and columns swapped", ((165, 195), (82, 97)),
     ["swapped", "200 rows"]),
    (nb02.check_photograph_shapes, "square photo assumed", ((195, 195), (97, 97)),
     ["not square", "170"]),
    (nb02.check_photograph_shapes, "padding 'same'", ((200, 170), (100, 85)),
     ["border rows and columns are lost"]),
    (nb02.check_photograph_shapes, "a 3x3 filter", ((198, 168), (99, 84)), ["3x3 filter"]),
    (nb02.check_photograph_shapes, "n - 6", ((194, 164), (97, 82)), ["n - 6 + 1"]),
    (nb02.check_photograph_shapes, "pooled the photograph", ((195, 165), (100, 85)),
     ["pool the feature map"]),
    (nb02.check_photograph_shapes, "pooled shape transposed", ((195, 165), (82, 97)),
     ["swapped"]),
    (nb02.check_photograph_shapes, "the pooling's + 1 forgotten", ((195, 165), (96, 81)),
     ["the '+ 1'"]),
    (nb02.check_photograph_shapes, "odd sides rounded up", ((195, 165), (98, 83)),
     ["round down", "odd"]),
    # 03, exercise 1: [18, 19.5, 21]
    (nb03.check_same_padding_bottom_row, "divided by the pool area", [8.0, 13.0, 84 / 9],
     ["counting the padded cells as zeros"]),
    (nb03.check_same_padding_bottom_row, "max for average", [21.0, 23.0, 24.0],
     ["max pooling"]),
    (nb03.check_same_padding_bottom_row, "all padding after", [21.0, 23.0, 24.0],
     ["1 before and 1 after"]),
    (nb03.check_same_padding_bottom_row, "the top row", [3.0, 4.5, 6.0], ["the top row"]),
    (nb03.check_same_padding_bottom_row, "section 3's 2x2 windows", [20.5, 22.5, 24.0],
     ["2x2 windows", "3x3"]),
    (nb03.check_same_padding_bottom_row, "the right column, not the bottom row",
     poolviz.average_pool2d(nb03.EXERCISE_1_MAP, 3, 2, "same")[:, -1], ["right column"]),
    (nb03.check_same_padding_bottom_row, "valid padding", [16.0, 18.0], ["ceil(5 / 2) = 3"]),
    (nb03.check_same_padding_bottom_row, "rounded to whole numbers", [18, 20, 21],
     ["round"]),
    # 03, exercise 2: 6x7 map, pool 2, stride 3 -> 26
    (nb03.check_cells_never_used, "counted the covered cells", 16, ["DO cover"]),
    (nb03.check_cells_never_used, "stride taken as the pool", 0, ["jumps over"]),
    (nb03.check_cells_never_used, "counted shared cells twice", 32, ["count it twice"]),
    (nb03.check_cells_never_used, "only the skipped rows", 14, ["columns"]),
    (nb03.check_cells_never_used, "only where skipped rows and columns cross", 6, ["OR"]),
    (nb03.check_cells_never_used, "square 6x6 map assumed (section 3's example)", 20, ["square", "7 columns"]),
    (nb03.check_cells_never_used, "a third window that does not fit", 22, ["must fit", "column 6"]),
    # 03, exercise 3
    (nb03.check_average_pool_same, "row padding for the columns",
     average_same_row_padding_for_columns, ["columns", "same_padding"]),
    (nb03.check_average_pool_same, "all padding after", average_same_all_padding_after,
     ["wrong place"]),
    (nb03.check_average_pool_same, "odd padding cell before", average_same_odd_cell_before,
     ["wrong place", "after"]),
    (nb03.check_average_pool_same, "(pool - 1) // 2 before", average_same_half_pool_before,
     ["wrong place"]),
    (nb03.check_average_pool_same, "divided by the pool area", average_same_divides_by_pool_area,
     ["divided by the whole window"]),
    (nb03.check_average_pool_same, "max for average", average_same_takes_the_max,
     ["max pooling"]),
    (nb03.check_average_pool_same, "square maps only", average_same_square_maps_only,
     ["not square"]),
    (nb03.check_average_pool_same, "floor for ceil", average_same_floor_size,
     ["ceil(n / stride)"]),
    (nb03.check_average_pool_same, "valid for same", average_same_valid, ["'valid'"]),
    (nb03.check_average_pool_same, "window start not clipped at 0", average_same_start_not_clipped,
     ["max(start, 0)"]),
    (nb03.check_average_pool_same, "stride ignored", average_same_stride_ignored,
     ["ceil(n / stride)"]),
    (nb03.check_average_pool_same, "integer output array", average_same_integer_output,
     ["whole numbers", "dtype"]),
    (nb03.check_average_pool_same, "called instead of passed",
     average_same_valid(nb03.EXERCISE_1_MAP, 3, 2), [_CALLED]),
    (nb03.check_average_pool_same, "poolviz's 'same' pooling passed as a partial, nothing written",
     functools.partial(poolviz.average_pool2d, padding="same"),
     ["poolviz's average_pool2d is a ready-made pooling", "average_pool_loop"]),
    (nb03.check_average_pool_same, "a 2-line wrapper around poolviz's 'same' pooling", average_same_wrapper,
     ["calls average_pool2d, a ready-made pooling", "average_pool_loop"]),
    (nb03.check_average_pool_same, "a wrapper through the student's helper named like poolviz's",
     average_same_through_a_namesake, ["calls average_pool2d, a ready-made pooling"]),
    (nb03.check_average_pool_same, "a wrapper around Keras's layer, through a helper of the student's",
     average_same_through_keras, ["calls AveragePooling2D, a ready-made pooling"]),
    (nb03.check_average_pool_same, "poolviz's pooling bound as a default argument", average_same_default_argument,
     ["calls average_pool2d, a ready-made pooling"]),
    (nb03.check_average_pool_same, "poolviz's pooling bound as a keyword-only default", average_same_keyword_default,
     ["calls average_pool2d, a ready-made pooling"]),
    (nb03.check_average_pool_same, "poolviz's pooling in a closure", _closing_over_poolviz(),
     ["calls average_pool2d, a ready-made pooling"]),
    (nb03.check_average_pool_same, "poolviz's pooling fetched by getattr", average_same_through_getattr,
     ["calls average_pool2d, a ready-made pooling", "average_pool_loop"]),
    # 04, exercise 1: [[0.9, 0.7], [0.3, 0.8]]
    (nb04.check_max_pool_by_hand, "average for max", poolviz.average_pool2d(nb04.EXERCISE_1_MAP, 2),
     ["average pooling"]),
    (nb04.check_max_pool_by_hand, "rows and columns swapped", [[0.9, 0.3], [0.7, 0.8]],
     ["swapped"]),
    (nb04.check_max_pool_by_hand, "stride 1", poolviz.max_pool2d(nb04.EXERCISE_1_MAP, 2, 1),
     ["stride 2"]),
    (nb04.check_max_pool_by_hand, "a flat list", [0.9, 0.7, 0.3, 0.8], ["shape (2, 2)"]),
    (nb04.check_max_pool_by_hand, "one window misread", [[0.9, 0.7], [0.3, 0.6]],
     ["[(1, 1)]"]),
    # 04, exercise 2: [[-1, -3], [-6, -9]]
    (nb04.check_same_padding_max, "zero padding", [[-1.0, 0.0], [0.0, 0.0]], ["zeros"]),
    (nb04.check_same_padding_max, "padding before", [[-4.0, -2.0], [-1.0, -3.0]],
     ["go after the map"]),
    (nb04.check_same_padding_max, "average for max",
     poolviz.average_pool2d(nb04.EXERCISE_2_MAP, 2, padding="same"), ["average pooling"]),
    (nb04.check_same_padding_max, "rows and columns swapped", [[-1.0, -6.0], [-3.0, -9.0]],
     ["swapped"]),
    (nb04.check_same_padding_max, "valid padding", [[-1.0]], ["ceil(3 / 2) = 2"]),
    # 04, exercise 3
    (nb04.check_max_pool_gradient, "ones at the winners", gradient_ones_at_the_winners,
     ["upstream value"]),
    (nb04.check_max_pool_gradient, "upstream transposed", gradient_upstream_transposed,
     ["upstream", "swapped"]),
    (nb04.check_max_pool_gradient, "square maps only", gradient_square_maps_only,
     ["not square"]),
    (nb04.check_max_pool_gradient, "running max starts at 0", gradient_max_starts_at_zero,
     ["negative"]),
    (nb04.check_max_pool_gradient, "average pooling's gradient", gradient_of_average_pooling,
     ["average pooling's gradient"]),
    (nb04.check_max_pool_gradient, "returns the pooled map", gradient_is_the_pooled_map,
     ["the shape of the input feature map"]),
    (nb04.check_max_pool_gradient, "gradient = feature_map (no copy)", gradient_aliases_the_feature_map,
     ["changed the array it was given"]),
    (nb04.check_max_pool_gradient, "called instead of passed",
     np.zeros((4, 4)), [_CALLED]),
    # 04, exercise 4: [[False, True], [False, True]]
    (nb04.check_gelu_and_max_order, "assumed they commute, as ReLU does", [[False, False], [False, False]],
     ["need not commute"]),
    (nb04.check_gelu_and_max_order, "every window with a negative value", [[True, True], [True, True]],
     ["window (0, 0)", "positive largest value"]),
    (nb04.check_gelu_and_max_order, "every all-negative window", [[False, True], [True, True]],
     ["window (1, 0)", "between -0.75 and 0"]),
    (nb04.check_gelu_and_max_order, "rows and columns swapped", [[False, False], [True, True]], ["swapped"]),
    (nb04.check_gelu_and_max_order, "window (1, 1) missed", [[False, True], [False, False]],
     ["window (1, 1)", "gelu(-3.0)"]),
    (nb04.check_gelu_and_max_order, "window (0, 1) missed", [[False, False], [False, True]],
     ["window (0, 1)", "gelu(-2.5)"]),
    (nb04.check_gelu_and_max_order, "a flat list", [False, True, False, True], ["shape (2, 2)"]),
    # 05, exercise 1: ((32, 64), (32, 1, 1, 64))
    (nb05.check_global_shapes, "swapped", ((32, 1, 1, 64), (32, 64)), ["swapped"]),
    (nb05.check_global_shapes, "batch axis dropped", ((64,), (1, 1, 64)), ["batch axis"]),
    (nb05.check_global_shapes, "channels first", ((32, 64), (32, 64, 1, 1)),
     ["before the channels"]),
    (nb05.check_global_shapes, "flattened instead of pooled", ((32, 3136), (32, 1, 1, 3136)),
     ["a single value"]),
    (nb05.check_global_shapes, "copied from a Keras summary", ((None, 64), (None, 1, 1, 64)),
     ["Keras prints None", "batch size is 32"]),
    # 05, exercise 2: (108170, 170)
    (nb05.check_head_parameters, "swapped", (170, 108170), ["swapped"]),
    (nb05.check_head_parameters, "no convolution shrink", (125450, 170), ["26x26"]),
    (nb05.check_head_parameters, "biases forgotten", (108160, 160), ["10 biases"]),
    (nb05.check_head_parameters, "Conv2D counted too", (108330, 330), ["only the Dense"]),
    (nb05.check_head_parameters, "inputs, not parameters", (10816, 16), ["weight per input"]),
    (nb05.check_head_parameters, "section 3's 32 filters", (108170, 330), ["section 3's head", "here there are 16"]),
    # 05, exercise 3
    (nb05.check_global_average_pool, "max for average", global_average_takes_the_max,
     ["global max pooling"]),
    (nb05.check_global_average_pool, "sum for average", global_average_sums, ["divide"]),
    (nb05.check_global_average_pool, "square maps only", global_average_square_maps_only,
     ["not square"]),
    (nb05.check_global_average_pool, "first image only", global_average_first_image_only,
     ["batch axis"]),
    (nb05.check_global_average_pool, "channels-first axes", global_average_channels_first,
     ["(1 and 2)"]),
    (nb05.check_global_average_pool, "keepdims", global_average_keepdims, ["keepdims=True"]),
    (nb05.check_global_average_pool, "channels mixed", global_average_flattened, ["(1 and 2)"]),
    (nb05.check_global_average_pool, "divides its input in place", global_average_divides_in_place,
     ["changed the array it was given"]),
    (nb05.check_global_average_pool, "np.mean, which the exercise forbids", global_average_with_np_mean,
     ["you used mean"]),
    (nb05.check_global_average_pool, "np.average, which the exercise forbids", global_average_with_np_average,
     ["you used average"]),
    (nb05.check_global_average_pool, "poolviz's own function", poolviz.global_average_pool2d,
     ["ready-made pooling"]),
    (nb05.check_global_average_pool, "called instead of passed",
     global_average_keepdims(nb05._BATCHES[1][1]), [_CALLED]),
    # 05, exercise 4: two 6x6 maps, same global average, different global maxima
    (nb05.check_average_blind_maps, "same total, spread the same way", (np.ones((6, 6)), np.ones((6, 6))),
     ["both global maxima are 1", "spread one map's total evenly"]),
    (nb05.check_average_blind_maps, "the cells moved (section 2)", (np.eye(6), np.eye(6)[::-1]),
     ["both global maxima are 1"]),
    (nb05.check_average_blind_maps, "same maximum, different totals", (np.eye(6) * 3, np.full((6, 6), 3.0)),
     ["averages differ, 0.5 and 3", "one total"]),
    (nb05.check_average_blind_maps, "section 2's 8x8 image, not a 6x6 map", (np.ones((8, 8)), np.ones((6, 6))),
     ["should be 6x6", "(8, 8)"]),
    (nb05.check_average_blind_maps, "one map, not a pair", np.ones((6, 6)), ["give a pair of maps"]),
    # going further 05, exercise 1
    (gf.check_receptive_interval, "no clipping at the borders", interval_without_clipping, ["Clip at the borders"]),
    (gf.check_receptive_interval, "clipped only at the end", interval_clipped_only_at_the_end,
     ["Clip after every layer"]),
    (gf.check_receptive_interval, "clipped to the input's size at every layer", interval_clipped_to_the_input_size,
     ["size of the map each layer reads"]),
    (gf.check_receptive_interval, "(kernel - 1) // 2 before, whatever the map", interval_symmetric_padding,
     ["the map it reads", "not (kernel - 1) // 2"]),
    (gf.check_receptive_interval, "padding computed for the input's n", interval_padding_from_the_input,
     ["the map it reads", "not the padding the input's n would need"]),
    (gf.check_receptive_interval, "odd padded cell before (PyTorch-like)", interval_odd_padding_before,
     ["odd padded cell after"]),
    (gf.check_receptive_interval, "'same' padding ignored", interval_same_padding_ignored,
     ["`before` cells earlier"]),
    (gf.check_receptive_interval, "last cell instead of the stop", interval_last_cell_not_stop,
     ["stop excluded"]),
    (gf.check_receptive_interval, "stop from stop * stride", interval_stop_times_stride, ["cell stop - 1"]),
    (gf.check_receptive_interval, "layers in forward order", interval_layers_in_forward_order,
     ["the last layer first"]),
    (gf.check_receptive_interval, "called instead of passed", interval_as_a_list(3, 20, [(3, 1, "valid")]),
     [_CALLED]),
    (gf.check_receptive_interval, "a wrapper of receptive_field", interval_by_receptive_field,
     ["calls receptive_field", "write the rule"]),
    # going further 05, exercise 2: 36 (rows and columns 0, 1, 3, 4, 6, 7)
    (gf.check_field_with_holes, "the span", 64, ["span"]),
    (gf.check_field_with_holes, "one axis", 6, ["one axis"]),
    (gf.check_field_with_holes, "one cell per pool window", 9, ["2 rows and 2 columns"]),
    (gf.check_field_with_holes, "the pool's stride taken as 1", 16, ["stride 1"]),
    (gf.check_field_with_holes, "the skipped cells", 28, ["skipped"]),
    # going further 01, exercise 1: [[2, 5], [2, 4]]; the stride-1 max is [[4, 0, 0, 8], [0, 4, 4, 8], [0, 4, 4, 0]]
    (gf.check_max_blur_by_hand, "plain max pooling", poolviz.max_pool2d(gf.MAX_BLUR_MAP, 2),
     ["plain 2x2 max pooling"]),
    (gf.check_max_blur_by_hand, "plain average pooling", [[1.0, 0.0], [0.0, 1.0]], ["average pooling"]),
    (gf.check_max_blur_by_hand, "zero padding", poolviz.average_pool2d(
        np.pad(_MAX_BLUR_DENSE, ((0, 1), (0, 1))), 2), ["zeros"]),
    (gf.check_max_blur_by_hand, "edge padding", poolviz.average_pool2d(
        np.pad(_MAX_BLUR_DENSE, ((0, 1), (0, 1)), mode="edge"), 2), ["last row"]),
    (gf.check_max_blur_by_hand, "reflect padding before the map", poolviz.average_pool2d(
        np.pad(_MAX_BLUR_DENSE, ((1, 0), (1, 0)), mode="reflect"), 2), ["before the map"]),
    (gf.check_max_blur_by_hand, "square-only code (the first 4 columns)",
     poolviz.going_further.max_blur_pool2d(gf.MAX_BLUR_MAP[:, :4], 2, 2, 2), ["square-only"]),
    (gf.check_max_blur_by_hand, "sum, not average", [[8.0, 20.0], [8.0, 16.0]], ["divide"]),
    (gf.check_max_blur_by_hand, "blurred along the rows only", [[2.0, 4.0], [2.0, 2.0]], ["rows only"]),
    (gf.check_max_blur_by_hand, "blurred down the columns only", [[2.0, 2.0], [0.0, 4.0]], ["columns only"]),
    (gf.check_max_blur_by_hand, "rows and columns swapped", [[2.0, 2.0], [5.0, 4.0]], ["swapped"]),
    (gf.check_max_blur_by_hand, "stopped after the stride-1 max", _MAX_BLUR_DENSE, ["stride 2"]),
    (gf.check_max_blur_by_hand, "no padding", [[2.0, 5.0]], ["reflect-pad"]),
    # going further 01, exercise 2: ['max', 'max-blur', 'average'] (diagonal line, down shift alone)
    (gf.check_least_change_ranking, "the table's mean order", ["max-blur", "max", "average"], ["table's order"]),
    (gf.check_least_change_ranking, "the right shift's order", ["max-blur", "average", "max"], ["right shift"]),
    (gf.check_least_change_ranking, "ranked by cells unchanged", ["max", "average", "max-blur"],
     ["cells unchanged"]),
    (gf.check_least_change_ranking, "most change first", ["average", "max-blur", "max"], ["most change first"]),
    (gf.check_least_change_ranking, "an unlisted order", ["average", "max", "max-blur"], ["relative_l1[1]"]),
    (gf.check_least_change_ranking, "one name only", "max", ["once each"]),
    (gf.check_least_change_ranking, "a name twice", ["max", "max", "average"], ["once each"]),
    # going further 02, exercise 1: DepthwiseConv2D(3, strides=2) on 64 channels, 3 * 3 * 64 + 64
    (gf.check_depthwise_parameters, "biases forgotten", 3 * 3 * 64 + 64 * 64, ["biases"]),
    (gf.check_depthwise_parameters, "the 1x1 layer's biases forgotten", 3 * 3 * 64 + 64 + 64 * 64, ["one layer's"]),
    (gf.check_depthwise_parameters, "the depthwise biases forgotten", 3 * 3 * 64 + 64 * 64 + 64, ["one layer's"]),
    (gf.check_depthwise_parameters, "one bias per layer", 3 * 3 * 64 + 1 + 64 * 64 + 1, ["64 per layer"]),
    (gf.check_depthwise_parameters, "the depthwise layer alone", 3 * 3 * 64 + 64, ["depthwise layer alone"]),
    (gf.check_depthwise_parameters, "the depthwise layer alone, no biases", 3 * 3 * 64, ["depthwise layer alone"]),
    (gf.check_depthwise_parameters, "the 1x1 layer alone", 64 * 64 + 64, ["1x1 Conv2D alone"]),
    (gf.check_depthwise_parameters, "the 1x1 layer alone, no biases", 64 * 64, ["1x1 Conv2D alone"]),
    (gf.check_depthwise_parameters, "the dense Conv2D(64, 3)", 3 * 3 * 64 * 64 + 64, ["Conv2D's count"]),
    (gf.check_depthwise_parameters, "the dense Conv2D(64, 3), no biases", 3 * 3 * 64 * 64, ["Conv2D's count"]),
    (gf.check_depthwise_parameters, "the 3x3 counted as dense, plus the 1x1", 3 * 3 * 64 * 64 + 64 + 64 * 64 + 64,
     ["Conv2D's count"]),
    (gf.check_depthwise_parameters, "a 2x2 depthwise kernel", 2 * 2 * 64 + 64 + 64 * 64 + 64, ["2x2"]),
    (gf.check_depthwise_parameters, "pooling's count", 0, ["pooling's count"]),
    # going further 02, exercise 2
    (gf.check_average_pool_kernel, "channels mixed", np.full((2, 2, 2, 2), 0.25),
     ["never mixes channels"]),
    (gf.check_average_pool_kernel, "a sum", 4 * _KERAS_KERNEL, ["divides by the 4 cells"]),
    (gf.check_average_pool_kernel, "filters and channels first", _KERAS_KERNEL.transpose(2, 3, 0, 1),
     ["(filters, input channels, rows, cols)"]),
    (gf.check_average_pool_kernel, "channels crossed", _KERAS_KERNEL[:, :, :, ::-1],
     ["other"]),
    (gf.check_average_pool_kernel, "one channel's kernel", np.full((2, 2), 0.25),
     ["(2, 2, 2, 2)"]),
    # going further 02, exercise 3: 6 papers of the census reach their second size by pooling alone (P)
    (gf.check_second_step_pooling_papers, "models, not papers", 13, ["counts models"]),
    (gf.check_second_step_pooling_papers, "Keras modules (vgg16, vgg19 apart)", 7, ["Keras modules"]),
    (gf.check_second_step_pooling_papers, "C+P counted too, papers", 8, ["C+P"]),
    (gf.check_second_step_pooling_papers, "C+P counted too, models", 16, ["counts models", "C+P"]),
    (gf.check_second_step_pooling_papers, "C+P only, papers", 2, ["C+P"]),
    (gf.check_second_step_pooling_papers, "the first step instead", 1, ["second step"]),
    # going further 03, exercise 1: 3
    (gf.check_torch_output_size, "floor", 2, ["ceil_mode=False"]),
    (gf.check_torch_output_size, "padding left out", 2, ["without the padding"]),
    (gf.check_torch_output_size, "the + 1 forgotten", 2, ["without the '+ 1'"]),
    (gf.check_torch_output_size, "Keras's 'same'", 2, ["Keras's 'same'"]),
    (gf.check_torch_output_size, "not rounded", 2.5, ["whole number"]),
    # going further 03, exercise 2: 4 / 9
    (gf.check_count_include_pad, "Keras's rule", 1.0, ["Keras's answer"]),
    (gf.check_count_include_pad, "only the top row padded", 6 / 9, ["left"]),
    (gf.check_count_include_pad, "rounded too coarsely", 0.4, ["round"]),
    (gf.check_count_include_pad, "the sum, not divided", 4, ["sum"]),
    (gf.check_count_include_pad, "the fraction in quotes (text)", "4/9", ["text", "without quotes"]),
    # going further 03, exercise 3: 30 (8x9, pool 3, stride 4, 'same')
    (gf.check_cells_never_seen, "counted the covered cells", 42, ["covered"]),
    (gf.check_cells_never_seen, "'same' taken to read every cell", 0, ["jump over"]),
    (gf.check_cells_never_seen, "'valid' instead of 'same'", 36, ["'valid'", "start at -1, 3 and 7"]),
    (gf.check_cells_never_seen, "only where skipped rows and columns cross", 4, ["OR"]),
    (gf.check_cells_never_seen, "counted shared cells twice", 34, ["twice"]),
    (gf.check_cells_never_seen, "only the skipped rows", 18, ["skipped columns"]),
    (gf.check_cells_never_seen, "only the skipped columns", 16, ["skipped rows"]),
    (gf.check_cells_never_seen, "square 8x8 map assumed", 28, ["not square"]),
    (gf.check_cells_never_seen, "square 9x9 map assumed", 32, ["not square"]),
    # going further 03, exercise 4: dict(padding=(0, 1), ceil_mode=True, count_include_pad=False)
    (gf.check_keras_same_in_pytorch, "PyTorch's defaults", {}, ["floor((10 - 3) / 2) + 1 = 4", "ceil_mode=True"]),
    (gf.check_keras_same_in_pytorch, "padding=1 on both sides (the 7x7 recipe alone)",
     dict(padding=1, count_include_pad=False), ["the 10 rows", "pad the rows by 0"]),
    (gf.check_keras_same_in_pytorch, "rows and columns swapped", dict(padding=(1, 0), ceil_mode=True,
                                                                      count_include_pad=False), ["(rows, columns)"]),
    (gf.check_keras_same_in_pytorch, "ceil_mode alone (the 6x6 recipe alone)",
     dict(ceil_mode=True, count_include_pad=False), ["the 9 columns", "pad the columns by 1"]),
    (gf.check_keras_same_in_pytorch, "the default divisor", dict(padding=(0, 1), ceil_mode=True),
     ["count_include_pad=False", "divides the border windows by 9"]),
    (gf.check_keras_same_in_pytorch, "Keras's 'same' as a string", dict(padding="same"), ["no padding='same'"]),
    (gf.check_keras_same_in_pytorch, "padding larger than half the kernel", dict(padding=2),
     ["refused", "padding=2"]),
    (gf.check_keras_same_in_pytorch, "kernel_size or stride given again", dict(stride=2, padding=1), ["stride"]),
    (gf.check_keras_same_in_pytorch, "a list of values, not a dict", [(0, 1), True, False], ["should be a dict"]),
    # going further 04, exercise 1: [[2.5, 1.0]]
    (gf.check_l2_pool_by_hand, "a sum, not a mean", [[5.0, 2.0]], ["mean"]),
    (gf.check_l2_pool_by_hand, "the root forgotten", [[6.25, 1.0]], ["square root is missing"]),
    (gf.check_l2_pool_by_hand, "p = 1: the average of |x|", [[1.75, 1.0]], ["p=1"]),
    (gf.check_l2_pool_by_hand, "signs kept in the second window", [[1.75, 0.0]], ["signed x", "signs vanish"]),
    (gf.check_l2_pool_by_hand, "the average of the signed values", [[-0.25, 0.0]], ["signed", "|x|"]),
    (gf.check_l2_pool_by_hand, "the largest |x|", [[4.0, 1.0]], ["p=inf"]),
    (gf.check_l2_pool_by_hand, "the signed max", [[3.0, 1.0]], ["max pooling of the signed"]),
    (gf.check_l2_pool_by_hand, "rounded to a whole number", [[2.0, 1.0]], ["round"]),
    (gf.check_l2_pool_by_hand, "a flat list", [2.5, 1.0], ["1x2"]),
    # going further 04, exercise 2
    (gf.check_lp_pool, "a sum, not a mean (the Lp norm)", lp_pool_sums, ["take the mean", "p=1"]),
    (gf.check_lp_pool, "the 1/p-th root forgotten", lp_pool_root_forgotten, ["root"]),
    (gf.check_lp_pool, "overflows at large p", lp_pool_overflows, ["overflowed", "largest"]),
    (gf.check_lp_pool, "a window of zeros gives NaN", lp_pool_zero_window_nan, ["window of zeros"]),
    (gf.check_lp_pool, "x instead of |x|", lp_pool_without_abs, ["Take |x| of each cell first"]),
    (gf.check_lp_pool, "x instead of |x|, divided by the largest |x|", lp_pool_without_abs_divided_by_largest_size,
     ["no real p-th root", "Take |x| of each cell first"]),
    (gf.check_lp_pool, "square maps only", lp_pool_square_maps_only, ["square"]),
    (gf.check_lp_pool, "p ignored: average", lp_pool_always_average, ["average pooling whatever p"]),
    (gf.check_lp_pool, "p ignored: max", lp_pool_always_max, ["max pooling whatever p"]),
    (gf.check_lp_pool, "p=inf as the signed max", lp_pool_signed_max_at_inf, ["largest |x|"]),
    (gf.check_lp_pool, "integer output array", lp_pool_integer_output, ["whole numbers", "dtype"]),
    (gf.check_lp_pool, "called instead of passed", lp_pool_by_logs(nb04.EXERCISE_1_MAP, 2.0), [_CALLED]),
]


@pytest.mark.parametrize("check, answer, fragments",
                         [(check, answer, fragments) for check, _, answer, fragments in CATALOGUE],
                         ids=[f"{_name(check)}: {mistake}" for check, mistake, _, _ in CATALOGUE])
def test_each_catalogued_mistake_is_refused_with_a_hint_naming_it(check, answer, fragments):
    assert_refused(check, answer, *fragments)


def test_01_exercise_3_refuses_a_keras_layer_built_outside_the_function():
    # Reader r6: a layer built in a notebook cell, then called by the student's function, passed as "Correct".
    # Catalogued here, not in CATALOGUE, so that Keras is imported only when this test runs.
    from poolviz.keras_bridge import load_keras
    keras = load_keras()
    notebook_globals = {"keras": keras, "layer": keras.layers.MaxPooling2D()}  # as in a notebook's namespace
    exec("def pool_each_map(batch):\n    return keras.ops.convert_to_numpy(layer(batch))", notebook_globals)

    def closure_over(pool):
        return lambda batch: keras.ops.convert_to_numpy(pool(batch))

    for answer in (notebook_globals["pool_each_map"], closure_over(keras.layers.MaxPool2D())):
        assert np.array_equal(answer(nb01._BATCHES[0][1]), poolviz.max_pool2d(nb01._BATCHES[0][1]))  # it does pool
        assert_refused(nb01.check_pool_each_map, answer, "calls MaxPooling2D, a ready-made pooling", "max_pool_loop")


# --------------------------------------------------------------------------
# The right answer in the forms a student reasonably gives it
# --------------------------------------------------------------------------
def _as_float32(right):
    return lambda *args: right(*args).astype(np.float32)


def _as_nested_list(right):
    return lambda *args: right(*args).tolist()


#: The right answers as a student writes them: since reader r6 the checks see through a closure, so a form that
#: wraps poolviz's own pooling (a ready-made one) would be refused.
_pool_each_map = functools.partial(_each_map, _max_pool_map)


def _average_pool_same(feature_map, pool, stride):
    return _average_same(feature_map, pool, stride)


#: (check, form, answer). What is reasonable, exercise by exercise:
#: - a whole number (size, count, parameters) may come as a float with no fraction
#:   (13.0, from a division) or a NumPy integer; a fraction (13.5) is refused;
#: - a pair or a shape may be a tuple, a list or a NumPy array;
#: - a by-hand array may be a nested list or tuple, an int list where the values are
#:   whole, a float32 array; its values are exact (.5, .25, .1), so no rounding is needed
#:   and whole-number rounding is refused (see the catalogue above);
#: - the PyTorch average 4/9 is a float of no exact decimal form: two decimals (0.44) are
#:   enough, since no other rule gives a value that close; one decimal (0.4) is refused;
#: - a function may compute in float32 (about 7 digits) and return a nested list;
#: - a word may differ in case and surrounding spaces ('Max ').
ACCEPTED = [
    (nb01.check_output_sizes, "floats", (13.0, 14.0)),
    (nb01.check_output_sizes, "a NumPy array", np.array([13, 14])),
    (nb01.check_unchanged_after_shift, "a float", 3.0),
    (nb01.check_unchanged_after_shift, "np.sum's integer", np.int64(3)),
    (nb01.check_pool_each_map, "float32", _as_float32(_pool_each_map)),
    (nb01.check_pool_each_map, "a nested list", _as_nested_list(_pool_each_map)),
    (nb02.check_horizontal_detector, "a list of int rows", [[0, 0, 0], [1, 1, 1], [0, 0, 0]]),
    (nb02.check_horizontal_detector, "a tuple of rows", ((0, 0, 0), (1, 1, 1), (0, 0, 0))),
    (nb02.check_horizontal_detector, "float32", np.float32(data.VERTICAL_LINE_DETECTOR.T)),
    (nb02.check_parameter_count, "a float", 304.0),
    (nb02.check_photograph_shapes, "lists", [[195, 165], [97, 82]]),
    (nb02.check_photograph_shapes, "a NumPy array", np.array([[195, 165], [97, 82]])),
    (nb02.check_photograph_shapes, "floats from a division", ((195.0, 165.0), (97.0, 82.0))),
    (nb03.check_same_padding_bottom_row, "a tuple with ints", (18, 19.5, 21)),
    (nb03.check_same_padding_bottom_row, "float32", np.float32([18.0, 19.5, 21.0])),
    (nb03.check_same_padding_bottom_row, "the last row kept 2-D", [[18.0, 19.5, 21.0]]),
    (nb03.check_cells_never_used, "a float", 26.0),
    (nb03.check_average_pool_same, "float32", _as_float32(_average_pool_same)),
    (nb03.check_average_pool_same, "a nested list", _as_nested_list(_average_pool_same)),
    (nb04.check_max_pool_by_hand, "a tuple of tuples", ((0.9, 0.7), (0.3, 0.8))),
    (nb04.check_max_pool_by_hand, "float32", np.float32([[0.9, 0.7], [0.3, 0.8]])),
    (nb04.check_same_padding_max, "ints", [[-1, -3], [-6, -9]]),
    (nb04.check_max_pool_gradient, "float32", _as_float32(nb04._max_pool_gradient_reference)),
    (nb04.check_max_pool_gradient, "a nested list",
     _as_nested_list(nb04._max_pool_gradient_reference)),
    (nb04.check_gelu_and_max_order, "ones and zeros", [[0, 1], [0, 1]]),
    (nb04.check_gelu_and_max_order, "a boolean array", np.array([[False, True], [False, True]])),
    (nb05.check_global_shapes, "lists", [[32, 64], [32, 1, 1, 64]]),
    (nb05.check_global_shapes, "NumPy integers", (np.array([32, 64]), np.array([32, 1, 1, 64]))),
    (nb05.check_head_parameters, "floats", [108170.0, 170.0]),
    (nb05.check_global_average_pool, "float32", _as_float32(poolviz.global_average_pool2d)),
    (nb05.check_global_average_pool, "a nested list",
     _as_nested_list(poolviz.global_average_pool2d)),
    (nb05.check_average_blind_maps, "nested lists of ints", ([[1] * 6] * 6, [[36] + [0] * 5] + [[0] * 6] * 5)),
    (nb05.check_average_blind_maps, "float32, equal up to rounding",
     (np.full((6, 6), 0.1, np.float32), np.float32(np.eye(6) * 0.6))),
    (gf.check_receptive_interval, "a list", interval_as_a_list),
    (gf.check_receptive_interval, "a range", lambda *case: range(*_student_interval(*case))),
    (gf.check_receptive_interval, "NumPy integers", lambda *case: np.array(_student_interval(*case))),
    (gf.check_max_blur_by_hand, "a list with ints", [[2, 5], [2, 4]]),
    (gf.check_max_blur_by_hand, "float32", np.float32([[2.0, 5.0], [2.0, 4.0]])),
    (gf.check_least_change_ranking, "capitalised, with spaces, a tuple", ("Max ", "max-blur", " Average")),
    (gf.check_depthwise_parameters, "a float", 4800.0),
    (gf.check_second_step_pooling_papers, "a NumPy integer", np.int64(6)),
    (gf.check_second_step_pooling_papers, "a float", 6.0),
    (gf.check_average_pool_kernel, "a nested list", _KERAS_KERNEL.tolist()),
    (gf.check_average_pool_kernel, "float32", np.float32(_KERAS_KERNEL)),
    (gf.check_torch_output_size, "a float", 3.0),
    (gf.check_count_include_pad, "the fraction", 4 / 9),
    (gf.check_count_include_pad, "three decimals", 0.444),
    (gf.check_count_include_pad, "two decimals", 0.44),
    (gf.check_count_include_pad, "float32", np.float32(4 / 9)),
    (gf.check_cells_never_seen, "a float", 30.0),
    (gf.check_keras_same_in_pytorch, "padding as a list, keys in another order",
     {"count_include_pad": False, "padding": [0, 1], "ceil_mode": True}),
    (gf.check_keras_same_in_pytorch, "NumPy bools (from a comparison)",
     dict(padding=(0, 1), ceil_mode=np.True_, count_include_pad=np.False_)),
    (gf.check_l2_pool_by_hand, "a tuple with ints", ((2.5, 1),)),
    (gf.check_l2_pool_by_hand, "float32", np.float32([[2.5, 1.0]])),
    (gf.check_lp_pool, "float32", _as_float32(poolviz.pooling.lp_pool2d)),
    (gf.check_lp_pool, "a nested list", _as_nested_list(poolviz.pooling.lp_pool2d)),
    (gf.check_lp_pool, "by logs (log-mean-exp)", lp_pool_by_logs),
    (gf.check_field_with_holes, "a float", 36.0),
]


@pytest.mark.parametrize("check, answer", [(check, answer) for check, _, answer in ACCEPTED],
                         ids=[f"{_name(check)}: {form}" for check, form, _ in ACCEPTED])
def test_the_right_answer_in_a_reasonable_form_is_accepted(check, answer, capsys):
    check(answer)
    assert capsys.readouterr().out.startswith("Correct: ")


def test_every_check_has_catalogued_mistakes_and_accepted_forms():
    checks = {_name(getattr(module, name)) for module in (nb01, nb02, nb03, nb04, nb05, gf)
              for name in module.__all__ if name.startswith("check_")}
    assert len(checks) == 30
    assert {_name(row[0]) for row in CATALOGUE} == checks
    assert {_name(row[0]) for row in ACCEPTED} == checks
