"""LSTM against a hand-worked 1-unit cell, a per-gate re-derivation and finite differences."""

import math

import numpy as np
import pytest

from dlwidgets.core.lstm import (LSTM_GATES, lstm_bptt, lstm_gate_slice, lstm_param_count,
                                 lstm_params, lstm_sequence, lstm_step, lstm_step_backward)

from .oracles import EPS, numeric_grad, sig

TOL = dict(rtol=1e-7, atol=1e-9)


def separate_gates(seed, d, h):
    """Eight (H, D)/(H, H) matrices and eight biases, one per gate and side, drawn independently."""
    rng = np.random.default_rng(seed)
    return {gate: dict(W_x=rng.normal(size=(h, d)) * 0.5, W_h=rng.normal(size=(h, h)) * 0.5,
                       b_x=rng.normal(size=h) * 0.5, b_h=rng.normal(size=h) * 0.5)
            for gate in ("input", "forget", "cell", "output")}


def stacked(gates):
    """PyTorch's layout: rows in the order input, forget, cell (g), output."""
    order = ("input", "forget", "cell", "output")
    return {"weight_ih": np.concatenate([gates[k]["W_x"] for k in order]),
            "weight_hh": np.concatenate([gates[k]["W_h"] for k in order]),
            "bias_ih": np.concatenate([gates[k]["b_x"] for k in order]),
            "bias_hh": np.concatenate([gates[k]["b_h"] for k in order])}


def unstacked(p):
    """Back to one dict per gate, for the reference loop to read named gates."""
    h = p["weight_hh"].shape[1]
    rows = {"input": slice(0, h), "forget": slice(h, 2 * h), "cell": slice(2 * h, 3 * h),
            "output": slice(3 * h, 4 * h)}
    return {k: dict(W_x=p["weight_ih"][r], W_h=p["weight_hh"][r], b_x=p["bias_ih"][r],
                    b_h=p["bias_hh"][r]) for k, r in rows.items()}


def reference_lstm(xs, gates, h0, c0, nudge=None):
    """The textbook equations, gate by gate. nudge = (t, 'h' or 'c', j, eps) perturbs a state
    right after it is formed (t = 0: the initial state); c_t is nudged before h_t is computed."""
    def pre(name, x, h):
        q = gates[name]
        return q["W_x"] @ x + q["b_x"] + q["W_h"] @ h + q["b_h"]

    h, c = h0.copy(), c0.copy()
    if nudge and nudge[0] == 0:
        (h if nudge[1] == "h" else c)[nudge[2]] += nudge[3]
    out = {k: [] for k in ("i", "f", "g", "o", "c", "h")}
    for t, x in enumerate(xs, start=1):
        i, f = sig(pre("input", x, h)), sig(pre("forget", x, h))
        g, o = np.tanh(pre("cell", x, h)), sig(pre("output", x, h))
        c = f * c + i * g
        if nudge and nudge[0] == t and nudge[1] == "c":
            c[nudge[2]] += nudge[3]
        h = o * np.tanh(c)
        if nudge and nudge[0] == t and nudge[1] == "h":
            h[nudge[2]] += nudge[3]
        for k, v in zip("ifgoch", (i, f, g, o, c, h)):
            out[k].append(v)
    return {k: np.array(v) for k, v in out.items()}


def setup(seed, steps=5, d=3, h=4):
    rng = np.random.default_rng(seed + 100)
    return (rng.normal(size=(steps, d)), separate_gates(seed, d, h),
            rng.normal(size=h) * 0.5, rng.normal(size=h))


