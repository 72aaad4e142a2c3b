"""What the lecture deck (present/deck.ipynb) computes and shows; not part of poolviz.

Every number on a slide comes from a function here, computed with poolviz when
the deck opens; tests/test_present.py checks each against the course notebooks'
stored outputs (or Keras). Pictures are drawn by poolviz and shown as ``<img>``
with a data: URL and an alt text, so the handout (scripts/handout.py) can copy
them as they are.

``POOLVIZ_DECK=handout`` (set by scripts/handout.py) turns each live explorer
into a still picture of its starting state plus a sentence saying so.
"""

from __future__ import annotations

import base64
import html
import importlib.resources
import json
import os

import numpy as np
from matplotlib.figure import Figure

import poolviz
from poolviz import data, plot
from poolviz.going_further import torch_avg_pool2d
from poolviz.going_further.antialias import shift_change

MODE_VARIABLE = "POOLVIZ_DECK"
CSS_DPI, PIXEL_DENSITY = 72, 2  # as the explorers: two PNG pixels per CSS pixel


def handout_mode() -> bool:
    return os.environ.get(MODE_VARIABLE) == "handout"


def _display_html(markup: str) -> None:
    from IPython.display import HTML, display

    display(HTML(markup))


def picture_html(fig: Figure, alt: str, scale: float = 1.4) -> str:
    """``fig`` as an ``<img>`` with a data: URL, ``scale`` CSS px per point, two PNG pixels per CSS pixel."""
    width = int(fig.get_figwidth() * CSS_DPI * scale)
    png = plot.figure_to_png(fig, dpi=CSS_DPI * PIXEL_DENSITY * scale)
    source = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<img class="deck-picture" src="{source}" alt="{html.escape(alt, quote=True)}" '
            f'style="width:{width}px">')


def show_picture(fig: Figure, alt: str, scale: float = 1.4) -> None:
    _display_html(picture_html(fig, alt, scale))


def show_side_by_side(text: str, picture: str) -> None:
    """Facts (monospace) on the left, a picture from :func:`picture_html` on the right."""
    _display_html('<div style="display:flex; align-items:center; gap:24px">'
                  f'<pre class="deck-facts">{html.escape(text)}</pre>{picture}</div>')


def show_facts(text: str) -> None:
    """Numbers in monospace, so that columns line up."""
    _display_html(f'<pre class="deck-facts">{html.escape(text)}</pre>')


def show_explorer(kind: str, **controls) -> None:
    """The live explorer (``kind`` "pooling" or "translation") in lecture style; in the handout its picture."""
    from poolviz.widgets import pooling_explorer, translation_explorer

    build = {"pooling": pooling_explorer, "translation": translation_explorer}[kind]
    explorer = build(lecture=True, **controls)
    if not handout_mode():
        from IPython.display import display

        display(explorer)
        return
    caption = explorer.caption_html.value  # already HTML-escaped by the explorer
    words = html.escape(explorer.figure.in_words())  # the numbers the picture shows, as its live alt says
    source = "data:image/png;base64," + base64.b64encode(explorer.image.value).decode("ascii")
    _display_html(f'<img class="deck-picture" src="{source}" alt="The {kind} explorer. {words}">'
                  f'<p class="deck-live"><em>In the lecture this slide is a live {kind} explorer; here is its '
                  f'starting picture ({caption}). Try it yourself with '
                  f'<code>poolviz.widgets.{kind}_explorer()</code>.</em></p>')


# --------------------------------------------------------------------------
# The facts on the slides
# --------------------------------------------------------------------------

def line_feature_map(width: int = 2) -> np.ndarray:
    """The tutorial's detector and ReLU on an 8 x 8 image with a vertical line ``width`` pixels wide (from column 3)."""
    image = np.zeros((8, 8))
    image[:, 3:3 + width] = 1.0
    return poolviz.relu(poolviz.conv2d(image, data.VERTICAL_LINE_DETECTOR))


def photograph_maps() -> dict[str, np.ndarray]:
    """The photograph (downscale 2), its feature map after the line detector and ReLU, and that map max-pooled."""
    photo = data.photograph(downscale=2)
    feature_map = poolviz.relu(poolviz.conv2d(photo, data.VERTICAL_LINE_DETECTOR))
    return {"photograph": photo, "feature map": feature_map, "max pooled": poolviz.max_pool2d(feature_map)}


def output_sizes(n: int = 7, pool: int = 2, stride: int = 2) -> dict[str, object]:
    return {"valid": poolviz.output_size_formula(n, pool, stride, "valid"),
            "same": poolviz.output_size_formula(n, pool, stride, "same"),
            "same padding": poolviz.same_padding(n, pool, stride)}


