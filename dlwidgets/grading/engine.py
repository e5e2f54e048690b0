"""nbgrader as the grading engine, in parallel workers that cannot hurt each other or the gradebook.

SQLite does not like concurrent writers, so each worker process grades in its own scratch
nbgrader course (a copy of the grading folder's source, release and gradebook) through
nbgrader's Python API (``NbGraderAPI.autograde``), and hands back the scores nbgrader
gave and the autograded notebook. Only the main process writes the instructor's gradebook.

nbgrader's own Execute preprocessor is replaced (through nbgrader's configuration, not by
patching it) by ``GradingExecute``, which adds what grading a whole class needs:

* a time limit per notebook on top of nbgrader's per-cell limit; cells after it are not run;
* a kernel that dies (``os._exit``, a crash) stops that notebook, not the run; the cells
  graded before it keep their scores;
* outputs are capped while they arrive (a ``print`` in an endless loop cannot fill memory);
* a memory cap (``RLIMIT_AS``) on the kernel process;
* warm kernels (warmkernel.py) instead of a cold start for every notebook.
"""

from __future__ import annotations

import json
import os
import pathlib
import shutil
import sys
import time
from dataclasses import dataclass

from ..cpu_limit import THREAD_VARIABLES

__all__ = ["Settings", "GradingExecute", "prepare_environment", "init_worker", "grade_in_worker",
           "TRUNCATED", "KERNEL_DIED", "NOTEBOOK_TIME_LIMIT"]

TRUNCATED = "[output truncated by the grader"
KERNEL_DIED = "KernelDied"
NOTEBOOK_TIME_LIMIT = "NotebookTimeLimit"
WARM_KERNEL = "dlwidgets-grading-warm"


@dataclass
class Settings:
    lesson: str                       # nbgrader assignment id (and notebook name)
    cell_timeout: int = 30            # seconds per cell
    notebook_timeout: int = 300       # seconds per notebook
    memory_mb: int = 2048             # address-space cap per kernel
    max_output_bytes: int = 1_000_000  # per cell
    warm: bool = True                 # fork kernels from a warmed-up zygote
    preload: tuple = ()               # modules the zygote imports


def prepare_environment() -> None:
    """What every grading process needs: nbgrader's ``alembic`` on PATH, single-threaded maths
    (parallel workers already use every core), and no warnings on stderr (nbgrader scores a test
    cell zero for any stderr output, and a NumPy RuntimeWarning is not a wrong answer)."""
    bindir = os.path.dirname(sys.executable)
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    for name in THREAD_VARIABLES:
        os.environ.setdefault(name, "1")
    os.environ.setdefault("PYTHONWARNINGS", "ignore")
    os.environ.setdefault("PYTHONHASHSEED", "0")
    os.environ.setdefault("MPLBACKEND", "Agg")
    import warnings

    warnings.filterwarnings("ignore", message=".*not in session.*")  # nbgrader's SQLAlchemy chatter


