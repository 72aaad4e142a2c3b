"""Tests of poolviz.plot through its public API: artists, pixels, labels, errors.

Headless: figures are ``matplotlib.figure.Figure`` objects unless the pyplot
path itself is tested.
"""

import doctest
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.colors import to_rgba  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

from poolviz import data, plot  # noqa: E402
from poolviz.explorer import pooling_state, translation_invariance  # noqa: E402


def _ax(size=(3, 3)):
    return Figure(figsize=size, dpi=50).subplots()


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def _pixel_at(ax, row, col):
    """The RGB colour drawn at the centre of cell (row, col)."""
    FigureCanvasAgg(ax.figure).draw()
    x, y = ax.transData.transform((col, row))
    image = np.asarray(ax.figure.canvas.buffer_rgba())
    return image[image.shape[0] - int(y), int(x), :3]


def _savefig_pixels(fig):
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=fig.dpi)
    return _pixels(buffer.getvalue())


def test_public_names_and_doctests():
    assert plot.__all__ == ["coverage_figure", "difference_heatmap", "figure_to_png", "heatmap",
                            "line_detector_figure", "pooling_figure", "show_figures_with_alt_text"]
    failures, attempted = doctest.testmod(plot)
    assert failures == 0 and attempted >= 8


def test_import_changes_no_rcparams_and_loads_no_pyplot_widgets_or_tensorflow():
    code = ("import matplotlib, sys\n"
            "before = matplotlib.rcParams.copy()\n"  # copy(): reading 'backend' would import pyplot
            "import poolviz.plot\n"
            "after = matplotlib.rcParams.copy()\n"
            "changed = [k for k in dict.keys(after) if dict.__getitem__(after, k) != dict.__getitem__(before, k)]\n"
            "print(changed, [m for m in ('matplotlib.pyplot', 'ipywidgets', 'tensorflow') if m in sys.modules])\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] []"


def test_pyplot_defaults_never_call_show_nor_change_rcparams(monkeypatch):
    monkeypatch.setattr(plt, "show", lambda *a, **k: pytest.fail("plt.show() called"))
    before = dict(matplotlib.rcParams)
    try:
        plt.figure()
        assert plot.heatmap(np.eye(3)).ax is plt.gca()
        figure = plot.pooling_figure(np.arange(16.0).reshape(4, 4))
        assert tuple(figure.fig.get_size_inches()) == (9.6, 4.6) and len(figure.fig.axes) == 3
        image, _, _ = plot.line_detector_figure(data.vertical_line(), data.VERTICAL_LINE_DETECTOR)
        assert tuple(image.ax.figure.get_size_inches()) == (10, 3.6) and len(image.ax.figure.axes) == 3
    finally:
        plt.close("all")
    assert dict(matplotlib.rcParams) == before


# heatmap ------------------------------------------------------------------
def test_heatmap_shows_the_data_with_readable_labels_ticks_and_colorbar():
    values = np.arange(16.0).reshape(4, 4)
    artists = plot.heatmap(values, ax=_ax(), colorbar=True, title="map")
    np.testing.assert_array_equal(artists.image.get_array(), values)
    assert artists.image.get_clim() == (0.0, 15.0)
    assert [t.get_text() for t in artists.texts] == artists.labels == [str(v) for v in range(16)]
    assert artists.texts[1].get_position() == (1, 0)
    assert (artists.texts[0].get_color(), artists.texts[15].get_color()) == ("white", "black")  # viridis ends
    assert list(artists.ax.get_xticks()) == [0, 1, 2, 3]
    assert artists.colorbar is not None and artists.ax.get_title() == "map"
    big = plot.heatmap(np.zeros((28, 28)), ax=_ax())
    assert big.texts == [] and big.colorbar is None
    assert all(float(t).is_integer() for t in big.ax.get_xticks()) and len(big.ax.get_xticks()) <= 8


def test_heatmap_labels_are_short():
    artists = plot.heatmap([[2 / 3, 12.345, -0.0, 3e-7, 123456.0]], ax=_ax())
    assert artists.labels == ["0.67", "12.35", "0", "3e-07", "1.2e+05"]


def test_heatmap_updates_its_artists_in_place():
    artists = plot.heatmap(np.zeros((3, 3)), ax=_ax())
    image, first_text = artists.image, artists.texts[0]
    assert artists.update(np.arange(9.0).reshape(3, 3)) is artists
    assert artists.image is image and artists.texts[0] is first_text and first_text.get_text() == "0"
    assert artists.image.get_clim() == (0.0, 8.0)
    artists.update(np.ones((2, 4)))  # a new shape: new labels, extent and ticks
    assert len(artists.texts) == len(artists.ax.texts) == 8
    assert artists.image.get_extent() == [-0.5, 3.5, 1.5, -0.5] and list(artists.ax.get_xticks()) == [0, 1, 2, 3]
    artists.update(np.ones((2, 4)), annotate=False)
    assert artists.texts == [] and len(artists.ax.texts) == 0


def test_fast_labels_are_one_collection_with_the_same_texts_and_colours():
    ax = _ax()
    fast = plot.heatmap(np.arange(16).reshape(4, 4), ax=ax, label_paths=True)
    slow = plot.heatmap(np.arange(16).reshape(4, 4), ax=_ax())
    assert fast.texts == [] and len(ax.texts) == 0 and fast.labels == slow.labels
    collection = fast.label_collection
    assert collection in ax.collections and len(collection.get_paths()) == 16
    np.testing.assert_array_equal(collection.get_offsets()[:2], [[0, 0], [1, 0]])  # (col, row)
    np.testing.assert_array_equal(collection.get_facecolor(), [to_rgba(t.get_color()) for t in slow.texts])
    fast.update(np.zeros((30, 30)))  # too big to annotate by default: the labels go
    assert fast.label_collection is None and collection not in ax.collections


@pytest.mark.parametrize("label_paths", [False, True])
def test_non_finite_cells_are_drawn_and_labelled(label_paths):
    values = np.array([[0.0, np.nan], [np.inf, -np.inf], [1.0, 0.5]])
    artists = plot.heatmap(values, ax=_ax(), label_paths=label_paths, colorbar=True)
    assert artists.labels == ["0", "nan", "inf", "-inf", "1", "0.5"]
    assert artists.image.get_clim() == (0.0, 1.0)  # the finite range
    artists.ax.figure.canvas.draw()
    for special in (np.full((2, 2), np.nan), [[np.inf, -np.inf]], [[1e308, -1e308]], [[5e-324, 0.0]]):
        plot.heatmap(special, ax=_ax(), label_paths=label_paths, colorbar=True).ax.figure.canvas.draw()


def test_a_nan_cell_is_drawn_in_the_bad_colour_and_inf_at_the_scale_ends():
    artists = plot.heatmap([[np.nan, 0.0], [np.inf, -np.inf]], ax=_ax(), annotate=False, vmin=0, vmax=1)
    cmap = artists.image.get_cmap()
    expected = [cmap.get_bad(), cmap(0.0), cmap(1.0), cmap(0.0)]
    for (row, col), colour in zip([(0, 0), (0, 1), (1, 0), (1, 1)], expected):
        np.testing.assert_allclose(_pixel_at(artists.ax, row, col), np.round(np.array(colour[:3]) * 255), atol=1)
    assert to_rgba(cmap.get_bad()) == to_rgba("violet")


def test_annotate_true_is_refused_past_the_label_limit():
    with pytest.raises(ValueError, match="annotate"):
        plot.heatmap(data.photograph(), ax=_ax(), annotate=True)
    assert plot.heatmap(data.photograph(), ax=_ax()).labels == []  # the default stays readable
    assert len(plot.heatmap(np.zeros((20, 20)), ax=_ax(), annotate=True).texts) == 400


def test_difference_heatmap_is_symmetric_around_zero():
    ours = np.array([[1.0, 2.0], [3.0, 4.0]])
    artists = plot.difference_heatmap(ours, ours - [[0, 0.25], [0, -0.5]], ax=_ax())
    assert artists.image.get_clim() == (-0.5, 0.5) and artists.image.get_cmap().name.startswith("RdBu_r")
    assert artists.labels == ["0", "0.25", "0", "-0.5"] and artists.colorbar is not None
    assert artists.ax.get_title() == "poolviz - Keras, max |difference| = 0.5"
    odd = plot.difference_heatmap([[np.inf, 1.0, np.nan]], [[np.inf, 0.0, 1.0]], ax=_ax())
    assert odd.labels == ["nan", "1", "nan"] and odd.image.get_clim() == (-1.0, 1.0)


# pooling_figure -------------------------------------------------------------
def test_pooling_figure_outlines_the_window_and_its_output_cell():
    figure = plot.pooling_figure(data.line_feature_map(), operation="average", step=4, fig=Figure())
    assert figure.window_patch.get_xy() == (1.5, 1.5) and figure.window_patch.get_width() == 2
    assert figure.output_patch.get_xy() == (0.5, 0.5)
    assert figure.output.labels == ["0", "3", "0"] * 3 and len(figure.input.texts) == 36
    np.testing.assert_array_equal(figure.output.image.get_array(), figure.state.pooled)
    assert figure.arithmetic.get_text().endswith("= 12.0 / 4 = 3.0")
    assert len(figure.padding_patches.get_paths()) == 0 and not figure.divisors.ax.get_visible()
    assert repr(figure) == "<PoolingFigure average, 6 x 6 -> 3 x 3, step 5 of 9>"
    assert repr(figure.input) == "<HeatmapArtists 6 x 6, 36 cell labels>"


def test_pooling_figure_hatches_the_padding_and_shows_the_divisors():
    figure = plot.pooling_figure(np.arange(25.0).reshape(5, 5), padding="same", operation="average", step=2,
                                 fig=Figure())
    bands = [(tuple(p.vertices.min(axis=0)), tuple(p.vertices.max(axis=0)))
             for p in figure.padding_patches.get_paths()]
    assert bands == [((-0.5, 4.5), (5.5, 5.5)), ((4.5, -0.5), (5.5, 4.5))]  # a band below, one on the right
    assert figure.input.ax.get_xlim() == (-0.5, 5.5) and figure.input.ax.get_ylim() == (5.5, -0.5)
    assert figure.window_patch.get_xy() == (3.5, -0.5)
    assert figure.divisors.ax.get_visible()
    assert figure.divisors.labels == ["4", "4", "2", "4", "4", "2", "2", "2", "1"]


def test_a_huge_same_pool_draws_its_padding_as_four_bands():
    figure = plot.pooling_figure(np.arange(36.0).reshape(6, 6), 1000, padding="same", fig=Figure(dpi=30))
    assert len(figure.padding_patches.get_paths()) == 4
    assert figure.input.ax.get_xlim() == (-497.5, 502.5)
    assert figure.render_png().startswith(b"\x89PNG")


def test_a_state_without_output_shows_its_message_instead_of_the_axes():
    figure = plot.pooling_figure(np.ones((4, 4)), pool_size=5, fig=Figure(dpi=30))
    assert figure.message.get_text().startswith("A 5 x 5 pool does not fit in the 4 x 4 input")
    assert not any(ax.get_visible() for ax in figure.fig.axes)
    assert repr(figure) == "<PoolingFigure: no output for these settings>"
    assert figure.render_png().startswith(b"\x89PNG")
    figure.show(pooling_state(np.ones((4, 4)), pool_size=5, padding="same"))
    assert figure.message.get_text() == "" and figure.input.ax.get_visible()


@pytest.mark.parametrize("fast_labels", [False, True])
def test_non_finite_maps_draw_in_the_pooling_figure(fast_labels):
    both_infinities = np.arange(16.0).reshape(4, 4)
    both_infinities[0, 0], both_infinities[3, 3] = np.inf, -np.inf
    with_nan = np.arange(16.0).reshape(4, 4)
    with_nan[1, 1] = np.nan
    for feature_map in (both_infinities, with_nan, np.full((4, 4), np.nan)):
        figure = plot.pooling_figure(feature_map, pool_size=4, strides=1, padding="same", operation="average",
                                     fig=Figure(dpi=30), fast_labels=fast_labels, annotate_max_cells=64)
        assert "nan" in figure.output.labels
        assert figure.render_png().startswith(b"\x89PNG")


def test_a_figure_draws_the_states_it_is_shown_and_reuses_its_artists():
    figure = plot.PoolingFigure.build(Figure(figsize=(6, 3), dpi=40), show_arithmetic=False, max_ticks=8,
                                      annotate_max_cells=64, fast_labels=True)
    assert figure.state is None and figure.render_png().startswith(b"\x89PNG")
    state = pooling_state(data.line_feature_map(), step=8)
    assert figure.show(state) is figure and figure.state is state
    image, patch, n_axes = figure.output.image, figure.window_patch, len(figure.fig.axes)
    figure.show(pooling_state(data.line_feature_map(), pool_size=3, step=3))
    assert figure.output.image is image and figure.window_patch is patch and len(figure.fig.axes) == n_axes
    assert figure.window_patch.get_xy() == (2.5, 2.5) and figure.output.image.get_array().shape == (2, 2)


def test_render_png_after_many_changes_matches_a_full_draw():
    feature_map = np.random.default_rng(1).random((8, 8))
    figure = plot.pooling_figure(feature_map, fig=Figure(figsize=(6, 3), dpi=40), show_arithmetic=False,
                                 fast_labels=True, annotate_max_cells=64)
    first = figure.render_png()
    changes = [dict(step=5), dict(feature_map=feature_map[::-1], step=5), dict(pool_size=3, step=2),
               dict(operation="average", step=5), dict(pool_size=(2, 3), padding="same", operation="average"),
               dict(step=1), dict(pool_size=3, step=2)]
    for change in changes:
        settings = {"feature_map": feature_map, **change}
        png = figure.show(pooling_state(**settings)).render_png()
        assert _pixels(png).shape == _pixels(first).shape
        fresh = plot.pooling_figure(**settings, fig=Figure(figsize=(6, 3), dpi=40), show_arithmetic=False,
                                    fast_labels=True, annotate_max_cells=64)
        np.testing.assert_array_equal(_pixels(png), _savefig_pixels(fresh.fig), err_msg=str(change))
    np.testing.assert_array_equal(_pixels(figure.render_png()), _savefig_pixels(figure.fig))  # nothing left hidden


# line detector, translation, PNG ---------------------------------------------
def test_line_detector_figure_shows_image_kernel_and_relu_map():
    image, kernel, feature_map = plot.line_detector_figure(data.vertical_line(), data.VERTICAL_LINE_DETECTOR,
                                                           fig=Figure())
    assert len(image.labels) == 64 and kernel.labels == ["0", "1", "0"] * 3
    assert feature_map.labels[:6] == ["0", "0", "3", "3", "0", "0"]
    assert feature_map.ax.get_title() == "feature map after ReLU 6 x 6" and len(image.ax.figure.axes) == 3


def test_translation_figure_hatches_the_changed_cells():
    image = data.vertical_line()
    result = translation_invariance(image, "max", 2, 3)
    other = translation_invariance(image, "average", 2, 3)
    figure = plot.TranslationFigure.build(Figure(figsize=(8, 2.4), dpi=30), fast_labels=True)
    first = figure.show(data.shift(image, 0, 1), result, 1, other).render_png()
    assert figure.changed_cells == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert len(figure.changed_patches.get_paths()) == 4
    assert figure.after.ax.get_title() == "after shift: 12 of 16 unchanged"
    np.testing.assert_allclose(figure.curves["max"].get_ydata(), [1, 0.75, 0.5, 0.25])
    np.testing.assert_allclose(figure.curves["average"].get_ydata(), [1, 0.5, 0.5, 0.25])
    assert not figure.curves["max-blur"].get_visible()
    assert list(figure.marker.get_xdata()) == [1]
    figure.show(data.shift(image, 0, 3), result, 3, other)
    assert figure.changed_cells == [(r, c) for r in range(4) for c in (1, 2, 3)]
    assert figure.render_png() != first
    assert repr(figure) == "<TranslationFigure 12 pooled cells changed>"


def test_figure_to_png_gives_the_figure_at_its_dpi():
    fig = Figure(figsize=(3, 1), dpi=50)
    fig.subplots().imshow(np.random.default_rng(2).random((4, 9)))
    assert _pixels(plot.figure_to_png(fig)).shape == (50, 150, 3)
    assert _pixels(plot.figure_to_png(fig, dpi=20)).shape == (20, 60, 3)


# errors name the argument -----------------------------------------------------
def _translation_show(**kwargs):
    result = translation_invariance(np.eye(4), "max", 2, 2)
    return plot.TranslationFigure.build(Figure()).show(np.eye(4), result, **kwargs)


@pytest.mark.parametrize("call, error, name", [
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), max_ticks="8"), TypeError, "max_ticks"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), max_ticks=10**5000), ValueError, "max_ticks"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), vmin="low"), TypeError, "vmin"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), vmax=np.inf), ValueError, "vmax"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), vmin=2, vmax=1), ValueError, "vmin"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), cmap="no such map"), ValueError, "cmap"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), cmap=3), TypeError, "cmap"),
    (lambda: plot.heatmap(np.eye(3), ax="axes"), TypeError, "ax"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), annotate="yes"), TypeError, "annotate"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), colorbar=1), TypeError, "colorbar"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), label_paths=None), TypeError, "label_paths"),
    (lambda: plot.heatmap(np.eye(3), ax=_ax(), title=3), TypeError, "title"),
    (lambda: plot.heatmap(np.zeros((0, 3)), ax=_ax()), ValueError, "a"),
    (lambda: plot.heatmap(np.zeros(4), ax=_ax()), ValueError, "a"),
    (lambda: plot.heatmap(np.zeros((2049, 2048), np.uint8), ax=_ax()), ValueError, "a"),  # more than a screen
    (lambda: plot.difference_heatmap(np.zeros((0, 2)), np.zeros((0, 2)), ax=_ax()), ValueError, "ours"),
    (lambda: plot.difference_heatmap(np.zeros((2, 2)), np.zeros((3, 3)), ax=_ax()), ValueError, "ours"),
    (lambda: plot.figure_to_png(Figure(), dpi="high"), TypeError, "dpi"),
    (lambda: plot.figure_to_png(Figure(), dpi=10**6), ValueError, "dpi"),
    (lambda: plot.figure_to_png(Figure(), dpi=0), ValueError, "dpi"),
    (lambda: plot.figure_to_png("figure"), TypeError, "fig"),
    (lambda: plot.pooling_figure(np.zeros((0, 3)), fig=Figure()), ValueError, "feature_map"),
    (lambda: plot.pooling_figure(np.eye(4), fig="figure"), TypeError, "fig"),
    (lambda: plot.pooling_figure(np.eye(4), fig=Figure(), max_ticks=True), TypeError, "max_ticks"),
    (lambda: plot.pooling_figure(np.eye(4), fig=Figure(), annotate_max_cells=-1), ValueError, "annotate_max_cells"),
    (lambda: plot.pooling_figure(np.eye(4), fig=Figure(), show_arithmetic="no"), TypeError, "show_arithmetic"),
    (lambda: plot.pooling_figure(np.eye(4), fig=Figure(), fast_labels=1), TypeError, "fast_labels"),
    (lambda: plot.line_detector_figure(np.zeros((0, 3)), np.ones((3, 3)), fig=Figure()), ValueError, "image"),
    (lambda: plot.line_detector_figure(np.eye(8), np.ones((3, 3)), [[]], fig=Figure()), ValueError, "feature_map"),
    (lambda: _translation_show(shift=True), TypeError, "shift"),
    (lambda: _translation_show(shift=3), ValueError, "shift"),
])
def test_bad_arguments_get_an_error_naming_them(call, error, name):
    with pytest.raises(error, match=rf"\b{name}\b"):
        call()


