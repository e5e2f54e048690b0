"""The overfitting experiment: gradients by finite differences, and the behaviour the lesson relies on."""

import numpy as np
import pytest

from dlwidgets.core.overfitting import (init_regressor, regression_data, regressor_forward, regressor_loss_and_grads,
                                        target_function, train_regressor)

from .oracles import numeric_grad


@pytest.mark.parametrize("with_dropout", [False, True])
def test_gradients_match_finite_differences(with_dropout):
    params = init_regressor(5, seed=1)
    x, y, _, _ = regression_data(7, 0.3, seed=1)
    mask = (np.random.default_rng(0).random((7, 5)) > 0.3).astype(float) if with_dropout else None
    _, grads = regressor_loss_and_grads(params, x, y, mask, 0.3)
    for name, value in params.items():
        numeric = numeric_grad(lambda: regressor_loss_and_grads(params, x, y, mask, 0.3)[0], value)
        np.testing.assert_allclose(grads[name], numeric, atol=1e-7, err_msg=name)


def test_forward_matches_the_loss_function_and_the_data_are_seeded():
    params = init_regressor(3, seed=0)
    x, y, xv, yv = regression_data(4, 0.0, seed=5)
    np.testing.assert_allclose(y, target_function(x))
    loss, _ = regressor_loss_and_grads(params, x, y)
    assert loss == pytest.approx(np.mean((regressor_forward(params, x) - y) ** 2))
    np.testing.assert_array_equal(regression_data(4, 0.3, seed=5)[0], x)


def test_a_big_network_on_few_points_overfits_and_the_penalties_and_dropout_help():
    plain = train_regressor()
    assert plain.train_loss[-1] < 0.05 < 0.15 < plain.val_loss[-1]          # fits the noise, fails elsewhere
    assert plain.val_loss[plain.best] < plain.val_loss[-1] - 0.05            # early stopping would have helped
    for kwargs in (dict(penalty="l2", strength=0.003), dict(penalty="l1", strength=0.1), dict(dropout=0.1)):
        assert train_regressor(**kwargs).val_loss[-1] < plain.val_loss[-1] - 0.05, kwargs


def test_l2_shrinks_every_weight_and_l1_zeroes_some():
    plain, l2, l1 = (train_regressor(penalty=p, strength=s) for p, s in (("none", 0), ("l2", 0.01), ("l1", 0.03)))
    assert np.sum(l2.params["W2"] ** 2) < np.sum(plain.params["W2"] ** 2)
    assert np.sum(l2.params["W2"] == 0) == 0
    assert np.sum(l1.params["W2"] == 0) > 20


def test_the_run_records_every_epoch_asked_and_is_reproducible():
    run = train_regressor(hidden=4, epochs=100, record_every=20)
    assert run.epochs.tolist() == [0, 20, 40, 60, 80, 100]
    assert run.curves.shape == (6, 61) and run.output_weights.shape == (6, 4)
    np.testing.assert_array_equal(run.val_loss, train_regressor(hidden=4, epochs=100, record_every=20).val_loss)
    np.testing.assert_allclose(run.curves[-1], regressor_forward(run.params, run.grid))


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="penalty"):
        train_regressor(penalty="l3")
    with pytest.raises(ValueError, match="dropout"):
        train_regressor(dropout=1.0)


def test_too_strong_a_penalty_underfits():
    assert train_regressor(penalty="l2", strength=0.1).train_loss[-1] > 3 * train_regressor(penalty="l2", strength=0.001).train_loss[-1]


def test_heavy_dropout_stays_finite_thanks_to_gradient_clipping():
    run = train_regressor(dropout=0.6)
    assert np.all(np.isfinite(run.val_loss)) and run.val_loss[-1] < 1.0
