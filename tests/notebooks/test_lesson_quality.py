"""Every lesson makes the learner think: the checklist of the course's design, enforced on every lesson in
course/, present and future. Exercises are found from nbgrader metadata (see lesson_exercises.py), the text a
learner sees from the generated student version.
"""

import ast
import json
import math
import re

import pytest

from dlwidgets.authoring.student import lesson_paths

from .conftest import COURSE
from .lesson_exercises import lesson_exercises, numbers_in, source, visible_text

LESSONS = lesson_paths(COURSE)
EXERCISES = {path.name: lesson_exercises(path) for path in LESSONS}
CHOICES = [e for exercises in EXERCISES.values() for e in exercises if e.kind == "choice"]
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"


def _cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def _ids(paths):
    return [p.name for p in paths]


# ---------------------------------------------------------------- predictions

# A whole number from -10 to 10 occurs in any text (a kernel of 3, 2 layers): such answers are not searched for.
SMALL = 10
# A number in the text gives an answer away when it is within this relative distance of it (0.4014 ~ "40.1%").
CLOSE = 0.002


def _gives_away(number, value):
    return math.isclose(number, value, rel_tol=CLOSE, abs_tol=0.0)


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_no_prediction_answer_is_printed_above_its_exercise(path):
    """A prediction asks about something the lesson has not shown: its expected value appears nowhere in the
    student version's text, code or saved outputs above the answer cell."""
    problems = []
    for exercise in EXERCISES[path.name]:
        if exercise.kind != "predict":
            continue
        numbers = numbers_in(visible_text(path, exercise.cell))
        for name, value in exercise.values.items():
            if float(value).is_integer() and abs(value) <= SMALL:
                continue
            shown = [n for n in numbers if _gives_away(n, value)]
            if shown:
                problems.append(f"{exercise.where}: `{name}` = {value:g} is already shown above it "
                                f"(as {shown[0]:g}); ask about another layer or setting")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- multiple choice

@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_every_multiple_choice_question_has_a_stem_that_asks_and_real_options(path):
    problems = []
    for exercise in EXERCISES[path.name]:
        if exercise.kind != "choice":
            continue
        letters = [o.letter for o in exercise.options]
        if len(letters) < 3 or letters != [chr(ord("a") + i) for i in range(len(letters))]:
            problems.append(f"{exercise.where}: expected options (a), (b), (c)... as bullets in the markdown above, "
                            f"found {letters}")
        if "?" not in exercise.stem():
            problems.append(f"{exercise.where}: the question has no stem asking a question (no '?' before the "
                            f"options): {exercise.stem()[:80]!r}")
        for name, letter in exercise.values.items():
            if letter not in letters:
                problems.append(f"{exercise.where}: the answer {letter!r} of `{name}` is not one of the options")
    assert not problems, "\n".join(problems)


def _answer(exercise):
    return next(iter(exercise.values.values()))


def test_correct_letters_are_spread_evenly_across_the_course():
    """Each letter is the answer about as often as chance would make it: over all N multiple-choice questions,
    the number c_L of questions whose answer is letter L lies within two standard deviations of its expectation
    under a uniformly random answer, E_L = sum over questions offering L of 1/k (k options), Var_L = sum of
    (1/k)(1 - 1/k)."""
    assert CHOICES, "no multiple-choice questions found"
    problems = []
    for letter in "abcde":
        offering = [e for e in CHOICES if letter in {o.letter for o in e.options}]
        if not offering:
            continue
        count = sum(_answer(e) == letter for e in offering)
        expected = sum(1 / len(e.options) for e in offering)
        sd = math.sqrt(sum((1 / len(e.options)) * (1 - 1 / len(e.options)) for e in offering))
        if abs(count - expected) > 2 * sd:
            problems.append(f"({letter}) is the answer of {count} of the {len(offering)} questions that offer it; "
                            f"expected {expected:.1f} +- {2 * sd:.1f}")
    answers = ", ".join(f"{e.lesson}:{e.grade_id}={_answer(e)}" for e in CHOICES)
    assert not problems, "\n".join(problems) + f"\nanswers: {answers}"


def test_the_correct_option_is_not_the_longest_more_often_than_chance():
    """The number X of questions whose correct option is strictly the longest (in characters) is at most two
    standard deviations above what chance gives: E = sum of 1/k, Var = sum of (1/k)(1 - 1/k), k options each."""
    longest = [e for e in CHOICES
               if all(len(o.text) < len(next(c.text for c in e.options if c.letter == _answer(e)))
                      for o in e.options if o.letter != _answer(e))]
    expected = sum(1 / len(e.options) for e in CHOICES)
    sd = math.sqrt(sum((1 / len(e.options)) * (1 - 1 / len(e.options)) for e in CHOICES))
    assert len(longest) <= expected + 2 * sd, (
        f"the correct option is the longest in {len(longest)} of {len(CHOICES)} questions; chance gives "
        f"{expected:.1f}, at most {expected + 2 * sd:.1f} allowed. Shorten these correct options or lengthen "
        f"their distractors: " + ", ".join(e.where for e in longest))


