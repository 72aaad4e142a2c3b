"""Pictures of pooling, drawn with matplotlib only.

Every function takes ``ax=None`` (or ``fig=None`` when it needs several
axes), returns its artists in a small object, never calls ``plt.show()``
and changes no global matplotlib setting. The returned objects update
their artists in place (``set_data``, ``set_text``, ``set_clim``,
``Rectangle.set_xy``) so the explorers in :mod:`poolviz.widgets` redraw a
change without building a new figure.

Drawing cost decides what gets a number written in it: text artists cost
about 0.4 ms each to draw, so cells are annotated only while a person can
read them (maps up to 16 x 16 by default; never 224 x 224).

Examples
--------
>>> import numpy as np
>>> import matplotlib
>>> from matplotlib.figure import Figure
>>> ax = Figure().subplots()
>>> artists = heatmap(np.arange(16).reshape(4, 4), ax=ax)
>>> len(artists.texts), artists.texts[5].get_text(), artists.texts[5].get_color()
(16, '5', 'white')
"""

from __future__ import annotations

import functools
import io
import struct
import zlib
from dataclasses import dataclass, field

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.collections import PatchCollection, PathCollection
from matplotlib.colors import Normalize
from matplotlib.font_manager import FontProperties
from matplotlib.patches import Rectangle
from matplotlib.path import Path
from matplotlib.textpath import TextPath
from matplotlib.transforms import Affine2D
from matplotlib.ticker import FixedLocator, MaxNLocator

import poolviz
from poolviz._fingerprint import array_fingerprint
from poolviz._checks import as_feature_map
from poolviz.explorer import PoolingState, TranslationState, pooling_state

__all__ = [
    "ANNOTATE_MAX_SIDE",
    "LECTURE_RC",
    "HeatmapArtists",
    "LineDetectorFigure",
    "PngRenderer",
    "PoolingFigure",
    "TranslationFigure",
    "difference_heatmap",
    "figure_to_png",
    "format_value",
    "heatmap",
    "line_detector_figure",
    "pooling_figure",
    "should_annotate",
    "text_colors",
    "translation_figure",
]

#: By default a heatmap writes its values in the cells up to this many rows
#: and columns (28 x 28 would take 784 labels and ~330 ms to draw).
ANNOTATE_MAX_SIDE = 16
#: Explorers annotate a map only up to this many cells, to keep a redraw
#: under ~30 ms (a 14 x 14 output would add ~80 ms of text).
EXPLORER_ANNOTATE_MAX_CELLS = 64
#: matplotlib settings for lecture mode, applied with ``rc_context`` only.
LECTURE_RC = {
    "font.size": 16,
    "axes.titlesize": 18,
    "xtick.labelsize": 14,
    "ytick.labelsize": 14,
    "lines.linewidth": 3,
}
WINDOW_COLOR = "#e8112d"  # red stands out on every viridis colour
PADDING_HATCH = "///"


# --------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------
def format_value(value):
    """Format a cell value briefly: ``3.0 -> '3'``, ``2/3 -> '0.67'``, NaN -> ``''``.

    Examples
    --------
    >>> [format_value(v) for v in (3.0, 1.5, 2 / 3, -0.0, float("nan"))]
    ['3', '1.5', '0.67', '0', '']
    """
    value = float(value)
    if np.isnan(value):
        return ""
    text = np.format_float_positional(value, precision=2, unique=True, trim="-")
    return "0" if text == "-0" else text


def text_colors(values, cmap="viridis", norm=None):
    """Pick black or white text for cells drawn with `cmap`.

    Uses the WCAG relative luminance of each cell's colour: black above
    0.179, the luminance where black and white text have equal contrast.

    Parameters
    ----------
    values : array_like
    cmap : str or matplotlib.colors.Colormap
    norm : matplotlib.colors.Normalize, optional
        Default: scale from the min to the max of `values`.

    Returns
    -------
    numpy.ndarray of str
        ``"black"`` or ``"white"`` per value.

    Examples
    --------
    >>> text_colors([0.0, 1.0])  # viridis: dark purple, then yellow
    array(['white', 'black'], dtype='<U5')
    """
    values = np.asarray(values, dtype=float)
    cmap = mpl.colormaps[cmap] if isinstance(cmap, str) else cmap
    if norm is None:
        norm = _norm(values)
    rgb = np.asarray(cmap(norm(values)))[..., :3]
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    luminance = linear @ np.array([0.2126, 0.7152, 0.0722])
    return np.where(luminance > 0.179, "black", "white")


def should_annotate(shape, annotate=None):
    """Decide whether to write values into a map of `shape`.

    Parameters
    ----------
    shape : tuple of int
    annotate : bool or None
        None picks: yes up to :data:`ANNOTATE_MAX_SIDE` per side.

    Returns
    -------
    bool
    """
    if annotate is None:
        return max(shape) <= ANNOTATE_MAX_SIDE
    return bool(annotate)


def _norm(values, vmin=None, vmax=None):
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    low = float(finite.min()) if vmin is None and finite.size else (0.0 if vmin is None else float(vmin))
    high = float(finite.max()) if vmax is None and finite.size else (1.0 if vmax is None else float(vmax))
    if high <= low:  # a constant map still needs a non-empty colour range
        high = low + 1.0
    return Normalize(low, high)


