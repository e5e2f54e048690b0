"""Overflow and underflow of softmax, log-softmax and log-sum-exp in float16, float32 and float64.

Every function here computes in the precision it is given, as numpy does in that dtype, so the
lesson can show the naive formulas failing exactly where real hardware fails:
exp(x) overflows to inf once x > log(max) of the format (about 11.09 in float16, 88.72 in float32,
709.78 in float64) and underflows to 0 once x < log(smallest subnormal) (about -17.33, -103.97, -745.13: exp rounds to 0 below half the smallest subnormal).
The stable versions subtract the largest logit first: softmax and log-softmax are unchanged by
a shift, and the largest shifted exponential is exactly e^0 = 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["FLOAT_FORMATS", "FormatLimits", "format_limits", "naive_softmax", "stable_softmax", "naive_log_softmax",
           "stable_log_softmax", "naive_logsumexp", "stable_logsumexp", "LogSumExpSteps", "logsumexp_steps",
           "first_overflow"]

FLOAT_FORMATS = ("float16", "float32", "float64")


@dataclass(frozen=True)
class FormatLimits:
    """What a floating-point format can hold, and where exp leaves that range.

    largest: the largest finite number; tiny: the smallest normal number; smallest: the smallest
    subnormal; exp_overflow: the largest x whose exp(x) is finite in the format (above it: inf);
    exp_underflow: the smallest x whose exp(x) is not 0 in the format (below it: 0).
    """

    name: str
    largest: float
    tiny: float
    smallest: float
    exp_overflow: float
    exp_underflow: float


def _dtype(dtype):
    name = np.dtype(dtype).name if not isinstance(dtype, str) else dtype
    if name not in FLOAT_FORMATS:
        raise ValueError(f"dtype must be one of {FLOAT_FORMATS}, got {dtype!r}")
    return np.dtype(name)


def _edge(dtype, lo, hi, finite_at):
    """Bisect the format's own numbers between lo and hi for the last x at which finite_at(x) holds."""
    lo, hi = dtype.type(lo), dtype.type(hi)
    while True:
        mid = dtype.type((float(lo) + float(hi)) / 2)
        if mid in (lo, hi):
            break
        if finite_at(mid):
            lo = mid
        else:
            hi = mid
    return float(lo) if finite_at(lo) else float(hi)


def format_limits(dtype) -> FormatLimits:
    """The limits of float16, float32 or float64, with exp's edges found by bisection in that format."""
    dt = _dtype(dtype)
    info = np.finfo(dt)
    with np.errstate(over="ignore", under="ignore"):
        overflow = _edge(dt, 0, math.log(float(info.max)) + 1, lambda x: np.isfinite(np.exp(x)))
        # bisect upwards from the zero side: the last x with exp(x) == 0, then the next number up
        last_zero = _edge(dt, math.log(float(info.smallest_subnormal)) - 2, 0, lambda x: np.exp(x) == 0)
    underflow = float(np.nextafter(dt.type(last_zero), dt.type(0)))
    return FormatLimits(dt.name, float(info.max), float(info.tiny), float(info.smallest_subnormal), overflow, underflow)


def _in(x, dtype):
    dt = _dtype(dtype)
    a = np.asarray(x, dtype=float)
    if a.ndim != 1 or a.size == 0:
        raise ValueError(f"logits must be a non-empty 1-D vector, got shape {a.shape}")
    if not np.all(np.isfinite(a)):
        raise ValueError("logits must be finite numbers")
    with np.errstate(over="ignore"):
        return a.astype(dt)


def naive_softmax(x, dtype="float64"):
    """exp(x) / sum(exp(x)) computed in dtype, as written: inf / inf = nan once a logit overflows."""
    a = _in(x, dtype)
    with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
        e = np.exp(a)
        return e / e.sum(dtype=a.dtype)


def stable_softmax(x, dtype="float64"):
    """exp(x - max x) / sum(exp(x - max x)) in dtype: the largest term is 1, so no inf and no 0 / 0."""
    a = _in(x, dtype)
    with np.errstate(under="ignore"):
        e = np.exp(a - a.max())
        return e / e.sum(dtype=a.dtype)


def naive_log_softmax(x, dtype="float64"):
    """log(softmax(x)) in dtype: -inf where a probability underflowed to 0, nan where exp overflowed."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(naive_softmax(x, dtype))


def stable_log_softmax(x, dtype="float64"):
    """(x - m) - log(sum exp(x - m)) in dtype, m = max x: finite for any finite logits."""
    a = _in(x, dtype)
    shifted = a - a.max()
    with np.errstate(under="ignore"):
        return shifted - np.log(np.exp(shifted).sum(dtype=a.dtype))


def naive_logsumexp(x, dtype="float64"):
    """log(sum(exp(x))) in dtype: inf once a logit overflows, -inf once all underflow."""
    a = _in(x, dtype)
    with np.errstate(over="ignore", under="ignore", divide="ignore"):
        return a.dtype.type(np.log(np.exp(a).sum(dtype=a.dtype)))


def stable_logsumexp(x, dtype="float64"):
    """m + log(sum(exp(x - m))) in dtype, m = max x."""
    return logsumexp_steps(x, dtype).result


@dataclass(frozen=True, eq=False)
class LogSumExpSteps:
    """The stable log-sum-exp one step at a time, every value in the format computed in.

    m: the largest logit; shifted: x - m (all <= 0, one exactly 0); exps: exp(shifted), in (0, 1];
    total: their sum, in [1, n]; log_total: log(total), in [0, log n]; result: m + log_total.
    """

    m: float
    shifted: np.ndarray
    exps: np.ndarray
    total: float
    log_total: float
    result: float


def logsumexp_steps(x, dtype="float64") -> LogSumExpSteps:
    """Each step of log-sum-exp with the max shift, in dtype."""
    a = _in(x, dtype)
    m = a.max()
    shifted = a - m
    with np.errstate(under="ignore"):
        exps = np.exp(shifted)
    total = exps.sum(dtype=a.dtype)
    log_total = np.log(total)
    return LogSumExpSteps(float(m), shifted, exps, float(total), float(log_total), float(a.dtype.type(m + log_total)))


def first_overflow(x, dtype="float64"):
    """The index of the first logit (in order) whose exp overflows to inf in dtype, or None."""
    a = _in(x, dtype)
    with np.errstate(over="ignore"):
        bad = np.flatnonzero(~np.isfinite(np.exp(a)))
    return int(bad[0]) if bad.size else None