def _grading_execute_class():
    from time import monotonic

    from nbclient.exceptions import DeadKernelError
    from nbformat.notebooknode import NotebookNode
    from nbgrader.preprocessors import Execute
    from traitlets import Integer

    class GradingExecute(Execute):
        """nbgrader's Execute with a notebook time limit, output caps, a memory cap and
        survival of a dying kernel."""

        notebook_timeout = Integer(300, help="seconds for the whole notebook").tag(config=True)
        max_output_bytes = Integer(1_000_000, help="bytes of output kept per cell").tag(config=True)
        memory_bytes = Integer(0, help="address-space limit of the kernel (0: none)").tag(config=True)

        def preprocess(self, nb, resources=None, km=None):
            self._deadline = monotonic() + self.notebook_timeout
            self._cell_timeout = self.timeout
            self._stopped = None
            self._bytes = {}
            try:
                return super().preprocess(nb, resources, km)
            except DeadKernelError:
                self._stop_all(nb, KERNEL_DIED, "the kernel died before the notebook could run")
                return nb, resources

        def _stop_all(self, nb, ename, evalue):
            for cell in nb.cells:
                if cell.cell_type == "code" and not cell.get("outputs"):
                    cell.outputs = [self._error(ename, evalue)]

        @staticmethod
        def _error(ename, evalue):
            return NotebookNode(output_type="error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])

        async def async_start_new_kernel(self, **kwargs):
            await super().async_start_new_kernel(**kwargs)
            pid = getattr(getattr(self.km, "provisioner", None), "pid", None)
            if self.memory_bytes and pid and self.kernel_name != WARM_KERNEL and hasattr(__import__("resource"), "prlimit"):
                import resource

                try:
                    resource.prlimit(pid, resource.RLIMIT_AS, (self.memory_bytes, self.memory_bytes))
                except OSError:
                    pass

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code" or not cell.source.strip():
                return cell, resources
            if self._stopped:
                cell.outputs = [self._error(*self._stopped)]
                return cell, resources
            remaining = self._deadline - monotonic()
            if remaining <= 0:
                self._stopped = (NOTEBOOK_TIME_LIMIT, f"not run: the notebook used up its {self.notebook_timeout} s")
                cell.outputs = [self._error(*self._stopped)]
                return cell, resources
            self.timeout = max(1, int(min(self._cell_timeout or remaining, remaining)))
            try:
                return super().preprocess_cell(cell, resources, index)
            except DeadKernelError:
                cell.outputs.append(self._error(KERNEL_DIED, "the kernel died while running this cell"))
                self._stopped = (KERNEL_DIED, "not run: the kernel had died in an earlier cell")
                return cell, resources
            finally:
                self.timeout = self._cell_timeout

        def output(self, outs, msg, display_id, cell_index):
            content = msg.get("content", {})
            size = len(content.get("text", "")) + sum(len(str(v)) for v in content.get("data", {}).values())
            used = self._bytes.get(cell_index, 0)
            self._bytes[cell_index] = used + size
            if used + size > self.max_output_bytes:
                if used <= self.max_output_bytes:
                    # a display, not a stream: streams get merged and cut by nbgrader's LimitOutput
                    outs.append(NotebookNode(output_type="display_data", metadata={},
                                             data={"text/plain": f"{TRUNCATED} at {self.max_output_bytes} bytes]"}))
                return None
            return super().output(outs, msg, display_id, cell_index)

    return GradingExecute


def __getattr__(name):
    if name == "GradingExecute":
        return _grading_execute_class()
    raise AttributeError(name)


def nbgrader_config(root: pathlib.Path, settings: Settings):
    """The nbgrader configuration of a (scratch or instructor's) course folder."""
    from nbconvert.preprocessors import ClearMetadataPreprocessor
    from nbgrader.preprocessors import (AssignLatePenalties, CheckCellMetadata, IgnorePattern, LimitOutput,
                                        SaveAutoGrades)
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(root)
    c.Execute.timeout = settings.cell_timeout
    c.OverwriteCells.add_missing_cells = True
    c.GradingExecute.notebook_timeout = settings.notebook_timeout
    c.GradingExecute.max_output_bytes = settings.max_output_bytes
    c.GradingExecute.memory_bytes = settings.memory_mb * 2 ** 20
    if settings.warm:
        c.GradingExecute.kernel_name = WARM_KERNEL
    c.Autograde.autograde_preprocessors = [_grading_execute_class(), IgnorePattern, ClearMetadataPreprocessor,
                                           LimitOutput, SaveAutoGrades, AssignLatePenalties, CheckCellMetadata]
    return c


# ---------------------------------------------------------------- inside a worker process

_WORKER: dict = {}


def init_worker(template: str, work_root: str, settings: Settings) -> None:
    """Set up this worker: a scratch copy of the course, a warm-kernel server, an nbgrader API."""
    import logging
    from multiprocessing.util import Finalize

    prepare_environment()
    scratch = pathlib.Path(work_root) / f"worker-{os.getpid()}"
    if scratch.exists():
        shutil.rmtree(scratch)
    scratch.mkdir(parents=True)
    for name in ("source", "release"):
        shutil.copytree(pathlib.Path(template) / name, scratch / name)
    shutil.copy(pathlib.Path(template) / "gradebook.db", scratch / "gradebook.db")
    zygote = None
    if settings.warm:
        from .warmkernel import Zygote, kernel_spec

        socket_path = str(scratch / "zygote.sock")
        if len(socket_path) > 100:  # AF_UNIX paths are short
            import tempfile

            socket_path = os.path.join(tempfile.mkdtemp(prefix="dlw-"), "zygote.sock")
        zygote = Zygote(socket_path, list(settings.preload), settings.memory_mb * 2 ** 20)
        spec_dir = scratch / "jupyter" / "kernels" / WARM_KERNEL
        spec_dir.mkdir(parents=True)
        (spec_dir / "kernel.json").write_text(json.dumps(kernel_spec(socket_path)))
        os.environ["JUPYTER_PATH"] = str(scratch / "jupyter") + os.pathsep + os.environ.get("JUPYTER_PATH", "")
        Finalize(zygote, zygote.close, exitpriority=10)
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=nbgrader_config(scratch, settings))
    api.log.setLevel(logging.ERROR)
    _WORKER.update(scratch=scratch, api=api, settings=settings, zygote=zygote)


def grade_in_worker(student: str, notebook_json: str) -> dict:
    """Autograde one prepared notebook with nbgrader; scores and the autograded notebook."""
    from nbgrader.api import Gradebook

    scratch, api, settings = _WORKER["scratch"], _WORKER["api"], _WORKER["settings"]
    lesson = settings.lesson
    started = time.monotonic()
    submitted = scratch / "submitted" / student / lesson
    if submitted.exists():
        shutil.rmtree(submitted)
    submitted.mkdir(parents=True)
    (submitted / f"{lesson}.ipynb").write_text(notebook_json, encoding="utf-8")
    autograded = scratch / "autograded" / student / lesson
    if autograded.exists():
        shutil.rmtree(autograded)
    result = api.autograde(lesson, student, force=True, create=True)
    out = {"student": student, "success": bool(result.get("success")), "seconds": time.monotonic() - started,
           "log": (result.get("log") or "")[-4000:] + (result.get("error") or "")[-4000:], "scores": {},
           "autograded": None}
    path = autograded / f"{lesson}.ipynb"
    if out["success"] and path.exists():
        out["autograded"] = path.read_text(encoding="utf-8")
        with Gradebook(f"sqlite:///{scratch / 'gradebook.db'}") as gb:
            notebook = gb.find_submission_notebook(lesson, lesson, student)
            out["scores"] = {grade.name: float(grade.auto_score or 0) for grade in notebook.grades}
    shutil.rmtree(submitted, ignore_errors=True)
    shutil.rmtree(autograded, ignore_errors=True)
    return out
