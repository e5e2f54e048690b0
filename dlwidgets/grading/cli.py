"""``dlwidgets-instructor``: hand out lessons and grade a class from the command line."""

from __future__ import annotations

import argparse
import importlib.util
import os
import pathlib
import sys

__all__ = ["main", "build_parser"]

DESCRIPTION = """\
Tools for instructors teaching from the dlwidgets course. No JupyterHub needed.

  release   write student versions of lessons (solutions and hidden tests removed),
            plus an nbgrader-ready source tree for courses that already use nbgrader
  grade     grade one lesson for a whole class: a folder of submissions (a folder per
            student, flat files named by student, or the zip an LMS exports) becomes
            a gradebook CSV, a feedback page per student and a summary table

Typical term:
  dlwidgets-instructor release 08 --out handout
  (learners work in handout/student/08_convolutions.ipynb; collect their files)
  dlwidgets-instructor grade 08 submissions.zip --grading-dir grading
  (run it again after late submissions arrive: only new or changed files are graded)
"""

GRADE_EPILOG = """\
Every submission gets a status in the CSV:
  ok         graded, nothing to report
  repaired   graded after restoring deleted/edited/moved test cells, reading a file
             saved in another encoding, choosing one of several notebooks of the
             student, or again after its grading worker died (the reason says which)
  run-error  graded, but some cell hit a limit (time, an ignored interrupt, memory,
             input(), a dying kernel) or raised its own KeyboardInterrupt; the cell is named
  reference  an exercise was solved by calling the course library: no points for it
  rejected   not gradable (empty, not a notebook, malformed JSON, another lesson, a
             damaged or encrypted zip, a link outside the submissions)
Each student's notebook runs in its own sandbox (bubblewrap): no network, no view of
the grading folder, the submissions or other students. The checks run in the grader,
on plain data the notebook's kernel returns, so code in a notebook can change only its
own answers, never the verdict. The submissions folder is never modified. Results are
saved as each notebook is graded, so an interrupted run loses nothing; rerunning grades
only what changed.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dlwidgets-instructor", description=DESCRIPTION,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", metavar="{release,grade}")

    rel = sub.add_parser("release", help="student versions and an nbgrader source tree",
                         description="Write OUT/student/<lesson>.ipynb (student versions) and "
                                     "OUT/nbgrader/source/<lesson>/<lesson>.ipynb with nbgrader_config.py.")
    rel.add_argument("lessons", nargs="*", help="lesson numbers or names, e.g. 00 08 (default: all)")
    rel.add_argument("--course", default="course", help="folder of source lessons (default: course)")
    rel.add_argument("--out", default="handout", help="folder to write into (default: handout)")

    gr = sub.add_parser("grade", help="grade one lesson for a class", epilog=GRADE_EPILOG,
                        formatter_class=argparse.RawDescriptionHelpFormatter,
                        description="Grade every submission of one lesson with nbgrader, in parallel.")
    gr.add_argument("lesson", help="lesson number or name, e.g. 08")
    gr.add_argument("submissions", help="folder of submissions or an LMS .zip export (only read)")
    gr.add_argument("--grading-dir", default="grading",
                    help="where the gradebook, CSV and feedback live (default: grading); reuse it for later runs")
    gr.add_argument("--course", default="course", help="folder of source lessons (default: course)")
    gr.add_argument("--workers", type=int, default=None,
                    help="parallel workers (default: one per CPU core, within a container's CPU limit)")
    gr.add_argument("--cell-timeout", type=int, default=30, help="seconds per cell (default: 30)")
    gr.add_argument("--notebook-timeout", type=int, default=300, help="seconds per notebook (default: 300)")
    gr.add_argument("--memory-mb", type=int, default=2048, help="memory cap per notebook in MB (default: 2048)")
    gr.add_argument("--max-output-kb", type=int, default=1000, help="output kept per cell in KB (default: 1000)")
    gr.add_argument("--regrade", action="store_true", help="grade every submission again, changed or not")
    gr.add_argument("--cold-kernels", action="store_true",
                    help="start each kernel only when its notebook is due, instead of the next one in advance (slower)")
    gr.add_argument("--no-sandbox", action="store_true",
                    help="run student code without a sandbox, able to read and write your files (for a machine "
                         "with none: not Linux, no bubblewrap, no user namespaces); every row and the summary say so")
    gr.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    bindir = os.path.dirname(sys.executable)  # nbgrader shells out to alembic for a new gradebook
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    if args.command == "release":
        from .release import release

        written = release(args.course, args.out, args.lessons or None)
        for path in written["student"]:
            print(f"student version: {path}")
        for path in written["nbgrader"]:
            print(f"nbgrader source: {path}")
        print(f"nbgrader config: {pathlib.Path(args.out) / 'nbgrader' / 'nbgrader_config.py'}")
        return 0
    if args.command == "grade":
        from .collect import ZipProblem
        from .grade import NoSandbox, grade_lesson, summary_table
        from .lesson import find_lesson, load_lesson

        if not pathlib.Path(args.submissions).exists():
            print(f"dlwidgets-instructor: {args.submissions} does not exist", file=sys.stderr)
            return 2
        if importlib.util.find_spec("nbgrader") is None:
            print("dlwidgets-instructor: grading runs nbgrader, which is not installed here; it comes with the "
                  "instructor extra: run  .venv/bin/pip install -e '.[instructor]'  in the course's folder",
                  file=sys.stderr)
            return 2
        lesson_path = find_lesson(args.course, args.lesson)
        try:
            report = grade_lesson(lesson_path, args.submissions, args.grading_dir, workers=args.workers,
                                  cell_timeout=args.cell_timeout, notebook_timeout=args.notebook_timeout,
                                  memory_mb=args.memory_mb, max_output_bytes=args.max_output_kb * 1000,
                                  warm=not args.cold_kernels, regrade=args.regrade, progress=not args.quiet,
                                  allow_no_sandbox=args.no_sandbox)
        except NoSandbox as exc:
            print(f"dlwidgets-instructor: {exc}", file=sys.stderr)
            return 2
        except ZipProblem as exc:
            print(f"dlwidgets-instructor: the submissions archive cannot be read: {exc}", file=sys.stderr)
            return 2
        summary_table(report, load_lesson(lesson_path), only_students=set(report.students))
        return 0
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
