"""Hand out lessons: student versions, and an nbgrader-ready source tree.

Student versions come from the same builder learners' copies do (solutions become stubs,
hidden tests are removed, exercise outputs cleared). The nbgrader tree is for courses
that already run nbgrader: ``source/<lesson>/<lesson>.ipynb`` (the single-source lesson,
whose markers and cell metadata are nbgrader's own) and an ``nbgrader_config.py``, so
``nbgrader generate_assignment <lesson>`` works there unchanged.
"""

from __future__ import annotations

import json
import pathlib
import shutil

from ..authoring.student import build_student_versions, lesson_paths

__all__ = ["release", "NBGRADER_CONFIG"]

NBGRADER_CONFIG = '''# nbgrader configuration written by dlwidgets-instructor release.
c = get_config()  # noqa: F821
c.CourseDirectory.root = "."
# A deleted test cell is put back instead of silently scoring zero.
c.OverwriteCells.add_missing_cells = True
# Seconds per cell before the kernel is interrupted.
c.Execute.timeout = 30
'''


def release(course_dir, out_dir, lessons=None) -> dict[str, list[pathlib.Path]]:
    """Write ``out_dir/student/`` (student versions) and ``out_dir/nbgrader/`` (source tree)."""
    course_dir, out_dir = pathlib.Path(course_dir), pathlib.Path(out_dir)
    student = build_student_versions(course_dir, out_dir / "student", lessons)
    chosen = {p.stem for p in student}
    tree = out_dir / "nbgrader"
    sources = []
    for path in lesson_paths(course_dir):
        if path.stem not in chosen:
            continue
        target = tree / "source" / path.stem / path.name
        target.parent.mkdir(parents=True, exist_ok=True)
        nb = json.loads(path.read_text(encoding="utf-8"))
        nb.get("metadata", {}).pop("widgets", None)
        target.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        sources.append(target)
    tree.mkdir(parents=True, exist_ok=True)
    (tree / "nbgrader_config.py").write_text(NBGRADER_CONFIG, encoding="utf-8")
    if (course_dir / "README.md").exists():
        shutil.copyfile(course_dir / "README.md", tree / "README.md")
    return {"student": student, "nbgrader": sources}
