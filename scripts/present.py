"""Serve the lecture deck (or the two-explorer dashboard) with Voila and print where to open it.

Run through ``make present`` / ``make dashboard`` or directly::

    .venv/bin/python scripts/present.py                              # the deck, present/deck.ipynb
    .venv/bin/python scripts/present.py --dashboard                  # the dashboard, present/lecture.ipynb
    .venv/bin/python scripts/present.py --dashboard --style lecture  # large fonts and controls
    .venv/bin/python scripts/present.py --port 0                     # any free port

Voila runs from the same virtual environment as this Python (its ``voila``
executable sits next to ``sys.executable``), listens on 127.0.0.1 only and
opens no browser. A notebook whose cells carry slide metadata (the deck) is
served as reveal.js slides with the template in present/jupyter/ (found
through ``JUPYTER_PATH``); the deck's explorers are always in lecture style.
``--style lecture`` reaches the notebook's kernel as the environment variable
``POOLVIZ_STYLE=lecture``; the dashboard reads it and builds the explorers
with ``lecture=True``.

The script stays in the foreground until Voila stops; Ctrl-C stops both.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DECK_NOTEBOOK = REPO_ROOT / "present" / "deck.ipynb"
DASHBOARD_NOTEBOOK = REPO_ROOT / "present" / "lecture.ipynb"
DEFAULT_NOTEBOOK = DECK_NOTEBOOK
# The deck's Voila template (reveal.js, offline) lives in present/jupyter/voila/templates/.
TEMPLATE_ROOT = REPO_ROOT / "present" / "jupyter"
DECK_TEMPLATE = "pooling-deck"
DEFAULT_PORT = 8866
LOCALHOST = "127.0.0.1"
STYLES = ("default", "lecture")
STYLE_VARIABLE = "POOLVIZ_STYLE"
# Voila imports the kernel and renders nothing until it listens; on the
# shared 2-core machine startup took a few seconds, so one minute is generous.
STARTUP_TIMEOUT_SECONDS = 60.0


def voila_executable(os_name: str = os.name) -> Path:
    """Return the ``voila`` executable of the environment running this script.

    It sits next to ``sys.executable``: ``bin/voila`` on Linux and macOS,
    ``Scripts\\voila.exe`` on Windows (``os_name == "nt"``).
    """
    return Path(sys.executable).parent / ("voila.exe" if os_name == "nt" else "voila")


def free_port(host: str = LOCALHOST) -> int:
    """Return a TCP port on ``host`` that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return probe.getsockname()[1]


def port_is_free(port: int, host: str = LOCALHOST) -> bool:
    """Whether ``port`` on ``host`` can be bound (Voila would fail otherwise)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((host, port))
        except OSError:
            return False
        return True


def port_accepts_connections(port: int, host: str = LOCALHOST) -> bool:
    """Whether a server accepts TCP connections on ``host:port``."""
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def is_slide_deck(notebook: Path) -> bool:
    """Whether any cell of ``notebook`` carries a reveal.js slide type (the deck does; the dashboard not)."""
    import json

    cells = json.loads(Path(notebook).read_text(encoding="utf-8")).get("cells", [])
    return any(cell.get("metadata", {}).get("slideshow", {}).get("slide_type") for cell in cells)


def voila_command(notebook: Path, port: int, host: str = LOCALHOST, slides: bool = False) -> list[str]:
    """Command line that serves ``notebook`` on ``host:port``: as a dashboard, or as reveal.js ``slides``."""
    return [
        str(voila_executable()),
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        # Students see a short error message, not a wall of traceback.
        "--show_tracebacks=False",
    ] + ([
        f"--template={DECK_TEMPLATE}",
        # Voila's reveal template runs the whole notebook in one call that raises on the first
        # failing cell, and the page then never arrives; with this the deck opens and the
        # failing slide shows its error (tests/browser/test_deck.py fails on it).
        "--VoilaExecutor.allow_errors=True",
    ] if slides else [])


def kernel_environment(style: str, base: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for Voila and its kernels, with ``POOLVIZ_STYLE`` set for ``style``.

    Parameters
    ----------
    style : {"default", "lecture"}
        ``"lecture"`` sets ``POOLVIZ_STYLE=lecture``; ``"default"`` removes
        the variable so a value left in the shell cannot leak into the talk.
    base : dict, optional
        Environment to start from; ``os.environ`` when omitted.

    Returns
    -------
    dict
        A new environment mapping; ``base`` is not modified.
    """
    if style not in STYLES:
        raise ValueError(f"style must be one of {STYLES}, got {style!r}")
    environment = dict(os.environ if base is None else base)
    if style == "lecture":
        environment[STYLE_VARIABLE] = "lecture"
    else:
        environment.pop(STYLE_VARIABLE, None)
    # The deck's template; harmless for the dashboard (Voila only looks there for templates).
    environment["JUPYTER_PATH"] = os.pathsep.join(
        [str(TEMPLATE_ROOT)] + [part for part in environment.get("JUPYTER_PATH", "").split(os.pathsep) if part])
    return environment


