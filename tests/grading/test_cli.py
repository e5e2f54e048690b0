"""The command line: --help explains itself; release writes what the README says."""

import json
import sys

import pytest

from dlwidgets.grading.cli import main

from .conftest import COURSE, run_cli


def test_help_explains_release_and_grade(capsys):
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for words in ("release", "grade", "student versions", "nbgrader", "zip", "gradebook CSV", "feedback"):
        assert words in text


def test_grade_help_lists_limits_and_statuses(capsys):
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    text = capsys.readouterr().out
    for words in ("--cell-timeout", "--notebook-timeout", "--memory-mb", "--grading-dir", "--no-sandbox", "reference",
                  "rejected", "sandbox"):
        assert words in text


def test_release_writes_student_versions_and_an_nbgrader_tree(tmp_path):
    printed = run_cli("release", "08", "--course", str(COURSE), "--out", str(tmp_path / "handout"))
    student = tmp_path / "handout" / "student" / "08_convolutions.ipynb"
    text = student.read_text(encoding="utf-8")
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text and "extra_cases" not in text
    source = tmp_path / "handout" / "nbgrader" / "source" / "08_convolutions" / "08_convolutions.ipynb"
    assert "### BEGIN HIDDEN TESTS" in source.read_text(encoding="utf-8")
    config = (tmp_path / "handout" / "nbgrader" / "nbgrader_config.py").read_text()
    assert "add_missing_cells = True" in config
    assert str(student) in printed
    json.loads(text)


def test_grading_without_nbgrader_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    monkeypatch.setitem(sys.modules, "nbgrader", None)  # as if the instructor extra were not installed
    assert main(["grade", "08", str(tmp_path / "subs"), "--course", str(COURSE),
                 "--grading-dir", str(tmp_path / "grading")]) == 2
    message = capsys.readouterr().err
    assert "nbgrader" in message and "pip install -e '.[instructor]'" in message
    assert not (tmp_path / "grading").exists()  # nothing half made


@pytest.mark.parametrize("command", [["release", "08", "--out", "handout"], ["grade", "08", "subs"]])
def test_run_outside_the_course_folder_it_says_so(tmp_path, monkeypatch, command):
    (tmp_path / "subs").mkdir()
    monkeypatch.chdir(tmp_path)   # no course/ here, the default --course
    with pytest.raises(SystemExit) as exit_:
        main(command)
    assert "there is no course folder course" in str(exit_.value.code) and "course's folder" in str(exit_.value.code)
    assert not (tmp_path / "handout").exists()


def test_without_a_sandbox_grading_stops_with_a_sentence(tmp_path, monkeypatch, capsys):
    import dlwidgets.grading.sandbox as sandbox

    pytest.importorskip("nbgrader", reason="grading needs nbgrader, which comes with the instructor extra")
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    monkeypatch.setattr(sandbox, "sandbox_problem", lambda: "bubblewrap (bwrap) ... is not installed")
    assert main(["grade", "08", str(tmp_path / "subs"), "--course", str(COURSE),
                 "--grading-dir", str(tmp_path / "grading")]) == 2
    message = capsys.readouterr().err
    assert "is not installed" in message and "--no-sandbox" in message
    assert not (tmp_path / "grading").exists()


@pytest.mark.slow
def test_graded_without_a_sandbox_every_row_and_the_summary_say_so(tmp_path):
    import csv

    from .conftest import _write, answered

    pytest.importorskip("nbgrader", reason="grading needs nbgrader, which comes with the instructor extra")
    _write(tmp_path / "subs" / "alice.ipynb", answered("00_getting_started"))
    printed = run_cli("grade", "00", str(tmp_path / "subs"), "--course", str(COURSE), "--grading-dir",
                      str(tmp_path / "grading"), "--no-sandbox", "--quiet", "--workers", "1")
    assert "WARNING: 1 of these were graded WITHOUT a sandbox" in printed and "(NO SANDBOX)" in printed
    with open(tmp_path / "grading" / "00_getting_started-grades.csv", newline="", encoding="utf-8") as handle:
        (row,) = csv.DictReader(handle)
    assert row["sandboxed"] == "NO" and "WITHOUT a sandbox" in row["reason"] and row["total"] == "3"
