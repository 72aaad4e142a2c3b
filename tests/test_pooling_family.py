"""Lp pooling, the family between average (p = 1) and max (p = inf) pooling, and its explorer.

The numbers: p = 1 is average pooling and p = inf max pooling on maps without negative values (exactly where the
arithmetic is exact); the power mean never decreases with p; for a window of n cells whose largest |x| is m it lies
in [m * n**(-1/p), m], so within m * ln(n) / p of the max (1 - n**(-1/p) <= ln(n) / p because 1 - exp(-t) <= t);
no p overflows. The explorer: one control, p; a change computes one state; the view shows it with words.
"""

import doctest
import math

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402
import traitlets  # noqa: E402

import poolviz  # noqa: E402
import poolviz.explorer  # noqa: E402
import poolviz.pooling  # noqa: E402
from poolviz import data  # noqa: E402
from poolviz.lp_explorer import LpPoolingExplorerModel  # noqa: E402
from poolviz.pooling import lp_pool2d  # noqa: E402

RNG = np.random.default_rng(21)
NON_NEGATIVE = [RNG.uniform(0, 5, size=(6, 8)), RNG.exponential(size=(7, 5)), data.line_feature_map(),
                poolviz.relu(poolviz.conv2d(data.diagonal_line(), data.VERTICAL_LINE_DETECTOR))]


def _power_mean_loop(feature_map, p, pool=(2, 2), stride=(2, 2)):
    """The definition, one window at a time, without any scaling (moderate p only)."""
    rows = (feature_map.shape[0] - pool[0]) // stride[0] + 1
    cols = (feature_map.shape[1] - pool[1]) // stride[1] + 1
    return np.array([[np.mean(np.abs(feature_map[i * stride[0]:i * stride[0] + pool[0],
                                                 j * stride[1]:j * stride[1] + pool[1]]) ** p) ** (1 / p)
                      for j in range(cols)] for i in range(rows)])


def test_the_doctests_pass():
    assert doctest.testmod(poolviz.pooling).failed == 0
    assert doctest.testmod(poolviz.explorer).failed == 0


@pytest.mark.parametrize("index", range(len(NON_NEGATIVE)))
def test_p_1_is_average_pooling_and_p_inf_is_max_pooling_on_non_negative_maps(index):
    feature_map = NON_NEGATIVE[index]
    np.testing.assert_allclose(lp_pool2d(feature_map, 1), poolviz.average_pool2d(feature_map), rtol=1e-14, atol=0)
    assert np.array_equal(lp_pool2d(feature_map, np.inf), poolviz.max_pool2d(feature_map))


def test_the_ends_are_exact_on_the_line_detector_maps():
    image = np.zeros((8, 8))
    image[:, 3] = 1.0  # notebook 04's thin line
    thin = poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR))
    assert thin[0].tolist() == [0, 0, 3, 0, 0, 0]
    assert lp_pool2d(thin, 1).tolist() == [[0.0, 1.5, 0.0]] * 3
    assert lp_pool2d(thin, 2)[0, 1] == pytest.approx(3 / math.sqrt(2), rel=1e-15)
    assert lp_pool2d(thin, np.inf).tolist() == [[0.0, 3.0, 0.0]] * 3
    assert lp_pool2d(data.line_feature_map(), 7.5).tolist() == [[0.0, 3.0, 0.0]] * 3  # uniform windows: any p


def test_on_maps_with_negative_values_it_pools_their_sizes():
    signed = RNG.normal(size=(6, 6))
    np.testing.assert_allclose(lp_pool2d(signed, 1), poolviz.average_pool2d(np.abs(signed)), rtol=1e-14)
    assert np.array_equal(lp_pool2d(signed, np.inf), poolviz.max_pool2d(np.abs(signed)))


@pytest.mark.parametrize("p", [1.0, 1.5, 2.0, 3.0, 7.25])
@pytest.mark.parametrize("pool, stride", [((2, 2), (2, 2)), ((3, 2), (1, 2)), ((2, 3), (3, 1))])
def test_it_agrees_with_the_definition_window_by_window(p, pool, stride):
    feature_map = RNG.normal(scale=3, size=(7, 9))
    np.testing.assert_allclose(lp_pool2d(feature_map, p, pool, stride), _power_mean_loop(feature_map, p, pool, stride),
                               rtol=1e-12, atol=0)


def test_it_never_decreases_with_p_and_stays_between_the_average_and_the_max():
    ps = [1, 1.1, 1.5, 2, 3, 4, 6, 8, 16, 32, 64, 128, 1e3, 1e4, 1e6, np.inf]
    for feature_map in NON_NEGATIVE:
        pooled = np.stack([lp_pool2d(feature_map, p) for p in ps])
        steps = np.diff(pooled, axis=0)
        # Measured: no step down at all on these maps; rounding may allow one of 1e-15 relative.
        assert steps.min() >= -1e-15 * pooled.max(), steps.min()
        assert np.all(pooled >= poolviz.average_pool2d(feature_map) * (1 - 1e-15))
        assert np.all(pooled <= poolviz.max_pool2d(feature_map))


