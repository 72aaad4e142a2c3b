"""The census of ``keras.applications``: how every model Keras ships down-samples.

Going-further notebook 02 draws every statement it makes about real networks
from the file this script writes, ``poolviz/going_further/keras_applications_census.json``
(package data: the notebook reads it offline, and on Colab, where only the
notebook is opened and poolviz is pip-installed). Run from the repository root::

    PYTHONPATH=. .venv/bin/python scripts/census.py           # recompute, rewrite the file
    PYTHONPATH=. .venv/bin/python scripts/census.py --check   # recompute, exit 1 if it differs
    PYTHONPATH=. .venv/bin/python scripts/census.py --only ResNet50 VGG16   # print two entries

The models are found, not listed: every public callable of
``keras.applications`` and of its submodules whose signature has ``weights``
and ``include_top`` (the builders; ``preprocess_input`` and
``decode_predictions`` have neither), one entry per function object
(``resnet50.ResNet50`` is ``resnet.ResNet50``). Each is built with
``weights=None`` (random weights, nothing downloaded) and its default
arguments, so at its default input size with its ImageNet head. A model whose
default size is "any" (Keras gives ``(None, None, 3)``: MobileNetV3) is measured
at 224 x 224, the size its docstring names, and the entry says so.

Per model it records only what Keras gives: the family (the module that
defines the builder), the arXiv paper its docstring cites, the input size,
the parameters, and every layer that changes the map's rows and columns:
windowed pooling layers (pool size, strides, padding, whether they
down-sample), convolutions with a stride above 1 (kernel, strides, padding,
whether they have biases), global pooling layers, the layer that turns the
last map into the classifier's vector (the head), every other size change (zero padding,
cropping, the border a stride-1 ``valid`` layer loses), the first
down-sampling layer, and the resolutions the map passes through with the layer
classes that produce each. Nested models are walked into. Counts are per
layer, aggregated per kind; lists and keys are sorted, one model per line.

Cost, measured on the 2-core course machine under ``/usr/bin/time -v``
(``--time`` prints each build's seconds): 124-138 s of processor time (user +
system) and a peak of 2.1-2.4 GB resident in three runs; the wall time was
259 s, 461 s and 345 s while other jobs used both cores (load average 5-10).
The third run (2026-12-06, after ``use_bias`` was added): 123.9 s user + 9.0 s
system, 2.27 GB (2,272,948 kB) peak, 5 min 45 s wall.
One model alone, as going-further 02's section 6d rebuilds it: NASNetMobile took
2.96 s of processor time (3.6 s wall) in ``keras.applications.NASNetMobile(weights=None)``
(2026-12-06, load average 4); ResNet50V2, the cell's default, 1.58 s (load average 1.3).
"""

from __future__ import annotations

import argparse
import gc
import inspect
import json
import os
import re
import sys
import time
import types
from collections import Counter
from pathlib import Path

CENSUS = Path(__file__).resolve().parents[1] / "poolviz" / "going_further" / "keras_applications_census.json"
ANY_SIZE_SIDE = 224  # measured size for a model whose default is (None, None, 3); its docstring names 224


