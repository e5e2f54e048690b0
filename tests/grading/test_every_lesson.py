"""Every lesson, present and future, graded through the real command: the reference solution gets
full marks, the student version 0, a submission missing its last exercise loses exactly its points, and
one with a known mistake loses that exercise's points and is told which mistake it probably is.

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


# One known mistake per lesson: (exercise, the reference code it changes, the mistaken code, words of the
# diagnosis the check gives). A new lesson adds its own here; the test below fails until it does.
KNOWN_MISTAKES = {
    "00": ("linear_params", "in_features * out_features + out_features", "in_features * out_features",
           "the biases are missing"),
    "01": ("sigmoid_second_derivative", "return s * (1.0 - s) * (1.0 - 2.0 * s)", "return 1.0 - 2.0 * s",
           "derivative with respect to s"),
    "02": ("clip_by_global_norm", "return [g * scale for g in grads]",
           "return [g * min(1.0, max_norm / np.sqrt(np.sum(np.square(g)))) for g in grads]",
           "clipped by its own norm"),
    "03": ("glorot_limit", "return math.sqrt(6.0 / (fan_in + fan_out))", "return 6.0 / (fan_in + fan_out)",
           "the square root is missing"),
    "04": ("batchnorm_forward", "var = x.var(axis=(0, 2, 3), keepdims=True)",
           "var = x.var(axis=(0, 2, 3), keepdims=True, ddof=1)", "the unbiased one"),
    "05": ("minibatch_gradient", "return Xb.T @ (Xb @ theta - yb) / len(idx)", "return Xb.T @ (Xb @ theta - yb)",
           "the sum over the batch, not the mean"),
    "06": ("adam_step", "m_hat = m / (1 - beta1 ** (t + 1))\n    v_hat = v / (1 - beta2 ** (t + 1))",
           "m_hat = m\n    v_hat = v", "the bias correction is missing"),
    "07": ("dropout_layer", "return x * mask / (1 - p)", "return x * mask", "the kept units are not scaled"),
    "08": ("conv2d_single", "* w)", "* w[::-1, ::-1])", "the kernel is flipped"),
    "09": ("rnn_step", ' + params["bias_hh"])', ")", "bias_hh is missing"),
    "10": ("lstm_step", "c_new = f * c + i * g", "c_new = f * c + g", "without the input gate"),
    "11": ("attention", "scores = q @ k.T / np.sqrt(q.shape[-1])", "scores = q @ k.T", "not divided by sqrt(d_k)"),
    "12": ("log_softmax", "return shifted - np.log(", "return z - np.log(",
           "subtracted inside the exponential but not outside"),
    "13": ("smote_points", "    np.fill_diagonal(d2, np.inf)\n", "", "its own nearest neighbour"),
    "14": ("gumbel_softmax", "g = -np.log(-np.log(u))", "g = -np.log(u)", "not the Gumbel"),
}


def _mistaken(name, lesson):
    """The reference answers with the lesson's known mistake in one exercise, and that exercise."""
    assert name[:2] in KNOWN_MISTAKES, f"add a known mistake of lesson {name} to KNOWN_MISTAKES"
    exercise, right, wrong, _ = KNOWN_MISTAKES[name[:2]]
    source = next(c["source"] for c in answered(name)["cells"] if _meta(c).get("grade_id") == exercise)
    assert right in source, f"{name}: the reference code of {exercise} no longer holds {right!r}"
    return (answered(name, **{exercise: source.replace(right, wrong, 1)}),
            next(e for e in lesson.exercises if e.name == exercise))


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
    mistaken, wrong = _mistaken(name, lesson)
    _write(submissions / "mistake.ipynb", mistaken)
    run_cli("grade", name[:2], str(submissions), "--course", str(COURSE), "--grading-dir", str(tmp_path / "grading"),
            "--quiet")
    with open(tmp_path / "grading" / f"{name}-grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    assert {s: (float(r["total"]), r["status"]) for s, r in rows.items()} == {
        "reference": (lesson.max_points, "ok"),
        "student": (0.0, "ok"),
        "partial": (lesson.max_points - last.points, "ok"),
        "mistake": (lesson.max_points - wrong.points, "ok"),
    }, {s: r["reason"] for s, r in rows.items()}
    feedback = (tmp_path / "grading" / "feedback" / name / "mistake.html").read_text(encoding="utf-8")
    assert KNOWN_MISTAKES[name[:2]][3] in feedback, f"{name}: the feedback does not name the known mistake"
