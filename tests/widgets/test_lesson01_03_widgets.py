"""The lesson 01-03 widgets show what dlwidgets.core computes, and never raise at a learner."""

import base64
import json
import math

import numpy as np
import pytest

from dlwidgets.core import (ACTIVATIONS, EXPLODING_ABOVE, MLP, VANISHING_BELOW, activation_and_grad,
                            classify_gradient_ratio, dead_fraction, global_grad_norm, grad_peak, he_uniform,
                            mse_loss, saturated_fraction, sigmoid)
from dlwidgets.exercises import backprop, initialisation
from dlwidgets.widgets import ActivationExplorer, GradientFlowMeter, InitExplorer, ZeroCentredUpdates
from dlwidgets.widgets.activation_explorer import explorer_samples
from dlwidgets.core import mlp_batch, mlp_experiment, mlp_network
from dlwidgets.widgets import gradient_flow
from dlwidgets.widgets.gradient_flow import FLOW_LIMITS
from dlwidgets.widgets.init_explorer import explorer_network, hidden_activations, shown_layers
from dlwidgets.widgets.zero_centred import NOTES_EXAMPLE, START, TARGET, sgd_path

WIDGETS = (ActivationExplorer, GradientFlowMeter, InitExplorer, ZeroCentredUpdates)


# ---------------------------------------------------------------- shared behaviour

@pytest.mark.parametrize("widget", WIDGETS)
def test_display_bundle_carries_a_png_and_the_description(widget):
    w = widget()
    data, _ = w._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"] == w.describe() and w.error == ""
    assert "application/vnd.jupyter.widget-view+json" in data


@pytest.mark.parametrize("widget", WIDGETS)
def test_view_is_plain_json_without_nan(widget):
    text = json.dumps(widget().view, allow_nan=False)   # the browser's JSON.parse rejects NaN and Infinity
    assert len(text) < 120_000, "send per-layer numbers, not weights"


@pytest.mark.parametrize("widget, settings, words", [
    (ActivationExplorer, dict(activation="softplus"), "activation must be one of"),
    (ActivationExplorer, dict(input_std=0), "input std must be between"),
    (ActivationExplorer, dict(samples=2.5), "samples must be a whole number"),
    (GradientFlowMeter, dict(depth=0), "depth must be between 1 and 100"),
    (GradientFlowMeter, dict(init="xavier"), "init must be one of"),
    (GradientFlowMeter, dict(weight_scale=-1), "weight scale must be between"),
    (GradientFlowMeter, dict(max_norm="big"), "max norm must be a number"),
    (InitExplorer, dict(width=1), "width must be between 2 and 512"),
    (InitExplorer, dict(train_steps=-3), "train steps must be between"),
    (ZeroCentredUpdates, dict(learning_rate=0), "learning rate must be between"),
    (ZeroCentredUpdates, dict(batch_size=1000), "batch size must be between 1 and 128"),
])
def test_impossible_settings_show_a_message_instead_of_raising(widget, settings, words):
    w = widget()
    w.set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()
    w.set(**{k: widget.class_traits()[k].default_value for k in settings})
    assert w.error == "" and w.view


@pytest.mark.parametrize("widget", WIDGETS)
def test_set_rejects_unknown_names_for_authors(widget):
    with pytest.raises(TypeError, match="unknown setting"):
        widget().set(colour="red")


# ---------------------------------------------------------------- activation explorer

@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_explorer_curves_and_fractions_are_cores(name):
    w = ActivationExplorer(activation=name, input_mean=-0.5, input_std=1.5, samples=5000, seed=3)
    v = w.view
    f, df = activation_and_grad(name, np.array(v["x"]))
    np.testing.assert_array_equal(v["f"], f)
    np.testing.assert_array_equal(v["df"], df)
    u = explorer_samples(-0.5, 1.5, 5000, 3)
    assert v["saturated_fraction"] == saturated_fraction(name, u)
    assert v["peak"] == grad_peak(name)
    assert v["output_mean"] == float(np.mean(ACTIVATIONS[name][0](u)))
    assert v["dead_fraction"] == (dead_fraction(u) if name == "relu" else None)


def test_sigmoid_saturation_bands_start_near_six():
    v = ActivationExplorer(activation="sigmoid", x_range=10).view
    (a, b), (c, d) = v["saturated_regions"]
    assert a == -10 and d == 10 and -6.1 < b < -5.9 and 5.9 < c < 6.1
    assert ActivationExplorer(activation="leaky_relu").view["saturated_regions"] == []