@pytest.mark.parametrize("p", [10.0, 100.0, 1e3, 1e6])
def test_large_p_is_within_the_proven_bound_of_the_max(p):
    for feature_map in NON_NEGATIVE:
        largest, pooled = poolviz.max_pool2d(feature_map), lp_pool2d(feature_map, p)
        assert np.all(largest - pooled <= largest * (-math.expm1(-math.log(4) / p) + 1e-15))  # a rounding's slack
        assert -math.expm1(-math.log(4) / p) <= math.log(4) / p
    # The bound is reached: one cell at the max, three at 0.
    assert lp_pool2d([[3.0, 0.0], [0.0, 0.0]], p)[0, 0] == pytest.approx(3 * 4 ** (-1 / p), rel=1e-14)


def test_no_p_overflows_or_underflows():
    huge, tiny = np.array([[1e300, 5e299], [0.0, 1e300]]), np.array([[1e-300, 0.0], [5e-301, 1e-300]])
    for p in (2.0, 1000.0, 1e6, 1e308, 10**400):
        for window in (huge, tiny):
            value = lp_pool2d(window, p)[0, 0]
            assert np.isfinite(value) and window.max() * 4 ** (-1 / min(p, 1e308)) * (1 - 1e-12) <= value
            assert value <= window.max()
    assert lp_pool2d(huge, 10**400)[0, 0] == 1e300  # an int past the floats: max pooling
    # The plain formula overflows where lp_pool2d does not.
    with np.errstate(over="ignore"):
        assert np.isinf(np.mean(np.array([9.0, 1.0]) ** 1000.0) ** (1 / 1000.0))
    assert lp_pool2d([[9.0, 1.0], [0.0, 0.0]], 1000.0)[0, 0] == pytest.approx(9 * 4 ** (-1 / 1000), rel=1e-12)
    assert lp_pool2d(np.zeros((4, 4)), 3).tolist() == [[0.0, 0.0], [0.0, 0.0]]  # a window of zeros: 0, not NaN


@pytest.mark.parametrize("p, error", [(0.5, ValueError), (0, ValueError), (-np.inf, ValueError),
                                      (math.nan, ValueError), (True, TypeError), ("2", TypeError), (None, TypeError),
                                      (1j, TypeError)])
def test_a_bad_p_is_refused_with_what_is_allowed(p, error):
    with pytest.raises(error, match=r"p must be a number of at least 1 \(1: average of \|x\|\) or inf"):
        lp_pool2d(np.ones((2, 2)), p)


def test_a_bad_map_or_pool_is_refused_naming_it():
    with pytest.raises(ValueError, match="feature_map must hold finite numbers"):
        lp_pool2d([[1.0, np.nan], [0.0, 1.0]], 2)
    with pytest.raises(ValueError, match="feature_map must be a non-empty 2-D array"):
        lp_pool2d(np.ones((1, 2, 2, 1)), 2)
    with pytest.raises(ValueError, match="A 3 x 3 pool does not fit in the 2 x 2 input"):
        lp_pool2d(np.ones((2, 2)), 2, pool_size=3)
    with pytest.raises(ValueError, match=r"the windows hold 8388608 cells in all, more than 4194304 \(2\*\*22\)"):
        lp_pool2d(np.ones((2, 2**21 + 1)), 2, pool_size=(2, 2), strides=1)


# --------------------------------------------------------------------------
# The explorer
# --------------------------------------------------------------------------
def test_the_model_computes_one_state_per_change_with_both_ends():
    model = LpPoolingExplorerModel()
    diagonal = poolviz.relu(poolviz.conv2d(data.diagonal_line(), data.VERTICAL_LINE_DETECTOR))
    states = []
    model.observe(lambda change: states.append(change["new"]), names="state")
    model.p = 2
    assert len(states) == 1 and model.state.p == 2.0 and type(model.p) is float
    assert np.array_equal(model.state.feature_map, diagonal)
    np.testing.assert_allclose(model.state.pooled, _power_mean_loop(diagonal, 2), rtol=1e-14)
    assert model.state.average.tolist() == [[1.75, 0.25, 0.0], [1.0, 1.75, 0.25], [0.0, 1.0, 1.75]]
    assert model.state.maximum.tolist() == [[2.0, 1.0, 0.0], [2.0, 2.0, 1.0], [0.0, 2.0, 2.0]]
    model.p = np.inf
    assert np.array_equal(model.state.pooled, model.state.maximum) and len(states) == 2
    model.p = np.float32(1)
    assert np.array_equal(model.state.pooled, model.state.average)


