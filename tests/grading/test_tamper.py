"""What the static scan calls tampering, what it asks to review, and reference calls."""

import pytest

from dlwidgets.grading.lesson import load_lesson
from dlwidgets.grading.tamper import scan_cell

from .conftest import COURSE, LESSON


@pytest.fixture(scope="module")
def scan():
    lesson = load_lesson(COURSE / f"{LESSON}.ipynb")
    protected = lesson.test_names() & set(lesson.setup_bindings)

    def run(source, solution=True):
        return {(f.kind, f.message) for f in scan_cell(source, where="x", setup_bindings=lesson.setup_bindings,
                                                       protected=protected, solution=solution)}
    return run


@pytest.mark.parametrize("source", [
    "np.allclose = lambda *a, **k: True",
    "import numpy\nnumpy.isclose = None",
    "def f():\n    ex.check_conv2d_single = print",
    "ex.OUTPUT_SIZE_CASES.clear()",
    "ex = None",
    "import math as ex",
    "setattr(np, 'allclose', 1)",
    "from dlwidgets.exercises import checking\nchecking._mismatch = lambda *a: None",
    "del np.allclose",
])
def test_changing_what_the_checks_use_is_tampering(scan, source):
    assert any(kind == "tamper" for kind, _ in scan(source)), scan(source)


@pytest.mark.parametrize("source", ["exec('x = 1')", "import builtins", "import sys\nsys.modules['numpy']",
                                    "f.__code__", "get_ipython()"])
def test_ways_to_hide_tampering_ask_for_a_review(scan, source):
    kinds = {kind for kind, _ in scan(source)}
    assert kinds == {"review"}, scan(source)


@pytest.mark.parametrize("source", [
    "def conv_output_size(n, k, p=0, s=1, d=1):\n    return output_size(n, k, p, s, d)",
    "def conv2d_single(x, w, stride=1, padding=0):\n    return ex.conv2d(x[None, None], w[None, None])[0, 0]",
    "import dlwidgets.core as c\nrf_three_3x3 = c.receptive_field([c.Layer(3)] * 3)[-1].size",
])
def test_calling_the_reference_implementation_is_flagged(scan, source):
    assert any(kind == "reference" for kind, _ in scan(source)), scan(source)


@pytest.mark.parametrize("source", [
    "import numpy as np\nfrom dlwidgets.exercises import convolutions as ex, hint",
    "x = np.zeros(3)\nx[0] = 1\nx.shape = (3, 1)",
    "def conv2d_single(x, w, stride=1, padding=0):\n    out = np.zeros((2, 2))\n    out[0, 0] = np.sum(x)\n    return out",
    "hint('conv2d_single')\nnp.random.seed(0)",
    "calc.set(input_size=32, kernel_size=5, padding=2, stride=2)\nchallenge = calc.settings()",
])
def test_ordinary_learner_code_raises_nothing(scan, source):
    assert scan(source) == set()
