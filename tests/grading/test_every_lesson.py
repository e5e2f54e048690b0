"""Every lesson, present and future, graded through the real command: the reference solution gets
full marks, the student version 0, and a submission missing its last exercise loses exactly its points.

Lessons are found by their file names, so a new lesson joins these tests without any change here.
Each one's graded test cells must also follow the convention the grader relies on (checks.py).
"""

import csv
import json

import pytest

from dlwidgets.authoring.student import student_notebook
from dlwidgets.grading.checks import parse_test_cell
from dlwidgets.grading.lesson import cell_source, load_lesson

from .conftest import COURSE, _meta, _write, answered, needs_sandbox, run_cli

pytestmark = pytest.mark.slow
LESSONS = sorted(path.stem for path in COURSE.glob("[0-9][0-9]_*.ipynb"))


@pytest.mark.parametrize("name", LESSONS)
def test_every_graded_test_cell_is_only_check_calls_on_learner_names(name):
    lesson = load_lesson(COURSE / f"{name}.ipynb")
    assert lesson.test_points, f"{name} has no graded test cells"
    for test in lesson.test_points:
        calls = parse_test_cell(cell_source(lesson.source_cell(test)), lesson.setup_bindings, where=test)
        assert calls and not all(c.hidden for c in calls), test


@pytest.mark.parametrize("name", LESSONS)
def test_reference_full_marks_student_version_zero_and_a_missing_answer_its_points(name, tmp_path):
    needs_sandbox()
    lesson = load_lesson(COURSE / f"{name}.ipynb")
    last = lesson.exercises[-1]
    stub = next(cell_source(c) for c in lesson.release["cells"] if _meta(c).get("grade_id") == last.name)
    submissions = tmp_path / "submissions"
    _write(submissions / "reference.ipynb", answered(name))
    _write(submissions / "student.ipynb", student_notebook(json.loads((COURSE / f"{name}.ipynb").read_text("utf-8"))))
    _write(submissions / "partial.ipynb", answered(name, **{last.name: stub}))
    run_cli("grade", name[:2], str(submissions), "--course", str(COURSE), "--grading-dir", str(tmp_path / "grading"),
            "--quiet")
    with open(tmp_path / "grading" / f"{name}-grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert {s: (float(r["total"]), r["status"]) for s, r in rows.items()} == {
        "reference": (lesson.max_points, "ok"),
        "student": (0.0, "ok"),
        "partial": (lesson.max_points - last.points, "ok"),
    }, {s: r["reason"] for s, r in rows.items()}