@pytest.mark.parametrize("p", [0.5, math.nan, True, "2", None, 10**400])
def test_the_model_refuses_a_bad_p_and_keeps_its_state(p):
    model = LpPoolingExplorerModel(p=3.0)
    state = model.state
    with pytest.raises(traitlets.TraitError, match="p must be"):
        model.p = p
    assert model.p == 3.0 and model.state is state


def test_the_model_pools_a_map_it_is_given():
    model = LpPoolingExplorerModel(np.arange(16.0).reshape(4, 4), p=1)
    assert model.state.pooled.tolist() == [[2.5, 4.5], [10.5, 12.5]]
    with pytest.raises(ValueError, match="feature_map"):
        LpPoolingExplorerModel(np.ones(3))
    assert "p = 1, of the 4 x 4 input" in model.state.description
    assert "at p = inf, max pooling, 2 x 2: rows 5 7 / 13 15" in model.state.description


def test_the_view_has_one_named_slider_that_drives_the_model_and_says_what_it_shows():
    widgets = pytest.importorskip("poolviz.widgets")
    explorer = widgets.lp_pooling_explorer()
    slider = explorer.controls["p"]
    assert set(explorer.controls) == {"p", "numbers"} and slider.description == "p"
    assert [value for _, value in slider.options] == list(widgets.LP_STOPS) and slider.options[-1][0] == "inf"
    assert {"poolviz-explorer", "poolviz-lp"} <= set(explorer._dom_classes)
    first = explorer.image.value
    slider.value = 4.0  # what the browser does
    assert explorer.model.p == 4.0 and explorer.image.value != first
    assert explorer.words.alts["poolviz-plot"] == explorer.model.state.description
    assert explorer.words.said.startswith("Lp pooling 2 x 2, p = 4: 3 x 3: rows 1.87 0.707 0")
    explorer.model.p = 2.5  # from code: the slider gets a stop for it
    assert slider.value == 2.5 and ("2.5", 2.5) in slider.options
    slider.value = np.inf
    assert "gives 3 x 3: rows 2 1 0 / 2 2 1 / 0 2 2" in explorer.words.alts["poolviz-plot"]
    explorer.controls["numbers"].value = True
    tables = explorer.tables_html.value
    assert tables.count("<table") == 4 and "average (p = 1)" in tables and "Lp, p = inf" in tables
    assert explorer.message_html.value == ""


def test_on_a_map_with_negative_values_the_view_names_its_ends_as_poolings_of_sizes():
    widgets = pytest.importorskip("poolviz.widgets")
    signed = np.array([[3.0, 0.0, -1.0, 1.0], [0.0, -4.0, 1.0, -1.0]])  # average pooling: -0.25 0; max: 3 1
    explorer = widgets.lp_pooling_explorer(signed, p=np.inf)
    titles = [artists.ax.get_title() for artists in explorer.figure.maps]
    assert titles == ["input 2 x 4", "average of |x| (p = 1)", "Lp, p = inf", "max of |x| (p = inf)"], titles
    words = explorer.words.alts["poolviz-plot"]
    assert "at p = 1, average pooling of |x|, 1 x 2: rows 1.75 1;" in words, words
    assert words.endswith("at p = inf, max pooling of |x|, 1 x 2: rows 4 1"), words
    explorer.controls["numbers"].value = True
    tables = explorer.tables_html.value
    assert "average of |x| (p = 1)" in tables and "max of |x| (p = inf)" in tables, tables
    plain = widgets.lp_pooling_explorer(np.abs(signed))  # no negative values: the ends are average and max pooling
    assert [artists.ax.get_title() for artists in plain.figure.maps][1::2] == ["average (p = 1)", "max (p = inf)"]
    assert "|x|" not in plain.model.state.description


def test_the_lecture_view_puts_the_slider_beside_the_picture():
    widgets = pytest.importorskip("poolviz.widgets")
    explorer = widgets.lp_pooling_explorer(lecture=True, p=8.0)
    assert "poolviz-lecture" in explorer._dom_classes and explorer.controls["p"].value == 8.0
    assert explorer.figure.maps[2].ax.get_title() == "Lp, p = 8"
    with pytest.raises(TypeError, match="lecture"):
        widgets.lp_pooling_explorer(lecture="yes")


def test_the_explorer_refuses_a_map_smaller_than_its_window_naming_it():
    with pytest.raises(ValueError, match=r"feature_map must be at least 2 x 2 for 2 x 2 windows, got shape \(4, 1\)"):
        LpPoolingExplorerModel(np.ones((4, 1)))
