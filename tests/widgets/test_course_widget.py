"""What every course widget shares: no echo of front-end changes, and look-ahead views that are
exactly the views the widget computes when the setting really changes."""

import numpy as np
import pytest

from dlwidgets.widgets import FeatureMapCalculator, GateAnimator, GradientFlowMeter


def capture(widget):
    """Record the messages the widget sends to its front end."""
    sent = []
    widget._send = lambda msg, buffers=None: sent.append(msg)
    return sent


def test_a_setting_changed_in_the_browser_is_not_echoed_back_only_the_new_view_is_sent():
    calc = FeatureMapCalculator(input_size=16, kernel_size=3, padding=1)
    sent = capture(calc)
    calc.set_state({"input_size": 10})
    assert [(m["method"], sorted(m["state"])) for m in sent] == [("update", ["view"])]
    assert calc.view["out"] == 10


def test_every_view_says_which_settings_it_was_computed_for():
    calc = FeatureMapCalculator(input_size=np.int64(9), kernel_size=3)
    assert calc.view["settings"] == {**calc.settings(), "input_size": 9, "in_channels": 3, "out_channels": 8, "seed": 0}
    assert type(calc.view["settings"]["input_size"]) is int   # JSON, as the front end sees it


@pytest.mark.parametrize("make, name, values", [
    (lambda: FeatureMapCalculator(input_size=16, kernel_size=3, padding=1), "input_size", [15, 17]),
    (lambda: FeatureMapCalculator(input_size=16, kernel_size=3, padding=1), "stride", [2]),
    (lambda: GateAnimator(forget_bias=1.0), "forget_bias", [0.5, 1.5]),
    (lambda: GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh"), "depth", [11, 13]),
])
def test_looked_ahead_views_equal_the_views_computed_when_the_setting_changes(make, name, values):
    widget = make()
    before, settings_before = widget.view, widget.settings()
    sent = capture(widget)
    widget._on_front_end_message(widget, {"lookahead": {"name": name, "values": values}}, [])
    assert len(sent) == 1 and sent[0]["method"] == "custom"
    nearby = sent[0]["content"]["nearby"]
    assert widget.view == before and widget.settings() == settings_before   # a what-if, nothing changed
    assert [entry["settings"][name] for entry in nearby] == values
    for entry, value in zip(nearby, values):
        fresh = make()
        setattr(fresh, name, value)
        assert entry["error"] == "" and entry["view"] == fresh.view
        assert entry["settings"] == fresh.view["settings"]


def test_an_impossible_neighbour_comes_back_with_its_message():
    calc = FeatureMapCalculator(input_size=4, kernel_size=3, padding=0)
    (entry,) = calc._nearby("kernel_size", [5])
    assert entry["view"] == {} and "kernel" in entry["error"] and entry["settings"]["kernel_size"] == 5
    assert calc.error == "" and calc.kernel_size == 3


@pytest.mark.parametrize("content", [
    {"lookahead": {"name": "not_a_setting", "values": [1]}},
    {"lookahead": {"name": "step", "values": [1]}},           # a trait, but not a setting
    {"lookahead": {"name": "input_size", "values": "15"}},
    {"lookahead": {"name": "input_size", "values": [True, "x", None]}},
    {"something": "else"},
    "not a dict",
])
def test_malformed_look_ahead_requests_are_answered_with_nothing_and_change_nothing(content):
    calc = FeatureMapCalculator(input_size=16)
    sent = capture(calc)
    calc._on_front_end_message(calc, content, [])
    assert all(m["content"] == {"nearby": []} for m in sent)
    assert calc.input_size == 16 and calc.error == ""


def test_no_look_ahead_for_a_widget_whose_views_are_slow_to_compute():
    calc = FeatureMapCalculator(input_size=16)
    assert len(calc._nearby("input_size", [15, 17])) == 2
    calc._LOOKAHEAD_BUDGET_S = 0.0   # as if one view took longer than the budget
    assert calc._nearby("input_size", [15, 17]) == []


def test_at_most_a_few_neighbours_are_computed_per_request():
    calc = FeatureMapCalculator(input_size=16)
    assert len(calc._nearby("input_size", list(range(1, 30)))) == calc._LOOKAHEAD_VALUES
