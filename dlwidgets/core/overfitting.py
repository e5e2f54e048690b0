"""A small, seeded overfitting experiment: a one-hidden-layer tanh network fitted to a few noisy points.

The data are made here: x uniform in [-1, 1], y = sin(pi x) + 0.3 x + noise, a few training points
and a fixed grid of validation points with their own noise. The network 1 -> H (tanh) -> 1 is trained
by full-batch gradient descent with PyTorch's SGD (momentum 0.9) on the mean squared error, with
the gradient's norm clipped at 5, optional L2 (coupled weight decay) or L1 (a proximal soft-threshold step, so weights can become exactly
0) on every parameter, as ``weight_decay`` in a PyTorch optimizer applies to biases too unless told
otherwise, and inverted dropout on the hidden units. The run
records the training and validation loss, the fitted curve and the output weights every few epochs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .regularised_training import PENALTIES, train_regularised

__all__ = ["PENALTIES", "TrainingRun", "target_function", "regression_data", "init_regressor", "regressor_forward",
           "regressor_loss_and_grads", "train_regressor", "VALIDATION_POINTS"]

VALIDATION_POINTS = 200


def target_function(x):
    """The function behind the data: sin(pi x) + 0.3 x."""
    x = np.asarray(x, float)
    return np.sin(np.pi * x) + 0.3 * x


def regression_data(n_train: int, noise: float, seed: int = 0):
    """(x_train, y_train, x_val, y_val): n_train points uniform in [-1, 1] and VALIDATION_POINTS evenly
    spaced ones, each y = target + noise * N(0, 1), seeded."""
    if n_train < 1:
        raise ValueError(f"n_train must be at least 1, got {n_train}")
    if noise < 0:
        raise ValueError(f"noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)
    x_train = rng.uniform(-1.0, 1.0, n_train)
    y_train = target_function(x_train) + noise * rng.normal(size=n_train)
    x_val = np.linspace(-1.0, 1.0, VALIDATION_POINTS)
    y_val = target_function(x_val) + noise * rng.normal(size=VALIDATION_POINTS)
    return x_train, y_train, x_val, y_val


def init_regressor(hidden: int, seed: int = 0) -> dict:
    """Weights of 1 -> hidden -> 1: input weights N(0, 3^2) and biases U(-3, 3), so the tanh units bend
    at different places in [-1, 1]; output weights N(0, 1/hidden), output bias 0."""
    rng = np.random.default_rng([seed, 1])
    return {"W1": rng.normal(size=(hidden, 1)) * 3.0, "b1": rng.uniform(-3.0, 3.0, hidden),
            "W2": rng.normal(size=(1, hidden)) / np.sqrt(hidden), "b2": np.zeros(1)}


def regressor_forward(params: dict, x, mask=None, p: float = 0.0) -> np.ndarray:
    """Predictions for x (n,); with a dropout mask (n, hidden) of 0/1 on the hidden units, scaled by 1/(1-p)."""
    hidden = np.tanh(np.asarray(x, float)[:, None] @ params["W1"].T + params["b1"])
    if mask is not None:
        hidden = hidden * mask / (1.0 - p)
    return (hidden @ params["W2"].T + params["b2"])[:, 0]


def regressor_loss_and_grads(params: dict, x, y, mask=None, p: float = 0.0):
    """Mean squared error of the predictions (with the dropout mask, if any) and its gradients by name."""
    x, y = np.asarray(x, float), np.asarray(y, float)
    a = np.tanh(x[:, None] @ params["W1"].T + params["b1"])
    scale = np.ones_like(a) if mask is None else mask / (1.0 - p)
    dropped = a * scale
    out = (dropped @ params["W2"].T + params["b2"])[:, 0]
    residual = out - y
    loss = float(np.mean(residual ** 2))
    d_out = (2.0 / len(y)) * residual[:, None]
    d_hidden = (d_out @ params["W2"]) * scale * (1.0 - a * a)
    grads = {"W2": d_out.T @ dropped, "b2": d_out.sum(axis=0), "W1": d_hidden.T @ x[:, None], "b1": d_hidden.sum(axis=0)}
    return loss, grads


@dataclass(frozen=True)
class TrainingRun:
    """What one training run recorded, every ``record_every`` epochs (row k is after epochs[k] epochs)."""

    epochs: np.ndarray        # (F,)
    train_loss: np.ndarray    # (F,) without dropout
    val_loss: np.ndarray      # (F,)
    grid: np.ndarray          # (G,) x where the fitted curve is recorded
    curves: np.ndarray        # (F, G) the network's prediction on the grid
    output_weights: np.ndarray  # (F, hidden) W2, the weights from the hidden units to the output
    params: dict              # the weights after the last epoch
    data: tuple               # (x_train, y_train, x_val, y_val)

    @property
    def best(self) -> int:
        """Index of the recorded epoch with the lowest validation loss: where early stopping would stop."""
        return int(np.argmin(self.val_loss))


def train_regressor(hidden: int = 64, n_train: int = 15, noise: float = 0.3, penalty: str = "none",
                    strength: float = 0.0, dropout: float = 0.0, epochs: int = 2000, lr: float = 0.02,
                    momentum: float = 0.9, seed: int = 0, record_every: int = 20, grid_points: int = 61,
                    max_grad_norm: float = 5.0) -> TrainingRun:
    """Train the network on ``regression_data(n_train, noise, seed)`` and record the run (see the module)."""
    x_train, y_train, x_val, y_val = data = regression_data(n_train, noise, seed)
    grid = np.linspace(-1.0, 1.0, grid_points)
    recorded = {"epochs": [], "train": [], "val": [], "curves": [], "w2": []}

    def record(epoch, params):
        recorded["epochs"].append(epoch)
        recorded["train"].append(float(np.mean((regressor_forward(params, x_train) - y_train) ** 2)))
        recorded["val"].append(float(np.mean((regressor_forward(params, x_val) - y_val) ** 2)))
        recorded["curves"].append(regressor_forward(params, grid))
        recorded["w2"].append(params["W2"][0].copy())

    params = train_regularised(
        init_regressor(hidden, seed), lambda p, mask, rate: regressor_loss_and_grads(p, x_train, y_train, mask, rate),
        n_train, hidden, penalty=penalty, strength=strength, dropout=dropout, epochs=epochs, lr=lr,
        momentum=momentum, max_grad_norm=max_grad_norm, rng=np.random.default_rng([seed, 2]), record=record,
        record_every=record_every)
    return TrainingRun(np.array(recorded["epochs"]), np.array(recorded["train"]), np.array(recorded["val"]), grid,
                       np.array(recorded["curves"]), np.array(recorded["w2"]), params, data)
