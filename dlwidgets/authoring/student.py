"""Build student versions of the lessons from the single-source notebooks.

Solutions (between ``### BEGIN SOLUTION`` and ``### END SOLUTION``) become a stub that
says what to do, hidden tests (``### BEGIN HIDDEN TESTS`` ... ``### END HIDDEN TESTS``)
are removed, and the outputs of exercise cells are cleared. Everything else, including
the widgets' saved pictures, is kept so the student version reads well before it runs.
"""

from __future__ import annotations

import argparse
import ast
import copy
import pathlib
import re
import shutil
import json
import sys

__all__ = [
    "BEGIN_SOLUTION", "END_SOLUTION", "BEGIN_HIDDEN", "END_HIDDEN", "MarkerError",
    "student_source", "student_notebook", "build_student_versions", "lesson_paths", "course_lessons", "main",
]

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
FUNCTION_STUB = 'raise NotImplementedError("Write your code here, run this cell, then run the check below.")'
MARKDOWN_STUB = "YOUR ANSWER HERE"


class MarkerError(ValueError):
    """Solution or hidden-test markers are unbalanced or nested."""


def _stub(region: list[str], indent: str, markdown: bool) -> list[str]:
    """What replaces one solution region in the student version."""
    if markdown:
        return [MARKDOWN_STUB]
    if indent:
        return [f"{indent}# YOUR CODE HERE", f"{indent}{FUNCTION_STUB}"]
    try:
        tree = ast.parse("\n".join(region))
    except SyntaxError:
        return ["# YOUR CODE HERE"]
    names = []
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
        names += [t.id for t in targets if isinstance(t, ast.Name) and t.id not in names]
    if not names:
        return ["# YOUR CODE HERE", FUNCTION_STUB]
    return [f"{name} = ...  # YOUR ANSWER HERE" for name in names]


def student_source(source: str, markdown: bool = False) -> str:
    """One cell's source with solutions stubbed and hidden tests removed."""
    out: list[str] = []
    region: list[str] | None = None
    hidden = False
    indent = ""
    for number, line in enumerate(source.split("\n"), 1):
        marker = line.strip()
        if marker == BEGIN_SOLUTION:
            if region is not None or hidden:
                raise MarkerError(f"line {number}: {BEGIN_SOLUTION} inside another marked region")
            region, indent = [], line[: len(line) - len(line.lstrip())]
        elif marker == END_SOLUTION:
            if region is None:
                raise MarkerError(f"line {number}: {END_SOLUTION} without {BEGIN_SOLUTION}")
            out += _stub(region, indent, markdown)
            region = None
        elif marker == BEGIN_HIDDEN:
            if region is not None or hidden:
                raise MarkerError(f"line {number}: {BEGIN_HIDDEN} inside another marked region")
            hidden = True
        elif marker == END_HIDDEN:
            if not hidden:
                raise MarkerError(f"line {number}: {END_HIDDEN} without {BEGIN_HIDDEN}")
            hidden = False
        elif region is not None:
            region.append(line)
        elif not hidden:
            out.append(line)
    if region is not None:
        raise MarkerError(f"{BEGIN_SOLUTION} is never closed")
    if hidden:
        raise MarkerError(f"{BEGIN_HIDDEN} is never closed")
    text = "\n".join(out)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") if text.strip() else ""


def _is_exercise(cell: dict) -> bool:
    meta = cell.get("metadata", {}).get("nbgrader", {})
    return bool(meta.get("solution") or meta.get("grade"))


def student_notebook(nb: dict) -> dict:
    """A student version of a notebook given as a JSON dict (the input is not changed)."""
    nb = copy.deepcopy(nb)
    for index, cell in enumerate(nb.get("cells", [])):
        source = "".join(cell.get("source", []))
        try:
            new = student_source(source, markdown=cell.get("cell_type") == "markdown")
        except MarkerError as exc:
            raise MarkerError(f"cell {index}: {exc}") from None
        cell["source"] = new
        if cell.get("cell_type") == "code" and (_is_exercise(cell) or new != source):
            cell["outputs"] = []
            cell["execution_count"] = None
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def lesson_paths(source_dir: pathlib.Path) -> list[pathlib.Path]:
    """The lesson notebooks of a course folder: NN_name.ipynb, in order."""
    return sorted(p for p in source_dir.glob("[0-9][0-9]_*.ipynb"))


def course_lessons(source_dir) -> list[pathlib.Path]:
    """The lessons of a course folder, as lesson_paths; SystemExit with a sentence saying why if there
    are none (a command run outside the course's folder looks for ``course`` where there is none)."""
    source_dir = pathlib.Path(source_dir)
    if not source_dir.is_dir():
        raise SystemExit(f"there is no course folder {source_dir} in {pathlib.Path.cwd()}: run this in the "
                         "course's folder, or give the folder's path")
    paths = lesson_paths(source_dir)
    if not paths:
        raise SystemExit(f"{source_dir} holds no lessons (notebooks named like 08_convolutions.ipynb)")
    return paths


def build_student_versions(source_dir, out_dir, lessons=None, overwrite=True) -> list[pathlib.Path]:
    """Write student versions of the chosen lessons (default: all) into ``out_dir``.

    With ``overwrite=False`` a notebook that is already there (a learner's work) is kept.
    """
    source_dir, out_dir = pathlib.Path(source_dir), pathlib.Path(out_dir)
    paths = course_lessons(source_dir)
    if lessons:
        wanted = {str(x) for x in lessons}
        paths = [p for p in paths if p.name[:2] in wanted or p.stem in wanted or p.name in wanted]
        if not paths:
            raise SystemExit(f"no lesson matches {', '.join(sorted(wanted))} in {source_dir}")
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        nb = json.loads(path.read_text(encoding="utf-8"))
        try:
            student = student_notebook(nb)
        except MarkerError as exc:
            raise MarkerError(f"{path}: {exc}") from None
        target = out_dir / path.name
        if target.exists() and not overwrite:
            continue
        target.write_text(json.dumps(student, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(target)
    index = source_dir / "README.md"
    if index.exists() and (overwrite or not (out_dir / "README.md").exists()):
        shutil.copyfile(index, out_dir / "README.md")
    return written


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(
        prog="dlwidgets-student",
        description="Build student versions of the lessons: solutions replaced by stubs, "
                    "hidden tests removed, exercise outputs cleared.")
    parser.add_argument("lessons", nargs="*", help="lesson numbers or file names (default: all), e.g. 00 08")
    parser.add_argument("--source", default="course", help="folder of source lessons (default: course)")
    parser.add_argument("--out", default="student", help="folder to write into (default: student)")
    parser.add_argument("--keep-existing", action="store_true",
                        help="leave notebooks that already exist in --out untouched (a learner's work)")
    args = parser.parse_args(argv)
    try:
        written = build_student_versions(args.source, args.out, args.lessons, overwrite=not args.keep_existing)
    except MarkerError as exc:
        print(f"dlwidgets-student: {exc}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
