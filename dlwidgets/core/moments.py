"""Excess kurtosis: how far a distribution's tails are from a normal's (0 for a normal).

Lesson 03 uses it to show the central limit theorem: a sum of more and more independent terms has an
excess kurtosis closer and closer to 0, whatever the terms' own distribution.
"""

from __future__ import annotations

import numpy as np

__all__ = ["excess_kurtosis", "sum_kurtosis"]


def excess_kurtosis(x, axis=None):
    """E[(x - mean)^4] / Var(x)^2 - 3 of the samples ``x`` (population moments, as scipy's default):
    0 for a normal, -1.2 for a uniform, -2 for a fair coin of +-1."""
    x = np.asarray(x, dtype=float)
    if x.size == 0:
        raise ValueError("excess kurtosis needs at least one sample")
    centred = x - x.mean(axis=axis, keepdims=True)
    variance = np.mean(centred ** 2, axis=axis)
    if np.any(variance == 0):
        raise ValueError("excess kurtosis is undefined for samples that are all equal")
    return np.mean(centred ** 4, axis=axis) / variance ** 2 - 3.0


def sum_kurtosis(weights, term_kurtosis: float):
    """Exact excess kurtosis of z = sum_i w_i x_i for independent x_i of equal variance and excess kurtosis
    ``term_kurtosis``: term_kurtosis * sum w^4 / (sum w^2)^2 (fourth cumulants add, variances add).
    ``weights`` is (fan_in,) for one unit or (units, fan_in) for a layer (one value per unit)."""
    w = np.asarray(weights, dtype=float)
    squares = np.sum(w ** 2, axis=-1)
    if np.any(squares == 0):
        raise ValueError("a unit with all-zero weights has no distribution to measure")
    return term_kurtosis * np.sum(w ** 4, axis=-1) / squares ** 2
