"""A test class for the grader, built from the real lessons, graded once per session.

Every submission is made programmatically from lesson 08's source (the reference answers)
and its student version, each with one thing a real class hands in: a perfect notebook,
a blank one, a known mistake, malformed JSON, an empty file, a PDF, another lesson, an
endless loop, a dying kernel, a memory bomb, a flood of output, input(), deleted, edited
and moved cells, two tamperers, a copied reference answer, duplicates and an odd name.
``EXPECTED`` is what a human grader gives each of them.
"""

from __future__ import annotations

import copy
import hashlib
import io
import json
import os
import pathlib
import re
import time
from contextlib import redirect_stdout

import pytest

from dlwidgets.authoring.student import student_notebook

ROOT = pathlib.Path(__file__).resolve().parents[2]
COURSE = ROOT / "course"
LESSON = "08_convolutions"
CELL_TIMEOUT = 5
MEMORY_MB = 1536
MAX_OUTPUT_KB = 100


def load(name):
    return json.loads((COURSE / f"{name}.ipynb").read_text(encoding="utf-8"))


def _strip_markers(source: str) -> str:
    return "\n".join(line for line in source.split("\n") if line.strip() not in ("### BEGIN SOLUTION", "### END SOLUTION"))


def _meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def answered(lesson: str = LESSON, **overrides) -> dict:
    """The student version with the reference answers filled in; ``overrides`` replace the
    source of solution cells (by grade_id) with other code."""
    source = load(lesson)
    answers = {_meta(c)["grade_id"]: _strip_markers("".join(c["source"])) for c in source["cells"]
               if _meta(c).get("solution")}
    nb = student_notebook(source)
    for cell in nb["cells"]:
        gid = _meta(cell).get("grade_id")
        if gid in answers:
            cell["source"] = overrides.get(gid, answers[gid])
    return nb


def _index(nb, gid):
    return next(i for i, c in enumerate(nb["cells"]) if _meta(c).get("grade_id") == gid)


def _write(path: pathlib.Path, nb_or_text, mtime=None):
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(nb_or_text, (bytes, str)):
        data = nb_or_text.encode() if isinstance(nb_or_text, str) else nb_or_text
    else:
        data = (json.dumps(nb_or_text, indent=1, ensure_ascii=False) + "\n").encode()
    path.write_bytes(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))


WRONG_OUTPUT_SIZE = "def conv_output_size(n, k, p=0, s=1, d=1):\n    return (n + 2 * p - k) // s + 1"
LOOP = "def conv2d_single(x, w, stride=1, padding=0):\n    while True:\n        pass"
CRASH = "import os\nos._exit(1)"
BOMB = ("def _bomb():\n    hog = []\n    while True:\n        hog.append(bytearray(10 ** 8))\n_bomb()\n"
        "one_by_one = 'b'")
FLOOD = ("for i in range(30000):\n    print('spam', i)\n"
         "def conv_output_size(n, k, p=0, s=1, d=1):\n"
         "    total = {'valid': 0, 'same': d * (k - 1), 'full': 2 * d * (k - 1)}[p] if isinstance(p, str) else 2 * p\n"
         "    return (n + total - d * (k - 1) - 1) // s + 1")
ASK = "rf_three_3x3 = int(input('receptive field? '))\nparams_conv = 1792\ntcn_rf = 61"
ZEROS = ("def conv2d_single(x, w, stride=1, padding=0):\n    np.allclose = lambda *a, **k: True\n"
         "    return np.zeros((1, 1))")
SNEAKY = ("setattr(__import__('num' + 'py'), 'all' + 'close', lambda *a, **k: True)\n"
          "def conv2d_single(x, w, stride=1, padding=0):\n    return np.zeros((1, 1))")
COPYCAT = ("def conv2d_single(x, w, stride=1, padding=0):\n"
           "    return conv2d(np.asarray(x, float)[None, None], np.asarray(w, float)[None, None],"
           " stride=stride, padding=padding)[0, 0]")


