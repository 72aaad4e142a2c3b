"""Build the graded versions of the course's exercises: an otter-grader assignment
(with the Gradescope autograder zip) and an nbgrader course, from one list.

    python scripts/build_grading.py [--out build/grading]   # `make grading` runs it

The list is class/grading/exercises.toml: (notebook, exercise, check, points).
For each notebook, the graded sheet is its "Exercises" section (the prompts and the
answer cells as the course notebook has them) after a setup cell; the worked
solution of each exercise, the "# Exercise N" section of notebooks/solutions/,
goes into its answer cell inside the grader's solution markers, so that the
students' copies get `answer_N = None` and nothing of the solution. Each
exercise gets two tests:

* a public one: the course's check, with ``graded=True`` in otter (an unanswered
  exercise fails; a wrong one fails with the check's hint, never the answer); in
  nbgrader without it, so that a student's Run All goes on past open exercises;
* a hidden one: the same check with ``graded=True``, from freshly reloaded modules,
  so that a submission which replaces the check function in its notebook still fails.

otter: the tests are in the exception format (its doctest format would print the
expected output, i.e. the answer, in the feedback); the public test is worth 0
points and the hidden one the exercise's points. nbgrader: one autograder test
cell per exercise, worth its points, with the hidden part between
``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``.

Needs the grading environment (otter-grader and nbgrader, requirements/grading-lock.txt;
`make grading` sets it up in .venv-grading).
"""

import argparse
import json
import os
import re
import shutil
import sys
import textwrap
import tomllib
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
EXERCISES = ROOT / "class" / "grading" / "exercises.toml"
NOTEBOOKS = ROOT / "notebooks"
#: poolviz's runtime requirements, pinned as in the course lock, for Gradescope's image
#: (the autograder zip carries the poolviz package itself).
GRADESCOPE_REQUIREMENTS = ("numpy", "matplotlib", "traitlets")


def load_exercises(path=EXERCISES):
    """The rows of the list, grouped by notebook, each with its solution code."""
    rows = tomllib.loads(Path(path).read_text())["exercise"]
    by_notebook = {}
    for row in rows:
        for key, kind in (("notebook", str), ("exercise", int), ("check", str), ("points", int)):
            if not isinstance(row.get(key), kind) or isinstance(row.get(key), bool):
                raise ValueError(f"{path}: {key} should be a {kind.__name__}, got {row.get(key)!r} in {row}")
        if row["points"] <= 0:
            raise ValueError(f"{path}: points should be positive, got {row['points']!r} in {row}")
        by_notebook.setdefault(row["notebook"], []).append(dict(row))
    return by_notebook


def module_name(notebook):
    """``01_pooling`` -> ``nb01`` (poolviz.exercises.nb01)."""
    return "nb" + notebook[:2]


def solution_sections(notebook):
    """(import lines, {exercise number: code}) of notebooks/solutions/<NN>_solutions.py."""
    text = (NOTEBOOKS / "solutions" / f"{notebook[:2]}_solutions.py").read_text()
    text = text.split('\nif __name__ == "__main__":')[0]
    parts = re.split(r"^(?=# Exercise \d+\b)", text, flags=re.MULTILINE)
    imports = [line for line in parts[0].splitlines() if line.startswith(("import ", "from "))]
    sections = {int(re.match(r"# Exercise (\d+)", part)[1]): part.strip() for part in parts[1:]}
    return imports, sections


def exercise_cells(notebook):
    """The cells of the notebook's "Exercises" section, without the link to the worked solutions."""
    cells = nbformat.read(NOTEBOOKS / f"{notebook}.ipynb", as_version=4).cells
    start = next(i for i, cell in enumerate(cells)
                 if cell.cell_type == "markdown" and re.search(r"^## \d+\. Exercises", cell.source, re.M))
    return [cell for cell in cells[start:] if "solutions/" not in cell.source]


def answer_cell_parts(source, number):
    """The course's answer cell split around ``answer_N = None``: (before and that line, after)."""
    lines = source.splitlines()
    where = [i for i, line in enumerate(lines) if line.strip() == f"answer_{number} = None"]
    if len(where) != 1:
        raise ValueError(f"expected one line 'answer_{number} = None' in the answer cell, got:\n{source}")
    return "\n".join(lines[:where[0] + 1]), "\n".join(lines[where[0] + 1:])


def public_test(row, graded=True):
    module = module_name(row["notebook"])
    return (f"from poolviz.exercises import {module}\n"
            f"{module}.{row['check']}(answer_{row['exercise']}{', graded=True' if graded else ''})")