def test_one_unit_lstm_step_hand_worked():
    ln3 = math.log(3)
    p = {"weight_ih": [[0.5], [0.0], [0.0], [-ln3]],
         "weight_hh": [[0.0], [0.0], [2 * ln3], [0.0]],
         "bias_ih": [-1.0, ln3 / 2, 0.0, 0.0],
         "bias_hh": [0.0, ln3 / 2, 0.0, ln3]}
    s = lstm_step([2.0], [0.5], [1.0], p)  # x = 2, h = 0.5, c = 1
    assert s.i[0] == pytest.approx(0.5, abs=1e-15)   # 0.5*2 - 1 = 0, sigmoid(0) = 1/2
    assert s.f[0] == pytest.approx(0.75, rel=1e-15)  # ln3/2 + ln3/2 = ln 3, 1/(1 + 1/3) = 3/4
    assert s.g[0] == pytest.approx(0.8, rel=1e-15)   # 2 ln3 * 0.5 = ln 3, tanh = (9-1)/(9+1)
    assert s.o[0] == pytest.approx(0.25, rel=1e-15)  # -2 ln3 + ln3 = -ln 3, 1/(1 + 3) = 1/4
    assert s.c[0] == pytest.approx(1.15, rel=1e-15)  # 0.75*1 + 0.5*0.8
    assert s.h[0] == pytest.approx(0.25 * math.tanh(1.15), rel=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequence_matches_a_gate_by_gate_re_derivation(seed):
    xs, gates, h0, c0 = setup(seed)
    seq = lstm_sequence(xs, stacked(gates), h0, c0)
    want = reference_lstm(xs, gates, h0, c0)
    for k in ("i", "f", "g", "o", "c", "h"):
        assert getattr(seq, k).shape == (5, 4)
        np.testing.assert_allclose(getattr(seq, k), want[k], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("gate", LSTM_GATES)
def test_gate_order_is_i_f_g_o_a_bias_on_one_slice_moves_only_that_gate(gate):
    h = 2
    p = {"weight_ih": np.zeros((8, 1)), "weight_hh": np.zeros((8, h)),
         "bias_ih": np.zeros(8), "bias_hh": np.zeros(8)}
    p["bias_hh"][lstm_gate_slice(gate, h)] = 10.0
    s = lstm_step([1.0], [0.2, -0.2], [0.3, 0.3], p)
    baseline = {"i": 0.5, "f": 0.5, "g": 0.0, "o": 0.5}  # sigmoid(0), tanh(0)
    moved = {"i": sig(10.0), "f": sig(10.0), "g": math.tanh(10.0), "o": sig(10.0)}
    for k in LSTM_GATES:
        np.testing.assert_allclose(getattr(s, k), moved[k] if k == gate else baseline[k], rtol=1e-15)


@pytest.mark.parametrize("gate", LSTM_GATES)
def test_gate_order_holds_for_the_input_weights_too(gate):
    p = {"weight_ih": np.zeros((4, 1)), "weight_hh": np.zeros((4, 1)),
         "bias_ih": np.zeros(4), "bias_hh": np.zeros(4)}
    p["weight_ih"][lstm_gate_slice(gate, 1)] = -2.0
    s = lstm_step([1.5], [0.0], [0.0], p)  # the chosen gate's pre-activation is -3
    for k in LSTM_GATES:
        a = -3.0 if k == gate else 0.0
        assert getattr(s, k)[0] == pytest.approx(math.tanh(a) if k == "g" else sig(a), rel=1e-15)


def test_lstm_params_forget_bias_shifts_only_the_f_slice_of_bias_ih():
    base, shifted = lstm_params(3, 5, seed=7), lstm_params(3, 5, seed=7, forget_bias=2.5)
    diff = shifted["bias_ih"] - base["bias_ih"]
    np.testing.assert_allclose(diff[5:10], 2.5, rtol=1e-14)
    np.testing.assert_array_equal(np.delete(diff, np.s_[5:10]), 0.0)
    for key in ("weight_ih", "weight_hh", "bias_hh"):
        np.testing.assert_array_equal(shifted[key], base[key])


def cell_after_20_steps(forget_bias):
    """Run 20 steps from c_0 = (2, -1, 0.5, 1) with the input gate shut (its bias at -10), so
    that nothing new is written to the cell: what is left is what the forget gate kept."""
    p = lstm_params(3, 4, seed=3, forget_bias=forget_bias)
    p["bias_ih"][lstm_gate_slice("i", 4)] -= 10.0
    xs = 0.3 * np.random.default_rng(3).normal(size=(20, 3))
    c0 = np.array([2.0, -1.0, 0.5, 1.0])
    return lstm_sequence(xs, p, c0=c0), c0


def test_large_forget_bias_keeps_the_cell_state_for_20_steps():
    seq, c0 = cell_after_20_steps(10.0)
    assert seq.f.min() > 0.999 and seq.i.max() < 1e-3
    # each step keeps f >= 0.999 of c and adds at most i < 1e-3: 20 steps move c by < 0.05
    np.testing.assert_allclose(seq.c[-1], c0, atol=0.05)


def test_very_negative_forget_bias_forgets_the_cell_state():
    seq, c0 = cell_after_20_steps(-10.0)
    assert seq.f.max() < 1e-3
    assert np.abs(seq.c[-1]).max() < 2e-3  # only the trickle i*g through the shut input gate


def test_step_backward_matches_finite_differences():
    xs, gates, h, c = setup(4)
    p, x = stacked(gates), xs[0]
    rng = np.random.default_rng(40)
    dh, dc = rng.normal(size=4), rng.normal(size=4)

    def loss():
        s = lstm_step(x, h, c, p)
        return float(dh @ s.h + dc @ s.c)

    grads, dx, dh_prev, dc_prev = lstm_step_backward(x, h, c, p, dh, dc)
    for key in p:
        np.testing.assert_allclose(grads[key], numeric_grad(loss, p[key]), **TOL)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), **TOL)
    np.testing.assert_allclose(dh_prev, numeric_grad(loss, h), **TOL)
    np.testing.assert_allclose(dc_prev, numeric_grad(loss, c), **TOL)


