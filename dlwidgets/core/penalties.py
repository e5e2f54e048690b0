"""L1 and L2 penalties, their gradients, and weight decay as optimizers apply it.

L2 is written with PyTorch's convention: ``weight_decay=lam`` in SGD adds lam * w to the gradient,
which is the gradient of (lam / 2) * ||w||^2. SGD's decay is coupled (it goes through the gradient,
and so through momentum or Adam's scaling); AdamW's is decoupled: w <- w - lr * lam * w, applied
beside the optimizer's own step. L1's gradient is lam * sign(w) (0 at 0, a subgradient); its
proximal step, soft-thresholding, sets small weights exactly to 0.
"""

from __future__ import annotations

import numpy as np

__all__ = ["l1_penalty", "l1_grad", "l2_penalty", "l2_grad", "soft_threshold", "sgd_weight_decay_step",
           "decoupled_weight_decay"]


def _check_strength(lam: float) -> float:
    lam = float(lam)
    if not np.isfinite(lam) or lam < 0:
        raise ValueError(f"a penalty strength must be a number >= 0, got {lam}")
    return lam


def l1_penalty(w, lam: float) -> float:
    """lam * sum |w|."""
    return _check_strength(lam) * float(np.abs(np.asarray(w, float)).sum())


def l1_grad(w, lam: float) -> np.ndarray:
    """lam * sign(w): the same push towards 0 for every weight, whatever its size (0 at w = 0)."""
    return _check_strength(lam) * np.sign(np.asarray(w, float))


def l2_penalty(w, lam: float) -> float:
    """(lam / 2) * sum w^2, whose gradient is PyTorch's weight-decay term lam * w."""
    return 0.5 * _check_strength(lam) * float((np.asarray(w, float) ** 2).sum())


def l2_grad(w, lam: float) -> np.ndarray:
    """lam * w: a push towards 0 proportional to each weight (big weights shrink most)."""
    return _check_strength(lam) * np.asarray(w, float)


def soft_threshold(w, threshold: float) -> np.ndarray:
    """The proximal step of threshold * ||w||_1: sign(w) * max(|w| - threshold, 0); weights within the
    threshold of 0 become exactly 0."""
    w = np.asarray(w, float)
    return np.sign(w) * np.maximum(np.abs(w) - _check_strength(threshold), 0.0)


def sgd_weight_decay_step(w, grad, lr: float, weight_decay: float = 0.0, momentum: float = 0.0, buffer=None):
    """One step of ``torch.optim.SGD`` with coupled weight decay: g = grad + weight_decay * w; with momentum,
    buffer = momentum * buffer + g (buffer = g at the first step, ``buffer=None``); w - lr * buffer.
    Returns (new w, new buffer)."""
    w = np.asarray(w, float)
    g = np.asarray(grad, float) + _check_strength(weight_decay) * w
    if momentum:
        g = g.copy() if buffer is None else momentum * np.asarray(buffer, float) + g
    return w - lr * g, g


def decoupled_weight_decay(w, lr: float, weight_decay: float) -> np.ndarray:
    """AdamW's decay, applied apart from the gradient step: w * (1 - lr * weight_decay)."""
    return np.asarray(w, float) * (1.0 - lr * _check_strength(weight_decay))