def _integer_ticks(ax, shape, max_ticks=ANNOTATE_MAX_SIDE):
    for axis, n in ((ax.yaxis, shape[0]), (ax.xaxis, shape[1])):
        if n <= max_ticks:
            axis.set_major_locator(FixedLocator(np.arange(n)))
        else:
            axis.set_major_locator(MaxNLocator(nbins=4, integer=True))


def _cell_fontsize(ax, shape):
    """A font size that fits a 4-character number into one cell."""
    bbox = ax.get_position()
    fig_width, fig_height = ax.figure.get_size_inches()
    cell_points = min(bbox.width * fig_width / shape[1], bbox.height * fig_height / shape[0]) * 72
    scale = mpl.rcParams["font.size"] / 10.0
    return float(np.clip(cell_points * 0.3, 5.0, 11.0 * scale))


def _new_figure(fig, figsize):
    if fig is not None:
        return fig
    import matplotlib.pyplot as plt  # only when the caller wants a pyplot figure

    return plt.figure(figsize=figsize)


def _default_ax(ax):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.gca()


# --------------------------------------------------------------------------
# Heatmap
# --------------------------------------------------------------------------
@functools.lru_cache(maxsize=4096)
def _glyph_path(text, size, family):
    """Outline of `text` at `size` points, centred on (0, 0), in points."""
    path = TextPath((0, 0), text, size=size, prop=FontProperties(family=family))
    if len(path.vertices) == 0:
        return path
    low, high = path.vertices.min(axis=0), path.vertices.max(axis=0)
    return Path(path.vertices - (low + high) / 2, path.codes)


@dataclass(eq=False, repr=False)
class HeatmapArtists:
    """The artists of one heatmap; :meth:`update` changes them in place.

    Attributes
    ----------
    ax : matplotlib.axes.Axes
    image : matplotlib.image.AxesImage
    texts : list of matplotlib.text.Text
        One per cell (row-major) when annotated with text artists, else empty.
    colorbar : matplotlib.colorbar.Colorbar or None
    label_paths : bool
        Draw the cell labels as one ``PathCollection`` of glyph outlines
        (:attr:`label_collection`) instead of one ``Text`` per cell: one draw
        call instead of ~0.4 ms per label, for the explorers.
    label_collection : matplotlib.collections.PathCollection or None
    label_strings, label_colors : list of str
        What each cell shows and in which colour, in both modes.
    """

    ax: object
    image: object
    texts: list
    colorbar: object = None
    annotate: object = None
    fmt: object = format_value
    fontsize: object = None
    max_ticks: int = ANNOTATE_MAX_SIDE
    shape: tuple = ()
    label_paths: bool = False
    label_collection: object = None
    label_strings: list = field(default_factory=list)
    label_colors: list = field(default_factory=list)

    def __repr__(self):
        # Short and free of memory addresses: notebooks store it as output.
        labels = len(self.label_strings)
        return f"<HeatmapArtists {self.shape[0]} x {self.shape[1]}, {labels} cell labels>"

    @property
    def artists(self):
        """Artists that change with the data (for partial redraws)."""
        extra = [self.label_collection] if self.label_collection is not None else []
        return [self.image, *self.texts, *extra]

    def update(self, a, vmin=None, vmax=None, annotate=None):
        """Show new data, keeping the artists when the shape is unchanged.

        Parameters
        ----------
        a : array_like
            New 2-D data.
        vmin, vmax : float, optional
            Colour limits (default: the data range).
        annotate : bool, optional
            Override the annotation choice made at creation.

        Returns
        -------
        HeatmapArtists
            self
        """
        array = as_feature_map(a, "a")
        norm = _norm(array, vmin, vmax)
        if annotate is not None:
            self.annotate = annotate
        want_labels = should_annotate(array.shape, self.annotate)
        has_labels = bool(self.texts) or self.label_collection is not None
        if array.shape != self.shape:
            rows, cols = array.shape
            self.image.set_extent((-0.5, cols - 0.5, rows - 0.5, -0.5))
            self.ax.set_xlim(-0.5, cols - 0.5)
            self.ax.set_ylim(rows - 0.5, -0.5)
            _integer_ticks(self.ax, array.shape, self.max_ticks)
            self.shape = array.shape
            self._remove_labels()
        elif not want_labels and has_labels:
            self._remove_labels()
        self.image.set_data(array)
        self.image.set_clim(norm.vmin, norm.vmax)
        if want_labels:
            if not self.texts and self.label_collection is None:
                self._make_labels(array.shape)
            self._fill_labels(array, norm)
        return self

    def _remove_labels(self):
        for text in self.texts:
            text.remove()
        self.texts = []
        if self.label_collection is not None:
            self.label_collection.remove()
            self.label_collection = None
        self.label_strings, self.label_colors = [], []

    def _make_labels(self, shape):
        size = self.fontsize or _cell_fontsize(self.ax, shape)
        if self.label_paths:
            rows, cols = np.mgrid[0 : shape[0], 0 : shape[1]]
            points_to_pixels = Affine2D().scale(1 / 72) + self.ax.figure.dpi_scale_trans
            self.label_collection = PathCollection(
                [], offsets=np.column_stack([cols.ravel(), rows.ravel()]), offset_transform=self.ax.transData,
                transform=points_to_pixels, linewidths=0, edgecolors="none", zorder=3,
            )
            self.label_collection.set_transform(points_to_pixels)
            self.label_collection._poolviz_size = size
            self.ax.add_collection(self.label_collection, autolim=False)
            return
        self.texts = [
            self.ax.text(col, row, "", ha="center", va="center", fontsize=size)
            for row in range(shape[0])
            for col in range(shape[1])
        ]

    def _fill_labels(self, array, norm):
        self.label_colors = [str(color) for color in text_colors(array, self.image.get_cmap(), norm).ravel()]
        self.label_strings = [self.fmt(value) for value in array.ravel()]
        if self.label_collection is not None:
            size = self.label_collection._poolviz_size
            family = tuple(mpl.rcParams["font.family"])
            self.label_collection.set_paths([_glyph_path(text, size, family) for text in self.label_strings])
            self.label_collection.set_facecolor(self.label_colors)
            return
        for text, string, color in zip(self.texts, self.label_strings, self.label_colors):
            text.set_text(string)
            text.set_color(color)


