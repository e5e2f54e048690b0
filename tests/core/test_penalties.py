"""L1/L2 penalties and weight decay against finite differences and hand-worked steps."""

import numpy as np
import pytest

from dlwidgets.core.penalties import (decoupled_weight_decay, l1_grad, l1_penalty, l2_grad, l2_penalty,
                                      sgd_weight_decay_step, soft_threshold)


def numeric_grad(f, w, eps=1e-6):
    g = np.zeros_like(w)
    for i in np.ndindex(w.shape):
        d = np.zeros_like(w)
        d[i] = eps
        g[i] = (f(w + d) - f(w - d)) / (2 * eps)
    return g


def test_penalties_by_hand_and_their_gradients_by_finite_differences():
    w = np.array([[0.5, -2.0], [3.0, -0.1]])
    assert l1_penalty(w, 0.1) == pytest.approx(0.1 * 5.6)
    assert l2_penalty(w, 0.1) == pytest.approx(0.05 * (0.25 + 4 + 9 + 0.01))
    np.testing.assert_allclose(l1_grad(w, 0.1), numeric_grad(lambda v: l1_penalty(v, 0.1), w), atol=1e-8)
    np.testing.assert_allclose(l2_grad(w, 0.1), numeric_grad(lambda v: l2_penalty(v, 0.1), w), atol=1e-8)
    assert l1_grad(np.zeros(2), 1.0).tolist() == [0.0, 0.0]


def test_soft_threshold_zeroes_small_weights_and_shrinks_the_rest_by_the_threshold():
    np.testing.assert_allclose(soft_threshold([0.05, -0.3, 1.0, -0.1], 0.1), [0.0, -0.2, 0.9, 0.0])


def test_sgd_weight_decay_is_pytorchs_coupled_step():
    w, g = np.array([1.0, -2.0]), np.array([0.5, 0.5])
    new, buf = sgd_weight_decay_step(w, g, lr=0.1, weight_decay=0.01)
    np.testing.assert_allclose(new, w - 0.1 * (g + 0.01 * w))
    # with momentum: the first buffer is the gradient itself, then momentum * buffer + g
    w1, b1 = sgd_weight_decay_step(w, g, lr=0.1, weight_decay=0.01, momentum=0.9)
    w2, b2 = sgd_weight_decay_step(w1, g, lr=0.1, weight_decay=0.01, momentum=0.9, buffer=b1)
    np.testing.assert_allclose(b2, 0.9 * b1 + g + 0.01 * w1)
    np.testing.assert_allclose(w2, w1 - 0.1 * b2)


def test_decoupled_decay_shrinks_by_a_fixed_factor():
    np.testing.assert_allclose(decoupled_weight_decay([2.0, -4.0], lr=0.1, weight_decay=0.5), [1.9, -3.8])


def test_negative_strength_is_refused():
    with pytest.raises(ValueError, match=">= 0"):
        l2_penalty([1.0], -0.1)
