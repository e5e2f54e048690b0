"""The checking layer: a verdict for every kind of learner answer, right or wrong."""

import math

import numpy as np
import pytest

from dlwidgets.exercises import checking
from dlwidgets.exercises.checking import (Case, CheckFailed, Mistake, check_choice, check_function, check_value,
                                          hint, register_hints, reset_hints)


def square(x):
    return x * x


def failure(fn, *args, **kwargs) -> str:
    with pytest.raises(CheckFailed) as info:
        fn(*args, **kwargs)
    return info.value.message


CASES = [Case((2,)), Case((3,))]


def test_a_right_function_gets_a_one_line_verdict(capsys):
    check_function(lambda x: x * x, square, CASES, exercise="sq", name="sq")
    assert capsys.readouterr().out == "✔ sq passes all 2 cases.\n"


def test_a_wrong_value_names_the_case_the_expected_and_the_result():
    message = failure(check_function, lambda x: x + x, square, CASES, exercise="sq", name="sq")
    assert message.startswith("Case 2 of 2 fails: sq(3): expected 9, got 6.")
    assert "hint('sq')" in message


def test_a_known_mistake_is_diagnosed():
    message = failure(check_function, lambda x: x + x, square, CASES, exercise="sq", name="sq",
                      mistakes=[Mistake(lambda x: 2 * x, "doubled instead of squared.")])
    assert "known mistake: doubled instead of squared." in message


def test_an_unwritten_function_says_what_to_do():
    def stub(x):
        raise NotImplementedError("Write your code here")
    message = failure(check_function, stub, square, CASES, exercise="sq")
    assert "is not written yet" in message and "raise NotImplementedError" in message


def test_an_exception_in_learner_code_becomes_a_sentence_with_the_line():
    def broken(x):
        return x / 0
    message = failure(check_function, broken, square, CASES, exercise="sq", name="broken")
    assert "broken(2)` raised ZeroDivisionError: division by zero" in message
    assert "return x / 0" in message


@pytest.mark.parametrize("returned, words", [
    (None, "did you forget to `return`"),
    ("4", "expected a whole number, got a str"),
    (4.5, "sizes and counts are whole numbers"),
    (float("nan"), "NaN"),
])
def test_wrong_types_and_nan_get_a_sentence(returned, words):
    assert words in failure(check_function, lambda x: returned, square, CASES, exercise="sq")


def test_a_float_that_is_a_whole_number_is_accepted(capsys):
    check_function(lambda x: float(x * x), square, CASES, exercise="sq")
    assert "✔" in capsys.readouterr().out


def test_array_shape_and_value_mismatches_are_explained():
    ref = lambda n: np.arange(n, dtype=float)
    cases = [Case((3,))]
    assert "expected an array of shape (3,), got shape (2,)" in failure(
        check_function, lambda n: np.zeros(2), ref, cases, exercise="a")
    assert "at index (2,) expected 2, got 5" in failure(
        check_function, lambda n: np.array([0.0, 1, 5]), ref, cases, exercise="a")
    assert "NaN" in failure(check_function, lambda n: np.array([0.0, np.nan, 2]), ref, cases, exercise="a")


def test_not_a_function_is_reported():
    assert "should be a function, but it is a int" in failure(check_function, 3, square, CASES, exercise="sq", name="sq")


def test_check_value_unanswered_wrong_and_mistake():
    assert "not answered yet" in failure(check_value, ..., 7, exercise="rf", name="rf")
    message = failure(check_value, 9, 7, exercise="rf", name="rf", mistakes={9: "counted overlap twice."})
    assert "expected 7, got 9" in message and "counted overlap twice." in message
    assert "expected 0.25, got 0.2" in failure(check_value, 0.2, 0.25, exercise="x")


def test_check_value_accepts_a_close_float(capsys):
    check_value(0.1 + 0.2, 0.3, exercise="x", name="x")
    assert "✔ x = 0.3 is right." in capsys.readouterr().out


def test_check_choice_explains_the_wrong_option_and_rejects_nonsense(capsys):
    options = {"a": "A is tempting but wrong.", "b": "B is right because."}
    assert "(a) is not the best answer. A is tempting but wrong." in failure(check_choice, "a", "b", options, exercise="mc")
    assert "should be one of 'a', 'b'" in failure(check_choice, "z", "b", options, exercise="mc")
    check_choice(" B ", "b", options, exercise="mc")
    assert "✔ (b) is right." in capsys.readouterr().out


def test_hints_come_in_tiers_ending_in_a_worked_solution(capsys):
    reset_hints()
    register_hints("demo", ["first", "second", "answer"])
    for _ in range(4):
        hint("demo")
    out = capsys.readouterr().out
    assert out.index("Hint 1 of 3") < out.index("Hint 2 of 3") < out.index("Worked solution")
    assert out.count("Worked solution") == 2          # it stays at the last tier
    hint("no-such-exercise")
    assert "No hints for 'no-such-exercise'" in capsys.readouterr().out


def test_ipython_shows_the_message_without_a_stack_trace():
    lines = CheckFailed("first line\nsecond line")._render_traceback_()
    assert "first line" in lines[0] and lines[1:] == ["second line"]
    assert not any("Traceback" in line for line in lines)


# ---------------------------------------------------------------- an answer that never ends

def endless(x):
    while True:
        try:
            x += 1
        except Exception:   # a learner's broad except must not swallow the time limit
            pass


