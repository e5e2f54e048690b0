"""The 2-D classifier: gradients by finite differences, a stable loss, and the overfitting the lesson shows."""

import numpy as np
import pytest

from dlwidgets.core.classifier import (bce_with_logits, classifier_logits, classifier_loss_and_grads, init_classifier,
                                       moons_data, train_classifier)

from .oracles import numeric_grad


@pytest.mark.parametrize("with_dropout", [False, True])
def test_gradients_match_finite_differences(with_dropout):
    params = init_classifier(4, seed=1)
    X, y, _, _ = moons_data(6, 0.2, seed=1)
    mask = (np.random.default_rng(0).random((6, 4)) > 0.3).astype(float) if with_dropout else None
    _, grads = classifier_loss_and_grads(params, X, y, mask, 0.3)
    for name, value in params.items():
        numeric = numeric_grad(lambda: classifier_loss_and_grads(params, X, y, mask, 0.3)[0], value)
        np.testing.assert_allclose(grads[name], numeric, atol=1e-7, err_msg=name)


def test_the_loss_is_stable_at_plus_and_minus_1000_and_right_by_hand():
    with np.errstate(over="raise", invalid="raise", divide="raise"):   # exp(-1000) may underflow to 0, harmlessly
        assert bce_with_logits([1000.0, -1000.0], [1.0, 0.0]) == 0.0
        assert bce_with_logits([1000.0], [0.0]) == pytest.approx(1000.0)
    assert bce_with_logits([0.0], [1.0]) == pytest.approx(np.log(2))


def test_moons_are_balanced_and_seeded():
    X, y, Xv, yv = moons_data(10, 0.1, seed=2)
    assert X.shape == (10, 2) and y.sum() == 5 and Xv.shape == (400, 2)
    np.testing.assert_array_equal(moons_data(10, 0.1, seed=2)[0], X)


def test_a_big_network_overfits_few_points_and_l2_helps():
    plain = train_classifier()
    assert plain.train_loss[-1] < 0.01 and plain.train_accuracy[-1] == 1.0
    assert plain.val_loss[-1] > plain.val_loss[plain.best] + 0.05
    assert train_classifier(penalty="l2", strength=0.003).val_loss[-1] < plain.val_loss[-1] - 0.05
    np.testing.assert_allclose(classifier_logits(plain.params, plain.data[0]) > 0, plain.data[1] > 0.5)
