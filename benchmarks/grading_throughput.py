"""Throughput of ``dlwidgets-instructor grade`` against ``nbgrader autograde``, same submissions, same run.

Builds N submissions of a lesson (reference answers, blank student versions and a known
mistake, in turn), then times, as an instructor would run them from a shell:

* ``nbgrader autograde <lesson>`` in an nbgrader course folder where
  ``nbgrader generate_assignment`` has already been run (not timed);
* ``dlwidgets-instructor grade <lesson> <submissions> --grading-dir <fresh folder>``,
  everything included (setting up the gradebook, feedback pages, the CSV), each notebook in
  its own sandbox, as an instructor runs it;
* the same with ``--no-sandbox``, to print what the sandbox costs per notebook.

Usage: python benchmarks/grading_throughput.py [--students 40] [--lesson 08]
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from dlwidgets.authoring.student import student_notebook  # noqa: E402
from dlwidgets.grading.lesson import find_lesson  # noqa: E402

BIN = pathlib.Path(sys.executable).parent


def _answered(source: dict, wrong: bool) -> dict:
    answers = {}
    for cell in source["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            text = "".join(cell["source"])
            answers[meta["grade_id"]] = "\n".join(
                line for line in text.split("\n") if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))
    nb = student_notebook(source)
    for cell in nb["cells"]:
        gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if gid in answers:
            cell["source"] = answers[gid]
            if wrong and gid == next(iter(answers)):
                cell["source"] = cell["source"].replace("+", "-", 1)
    return nb


def build(source: dict, count: int, folder: pathlib.Path) -> list[str]:
    students = []
    for i in range(count):
        student = f"student{i:03d}"
        kind = i % 3
        nb = _answered(source, wrong=False) if kind == 0 else student_notebook(source) if kind == 1 else \
            _answered(source, wrong=True)
        path = folder / student / f"{source['_name']}.ipynb"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(nb), encoding="utf-8")
        students.append(student)
    return students


def _timed(command, **kwargs) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system, the whole process tree) of a command.

    A sandboxed kernel's CPU time is not passed on by bubblewrap, so the CPU seconds of a
    sandboxed run leave out the students' kernels: compare wall seconds there."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(command, check=True, capture_output=True, **kwargs)
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, default=40)
    parser.add_argument("--lesson", default="08")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    lesson_path = find_lesson(ROOT / "course", args.lesson)
    name = lesson_path.stem
    source = json.loads(lesson_path.read_text(encoding="utf-8"))
    source["_name"] = name
    work = pathlib.Path(tempfile.mkdtemp(prefix="grading-bench-"))
    try:
        submissions = work / "submissions"
        students = build(source, args.students, submissions)
        del source["_name"]

        # nbgrader's own command, in a course folder prepared beforehand
        course = work / "nbgrader-course"
        (course / "source" / name).mkdir(parents=True)
        (course / "source" / name / f"{name}.ipynb").write_text(json.dumps(source), encoding="utf-8")
        (course / "nbgrader_config.py").write_text("c = get_config()\nc.CourseDirectory.root = '.'\n")
        subprocess.run([str(BIN / "nbgrader"), "generate_assignment", name, "--force"], cwd=course, env=env,
                       check=True, capture_output=True)
        for student in students:
            target = course / "submitted" / student / name
            target.mkdir(parents=True)
            shutil.copy(submissions / student / f"{name}.ipynb", target / f"{name}.ipynb")
        load_before = os.getloadavg()[0]
        nbgrader_seconds, nbgrader_cpu = _timed([str(BIN / "nbgrader"), "autograde", name], cwd=course, env=env)

        # ours, everything included
        command = [str(BIN / "dlwidgets-instructor"), "grade", args.lesson, str(submissions),
                   "--grading-dir", str(work / "grading"), "--course", str(ROOT / "course"), "--quiet"]
        if args.workers:
            command += ["--workers", str(args.workers)]
        ours_seconds, ours_cpu = _timed(command, env=env)
        bare = [c if c != str(work / "grading") else str(work / "grading-bare") for c in command] + ["--no-sandbox"]
        bare_seconds, bare_cpu = _timed(bare, env=env)
        load_after = os.getloadavg()[0]

        n = len(students)
        print(f"lesson {name}, {n} submissions, {os.cpu_count()} CPU cores")
        print(f"load average (1 min) before / after: {load_before:.1f} / {load_after:.1f}")
        print(f"nbgrader autograde:         {nbgrader_seconds:6.1f} s wall ({n / nbgrader_seconds:.2f} notebooks/s), "
              f"{nbgrader_cpu:6.1f} s CPU")
        print(f"dlwidgets-instructor grade: {ours_seconds:6.1f} s wall ({n / ours_seconds:.2f} notebooks/s), "
              f"{ours_cpu:6.1f} s CPU")
        print(f"  the same, --no-sandbox:   {bare_seconds:6.1f} s wall ({n / bare_seconds:.2f} notebooks/s), "
              f"{bare_cpu:6.1f} s CPU")
        print(f"speed-up vs nbgrader: {nbgrader_seconds / ours_seconds:.2f}x wall (sandboxed); "
              f"{nbgrader_cpu / bare_cpu:.2f}x CPU (--no-sandbox, where every kernel's CPU is counted)")
        print(f"the sandbox's cost per notebook: {(ours_seconds - bare_seconds) / n * 1000:+.0f} ms wall "
              "(CPU seconds of a sandboxed run leave out the students' kernels: bubblewrap does not pass them on)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
