"""Pictures of pooling, drawn with matplotlib only.

Every function takes ``ax=None`` (or ``fig=None`` when it needs several axes), returns its artists,
never calls ``plt.show()`` and changes no global setting. The returned objects update their artists
in place, so the explorers (:mod:`poolviz.widgets`) redraw a change without a new figure.
"""

from __future__ import annotations

import base64
import functools
import html
import io

import matplotlib as mpl
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.collections import PatchCollection, PathCollection
from matplotlib.colors import Colormap
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.ticker import FixedLocator, MaxNLocator
from matplotlib.transforms import Affine2D

import poolviz
from poolviz._checks import _real_array, as_feature_map, as_int, as_real, check_type
from poolviz._png import LayeredRenderer, digest
from poolviz.explorer import pooling_state
from poolviz.walkthrough import in_words

__all__ = ["coverage_figure", "difference_heatmap", "figure_to_png", "heatmap", "line_detector_figure",
           "pooling_figure", "show_figures_with_alt_text"]

#: Explorers write values into maps of at most this many cells (14 x 14 would add ~80 ms).
EXPLORER_ANNOTATE_MAX_CELLS = 64
#: matplotlib settings for lecture mode, for ``matplotlib.rc_context``.
LECTURE_RC = {"font.size": 16, "axes.titlesize": 18, "xtick.labelsize": 14, "ytick.labelsize": 14, "lines.linewidth": 3}
_ANNOTATE_MAX_SIDE = 16  # annotate=None writes values into maps up to 16 x 16
_MAX_LABELS = 4096  # a label costs ~0.4 ms to draw: 64 x 64 of them take ~2 s
_MAX_CELLS = 2**22  # 2048 x 2048: more than a screen shows; 4096 x 4096 took 1.3 GB and 6 s
_MAX_TICKS = 64
_MAX_PNG_PIXELS = 2**25  # 128 MB of RGBA
_LARGEST = 1e300  # colour limits beyond it overflow the colour bar's ticks
_BAD_COLOR = "violet"  # NaN cells: a colour no colour map of the course uses
_WINDOW_COLOR = "#e8112d"  # red, banded black-white-red: to a colour-blind eye, red matches mid viridis
_FRAME_BANDS = [patheffects.Stroke(linewidth=8, foreground="k"), patheffects.Stroke(linewidth=6, foreground="w"),
                patheffects.Normal()]  # one band has contrast >= 4.5 with every viridis colour, in any vision
_BOOL = (bool, np.bool_)


# Heatmap -----------------------------------------------------------------
def _format(value: float) -> str:
    """A short label: ``3.0 -> '3'``, ``2/3 -> '0.67'``, ``3e-7 -> '3e-07'``, NaN -> ``'nan'``."""
    value = float(value)
    if value == 0 or not np.isfinite(value):
        return str(value) if value else "0"  # '-0' would puzzle a reader
    if not 0.01 <= abs(value) < 1e5:
        return f"{value:.2g}"
    return np.format_float_positional(value, precision=2, unique=True, trim="-")


