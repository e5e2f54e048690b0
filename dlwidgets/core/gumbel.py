"""Gumbel-softmax: a differentiable stand-in for sampling a token, and why text GANs need one.

A generator that writes text picks a token: y = one_hot(argmax(logits + g)) with Gumbel noise
g = -log(-log u), u ~ Uniform(0, 1), is an exact sample of softmax(logits) (the Gumbel-max trick).
But argmax is flat almost everywhere: its gradient with respect to the logits is zero, so the
discriminator's verdict cannot flow back into the generator. Gumbel-softmax (Jang et al. 2017;
Maddison et al. 2017) replaces the argmax by softmax((logits + g) / tau): differentiable, and close
to the one-hot sample when the temperature tau is small (with larger-variance gradients).
The straight-through estimator uses the one-hot sample going forward and the soft sample's
gradient going backward. SeqGAN (Yu et al. 2017) instead treats the generator as a policy and
uses the discriminator's score as a reward, with the score-function (REINFORCE) gradient
``reinforce_gradient``.
"""

from __future__ import annotations

import numpy as np

__all__ = ["gumbel_noise", "gumbel_softmax", "gumbel_argmax", "straight_through", "gumbel_softmax_jacobian",
           "categorical_probs", "reinforce_gradient", "expected_reward_gradient"]


def _softmax(a, axis=-1):
    a = a - np.max(a, axis=axis, keepdims=True)
    e = np.exp(a)
    return e / np.sum(e, axis=axis, keepdims=True)


def categorical_probs(logits) -> np.ndarray:
    """softmax(logits): the distribution the Gumbel-max trick samples from."""
    return _softmax(np.asarray(logits, dtype=float))


def gumbel_noise(u) -> np.ndarray:
    """g = -log(-log u) for u in (0, 1): standard Gumbel noise from uniform numbers."""
    u = np.asarray(u, dtype=float)
    if np.any((u <= 0) | (u >= 1)):
        raise ValueError("u must lie strictly between 0 and 1")
    return -np.log(-np.log(u))


def gumbel_softmax(logits, u, tau: float) -> np.ndarray:
    """softmax((logits + g) / tau) with g = gumbel_noise(u): a soft, differentiable sample."""
    if not tau > 0:
        raise ValueError(f"the temperature tau must be positive, got {tau!r}")
    return _softmax((np.asarray(logits, dtype=float) + gumbel_noise(u)) / tau)


def gumbel_argmax(logits, u) -> np.ndarray:
    """one_hot(argmax(logits + g)): an exact sample of softmax(logits), with no useful gradient."""
    scores = np.asarray(logits, dtype=float) + gumbel_noise(u)
    return (scores == np.max(scores, axis=-1, keepdims=True)).astype(float)


def straight_through(logits, u, tau: float) -> tuple[np.ndarray, np.ndarray]:
    """(forward value, d soft / d logits): the one-hot sample, and the Jacobian the backward pass uses
    in its place (that of ``gumbel_softmax``), as y_hard - stop_gradient(y_soft) + y_soft does."""
    soft = gumbel_softmax(logits, u, tau)
    return gumbel_argmax(logits, u), gumbel_softmax_jacobian(soft, tau)


def gumbel_softmax_jacobian(soft, tau: float) -> np.ndarray:
    """d y_i / d logit_j = (diag(y) - y y^T) / tau for one soft sample y (K,)."""
    y = np.asarray(soft, dtype=float)
    return (np.diag(y) - np.outer(y, y)) / tau


def reinforce_gradient(logits, samples, rewards) -> np.ndarray:
    """Score-function estimate of d E[reward] / d logits: mean over samples of reward * (one_hot(k) - p).
    SeqGAN's policy gradient, with the discriminator's score as the reward of a sampled token k."""
    p = categorical_probs(logits)
    samples = np.asarray(samples, dtype=int)
    rewards = np.asarray(rewards, dtype=float)
    onehots = np.eye(len(p))[samples]
    return np.mean(rewards[:, None] * (onehots - p), axis=0)


def expected_reward_gradient(logits, reward_per_token) -> np.ndarray:
    """The exact d E_{k ~ softmax(logits)}[r_k] / d logits = p * (r - p.r): what REINFORCE estimates."""
    p = categorical_probs(logits)
    r = np.asarray(reward_per_token, dtype=float)
    return p * (r - p @ r)
