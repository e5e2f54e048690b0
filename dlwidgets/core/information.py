"""Entropy, cross-entropy and KL divergence of discrete distributions, in nats (natural log) unless told.

H(p) = -sum p log p; H(p, q) = -sum p log q; KL(p || q) = sum p log(p / q) = H(p, q) - H(p), with 0 log 0 = 0.
KL is not symmetric: KL(p || q) is infinite where q is 0 but p is not, and weighs p's mass, not q's.
Training a classifier with cross-entropy against a fixed target p minimises KL(p || model), since H(p)
does not depend on the model.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["entropy", "cross_entropy_of", "kl_divergence", "binned_distribution", "DIVERGENCE_BINS"]

DIVERGENCE_BINS = 9   # outcomes of the distributions lesson 12's learner shapes


def _distribution(p, name):
    p = np.asarray(p, dtype=float)
    if p.ndim == 0 or p.size == 0:
        raise ValueError(f"{name} must be a non-empty vector of probabilities")
    if np.any(~np.isfinite(p)) or np.any(p < 0):
        raise ValueError(f"{name} must hold finite probabilities >= 0")
    if not np.allclose(p.sum(axis=-1), 1.0, atol=1e-6):
        raise ValueError(f"{name} must sum to 1, got {np.round(p.sum(axis=-1), 6)}")
    return p


def _log(base):
    if base is None:
        return 1.0
    if not (isinstance(base, (int, float)) and base > 0 and base != 1):
        raise ValueError(f"base must be a number > 0 other than 1, got {base!r}")
    return math.log(base)


def entropy(p, base=None):
    """H(p) = -sum p log p along the last axis (0 log 0 = 0); base 2 gives bits."""
    p = _distribution(p, "p")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return terms.sum(axis=-1) / _log(base)


def cross_entropy_of(p, q, base=None):
    """H(p, q) = -sum p log q along the last axis: the mean code length of p's outcomes in q's code.

    Infinite when q gives 0 to an outcome p can produce.
    """
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, -p * np.log(np.where(q > 0, q, 0.0)), 0.0)
    return terms.sum(axis=-1) / _log(base)


def kl_divergence(p, q, base=None):
    """KL(p || q) = sum p log(p / q) along the last axis: >= 0, 0 only when p = q, and not symmetric."""
    p, q = _distribution(p, "p"), _distribution(q, "q")
    if p.shape != q.shape:
        raise ValueError(f"p and q must have the same shape, got {p.shape} and {q.shape}")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(p > 0, p / np.where(q > 0, q, 0.0), 1.0)
        terms = np.where(p > 0, p * np.log(ratio), 0.0)
    return terms.sum(axis=-1) / _log(base)


def binned_distribution(bins, centre, width):
    """A bell-shaped distribution over ``bins`` outcomes 0..bins-1: exp(-(i - centre)^2 / (2 width^2)), normalised.

    How the lesson's widget lets a learner shape p and q with two numbers each.
    """
    if not (isinstance(bins, (int, np.integer)) and bins >= 1):
        raise ValueError(f"bins must be a whole number >= 1, got {bins!r}")
    if not width > 0:
        raise ValueError(f"width must be > 0, got {width}")
    i = np.arange(bins, dtype=float)
    logits = -((i - centre) ** 2) / (2.0 * width * width)
    e = np.exp(logits - logits.max())
    return e / e.sum()
