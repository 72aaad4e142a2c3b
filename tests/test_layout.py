"""The package stays small and its layout stays honest (issue 18's numbers as guards).

Sizes: poolviz/ at most 5,350 lines, no module over 600, at most 12 modules
directly in poolviz/, at most 68 public names outside the exercise modules.
Issue 18 set 4,500 lines and 60 names for the course of then; issue 21 added three
lessons (the receptive field, ReLU and max pooling, the Lp family from average to
max), whose two explorers, functions and exercise checks took the package to 5,137 lines and 66 names;
the later reading rounds added the census's per-paper counts, four going-further exercise checks, and the
exercise checks' refusal of ready-made poolings (wrappers, defaults, closures): 5,312 lines.
Structure: no import cycle (lazy imports included), no public module leaning on another
public module's private names, `import poolviz` light, numba nowhere.
Everything is read with ``ast`` (nothing of poolviz is imported here), except
the light-import check, which imports poolviz in a fresh interpreter.
"""

import ast
import pathlib
import subprocess
import sys
import tomllib

import pytest
from packaging.requirements import Requirement

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "poolviz"
MODULES = sorted(PACKAGE.rglob("*.py"))

MAX_LINES_IN_ALL = 5350
MAX_LINES_PER_MODULE = 600
MAX_TOP_LEVEL_MODULES = 12
MAX_PUBLIC_NAMES = 68
HEAVY = ("tensorflow", "keras", "ipywidgets", "matplotlib")


def _module_name(path):
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


NAMES = {_module_name(path): path for path in MODULES}


def _is_private(module_name):
    return any(part.startswith("_") for part in module_name.split("."))


def _lines(path):
    return len(path.read_text().splitlines())


def test_the_package_is_found():
    # A wrong path would find nothing and every guard below would pass.
    assert {"poolviz", "poolviz.pooling", "poolviz.exercises"} <= set(NAMES)


# --------------------------------------------------------------------------
# Sizes
# --------------------------------------------------------------------------

def test_the_package_stays_within_its_line_budget():
    total = sum(_lines(path) for path in MODULES)
    assert total <= MAX_LINES_IN_ALL, f"poolviz/ has {total} lines"


def test_no_module_is_over_600_lines():
    long = {_module_name(path): _lines(path) for path in MODULES if _lines(path) > MAX_LINES_PER_MODULE}
    assert long == {}


def test_at_most_12_modules_directly_in_the_package():
    top_level = sorted(path.name for path in PACKAGE.glob("*.py"))
    assert len(top_level) <= MAX_TOP_LEVEL_MODULES, top_level


def _public_names(path):
    """The module's ``__all__``; without one, its public top-level definitions."""
    tree = ast.parse(path.read_text())
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else (
            [node.target] if isinstance(node, ast.AnnAssign) and node.value is not None else [])
        if any(isinstance(target, ast.Name) and target.id == "__all__" for target in targets):
            return set(ast.literal_eval(node.value))
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {target.id for target in targets if isinstance(target, ast.Name)}
    return {name for name in names if not name.startswith("_")}


def test_public_names_outside_the_exercises_stay_within_budget():
    # The exercise modules' check functions are the course's, so they are not counted;
    # a name re-exported by several modules (poolviz and poolviz.pooling) counts once.
    names = set()
    for module, path in NAMES.items():
        if not _is_private(module) and not module.startswith("poolviz.exercises"):
            names |= _public_names(path)
    assert len(names) <= MAX_PUBLIC_NAMES, sorted(names)


def test_public_names_counts_all_or_public_definitions(tmp_path):
    with_all = tmp_path / "with_all.py"
    with_all.write_text('__all__ = ["a", "B"]\ndef a(): pass\nclass B: pass\ndef c(): pass\n')
    without = tmp_path / "without.py"
    without.write_text("import os\nfrom x import y\nLIMIT = 3\ndef f(): pass\ndef _g(): pass\nclass C: pass\n")
    assert _public_names(with_all) == {"a", "B"}
    assert _public_names(without) == {"LIMIT", "f", "C"}


# --------------------------------------------------------------------------
# Imports
# --------------------------------------------------------------------------

def _top_level_statements(body, functions=False):
    """Statements that run when the module is imported (with ``functions``,
    also those of function bodies, which run when called), never those of
    ``if TYPE_CHECKING:`` blocks."""
    for node in body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) and not functions:
            continue
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            yield from _top_level_statements(node.orelse, functions)
            continue
        yield node
        for field in ("body", "orelse", "finalbody", "handlers"):
            yield from _top_level_statements(getattr(node, field, []) or [], functions)


def _resolve(path, node):
    """The absolute module a ``from ... import`` in ``path`` names."""
    if not node.level:
        return node.module
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for _ in range(node.level - 1):
        package = package.rpartition(".")[0]
    return f"{package}.{node.module}" if node.module else package