def heatmap(a, ax=None, annotate=None, colorbar=False, cmap="viridis", title=None, *,
            vmin=None, vmax=None, fmt=format_value, fontsize=None, max_ticks=ANNOTATE_MAX_SIDE,
            label_paths=False):
    """Draw a feature map as a heatmap, optionally with its values written in.

    Parameters
    ----------
    a : array_like
        2-D map, drawn with row 0 at the top like a printed matrix.
    ax : matplotlib.axes.Axes, optional
        Default: ``plt.gca()``.
    annotate : bool, optional
        Write each value in its cell, in black or white depending on the
        cell colour. Default: only for maps up to 16 x 16.
    colorbar : bool
        Add a colour bar.
    cmap : str or Colormap
    title : str, optional
    vmin, vmax : float, optional
        Colour limits (default: the data range).
    fmt : callable
        Value -> cell text (default :func:`format_value`).
    fontsize : float, optional
        Cell text size (default: fitted to the cell).
    max_ticks : int
        Up to this many rows/columns every index gets a tick; above it a
        few integer ticks.
    label_paths : bool
        Draw the labels as one collection of glyph outlines (fast, for
        explorers) instead of ``Text`` artists.

    Returns
    -------
    HeatmapArtists

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> import numpy as np
    >>> artists = heatmap(np.eye(3), ax=Figure().subplots(), colorbar=True)
    >>> [t.get_text() for t in artists.texts[:3]], artists.colorbar is not None
    (['1', '0', '0'], True)
    """
    array = as_feature_map(a, "a")
    ax = _default_ax(ax)
    norm = _norm(array, vmin, vmax)
    image = ax.imshow(array, cmap=cmap, norm=norm, interpolation="nearest", aspect="equal")
    artists = HeatmapArtists(ax=ax, image=image, texts=[], annotate=annotate, fmt=fmt,
                             fontsize=fontsize, max_ticks=max_ticks, label_paths=label_paths)
    artists.update(array, vmin, vmax)
    if colorbar:
        artists.colorbar = ax.figure.colorbar(image, ax=ax)
    if title is not None:
        ax.set_title(title)
    return artists


def difference_heatmap(ours, theirs, ax=None, *, title=None, annotate=None, colorbar=True):
    """Heatmap of ``ours - theirs``, e.g. poolviz against Keras.

    Takes two arrays (no TensorFlow here). Zero is white in a diverging
    colour map with symmetric limits, so any disagreement shows in colour.

    Parameters
    ----------
    ours, theirs : array_like
        Same-shaped 2-D arrays.
    ax : matplotlib.axes.Axes, optional
    title : str, optional
        Default: ``"poolviz - Keras, max |difference| = ..."``.
    annotate : bool, optional
    colorbar : bool

    Returns
    -------
    HeatmapArtists

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> artists = difference_heatmap([[1.0, 2.0]], [[1.0, 2.5]], ax=Figure().subplots())
    >>> artists.ax.get_title()
    'poolviz - Keras, max |difference| = 0.5'
    """
    ours_array = as_feature_map(ours, "ours")
    theirs_array = as_feature_map(theirs, "theirs")
    if ours_array.shape != theirs_array.shape:
        raise ValueError(f"ours and theirs must have the same shape, got {ours_array.shape} and {theirs_array.shape}")
    difference = ours_array - theirs_array
    largest = float(np.nanmax(np.abs(difference)))
    limit = largest if largest > 0 else 1.0

    def short(value):
        return "0" if value == 0 else f"{value:.0e}" if abs(value) < 0.01 else format_value(value)

    if title is None:
        title = f"poolviz - Keras, max |difference| = {largest:.3g}"
    return heatmap(difference, ax=ax, annotate=annotate, colorbar=colorbar, cmap="RdBu_r", title=title,
                   vmin=-limit, vmax=limit, fmt=short)


# --------------------------------------------------------------------------
# Fast PNG rendering for the explorers
# --------------------------------------------------------------------------
def _png_chunk(tag, data):
    return struct.pack(">I", len(data)) + tag + data + struct.pack(">I", zlib.crc32(tag + data))


