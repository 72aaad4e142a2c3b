"""Fixtures for the browser tests: headless Chromium, JupyterLab and Voila.

Everything runs offline on 127.0.0.1. Servers come from the virtual
environment that runs pytest (``Path(sys.executable).parent``), each in its
own process group, stopped as a group (SIGTERM, then SIGKILL after a grace
period); on SIGTERM the servers shut their kernels down. Screenshots, page
console logs and server logs land in ``test-artifacts/browser/``.

A missing Chromium (or playwright) skips these tests on a laptop, with a
message saying so; with ``CI=true`` it fails them instead, so CI cannot go
green by testing nothing.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
DASHBOARD_NOTEBOOK = REPO_ROOT / "present" / "lecture.ipynb"
PRESENT_SCRIPT = REPO_ROOT / "scripts" / "present.py"
ARTIFACTS_DIR = REPO_ROOT / "test-artifacts" / "browser"
VENV_BIN = Path(sys.executable).parent
LOCALHOST = "127.0.0.1"

# Debian's package; playwright cannot download its own browser offline.
DEFAULT_CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI containers run as root
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    # Voila pages ask a CDN for a font: fail that at once instead of waiting.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
]

# Bounded waits. A cold kernel plus the first matplotlib figure took a few
# seconds here; these limits leave room for a busy 2-core CI machine.
SERVER_START_TIMEOUT_S = 60.0
SERVER_STOP_TIMEOUT_S = 10.0
PAGE_TIMEOUT_MS = 45_000

LAB_SETTINGS = {
    # The "get notified about Jupyter news" toast covers the notebook
    # until this is off; the string "false" is what the setting expects.
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    # With "full" windowing, cells outside the viewport leave the DOM and
    # the widget selectors below never match.
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {
        "windowingMode": "none",
    },
}


def pytest_configure(config: pytest.Config) -> None:
    # Also registered in pyproject.toml; repeated here so that running this
    # directory alone with --strict-markers works.
    config.addinivalue_line("markers", "browser: drives a real headless Chromium (needs /usr/bin/chromium)")


# --------------------------------------------------------------------------
# Skip locally, fail in CI
# --------------------------------------------------------------------------

def running_in_ci(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether ``CI`` is set to a true value (GitHub and GitLab set ``CI=true``)."""
    return environ.get("CI", "").strip().lower() in {"true", "1", "yes"}


def browser_unavailable(reason: str, environ: Mapping[str, str] = os.environ) -> NoReturn:
    """Skip the test because ``reason``, or fail it when running in CI."""
    if running_in_ci(environ):
        pytest.fail(f"browser tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}")


def find_chromium(environ: Mapping[str, str] = os.environ) -> Path | None:
    """Path of a Chromium executable: ``$POOLVIZ_CHROMIUM``, /usr/bin/chromium or PATH."""
    candidates = [environ.get("POOLVIZ_CHROMIUM"), str(DEFAULT_CHROMIUM), shutil.which("chromium")]
    for candidate in candidates:
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return Path(candidate)
    return None


# --------------------------------------------------------------------------
# Server processes
# --------------------------------------------------------------------------

def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((LOCALHOST, 0))
        return probe.getsockname()[1]


