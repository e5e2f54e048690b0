"""Plain RNN and BPTT against hand-worked numbers, a plain-Python loop and finite differences."""

import math

import numpy as np
import pytest

from dlwidgets.core.rnn import (rnn_bptt, rnn_forward, rnn_param_count, rnn_params, rnn_step,
                                rnn_step_backward, scale_to_spectral_radius, spectral_radius)

from .oracles import EPS, numeric_grad



def loop_rnn(xs, p, h0):
    """h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh) with explicit sums over plain floats.

    perturb = (t, j, eps) adds eps to unit j of h_t (t = 0 is h0) right after it is formed.
    """
    w_ih, w_hh = p["weight_ih"].tolist(), p["weight_hh"].tolist()
    b_ih, b_hh = p["bias_ih"].tolist(), p["bias_hh"].tolist()
    h, out = list(h0), []
    for x in xs.tolist():
        h = [math.tanh(sum(w * xi for w, xi in zip(w_ih[j], x)) + b_ih[j]
                       + sum(w * hi for w, hi in zip(w_hh[j], h)) + b_hh[j]) for j in range(len(h))]
        out.append(h)
    return np.array(out)


def setup(seed, steps=6, d=3, h=4):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(steps, d)), rnn_params(d, h, seed=seed), rng.normal(size=h) * 0.5


def test_one_unit_rnn_hand_worked_two_steps():
    ln2, ln3 = math.log(2), math.log(3)
    p = {"weight_ih": [[ln3 / 2]], "weight_hh": [[ln2 / 0.8]], "bias_ih": [0.25], "bias_hh": [-0.25]}
    # step 1: x=2, h0=0: a = ln3/2 * 2 + 0.25 + 0 - 0.25 = ln 3, tanh(ln 3) = (9-1)/(9+1) = 0.8
    # step 2: x=0, h=0.8: a = ln2/0.8 * 0.8 = ln 2, tanh(ln 2) = (4-1)/(4+1) = 0.6
    hs = rnn_forward([[2.0], [0.0]], p)
    np.testing.assert_allclose(hs, [[0.8], [0.6]], rtol=1e-15)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_forward_matches_a_plain_python_loop(seed):
    xs, p, h0 = setup(seed)
    np.testing.assert_allclose(rnn_forward(xs, p, h0), loop_rnn(xs, p, h0), rtol=1e-13, atol=1e-15)


def test_forward_starts_from_zeros_and_step_agrees_with_forward():
    xs, p, _ = setup(3)
    hs = rnn_forward(xs, p)
    np.testing.assert_allclose(hs, loop_rnn(xs, p, [0.0] * 4), rtol=1e-13)
    np.testing.assert_allclose(rnn_step(xs[0], np.zeros(4), p), hs[0], rtol=1e-15)