def _encode_png(canvas):
    """PNG bytes of an Agg canvas: RGB (the figure is opaque), no row filters, zlib level 1.

    Written by hand because Pillow tries a filter per row (measured 26 ms
    for a 1382 x 460 explorer picture against 8 ms here, for 31 vs 40 KiB):
    on every slider move, encoding is most of what the kernel does.
    """
    width, height = canvas.get_width_height(physical=True)
    rgba = np.asarray(canvas.buffer_rgba()).reshape(height, 4 * width)
    rows = np.empty((height, 1 + 3 * width), dtype=np.uint8)
    rows[:, 0] = 0  # each row: filter type 0 (none), then its pixels
    for channel in range(3):  # one strided copy per channel: 7x faster than copying (h, w, 3) views
        rows[:, 1 + channel :: 3] = rgba[:, channel::4]
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB, not interlaced
    return b"".join([b"\x89PNG\r\n\x1a\n", _png_chunk(b"IHDR", header),
                     _png_chunk(b"IDAT", zlib.compress(rows, 1)), _png_chunk(b"IEND", b"")])


def figure_to_png(fig, dpi=None):
    """Return the PNG bytes of `fig` (for an ``ipywidgets.Image``).

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    dpi : float, optional

    Returns
    -------
    bytes
    """
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


class PngRenderer:
    """Render a figure to PNG, redrawing only the layers that changed.

    Ticks, tick labels and titles cost most of a draw (~15 ms per axes
    here) and only change with the layout (the shapes); cell labels cost
    ~0.4 ms each and only change with the data. So a figure is drawn in
    layers: the background (everything not in a layer), then each layer of
    artists in order. The picture after each layer is kept, tagged with the
    keys of the layers below it; a later render pastes back the highest
    picture whose keys still match and draws only the layers above it.

    Parameters
    ----------
    figure : matplotlib.figure.Figure
        Gets an Agg canvas unless it already has one.

    Examples
    --------
    >>> from matplotlib.figure import Figure
    >>> fig = Figure(figsize=(2, 2), dpi=50)
    >>> line, = fig.subplots().plot([0, 1], [0, 1])
    >>> renderer = PngRenderer(fig)
    >>> png = renderer.render("layout", [("data", [line])])
    >>> png[:4], renderer.full_draws
    (b'\\x89PNG', 1)
    >>> png = renderer.render("layout", [("data", [line])])
    >>> renderer.full_draws, renderer.layer_draws
    (1, 1)
    """

    #: Backgrounds kept for layouts seen before (a student toggling a pool
    #: size between 2 and 3 should not pay for the ticks twice); ~0.6 MB each.
    max_backgrounds = 12

    def __init__(self, figure):
        self.figure = figure
        if not isinstance(figure.canvas, FigureCanvasAgg):
            FigureCanvasAgg(figure)
        self._cache = {}
        self._backgrounds = {}
        self.full_draws = 0
        self.layer_draws = 0

    def render(self, layout_key, layers):
        """Draw and return PNG bytes.

        Parameters
        ----------
        layout_key : hashable
            Changes whenever anything outside the layers changed.
        layers : list of (hashable or None, list of Artist)
            Bottom to top. A layer's key changes whenever its artists look
            different; None means "always redraw" (use it for the top).

        Returns
        -------
        bytes
        """
        canvas = self.figure.canvas
        keys = [(layout_key, tuple(canvas.get_width_height(physical=True)), self.figure.dpi)]
        keys += [key for key, _ in layers]
        cumulative = []
        for index in range(len(keys)):
            usable = all(key is not None for key in keys[: index + 1])
            cumulative.append(tuple(keys[: index + 1]) if usable else None)
        level = None
        for index in reversed(range(len(keys))):
            cached = self._cache.get(index)
            if cumulative[index] is not None and cached is not None and cached[0] == cumulative[index]:
                level = index
                break
        if level is None and cumulative[0] in self._backgrounds:
            self._cache = {0: (cumulative[0], self._backgrounds[cumulative[0]])}
            level = 0
            canvas.restore_region(self._cache[0][1])
        elif level is None:
            every_layer = [artist for _, artists in layers for artist in artists]
            for artist in every_layer:
                artist.set_animated(True)
            try:
                canvas.draw()
            finally:
                # Animated artists are skipped by savefig: never leave them so.
                for artist in every_layer:
                    artist.set_animated(False)
            self._cache = {0: (cumulative[0], canvas.copy_from_bbox(self.figure.bbox))}
            self._backgrounds[cumulative[0]] = self._cache[0][1]
            while len(self._backgrounds) > self.max_backgrounds:  # dicts keep insertion order: drop the oldest
                del self._backgrounds[next(iter(self._backgrounds))]
            self.full_draws += 1
            level = 0
        else:
            canvas.restore_region(self._cache[level][1])
        renderer = canvas.get_renderer()
        # Axes with a fixed aspect settle their box while drawing; without a
        # full draw, settle it here so layers land where this layout has them.
        for ax in self.figure.axes:
            ax.apply_aspect()
        for index in range(level + 1, len(keys)):
            for artist in sorted(layers[index - 1][1], key=lambda a: a.get_zorder()):
                if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                    artist.draw(renderer)
            self.layer_draws += 1
            if cumulative[index] is not None:
                self._cache[index] = (cumulative[index], canvas.copy_from_bbox(self.figure.bbox))
        return _encode_png(canvas)


# --------------------------------------------------------------------------
# Pooling figure
# --------------------------------------------------------------------------
def _padding_regions(input_shape, padding_amounts):
    """The padded cells as at most four rectangles ``(first row, first col,
    rows, cols)`` in the input's coordinates: full-width bands above and
    below, and bands left and right of the input's rows.  Their number does
    not grow with the padding, so a same-padded pool of 1000 draws as fast
    as one of 2."""
    top, bottom, left, right = padding_amounts
    rows, cols = input_shape
    width = left + cols + right
    regions = [(-top, -left, top, width), (rows, -left, bottom, width),
               (0, -left, rows, left), (0, cols, rows, right)]
    return [region for region in regions if region[2] and region[3]]


