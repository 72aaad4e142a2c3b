"""The course on a JupyterHub, as a class uses it (README, "Teaching a class").

A hub on 127.0.0.1 with configurable-http-proxy and a shared password serves the
repository's .venv (the locked course, test tools and the class extra: jupyterhub and
nbgitpuller) with binder/postBuild applied for the time of the test. Three students,
added through the hub's REST API, follow the README's nbgitpuller link exactly as written
(only the hub's address put in) and run notebook 01 over the kernel websocket. The
repository address in the link is the README's; git's ``url.insteadOf`` (in the students'
git config) sends it to a local copy of this working tree, so nothing leaves the machine.
Then the lecturer publishes a fix and the students follow the link again; and the link's
folder-name rules are tried on two more users.
Measurements go to test-artifacts/class-hub.json.
"""

import json
import os
import re
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from hub import ROOT, Hub, install_proxy, mem_available_kib, memory_kib, student_processes
from student import Student

STUDENTS = ["ada", "grace", "alan"]
NOTEBOOK = "notebooks/01_pooling.ipynb"
REPORT = ROOT / "test-artifacts" / "class-hub.json"
# The README's placeholder for the repository's owner, and the repository's folder name.
README_REPO = re.compile(r"repo=(https://github\.com/LECTURER/)(pooling-course)&")
# The fix the lecturer sends, and the students' own edits (README, "Sending fixes").
FIX_CELL, FIX_LINE = 2, 2
FIX = " [fixed by the lecturer]"
MINE = " [my own note]"


def readme_link():
    """The nbgitpuller link of the README's "Teaching a class" section (the one with https://HUB)."""
    text = (ROOT / "README.md").read_text()
    section = text.split("## Teaching a class", 1)[1].split("\n## ", 1)[0]
    links = set(re.findall(r"`(https://HUB/hub/user-redirect/git-pull\?[^`\s]+)`", section))
    assert len(links) == 1, "expected one nbgitpuller link in the README's class section, found %s" % links
    return links.pop()


def on_hub(link, hub_url):
    """The README's link for this hub: its address put in for https://HUB, nothing else changed."""
    return link.replace("https://HUB", hub_url, 1)


def git(*arguments, cwd):
    return subprocess.run(["git", *arguments], cwd=cwd, check=True, capture_output=True, text=True,
                          timeout=60).stdout


def apply_post_build(image):
    """binder/postBuild with NB_PYTHON_PREFIX=the image's venv, as repo2docker runs it.

    Returns the files it wrote, for the teardown to remove: .venv is also `make lab`'s and
    `make test`'s, which do not cull kernels. Files already there must be postBuild's own."""
    copies = {image / "etc" / "jupyter" / "jupyter_server_config.json": ROOT / "binder" / "jupyter_server_config.json",
              image / "share" / "jupyter" / "lab" / "settings" / "overrides.json": ROOT / "binder" / "overrides.json"}
    written = []
    if not any(target.exists() for target in copies):
        subprocess.run(["bash", "binder/postBuild"], cwd=ROOT, check=True, timeout=60,
                       env=dict(os.environ, NB_PYTHON_PREFIX=str(image)))
        written = list(copies)
    for target, source in copies.items():
        assert target.read_text() == source.read_text(), "%s differs from %s" % (target, source)
    return written


