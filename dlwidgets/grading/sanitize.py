"""Turn whatever a learner handed in into a notebook nbgrader can grade fairly, and say what changed.

``read_submission`` refuses what cannot be graded with one clear sentence (an empty file,
a PDF, malformed JSON, JSON that is not a notebook, another lesson's notebook), and reads
a notebook saved in another encoding (UTF-16 or UTF-32 with or without a byte-order mark,
Windows-1252, Latin-1) with a note naming the encoding.

``rebuild`` puts the lesson's graded cells back the way the lesson has them:

* a test cell that was deleted or edited is restored from the lesson (nbgrader would
  score a deleted test cell zero without a word, and restores edited ones only with a
  warning in its log);
* cells moved out of order go back to the lesson's order, each followed by the cells the
  learner added after it;
* a deleted solution cell comes back as the stub (that exercise has no answer);
* deleted lesson code cells (the imports, the widget the challenge needs) are restored;
* duplicate copies of a graded cell are resolved (a test cell's copy is dropped; a
  solution cell's copy stays, as plain code after the original, so the later one wins);
* saved outputs are dropped (the notebook is run again), so huge saved outputs cost nothing.

Every change becomes a note in the submission's status.
"""

from __future__ import annotations

import copy
import json
import pathlib
import uuid
from dataclasses import dataclass, field

from .lesson import Lesson, cell_source, nbgrader_meta

__all__ = ["Rejected", "Prepared", "read_submission", "rebuild", "MAX_FILE_BYTES"]

MAX_FILE_BYTES = 200 * 1024 * 1024


class Rejected(Exception):
    """The file cannot be graded; the message says why, for the gradebook."""


@dataclass
class Prepared:
    notebook: dict
    notes: list[str] = field(default_factory=list)
    learner_cells: list[tuple[str, str, bool]] = field(default_factory=list)  # (where, source, is_solution)


def _kind(data: bytes, name: str) -> str:
    if data.startswith(b"%PDF"):
        return "a PDF document"
    if data.startswith(b"PK\x03\x04"):
        return "a zip archive"
    if data[:4] in (b"\x89PNG", b"\xff\xd8\xff\xe0", b"\xff\xd8\xff\xe1"):
        return "an image"
    suffix = pathlib.Path(name).suffix
    if suffix.lower() == ".ipynb":
        return "a file named .ipynb whose content is not a notebook"
    return f"a {suffix} file" if suffix else "a file without an extension"


_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig", "UTF-8 with a byte-order mark"), (b"\xff\xfe\x00\x00", "utf-32", "UTF-32"),
         (b"\x00\x00\xfe\xff", "utf-32", "UTF-32"), (b"\xff\xfe", "utf-16", "UTF-16"), (b"\xfe\xff", "utf-16", "UTF-16"))


