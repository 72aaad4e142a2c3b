"""Start and stop the class hub (class/hub/jupyterhub_config.py), and read processes from /proc.

Every process of one run (the hub, its proxy, the students' servers and their kernels)
carries POOLVIZ_CLASS_RUN=<a run id> in its environment: the hub passes it on to the
proxy and to every server, and a kernel inherits it from its server. Stopping the run
ends the hub, then kills whatever still carries the id, so nothing outlives the test,
even when it fails halfway or the hub does not stop.
"""

import os
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "class" / "hub" / "jupyterhub_config.py"
MARK = "POOLVIZ_CLASS_RUN"


def free_ports(count):
    """``count`` consecutive free ports on 127.0.0.1 (the hub's public, API and proxy API ports)."""
    for _ in range(50):
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            first = probe.getsockname()[1]
        if first + count > 65535:
            continue
        sockets = []
        try:
            for port in range(first, first + count):
                taken = socket.socket()
                sockets.append(taken)
                taken.bind(("127.0.0.1", port))
            return list(range(first, first + count))
        except OSError:
            continue
        finally:
            for taken in sockets:
                taken.close()
    raise RuntimeError("no %d consecutive free ports on 127.0.0.1" % count)


def install_proxy(folder):
    """configurable-http-proxy at the version of class/hub/package-lock.json, from the npm registry."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("package.json", "package-lock.json"):
        shutil.copy(ROOT / "class" / "hub" / name, folder / name)
    subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=folder, check=True,
                   timeout=180)
    return folder / "node_modules" / ".bin" / "configurable-http-proxy"


class Hub:
    """A running class hub: its URL, its admin API, its run id."""

    def __init__(self, workdir, image, proxy, spawner_env):
        self.workdir, self.image = Path(workdir), Path(image)
        self.run_id = secrets.token_hex(8)
        self.password = secrets.token_urlsafe(12)
        self.token = secrets.token_hex(32)
        port, internal = free_ports(1)[0], free_ports(2)[0]
        self.url = "http://127.0.0.1:%d" % port
        self.homes = self.workdir / "homes"
        self.homes.mkdir(parents=True, exist_ok=True)
        self.runtime = tempfile.mkdtemp(prefix="class-hub-")  # short: kernel sockets live there
        spawner_env = dict(spawner_env, **{MARK: self.run_id})
        # A clean environment: nothing of the test's own (PYTHONPATH, VIRTUAL_ENV) reaches the students.
        env = {"PATH": "%s:/usr/local/bin:/usr/bin:/bin" % (self.image / "bin"), "HOME": str(self.workdir),
               "LANG": "C.UTF-8", MARK: self.run_id,
               "CLASS_HUB_PORT": str(port), "CLASS_HUB_INTERNAL": str(internal), "CLASS_HUB_PROXY": str(proxy),
               "CLASS_HUB_IMAGE": str(self.image), "CLASS_HUB_HOMES": str(self.homes),
               "CLASS_HUB_PASSWORD": self.password, "CLASS_HUB_ADMIN_TOKEN": self.token,
               "CLASS_HUB_RUNTIME": self.runtime,
               "CLASS_HUB_SPAWNER_ENV": "\n".join("%s=%s" % item for item in spawner_env.items())}
        self.log = open(self.workdir / "jupyterhub.log", "w")
        self.process = subprocess.Popen([str(self.image / "bin" / "jupyterhub"), "-f", str(CONFIG)],
                                        cwd=self.workdir, env=env, stdout=self.log, stderr=subprocess.STDOUT,
                                        start_new_session=True)
        try:
            self._wait_until_up(120)
        except BaseException:
            self.stop()
            raise

    def _wait_until_up(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("the hub exited (%s):\n%s" % (self.process.returncode, self.log_tail()))
            try:
                if requests.get(self.url + "/hub/api/", timeout=5).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.5)
        raise TimeoutError("the hub did not answer within %d s:\n%s" % (seconds, self.log_tail()))

    def log_tail(self, characters=4000):
        self.log.flush()
        return (self.workdir / "jupyterhub.log").read_text()[-characters:]

    def admin(self, method, path, **kwargs):
        response = requests.request(method, self.url + "/hub/api/" + path, timeout=60,
                                    headers={"Authorization": "token " + self.token}, **kwargs)
        response.raise_for_status()
        return response.json() if response.content else None

    def stop(self):
        """Stop the hub (it stops the servers and the proxy), then kill anything of this run left over.

        Returns the processes that had to be killed: [(pid, command line)].
        """
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(30)
            except subprocess.TimeoutExpired:
                pass
        leftovers = [(pid, command_line(pid)) for pid in processes_marked(self.run_id)]
        for pid, _ in leftovers:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(10)
        self.log.close()
        shutil.rmtree(self.runtime, ignore_errors=True)
        return leftovers


# -------------------------------------------------------------------- /proc

def _environ(pid):
    try:
        return dict(item.split("=", 1) for item in Path("/proc/%d/environ" % pid).read_bytes().decode(
            errors="replace").split("\0") if "=" in item)
    except OSError:
        return {}


def processes_marked(run_id):
    """Every live process whose environment carries this run's id."""
    own = os.getpid()
    return [int(entry.name) for entry in Path("/proc").iterdir()
            if entry.name.isdigit() and int(entry.name) != own and _environ(int(entry.name)).get(MARK) == run_id]


def command_line(pid):
    try:
        return Path("/proc/%d/cmdline" % pid).read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        return ""


def children(pid):
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(entry.name))
    return found


def memory_kib(pid):
    """{"rss": resident set size, "pss": proportional set size} of ``pid`` in KiB (/proc)."""
    status = Path("/proc/%d/status" % pid).read_text()
    rollup = Path("/proc/%d/smaps_rollup" % pid).read_text()
    field = lambda text, name: int(text.split(name + ":", 1)[1].split()[0])
    return {"rss": field(status, "VmRSS"), "pss": field(rollup, "Pss")}


def mem_available_kib():
    return int(Path("/proc/meminfo").read_text().split("MemAvailable:", 1)[1].split()[0])


def student_processes(run_id, name):
    """(server pid, [kernel pids]) of student ``name``'s single-user server."""
    servers = [pid for pid in processes_marked(run_id)
               if _environ(pid).get("JUPYTERHUB_USER") == name and "jupyterhub-singleuser" in command_line(pid)]
    assert len(servers) == 1, "expected one server of %s, found %s" % (name, servers)
    kernels = [pid for pid in children(servers[0]) if "ipykernel" in command_line(pid)]
    return servers[0], kernels