def build_class(folder: pathlib.Path) -> None:
    """One submission per case, in the mixed layouts an LMS produces."""
    now = time.time()
    _write(folder / "perfect" / f"{LESSON}.ipynb", answered())
    _write(folder / f"blank_{LESSON}.ipynb", student_notebook(load(LESSON)))
    _write(folder / "mistaken.ipynb", answered(conv_output_size=WRONG_OUTPUT_SIZE))
    _write(folder / "malformed.ipynb", json.dumps(answered())[:5000])
    _write(folder / "empty" / f"{LESSON}.ipynb", b"")
    _write(folder / "pdfer.pdf", b"%PDF-1.4\n% a notebook printed to PDF\n")
    _write(folder / "other_lesson.ipynb", answered("00_getting_started"))
    _write(folder / "looper.ipynb", answered(conv2d_single=LOOP))
    _write(folder / "crasher.ipynb", answered(size_challenge=CRASH))
    _write(folder / "hog.ipynb", answered(one_by_one=BOMB))
    _write(folder / "chatty.ipynb", answered(conv_output_size=FLOOD))
    _write(folder / "asker.ipynb", answered(predictions=ASK))
    # deleted, edited and moved cells, with the right answers
    nb = answered()
    del nb["cells"][_index(nb, "conv2d_single_tests")]
    nb["cells"][_index(nb, "conv_output_size_tests")]["source"] = "print('all good')"
    moved = nb["cells"].pop(_index(nb, "one_by_one_tests"))
    nb["cells"].insert(_index(nb, "one_by_one"), moved)
    _write(folder / "editor.ipynb", nb)
    _write(folder / "cheater.ipynb", answered(conv2d_single=ZEROS))
    _write(folder / "sneaky.ipynb", answered(conv2d_single=SNEAKY))
    _write(folder / "copycat.ipynb", answered(conv2d_single=COPYCAT))
    _write(folder / "twice" / "first try.ipynb", student_notebook(load(LESSON)), mtime=now - 3600)
    _write(folder / "twice" / f"{LESSON}.ipynb", answered(), mtime=now)
    _write(folder / "José García.ipynb", answered())


# student -> (points per exercise in lesson order, status, words the reason must contain)
EXERCISES = ["conv_output_size", "conv2d_single", "predictions", "one_by_one", "size_challenge"]
EXPECTED = {
    "perfect": ([2, 3, 3, 1, 1], "ok", []),
    "blank": ([0, 0, 0, 0, 0], "ok", []),
    "mistaken": ([0, 3, 3, 1, 1], "ok", []),
    "malformed": ([0, 0, 0, 0, 0], "rejected", ["not valid JSON"]),
    "empty": ([0, 0, 0, 0, 0], "rejected", ["empty file"]),
    "pdfer": ([0, 0, 0, 0, 0], "rejected", ["not a notebook", "PDF"]),
    "other_lesson": ([0, 0, 0, 0, 0], "rejected", ["wrong lesson", "00_getting_started"]),
    "looper": ([2, 0, 3, 1, 1], "run-error", ["conv2d_single_tests", "time limit"]),
    "crasher": ([2, 3, 3, 1, 0], "run-error", ["kernel died", "size_challenge"]),
    "hog": ([2, 3, 3, 0, 1], "run-error", ["one_by_one", "memory"]),
    "chatty": ([2, 3, 3, 1, 1], "run-error", ["output of conv_output_size truncated"]),
    "asker": ([2, 3, 0, 1, 1], "run-error", ["predictions", "input()"]),
    "editor": ([2, 3, 3, 1, 1], "repaired", ["restored deleted test cell conv2d_single_tests",
                                             "restored edited test cell conv_output_size_tests", "moved"]),
    "cheater": ([0, 0, 0, 0, 0], "tampered", ["np.allclose"]),
    "sneaky": ([0, 0, 0, 0, 0], "tampered", ["runtime check", "numpy.allclose"]),
    "copycat": ([2, 0, 3, 1, 1], "reference", ["conv2d_single", "dlwidgets.core.conv2d"]),
    "twice": ([2, 3, 3, 1, 1], "repaired", ["2 notebooks", f"{LESSON}.ipynb"]),
    "José_García": ([2, 3, 3, 1, 1], "ok", []),
}


def tree_digest(folder: pathlib.Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        digest.update(str(path.relative_to(folder)).encode())
        if path.is_file():
            digest.update(path.read_bytes())
            digest.update(str(path.stat().st_mtime_ns).encode())
    return digest.hexdigest()


def run_cli(*args) -> str:
    from dlwidgets.grading.cli import main

    out = io.StringIO()
    with redirect_stdout(out):
        assert main(list(args)) == 0
    return out.getvalue()


def grade_args(submissions, grading) -> list[str]:
    """The README's grade command, with the test class's limits."""
    return ["grade", "08", str(submissions), "--grading-dir", str(grading), "--course", str(COURSE),
            "--cell-timeout", str(CELL_TIMEOUT), "--memory-mb", str(MEMORY_MB), "--max-output-kb", str(MAX_OUTPUT_KB),
            "--quiet"]


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The test class, graded once through the command line; the CSV rows by student."""
    import csv

    base = tmp_path_factory.mktemp("class")
    submissions, grading = base / "submissions", base / "grading"
    build_class(submissions)
    before = tree_digest(submissions)
    started = time.monotonic()
    printed = run_cli(*grade_args(submissions, grading))
    seconds = time.monotonic() - started
    with open(grading / f"{LESSON}-grades.csv", newline="", encoding="utf-8") as handle:
        rows = {row["student"]: row for row in csv.DictReader(handle)}
    return {"submissions": submissions, "grading": grading, "rows": rows, "printed": printed,
            "before": before, "seconds": seconds}


def words(text: str) -> str:
    return re.sub(r"\s+", " ", text)
