"""Where SGD's noise comes from: the gradient of a sampled minibatch instead of the whole data set.

A least-squares line fit y ~ w x + b on data the lesson makes, so the parameters (w, b) are a
point in the plane. The loss is L(theta) = 1/(2n) sum_i (w x_i + b - y_i)^2; its full gradient is
the mean of the n per-example gradients, and a minibatch of B examples drawn without replacement
(as a shuffled DataLoader does) gives an unbiased estimate whose covariance is exactly
Sigma / B * (n - B) / (n - 1), Sigma the per-example gradients' covariance: the noise falls as 1/B
(and is zero when the batch is the whole data set).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .objectives import Objective

__all__ = [
    "least_squares_gradient", "LineData", "line_data", "per_example_gradients", "full_gradient", "minibatch_gradient", "minibatch_gradients",
    "gradient_noise_covariance", "gradient_noise_variance", "least_squares_objective", "sgd_minibatch_run",
    "scaled_learning_rate",
]


@dataclass(frozen=True)
class LineData:
    """n points (x_i, y_i) around the line y = true_w x + true_b."""

    x: np.ndarray
    y: np.ndarray
    true_w: float
    true_b: float

    @property
    def n(self) -> int:
        return len(self.x)


def line_data(n: int = 256, *, true_w: float = 2.0, true_b: float = -1.0, noise: float = 0.5, x_mean: float = 1.0,
              seed: int = 0) -> LineData:
    """Seeded data for a line fit: x ~ N(x_mean, 1), y = true_w x + true_b + N(0, noise^2)."""
    if int(n) != n or n < 2:
        raise ValueError(f"n must be a whole number >= 2, got {n!r}")
    rng = np.random.default_rng(seed)
    x = rng.normal(x_mean, 1.0, size=int(n))
    y = true_w * x + true_b + rng.normal(0.0, noise, size=int(n))
    return LineData(x, y, float(true_w), float(true_b))


def least_squares_gradient(X, y, theta, idx=None) -> np.ndarray:
    """The gradient of 1/(2B) sum_{i in idx} (x_i . theta - y_i)^2 over the rows ``idx`` of X (all rows if None):
    X_B^T (X_B theta - y_B) / B. With a column of ones in X this is a line fit's gradient."""
    X, y, theta = np.asarray(X, dtype=float), np.asarray(y, dtype=float), np.asarray(theta, dtype=float)
    if idx is not None:
        idx = np.asarray(idx, dtype=int)
        X, y = X[idx], y[idx]
    if len(y) == 0:
        raise ValueError("a minibatch needs at least one example")
    return X.T @ (X @ theta - y) / len(y)


def _residual(data: LineData, theta, idx=None):
    theta = np.asarray(theta, dtype=float)
    x = data.x if idx is None else data.x[idx]
    y = data.y if idx is None else data.y[idx]
    return theta[..., 0, None] * x + theta[..., 1, None] - y, x


def per_example_gradients(data: LineData, theta) -> np.ndarray:
    """(n, 2): the gradient of 0.5 (w x_i + b - y_i)^2 for every example: r_i (x_i, 1)."""
    r, x = _residual(data, np.asarray(theta, dtype=float))
    return np.stack([r * x, r], -1)


def full_gradient(data: LineData, theta) -> np.ndarray:
    """The true gradient: the mean of the per-example gradients."""
    r, x = _residual(data, theta)
    return np.stack([np.mean(r * x, -1), np.mean(r, -1)], -1)


def minibatch_gradient(data: LineData, theta, idx) -> np.ndarray:
    """The gradient estimated on the examples ``idx`` only (their mean)."""
    r, x = _residual(data, theta, np.asarray(idx))
    return np.stack([np.mean(r * x, -1), np.mean(r, -1)], -1)


