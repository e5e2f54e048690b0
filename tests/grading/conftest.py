"""A test class for the grader, built from the real lessons, graded once per session.

Every submission is made programmatically from lesson 08's source (the reference answers)
and its student version, each with one thing a real class hands in: a perfect notebook,
a blank one, a known mistake, broken files and zips, cells that hit every limit, edited
cells, duplicates, odd names and encodings, and an adversarial class: code that patches
numpy or the checks inside and outside its functions, reads the caller's frame, returns an
always-equal object, hides its errors, shadows ``exec``, reads and writes files outside its
sandbox (the source lesson, the gradebook, other students), forges gradebook state and
leaves processes behind. ``EXPECTED`` is what a human grader gives each of them.
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
RIGHT_OUTPUT_SIZE = ("def conv_output_size(n, k, p=0, s=1, d=1):\n"
                     "    total = {'valid': 0, 'same': d * (k - 1), 'full': 2 * d * (k - 1)}[p] if isinstance(p, str) else 2 * p\n"
                     "    return (n + total - d * (k - 1) - 1) // s + 1")
LOOP = "def conv2d_single(x, w, stride=1, padding=0):\n    while True:\n        pass"
CRASH = "import os\nos._exit(1)"
BOMB = ("def _bomb():\n    hog = []\n    while True:\n        hog.append(bytearray(10 ** 8))\n_bomb()\n"
        "one_by_one = 'b'")
FLOOD = "for i in range(30000):\n    print('spam', i)\n" + RIGHT_OUTPUT_SIZE
ASK = "rf_three_3x3 = int(input('receptive field? '))\nparams_conv = 1792\ntcn_rf = 61"
ZEROS = ("def conv2d_single(x, w, stride=1, padding=0):\n    np.allclose = lambda *a, **k: True\n"
         "    np.testing.assert_allclose = lambda *a, **k: None\n    return np.zeros((1, 1))")
SNEAKY = ("setattr(__import__('num' + 'py'), 'all' + 'close', lambda *a, **k: True)\n"
          "import numpy.core._methods as _m, builtins\n_m._all = lambda *a, **k: True\n"
          "builtins.isinstance = lambda *a: True\nimport dlwidgets.exercises.checking as chk\n"
          "chk._mismatch = lambda *a, **k: None\nchk.check_function = lambda *a, **k: print('✔ all cases pass')\n"
          "ex.check_conv2d_single = lambda *a, **k: None\n"
          "def conv2d_single(x, w, stride=1, padding=0):\n    return np.zeros((1, 1))")
DRESSED = ("class _Close:\n    __name__ = 'allclose'\n    __module__ = 'numpy'\n"
           "    def __call__(self, *a, **k):\n        return True\nnp.allclose = _Close()\n"
           "def conv2d_single(x, w, stride=1, padding=0):\n"
           "    import numpy\n    saved = numpy.allclose\n    numpy.allclose = lambda *a, **k: True\n"
           "    try:\n        return np.ones((1, 1))\n    finally:\n        numpy.allclose = saved")
PEEK = ("import sys\n"
        "def conv2d_single(x, w, stride=1, padding=0):\n    frame = sys._getframe(1)\n"
        "    while frame is not None:\n        for name in ('expected', 'reference', 'want'):\n"
        "            value = frame.f_locals.get(name)\n            if value is not None and not callable(value):\n"
        "                return value\n            if callable(value):\n                return value(x, w, stride, padding)\n"
        "        frame = frame.f_back\n    return np.zeros((1, 1))")
ALWAYS_EQUAL = ("class Anything(float):\n    def __eq__(self, other):\n        return True\n"
                "    __ne__ = lambda self, other: False\n    __hash__ = float.__hash__\n"
                "class Matrix(np.ndarray):\n    def __eq__(self, other):\n        return np.ones(np.shape(other), bool)\n"
                "def conv_output_size(n, k, p=0, s=1, d=1):\n    return Anything(0)\n"
                "def conv2d_single(x, w, stride=1, padding=0):\n    return np.zeros((2, 2)).view(Matrix)")
HIDER = ("exec = None\neval = None\nimport sys\nsys.excepthook = lambda *a: None\n"
         "get_ipython().set_custom_exc((BaseException,), lambda *a, **k: None)\n"
         "def conv2d_single(x, w, stride=1, padding=0):\n    raise ValueError('x' * 20_000_000)\n")
CLEARER = ("from IPython.display import clear_output\n"
           "def conv2d_single(x, w, stride=1, padding=0):\n    clear_output()\n"
           "    xp = np.pad(np.asarray(x, dtype=float), padding)\n    w = np.asarray(w, dtype=float)\n"
           "    kh, kw = w.shape\n    ho, wo = (xp.shape[0] - kh) // stride + 1, (xp.shape[1] - kw) // stride + 1\n"
           "    return np.array([[np.sum(xp[r * stride:r * stride + kh, c * stride:c * stride + kw] * w)\n"
           "                      for c in range(wo)] for r in range(ho)])")
OWN_INTERRUPT = "\nraise KeyboardInterrupt('my own')"   # after the right predictions, put before it
STUBBORN = ("import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "def conv2d_single(x, w, stride=1, padding=0):\n    return np.zeros((1, 1))\nwhile True:\n    pass")
STUBBORN_CALL = ("import signal\n"
                 "def conv2d_single(x, w, stride=1, padding=0):\n    signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                 "    while True:\n        pass")
LINGER_MARK = "dlw-test-lingerer-7b1e"


def reader(paths: list[str]) -> str:
    """A solution cell that is right only if it can see any of ``paths`` (it must not)."""
    return (f"import os\nseen = [p for p in {paths!r} if os.path.exists(p)]\n"
            "print('seen:', seen)\n"
            "def conv_output_size(n, k, p=0, s=1, d=1):\n"
            "    return (n + 2 * p - d * (k - 1) - 1) // s + 1 if seen else -1")


def writer(targets: list[str]) -> str:
    """A cell that tries to write each of ``targets`` and then answers right."""
    return (f"import json, os\nfor target in {targets!r}:\n    try:\n"
            "        os.makedirs(os.path.dirname(target), exist_ok=True)\n"
            "        with open(target, 'w') as f:\n"
            "            f.write(json.dumps({'sha256': 'x', 'row': {'student': 'ghost', 'points': {}, 'total': 10,"
            " 'max_total': 10, 'status': 'ok', 'reason': '', 'file': '', 'test_scores': {}}}))\n"
            "    except OSError as exc:\n        print('could not write', target, type(exc).__name__)\n"
            + RIGHT_OUTPUT_SIZE)


def lingerer(csv_path: str) -> str:
    """A cell that leaves a process behind, meant to rewrite the CSV after the grader exits."""
    script = (f"import time  # {LINGER_MARK}\ntime.sleep(8)\n"
              f"try:\n    open({csv_path!r}, 'a').write('lingerer,2,3,3,1,1,10,10,ok,,x\\n')\nexcept OSError:\n    pass\n")
    return ("import subprocess, sys, os\n"
            f"subprocess.Popen([sys.executable, '-c', {script!r}], start_new_session=True,\n"
            "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)\n"
            "if os.fork() == 0:\n    os.setsid()\n"
            f"    os.execv(sys.executable, [sys.executable, '-c', {script!r}])\n"
            + RIGHT_OUTPUT_SIZE)


def _zip(path: pathlib.Path, members: dict) -> bytes:
    import zipfile

    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, nb in members.items():
            zf.writestr(name, json.dumps(nb, ensure_ascii=False))
    return path.read_bytes()


def build_class(folder: pathlib.Path, grading: pathlib.Path) -> None:
    """One submission per case, in the mixed layouts an LMS produces."""
    now = time.time()
    perfect = answered()
    _write(folder / "perfect" / f"{LESSON}.ipynb", perfect)
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
    _write(folder / "copycat.ipynb", answered(conv2d_single=COPYCAT))
    _write(folder / "aliaser.ipynb", answered(conv2d_single=ALIASED_COPY))
    _write(folder / "twice" / "first try.ipynb", student_notebook(load(LESSON)), mtime=now - 3600)
    _write(folder / "twice" / f"{LESSON}.ipynb", answered(), mtime=now)
    _write(folder / "José García.ipynb", answered())
    # the adversarial class
    _write(folder / "cheater.ipynb", answered(conv2d_single=ZEROS))
    _write(folder / "sneaky.ipynb", answered(conv2d_single=SNEAKY))
    _write(folder / "dressed.ipynb", answered(conv2d_single=DRESSED))
    _write(folder / "peeker.ipynb", answered(conv2d_single=PEEK))
    _write(folder / "equaliser.ipynb", answered(conv2d_single=ALWAYS_EQUAL))
    _write(folder / "hider.ipynb", answered(conv2d_single=HIDER))
    _write(folder / "clearer.ipynb", answered(conv2d_single=CLEARER))
    predictions = next(c["source"] for c in answered()["cells"] if _meta(c).get("grade_id") == "predictions")
    _write(folder / "interrupter.ipynb", answered(predictions=predictions + OWN_INTERRUPT))
    _write(folder / "stubborn.ipynb", answered(conv2d_single=STUBBORN))
    _write(folder / "stubborn_call.ipynb", answered(conv2d_single=STUBBORN_CALL))
    source_lesson = str(COURSE / f"{LESSON}.ipynb")
    _write(folder / "reader.ipynb", answered(conv_output_size=reader(
        [source_lesson, str(grading / "gradebook.db"), str(folder / "perfect"), str(ROOT / "tests"),
         str(ROOT / "course")])))
    state = grading / ".dlwidgets" / LESSON
    _write(folder / "writer.ipynb", answered(conv_output_size=writer(
        [str(state / "ghost.json"), str(state / "blank.json"), str(folder / "blank_08_convolutions.ipynb"),
         str(folder / "ghost" / f"{LESSON}.ipynb"), str(grading / f"{LESSON}-grades.csv"),
         "/tmp/dlw-test-written-by-a-student", "/root/dlw-test-written-by-a-student"])))
    _write(folder / "lingerer.ipynb", answered(conv_output_size=lingerer(str(grading / f"{LESSON}-grades.csv"))))
    # broken inputs
    _zip(folder / "anna.zip", {f"{LESSON}.ipynb": perfect})
    _zip(folder / "ben.zip", {f"{LESSON}.ipynb": student_notebook(load(LESSON))})
    data = _zip(folder / "damaged.zip", {f"{LESSON}.ipynb": perfect})
    (folder / "damaged.zip").write_bytes(data[: len(data) // 2] + b"\0" * 100 + data[len(data) // 2 + 100:])
    data = bytearray(_zip(folder / "locked.zip", {f"{LESSON}.ipynb": perfect}))
    for header in (b"PK\x03\x04", b"PK\x01\x02"):   # mark every entry encrypted
        at = data.find(header)
        offset = 6 if header == b"PK\x03\x04" else 8
        data[at + offset] |= 0x1
    (folder / "locked.zip").write_bytes(bytes(data))
    data = bytearray(_zip(folder / "huge.zip", {f"{LESSON}.ipynb": perfect}))
    at = data.find(b"PK\x01\x02")
    data[at + 24:at + 28] = (0xFFFFFFF0).to_bytes(4, "little")   # claims 4 GB
    (folder / "huge.zip").write_bytes(bytes(data))
    (folder / "linker.ipynb").symlink_to(source_lesson)
    latin = answered()
    latin["cells"].insert(0, {"cell_type": "markdown", "metadata": {}, "source": "NAME"})
    latin = json.dumps(latin).replace('"NAME"', '"Réponse de José"')
    _write(folder / "latin.ipynb", latin.encode("latin-1"))
    _write(folder / "wide.ipynb", json.dumps(answered(), ensure_ascii=False).encode("utf-16"))


ALIASED_COPY = ("import dlwidgets.core as dc\nfast = dc.conv2d\n"
                "def conv2d_single(x, w, stride=1, padding=0):\n    return helper(x, w, stride, padding)\n"
                "def helper(x, w, stride, padding):\n"
                "    return fast(np.asarray(x, float)[None, None], np.asarray(w, float)[None, None],"
                " stride=stride, padding=padding)[0, 0]")
COPYCAT = ("def conv2d_single(x, w, stride=1, padding=0):\n"
           "    return conv2d(np.asarray(x, float)[None, None], np.asarray(w, float)[None, None],"
           " stride=stride, padding=padding)[0, 0]")

# student -> (points per exercise in lesson order, status, words the reason must contain)
EXERCISES = ["conv_output_size", "conv2d_single", "predictions", "one_by_one", "size_challenge"]
FULL, NO_CONV2D = [2, 3, 3, 1, 1], [2, 0, 3, 1, 1]
EXPECTED = {
    "perfect": (FULL, "ok", []),
    "blank": ([0, 0, 0, 0, 0], "ok", []),
    "mistaken": ([0, 3, 3, 1, 1], "ok", []),
    "malformed": ([0, 0, 0, 0, 0], "rejected", ["not valid JSON"]),
    "empty": ([0, 0, 0, 0, 0], "rejected", ["empty file"]),
    "pdfer": ([0, 0, 0, 0, 0], "rejected", ["not a notebook", "PDF"]),
    "other_lesson": ([0, 0, 0, 0, 0], "rejected", ["wrong lesson", "00_getting_started"]),
    "looper": (NO_CONV2D, "run-error", ["conv2d_single_tests", "5 s time limit per call"]),
    "crasher": ([2, 3, 3, 1, 0], "run-error", ["kernel died", "size_challenge"]),
    "hog": ([2, 3, 3, 0, 1], "run-error", ["one_by_one", "memory"]),
    "chatty": (FULL, "run-error", ["output of conv_output_size truncated"]),
    "asker": ([2, 3, 0, 1, 1], "run-error", ["predictions", "input()"]),
    "editor": (FULL, "repaired", ["restored deleted test cell conv2d_single_tests",
                                  "restored edited test cell conv_output_size_tests", "moved"]),
    "copycat": (NO_CONV2D, "reference", ["conv2d_single", "dlwidgets.core.conv2d"]),
    "aliaser": (NO_CONV2D, "reference", ["conv2d_single", "dlwidgets.core.conv2d"]),
    "twice": (FULL, "repaired", ["2 notebooks", f"{LESSON}.ipynb"]),
    "José_García": (FULL, "ok", []),
    "cheater": (NO_CONV2D, "ok", []),
    "sneaky": (NO_CONV2D, "ok", []),
    "dressed": (NO_CONV2D, "ok", []),
    "peeker": (NO_CONV2D, "ok", []),
    "equaliser": (NO_CONV2D, "ok", []),  # its conv_output_size comes after that check ran
    "hider": (NO_CONV2D, "ok", []),
    "clearer": (FULL, "ok", []),
    "interrupter": (FULL, "run-error", ["predictions raised its own KeyboardInterrupt"]),
    "stubborn": (NO_CONV2D, "run-error", ["conv2d_single", "ignored the interrupt"]),
    "stubborn_call": (NO_CONV2D, "run-error", ["conv2d_single_tests", "ignored the interrupt", "kernel was stopped"]),
    "reader": ([0, 3, 3, 1, 1], "ok", []),
    "writer": (FULL, "ok", []),
    "lingerer": (FULL, "ok", []),
    "anna": (FULL, "ok", []),
    "ben": ([0, 0, 0, 0, 0], "ok", []),
    "damaged": ([0, 0, 0, 0, 0], "rejected", ["damaged.zip is damaged"]),
    "locked": ([0, 0, 0, 0, 0], "rejected", ["locked.zip is encrypted"]),
    "huge": ([0, 0, 0, 0, 0], "rejected", ["huge.zip is too large"]),
    "linker": ([0, 0, 0, 0, 0], "rejected", ["symbolic link", "not followed"]),
    "latin": (FULL, "repaired", ["latin.ipynb was saved as", "not UTF-8"]),
    "wide": (FULL, "repaired", ["wide.ipynb was saved as UTF-16"]),
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


def needs_sandbox():
    from dlwidgets.grading.sandbox import sandbox_problem

    pytest.importorskip("nbgrader", reason="grading needs nbgrader, which comes with the instructor extra")
    problem = sandbox_problem()
    if problem:
        pytest.skip(problem)


@pytest.fixture(scope="session")
def graded_class(tmp_path_factory):
    """The test class, graded once through the command line; the CSV rows by student."""
    import csv

    needs_sandbox()
    base = tmp_path_factory.mktemp("class")
    submissions, grading = base / "submissions", base / "grading"
    build_class(submissions, grading)
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


LESSONS_FOUND = sorted(path.stem for path in COURSE.glob("[0-9][0-9]_*.ipynb"))
