"""The seeded runs the recurrent and attention lessons show in their widgets and check in their exercises.

Each function sets up one experiment from a few settings (sizes, a seed, the quantity the
learner varies) and runs it with the rest of dlwidgets.core, so a widget and the exercise that
grades what the learner found in it compute exactly the same numbers.
"""

from __future__ import annotations

import functools

import numpy as np

from .attention import additive_params, attention, dot_scores, encoder_decoder_contexts, masked_softmax, scaled_dot_scores
from .gru import gru_params, gru_sequence
from .init import INITIALISERS
from .lstm import lstm_params, lstm_sequence
from .masks import attention_mask
from .mlp import MLP, ForwardBackwardResult
from .mlp_weights import stream_initialiser
from .rnn import rnn_bptt, rnn_forward, rnn_params, scale_to_spectral_radius

__all__ = [
    "mlp_batch", "scaled_initialiser", "mlp_network", "mlp_experiment",
    "rnn_experiment", "gradient_ratio", "rnn_radius_sweep",
    "pulse_inputs", "lstm_experiment", "gru_experiment",
    "attention_experiment", "score_scaling_comparison",
    "BOTTLENECK_TEMPERATURE", "BOTTLENECK_HIDDEN", "BOTTLENECK_INPUT", "bottleneck_experiment",
]

# ---------------------------------------------------------------- a plain RNN's gradient through time


def rnn_experiment(steps=20, hidden_size=6, input_size=2, spectral_radius=0.9, input_scale=0.01,
                   bias=False, seed=0):
    """(params, xs, RNNGradients) of a tanh RNN whose W_hh has the given spectral radius.

    Parameters are ``rnn_params(input_size, hidden_size, seed, bias)`` with weight_hh
    rescaled to the given spectral radius; inputs are seeded standard normal times
    input_scale; the loss is sum(h_T), so ``gradient_ratio(grads.grad_norms)`` says how much
    of the gradient at the last step reaches the first.
    """
    params = rnn_params(input_size, hidden_size, seed=seed, bias=bias)
    params["weight_hh"] = scale_to_spectral_radius(params["weight_hh"], spectral_radius)
    xs = np.random.default_rng(seed).normal(size=(steps, input_size)) * input_scale
    return params, xs, rnn_bptt(xs, params)


def gradient_ratio(grad_norms) -> float:
    """||dL/dh_0|| / ||dL/dh_T|| from the norms of every step: below 1 the gradient vanishes going back."""
    return float(grad_norms[0] / grad_norms[-1])


def rnn_radius_sweep(radii, **settings) -> list:
    """``gradient_ratio`` of ``rnn_experiment(**settings)`` at every spectral radius in ``radii``."""
    return [gradient_ratio(rnn_experiment(**{**settings, "spectral_radius": rho})[2].grad_norms) for rho in radii]


# ---------------------------------------------------------------- LSTM and GRU memory of a pulse


def pulse_inputs(steps, pulse, noise, seed) -> np.ndarray:
    """(T, 1) inputs: a pulse at step 1 on top of seeded normal noise of the given size."""
    xs = np.random.default_rng(seed).normal(size=(steps, 1)) * noise
    xs[0, 0] += pulse
    return xs


def lstm_experiment(forget_bias=0.0, steps=30, hidden_size=4, pulse=2.0, noise=0.3, seed=0):
    """(xs, LSTMSequence) over ``pulse_inputs``, parameters ``lstm_params(1, H, seed, forget_bias)``."""
    xs = pulse_inputs(steps, pulse, noise, seed)
    return xs, lstm_sequence(xs, lstm_params(1, hidden_size, seed=seed, forget_bias=forget_bias))


def gru_experiment(update_bias=0.0, steps=30, hidden_size=4, pulse=2.0, noise=0.3, seed=0):
    """(xs, GRUSequence) over ``pulse_inputs``, parameters ``gru_params(1, H, seed, update_bias=...)``.

    z near 1 copies the old state through (memory), z near 0 replaces it with the candidate.
    """
    xs = pulse_inputs(steps, pulse, noise, seed)
    return xs, gru_sequence(xs, gru_params(1, hidden_size, seed=seed, update_bias=update_bias))


# ---------------------------------------------------------------- attention


def attention_experiment(length, d_k=16, kind="scaled", temperature=1.0, mask="none", padding=0, seed=0):
    """(q, k, v, mask array or None, (output, weights, scores)) for self-attention over ``length`` tokens.

    q, k are seeded standard normal (length, d_k), v is (length, 4); the mask is
    ``attention_mask(mask, length, padding)``; everything else is ``attention``.
    """
    m = attention_mask(mask, length, padding)
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(length, d_k)), rng.normal(size=(length, d_k)), rng.normal(size=(length, 4))
    params = additive_params(d_k, d_k, d_k, seed=seed) if kind == "additive" else None
    return q, k, v, m, attention(q, k, v, kind=kind, mask=m, temperature=temperature, params=params)


