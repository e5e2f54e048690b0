"""Test cells are read from the lesson with ast; anything but check calls on learner names is refused."""

import pytest

from dlwidgets.grading.checks import TestCellError, parse_test_cell

BINDINGS = {"ex": "dlwidgets.exercises.convolutions", "np": "numpy",
            "check_one": "dlwidgets.exercises.convolutions:check_one_by_one"}


def test_visible_and_hidden_calls_with_literal_keywords():
    calls = parse_test_cell("ex.check_conv_output_size(conv_output_size)\n### BEGIN HIDDEN TESTS\n"
                            "ex.check_conv_output_size(conv_output_size, extra_cases=[(33, 4, 1, 3, 2),\n"
                            "                                                   (5, 5, 0, 1, 1)])\n"
                            "### END HIDDEN TESTS\ncheck_one(one_by_one)", BINDINGS)
    assert [(c.function, c.names, c.hidden) for c in calls] == [
        ("check_conv_output_size", ("conv_output_size",), False), ("check_one_by_one", ("one_by_one",), False),
        ("check_conv_output_size", ("conv_output_size",), True)]
    assert calls[2].keywords == (("extra_cases", [(33, 4, 1, 3, 2), (5, 5, 0, 1, 1)]),)
    assert calls[0].module == "dlwidgets.exercises.convolutions"


@pytest.mark.parametrize("source, words", [
    ("x = 1", "only check calls"),
    ("print(ex)", "not a check function"),
    ("np.testing.assert_allclose(a, b)", "not a check function"),
    ("ex.check_x(f(1))", "learner's names"),
    ("ex.check_x(f, cases=make())", "must be a literal"),
    ("ex.check_x(f, **k)", "not allowed"),
    ("ex.CASES(f)", "not a check of dlwidgets.exercises"),
    ("ex.check_x(", "not valid Python"),
])
def test_anything_else_in_a_test_cell_is_an_authoring_error(source, words):
    with pytest.raises(TestCellError, match=words):
        parse_test_cell(source, BINDINGS, where="t")


def slow_check(answer):
    """A check that replays an answer for too long."""
    import time

    end = time.monotonic() + 30
    while time.monotonic() < end:
        pass


class _Plain:
    """A stand-in kernel that answers every request with the value 1."""

    def ask(self, request, timeout):
        return "ok", repr('{"value": "1"}')


def test_a_check_that_computes_too_long_in_the_grader_is_stopped():
    import time

    from dlwidgets.grading.checks import CheckCall, Learner, run_call

    call = CheckCall(__name__, "slow_check", ("answer",), (), False, "slow_check(answer)")
    started = time.monotonic()
    verdict = run_call(call, Learner(_Plain(), 0.5), "alice")
    assert time.monotonic() - started < 5
    assert not verdict.passed and "took more than 0.5 s of the grader's time" in verdict.message


def check_passing_an_object(fn):
    """A check that breaks the convention: it hands the learner's function a non-plain object."""
    from dlwidgets.exercises.checking import Case, check_function

    check_function(fn, lambda x: 1, [Case((object(),))], exercise="x", name="f")


class _Function:
    def ask(self, request, timeout):
        return "ok", repr('{"callable": true}')


def test_a_check_that_passes_more_than_plain_data_is_the_lessons_error_not_the_learners():
    from dlwidgets.grading.checks import CheckCall, Learner, run_call

    call = CheckCall(__name__, "check_passing_an_object", ("f",), (), False, "check_passing_an_object(f)")
    verdict = run_call(call, Learner(_Function(), 5), "alice")
    assert not verdict.passed and "problem of the lesson, not of the answer" in verdict.message
    assert "object" in verdict.limit