def publish_course(upstream):
    """A git repository (branch main) holding this working tree's tracked files, as the lecturer's copy."""
    files = git("ls-files", "-z", cwd=ROOT).split("\0")
    for name in filter(None, files):
        source = ROOT / name
        if source.is_file():
            (upstream / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, upstream / name)
    git("init", "-q", "-b", "main", cwd=upstream)
    git("add", "-A", cwd=upstream)
    git("-c", "user.name=Lecturer", "-c", "user.email=lecturer@example.invalid", "commit", "-q", "-m", "course",
        cwd=upstream)


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    work = tmp_path_factory.mktemp("class-hub")
    image = Path(os.environ["POOLVIZ_CLASS_VENV"])
    post_build_files = apply_post_build(image)
    try:
        proxy = install_proxy(work / "proxy")
        upstream = work / "upstream"
        (upstream / "pooling-course").mkdir(parents=True)
        publish_course(upstream / "pooling-course")
        # GitHub answers for NAME and NAME.git alike; so does this copy.
        (upstream / "pooling-course.git").symlink_to("pooling-course")
        gitconfig = work / "gitconfig"
        match = README_REPO.search(readme_link())
        assert match, "the README's link names its repository as https://github.com/LECTURER/pooling-course"
        gitconfig.write_text('[url "file://%s/"]\n\tinsteadOf = %s\n' % (upstream, match[1]))
        started = time.monotonic()
        running = Hub(work, image, proxy, {"GIT_CONFIG_GLOBAL": str(gitconfig)})
        running.upstream = upstream / "pooling-course"
        running.report = {"hub_start_s": round(time.monotonic() - started, 1)}
        try:
            yield running
        finally:
            leftovers = running.stop()
            REPORT.parent.mkdir(exist_ok=True)
            REPORT.write_text(json.dumps(running.report, indent=1) + "\n")
    finally:
        for path in post_build_files:
            path.unlink()
    assert leftovers == [], "processes outlived the hub: %s" % leftovers


@pytest.fixture(scope="module")
def students(hub):
    """The three students after they followed the README's link and ran notebook 01 (Run All)."""
    created = hub.admin("POST", "users", json={"usernames": STUDENTS})
    assert sorted(user["name"] for user in created) == sorted(STUDENTS)
    link = on_hub(readme_link(), hub.url)
    available_before = mem_available_kib()
    started = time.monotonic()

    def attend(name):
        student = Student(hub.url, name, hub.password)
        student.pull = student.follow_pull_link(link)
        student.opened = student.pull["opened"]
        student.ran, student.errors, _ = student.run_notebook(student.opened)
        return student

    pool = ThreadPoolExecutor(len(STUDENTS))
    try:
        attended = list(pool.map(attend, STUDENTS))
    finally:
        # Interrupted (dev.py's time limit), go straight to the teardown: stopping the hub
        # closes the students' websockets, and their threads end.
        pool.shutdown(wait=False, cancel_futures=True)
    hub.report["three_students_s"] = round(time.monotonic() - started, 1)
    # Memory while every student's server and kernel are alive, after Run All.
    memory = {}
    for student in attended:
        server, kernels = student_processes(hub.run_id, student.name)
        memory[student.name] = {"server": memory_kib(server), "kernels": [memory_kib(pid) for pid in kernels]}
    hub.report["memory_kib"] = memory
    hub.report["mem_available_drop_kib"] = available_before - mem_available_kib()
    mib = lambda kib: round(kib / 1024)
    hub.report["per_student_mib"] = {
        name: {"server_rss": mib(m["server"]["rss"]), "kernel_rss": mib(sum(k["rss"] for k in m["kernels"])),
               "rss": mib(m["server"]["rss"] + sum(k["rss"] for k in m["kernels"])),
               "pss": mib(m["server"]["pss"] + sum(k["pss"] for k in m["kernels"]))}
        for name, m in memory.items()}
    hub.report["mem_available_drop_per_student_mib"] = mib(hub.report["mem_available_drop_kib"] / len(STUDENTS))
    return attended


def test_each_student_follows_the_readme_link_and_runs_notebook_01(hub, students):
    code_cells = sum(cell["cell_type"] == "code" for cell in json.loads((ROOT / NOTEBOOK).read_text())["cells"])
    for student in students:
        phases = [event.get("phase") for event in student.pull["events"]]
        assert phases[-1] == "finished", (student.name, student.pull["events"])
        assert student.opened == "pooling-course/" + NOTEBOOK, student.pull["landing"]
        assert student.errors == [], (student.name, student.errors)
        counts = [cell["execution_count"] for cell in student.ran["cells"] if cell["cell_type"] == "code"]
        assert counts == list(range(1, code_cells + 1)), (student.name, counts)