def _padding_paths(regions):
    return [Rectangle((col - 0.5, row - 0.5), n_cols, n_rows)
            for row, col, n_rows, n_cols in regions]


@dataclass(eq=False, repr=False)
class PoolingFigure:
    """The input with the current window, the output, and the arithmetic.

    Build it with :func:`pooling_figure` (from arguments) or
    :meth:`PoolingFigure.build` (empty), then draw states with :meth:`show`.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    input, output, divisors : HeatmapArtists
        The divisor map is visible only for average pooling with padding.
    window_patch : matplotlib.patches.Rectangle
        Outline of the current window on the input.
    output_patch : matplotlib.patches.Rectangle
        Outline of the current cell on the output.
    padding_patches : matplotlib.collections.PatchCollection
        One hatched rectangle per padded region (see :attr:`padding_regions`).
    padding_regions : list of tuple
        The padded cells as at most four rectangles ``(first row, first col,
        rows, cols)`` in the input's coordinates (bands above, below, left
        and right of the input).
    arithmetic : matplotlib.text.Text
        The window's arithmetic (empty when ``show_arithmetic=False``).
    message : matplotlib.text.Text
        Shown instead of the axes when the settings give no output.
    state : poolviz.explorer.PoolingState or None
        The state drawn last (None until :meth:`show`).
    """

    fig: object
    input: HeatmapArtists
    output: HeatmapArtists
    divisors: HeatmapArtists
    window_patch: object
    output_patch: object
    padding_patches: object
    arithmetic: object
    message: object
    state: PoolingState = None
    padding_regions: list = field(default_factory=list)
    show_arithmetic: bool = True
    annotate_max_cells: int | None = None
    _renderer: PngRenderer = None
    _layout: tuple = ()
    _input_key: tuple = ()
    _output_key: tuple = ()
    _value_range: tuple = (0.0, 1.0)  # the colour scale of input and output

    @classmethod
    def build(cls, fig=None, *, show_arithmetic=True, annotate_max_cells=None, max_ticks=ANNOTATE_MAX_SIDE,
              fast_labels=False):
        """Lay out the axes and artists, with nothing shown yet.

        Parameters are those of :func:`pooling_figure`; draw with :meth:`show`.

        Returns
        -------
        PoolingFigure
        """
        fig = _new_figure(fig, (9.6, 4.6 if show_arithmetic else 3.2))
        bottom, top = (0.40 if show_arithmetic else 0.06), 0.90
        ax_input = fig.add_axes((0.05, bottom, 0.40, top - bottom))
        ax_output = fig.add_axes((0.51, bottom, 0.24, top - bottom))
        ax_divisors = fig.add_axes((0.80, bottom, 0.17, top - bottom))
        placeholder = np.zeros((1, 1))
        options = dict(annotate=False, max_ticks=max_ticks, label_paths=fast_labels)
        input_artists = heatmap(placeholder, ax=ax_input, **options)
        output_artists = heatmap(placeholder, ax=ax_output, **options)
        divisor_artists = heatmap(placeholder, ax=ax_divisors, cmap="Greys", fmt=lambda v: f"{v:.0f}", **options)
        ax_divisors.set_title("divisor per output cell")
        padding_patches = PatchCollection([], facecolor="0.88", edgecolor="0.55", hatch=PADDING_HATCH, linewidth=0.5)
        ax_input.add_collection(padding_patches)
        window_patch = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOR, linewidth=3, zorder=4)
        output_patch = Rectangle((-0.5, -0.5), 1, 1, fill=False, edgecolor=WINDOW_COLOR, linewidth=3, zorder=4)
        ax_input.add_patch(window_patch)
        ax_output.add_patch(output_patch)
        arithmetic = fig.text(0.05, bottom - 0.09, "", ha="left", va="top", family="monospace",
                              fontsize=0.9 * mpl.rcParams["font.size"])
        message = fig.text(0.5, 0.5, "", ha="center", va="center", wrap=True, visible=False,
                           fontsize=1.2 * mpl.rcParams["font.size"])
        return cls(fig=fig, input=input_artists, output=output_artists, divisors=divisor_artists,
                   window_patch=window_patch, output_patch=output_patch, padding_patches=padding_patches,
                   arithmetic=arithmetic, message=message, show_arithmetic=show_arithmetic,
                   annotate_max_cells=annotate_max_cells)

    def __repr__(self):
        state = self.state
        if state is None or not state.ok:
            return "<PoolingFigure: no output for these settings>"
        (rows, cols), (out_rows, out_cols) = state.feature_map.shape, state.output_shape
        return (f"<PoolingFigure {state.operation}, {rows} x {cols} -> {out_rows} x {out_cols}, "
                f"step {state.step + 1} of {state.n_windows}>")

    @property
    def input_artists(self):
        """Artists that change with the input (its data or shift)."""
        spines = list(self.input.ax.spines.values())  # the image covers their inner half
        return [*self.input.artists, *spines, self.input.ax.title]

    @property
    def output_artists(self):
        """Artists that change with the output (operation, pool, strides, padding)."""
        spines = [spine for ax in (self.output.ax, self.divisors.ax) for spine in ax.spines.values()]
        return [*self.output.artists, *self.divisors.artists, *spines, self.output.ax.title]

    @property
    def data_artists(self):
        """Artists that change with the data (input, shift, pool settings)."""
        return self.input_artists + self.output_artists

    @property
    def window_artists(self):
        """Artists that change from one window step to the next."""
        return [self.window_patch, self.output_patch, self.arithmetic]

    def _annotate(self, shape):
        if self.annotate_max_cells is None:
            return should_annotate(shape)
        return shape[0] * shape[1] <= self.annotate_max_cells

    def show(self, state):
        """Draw a :class:`~poolviz.explorer.PoolingState` (from
        :func:`~poolviz.explorer.pooling_state` or an explorer model).

        Returns
        -------
        PoolingFigure
            self
        """
        self.state = state
        if not state.ok:
            return self._show_message(state.message)
        self.message.set_visible(False)
        self.input.ax.set_visible(True)
        self.output.ax.set_visible(True)
        self._draw_maps(state)
        self._draw_padding(state)
        self._draw_window(state.window)
        self._draw_divisors(state)
        if self.show_arithmetic:
            self.arithmetic.set_text(state.arithmetic_text)
        self._draw_titles(state)
        self._remember_layers(state)
        return self

    def _show_message(self, text):
        """The message instead of the axes."""
        for ax in (self.input.ax, self.output.ax, self.divisors.ax):
            ax.set_visible(False)
        self.arithmetic.set_text("")
        self.message.set_text(text)
        self.message.set_visible(True)
        self._layout = ("message", text)
        return self

    def _draw_maps(self, state):
        """Input and output in one colour scale: the finite range of the input."""
        finite = state.feature_map[np.isfinite(state.feature_map)]
        self._value_range = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.input.update(state.feature_map, *self._value_range, annotate=self._annotate(state.feature_map.shape))
        self.output.update(state.pooled, *self._value_range, annotate=self._annotate(state.output_shape))

    def _draw_padding(self, state):
        """Room for the padded cells around the input, hatched."""
        rows, cols = state.feature_map.shape
        top, bottom, left, right = state.padding_amounts
        self.input.ax.set_xlim(-0.5 - left, cols - 0.5 + right)
        self.input.ax.set_ylim(rows - 0.5 + bottom, -0.5 - top)
        self.padding_regions = _padding_regions(state.feature_map.shape, state.padding_amounts)
        self.padding_patches.set_paths(_padding_paths(self.padding_regions))

    def _draw_window(self, window):
        """The window on the input, the cell it gives on the output."""
        self.window_patch.set_xy((window.cols.start - 0.5, window.rows.start - 0.5))
        self.window_patch.set_width(len(window.cols))
        self.window_patch.set_height(len(window.rows))
        out_row, out_col = window.output_index
        self.output_patch.set_xy((out_col - 0.5, out_row - 0.5))

    def _shows_divisors(self, state):
        return state.divisors is not None and any(state.padding_amounts)

    def _draw_divisors(self, state):
        """Average pooling with padding: what each output cell was divided by."""
        show = self._shows_divisors(state)
        self.divisors.ax.set_visible(show)
        if show:
            self.divisors.update(state.divisors, 0, state.pool_size[0] * state.pool_size[1],
                                 annotate=self._annotate(state.divisors.shape))

    def _draw_titles(self, state):
        (rows, cols), (out_rows, out_cols) = state.feature_map.shape, state.output_shape
        name = state.operation if state.operation in poolviz.OPERATIONS[2:] else f"{state.operation} pooling"
        self.input.ax.set_title(f"input {rows} x {cols}" + (" (hatched: padding)" if any(state.padding_amounts) else ""))
        self.output.ax.set_title(f"{name}: {out_rows} x {out_cols}")

    def _remember_layers(self, state):
        """What each layer of :meth:`render_png` shows, to redraw only what changed."""
        show_divisors = self._shows_divisors(state)
        # Ticks and axes limits depend only on this; titles and labels are
        # in the data layer, so changing the operation keeps the background.
        self._layout = (state.feature_map.shape, state.output_shape, state.padding_amounts, show_divisors)
        self._input_key = (array_fingerprint(state.feature_map), *self._value_range,
                           self._annotate(state.feature_map.shape), self.input.ax.get_title())
        self._output_key = (array_fingerprint(state.pooled, state.divisors if show_divisors else None),
                            *self._value_range, self._annotate(state.output_shape), self.output.ax.get_title())

    def render_png(self):
        """PNG bytes of the figure, redrawing only what changed since last time.

        Returns
        -------
        bytes
        """
        if self._renderer is None:
            self._renderer = PngRenderer(self.fig)
        if self.state is None or not self.state.ok:
            return self._renderer.render(self._layout, [])
        # Bottom to top: a new operation or pool redraws only the output
        # layer, a window step only the top one.
        return self._renderer.render(self._layout, [(self._input_key, self.input_artists),
                                                    (self._output_key, self.output_artists),
                                                    (None, self.window_artists)])