# --------------------------------------------------------------------------
# Colour vision, contrast and words (issue 22)
# --------------------------------------------------------------------------

def _rgb(png_bytes):
    return np.asarray(Image.open(io.BytesIO(png_bytes)).convert("RGB"), dtype=float) / 255


@pytest.mark.parametrize("deficiency", [None, "protanopia", "deuteranopia", "tritanopia"])
def test_the_window_frame_stands_out_from_every_cell_colour_in_any_colour_vision(deficiency):
    from colour_vision import ARTIFACTS, contrast, simulate

    # A map in every viridis colour, the frame on it; where the frame is drawn, some of its pixels
    # differ from the cell below by WCAG's 3:1 for graphics, whatever the cell's colour.
    ramp = np.arange(64.0).reshape(8, 8)
    fig = Figure(figsize=(9.6, 3.2), dpi=72)
    figure = plot.PoolingFigure.build(fig, show_arithmetic=False, annotate_max_cells=0).show(pooling_state(ramp))
    seen = _rgb(figure.render_png())
    seen = seen if deficiency is None else simulate(seen, deficiency)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    Image.fromarray((seen * 255).round().astype(np.uint8)).save(ARTIFACTS / f"cvd-frame-{deficiency or 'normal'}.png")
    for step in (0, 5, 10, 15):
        state = pooling_state(ramp, step=step)
        figure.show(state)
        picture = _rgb(figure.render_png())
        picture = picture if deficiency is None else simulate(picture, deficiency)
        ax = figure.input.ax
        # The frame's top edge: from the window's top-left corner, a column of pixels across it.
        x, y = ax.transData.transform((state.window.cols.start, state.window.rows.start - 0.5))
        rows = picture[int(fig.bbox.height - y) - 6: int(fig.bbox.height - y) + 7, int(x)]
        cell = picture[int(fig.bbox.height - y) + 12, int(x)]
        best = max(float(contrast(pixel, cell)) for pixel in rows)
        assert best >= 3.0, (deficiency, step, best)


