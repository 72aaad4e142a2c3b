"""Set up and run the course on any system: what ``make lab`` / ``make test`` do.

Linux and macOS (``make`` calls this script) or Windows (no ``make`` needed)::

    python3 scripts/dev.py lab        # open the course in JupyterLab
    python3 scripts/dev.py test       # ruff, then every test (extra arguments go to pytest)
    py -3.12 scripts\\dev.py lab       # Windows, with the Python launcher

Other commands: ``notebooks`` (re-execute and store the notebooks' outputs),
``present`` (the lecture deck; ``present --dashboard`` the two-explorer
dashboard; arguments go to scripts/present.py), ``handout`` (the deck as one
HTML file; arguments go to scripts/handout.py),
``bench``, ``venv`` (set up only), ``class`` (the course on a local JupyterHub with
three students: tests/class_hub, Linux; it adds the ``class`` extra to .venv) and
``clean``; ``grading`` builds the graded
exercises for otter-grader and nbgrader (arguments go to scripts/build_grading.py)
and ``grading-test`` runs their test (tests/class_grading/grading_job.py), both in
``.venv-grading``, installed from requirements/grading-lock.txt (which says why).

The first run creates ``.venv`` in the repository with the Python running this
script and installs poolviz with the extra it needs (``course`` for lab,
present and notebooks; ``test`` for test, bench and venv) at the versions in
``requirements/lock.txt``. Later runs reuse it; they reinstall when
``pyproject.toml`` or the lock changed, and they delete and rebuild ``.venv``
when it no longer fits: the folder was moved or copied (a venv's scripts
point at the absolute path it was created at), it was made by another Python
version, or its Python no longer starts. Every command exits with the status
of what it ran. ``POOLVIZ_VENV=.venv-py313`` uses another folder than ``.venv``.

This file avoids syntax newer than Python 3.6 so that an unsupported Python
gets a clear message instead of a SyntaxError.
"""

import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# POOLVIZ_VENV picks another folder (CI keeps a Python 3.13 venv beside .venv).
VENV = os.path.join(ROOT, os.environ.get("POOLVIZ_VENV", ".venv"))
LOCK = os.path.join(ROOT, "requirements", "lock.txt")
STAMP_NAME = "poolviz-setup.json"
SUPPORTED = ((3, 11), (3, 12), (3, 13))
# The class test stops itself (pytest tears the hub down) if it runs longer than this.
CLASS_TIME_LIMIT = 300
# Which extra each command needs; `test` includes `course`. `class` runs the test tools
# and, on top, the `class` extra (its hub and the students' servers run from .venv).
EXTRA = {"lab": "course", "present": "course", "handout": "course", "notebooks": "course",
         "test": "test", "bench": "test", "venv": "test", "class": "test"}
INCLUDES = {"course": {"course"}, "test": {"course", "test"}, "class": {"course", "class"}}
COMMANDS = sorted(EXTRA) + ["clean", "grading", "grading-test"]
# The grading tools live in a venv of their own, installed from their own lock.
GRADING_VENV = os.path.join(ROOT, ".venv-grading")
GRADING_LOCK = os.path.join(ROOT, "requirements", "grading-lock.txt")
GRADING_PACKAGES = ["-e", ".", "otter-grader", "nbgrader", "pytest"]


def venv_python(venv=None):
    """Path of the Python inside ``venv`` (``Scripts\\python.exe`` on Windows)."""
    venv = venv or VENV
    if os.name == "nt":
        return os.path.join(venv, "Scripts", "python.exe")
    return os.path.join(venv, "bin", "python")


def check_python(version=None, executable=None):
    """Return an error message if ``version`` is not a supported Python, else None."""
    version = tuple(version or sys.version_info[:3])
    if tuple(version[:2]) in SUPPORTED:
        return None
    names = ", ".join("%d.%d" % v for v in SUPPORTED)
    return ("poolviz needs Python %s; this is Python %s (%s). Install a supported Python and "
            "run this script with it, e.g. `make test PYTHON=python3.12` or, on Windows, "
            "`py -3.12 scripts\\dev.py test`."
            % (names, ".".join(str(part) for part in version), executable or sys.executable))


def install_key(lock=None):
    """Digest of what decides the installed packages: pyproject.toml and the lock."""
    digest = hashlib.sha256()
    for path in (os.path.join(ROOT, "pyproject.toml"), lock or LOCK):
        with open(path, "rb") as handle:
            digest.update(handle.read())
    return digest.hexdigest()


