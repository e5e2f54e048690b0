"""What every course widget shares: no echo of front-end changes, look-ahead views that are
exactly the views the widget computes when the setting really changes, remembered views, and
caches bounded by size."""

import threading
import time
from collections import OrderedDict

import numpy as np
import pytest

from dlwidgets.widgets import (ActivationExplorer, AttentionMap, BatchNoise, DropoutEnsemble,
                               FeatureMapCalculator, GANDynamics, GateAnimator, GradientFlowMeter,
                               HuffmanTreeView, ImbalanceExplorer, InitExplorer, LandscapeExplorer, LossExplorer,
                               MessagePassingExplorer, NormAxes, OptimizerRace, OverfittingExplorer,
                               OverflowExplorer, RNNUnroller, SearchExplorer, ZeroCentredUpdates)
from dlwidgets.widgets._base import Setting, trim_to_budget


def capture(widget):
    """Record the messages the widget sends to its front end."""
    sent = []
    widget._send = lambda msg, buffers=None: sent.append(msg)
    return sent


def ask(widget, content):
    """Deliver a message from the front end and wait for the look-ahead it starts, if any, to answer."""
    widget._look_ahead_thread = None
    widget._on_front_end_message(widget, content, [])
    if widget._look_ahead_thread is not None:
        widget._look_ahead_thread.join(timeout=60)
        assert not widget._look_ahead_thread.is_alive()


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
    # a drop-down's options either side, and a switch's other state
    (lambda: GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh"), "activation", ["sigmoid", "relu"]),
    (lambda: GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh"), "batch_norm", [True]),
    (lambda: FeatureMapCalculator(input_size=16, kernel_size=3, padding=8), "padding", [7, "valid"]),
    (lambda: RNNUnroller(), "bias", [False]),
    (lambda: AttentionMap(), "d_k", [4, 64]),
])
def test_looked_ahead_views_equal_the_views_computed_when_the_setting_changes(make, name, values):
    widget = make()
    before, settings_before = widget.view, widget.settings()
    sent = capture(widget)
    ask(widget, {"lookahead": {"name": name, "values": values}})
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
    {"lookahead": {"name": "input_size", "values": [True, None, [15], {"size": 15}]}},
    {"lookahead": {"name": "input_size", "values": []}},
    {"something": "else"},
    "not a dict",
])
def test_malformed_look_ahead_requests_are_answered_with_nothing_and_change_nothing(content):
    calc = FeatureMapCalculator(input_size=16)
    sent = capture(calc)
    ask(calc, content)
    assert all(m["content"] == {"nearby": []} for m in sent)
    assert calc.input_size == 16 and calc.error == ""


def test_a_switch_looks_ahead_to_true_or_false_only_and_any_other_setting_to_numbers_or_names():
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh")
    calls = counting(meter)
    assert meter._nearby("batch_norm", [1, 0.0, "yes", None]) == [] and calls == []
    assert meter._nearby("depth", [True, False]) == [] and calls == []
    (entry,) = meter._nearby("activation", ["softplus"])      # a name the meter does not know: its message
    assert entry["view"] == {} and "activation" in entry["error"] and "softplus" in entry["error"]
    (entry,) = meter._nearby("depth", ["13"])                 # a name where a number belongs: its message
    assert entry["view"] == {} and "depth" in entry["error"]
    assert meter.error == "" and meter.depth == 12 and meter.activation == "tanh"


def test_no_look_ahead_computation_for_a_widget_whose_views_are_slow_to_compute():
    calc = FeatureMapCalculator(input_size=16)
    assert len(calc._nearby("input_size", [15, 17])) == 2
    calc._LOOKAHEAD_BUDGET_S = 0.0   # as if one view took longer than the budget
    calls = counting(calc)
    assert calc._nearby("input_size", [14, 18]) == [] and calls == []


def test_a_slow_widget_still_sends_the_neighbours_it_remembers():
    calc = FeatureMapCalculator(input_size=16)
    calc.input_size = 17
    calc._LOOKAHEAD_BUDGET_S = 0.0
    calls = counting(calc)
    (entry,) = calc._nearby("input_size", [16, 18])   # 16 was shown before, 18 never
    assert entry["settings"]["input_size"] == 16 and entry["view"] == FeatureMapCalculator(input_size=16).view
    assert calls == []


