"""Pooling against hand-worked numbers and a brute-force window loop."""

import itertools

import numpy as np
import pytest

from dlwidgets.core import avg_pool2d, max_pool2d, pool_output_size

from .oracles import brute_pool2d


def test_max_pool_2x2_hand_worked():
    x = np.array([[1, 3, 2, 1], [4, 6, 5, 0], [7, 2, 9, 8], [1, 0, 3, 4.0]])
    np.testing.assert_allclose(max_pool2d(x[None], 2), [[[6, 5], [7, 9]]])
    np.testing.assert_allclose(avg_pool2d(x[None], 2), [[[14 / 4, 8 / 4], [10 / 4, 24 / 4]]])


@pytest.mark.parametrize(
    "n, k, s, p, ceil, expected",
    [(5, 2, 2, 0, False, 2), (5, 2, 2, 0, True, 3), (6, 3, 2, 1, True, 4), (5, 3, 2, 1, True, 3)],
)
def test_pool_output_size_floor_and_ceil_like_pytorch(n, k, s, p, ceil, expected):
    assert pool_output_size(n, k, s, p, ceil_mode=ceil) == expected


CASES = list(itertools.product([2, 3], [1, 2, 3], [0, 1], [False, True], [False, True]))


@pytest.mark.parametrize("k, s, p, ceil, include_pad", CASES)
def test_pooling_matches_brute_force(k, s, p, ceil, include_pad):
    if 2 * p > k:
        pytest.skip("PyTorch forbids padding above half the kernel")
    rng = np.random.default_rng(k * 31 + s * 7 + p)
    x = rng.normal(size=(2, 3, 7, 6))
    got_max = max_pool2d(x, k, s, p, ceil_mode=ceil)
    got_avg = avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include_pad)
    for n in range(2):
        for c in range(3):
            plane = x[n, c].tolist()
            np.testing.assert_allclose(got_max[n, c], brute_pool2d(plane, k, s, p, "max", ceil))
            np.testing.assert_allclose(got_avg[n, c], brute_pool2d(plane, k, s, p, "avg", ceil, include_pad))


def test_pool_padding_above_half_kernel_is_rejected():
    with pytest.raises(ValueError, match="at most half"):
        pool_output_size(5, 2, 2, 2)
