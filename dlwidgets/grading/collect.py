"""Find each student's submission in whatever an LMS hands over, without changing it.

Accepted layouts (mixed freely):

* a folder per student: ``submissions/alice/08_convolutions.ipynb`` (any file name);
* flat files named by student: ``alice.ipynb``, ``alice_08_convolutions.ipynb``,
  ``08_convolutions-alice.ipynb``;
* LMS exports: Canvas (``smithjane_12345_67890_08_convolutions.ipynb``, with ``_LATE_``),
  Moodle (``Jane Smith_12345_assignsubmission_file_/08_convolutions.ipynb``),
  Blackboard (``Lesson 8_jsmith_attempt_2024-03-01-10-00-00_08_convolutions.ipynb``);
* a zip of any of these (it is extracted into the grading folder's scratch space, never
  next to the submissions).

Students are identified by a normalised id (spaces and punctuation become ``_``; letters
of any script are kept). When one student has several notebooks, the newest (last
modified, then last by name) is graded and the status lists the others. Files that are not
notebooks are still attributed to a student, so that "handed in a PDF" is reported rather
than ignored. System litter (``.DS_Store``, ``__MACOSX``, checkpoints) is skipped.
"""

from __future__ import annotations

import pathlib
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field

__all__ = ["Submission", "collect", "student_id", "extract_zip"]

_JUNK_DIRS = {"__MACOSX", ".ipynb_checkpoints", ".git", "__pycache__"}
_JUNK_FILES = {".DS_Store", "Thumbs.db", "desktop.ini"}
_CANVAS = re.compile(r"^(?P<student>[^_]+?)(?:_late)?_\d+_\d+_(?P<rest>.*)$", re.IGNORECASE)
_MOODLE_DIR = re.compile(r"^(?P<student>.+?)_\d+_assignsubmission_\w*?_?$")
_BLACKBOARD = re.compile(r"^.+?_(?P<student>[^_]+)_attempt_\d{4}(?:-\d\d){5}(?:_(?P<rest>.*))?$")
MAX_ZIP_BYTES = 2 * 1024 ** 3


@dataclass
class Submission:
    student: str                      # normalised student id
    path: pathlib.Path | None         # the file graded (None: no notebook at all)
    others: list[pathlib.Path] = field(default_factory=list)   # other files of this student
    notes: list[str] = field(default_factory=list)


def student_id(raw: str) -> str:
    """A safe, readable id: NFC unicode, runs of anything but letters/digits/-/. become '_'."""
    text = unicodedata.normalize("NFC", raw).strip()
    text = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE).strip("._-")
    return text or "unnamed"


def _strip_lesson(stem: str, lesson: str) -> str:
    """``alice_08_convolutions`` -> ``alice``; ``08_convolutions-alice`` -> ``alice``."""
    for name in (lesson, lesson.split("_", 1)[-1]):
        for pattern in (rf"[\s_\-]*{re.escape(name)}$", rf"^{re.escape(name)}[\s_\-]*"):
            new = re.sub(pattern, "", stem, flags=re.IGNORECASE)
            if new != stem and new:
                return new
    return stem


def _flat_student(name: str, lesson: str) -> str | None:
    stem = pathlib.Path(name).stem
    for pattern in (_CANVAS, _BLACKBOARD):
        match = pattern.match(stem)
        if match:
            return match.group("student")
    stripped = _strip_lesson(stem, lesson)
    if stripped.lower() == lesson.lower() or not stripped:
        return None
    return stripped


def _junk(path: pathlib.Path, root: pathlib.Path) -> bool:
    parts = path.relative_to(root).parts
    return (any(p in _JUNK_DIRS for p in parts) or path.name in _JUNK_FILES or path.name.startswith("._")
            or path.name.startswith("~$"))


def extract_zip(archive: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    """Extract an LMS export safely (no paths outside ``into``, a size limit); returns the root."""
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        total = sum(info.file_size for info in zf.infolist())
        if total > MAX_ZIP_BYTES:
            raise ValueError(f"{archive.name} would expand to {total // 2**20} MB")
        for info in zf.infolist():
            name = info.filename
            if info.flag_bits & 0x800 == 0:  # names not flagged UTF-8: try cp437 -> utf-8 repair
                try:
                    name = name.encode("cp437").decode("utf-8")
                except (UnicodeEncodeError, UnicodeDecodeError):
                    pass
            target = (into / name).resolve()
            if not str(target).startswith(str(into.resolve())) or info.is_dir():
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
    entries = [p for p in into.iterdir() if p.name not in _JUNK_DIRS]
    if len(entries) == 1 and entries[0].is_dir() and not _MOODLE_DIR.match(entries[0].name):
        # one wrapping folder (the assignment name): step into it unless it looks like a student's
        inner = [p for p in entries[0].iterdir() if p.name not in _JUNK_DIRS]
        if inner and (all(p.is_dir() for p in inner) or len(inner) > 1):
            return entries[0]
    return into


def collect(folder, lesson: str, scratch: pathlib.Path) -> list[Submission]:
    """Every student's submission for ``lesson`` in ``folder`` (a folder or a .zip)."""
    folder = pathlib.Path(folder)
    if folder.is_file() and zipfile.is_zipfile(folder):
        folder = extract_zip(folder, scratch / "unzipped" / folder.stem)
    files: dict[str, list[pathlib.Path]] = {}
    for path in sorted(folder.iterdir()):
        if _junk(path, folder):
            continue
        if path.is_dir():
            match = _MOODLE_DIR.match(path.name)
            student = match.group("student") if match else path.name
            for inner in sorted(p for p in path.rglob("*") if p.is_file() and not _junk(p, folder)):
                files.setdefault(student_id(student), []).append(inner)
        elif path.is_file():
            if zipfile.is_zipfile(path) and path.suffix.lower() == ".zip":
                nested = extract_zip(path, scratch / "unzipped" / path.stem)
                for sub in collect(nested, lesson, scratch / "nested"):
                    files.setdefault(sub.student, []).extend([p for p in [sub.path, *sub.others] if p])
                continue
            student = _flat_student(path.name, lesson)
            if student is None:
                continue
            files.setdefault(student_id(student), []).append(path)
    result = []
    for student in sorted(files):
        paths = files[student]
        notebooks = [p for p in paths if p.suffix.lower() == ".ipynb"]
        if not notebooks:
            result.append(Submission(student, paths[0] if paths else None, paths[1:]))
            continue
        preferred = [p for p in notebooks if lesson.lower() in p.stem.lower()] or notebooks
        chosen = max(preferred, key=lambda p: (p.stat().st_mtime, p.name))
        others = [p for p in paths if p != chosen]
        sub = Submission(student, chosen, others)
        extra_notebooks = [p for p in notebooks if p != chosen]
        if extra_notebooks:
            sub.notes.append(f"{len(notebooks)} notebooks handed in ({', '.join(sorted(p.name for p in notebooks))}); "
                             f"graded the newest, {chosen.name}")
        result.append(sub)
    return result
