"""The reference-call flag: an exercise answered by calling the course library's own implementation.

Static analysis of the submission (parsed, never run), in the grader. Names are followed
the way Python resolves a global when the checks call the learner's function, by the last
binding in notebook order: an import from ``dlwidgets.core`` under any alias
(``from dlwidgets.core import conv2d as c``, ``import dlwidgets.core as dc``), a plain
alias of one (``c2 = dc.conv2d``), a check module's copy (``ex.conv2d``), or a learner's
helper, in any cell (an added one too), whose body reaches one of these. A learner's own
``def`` with the same name as a library function is the learner's function, not a
reference call. What the lesson's own reference solution of an exercise uses is allowed
for that exercise.
"""

from __future__ import annotations

import ast
import importlib
import types
from dataclasses import dataclass

from .lesson import cell_source, nbgrader_meta

__all__ = ["ReferenceCall", "reference_calls"]

_LIBRARY = "dlwidgets.core"


@dataclass(frozen=True)
class ReferenceCall:
    exercise: str
    used: str        # e.g. "dlwidgets.core.conv2d"


def _library_object(module: str, attribute: str | None = None) -> str | None:
    """The dotted library name a module (or its attribute) stands for, if it is the library's."""
    try:
        target = importlib.import_module(module)
        if attribute is not None:
            target = getattr(target, attribute)
    except Exception:
        if attribute is not None and module.startswith(_LIBRARY):
            return f"{module}.{attribute}"
        return None
    if isinstance(target, types.ModuleType):
        name = target.__name__
        return name if name == "dlwidgets" or name.startswith(_LIBRARY) else None
    owner = getattr(target, "__module__", "") or ""
    if owner.startswith(_LIBRARY) or (attribute is not None and module.startswith(_LIBRARY)):
        return f"{module}.{attribute}" if module.startswith(_LIBRARY) else f"{owner}.{getattr(target, '__name__', attribute)}"
    return None


class _Bindings:
    """Global names -> ("library", dotted) | ("module", name) | ("def", node) | ("other", None)."""

    def __init__(self):
        self.names: dict[str, tuple] = {}

    def resolve(self, node: ast.AST) -> str | None:
        """The library object an expression names, if any (``c``, ``dc.conv2d``, ``ex.conv2d``)."""
        if isinstance(node, ast.Name):
            kind, value = self.names.get(node.id, ("other", None))
            if kind == "library":
                return value
            if kind == "module":
                return _library_object(value)
            return None
        if isinstance(node, ast.Attribute):
            parts = []
            while isinstance(node, ast.Attribute):
                parts.append(node.attr)
                node = node.value
            if not isinstance(node, ast.Name):
                return None
            kind, value = self.names.get(node.id, ("other", None))
            if kind == "library":
                return value
            if kind != "module":
                return None
            dotted = ".".join([value, *reversed(parts)])
            try:
                target = importlib.import_module(value)
                for attribute in reversed(parts):
                    try:
                        target = getattr(target, attribute)
                    except AttributeError:
                        target = importlib.import_module(f"{target.__name__}.{attribute}")
            except Exception:
                return dotted if dotted.startswith(_LIBRARY + ".") else None
            if isinstance(target, types.ModuleType):
                return target.__name__ if target.__name__.startswith(_LIBRARY) else None
            owner = getattr(target, "__module__", "") or ""
            if not owner.startswith(_LIBRARY):
                return None
            return dotted if dotted.startswith(_LIBRARY) else f"{owner}.{getattr(target, '__name__', parts[0])}"
        return None

    def bind(self, statement: ast.stmt) -> None:
        """Apply one top-level statement's bindings."""
        if isinstance(statement, ast.Import):
            for alias in statement.names:
                if alias.asname:
                    self.names[alias.asname] = ("module", alias.name)
                else:
                    top = alias.name.split(".")[0]
                    self.names[top] = ("module", top)
        elif isinstance(statement, ast.ImportFrom) and statement.module and not statement.level:
            for alias in statement.names:
                if alias.name == "*":
                    continue
                bound = alias.asname or alias.name
                found = _library_object(statement.module, alias.name)
                try:
                    is_module = isinstance(getattr(importlib.import_module(statement.module), alias.name, None),
                                           types.ModuleType)
                except Exception:
                    is_module = False
                if is_module:
                    self.names[bound] = ("module", f"{statement.module}.{alias.name}")
                elif found and found != "dlwidgets":
                    self.names[bound] = ("library", found)
                else:
                    self.names[bound] = ("other", None)
        elif isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            self.names[statement.name] = ("def", statement)
        elif isinstance(statement, ast.ClassDef):
            self.names[statement.name] = ("other", None)
        elif isinstance(statement, ast.Assign):
            found = self.resolve(statement.value)
            is_module = isinstance(statement.value, ast.Name) and self.names.get(statement.value.id, ("",))[0] == "module"
            for target in statement.targets:
                for name in (n for n in ast.walk(target) if isinstance(n, ast.Name)):
                    if is_module and isinstance(target, ast.Name):
                        self.names[name.id] = self.names[statement.value.id]
                    elif found and isinstance(target, ast.Name):
                        self.names[name.id] = ("library", found)
                    else:
                        self.names[name.id] = ("other", None)
        else:
            for node in ast.walk(statement):
                if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store) and node.id in self.names \
                        and not isinstance(statement, (ast.If, ast.Try, ast.With)):
                    self.names[node.id] = ("other", None)
            if isinstance(statement, (ast.If, ast.Try, ast.With, ast.For, ast.While)):
                for child in ast.iter_child_nodes(statement):
                    if isinstance(child, ast.stmt):
                        self.bind(child)


