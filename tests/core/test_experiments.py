"""The lessons' seeded runs, checked against the definitions written out by hand."""

import math

import numpy as np
import pytest

from dlwidgets.core import (BOTTLENECK_TEMPERATURE, INITIALISERS, MASK_KINDS, MLP, attention_experiment, attention_mask,
                            bottleneck_experiment, causal_mask, gradient_ratio, gru_experiment, lstm_experiment,
                            mlp_batch, mlp_experiment, padding_mask, pulse_inputs, retained_fraction, rnn_experiment,
                            rnn_radius_sweep, scaled_initialiser, score_scaling_comparison)

from .oracles import sig


def tanh_rnn(xs, p, h0):
    h, hs = h0, []
    for x in xs:
        h = np.tanh(p["weight_ih"] @ x + p["weight_hh"] @ h + p.get("bias_ih", 0) + p.get("bias_hh", 0))
        hs.append(h)
    return np.array(hs)


# ---------------------------------------------------------------- RNN

@pytest.mark.parametrize("rho, bias", [(0.5, False), (1.3, True)])
def test_rnn_experiment_has_the_radius_and_the_gradient_of_sum_h_T(rho, bias):
    params, xs, grads = rnn_experiment(steps=6, hidden_size=3, input_size=2, spectral_radius=rho,
                                       input_scale=0.5, bias=bias, seed=4)
    assert max(abs(np.linalg.eigvals(params["weight_hh"]))) == pytest.approx(rho, rel=1e-12)
    np.testing.assert_allclose(xs, np.random.default_rng(4).normal(size=(6, 2)) * 0.5, rtol=1e-15)
    h0 = np.zeros(3)
    np.testing.assert_allclose(grads.hs, tanh_rnn(xs, params, h0), rtol=1e-12)
    # ||dL/dh_0|| for L = sum(h_T), by central differences on the initial state
    eps, fd = 1e-6, np.zeros(3)
    for j in range(3):
        up, down = h0.copy(), h0.copy()
        up[j] += eps; down[j] -= eps
        fd[j] = (tanh_rnn(xs, params, up)[-1].sum() - tanh_rnn(xs, params, down)[-1].sum()) / (2 * eps)
    assert grads.grad_norms[0] == pytest.approx(np.linalg.norm(fd), rel=1e-6)
    assert grads.grad_norms[-1] == pytest.approx(math.sqrt(3), rel=1e-12)      # dL/dh_T = ones
    assert gradient_ratio(grads.grad_norms) == pytest.approx(np.linalg.norm(fd) / math.sqrt(3), rel=1e-6)


def test_radius_sweep_reruns_the_experiment_at_each_radius():
    radii = (0.3, 1.0, 1.6)
    ratios = rnn_radius_sweep(radii, steps=10, hidden_size=4, seed=1)
    for rho, ratio in zip(radii, ratios):
        norms = rnn_experiment(steps=10, hidden_size=4, spectral_radius=rho, seed=1)[2].grad_norms
        assert ratio == norms[0] / norms[-1]
    assert ratios == sorted(ratios) and ratios[0] < 0.1 < 10 < ratios[-1]


# ---------------------------------------------------------------- LSTM and GRU

def test_pulse_inputs_are_seeded_noise_with_a_pulse_at_step_one():
    xs = pulse_inputs(5, 2.0, 0.3, 7)
    noise = np.random.default_rng(7).normal(size=(5, 1)) * 0.3
    assert xs.shape == (5, 1)
    assert xs[0, 0] == pytest.approx(noise[0, 0] + 2.0, rel=1e-15)
    np.testing.assert_array_equal(xs[1:], noise[1:])