def load_keras():
    """Keras with TensorFlow's start-up log lines silenced (as the notebooks do)."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    import keras

    return keras


def model_builders(keras) -> dict:
    """``{name: function}`` for every model builder ``keras.applications`` offers."""
    found = {}
    modules = [keras.applications] + [value for _, value in sorted(vars(keras.applications).items())
                                      if isinstance(value, types.ModuleType)]
    for module in modules:
        for name, value in sorted(vars(module).items()):
            if name.startswith("_") or not callable(value) or isinstance(value, types.ModuleType):
                continue
            try:
                parameters = inspect.signature(value).parameters
            except (TypeError, ValueError):
                continue
            if {"weights", "include_top"} <= set(parameters):
                if found.setdefault(name, value) is not value:
                    raise RuntimeError(f"two different builders are called {name}")
    return dict(sorted(found.items()))


def _pair(value):
    return [int(v) for v in value] if isinstance(value, (tuple, list)) else [int(value)] * 2


def _sides(tensor):
    """(rows, cols) of a channels-last map; None for a vector."""
    return tuple(tensor.shape[1:3]) if len(tensor.shape) == 4 else None


def _walk(model):
    for layer in model.layers:
        if getattr(layer, "layers", None) and hasattr(layer, "inputs"):  # a nested model
            yield from _walk(layer)
        else:
            yield layer


def _aggregate(rows):
    """Equal dicts counted: sorted list of the dicts with a "count" key."""
    counts = Counter(json.dumps(row, sort_keys=True) for row in rows)
    return [dict(json.loads(key), count=n) for key, n in sorted(counts.items())]


def _paper(builder):
    found = re.search(r"arxiv\.org/(?:abs|pdf)/(\d{4})\.(\d{4,5})", builder.__doc__ or "")
    if found is None:
        return None, None
    return f"{found[1]}.{found[2]}", 2000 + int(found[1][:2])


def census_of(keras, name, builder) -> dict:
    """The census entry of one model (see the module docstring)."""
    if keras.config.image_data_format() != "channels_last":
        raise RuntimeError("the census reads (rows, cols) of channels-last maps")
    keras.backend.clear_session()
    model = builder(weights=None)
    default_shape = list(model.input_shape[1:])
    measured = default_shape
    if None in default_shape[:2]:
        measured = [ANY_SIZE_SIDE, ANY_SIZE_SIDE, default_shape[2]]
        keras.backend.clear_session()
        model = builder(weights=None, input_shape=tuple(measured))
    pools, convs, globals_, others, stages = [], [], [], [], {}
    first = head = None
    head_input = None
    for layer in _walk(model):
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        inputs = layer.input if isinstance(layer.input, (list, tuple)) else [layer.input]
        sides_in = [s for s in map(_sides, inputs) if s is not None]
        if not sides_in:
            continue  # works on vectors only
        sides_in = max(sides_in)
        sides_out = _sides(layer.output)
        row = None
        if kind.startswith("Global"):
            globals_.append({"class": kind})
            row = {"class": kind, "kind": "global pooling"}
        elif hasattr(layer, "pool_size"):
            strides = _pair(layer.strides)
            down = max(strides) > 1
            pools.append({"class": kind, "pool_size": _pair(layer.pool_size), "strides": strides,
                          "padding": layer.padding, "downsamples": down})
            if down:
                row = {"class": kind, "kind": "windowed pooling", "window": _pair(layer.pool_size),
                       "strides": strides, "padding": layer.padding}
        elif hasattr(layer, "kernel_size") and max(_pair(layer.strides)) > 1:
            convs.append({"class": kind, "kernel": _pair(layer.kernel_size), "strides": _pair(layer.strides),
                          "padding": layer.padding, "use_bias": bool(layer.use_bias)})
            row = {"class": kind, "kind": "strided convolution", "window": _pair(layer.kernel_size),
                   "strides": _pair(layer.strides), "padding": layer.padding}
        elif sides_out != sides_in and sides_out is not None:
            others.append({"class": kind, "rows_cols_lost": [a - b for a, b in zip(sides_in, sides_out)]})
        if row is not None and first is None:
            first = dict(row, layer=layer.name)
        if row is not None and row["kind"] != "global pooling":
            stages.setdefault(tuple(sides_out), Counter())[kind] += 1
        vector_or_point = sides_out is None or sides_out == (1, 1)
        if vector_or_point and sides_in != (1, 1):
            head, head_input = kind, list(sides_in)  # the last such layer is the head
    if head is None:
        raise RuntimeError(f"{name}: no layer turns the map into a vector")
    arxiv, year = _paper(builder)
    return {
        "family": builder.__module__.rsplit(".", 1)[-1],
        "arxiv": arxiv,
        "arxiv_year": year,
        "default_input_shape": default_shape,
        "measured_input_shape": measured,
        "outputs": int(model.output_shape[-1]),
        "parameters": int(model.count_params()),
        "layers": sum(1 for _ in _walk(model)),
        "layer_classes": sorted({type(layer).__name__ for layer in _walk(model)}),
        "first_downsampling": first,
        "windowed_pooling": _aggregate(pools),
        "strided_convolutions": _aggregate(convs),
        "global_pooling": _aggregate(globals_),
        "head": head,
        "map_before_head": head_input,
        "other_size_changes": _aggregate(others),
        "resolutions": [{"rows_cols": list(size), "produced_by": dict(sorted(by.items()))}
                        for size, by in sorted(stages.items(), reverse=True)],
    }


def census(keras, names=None, timings=None) -> dict:
    """The whole census document; ``names`` limits it to some models."""
    builders = model_builders(keras)
    unknown = sorted(set(names or ()) - set(builders))
    if unknown:
        raise ValueError(f"names {unknown} are not models of keras.applications {list(builders)}")
    models = {}
    for name in names or builders:
        start = time.perf_counter()
        models[name] = census_of(keras, name, builders[name])
        keras.backend.clear_session()
        gc.collect()
        if timings is not None:
            timings[name] = time.perf_counter() - start
    import tensorflow as tf

    return {"keras": keras.__version__, "backend": keras.backend.backend(), "tensorflow": tf.__version__,
            "made_by": "scripts/census.py", "weights": None, "models": models}


def dumps(document) -> str:
    """Stable text: sorted keys, one model per line."""
    head = {key: value for key, value in sorted(document.items()) if key != "models"}
    lines = [json.dumps(head, sort_keys=True)[:-1] + ', "models": {']
    entries = sorted(document["models"].items())
    for i, (name, entry) in enumerate(entries):
        comma = "," if i < len(entries) - 1 else ""
        lines.append(f"  {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}{comma}")
    lines.append("}}")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="recompute; exit 1 if the stored file differs")
    parser.add_argument("--only", nargs="+", metavar="NAME", help="print these models' entries, write nothing")
    parser.add_argument("--time", action="store_true", help="print each model's build time")
    args = parser.parse_args(argv)
    keras = load_keras()
    timings = {}
    start = time.perf_counter()
    document = census(keras, args.only, timings)
    total = time.perf_counter() - start
    if args.time:
        for name, seconds in timings.items():
            print(f"{name:20s}{seconds:7.2f} s")
        print(f"{len(timings)} models in {total:.1f} s on {os.cpu_count()} CPUs")
    if args.only:
        for name, entry in document["models"].items():
            print(name, json.dumps(entry, sort_keys=True))
        return 0
    text = dumps(document)
    if args.check:
        stored = CENSUS.read_text(encoding="utf-8")
        if stored != text:
            print(f"{CENSUS} differs from a fresh census: run scripts/census.py", file=sys.stderr)
            return 1
        print(f"{CENSUS.name}: the stored census equals a fresh one ({len(timings)} models)")
        return 0
    CENSUS.write_text(text, encoding="utf-8")
    print(f"wrote {CENSUS} ({len(document['models'])} models, {total:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
