"""Dropout and its relatives, in PyTorch's conventions: inverted dropout, DropConnect, and the
recurrent variants (the same mask at every time step, and zoneout) on ``core.rnn``'s cell.

Inverted dropout zeroes each unit with probability p in training and scales the survivors by
1/(1-p), so the expected output equals the input and eval mode is the identity (``nn.Dropout``).
Masks are arrays of 0 and 1 (1 = kept); pass one explicitly, or a seed to draw it.
"""

from __future__ import annotations

import numpy as np

from .rnn import _check_params, _initial, _rnn_step, _sequence

__all__ = ["dropout_mask", "dropout", "dropconnect_linear", "variational_rnn_forward", "naive_recurrent_dropout_forward",
           "zoneout_rnn_forward", "masked_predictions"]


def _probability(p: float) -> float:
    p = float(p)
    if not 0.0 <= p < 1.0:
        raise ValueError(f"the drop probability p must be in [0, 1), got {p}")
    return p


def dropout_mask(shape, p: float, rng) -> np.ndarray:
    """A mask of shape ``shape``: 1 (kept) with probability 1 - p, else 0; rng is a seed or a numpy Generator."""
    rng = np.random.default_rng(rng) if not isinstance(rng, np.random.Generator) else rng
    return (rng.random(shape) >= _probability(p)).astype(float)


def _mask_for(shape, p, mask, seed):
    if mask is None:
        return dropout_mask(shape, p, seed)
    mask = np.asarray(mask, float)
    if mask.shape != tuple(shape):
        raise ValueError(f"the mask must have shape {tuple(shape)}, got {mask.shape}")
    return mask


def dropout(x, p: float, training: bool = True, mask=None, seed=None):
    """Inverted dropout: (x * mask / (1 - p), mask) in training; (x, None) in eval."""
    x = np.asarray(x, float)
    p = _probability(p)
    if not training or p == 0.0:
        return x, None
    mask = _mask_for(x.shape, p, mask, seed)
    return x * mask / (1.0 - p), mask


def dropconnect_linear(x, weight, bias, p: float, training: bool = True, mask=None, seed=None):
    """A linear layer x @ W.T + b whose WEIGHTS are dropped: each weight kept with probability 1 - p and
    scaled by 1/(1 - p) in training (one mask for the batch); eval uses W. Returns (y, mask)."""
    x, weight, bias = np.asarray(x, float), np.asarray(weight, float), np.asarray(bias, float)
    p = _probability(p)
    if not training or p == 0.0:
        return x @ weight.T + bias, None
    mask = _mask_for(weight.shape, p, mask, seed)
    return x @ (weight * mask / (1.0 - p)).T + bias, mask


def _masked_run(params, xs, h0, input_mask, hidden_mask):
    """An RNN run whose input and previous hidden state are multiplied by masks (rows per step)."""
    p, hidden, d, _ = _check_params(params, 1, "RNN")
    xs = _sequence(xs, d)
    h = _initial(h0, hidden, "h0")
    hs = np.empty((xs.shape[0], hidden))
    for t, x in enumerate(xs):
        h = hs[t] = _rnn_step(p, x * input_mask[t], h * hidden_mask[t])
    return hs


def variational_rnn_forward(xs, params, p_input: float, p_hidden: float, seed=0, training: bool = True, h0=None):
    """Variational (Gal and Ghahramani) dropout on an RNN: ONE input mask and ONE hidden-state mask, drawn
    once and used at every time step (inverted scaling). Returns (hidden states (T, H), input mask (D,),
    hidden mask (H,)); in eval the plain ``rnn_forward`` with masks of ones."""
    p, hidden, d, _ = _check_params(params, 1, "RNN")
    steps = _sequence(xs, d).shape[0]
    if not training:
        return _masked_run(params, xs, h0, np.ones((steps, d)), np.ones((steps, hidden))), np.ones(d), np.ones(hidden)
    rng = np.random.default_rng(seed)
    pi, ph = _probability(p_input), _probability(p_hidden)
    mx = dropout_mask(d, pi, rng) / (1.0 - pi)
    mh = dropout_mask(hidden, ph, rng) / (1.0 - ph)
    return _masked_run(params, xs, h0, np.tile(mx, (steps, 1)), np.tile(mh, (steps, 1))), mx, mh


def naive_recurrent_dropout_forward(xs, params, p_input: float, p_hidden: float, seed=0, h0=None):
    """For contrast: a NEW mask at every time step (inverted scaling). Returns (hidden states, input masks
    (T, D), hidden masks (T, H))."""
    p, hidden, d, _ = _check_params(params, 1, "RNN")
    steps = _sequence(xs, d).shape[0]
    rng = np.random.default_rng(seed)
    pi, ph = _probability(p_input), _probability(p_hidden)
    mx = dropout_mask((steps, d), pi, rng) / (1.0 - pi)
    mh = dropout_mask((steps, hidden), ph, rng) / (1.0 - ph)
    return _masked_run(params, xs, h0, mx, mh), mx, mh


def zoneout_rnn_forward(xs, params, p: float, seed=0, training: bool = True, h0=None):
    """Zoneout (Krueger et al. 2017) on an RNN: each unit KEEPS its previous value with probability p instead of
    updating, h_t = m * h_{t-1} + (1 - m) * tanh(...), a new mask m per step; in eval the expectation
    h_t = p * h_{t-1} + (1 - p) * tanh(...). Returns (hidden states (T, H), keep masks (T, H), ones in eval)."""
    prm, hidden, d, _ = _check_params(params, 1, "RNN")
    xs = _sequence(xs, d)
    p = _probability(p)
    h = _initial(h0, hidden, "h0")
    rng = np.random.default_rng(seed)
    keep = (rng.random((xs.shape[0], hidden)) < p).astype(float) if training else np.full((xs.shape[0], hidden), p)
    hs = np.empty((xs.shape[0], hidden))
    for t, x in enumerate(xs):
        h = hs[t] = keep[t] * h + (1.0 - keep[t]) * _rnn_step(prm, x, h)
    return hs, keep if training else np.ones_like(keep)


def masked_predictions(forward, shape, p: float, count: int, seed=0) -> np.ndarray:
    """``forward(mask)`` for ``count`` masks of ``shape`` drawn with drop probability p, stacked: the
    predictions of the thinned networks dropout samples (average them to approximate the ensemble)."""
    rng = np.random.default_rng(seed)
    return np.array([forward(dropout_mask(shape, p, rng)) for _ in range(int(count))])