# ---------------------------------------------------------------- implement exercises

def _core_bindings(tree):
    """name -> what it is bound to, for every name an import from dlwidgets.core binds in this code."""
    bound = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("dlwidgets.core"):
            for alias in node.names:
                bound[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.module == "dlwidgets":
            for alias in node.names:
                if alias.name == "core":
                    bound[alias.asname or alias.name] = "dlwidgets.core"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("dlwidgets.core") and alias.asname:
                    bound[alias.asname] = alias.name
    return bound


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_no_exercise_name_is_bound_to_the_library_outside_the_learners_cells(path):
    """The reference function is never in the notebook under the exercise's own name: a learner who forgets to
    run their cell must not be checked against the library's own code."""
    names = {n for e in EXERCISES[path.name] for n in e.names}
    problems = []
    for index, cell in enumerate(_cells(path)):
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] != "code" or meta.get("solution"):
            continue
        try:
            tree = ast.parse(source(cell))
        except SyntaxError:
            continue
        for name, target in _core_bindings(tree).items():
            if name in names:
                problems.append(f"{path.name}, cell {index}: `{name}` is the name of an exercise but is bound to "
                                f"{target}; import the module (`from dlwidgets import core`) or another name")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- graded cells (the grader relies on this)

def _is_check_call(node):
    return (isinstance(node, ast.Expr) and isinstance(node.value, ast.Call)
            and isinstance(node.value.func, ast.Attribute) and isinstance(node.value.func.value, ast.Name)
            and node.value.func.value.id == "ex" and node.value.func.attr.startswith("check_"))


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_graded_test_cells_hold_only_check_calls(path):
    """The grader replays each graded test cell's ``ex.check_*(...)`` calls in its own process: nothing else may
    be there."""
    problems = []
    for index, cell in enumerate(_cells(path)):
        if not cell.get("metadata", {}).get("nbgrader", {}).get("grade") or cell["cell_type"] != "code":
            continue
        for node in ast.parse(source(cell)).body:
            if not _is_check_call(node):
                problems.append(f"{path.name}, cell {index}: {ast.unparse(node)[:80]!r} is not an ex.check_*(...) call")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- predict, then reveal

@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_every_widget_in_the_lesson_is_preceded_by_a_prediction(path):
    """Before the learner moves a widget, the markdown just above asks them to commit to a guess ("Predict")."""
    cells = _cells(path)
    end = next((i for i, c in enumerate(cells) if c["cell_type"] == "markdown" and "## Exercises" in source(c)),
               len(cells))
    problems = []
    for index, cell in enumerate(cells[:end]):
        if cell["cell_type"] != "code" or not any(WIDGET_VIEW in o.get("data", {}) for o in cell.get("outputs", [])):
            continue
        above = []
        for previous in range(index - 1, -1, -1):
            if cells[previous]["cell_type"] != "markdown":
                break
            above.append(source(cells[previous]))
        if "Predict" not in "\n".join(above):
            problems.append(f"{path.name}, cell {index}: the widget has no 'Predict ...' prompt in the markdown "
                            "just above it")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- references between lessons

LESSON_REFERENCE = re.compile(r"\b[Ll]essons?\s+(\d{2})((?:\s*(?:,|and|or|to|-|–)\s*\d{2})*)")


@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_references_name_only_lessons_that_exist(path):
    existing = {p.name[:2] for p in LESSONS}
    problems = []
    for index, cell in enumerate(_cells(path)):
        if cell["cell_type"] != "markdown":
            continue
        for match in LESSON_REFERENCE.finditer(source(cell)):
            numbers = [match.group(1)] + re.findall(r"\d{2}", match.group(2))
            missing = [n for n in numbers if n not in existing]
            if missing:
                problems.append(f"{path.name}, cell {index}: {match.group(0)!r} refers to lesson(s) "
                                f"{', '.join(missing)}, which the course does not have yet")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- how a lesson ends

@pytest.mark.parametrize("path", LESSONS, ids=_ids(LESSONS))
def test_every_lesson_ends_with_the_notes_errors_it_corrected_and_links(path):
    """The last markdown cell (the summary) names the notes' errors the lesson corrected and links its reading."""
    last = next(source(c) for c in reversed(_cells(path)) if c["cell_type"] == "markdown")
    problems = []
    if not re.search(r"notes'? errors?", last, re.IGNORECASE):
        problems.append("it does not list the notes' errors the lesson corrected (write 'The notes' errors corrected "
                        "here: ...', or say that there were none)")
    if not re.search(r"\]\(https?://", last):
        problems.append("it links no paper or reading")
    assert not problems, f"{path.name}, last markdown cell: " + "; ".join(problems)