def test_cell_labels_have_wcag_text_contrast_on_every_colour_map_the_course_uses():
    from colour_vision import contrast

    for cmap in ("viridis", "gray_r", "gray", "Greys", "Greens", "RdBu_r", "coolwarm"):
        values = np.linspace(0, 1, 64).reshape(8, 8)
        artists = plot.heatmap(values, ax=Figure().subplots(), cmap=cmap, annotate=True)
        cells = artists.image.to_rgba(values).reshape(-1, 4)
        labels = [to_rgba(text.get_color()) for text in artists.texts]
        ratios = [float(contrast(label, cell)) for label, cell in zip(labels, cells)]
        assert min(ratios) >= 4.5, (cmap, min(ratios))


def test_figures_in_notebooks_come_with_html_whose_alt_gives_the_numbers():
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    # What `%matplotlib inline` does for PNG, without switching this process's backend.
    shell.display_formatter.formatters["image/png"].for_type(Figure, lambda fig: b"\x89PNG")
    assert "image/png" in shell.display_formatter.format(Figure())[0]
    plot.show_figures_with_alt_text(shell)
    fig = Figure()
    plot.pooling_figure(np.arange(16.0).reshape(4, 4), step=1, fig=fig)
    shown = shell.display_formatter.format(fig)[0]
    assert "image/png" not in shown  # the picture once, in the HTML
    html = shown["text/html"]
    assert html.startswith('<img src="data:image/png;base64,iVBOR')
    # Each size once: the titles give them, so the numbers follow without "4 x 4: 4 x 4".
    assert html.endswith('alt="Figure. input 4 x 4: rows 0 1 2 3 / 4 5 6 7 / 8 9 10 11 / 12 13 14 15. '
                         'max pooling: 2 x 2: rows 5 7 / 13 15. step 2 of 4: output cell (0, 1) &lt;- input '
                         'rows 0..1, cols 2..3 max(2.0, 3.0, 6.0, 7.0) = 7.0">')
    # A title that names another size (or none) leaves the map's own size in the words.
    fig = Figure()
    for ax, title, shape in zip(fig.subplots(1, 3), ("input 16 x 16", "", "photo 15 x 20"), ((6, 6), (6, 6), (15, 20))):
        plot.heatmap(np.arange(float(np.prod(shape))).reshape(shape), ax=ax)
        ax.set_title(title)
    alt = shell.display_formatter.format(fig)[0]["text/html"].split('alt="')[1]
    assert alt.startswith("Figure. input 16 x 16: 6 x 6: rows 0 1 2 3 4 5 / ") and "panel 2: 6 x 6: rows 0 1" in alt
    assert "photo 15 x 20: values 0 to 299, the largest at row 14, column 19" in alt
    # Colours clipped to vmin..vmax (the kernels of notebook 05 are drawn from -3 to 3) keep their numbers.
    fig = Figure()
    plot.heatmap([[-5.4, 0.5], [3.0, 7.25]], ax=fig.subplots(), vmin=-3, vmax=3, title="kernel")
    alt = shell.display_formatter.format(fig)[0]["text/html"].split('alt="')[1]
    assert alt.startswith("Figure. kernel: 2 x 2: rows -5.4 0.5 / 3 7.25"), alt
    # Bars are named by their ticks, and each series by its legend label before its bars ("bars" if it has none).
    fig = Figure()
    ax = fig.subplots()
    ax.bar([0, 1], [0.5, 0.25], label="max")
    ax.bar([0.4, 1.4], [1, 2])
    ax.set_xticks([0, 1], ["line", "photo"])
    alt = shell.display_formatter.format(fig)[0]["text/html"].split('alt="')[1]
    assert alt.startswith("Figure. panel 1: max: line 0.5, photo 0.25; bars line 1, photo 2"), alt
    with pytest.raises(TypeError, match="ipython must be an IPython shell"):
        plot.show_figures_with_alt_text("shell")
