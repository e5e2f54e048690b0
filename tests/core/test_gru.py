"""GRU against a hand-worked 1-unit cell, a per-gate re-derivation and finite differences."""

import math

import numpy as np
import pytest

from dlwidgets.core.gru import (GRU_GATES, gru_bptt, gru_gate_slice, gru_param_count, gru_params,
                                gru_sequence, gru_step, gru_step_backward)

from .oracles import EPS, numeric_grad, sig

TOL = dict(rtol=1e-7, atol=1e-9)


ORDER = ("reset", "update", "candidate")


def separate_gates(seed, d, h):
    """Per-gate matrices and biases, drawn independently."""
    rng = np.random.default_rng(seed)
    return {gate: dict(W_x=rng.normal(size=(h, d)) * 0.5, W_h=rng.normal(size=(h, h)) * 0.5,
                       b_x=rng.normal(size=h) * 0.5, b_h=rng.normal(size=h) * 0.5) for gate in ORDER}


def stacked(gates):
    """PyTorch's layout: rows in the order reset (r), update (z), candidate (n)."""
    return {"weight_ih": np.concatenate([gates[k]["W_x"] for k in ORDER]),
            "weight_hh": np.concatenate([gates[k]["W_h"] for k in ORDER]),
            "bias_ih": np.concatenate([gates[k]["b_x"] for k in ORDER]),
            "bias_hh": np.concatenate([gates[k]["b_h"] for k in ORDER])}


def unstacked(p):
    h = p["weight_hh"].shape[1]
    return {k: dict(W_x=p["weight_ih"][j * h:(j + 1) * h], W_h=p["weight_hh"][j * h:(j + 1) * h],
                    b_x=p["bias_ih"][j * h:(j + 1) * h], b_h=p["bias_hh"][j * h:(j + 1) * h])
            for j, k in enumerate(ORDER)}


def reference_gru(xs, gates, h0, nudge=None):
    """PyTorch's GRU equations gate by gate; nudge = (t, j, eps) perturbs h_t once it is formed."""
    R, Z, N = (gates[k] for k in ORDER)
    h = h0.copy()
    if nudge and nudge[0] == 0:
        h[nudge[1]] += nudge[2]
    out = {k: [] for k in "rznh"}
    for t, x in enumerate(xs, start=1):
        r = sig(R["W_x"] @ x + R["b_x"] + R["W_h"] @ h + R["b_h"])
        z = sig(Z["W_x"] @ x + Z["b_x"] + Z["W_h"] @ h + Z["b_h"])
        n = np.tanh(N["W_x"] @ x + N["b_x"] + r * (N["W_h"] @ h + N["b_h"]))
        h = (1 - z) * n + z * h
        if nudge and nudge[0] == t:
            h[nudge[1]] += nudge[2]
        for k, v in zip("rznh", (r, z, n, h)):
            out[k].append(v)
    return {k: np.array(v) for k, v in out.items()}


def setup(seed, steps=5, d=3, h=4):
    rng = np.random.default_rng(seed + 100)
    return rng.normal(size=(steps, d)), separate_gates(seed, d, h), rng.normal(size=h) * 0.5


def test_one_unit_gru_step_hand_worked_with_b_hn_inside_the_reset_gate():
    ln3 = math.log(3)
    p = {"weight_ih": [[0.0], [0.0], [ln3]], "weight_hh": [[0.0], [-2 * ln3], [0.0]],
         "bias_ih": [ln3, 0.0, -3.0], "bias_hh": [0.0, 0.0, 4.0]}
    s = gru_step([1.0], [0.5], p)  # x = 1, h = 0.5
    assert s.r[0] == pytest.approx(0.75, rel=1e-15)  # sigmoid(ln 3) = 3/4
    assert s.z[0] == pytest.approx(0.25, rel=1e-15)  # -2 ln3 * 0.5 = -ln 3, sigmoid = 1/4
    # n = tanh(ln3 - 3 + r * (0*h + 4)) = tanh(ln3 - 3 + 3) = tanh(ln 3) = 0.8; with b_hn
    # outside the reset gate it would be tanh(ln3 + 1) instead.
    assert s.n[0] == pytest.approx(0.8, rel=1e-15)
    assert s.h[0] == pytest.approx(0.75 * 0.8 + 0.25 * 0.5, rel=1e-15)  # (1-z) n + z h = 0.725


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_sequence_matches_a_gate_by_gate_re_derivation(seed):
    xs, gates, h0 = setup(seed)
    seq = gru_sequence(xs, stacked(gates), h0)
    want = reference_gru(xs, gates, h0)
    for k in "rznh":
        assert getattr(seq, k).shape == (5, 4)
        np.testing.assert_allclose(getattr(seq, k), want[k], rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("gate", GRU_GATES)
def test_gate_order_is_r_z_n_a_bias_on_one_slice_moves_only_that_gate(gate):
    p = {"weight_ih": np.zeros((6, 1)), "weight_hh": np.zeros((6, 2)),
         "bias_ih": np.zeros(6), "bias_hh": np.zeros(6)}
    p["bias_ih"][gru_gate_slice(gate, 2)] = 10.0
    h = np.array([0.4, -0.6])
    s = gru_step([1.0], h, p)
    baseline = {"r": 0.5, "z": 0.5, "n": 0.0}  # n = tanh(0 + r * 0) whatever r is
    moved = {"r": sig(10.0), "z": sig(10.0), "n": math.tanh(10.0)}
    for k in GRU_GATES:
        np.testing.assert_allclose(getattr(s, k), moved[k] if k == gate else baseline[k], rtol=1e-15)
    np.testing.assert_allclose(s.h, (1 - s.z) * s.n + s.z * h, rtol=1e-15)


def test_gru_params_update_bias_shifts_only_the_z_slice_of_bias_ih():
    base, shifted = gru_params(3, 5, seed=7), gru_params(3, 5, seed=7, update_bias=2.5)
    diff = shifted["bias_ih"] - base["bias_ih"]
    np.testing.assert_allclose(diff[5:10], 2.5, rtol=1e-14)   # rows r, z, n: z is the second block
    np.testing.assert_array_equal(np.delete(diff, np.s_[5:10]), 0.0)
    for key in ("weight_ih", "weight_hh", "bias_hh"):
        np.testing.assert_array_equal(shifted[key], base[key])
    with pytest.raises(ValueError, match="needs bias=True"):
        gru_params(3, 4, update_bias=1.0, bias=False)
    with pytest.raises(ValueError, match="update_bias must be a finite number"):
        gru_params(3, 4, update_bias=float("inf"))
    assert set(gru_params(3, 4, bias=False)) == {"weight_ih", "weight_hh"}


def test_update_gate_near_one_copies_the_state_for_20_steps():
    p = gru_params(3, 4, seed=2, update_bias=12.0)
    h0 = np.array([0.9, -0.5, 0.3, -0.1])
    seq = gru_sequence(np.random.default_rng(2).normal(size=(20, 3)), p, h0)
    assert seq.z.min() > 0.9999
    np.testing.assert_allclose(seq.h[-1], h0, atol=0.01)  # 20 steps of at most 1e-4 * |n - h| < 2


def test_step_backward_matches_finite_differences():
    xs, gates, h = setup(4)
    p, x = stacked(gates), xs[0]
    dh = np.random.default_rng(40).normal(size=4)

    def loss():
        return float(dh @ gru_step(x, h, p).h)

    grads, dx, dh_prev = gru_step_backward(x, h, p, dh)
    for key in p:
        np.testing.assert_allclose(grads[key], numeric_grad(loss, p[key]), **TOL)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), **TOL)
    np.testing.assert_allclose(dh_prev, numeric_grad(loss, h), **TOL)


