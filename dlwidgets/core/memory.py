"""Memory through multiplicative gates: how much of a state survives a run of gates.

An LSTM's cell state is multiplied by its forget gate at every step, c_t = f_t * c_{t-1} + ...;
a GRU's hidden state by its update gate, h_t = z_t * h_{t-1} + .... Whatever the state held
after step 1 is therefore still there at step t in the fraction g_2 * g_3 * ... * g_t, unit by
unit: the product of the gates of the steps after it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["retention", "retained_fraction"]


def retention(gates) -> np.ndarray:
    """(T, H): per unit, the part of the state after step 1 still there after step t + 1.

    gates is (T, H), the forget gate (LSTM) or update gate (GRU) of every step, row t for step
    t + 1. Row 0 is 1 (step 1 itself); row t is gates[1] * ... * gates[t].
    """
    gates = np.asarray(gates, dtype=float)
    if gates.ndim != 2 or gates.shape[0] < 1:
        raise ValueError(f"gates must be (T, H) with T >= 1, got shape {gates.shape}")
    return np.vstack([np.ones((1, gates.shape[1])), np.cumprod(gates[1:], axis=0)])


def retained_fraction(gates) -> np.ndarray:
    """(T,): ``retention(gates)`` averaged over the units."""
    return retention(gates).mean(axis=1)
