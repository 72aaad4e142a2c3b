"""Measure notebook 05's line classifier over several seeds, for both global poolings.

Notebook 05's solutions (the open question) quote these numbers (seeds 1-10: global max mean
0.984, seeds 2 and 6 below 0.95; global average mean 0.996), and it measures the
accuracy on lines along the border (row or column 0 or 11, along which no training line
runs; the notebook's border cell uses the same 200 images; seeds 1-10: global
max 0.43-0.77, mean 0.562; global average 0.44-0.99, mean 0.627). Run::

    .venv/bin/python scripts/classifier_seeds.py            # seeds 1-10
    .venv/bin/python scripts/classifier_seeds.py --seeds 5  # seeds 1-5

The training data and the model come from the notebook itself: the script
runs the notebook's data cell (the one defining ``line_images``) and builds
the same model with the same optimiser, steps and seeds, so it cannot drift
away from what the notebook trains. It takes a few seconds per training on a
laptop CPU; it is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "05_global_pooling.ipynb"


def _notebook_data():
    """(x_train, y_train, x_test, y_test, x_border, y_border) made by the notebook's own data cell."""
    cells = json.loads(NOTEBOOK.read_text(encoding="utf-8"))["cells"]
    source = next("".join(cell["source"]) for cell in cells
                  if cell["cell_type"] == "code" and "def line_images(" in "".join(cell["source"]))
    namespace = {"np": np, "print": lambda *args, **kwargs: None}
    exec(source, namespace)  # the notebook's own code: defines the data, prints nothing here
    border = namespace["line_images"](200, np.random.default_rng(2020), border=True)  # as the notebook's border cell
    return tuple(namespace[name] for name in ("x_train", "y_train", "x_test", "y_test")) + border


def test_accuracy(keras, seed, pooling, data):
    """(test accuracy, border accuracy) of the notebook's classifier trained with `seed` and `pooling`."""
    x_train, y_train, x_test, y_test, x_border, y_border = data
    keras.utils.set_random_seed(seed)
    keras.backend.clear_session()
    classifier = keras.Sequential([
        keras.Input((12, 12, 1), name="image"),
        keras.layers.Conv2D(2, (3, 3), activation="relu", name="line_filters"),
        pooling(name="global_pooling"),
        keras.layers.Dense(1, activation="sigmoid", name="is_vertical"),
    ], name="line_classifier")
    classifier.compile(optimizer=keras.optimizers.Adam(learning_rate=0.05),
                       loss="binary_crossentropy", metrics=["accuracy"])
    for _ in range(100):
        classifier.train_on_batch(x_train, y_train)
    return tuple(float(np.mean((keras.ops.convert_to_numpy(classifier(x))[:, 0] > 0.5) == y))
                 for x, y in ((x_test, y_test), (x_border, y_border)))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="measure seeds 1..SEEDS (default 10)")
    args = parser.parse_args(argv)
    if args.seeds < 1:
        parser.error(f"--seeds must be at least 1, got {args.seeds}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")
    from poolviz.keras_bridge import load_keras

    keras = load_keras()
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    data = _notebook_data()
    seeds = range(1, args.seeds + 1)
    for pooling in (keras.layers.GlobalMaxPooling2D, keras.layers.GlobalAveragePooling2D):
        accuracies, borders = zip(*(test_accuracy(keras, seed, pooling, data) for seed in seeds))
        below = [seed for seed, accuracy in zip(seeds, accuracies) if accuracy < 0.95]
        print(f"{pooling.__name__}: " + ", ".join(f"{a:.3f}" for a in accuracies))
        print(f"  mean {np.mean(accuracies):.3f}, min {min(accuracies):.3f}, max {max(accuracies):.3f}, "
              f"seeds below 0.95: {below}")
        print("  border lines: " + ", ".join(f"{a:.2f}" for a in borders) + f"; mean {np.mean(borders):.3f}")


if __name__ == "__main__":
    main()