def test_lstm_experiment_follows_the_lstm_equations_with_the_forget_bias():
    xs, run = lstm_experiment(forget_bias=2.0, steps=8, hidden_size=3, pulse=1.5, noise=0.2, seed=3)
    from dlwidgets.core import lstm_params
    p = lstm_params(1, 3, seed=3)                      # the same draws, bias added by hand below
    b = p["bias_ih"] + p["bias_hh"]
    b[3:6] += 2.0                                      # rows i, f, g, o: f is the second block
    h, c = np.zeros(3), np.zeros(3)
    for t, x in enumerate(xs):
        a = p["weight_ih"] @ x + p["weight_hh"] @ h + b
        i, f, g, o = sig(a[:3]), sig(a[3:6]), np.tanh(a[6:9]), sig(a[9:])
        c = f * c + i * g
        h = o * np.tanh(c)
        np.testing.assert_allclose(run.f[t], f, rtol=1e-13)
        np.testing.assert_allclose(run.c[t], c, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(xs, pulse_inputs(8, 1.5, 0.2, 3), rtol=0)


def test_gru_experiment_follows_the_gru_equations_with_the_update_bias():
    xs, run = gru_experiment(update_bias=-1.0, steps=8, hidden_size=2, seed=5)
    from dlwidgets.core import gru_params
    p = gru_params(1, 2, seed=5)
    bx, bh = p["bias_ih"].copy(), p["bias_hh"]
    bx[2:4] -= 1.0                                     # rows r, z, n: z is the second block
    h = np.zeros(2)
    for t, x in enumerate(xs):
        gi, gh = p["weight_ih"] @ x + bx, p["weight_hh"] @ h + bh
        r, z = sig(gi[:2] + gh[:2]), sig(gi[2:4] + gh[2:4])
        n = np.tanh(gi[4:] + r * gh[4:])
        h = (1 - z) * n + z * h
        np.testing.assert_allclose(run.z[t], z, rtol=1e-13)
        np.testing.assert_allclose(run.h[t], h, rtol=1e-12, atol=1e-15)


def test_a_large_forget_bias_keeps_the_pulse():
    kept = [retained_fraction(lstm_experiment(forget_bias=b)[1].f)[20] for b in (0.0, 4.0)]
    assert kept[0] < 0.01 < 0.5 < kept[1]


# ---------------------------------------------------------------- attention

def test_masks_by_hand():
    assert causal_mask(3).tolist() == [[True, False, False], [True, True, False], [True, True, True]]
    assert padding_mask(4, 1).tolist() == [[True, True, True, False]]
    assert padding_mask(4, 0).tolist() == [[True] * 4]
    assert attention_mask("none", 3) is None
    np.testing.assert_array_equal(attention_mask("causal", 3), causal_mask(3))
    np.testing.assert_array_equal(attention_mask("padding", 4, 2), padding_mask(4, 2))
    assert MASK_KINDS == ("none", "causal", "padding")
    with pytest.raises(ValueError, match="mask must be one of"):
        attention_mask("future", 3)


def softmax_rows(s, keep):
    out = np.zeros_like(s)
    for r in range(s.shape[0]):
        e = [math.exp(s[r, c]) if keep[r][c] else 0.0 for c in range(s.shape[1])]
        out[r] = [x / sum(e) for x in e]
    return out


@pytest.mark.parametrize("mask", ["none", "causal", "padding"])
def test_attention_experiment_is_a_masked_softmax_of_scaled_scores(mask):
    q, k, v, m, (out, weights, scores) = attention_experiment(5, d_k=8, temperature=0.5, mask=mask, padding=2, seed=3)
    rng = np.random.default_rng(3)
    np.testing.assert_array_equal(q, rng.normal(size=(5, 8)))
    np.testing.assert_array_equal(k, rng.normal(size=(5, 8)))
    keep = [[mask == "none" or (mask == "causal" and c <= r) or (mask == "padding" and c < 3) for c in range(5)]
            for r in range(5)]
    s = np.array([[sum(q[r, j] * k[c, j] for j in range(8)) / math.sqrt(8) for c in range(5)] for r in range(5)])
    np.testing.assert_allclose(scores, s, rtol=1e-12)
    np.testing.assert_allclose(weights, softmax_rows(s / 0.5, keep), rtol=1e-12, atol=1e-300)
    np.testing.assert_allclose(out, weights @ v, rtol=1e-12)


def test_score_scaling_comparison_by_hand():
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(6, 64)), rng.normal(size=(6, 64))
    c = score_scaling_comparison(q, k)
    dot = q @ k.T
    assert c["dot"]["score_std"] == pytest.approx(np.std(dot), rel=1e-12)
    assert c["scaled"]["score_std"] == pytest.approx(np.std(dot) / 8, rel=1e-12)
    ones = [[True] * 6] * 6
    assert c["dot"]["mean_max_weight"] == pytest.approx(softmax_rows(dot, ones).max(axis=1).mean(), rel=1e-12)
    assert c["scaled"]["mean_max_weight"] == pytest.approx(softmax_rows(dot / 8, ones).max(axis=1).mean(), rel=1e-12)


def test_bottleneck_influence_is_the_gradient_of_the_last_state_and_attention_finds_the_diagonal():
    from dlwidgets.core import rnn_params
    enc, contexts, influence = bottleneck_experiment(source_length=6, seed=2)
    xs = np.random.default_rng(2).normal(size=(6, 4))
    p = rnn_params(4, 16, seed=2)
    hs = tanh_rnn(xs, p, np.zeros(16))
    np.testing.assert_allclose(enc, hs / np.linalg.norm(hs, axis=1, keepdims=True), rtol=1e-12)
    eps = 1e-6
    for j in (0, 5):
        fd = np.zeros(4)
        for d in range(4):
            up, down = xs.copy(), xs.copy()
            up[j, d] += eps; down[j, d] -= eps
            fd[d] = (tanh_rnn(up, p, np.zeros(16))[-1].sum() - tanh_rnn(down, p, np.zeros(16))[-1].sum()) / (2 * eps)
        assert influence[j] == pytest.approx(np.linalg.norm(fd), rel=1e-5)
    s = enc @ enc.T / 4 / BOTTLENECK_TEMPERATURE
    np.testing.assert_allclose(contexts.weights, softmax_rows(s, [[True] * 6] * 6), rtol=1e-10)
    assert np.all(np.argmax(contexts.weights, axis=1) == np.arange(6))


def test_mlp_batch_is_drawn_from_the_seed_plus_one():
    x, y = mlp_batch(5, 3, seed=7)
    rng = np.random.default_rng(8)
    np.testing.assert_array_equal(x, rng.normal(size=(3, 5)))
    np.testing.assert_array_equal(y, rng.normal(size=(3, 1)))


def test_scaled_initialiser_multiplies_every_weight_and_keeps_the_name_at_scale_one():
    assert scaled_initialiser("he_normal", 1.0) == "he_normal"
    shape = (4, 6)
    scaled = scaled_initialiser("he_normal", 2.5)(shape, np.random.default_rng(3))
    np.testing.assert_array_equal(scaled, 2.5 * INITIALISERS["he_normal"](shape, np.random.default_rng(3)))


def test_mlp_experiment_is_one_pass_of_the_network_on_the_batch():
    settings = dict(depth=4, width=6, activation="tanh", init="glorot_normal", weight_scale=1.5, seed=2)
    result = mlp_experiment(batch=5, **settings)
    net = MLP(4, 6, activation="tanh", loss="mse", seed=2,
              init=lambda shape, rng: 1.5 * INITIALISERS["glorot_normal"](shape, rng))
    direct = net.forward_backward(*mlp_batch(6, 5, 2))
    assert result.loss == direct.loss
    np.testing.assert_array_equal(result.weight_grad_norms, direct.weight_grad_norms)
