"""Dropout as an ensemble: thinned networks by hand, and the average against the eval prediction."""

import itertools

import numpy as np
import pytest

from dlwidgets.core.dropout_ensemble import dropout_ensemble, ensemble_network, thinned_prediction


def test_a_thinned_network_by_hand():
    params = ensemble_network(0)
    x = np.array([0.3, -0.7])
    mask = np.array([1, 0, 1, 1, 0, 0, 1, 1], float)
    hidden = np.tanh(params["W1"] @ x + params["b1"])
    expected = params["w2"][0] @ (hidden * mask / 0.5) + params["b2"][0]
    assert thinned_prediction(params, x, "dropout", mask, 0.5) == pytest.approx(expected)
    full = params["w2"][0] @ hidden + params["b2"][0]
    assert thinned_prediction(params, x, "dropout", None, 0.5, training=False) == pytest.approx(full)


def test_before_a_linear_output_the_exact_ensemble_average_is_the_eval_prediction():
    """Average over ALL 2^8 masks of the hidden units, each weighted by its probability: exactly the full network."""
    params, x, p = ensemble_network(1), np.array([0.5, 0.2]), 0.3
    total = 0.0
    for bits in itertools.product((0.0, 1.0), repeat=8):
        mask = np.array(bits)
        weight = (1 - p) ** mask.sum() * p ** (8 - mask.sum())
        total += weight * thinned_prediction(params, x, "dropout", mask, p)
    assert total == pytest.approx(thinned_prediction(params, x, "dropout", None, p, training=False))


def test_dropconnect_masks_the_input_weights_by_hand():
    params, x = ensemble_network(0), np.array([0.3, -0.7])
    mask = np.ones((8, 2))
    mask[2, 1] = mask[5, 0] = 0
    W = params["W1"] * mask / 0.8
    expected = params["w2"][0] @ np.tanh(W @ x + params["b1"]) + params["b2"][0]
    assert thinned_prediction(params, x, "dropconnect", mask, 0.2) == pytest.approx(expected)


def test_before_a_tanh_the_eval_prediction_is_only_an_approximation():
    params, x, p = ensemble_network(0), np.array([1.0, -1.0]), 0.5
    exact = sum(0.25 * thinned_prediction(params, x, "input_dropout", np.array(m, float), p)
                for m in itertools.product((0, 1), repeat=2))
    assert abs(exact - thinned_prediction(params, x, "input_dropout", None, p, training=False)) > 0.01


def test_the_running_average_converges():
    run = dropout_ensemble([0.5, 0.2], 0.5, 4000, "dropout", seed=3)
    assert run.running_mean[-1] == pytest.approx(run.predictions.mean())
    assert abs(run.running_mean[-1] - run.full) < 0.05 < np.abs(run.predictions - run.full).mean()
    assert run.masks.shape == (4000, 8)
