"""Classification losses and their gradients with respect to the logits, in PyTorch's conventions.

``cross_entropy`` is ``torch.nn.functional.cross_entropy`` for logits (N, C) and class indices (N,),
with ``weight``, ``ignore_index`` and ``label_smoothing``; ``nll_loss`` takes log-probabilities
instead; ``binary_cross_entropy_with_logits`` is its two-class cousin on one logit per example;
``sigmoid_mse`` is the squared error of sigmoid(logit), the pairing lesson 12 argues against. Every
function returns (loss, dL/dlogits) so the gradient a network's last layer gets can be read off.
Reductions: 'mean' (PyTorch's default: over examples, weighted by their class weights), 'sum',
'none' (one loss per example; the gradient is then that of their sum).
"""

from __future__ import annotations

import numpy as np

from .activations import log_softmax, sigmoid, sigmoid_grad, softmax

__all__ = ["REDUCTIONS", "cross_entropy", "nll_loss", "binary_cross_entropy_with_logits", "sigmoid_mse",
           "sigmoid_cross_entropy_grad", "sigmoid_mse_grad", "softplus", "saturated_and_wrong"]

REDUCTIONS = ("mean", "sum", "none")


def softplus(x):
    """log(1 + e^x) without overflow: max(x, 0) + log1p(e^-|x|)."""
    x = np.asarray(x, dtype=float)
    with np.errstate(under="ignore"):
        return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


def _reduction(reduction):
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be one of {REDUCTIONS}, got {reduction!r}")
    return reduction


def _logits_and_targets(logits, target):
    z = np.asarray(logits, dtype=float)
    if z.ndim != 2:
        raise ValueError(f"logits must have shape (N, C), got {z.shape}")
    t = np.asarray(target)
    if t.shape != (z.shape[0],):
        raise ValueError(f"target must have shape ({z.shape[0]},), one class index per row, got {t.shape}")
    if t.size and not np.issubdtype(t.dtype, np.integer):
        raise TypeError(f"target must be integer class indices, got dtype {t.dtype}")
    return z, t.astype(int)


def _class_weights(weight, classes):
    if weight is None:
        return np.ones(classes)
    w = np.asarray(weight, dtype=float)
    if w.shape != (classes,):
        raise ValueError(f"weight must have one entry per class, shape ({classes},), got {w.shape}")
    return w


def _kept(t, classes, ignore_index):
    """Which examples count, and their targets with ignored ones replaced by class 0 (any valid index)."""
    keep = t != ignore_index
    if np.any(keep & ((t < 0) | (t >= classes))):
        raise ValueError(f"target classes must be in [0, {classes}) or equal ignore_index={ignore_index}")
    return keep, np.where(keep, t, 0)