def test_at_most_a_few_neighbours_are_computed_per_request():
    calc = FeatureMapCalculator(input_size=16)
    assert len(calc._nearby("input_size", list(range(1, 30)))) == calc._LOOKAHEAD_VALUES


# ---------------------------------------------------------------------------------------
# Remembered views: a view depends on the settings alone, so recent ones are not computed twice

EVERY_WIDGET = [
    (lambda: ActivationExplorer(), "input_std", 3.5),
    (lambda: AttentionMap(), "temperature", 2.0),
    (lambda: FeatureMapCalculator(input_size=16, kernel_size=3, padding=1), "stride", 2),
    (lambda: GateAnimator(forget_bias=1.0), "forget_bias", -1.0),
    (lambda: GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh"), "depth", 13),
    (lambda: InitExplorer(depth=4, width=8, batch=8, train_steps=2), "weight_scale", 2.0),
    (lambda: RNNUnroller(), "spectral_radius", 1.3),
    (lambda: ZeroCentredUpdates(), "learning_rate", 0.2),
    (lambda: BatchNoise(), "batch_size", 16),
    (lambda: DropoutEnsemble(), "p", 0.3),
    (lambda: GANDynamics(), "d_steps", 1),
    (lambda: HuffmanTreeView(), "seed", 2),
    (lambda: ImbalanceExplorer(), "k", 3),
    (lambda: LandscapeExplorer(), "lr", 0.25),
    (lambda: LossExplorer(), "logit", 2.0),
    (lambda: MessagePassingExplorer(), "node", 2),
    (lambda: NormAxes(), "batch_size", 2),
    (lambda: OptimizerRace(steps=40), "steps", 30),
    (lambda: OverfittingExplorer(), "n_train", 30),
    (lambda: OverflowExplorer(), "shift", 100.0),
    (lambda: SearchExplorer(), "seed", 1),
]


def counting(widget):
    """Count the widget's calls of _compute from now on."""
    calls = []
    compute = widget._compute
    widget._compute = lambda s: calls.append(1) or compute(s)
    return calls


@pytest.mark.parametrize("make, name, other", EVERY_WIDGET)
def test_going_back_to_a_setting_shows_its_remembered_view_which_equals_a_fresh_one(make, name, other):
    widget = make()
    first, value = widget.view, getattr(widget, name)
    calls = counting(widget)
    setattr(widget, name, other)
    assert widget.view != first and len(calls) == 1
    setattr(widget, name, value)
    assert widget.view is first and len(calls) == 1   # not computed again
    assert widget.view == make().view


def test_stepping_to_a_looked_ahead_setting_computes_nothing_more():
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh")
    (entry,) = meter._nearby("depth", [13])
    calls = counting(meter)
    meter.depth = 13
    assert calls == [] and meter.view is entry["view"]
    key = meter._key({**meter._settings_now(), "depth": 12})
    assert meter._nearby("depth", [12, 14])[0]["view"] is meter._remembered[key][0]
    assert len(calls) == 1   # only depth 14 was new


def test_the_look_ahead_budget_goes_by_the_last_view_really_computed():
    calc = FeatureMapCalculator(input_size=16)
    calc._compute_seconds = 5.0   # as if the last computation had taken 5 s
    calc.input_size = 17          # computed: fast
    assert calc._compute_seconds < calc._LOOKAHEAD_BUDGET_S and len(calc._nearby("input_size", [16, 18])) == 2
    calc._compute_seconds = 5.0
    calc.input_size = 16          # remembered: says nothing about the cost of a new view
    assert calc._compute_seconds == 5.0
    assert [e["settings"]["input_size"] for e in calc._nearby("input_size", [15, 17])] == [17]


def test_impossible_settings_are_remembered_with_their_message():
    calc = FeatureMapCalculator(input_size=16, kernel_size=3)
    calc.input_size = 2   # too small for the kernel: a message
    message = calc.error
    calls = counting(calc)
    calc.input_size = 16
    calc.input_size = 2
    assert calls == [] and calc.error == message and calc.view == {}


def test_only_the_last_few_settings_are_remembered_and_zero_turns_it_off():
    calc = FeatureMapCalculator(input_size=16)
    for size in range(20, 40):
        calc.input_size = size
    assert len(calc._remembered) == calc._REMEMBERED_VIEWS
    calc._REMEMBERED_VIEWS = 0
    calc._remembered.clear()
    calls = counting(calc)
    calc.input_size = 30
    calc.input_size = 31
    calc.input_size = 30
    assert len(calls) == 3 and not calc._remembered


def test_a_real_valued_setting_reached_from_the_browser_as_a_whole_number_is_the_view_already_computed():
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh")   # weight scale 1.0, from Python
    first = meter.view
    calls = counting(meter)
    meter.weight_scale = 1.5
    meter.set_state({"weight_scale": 1})   # JSON has no 1.0: the browser's slider sends its 1.0 as 1
    assert meter.view is first and len(calls) == 1
    (entry,) = meter._nearby("weight_scale", [1.0])
    assert entry["view"] is first and len(calls) == 1


@pytest.mark.parametrize("make", [make for make, _, _ in EVERY_WIDGET])
def test_every_real_valued_setting_takes_a_whole_number_as_its_float_and_every_other_number_refuses_a_float(make):
    widget = make()
    numbers = {name: value for name, value in widget._settings_now().items()
               if isinstance(value, (int, float)) and not isinstance(value, bool)}
    assert set(widget._real_settings) == {name for name, value in numbers.items() if isinstance(value, float)}
    for name in widget._real_settings:
        calls = counting(widget)
        widget.set(**{name: 10**9})      # out of every range here: the message is remembered too
        message = widget.error
        assert "got 1000000000.0" in message and len(calls) == 1
        widget.set(**{name: 1e9})
        assert widget.error == message and len(calls) == 1
        widget.set(**{name: numbers[name]})
    for name in set(numbers) - set(widget._real_settings):   # a real-valued setting with a whole default fails here
        widget.set(**{name: float(numbers[name])})   # equal, but not a whole number: checked at once
        # (the calculator's channel counts only change its parameter count, which says so instead)
        assert "must be" in widget.error + widget.view.get("params_error", ""), name
        widget.set(**{name: numbers[name]})
        assert widget.error == "" and not widget.view.get("params_error")


def test_every_setting_is_a_setting_trait_which_checks_a_value_equal_to_the_old_but_of_another_type():
    for make, _, _ in EVERY_WIDGET:
        widget = make()
        assert all(type(widget.traits()[name]) is Setting for name in widget._SETTINGS), type(widget).__name__
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh")
    meter.depth = 12.0              # == 12, so plain traitlets would not tell the widget
    assert meter.error == "depth must be a whole number, got 12.0"
    meter.depth = 12
    assert meter.error == ""
    meter.batch_norm = 0            # == False
    assert meter.error == "batch norm must be True or False, got 0"


@pytest.mark.parametrize("make", [make for make, _, _ in EVERY_WIDGET])
@pytest.mark.parametrize("nonsense", ["nonsense", None, [1], -2.5])
def test_any_setting_set_to_nonsense_shows_a_message_in_the_widget_and_raises_nothing(make, nonsense):
    widget = make()
    for name, value in widget.settings().items():
        if (nonsense == -2.5 and name in widget._real_settings) or (nonsense == [1] and name == "tokens"):
            continue   # a negative mean, bias or pulse is fine, and so is the one token "1"
        widget.set(**{name: nonsense})
        assert widget.error and widget.view == {}, name
        widget.set(**{name: value})
        assert widget.error == "", name


def test_trim_to_budget_forgets_the_oldest_entries_but_always_keeps_the_newest():
    cache = OrderedDict(a=3, b=4, c=5)
    trim_to_budget(cache, 12, lambda v: v)
    assert list(cache) == ["a", "b", "c"]          # 12 bytes: all fit
    trim_to_budget(cache, 9, lambda v: v)
    assert list(cache) == ["b", "c"]
    trim_to_budget(cache, 1, lambda v: v)
    assert list(cache) == ["c"]                    # larger than the budget alone, but the newest
    trim_to_budget(cache, 1, lambda v: v, keep=0)
    assert not cache


# ---------------------------------------------------------------------------------------
# Threads: JupyterLab hands widget messages to a kernel subshell, a thread beside the cells'


def test_look_ahead_in_one_thread_and_changes_in_another_never_mix_their_settings():
    meter = GradientFlowMeter(depth=6, width=8, batch=4, activation="tanh")
    meter._send = lambda msg, buffers=None: None   # no front end
    compute = meter._compute
    meter._compute = lambda s: time.sleep(0.002) or compute(s)   # long enough for the threads to meet
    stop = threading.Event()

    def browser():   # what a subshell runs: look-ahead requests, one after another
        while not stop.is_set():
            for name, values in (("activation", ["relu", "sigmoid"]), ("depth", [2, 9]), ("batch_norm", [True])):
                ask(meter, {"lookahead": {"name": name, "values": values}})

    thread = threading.Thread(target=browser)
    thread.start()
    try:
        for step in range(40):   # what the cells do meanwhile
            depth, activation = step % 7 + 1, ("tanh", "elu")[step % 2]
            meter.set(depth=depth, activation=activation)
            assert (meter.depth, meter.activation) == (depth, activation)   # no change of a cell is undone
            assert meter.view["settings"] == meter._stamp(meter._settings_now())
    finally:
        stop.set()
        thread.join()
    for key, (view, error) in meter._remembered.items():   # every view is that of its settings
        assert error == "" and key == meter._key(view["settings"])
        assert {k: view[k] for k in ("depth", "activation", "batch_norm")} == \
               {k: view["settings"][k] for k in ("depth", "activation", "batch_norm")}
    fresh = GradientFlowMeter(**meter._settings_now())
    assert meter.view == fresh.view


def held_look_ahead(widget, values, held):
    """Start a look-ahead for depths ``values`` whose what-if view for depth ``held`` waits, before it
    computes, until the returned event is set; returns (computed depths, that event)."""
    computed, started, go = [], threading.Event(), threading.Event()
    compute = widget._compute

    def watched(s):
        computed.append(s.depth)
        if s.depth == held and not started.is_set():
            started.set()
            assert go.wait(10)
        return compute(s)

    widget._compute = watched
    widget._on_front_end_message(widget, {"lookahead": {"name": "depth", "values": values}}, [])
    assert started.wait(10)      # the request returned at once; its thread is at the what-if
    return computed, go


def change_behind(widget, go, depth):
    """Change the depth from another thread while the look-ahead is held, then let both finish."""
    cell = threading.Thread(target=lambda: setattr(widget, "depth", depth))
    cell.start()
    deadline = time.monotonic() + 10
    while widget.depth != depth and time.monotonic() < deadline:   # set, its view waiting for the lock
        time.sleep(0.001)
    go.set()
    widget._look_ahead_thread.join(10)
    cell.join(10)


SLOW_VIEWS = [  # the widgets whose what-if views stop part-way
    lambda: GradientFlowMeter(depth=6, width=8, batch=4, activation="tanh"),
    lambda: InitExplorer(depth=6, width=8, batch=4, activation="tanh", train_steps=2),
]


def look_ahead_replies(sent) -> list:
    """The look-ahead answers among the messages a widget sent: per answer, the depths it carries
    views for."""
    return [[entry["settings"]["depth"] for entry in m["content"]["nearby"]] for m in sent if m["method"] == "custom"]


def fresh_view(make, **settings):
    widget = make()
    widget.set(**settings)
    return widget.view


def changed_during_look_ahead(make, depth):
    """A fresh widget whose look-ahead for depths 7, 5, 8 is held at 7 while the depth changes to
    ``depth``; returns (widget, the messages it sent, the depths whose views it began)."""
    widget = make()
    sent = capture(widget)
    computed, go = held_look_ahead(widget, [7, 5, 8], held=7)
    change_behind(widget, go, depth)
    return widget, sent, computed


@pytest.mark.parametrize("make", SLOW_VIEWS)
def test_a_change_queued_behind_a_look_ahead_stops_it_even_part_way_through_a_view(make):
    widget, sent, computed = changed_during_look_ahead(make, 3)
    assert computed == [7, 3]    # depth 7 was begun, and stopped at its first layer; 5 and 8 never begun
    assert look_ahead_replies(sent) == [[]]   # nothing half computed is sent
    assert widget._remembered_view({**widget._settings_now(), "depth": 7}) is None   # nor remembered
    assert widget.view == fresh_view(make, depth=3)


@pytest.mark.parametrize("make", SLOW_VIEWS)
def test_a_change_to_the_very_view_the_look_ahead_is_computing_lets_it_finish_and_uses_it(make):
    widget, sent, computed = changed_during_look_ahead(make, 7)
    assert computed == [7]       # computed once, by the look-ahead; the change found it remembered
    assert look_ahead_replies(sent) == [[7]]
    assert widget.view == fresh_view(make, depth=7)


def test_a_real_change_is_never_stopped_part_way():
    meter = GradientFlowMeter(depth=6, width=8, batch=4, activation="tanh")
    assert not meter._stale()    # outside a look-ahead's what-if
    meter._changes += 5
    assert not meter._stale()


def test_every_widget_the_package_exports_is_in_every_widget_test():
    import dlwidgets.widgets as widgets

    covered = {type(make()).__name__ for make, _, _ in EVERY_WIDGET}
    assert set(widgets.__all__) - covered == set(), "add these widgets to EVERY_WIDGET"


# ---------------------------------------------------------------- real use: bad input from a learner

def test_a_bad_channel_count_is_said_beside_the_parameter_count_and_the_picture_stays():
    calc = FeatureMapCalculator(input_size=7, kernel_size=3)
    for bad, words in (("abc", "C in (input channels) must be a whole number, got 'abc'"),
                       (0, "C in (input channels) must be between 1 and 1024, got 0")):
        calc.in_channels = bad
        assert calc.error == "" and calc.view["out"] == 5 and calc.view["output"]    # the picture is still there
        assert calc.view["params_error"] == words and calc.view["params"] is None
        assert "No parameter count: " + words in calc.describe()
    calc.in_channels = 3
    assert calc.view["params_error"] == "" and calc.view["params"] == 8 * 3 * 9 + 8


@pytest.mark.parametrize("value", [float("nan"), float("inf"), -float("inf")])
def test_nan_and_infinite_settings_go_to_the_browser_as_valid_json(value):
    import json
    calc = FeatureMapCalculator()
    calc.stride = value
    assert "stride must be a whole number" in calc.error
    state = calc.get_state(["stride"])
    assert json.loads(json.dumps(state, allow_nan=False)) == {"stride": repr(value)}


def test_an_unknown_setting_is_one_sentence_with_a_guess_not_a_traceback_into_the_base_class():
    from dlwidgets.widgets._base import UnknownSetting
    with pytest.raises(UnknownSetting) as info:
        FeatureMapCalculator().set(kernal_size=3)
    assert isinstance(info.value, TypeError)
    assert "(did you mean kernel_size?)" in str(info.value)
    lines = info.value._render_traceback_()   # what IPython shows instead of a traceback
    assert len(lines) == 1 and "unknown setting(s): kernal_size" in lines[0]


def test_the_front_end_asking_whether_a_kernel_listens_gets_an_answer():
    calc = FeatureMapCalculator()
    sent = capture(calc)
    calc._on_front_end_message(calc, {"ping": 7}, [])
    assert [m["content"] for m in sent] == [{"pong": 7}]


@pytest.mark.parametrize("make", [make for make, _, _ in EVERY_WIDGET])
def test_every_widget_renders_inside_the_shared_frame(make):
    esm = make()._esm
    assert esm.rstrip().endswith("export default { render: courseWidget(render) };")
    assert "function courseWidget(render)" in esm
