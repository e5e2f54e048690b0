"""The training loop lesson 07's two small networks share: full-batch SGD with every regulariser the lesson shows.

Each epoch: a fresh inverted-dropout mask on the hidden units, the loss's gradient, its global norm clipped
(as ``torch.nn.utils.clip_grad_norm_``: heavy dropout's noise would otherwise blow the weights up), one step of
PyTorch's SGD with momentum where L2 is the optimizer's ``weight_decay`` (on every parameter, biases too), and
for L1 a proximal soft-threshold after the step (so weights can reach exactly 0).
"""

from __future__ import annotations

import numpy as np

from .dropout import dropout_mask
from .penalties import sgd_weight_decay_step, soft_threshold

__all__ = ["PENALTIES", "train_regularised"]

PENALTIES = ("none", "l1", "l2")


def train_regularised(start: dict, loss_and_grads, rows: int, hidden: int, *, penalty: str, strength: float,
                      dropout: float, epochs: int, lr: float, momentum: float, max_grad_norm: float, rng,
                      record, record_every: int) -> dict:
    """Train the parameters ``start`` (a dict of arrays) and return the final ones.

    ``loss_and_grads(params, mask, dropout)`` gives (loss, grads) on the training data, ``mask`` being a
    (rows, hidden) dropout mask or None; ``record(epoch, params)`` is called at epoch 0 and every
    ``record_every`` epochs."""
    if penalty not in PENALTIES:
        raise ValueError(f"penalty must be one of {', '.join(PENALTIES)}, got {penalty!r}")
    if not 0.0 <= dropout < 1.0:
        raise ValueError(f"dropout must be in [0, 1), got {dropout}")
    # All parameters live in one flat vector (the dict holds views of it), so one optimizer step per epoch.
    names = list(start)
    theta = np.concatenate([start[name].ravel() for name in names])
    bounds = np.cumsum([0] + [start[name].size for name in names])

    def unpack(vector):
        return {name: vector[a:b].reshape(start[name].shape) for name, a, b in zip(names, bounds[:-1], bounds[1:])}

    params, buffer = unpack(theta), None
    decay = strength if penalty == "l2" else 0.0
    record(0, params)
    for epoch in range(1, epochs + 1):
        mask = dropout_mask((rows, hidden), dropout, rng) if dropout else None
        _, grads = loss_and_grads(params, mask, dropout)
        flat = np.concatenate([grads[name].ravel() for name in names])
        norm = np.sqrt(flat @ flat)
        if norm > max_grad_norm:
            flat = flat * (max_grad_norm / (norm + 1e-6))
        theta, buffer = sgd_weight_decay_step(theta, flat, lr, decay, momentum, buffer)
        if penalty == "l1":
            theta = soft_threshold(theta, lr * strength)
        if not np.all(np.isfinite(theta)):
            raise ValueError(f"training diverged at epoch {epoch} (the weights overflowed); "
                             "try a smaller dropout probability")
        params = unpack(theta)
        if epoch % record_every == 0:
            record(epoch, params)
    return params
