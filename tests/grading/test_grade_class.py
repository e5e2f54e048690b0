"""Grading the test class end to end, through the command line, once per session."""

import json
import re
import time

import pytest

pytest.importorskip("nbgrader", reason="grading runs nbgrader, which comes with the instructor extra")

from .conftest import EXERCISES, EXPECTED, LESSON, grade_args, run_cli, tree_digest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_the_grade_a_human_grader_would_give(graded_class, student):
    points, status, reason_words = EXPECTED[student]
    row = graded_class["rows"][student]
    assert [float(row[e]) for e in EXERCISES] == points, row
    assert float(row["total"]) == sum(points)
    assert float(row["max_total"]) == 10
    assert row["status"] == status, row
    for word in reason_words:
        assert word in row["reason"], (word, row["reason"])


def test_every_student_in_the_folder_has_exactly_one_row(graded_class):
    assert set(graded_class["rows"]) == set(EXPECTED)


def test_the_submissions_folder_is_never_modified(graded_class):
    assert tree_digest(graded_class["submissions"]) == graded_class["before"]


def test_the_summary_table_names_every_student_and_status(graded_class):
    printed = graded_class["printed"]
    for student, (_, status, _) in EXPECTED.items():
        assert re.search(rf"^{re.escape(student)}\s.*\s{status}\b", printed, re.M), student
    assert "18 students:" in printed


def test_nbgraders_own_gradebook_agrees_with_the_csv(graded_class):
    from nbgrader.api import Gradebook

    with Gradebook(f"sqlite:///{graded_class['grading'] / 'gradebook.db'}") as gb:
        for student, row in graded_class["rows"].items():
            submission = gb.find_submission(LESSON, student)
            assert submission.score == pytest.approx(float(row["total"])), student


def test_feedback_never_shows_hidden_tests_or_tracebacks(graded_class):
    pages = list((graded_class["grading"] / "feedback" / LESSON).glob("*.html"))
    assert len(pages) == len(EXPECTED)
    for page in pages:
        text = page.read_text(encoding="utf-8")
        for secret in ("extra_cases", "hidden=True", "HIDDEN TESTS", "Traceback", "(33, 4, 1, 3, 2)", "_dlw_"):
            assert secret not in text, (page.name, secret)


def test_feedback_shows_the_visible_verdict_and_the_diagnosis(graded_class):
    page = (graded_class["grading"] / "feedback" / LESSON / "mistaken.html").read_text(encoding="utf-8")
    assert "the dilation is missing" in page
    assert "hint(&#x27;conv_output_size&#x27;)" in page
    perfect = (graded_class["grading"] / "feedback" / LESSON / "perfect.html").read_text(encoding="utf-8")
    assert "Score: 10 / 10" in perfect and "Hidden tests: passed." in perfect


def test_a_second_run_grades_only_what_changed(graded_class, tmp_path):
    started = time.monotonic()
    printed = run_cli(*grade_args(graded_class["submissions"], graded_class["grading"]))
    assert "Graded now: 0, unchanged: 18" in printed
    assert time.monotonic() - started < graded_class["seconds"] / 2


def test_each_graded_submission_is_saved_on_its_own(graded_class):
    """An interrupted run keeps what it graded: every student has a saved state and notebook."""
    state = graded_class["grading"] / ".dlwidgets" / LESSON
    for student in EXPECTED:
        saved = json.loads((state / f"{student}.json").read_text(encoding="utf-8"))
        assert saved["row"]["student"] == student
    assert (graded_class["grading"] / "autograded" / "perfect" / LESSON / f"{LESSON}.ipynb").exists()