def _decode(data: bytes, name: str) -> tuple[str, list[str]]:
    """The text of a notebook file and a note if it was not UTF-8 (``Rejected`` if it is not text)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise Rejected(f"{name} starts like {label} text but is not valid {label} ({exc.reason})") from None
            return text, ([] if codec == "utf-8-sig" else [f"{name} was saved as {label}, not UTF-8; decoded as {label}"])
    if len(data) > 1 and (data[0] == 0 or data[1] == 0) and data.lstrip(b"\x00")[:1] in (b"{", b"["):
        codec, label = ("utf-16-be", "UTF-16") if data[0] == 0 else ("utf-16-le", "UTF-16")
        try:
            return data.decode(codec), [f"{name} was saved as {label} without a byte-order mark; decoded as {label}"]
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if data.lstrip()[:1] in (b"{", b"["):
        for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
            try:
                return data.decode(codec), [f"{name} was saved as {label} (not UTF-8); decoded as {label}"]
            except UnicodeDecodeError:
                continue
        raise Rejected(f"{name} is not UTF-8 text (byte {utf8_error.start}: {utf8_error.reason})")
    raise Rejected(f"not a notebook: {name} is {_kind(data, name)}")


def read_submission(path, other_lessons: dict[str, set[str]] | None = None,
                    lesson: Lesson | None = None) -> tuple[dict, list[str]]:
    """(the notebook in ``path`` as a JSON dict, notes on how it was read), or ``Rejected`` with the reason."""
    path = pathlib.Path(path)
    size = path.stat().st_size
    if size == 0:
        raise Rejected(f"empty file ({path.name}, 0 bytes)")
    if size > MAX_FILE_BYTES:
        raise Rejected(f"file too large ({size // 2**20} MB; the limit is {MAX_FILE_BYTES // 2**20} MB)")
    data = path.read_bytes()
    if not data.strip():
        raise Rejected(f"empty file ({path.name} holds only whitespace)")
    if data.startswith((b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff")):
        raise Rejected(f"not a notebook: {path.name} is {_kind(data, path.name)}")
    text, notes = _decode(data, path.name)
    try:
        nb = json.loads(text)
    except json.JSONDecodeError as exc:
        if path.suffix.lower() != ".ipynb" and not text.lstrip().startswith(("{", "[")):
            raise Rejected(f"not a notebook: {path.name} is {_kind(data, path.name)}") from None
        raise Rejected(f"malformed notebook: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
                       "the file was probably cut off or edited by hand") from None
    except RecursionError:
        raise Rejected("malformed notebook: nested too deeply to read") from None
    if isinstance(nb, dict) and "worksheets" in nb:
        import nbformat

        try:
            nb = json.loads(nbformat.writes(nbformat.reads(text, as_version=4)))
        except Exception as exc:
            raise Rejected(f"an old (version 3) notebook that could not be converted ({str(exc)[:100]})") from None
    if not isinstance(nb, dict) or not isinstance(nb.get("cells"), list):
        raise Rejected(f"not a Jupyter notebook: {path.name} is JSON but has no list of cells")
    if lesson is not None:
        _check_lesson(nb, lesson, other_lessons or {})
    return nb, notes


def _check_lesson(nb: dict, lesson: Lesson, other_lessons: dict[str, set[str]]) -> None:
    ids = {nbgrader_meta(c).get("grade_id") for c in nb["cells"] if isinstance(c, dict)} - {None}
    if ids & lesson.grade_ids:
        return
    for name, other_ids in other_lessons.items():
        if name != lesson.name and ids & other_ids:
            raise Rejected(f"wrong lesson: this is the notebook of {name}, not {lesson.name}")
    sources = {cell_source(c).strip() for c in lesson.release["cells"] if cell_source(c).strip()}
    if not any(cell_source(c).strip() in sources for c in nb["cells"] if isinstance(c, dict)):
        raise Rejected(f"wrong lesson: none of {lesson.name}'s exercises or cells are in this notebook")


def _clean(cell: dict) -> dict:
    """A well-formed nbformat 4 cell with no outputs."""
    cell_type = cell.get("cell_type") if cell.get("cell_type") in ("code", "markdown", "raw") else "code"
    metadata = cell.get("metadata") if isinstance(cell.get("metadata"), dict) else {}
    out = {"cell_type": cell_type, "id": uuid.uuid4().hex[:12], "metadata": copy.deepcopy(metadata),
           "source": cell_source(cell)}
    if cell_type == "code":
        out["execution_count"] = None
        out["outputs"] = []
    elif isinstance(cell.get("attachments"), dict) and cell_type != "raw":
        out["attachments"] = cell["attachments"]
    return out


def rebuild(nb: dict, lesson: Lesson) -> Prepared:
    """The canonical notebook to grade, with notes on what was restored, moved or dropped."""
    release = lesson.release["cells"]
    key_of_release = {}
    for index, cell in enumerate(release):
        gid = nbgrader_meta(cell).get("grade_id")
        key_of_release[index] = ("g", gid) if gid else ("c", index)
    by_id = {cell.get("id"): i for i, cell in enumerate(release) if cell.get("id") and "g" != key_of_release[i][0]}
    by_source = {}
    for i, cell in enumerate(release):
        if key_of_release[i][0] == "c" and cell_source(cell).strip():
            by_source.setdefault(cell_source(cell).strip(), i)
    release_keys = {key: i for i, key in key_of_release.items()}

    notes: list[str] = []
    matched: dict[tuple, dict] = {}
    extras: dict[tuple | None, list[dict]] = {}
    order: list[int] = []
    last: tuple | None = None
    test_ids = set(lesson.test_points)
    for cell in nb["cells"]:
        if not isinstance(cell, dict):
            continue
        gid = nbgrader_meta(cell).get("grade_id")
        key = None
        if gid and ("g", gid) in release_keys:
            key = ("g", gid)
        elif cell.get("id") in by_id and cell.get("cell_type") == release[by_id[cell.get("id")]].get("cell_type"):
            key = ("c", by_id[cell["id"]])
        elif cell_source(cell).strip() in by_source:
            key = ("c", by_source[cell_source(cell).strip()])
        else:  # a test cell whose metadata was stripped but whose text is intact
            for test_id in test_ids:
                if cell_source(cell).strip() and cell_source(cell).strip() == lesson.visible_test_source(test_id).strip():
                    key = ("g", test_id)
        if key is not None and key in matched:
            if key[0] == "g" and key[1] in test_ids:
                notes.append(f"removed a duplicate copy of test cell {key[1]}")
                continue
            if key[0] == "g":
                notes.append(f"kept a second copy of solution cell {key[1]} as ordinary code after it")
            key = None
        if key is None:
            plain = _clean(cell)
            plain["metadata"].pop("nbgrader", None)
            extras.setdefault(last, []).append(plain)
            continue
        matched[key] = cell
        order.append(release_keys[key])
        last = key

    if order != sorted(order):
        moved = [key_of_release[i][1] for a, i in enumerate(order) if any(j > i for j in order[:a])]
        names = [m for m in moved if isinstance(m, str)]
        notes.append("moved cells back into the lesson's order" + (f" ({', '.join(names)})" if names else ""))

    cells: list[dict] = []
    learner_cells: list[tuple[str, str, bool]] = []
    cells += extras.get(None, [])
    restored_lesson_cells = 0
    for index, ref in enumerate(release):
        key = key_of_release[index]
        meta = nbgrader_meta(ref)
        got = matched.get(key)
        new = _clean(ref)
        if key[0] == "g":
            gid = key[1]
            if meta.get("solution"):
                if got is None:
                    notes.append(f"solution cell {gid} was deleted (no answer)")
                else:
                    new["source"] = cell_source(got)
                    learner_cells.append((gid, new["source"], ref.get("cell_type") == "code"))
            elif gid in test_ids:
                if got is None:
                    notes.append(f"restored deleted test cell {gid}")
                elif cell_source(got).strip() not in (cell_source(ref).strip(),
                                                      cell_source(lesson.source_cell(gid)).strip()):
                    notes.append(f"restored edited test cell {gid}")
        elif ref.get("cell_type") == "code":
            if got is None:
                restored_lesson_cells += 1
            elif cell_source(got).strip() != cell_source(ref).strip():
                new["source"] = cell_source(got)
                learner_cells.append((f"cell {index + 1}", new["source"], False))
        cells.append(new)
        for extra in extras.get(key, []):
            cells.append(extra)
    if restored_lesson_cells:
        notes.append(f"restored {restored_lesson_cells} deleted lesson code cell(s)")
    for position, cell in enumerate(cells):
        if cell["cell_type"] == "code" and not nbgrader_meta(cell) and not any(cell["source"] == s for _, s, _ in learner_cells):
            if not any(cell_source(r).strip() == cell["source"].strip() for r in release):
                learner_cells.append((f"added cell {position + 1}", cell["source"], False))

    metadata = copy.deepcopy(lesson.release.get("metadata", {}))
    return Prepared({"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}, notes, learner_cells)
