"""Grading the test class (an adversarial one) end to end, through the command line, once per session."""

import json
import os
import pathlib
import re
import time

import pytest

from .conftest import EXERCISES, EXPECTED, LESSON, LINGER_MARK, grade_args, run_cli, tree_digest

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("student", sorted(EXPECTED))
def test_each_submission_gets_the_grade_a_human_grader_would_give(graded_class, student):
    points, status, reason_words = EXPECTED[student]
    row = graded_class["rows"][student]
    assert [float(row[e]) for e in EXERCISES] == points, row
    assert float(row["total"]) == sum(points)
    assert float(row["max_total"]) == 10
    assert row["status"] == status, row
    assert row["sandboxed"] == "yes"
    for word in reason_words:
        assert word in row["reason"], (word, row["reason"])


def test_every_student_in_the_folder_has_exactly_one_row(graded_class):
    """Students are named by their own folder, file or zip; a forged state adds nobody."""
    assert set(graded_class["rows"]) == set(EXPECTED)


def test_the_submissions_folder_is_never_modified(graded_class):
    assert tree_digest(graded_class["submissions"]) == graded_class["before"]


def test_nothing_is_written_outside_the_grading_folder(graded_class):
    base = graded_class["grading"].parent
    assert sorted(p.name for p in base.iterdir()) == ["grading", "submissions"]
    for path in ("/tmp/dlw-test-written-by-a-student", "/root/dlw-test-written-by-a-student"):
        assert not os.path.exists(path)
    work = graded_class["grading"] / ".dlwidgets" / "work"
    assert not work.exists()   # scratch homes and unzipped files are cleaned up
    assert not (graded_class["grading"] / ".dlwidgets" / LESSON / "ghost.json").exists()


def test_no_process_of_a_notebook_outlives_its_grading(graded_class):
    leftovers = []
    for proc in pathlib.Path("/proc").iterdir():
        try:
            if LINGER_MARK in (proc / "cmdline").read_bytes().decode(errors="replace"):
                leftovers.append(proc.name)
        except OSError:
            continue
    assert leftovers == []
    assert "ok,,x" not in (graded_class["grading"] / f"{LESSON}-grades.csv").read_text(encoding="utf-8")


def test_the_summary_table_names_every_student_and_status(graded_class):
    printed = graded_class["printed"]
    for student, (_, status, _) in EXPECTED.items():
        assert re.search(rf"^{re.escape(student)}\s.*\s{status}\b", printed, re.M), student
    assert f"{len(EXPECTED)} students:" in printed
    assert "NO SANDBOX" not in printed


def test_nbgraders_own_gradebook_agrees_with_the_csv(graded_class):
    from nbgrader.api import Gradebook, MissingEntry

    with Gradebook(f"sqlite:///{graded_class['grading'] / 'gradebook.db'}") as gb:
        for student, row in graded_class["rows"].items():
            submission = gb.find_submission(LESSON, student)
            assert submission.score == pytest.approx(float(row["total"])), student
        with pytest.raises(MissingEntry):
            gb.find_submission(LESSON, "ghost")


def _pages(graded_class):
    return {p.stem: p.read_text(encoding="utf-8") for p in (graded_class["grading"] / "feedback" / LESSON).glob("*.html")}


def test_feedback_never_shows_hidden_tests_or_tracebacks(graded_class):
    pages = _pages(graded_class)
    assert len(pages) == len(EXPECTED)
    for name, text in pages.items():
        for secret in ("extra_cases", "hidden=True", "HIDDEN TESTS", "Traceback", "(33, 4, 1, 3, 2)",
                       "(100, 7, 3, 3, 3)", "_dlw", "BEGIN SOLUTION"):
            assert secret not in text, (name, secret)
        assert len(text) < 60_000, name     # every text is capped (the hider raises a 20 MB message)


def test_feedback_shows_the_visible_verdict_and_the_diagnosis(graded_class):
    pages = _pages(graded_class)
    assert "the dilation is missing" in pages["mistaken"]
    assert "hint(&#x27;conv_output_size&#x27;)" in pages["mistaken"]
    assert "Score: 10 / 10" in pages["perfect"] and "Hidden tests: passed." in pages["perfect"]
    assert "not plain data" in pages["equaliser"]
    assert "Hidden tests: passed." in pages["clearer"]
    assert "ValueError" in pages["hider"] and "more characters cut" in pages["hider"]


def test_a_second_run_grades_only_what_changed(graded_class, tmp_path):
    started = time.monotonic()
    printed = run_cli(*grade_args(graded_class["submissions"], graded_class["grading"]))
    assert f"Graded now: 0, unchanged: {len(EXPECTED)}" in printed
    assert time.monotonic() - started < graded_class["seconds"] / 2


def test_each_graded_submission_is_saved_on_its_own(graded_class):
    """An interrupted run keeps what it graded: every student has a saved state and notebook."""
    state = graded_class["grading"] / ".dlwidgets" / LESSON
    for student in EXPECTED:
        saved = json.loads((state / f"{student}.json").read_text(encoding="utf-8"))
        assert saved["row"]["student"] == student
    assert (graded_class["grading"] / "autograded" / "perfect" / LESSON / f"{LESSON}.ipynb").exists()
