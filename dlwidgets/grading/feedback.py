"""Per-student feedback as one small, self-contained HTML page.

For each exercise: the points, the learner's answer, and what the visible checks said
(the same verdicts and hints the learner sees in the lesson). Hidden tests are never
shown: not their code, not their cases, not their tracebacks. A failed hidden test is
reported as such, with the check's diagnosis of a known mistake when it has one. No
traceback of any kind is shown; an error is one line (its type and message).
"""

from __future__ import annotations

import html
import re

from .guard import HIDDEN_MARKER_MIME, INTEGRITY_ERROR
from .lesson import Lesson, cell_source, nbgrader_meta
from .outcome import Row

__all__ = ["feedback_html"]

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
_STYLE = """
body{font:15px/1.5 system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}
h1{font-size:1.4rem}h2{font-size:1.1rem;margin-top:2rem;border-bottom:1px solid #ccc}
pre{background:#f5f5f5;padding:.6rem;overflow-x:auto;white-space:pre-wrap}
.ok{color:#0b6e2e}.bad{color:#a11}.note{background:#fff6d6;padding:.5rem .8rem}
.pts{float:right;font-weight:bold}
"""


def _text(value) -> str:
    return _ANSI.sub("", "".join(value) if isinstance(value, list) else str(value))


def _verdicts(outputs: list[dict], hidden: bool, passed: bool) -> list[str]:
    """HTML lines for one test cell's outputs, visible part only."""
    lines: list[str] = []
    in_hidden = False
    hidden_error = None
    for output in outputs:
        kind = output.get("output_type")
        if kind == "display_data" and HIDDEN_MARKER_MIME in output.get("data", {}):
            in_hidden = True
            continue
        if kind == "error":
            ename, evalue = output.get("ename", ""), _text(output.get("evalue", ""))
            if in_hidden:
                hidden_error = (ename, evalue)
                continue
            if ename == INTEGRITY_ERROR:
                message = "The grader found that code in this notebook replaced part of the checking machinery."
            elif ename == "CheckFailed":
                message = "✘ " + evalue
            else:
                message = f"✘ {ename}: {evalue}" if evalue else f"✘ {ename}"
            lines.append(f'<pre class="bad">{html.escape(message)}</pre>')
        elif kind == "stream" and not in_hidden and output.get("name") == "stdout":
            text = _text(output.get("text", "")).strip()
            if text:
                lines.append(f"<pre>{html.escape(text)}</pre>")
    if hidden:
        if hidden_error is not None:
            advice = [line for line in hidden_error[1].splitlines() if line.startswith(("This looks like", "Stuck?"))]
            message = "Hidden tests: failed. Your code passes the checks you can see but not all of the hidden cases."
            lines.append(f'<p class="bad">{html.escape(message)}</p>')
            if advice:
                lines.append(f"<pre>{html.escape(chr(10).join(advice))}</pre>")
        elif passed:
            lines.append('<p class="ok">Hidden tests: passed.</p>')
        elif in_hidden:
            lines.append('<p class="bad">Hidden tests: not passed.</p>')
        else:
            lines.append("<p>Hidden tests: not run (the visible check did not pass).</p>")
    return lines


def feedback_html(lesson: Lesson, row: Row, autograded: dict | None) -> str:
    """The feedback page for one student."""
    cells = {nbgrader_meta(c).get("grade_id"): c for c in (autograded or {}).get("cells", []) if nbgrader_meta(c)}
    parts = [f"<!doctype html><meta charset='utf-8'><title>{html.escape(lesson.name)}: {html.escape(row.student)}</title>",
             f"<style>{_STYLE}</style>",
             f"<h1>{html.escape(lesson.name)} · feedback for {html.escape(row.student)}</h1>",
             f"<p><b>Score: {row.total:g} / {row.max_total:g}</b></p>"]
    if row.status != "ok":
        parts.append(f'<p class="note"><b>{html.escape(row.status)}</b>: {html.escape(row.reason)}</p>')
    if autograded is None:
        parts.append("<p>Your submission could not be graded, so there is no feedback per exercise. "
                     "Please hand in the lesson's notebook (.ipynb) as saved by JupyterLab.</p>")
        return "\n".join(parts) + "\n"
    for exercise in lesson.exercises:
        got, most = row.points.get(exercise.name, 0.0), exercise.points
        mark = "ok" if got == most else "bad"
        parts.append(f'<h2>{html.escape(exercise.name)} <span class="pts {mark}">{got:g} / {most:g}</span></h2>')
        answer = cell_source(cells.get(exercise.name, {})).strip()
        parts.append("<p>Your answer:</p>")
        parts.append(f"<pre>{html.escape(answer) if answer else '(no answer)'}</pre>")
        for test in exercise.tests:
            cell = cells.get(test, {})
            parts.append(f"<p>Check ({row.test_scores.get(test, 0.0):g} / {lesson.test_points[test]:g} points):</p>")
            parts.append(f"<pre>{html.escape(lesson.visible_test_source(test))}</pre>")
            passed = row.test_scores.get(test, 0.0) >= lesson.test_points[test]
            parts += _verdicts(cell.get("outputs", []), lesson.has_hidden_tests(test), passed)
    return "\n".join(parts) + "\n"