def hidden_test(row):
    module = module_name(row["notebook"])
    return ("import importlib\n"
            f"from poolviz.exercises import _harness, {module}\n"
            "importlib.reload(_harness)  # the check as shipped, whatever the notebook changed\n"
            f"importlib.reload({module}).{row['check']}(answer_{row['exercise']}, graded=True)")


def sheet(notebook, rows):
    """The graded sheet as (kind, content) items: markdown, code, setup and answer items."""
    imports, solutions = solution_sections(notebook)
    module = module_name(notebook)
    setup = "\n".join(dict.fromkeys([
        "# Setup: run this cell first.", "import numpy as np", "", "import poolviz", "from poolviz import data",
        f"from poolviz.exercises import {module} as exercises", *imports]))
    intro = (f"# Graded exercises of notebook {notebook[:2]}\n\n"
             f"The exercises of `{notebook}.ipynb`, to hand in. Work through that notebook first: the "
             "names an exercise mentions from it are not defined in this sheet, so define here what "
             "your answer uses. Run every cell from the top: each check says *Correct*, or raises an "
             "error that says what is wrong, as in the course notebook.")
    by_number = {row["exercise"]: row for row in rows}
    items, answered = [("markdown", intro), ("setup", setup)], set()
    for cell in exercise_cells(notebook):
        found = re.search(r"exercises\.(check_\w+)\(answer_(\d+)\)", cell.source)
        if cell.cell_type == "code" and found:
            number = int(found[2])
            row = by_number.get(number)
            if row is None or row["check"] != found[1]:
                raise ValueError(f"{notebook}: the answer cell of exercise {number} calls {found[1]}; "
                                 f"{EXERCISES.name} says {row and row['check']}")
            before, after = answer_cell_parts(cell.source, number)
            items.append(("answer", row, before, solutions[number], after))
            answered.add(number)
        else:
            items.append((cell.cell_type, cell.source))
    if answered != set(by_number):
        raise ValueError(f"{notebook}: {EXERCISES.name} lists exercises {sorted(by_number)}, "
                         f"the notebook has answer cells for {sorted(answered)}")
    return items


def _raw(text):
    return nbformat.v4.new_raw_cell(text)


def otter_master(notebook, rows):
    """otter assign's master notebook for ``notebook``."""
    config = {
        "name": notebook, "requirements": "requirements.txt", "overwrite_requirements": False,
        "files": ["poolviz"], "init_cell": False, "check_all_cell": False, "export_cell": False,
        "run_tests": True, "tests": {"ok_format": False, "files": False},
        "generate": {"pdf": False, "filtering": False},
    }
    cells = [_raw("# ASSIGNMENT CONFIG\n" + json.dumps(config, indent=1))]  # JSON is YAML too
    for kind, *content in sheet(notebook, rows):
        if kind == "answer":
            row, before, solution, after = content
            cells += [
                _raw(f"# BEGIN QUESTION\nname: exercise_{row['exercise']}\npoints: [0, {row['points']}]\n"
                     "check_cell: false"),
                # otter strips solution lines only in cells of a solution block: without these two
                # raw cells the worked solution would reach the students' notebook.
                _raw("# BEGIN SOLUTION"),
                nbformat.v4.new_code_cell(f"{before}\n# BEGIN SOLUTION NO PROMPT\n{solution}\n# END SOLUTION\n{after}"),
                _raw("# END SOLUTION"),
                _raw("# BEGIN TESTS"),
                nbformat.v4.new_code_cell(_test_function(f"test_exercise_{row['exercise']}", row, public_test(row))),
                nbformat.v4.new_code_cell("# HIDDEN\n" + _test_function(
                    f"test_exercise_{row['exercise']}_hidden", row, hidden_test(row))),
                _raw("# END TESTS"), _raw("# END QUESTION")]
        elif kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(content[0]))
        else:
            cells.append(nbformat.v4.new_code_cell(content[0]))
    return nbformat.v4.new_notebook(cells=cells, metadata=_kernel_metadata())


def _test_function(name, row, body):
    """An exception-format test: a function of the answer, and its call (run when otter assign tests it)."""
    answer = f"answer_{row['exercise']}"
    return f"def {name}({answer}):\n{textwrap.indent(body, '    ')}\n\n{name}({answer})"