def detector_parameters() -> int:
    """A Conv2D with one 3 x 3 filter on one channel: 9 weights and 1 bias."""
    kernel = np.asarray(data.VERTICAL_LINE_DETECTOR)
    return kernel.size + 1


def max_and_average(width: int) -> tuple[np.ndarray, np.ndarray]:
    feature_map = line_feature_map(width)
    return poolviz.max_pool2d(feature_map), poolviz.average_pool2d(feature_map)


def same_padding_divisors() -> tuple[np.ndarray, np.ndarray]:
    """The 5 x 5 ramp average-pooled (2 x 2, same): the result and each window's count of real cells."""
    ramp = np.arange(25.0).reshape(5, 5)
    windows = poolviz.walk_windows(ramp, pool_size=(2, 2), padding="same", operation="average")
    divisors = np.array([window.count for window in windows]).reshape(3, 3)
    return poolviz.average_pool2d(ramp, pool_size=(2, 2), padding="same"), divisors


def pytorch_on_the_ramp() -> dict[str, np.ndarray]:
    """The same 5 x 5 ramp with PyTorch's ``avg_pool2d(2)`` rules: PyTorch has no ``same``, so two stand-ins."""
    ramp = np.arange(25.0).reshape(5, 5)
    return {"ceil_mode=True": torch_avg_pool2d(ramp, 2, ceil_mode=True),
            "padding=1": torch_avg_pool2d(ramp, 2, padding=1),
            "padding=1, count_include_pad=False": torch_avg_pool2d(ramp, 2, padding=1, count_include_pad=False)}


def _relative_change(before, after) -> float:
    return float(np.sum(np.abs(after - before)) / np.sum(np.abs(before)))


def explorer_start_change() -> dict[str, float]:
    """Relative L1 change of the raw 8 x 8 line, pooled, after the translation explorer's first step (1 px right)."""
    line = data.vertical_line()
    moved = data.shift(line, cols=1)
    return {"max": _relative_change(poolviz.max_pool2d(line), poolviz.max_pool2d(moved)),
            "average": _relative_change(poolviz.average_pool2d(line), poolviz.average_pool2d(moved))}


#: Notebook 01's second detector: on a photograph the tutorial's (all weights >= 0) is only a vertical blur.
ZERO_SUM_DETECTOR = np.array([[-1.0, 2.0, -1.0]] * 3)


def shift_measurement(cols_moved: int = 1, detector=data.VERTICAL_LINE_DETECTOR) -> dict[str, float]:
    """The photograph moved ``cols_moved`` px right, through `detector` and ReLU: share of exactly unchanged
    cells and relative L1 change."""
    photo = data.photograph(downscale=2)

    def maps(image):
        feature_map = poolviz.relu(poolviz.conv2d(image, detector))
        return feature_map, poolviz.max_pool2d(feature_map), poolviz.average_pool2d(feature_map)

    before, after = maps(photo), maps(data.shift(photo, cols=cols_moved))
    names = ("feature map", "max pooled", "average pooled")
    result = {f"{name} unchanged": float(np.mean(a == b)) for name, b, a in zip(names, before, after)}
    result.update({f"{name} change": _relative_change(b, a) for name, b, a in zip(names, before, after)})
    return result


def parameter_counts(image_size=32, channels=3, filters=32, kernel_size=3, classes=10) -> dict[str, int]:
    """Parameters of Conv2D(filters, kernel_size) then either Flatten + Dense or global pooling + Dense."""
    side = image_size - kernel_size + 1
    return {"Conv2D": kernel_size * kernel_size * channels * filters + filters,
            "Flatten + Dense": side * side * filters * classes + classes,
            "global pooling + Dense": filters * classes + classes}


ANTIALIASING_OPERATIONS = ("max", "average", "max-blur")


def antialiasing_change() -> dict[str, dict[str, float]]:
    """The pooled photograph feature map under 1-px shifts (right, down, diagonal), two measures, each the mean."""
    photo = data.photograph(downscale=2)
    changes = {operation: shift_change(photo, operation, kernel=data.VERTICAL_LINE_DETECTOR)
               for operation in ANTIALIASING_OPERATIONS}
    return {"relative L1 change": {op: float(change.relative_l1.mean()) for op, change in changes.items()},
            "cells exactly unchanged": {op: float(change.fraction_equal.mean()) for op, change in changes.items()}}


