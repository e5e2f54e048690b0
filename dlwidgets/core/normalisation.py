"""Batch, layer, instance and group normalisation, and weight normalisation, in PyTorch's conventions.

Every scheme does the same thing to a different set of numbers: subtract their mean, divide by
sqrt(their biased variance + eps), then scale by gamma and shift by beta. What differs is which
numbers share one mean and variance; ``norm_groups`` says so for every scheme, as one label per
element, so that a picture of the tensor and the arithmetic agree.

Tensors are (N, C) or (N, C, H, W), float64. Batch norm in training mode normalises with the
batch's biased variance but updates its running variance with the unbiased one, as
``torch.nn.BatchNorm2d`` does (momentum 0.1 by default); eval mode uses the running statistics.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = [
    "NORM_KINDS", "NORM_EPS", "BatchNormResult", "norm_groups", "group_statistics", "normalise",
    "batch_norm_train", "batch_norm_eval", "batch_norm_backward", "update_running_stats", "running_stats_path",
    "layer_norm", "instance_norm", "group_norm", "weight_norm", "batch_statistics_spread",
]

NORM_KINDS = ("batch", "layer", "instance", "group")
NORM_EPS = 1e-5  # PyTorch's default eps for every normalisation layer


def _tensor(x) -> np.ndarray:
    """x as a float64 array of shape (N, C) or (N, C, H, W), or a ValueError saying what is wrong."""
    x = np.asarray(x, dtype=float)
    if x.ndim not in (2, 4):
        raise ValueError(f"expected a tensor of shape (N, C) or (N, C, H, W), got shape {x.shape}")
    return x


def _channel_shape(x: np.ndarray) -> tuple:
    """Shape that broadcasts a per-channel vector over x: (1, C) or (1, C, 1, 1)."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _per_channel(value, x: np.ndarray, default: float) -> np.ndarray:
    """gamma or beta (None: all ``default``) as an array that broadcasts over x's channels."""
    c = x.shape[1]
    v = np.full(c, default) if value is None else np.asarray(value, dtype=float)
    if v.shape != (c,):
        raise ValueError(f"gamma and beta need one value per channel, shape ({c},), got shape {v.shape}")
    return v.reshape(_channel_shape(x))


def _check_groups(kind: str, channels: int, num_groups) -> int:
    if kind not in NORM_KINDS:
        raise ValueError(f"kind must be one of {', '.join(NORM_KINDS)}, got {kind!r}")
    if kind != "group":
        return 1
    if isinstance(num_groups, bool) or not isinstance(num_groups, (int, np.integer)) or num_groups < 1:
        raise ValueError(f"num_groups must be a whole number of at least 1, got {num_groups!r}")
    if channels % num_groups:
        raise ValueError(f"group norm needs num_groups to divide the {channels} channels, got {num_groups}")
    return int(num_groups)


def norm_groups(kind: str, shape, num_groups: int = 1) -> np.ndarray:
    """One whole-number label per element of a tensor of ``shape``: elements with the same label share
    one mean and variance under ``kind`` ('batch', 'layer', 'instance' or 'group').

    batch: one group per channel, across the batch and all positions (C groups).
    layer: one group per sample, across its channels and positions (N groups).
    instance: one group per (sample, channel), across positions (N*C groups).
    group: channels split into num_groups consecutive blocks; one group per (sample, block).
    """
    shape = tuple(int(s) for s in shape)
    if len(shape) not in (2, 4):
        raise ValueError(f"expected the shape of an (N, C) or (N, C, H, W) tensor, got {shape}")
    n, c = shape[:2]
    g = _check_groups(kind, c, num_groups)
    sample = np.arange(n).reshape((n, 1) + (1,) * (len(shape) - 2))
    channel = np.arange(c).reshape((1, c) + (1,) * (len(shape) - 2))
    if kind == "batch":
        labels = channel + 0 * sample
    elif kind == "layer":
        labels = sample + 0 * channel
    elif kind == "instance":
        labels = sample * c + channel
    else:
        labels = sample * g + channel // (c // g)
    return np.broadcast_to(labels, shape).copy()


def group_statistics(x, kind: str, num_groups: int = 1):
    """(labels, means, variances): ``norm_groups`` of x and each group's mean and biased variance,
    indexed by label."""
    x = _tensor(x)
    labels = norm_groups(kind, x.shape, num_groups)
    count = np.bincount(labels.ravel())
    means = np.bincount(labels.ravel(), weights=x.ravel()) / count
    variances = np.bincount(labels.ravel(), weights=(x - means[labels]).ravel() ** 2) / count
    return labels, means, variances


