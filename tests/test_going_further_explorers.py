"""The going-further additions to the explorers: max-blur in the translation
explorer, the coverage view in the pooling explorer (headless)."""

import numpy as np
import pytest

import poolviz
import poolviz.going_further
from poolviz import data
from poolviz.explorer import PoolingExplorerModel, TranslationExplorerModel, translation_invariance
from poolviz.going_further.coverage import window_coverage
from poolviz.plot import coverage_figure


def test_translation_invariance_of_max_blur_pools_each_shift_with_max_blur_pool2d():
    image = data.vertical_line()
    result = translation_invariance(image, "max-blur", 2, max_shift=2)
    for k in range(3):
        assert np.array_equal(result.pooled[k], poolviz.going_further.max_blur_pool2d(data.shift(image, 0, k), 2, 2))
    # Moving the line by 1 px changes every non-zero pooled column under max-blur.
    assert result.fraction_unchanged[1] == 0.25


def test_translation_model_offers_max_blur_and_compares_it_with_max():
    model = TranslationExplorerModel(operation="max-blur", shift=1)
    assert model.message == ""
    assert model.other_result.operation == "max"
    assert "max-blur pooling 2 x 2: 0.25 of the pooled outputs unchanged" in model.fraction_text
    model.configure(pool_size=8)  # the stride-1 max leaves 1x1: too small to blur
    assert "too small for pool_size" in model.message and model.result is None


def test_translation_view_dropdown_and_curve():
    pytest.importorskip("ipywidgets")
    from poolviz.widgets import translation_explorer

    explorer = translation_explorer()
    assert list(explorer.controls["operation"].options) == ["max", "average", "max-blur"]
    explorer.controls["operation"].value = "max-blur"
    assert explorer.model.operation == "max-blur"
    curve = explorer.figure.curves["max-blur"]
    assert curve.get_visible()
    assert np.array_equal(curve.get_ydata(), explorer.model.result.fraction_unchanged)
    assert not explorer.figure.curves["average"].get_visible()


@pytest.mark.parametrize("settings", [
    dict(),
    dict(pool_rows=3, pool_cols=3, strides_same_as_pool=False, stride_rows=2, stride_cols=2, padding="same"),
    dict(pool_rows=2, pool_cols=2, strides_same_as_pool=False, stride_rows=3, stride_cols=3),
])
def test_pooling_model_coverage_follows_the_controls(settings):
    model = PoolingExplorerModel(**settings)
    state = model.state
    assert np.array_equal(model.coverage, window_coverage(state.feature_map.shape, state.pool_size,
                                                          state.strides, state.padding))


def test_pooling_model_coverage_counts_skipped_and_overlapping_cells_and_is_none_without_output():
    model = PoolingExplorerModel(pool_rows=2, pool_cols=2, strides_same_as_pool=False,
                                 stride_rows=3, stride_cols=3)
    # 6x6 line-detector map, windows at 0 and 3: rows/columns 2 and 5 never read.
    assert (model.coverage == 0).sum() == 36 - 16
    model.configure(pool_rows=6, pool_cols=6, stride_rows=1, stride_cols=1)
    assert model.coverage.max() == 1
    model.configure(pool_rows=7)  # does not fit with 'valid'
    assert model.coverage is None


def test_the_coverage_view_is_hidden_until_asked_for_and_follows_the_settings():
    pytest.importorskip("ipywidgets")
    from poolviz.widgets import pooling_explorer

    explorer = pooling_explorer()
    assert explorer.coverage_image.layout.display == "none"
    assert explorer.coverage_image in explorer.children
    explorer.coverage_checkbox.value = True
    first = bytes(explorer.coverage_image.value)
    assert first.startswith(b"\x89PNG") and explorer.coverage_image.layout.display is None
    # Shown at its CSS width, with two PNG pixels per CSS pixel (sharp at devicePixelRatio 2).
    css_width = int(explorer.coverage_image.layout.width.removesuffix("px"))
    png_width = int.from_bytes(first[16:20], "big")  # the IHDR chunk's width
    assert css_width == 504 and png_width == 2 * css_width
    assert explorer.coverage_image.layout.max_width == "100%"
    explorer.model.configure(strides_same_as_pool=False, stride_rows=1, stride_cols=1)
    assert bytes(explorer.coverage_image.value) != first
    assert explorer.message_html.value == ""
    explorer.coverage_checkbox.value = False
    assert explorer.coverage_image.layout.display == "none"


def test_coverage_figure_titles_say_how_many_cells_are_never_read():
    coverage = window_coverage((7, 7), 2, strides=3)
    fig = coverage_figure(coverage, divisors=np.full((2, 2), 4))
    titles = [ax.get_title() for ax in fig.axes if ax.get_title()]
    assert titles == ["windows covering each input cell (33 never read)",
                      "real cells per window (divisor)"]


@pytest.mark.parametrize("args, kwargs, error, name", [
    ((np.zeros((0, 0), int),), {}, ValueError, "coverage"),      # was NumPy's "zero-size array"
    ((np.array([[1.0, np.nan]]),), {}, ValueError, "coverage"),
    ((np.ones((2, 2), int), np.full((1, 1), -1)), {}, ValueError, "divisors"),
    ((np.ones((2, 2), int),), {"fig": "figure"}, TypeError, "fig"),
])
def test_coverage_figure_names_a_bad_argument(args, kwargs, error, name):
    with pytest.raises(error, match=name):
        coverage_figure(*args, **kwargs)
