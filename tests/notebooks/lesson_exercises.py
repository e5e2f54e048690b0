"""Find a lesson's exercises from its nbgrader metadata, for the course-wide quality tests.

An exercise is a solution cell (nbgrader ``solution: true``). Its kind follows from what the
solution region does: ``def`` -> an implement exercise; one letter assigned -> multiple choice;
numbers assigned -> a prediction; anything else (``widget.settings()``) -> a widget challenge.
The question a learner reads is the nearest markdown cell above the solution cell.
"""

from __future__ import annotations

import ast
import json
import math
import pathlib
import re
from dataclasses import dataclass, field

import numpy as np

from dlwidgets.authoring.student import BEGIN_SOLUTION, END_SOLUTION, student_notebook

__all__ = ["Exercise", "Option", "lesson_exercises", "visible_text", "numbers_in", "source"]

OPTION_LINE = re.compile(r"^\s*[*-]\s*\(([a-e])\)\s*(.*)$")


def source(cell) -> str:
    text = cell.get("source", "")
    return "".join(text) if isinstance(text, list) else text


@dataclass
class Option:
    letter: str
    text: str


@dataclass
class Exercise:
    lesson: str
    cell: int                       # index of the solution cell
    grade_id: str
    kind: str                       # "implement", "choice", "predict", "widget"
    names: list[str] = field(default_factory=list)          # what the learner defines
    values: dict = field(default_factory=dict)              # predict: name -> number; choice: name -> letter
    prompt: str = ""                                        # the markdown above the solution cell
    prompt_cell: int = -1
    options: list[Option] = field(default_factory=list)

    @property
    def where(self) -> str:
        return f"{self.lesson}, cell {self.cell} ({self.grade_id})"

    def stem(self) -> str:
        """The prompt without its heading, up to the first option."""
        lines = []
        for line in self.prompt.split("\n"):
            if OPTION_LINE.match(line):
                break
            if not line.lstrip().startswith("#"):
                lines.append(line)
        return "\n".join(lines).strip()


def _solution_region(text: str) -> str:
    inside, lines = False, []
    for line in text.split("\n"):
        if line.strip() == BEGIN_SOLUTION:
            inside = True
        elif line.strip() == END_SOLUTION:
            inside = False
        elif inside:
            lines.append(line)
    return "\n".join(lines)


def _options(prompt: str) -> list[Option]:
    options: list[Option] = []
    for line in prompt.split("\n"):
        match = OPTION_LINE.match(line)
        if match:
            options.append(Option(match.group(1), match.group(2).strip()))
        elif options and line.startswith("  ") and line.strip():
            options[-1].text += " " + line.strip()      # a continuation line of the option
        elif options and not line.strip():
            continue
        elif options:
            break
    return options


def _evaluate(region: str) -> dict | None:
    """The names a value-only solution assigns, evaluated with numpy and math only; None if it does more."""
    try:
        tree = ast.parse(region)
    except SyntaxError:
        return None
    namespace = {"np": np, "math": math}
    for node in tree.body:
        if not (isinstance(node, ast.Assign) and all(isinstance(t, ast.Name) for t in node.targets)):
            return None
        try:
            value = eval(compile(ast.Expression(node.value), "<solution>", "eval"), {"__builtins__": {}}, dict(namespace))
        except Exception:
            return None
        for target in node.targets:
            namespace[target.id] = value
    return {k: v for k, v in namespace.items() if k not in ("np", "math")}


def lesson_exercises(path) -> list[Exercise]:
    """The exercises of one lesson notebook (its single-source version), in order."""
    path = pathlib.Path(path)
    cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
    found = []
    for index, cell in enumerate(cells):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell.get("cell_type") != "code" or not meta.get("solution"):
            continue
        text = source(cell)
        region = _solution_region(text)
        prompt_cell = next((i for i in range(index - 1, -1, -1) if cells[i]["cell_type"] == "markdown"), -1)
        prompt = source(cells[prompt_cell]) if prompt_cell >= 0 else ""
        exercise = Exercise(path.name, index, meta.get("grade_id", f"cell {index}"), "widget",
                            prompt=prompt, prompt_cell=prompt_cell)
        tree = ast.parse(text)
        defs = [n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
        values = None if defs else _evaluate(region)
        if defs:
            exercise.kind, exercise.names = "implement", defs
        elif values and all(isinstance(v, str) and re.fullmatch(r"[a-e]", v) for v in values.values()):
            exercise.kind, exercise.names, exercise.values = "choice", list(values), values
            exercise.options = _options(prompt)
        elif values and all(isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool)
                            for v in values.values()):
            exercise.kind, exercise.names, exercise.values = "predict", list(values), {k: float(v) for k, v in values.items()}
        else:
            exercise.names = [t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                              if isinstance(t, ast.Name)]
        found.append(exercise)
    return found


def visible_text(path, before: int) -> str:
    """Everything a learner can read in the student version above cell ``before``: markdown, code and the
    saved text outputs (the student version keeps every output but the exercises')."""
    nb = student_notebook(json.loads(pathlib.Path(path).read_text(encoding="utf-8")))
    parts = []
    for cell in nb["cells"][:before]:
        parts.append(source(cell))
        for output in cell.get("outputs", []):
            if output.get("output_type") == "stream":
                parts.append(source({"source": output.get("text", "")}))
            for mime in ("text/plain", "text/markdown", "text/html"):
                if mime in output.get("data", {}):
                    parts.append(source({"source": output["data"][mime]}))
    return "\n".join(parts)


_NUMBER = re.compile(
    r"(?<![\w.])[-+−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+−]?\d+)?%?"
    r"|(?<![\w.])[-+−]?\.\d+%?"
)
_POWER = re.compile(r"(\d+(?:\.\d+)?)\s*(?:\\times|×|\\cdot|·)\s*10\^\{?([-+−]?\d+)\}?")


def numbers_in(text: str) -> list[float]:
    """Every number written in ``text``: 29,440, 0.25, 4.8e-11, 40.1% (as 0.401), 9\\times10^{-13}."""
    found = []
    for match in _POWER.finditer(text):
        found.append(float(match.group(1)) * 10.0 ** int(match.group(2).replace("−", "-")))
    for match in _NUMBER.finditer(text):
        token = match.group(0).replace(",", "").replace("−", "-")
        percent = token.endswith("%")
        try:
            value = float(token.rstrip("%"))
        except ValueError:
            continue
        found.append(value / 100 if percent else value)
        if percent:
            found.append(value)
    return found
