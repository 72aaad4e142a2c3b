"""The package's layout: who may import what.

Window arithmetic has one public home (poolviz.pooling); the speed engine
(poolviz._engine, with its compiled loop poolviz._compiled) has one door,
``_engine.pool``, that only poolviz.pooling opens; private helpers come from
private modules, so no public module leans on another's internals.
"""

import ast
import pathlib

import pytest

import poolviz

PACKAGE = pathlib.Path(poolviz.__file__).parent
MODULES = sorted(PACKAGE.rglob("*.py"))


def _module_name(path):
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _is_private(module_name):
    return any(part.startswith("_") and part != "__init__" for part in module_name.split("."))


def _imports(path):
    """``(imported module, [names])`` of every ``from ... import`` in ``path``,
    relative imports resolved."""
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else node.module
            yield module, [alias.name for alias in node.names]


@pytest.mark.parametrize("path", [p for p in MODULES if not _is_private(_module_name(p))],
                         ids=lambda p: _module_name(p))
def test_a_public_module_takes_no_private_name_from_another_public_module(path):
    for module, names in _imports(path):
        if module.startswith("poolviz") and not _is_private(module):
            # A private module itself (``from . import _engine``) is fine.
            private = [name for name in names if name.startswith("_") and not (
                PACKAGE.parent / module.replace(".", "/") / f"{name}.py").exists()]
            assert private == [], f"{_module_name(path)} imports {private} from {module}"


def test_only_ops_opens_the_engine_and_only_through_its_door():
    users = {}
    for path in MODULES:
        source = path.read_text()
        tree = ast.parse(source)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) \
                    and node.value.id == "_engine":
                users.setdefault(_module_name(path), set()).add(node.attr)
        for module, names in _imports(path):
            if module in ("poolviz._engine", "poolviz._compiled") \
                    and _module_name(path) not in ("poolviz._engine", "poolviz.pooling"):
                raise AssertionError(f"{_module_name(path)} imports {names} from {module}")
            if module == "poolviz" and "_engine" in names and _module_name(path) != "poolviz.pooling":
                raise AssertionError(f"{_module_name(path)} imports the engine")
    assert users == {"poolviz.pooling": {"pool"}}


def test_window_arithmetic_is_written_once():
    """The output-size and same-padding formulas appear in poolviz.pooling
    only (the loops in poolviz.reference ask it too)."""
    for path in MODULES:
        if path.name == "windows.py":
            continue
        source = path.read_text()
        assert "-(-n // stride)" not in source and "(out - 1) * stride + pool - n" not in source, path
