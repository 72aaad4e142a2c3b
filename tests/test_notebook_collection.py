"""nbval must find the whole course: a wrong glob would find nothing and pass."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COURSE = [
    "01_pooling.ipynb",
    "02_detecting_vertical_lines.ipynb",
    "03_average_pooling.ipynb",
    "04_max_pooling.ipynb",
    "05_global_pooling.ipynb",
]


def test_nbval_collects_exactly_the_five_course_notebooks():
    listing = subprocess.run(
        [sys.executable, "-m", "pytest", "--collect-only", "-q", "notebooks"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout
    collected = {line.split("::")[0] for line in listing.splitlines() if ".ipynb::" in line}
    assert sorted(Path(path).name for path in collected) == COURSE
    assert sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb")) == COURSE
