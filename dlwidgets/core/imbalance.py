"""Class imbalance: resampling (random over- and under-sampling, SMOTE), class weights, a logistic-regression
classifier on 2-D data, and precision, recall, F1 and the precision-recall curve.

Class 1 is the minority (the positive class, the one we want to find), class 0 the majority. SMOTE follows
Chawla et al. (2002): for a minority point x, pick one of its k nearest minority neighbours n and a gap
u ~ U(0, 1), and add the synthetic point x + u (n - x), on the segment between them. Class weights are
scikit-learn's 'balanced' ones, n_samples / (n_classes * count(class)).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

__all__ = ["RESAMPLING_METHODS", "make_imbalanced_data", "random_oversample", "random_undersample", "smote_point",
           "nearest_neighbours", "smote", "balanced_class_weights", "LogisticModel", "fit_logistic_regression",
           "precision_recall_f1", "precision_recall_curve", "ImbalanceResult", "imbalance_experiment"]

RESAMPLING_METHODS = ("none", "over", "under", "smote")


def make_imbalanced_data(n_majority, n_minority, seed=0, separation=2.0):
    """Two overlapping 2-D Gaussian classes: the majority (0) around the origin, the minority (1) shifted.

    Returns X (n, 2) and y (n,) with the majority first. The minority is a little tighter, as rare
    events often are; ``separation`` is the distance between the two centres.
    """
    if n_majority < 1 or n_minority < 2:
        raise ValueError(f"need at least 1 majority and 2 minority points, got {n_majority} and {n_minority}")
    rng = np.random.default_rng(seed)
    majority = rng.normal(size=(int(n_majority), 2)) * [1.2, 1.0]
    minority = rng.normal(size=(int(n_minority), 2)) * 0.7 + [separation * 0.8, separation * 0.6]
    X = np.vstack([majority, minority])
    y = np.r_[np.zeros(int(n_majority), dtype=int), np.ones(int(n_minority), dtype=int)]
    return X, y


def _split(X, y):
    X, y = np.asarray(X, dtype=float), np.asarray(y)
    if X.ndim != 2 or y.shape != (X.shape[0],):
        raise ValueError(f"X must be (n, d) and y (n,), got {X.shape} and {y.shape}")
    return X, y


def random_oversample(X, y, seed=0):
    """Repeat randomly drawn minority points (with replacement) until both classes have the majority's count."""
    X, y = _split(X, y)
    minority, majority = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    extra = np.random.default_rng(seed).choice(minority, size=max(len(majority) - len(minority), 0), replace=True)
    keep = np.r_[np.arange(len(y)), extra]
    return X[keep], y[keep]


def random_undersample(X, y, seed=0):
    """Keep a random subset of the majority (without replacement) as large as the minority; all minority points stay."""
    X, y = _split(X, y)
    minority, majority = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
    kept = np.random.default_rng(seed).choice(majority, size=min(len(minority), len(majority)), replace=False)
    keep = np.r_[np.sort(kept), minority]
    return X[keep], y[keep]


def smote_point(x, neighbour, gap):
    """SMOTE's synthetic point x + gap * (neighbour - x), for a gap in [0, 1]."""
    if not 0.0 <= gap <= 1.0:
        raise ValueError(f"the gap must be between 0 and 1, got {gap}")
    x, neighbour = np.asarray(x, dtype=float), np.asarray(neighbour, dtype=float)
    return x + gap * (neighbour - x)