def pooling_figure(feature_map, pool_size=(2, 2), strides=None, padding="valid", operation="max", step=0,
                   fig=None, *, show_arithmetic=True, annotate_max_cells=None, max_ticks=ANNOTATE_MAX_SIDE,
                   fast_labels=False):
    """Draw one step of pooling: input with its window, output, arithmetic.

    The current window is outlined on the input, padded cells (``"same"``
    padding) are hatched around it, the output cell it produces is
    outlined, and the window's arithmetic is written below. For average
    pooling with padding a third map shows the divisor of every output
    cell (Keras divides by the real cells only).

    Parameters
    ----------
    feature_map : array_like
        2-D input.
    pool_size, strides, padding, operation, step
        As in :func:`poolviz.explorer.pooling_state`.
    fig : matplotlib.figure.Figure, optional
        Default: a new pyplot figure.
    show_arithmetic : bool
        Write the arithmetic under the maps.
    annotate_max_cells : int, optional
        Annotate maps with at most this many cells (default: up to 16 x 16).
    max_ticks : int
        Maps up to this size get a tick per row/column, bigger ones a few
        integer ticks (tick labels are the costliest part of a redraw).
    fast_labels : bool
        Cell labels as glyph outlines in one collection per map (see
        :class:`HeatmapArtists`); the explorers use this.

    Returns
    -------
    PoolingFigure
        Show other settings with ``figure.show(pooling_state(...))``.

    Examples
    --------
    >>> import numpy as np
    >>> from matplotlib.figure import Figure
    >>> figure = pooling_figure(np.arange(16.0).reshape(4, 4), step=1, fig=Figure())
    >>> figure.window_patch.get_xy(), figure.output_patch.get_xy()
    ((1.5, -0.5), (0.5, -0.5))
    """
    state = pooling_state(feature_map, pool_size, strides, padding, operation, step)
    figure = PoolingFigure.build(fig, show_arithmetic=show_arithmetic, annotate_max_cells=annotate_max_cells,
                                 max_ticks=max_ticks, fast_labels=fast_labels)
    return figure.show(state)