def test_a_function_that_never_finishes_is_stopped_with_a_sentence(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.2)
    message = failure(check_function, endless, square, CASES, exercise="sq", name="sq")
    assert message.startswith("`sq(2)` did not finish in 0.2 s")
    assert "loop that never ends" in message and "hint('sq')" in message
    assert "checking.py" not in message and "Traceback" not in message


def test_a_mistake_diagnosis_that_would_loop_forever_is_given_up(monkeypatch):
    monkeypatch.setattr(checking, "TIME_LIMIT_S", 0.2)
    wrong_then_endless = lambda x: x + x if x == 3 else endless(x)
    message = failure(check_function, wrong_then_endless, square, [Case((3,)), Case((5,))], exercise="sq", name="sq",
                      mistakes=[Mistake(lambda x: 2 * x, "doubled.")])
    assert message.startswith("Case 1 of 2 fails: sq(3): expected 9, got 6.")
    assert "doubled" not in message


def test_interrupting_the_learners_function_is_a_sentence_not_a_traceback():
    def interrupted(x):
        raise KeyboardInterrupt
    message = failure(check_function, interrupted, square, CASES, exercise="sq", name="sq")
    assert message.startswith("The check was interrupted while `sq(2)` was running.")


def test_the_time_limit_leaves_no_timer_behind():
    import signal
    with checking.time_limit(5):
        pass
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# ---------------------------------------------------------------- several arrays at once

def two_grads(n):
    return np.arange(6.0).reshape(2, 3) * n, np.ones(3) * n


def test_a_mismatch_in_several_arrays_names_the_part_and_the_index_inside_it():
    wrong_db = lambda n: (two_grads(n)[0], np.array([n, n + 1.0, n]))
    message = failure(check_function, wrong_db, two_grads, [Case((2,))], exercise="g", name="grads", parts=("dW", "db"))
    assert "grads(2): db: values differ; for example at index (1,) expected 2, got 3" in message
    wrong_shape = lambda n: (two_grads(n)[0].T, two_grads(n)[1])
    assert "dW: expected an array of shape (2, 3), got shape (3, 2)" in failure(
        check_function, wrong_shape, two_grads, [Case((2,))], exercise="g", name="grads", parts=("dW", "db"))
    assert "expected 2 arrays (dW, db), got a tuple" in failure(
        check_function, lambda n: (1.0,), two_grads, [Case((2,))], exercise="g", name="grads", parts=("dW", "db"))
    assert "gradient 1: values differ" in failure(
        check_function, wrong_db, two_grads, [Case((2,))], exercise="g", name="grads", parts="gradient {i}")


def test_the_two_layer_backward_check_names_the_gradient_that_is_wrong():
    from dlwidgets.exercises import backprop as bp

    def wrong_db2(*args):
        dW1, db1, dW2, db2 = bp.two_layer_grads(*args)
        return dW1, db1, dW2, db2 + 1.0
    message = failure(bp.check_two_layer_backward, wrong_db2)
    assert ": db2: values differ; for example at index (0,)" in message


# ---------------------------------------------------------------- in a notebook: cells that failed

@pytest.fixture
def shell():
    """A real IPython shell in this process, watched by the checks as a notebook kernel is."""
    from IPython.core.interactiveshell import InteractiveShell

    ip = InteractiveShell.instance()
    checking._RUNS.clear()
    checking._watch_cells()
    ip.run_cell("from dlwidgets.exercises.checking import check_value, check_choice", store_history=True)
    yield ip
    ip.events.unregister("post_run_cell", checking._remember_run)
    ip.set_custom_exc((), None)
    InteractiveShell.clear_instance()
    checking._RUNS.clear()


def run(ip, source):
    return ip.run_cell(source, store_history=True)


def test_a_check_after_an_answer_cell_that_failed_says_so_instead_of_grading_the_old_answer(shell):
    run(shell, "one_by_one = 'a'")
    run(shell, "one_by_one = b   # an unquoted letter")
    result = run(shell, "check_choice(one_by_one, 'b', {'a': 'no', 'b': 'yes'}, exercise='x', name='one_by_one')")
    message = str(result.error_in_exec)
    assert isinstance(result.error_in_exec, CheckFailed)
    assert "The cell that sets `one_by_one` did not run successfully the last time: it raised NameError" in message
    run(shell, "one_by_one = 'b'")
    assert run(shell, "check_choice(one_by_one, 'b', {'a': 'no', 'b': 'yes'}, exercise='x', name='one_by_one')").success


def test_a_syntax_error_in_the_answer_cell_is_noticed_too(shell):
    run(shell, "def conv_size(n):\n    return n")
    run(shell, "def conv_size(n):\n    return n +")
    assert checking.answer_cell_failure("conv_size") == "SyntaxError: invalid syntax (line 2)"


def test_a_check_run_before_its_answer_is_defined_says_which_cell_to_run(capsys, shell):
    result = run(shell, "check_value(not_defined_yet, 3, exercise='x', name='not_defined_yet')")
    assert isinstance(result.error_in_exec, NameError)
    shown = capsys.readouterr().out
    assert "`not_defined_yet` is not defined yet, so this check cannot run." in shown
    assert "Run the cell that defines `not_defined_yet` first" in shown and "Traceback" not in shown
    run(shell, "print(also_not_defined)")   # outside a check: IPython's usual traceback
    shown = capsys.readouterr()
    assert "NameError" in shown.out and "Traceback" in shown.out and "failed" not in shown.err + shown.out
    assert shell.custom_exceptions == (NameError,)   # still in place