def census_facts() -> dict:
    """What slide 9 says about real networks, from the census of every keras.applications model that
    notebooks/going_further/02_strided_convolutions.ipynb reads (scripts/census.py made it; no TensorFlow here)."""
    census = json.loads((importlib.resources.files("poolviz.going_further") / "keras_applications_census.json")
                        .read_text(encoding="utf-8"))
    models = census["models"]

    def pools(window, kind="Pooling2D"):  # models with a down-sampling pool of this window (and class), stride 2
        return sum(any(layer["downsamples"] and layer["pool_size"] == [window] * 2 and layer["strides"] == [2, 2]
                       and layer["class"].endswith(kind) for layer in model["windowed_pooling"])
                   for model in models.values())

    resnet = models["ResNet50"]
    return {"models": len(models), "papers": len({model["arxiv"] for model in models.values()}),
            "with windowed pooling": sum(bool(model["windowed_pooling"]) for model in models.values()),
            "3 x 3 stride 2": pools(3), "2 x 2 stride 2": pools(2),
            "2 x 2 stride 2 max": pools(2, "MaxPooling2D"), "2 x 2 stride 2 average": pools(2, "AveragePooling2D"),
            "ResNet50 pools": [(layer["class"], tuple(layer["pool_size"]), tuple(layer["strides"]))
                               for layer in resnet["windowed_pooling"]],
            "ResNet50 strided convs": sum(layer["count"] for layer in resnet["strided_convolutions"]),
            "global average head": sum(model["head"] == "GlobalAveragePooling2D" for model in models.values())}


# --------------------------------------------------------------------------
# The pictures
# --------------------------------------------------------------------------

def heatmaps_figure(maps: dict[str, np.ndarray], size=(10.0, 3.4), annotate=None, cmaps=None) -> Figure:
    """Maps side by side, each titled with its name and shape."""
    fig = Figure(figsize=size)
    axes = fig.subplots(1, len(maps), gridspec_kw={"width_ratios": [m.shape[1] for m in maps.values()]})
    for index, (ax, (name, array)) in enumerate(zip(axes, maps.items())):
        cmap = (cmaps or ["viridis"] * len(maps))[index]
        plot.heatmap(array, ax=ax, annotate=annotate, cmap=cmap, title=f"{name} {array.shape[0]} x {array.shape[1]}")
    fig.tight_layout()
    return fig


def global_pooling_figure(feature_map: np.ndarray, counts: dict[str, int]) -> Figure:
    """The line map titled with its global max and average, beside the two Dense heads' sizes on a log scale."""
    fig = Figure(figsize=(10.0, 3.0))
    map_ax, bars_ax = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.2, 2.6]})
    plot.heatmap(feature_map, ax=map_ax, annotate=True,
                 title=f"global max {poolviz.global_max_pool2d(feature_map):g}, "
                       f"average {poolviz.global_average_pool2d(feature_map):g}")
    map_ax.title.set_fontsize(14)
    heads = ["Flatten + Dense", "global pooling + Dense"]
    bars_ax.barh(heads, [counts[head] for head in heads], color=["tab:red", "tab:green"])
    bars_ax.set_xscale("log")
    bars_ax.set_xlim(100, 3e6)
    bars_ax.invert_yaxis()  # Flatten on top, as in the table below
    bars_ax.set_xlabel("parameters of the Dense head (log scale)", fontsize=12)
    bars_ax.tick_params(labelsize=12)
    for position, head in enumerate(heads):
        bars_ax.text(counts[head], position, f" {counts[head]:,}", va="center", fontsize=13)
    fig.tight_layout()
    return fig


def shift_change_figure(change: dict[str, dict[str, float]]) -> Figure:
    """Bars of the two shift measures for each pooling: one ranks max-blur steadiest, the other least steady."""
    from matplotlib.ticker import PercentFormatter

    fig = Figure(figsize=(6.2, 3.3))
    size_ax, kept_ax = fig.subplots(1, 2)
    for ax, (measure, values), color in zip((size_ax, kept_ax), change.items(), ("tab:blue", "tab:orange")):
        ax.bar(list(values), list(values.values()), color=color)
        ax.set_title(measure.replace("cells exactly", "cells"), fontsize=15)
        ax.tick_params(axis="x", labelsize=13, rotation=30)
        ax.tick_params(axis="y", labelsize=12)
    size_ax.set_ylabel("lower: steadier", fontsize=13)
    kept_ax.set_ylabel("higher: steadier", fontsize=13)
    kept_ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    fig.tight_layout()
    return fig
