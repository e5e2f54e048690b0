"""Find each student's submission in whatever an LMS hands over, without changing it.

Accepted layouts (mixed freely):

* a folder per student: ``submissions/alice/08_convolutions.ipynb`` (any file name);
* flat files named by student: ``alice.ipynb``, ``alice_08_convolutions.ipynb``,
  ``08_convolutions-alice.ipynb``;
* LMS exports: Canvas (``smithjane_12345_67890_08_convolutions.ipynb``, with ``_LATE_``),
  Moodle (``Jane Smith_12345_assignsubmission_file_/08_convolutions.ipynb``),
  Blackboard (``Lesson 8_jsmith_attempt_2024-03-01-10-00-00_08_convolutions.ipynb``);
* a zip of any of these (it is extracted into the grading folder's scratch space, never
  next to the submissions), and a zip per student (``alice.zip``): the student is named by
  the zip, never by a notebook inside it.

A damaged, encrypted or oversized student zip, or a symbolic link leading outside the
submissions folder (never followed), stays with its student as a reason to reject.

Students are identified by a normalised id (spaces and punctuation become ``_``; letters
of any script are kept). When one student has several notebooks, the newest (last
modified, then last by name) is graded and the status lists the others. Files that are not
notebooks are still attributed to a student, so that "handed in a PDF" is reported rather
than ignored. System litter (``.DS_Store``, ``__MACOSX``, checkpoints) is skipped.
"""

from __future__ import annotations

import pathlib
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field

__all__ = ["Submission", "collect", "student_id", "extract_zip", "ZipProblem"]

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
    problem: str | None = None        # why nothing of this student can be graded (a broken zip, ...)


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


class ZipProblem(Exception):
    """A zip that cannot be read; the message says why."""


def extract_zip(archive: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    """Extract an LMS export safely (no paths outside ``into``, a size limit); returns the root.

    ``ZipProblem`` with a sentence if it is damaged, encrypted or too large."""
    try:
        return _extract(archive, into)
    except ZipProblem:
        raise
    except RuntimeError as exc:
        if "encrypt" in str(exc).lower() or "password" in str(exc).lower():
            raise ZipProblem(f"{archive.name} is encrypted (password-protected)") from None
        raise ZipProblem(f"{archive.name} could not be opened ({str(exc)[:100]})") from None
    except NotImplementedError as exc:
        raise ZipProblem(f"{archive.name} uses a compression this grader cannot read ({str(exc)[:100]})") from None
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise ZipProblem(f"{archive.name} is damaged and could not be opened ({str(exc)[:100]})") from None


def _extract(archive: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    into.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(archive) as zf:
        total = sum(info.file_size for info in zf.infolist())
        if total > MAX_ZIP_BYTES:
            raise ZipProblem(f"{archive.name} is too large: it would expand to {total // 2**20} MB "
                             f"(the limit is {MAX_ZIP_BYTES // 2**20} MB)")
        if any(info.flag_bits & 0x1 for info in zf.infolist()):
            raise ZipProblem(f"{archive.name} is encrypted (password-protected)")
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
                copied = 0
                for block in iter(lambda: src.read(1 << 20), b""):   # sizes in the directory can lie
                    copied += len(block)
                    if copied > MAX_ZIP_BYTES:
                        raise ZipProblem(f"{archive.name} is too large: it expands beyond "
                                         f"{MAX_ZIP_BYTES // 2**20} MB")
                    dst.write(block)
    entries = [p for p in into.iterdir() if p.name not in _JUNK_DIRS]
    if len(entries) == 1 and entries[0].is_dir() and not _MOODLE_DIR.match(entries[0].name):
        # one wrapping folder (the assignment name): step into it unless it looks like a student's
        inner = [p for p in entries[0].iterdir() if p.name not in _JUNK_DIRS]
        if inner and (all(p.is_dir() for p in inner) or len(inner) > 1):
            return entries[0]
    return into


def _outside(path: pathlib.Path, root: pathlib.Path) -> bool:
    """A symbolic link that leads outside ``root`` (or nowhere)."""
    if not path.is_symlink():
        return False
    try:
        return not path.resolve(strict=True).is_relative_to(root.resolve())
    except (OSError, RuntimeError):
        return True


def _student_zip(path: pathlib.Path, lesson: str) -> str:
    return student_id(_flat_student(path.name, lesson) or path.stem)


def collect(folder, lesson: str, scratch: pathlib.Path) -> list[Submission]:
    """Every student's submission for ``lesson`` in ``folder`` (a folder or a .zip).

    ``ZipProblem`` if ``folder`` is itself a zip that cannot be read."""
    folder = pathlib.Path(folder)
    if folder.is_file() and zipfile.is_zipfile(folder):
        folder = extract_zip(folder, scratch / "unzipped" / folder.stem)
    root = folder
    files: dict[str, list[pathlib.Path]] = {}
    problems: dict[str, list[str]] = {}
    unzipped = 0

    def add_zip(student, archive):
        nonlocal unzipped
        unzipped += 1
        try:
            inner_root = extract_zip(archive, scratch / "unzipped" / f"{unzipped}")
        except ZipProblem as exc:
            problems.setdefault(student, []).append(str(exc))
            return
        for inner in sorted(p for p in inner_root.rglob("*") if p.is_file() and not _junk(p, inner_root)):
            files.setdefault(student, []).append(inner)

    for path in sorted(folder.iterdir()):
        if _junk(path, folder):
            continue
        if _outside(path, root):
            student = student_id(path.name if path.is_dir() else (_flat_student(path.name, lesson) or path.stem))
            problems.setdefault(student, []).append(f"{path.name} is a symbolic link to something outside the "
                                                    "submissions folder (not followed)")
            continue
        if path.is_dir():
            match = _MOODLE_DIR.match(path.name)
            student = student_id(match.group("student") if match else path.name)
            for inner in sorted(p for p in path.rglob("*") if not _junk(p, folder)):
                if _outside(inner, root):
                    problems.setdefault(student, []).append(f"{inner.name} is a symbolic link to something outside "
                                                            "the submissions folder (not followed)")
                elif inner.is_file() and inner.suffix.lower() == ".zip":
                    add_zip(student, inner)
                elif inner.is_file():
                    files.setdefault(student, []).append(inner)
        elif path.is_file():
            if path.suffix.lower() == ".zip":
                add_zip(_student_zip(path, lesson), path)
                continue
            student = _flat_student(path.name, lesson)
            if student is None:
                continue
            files.setdefault(student_id(student), []).append(path)
    result = []
    for student in sorted(set(files) | set(problems)):
        paths = files.get(student, [])
        notebooks = [p for p in paths if p.suffix.lower() == ".ipynb"]
        trouble = problems.get(student, [])
        if not notebooks:
            sub = Submission(student, paths[0] if paths else None, paths[1:])
            if trouble:
                sub.problem = "; ".join(trouble)
            result.append(sub)
            continue
        preferred = [p for p in notebooks if lesson.lower() in p.stem.lower()] or notebooks
        chosen = max(preferred, key=lambda p: (p.stat().st_mtime, p.name))
        others = [p for p in paths if p != chosen]
        sub = Submission(student, chosen, others, notes=[f"ignored: {t}" for t in trouble])
        extra_notebooks = [p for p in notebooks if p != chosen]
        if extra_notebooks:
            sub.notes.append(f"{len(notebooks)} notebooks handed in ({', '.join(sorted(p.name for p in notebooks))}); "
                             f"graded the newest, {chosen.name}")
        result.append(sub)
    return result