# --------------------------------------------------------------------------
# Line detector
# --------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class LineDetectorFigure:
    """Input image, kernel and feature map after ReLU, side by side."""

    fig: object
    input: HeatmapArtists
    kernel: HeatmapArtists
    feature_map: HeatmapArtists

    def __repr__(self):
        shapes = [artists.shape for artists in (self.input, self.kernel, self.feature_map)]
        return "<LineDetectorFigure {} image, {} kernel, {} feature map>".format(
            *(f"{rows} x {cols}" for rows, cols in shapes))


def line_detector_figure(image, kernel, feature_map=None, fig=None):
    """Draw the line-detector example: image, 3 x 3 kernel, ReLU feature map.

    Parameters
    ----------
    image : array_like
        2-D input image (the tutorial's 8 x 8 vertical line).
    kernel : array_like
        2-D kernel (e.g. ``poolviz.data.VERTICAL_LINE_DETECTOR``).
    feature_map : array_like, optional
        Default: ``relu(conv2d(image, kernel))``.
    fig : matplotlib.figure.Figure, optional

    Returns
    -------
    LineDetectorFigure
    """
    image_array = as_feature_map(image, "image")
    kernel_array = as_feature_map(kernel, "kernel")
    if feature_map is None:
        feature_map = poolviz.relu(poolviz.conv2d(image_array, kernel_array))
    feature_array = as_feature_map(feature_map, "feature_map")
    fig = _new_figure(fig, (10, 3.6))
    widths = [image_array.shape[1], max(kernel_array.shape[1], 3), feature_array.shape[1]]
    ax_image, ax_kernel, ax_feature = fig.subplots(1, 3, gridspec_kw={"width_ratios": widths})
    return LineDetectorFigure(
        fig=fig,
        input=heatmap(image_array, ax=ax_image, cmap="gray_r", title=f"input image {image_array.shape[0]} x {image_array.shape[1]}"),
        kernel=heatmap(kernel_array, ax=ax_kernel, cmap="gray_r",
                       title=f"{kernel_array.shape[0]} x {kernel_array.shape[1]} kernel"),
        feature_map=heatmap(feature_array, ax=ax_feature,
                            title=f"feature map after ReLU {feature_array.shape[0]} x {feature_array.shape[1]}"),
    )


