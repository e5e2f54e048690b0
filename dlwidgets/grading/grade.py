"""Grade one lesson for a whole class: collect -> repair -> run sandboxed, decide in the grader -> record.

The steps, and the module that does each:

1. collect.py finds each student's file (folders, flat files, LMS zips, one zip per student),
   naming students by their own folder or zip; a broken zip or a symlink stays with its student.
2. sanitize.py refuses what cannot be graded and repairs what can (restored cells, encodings).
3. reference.py flags exercises answered by calling the library's own implementation.
4. runner.py runs each notebook in a sandboxed kernel (sandbox.py, kernel.py), in parallel
   workers, and decides every graded test cell in the grader's process (checks.py), on plain
   data the kernel returns (wire.py).
5. outcome.py turns the verdicts and findings into a row with a status and reason.
6. feedback.py writes the student's page; gradebook.py writes nbgrader's gradebook, the
   state used by the next run, and finally the CSV. Only this process writes them.

The submissions folder is only read.
"""

from __future__ import annotations

import hashlib
import json
import os
import pathlib
import shutil
import sys
import time
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field

from ..cpu_limit import cpu_quota, usable_cpus
from .collect import collect
from .feedback import feedback_html
from .gradebook import GRADER_VERSION, GradingFolder, file_hash
from .lesson import load_lesson
from .outcome import STATUSES, UNSANDBOXED, Row, decide, rejected_row
from .progress import Progress
from .reference import reference_calls
from .runner import Settings, grade_in_worker, init_worker, prepare_environment, test_calls
from .sanitize import Rejected, read_submission, rebuild

__all__ = ["GradeReport", "grade_lesson", "summary_table", "NoSandbox"]


class NoSandbox(RuntimeError):
    """Student code cannot be sandboxed here and the instructor did not accept grading without one."""


@dataclass
class GradeReport:
    rows: list[Row]
    graded: int = 0           # graded in this run
    unchanged: int = 0        # skipped: already graded, file unchanged
    seconds: float = 0.0
    csv_path: pathlib.Path | None = None
    feedback_dir: pathlib.Path | None = None
    students: list[str] = field(default_factory=list)   # the students found in this run's submissions
    sandboxed: bool = True


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


def grade_lesson(lesson_path, submissions, grading_dir, *, workers: int | None = None, cell_timeout: int = 30,
                 notebook_timeout: int = 300, memory_mb: int = 2048, max_output_bytes: int = 1_000_000,
                 warm: bool = True, regrade: bool = False, progress: bool = True,
                 allow_no_sandbox: bool = False) -> GradeReport:
    """Grade every submission of one lesson; see the module docstring.

    ``allow_no_sandbox``: run student code without a sandbox (the instructor's explicit choice,
    for a machine that has none); every row and the summary then say so."""
    from .sandbox import hidden_from_sandbox, sandbox_problem

    started = time.monotonic()
    prepare_environment()
    problem = None if allow_no_sandbox else sandbox_problem()
    if problem:
        raise NoSandbox(f"{problem}. Student code is only graded inside a sandbox; to grade this class without one "
                        "anyway (only for code you trust), pass --no-sandbox.")
    sandboxed = not allow_no_sandbox
    exposed = hidden_from_sandbox(submissions, grading_dir, lesson_path) if sandboxed else None
    if exposed:
        raise NoSandbox(exposed)
    lesson_path = pathlib.Path(lesson_path)
    lesson = load_lesson(lesson_path)
    test_calls(lesson)   # an authoring error in a test cell stops here, with the cell named
    others = _other_lessons(lesson_path)
    settings = Settings(str(lesson_path.resolve()), cell_timeout, notebook_timeout, memory_mb, max_output_bytes,
                        warm, sandboxed)
    folder = GradingFolder(grading_dir, lesson.name)
    folder.ensure_assignment(lesson.source)
    lesson_digest = hashlib.sha256((GRADER_VERSION + json.dumps(lesson.source, sort_keys=True) + str(sandboxed))
                                   .encode()).hexdigest()[:16]

    scratch = folder.work_dir / f"collect-{os.getpid()}"
    found = collect(submissions, lesson.name, scratch)
    report = GradeReport(rows=[], students=[s.student for s in found], sandboxed=sandboxed)
    tasks = []
    for sub in found:
        digest = lesson_digest + ":" + (file_hash(sub.path) if sub.path else "") + ":" + \
            ",".join(sorted(p.name for p in sub.others)) + ":" + "|".join(sub.notes) + ":" + (sub.problem or "")
        previous = folder.previous(sub.student)
        if previous and previous.get("sha256") == digest and not regrade:
            report.unchanged += 1
            continue
        shown = sub.path.name if sub.path else ""
        try:
            if sub.problem:
                raise Rejected(sub.problem)
            if sub.path is None:
                raise Rejected("no file found")
            nb, encoding_notes = read_submission(sub.path, others, lesson)
        except Rejected as exc:
            row = rejected_row(lesson, sub.student, shown, str(exc), sub.notes, sandboxed)
            folder.record(row, digest, None, None, feedback_html(lesson, row, None))
            report.graded += 1
            continue
        prepared = rebuild(nb, lesson)
        prepared.notes = sub.notes + encoding_notes + prepared.notes
        tasks.append((sub, digest, prepared, reference_calls(prepared.notebook, lesson)))

    bar = Progress(len(tasks), f"grading {lesson.name}") if progress and tasks else None
    if tasks:
        count = max(1, min(workers or usable_cpus(quota=cpu_quota()), len(tasks)))  # a container's CPU limit counts

        def finish(task, result):
            sub, digest, prepared, references = task
            shown = sub.path.name if sub.path else ""
            text = json.dumps(prepared.notebook, ensure_ascii=False)
            if result.get("failed"):   # the grader's failure, not the student's: the next run tries again
                row = rejected_row(lesson, sub.student, shown, result["failed"], prepared.notes, sandboxed)
                folder.record(row, "grade again", text, None, feedback_html(lesson, row, None))
            else:
                row = decide(lesson, sub.student, shown, result, notes=prepared.notes, references=references,
                             sandboxed=sandboxed)
                folder.record(row, digest, text, json.dumps(result["executed"], ensure_ascii=False),
                              feedback_html(lesson, row, result, prepared.notebook))
            report.graded += 1
            if bar:
                bar.advance(sub.student)

        _run_pool(tasks, count, settings, str(folder.work_dir), finish)
    folder.close()
    shutil.rmtree(folder.work_dir, ignore_errors=True)   # the collected zips and the kernels' scratch homes
    report.rows = folder.rows()
    report.csv_path = folder.write_csv(report.rows, lesson.solution_ids)
    report.feedback_dir = folder.feedback_dir
    report.seconds = time.monotonic() - started
    return report


