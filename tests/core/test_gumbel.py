"""Gumbel-softmax against hand-worked numbers, Monte Carlo frequencies and finite differences."""

import math

import numpy as np
import pytest

from dlwidgets.core.gumbel import (categorical_probs, expected_reward_gradient, gumbel_argmax, gumbel_noise,
                                   gumbel_softmax, gumbel_softmax_jacobian, reinforce_gradient, straight_through)

from .oracles import numeric_grad


def test_gumbel_noise_hand_worked():
    # -log(-log u): u = e^-1 gives 0; u = exp(-e^-2) gives 2
    assert gumbel_noise(math.exp(-1)) == pytest.approx(0.0, abs=1e-15)
    assert gumbel_noise(math.exp(-math.exp(-2))) == pytest.approx(2.0, rel=1e-12)
    with pytest.raises(ValueError, match="strictly between 0 and 1"):
        gumbel_noise([0.5, 1.0])


def test_a_soft_sample_hand_worked():
    # logits ln[1, 2, 1], u = e^-1 (noise 0): tau = 1 gives [1/4, 1/2, 1/4]; tau = 1/2 squares and renormalises
    logits, u = np.log([1.0, 2.0, 1.0]), np.full(3, math.exp(-1))
    np.testing.assert_allclose(gumbel_softmax(logits, u, 1.0), [0.25, 0.5, 0.25], rtol=1e-12)
    np.testing.assert_allclose(gumbel_softmax(logits, u, 0.5), [1 / 6, 4 / 6, 1 / 6], rtol=1e-12)
    with pytest.raises(ValueError, match="temperature"):
        gumbel_softmax(logits, u, 0.0)


def test_gumbel_max_samples_the_softmax_distribution():
    rng = np.random.default_rng(0)
    logits = np.array([1.0, 0.0, -1.0, 0.5])
    counts = gumbel_argmax(logits, rng.random((40_000, 4))).mean(axis=0)
    np.testing.assert_allclose(counts, categorical_probs(logits), atol=0.01)


def test_low_temperature_approaches_the_one_hot_sample_and_is_stable_for_large_logits():
    rng = np.random.default_rng(1)
    u = rng.random((200, 5))
    logits = rng.normal(size=5)
    hard = gumbel_argmax(logits, u)
    assert np.abs(gumbel_softmax(logits, u, 0.01) - hard).mean() < 0.01   # a near tie may stay soft
    assert np.abs(gumbel_softmax(logits, u, 10.0) - hard).mean() > 0.3
    assert np.isfinite(gumbel_softmax(np.array([1000.0, -1000.0, 0.0]), u[0, :3], 0.1)).all()


def test_jacobian_matches_finite_differences_and_straight_through_uses_it():
    rng = np.random.default_rng(2)
    logits, u, tau = rng.normal(size=4), rng.random(4), 0.7
    jac = gumbel_softmax_jacobian(gumbel_softmax(logits, u, tau), tau)
    for i in range(4):
        numeric = numeric_grad(lambda: gumbel_softmax(logits, u, tau)[i], logits)
        np.testing.assert_allclose(jac[i], numeric, rtol=1e-6, atol=1e-9)
    forward, backward = straight_through(logits, u, tau)
    np.testing.assert_array_equal(forward, gumbel_argmax(logits, u))
    np.testing.assert_allclose(backward, jac)
    # the one-hot sample itself has no gradient: moving a logit a little changes nothing
    np.testing.assert_array_equal(numeric_grad(lambda: gumbel_argmax(logits, u)[0], logits), np.zeros(4))


def test_reinforce_estimates_the_exact_gradient():
    rng = np.random.default_rng(3)
    logits, reward = np.array([0.2, -0.4, 1.0]), np.array([1.0, 0.0, 0.5])
    exact = expected_reward_gradient(logits, reward)
    # the exact gradient against finite differences of E[r] = p . r
    numeric = numeric_grad(lambda: float(categorical_probs(logits) @ reward), logits)
    np.testing.assert_allclose(exact, numeric, rtol=1e-6)
    samples = rng.choice(3, size=200_000, p=categorical_probs(logits))
    np.testing.assert_allclose(reinforce_gradient(logits, samples, reward[samples]), exact, atol=3e-3)
