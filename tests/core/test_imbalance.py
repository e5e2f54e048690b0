"""Resampling, SMOTE, class weights, logistic regression and precision/recall against brute force and definitions."""

import numpy as np
import pytest

from dlwidgets.core import (balanced_class_weights, binary_cross_entropy_with_logits, fit_logistic_regression,
                            imbalance_experiment, make_imbalanced_data, nearest_neighbours, precision_recall_curve,
                            precision_recall_f1, random_oversample, random_undersample, smote, smote_point)

from .oracles import numeric_grad


def test_resampling_balances_the_classes_and_keeps_every_minority_point():
    X, y = make_imbalanced_data(90, 10, seed=1)
    Xo, yo = random_oversample(X, y, seed=2)
    assert np.bincount(yo).tolist() == [90, 90]
    assert all(any(np.array_equal(row, x) for x in X[y == 1]) for row in Xo[yo == 1])   # copies, nothing new
    Xu, yu = random_undersample(X, y, seed=2)
    assert np.bincount(yu).tolist() == [10, 10] and np.array_equal(Xu[yu == 1], X[y == 1])


def test_smote_point_by_hand():
    np.testing.assert_allclose(smote_point([1.0, 2.0], [3.0, 6.0], 0.25), [1.5, 3.0])
    with pytest.raises(ValueError, match="between 0 and 1"):
        smote_point([0.0], [1.0], 1.5)


def test_nearest_neighbours_match_brute_force():
    pts = np.random.default_rng(0).normal(size=(12, 2))
    nn = nearest_neighbours(pts, 3)
    for i in range(12):
        d = sorted((float(np.sum((pts[i] - pts[j]) ** 2)), j) for j in range(12) if j != i)
        assert nn[i].tolist() == [j for _, j in d[:3]]


def test_smote_points_lie_between_a_minority_point_and_one_of_its_k_neighbours():
    X, y = make_imbalanced_data(60, 8, seed=3)
    new, base, neighbour = smote(X, y, k=3, seed=4)
    assert len(new) == 52 and np.all(y[base] == 1) and np.all(y[neighbour] == 1)
    minority = np.flatnonzero(y == 1)
    nn = nearest_neighbours(X[minority], 3)
    for p, b, n in zip(new, base, neighbour):
        assert n in minority[nn[list(minority).index(b)]]
        d = X[n] - X[b]
        gap = float(np.dot(p - X[b], d) / np.dot(d, d))
        assert 0 <= gap <= 1
        np.testing.assert_allclose(p, X[b] + gap * d, atol=1e-12)


def test_balanced_weights():
    np.testing.assert_allclose(balanced_class_weights(np.array([0] * 90 + [1] * 10)), [100 / 180, 100 / 20])


def test_logistic_regression_reaches_the_minimum_of_its_weighted_loss():
    X, y = make_imbalanced_data(80, 20, seed=5)
    s = balanced_class_weights(y)[y]
    model = fit_logistic_regression(X, y, sample_weight=s, l2=1e-3)
    theta = np.r_[model.w, model.b]

    def loss():
        z = X @ theta[:2] + theta[2]
        per, _ = binary_cross_entropy_with_logits(z, y.astype(float), reduction="none")
        return float(np.sum(s * per) / s.sum() + 1e-3 / 2 * np.sum(theta[:2] ** 2))
    np.testing.assert_allclose(numeric_grad(loss, theta), 0.0, atol=1e-7)


def test_precision_recall_by_hand_and_the_curve_by_brute_force():
    assert precision_recall_f1([1, 1, 0, 0, 1], [1, 0, 1, 0, 1]) == pytest.approx((2 / 3, 2 / 3, 2 / 3))
    assert precision_recall_f1([1, 0], [0, 0]) == (0.0, 0.0, 0.0)
    rng = np.random.default_rng(6)
    y, scores = rng.integers(0, 2, 50), np.round(rng.random(50), 1)
    precision, recall, thresholds = precision_recall_curve(y, scores)
    for p, r, t in zip(precision, recall, thresholds):
        assert (p, r) == pytest.approx(precision_recall_f1(y, scores >= t)[:2])
    assert list(thresholds) == sorted(set(scores), reverse=True)


def test_resampling_trades_precision_for_recall():
    plain = imbalance_experiment(0.05, "none")
    over = imbalance_experiment(0.05, "over")
    assert over.recall > plain.recall + 0.3 and over.precision < plain.precision
    assert len(imbalance_experiment(0.05, "smote", k=3).synthetic) == 360
    with pytest.raises(ValueError, match="k must be between 1 and 19"):
        imbalance_experiment(0.05, "smote", k=20)