def _run_pool(tasks: list, count: int, settings: Settings, work_dir: str, finish) -> None:
    """Grade ``tasks`` in ``count`` worker processes, at most one notebook per worker at a time.

    A worker that dies takes only the notebooks it had in hand: the pool is started again and
    those notebooks are retried once; a notebook that kills a worker twice is reported as such.
    """
    import multiprocessing

    context = multiprocessing.get_context("spawn")
    queue = list(enumerate(tasks))
    attempts = {index: 0 for index, _ in queue}
    while queue:
        pool = ProcessPoolExecutor(count, mp_context=context, initializer=init_worker,
                                   initargs=(settings, work_dir))
        running = {}
        broken = False

        def submit():
            index, task = queue.pop(0)
            attempts[index] += 1
            sub, _, prepared, _ = task
            running[pool.submit(grade_in_worker, sub.student, json.dumps(prepared.notebook, ensure_ascii=False))] = \
                (index, task)

        try:
            while (queue or running) and not broken:
                while queue and len(running) < count:
                    submit()
                done, _ = wait(running, return_when=FIRST_COMPLETED)
                finished = []
                for future in done:
                    index, task = running.pop(future)
                    try:
                        finished.append((task, future.result()))
                    except BrokenProcessPool:
                        broken = True
                        running[future] = (index, task)
                    except Exception as exc:  # the grader failed on this notebook: report it, go on
                        finished.append((task, {"failed": f"the grader failed on this notebook "
                                                          f"({type(exc).__name__}: {str(exc)[:200]})"}))
                while queue and len(running) < count and not broken:   # keep the workers busy while recording
                    submit()
                for task, result in finished:
                    finish(task, result)
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
        for index, task in running.values():   # in hand when a worker died
            if attempts[index] >= 2:
                finish(task, {"failed": "a grading worker died twice while running this notebook"})
            else:
                task[2].notes.append("graded again: a grading worker died while this notebook was in hand")
                queue.insert(0, (index, task))


def summary_table(report: GradeReport, lesson, stream=None, only_students=None) -> None:
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
        reason = r.reason.replace(UNSANDBOXED + "; ", "").replace(UNSANDBOXED, "")
        reason = (reason[:70] + "...") if len(reason) > 73 else reason
        stream.write(r.student.ljust(width) + cells + f"{r.total:g}/{r.max_total:g}".ljust(9) + r.status
                     + ("" if r.sandboxed else " (NO SANDBOX)") + (f"  {reason}" if reason else "") + "\n")
    counts = {s: sum(r.status == s for r in rows) for s in STATUSES}
    mean = sum(r.total for r in rows) / len(rows) if rows else 0.0
    stream.write(f"\n{len(rows)} students: " + ", ".join(f"{n} {s}" for s, n in counts.items() if n)
                 + f"; mean {mean:.2f} / {lesson.max_points:g}. Graded now: {report.graded}, unchanged: "
                 f"{report.unchanged}, in {report.seconds:.1f} s.\n")
    if any(not r.sandboxed for r in rows):
        stream.write(f"WARNING: {sum(not r.sandboxed for r in rows)} of these were {UNSANDBOXED}.\n")
    stream.write(f"gradebook: {report.csv_path}\nfeedback:  {report.feedback_dir}{os.sep}<student>.html\n")
