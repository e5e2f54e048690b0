"""Lesson 00's multiple-choice checks accept the right letter and explain every wrong one."""

import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import getting_started as ex


def test_right_answers_pass(capsys):
    ex.check_sys_path("d")
    ex.check_shared_library(" A ")
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("check, answer, words", [
    (ex.check_sys_path, "a", "hard-coded"),
    (ex.check_sys_path, "c", "reads PYTHONPATH once"),
    (ex.check_shared_library, "c", "does create soname links itself"),
    (ex.check_shared_library, "b", "downloads nothing"),
])
def test_wrong_answers_are_explained(check, answer, words):
    with pytest.raises(CheckFailed) as info:
        check(answer)
    assert words in info.value.message