def nearest_neighbours(points, k):
    """Indices (n, k) of each point's k nearest other points (Euclidean), nearest first; ties by index."""
    points = np.asarray(points, dtype=float)
    n = len(points)
    if not 1 <= k <= n - 1:
        raise ValueError(f"k must be between 1 and {n - 1} (the other minority points), got {k}")
    d2 = ((points[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)
    return np.argsort(d2, axis=1, kind="stable")[:, :k]


def smote(X, y, k=5, seed=0, n_new=None):
    """SMOTE for the minority class: (synthetic points (m, d), their base indices, their neighbour indices).

    By default it makes as many points as it takes to match the majority. Each one picks a minority
    point uniformly, one of its k nearest minority neighbours uniformly, and a gap u ~ U(0, 1).
    Base and neighbour indices refer to rows of X.
    """
    X, y = _split(X, y)
    minority = np.flatnonzero(y == 1)
    m = max(int(np.sum(y == 0)) - len(minority), 0) if n_new is None else int(n_new)
    neighbours = nearest_neighbours(X[minority], k)
    rng = np.random.default_rng(seed)
    base = rng.integers(0, len(minority), size=m)
    pick = neighbours[base, rng.integers(0, k, size=m)]
    gaps = rng.random(m)
    synthetic = X[minority[base]] + gaps[:, None] * (X[minority[pick]] - X[minority[base]])
    return synthetic, minority[base], minority[pick]


def balanced_class_weights(y):
    """scikit-learn's 'balanced' weights n / (classes * count): the rare class weighs more, the mean weight is 1."""
    y = np.asarray(y)
    counts = np.bincount(y, minlength=2).astype(float)
    if np.any(counts == 0):
        raise ValueError("both classes need at least one example to weigh them")
    return len(y) / (len(counts) * counts)


@dataclass(frozen=True)
class LogisticModel:
    """p(y = 1 | x) = sigmoid(w . x + b)."""

    w: np.ndarray
    b: float

    def scores(self, X):
        """The probability of the minority class for each row of X."""
        return sigmoid(np.asarray(X, dtype=float) @ self.w + self.b)


def fit_logistic_regression(X, y, sample_weight=None, l2=1e-3, iterations=25):
    """Weighted logistic regression by Newton's method (exact to machine precision in a few steps).

    Minimises sum_i s_i BCE(sigmoid(w . x_i + b), y_i) / sum_i s_i + l2 / 2 |w|^2; the small L2 term
    keeps w finite when the classes happen to be separable.
    """
    X, y = _split(X, y)
    s = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    s = s / s.sum()
    A = np.c_[X, np.ones(len(y))]
    theta = np.zeros(A.shape[1])
    reg = np.r_[np.full(X.shape[1], l2), 0.0]
    for _ in range(iterations):
        p = sigmoid(A @ theta)
        grad = A.T @ (s * (p - y)) + reg * theta
        hess = (A * (s * p * (1 - p))[:, None]).T @ A + np.diag(reg) + 1e-12 * np.eye(len(theta))
        step = np.linalg.solve(hess, grad)
        theta -= step
        if np.max(np.abs(step)) < 1e-12:
            break
    return LogisticModel(theta[:-1].copy(), float(theta[-1]))


def precision_recall_f1(y_true, y_pred):
    """(precision, recall, F1) of the positive class 1; precision is 0 when nothing is predicted positive."""
    y_true, y_pred = np.asarray(y_true).astype(bool), np.asarray(y_pred).astype(bool)
    tp = float(np.sum(y_true & y_pred))
    predicted, actual = float(np.sum(y_pred)), float(np.sum(y_true))
    precision = tp / predicted if predicted else 0.0
    recall = tp / actual if actual else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def precision_recall_curve(y_true, scores):
    """Precision and recall at every distinct score used as the threshold (predict 1 when score >= t).

    Returns (precision, recall, thresholds), thresholds descending, like scikit-learn's points
    without its final (precision 1, recall 0) anchor.
    """
    y_true, scores = np.asarray(y_true).astype(bool), np.asarray(scores, dtype=float)
    order = np.argsort(-scores, kind="stable")
    ranked, hits = scores[order], y_true[order]
    last = np.r_[ranked[1:] != ranked[:-1], True]         # the last of each run of equal scores
    tp = np.cumsum(hits)[last].astype(float)
    predicted = (np.arange(len(ranked)) + 1)[last].astype(float)
    recall = tp / max(float(hits.sum()), 1.0)
    return tp / predicted, recall, ranked[last]


@dataclass(frozen=True, eq=False)
class ImbalanceResult:
    """One run of the imbalance experiment: the data, what resampling made of it, the model and its test scores."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_fit: np.ndarray
    y_fit: np.ndarray
    synthetic: np.ndarray
    model: LogisticModel
    X_test: np.ndarray
    y_test: np.ndarray
    precision: float
    recall: float
    f1: float
    curve: tuple


def imbalance_experiment(minority_fraction=0.05, method="none", k=5, weighted=False, seed=0, n_train=400,
                         n_test=2000, threshold=0.5):
    """Train logistic regression on an imbalanced 2-D training set after resampling, score it on a held-out set.

    The held-out set has the same class ratio as the training set (what the model will meet), and
    is drawn with another seed. ``weighted`` adds balanced class weights to the loss (on the data as
    resampled). Returns an ImbalanceResult.
    """
    if method not in RESAMPLING_METHODS:
        raise ValueError(f"method must be one of {RESAMPLING_METHODS}, got {method!r}")
    n_minor = max(2, int(round(n_train * minority_fraction)))
    X, y = make_imbalanced_data(n_train - n_minor, n_minor, seed=seed)
    t_minor = max(1, int(round(n_test * minority_fraction)))
    X_test, y_test = make_imbalanced_data(n_test - t_minor, max(t_minor, 2), seed=seed + 10_000)
    synthetic = np.zeros((0, 2))
    if method == "over":
        X_fit, y_fit = random_oversample(X, y, seed)
    elif method == "under":
        X_fit, y_fit = random_undersample(X, y, seed)
    elif method == "smote":
        if not 1 <= k <= n_minor - 1:
            raise ValueError(f"SMOTE's k must be between 1 and {n_minor - 1} (the other minority points), got {k}")
        synthetic, _, _ = smote(X, y, k=k, seed=seed)
        X_fit, y_fit = np.vstack([X, synthetic]), np.r_[y, np.ones(len(synthetic), dtype=int)]
    else:
        X_fit, y_fit = X, y
    weights = balanced_class_weights(y_fit)[y_fit] if weighted else None
    model = fit_logistic_regression(X_fit, y_fit, sample_weight=weights)
    scores = model.scores(X_test)
    precision, recall, f1 = precision_recall_f1(y_test, scores >= threshold)
    return ImbalanceResult(X, y, X_fit, y_fit, synthetic, model, X_test, y_test, precision, recall, f1,
                           precision_recall_curve(y_test, scores))
