"""Hyper-parameter search: grid against random search (Bergstra and Bengio, 2012), and log-scale sampling.

The objective is a validation error over the unit square where only the first parameter matters (think
log learning rate, rescaled to [0, 1]) and the second barely does (think a regulariser the model is not
sensitive to). A grid of n x n points tries only n distinct values of the parameter that matters; n^2
random points try n^2 of them, so random search finds the narrow good region far more often. Ranges that
span orders of magnitude (learning rates) are sampled uniformly in log10, never uniformly in the value.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["SEARCH_OPTIMUM", "search_objective", "grid_points", "random_points", "distinct_values", "best_point",
           "grid_vs_random", "sample_range", "per_decade", "expected_share"]

SEARCH_OPTIMUM = 0.57      # where the parameter that matters is best
_WIDTH = 0.06              # how narrow its good region is


def search_objective(important, unimportant):
    """Validation error in [0.1, 0.92]: a narrow valley in ``important``, a ripple of +-0.01 in ``unimportant``."""
    x, y = np.asarray(important, dtype=float), np.asarray(unimportant, dtype=float)
    valley = 1.0 - np.exp(-((x - SEARCH_OPTIMUM) ** 2) / (2 * _WIDTH**2))
    return 0.1 + 0.8 * valley + 0.01 * np.sin(6 * np.pi * y)


def grid_points(n):
    """A square grid of n points (n must be a square) at the centres of equal cells of the unit square."""
    side = math.isqrt(int(n))
    if side * side != n or side < 1:
        raise ValueError(f"a square grid needs a square number of points (4, 9, 16, ...), got {n}")
    axis = (np.arange(side) + 0.5) / side
    gx, gy = np.meshgrid(axis, axis, indexing="ij")
    return np.c_[gx.ravel(), gy.ravel()]


def random_points(n, seed=0):
    """n points drawn uniformly from the unit square."""
    return np.random.default_rng(seed).random((int(n), 2))


def distinct_values(points, axis=0):
    """How many different values the points try for one parameter."""
    return int(len(np.unique(np.round(np.asarray(points)[:, axis], 12))))


def best_point(points):
    """(index, error) of the point with the lowest validation error."""
    errors = search_objective(points[:, 0], points[:, 1])
    i = int(np.argmin(errors))
    return i, float(errors[i])


def grid_vs_random(n=9, seeds=200):
    """Best error of the n-point grid, and of n random points over ``seeds`` seeds: (grid, random errors, share won)."""
    _, grid = best_point(grid_points(n))
    randoms = np.array([best_point(random_points(n, seed))[1] for seed in range(seeds)])
    return grid, randoms, float(np.mean(randoms < grid))


def sample_range(low, high, n, scale="log", seed=0):
    """n values in [low, high): uniform in the value ('linear') or in log10 of it ('log', as 10 ** r)."""
    if scale not in ("linear", "log"):
        raise ValueError(f"scale must be 'linear' or 'log', got {scale!r}")
    if not 0 < low < high:
        raise ValueError(f"need 0 < low < high, got {low} and {high}")
    r = np.random.default_rng(seed).random(int(n))
    if scale == "linear":
        return low + r * (high - low)
    a, b = math.log10(low), math.log10(high)
    return 10 ** (a + r * (b - a))


def per_decade(values, low, high):
    """How many values fall in each decade [10^k, 10^(k+1)) from low to high (both powers of 10)."""
    a, b = round(math.log10(low)), round(math.log10(high))
    edges = 10.0 ** np.arange(a, b + 1)
    return np.histogram(np.asarray(values, dtype=float), bins=edges)[0]


def expected_share(low, high, a, b, scale="log"):
    """The probability that one sample from [low, high) (uniform in the value or in log10) falls in [a, b)."""
    if scale not in ("linear", "log"):
        raise ValueError(f"scale must be 'linear' or 'log', got {scale!r}")
    a, b = max(a, low), min(b, high)
    if b <= a:
        return 0.0
    if scale == "linear":
        return (b - a) / (high - low)
    return (math.log10(b) - math.log10(a)) / (math.log10(high) - math.log10(low))