def test_relu_with_negative_inputs_is_mostly_dead():
    v = ActivationExplorer(activation="relu", input_mean=-2.0, input_std=2.0).view
    assert v["dead_fraction"] == v["saturated_fraction"] and 0.8 < v["dead_fraction"] < 0.9
    described = ActivationExplorer(activation="relu").describe()
    assert "Inactive share" in described and "dead only if that holds for every input" in described


# ---------------------------------------------------------------- gradient-flow meter

def test_meter_view_is_cores_forward_backward():
    settings = dict(depth=12, width=16, batch=8, activation="tanh", init="he_uniform", weight_scale=0.7,
                    batch_norm=True, residual=True, max_norm=0.5, seed=4)
    meter = GradientFlowMeter(**settings)
    v = meter.view
    net = MLP(12, 16, activation="tanh", init=lambda shape, rng: 0.7 * he_uniform(shape, rng), batch_norm=True,
              residual=True, seed=4)
    rng = np.random.default_rng(5)
    x, y = rng.normal(size=(8, 16)), rng.normal(size=(8, 1))
    want = net.forward_backward(x, y, max_norm=0.5)
    assert v["weight_grad_norms"] == want.weight_grad_norms[:12]
    assert v["output_grad_norm"] == want.weight_grad_norms[12]
    assert v["activation_grad_norms"] == want.activation_grad_norms
    assert v["ratio"] == want.grad_ratio and v["flow"] == want.flow
    assert v["total_norm"] == want.total_grad_norm
    assert v["clipped_norm"] == pytest.approx(0.5, rel=1e-5) == global_grad_norm(want.grads)
    assert v["saturated"] == [s.saturated_fraction for s in want.layer_stats]
    signal = want.activation_grad_norms[0] / want.activation_grad_norms[-1]
    assert v["signal_ratio"] == signal and v["signal_flow"] == classify_gradient_ratio(signal)
    assert (v["vanishing_below"], v["exploding_above"]) == (VANISHING_BELOW, EXPLODING_ABOVE)
    assert meter.ratio == v["ratio"] and meter.flow == v["flow"] and meter.signal_ratio == signal


def test_meter_batch_and_network_follow_the_documented_recipe():
    x, y = mlp_batch(5, 3, seed=7)
    rng = np.random.default_rng(8)
    np.testing.assert_array_equal(x, rng.normal(size=(3, 5)))
    np.testing.assert_array_equal(y, rng.normal(size=(3, 1)))
    net = mlp_network(depth=3, width=5, activation="relu", init="he_normal", seed=7)
    np.testing.assert_array_equal(net.params["W1"], MLP(3, 5, activation="relu", init="he_normal", seed=7).params["W1"])


def test_vanishing_sigmoid_and_its_remedies():
    meter = GradientFlowMeter(depth=30, width=64, activation="sigmoid", init="glorot_normal")
    assert meter.flow == "vanishing" and meter.ratio < 1e-12
    meter.set(batch_norm=True)
    assert meter.flow == "healthy" and meter.view["signal_flow"] == "healthy"
    meter.set(batch_norm=False, residual=True)
    assert meter.view["signal_flow"] == "healthy"
    meter.set(residual=False, activation="relu", init="he_normal")
    assert meter.flow == "healthy"


def test_linear_network_reproduces_the_notes_chain_rule_numbers():
    meter = GradientFlowMeter(depth=21, width=32, activation="identity", init="orthogonal", weight_scale=1.5)
    signal = meter.view["activation_grad_norms"]
    assert signal[0] / signal[-1] == pytest.approx(1.5 ** 20, rel=1e-9)
    meter.set(weight_scale=0.5)
    signal = meter.view["activation_grad_norms"]
    assert signal[0] / signal[-1] == pytest.approx(0.5 ** 20, rel=1e-9)


def test_clipping_caps_the_norm_but_keeps_the_ratio():
    meter = GradientFlowMeter(depth=30, width=64, activation="relu", init="he_normal", weight_scale=1.5)
    before = dict(meter.view)
    meter.max_norm = 1.0
    after = meter.view
    assert after["ratio"] == before["ratio"] and after["clipped_norm"] == pytest.approx(1.0, rel=1e-5)
    assert before["clipped_norm"] is None and before["clipped_weight_norms"] is None
    ratios = np.array(after["clipped_weight_norms"]) / np.array(after["weight_grad_norms"])
    np.testing.assert_allclose(ratios, ratios[0], rtol=1e-12)


def test_a_new_clipping_threshold_rescales_the_last_pass_instead_of_running_another(monkeypatch):
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh", seed=2)
    passes = []
    original = MLP.forward_backward
    monkeypatch.setattr(MLP, "forward_backward", lambda self, *a, **k: passes.append(1) or original(self, *a, **k))
    for max_norm in (0.5, 2.0, 0.0, 1e-3):
        meter.max_norm = max_norm
        fresh = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh", seed=2, max_norm=max_norm)
        assert meter.view == fresh.view
    assert len(passes) == 4   # the fresh meters' passes; the first meter ran none
    meter.depth = 13          # another network: a pass of its own
    assert len(passes) == 5