def _reduce_view(x: np.ndarray, kind: str, num_groups: int):
    """x reshaped so that each group of ``kind`` is reduced over ``axes``: (view, axes)."""
    n, c = x.shape[:2]
    if kind == "batch":
        return x, (0,) + tuple(range(2, x.ndim))
    if kind == "layer":
        return x, tuple(range(1, x.ndim))
    if kind == "instance":
        if x.ndim == 2:
            raise ValueError("instance norm needs positions to average over: a tensor of shape (N, C, H, W)")
        return x, (2, 3)
    g = _check_groups(kind, c, num_groups)
    view = x.reshape((n, g, c // g) + x.shape[2:])
    return view, tuple(range(2, view.ndim))


def normalise(x, kind: str, num_groups: int = 1, eps: float = NORM_EPS) -> np.ndarray:
    """x with each group of ``kind`` shifted to mean 0 and scaled by 1/sqrt(biased variance + eps)
    (no gamma and beta yet)."""
    x = _tensor(x)
    view, axes = _reduce_view(x, kind, num_groups)
    mean = view.mean(axis=axes, keepdims=True)
    var = view.var(axis=axes, keepdims=True)
    return ((view - mean) / np.sqrt(var + eps)).reshape(x.shape)


@dataclass(frozen=True)
class BatchNormResult:
    """Batch norm in training mode: the output, the batch's statistics and the updated running ones."""

    y: np.ndarray
    mean: np.ndarray            # per channel
    var: np.ndarray             # biased: what the batch is normalised with
    var_unbiased: np.ndarray    # what the running variance is updated with
    running_mean: np.ndarray
    running_var: np.ndarray


def update_running_stats(running_mean, running_var, batch_mean, batch_var_unbiased, momentum: float = 0.1):
    """PyTorch's update: new = (1 - momentum) * old + momentum * batch, for the mean and the unbiased variance."""
    if not 0.0 <= momentum <= 1.0:
        raise ValueError(f"momentum must be between 0 and 1, got {momentum}")
    new_mean = (1 - momentum) * np.asarray(running_mean, float) + momentum * np.asarray(batch_mean, float)
    new_var = (1 - momentum) * np.asarray(running_var, float) + momentum * np.asarray(batch_var_unbiased, float)
    return new_mean, new_var


def batch_norm_train(x, gamma=None, beta=None, running_mean=None, running_var=None,
                     momentum: float = 0.1, eps: float = NORM_EPS) -> BatchNormResult:
    """Batch norm in training mode: normalise each channel with the batch's mean and biased variance,
    then gamma * xhat + beta; also the running statistics after this batch (they start at 0 and 1)."""
    x = _tensor(x)
    axes = (0,) + tuple(range(2, x.ndim))
    count = x.size // x.shape[1]
    if count < 2:
        raise ValueError("batch norm in training mode needs more than one value per channel "
                         f"(got shape {x.shape}): the variance of one number is 0, so every output would be beta")
    mean = x.mean(axis=axes)
    var = x.var(axis=axes)
    shape = _channel_shape(x)
    y = (x - mean.reshape(shape)) / np.sqrt(var.reshape(shape) + eps)
    y = _per_channel(gamma, x, 1.0) * y + _per_channel(beta, x, 0.0)
    var_unbiased = var * count / (count - 1)
    c = x.shape[1]
    rm = np.zeros(c) if running_mean is None else running_mean
    rv = np.ones(c) if running_var is None else running_var
    new_mean, new_var = update_running_stats(rm, rv, mean, var_unbiased, momentum)
    return BatchNormResult(y, mean, var, var_unbiased, new_mean, new_var)


def batch_norm_eval(x, running_mean, running_var, gamma=None, beta=None, eps: float = NORM_EPS) -> np.ndarray:
    """Batch norm in eval mode: the same affine map for every sample, from the running statistics."""
    x = _tensor(x)
    shape = _channel_shape(x)
    rm = np.asarray(running_mean, float).reshape(shape)
    rv = np.asarray(running_var, float).reshape(shape)
    return _per_channel(gamma, x, 1.0) * (x - rm) / np.sqrt(rv + eps) + _per_channel(beta, x, 0.0)


def batch_norm_backward(dy, x, gamma=None, eps: float = NORM_EPS):
    """Gradients (dx, dgamma, dbeta) of batch norm in training mode, given dL/dy.

    Because every output depends on the batch mean and variance, dx is not just gamma/std * dy:
    dx = gamma/std * (dy - mean(dy) - xhat * mean(dy * xhat)), means over the batch and positions.
    """
    x = _tensor(x)
    dy = np.asarray(dy, dtype=float)
    if dy.shape != x.shape:
        raise ValueError(f"dy must have x's shape {x.shape}, got {dy.shape}")
    axes = (0,) + tuple(range(2, x.ndim))
    shape = _channel_shape(x)
    mean = x.mean(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(x.var(axis=axes, keepdims=True) + eps)
    xhat = (x - mean) * inv_std
    dgamma = (dy * xhat).sum(axis=axes)
    dbeta = dy.sum(axis=axes)
    g = _per_channel(gamma, x, 1.0)
    dx = g * inv_std * (dy - dy.mean(axis=axes, keepdims=True) - xhat * (dy * xhat).mean(axis=axes, keepdims=True))
    return dx, dgamma, dbeta


def running_stats_path(batches, momentum: float = 0.1, eps: float = NORM_EPS):
    """Running mean and variance after each of ``batches`` (a sequence of tensors) in training mode,
    starting from PyTorch's 0 and 1: two arrays of shape (steps + 1, C), row 0 the start."""
    means, variances = [], []
    rm = rv = None
    for batch in batches:
        result = batch_norm_train(batch, running_mean=rm, running_var=rv, momentum=momentum, eps=eps)
        if rm is None:
            c = result.mean.shape[0]
            means.append(np.zeros(c))
            variances.append(np.ones(c))
        rm, rv = result.running_mean, result.running_var
        means.append(rm)
        variances.append(rv)
    return np.array(means), np.array(variances)


def layer_norm(x, gamma=None, beta=None, eps: float = NORM_EPS) -> np.ndarray:
    """Layer norm over everything but the batch axis, as ``nn.LayerNorm(x.shape[1:])``: gamma and beta
    (None: 1 and 0) have shape x.shape[1:], one per element of a sample."""
    x = _tensor(x)
    y = normalise(x, "layer", eps=eps)
    g = np.ones(x.shape[1:]) if gamma is None else np.asarray(gamma, float)
    b = np.zeros(x.shape[1:]) if beta is None else np.asarray(beta, float)
    if g.shape != x.shape[1:] or b.shape != x.shape[1:]:
        raise ValueError(f"layer norm's gamma and beta have one value per element of a sample, shape {x.shape[1:]}")
    return g * y + b


def instance_norm(x, gamma=None, beta=None, eps: float = NORM_EPS) -> np.ndarray:
    """Instance norm of (N, C, H, W): each sample's each channel over its positions; gamma and beta per
    channel (``nn.InstanceNorm2d(C, affine=True)``; None: 1 and 0)."""
    x = _tensor(x)
    return _per_channel(gamma, x, 1.0) * normalise(x, "instance", eps=eps) + _per_channel(beta, x, 0.0)


def group_norm(x, num_groups: int, gamma=None, beta=None, eps: float = NORM_EPS) -> np.ndarray:
    """Group norm: channels in num_groups consecutive blocks, each sample's block normalised together;
    gamma and beta per channel, as ``nn.GroupNorm``. One group is layer norm, C groups instance norm."""
    x = _tensor(x)
    return _per_channel(gamma, x, 1.0) * normalise(x, "group", num_groups, eps) + _per_channel(beta, x, 0.0)


def weight_norm(v, g) -> np.ndarray:
    """Weight normalisation w = g * v / ||v||, one norm per output row (``torch.nn.utils.weight_norm``,
    dim=0): the direction comes from v, the length from g alone."""
    v = np.asarray(v, dtype=float)
    if v.ndim < 1:
        raise ValueError("v must be an array with one row per output")
    norms = np.sqrt((v.reshape(v.shape[0], -1) ** 2).sum(axis=1))
    if np.any(norms == 0):
        raise ValueError("weight norm needs every row of v to be non-zero: its direction is v / ||v||")
    g = np.asarray(g, dtype=float).reshape(-1)
    if g.shape != (v.shape[0],):
        raise ValueError(f"g needs one length per output row, shape ({v.shape[0]},), got {g.shape}")
    shape = (v.shape[0],) + (1,) * (v.ndim - 1)
    return (g / norms).reshape(shape) * v


def batch_statistics_spread(population_mean: float, population_std: float, batch_sizes, positions: int = 1,
                            draws: int = 200, seed: int = 0):
    """How much batch norm's statistics of one channel vary from batch to batch: for each batch size B,
    the standard deviation over ``draws`` batches (B samples of ``positions`` values each, drawn from
    N(population_mean, population_std**2)) of the batch mean and of the batch std. Two arrays, one value
    per batch size; the mean's spread is close to population_std / sqrt(B * positions)."""
    rng = np.random.default_rng(seed)
    mean_spread, std_spread = [], []
    for b in batch_sizes:
        values = rng.normal(population_mean, population_std, size=(draws, int(b) * positions))
        mean_spread.append(values.mean(axis=1).std())
        std_spread.append(values.std(axis=1).std())
    return np.array(mean_spread), np.array(std_spread)
