"""The graded exercises' sources, checked in the course's own environment (the grading tools
themselves are tested by the grading job, grading_job.py, in .venv-grading): checks under
grading, the one list against the notebooks and the worked solutions, the grading lock."""

import contextlib
import importlib.util
import io
import re
from pathlib import Path

import pytest
from packaging.utils import canonicalize_name
from packaging.version import Version

from poolviz.exercises import going_further, nb01, nb02, nb03, nb04, nb05

ROOT = Path(__file__).resolve().parents[2]


def _load(name):
    spec = importlib.util.spec_from_file_location(name, ROOT / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


build_grading = _load("build_grading")
EXERCISES = build_grading.load_exercises()
CHECKS = [getattr(module, name) for module in (nb01, nb02, nb03, nb04, nb05, going_further)
          for name in dir(module) if name.startswith("check_")]


@pytest.mark.parametrize("check", CHECKS, ids=lambda check: f"{check.__module__.rsplit('.', 1)[1]}.{check.__name__}")
def test_under_grading_an_unanswered_exercise_fails_with_the_hint_students_see(check, capsys):
    check(None)
    printed = capsys.readouterr().out
    with pytest.raises(AssertionError) as caught:
        check(None, graded=True)
    assert capsys.readouterr().out == ""
    assert printed.startswith("Not answered yet: ") and str(caught.value) == printed.strip()


def test_graded_is_a_keyword_only_switch():
    with pytest.raises(TypeError):
        nb01.check_output_sizes(None, True)


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_each_worked_solution_from_the_list_passes_its_check_under_grading(notebook):
    """What build_grading puts inside the solution markers, run after the sheet's setup imports."""
    imports, sections = build_grading.solution_sections(notebook)
    rows = EXERCISES[notebook]
    assert sorted(sections) == sorted(row["exercise"] for row in rows)
    module = importlib.import_module(f"poolviz.exercises.{build_grading.module_name(notebook)}")
    namespace = {}
    exec("\n".join(["import numpy as np", "import poolviz", "from poolviz import data", *imports]), namespace)
    for row in rows:
        exec(sections[row["exercise"]], namespace)
        with contextlib.redirect_stdout(io.StringIO()) as printed:
            getattr(module, row["check"])(namespace[f"answer_{row['exercise']}"], graded=True)
        assert printed.getvalue().startswith("Correct: "), row


@pytest.mark.parametrize("notebook", sorted(EXERCISES))
def test_the_sheet_has_the_notebooks_answer_cells_in_order_and_no_link_to_the_solutions(notebook):
    items = build_grading.sheet(notebook, EXERCISES[notebook])
    answers = [item[1] for item in items if item[0] == "answer"]
    assert [(row["exercise"], row["check"]) for row in answers] == [
        (row["exercise"], row["check"]) for row in sorted(EXERCISES[notebook], key=lambda row: row["exercise"])]
    assert not any("solutions/" in item[1] for item in items if item[0] == "markdown")
    assert items[1][0] == "setup" and f"import {build_grading.module_name(notebook)} as exercises" in items[1][1]


def test_the_list_is_refused_with_the_field_and_value_named(tmp_path):
    bad = tmp_path / "exercises.toml"
    bad.write_text('[[exercise]]\nnotebook = "01_pooling"\nexercise = 1\ncheck = "check_output_sizes"\npoints = 0\n')
    with pytest.raises(ValueError, match="points should be positive, got 0"):
        build_grading.load_exercises(bad)
    bad.write_text('[[exercise]]\nnotebook = "01_pooling"\nexercise = "1"\ncheck = "check_output_sizes"\npoints = 1\n')
    with pytest.raises(ValueError, match="exercise should be a int, got '1'"):
        build_grading.load_exercises(bad)


def _pins(path):
    return {canonicalize_name(m[1]): m[2] for m in re.finditer(r"^([A-Za-z0-9_.\-]+)==(\S+)$", path.read_text(), re.M)}


def test_the_grading_lock_differs_from_the_course_lock_only_by_wrapt_and_the_grading_tools():
    course, grading = _pins(ROOT / "requirements" / "lock.txt"), _pins(ROOT / "requirements" / "grading-lock.txt")
    differing = {name: (course[name], grading[name]) for name in course.keys() & grading.keys()
                 if course[name] != grading[name]}
    assert differing == {"wrapt": ("2.5.2", "1.17.3")}
    assert Version(grading["otter-grader"]).major == 7 and grading["nbgrader"].startswith("0.9.")
    # What the grading environment needs from the course: poolviz's own requirements.
    assert {"numpy", "matplotlib", "traitlets"} <= grading.keys()
