"""Load the worked solutions in notebooks/solutions/ for the exercise tests."""

import importlib.util
from pathlib import Path

SOLUTIONS_DIR = Path(__file__).resolve().parents[1] / "notebooks" / "solutions"


def load_solutions(name):
    """Import ``notebooks/solutions/<name>.py`` as a module (it is no package)."""
    path = SOLUTIONS_DIR / f"{name}.py"
    spec = importlib.util.spec_from_file_location(f"solutions_{name}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
