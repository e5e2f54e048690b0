"""Weight initialisers in PyTorch's conventions, seedable through a numpy Generator.

A dense weight has shape (fan_out, fan_in) = (out_features, in_features), as in
``torch.nn.Linear``; a convolution weight (C_out, C_in, kH, kW) has fan_in = C_in*kH*kW and
fan_out = C_out*kH*kW (``torch.nn.init._calculate_fan_in_and_fan_out``). Every initialiser
is called as ``init(shape, rng)`` with ``rng = np.random.default_rng(seed)``, so a widget
redraws the same weights for the same seed. ``INITIALISERS`` maps names to them.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "compute_fans",
    "glorot_limit",
    "zeros",
    "constant",
    "small_normal",
    "glorot_uniform",
    "glorot_normal",
    "he_uniform",
    "he_normal",
    "lecun_uniform",
    "lecun_normal",
    "orthogonal",
    "INITIALISERS",
]


def _shape(shape):
    """shape as a tuple of positive ints (an int n means (n,))."""
    if isinstance(shape, (int, np.integer)) and not isinstance(shape, (bool, np.bool_)):
        shape = (shape,)
    if not isinstance(shape, (tuple, list)):
        raise TypeError(f"shape must be an int or a tuple of ints, got {shape!r}")
    out = []
    for n in shape:
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"shape entries must be whole numbers, got {shape!r}")
        if n < 1:
            raise ValueError(f"shape entries must be at least 1, got {tuple(shape)}")
        out.append(int(n))
    return tuple(out)


def _rng(rng):
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng must be a numpy Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    return rng


def _positive(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return float(value)


def compute_fans(shape):
    """(fan_in, fan_out) of a weight: (shape[1], shape[0]) times the kernel size prod(shape[2:])."""
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"fan in and fan out need a weight with at least 2 dimensions, got shape {shape}")
    receptive = math.prod(shape[2:])
    return shape[1] * receptive, shape[0] * receptive


def _fan(shape, mode):
    fan_in, fan_out = compute_fans(shape)
    if mode == "fan_in":
        return fan_in
    if mode == "fan_out":
        return fan_out
    raise ValueError(f"mode must be 'fan_in' or 'fan_out', got {mode!r}")


def glorot_limit(fan_in: int, fan_out: int, gain: float = 1.0) -> float:
    """Bound a of Glorot/Xavier uniform U(-a, a): gain * sqrt(6 / (fan_in + fan_out))."""
    for n, name in ((fan_in, "fan_in"), (fan_out, "fan_out")):
        if isinstance(n, (bool, np.bool_)) or not isinstance(n, (int, np.integer)):
            raise TypeError(f"{name} must be a whole number, got {n!r}")
        if n < 1:
            raise ValueError(f"{name} must be at least 1, got {n}")
    return _positive(gain, "gain") * math.sqrt(6.0 / (fan_in + fan_out))


def zeros(shape, rng=None):
    """All zeros (fine for biases; for weights every unit stays identical: no symmetry breaking)."""
    return np.zeros(_shape(shape))


def constant(shape, rng=None, value: float = 0.1):
    """Every entry equal to value (default 0.1, so the registry can call it like the others)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"value must be a real number, got {value!r}")
    return np.full(_shape(shape), float(value))


def small_normal(shape, rng, std: float = 0.01):
    """N(0, std^2) with a fixed small std of 0.01, ignoring the fans (the pre-Glorot habit)."""
    return _rng(rng).normal(0.0, _positive(std, "std"), size=_shape(shape))


def glorot_uniform(shape, rng, gain: float = 1.0):
    """U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out)) (torch.nn.init.xavier_uniform_)."""
    fan_in, fan_out = compute_fans(shape)
    a = glorot_limit(fan_in, fan_out, gain)
    return _rng(rng).uniform(-a, a, size=_shape(shape))


def glorot_normal(shape, rng, gain: float = 1.0):
    """N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out)) (torch.nn.init.xavier_normal_)."""
    fan_in, fan_out = compute_fans(shape)
    std = _positive(gain, "gain") * math.sqrt(2.0 / (fan_in + fan_out))
    return _rng(rng).normal(0.0, std, size=_shape(shape))


def he_uniform(shape, rng, mode: str = "fan_in", gain: float = math.sqrt(2.0)):
    """U(-a, a), a = gain * sqrt(3 / fan), gain sqrt 2 for ReLU (torch.nn.init.kaiming_uniform_)."""
    a = _positive(gain, "gain") * math.sqrt(3.0 / _fan(shape, mode))
    return _rng(rng).uniform(-a, a, size=_shape(shape))


def he_normal(shape, rng, mode: str = "fan_in", gain: float = math.sqrt(2.0)):
    """N(0, std^2), std = gain / sqrt(fan) = sqrt(2 / fan_in) for ReLU (kaiming_normal_)."""
    std = _positive(gain, "gain") / math.sqrt(_fan(shape, mode))
    return _rng(rng).normal(0.0, std, size=_shape(shape))


def lecun_uniform(shape, rng):
    """U(-a, a), a = sqrt(3 / fan_in), so the variance is 1 / fan_in (SELU's initialiser)."""
    a = math.sqrt(3.0 / _fan(shape, "fan_in"))
    return _rng(rng).uniform(-a, a, size=_shape(shape))


def lecun_normal(shape, rng):
    """N(0, 1/fan_in): std sqrt(1 / fan_in), a plain (not truncated) normal."""
    std = math.sqrt(1.0 / _fan(shape, "fan_in"))
    return _rng(rng).normal(0.0, std, size=_shape(shape))


def orthogonal(shape, rng, gain: float = 1.0):
    """A (semi-)orthogonal matrix drawn uniformly (Haar), as torch.nn.init.orthogonal_.

    Rows = shape[0], columns = the rest flattened. QR of a Gaussian matrix, with each column
    of Q multiplied by the sign of R's diagonal: without that fix Q is not uniformly
    distributed (LAPACK's Householder QR makes Q[0, 0] <= 0 every time). Wide results have
    orthonormal rows (W W^T = I), tall ones orthonormal columns (W^T W = I).
    """
    shape = _shape(shape)
    if len(shape) < 2:
        raise ValueError(f"orthogonal needs a weight with at least 2 dimensions, got shape {shape}")
    gain = _positive(gain, "gain")
    rows = shape[0]
    cols = math.prod(shape[1:])
    a = _rng(rng).normal(0.0, 1.0, size=(rows, cols))
    if rows < cols:
        a = a.T
    q, r = np.linalg.qr(a)
    q = q * np.where(np.diag(r) < 0, -1.0, 1.0)  # the sign fix; diag(r) == 0 has probability 0
    if rows < cols:
        q = q.T
    return gain * q.reshape(shape)


INITIALISERS = {
    "zeros": zeros,
    "constant": constant,
    "small_normal": small_normal,
    "glorot_uniform": glorot_uniform,
    "glorot_normal": glorot_normal,
    "he_uniform": he_uniform,
    "he_normal": he_normal,
    "lecun_uniform": lecun_uniform,
    "lecun_normal": lecun_normal,
    "orthogonal": orthogonal,
}