class ServerProcess:
    """A server started in its own session, stopped with its whole process group.

    Output goes to ``log_path`` so a failing test leaves the server's story
    next to its screenshots.
    """

    def __init__(self, command: list[str], log_path: Path, env: Mapping[str, str] | None = None,
                 cwd: Path | None = None) -> None:
        self.command = command
        self.log_path = log_path
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(log_path, "wb")
        self._terminated = False
        self.process = subprocess.Popen(
            command, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(env) if env is not None else None, cwd=cwd, start_new_session=True,
        )

    def log_tail(self, characters: int = 3000) -> str:
        self._log.flush()
        return self.log_path.read_text(errors="replace")[-characters:]

    def wait_until(self, is_ready, what: str, timeout: float = SERVER_START_TIMEOUT_S) -> None:
        """Poll ``is_ready()`` until true; fail with the server log if it exits or times out."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"{what} exited with code {self.process.returncode}:\n{self.log_tail()}")
            if is_ready():
                return
            time.sleep(0.1)
        pytest.fail(f"{what} not ready after {timeout:.0f} s:\n{self.log_tail()}")

    def terminate(self) -> None:
        """Ask the whole process group to stop (SIGTERM, once), without waiting."""
        # Once only: a second SIGTERM would cut short scripts/present.py
        # while it waits for Voila to shut down.
        if self.process.poll() is None and not self._terminated:
            self._terminated = True
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass

    def stop(self) -> None:
        """SIGTERM the process group, then SIGKILL whatever is left after a grace period."""
        self.terminate()
        try:
            self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pass
        # Whatever still runs in the group after the grace period. (Kernels
        # get their own session from jupyter_client; the servers shut them
        # down on SIGTERM, and ipykernel exits when its parent dies.)
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self.process.poll() is None:
            self.process.wait(timeout=SERVER_STOP_TIMEOUT_S)
        self._log.close()


def port_accepts_connections(port: int) -> bool:
    try:
        with socket.create_connection((LOCALHOST, port), timeout=0.5):
            return True
    except OSError:
        return False


def url_answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


@dataclass(frozen=True)
class LabServer:
    base_url: str
    token: str
    notebook_name: str

    @property
    def notebook_url(self) -> str:
        return f"{self.base_url}/lab/tree/{self.notebook_name}?token={self.token}"


@dataclass(frozen=True)
class VoilaServer:
    url: str
    style: str


# --------------------------------------------------------------------------
# Fixtures
# --------------------------------------------------------------------------

@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS_DIR.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS_DIR


@pytest.fixture(scope="session")
def dashboard_notebook() -> Path:
    assert DASHBOARD_NOTEBOOK.is_file(), f"dashboard notebook missing: {DASHBOARD_NOTEBOOK}"
    return DASHBOARD_NOTEBOOK


@pytest.fixture(scope="session")
def chromium():
    """A headless Chromium driven by playwright, shared by all browser tests."""
    executable = find_chromium()
    if executable is None:
        browser_unavailable(
            f"no Chromium at {DEFAULT_CHROMIUM} or on PATH "
            "(install it with `apt-get install -y chromium fonts-dejavu-core`, "
            "or point POOLVIZ_CHROMIUM at one)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as error:
        browser_unavailable(f"the playwright package is not installed ({error})")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(executable), headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def new_page(chromium, width: int = 1280, height: int = 720):
    """A fresh page (own cookies and storage) at this viewport, with the tests' timeouts:
    ``(context, page, messages)``, ``messages`` collecting its JavaScript errors and console lines."""
    from playwright.sync_api import expect

    context = chromium.new_context(viewport={"width": width, "height": height})
    context.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    page = context.new_page()
    messages: list[str] = []
    page.on("pageerror", lambda error: messages.append(f"pageerror: {error}"))
    page.on("console", lambda message: messages.append(f"console.{message.type}: {message.text}"))
    return context, page, messages


def launch_jupyter_lab(base: Path, notebook: Path,
                       log_path: Path) -> tuple[ServerProcess, LabServer, Callable[[], bool]]:
    """Start JupyterLab on a free port, serving a temporary copy of ``notebook``.

    Settings and workspaces live in fresh directories under ``base`` so
    nothing leaks into (or out of) the developer's own JupyterLab. Returns
    the process, where to reach it and a readiness check.
    """
    root_dir, settings_dir, workspaces_dir, runtime_dir = (
        base / "root", base / "settings", base / "workspaces", base / "runtime")
    for directory in (root_dir, settings_dir, workspaces_dir, runtime_dir):
        directory.mkdir()
    for relative_path, settings in LAB_SETTINGS.items():
        target = settings_dir / relative_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(settings))
    shutil.copy(notebook, root_dir / notebook.name)
    # The course's notebooks too, for the accessibility audit (tests/browser/test_accessibility.py).
    shutil.copytree(REPO_ROOT / "notebooks", root_dir / "notebooks", ignore=shutil.ignore_patterns("*.py", "*.md"))

    port, token = free_port(), "poolviz-browser-test"
    command = [
        str(VENV_BIN / "jupyter-lab"),
        "--allow-root", "--no-browser",
        f"--ServerApp.ip={LOCALHOST}", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root_dir}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={workspaces_dir}",
        # Lets the test call Lab commands (runmenu:run-all) by name.
        "--LabApp.expose_app_in_browser=True",
        # No calls home: update checks and the PyPI extension manager.
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    environment = dict(os.environ, JUPYTER_RUNTIME_DIR=str(runtime_dir))
    environment.pop("POOLVIZ_STYLE", None)
    server = ServerProcess(command, log_path, env=environment, cwd=root_dir)
    lab = LabServer(base_url=f"http://{LOCALHOST}:{port}", token=token, notebook_name=notebook.name)
    return server, lab, lambda: url_answers(f"{lab.base_url}/api/status?token={token}")


def launch_voila(style: str, log_path: Path) -> tuple[ServerProcess, VoilaServer, Callable[[], bool]]:
    """Serve the dashboard exactly as ``make dashboard`` does: through scripts/present.py."""
    port = free_port()
    command = [sys.executable, str(PRESENT_SCRIPT), str(DASHBOARD_NOTEBOOK), f"--port={port}", f"--style={style}"]
    server = ServerProcess(command, log_path, cwd=REPO_ROOT)
    return server, VoilaServer(url=f"http://{LOCALHOST}:{port}/", style=style), lambda: port_accepts_connections(port)


def launch_voila_deck(log_path: Path) -> tuple[ServerProcess, VoilaServer, Callable[[], bool]]:
    """Serve the lecture deck exactly as ``make present`` does: scripts/present.py with its defaults."""
    port = free_port()
    command = [sys.executable, str(PRESENT_SCRIPT), f"--port={port}"]
    server = ServerProcess(command, log_path, cwd=REPO_ROOT)
    return server, VoilaServer(url=f"http://{LOCALHOST}:{port}/", style="deck"), lambda: port_accepts_connections(port)


class Servers:
    """JupyterLab, the two Voila dashboards and the Voila deck, each started the first time a
    test of this pytest process needs it (:meth:`start` boots several side by side: each boot is
    mostly waiting on imports, so on two cores they overlap well). A worker that runs only the
    deck's tests starts only the deck. Logs are per worker: ``<server>[-gwN].log``.
    """

    def __init__(self, base: Path, artifacts_dir: Path, notebook: Path) -> None:
        worker = os.environ.get("PYTEST_XDIST_WORKER")
        log = {name: artifacts_dir / f"{name}{'-' + worker if worker else ''}.log"
               for name in ("jupyterlab", "voila-default", "voila-lecture", "voila-deck")}
        self._launchers = {
            "JupyterLab": lambda: launch_jupyter_lab(base, notebook, log["jupyterlab"]),
            "Voila (default style)": lambda: launch_voila("default", log["voila-default"]),
            "Voila (lecture style)": lambda: launch_voila("lecture", log["voila-lecture"]),
            "Voila deck": lambda: launch_voila_deck(log["voila-deck"]),
        }
        self._launched = {}

    def start(self, *names: str) -> None:
        for name in names:
            if name not in self._launched:
                self._launched[name] = self._launchers[name]()

    def ready(self, name: str):
        self.start(name)
        server, address, is_ready = self._launched[name]
        server.wait_until(is_ready, name)
        return address

    def stop(self) -> None:
        # SIGTERM everything first so the shutdowns overlap too.
        for server, _, _ in self._launched.values():
            server.terminate()
        for server, _, _ in self._launched.values():
            server.stop()


@pytest.fixture(scope="session")
def servers(chromium, tmp_path_factory, dashboard_notebook, artifacts_dir) -> Iterator[Servers]:
    # Asks for ``chromium`` first so that a missing browser skips before any server starts.
    started = Servers(tmp_path_factory.mktemp("jupyterlab"), artifacts_dir, dashboard_notebook)
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture(scope="session")
def jupyter_lab(servers) -> LabServer:
    return servers.ready("JupyterLab")


@pytest.fixture(scope="session")
def voila_dashboard(servers) -> VoilaServer:
    return servers.ready("Voila (default style)")


@pytest.fixture(scope="session")
def voila_lecture_dashboard(servers) -> VoilaServer:
    return servers.ready("Voila (lecture style)")


@pytest.fixture
def voila_deck(servers) -> VoilaServer:
    return servers.ready("Voila deck")