def test_a_depth_step_reuses_the_shared_layers_and_shows_what_a_fresh_meter_shows(monkeypatch):
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh", init="orthogonal", seed=2)
    computed = []   # hidden layers whose forward values a pass computed (not taken from a trace)
    original = MLP.forward_backward

    def counting(self, *args, **kwargs):
        result = original(self, *args, **kwargs)
        old = kwargs.get("trace")
        computed.append(sum(1 for layer in result.trace.layers if old is None or layer not in old.layers)
                        if result.trace is not None else None)
        return result

    monkeypatch.setattr(MLP, "forward_backward", counting)
    for settings, new_layers in ((dict(depth=13), 1), (dict(depth=10), 0), (dict(batch_norm=True), 10),
                                 (dict(depth=11), 1), (dict(batch_norm=False, depth=14), 1)):
        computed.clear()
        meter.set(**settings)
        assert computed[0] == new_layers, settings
        fresh = GradientFlowMeter(**meter.settings())
        assert meter.view == fresh.view


def test_zero_init_has_no_ratio_and_counts_as_vanishing():
    meter = GradientFlowMeter(init="zeros")
    assert meter.ratio is None and meter.flow == "vanishing"
    assert "undefined" in meter.describe()


def test_overflow_is_a_message_not_a_traceback(monkeypatch):
    # The meter's own limits keep float64 finite; a wider range (as an author might allow) must still not raise.
    monkeypatch.setitem(FLOW_LIMITS, "weight_scale", (0.05, 1e9))
    meter = GradientFlowMeter(depth=100, width=16, batch=2, activation="identity", init="orthogonal", weight_scale=1e5)
    assert "overflowed" in meter.error


def test_meter_caches_networks_so_repeated_settings_are_cheap():
    meter = GradientFlowMeter(depth=5, width=8)
    meter.set(depth=6)
    meter.set(depth=5)
    assert len(meter._networks) == 2


def test_at_lesson_sizes_the_meter_keeps_six_networks_and_three_traces():
    meter = GradientFlowMeter(depth=44, width=128, batch=64, activation="tanh", init="orthogonal")
    for depth in range(45, 51):
        meter.depth = depth
    for scale in (1.1, 1.2):
        meter.weight_scale = scale
    assert len(meter._networks) == 6 and len(meter._traces) == 3


