"""The instructor's grading folder: nbgrader's gradebook, the per-student state, the CSV.

Layout of a grading folder (an ordinary nbgrader course folder, plus the CSV and feedback)::

    gradebook.db                           nbgrader's SQLite gradebook
    source/<lesson>/<lesson>.ipynb         the grading version of the lesson
    release/<lesson>/<lesson>.ipynb        made by nbgrader generate_assignment
    submitted/<student>/<lesson>/...       the notebook that was graded (after repairs)
    autograded/<student>/<lesson>/...      it as run, each test cell showing the grader's verdicts
    feedback/<lesson>/<student>.html       feedback for the student
    <lesson>-grades.csv                    the gradebook as a table
    .dlwidgets/<lesson>/<student>.json     what was graded (file hash) and the row

A submission is written to all of these as soon as it is graded, so an interrupted run
loses nothing, and a second run skips every student whose file has not changed. Only the
grader's main process writes here, from its own verdicts; no student's kernel can see this
folder (sandbox.py). The scores go into nbgrader's gradebook as its autograde scores, so
formgrader and ``nbgrader export`` show the same totals as the CSV.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pathlib

from .outcome import Row

__all__ = ["GradingFolder", "file_hash", "nbgrader_config"]

GRADER_VERSION = "2"


def file_hash(path) -> str:
    digest = hashlib.sha256(GRADER_VERSION.encode())
    if path is not None:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


def nbgrader_config(root: pathlib.Path):
    """nbgrader's configuration for the grading folder (used for generate_assignment only)."""
    from traitlets.config import Config

    c = Config()
    c.CourseDirectory.root = str(root)
    return c


def _atomic_write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


class GradingFolder:
    """The instructor's grading folder for one lesson."""

    def __init__(self, root, lesson_name: str):
        self.root = pathlib.Path(root).resolve()
        self.lesson = lesson_name
        self.root.mkdir(parents=True, exist_ok=True)
        self.state_dir = self.root / ".dlwidgets" / lesson_name
        self.work_dir = self.root / ".dlwidgets" / "work"
        self.feedback_dir = self.root / "feedback" / lesson_name
        self.csv_path = self.root / f"{lesson_name}-grades.csv"
        self._gradebook = None

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.root / 'gradebook.db'}"

    # ------------------------------------------------------------ the assignment in nbgrader

    def ensure_assignment(self, source_nb: dict) -> None:
        """Put the lesson in source/ and let nbgrader generate the assignment (its gradebook
        entries: notebooks, graded cells, points), unless it already has exactly this version."""
        from nbgrader.apps import NbGraderAPI

        text = json.dumps(source_nb, indent=1, ensure_ascii=False) + "\n"
        source = self.root / "source" / self.lesson / f"{self.lesson}.ipynb"
        stamp = self.root / ".dlwidgets" / f"{self.lesson}.source-sha256"
        digest = hashlib.sha256((GRADER_VERSION + text).encode()).hexdigest()
        released = self.root / "release" / self.lesson / f"{self.lesson}.ipynb"
        if not (source.exists() and stamp.exists() and stamp.read_text() == digest and released.exists()
                and (self.root / "gradebook.db").exists()):
            _atomic_write(source, text)
            api = NbGraderAPI(config=nbgrader_config(self.root))
            result = api.generate_assignment(self.lesson, force=True, create=True)
            if not result.get("success"):
                raise RuntimeError(f"nbgrader could not generate {self.lesson}:\n{result.get('error') or result.get('log')}")
            _atomic_write(stamp, digest)

    # ------------------------------------------------------------ per-student state

    def previous(self, student: str) -> dict | None:
        path = self.state_dir / f"{student}.json"
        try:
            return json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None

    def record(self, row: Row, digest: str, prepared: str | None, autograded: str | None, feedback_html: str) -> None:
        """Write one graded submission everywhere (nbgrader's gradebook last-but-one, state last)."""
        student = row.student
        if prepared is not None:
            _atomic_write(self.root / "submitted" / student / self.lesson / f"{self.lesson}.ipynb", prepared)
        if autograded is not None:
            _atomic_write(self.root / "autograded" / student / self.lesson / f"{self.lesson}.ipynb", autograded)
        _atomic_write(self.feedback_dir / f"{student}.html", feedback_html)
        self._write_gradebook(row)
        _atomic_write(self.state_dir / f"{student}.json", json.dumps({"sha256": digest, "row": row.as_dict()},
                                                                      ensure_ascii=False, indent=1))

    def _write_gradebook(self, row: Row) -> None:
        """The row's scores into nbgrader's gradebook, as autograde scores of its graded cells."""
        from nbgrader.api import Gradebook

        if self._gradebook is None:
            self._gradebook = Gradebook(self.db_url)
        gb = self._gradebook
        gb.update_or_create_student(row.student)
        gb.update_or_create_submission(self.lesson, row.student)
        notebook = gb.find_submission_notebook(self.lesson, self.lesson, row.student)
        for grade in notebook.grades:
            grade.auto_score = float(row.test_scores.get(grade.name, 0.0))
            grade.manual_score = None
            grade.needs_manual_grade = False
        gb.db.commit()

    def close(self) -> None:
        if self._gradebook is not None:
            self._gradebook.close()
            self._gradebook = None

    # ------------------------------------------------------------ the table

    def rows(self) -> list[Row]:
        rows = []
        for path in sorted(self.state_dir.glob("*.json")):
            try:
                rows.append(Row.from_dict(json.loads(path.read_text(encoding="utf-8"))["row"]))
            except (ValueError, KeyError, TypeError):
                continue
        return sorted(rows, key=lambda r: r.student.lower())

    def write_csv(self, rows: list[Row], exercises: list[str]) -> pathlib.Path:
        self.csv_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.csv_path.with_name(self.csv_path.name + ".tmp")
        with open(tmp, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["student", *exercises, "total", "max_total", "status", "reason", "file", "sandboxed"])
            for row in rows:
                writer.writerow([row.student, *[_num(row.points.get(e, 0.0)) for e in exercises], _num(row.total),
                                 _num(row.max_total), row.status, row.reason, row.file,
                                 "yes" if row.sandboxed else "NO"])
        os.replace(tmp, self.csv_path)
        return self.csv_path


def _num(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"
