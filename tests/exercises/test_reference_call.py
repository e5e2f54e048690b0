"""A learner's function that only calls the course library gets a sentence saying so, not a tick."""

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import activations as act
from dlwidgets.exercises.reference_call import library_calls, refusal


def notebook_functions(code: str) -> dict:
    """Define ``code`` as a notebook cell would: in a namespace whose module is __main__."""
    namespace = {"__name__": "__main__", "np": np}
    exec(compile(code, "<cell>", "exec"), namespace)
    return namespace


@pytest.mark.parametrize("code", [
    "from dlwidgets.core import sigmoid_grad, sigmoid\ndef f(x):\n    return sigmoid_grad(x) * (1 - 2 * sigmoid(x))",
    "from dlwidgets import core\ndef f(x):\n    return core.sigmoid_grad(x) * (1 - 2 * core.sigmoid(x))",
    "import dlwidgets.core\ndef f(x):\n    return dlwidgets.core.sigmoid_grad(x) * (1 - 2 * dlwidgets.core.sigmoid(x))",
    "from dlwidgets.core import sigmoid\ndef helper(x):\n    return sigmoid(x)\n"
    "def f(x):\n    return helper(x) * (1 - helper(x)) * (1 - 2 * helper(x))",
    "from dlwidgets.core import sigmoid as s\ndef f(x):\n    return (lambda v: s(v) * (1 - s(v)) * (1 - 2 * s(v)))(x)",
    "from dlwidgets.exercises import activations\ndef f(x):\n    return activations.sigmoid_second_derivative(x)",
])
def test_a_wrapper_around_the_library_is_told_to_write_it_itself(code):
    fn = notebook_functions(code)["f"]
    assert library_calls(fn)
    with pytest.raises(CheckFailed) as info:
        act.check_sigmoid_second_derivative(fn)
    assert "write it yourself" in info.value.message and "the grader gives this no points" in info.value.message
    assert "✔" not in info.value.message


def test_own_code_with_numpy_and_own_helpers_passes(capsys):
    fn = notebook_functions("def s(x):\n    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\n"
                            "def f(x):\n    return s(x) * (1 - s(x)) * (1 - 2 * s(x))")["f"]
    assert library_calls(fn) == [] and refusal(fn, "f") is None
    act.check_sigmoid_second_derivative(fn)
    assert "✔" in capsys.readouterr().out


def test_functions_not_written_in_the_notebook_are_not_judged():
    from dlwidgets.core import sigmoid_grad
    assert library_calls(sigmoid_grad) == []           # e.g. the tests' own reference answers
    assert library_calls(lambda x: sigmoid_grad(x)) == []
    assert library_calls(object()) == []               # a proxy for a function in another process


def test_recursive_helpers_do_not_loop():
    fn = notebook_functions("def f(x):\n    return f(x - 1) if x > 0 else 0")["f"]
    assert library_calls(fn) == []


def test_the_library_function_itself_handed_in_is_refused_in_a_sentence():
    from dlwidgets import core
    from dlwidgets.exercises import reference_call

    sentence = reference_call.refusal(core.stable_log_softmax, "stable_log_softmax")
    assert "course library's own function" in sentence and "dlwidgets.core" in sentence
    assert reference_call.refusal(len, "len") is None   # a builtin is not the library
