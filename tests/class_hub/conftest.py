"""The class test runs alone (`make class`, its own CI job), not inside `make test`.

It starts a JupyterHub and three students' servers (about 0.8 GiB of memory each) from
.venv with the class extra added; `scripts/dev.py class` adds it and sets
POOLVIZ_CLASS_TEST=1 and POOLVIZ_CLASS_VENV.
"""

import os
import signal
from pathlib import Path

CLASS_TEST = os.environ.get("POOLVIZ_CLASS_TEST") == "1"
REPORT = Path(__file__).resolve().parents[2] / "test-artifacts" / "class-hub.json"

if not CLASS_TEST:
    collect_ignore = ["test_class_hub.py"]
else:
    # scripts/dev.py stops a run past its time limit with SIGTERM: taken as Ctrl-C, so
    # that pytest still tears the hub and every student's server down.
    signal.signal(signal.SIGTERM, signal.default_int_handler)
    if REPORT.exists():
        REPORT.unlink()  # so that the summary shows this run's measurements or none


def pytest_terminal_summary(terminalreporter):
    """The run's timings and memory per student, in CI's log."""
    if CLASS_TEST and REPORT.exists():
        terminalreporter.write_sep("-", "class hub: test-artifacts/class-hub.json")
        terminalreporter.write_line(REPORT.read_text())
