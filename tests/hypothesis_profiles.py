"""Shared Hypothesis helpers: one settings decorator per test module, chosen
by environment, and the kinds of values the pooling tests draw.

``ci`` (when ``CI`` is set or ``POOLVIZ_HYPOTHESIS_PROFILE=ci``): derandomized,
so CI is reproducible; ``dev`` otherwise: random and quick while editing.
Returned as a decorator, so it changes no other module's settings (the
pattern of tests/test_against_keras.py).
"""

import os

import numpy as np
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st


def profile(ci_examples, dev_examples):
    """``settings`` for a module: ``ci_examples`` in CI, ``dev_examples`` otherwise."""
    common = dict(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
    name = os.environ.get("POOLVIZ_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    if name == "ci":
        return settings(max_examples=ci_examples, derandomize=True, database=None, **common)
    return settings(max_examples=dev_examples, **common)


def draw_values(draw, shape):
    """An array of ``shape`` drawn by a seeded generator (element-wise drawing
    is slow and mostly constant), of one of three kinds: normal values; small
    integers (many ties, exact sums); all negative (would expose zero padding
    in max pooling)."""
    generator = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["normal", "small integers", "negative"]))
    if kind == "normal":
        return generator.standard_normal(shape)
    if kind == "small integers":
        return generator.integers(-4, 5, shape)
    return -1.0 - generator.random(shape)
