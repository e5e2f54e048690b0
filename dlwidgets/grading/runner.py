"""Run one submission in its sandboxed kernel and decide each graded test cell in the grader.

The notebook's cells run in order in the student's kernel, except the graded test cells:
where one stands, the grader runs that cell's check calls itself (checks.py), against the
kernel's state at that point, exactly when the learner's own notebook would have. Limits:
a time per cell and per notebook, output capped while it arrives, and memory, processes
and file sizes capped inside the sandbox. A cell that kills its kernel, or ignores the
interrupt at its time limit (so the sandbox is killed), costs only itself: a new kernel
replays the cells that had worked, and the notebook goes on from the next cell.

Workers: ``init_worker`` sets up a process (the lesson, its parsed test cells, a kernel
started in advance for the next notebook); ``grade_in_worker`` grades one notebook and
returns plain data. The next notebook's kernel starts while this one's results travel back
(a warm kernel: started, Python and the lesson's modules imported, never used by anyone).
"""

from __future__ import annotations

import json
import os
import pathlib
import sys
import time
from dataclasses import dataclass

from .checks import Learner, parse_test_cell, run_call
from .kernel import StudentKernel
from .lesson import cell_source, load_lesson, nbgrader_meta
from .sandbox import SandboxLimits, matplotlib_cache

__all__ = ["Settings", "init_worker", "grade_in_worker", "grade_notebook", "test_calls", "prepare_environment"]

MAX_REPLAYS = 3


@dataclass
class Settings:
    lesson_path: str
    cell_timeout: int = 30            # seconds per cell (and per call of a learner's function)
    notebook_timeout: int = 300       # seconds per notebook
    memory_mb: int = 2048             # address space per kernel
    max_output_bytes: int = 1_000_000  # per cell
    warm: bool = True                 # start the next kernel in advance
    sandboxed: bool = True
    processes: int = 64


def prepare_environment() -> None:
    """What every grading process needs: nbgrader's ``alembic`` on PATH (a new gradebook), one
    BLAS thread (parallel workers already use every core), no warnings on stderr."""
    from ..cpu_limit import THREAD_VARIABLES

    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    import warnings

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's SQLAlchemy chatter


def test_calls(lesson) -> dict:
    """test grade_id -> its parsed check calls (an authoring error stops grading with a sentence)."""
    return {test: parse_test_cell(cell_source(lesson.source_cell(test)), lesson.setup_bindings, where=test)
            for test in lesson.test_points}


class _Kernels:
    """Hands out a fresh kernel per notebook, the next one started in advance."""

    def __init__(self, work_dir: pathlib.Path, settings: Settings, preload: tuple):
        self.work_dir, self.settings, self.preload = work_dir, settings, preload
        self.limits = SandboxLimits(memory_mb=settings.memory_mb, processes=settings.processes)
        self.fonts = matplotlib_cache(work_dir / "matplotlib")
        self.next = self._start() if settings.warm else None

    def _start(self) -> StudentKernel:
        return StudentKernel(self.work_dir, self.limits, sandboxed=self.settings.sandboxed, preload=self.preload,
                             matplotlib_cache=self.fonts)

    def take(self) -> StudentKernel:
        kernel = self.next if self.next is not None and self.next.alive() else None
        if kernel is None and self.next is not None:
            self.next.kill()
        self.next = None
        return kernel or self._start()

    def refill(self) -> None:
        if self.settings.warm and self.next is None:
            self.next = self._start()

    def close(self) -> None:
        if self.next is not None:
            self.next.kill()
            self.next = None


def _problem(run, where: str, settings: Settings) -> str | None:
    if run.status == "timeout":
        return f"{where} exceeded the {settings.cell_timeout} s time limit per cell and was interrupted"
    if run.status == "killed":
        return (f"{where} exceeded the {settings.cell_timeout} s time limit per cell and ignored the interrupt, so "
                "its kernel was stopped; the cells before it were run again in a new kernel")
    if run.status == "died":
        return (f"the kernel died in {where} (os._exit, exit(), a crash or the {settings.memory_mb} MB memory limit); "
                "the cells before it were run again in a new kernel")
    if run.ename == "KeyboardInterrupt":
        return f"{where} raised its own KeyboardInterrupt (not a time limit)"
    if run.ename == "MemoryError":
        return f"{where} ran out of memory (limit {settings.memory_mb} MB per notebook)"
    if run.ename == "StdinNotImplementedError":
        return f"{where} calls input(); graded notebooks cannot wait for typed answers"
    return None


