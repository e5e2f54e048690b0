"""One submission's result: points per exercise, a status word and a reason a person can act on.

The grader's own verdicts (runner.py) are the starting point: a test cell scores its
points when every check call in it passed. Then:

* an exercise answered by calling the library's implementation scores zero for that exercise;
* problems while running (a cell over its time limit, an ignored interrupt, a dead kernel,
  the memory limit, ``input()``, the learner's own KeyboardInterrupt, truncated output) are
  named with the cell;
* repairs (restored, moved, duplicate cells; duplicate submissions; a re-encoded file) are listed;
* a class graded without a sandbox says so on every row.

The status is the most serious of: ``rejected`` (not graded), ``reference`` (used the
library's answer), ``run-error``, ``repaired``, ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .lesson import Lesson

__all__ = ["Row", "STATUSES", "decide", "rejected_row", "UNSANDBOXED"]

STATUSES = ["rejected", "reference", "run-error", "repaired", "ok"]
UNSANDBOXED = "graded WITHOUT a sandbox (--no-sandbox): the student's code could read and change files"


@dataclass
class Row:
    student: str
    points: dict[str, float]          # exercise -> points
    total: float
    max_total: float
    status: str
    reason: str
    file: str = ""
    test_scores: dict[str, float] = field(default_factory=dict)
    sandboxed: bool = True

    def as_dict(self) -> dict:
        return {"student": self.student, "points": self.points, "total": self.total, "max_total": self.max_total,
                "status": self.status, "reason": self.reason, "file": self.file, "test_scores": self.test_scores,
                "sandboxed": self.sandboxed}

    @classmethod
    def from_dict(cls, data: dict) -> "Row":
        return cls(**data)


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def decide(lesson: Lesson, student: str, file: str, result: dict, *, notes: list[str], references: list,
           sandboxed: bool = True) -> Row:
    """Combine the grader's verdicts with what else it found into the gradebook row."""
    tests = result.get("tests", {})
    scores = {test: (points if tests.get(test, {}).get("passed") else 0.0) for test, points in lesson.test_points.items()}
    reasons: list[str] = [] if sandboxed else [UNSANDBOXED]
    status = "ok"

    def worse(new):
        nonlocal status
        if STATUSES.index(new) < STATUSES.index(status):
            status = new

    for exercise in lesson.exercises:
        used = _dedupe([r.used for r in references if r.exercise == exercise.name])
        if used:
            worse("reference")
            reasons.append(f"{exercise.name}: calls the library's {', '.join(used)} instead of implementing it "
                           "(no points for it)")
            for test in exercise.tests:
                scores[test] = 0.0
    problems = result.get("problems", [])
    if problems:
        worse("run-error")
        reasons += problems
    if notes:
        worse("repaired")
        reasons += notes
    points = {e.name: sum(scores[t] for t in e.tests) for e in lesson.exercises}
    return Row(student, points, sum(scores.values()), lesson.max_points, status, "; ".join(_dedupe(reasons)), file,
               scores, sandboxed)


def rejected_row(lesson: Lesson, student: str, file: str, reason: str, notes: list[str] = (),
                 sandboxed: bool = True) -> Row:
    reasons = ([] if sandboxed else [UNSANDBOXED]) + [reason, *notes]
    return Row(student, {e.name: 0.0 for e in lesson.exercises}, 0.0, lesson.max_points, "rejected",
               "; ".join(reasons), file, {t: 0.0 for t in lesson.test_points}, sandboxed)