# --------------------------------------------------------------------------
# Translation invariance
# --------------------------------------------------------------------------
@dataclass(eq=False, repr=False)
class TranslationFigure:
    """Shifted input, pooled before/after with changed cells, and a curve.

    Attributes
    ----------
    fig : matplotlib.figure.Figure
    shifted : HeatmapArtists
        The shifted input.
    before, after : HeatmapArtists
        Pooled unshifted and shifted maps.
    changed_patches : matplotlib.collections.PatchCollection
        One hatched outline per pooled cell that changed.
    changed_cells : list of tuple
    curves : dict
        operation -> Line2D of fraction unchanged against shift.
    marker : matplotlib.lines.Line2D
        The current shift on the curve.
    """

    fig: object
    shifted: HeatmapArtists
    before: HeatmapArtists
    after: HeatmapArtists
    changed_patches: object
    curves: dict
    marker: object
    changed_cells: list = field(default_factory=list)
    _renderer: PngRenderer = None
    _layout: tuple = ()

    @classmethod
    def build(cls, fig=None, *, fast_labels=False):
        """Lay out the axes and artists, with nothing shown yet; draw with :meth:`show`.

        Returns
        -------
        TranslationFigure
        """
        fig = _new_figure(fig, (11, 3.2))
        axes = [fig.add_axes(rect) for rect in ((0.03, 0.1, 0.22, 0.78), (0.29, 0.1, 0.2, 0.78),
                                                (0.53, 0.1, 0.2, 0.78), (0.80, 0.18, 0.18, 0.7))]
        placeholder = np.zeros((1, 1))
        shifted = heatmap(placeholder, ax=axes[0], annotate=False, cmap="gray_r", label_paths=fast_labels)
        axes[0].set_title("shifted input")
        before = heatmap(placeholder, ax=axes[1], annotate=False, label_paths=fast_labels)
        after = heatmap(placeholder, ax=axes[2], annotate=False, label_paths=fast_labels)
        changed_patches = PatchCollection([], facecolor="none", edgecolor=WINDOW_COLOR, hatch="xx", linewidth=2.5,
                                          zorder=4)
        axes[2].add_collection(changed_patches)
        ax_curve = axes[3]
        curves = {name: ax_curve.plot([], [], marker="o", label=name)[0] for name in ("max", "average", "max-blur")}
        (marker,) = ax_curve.plot([], [], "o", markersize=12, markerfacecolor="none", markeredgecolor=WINDOW_COLOR,
                                  markeredgewidth=2.5)
        ax_curve.set_ylim(-0.05, 1.05)
        ax_curve.set_xlabel("shift (pixels)")
        ax_curve.set_title("fraction unchanged")
        ax_curve.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax_curve.legend(loc="lower left", fontsize="small")
        return cls(fig=fig, shifted=shifted, before=before, after=after, changed_patches=changed_patches,
                   curves=curves, marker=marker)

    def __repr__(self):
        return f"<TranslationFigure {len(self.changed_cells)} pooled cells changed>"

    @property
    def artists(self):
        """Artists that change with the data or the shift."""
        axes = (self.shifted.ax, self.before.ax, self.after.ax)
        spines = [s for ax in axes for s in ax.spines.values()]
        return [*self.shifted.artists, *self.before.artists, *self.after.artists, self.changed_patches,
                *self.curves.values(), self.marker, *spines, self.before.ax.title, self.after.ax.title]

    def show(self, shifted_image, result, shift, other_result=None):
        """Show `result` (a TranslationInvariance) at `shift`.

        Returns
        -------
        TranslationFigure
            self
        """
        shifted_image = as_feature_map(shifted_image, "shifted_image")
        vmin, vmax = float(np.min(shifted_image)), float(np.max(shifted_image))
        self.shifted.update(shifted_image, vmin, vmax, annotate=shifted_image.size <= EXPLORER_ANNOTATE_MAX_CELLS)
        self._draw_pooled(result, shift)
        self._draw_curves(result, shift, other_result)
        self._layout = (shifted_image.shape, result.pooled[0].shape, len(result.shifts))
        return self

    def _draw_pooled(self, result, shift):
        """Pooled before and after the shift, in one colour scale; changed cells hatched."""
        before, after = result.pooled[0], result.pooled[shift]
        low, high = min(before.min(), after.min()), max(before.max(), after.max())
        small = before.size <= EXPLORER_ANNOTATE_MAX_CELLS
        self.before.update(before, low, high, annotate=small)
        self.after.update(after, low, high, annotate=small)
        changed = result.changed[shift]
        self.changed_cells = [tuple(int(i) for i in cell) for cell in np.argwhere(changed)]
        self.changed_patches.set_paths([Rectangle((c - 0.5, r - 0.5), 1, 1) for r, c in self.changed_cells])
        pool = result.pool_size
        self.after.ax.set_title(f"after shift: {int((~changed).sum())} of {changed.size} unchanged")
        self.before.ax.set_title(f"{result.operation} pool {pool[0]} x {pool[1]}, no shift")

    def _draw_curves(self, result, shift, other_result):
        """Fraction unchanged against shift for both poolings; a ring at `shift`."""
        results = {result.operation: result}
        if other_result is not None:
            results[other_result.operation] = other_result
        for operation, line in self.curves.items():
            if operation in results:
                line.set_data(results[operation].shifts, results[operation].fraction_unchanged)
                line.set_visible(True)
            else:
                line.set_visible(False)
        self.marker.set_data([shift], [result.fraction_unchanged[shift]])
        self.marker.axes.set_xlim(-0.2, max(len(result.shifts) - 1, 1) + 0.2)

    def render_png(self):
        """PNG bytes, redrawing only what changed (see :class:`PngRenderer`)."""
        if self._renderer is None:
            self._renderer = PngRenderer(self.fig)
        return self._renderer.render(self._layout, [(None, self.artists)])


def translation_figure(image, operation="max", pool_size=2, shift=1, max_shift=3, direction="right", fig=None, *,
                       fast_labels=False):
    """Shift the input and show which pooled outputs change.

    Parameters
    ----------
    image : array_like
        2-D input.
    operation : {"max", "average", "max-blur"}
    pool_size : int
    shift : int
        Current shift, 0..max_shift.
    max_shift : int
    direction : {"right", "down", "diagonal"}
    fig : matplotlib.figure.Figure, optional
    fast_labels : bool
        Cell labels as glyph outlines (see :class:`HeatmapArtists`).

    Returns
    -------
    TranslationFigure
    """
    state = TranslationState.compute(image, operation, pool_size, max_shift, direction)
    if not 0 <= shift <= max_shift:
        raise ValueError(f"shift must be in [0, {max_shift}], got {shift}")
    figure = TranslationFigure.build(fig, fast_labels=fast_labels)
    return figure.show(state.shifted_image(shift), state.result, shift, state.other_result)
