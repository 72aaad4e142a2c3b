"""The grading job (.ci/run; `python scripts/dev.py grading-test`): builds the otter-grader and
nbgrader versions of the exercises with scripts/build_grading.py and grades submissions with both.

Runs in .venv-grading (requirements/grading-lock.txt), not in the course's suite: the file name
keeps `make test` from collecting it, and tests/class_grading/pytest.ini keeps the course's
pytest options (nbval) out. otter is driven through its Python API (`otter grade` needs Docker).

For every notebook, three submissions made from the students' own notebooks: each exercise
answered with its worked solution, each answered wrong (a mistake the check has a hint for),
and none answered; their scores are asserted exactly, under otter and under nbgrader.
"""

import html
import importlib.util
import json
import re
import zipfile
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("build_grading", ROOT / "scripts" / "build_grading.py")
build_grading = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(build_grading)

EXERCISES = build_grading.load_exercises()
NOTEBOOKS = sorted(EXERCISES)

#: (notebook, exercise): (a wrong answer's code, a fragment of the hint it gets, fragments of the
#: right answer that no feedback may show).
WRONG = {
    ("01_pooling", 1): ("answer_1 = (14, 13)", "the two are swapped", ["(13, 14)", "= 13"]),
    ("01_pooling", 2): ("answer_2 = 9", "not all of them", ["3 of 9"]),
    ("01_pooling", 3): ("answer_3 = poolviz.average_pool2d", "That is average pooling", []),
    ("02_detecting_vertical_lines", 1): ("answer_1 = data.VERTICAL_LINE_DETECTOR",
                                         "turn it on its side", []),
    ("02_detecting_vertical_lines", 2): ("answer_2 = 4 * 5 * 5 * 3", "add the biases", ["304"]),
    ("02_detecting_vertical_lines", 3): ("answer_3 = ((200, 170), (100, 85))",
                                         "the border rows and columns are lost", ["(195, 165)", "(97, 82)"]),
    ("03_average_pooling", 1): ("answer_1 = [0, 0, 0]", "average only the real cells", ["19.5"]),
    ("03_average_pooling", 2): ("answer_2 = 0", "jumps over one row and column", ["= 20 cells"]),
    ("03_average_pooling", 3): ("answer_3 = lambda feature_map, pool, stride: np.array(  # 'valid', by hand\n"
                                "    [[feature_map[r:r + pool, c:c + pool].mean()\n"
                                "      for c in range(0, feature_map.shape[1] - pool + 1, stride)]\n"
                                "     for r in range(0, feature_map.shape[0] - pool + 1, stride)])",
                                "That is 'valid' pooling", []),
    ("04_max_pooling", 1): ("answer_1 = [[0, 0], [0, 0]]", "is the max of input rows", ["[[0.9, 0.7]", "[[0.9 0.7]"]),
    ("04_max_pooling", 2): ("answer_2 = [[0, 0], [0, 0]]", "take the max of the real cells only",
                           ["[[-1.0, -3.0]", "[[-1. -3.]"]),
    ("04_max_pooling", 3): ("answer_3 = lambda feature_map, upstream: np.zeros_like(feature_map)",
                            "Each window sends its upstream value to its largest cell", []),
    ("05_global_pooling", 1): ("answer_1 = ((32, 7, 7, 64), (32, 7, 7, 64))",
                              "one number per image and channel", ["(32, 1, 1, 64)"]),
    ("05_global_pooling", 2): ("answer_2 = (0, 0)", "one bias per class", ["108170"]),
    ("05_global_pooling", 3): ("answer_3 = lambda batch: batch.max(axis=(1, 2))", "That is global max pooling", []),
    ("05_global_pooling", 4): ("answer_4 = (np.ones((6, 6)), np.ones((6, 6)))", "both global maxima are 1",
                              ["maxima 1 and 36"]),
    ("04_max_pooling", 4): ("answer_4 = [[True, True], [True, True]]", "positive largest value",
                           ["[[False, True]", "[[False  True]"]),
}
#: A submission that answers wrong and replaces the checks in its notebook so that they pass.
TAMPERED = ("01_pooling", "\n".join(f"exercises.{name} = lambda answer, **keywords: None" for name in (
    "check_output_sizes", "check_unchanged_after_shift", "check_pool_each_map")))
