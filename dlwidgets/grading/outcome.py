"""One submission's result: points per exercise, a status word and a reason a person can act on.

nbgrader's scores are the starting point. Then:

* tampering (found by the static scan or by the runtime guard) zeroes every test cell;
* a solution that calls the library's reference implementation zeroes that exercise;
* problems while running (a cell over its time limit, the notebook over its limit, a
  dead kernel, the memory cap, ``input()``, truncated output) are named with the cell;
* repairs (restored, moved, duplicate cells; duplicate submissions) are listed.

The status is the most serious of: ``rejected`` (not graded), ``tampered``,
``reference`` (used the library's answer), ``review`` (code that could hide tampering;
points kept), ``run-error``, ``repaired``, ``ok``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .engine import KERNEL_DIED, NOTEBOOK_TIME_LIMIT, TRUNCATED
from .guard import INTEGRITY_ERROR
from .lesson import Lesson, nbgrader_meta

__all__ = ["Row", "STATUSES", "run_problems", "decide", "rejected_row"]

STATUSES = ["rejected", "tampered", "reference", "review", "run-error", "repaired", "ok"]


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

    def as_dict(self) -> dict:
        return {"student": self.student, "points": self.points, "total": self.total, "max_total": self.max_total,
                "status": self.status, "reason": self.reason, "file": self.file, "test_scores": self.test_scores}

    @classmethod
    def from_dict(cls, data: dict) -> "Row":
        return cls(**data)


def _where(cell: dict, index: int) -> str:
    gid = nbgrader_meta(cell).get("grade_id")
    return gid if gid else f"cell {index + 1}"


def run_problems(autograded: dict, settings) -> tuple[list[str], list[str]]:
    """(run problems, tamper reasons) read from the outputs of the autograded notebook."""
    problems: list[str] = []
    tamper: list[str] = []
    for index, cell in enumerate(autograded.get("cells", [])):
        where = _where(cell, index)
        for output in cell.get("outputs", []):
            kind = output.get("output_type")
            shown = "".join(output.get("text", "")) + "".join(output.get("data", {}).get("text/plain", ""))
            if TRUNCATED in shown or "... Output truncated ..." in shown:
                problems.append(f"output of {where} truncated (over {settings.max_output_bytes} bytes "
                                "or 1000 lines)")
            if kind != "error":
                continue
            ename, evalue = output.get("ename", ""), output.get("evalue", "")
            if ename == INTEGRITY_ERROR:
                tamper.append(f"runtime check: {evalue}")
            elif ename in ("CellTimeoutError", "TimeoutError") or (ename == "KeyboardInterrupt"):
                problems.append(f"{where} exceeded the {settings.cell_timeout} s time limit per cell and was stopped")
            elif ename == NOTEBOOK_TIME_LIMIT:
                problems.append(f"the notebook used up its {settings.notebook_timeout} s; cells from {where} on were not run")
                return _dedupe(problems), tamper
            elif ename == KERNEL_DIED:
                if "earlier cell" not in evalue:
                    problems.append(f"the kernel died in {where} (os._exit, exit() or a crash); later cells were not run")
                else:
                    return _dedupe(problems), tamper
            elif ename == "MemoryError":
                problems.append(f"{where} ran out of memory (limit {settings.memory_mb} MB per notebook)")
            elif ename == "StdinNotImplementedError":
                problems.append(f"{where} calls input(); graded notebooks cannot wait for typed answers")
    return _dedupe(problems), tamper


def _dedupe(items: list[str]) -> list[str]:
    return list(dict.fromkeys(items))


def decide(lesson: Lesson, student: str, file: str, test_scores: dict[str, float], *, notes: list[str],
           findings: list, problems: list[str], runtime_tamper: list[str]) -> Row:
    """Combine nbgrader's scores with what the grader found into the gradebook row."""
    scores = {test: float(test_scores.get(test, 0.0)) for test in lesson.test_points}
    reasons: list[str] = []
    status = "ok"

    def worse(new):
        nonlocal status
        if STATUSES.index(new) < STATUSES.index(status):
            status = new

    tamper = [f"{f.cell}: {f.message}" for f in findings if f.kind == "tamper"] + runtime_tamper
    if tamper:
        worse("tampered")
        reasons.append("tampering, all points withheld: " + "; ".join(_dedupe(tamper)))
        scores = {test: 0.0 for test in scores}
    references = [f for f in findings if f.kind == "reference"]
    for exercise in lesson.exercises:
        mine = [f.message for f in references if f.cell == exercise.name]
        if mine:
            worse("reference")
            reasons.append(f"{exercise.name}: {'; '.join(_dedupe(mine))} (no points for it)")
            for test in exercise.tests:
                scores[test] = 0.0
    review = [f"{f.cell}: {f.message}" for f in findings if f.kind == "review"]
    if review:
        worse("review")
        reasons.append("please review (code that could bypass the checks): " + "; ".join(_dedupe(review)))
    if problems:
        worse("run-error")
        reasons += problems
    if notes:
        worse("repaired")
        reasons += notes
    points = {e.name: sum(scores[t] for t in e.tests) for e in lesson.exercises}
    return Row(student, points, sum(scores.values()), lesson.max_points, status, "; ".join(reasons), file, scores)


def rejected_row(lesson: Lesson, student: str, file: str, reason: str, notes: list[str] = ()) -> Row:
    return Row(student, {e.name: 0.0 for e in lesson.exercises}, 0.0, lesson.max_points, "rejected",
               "; ".join([reason, *notes]), file, {t: 0.0 for t in lesson.test_points})