@pytest.mark.parametrize("every_step", [False, True])
def test_bptt_gradients_match_finite_differences(every_step):
    xs, gates, h0, c0 = setup(5, steps=6)
    p = stacked(gates)
    g = np.random.default_rng(50).normal(size=(6, 4) if every_step else 4)

    def loss():
        hs = reference_lstm(xs, unstacked(p), h0, c0)["h"]
        return float(np.sum(g * hs)) if every_step else float(g @ hs[-1])

    res = lstm_bptt(xs, p, h0, c0, grad_h=g)
    for key in p:
        np.testing.assert_allclose(res.params[key], numeric_grad(loss, p[key]), **TOL)
    np.testing.assert_allclose(res.xs, numeric_grad(loss, xs), **TOL)
    np.testing.assert_allclose(res.h0, numeric_grad(loss, h0), **TOL)
    np.testing.assert_allclose(res.c0, numeric_grad(loss, c0), **TOL)


def test_per_step_dl_dc_t_and_dl_dh_t_match_nudging_the_state():
    xs, gates, h0, c0 = setup(6, steps=4)
    g = np.random.default_rng(60).normal(size=(4, 4))
    res = lstm_bptt(xs, stacked(gates), h0, c0, grad_h=g)

    def fd(t, which, j):
        def loss(eps):
            return float(np.sum(g * reference_lstm(xs, gates, h0, c0, (t, which, j, eps))["h"]))
        return (loss(EPS) - loss(-EPS)) / (2 * EPS)

    for t in range(5):
        np.testing.assert_allclose(res.dc[t], [fd(t, "c", j) for j in range(4)], **TOL)
        np.testing.assert_allclose(res.dh[t], [fd(t, "h", j) for j in range(4)], **TOL)
    np.testing.assert_allclose(res.cell_grad_norms, np.linalg.norm(res.dc, axis=1))
    np.testing.assert_allclose(res.grad_norms, np.linalg.norm(res.dh, axis=1))


def test_the_cell_path_carries_the_gradient_back_when_the_forget_gate_is_open():
    xs = 0.3 * np.random.default_rng(8).normal(size=(40, 3))
    open_ = lstm_bptt(xs, lstm_params(3, 4, seed=8, forget_bias=6.0))
    shut = lstm_bptt(xs, lstm_params(3, 4, seed=8, forget_bias=-6.0))
    # Backwards along c the gradient is multiplied by f each step: about 1 vs about 0.
    assert open_.cell_grad_norms[0] > 0.3 * open_.cell_grad_norms[-1]
    assert shut.cell_grad_norms[0] < 1e-20 * shut.cell_grad_norms[-1]
    np.testing.assert_allclose(open_.sequence.h, lstm_sequence(xs, lstm_params(3, 4, seed=8, forget_bias=6.0)).h)


def test_param_count_matches_pytorch_numbers():
    assert lstm_param_count(10, 20) == 2560  # nn.LSTM(10, 20): 4*(20*10 + 20*20 + 2*20)
    assert lstm_param_count(10, 20, num_layers=2) == 2560 + 3360  # layer 2: 4*(400 + 400 + 40)
    assert lstm_param_count(10, 20, bias=False) == 2400
    assert sum(v.size for v in lstm_params(10, 20).values()) == 2560


def test_params_follow_pytorch_layout_and_init():
    p = lstm_params(3, 16, seed=1)
    assert p["weight_ih"].shape == (64, 3) and p["weight_hh"].shape == (64, 16)
    assert p["bias_ih"].shape == p["bias_hh"].shape == (64,)
    assert all(np.abs(v).max() <= 0.25 for v in p.values())
    assert set(lstm_params(3, 4, bias=False)) == {"weight_ih", "weight_hh"}


def test_bad_inputs_raise_a_clear_message():
    p = lstm_params(3, 4)
    with pytest.raises(ValueError, match=r"weight_ih must have shape \(16, D\)"):
        lstm_step(np.zeros(3), np.zeros(4), np.zeros(4), {**p, "weight_ih": np.zeros((12, 3))})
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(4H, H\)"):
        lstm_step(np.zeros(3), np.zeros(4), np.zeros(4), {**p, "weight_hh": np.zeros((12, 4))})
    with pytest.raises(ValueError, match=r"c must have shape \(4,\)"):
        lstm_step(np.zeros(3), np.zeros(4), np.zeros(5), p)
    with pytest.raises(ValueError, match="needs bias=True"):
        lstm_params(3, 4, forget_bias=1.0, bias=False)
    with pytest.raises(ValueError, match="gate must be one of"):
        lstm_gate_slice("z", 4)
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        lstm_params(3, 0)
