"""Grade one lesson for a whole class: collect -> check -> autograde in parallel -> record.

The steps, and the module that does each:

1. collect.py finds each student's file (folders, flat files, an LMS zip; duplicates).
2. sanitize.py refuses what cannot be graded and repairs what can (restored cells).
3. tamper.py scans the learner's code before it runs.
4. engine.py runs nbgrader's autograde in parallel workers (warm kernels, limits).
5. outcome.py turns nbgrader's scores and the findings into a row with a status and reason.
6. feedback.py writes the student's page; gradebook.py writes nbgrader's gradebook, the
   state used by the next run, and finally the CSV.

The submissions folder is only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import sys
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field

from ..cpu_limit import cpu_quota, usable_cpus
from .collect import collect
from .engine import Settings, grade_in_worker, init_worker, prepare_environment
from .feedback import feedback_html
from .gradebook import GradingFolder, file_hash
from .guard import grading_notebook
from .lesson import Lesson, load_lesson
from .outcome import STATUSES, Row, decide, rejected_row, run_problems
from .progress import Progress
from .sanitize import Rejected, read_submission, rebuild
from .tamper import scan_cell

__all__ = ["GradeReport", "grade_lesson", "summary_table"]


@dataclass
class GradeReport:
    rows: list[Row]
    graded: int = 0           # graded in this run
    unchanged: int = 0        # skipped: already graded, file unchanged
    seconds: float = 0.0
    csv_path: pathlib.Path | None = None
    feedback_dir: pathlib.Path | None = None
    students: list[str] = field(default_factory=list)   # the students found in this run's submissions


def _other_lessons(lesson_path: pathlib.Path) -> dict[str, set[str]]:
    from ..authoring.student import lesson_paths

    result = {}
    for path in lesson_paths(lesson_path.parent):
        if path.stem != lesson_path.stem:
            try:
                nb = json.loads(path.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            result[path.stem] = {c.get("metadata", {}).get("nbgrader", {}).get("grade_id") for c in nb["cells"]} - {None}
    return result


def _scan(lesson: Lesson, learner_cells) -> list:
    protected = lesson.test_names() & set(lesson.setup_bindings)
    findings = []
    for where, source, is_solution in learner_cells:
        findings += scan_cell(source, where=where, setup_bindings=lesson.setup_bindings, protected=protected,
                              solution=is_solution)
    return findings


def grade_lesson(lesson_path, submissions, grading_dir, *, workers: int | None = None, cell_timeout: int = 30,
                 notebook_timeout: int = 300, memory_mb: int = 2048, max_output_bytes: int = 1_000_000,
                 warm: bool = True, regrade: bool = False, progress: bool = True) -> GradeReport:
    """Grade every submission of one lesson; see the module docstring."""
    import time

    started = time.monotonic()
    prepare_environment()
    lesson_path = pathlib.Path(lesson_path)
    lesson = load_lesson(lesson_path)
    others = _other_lessons(lesson_path)
    settings = Settings(lesson.name, cell_timeout, notebook_timeout, memory_mb, max_output_bytes,
                        warm and hasattr(os, "fork"), tuple(lesson.preload_modules()))
    folder = GradingFolder(grading_dir, lesson.name)
    folder.ensure_assignment(grading_notebook(lesson), settings)
    lesson_digest = hashlib.sha256(json.dumps(lesson.source, sort_keys=True).encode()).hexdigest()[:16]

    scratch = folder.work_dir / f"collect-{os.getpid()}"
    found = collect(submissions, lesson.name, scratch)
    report = GradeReport(rows=[], students=[s.student for s in found])
    tasks = []
    for sub in found:
        digest = lesson_digest + ":" + file_hash(sub.path) + ":" + ",".join(sorted(p.name for p in sub.others))
        previous = folder.previous(sub.student)
        if previous and previous.get("sha256") == digest and not regrade:
            report.unchanged += 1
            continue
        shown = sub.path.name if sub.path else ""
        try:
            if sub.path is None:
                raise Rejected("no file found")
            nb = read_submission(sub.path, others, lesson)
        except Rejected as exc:
            row = rejected_row(lesson, sub.student, shown, str(exc), sub.notes)
            folder.record(row, digest, None, None, feedback_html(lesson, row, None))
            report.graded += 1
            continue
        prepared = rebuild(nb, lesson)
        prepared.notes = sub.notes + prepared.notes
        tasks.append((sub, digest, prepared, _scan(lesson, prepared.learner_cells)))

    bar = Progress(len(tasks), f"grading {lesson.name}") if progress and tasks else None
    if tasks:
        count = max(1, min(workers or usable_cpus(quota=cpu_quota()), len(tasks)))  # a container's CPU limit counts
        import multiprocessing

        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(count, mp_context=context, initializer=init_worker,
                                 initargs=(str(folder.engine_dir), str(folder.work_dir), settings)) as pool:
            futures = {}
            for sub, digest, prepared, findings in tasks:
                text = json.dumps(prepared.notebook, ensure_ascii=False)
                futures[pool.submit(grade_in_worker, sub.student, text)] = (sub, digest, prepared, findings, text)
            for future in as_completed(futures):
                sub, digest, prepared, findings, text = futures[future]
                try:
                    result = future.result()
                except Exception as exc:  # the worker itself failed: report it, go on
                    result = {"success": False, "log": f"{type(exc).__name__}: {exc}", "scores": {}, "autograded": None}
                row, autograded = _row(lesson, sub, prepared, findings, result, settings)
                folder.record(row, digest, text, result.get("autograded"), feedback_html(lesson, row, autograded),
                              result.get("scores"))
                report.graded += 1
                if bar:
                    bar.advance(sub.student)
    folder.close()
    shutil.rmtree(scratch, ignore_errors=True)
    report.rows = folder.rows()
    report.csv_path = folder.write_csv(report.rows, lesson.solution_ids)
    report.feedback_dir = folder.feedback_dir
    report.seconds = time.monotonic() - started
    return report


def _row(lesson, sub, prepared, findings, result, settings):
    shown = sub.path.name if sub.path else ""
    if not result.get("success") or not result.get("autograded"):
        lines = [line for line in (result.get("log") or "").splitlines() if line.strip()]
        detail = lines[-1][:200] if lines else "no details"
        return rejected_row(lesson, sub.student, shown, f"nbgrader could not grade it ({detail})", prepared.notes), None
    autograded = json.loads(result["autograded"])
    problems, runtime_tamper = run_problems(autograded, settings)
    row = decide(lesson, sub.student, shown, result["scores"], notes=prepared.notes, findings=findings,
                 problems=problems, runtime_tamper=runtime_tamper)
    return row, autograded


def summary_table(report: GradeReport, lesson: Lesson, stream=None, only_students=None) -> None:
    """Print the class's rows and a one-line summary."""
    stream = stream or sys.stdout
    rows = [r for r in report.rows if only_students is None or r.student in only_students]
    names = lesson.solution_ids
    width = max([len("student")] + [len(r.student) for r in rows]) + 2
    cols = [max(len(n), 5) + 2 for n in names]
    head = "student".ljust(width) + "".join(n.ljust(c) for n, c in zip(names, cols)) + "total".ljust(9) + "status"
    stream.write(head + "\n" + "-" * len(head) + "\n")
    for r in rows:
        cells = "".join(f"{r.points.get(n, 0):g}".ljust(c) for n, c in zip(names, cols))
        reason = (r.reason[:70] + "...") if len(r.reason) > 73 else r.reason
        stream.write(r.student.ljust(width) + cells + f"{r.total:g}/{r.max_total:g}".ljust(9) + r.status
                     + (f"  {reason}" if reason else "") + "\n")
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    mean = sum(r.total for r in rows) / len(rows) if rows else 0.0
    stream.write(f"\n{len(rows)} students: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                 + f"; mean {mean:.2f} / {lesson.max_points:g}. Graded now: {report.graded}, unchanged: "
                 f"{report.unchanged}, in {report.seconds:.1f} s.\n")
    stream.write(f"gradebook: {report.csv_path}\nfeedback:  {report.feedback_dir}{os.sep}<student>.html\n")