def read_stamp(venv=None):
    venv = venv or VENV
    try:
        with open(os.path.join(venv, STAMP_NAME)) as handle:
            return json.load(handle)
    except (OSError, ValueError):
        return None


def venv_problem(venv=None, version=None):
    """Why the existing ``venv`` must be rebuilt, or None if it can be reused.

    ``version`` is the (major, minor) of the Python that would rebuild it
    (this one by default).
    """
    venv = venv or VENV
    version = tuple(version or sys.version_info[:2])
    python = venv_python(venv)
    if not os.path.exists(python):
        return "it has no Python at %s" % python
    stamp = read_stamp(venv)
    if stamp is None:
        return "it was not made by scripts/dev.py (no %s)" % STAMP_NAME
    if os.path.normcase(stamp.get("venv", "")) != os.path.normcase(os.path.abspath(venv)):
        return "it was made at %s; the folder has moved since" % stamp.get("venv")
    try:
        output = subprocess.run(
            [python, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, universal_newlines=True, timeout=120)
    except (OSError, subprocess.SubprocessError) as error:
        return "its Python does not start (%s)" % error
    if output.returncode != 0:
        return "its Python does not start (%s)" % output.stdout.strip()[-300:]
    if output.stdout.strip() != "%d.%d" % version:
        return "it runs Python %s, and this is Python %d.%d" % ((output.stdout.strip(),) + version)
    return None


def run(command):
    """Run ``command`` in the repository and return its exit status.

    Ctrl-C reaches the child too (same console); this script keeps waiting so
    that the child (JupyterLab asks for confirmation) decides when to stop.
    """
    print("+ " + " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=ROOT)
    while True:
        try:
            return process.wait()
        except KeyboardInterrupt:
            continue


def ensure_venv(extra):
    """Create, rebuild or update .venv so that it holds poolviz[extra] from the lock."""
    if os.path.exists(VENV):
        problem = venv_problem()
        if problem:
            print("dev.py: rebuilding .venv: %s." % problem, flush=True)
            shutil.rmtree(VENV)
    if not os.path.exists(VENV):
        if run([sys.executable, "-m", "venv", VENV]) != 0:
            raise SystemExit("dev.py: could not create .venv with %s" % sys.executable)
        # setuptools 77+ builds the sdist (PEP 639 licence fields) in test_setup.py.
        run([venv_python(), "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools>=77"])
    stamp = read_stamp() or {}
    key = install_key()
    installed = set(stamp.get("extras", [])) if stamp.get("key") == key else set()
    if INCLUDES[extra] <= installed:
        return
    status = run([venv_python(), "-m", "pip", "install", "-c", LOCK, "-e", ".[%s]" % extra])
    if status != 0:
        raise SystemExit("dev.py: installing poolviz[%s] failed (pip exit status %d)" % (extra, status))
    stamp = {"venv": os.path.abspath(VENV), "python": "%d.%d" % sys.version_info[:2],
             "key": key, "extras": sorted(installed | INCLUDES[extra])}
    with open(os.path.join(VENV, STAMP_NAME), "w") as handle:
        json.dump(stamp, handle, indent=1)


def run_for_at_most(command, seconds, environment):
    """Run ``command`` like run(), but stop it after ``seconds``: first politely (pytest then
    tears its fixtures down), then for good. Returns its exit status (1 if it was stopped)."""
    print("+ " + " ".join(command), flush=True)
    process = subprocess.Popen(command, cwd=ROOT, env=environment)
    try:
        return process.wait(seconds)
    except subprocess.TimeoutExpired:
        print("dev.py: still running after %d s; stopping it" % seconds, file=sys.stderr, flush=True)
        process.terminate()
        try:
            process.wait(60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        return 1


def ensure_grading_venv():
    """Create, rebuild or update .venv-grading: poolviz and the grading tools from the grading lock."""
    if os.path.exists(GRADING_VENV):
        problem = venv_problem(GRADING_VENV)
        if problem:
            print("dev.py: rebuilding .venv-grading: %s." % problem, flush=True)
            shutil.rmtree(GRADING_VENV)
    python = venv_python(GRADING_VENV)
    if not os.path.exists(GRADING_VENV):
        if run([sys.executable, "-m", "venv", GRADING_VENV]) != 0:
            raise SystemExit("dev.py: could not create .venv-grading with %s" % sys.executable)
        run([python, "-m", "pip", "install", "--quiet", "--upgrade", "pip", "setuptools>=77"])
    key = install_key(GRADING_LOCK)
    if (read_stamp(GRADING_VENV) or {}).get("key") == key:
        return python
    if run([python, "-m", "pip", "install", "-c", GRADING_LOCK] + GRADING_PACKAGES) != 0:
        raise SystemExit("dev.py: installing the grading tools failed")
    stamp = {"venv": os.path.abspath(GRADING_VENV), "python": "%d.%d" % sys.version_info[:2],
             "key": key, "extras": ["grading"]}
    with open(os.path.join(GRADING_VENV, STAMP_NAME), "w") as handle:
        json.dump(stamp, handle, indent=1)
    return python


def is_root():
    return hasattr(os, "geteuid") and os.geteuid() == 0


def command_line(command, arguments):
    """The command that ``command`` runs inside .venv, with the user's ``arguments``."""
    python = venv_python()
    if command == "lab":
        # JupyterLab refuses to run as root unless told it may (CI and containers).
        return ([python, "-m", "jupyterlab", "--ip=127.0.0.1", "--no-browser",
                 "--ServerApp.root_dir=notebooks"] + (["--allow-root"] if is_root() else [])
                + arguments)
    if command == "lint":
        return [python, "-m", "ruff", "check", "."] + arguments
    if command == "test":
        # Two workers (pytest-xdist), each file on one: a notebook's cells share one kernel.
        return [python, "-m", "pytest", "-n", "2", "--dist", "loadfile"] + arguments
    if command == "notebooks":
        # The five course notebooks, then the going-further ones.
        notebooks = (sorted(glob.glob(os.path.join(ROOT, "notebooks", "0*.ipynb")))
                     + sorted(glob.glob(os.path.join(ROOT, "notebooks", "going_further", "0*.ipynb"))))
        if len(notebooks) != 10:
            raise SystemExit("dev.py: expected 5 course and 5 going-further notebooks under %s, found %d"
                             % (ROOT, len(notebooks)))
        return ([python, "-m", "nbconvert", "--to", "notebook", "--execute", "--inplace",
                 "--ExecutePreprocessor.store_widget_state=False"] + notebooks + arguments)
    if command == "present":
        return [python, os.path.join("scripts", "present.py")] + arguments
    if command == "handout":
        return [python, os.path.join("scripts", "handout.py")] + arguments
    raise ValueError("no single command line for %r" % command)


def main(argv=None):
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in COMMANDS:
        print("usage: python scripts/dev.py {%s} [arguments...]" % ",".join(COMMANDS), file=sys.stderr)
        return 2
    command, arguments = argv[0], argv[1:]
    if command == "clean":
        for name in (".venv", ".venv-grading", "test-artifacts", ".pytest_cache", ".hypothesis", ".ruff_cache"):
            shutil.rmtree(os.path.join(ROOT, name), ignore_errors=True)
        return 0
    problem = check_python()
    if problem:
        print("dev.py: " + problem, file=sys.stderr)
        return 2
    if command == "grading":
        return run([ensure_grading_venv(), os.path.join("scripts", "build_grading.py")] + arguments)
    if command == "grading-test":
        folder = os.path.join("tests", "class_grading")
        return run([ensure_grading_venv(), "-m", "pytest", "-c", os.path.join(folder, "pytest-grading.ini"),
                    os.path.join(folder, "grading_job.py")] + arguments)
    ensure_venv(EXTRA[command])
    if command == "venv":
        return 0
    if command == "lab":
        print("Starting JupyterLab on 127.0.0.1; open the URL it prints below.", flush=True)
    if command == "test":
        # ruff first (it takes a second), then pytest even if ruff found something,
        # so that one run shows both; either failing fails the command.
        lint = run(command_line("lint", []))
        tests = run(command_line("test", arguments))
        return lint or tests
    if command == "class":
        ensure_venv("class")
        environment = dict(os.environ, POOLVIZ_CLASS_TEST="1", POOLVIZ_CLASS_VENV=VENV)
        return run_for_at_most([venv_python(), "-m", "pytest", "-p", "no:cacheprovider", "--durations=0",
                                os.path.join("tests", "class_hub")] + arguments, CLASS_TIME_LIMIT, environment)
    if command == "bench":
        for script in ("bench_pooling.py", "bench_widgets.py"):
            status = run([venv_python(), os.path.join("benchmarks", script)] + arguments)
            if status != 0:
                return status
        return 0
    return run(command_line(command, arguments))


if __name__ == "__main__":
    sys.exit(main())