@pytest.mark.parametrize("every_step", [False, True])
def test_bptt_gradients_match_finite_differences(every_step):
    xs, gates, h0 = setup(5, steps=6)
    p = stacked(gates)
    g = np.random.default_rng(50).normal(size=(6, 4) if every_step else 4)

    def loss():
        hs = reference_gru(xs, unstacked(p), h0)["h"]
        return float(np.sum(g * hs)) if every_step else float(g @ hs[-1])

    res = gru_bptt(xs, p, h0, grad_h=g)
    for key in p:
        np.testing.assert_allclose(res.params[key], numeric_grad(loss, p[key]), **TOL)
    np.testing.assert_allclose(res.xs, numeric_grad(loss, xs), **TOL)
    np.testing.assert_allclose(res.h0, numeric_grad(loss, h0), **TOL)


def test_per_step_dl_dh_t_matches_nudging_the_state():
    xs, gates, h0 = setup(6, steps=4)
    g = np.random.default_rng(60).normal(size=(4, 4))
    res = gru_bptt(xs, stacked(gates), h0, grad_h=g)

    def fd(t, j):
        def loss(eps):
            return float(np.sum(g * reference_gru(xs, gates, h0, (t, j, eps))["h"]))
        return (loss(EPS) - loss(-EPS)) / (2 * EPS)

    for t in range(5):
        np.testing.assert_allclose(res.dh[t], [fd(t, j) for j in range(4)], **TOL)
    np.testing.assert_allclose(res.grad_norms, np.linalg.norm(res.dh, axis=1))
    np.testing.assert_allclose(res.sequence.h, reference_gru(xs, gates, h0)["h"], rtol=1e-13)


def test_bias_free_gru_gradients_match_finite_differences():
    xs, gates, h0 = setup(7)
    p = {k: v for k, v in stacked(gates).items() if k.startswith("weight")}
    res = gru_bptt(xs, p, h0)
    assert sorted(res.params) == ["weight_hh", "weight_ih"]
    full = {**p, "bias_ih": np.zeros(12), "bias_hh": np.zeros(12)}
    np.testing.assert_allclose(res.params["weight_hh"],
                               numeric_grad(lambda: gru_sequence(xs, full, h0).h[-1].sum(), full["weight_hh"]), **TOL)


def test_param_count_matches_pytorch_numbers():
    assert gru_param_count(10, 20) == 1920  # nn.GRU(10, 20): 3*(20*10 + 20*20 + 2*20)
    assert gru_param_count(10, 20, num_layers=3) == 1920 + 2 * 2520  # later layers: 3*(400+400+40)
    assert gru_param_count(10, 20, bias=False) == 1800
    assert sum(v.size for v in gru_params(10, 20).values()) == 1920


def test_bad_inputs_raise_a_clear_message():
    p = gru_params(3, 4)
    with pytest.raises(ValueError, match=r"weight_hh must have shape \(3H, H\)"):
        gru_step(np.zeros(3), np.zeros(4), {**p, "weight_hh": np.zeros((16, 4))})
    with pytest.raises(ValueError, match=r"x must have shape \(3,\)"):
        gru_step(np.zeros(2), np.zeros(4), p)
    with pytest.raises(ValueError, match="gate must be one of"):
        gru_gate_slice("f", 4)
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 3\) with T >= 1"):
        gru_sequence(np.zeros((0, 3)), p)