def nbgrader_source(notebook, rows):
    """nbgrader's source notebook for ``notebook``."""
    def metadata(grade_id, *, grade=False, solution=False, locked=False, points=None):
        meta = {"grade": grade, "solution": solution, "locked": locked, "grade_id": grade_id, "schema_version": 3}
        if points is not None:
            meta["points"] = points
        return {"nbgrader": meta}
    cells = []
    for kind, *content in sheet(notebook, rows):
        if kind == "answer":
            row, before, solution, after = content
            number = row["exercise"]
            cells += [
                nbformat.v4.new_code_cell(f"{before}\n### BEGIN SOLUTION\n{solution}\n### END SOLUTION\n{after}",
                                          metadata=metadata(f"answer_{number}", solution=True)),
                # The visible part prints "Not answered yet" like the course, so that Run All goes on;
                # the hidden part (graded=True) fails an unanswered exercise.
                nbformat.v4.new_code_cell(
                    f"# Grading exercise {number} (keep this cell).\n{public_test(row, graded=False)}\n"
                    f"### BEGIN HIDDEN TESTS\n{hidden_test(row)}\n### END HIDDEN TESTS",
                    metadata=metadata(f"test_{number}", grade=True, locked=True, points=row["points"]))]
        elif kind == "setup":
            cells.append(nbformat.v4.new_code_cell(content[0], metadata=metadata("setup", locked=True)))
        elif kind == "markdown":
            cells.append(nbformat.v4.new_markdown_cell(content[0]))
        else:
            cells.append(nbformat.v4.new_code_cell(content[0]))
    return nbformat.v4.new_notebook(cells=cells, metadata=_kernel_metadata())


def _kernel_metadata():
    return {"kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}}


def _locked_versions(names):
    pins = dict(line.split("==") for line in (ROOT / "requirements" / "lock.txt").read_text().splitlines()
                if "==" in line and not line.startswith("#"))
    return [f"{name}=={pins[name]}" for name in names]


def build_otter(by_notebook, out):
    """build/grading/otter/<notebook>/: master.ipynb, and dist/ from `otter assign` (student notebook,
    autograder zip for Gradescope)."""
    from otter.assign import main as otter_assign  # in this process: importing otter takes seconds

    for notebook, rows in by_notebook.items():
        folder = out / "otter" / notebook
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        shutil.copytree(ROOT / "poolviz", folder / "poolviz", ignore=shutil.ignore_patterns("__pycache__"))
        (folder / "requirements.txt").write_text("\n".join(_locked_versions(GRADESCOPE_REQUIREMENTS)) + "\n")
        nbformat.write(otter_master(notebook, rows), folder / f"{notebook}.ipynb")
        # One after the other: kernels started side by side can pick the same port (ZMQError: Address in use).
        print(f"+ otter assign {notebook}.ipynb dist (in {folder})", flush=True)
        otter_assign(str(folder / f"{notebook}.ipynb"), str(folder / "dist"))  # raises if a test fails


def build_nbgrader(by_notebook, out):
    """build/grading/nbgrader/: a course directory with source/ and, from `nbgrader generate_assignment`,
    release/ (the students' notebooks)."""
    course = out / "nbgrader"
    shutil.rmtree(course, ignore_errors=True)
    course.mkdir(parents=True)
    (course / "nbgrader_config.py").write_text(textwrap.dedent("""\
        c = get_config()  # noqa: F821 - nbgrader's config loader defines it
        c.CourseDirectory.course_id = "pooling"
        # The answer cell keeps the course's `answer_N = None`: no "raise NotImplementedError()" stub.
        c.ClearSolutions.code_stub = {"python": ""}
        """))
    api = nbgrader_api(course)
    for notebook, rows in by_notebook.items():
        (course / "source" / notebook).mkdir(parents=True)
        nbformat.write(nbgrader_source(notebook, rows), course / "source" / notebook / f"{notebook}.ipynb")
        print(f"+ nbgrader generate_assignment {notebook} --create --force", flush=True)
        result = api.generate_assignment(notebook, force=True, create=True)
        if not result["success"]:
            raise SystemExit(f"nbgrader generate_assignment {notebook} failed:\n{result.get('error')}")


def nbgrader_api(course):
    """nbgrader's Python API on the course directory ``course``, with its nbgrader_config.py."""
    from nbgrader.apps import NbGraderAPI
    from traitlets.config.loader import PyFileConfigLoader

    # The gradebook runs the `alembic` command, which is beside this Python, not always on PATH.
    bin_folder = str(Path(sys.executable).parent)
    if bin_folder not in os.environ["PATH"].split(os.pathsep):
        os.environ["PATH"] = bin_folder + os.pathsep + os.environ["PATH"]
    config = PyFileConfigLoader("nbgrader_config.py", path=str(course)).load_config()
    config.CourseDirectory.root = str(course)
    return NbGraderAPI(config=config)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "grading", help="output folder")
    parser.add_argument("--only", choices=["otter", "nbgrader"], help="build one of the two")
    arguments = parser.parse_args(argv)
    by_notebook = load_exercises()
    if arguments.only != "nbgrader":
        build_otter(by_notebook, arguments.out.resolve())
    if arguments.only != "otter":
        build_nbgrader(by_notebook, arguments.out.resolve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
