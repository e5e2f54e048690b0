"""Per-student feedback as one small, self-contained HTML page, built from the grader's verdicts.

For each exercise: the points, the learner's answer, and what each visible check said in
the grader (the case that failed, the learner's value and the expected one, the diagnosis
of a known mistake, the hint to run). Hidden checks are reported as passed or failed, never
shown: not their code, their cases or their messages. Nothing is read from the outputs of
the learner's notebook, and every text is capped.
"""

from __future__ import annotations

import html
import re

from .lesson import Lesson, cell_source, nbgrader_meta
from .outcome import Row
from .wire import cap

__all__ = ["feedback_html", "MAX_ANSWER"]

MAX_ANSWER = 5000       # characters of a learner's answer shown
MAX_REASON = 3000
_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.ok{color:#0b6e2e}.bad{color:#a11}.note{background:#fff6d6;padding:.5rem .8rem}
.pts{float:right;font-weight:bold}
"""


def _esc(text: str, limit: int) -> str:
    return html.escape(cap(_ANSI.sub("", text), limit))


def _test_lines(test: dict | None, passed: bool) -> list[str]:
    if not test:
        return ["<p>Not checked.</p>"]
    lines = []
    for verdict in test.get("visible", []):
        mark, css = ("✔", "ok") if verdict["passed"] else ("✘", "bad")
        message = (verdict.get("message") or ("passed" if verdict["passed"] else "failed")).lstrip("✔✘ ")
        lines.append(f'<pre class="{css}">{mark} {_esc(message, 2000)}</pre>')
    hidden = test.get("hidden")
    if hidden is True:
        lines.append('<p class="ok">Hidden tests: passed.</p>')
    elif hidden is False:
        lines.append('<p class="bad">Hidden tests: not passed. Your answer passes the checks you can see but not '
                     'all of the hidden cases.</p>')
    return lines


def feedback_html(lesson: Lesson, row: Row, result: dict | None, notebook: dict | None = None) -> str:
    """The feedback page for one student (``result``: the grader's verdicts, None if not graded)."""
    parts = [f"<!doctype html><meta charset='utf-8'><title>{_esc(lesson.name, 100)}: {_esc(row.student, 200)}</title>",
             f"<style>{_STYLE}</style>",
             f"<h1>{_esc(lesson.name, 100)} · feedback for {_esc(row.student, 200)}</h1>",
             f"<p><b>Score: {row.total:g} / {row.max_total:g}</b></p>"]
    if row.status != "ok":
        parts.append(f'<p class="note"><b>{html.escape(row.status)}</b>: {_esc(row.reason, MAX_REASON)}</p>')
    if result is None:
        parts.append("<p>Your submission could not be graded, so there is no feedback per exercise. "
                     "Please hand in the lesson's notebook (.ipynb) as saved by JupyterLab.</p>")
        return "\n".join(parts) + "\n"
    cells = {nbgrader_meta(c).get("grade_id"): c for c in (notebook or {}).get("cells", []) if nbgrader_meta(c)}
    tests = result.get("tests", {})
    for exercise in lesson.exercises:
        got, most = row.points.get(exercise.name, 0.0), exercise.points
        mark = "ok" if got == most else "bad"
        parts.append(f'<h2>{html.escape(exercise.name)} <span class="pts {mark}">{got:g} / {most:g}</span></h2>')
        answer = cell_source(cells.get(exercise.name, {})).strip()
        parts.append("<p>Your answer:</p>")
        parts.append(f"<pre>{_esc(answer, MAX_ANSWER) if answer else '(no answer)'}</pre>")
        for test in exercise.tests:
            parts.append(f"<p>Check ({row.test_scores.get(test, 0.0):g} / {lesson.test_points[test]:g} points):</p>")
            parts += _test_lines(tests.get(test), row.test_scores.get(test, 0.0) >= lesson.test_points[test])
    return "\n".join(parts) + "\n"
