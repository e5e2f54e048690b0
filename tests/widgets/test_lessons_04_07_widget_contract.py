"""Lessons 04 and 07's widgets keep the contract every course widget keeps (see test_course_widget.py):
remembered views, real-valued settings that take whole numbers, and a message for any nonsense setting."""

import pytest

from dlwidgets.widgets import DropoutEnsemble, NormAxes, OverfittingExplorer
from dlwidgets.widgets._base import Setting

WIDGETS = [
    (lambda: NormAxes(), "batch_size", 8),
    (lambda: OverfittingExplorer(hidden=4), "n_train", 20),
    (lambda: DropoutEnsemble(masks=30), "p", 0.2),
]


@pytest.mark.parametrize("make, name, other", WIDGETS)
def test_going_back_to_a_setting_shows_its_remembered_view(make, name, other):
    widget = make()
    first, value = widget.view, getattr(widget, name)
    widget.set(**{name: other})
    assert widget.view is not first and widget.error == ""
    widget.set(**{name: value})
    assert widget.view is first


@pytest.mark.parametrize("make", [make for make, _, _ in WIDGETS])
def test_settings_are_setting_traits_and_numbers_are_checked_by_kind(make):
    widget = make()
    assert all(type(widget.traits()[name]) is Setting for name in widget._SETTINGS)
    numbers = {name: value for name, value in widget._settings_now().items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    assert set(widget._real_settings) == {name for name, value in numbers.items() if isinstance(value, float)}
    for name in widget._real_settings:
        widget.set(**{name: 10**9})
        assert "got 1000000000.0" in widget.error, name
        widget.set(**{name: numbers[name]})
    for name in set(numbers) - set(widget._real_settings):
        widget.set(**{name: float(numbers[name])})
        assert "must be" in widget.error, name
        widget.set(**{name: numbers[name]})
        assert widget.error == ""


@pytest.mark.parametrize("make", [make for make, _, _ in WIDGETS])
@pytest.mark.parametrize("nonsense", ["nonsense", None, [1], -2.5])
def test_any_setting_set_to_nonsense_shows_a_message_and_raises_nothing(make, nonsense):
    widget = make()
    for name, value in widget.settings().items():
        if nonsense == -2.5 and name in widget._real_settings:
            continue   # a negative gamma, beta or input is fine
        widget.set(**{name: nonsense})
        assert widget.error and widget.view == {}, name
        widget.set(**{name: value})
        assert widget.error == "", name
