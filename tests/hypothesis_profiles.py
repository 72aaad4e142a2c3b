"""One Hypothesis settings decorator per test module, chosen by environment.

``ci`` (when ``CI`` is set or ``POOLVIZ_HYPOTHESIS_PROFILE=ci``): derandomized,
so CI is reproducible; ``dev`` otherwise: random and quick while editing.
Returned as a decorator, so it changes no other module's settings (the
pattern of tests/test_against_keras.py).
"""

import os

from hypothesis import HealthCheck, settings


def profile(ci_examples, dev_examples):
    """``settings`` for a module: ``ci_examples`` in CI, ``dev_examples`` otherwise."""
    common = dict(deadline=None, print_blob=True, suppress_health_check=[HealthCheck.too_slow])
    name = os.environ.get("POOLVIZ_HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
    if name == "ci":
        return settings(max_examples=ci_examples, derandomize=True, database=None, **common)
    return settings(max_examples=dev_examples, **common)