def _label_colors(rgba):
    """Black or white text per cell colour: black above a WCAG relative luminance of 0.179."""
    rgb = np.asarray(rgba)[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    return np.where(linear @ [0.2126, 0.7152, 0.0722] > 0.179, "black", "white").ravel().tolist()


def _color_range(arrays, vmin=None, vmax=None):
    """(low, high): `vmin` and `vmax` where given, else the range of the finite values."""
    low, high = (None if v is None else as_real(v, name) for v, name in ((vmin, "vmin"), (vmax, "vmax")))
    if low is not None and high is not None and low > high:
        raise ValueError(f"vmin must not be above vmax, got vmin={low} and vmax={high}")
    finite = np.concatenate([array[np.isfinite(array)] for array in arrays])
    low = low if low is not None else float(finite.min()) if finite.size else 0.0
    high = high if high is not None else float(finite.max()) if finite.size else 1.0
    low, high = np.clip([low, high], -_LARGEST, _LARGEST).tolist()
    return (low, high) if high > low else (low, low + max(1.0, abs(low)))  # never an empty range


def _colormap(cmap):
    if isinstance(cmap, str):
        if cmap not in mpl.colormaps:
            raise ValueError(f"cmap must be the name of a matplotlib colormap, got {cmap!r:.60}")
        cmap = mpl.colormaps[cmap]
    return check_type(cmap, "cmap", Colormap, "a matplotlib colormap or its name").with_extremes(bad=_BAD_COLOR)


def _max_ticks(value):
    return as_int(value, "max_ticks", 0, _MAX_TICKS, " (more tick labels overlap)")


def _integer_ticks(ax, shape, max_ticks):
    for axis, n in ((ax.yaxis, shape[0]), (ax.xaxis, shape[1])):
        axis.set_major_locator(FixedLocator(np.arange(n)) if n <= max_ticks else MaxNLocator(4, integer=True))


def _cell_fontsize(ax, shape):
    """A font size that fits a 4-character number into one cell."""
    box, (width, height) = ax.get_position(), ax.figure.get_size_inches()
    cell_points = 72 * min(box.width * width / shape[1], box.height * height / shape[0])
    return float(np.clip(0.3 * cell_points, 5.0, 1.1 * mpl.rcParams["font.size"]))


@functools.lru_cache(maxsize=4096)
def _glyphs(text, size, family):
    """Outline of `text` at `size` points, centred on (0, 0)."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties(family=family))
    return Path(path.vertices - (path.vertices.min(axis=0) + path.vertices.max(axis=0)) / 2, path.codes)


class HeatmapArtists:
    """The artists of one heatmap, changed in place by :meth:`update`: ``ax``, ``image``, ``colorbar`` (or None),
    ``labels`` (each cell's text, row-major), and ``texts`` (a ``Text`` per cell) or, with ``label_paths``,
    ``label_collection`` (glyph outlines: one draw call instead of ~0.4 ms per label)."""

    def __init__(self, ax, image, max_ticks=_ANNOTATE_MAX_SIDE, label_paths=False):
        self.ax, self.image, self.colorbar, self.max_ticks, self.label_paths = ax, image, None, max_ticks, label_paths
        self.shape, self.labels, self.texts, self.label_collection = (), [], [], None

    def __repr__(self):  # short and free of addresses: a notebook may store it
        return f"<HeatmapArtists {self.shape[0]} x {self.shape[1]}, {len(self.labels)} cell labels>"

    @property
    def artists(self) -> list:
        """The artists that change with the data."""
        return [self.image, *self.texts] + ([] if self.label_collection is None else [self.label_collection])

    def update(self, a, vmin: float | None = None, vmax: float | None = None,
               annotate: bool | None = None) -> HeatmapArtists:
        """Show new data `a`; the arguments are those of :func:`heatmap`."""
        array = _as_map(a, "a")
        low, high = _color_range([array], vmin, vmax)
        check_type(annotate, "annotate", (*_BOOL, type(None)), "True, False or None")
        labelled = max(array.shape) <= _ANNOTATE_MAX_SIDE if annotate is None else bool(annotate)
        if labelled and array.size > _MAX_LABELS:
            raise ValueError(f"annotate=True writes one label per cell, at most {_MAX_LABELS} (64 x 64); "
                             f"this map has {array.shape[0]} x {array.shape[1]}: use annotate=False")
        if array.shape != self.shape or not labelled:
            for artist in self.artists[1:]:
                artist.remove()
            self.labels, self.texts, self.label_collection = [], [], None
        if array.shape != self.shape:
            rows, cols = self.shape = array.shape
            self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
            self.ax.set(xlim=(-0.5, cols - 0.5), ylim=(rows - 0.5, -0.5))
            _integer_ticks(self.ax, array.shape, self.max_ticks)
        shown = np.clip(array, low, high)  # matplotlib would draw inf as NaN, and lose 0 beside 1e300
        self.image.set(data=shown, clim=(low, high))
        self.image.values = array  # what the alt text reads: the colours are clipped to vmin..vmax, not the numbers
        if labelled:
            self._write_labels(array, _label_colors(self.image.to_rgba(shown)))
        return self

    def _write_labels(self, array, colors):
        self.labels = [_format(value) for value in array.ravel()]
        if not self.label_paths:
            if not self.texts:
                size = _cell_fontsize(self.ax, array.shape)
                self.texts = [self.ax.text(col, row, "", ha="center", va="center", fontsize=size)
                              for row in range(array.shape[0]) for col in range(array.shape[1])]
            for text, label, color in zip(self.texts, self.labels, colors):
                text.set(text=label, color=color)
            return
        if self.label_collection is None:
            rows, cols = np.indices(array.shape)
            self.label_collection = PathCollection([], offsets=np.column_stack([cols.ravel(), rows.ravel()]),
                                                   offset_transform=self.ax.transData, linewidths=0, zorder=3)
            self.label_collection.set_transform(Affine2D().scale(1 / 72) + self.ax.figure.dpi_scale_trans)
            self.ax.add_collection(self.label_collection, autolim=False)
            self._fontsize = _cell_fontsize(self.ax, array.shape)
        family = tuple(mpl.rcParams["font.family"])
        self.label_collection.set_paths([_glyphs(text, self._fontsize, family) for text in self.labels])
        self.label_collection.set_facecolor(colors)


def _as_map(a, name):
    array = _real_array(a, name)
    if array.size > _MAX_CELLS:  # checked before the float64 copy
        raise ValueError(f"{name} has {array.size} cells, more than the {_MAX_CELLS} (2048 x 2048) a picture shows")
    return as_feature_map(array, name)


def _pyplot():
    import matplotlib.pyplot as plt  # only for pyplot's current axes or a new pyplot figure
    return plt


def _figure(fig, figsize):
    return _pyplot().figure(figsize=figsize) if fig is None else check_type(fig, "fig", Figure, "a Figure or None")


def heatmap(a: np.typing.ArrayLike, ax: Axes | None = None, annotate: bool | None = None, colorbar: bool = False,
            cmap: str | Colormap = "viridis", title: str | None = None, *, vmin: float | None = None,
            vmax: float | None = None, max_ticks: int = _ANNOTATE_MAX_SIDE,
            label_paths: bool = False) -> HeatmapArtists:
    """Draw a 2-D map as a heatmap, row 0 at the top, with its values written in.

    The colour scale spans the finite values; NaN cells are violet, inf and
    -inf take the colours of the scale's ends, and all are labelled as such.

    Parameters
    ----------
    a : array_like
        2-D map.
    ax : matplotlib.axes.Axes, optional
        Default: ``plt.gca()``.
    annotate : bool, optional
        Write each value in its cell, black or white for contrast (default: up to 16 x 16).
    colorbar, cmap, title, vmin, vmax
        As in matplotlib; `vmin` and `vmax` default to the finite range.
    max_ticks : int
        Rows and columns up to this count get a tick each, longer ones a few.
    label_paths : bool
        Labels as one collection of glyph outlines (faster to draw, for explorers).

    Returns
    -------
    HeatmapArtists

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> artists = heatmap([[1.0, np.nan], [np.inf, 0.5]], ax=Figure().subplots(), colorbar=True)
    >>> artists.labels, artists.image.get_clim(), artists.colorbar is not None
    (['1', 'nan', 'inf', '0.5'], (0.5, 1.0), True)
    """
    array = _as_map(a, "a")
    for value, name in ((colorbar, "colorbar"), (label_paths, "label_paths")):
        check_type(value, name, _BOOL, "True or False")
    check_type(title, "title", (str, type(None)), "a string or None")
    max_ticks, colormap, _ = _max_ticks(max_ticks), _colormap(cmap), _color_range([array], vmin, vmax)
    ax = _pyplot().gca() if ax is None else check_type(ax, "ax", Axes, "a matplotlib Axes or None")
    image = ax.imshow([[0.0]], cmap=colormap, interpolation="nearest", aspect="equal")
    artists = HeatmapArtists(ax, image, max_ticks, bool(label_paths)).update(array, vmin, vmax, annotate)
    artists.colorbar = ax.figure.colorbar(image, ax=ax) if colorbar else None
    if title is not None:
        ax.set_title(title)
    return artists


def difference_heatmap(ours: np.typing.ArrayLike, theirs: np.typing.ArrayLike, ax: Axes | None = None, *,
                       title: str | None = None, annotate: bool | None = None, colorbar: bool = True) -> HeatmapArtists:
    """Heatmap of ``ours - theirs`` (e.g. poolviz against Keras): zero is white
    in a diverging colour map with symmetric limits, so any difference shows.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> artists = difference_heatmap([[1.0, 2.0]], [[1.0, 2.5]], ax=Figure().subplots())
    >>> artists.ax.get_title(), artists.labels
    ('poolviz - Keras, max |difference| = 0.5', ['0', '-0.5'])
    """
    ours_array, theirs_array = _as_map(ours, "ours"), _as_map(theirs, "theirs")
    if ours_array.shape != theirs_array.shape:
        raise ValueError(f"ours and theirs must have the same shape, got {ours_array.shape} and {theirs_array.shape}")
    with np.errstate(invalid="ignore", over="ignore"):  # inf - inf is NaN, drawn as such
        difference = ours_array - theirs_array
    size = np.abs(difference)
    largest = float(np.nanmax(size)) if not np.isnan(size).all() else float("nan")
    limit = float(np.max(size, where=np.isfinite(size), initial=0.0)) or 1.0
    title = f"poolviz - Keras, max |difference| = {largest:.3g}" if title is None else title
    return heatmap(difference, ax=ax, annotate=annotate, colorbar=colorbar, cmap="RdBu_r", title=title,
                   vmin=-limit, vmax=limit)


def figure_to_png(fig: Figure, dpi: float | None = None) -> bytes:
    """The PNG bytes of `fig` (e.g. for an ``ipywidgets.Image``), at most 2**25 pixels."""
    check_type(fig, "fig", Figure, "a matplotlib Figure")
    dpi = fig.dpi if dpi is None else as_real(dpi, "dpi", minimum=1)
    width, height = fig.get_size_inches() * dpi
    if width * height > _MAX_PNG_PIXELS:
        raise ValueError(f"dpi={dpi:g} would make a {width:.0f} x {height:.0f} picture, more than "
                         f"{_MAX_PNG_PIXELS} (2**25) pixels: use a smaller dpi")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


# Pooling figure ----------------------------------------------------------
def _padding_rectangles(shape, padding_amounts):
    """The padded cells as four bands at most: a same-padded pool of 1000 draws as fast as one of 2."""
    top, bottom, left, right = padding_amounts
    rows, cols = shape
    bands = [(-top, -left, top, left + cols + right), (rows, -left, bottom, left + cols + right),
             (0, -left, rows, left), (0, cols, rows, right)]
    return [Rectangle((col - 0.5, row - 0.5), width, height) for row, col, height, width in bands if height and width]


class _Picture:
    """A figure that draws in place what it is shown; ``render_png`` redraws what changed."""

    _renderer, _layout = None, ()

    @classmethod
    def build(cls, fig: Figure | None = None, **options):
        """An empty picture (`options` as in the constructor); draw with ``show``."""
        return cls(fig, **options)

    def in_words(self) -> str:
        """What the picture shows, in numbers: its alt text."""
        return _figure_in_words(self.fig)

    def _render(self, layers):
        self._renderer = self._renderer or LayeredRenderer(self.fig)
        return self._renderer.render(self._layout, layers)


class PoolingFigure(_Picture):
    """The input with the current window and padding, the output, the divisors (average pooling with padding),
    and the window's arithmetic.

    Attributes: ``fig``, ``input``, ``output``, ``divisors`` (HeatmapArtists), ``window_patch``, ``output_patch``,
    ``padding_patches``, ``arithmetic``, ``message`` and ``state`` (the state shown last).
    """

    def __init__(self, fig: Figure | None = None, *, show_arithmetic: bool = True,
                 annotate_max_cells: int | None = None, max_ticks: int = _ANNOTATE_MAX_SIDE,
                 fast_labels: bool = False):
        for value, name in ((show_arithmetic, "show_arithmetic"), (fast_labels, "fast_labels")):
            check_type(value, name, _BOOL, "True or False")
        max_ticks = _max_ticks(max_ticks)
        self.annotate_max_cells = None if annotate_max_cells is None else as_int(
            annotate_max_cells, "annotate_max_cells", 0, _MAX_LABELS)  # at most as many labels as heatmap writes
        self.show_arithmetic, self.state = bool(show_arithmetic), None
        self.fig = fig = _figure(fig, (9.6, 4.6 if show_arithmetic else 3.2))
        bottom, height = (0.40, 0.50) if show_arithmetic else (0.06, 0.84)
        axes = [fig.add_axes((left, bottom, width, height)) for left, width in ((0.05, 0.4), (0.51, 0.24), (0.8, 0.17))]
        self.input, self.output, self.divisors = (
            heatmap([[0.0]], ax=ax, annotate=False, cmap=cmap, max_ticks=max_ticks, label_paths=fast_labels)
            for ax, cmap in zip(axes, ("viridis", "viridis", "Greys")))
        axes[2].set_title("divisor per output cell")
        self.padding_patches = axes[0].add_collection(PatchCollection(
            [], facecolor="0.88", edgecolor="0.55", hatch="///", linewidth=0.5))
        self.window_patch, self.output_patch = (ax.add_patch(Rectangle(
            (-0.5, -0.5), 1, 1, fill=False, edgecolor=_WINDOW_COLOR, linewidth=3, zorder=4,
            path_effects=_FRAME_BANDS)) for ax in axes[:2])
        size = mpl.rcParams["font.size"]
        self.arithmetic = fig.text(0.05, bottom - 0.09, "", va="top", family="monospace", fontsize=0.9 * size)
        self.message = fig.text(0.5, 0.5, "", ha="center", va="center", wrap=True, fontsize=1.2 * size)

    def __repr__(self):
        state = self.state
        if state is None or not state.ok:
            return "<PoolingFigure: no output for these settings>"
        shapes = " -> ".join(f"{rows} x {cols}" for rows, cols in (state.feature_map.shape, state.output_shape))
        return f"<PoolingFigure {state.operation}, {shapes}, step {state.step + 1} of {state.n_windows}>"

    def in_words(self) -> str:
        """The pooling, its output's numbers and the window's arithmetic (the state's description)."""
        return self.state.description

    def _annotate(self, shape):
        if self.annotate_max_cells is None:
            return max(shape) <= _ANNOTATE_MAX_SIDE
        return shape[0] * shape[1] <= self.annotate_max_cells

    def show(self, state) -> PoolingFigure:
        """Draw a :class:`poolviz.explorer.PoolingState`, or its message when it has no output."""
        self.state = state
        self.message.set_text(state.message)
        for ax in (self.input.ax, self.output.ax, self.divisors.ax):
            ax.set_visible(state.ok)
        self.arithmetic.set_text(state.arithmetic_text if state.ok and self.show_arithmetic else "")
        if not state.ok:
            self._layout = ("message", state.message)
            return self
        feature_map, pooled, divisors = state.feature_map, state.pooled, state.divisors
        value_range = _color_range([feature_map])  # one scale for input and output
        self.input.update(feature_map, *value_range, annotate=self._annotate(feature_map.shape))
        self.output.update(pooled, *value_range, annotate=self._annotate(pooled.shape))
        divisors = divisors if any(state.padding_amounts) else None
        self.divisors.ax.set_visible(divisors is not None)
        if divisors is not None:
            cells = float(state.pool_size[0]) * state.pool_size[1]
            self.divisors.update(divisors, 0, cells, annotate=self._annotate(divisors.shape))
        (rows, cols), (top, bottom, left, right) = feature_map.shape, state.padding_amounts
        self.input.ax.set(xlim=(-0.5 - left, cols - 0.5 + right), ylim=(rows - 0.5 + bottom, -0.5 - top))
        self.padding_patches.set_paths(_padding_rectangles(feature_map.shape, state.padding_amounts))
        window = state.window
        self.window_patch.set_bounds(window.cols.start - 0.5, window.rows.start - 0.5, len(window.cols),
                                     len(window.rows))
        self.output_patch.set_xy((window.output_index[1] - 0.5, window.output_index[0] - 0.5))
        name = state.operation if "global" in state.operation else f"{state.operation} pooling"
        hatched = " (hatched: padding)" if any(state.padding_amounts) else ""
        self.input.ax.set_title(f"input {rows} x {cols}{hatched}")
        self.output.ax.set_title(f"{name}: {pooled.shape[0]} x {pooled.shape[1]}")
        # The layers of render_png: the layout (ticks, limits) changes only with these shapes.
        self._layout = (feature_map.shape, pooled.shape, state.padding_amounts, divisors is not None)
        self._keys = ((digest(feature_map), value_range, self.input.ax.get_title(), len(self.input.labels)),
                      (digest(pooled), digest(divisors), state.pool_size, value_range, self.output.ax.get_title(),
                       len(self.output.labels)))
        return self

    def render_png(self) -> bytes:
        """PNG bytes: a window step redraws only the window, a new pooling the
        output, new data both maps, a new shape everything."""
        if self.state is None or not self.state.ok:
            return self._render([])
        input_ax, output_ax, divisors_ax = self.input.ax, self.output.ax, self.divisors.ax
        # Artists that overlap a map's edge redraw with it (a spine, the padding's outline, a long title).
        inputs = [*self.input.artists, self.padding_patches, *input_ax.spines.values(), input_ax.title]
        outputs = [*self.output.artists, *self.divisors.artists, *output_ax.spines.values(),
                   *divisors_ax.spines.values(), output_ax.title, divisors_ax.title]
        window = (None, [self.window_patch, self.output_patch, self.arithmetic])
        return self._render([(self._keys[0], inputs), (self._keys[1], outputs), window])


def pooling_figure(feature_map: np.typing.ArrayLike, pool_size: int | tuple[int, int] = (2, 2),
                   strides: int | tuple[int, int] | None = None, padding: str = "valid", operation: str = "max",
                   step: int = 0, fig: Figure | None = None, *, show_arithmetic: bool = True,
                   annotate_max_cells: int | None = None, max_ticks: int = _ANNOTATE_MAX_SIDE,
                   fast_labels: bool = False) -> PoolingFigure:
    """Draw one step of pooling: the input with its window, the output, the arithmetic.

    Padded cells (``"same"``) are hatched; for average pooling with padding a third map shows each output cell's
    divisor (Keras divides by real cells).

    `feature_map`, `pool_size`, `strides`, `padding`, `operation` and `step` are those of
    :func:`poolviz.explorer.pooling_state`; draw other settings with ``figure.show(pooling_state(...))``. `fig`
    defaults to a new pyplot figure; maps of at most `annotate_max_cells` cells get their values written in
    (default: up to 16 x 16); `max_ticks` and `fast_labels` are :func:`heatmap`'s `max_ticks` and `label_paths`.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> figure = pooling_figure(np.arange(16.0).reshape(4, 4), step=1, fig=Figure())
    >>> figure.window_patch.get_xy(), figure.output_patch.get_xy(), figure.output.labels
    ((1.5, -0.5), (0.5, -0.5), ['5', '7', '13', '15'])
    """
    state = pooling_state(feature_map, pool_size, strides, padding, operation, step)
    return PoolingFigure.build(fig, show_arithmetic=show_arithmetic, annotate_max_cells=annotate_max_cells,
                               max_ticks=max_ticks, fast_labels=fast_labels).show(state)


# Line detector -----------------------------------------------------------
def line_detector_figure(image: np.typing.ArrayLike, kernel: np.typing.ArrayLike,
                         feature_map: np.typing.ArrayLike | None = None,
                         fig: Figure | None = None) -> tuple[HeatmapArtists, HeatmapArtists, HeatmapArtists]:
    """Draw the line detector: the image, the kernel, and the feature map
    (default ``relu(conv2d(image, kernel))``) side by side; return their heatmaps.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> from poolviz import data
    >>> line_detector_figure(data.vertical_line(), data.VERTICAL_LINE_DETECTOR, fig=Figure())[1:]
    (<HeatmapArtists 3 x 3, 9 cell labels>, <HeatmapArtists 6 x 6, 36 cell labels>)
    """
    image_array, kernel_array = _as_map(image, "image"), _as_map(kernel, "kernel")
    if feature_map is None:
        feature_map = poolviz.relu(poolviz.conv2d(image_array, kernel_array))
    feature_array = _as_map(feature_map, "feature_map")
    fig = _figure(fig, (10, 3.6))
    widths = [image_array.shape[1], max(kernel_array.shape[1], 3), feature_array.shape[1]]
    axes = fig.subplots(1, 3, gridspec_kw={"width_ratios": widths})
    titles = ("input image {} x {}", "{} x {} kernel", "feature map after ReLU {} x {}")
    return tuple(heatmap(array, ax=ax, cmap=cmap, title=title.format(*array.shape)) for array, ax, cmap, title
                 in zip((image_array, kernel_array, feature_array), axes, ("gray_r", "gray_r", "viridis"), titles))


# Translation invariance (the translation explorer's picture) -------------
class TranslationFigure(_Picture):
    """The shifted input, the pooled map before and after the shift (changed cells
    hatched), and the fraction of unchanged cells against the shift.

    Attributes: ``fig``, ``shifted``, ``before``, ``after`` (HeatmapArtists), ``changed_patches``,
    ``changed_cells`` ((row, col) each), ``curves`` (operation -> Line2D) and ``marker``.
    """

    def __init__(self, fig: Figure | None = None, *, fast_labels: bool = False):
        check_type(fast_labels, "fast_labels", _BOOL, "True or False")
        self.fig, self.changed_cells = _figure(fig, (11, 3.2)), []
        axes = [self.fig.add_axes(rect) for rect in ((0.03, 0.1, 0.22, 0.78), (0.29, 0.1, 0.2, 0.78),
                                                     (0.53, 0.1, 0.2, 0.78), (0.80, 0.18, 0.18, 0.7))]
        self.shifted, self.before, self.after = (
            heatmap([[0.0]], ax=ax, annotate=False, cmap=cmap, label_paths=fast_labels)
            for ax, cmap in zip(axes, ("gray_r", "viridis", "viridis")))
        self.changed_patches = axes[2].add_collection(PatchCollection(
            [], facecolor="none", edgecolor=_WINDOW_COLOR, hatch="xx", linewidth=2.5, zorder=4))
        self.curves = {name: axes[3].plot([], [], marker="o", label=name)[0] for name in ("max", "average", "max-blur")}
        (self.marker,) = axes[3].plot([], [], "o", markersize=12, markerfacecolor="none",
                                      markeredgecolor=_WINDOW_COLOR, markeredgewidth=2.5)
        axes[3].set(ylim=(-0.05, 1.05), xlabel="shift (pixels)", title="fraction unchanged")
        axes[3].xaxis.set_major_locator(MaxNLocator(integer=True))
        axes[3].legend(loc="lower left", fontsize="small")

    def __repr__(self):
        return f"<TranslationFigure {len(self.changed_cells)} pooled cells changed>"

    def show(self, shifted_image, result, shift: int, other_result=None) -> TranslationFigure:
        """Draw `result` (a :class:`poolviz.explorer.TranslationInvariance`) at
        `shift`, with the curve of `other_result` beside its own."""
        shifted_image = _as_map(shifted_image, "shifted_image")
        shift = as_int(shift, "shift", 0, len(result.shifts) - 1)
        before, after, changed = result.pooled[0], result.pooled[shift], result.changed[shift]
        value_range, small = _color_range([before, after]), EXPLORER_ANNOTATE_MAX_CELLS
        self.shifted.update(shifted_image, annotate=shifted_image.size <= small)
        self.before.update(before, *value_range, annotate=before.size <= small)
        self.after.update(after, *value_range, annotate=before.size <= small)
        self.changed_cells = [(int(row), int(col)) for row, col in np.argwhere(changed)]
        self.changed_patches.set_paths([Rectangle((col - 0.5, row - 0.5), 1, 1) for row, col in self.changed_cells])
        self.shifted.ax.set_title(f"input shifted {shift} px")
        self.before.ax.set_title(f"{result.operation} pool {result.pool_size[0]} x {result.pool_size[1]}, no shift")
        self.after.ax.set_title(f"after shift: {int((~changed).sum())} of {changed.size} unchanged")
        results = {r.operation: r for r in (other_result, result) if r is not None}
        for operation, line in self.curves.items():
            line.set_visible(operation in results)
            if operation in results:
                line.set_data(results[operation].shifts, results[operation].fraction_unchanged)
        self.marker.set_data([shift], [result.fraction_unchanged[shift]])
        self.marker.axes.set_xlim(-0.2, max(len(result.shifts) - 1, 1) + 0.2)
        self._layout = (shifted_image.shape, before.shape, len(result.shifts))
        return self

    def render_png(self) -> bytes:
        """PNG bytes: the maps and curves redrawn over a kept background."""
        maps = (self.shifted, self.before, self.after)
        changing = [artist for m in maps for artist in (*m.artists, *m.ax.spines.values())]
        changing += [self.changed_patches, *self.curves.values(), self.marker, *(m.ax.title for m in maps)]
        return self._render([(None, changing)])


# The pooling explorer's coverage view ---------------------------------------
def _coverage_counts(values, name):
    array = _as_map(values, name)
    if not np.all(np.isfinite(array)) or array.min() < 0:
        raise ValueError(f"{name} must hold counts (finite, >= 0), got {in_words(array)}")
    return array


def coverage_figure(coverage: np.typing.ArrayLike, divisors: np.typing.ArrayLike | None = None,
                    fig: Figure | None = None) -> Figure:
    """Draw the coverage map (per input cell) beside the divisor map (real cells per window,
    :func:`poolviz.pooling.real_cell_counts`) into ``fig`` (cleared first; a new ``Figure`` by default); return it."""
    coverage = _coverage_counts(coverage, "coverage")
    divisors = None if divisors is None else _coverage_counts(divisors, "divisors")
    fig = Figure(figsize=(7.0, 3.0)) if fig is None else check_type(fig, "fig", Figure, "None or a matplotlib Figure")
    fig.clear()
    axes = fig.subplots(1, 1 if divisors is None else 2, squeeze=False)[0]
    heatmap(coverage, ax=axes[0], cmap="Greens", vmin=0, vmax=max(float(coverage.max()), 1),
            title=f"windows covering each input cell ({int((coverage == 0).sum())} never read)")
    if divisors is not None:
        heatmap(divisors, ax=axes[1], cmap="Greys", vmin=0, title="real cells per window (divisor)")
    return fig


# Figures in a notebook, in words ----------------------------------------------
def _figure_in_words(fig):
    """Each panel in words: title, axis labels, maps (:func:`in_words`), curves, named bars, text; no size twice."""
    written = lambda v: f"{int(v):,}" if float(v).is_integer() and abs(v) < 1e15 else f"{v:.4g}"  # noqa: E731 (288,010)

    def series(values):
        return " ".join(map(written, values)) if len(values) <= 36 else in_words(np.reshape(values, (1, -1)))

    panels = []
    for number, ax in enumerate((ax for ax in fig.axes if ax.get_visible() and ax.get_label() != "<colorbar>"), 1):
        maps = [np.ma.filled(np.ma.asarray(getattr(image, "values", image.get_array()), dtype=float), np.nan)
                for image in ax.images]
        title, sizes = ax.get_title() or f"panel {number}", [f"{a.shape[0]} x {a.shape[1]}" for a in maps]
        words = [in_words(a).removeprefix(f"{size}: ").removeprefix(f"{size}, ") if f" {size}" in f" {title}" else
                 in_words(a) if a.ndim == 2 else f"a colour picture {size}" for a, size in zip(maps, sizes)]
        lines = [line for line in ax.lines if line.get_visible()]  # unlabelled ones if none has a label
        lines = [line for line in lines if not line.get_label().startswith("_")] or lines
        words += [f"{line.get_label() if line.get_label()[0] != '_' else f'line {n}'}: {series(line.get_ydata())}"
                  for n, line in enumerate(lines, 1)]
        for bars in ax.containers:  # named by the tick labels along their base, when there is one per bar
            ticks = ax.get_yticklabels() if bars.orientation == "horizontal" else ax.get_xticklabels()
            names = [tick.get_text() for tick in ticks] if len(ticks) == len(bars) else [""] * len(bars)
            label = f"{bars.get_label()}: " if bars.get_label()[:1] not in ("", "_") else "bars "  # legend name
            words.append(label + ", ".join(f"{name} {written(v)}".strip() for name, v in zip(names, bars.datavalues)))
        words += [" ".join(text.get_text().split()) for text in ax.texts if not ax.images and text.get_text()]
        axes = [f"{xy} axis {label}" for xy, label in (("x", ax.get_xlabel()), ("y", ax.get_ylabel())) if label]
        panels.append(f"{title}{' (' + ', '.join(axes) + ')' if axes else ''}: {'; '.join(words) or 'no data'}")
    return "Figure. " + ". ".join(panels + [" ".join(text.get_text().split()) for text in fig.texts if text.get_text()])


def show_figures_with_alt_text(ipython=None) -> None:
    """From now on, show each matplotlib figure of the IPython session `ipython` (default: this
    one) as HTML: its PNG in an ``<img>`` whose alt says in numbers what each panel draws, and
    not also as a bare PNG, which gets no text alternative in JupyterLab and Voila (and would
    store the picture twice). Call it once, in a notebook's setup cell, after ``%matplotlib``."""
    if ipython is None:
        from IPython import get_ipython
        ipython = get_ipython()
    if not hasattr(ipython, "display_formatter"):
        raise TypeError(f"ipython must be an IPython shell (or None inside one), got {type(ipython).__name__}")

    def as_html(fig):
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        return (f'<img src="data:image/png;base64,{base64.b64encode(buffer.getvalue()).decode()}" '
                f'alt="{html.escape(_figure_in_words(fig))}">')

    ipython.display_formatter.formatters["text/html"].for_type(Figure, as_html)
    ipython.display_formatter.formatters["image/png"].pop(Figure, None)