def test_memory_per_student_is_a_server_and_one_kernel(hub, students):
    for name, memory in hub.report["memory_kib"].items():
        assert len(memory["kernels"]) == 1, (name, memory)
        # A kernel that has imported TensorFlow and run the notebook is far larger than its server.
        assert memory["kernels"][0]["rss"] > 2 * memory["server"]["rss"] > 0, (name, memory)


# ------------------------------------------------------------------ sending fixes

def with_note(source, line, note):
    """``source`` (a cell's text) with ``note`` at the end of its line number ``line``."""
    lines = source.splitlines(keepends=True)
    ending = "\n" if lines[line].endswith("\n") else ""
    lines[line] = lines[line][:len(lines[line]) - len(ending)] + note + ending
    return "".join(lines)


def publish_fix(upstream):
    """The lecturer fixes one line of a markdown cell of notebook 01 and commits it (the file's
    own formatting kept, as an editor that saves notebooks would)."""
    path = upstream / NOTEBOOK
    original = json.loads(path.read_text())["cells"][FIX_CELL]["source"][FIX_LINE]
    encoded = json.dumps(original, ensure_ascii=False)
    fixed = json.dumps(with_note(original, 0, FIX), ensure_ascii=False)
    text = path.read_text()
    assert text.count(encoded) == 1, encoded
    path.write_text(text.replace(encoded, fixed))
    git("-c", "user.name=Lecturer", "-c", "user.email=lecturer@example.invalid", "commit", "-q", "-am", "fix",
        cwd=upstream)


def test_a_fix_merges_unless_the_student_edited_the_same_line(hub, students):
    """Each student saves notebook 01 after Run All with an edit of their own; the lecturer then
    fixes line FIX_LINE of cell FIX_CELL; each student follows the link again."""
    ada, grace, alan = students
    last_line = len(ada.ran["cells"][FIX_CELL]["source"].splitlines()) - 1
    assert last_line - FIX_LINE > 3, "alan's edit must be lines away from the fix"
    edits = {"ada": (FIX_CELL + 3, 0),           # another cell
             "grace": (FIX_CELL, FIX_LINE),      # the very line the lecturer fixes
             "alan": (FIX_CELL, last_line)}      # the same cell, another line
    for student in students:
        cell, line = edits[student.name]
        notebook = student.ran
        notebook["cells"][cell]["source"] = with_note(notebook["cells"][cell]["source"], line, MINE)
        student.save_notebook(student.opened, notebook)
    publish_fix(hub.upstream)
    link = on_hub(readme_link(), hub.url)
    pulled = {}
    for student in students:
        events = student.follow_pull_link(link)["events"]
        assert events[-1]["phase"] == "finished", (student.name, events)
        raw = student.api("GET", "contents/" + student.opened, params={"type": "file", "format": "text"})
        assert "<<<<<<<" not in raw.json()["content"] and ">>>>>>>" not in raw.json()["content"]
        pulled[student.name] = (student.read_notebook(student.opened), events)
    fix_cell = lambda name: pulled[name][0]["cells"][FIX_CELL]["source"].splitlines()
    original_line = ada.ran["cells"][FIX_CELL]["source"].splitlines()[FIX_LINE]
    # Another cell: both the fix and the student's edit, and the outputs of Run All, are kept.
    assert fix_cell("ada")[FIX_LINE].endswith(FIX)
    assert pulled["ada"][0]["cells"][FIX_CELL + 3]["source"].splitlines()[0].endswith(MINE)
    assert [c.get("execution_count") for c in pulled["ada"][0]["cells"] if c["cell_type"] == "code"] == [
        c["execution_count"] for c in ada.ran["cells"] if c["cell_type"] == "code"]
    # The same cell, lines apart: merged too.
    assert fix_cell("alan")[FIX_LINE].endswith(FIX) and fix_cell("alan")[last_line].endswith(MINE)
    # The same line: the student's text stays, the fix is dropped, and nothing says so.
    assert fix_cell("grace")[FIX_LINE] == original_line.rstrip("\n") + MINE
    said = "\n".join(event.get("output", "") for event in pulled["grace"][1]).lower()
    assert "conflict" not in said, said
    hub.report["pull_after_fix_output_grace"] = said
    # What brings grace the fix: renaming her copy and following the link again (nbgitpuller
    # restores a notebook that is missing from the student's folder).
    student_path = grace.opened.replace(".ipynb", "-mine.ipynb")
    grace.api("PATCH", "contents/" + grace.opened, json={"path": student_path}).raise_for_status()
    assert grace.follow_pull_link(link)["events"][-1]["phase"] == "finished"
    assert grace.read_notebook(grace.opened)["cells"][FIX_CELL]["source"].splitlines()[FIX_LINE].endswith(FIX)
    assert grace.read_notebook(student_path)["cells"][FIX_CELL]["source"].splitlines()[FIX_LINE].endswith(MINE)


