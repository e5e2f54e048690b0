"""Retention through gates: the product of the gates after step 1, checked against plain loops."""

import numpy as np
import pytest

from dlwidgets.core import retained_fraction, retention


def loop_retention(gates):
    """Unit by unit, step by step: multiply what is left by each later gate."""
    steps, units = len(gates), len(gates[0])
    out = [[1.0] * units]
    for t in range(1, steps):
        out.append([out[-1][u] * gates[t][u] for u in range(units)])
    return out


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_retention_is_the_running_product_of_the_later_gates(seed):
    gates = np.random.default_rng(seed).uniform(0, 1, size=(12, 3))
    want = loop_retention(gates.tolist())
    np.testing.assert_allclose(retention(gates), want, rtol=1e-13)
    np.testing.assert_allclose(retained_fraction(gates), [sum(row) / 3 for row in want], rtol=1e-13)


def test_the_first_step_gate_does_not_count_and_ones_keep_everything():
    gates = np.ones((5, 2))
    gates[0] = 0.0                      # the gate of step 1 acts before the state is written
    np.testing.assert_array_equal(retained_fraction(gates), np.ones(5))
    gates[3, 0] = 0.5
    np.testing.assert_array_equal(retained_fraction(gates), [1, 1, 1, 0.75, 0.75])


def test_a_constant_gate_decays_geometrically():
    np.testing.assert_allclose(retained_fraction(np.full((21, 4), 0.9)), 0.9 ** np.arange(21), rtol=1e-13)


def test_bad_shapes_raise_a_clear_message():
    with pytest.raises(ValueError, match=r"gates must be \(T, H\)"):
        retention(np.ones(5))
