"""The checking layer: a verdict for every kind of learner answer, right or wrong."""

import math

import numpy as np
import pytest

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
