"""Dropout, DropConnect and the recurrent variants against hand-worked numbers and explicit loops."""

import numpy as np
import pytest

from dlwidgets.core import rnn_forward, rnn_params, rnn_step
from dlwidgets.core.dropout import (dropconnect_linear, dropout, dropout_mask, masked_predictions,
                                    naive_recurrent_dropout_forward, variational_rnn_forward, zoneout_rnn_forward)


def test_inverted_dropout_by_hand_and_identity_in_eval():
    x = np.array([1.0, 2.0, 3.0, 4.0])
    y, mask = dropout(x, 0.5, mask=[1, 0, 0, 1])
    np.testing.assert_array_equal(y, [2.0, 0.0, 0.0, 8.0])
    y_eval, none = dropout(x, 0.5, training=False)
    np.testing.assert_array_equal(y_eval, x) and none is None


def test_the_expected_output_of_inverted_dropout_is_the_input():
    x = np.linspace(-1, 1, 5)
    ys = np.array([dropout(x, 0.3, seed=s)[0] for s in range(20000)])
    np.testing.assert_allclose(ys.mean(axis=0), x, atol=0.02)
    assert dropout_mask((100000,), 0.3, 0).mean() == pytest.approx(0.7, abs=0.01)


def test_a_bad_probability_or_mask_is_refused():
    with pytest.raises(ValueError, match=r"\[0, 1\)"):
        dropout([1.0], 1.0)
    with pytest.raises(ValueError, match="shape"):
        dropout([1.0, 2.0], 0.5, mask=[1.0])


def test_dropconnect_by_hand_and_its_average_is_the_eval_layer():
    x = np.array([[1.0, 2.0]])
    W, b = np.array([[1.0, -1.0], [0.5, 2.0]]), np.array([0.1, 0.2])
    y, _ = dropconnect_linear(x, W, b, 0.5, mask=[[1, 0], [0, 1]])
    np.testing.assert_allclose(y, [[1.0 * 2 + 0.1, 2.0 * 2 * 2 + 0.2]])
    eval_y, _ = dropconnect_linear(x, W, b, 0.5, training=False)
    preds = masked_predictions(lambda m: dropconnect_linear(x, W, b, 0.5, mask=m)[0], W.shape, 0.5, 20000, seed=1)
    np.testing.assert_allclose(preds.mean(axis=0), eval_y, atol=0.03)


def test_variational_dropout_uses_one_mask_at_every_step():
    params = rnn_params(3, 4, seed=0)
    xs = np.random.default_rng(0).normal(size=(6, 3))
    hs, mx, mh = variational_rnn_forward(xs, params, 0.5, 0.5, seed=2)
    h = np.zeros(4)
    for t in range(6):
        h = rnn_step(xs[t] * mx, h * mh, params)
        np.testing.assert_allclose(hs[t], h)
    assert set(np.unique(mx)) <= {0.0, 2.0}
    np.testing.assert_allclose(variational_rnn_forward(xs, params, 0.5, 0.5, training=False)[0], rnn_forward(xs, params))


def test_naive_recurrent_dropout_draws_a_new_mask_per_step():
    params = rnn_params(3, 8, seed=0)
    xs = np.random.default_rng(0).normal(size=(6, 3))
    _, mx, mh = naive_recurrent_dropout_forward(xs, params, 0.5, 0.5, seed=0)
    assert mh.shape == (6, 8) and not all(np.array_equal(mh[0], m) for m in mh[1:])


def test_zoneout_keeps_units_and_its_eval_mode_is_the_expectation():
    params = rnn_params(2, 5, seed=1)
    xs = np.random.default_rng(1).normal(size=(7, 2))
    np.testing.assert_allclose(zoneout_rnn_forward(xs, params, 0.0)[0], rnn_forward(xs, params))
    hs, keep = zoneout_rnn_forward(xs, params, 0.4, seed=3)
    h = np.zeros(5)
    for t in range(7):
        h = keep[t] * h + (1 - keep[t]) * rnn_step(xs[t], h, params)
        np.testing.assert_allclose(hs[t], h)
    eval_hs, _ = zoneout_rnn_forward(xs, params, 0.4, training=False)
    h = np.zeros(5)
    for t in range(7):
        h = 0.4 * h + 0.6 * rnn_step(xs[t], h, params)
    np.testing.assert_allclose(eval_hs[-1], h)
