"""A grading worker that dies takes nothing with it: its notebook is graded again in a new worker."""

import csv
import os
import pathlib
import signal
import subprocess
import sys
import time

import pytest

from dlwidgets.grading.lesson import load_lesson

from .conftest import COURSE, LESSON, ROOT, _meta, _write, answered, needs_sandbox

pytestmark = pytest.mark.slow
SLOW = "import time\ntime.sleep(6)\n"   # put before an answer: keeps each notebook in a worker's hands for a while


def _workers(parent: int) -> list[int]:
    found = []
    for proc in pathlib.Path("/proc").iterdir():
        try:
            stat = (proc / "stat").read_text()
            cmdline = (proc / "cmdline").read_bytes()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == parent and b"spawn_main" in cmdline:
            found.append(int(proc.name))
    return found


def test_a_killed_worker_is_replaced_and_its_notebook_graded_again(tmp_path):
    needs_sandbox()
    reference = next(c["source"] for c in answered()["cells"] if _meta(c).get("grade_id") == "one_by_one")
    for student in ("ann", "bob", "cid"):
        _write(tmp_path / "subs" / f"{student}.ipynb", answered(one_by_one=SLOW + reference))
    env = dict(os.environ, PYTHONPATH=str(ROOT), PATH=f"{os.path.dirname(sys.executable)}:{os.environ['PATH']}")
    grading = tmp_path / "grading"
    proc = subprocess.Popen([sys.executable, "-m", "dlwidgets.grading.cli", "grade", "08", str(tmp_path / "subs"),
                             "--course", str(COURSE), "--grading-dir", str(grading), "--quiet", "--workers", "2",
                             "--cell-timeout", "30"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not _workers(proc.pid):
            assert time.monotonic() < deadline and proc.poll() is None, proc.communicate()
            time.sleep(0.2)
        time.sleep(8)    # the workers have started; each holds a notebook that sleeps in one cell
        os.kill(_workers(proc.pid)[0], signal.SIGKILL)
        out, err = proc.communicate(timeout=600)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    with open(grading / f"{LESSON}-grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    full = r"{:g}".format(load_lesson(COURSE / f"{LESSON}.ipynb").max_points)
    assert {s: r["total"] for s, r in rows.items()} == {"ann": full, "bob": full, "cid": full}
    retried = [s for s, r in rows.items() if "graded again: a grading worker died" in r["reason"]]
    assert retried and all(rows[s]["status"] == "repaired" for s in retried)
    assert all(r["status"] == "ok" for s, r in rows.items() if s not in retried)
