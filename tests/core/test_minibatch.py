"""Minibatch gradients: unbiased, with the exact covariance from enumerating every possible batch."""

import itertools

import numpy as np
import pytest

from dlwidgets.core.minibatch import (full_gradient, least_squares_gradient, gradient_noise_covariance, gradient_noise_variance,
                                      least_squares_objective, line_data, minibatch_gradient, minibatch_gradients,
                                      per_example_gradients, scaled_learning_rate, sgd_minibatch_run)

from .oracles import numeric_grad


def test_full_gradient_is_the_derivative_of_the_loss_and_zero_at_the_least_squares_fit():
    data = line_data(50, seed=1)
    obj = least_squares_objective(data)
    theta = np.array([0.5, 0.3])
    np.testing.assert_allclose(full_gradient(data, theta), numeric_grad(lambda: float(obj.value(theta)), theta),
                               rtol=1e-6)
    np.testing.assert_allclose(full_gradient(data, np.array(obj.minimum)), 0, atol=1e-12)
    hess = obj.hessian(theta)
    numeric = np.array([numeric_grad(lambda: float(obj.gradient(theta)[i]), theta) for i in range(2)])
    np.testing.assert_allclose(hess, numeric, rtol=1e-6)


def test_per_example_gradients_by_hand():
    data = line_data(4, seed=0)
    theta = np.array([1.5, -0.5])
    r = 1.5 * data.x - 0.5 - data.y
    np.testing.assert_allclose(per_example_gradients(data, theta), np.stack([r * data.x, r], 1))
    np.testing.assert_allclose(minibatch_gradient(data, theta, [1, 3]), [np.mean((r * data.x)[[1, 3]]), np.mean(r[[1, 3]])])


@pytest.mark.parametrize("batch", [1, 2, 3, 6])
def test_noise_covariance_is_exact_over_every_possible_batch(batch):
    data = line_data(6, seed=2)
    theta = np.array([0.0, 0.0])
    grads = np.array([minibatch_gradient(data, theta, list(idx)) for idx in itertools.combinations(range(6), batch)])
    np.testing.assert_allclose(grads.mean(0), full_gradient(data, theta), atol=1e-12)      # unbiased
    np.testing.assert_allclose(np.cov(grads.T, bias=True), gradient_noise_covariance(data, theta, batch), atol=1e-12)


def test_noise_falls_as_one_over_b_and_sampled_batches_agree():
    data = line_data(4096, seed=0)
    theta = np.array([0.0, 0.0])
    v = [gradient_noise_variance(data, theta, b) for b in (1, 4, 16, 64)]
    np.testing.assert_allclose(np.array(v[:-1]) / np.array(v[1:]), 4, rtol=0.05)   # 1/B, times (n - B)/(n - 1)
    np.testing.assert_allclose([vb * b / (4096 - b) for vb, b in zip(v, (1, 4, 16, 64))], v[0] / 4095, rtol=1e-12)
    sampled = minibatch_gradients(data, theta, 16, 4000, seed=1)
    measured = np.mean(np.sum((sampled - full_gradient(data, theta)) ** 2, 1))
    assert measured == pytest.approx(v[2], rel=0.08)


def test_linear_scaling_rule_and_sgd_runs():
    assert scaled_learning_rate(0.01, 32, 128) == pytest.approx(0.04)
    data = line_data(64, seed=0)
    path = sgd_minibatch_run(data, (0.0, 0.0), 64, 0.1, 3)
    assert path.shape == (4, 2)        # one full batch per epoch
    p = np.zeros(2)
    for _ in range(3):
        p = p - 0.1 * full_gradient(data, p)
    np.testing.assert_allclose(path[-1], p)   # B = n: plain gradient descent
    assert sgd_minibatch_run(data, (0.0, 0.0), 10, 0.1, 2).shape == (13, 2)   # 6 batches per epoch, last dropped
    with pytest.raises(ValueError, match="batch size"):
        sgd_minibatch_run(data, (0.0, 0.0), 0, 0.1, 1)


def test_least_squares_gradient_of_a_design_matrix_is_the_line_fits_gradient_and_a_finite_difference():
    data = line_data(20, seed=3)
    X = np.stack([data.x, np.ones(20)], 1)
    theta = np.array([0.7, -0.2])
    np.testing.assert_allclose(least_squares_gradient(X, data.y, theta), full_gradient(data, theta))
    np.testing.assert_allclose(least_squares_gradient(X, data.y, theta, [2, 5, 7]),
                               minibatch_gradient(data, theta, [2, 5, 7]))
    rng = np.random.default_rng(0)
    X3, y3, t3 = rng.normal(size=(9, 3)), rng.normal(size=9), rng.normal(size=3)
    idx = [0, 4, 4, 8]
    loss = lambda: float(np.mean((X3[idx] @ t3 - y3[idx]) ** 2) / 2)   # noqa: E731
    np.testing.assert_allclose(least_squares_gradient(X3, y3, t3, idx), numeric_grad(loss, t3), rtol=1e-6)
    with pytest.raises(ValueError, match="at least one example"):
        least_squares_gradient(X3, y3, t3, [])
