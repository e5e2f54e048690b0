"""Excess kurtosis against hand-worked values and the central limit theorem's exact cumulant rule."""

import numpy as np
import pytest

from dlwidgets.core import excess_kurtosis, sum_kurtosis


def test_hand_worked_values():
    assert excess_kurtosis([-1.0, 1.0]) == pytest.approx(-2.0)                 # a fair coin: m4 / m2^2 = 1
    # Bernoulli(1/4): (1 - 6 p q) / (p q) with p q = 3/16 gives -2/3
    assert excess_kurtosis([0.0, 0.0, 0.0, 1.0]) == pytest.approx(-2.0 / 3.0)
    grid = np.linspace(-1, 1, 200_001)                                          # a uniform: -6/5
    assert excess_kurtosis(grid) == pytest.approx(-1.2, abs=1e-4)


def test_a_large_normal_sample_is_near_zero_and_axis_gives_one_value_per_row():
    x = np.random.default_rng(0).normal(size=(3, 400_000))
    assert np.allclose(excess_kurtosis(x, axis=1), 0.0, atol=0.03)
    assert excess_kurtosis(x, axis=1).shape == (3,)


def test_sum_kurtosis_is_exact_for_coin_inputs():
    # z = w . x over all 2^4 sign patterns of x: the exact distribution of z for these fixed weights
    w = np.array([0.3, -1.2, 0.7, 2.0])
    signs = np.array(np.meshgrid(*[[-1.0, 1.0]] * 4)).reshape(4, -1).T
    assert excess_kurtosis(signs @ w) == pytest.approx(sum_kurtosis(w, -2.0))
    assert sum_kurtosis(np.ones((2, 16)), -2.0) == pytest.approx([-2.0 / 16] * 2)   # falls like 1 / fan-in


def test_degenerate_samples_are_refused():
    with pytest.raises(ValueError, match="all equal"):
        excess_kurtosis([1.0, 1.0])
    with pytest.raises(ValueError, match="all-zero"):
        sum_kurtosis([0.0, 0.0], -2.0)
