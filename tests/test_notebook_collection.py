"""nbval must find the whole course: a wrong glob would find nothing and pass.

The five course notebooks, plus the optional "going further" notebooks in
notebooks/going_further/ (also re-executed strictly)."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COURSE = [
    "01_pooling.ipynb",
    "02_detecting_vertical_lines.ipynb",
    "03_average_pooling.ipynb",
    "04_max_pooling.ipynb",
    "05_global_pooling.ipynb",
]
GOING_FURTHER = [
    "01_antialiased_pooling.ipynb",
    "02_strided_convolutions.ipynb",
    "03_keras_and_pytorch.ipynb",
    "04_lp_pooling.ipynb",
    "05_receptive_fields.ipynb",
]


def _collected_notebooks(request):
    """The notebooks nbval collects from the configured test paths.

    In a whole-suite run (`make test`: no arguments, nothing deselected) they
    are read from this very session; otherwise a collect-only run tells.
    """
    config = request.config
    if (config.args_source == pytest.Config.ArgsSource.TESTPATHS
            and not config.option.keyword and not config.option.markexpr):
        ids = [item.nodeid for item in request.session.items]
    else:
        listing = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q", "-p", "no:cacheprovider",
                                  "notebooks"],
                                 cwd=ROOT, capture_output=True, text=True, check=True).stdout
        ids = listing.splitlines()
    return {nodeid.split("::")[0] for nodeid in ids if ".ipynb::" in nodeid}


def test_nbval_collects_exactly_the_five_course_notebooks_and_the_going_further_ones(request):
    collected = _collected_notebooks(request)
    assert sorted(path for path in collected if "going_further" not in path) == [
        f"notebooks/{name}" for name in COURSE]
    assert sorted(path for path in collected if "going_further" in path) == [
        f"notebooks/going_further/{name}" for name in GOING_FURTHER]
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == COURSE
    assert sorted(p.name for p in (ROOT / "notebooks" / "going_further").glob("*.ipynb")) == GOING_FURTHER