SUBMISSIONS = ("correct", "wrong", "unanswered")


def points(notebook):
    return {row["exercise"]: row["points"] for row in EXERCISES[notebook]}


def solution_lines(notebook):
    """The distinctive lines of the worked solutions that the exercises' own text does not show:
    what must not reach a student."""
    _, sections = build_grading.solution_sections(notebook)
    prompts = "\n".join(cell.source for cell in build_grading.exercise_cells(notebook))
    return {line.strip() for code in sections.values() for line in code.splitlines()
            if len(line.strip()) >= 12 and not line.strip().startswith("# Exercise") and line.strip() not in prompts}


def right_answer_fragments(notebook, number):
    """What a feedback must not show: the hand-picked fragments, and the solution's code lines
    (but those the exercise's text or the wrong answer itself shows)."""
    _, sections = build_grading.solution_sections(notebook)
    shown = "\n".join([*(cell.source for cell in build_grading.exercise_cells(notebook)), WRONG[notebook, number][0]])
    lines = [line.strip() for line in sections[number].splitlines()
             if len(line.strip()) >= 12 and not line.strip().startswith("#") and line.strip() not in shown]
    return ["Correct: ", *WRONG[notebook, number][2], *lines]


def submission(student_notebook, notebook, kind):
    """The students' notebook with every `answer_N = None` replaced as ``kind`` says: "correct",
    "wrong", "unanswered", or "tampered" (wrong, and the checks replaced in the first answer cell)."""
    nb = nbformat.read(student_notebook, as_version=4)
    _, solutions = build_grading.solution_sections(notebook)
    for cell in nb.cells:
        for number in points(notebook):
            line = f"answer_{number} = None"
            if cell.cell_type == "code" and line in cell.source.splitlines():
                answer = (solutions[number] if kind == "correct" else line if kind == "unanswered"
                          else WRONG[notebook, number][0])
                if kind == "tampered" and number == 1:
                    answer += "\n" + TAMPERED[1]
                cell.source = cell.source.replace(line, answer)
    return nb


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """build/grading as `make grading` writes it; `otter assign` runs the tests against the solutions
    and fails the build if one fails."""
    out = tmp_path_factory.mktemp("grading")
    assert build_grading.main(["--out", str(out)]) == 0
    return out