def grade_notebook(notebook: dict, lesson, calls: dict, settings: Settings, kernels: _Kernels, student: str) -> dict:
    """Run ``notebook`` (prepared by sanitize.rebuild) and decide its test cells; plain data back."""
    started = time.monotonic()
    deadline = started + settings.notebook_timeout
    problems: list[str] = []
    tests: dict[str, dict] = {}
    kernel = kernels.take()
    done_code: list[str] = []     # cells that ran without error: replayed in a new kernel
    replays = 0
    stopped = None

    def fresh(where: str):
        """A new kernel in the state the cells before ``where`` left (after a kill or a death)."""
        nonlocal kernel, replays, stopped
        kernel.kill()
        replays += 1
        if replays > MAX_REPLAYS:
            stopped = "the kernel was lost too often"
            problems.append(f"the kernel was lost {replays} times; cells from {where} on were not run")
            return
        kernel = kernels.take()
        for earlier in done_code:  # points for what ran: the state the later cells expect
            kernel.run(earlier, settings.cell_timeout, settings.max_output_bytes)

    def not_run(cell):
        cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": f"[not run: {stopped}]\n"}]

    try:
        for index, cell in enumerate(notebook["cells"]):
            if cell.get("cell_type") != "code":
                continue
            gid = nbgrader_meta(cell).get("grade_id")
            where = gid or f"cell {index + 1}"
            code = cell_source(cell)
            if gid not in calls and not code.strip():
                continue
            if not stopped and deadline - time.monotonic() <= 1:
                stopped = f"the notebook used up its {settings.notebook_timeout} s"
                problems.append(f"the notebook used up its {settings.notebook_timeout} s; cells from {where} on "
                                "were not run")
            if not stopped and not kernel.alive():   # stopped in a check (an ignored interrupt) or died idle
                fresh(where)
            if gid in calls:
                tests[gid] = _decide(calls[gid], kernel, settings, student, stopped)
                problems += [f"{gid}: {limit}" for limit in tests[gid].pop("limits")]
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": _summary(tests[gid])}]
                continue
            if stopped:
                not_run(cell)
                continue
            remaining = deadline - time.monotonic()
            run = kernel.run(code, min(settings.cell_timeout, remaining), settings.max_output_bytes)
            cell["outputs"] = run.outputs
            problem = _problem(run, where, settings)
            if problem:
                problems.append(problem)
            if run.truncated:
                problems.append(f"output of {where} truncated (over {settings.max_output_bytes} bytes)")
            if run.status == "ok":
                done_code.append(code)
            elif run.status in ("killed", "died"):
                fresh(where)
    finally:
        kernel.kill()
    return {"student": student, "tests": tests, "problems": list(dict.fromkeys(problems)),
            "executed": notebook, "seconds": time.monotonic() - started, "sandboxed": settings.sandboxed}


def _decide(calls, kernel, settings, student, stopped) -> dict:
    """One test cell's verdicts: visible calls with their messages, hidden ones passed or failed."""
    result = {"passed": False, "visible": [], "hidden": None, "ran": True, "limits": []}
    if stopped or not kernel.alive():
        result["ran"] = False
        result["visible"] = [{"call": c.text, "passed": False,
                              "message": f"not checked: {stopped or 'the kernel had stopped'}"}
                             for c in calls if not c.hidden]
        return result
    learner = Learner(kernel, settings.cell_timeout)
    visible_ok = True
    for call in (c for c in calls if not c.hidden):
        verdict = run_call(call, learner, student)
        result["visible"].append({"call": call.text, "passed": verdict.passed, "message": verdict.message})
        visible_ok = visible_ok and verdict.passed
        if verdict.limit:
            result["limits"].append(verdict.limit)
    hidden = [c for c in calls if c.hidden]
    if hidden and visible_ok:
        verdicts = []
        for call in hidden:   # stop at the first failure, as the cell would in the notebook
            verdicts.append(run_call(call, learner, student))
            if not verdicts[-1].passed:
                break
        result["hidden"] = all(v.passed for v in verdicts)
        result["limits"] += [f"in a hidden check, {v.limit}" for v in verdicts if v.limit]
    result["passed"] = visible_ok and (result["hidden"] is not False)
    return result


def _summary(test: dict) -> str:
    lines = [("✔ " if v["passed"] else "✘ ") + v["message"] for v in test["visible"]]
    if test["hidden"] is not None:
        lines.append("Hidden tests: " + ("passed." if test["hidden"] else "not passed."))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------- inside a worker process

_WORKER: dict = {}


def init_worker(settings: Settings, work_dir: str) -> None:
    """Load the lesson once per worker and start the first kernel."""
    from multiprocessing.util import Finalize

    prepare_environment()
    lesson = load_lesson(settings.lesson_path)
    calls = test_calls(lesson)
    work = pathlib.Path(work_dir) / f"w{os.getpid()}"
    kernels = _Kernels(work, settings, tuple(lesson.preload_modules()))
    Finalize(kernels, kernels.close, exitpriority=10)
    _WORKER.update(lesson=lesson, calls=calls, settings=settings, kernels=kernels, work=work)


def grade_in_worker(student: str, notebook_json: str) -> dict:
    """Grade one prepared notebook; the result is plain data for the main process."""
    w = _WORKER
    try:
        return grade_notebook(json.loads(notebook_json), w["lesson"], w["calls"], w["settings"], w["kernels"], student)
    finally:
        w["kernels"].refill()
