"""Entropy, cross-entropy and KL against hand-worked values and their defining identities."""

import math

import numpy as np
import pytest

from dlwidgets.core import binned_distribution, cross_entropy_of, entropy, kl_divergence


def test_hand_worked_values():
    assert entropy([0.5, 0.5], base=2) == pytest.approx(1.0)
    assert entropy([1.0, 0.0]) == 0.0
    assert entropy(np.full(8, 1 / 8), base=2) == pytest.approx(3.0)
    # KL([1/2, 1/2] || [1/4, 3/4]) = 1/2 ln 2 + 1/2 ln(2/3)
    assert kl_divergence([0.5, 0.5], [0.25, 0.75]) == pytest.approx(0.5 * math.log(2) + 0.5 * math.log(2 / 3))
    assert cross_entropy_of([0.5, 0.5], [0.25, 0.75]) == pytest.approx(-0.5 * math.log(0.25) - 0.5 * math.log(0.75))


def test_kl_is_cross_entropy_minus_entropy_non_negative_and_not_symmetric():
    rng = np.random.default_rng(0)
    for _ in range(20):
        p, q = rng.dirichlet(np.ones(6)), rng.dirichlet(np.ones(6))
        assert kl_divergence(p, q) == pytest.approx(cross_entropy_of(p, q) - entropy(p))
        assert kl_divergence(p, q) >= 0 and kl_divergence(p, p) == pytest.approx(0.0, abs=1e-15)
    narrow, wide = binned_distribution(9, 4, 0.7), binned_distribution(9, 4, 3.0)
    assert kl_divergence(narrow, wide) < kl_divergence(wide, narrow)


def test_zero_probabilities():
    assert kl_divergence([0.5, 0.5], [1.0, 0.0]) == math.inf
    assert kl_divergence([1.0, 0.0], [0.5, 0.5]) == pytest.approx(math.log(2))
    with pytest.raises(ValueError, match="sum to 1"):
        entropy([0.5, 0.6])
    with pytest.raises(ValueError, match="same shape"):
        kl_divergence([1.0], [0.5, 0.5])


def test_binned_distribution_is_a_normalised_bell():
    p = binned_distribution(7, 3, 1.0)
    assert p.sum() == pytest.approx(1.0) and p.argmax() == 3 and p[2] == pytest.approx(p[4])
