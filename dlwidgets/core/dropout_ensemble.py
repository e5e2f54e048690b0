"""Dropout as an ensemble: the thinned networks a mask picks out of one small network, and how the
average of their predictions approaches the full network's (weight-scaled, eval-mode) prediction.

The network is 2 inputs -> 8 tanh units -> 1 linear output, seeded. Three places for the masks:
'dropout' on the hidden units (they feed the linear output, so the average converges to the eval
prediction exactly); 'dropconnect' on the input-to-hidden weights and 'input_dropout' on the inputs,
both inside the tanh, where the eval prediction only approximates the average. (DropConnect on the
output weights would be no different from dropout here: with one output unit, dropping the weight
from a hidden unit is dropping the unit.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dropout import dropconnect_linear, dropout, dropout_mask

__all__ = ["ENSEMBLE_SCHEMES", "EnsembleRun", "ensemble_network", "mask_shape", "thinned_prediction",
           "dropout_ensemble"]

ENSEMBLE_SCHEMES = ("dropout", "dropconnect", "input_dropout")
HIDDEN = 8


def ensemble_network(seed: int = 0) -> dict:
    """The small network's weights: W1 (8, 2), b1 (8,), w2 (1, 8), b2 (1,), seeded."""
    rng = np.random.default_rng([seed, 7])
    return {"W1": rng.normal(size=(HIDDEN, 2)) * 1.5, "b1": rng.normal(size=HIDDEN) * 0.5,
            "w2": rng.normal(size=(1, HIDDEN)) / np.sqrt(HIDDEN) * 2.0, "b2": np.array([0.1])}


def mask_shape(scheme: str) -> tuple:
    """The shape of one mask: (2,) on the inputs, (8,) on the hidden units, (8, 2) on the input weights."""
    if scheme not in ENSEMBLE_SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(ENSEMBLE_SCHEMES)}, got {scheme!r}")
    return {"dropout": (HIDDEN,), "dropconnect": (HIDDEN, 2), "input_dropout": (2,)}[scheme]


def thinned_prediction(params: dict, x, scheme: str, mask, p: float, training: bool = True) -> float:
    """The network's output for input x (2,) with ``mask`` applied where ``scheme`` says (inverted scaling);
    training=False gives the full network, the eval-mode prediction."""
    x = np.asarray(x, float)
    if scheme == "input_dropout":
        x = dropout(x, p, training, mask)[0]
    if scheme == "dropconnect":
        hidden = np.tanh(dropconnect_linear(x[None], params["W1"], params["b1"], p, training, mask)[0][0])
    else:
        hidden = np.tanh(params["W1"] @ x + params["b1"])
    if scheme == "dropout":
        hidden = dropout(hidden, p, training, mask)[0]
    return float(params["w2"][0] @ hidden + params["b2"][0])


@dataclass(frozen=True)
class EnsembleRun:
    """``count`` sampled masks, the thinned networks' predictions, their running average and the full network's."""

    masks: np.ndarray         # (count, *mask_shape)
    predictions: np.ndarray   # (count,)
    running_mean: np.ndarray  # (count,) mean of the first k predictions
    full: float               # eval mode: no mask, no scaling


def dropout_ensemble(x, p: float, count: int, scheme: str = "dropout", seed: int = 0, network_seed: int = 0):
    """Sample ``count`` masks with drop probability p and predict with each thinned network (see the module)."""
    shape = mask_shape(scheme)
    params = ensemble_network(network_seed)
    rng = np.random.default_rng(seed)
    masks = np.array([dropout_mask(shape, p, rng) for _ in range(int(count))])
    predictions = np.array([thinned_prediction(params, x, scheme, m, p) for m in masks])
    running = np.cumsum(predictions) / np.arange(1, len(predictions) + 1)
    return EnsembleRun(masks, predictions, running, thinned_prediction(params, x, scheme, None, p, training=False))
