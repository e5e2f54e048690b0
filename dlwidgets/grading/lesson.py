"""What the grader knows about one lesson: its exercises, tests, points and setup imports.

Everything is read from the single-source lesson notebook (solutions and hidden tests
inside their markers, nbgrader metadata on the cells), so a new lesson needs no grading
configuration: solution cells carry ``{solution: true, grade_id}``, test cells carry
``{grade: true, locked: true, points, grade_id}``, and each test cell belongs to the
solution cell above it.
"""

from __future__ import annotations

import ast
import json
import pathlib
from dataclasses import dataclass, field

from ..authoring.student import BEGIN_HIDDEN, student_notebook

__all__ = ["Exercise", "Lesson", "load_lesson", "find_lesson", "cell_source", "nbgrader_meta"]


def cell_source(cell: dict) -> str:
    """A cell's source as one string (notebooks store it as a string or a list of lines)."""
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def nbgrader_meta(cell: dict) -> dict:
    meta = cell.get("metadata", {})
    meta = meta.get("nbgrader", {}) if isinstance(meta, dict) else {}
    return meta if isinstance(meta, dict) else {}


@dataclass
class Exercise:
    """One solution cell and the test cells that grade it."""

    name: str                      # the solution cell's grade_id, e.g. "conv2d_single"
    tests: list[str] = field(default_factory=list)   # grade_ids of its test cells, in order
    points: float = 0.0


@dataclass
class Lesson:
    """A lesson notebook seen by the grader."""

    name: str                      # file stem, e.g. "08_convolutions"; the nbgrader assignment id
    source: dict                   # the single-source notebook (solutions, hidden tests)
    release: dict                  # the student version
    exercises: list[Exercise]
    test_points: dict[str, float]  # test grade_id -> points
    setup_bindings: dict[str, str]  # name -> "module" or "module:attribute", from the setup cells' imports

    @property
    def max_points(self) -> float:
        return sum(self.test_points.values())

    @property
    def grade_ids(self) -> set[str]:
        return {nbgrader_meta(c)["grade_id"] for c in self.source["cells"] if nbgrader_meta(c).get("grade_id")}

    @property
    def solution_ids(self) -> list[str]:
        return [e.name for e in self.exercises]

    def exercise_of(self, test_id: str) -> Exercise | None:
        return next((e for e in self.exercises if test_id in e.tests), None)

    def source_cell(self, grade_id: str) -> dict | None:
        return next((c for c in self.source["cells"] if nbgrader_meta(c).get("grade_id") == grade_id), None)

    def release_cell(self, grade_id: str) -> dict | None:
        return next((c for c in self.release["cells"] if nbgrader_meta(c).get("grade_id") == grade_id), None)

    def visible_test_source(self, test_id: str) -> str:
        """A test cell as the learner sees it (hidden tests removed)."""
        return cell_source(self.release_cell(test_id) or {}).rstrip()

    def has_hidden_tests(self, test_id: str) -> bool:
        return BEGIN_HIDDEN in cell_source(self.source_cell(test_id) or {})

    def preload_modules(self) -> list[str]:
        """Modules the lesson's setup cells import: a warm kernel imports them in advance."""
        return sorted({binding.split(":")[0] for binding in self.setup_bindings.values()})

    def test_names(self) -> set[str]:
        """Names the test cells read (the check module, answers, ...)."""
        names: set[str] = set()
        for test_id in self.test_points:
            try:
                tree = ast.parse(cell_source(self.source_cell(test_id)))
            except SyntaxError:
                continue
            names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        return names

    def answer_names(self) -> set[str]:
        """Names the reference solutions define: the learner's answers."""
        names: set[str] = set()
        for exercise in self.exercises:
            try:
                tree = ast.parse(cell_source(self.source_cell(exercise.name)))
            except SyntaxError:
                continue
            names |= bound_names(tree)
        return names


def bound_names(tree: ast.AST) -> set[str]:
    """Top-level names a piece of code binds (assignments, defs, classes, imports)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                names.add((alias.asname or alias.name).split(".")[0])
    return names


def import_bindings(tree: ast.AST) -> dict[str, str]:
    """name -> "module" or "module:attribute" for the imports in ``tree`` (top level only)."""
    bindings: dict[str, str] = {}
    for node in getattr(tree, "body", []):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.asname:
                    bindings[alias.asname] = alias.name
                else:
                    bindings[alias.name.split(".")[0]] = alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            for alias in node.names:
                if alias.name != "*":
                    bindings[alias.asname or alias.name] = f"{node.module}:{alias.name}"
    return bindings


def _setup_bindings(source: dict) -> dict[str, str]:
    bindings: dict[str, str] = {}
    for cell in source["cells"]:
        if cell.get("cell_type") != "code" or nbgrader_meta(cell):
            continue
        try:
            bindings.update(import_bindings(ast.parse(cell_source(cell))))
        except SyntaxError:
            continue
    # "from package import name" may bind a module: record it as one
    import importlib
    import types

    for name, target in list(bindings.items()):
        if ":" in target:
            module, attribute = target.split(":")
            try:
                value = getattr(importlib.import_module(module), attribute, None)
                if value is None:
                    value = importlib.import_module(f"{module}.{attribute}")
            except Exception:
                continue
            if isinstance(value, types.ModuleType):
                bindings[name] = value.__name__
    return bindings


def load_lesson(path) -> Lesson:
    """Read a single-source lesson notebook."""
    path = pathlib.Path(path)
    source = json.loads(path.read_text(encoding="utf-8"))
    exercises: list[Exercise] = []
    test_points: dict[str, float] = {}
    for cell in source["cells"]:
        meta = nbgrader_meta(cell)
        if meta.get("solution") and cell.get("cell_type") == "code":
            exercises.append(Exercise(meta["grade_id"]))
        if meta.get("grade") and cell.get("cell_type") == "code":
            points = float(meta.get("points", 0))
            test_points[meta["grade_id"]] = points
            if exercises:
                exercises[-1].tests.append(meta["grade_id"])
                exercises[-1].points += points
    return Lesson(name=path.stem, source=source, release=student_notebook(source), exercises=exercises,
                  test_points=test_points, setup_bindings=_setup_bindings(source))


def find_lesson(course_dir, wanted: str) -> pathlib.Path:
    """The lesson file in ``course_dir`` named by a number ("08"), a stem or a file name."""
    from ..authoring.student import course_lessons

    course_dir = pathlib.Path(course_dir)
    paths = course_lessons(course_dir)
    for path in paths:
        if wanted in (path.name, path.stem, path.name[:2]):
            return path
    raise SystemExit(f"no lesson {wanted!r} in {course_dir} (lessons: {', '.join(p.stem for p in paths)})")