def score_scaling_comparison(q, k, mask=None, temperature=1.0) -> dict:
    """Unscaled (q·k) against scaled (q·k/√d_k) scores for the same q and k.

    Returns {"dot": ..., "scaled": ...}, each {"score_std": standard deviation of the scores,
    "mean_max_weight": the largest softmax weight of each query, averaged}.
    """
    out = {}
    for name, fn in (("dot", dot_scores), ("scaled", scaled_dot_scores)):
        s = fn(q, k)
        w = masked_softmax(s, mask=mask, temperature=temperature)
        out[name] = {"score_std": float(np.std(s)), "mean_max_weight": float(w.max(axis=1).mean())}
    return out


BOTTLENECK_TEMPERATURE = 0.02
BOTTLENECK_HIDDEN, BOTTLENECK_INPUT = 16, 4


def bottleneck_experiment(source_length=12, seed=0):
    """An RNN encoder over a seeded source, with and without attention (``encoder_decoder_contexts``).

    Returns (encoder states (L, H), Contexts, influence (L,)): influence[j] = ||dL/dx_j|| for
    L = sum(h_T), from ``rnn_bptt``: how much the one fixed context still depends on source
    token j. For attention the encoder states are scaled to unit length (as a normalisation
    layer would) and the decoder's queries are those states themselves, the ideal queries of
    a copy task; scaled dot-product scores, temperature ``BOTTLENECK_TEMPERATURE``. Then the
    largest score of decoder step j is at source position j, however long the source.
    """
    xs = np.random.default_rng(seed).normal(size=(source_length, BOTTLENECK_INPUT))
    params = rnn_params(BOTTLENECK_INPUT, BOTTLENECK_HIDDEN, seed=seed)
    enc = rnn_forward(xs, params)
    enc = enc / np.linalg.norm(enc, axis=1, keepdims=True)
    contexts = encoder_decoder_contexts(enc, enc, kind="scaled", temperature=BOTTLENECK_TEMPERATURE)
    influence = np.linalg.norm(rnn_bptt(xs, params).xs, axis=1)
    return enc, contexts, influence


# ---------------------------------------------------------------- deep MLPs (lessons 02 and 03)

def mlp_batch(width: int, batch: int, seed: int):
    """The lessons' fixed batch: x ~ N(0, 1) of shape (batch, width), y ~ N(0, 1) of shape (batch, 1).

    Drawn from ``np.random.default_rng(seed + 1)``; the network's weights use ``seed``.
    """
    rng = np.random.default_rng(seed + 1)
    return rng.normal(size=(batch, width)), rng.normal(size=(batch, 1))


def _scaled_init(init, scale, shape, rng):
    return scale * init(shape, rng)


def scaled_initialiser(init: str, scale: float):
    """The initialiser ``init`` with every weight multiplied by ``scale`` (the name itself if scale is 1)."""
    if scale == 1.0:
        return init
    return functools.partial(_scaled_init, INITIALISERS[init], scale)


def mlp_network(depth=30, width=64, activation="sigmoid", init="glorot_normal", weight_scale=1.0,
                batch_norm=False, residual=False, seed=0, read_only=False) -> MLP:
    """The lessons' deep MLP: ``depth`` hidden layers of ``width``, one output, MSE loss.

    Its weights are those ``MLP(..., init=scaled_initialiser(init, weight_scale), seed=seed)``
    draws, taken from a cache shared by every depth and weight scale (see ``mlp_weights``).
    read_only=True, for a network that is never trained: its hidden weight matrices are read-only
    arrays shared with the cache (and with every other such network) instead of copies.
    """
    weight_scale = float(weight_scale)
    drawn_with = scaled_initialiser(init, weight_scale)
    shareable = (isinstance(init, str) and init in INITIALISERS and type(seed) is int  # seed None: fresh each time
                 and type(depth) is int and type(width) is int and depth >= 1 and width >= 1)
    initialiser = stream_initialiser(depth, width, init, weight_scale, seed, read_only) if shareable else drawn_with
    net = MLP(depth, width, activation=activation, init=initialiser, batch_norm=batch_norm, residual=residual,
              loss="mse", seed=seed)
    net.init = drawn_with  # what the network was drawn with, as before
    return net


def mlp_experiment(depth=30, width=64, batch=64, activation="sigmoid", init="glorot_normal", weight_scale=1.0,
                   batch_norm=False, residual=False, max_norm=0.0, seed=0) -> ForwardBackwardResult:
    """One forward and backward pass of ``mlp_network`` on ``mlp_batch`` (max_norm 0: no clipping)."""
    x, y = mlp_batch(width, batch, seed)
    net = mlp_network(depth, width, activation, init, weight_scale, batch_norm, residual, seed)
    with np.errstate(all="ignore"):
        return net.forward_backward(x, y, max_norm=max_norm or None)