def test_large_networks_and_traces_are_kept_fewer_but_the_newest_always(monkeypatch):
    meter = GradientFlowMeter(depth=12, width=16, batch=8, activation="tanh", init="orthogonal", seed=2)
    (network,), (trace,) = meter._networks.values(), meter._traces.values()
    monkeypatch.setattr(gradient_flow, "_NETWORK_BYTES", 2 * network.nbytes + network.nbytes // 2)  # room for two
    monkeypatch.setattr(gradient_flow, "_TRACE_BYTES", trace.nbytes // 2)                           # for none
    kept_while_building = []
    build = gradient_flow.mlp_network
    monkeypatch.setattr(gradient_flow, "mlp_network",
                        lambda *a, **k: kept_while_building.append(len(meter._networks)) or build(*a, **k))
    for scale in (1.1, 1.2, 1.3):
        meter.weight_scale = scale
        assert meter.view == GradientFlowMeter(**meter.settings()).view
    assert [key[4] for key in meter._networks] == [1.2, 1.3]   # (depth, width, activation, init, scale, ...)
    assert kept_while_building[::2] == [1, 1, 1]               # room made first (odd ones: the fresh meters')
    assert [key[0][3] for key in meter._traces] == [1.3]


def test_challenge_check_recomputes_what_the_meter_shows():
    meter = GradientFlowMeter(depth=30, activation="sigmoid", batch_norm=True, width=32, seed=3)
    assert backprop.challenge_ratio(meter.settings()) == meter.ratio
    meter.set(batch_norm=False, weight_scale=2.5, init="orthogonal")
    assert backprop.challenge_ratio(meter.settings()) == meter.ratio
    assert mlp_experiment(**meter.settings()).grad_ratio == meter.ratio


# ---------------------------------------------------------------- initialisation explorer

def test_init_explorer_histograms_are_of_cores_activations():
    w = InitExplorer(init="he_normal", activation="relu", depth=4, width=16, batch=32, seed=2)
    v = w.view
    net, x, _, result = explorer_network(depth=4, width=16, batch=32, activation="relu", init="he_normal", seed=2)
    acts = hidden_activations(net, x)
    assert len(acts) == 4 and acts[0].shape == (32, 16)
    for panel, a in zip(v["panels"], acts):
        counts, _ = np.histogram(a, bins=v["bins"], range=(v["lo"], v["hi"]))
        assert panel["counts"] == counts.tolist()
    assert v["std_by_layer"] == [s.std for s in result.layer_stats]
    # core's own statistics agree with the activations the histograms are made of
    assert [s.std for s in result.layer_stats] == pytest.approx([a.std() for a in acts], rel=1e-12)


def test_symmetric_inits_keep_units_identical_even_after_training():
    for init, scale in (("zeros", 1.0), ("constant", 0.1)):
        w = InitExplorer(init=init, weight_scale=scale, depth=4, width=8, train_steps=5)
        assert all(w.view["identical_by_layer"]) and w.identical_units
    w = InitExplorer(init="glorot_uniform", depth=4, width=8, train_steps=5)
    assert not any(w.view["identical_by_layer"]) and not w.identical_units
    assert InitExplorer(init="zeros", depth=3, width=8).view["grad_norms"][0] == 0.0


def test_small_init_collapses_and_he_keeps_relu_signal():
    small = InitExplorer(init="small_normal", activation="tanh").view["std_by_layer"]
    assert small[-1] < 1e-6 * small[0]
    he = InitExplorer(init="he_normal", activation="relu", depth=20).view["std_by_layer"]
    assert 0.2 < he[-1] < 5
    assert initialisation.challenge_last_std(InitExplorer(init="he_normal", activation="relu", depth=20).settings()) == he[-1]


def test_deep_explorers_draw_ten_spread_layers():
    assert shown_layers(4) == [1, 2, 3, 4]
    assert shown_layers(30) == [1, 4, 7, 11, 14, 17, 20, 24, 27, 30]
    assert [p["layer"] for p in InitExplorer(depth=30, width=8).view["panels"]] == shown_layers(30)


# ---------------------------------------------------------------- zero-centred updates

def test_sigmoid_fed_updates_are_all_same_sign_with_one_example_per_step():
    w = ZeroCentredUpdates(learning_rate=0.5, batch_size=1, steps=60)
    v = w.view
    assert v["positive"]["same_sign"] == 1.0 and v["centred"]["same_sign"] < 0.8
    assert v["centred"]["reached_at"] is not None and v["positive"]["reached_at"] is None
    assert v["positive"]["path"][0] == list(START) and v["target"] == list(TARGET)


def test_paths_use_cores_gradients():
    path, grads = sgd_path("positive", learning_rate=0.3, steps=3, batch_size=2, seed=1)
    z = np.random.default_rng(1).normal(size=(6, 2))
    x = sigmoid(z)
    w = np.array(START)
    for t in range(3):
        xb = x[2 * t:2 * t + 2]
        _, g_out = mse_loss(xb @ w[:, None], (xb @ np.array(TARGET))[:, None])
        np.testing.assert_allclose(grads[t], (g_out.T @ xb)[0], rtol=1e-12)
        w = w - 0.3 * grads[t]
        np.testing.assert_allclose(path[t + 1], w, rtol=1e-12)


def test_the_notes_example_adds_up():
    start, target = np.array(NOTES_EXAMPLE["start"]), np.array(NOTES_EXAMPLE["target"])
    assert list(start + np.sum(NOTES_EXAMPLE["mixed"], axis=0)) == list(target)
    assert list(start + np.sum(NOTES_EXAMPLE["same_sign"], axis=0)) == list(target)
    assert all(len(set(np.sign(step))) == 1 for step in NOTES_EXAMPLE["same_sign"])


def test_divergent_learning_rate_is_a_message():
    w = ZeroCentredUpdates(learning_rate=5.0, steps=400, batch_size=1)
    assert "diverge" in w.error
    assert math.isfinite(ZeroCentredUpdates(learning_rate=1.0).view["centred"]["final_distance"])


def test_when_the_two_badges_disagree_the_meter_says_what_to_conclude():
    exploding = GradientFlowMeter(depth=30, width=64, activation="relu", init="he_normal", weight_scale=1.5)
    assert exploding.flow == "vanishing" and exploding.view["signal_flow"] == "exploding"
    assert "conclude EXPLODING" in exploding.view["verdict"] and "conclude EXPLODING" in exploding.describe()
    tiny = GradientFlowMeter(depth=30, width=64, activation="tanh", init="small_normal")
    assert tiny.flow == "healthy" and "conclude VANISHING" in tiny.view["verdict"]
    agree = GradientFlowMeter(depth=30, width=64, activation="sigmoid", init="glorot_normal")
    assert agree.view["verdict"] == "" and "disagree" not in agree.describe()
