"""Fixtures shared by the test modules.

Module-specific fixtures stay in their modules; what two or more modules
use lives here, once.
"""

import pytest

from poolviz import data


@pytest.fixture
def feature_map():
    """The tutorial's 6x6 map: the line detector on the 8x8 line image."""
    return data.line_feature_map()


@pytest.fixture(scope="session")
def keras():
    """Keras 3, loaded through poolviz's bridge (skips without TensorFlow)."""
    pytest.importorskip("tensorflow")
    from poolviz.keras_bridge import load_keras

    return load_keras()