def test_the_one_list_covers_every_exercise_of_the_five_notebooks():
    assert NOTEBOOKS == sorted(p.stem for p in (ROOT / "notebooks").glob("0*.ipynb"))
    in_notebooks = {notebook: sorted({int(number) for cell in nbformat.read(
        ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4).cells if cell.cell_type == "code"
        for number in re.findall(r"^answer_(\d+) = None", cell.source, re.MULTILINE)}) for notebook in NOTEBOOKS}
    assert {notebook: sorted(points(notebook)) for notebook in NOTEBOOKS} == in_notebooks
    assert set(WRONG) == {(n, e) for n in NOTEBOOKS for e in points(n)}


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_the_autograder_zip_holds_exception_format_tests_one_public_one_hidden(built, notebook):
    [zip_path] = (built / "otter" / notebook / "dist" / "autograder").glob("*-autograder_*.zip")
    with zipfile.ZipFile(zip_path) as archive:
        names = set(archive.namelist())
        assert {"run_autograder", "setup.sh", "environment.yml", "files/poolviz/exercises/_harness.py"} <= names
        # Gradescope's image: otter-grader and poolviz's requirements at the course lock's versions.
        environment = archive.read("environment.yml").decode()
        assert "otter-grader[grading,plugins]==7.0.0" in environment and "numpy==2.4.6" in environment
        for number, worth in points(notebook).items():
            test = archive.read(f"tests/exercise_{number}.py").decode()
            assert "OK_FORMAT = False" in test and "Expecting" not in test  # not the doctest format
            assert f"points = [0, {worth}]" in test
            assert re.findall(r"@test_case\(points=None, hidden=(\w+)\)", test) == ["False", "True"]


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_no_solution_reaches_a_student_notebook(built, notebook):
    course = nbformat.read(ROOT / "notebooks" / f"{notebook}.ipynb", as_version=4)
    course_answer_cells = ["\n".join(line for line in c.source.splitlines() if line.strip())
                           for c in course.cells if c.cell_type == "code" and "answer_" in c.source]
    secret = solution_lines(notebook)
    for student in (built / "otter" / notebook / "dist" / "student" / f"{notebook}.ipynb",
                    built / "nbgrader" / "release" / notebook / f"{notebook}.ipynb"):
        cells = nbformat.read(student, as_version=4).cells
        text = "\n".join(cell.source for cell in cells)
        leaked = sorted(line for line in secret if line in text)
        assert leaked == [], f"{student}: solution lines reach the students: {leaked}"
        for marker in ("SOLUTION", "HIDDEN", "importlib.reload", "graded=True"):
            assert marker not in text, f"{student} holds {marker!r}"
        # The students' answer cells are the course notebook's, word for word (nbgrader leaves a blank line, so
        # blank lines are left out on both sides).
        answers = ["\n".join(line for line in c.source.splitlines() if line.strip())
                   for c in cells if c.cell_type == "code" and re.search(r"^answer_\d+ = None$", c.source, re.M)]
        assert answers == course_answer_cells, student


def _grade_with_otter(built, notebook, nb, name):
    import otter.api

    path = built / "submissions" / "otter" / notebook / f"{name}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, path)
    [zip_path] = (built / "otter" / notebook / "dist" / "autograder").glob("*-autograder_*.zip")
    return otter.api.grade_submission(str(path), str(zip_path), quiet=True)


@pytest.fixture(scope="module")
def otter_results(built):
    results = {}
    for notebook in NOTEBOOKS:
        student = built / "otter" / notebook / "dist" / "student" / f"{notebook}.ipynb"
        for kind in SUBMISSIONS + (("tampered",) if notebook == TAMPERED[0] else ()):
            results[notebook, kind] = _grade_with_otter(built, notebook, submission(student, notebook, kind), kind)
    return results


@pytest.fixture(scope="module")
def nbgrader_results(built):
    """Autograde every submission, write the feedback; {(notebook, kind): (scores by exercise, feedback text)}."""
    from nbgrader.api import Gradebook

    course = built / "nbgrader"
    api = build_grading.nbgrader_api(course)
    for notebook in NOTEBOOKS:
        student = course / "release" / notebook / f"{notebook}.ipynb"
        for kind in SUBMISSIONS + (("tampered",) if notebook == TAMPERED[0] else ()):
            folder = course / "submitted" / kind / notebook
            folder.mkdir(parents=True, exist_ok=True)
            nbformat.write(submission(student, notebook, kind), folder / f"{notebook}.ipynb")
            result = api.autograde(notebook, kind, force=True, create=True)
            assert result["success"], result.get("error") or result.get("log")
        result = api.generate_feedback(notebook, force=True)
        assert result["success"], result.get("error") or result.get("log")
    results = {}
    with Gradebook(f"sqlite:///{course / 'gradebook.db'}", "pooling") as gradebook:
        for notebook in NOTEBOOKS:
            for kind in SUBMISSIONS + (("tampered",) if notebook == TAMPERED[0] else ()):
                submitted = gradebook.find_submission_notebook(notebook, notebook, kind)
                scores = {int(grade.name.removeprefix("test_")): grade.score for grade in submitted.grades}
                feedback = course / "feedback" / kind / notebook / f"{notebook}.html"
                results[notebook, kind] = scores, html.unescape(feedback.read_text())
    return results