def _uses(tree: ast.AST, bindings: _Bindings, tainted: dict[str, str]) -> list[str]:
    """The library objects ``tree`` reaches: directly, or through a learner helper."""
    used = []
    inner = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Attribute)}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Load) and id(node) not in inner:
            found = bindings.resolve(node)
            if found:
                used.append(found)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load):
            found = bindings.resolve(node)
            if found and bindings.names.get(node.id, ("",))[0] == "library":
                used.append(found)
            elif node.id in tainted:
                used.append(tainted[node.id])
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value.startswith("dlwidgets.core"):
            used.append(node.value)
    return list(dict.fromkeys(used))


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except SyntaxError:
        return None


def _analyse(cells: list[tuple[str | None, str]]) -> tuple[_Bindings, dict[str, str]]:
    """Final global bindings of a notebook's code cells, and learner helpers that reach the library."""
    bindings = _Bindings()
    for _, source in cells:
        tree = _parse(source)
        for statement in (tree.body if tree else []):
            bindings.bind(statement)
    tainted: dict[str, str] = {}
    changed = True
    while changed:
        changed = False
        for name, (kind, node) in bindings.names.items():
            if kind == "def" and name not in tainted:
                inner = [u for u in _uses(node, bindings, tainted) if u]
                own = [u for u in inner if u != tainted.get(name)]
                if own:
                    tainted[name] = own[0]
                    changed = True
    return bindings, tainted


def _code_cells(nb: dict, skip: set[str]) -> list[tuple[str | None, str]]:
    return [(nbgrader_meta(c).get("grade_id"), cell_source(c)) for c in nb.get("cells", [])
            if c.get("cell_type") == "code" and nbgrader_meta(c).get("grade_id") not in skip]


def _allowed(lesson) -> dict[str, set[str]]:
    """Library objects each exercise's reference solution itself uses."""
    cells = _code_cells(lesson.source, set(lesson.test_points))
    bindings, tainted = _analyse(cells)
    allowed = {}
    for gid, source in cells:
        if gid in {e.name for e in lesson.exercises}:
            tree = _parse(source)
            allowed[gid] = set(_uses(tree, bindings, tainted)) if tree else set()
    return allowed


def reference_calls(prepared_nb: dict, lesson) -> list[ReferenceCall]:
    """Exercises whose answer reaches the library's own implementation (beyond what the reference does)."""
    cells = _code_cells(prepared_nb, set(lesson.test_points))
    bindings, tainted = _analyse(cells)
    allowed = _allowed(lesson)
    found = []
    exercises = {e.name for e in lesson.exercises}
    for gid, source in cells:
        if gid not in exercises:
            continue
        tree = _parse(source)
        if tree is None:
            continue
        for used in _uses(tree, bindings, tainted):
            if used not in allowed.get(gid, set()):
                found.append(ReferenceCall(gid, used))
    return found
