"""The gate animator shows what dlwidgets.core computes for the LSTM and the GRU."""

import base64

import numpy as np
import pytest

from dlwidgets.core import gru_gate_slice, gru_params, gru_sequence, lstm_params, lstm_sequence
from dlwidgets.widgets import GateAnimator


def inputs(steps=30, pulse=2.0, noise=0.3, seed=0):
    xs = np.random.default_rng(seed).normal(size=(steps, 1)) * noise
    xs[0, 0] += pulse
    return xs


def test_lstm_gates_and_states_are_core_values():
    w = GateAnimator(forget_bias=2.5, steps=12, hidden_size=3, seed=5, pulse=1.5)
    run = lstm_sequence(inputs(12, 1.5, 0.3, 5), lstm_params(1, 3, seed=5, forget_bias=2.5))
    for gate in ("i", "f", "g", "o", "c", "h"):
        np.testing.assert_array_equal(np.array(w.view["lstm"][gate]), getattr(run, gate))


def test_gru_gates_are_core_values_with_the_update_bias_on_z():
    w = GateAnimator(update_bias=1.5, steps=10, hidden_size=2, seed=1)
    p = gru_params(1, 2, seed=1)
    p["bias_ih"][gru_gate_slice("z", 2)] += 1.5
    run = gru_sequence(inputs(10, seed=1), p)
    for gate in ("r", "z", "n", "h"):
        np.testing.assert_array_equal(np.array(w.view["gru"][gate]), getattr(run, gate))


def test_memory_is_the_product_of_forget_gates_after_step_one():
    w = GateAnimator(forget_bias=3.0)
    f = np.array(w.view["lstm"]["f"])
    assert w.memory_after(0) == 1.0
    assert w.memory_after(20) == pytest.approx(np.prod(f[1:21], axis=0).mean(), rel=1e-12)
    z = np.array(w.view["gru"]["z"])
    assert w.memory_after(5, cell="gru") == pytest.approx(np.prod(z[1:6], axis=0).mean(), rel=1e-12)


def test_a_higher_forget_bias_keeps_memory_longer():
    kept = [GateAnimator(forget_bias=b).memory_after(20) for b in (-2, 0, 1, 2, 4, 6)]
    assert kept == sorted(kept) and kept[0] < 1e-6 and kept[-1] > 0.9


@pytest.mark.parametrize("settings, words", [
    (dict(forget_bias="high"), "forget bias must be a number"),
    (dict(forget_bias=float("nan")), "forget bias must be between"),
    (dict(steps=1), "steps must be between 2 and 60"),
    (dict(hidden_size=1.5), "hidden size must be a whole number"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = GateAnimator().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_stepping_and_playing_from_code():
    w = GateAnimator(steps=4)
    assert w.step == 1
    assert [w.step_forward() for _ in range(5)] == [2, 3, 4, 1, 2]
    assert [w.step_back() for _ in range(3)] == [1, 4, 3]
    w.play()
    assert w.playing
    w.pause()
    assert not w.playing
    w.steps = 2
    assert w.step == 2        # kept within the new length


def test_memory_after_rejects_a_step_outside_the_sequence():
    with pytest.raises(ValueError, match="between 0 and 29"):
        GateAnimator().memory_after(30)


def test_display_bundle_carries_a_png_and_a_text_description():
    data, _ = GateAnimator(forget_bias=4)._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "forget-gate bias +4" in data["text/plain"]


def test_each_gate_value_is_sigma_or_tanh_of_the_pre_activation_the_readout_shows():
    from dlwidgets.core import sigmoid
    gates = GateAnimator(hidden_size=3, steps=12, forget_bias=2.0)
    v = gates.view
    for cell, names in (("lstm", "ifgo"), ("gru", "rzn")):
        for name in names:
            a = np.array(v["pre"][cell][name], dtype=float)
            squash = np.tanh if name in "gn" else sigmoid
            np.testing.assert_allclose(squash(a), v[cell][name], rtol=1e-9, atol=1e-12)


def test_a_saturated_gate_has_no_pre_activation_rather_than_an_infinite_one():
    from dlwidgets.widgets.gate_animator import _pre_activation
    assert _pre_activation([[1.0, 0.5]], tanh=False) == [[None, 0.0]]
    assert _pre_activation([[1.0, 0.0]], tanh=True) == [[None, 0.0]]
