"""Serve the poolviz lecture dashboard with Voila and print where to open it.

Run through ``make present`` or directly::

    .venv/bin/python scripts/present.py                  # normal style
    .venv/bin/python scripts/present.py --style lecture  # large fonts and controls
    .venv/bin/python scripts/present.py --port 0         # any free port

Voila runs from the same virtual environment as this Python (its ``voila``
executable sits next to ``sys.executable``), listens on 127.0.0.1 only and
opens no browser. ``--style lecture`` reaches the notebook's kernel as the
environment variable ``POOLVIZ_STYLE=lecture``; the dashboard reads it and
builds the explorers with ``lecture=True``.

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
DEFAULT_NOTEBOOK = REPO_ROOT / "present" / "lecture.ipynb"
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


def voila_command(notebook: Path, port: int, host: str = LOCALHOST) -> list[str]:
    """Command line that serves ``notebook`` as a dashboard on ``host:port``."""
    return [
        str(voila_executable()),
        str(notebook),
        "--no-browser",
        f"--port={port}",
        f"--Voila.ip={host}",
        # Students see a short error message, not a wall of traceback.
        "--show_tracebacks=False",
    ]


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
        "notebook", nargs="?", type=Path, default=DEFAULT_NOTEBOOK,
        help="dashboard notebook (default: present/lecture.ipynb)",
    )
    parser.add_argument(
        "--port", type=int, default=DEFAULT_PORT,
        help=f"port on {LOCALHOST} (default {DEFAULT_PORT}; 0 picks a free one)",
    )
    parser.add_argument(
        "--style", choices=STYLES, default="default",
        help="'lecture' makes fonts and controls large enough for a projector",
    )
    return parser.parse_args(argv)


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
    process = subprocess.Popen(voila_command(notebook, port), env=kernel_environment(arguments.style))
    try:
        wait_until_listening(process, port)
        url = f"http://{LOCALHOST}:{port}/"
        print(f"\n    Pooling dashboard ({arguments.style} style): {url}\n", flush=True)
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