def cross_entropy(logits, target, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
    """F.cross_entropy(logits, target, weight, ignore_index, reduction, label_smoothing) and dL/dlogits.

    Each kept example n has the target distribution q_n = (1 - eps) w_y onehot(y_n) + (eps / C) w
    (w the class weights, eps the label smoothing), and loss_n = -sum_c q_nc log softmax(z_n)_c.
    Its gradient is softmax(z_n) * sum(q_n) - q_n. 'mean' divides by sum of w[y_n] over kept examples,
    as PyTorch does (so weights change the average, not only the terms).
    """
    z, t = _logits_and_targets(logits, target)
    n, classes = z.shape
    w = _class_weights(weight, classes)
    _reduction(reduction)
    eps = float(label_smoothing)
    if not 0.0 <= eps <= 1.0:
        raise ValueError(f"label_smoothing must be between 0 and 1, got {label_smoothing}")
    keep, t0 = _kept(t, classes, ignore_index)
    rows = np.arange(n)
    q = (eps / classes) * np.broadcast_to(w, (n, classes)).copy()
    q[rows, t0] += (1.0 - eps) * w[t0]
    q[~keep] = 0.0
    per_example = -np.sum(q * log_softmax(z), axis=1)
    grad = softmax(z) * q.sum(axis=1, keepdims=True) - q
    if reduction == "none":
        return per_example, grad
    if reduction == "sum":
        return float(per_example.sum()), grad
    denominator = float(np.sum(w[t0][keep]))
    if denominator == 0.0:
        raise ValueError("no example counts towards the mean (every target is ignore_index, or their weights are 0): "
                         "the mean over nothing is undefined (PyTorch returns nan)")
    return float(per_example.sum() / denominator), grad / denominator


def nll_loss(log_probs, target, weight=None, ignore_index=-100, reduction="mean"):
    """F.nll_loss: -w[y_n] * log_probs[n, y_n], averaged by sum of w[y_n]; and dL/dlog_probs.

    It takes log-probabilities (log_softmax's output), not logits: cross_entropy = nll_loss(log_softmax).
    """
    lp, t = _logits_and_targets(log_probs, target)
    n, classes = lp.shape
    w = _class_weights(weight, classes)
    _reduction(reduction)
    keep, t0 = _kept(t, classes, ignore_index)
    rows = np.arange(n)
    per_example = np.where(keep, -w[t0] * lp[rows, t0], 0.0)
    grad = np.zeros_like(lp)
    grad[rows, t0] = np.where(keep, -w[t0], 0.0)
    if reduction == "none":
        return per_example, grad
    if reduction == "sum":
        return float(per_example.sum()), grad
    denominator = float(np.sum(w[t0][keep]))
    if denominator == 0.0:
        raise ValueError("no example counts towards the mean: the mean over nothing is undefined (PyTorch returns nan)")
    return float(per_example.sum() / denominator), grad / denominator


def _same_shape(logits, target):
    z = np.asarray(logits, dtype=float)
    y = np.asarray(target, dtype=float)
    if z.shape != y.shape:
        raise ValueError(f"target must have the logits' shape {z.shape}, got {y.shape}")
    return z, y


def binary_cross_entropy_with_logits(logits, target, weight=None, pos_weight=None, reduction="mean"):
    """F.binary_cross_entropy_with_logits and dL/dlogits.

    loss = -w [p y log sigmoid(z) + (1 - y) log(1 - sigmoid(z))] with p the pos_weight, computed as
    w [p y softplus(-z) + (1 - y) softplus(z)], finite for any z. The gradient is
    w [(p y + 1 - y) sigmoid(z) - p y], which is sigmoid(z) - y without weights. 'mean' is over every entry.
    """
    z, y = _same_shape(logits, target)
    _reduction(reduction)
    w = np.ones_like(z) if weight is None else np.broadcast_to(np.asarray(weight, dtype=float), z.shape)
    p = np.ones_like(z) if pos_weight is None else np.broadcast_to(np.asarray(pos_weight, dtype=float), z.shape)
    loss = w * (p * y * softplus(-z) + (1.0 - y) * softplus(z))
    grad = w * ((p * y + 1.0 - y) * sigmoid(z) - p * y)
    if reduction == "none":
        return loss, grad
    if reduction == "sum":
        return float(loss.sum()), grad
    return float(loss.mean()), grad / max(z.size, 1)


def sigmoid_mse(logits, target, reduction="mean"):
    """MSE of sigmoid(z) against y (nn.MSELoss after a sigmoid) and dL/dz = 2 (sigmoid(z) - y) sigmoid'(z).

    The factor sigmoid'(z) <= 1/4 is what cross-entropy does not have: it vanishes when the
    sigmoid saturates, also when its answer is confidently wrong.
    """
    z, y = _same_shape(logits, target)
    _reduction(reduction)
    diff = sigmoid(z) - y
    loss = diff * diff
    grad = 2.0 * diff * sigmoid_grad(z)
    if reduction == "none":
        return loss, grad
    if reduction == "sum":
        return float(loss.sum()), grad
    return float(loss.mean()), grad / max(z.size, 1)


def sigmoid_cross_entropy_grad(logits, target):
    """dL/dz of one example's binary cross-entropy on a sigmoid output: sigmoid(z) - y, elementwise (y broadcasts)."""
    z = np.asarray(logits, dtype=float)
    return binary_cross_entropy_with_logits(z, np.broadcast_to(np.asarray(target, dtype=float), z.shape),
                                            reduction="none")[1]


def sigmoid_mse_grad(logits, target):
    """dL/dz of one example's squared error on a sigmoid output: 2 (sigmoid(z) - y) sigmoid'(z), elementwise (y broadcasts)."""
    z = np.asarray(logits, dtype=float)
    return sigmoid_mse(z, np.broadcast_to(np.asarray(target, dtype=float), z.shape), reduction="none")[1]


def saturated_and_wrong(logits, target, saturation=0.05):
    """Where a sigmoid output is on the wrong side (|sigmoid(z) - y| > 1/2) and saturated (sigmoid'(z) < saturation).

    There MSE's gradient is below 2 * saturation while cross-entropy's is above 1/2 in size: the
    learner is most wrong exactly where MSE learns slowest.
    """
    z = np.asarray(logits, dtype=float)
    y = np.broadcast_to(np.asarray(target, dtype=float), z.shape)
    return (np.abs(sigmoid(z) - y) > 0.5) & (sigmoid_grad(z) < saturation)