def test_step_backward_matches_finite_differences():
    rng = np.random.default_rng(4)
    xs, p, h = setup(4)
    x, dh = xs[0], rng.normal(size=4)
    grads, dx, dh_prev = rnn_step_backward(x, h, p, dh)

    def loss():
        return float(dh @ rnn_step(x, h, p))

    for key in p:
        np.testing.assert_allclose(grads[key], numeric_grad(loss, p[key]), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dx, numeric_grad(loss, x), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(dh_prev, numeric_grad(loss, h), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("every_step", [False, True])
def test_bptt_parameter_gradients_match_finite_differences(every_step):
    xs, p, h0 = setup(5, steps=7)
    g = np.random.default_rng(50).normal(size=(7, 4) if every_step else 4)

    def loss():
        hs = loop_rnn(xs, p, h0)
        return float(np.sum(g * hs)) if every_step else float(g @ hs[-1])

    res = rnn_bptt(xs, p, h0, grad_h=g)
    for key in p:
        np.testing.assert_allclose(res.params[key], numeric_grad(loss, p[key]), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(res.xs, numeric_grad(loss, xs), rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(res.h0, numeric_grad(loss, h0), rtol=1e-7, atol=1e-9)


def test_default_loss_is_the_sum_of_the_final_hidden_state():
    xs, p, h0 = setup(6)
    res = rnn_bptt(xs, p, h0)
    np.testing.assert_allclose(res.h0, numeric_grad(lambda: loop_rnn(xs, p, h0)[-1].sum(), h0), rtol=1e-7)
    np.testing.assert_allclose(res.dh[-1], np.ones(4))
    np.testing.assert_allclose(res.hs, rnn_forward(xs, p, h0))


def test_per_step_gradients_are_dl_dh_t_found_by_nudging_h_t():
    xs, p, h0 = setup(7, steps=5)
    g = np.random.default_rng(70).normal(size=(5, 4))
    res = rnn_bptt(xs, p, h0, grad_h=g)

    def loss_with_nudge(t, j, eps):
        # run the loop by hand, adding eps to unit j of h_t right after it is formed
        h = h0.copy()
        if t == 0:
            h[j] += eps
        total = 0.0
        for s in range(1, 6):
            h = loop_rnn(xs[s - 1:s], p, h)[0]
            if s == t:
                h[j] += eps
            total += g[s - 1] @ h
        return total

    for t in range(6):
        fd = [(loss_with_nudge(t, j, EPS) - loss_with_nudge(t, j, -EPS)) / (2 * EPS) for j in range(4)]
        np.testing.assert_allclose(res.dh[t], fd, rtol=1e-7, atol=1e-9)
    np.testing.assert_allclose(res.grad_norms, np.linalg.norm(res.dh, axis=1))
    assert res.grad_norms.shape == (6,)


def test_bias_free_rnn_has_gradients_for_weights_only():
    xs, p, h0 = setup(8)
    p = {k: v for k, v in p.items() if k.startswith("weight")}
    res = rnn_bptt(xs, p, h0)
    assert sorted(res.params) == ["weight_hh", "weight_ih"]
    np.testing.assert_allclose(rnn_forward(xs, p, h0), loop_rnn(xs, {**p, "bias_ih": np.zeros(4),
                                                                    "bias_hh": np.zeros(4)}, h0))


def test_spectral_radius_is_the_largest_eigenvalue_magnitude_not_the_largest_entry():
    assert spectral_radius([[0.0, -3.0], [3.0, 0.0]]) == pytest.approx(3.0)  # eigenvalues +-3i
    assert spectral_radius([[0.5, 10.0], [0.0, 0.2]]) == pytest.approx(0.5)  # triangular


@pytest.mark.parametrize("rho", [0.5, 1.0, 1.5])
def test_scale_to_spectral_radius_hits_the_target_by_scaling(rho):
    w = np.random.default_rng(9).normal(size=(6, 6))
    scaled = scale_to_spectral_radius(w, rho)
    assert spectral_radius(scaled) == pytest.approx(rho, rel=1e-12)
    factor = scaled[0, 0] / w[0, 0]
    assert factor > 0
    np.testing.assert_allclose(scaled, factor * w, rtol=1e-12)


def small_input_bptt(rho, steps=30, hidden=8):
    """Zero biases, inputs of size 1e-8: tanh stays linear, so W_hh alone sets the trend."""
    rng = np.random.default_rng(10)
    p = rnn_params(2, hidden, seed=10)
    p["weight_hh"] = scale_to_spectral_radius(rng.normal(size=(hidden, hidden)), rho)
    p["bias_ih"][:] = 0.0
    p["bias_hh"][:] = 0.0
    return rnn_bptt(1e-8 * rng.normal(size=(steps, 2)), p)


def test_gradient_norms_vanish_backwards_for_spectral_radius_half():
    res = small_input_bptt(0.5)
    n = res.grad_norms  # n[t] = ||dL/dh_t||, the loss is on h_30
    assert np.abs(res.hs).max() < 1e-6
    assert n[0] < 1e-6 * n[30]  # 0.5**30 is about 1e-9
    assert n[0] < n[10] < n[20] < n[30]


def test_gradient_norms_grow_backwards_for_spectral_radius_one_and_a_half():
    res = small_input_bptt(1.5)
    n = res.grad_norms
    assert np.abs(res.hs).max() < 0.1  # still in tanh's linear range
    assert n[0] > 1e3 * n[30]  # 1.5**30 is about 2e5
    assert n[0] > n[10] > n[20] > n[30]


def test_param_count_matches_pytorch_numbers():
    assert rnn_param_count(10, 20) == 640  # nn.RNN(10, 20): 20*10 + 20*20 + 20 + 20
    assert rnn_param_count(10, 20, num_layers=2) == 640 + 840  # layer 2 sees D = 20
    assert rnn_param_count(10, 20, bias=False) == 600
    p = rnn_params(10, 20)
    assert sum(v.size for v in p.values()) == 640


def test_params_follow_pytorch_init_and_are_reproducible():
    p = rnn_params(3, 16, seed=1)
    assert p["weight_ih"].shape == (16, 3) and p["weight_hh"].shape == (16, 16)
    assert p["bias_ih"].shape == p["bias_hh"].shape == (16,)
    assert all(np.abs(v).max() <= 0.25 for v in p.values())  # 1/sqrt(16)
    assert np.abs(p["weight_hh"]).max() > 0.2  # the whole range is used, not a narrower one
    np.testing.assert_array_equal(p["weight_hh"], rnn_params(3, 16, seed=1)["weight_hh"])
    assert not np.array_equal(p["weight_hh"], rnn_params(3, 16, seed=2)["weight_hh"])
    assert set(rnn_params(3, 4, bias=False)) == {"weight_ih", "weight_hh"}


@pytest.mark.parametrize(
    "change, words",
    [
        (lambda p: p.pop("weight_hh"), "missing 'weight_hh'"),
        (lambda p: p.update(weight_hh=np.zeros((4, 3))), r"weight_hh must have shape \(H, H\)"),
        (lambda p: p.update(weight_ih=np.zeros((5, 3))), r"weight_ih must have shape \(4, D\)"),
        (lambda p: p.pop("bias_hh"), "both bias_ih and bias_hh"),
        (lambda p: p.update(bias_ih=np.zeros(3)), r"bias_ih must have shape \(4,\)"),
    ],
)
def test_malformed_params_raise_a_clear_message(change, words):
    xs, p, _ = setup(11)
    change(p)
    with pytest.raises(ValueError, match=words):
        rnn_forward(xs, p)


def test_bad_inputs_raise_a_clear_message():
    xs, p, _ = setup(12)
    with pytest.raises(ValueError, match=r"xs must have shape \(T, 3\)"):
        rnn_forward(xs[:, :2], p)
    with pytest.raises(ValueError, match=r"h0 must have shape \(4,\)"):
        rnn_forward(xs, p, np.zeros(3))
    with pytest.raises(ValueError, match="grad_h must have shape"):
        rnn_bptt(xs, p, grad_h=np.ones((2, 4)))
    with pytest.raises(ValueError, match="spectral radius 0"):
        scale_to_spectral_radius(np.zeros((3, 3)), 1.0)
    with pytest.raises(ValueError, match="square"):
        spectral_radius(np.zeros((2, 3)))
    with pytest.raises(TypeError, match="dict of arrays"):
        rnn_forward(xs, [1, 2])
    with pytest.raises(TypeError, match="whole number"):
        rnn_params(3.0, 4)
