"""Student versions: nothing of the solutions or hidden tests leaks, and they fail only at the checks."""

import subprocess
import sys

import nbformat
import pytest
from nbclient import NotebookClient

from dlwidgets.authoring.student import (BEGIN_HIDDEN, BEGIN_SOLUTION, END_HIDDEN, END_SOLUTION, MarkerError,
                                         student_source)

from .conftest import COURSE, load

MARKERS = (BEGIN_SOLUTION, END_SOLUTION, BEGIN_HIDDEN, END_HIDDEN)


def marked_lines(source):
    """(lines inside solution/hidden regions, lines outside them) of one cell."""
    inside, outside, depth = [], [], 0
    for line in source.split("\n"):
        s = line.strip()
        if s in (BEGIN_SOLUTION, BEGIN_HIDDEN):
            depth += 1
        elif s in (END_SOLUTION, END_HIDDEN):
            depth -= 1
        elif s:
            (inside if depth else outside).append(s)
    return inside, outside


def cell_text(cell):
    return "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]


def test_no_solution_line_or_hidden_test_leaks_into_any_student_version(lessons, student_dir):
    for path in lessons:
        source_cells = load(path)["cells"]
        student_text = "\n".join(cell_text(c) for c in load(student_dir / path.name)["cells"])
        secret, public = set(), set()
        for cell in source_cells:
            inside, outside = marked_lines(cell_text(cell))
            secret.update(inside)
            public.update(outside)
        assert secret, f"{path.name} has no solutions or hidden tests"
        student_lines = {line.strip() for line in student_text.split("\n")}
        leaked = sorted((secret - public) & student_lines)
        assert not leaked, f"{path.name} leaks: {leaked}"
        for marker in MARKERS:
            assert marker not in student_text, f"{path.name} still has {marker}"


def test_exercise_cells_have_no_outputs_but_widget_pictures_are_kept(lessons, student_dir):
    for path in lessons:
        cells = load(student_dir / path.name)["cells"]
        for cell in cells:
            if cell["cell_type"] == "code" and cell["metadata"].get("nbgrader"):
                assert cell["outputs"] == [] and cell["execution_count"] is None
        pictures = [o for c in cells if c["cell_type"] == "code" for o in c["outputs"] if "image/png" in o.get("data", {})]
        assert pictures, f"{path.name}: the widgets' static pictures should stay in the student version"


def test_stubs_say_what_to_do():
    function = "def f(x):\n    ### BEGIN SOLUTION\n    return x\n    ### END SOLUTION\n"
    assert student_source(function) == ("def f(x):\n    # YOUR CODE HERE\n    raise NotImplementedError("
                                         "\"Write your code here, run this cell, then run the check below.\")")
    values = "### BEGIN SOLUTION\na = 1\nb: int = 2\n### END SOLUTION"
    assert student_source(values) == "a = ...  # YOUR ANSWER HERE\nb = ...  # YOUR ANSWER HERE"
    assert student_source("check(a)\n### BEGIN HIDDEN TESTS\ncheck(a, more=True)\n### END HIDDEN TESTS") == "check(a)"
    assert student_source("### BEGIN SOLUTION\nIt is (b).\n### END SOLUTION", markdown=True) == "YOUR ANSWER HERE"


@pytest.mark.parametrize("source, words", [
    ("### BEGIN SOLUTION\nx = 1", "never closed"),
    ("### END SOLUTION", "without"),
    ("### BEGIN SOLUTION\n### BEGIN HIDDEN TESTS\n", "inside another"),
    ("### BEGIN HIDDEN TESTS\nx", "never closed"),
])
def test_broken_markers_are_reported_not_silently_leaked(source, words):
    with pytest.raises(MarkerError, match=words):
        student_source(source)


def test_command_line_builds_chosen_lessons(tmp_path):
    result = subprocess.run([sys.executable, "-m", "dlwidgets.authoring.student", "08", "--source", str(COURSE),
                             "--out", str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.glob("*.ipynb")] == ["08_convolutions.ipynb"]
    assert (tmp_path / "README.md").exists()


@pytest.mark.parametrize("source, words", [
    ("no_such_folder", ["there is no course folder", "no_such_folder", "course's folder"]),
    ("empty", ["holds no lessons", "08_convolutions.ipynb"]),
])
def test_a_missing_or_empty_course_folder_is_named_not_silently_skipped(tmp_path, source, words):
    (tmp_path / "empty").mkdir()
    result = subprocess.run([sys.executable, "-m", "dlwidgets.authoring.student", "--source", source, "--out", "out"],
                            cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode != 0 and not (tmp_path / "out").exists()
    for word in words:
        assert word in result.stderr


def test_student_versions_run_and_fail_only_at_the_checks_with_a_friendly_message(lessons, student_dir):
    for path in lessons:
        nb = nbformat.read(student_dir / path.name, as_version=4)
        NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=True,
                       resources={"metadata": {"path": str(student_dir)}}).execute()
        graded = 0
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            errors = [o for o in cell.outputs if o.output_type == "error"]
            meta = cell.metadata.get("nbgrader", {})
            where = f"{path.name} cell {index}"
            if meta.get("grade"):
                graded += 1
                assert len(errors) == 1, f"{where}: a check on an unanswered exercise must fail"
                assert errors[0].ename == "CheckFailed", f"{where}: {errors[0].ename}: {errors[0].evalue}"
                assert "not written yet" in errors[0].evalue or "not answered yet" in errors[0].evalue, where
                assert not any("Traceback" in line for line in errors[0].traceback), f"{where}: shows a stack trace"
            elif "raises-exception" in cell.metadata.get("tags", []):
                assert errors, f"{where}: the demonstration of a failing check should fail"
            else:
                assert not errors, f"{where} fails in the student version: {errors[0].ename}: {errors[0].evalue}"
        assert graded >= 3, f"{path.name} has only {graded} graded cells"


def test_keep_existing_never_overwrites_a_learners_work(tmp_path):
    mine = tmp_path / "08_convolutions.ipynb"
    mine.write_text("my work", encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "dlwidgets.authoring.student", "--keep-existing",
                             "--source", str(COURSE), "--out", str(tmp_path)], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert mine.read_text(encoding="utf-8") == "my work"
    assert (tmp_path / "00_getting_started.ipynb").exists()
