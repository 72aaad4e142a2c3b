"""Tests of poolviz.plot: the artists each picture is made of.

Headless: matplotlib's Agg backend, figures built with
``matplotlib.figure.Figure`` unless the pyplot path itself is tested.
"""

import doctest
import io
import subprocess
import sys

import matplotlib

matplotlib.use("Agg")  # headless; the lead's conftest may set MPLBACKEND=Agg too

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402
from PIL import Image  # noqa: E402

import poolviz  # noqa: E402
from poolviz import plot  # noqa: E402
from poolviz.explorer import LINE_DETECTOR_INPUT, load_input, pooling_state  # noqa: E402


def _ax():
    return Figure(figsize=(4, 4), dpi=50).subplots()


def _pixels(png):
    return np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))


def test_doctests_pass():
    failures, attempted = doctest.testmod(plot)
    assert attempted >= 10
    assert failures == 0


def test_import_changes_no_rcparams_and_loads_no_pyplot_widgets_or_tensorflow():
    code = (
        "import matplotlib, sys\n"
        # copy() and dict's own lookups: reading rcParams['backend'] would import pyplot
        "before = matplotlib.rcParams.copy()\n"
        "import poolviz.plot, poolviz.explorer\n"
        "after = matplotlib.rcParams.copy()\n"
        "changed = sorted(k for k in dict.keys(after) if dict.__getitem__(after, k) != dict.__getitem__(before, k))\n"
        "loaded = [m for m in ('matplotlib.pyplot', 'ipywidgets', 'tensorflow', 'keras') if m in sys.modules]\n"
        "print(changed, loaded)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[] []"


def test_no_function_calls_plt_show(monkeypatch):
    def refuse():
        raise AssertionError("plt.show() called inside poolviz.plot")

    monkeypatch.setattr(plt, "show", refuse)
    image = poolviz.data.vertical_line()
    before = dict(matplotlib.rcParams)
    try:
        plt.figure()
        plot.heatmap(image, colorbar=True)  # ax=None: current pyplot axes
        plot.pooling_figure(load_input(LINE_DETECTOR_INPUT))
        plot.line_detector_figure(image, poolviz.data.VERTICAL_LINE_DETECTOR)
        plt.figure()
        plot.difference_heatmap(image, image)
        plot.translation_figure(image)
    finally:
        plt.close("all")
    assert dict(matplotlib.rcParams) == before


# --------------------------------------------------------------------------
# heatmap
# --------------------------------------------------------------------------
def test_heatmap_writes_every_value_with_readable_colours():
    artists = plot.heatmap(np.arange(16).reshape(4, 4), ax=_ax())
    assert [t.get_text() for t in artists.texts] == [str(v) for v in range(16)]
    assert [t.get_position() for t in artists.texts[:2]] == [(0, 0), (1, 0)]
    # viridis runs from dark purple (white text) to yellow (black text)
    assert artists.texts[0].get_color() == "white"
    assert artists.texts[15].get_color() == "black"
    assert {t.get_color() for t in artists.texts} == {"black", "white"}


def test_text_colours_follow_luminance_of_the_colormap():
    # gray: equal contrast for black and white text near sRGB 0.46
    assert list(plot.text_colors([0.0, 0.4, 0.5, 1.0], "gray", matplotlib.colors.Normalize(0, 1))) == [
        "white", "white", "black", "black"]
    # reversed map, reversed choice
    assert list(plot.text_colors([0.0, 1.0], "gray_r")) == ["black", "white"]


def test_format_value_is_short():
    assert [plot.format_value(v) for v in (3.0, 1.5, 2 / 3, 12.345, -0.0, np.nan)] == [
        "3", "1.5", "0.67", "12.35", "0", ""]


def test_heatmap_has_integer_ticks_and_optional_colorbar():
    ax = _ax()
    artists = plot.heatmap(np.zeros((6, 8)), ax=ax, colorbar=True, title="map")
    assert list(ax.get_xticks()) == list(range(8))
    assert list(ax.get_yticks()) == list(range(6))
    assert artists.colorbar is not None and ax.get_title() == "map"
    ax = _ax()
    assert plot.heatmap(np.zeros((28, 28)), ax=ax).colorbar is None
    ticks = [t for t in ax.get_xticks() if -0.5 <= t <= 27.5]
    assert all(float(t).is_integer() for t in ticks) and 3 <= len(ticks) <= 8


@pytest.mark.parametrize("shape, annotate, expected", [
    ((16, 16), None, 256), ((17, 17), None, 0), ((224, 224), None, 0), ((20, 20), True, 400), ((3, 3), False, 0)])
def test_heatmap_annotates_only_where_readable(shape, annotate, expected):
    artists = plot.heatmap(np.zeros(shape), ax=_ax(), annotate=annotate)
    assert len(artists.texts) == expected
    assert len(artists.ax.texts) == expected


def test_heatmap_updates_in_place():
    artists = plot.heatmap(np.zeros((3, 3)), ax=_ax())
    image, first_text = artists.image, artists.texts[0]
    artists.update(np.arange(9.0).reshape(3, 3))
    assert artists.image is image and artists.texts[0] is first_text
    assert [t.get_text() for t in artists.texts[:3]] == ["0", "1", "2"]
    assert artists.image.get_clim() == (0.0, 8.0)
    np.testing.assert_array_equal(artists.image.get_array(), np.arange(9.0).reshape(3, 3))
    artists.update(np.ones((2, 4)))  # new shape: new labels, new extent and ticks
    assert len(artists.texts) == 8 and len(artists.ax.texts) == 8
    assert artists.image.get_extent() == [-0.5, 3.5, 1.5, -0.5]
    assert list(artists.ax.get_xticks()) == [0, 1, 2, 3]


def test_heatmap_rejects_non_2d_input():
    with pytest.raises(ValueError, match=r"a must be a non-empty 2-D array \(rows, cols\), got shape \(4,\)"):
        plot.heatmap(np.zeros(4), ax=_ax())


# --------------------------------------------------------------------------
# pooling_figure
# --------------------------------------------------------------------------
def test_pooling_figure_outlines_the_window_and_the_output_cell():
    feature_map = load_input(LINE_DETECTOR_INPUT)
    figure = plot.pooling_figure(feature_map, operation="average", step=4, fig=Figure())
    assert figure.window_patch.get_xy() == (1.5, 1.5)
    assert (figure.window_patch.get_width(), figure.window_patch.get_height()) == (2, 2)
    assert figure.output_patch.get_xy() == (0.5, 0.5)
    window = poolviz.pooling_window(feature_map, (1, 1), operation="average")
    assert figure.arithmetic.get_text().endswith(window.arithmetic())
    assert [t.get_text() for t in figure.output.texts] == ["0", "3", "0"] * 3
    assert len(figure.input.texts) == 36
    assert figure.padding_regions == [] and len(figure.padding_patches.get_paths()) == 0
    assert not figure.divisors.ax.get_visible()


def test_pooling_figure_hatches_padded_cells_and_shows_divisors():
    figure = plot.pooling_figure(np.arange(25.0).reshape(5, 5), padding="same", operation="average", step=2,
                                 fig=Figure())
    expected = [(5, col) for col in range(6)] + [(row, 5) for row in range(5)]
    # Padding is drawn as regions, not cells: a band below and one on the right.
    assert figure.padding_regions == [(5, 0, 1, 6), (0, 5, 5, 1)]
    covered = [(row, col) for row0, col0, n_rows, n_cols in figure.padding_regions
               for row in range(row0, row0 + n_rows) for col in range(col0, col0 + n_cols)]
    assert sorted(covered) == sorted(expected)  # every padded cell, once
    paths = figure.padding_patches.get_paths()
    assert len(paths) == 2
    corners = [(tuple(p.vertices.min(axis=0)), tuple(p.vertices.max(axis=0))) for p in paths]
    assert corners == [((-0.5, 4.5), (5.5, 5.5)), ((4.5, -0.5), (5.5, 4.5))]  # (x, y) bounds
    assert figure.padding_patches.get_hatch() == plot.PADDING_HATCH
    assert figure.input.ax.get_xlim() == (-0.5, 5.5) and figure.input.ax.get_ylim() == (5.5, -0.5)
    # window of output cell (0, 2) reaches into the padding on the right
    assert figure.window_patch.get_xy() == (3.5, -0.5)
    assert figure.divisors.ax.get_visible()
    assert [t.get_text() for t in figure.divisors.texts] == ["4", "4", "2", "4", "4", "2", "2", "2", "1"]
    assert "divisor 2, not 4" in figure.arithmetic.get_text()


def test_a_huge_same_pool_draws_its_padding_as_four_regions():
    """Padding as regions, not cells: pool 1000 drew ~10**6 patches (no answer in 60 s)."""
    figure = plot.pooling_figure(np.arange(36.0).reshape(6, 6), 1000, padding="same", fig=Figure())
    assert figure.padding_regions == [(-497, -497, 497, 1000), (6, -497, 497, 1000),
                                      (0, -497, 6, 497), (0, 6, 6, 497)]
    assert len(figure.padding_patches.get_paths()) == 4
    assert figure.input.ax.get_xlim() == (-497.5, 502.5)
    assert figure.render_png().startswith(b"\x89PNG")


def test_pooling_figure_message_instead_of_axes():
    figure = plot.pooling_figure(np.ones((4, 4)), pool_size=(5, 5), fig=Figure())
    assert figure.message.get_visible()
    assert figure.message.get_text().startswith("A 5 x 5 pool does not fit in the 4 x 4 input")
    assert not any(ax.get_visible() for ax in figure.fig.axes)
    figure.show(pooling_state(np.ones((4, 4)), pool_size=(5, 5), padding="same"))
    assert not figure.message.get_visible() and figure.input.ax.get_visible()


def test_showing_another_state_reuses_the_artists():
    figure = plot.pooling_figure(load_input(LINE_DETECTOR_INPUT), step=8, fig=Figure())
    image, patch, n_axes = figure.output.image, figure.window_patch, len(figure.fig.axes)
    state = pooling_state(load_input(LINE_DETECTOR_INPUT), pool_size=(3, 3), step=8, clamp_step=True)
    assert figure.show(state) is figure and figure.state is state
    assert figure.output.image is image and figure.window_patch is patch and len(figure.fig.axes) == n_axes
    assert figure.state.output_shape == (2, 2) and figure.state.step == 3
    assert figure.window_patch.get_xy() == (2.5, 2.5)
    assert figure.output.image.get_array().shape == (2, 2)


def test_a_figure_draws_states_and_never_computes_one():
    """One controller: the model (or pooling_state) computes, the figure draws what it is given."""
    figure = plot.PoolingFigure.build(Figure())
    assert not hasattr(figure, "update") and not hasattr(figure, "request")
    assert figure.state is None and repr(figure) == "<PoolingFigure: no output for these settings>"
    assert figure.render_png().startswith(b"\x89PNG")
    state = pooling_state(np.arange(16.0).reshape(4, 4), step=3)
    built = plot.pooling_figure(np.arange(16.0).reshape(4, 4), step=3, fig=Figure(figsize=(6, 3), dpi=40))
    figure = plot.PoolingFigure.build(Figure(figsize=(6, 3), dpi=40)).show(state)
    np.testing.assert_array_equal(_pixels(figure.render_png()), _pixels(built.render_png()))


def test_the_figures_and_the_model_share_one_array_fingerprint():
    """One fingerprint (SHA-1 of the bytes, with shape and dtype) for the model's
    Keras cache and the figure's layers: it was sha1 in one place, blake2b in the other."""
    from poolviz import explorer
    from poolviz._fingerprint import array_fingerprint

    assert plot.array_fingerprint is explorer.array_fingerprint is array_fingerprint
    a = np.arange(6.0)
    assert array_fingerprint(a) == array_fingerprint(a.copy()) != array_fingerprint(a.reshape(2, 3))
    assert array_fingerprint(a) != array_fingerprint(a.astype(np.float32))
    assert array_fingerprint(a.reshape(2, 3).T) == array_fingerprint(np.ascontiguousarray(a.reshape(2, 3).T))
    assert array_fingerprint(a, None)[1] is None
    figure = plot.pooling_figure(np.arange(16.0).reshape(4, 4), fig=Figure())
    assert figure._input_key[0] == array_fingerprint(figure.state.feature_map)


def test_large_maps_get_no_cell_labels():
    figure = plot.pooling_figure(np.random.default_rng(0).random((224, 224)), fig=Figure())
    assert figure.input.texts == [] and figure.output.texts == []
    explorer_figure = plot.pooling_figure(np.zeros((28, 28)), fig=Figure(), annotate_max_cells=64)
    assert explorer_figure.input.texts == [] and explorer_figure.output.texts == []


def test_render_png_redraws_only_what_changed_yet_matches_a_full_draw():
    feature_map = np.random.default_rng(1).random((8, 8))
    figure = plot.pooling_figure(feature_map, fig=Figure(figsize=(6, 3), dpi=40), show_arithmetic=False)
    first = figure.render_png()
    assert first[:8] == b"\x89PNG\r\n\x1a\n"
    figure.show(pooling_state(feature_map, step=5))
    stepped = figure.render_png()
    assert stepped != first
    assert figure._renderer.full_draws == 1  # same layout: background reused
    figure.show(pooling_state(feature_map[::-1], step=5))  # new data, same layout
    flipped = figure.render_png()
    assert figure._renderer.full_draws == 1
    # A fresh figure drawn in one go gives the same pixels.
    fresh = plot.pooling_figure(feature_map[::-1], step=5, fig=Figure(figsize=(6, 3), dpi=40),
                                show_arithmetic=False)
    np.testing.assert_array_equal(_pixels(flipped), _pixels(fresh.render_png()))
    buffer = io.BytesIO()
    fresh.fig.savefig(buffer, format="png", dpi=40)
    np.testing.assert_array_equal(_pixels(flipped), _pixels(buffer.getvalue()))
    # savefig still sees every artist: none is left animated.
    assert not any(artist.get_animated() for artist in figure.data_artists + figure.window_artists)
    # new output shape: full redraw (the step clamps to the last of 4 windows)
    figure.show(pooling_state(feature_map[::-1], pool_size=(3, 3), step=5, clamp_step=True))
    figure.render_png()
    assert figure._renderer.full_draws == 2
    # a layout seen before: background kept
    figure.show(pooling_state(feature_map[::-1], pool_size=(2, 2), operation="average", step=5))
    again = figure.render_png()
    assert figure._renderer.full_draws == 2
    fresh = plot.pooling_figure(feature_map[::-1], step=5, operation="average", fig=Figure(figsize=(6, 3), dpi=40),
                                show_arithmetic=False)
    np.testing.assert_array_equal(_pixels(again), _pixels(fresh.render_png()))


def test_pooling_figure_accepts_a_precomputed_state():
    state = pooling_state(np.arange(16.0).reshape(4, 4), step=3)
    figure = plot.pooling_figure([[0.0]], pool_size=1, fig=Figure()).show(state)
    assert figure.window_patch.get_xy() == (1.5, 1.5)
    assert [t.get_text() for t in figure.output.texts] == ["5", "7", "13", "15"]


# --------------------------------------------------------------------------
# line detector, difference, translation
# --------------------------------------------------------------------------
def test_line_detector_figure_shows_image_kernel_and_relu_map():
    figure = plot.line_detector_figure(poolviz.data.vertical_line(), poolviz.data.VERTICAL_LINE_DETECTOR,
                                       fig=Figure())
    assert len(figure.input.texts) == 64
    assert [t.get_text() for t in figure.kernel.texts] == ["0", "1", "0"] * 3
    assert [t.get_text() for t in figure.feature_map.texts[:6]] == ["0", "0", "3", "3", "0", "0"]
    assert figure.feature_map.ax.get_title() == "feature map after ReLU 6 x 6"
    assert len(figure.fig.axes) == 3


def test_difference_heatmap_is_symmetric_around_zero():
    ours = np.array([[1.0, 2.0], [3.0, 4.0]])
    artists = plot.difference_heatmap(ours, ours - [[0, 0.25], [0, -0.5]], ax=_ax())
    assert artists.image.get_clim() == (-0.5, 0.5)
    assert artists.image.get_cmap().name == "RdBu_r"
    assert [t.get_text() for t in artists.texts] == ["0", "0.25", "0", "-0.5"]
    assert artists.ax.get_title() == "poolviz - Keras, max |difference| = 0.5"
    assert artists.colorbar is not None
    same = plot.difference_heatmap(ours, ours.astype(np.float32), ax=_ax())
    assert same.ax.get_title() == "poolviz - Keras, max |difference| = 0"
    tiny = plot.difference_heatmap(ours, ours + 3e-7, ax=_ax())
    assert tiny.texts[0].get_text() == "-3e-07"


def test_difference_heatmap_needs_equal_shapes():
    with pytest.raises(ValueError, match=r"ours and theirs must have the same shape, got \(2, 2\) and \(3, 3\)"):
        plot.difference_heatmap(np.zeros((2, 2)), np.zeros((3, 3)), ax=_ax())


def test_translation_figure_hatches_changed_cells():
    figure = plot.translation_figure(poolviz.data.vertical_line(), "max", 2, shift=1, fig=Figure())
    assert figure.changed_cells == [(0, 1), (1, 1), (2, 1), (3, 1)]
    assert len(figure.changed_patches.get_paths()) == 4 and figure.changed_patches.get_hatch() == "xx"
    assert figure.after.ax.get_title() == "after shift: 12 of 16 unchanged"
    np.testing.assert_allclose(figure.curves["max"].get_ydata(), [1, 0.75, 0.5, 0.25])
    np.testing.assert_allclose(figure.curves["average"].get_ydata(), [1, 0.5, 0.5, 0.25])
    assert list(figure.marker.get_xdata()) == [1] and list(figure.marker.get_ydata()) == [0.75]
    first = figure.render_png()
    result = poolviz.explorer.translation_invariance(poolviz.data.vertical_line(), "max", 2, 3)
    figure.show(poolviz.data.shift(poolviz.data.vertical_line(), 0, 3), result, 3)
    assert figure.changed_cells == [(r, c) for r in range(4) for c in (1, 2, 3)]
    assert figure.render_png() != first


def test_translation_figure_validates_shift():
    with pytest.raises(ValueError, match=r"shift must be in \[0, 3\], got 4"):
        plot.translation_figure(np.ones((8, 8)), shift=4, fig=Figure())


def test_revisited_layouts_of_other_shapes_draw_like_a_fresh_figure():
    feature_map = np.random.default_rng(2).random((6, 6))
    figure = plot.pooling_figure(feature_map, fig=Figure(figsize=(6, 3), dpi=40), show_arithmetic=False)
    for pool_size in [(2, 3), (3, 1), (2, 3), (1, 3), (3, 1)]:
        figure.show(pooling_state(feature_map, pool_size=pool_size, step=1))
        png = figure.render_png()
        fresh = plot.pooling_figure(feature_map, pool_size=pool_size, step=1, fig=Figure(figsize=(6, 3), dpi=40),
                                    show_arithmetic=False)
        np.testing.assert_array_equal(_pixels(png), _pixels(fresh.render_png()), err_msg=str(pool_size))
    assert figure._renderer.full_draws == 3  # three layouts; revisits reuse their backgrounds


def test_fast_labels_are_one_collection_with_the_same_strings_and_colours():
    ax = _ax()
    fast = plot.heatmap(np.arange(16).reshape(4, 4), ax=ax, label_paths=True)
    slow = plot.heatmap(np.arange(16).reshape(4, 4), ax=_ax())
    assert fast.texts == [] and len(ax.texts) == 0
    assert fast.label_strings == [t.get_text() for t in slow.texts] == [str(v) for v in range(16)]
    assert fast.label_colors == [t.get_color() for t in slow.texts]
    collection = fast.label_collection
    assert collection in ax.collections and len(collection.get_paths()) == 16
    np.testing.assert_array_equal(collection.get_offsets()[:3], [[0, 0], [1, 0], [2, 0]])  # (col, row)
    expected = [matplotlib.colors.to_rgba(c) for c in fast.label_colors]
    np.testing.assert_array_equal(collection.get_facecolor(), expected)
    # each glyph outline is centred on its cell
    for path in collection.get_paths():
        low, high = path.vertices.min(axis=0), path.vertices.max(axis=0)
        np.testing.assert_allclose((low + high) / 2, 0, atol=1e-9)
    fast.update(np.ones((4, 4)) * 2.5)
    assert fast.label_strings == ["2.5"] * 16 and fast.label_collection is collection
    fast.update(np.zeros((30, 30)))  # too big to annotate: labels go away
    assert fast.label_collection is None and collection not in ax.collections


def test_reprs_are_short_and_stable():
    figure = plot.pooling_figure(load_input(LINE_DETECTOR_INPUT), step=1, fig=Figure())
    assert repr(figure) == "<PoolingFigure max, 6 x 6 -> 3 x 3, step 2 of 9>"
    assert repr(figure.input) == "<HeatmapArtists 6 x 6, 36 cell labels>"
    line = plot.line_detector_figure(poolviz.data.vertical_line(), poolviz.data.VERTICAL_LINE_DETECTOR, fig=Figure())
    assert repr(line) == "<LineDetectorFigure 8 x 8 image, 3 x 3 kernel, 6 x 6 feature map>"
    assert repr(plot.translation_figure(np.eye(8), fig=Figure())) == "<TranslationFigure 3 pooled cells changed>"
    assert repr(plot.pooling_figure(np.ones((2, 2)), pool_size=3, fig=Figure())) == (
        "<PoolingFigure: no output for these settings>")


def test_explorer_png_is_rgb_and_holds_the_canvas_pixels_exactly():
    figure = Figure(figsize=(3, 1), dpi=50)
    figure.subplots().imshow(np.random.default_rng(2).random((4, 9)))
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    png = plot._encode_png(canvas)
    image = Image.open(io.BytesIO(png))
    assert (image.mode, image.size) == ("RGB", (150, 50))
    np.testing.assert_array_equal(np.asarray(image), np.asarray(canvas.buffer_rgba())[..., :3])