def test_git_drops_a_fix_next_to_a_students_edit(tmp_path):
    """The merge nbgitpuller runs (git merge -Xours), on a file of six lines: the lecturer fixes
    line 3, the student edited line 4. The two changes touch, git sees one conflict, and -Xours
    keeps the student's side of all of it: the fix is gone."""
    upstream, student = tmp_path / "upstream", tmp_path / "student"
    upstream.mkdir()
    who = ["-c", "user.name=x", "-c", "user.email=x@example.invalid"]
    (upstream / "notes.txt").write_text("a\nb\nc\nd\ne\nf\n")
    git("init", "-q", "-b", "main", cwd=upstream)
    git("add", "-A", cwd=upstream)
    git(*who, "commit", "-q", "-m", "course", cwd=upstream)
    git("clone", "-q", str(upstream), str(student), cwd=tmp_path)
    (upstream / "notes.txt").write_text("a\nb\nc FIX\nd\ne\nf\n")
    git(*who, "commit", "-q", "-am", "fix", cwd=upstream)
    (student / "notes.txt").write_text("a\nb\nc\nd MINE\ne\nf\n")
    git(*who, "commit", "-q", "-am", "mine", cwd=student)
    git("fetch", "-q", cwd=student)
    said = git(*who, "merge", "-Xours", "origin/main", cwd=student)
    assert (student / "notes.txt").read_text() == "a\nb\nc\nd MINE\ne\nf\n"
    assert "conflict" not in said.lower(), said


# ------------------------------------------------------------------ the link's folder name

def test_the_folder_is_the_last_part_of_the_repository_address(hub, students):
    """nbgitpuller clones into a folder named after the repository address's last part, as
    written: a `.git` ending stays in the name (and the README's urlpath no longer finds the
    notebook) unless targetpath= names the folder; a trailing slash is dropped. The cases on
    two more users, so that each starts from an empty home."""
    hub.admin("POST", "users", json={"usernames": ["dora", "edsger"]})
    link = on_hub(readme_link(), hub.url)
    with_git = link.replace("/pooling-course&", "/pooling-course.git&", 1)
    with_slash = link.replace("/pooling-course&", "/pooling-course/&", 1)
    assert with_git != link and with_slash != link
    found = {}
    edsger, dora = Student(hub.url, "edsger", hub.password), Student(hub.url, "dora", hub.password)
    for student, name, variant in [(edsger, ".git", with_git),
                                   (edsger, ".git, targetpath", with_git + "&targetpath=pooling-course"),
                                   (dora, "trailing slash", with_slash)]:
        pulled = student.follow_pull_link(variant)
        assert pulled["events"][-1]["phase"] == "finished", (name, pulled["events"])
        folders = sorted(item["name"] for item in student.api("GET", "contents/").json()["content"])
        found[name] = {"folders": folders, "opened": pulled["opened"], "exists": student.exists(pulled["opened"])}
    hub.report["folder_names"] = found
    notebook = "pooling-course/" + NOTEBOOK
    assert found[".git"] == {"folders": ["pooling-course.git"], "opened": notebook, "exists": False}
    assert found[".git, targetpath"] == {"folders": ["pooling-course", "pooling-course.git"], "opened": notebook,
                                         "exists": True}
    # A trailing slash does no harm: nbgitpuller 1.3.0's page strips it before naming the folder.
    assert found["trailing slash"] == {"folders": ["pooling-course"], "opened": notebook, "exists": True}
