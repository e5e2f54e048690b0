"""A 2-D classifier that can overfit: a one-hidden-layer tanh network on two noisy interleaved half-moons.

The data are made here (seeded): a few training points and a larger validation set from the same
distribution. The network 2 -> H (tanh) -> 1 logit is trained like ``core.overfitting``'s regressor
(full-batch SGD with momentum 0.9, gradient norm clipped at 5, L2 as weight decay or L1 as a proximal
step on every parameter, inverted dropout on the hidden units), on the binary cross-entropy computed
from the logit in a form that never overflows.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .regularised_training import train_regularised

__all__ = ["moons_data", "init_classifier", "classifier_logits", "classifier_loss_and_grads", "ClassifierRun",
           "train_classifier", "bce_with_logits"]


def moons_data(n_train: int, noise: float, seed: int = 0, n_val: int = 400):
    """(X_train, y_train, X_val, y_val): points on two interleaved half circles (label 0: the upper one,
    label 1: the lower one, shifted), plus noise * N(0, 1) in each coordinate, seeded."""
    if n_train < 2:
        raise ValueError(f"n_train must be at least 2, got {n_train}")
    rng = np.random.default_rng([seed, 3])

    def draw(n):
        labels = np.arange(n) % 2
        angle = rng.uniform(0, np.pi, n)
        x = np.where(labels == 0, np.cos(angle), 1 - np.cos(angle))
        y = np.where(labels == 0, np.sin(angle), 0.5 - np.sin(angle))
        return np.column_stack([x, y]) + noise * rng.normal(size=(n, 2)), labels.astype(float)

    X_train, y_train = draw(n_train)
    X_val, y_val = draw(n_val)
    return X_train, y_train, X_val, y_val


def init_classifier(hidden: int, seed: int = 0) -> dict:
    """W1 (hidden, 2) ~ N(0, 2^2), b1 ~ U(-2, 2), w2 (1, hidden) ~ N(0, 1/hidden), b2 = 0, seeded."""
    rng = np.random.default_rng([seed, 4])
    return {"W1": rng.normal(size=(hidden, 2)) * 2.0, "b1": rng.uniform(-2.0, 2.0, hidden),
            "W2": rng.normal(size=(1, hidden)) / np.sqrt(hidden), "b2": np.zeros(1)}


def bce_with_logits(logits, labels) -> float:
    """Mean binary cross-entropy from logits z: max(z, 0) - z y + log(1 + exp(-|z|)), which never overflows."""
    z, y = np.asarray(logits, float), np.asarray(labels, float)
    return float(np.mean(np.maximum(z, 0) - z * y + np.log1p(np.exp(-np.abs(z)))))


def classifier_logits(params: dict, X, mask=None, p: float = 0.0) -> np.ndarray:
    """Logits for the points X (n, 2); a dropout mask (n, hidden) of 0/1 scaled by 1/(1-p) if given."""
    hidden = np.tanh(np.asarray(X, float) @ params["W1"].T + params["b1"])
    if mask is not None:
        hidden = hidden * mask / (1.0 - p)
    return (hidden @ params["W2"].T + params["b2"])[:, 0]


def classifier_loss_and_grads(params: dict, X, y, mask=None, p: float = 0.0):
    """Binary cross-entropy and its gradients by name (dL/dz = sigmoid(z) - y, over the batch mean)."""
    X, y = np.asarray(X, float), np.asarray(y, float)
    a = np.tanh(X @ params["W1"].T + params["b1"])
    scale = np.ones_like(a) if mask is None else mask / (1.0 - p)
    dropped = a * scale
    z = (dropped @ params["W2"].T + params["b2"])[:, 0]
    e = np.exp(-np.abs(z))
    prob = np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))
    d_z = ((prob - y) / len(y))[:, None]
    d_hidden = (d_z @ params["W2"]) * scale * (1.0 - a * a)
    grads = {"W1": d_hidden.T @ X, "b1": d_hidden.sum(axis=0), "W2": d_z.T @ dropped, "b2": d_z.sum(axis=0)}
    return bce_with_logits(z, y), grads


@dataclass(frozen=True)
class ClassifierRun:
    """Losses and accuracies every ``record_every`` epochs, the final weights and the data."""

    epochs: np.ndarray
    train_loss: np.ndarray
    val_loss: np.ndarray
    train_accuracy: np.ndarray
    val_accuracy: np.ndarray
    params: dict
    data: tuple

    @property
    def best(self) -> int:
        """Index of the recorded epoch with the lowest validation loss (where early stopping stops)."""
        return int(np.argmin(self.val_loss))


def train_classifier(hidden: int = 64, n_train: int = 30, noise: float = 0.25, penalty: str = "none",
                     strength: float = 0.0, dropout: float = 0.0, epochs: int = 2000, lr: float = 0.2,
                     momentum: float = 0.9, seed: int = 0, record_every: int = 50,
                     max_grad_norm: float = 5.0) -> ClassifierRun:
    """Train the classifier on ``moons_data(n_train, noise, seed)`` and record the run (see the module)."""
    X_train, y_train, X_val, y_val = data = moons_data(n_train, noise, seed)
    rows = []

    def record(epoch, params):
        zt, zv = classifier_logits(params, X_train), classifier_logits(params, X_val)
        rows.append((epoch, bce_with_logits(zt, y_train), bce_with_logits(zv, y_val),
                     float(np.mean((zt > 0) == (y_train > 0.5))), float(np.mean((zv > 0) == (y_val > 0.5)))))

    params = train_regularised(
        init_classifier(hidden, seed), lambda p, mask, rate: classifier_loss_and_grads(p, X_train, y_train, mask, rate),
        n_train, hidden, penalty=penalty, strength=strength, dropout=dropout, epochs=epochs, lr=lr,
        momentum=momentum, max_grad_norm=max_grad_norm, rng=np.random.default_rng([seed, 5]), record=record,
        record_every=record_every)
    columns = [np.array(c) for c in zip(*rows)]
    return ClassifierRun(columns[0].astype(int), *columns[1:], params, data)