def minibatch_gradients(data: LineData, theta, batch_size: int, count: int, *, seed: int = 0) -> np.ndarray:
    """(count, 2): gradients of ``count`` minibatches of ``batch_size`` examples, each drawn without replacement."""
    if int(batch_size) != batch_size or not 1 <= batch_size <= data.n:
        raise ValueError(f"batch size must be a whole number from 1 to {data.n}, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    per = per_example_gradients(data, theta)
    idx = np.argsort(rng.random((int(count), data.n)), axis=1)[:, : int(batch_size)]
    return per[idx].mean(axis=1)


def gradient_noise_covariance(data: LineData, theta, batch_size: int) -> np.ndarray:
    """(2, 2): the exact covariance of a without-replacement minibatch gradient, Sigma / B * (n - B) / (n - 1),
    Sigma being the per-example gradients' covariance (divided by n)."""
    if int(batch_size) != batch_size or not 1 <= batch_size <= data.n:
        raise ValueError(f"batch size must be a whole number from 1 to {data.n}, got {batch_size!r}")
    per = per_example_gradients(data, theta)
    sigma = np.cov(per.T, bias=True)
    return sigma / batch_size * (data.n - batch_size) / (data.n - 1)


def gradient_noise_variance(data: LineData, theta, batch_size: int) -> float:
    """E ||g_B - g||^2: the trace of gradient_noise_covariance, the total noise power."""
    return float(np.trace(gradient_noise_covariance(data, theta, batch_size)))


def least_squares_objective(data: LineData) -> Objective:
    """The full-data loss 1/(2n) sum (w x_i + b - y_i)^2 as an Objective over (w, b)."""
    hess = np.array([[np.mean(data.x ** 2), np.mean(data.x)], [np.mean(data.x), 1.0]])
    a = np.stack([data.x, np.ones_like(data.x)], 1)
    best = np.linalg.lstsq(a, data.y, rcond=None)[0]

    def value(p):
        r, _ = _residual(data, p)
        return 0.5 * np.mean(r * r, -1)

    def hessian(p):
        p = np.asarray(p, dtype=float)
        return np.broadcast_to(hess, p.shape[:-1] + (2, 2)).copy()

    centre_w, centre_b = round(float(best[0]), 1), round(float(best[1]), 1)   # round bounds: readable axes
    lo_w, hi_w = centre_w - 3, centre_w + 3
    lo_b, hi_b = centre_b - 3, centre_b + 3
    return Objective("least_squares", value, lambda p: full_gradient(data, p), hessian, ((lo_w, hi_w), (lo_b, hi_b)),
                     (best[0] - 2.5, best[1] + 2.5), (float(best[0]), float(best[1])), "1/(2n) sum (w x_i + b - y_i)^2")


def scaled_learning_rate(base_lr: float, base_batch: int, batch_size: int) -> float:
    """The linear scaling rule (Goyal et al., 2017): multiply the batch by k, multiply the learning rate by k."""
    return float(base_lr) * batch_size / base_batch


def sgd_minibatch_run(data: LineData, start, batch_size: int, lr: float, epochs: int, *, seed: int = 0) -> np.ndarray:
    """Plain SGD (p = p - lr * minibatch gradient) for ``epochs`` passes over the shuffled data, batches of
    ``batch_size`` (a last, smaller batch is dropped, as DataLoader(drop_last=True) does); the path
    (steps + 1, 2), one point per step."""
    if int(batch_size) != batch_size or not 1 <= batch_size <= data.n:
        raise ValueError(f"batch size must be a whole number from 1 to {data.n}, got {batch_size!r}")
    rng = np.random.default_rng(seed)
    per_epoch = data.n // int(batch_size)
    p = np.asarray(start, dtype=float).copy()
    path = [p.copy()]
    with np.errstate(all="ignore"):
        for _ in range(int(epochs)):
            order = rng.permutation(data.n)
            for k in range(per_epoch):
                idx = order[k * batch_size:(k + 1) * batch_size]
                p = p - lr * minibatch_gradient(data, p, idx)
                path.append(p.copy())
    return np.array(path)