def wait_until_listening(
    process: subprocess.Popen, port: int, host: str = LOCALHOST,
    timeout: float = STARTUP_TIMEOUT_SECONDS,
) -> None:
    """Block until ``process`` listens on ``host:port``.

    Raises
    ------
    RuntimeError
        If the process exits first or ``timeout`` seconds pass.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"voila exited with code {process.returncode} before listening on port {port}")
        if port_accepts_connections(port, host):
            return
        time.sleep(0.1)
    raise RuntimeError(f"voila did not listen on {host}:{port} within {timeout:.0f} s")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "notebook", nargs="?", type=Path, default=None,
        help="notebook to serve (default: the deck, present/deck.ipynb)",
    )
    parser.add_argument(
        "--dashboard", action="store_true",
        help="serve the two-explorer dashboard, present/lecture.ipynb, instead of the deck",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"port on {LOCALHOST} (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--style", choices=STYLES, default="default",
        help="'lecture' makes the dashboard's fonts and controls large enough for a projector "
             "(the deck always is)",
    )
    arguments = parser.parse_args(argv)
    if arguments.dashboard and arguments.notebook is not None:
        parser.error("give a notebook or --dashboard, not both")
    arguments.notebook = (DASHBOARD_NOTEBOOK if arguments.dashboard else
                          DEFAULT_NOTEBOOK if arguments.notebook is None else arguments.notebook)
    return arguments


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    notebook = arguments.notebook.resolve()
    if not notebook.is_file():
        print(f"present.py: notebook not found: {notebook}", file=sys.stderr)
        return 2
    if not voila_executable().exists():
        print(f"present.py: voila not found next to {sys.executable}; install the environment first",
              file=sys.stderr)
        return 2
    port = arguments.port or free_port()
    if not port_is_free(port):
        print(f"present.py: port {port} is already in use; try --port 0 (make present PORT=0)",
              file=sys.stderr)
        return 2

    # Turn SIGTERM (e.g. a test stopping the process group) into a normal
    # exit so the `finally` below waits for Voila instead of orphaning it.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    slides = is_slide_deck(notebook)
    process = subprocess.Popen(voila_command(notebook, port, slides=slides), env=kernel_environment(arguments.style))
    try:
        wait_until_listening(process, port)
        url = f"http://{LOCALHOST}:{port}/"
        what = ("Pooling lecture deck (arrows or Space: next slide; S: speaker notes)" if slides
                else f"Pooling dashboard ({arguments.style} style)")
        print(f"\n    {what}: {url}\n", flush=True)
        return process.wait()
    except KeyboardInterrupt:
        return 0
    except RuntimeError as error:
        print(f"present.py: {error}", file=sys.stderr)
        return 1
    finally:
        # Ctrl-C in a terminal reaches Voila too; SIGTERM covers the other
        # ways out (an error above, or a test stopping only this process).
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


if __name__ == "__main__":
    sys.exit(main())
