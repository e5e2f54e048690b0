"""The reference-call flag: through aliases, helpers and added cells, but never a learner's own def."""

import pytest

from dlwidgets.grading.lesson import load_lesson
from dlwidgets.grading.reference import reference_calls

from .conftest import COURSE, LESSONS_FOUND, answered

COPY = ("def conv2d_single(x, w, stride=1, padding=0):\n"
        "    return {f}(np.asarray(x, float)[None, None], np.asarray(w, float)[None, None], stride=stride,"
        " padding=padding)[0, 0]")


@pytest.fixture(scope="module")
def lesson():
    return load_lesson(COURSE / "08_convolutions.ipynb")


def _added(nb, source):
    nb["cells"].append({"cell_type": "code", "metadata": {}, "source": source, "outputs": [], "execution_count": None})
    return nb


@pytest.mark.parametrize("name", LESSONS_FOUND)
def test_no_lessons_reference_solution_is_flagged(name):
    lesson = load_lesson(COURSE / f"{name}.ipynb")
    assert reference_calls(answered(name), lesson) == []


@pytest.mark.parametrize("solution, added, used", [
    (COPY.format(f="conv2d"), "", "dlwidgets.core.conv2d"),
    ("import dlwidgets.core as dc\n" + COPY.format(f="dc.conv2d"), "", "dlwidgets.core.conv2d"),
    ("from dlwidgets.core import conv2d as c\nc2 = c\n" + COPY.format(f="c2"), "", "dlwidgets.core.conv2d"),
    (COPY.format(f="ex.conv2d"), "", "dlwidgets.core.conv.conv2d"),
    ("def conv2d_single(x, w, stride=1, padding=0):\n    return helper(x, w)", COPY.format(f="conv2d").replace(
        "conv2d_single(x, w, stride=1, padding=0)", "helper(x, w, stride=1, padding=0)"), "dlwidgets.core.conv2d"),
    (COPY.format(f="dlwidgets.core.conv2d"), "import dlwidgets", "dlwidgets.core.conv2d"),
])
def test_a_library_call_is_found_however_it_is_reached(lesson, solution, added, used):
    nb = answered(conv2d_single=solution)
    if added:
        _added(nb, added)
    found = reference_calls(nb, lesson)
    assert [(f.exercise, f.used) for f in found] == [("conv2d_single", used)]


def test_a_learners_own_function_with_a_library_name_is_not_a_reference_call(lesson):
    own = ("def conv2d(x, w, stride=1, padding=0):\n    return np.zeros((1, 1))\n" + COPY.format(f="conv2d"))
    assert reference_calls(answered(conv2d_single=own), lesson) == []