def _imports(path, top_level_only=False, run_time_only=False):
    """``(module, [names])`` for every import in ``path`` (``names`` empty for ``import x``):
    those run on import, those run on import or in a call, or all of them."""
    tree = ast.parse(path.read_text())
    nodes = (_top_level_statements(tree.body) if top_level_only else
             _top_level_statements(tree.body, functions=True) if run_time_only else ast.walk(tree))
    for node in nodes:
        if isinstance(node, ast.ImportFrom):
            yield _resolve(path, node), [alias.name for alias in node.names]
        elif isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, []


def _import_graph():
    """poolviz module -> the poolviz modules it imports, on import or in a
    function (a lazy import hides a cycle, it does not remove it).

    ``from P import name`` depends on the submodule P.name when there is one
    (Python imports it even while P is half-initialised), else on P itself.
    """
    graph = {}
    for module, path in NAMES.items():
        edges = set()
        for imported, names in _imports(path, run_time_only=True):
            if imported.split(".")[0] != "poolviz":
                continue
            submodules = [f"{imported}.{name}" for name in names if f"{imported}.{name}" in NAMES]
            edges |= set(submodules)
            if len(submodules) < len(names) or not names:
                edges.add(imported)
        graph[module] = edges - {module}
    return graph


def _find_cycle(graph):
    """One import cycle as a list of modules, or None."""
    state = {}

    def visit(module, trail):
        state[module] = "open"
        for target in sorted(graph.get(module, ())):
            if state.get(target) == "open":
                return trail[trail.index(target):] + [target]
            if target not in state:
                found = visit(target, trail + [target])
                if found:
                    return found
        state[module] = "done"
        return None

    for module in sorted(graph):
        if module not in state:
            found = visit(module, [module])
            if found:
                return found
    return None


def test_no_import_cycle_among_poolviz_modules():
    cycle = _find_cycle(_import_graph())
    assert cycle is None, " -> ".join(cycle)


def test_the_cycle_finder_finds_a_cycle_and_only_a_cycle():
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b", "c"}, "b": {"c"}, "c": set()}) is None


def test_lazy_imports_count_for_cycles_and_type_checking_ones_do_not():
    tree = ast.parse("import poolviz\ntry:\n    from poolviz import plot\nexcept ImportError:\n    pass\n"
                     "def f():\n    import poolviz.widgets\nif TYPE_CHECKING:\n    import poolviz.explorer\n")
    def imports(**how):
        return [ast.unparse(node) for node in _top_level_statements(tree.body, **how)
                if isinstance(node, (ast.Import, ast.ImportFrom))]
    assert imports() == ["import poolviz", "from poolviz import plot"]
    assert imports(functions=True) == ["import poolviz", "from poolviz import plot", "import poolviz.widgets"]


@pytest.mark.parametrize("path", [p for p in MODULES if not _is_private(_module_name(p))],
                         ids=lambda p: _module_name(p))
def test_a_public_module_takes_no_private_name_from_another_public_module(path):
    for module, names in _imports(path):
        if module.split(".")[0] == "poolviz" and not _is_private(module):
            # A private module itself (``from . import _checks``) is fine.
            private = [name for name in names if name.startswith("_") and f"{module}.{name}" not in NAMES]
            assert private == [], f"{_module_name(path)} imports {private} from {module}"


def test_import_poolviz_stays_light():
    code = ("import sys, poolviz; "
            f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(HEAVY)!r}))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                            cwd=ROOT).stdout.strip()
    assert loaded == "[]"


# --------------------------------------------------------------------------
# numba is gone (issue 18): no import, no extra, no pin
# --------------------------------------------------------------------------

GONE = {"numba", "llvmlite"}


def test_no_python_file_imports_numba():
    paths = [*MODULES, *ROOT.glob("tests/**/*.py"), *ROOT.glob("benchmarks/*.py"), *ROOT.glob("scripts/*.py")]
    found = [f"{path.relative_to(ROOT)}: {module}" for path in paths for module, _ in _imports(path)
             if module and module.split(".")[0] in GONE]
    assert found == []


def test_numba_is_in_no_requirement_and_no_pin():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    requirements = [*project["dependencies"], *(r for extra in project["optional-dependencies"].values()
                                                for r in extra)]
    assert {Requirement(r).name.lower() for r in requirements} & GONE == set()
    assert "fast" not in project["optional-dependencies"]
    for pins in ("requirements/lock.txt", ".ci/lower-bounds.txt", "binder/requirements.txt", "environment.yml"):
        words = {word.lower() for line in (ROOT / pins).read_text().splitlines()
                 for word in line.split("#")[0].replace("==", " ").replace("[", " ").replace(",", " ").split()}
        assert words & GONE == set() and "fast]" not in (ROOT / pins).read_text(), pins
