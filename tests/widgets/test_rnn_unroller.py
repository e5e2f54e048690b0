"""The RNN unroller shows what dlwidgets.core computes, and never raises at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import rnn_bptt, rnn_forward, rnn_params, scale_to_spectral_radius, spectral_radius
from dlwidgets.widgets import RNNUnroller
from dlwidgets.widgets.rnn_unroller import RADIUS_SWEEP


def core_run(rho, steps=20, hidden=6, d=2, scale=0.01, bias=False, seed=0):
    p = rnn_params(d, hidden, seed=seed, bias=bias)
    p["weight_hh"] = scale_to_spectral_radius(p["weight_hh"], rho)
    xs = np.random.default_rng(seed).normal(size=(steps, d)) * scale
    return p, xs


def test_view_holds_the_hidden_states_and_gradient_norms_core_computes():
    w = RNNUnroller(spectral_radius=1.2, steps=12, hidden_size=3, input_size=2, input_scale=0.5, bias=True, seed=3)
    p, xs = core_run(1.2, 12, 3, 2, 0.5, True, 3)
    v = w.view
    np.testing.assert_array_equal(np.array(v["hs"]), rnn_forward(xs, p))
    norms = rnn_bptt(xs, p).grad_norms
    np.testing.assert_array_equal(np.array(v["grad_norms"]), norms)
    assert v["ratio"] == norms[0] / norms[-1] == w.gradient_ratio()
    assert v["spectral_radius"] == pytest.approx(1.2, abs=1e-12) == spectral_radius(p["weight_hh"])
    assert v["positions"] == 2 * 12 + 1


def test_the_sweep_is_core_at_every_radius():
    w = RNNUnroller()
    for rho, ratio in zip(RADIUS_SWEEP, w.view["sweep_ratios"]):
        norms = rnn_bptt(*reversed(core_run(rho))).grad_norms
        assert ratio == norms[0] / norms[-1]


@pytest.mark.parametrize("rho, verdict", [(0.5, "vanishing"), (1.0, "kept"), (1.3, "exploding")])
def test_spectral_radius_decides_vanishing_or_exploding(rho, verdict):
    w = RNNUnroller(spectral_radius=rho)
    assert w.view["verdict"] == verdict
    assert verdict.rstrip("ing") in w.describe() or {"kept": "keeps"}[verdict] in w.describe()


@pytest.mark.parametrize("settings, words", [
    (dict(spectral_radius=-1), "spectral radius must be between 0.05 and 2.5"),
    (dict(spectral_radius="big"), "spectral radius must be a number"),
    (dict(steps=2.5), "steps must be a whole number"),
    (dict(steps=100), "steps must be between 2 and 40"),
    (dict(hidden_size=0), "hidden size must be between 1 and 8"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = RNNUnroller().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_recovers_and_resets_the_animation_after_a_change():
    w = RNNUnroller(steps=3)
    assert [w.step_forward() for _ in range(8)] == [1, 2, 3, 4, 5, 6, 7, 1]
    w.spectral_radius = 9
    assert w.error
    w.spectral_radius = 1.1
    assert w.error == "" and w.step == -1


def test_display_bundle_carries_a_png_and_a_text_description():
    data, _ = RNNUnroller()._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "spectral radius 0.90" in data["text/plain"]
    assert "application/vnd.jupyter.widget-view+json" in data


def test_set_rejects_unknown_names_for_authors():
    with pytest.raises(TypeError, match="unknown setting"):
        RNNUnroller().set(radius=1)