def expected_scores(notebook, kind):
    return {number: worth if kind == "correct" else 0 for number, worth in points(notebook).items()}


@pytest.mark.parametrize("kind", SUBMISSIONS)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_otter_scores(otter_results, notebook, kind):
    results = otter_results[notebook, kind]
    scores = {number: results.get_score(f"exercise_{number}") for number in points(notebook)}
    assert scores == expected_scores(notebook, kind)
    assert (results.total, results.possible) == (sum(scores.values()), sum(points(notebook).values()))


@pytest.mark.parametrize("kind", SUBMISSIONS)
@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_nbgrader_scores(nbgrader_results, notebook, kind):
    scores, _ = nbgrader_results[notebook, kind]
    assert scores == expected_scores(notebook, kind)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_otter_feedback_gives_the_hints_and_not_the_answers(otter_results, notebook):
    from otter.run.run_autograder.autograder_config import AutograderConfig

    for kind in ("wrong", "unanswered"):
        results = otter_results[notebook, kind]
        everything = json.dumps(results.to_gradescope_dict(AutograderConfig({"show_hidden": True})))
        for number in points(notebook):
            [public] = [r for r in results.results[f"exercise_{number}"].test_case_results if not r.test_case.hidden]
            expected = WRONG[notebook, number][1] if kind == "wrong" else "Not answered yet: "
            assert not public.passed and expected in public.message, (notebook, number, kind, public.message)
            shown = [fragment for fragment in right_answer_fragments(notebook, number) if fragment in everything]
            assert shown == [], (notebook, number, kind)


@pytest.mark.parametrize("notebook", NOTEBOOKS)
def test_nbgrader_feedback_gives_the_hints_and_not_the_answers(nbgrader_results, notebook):
    for kind in ("wrong", "unanswered"):
        _, feedback = nbgrader_results[notebook, kind]
        for number in points(notebook):
            expected = WRONG[notebook, number][1] if kind == "wrong" else "Not answered yet: "
            assert expected in feedback, (notebook, number, kind)
            shown = [fragment for fragment in right_answer_fragments(notebook, number) if fragment in feedback]
            assert shown == [], (notebook, number, kind)
    assert feedback.count("Not answered yet: ") >= len(points(notebook))


def test_a_submission_that_replaces_the_checks_in_its_notebook_scores_0(built, otter_results, nbgrader_results):
    """Both graders run the tests in the student's kernel, where the replaced checks are. Exercise 1's
    public test calls the replacement and passes; its hidden test reloads the checks and fails, and
    the reload puts the shipped checks back for every later test."""
    notebook = TAMPERED[0]
    results = otter_results[notebook, "tampered"]
    for number in points(notebook):
        cases = results.results[f"exercise_{number}"].test_case_results
        assert [(r.test_case.hidden, r.passed) for r in cases] == [(False, number == 1), (True, False)], number
        assert WRONG[notebook, number][1] in cases[1].message and "importlib.reload" in cases[1].message
    assert results.total == 0
    assert nbgrader_results[notebook, "tampered"][0] == expected_scores(notebook, "tampered")
    graded = nbformat.read(built / "nbgrader" / "autograded" / "tampered" / notebook / f"{notebook}.ipynb", 4)
    for number in points(notebook):
        [cell] = [c for c in graded.cells if c.metadata.get("nbgrader", {}).get("grade_id") == f"test_{number}"]
        [error] = [output for output in cell.outputs if output.output_type == "error"]
        traceback = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(error.traceback))  # without its colours
        assert WRONG[notebook, number][1] in traceback, traceback
        # Exercise 1's visible part called the replaced check and passed: the hidden part failed it.
        assert ("importlib.reload" in traceback) == (number == 1), traceback
