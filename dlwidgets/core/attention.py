"""Attention: dot, scaled dot-product and additive (Bahdanau) scores, masked softmax, multi-head.

Shapes follow ``torch.nn.functional.scaled_dot_product_attention``: q (..., Lq, d_k),
k (..., Lk, d_k), v (..., Lk, d_v), any leading batch dimensions broadcasting; scores and
weights are (..., Lq, Lk) and the output (..., Lq, d_v). Row i of the weights says how much
query i reads from each key position.

Masks are boolean with PyTorch's convention for a boolean attn_mask: True = the position
takes part, False = it is hidden and gets weight exactly 0. A row with every position hidden
has no meaningful softmax (PyTorch returns NaN there); here it raises a ValueError instead of
producing NaN silently. The softmax subtracts each row's maximum before exponentiating, so
huge scores give no overflow, no warnings and no NaN.

Temperature T divides the scores before the softmax: T -> 0 tends to a one-hot on the
largest score (shared equally between exact ties), large T tends to uniform weights.
"""

from __future__ import annotations

import numbers
from dataclasses import dataclass

import numpy as np

from .conv import _int

__all__ = [
    "SCORE_KINDS",
    "masked_softmax",
    "dot_scores",
    "scaled_dot_scores",
    "additive_params",
    "additive_scores",
    "attention",
    "Contexts",
    "encoder_decoder_contexts",
    "multihead_params",
    "multihead_attention",
]

SCORE_KINDS = ("dot", "scaled", "additive")


def _temperature(value):
    """A finite number > 0."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Real):
        raise TypeError(f"temperature must be a number, got {value!r}")
    value = float(value)
    if not (np.isfinite(value) and value > 0):
        raise ValueError(f"temperature must be a finite number > 0, got {value}")
    return value


def _mask(mask, shape):
    """A boolean mask broadcast to the scores' shape, or None."""
    if mask is None:
        return None
    mask = np.asarray(mask)
    if mask.dtype != np.bool_:
        raise TypeError(
            f"mask must be boolean (True = take part, False = hidden), got dtype {mask.dtype}"
        )
    try:
        return np.broadcast_to(mask, shape)
    except ValueError:
        raise ValueError(f"mask of shape {mask.shape} does not broadcast to the scores' shape {shape}") from None


def masked_softmax(scores, axis=-1, mask=None, temperature=1.0):
    """Stable softmax of scores / temperature along axis; masked-out (False) entries get exactly 0.

    Scores may be -inf (treated like a hidden position) but not +inf or NaN. Raises
    ValueError when every entry of a row is hidden.
    """
    s = np.asarray(scores, dtype=float)
    temperature = _temperature(temperature)
    if np.isnan(s).any() or np.isposinf(s).any():
        raise ValueError("scores must be finite numbers (or -inf for a hidden position)")
    m = _mask(mask, s.shape)
    keep = np.isfinite(s) if m is None else m & np.isfinite(s)
    if not keep.any(axis=axis).all():
        raise ValueError(
            "a row of the attention scores is fully masked: no position takes part, so its "
            "softmax is undefined"
        )
    with np.errstate(over="ignore", under="ignore", invalid="ignore"):
        top = np.max(np.where(keep, s, -np.inf), axis=axis, keepdims=True)
        # s - top <= 0, so exp never overflows; dividing by a tiny T may give -inf -> weight 0.
        shifted = np.where(keep, (s - top) / temperature, -np.inf)
        e = np.where(keep, np.exp(shifted), 0.0)
    return e / e.sum(axis=axis, keepdims=True)


def _qk(q, k):
    """q and k as float arrays of shape (..., L, d) with the same d."""
    q, k = np.asarray(q, dtype=float), np.asarray(k, dtype=float)
    if q.ndim < 2 or k.ndim < 2:
        raise ValueError(f"q and k must have shape (..., L, d), got {q.shape} and {k.shape}")
    return q, k


def dot_scores(q, k):
    """q . k for every query/key pair: q (..., Lq, d), k (..., Lk, d) -> (..., Lq, Lk)."""
    q, k = _qk(q, k)
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(f"dot-product scores need q and k of the same size d, got {q.shape[-1]} and {k.shape[-1]}")
    return q @ np.swapaxes(k, -1, -2)


def scaled_dot_scores(q, k):
    """q . k / sqrt(d_k): keeps the scores' spread near 1 for unit-variance q and k."""
    return dot_scores(q, k) / np.sqrt(np.shape(k)[-1])


def additive_params(query_size, key_size, attention_size, seed=0) -> dict:
    """Bahdanau parameters W_q (A, d_q), W_k (A, d_k), v (A,), uniform(-1/sqrt(fan_in), ...) like nn.Linear."""
    dq, dk, a = (_int(n, name) for n, name in ((query_size, "query_size"), (key_size, "key_size"),
                                              (attention_size, "attention_size")))
    if min(dq, dk, a) < 1:
        raise ValueError("query_size, key_size and attention_size must all be at least 1")
    rng = np.random.default_rng(seed)
    return {
        "W_q": rng.uniform(-1 / np.sqrt(dq), 1 / np.sqrt(dq), (a, dq)),
        "W_k": rng.uniform(-1 / np.sqrt(dk), 1 / np.sqrt(dk), (a, dk)),
        "v": rng.uniform(-1 / np.sqrt(a), 1 / np.sqrt(a), a),
    }


def additive_scores(q, k, params):
    """Bahdanau scores v . tanh(W_q q_i + W_k k_j) -> (..., Lq, Lk); q and k may differ in size."""
    q, k = _qk(q, k)
    if not isinstance(params, dict) or not {"W_q", "W_k", "v"} <= params.keys():
        raise ValueError("additive attention needs params with 'W_q', 'W_k' and 'v' (see additive_params)")
    wq, wk, v = (np.asarray(params[key], dtype=float) for key in ("W_q", "W_k", "v"))
    if v.ndim != 1 or wq.shape != (v.size, q.shape[-1]) or wk.shape != (v.size, k.shape[-1]):
        raise ValueError(
            f"with v of shape {v.shape}, W_q must be ({v.size}, {q.shape[-1]}) and W_k "
            f"({v.size}, {k.shape[-1]}); got {wq.shape} and {wk.shape}"
        )
    hidden = np.tanh((q @ wq.T)[..., :, None, :] + (k @ wk.T)[..., None, :, :])  # (..., Lq, Lk, A)
    return hidden @ v


def attention(q, k, v, kind="scaled", mask=None, temperature=1.0, params=None):
    """Attention output, weights and scores: masked_softmax(scores, mask, T) @ v.

    kind: 'dot' (q . k), 'scaled' (q . k / sqrt(d_k)) or 'additive' (v_a . tanh(W_q q + W_k k),
    needing params from ``additive_params``). mask: boolean, True = takes part. Returns
    (output (..., Lq, d_v), weights (..., Lq, Lk), scores (..., Lq, Lk)); the scores are the
    raw ones of the chosen kind, before temperature and mask.
    """
    if kind not in SCORE_KINDS:
        raise ValueError(f"kind must be one of {SCORE_KINDS}, got {kind!r}")
    if kind != "additive" and params is not None:
        raise ValueError(f"params are only used by kind='additive', not kind={kind!r}")
    values = np.asarray(v, dtype=float)
    if values.ndim < 2 or values.shape[-2] != np.shape(k)[-2]:
        raise ValueError(
            f"v must have shape (..., Lk, d_v) with Lk = {np.shape(k)[-2]} keys, got {values.shape}"
        )
    if kind == "dot":
        scores = dot_scores(q, k)
    elif kind == "scaled":
        scores = scaled_dot_scores(q, k)
    else:
        scores = additive_scores(q, k, params)
    weights = masked_softmax(scores, mask=mask, temperature=temperature)
    return weights @ values, weights, scores


@dataclass(frozen=True, eq=False)
class Contexts:
    """What a decoder sees of the source at each of its L_dec steps.

    fixed: (L_dec, H) the final encoder state, the same row at every step (no attention);
    attended: (L_dec, H) one attention context per step; weights: (L_dec, L_enc).
    """

    fixed: np.ndarray
    attended: np.ndarray
    weights: np.ndarray


def encoder_decoder_contexts(decoder_states, encoder_states, kind="dot", temperature=1.0, params=None) -> Contexts:
    """Contexts with and without attention, to show that attention needs no fixed-length bottleneck.

    A seq2seq decoder without attention reads the whole source through the last encoder state:
    H numbers however long the source is. With attention each decoder step (query) builds its
    own context as a weighted sum of all encoder states (keys = values), so contexts differ per
    step, and a sharp query matching encoder state j reads back state j itself, for any length.
    decoder_states (L_dec, H_q), encoder_states (L_enc, H).
    """
    enc = np.asarray(encoder_states, dtype=float)
    dec = np.asarray(decoder_states, dtype=float)
    if enc.ndim != 2 or enc.shape[0] < 1 or dec.ndim != 2:
        raise ValueError(
            f"encoder_states must be (L_enc, H) and decoder_states (L_dec, H_q), got {enc.shape} and {dec.shape}"
        )
    attended, weights, _ = attention(dec, enc, enc, kind=kind, temperature=temperature, params=params)
    fixed = np.broadcast_to(enc[-1], (dec.shape[0], enc.shape[1])).copy()
    return Contexts(fixed, attended, weights)


def multihead_params(embed_dim, seed=0, bias=True) -> dict:
    """``nn.MultiheadAttention`` parameters: in_proj_weight (3E, E) stacked q, k, v; out_proj_weight (E, E).

    Initialised as PyTorch does: in_proj_weight Xavier-uniform, out_proj_weight
    uniform(-1/sqrt(E), 1/sqrt(E)), in_proj_bias (3E,) and out_proj_bias (E,) zero.
    """
    e = _int(embed_dim, "embed_dim")
    if e < 1:
        raise ValueError(f"embed_dim must be at least 1, got {e}")
    rng = np.random.default_rng(seed)
    bound = np.sqrt(6.0 / (e + 3 * e))
    params = {
        "in_proj_weight": rng.uniform(-bound, bound, (3 * e, e)),
        "out_proj_weight": rng.uniform(-1 / np.sqrt(e), 1 / np.sqrt(e), (e, e)),
    }
    if bias:
        params["in_proj_bias"] = np.zeros(3 * e)
        params["out_proj_bias"] = np.zeros(e)
    return params


def _split_heads(x, num_heads):
    """(..., L, E) -> (..., heads, L, E / heads)."""
    *lead, length, e = x.shape
    return np.swapaxes(x.reshape(*lead, length, num_heads, e // num_heads), -2, -3)


def multihead_attention(query, key, value, params, num_heads, mask=None):
    """Multi-head scaled dot-product attention like ``nn.MultiheadAttention`` (batch_first, kdim = vdim = E).

    Project q, k, v with the three row blocks of in_proj_weight, split E into num_heads heads
    of E / num_heads, attend in every head, concatenate the heads and apply out_proj.
    query (..., Lq, E), key and value (..., Lk, E); mask boolean, True = takes part,
    broadcasting to (..., heads, Lq, Lk). Returns (output (..., Lq, E), weights
    (..., heads, Lq, Lk)) -- per head, where PyTorch by default averages them.
    """
    heads = _int(num_heads, "num_heads")
    w_in = np.asarray(params["in_proj_weight"], dtype=float)
    w_out = np.asarray(params["out_proj_weight"], dtype=float)
    e = w_out.shape[0]
    if w_in.shape != (3 * e, e) or w_out.shape != (e, e):
        raise ValueError(f"in_proj_weight must be (3E, E) and out_proj_weight (E, E), got {w_in.shape} and {w_out.shape}")
    if heads < 1 or e % heads:
        raise ValueError(f"num_heads={heads} must be at least 1 and divide embed_dim={e}")
    b_in = np.asarray(params.get("in_proj_bias", np.zeros(3 * e)), dtype=float)
    b_out = np.asarray(params.get("out_proj_bias", np.zeros(e)), dtype=float)
    q, k, v = (np.asarray(a, dtype=float) for a in (query, key, value))
    for name, a in (("query", q), ("key", k), ("value", v)):
        if a.ndim < 2 or a.shape[-1] != e:
            raise ValueError(f"{name} must have shape (..., L, {e}), got {a.shape}")
    projected = [a @ w_in[j * e:(j + 1) * e].T + b_in[j * e:(j + 1) * e] for j, a in enumerate((q, k, v))]
    qh, kh, vh = (_split_heads(a, heads) for a in projected)
    out, weights, _ = attention(qh, kh, vh, kind="scaled", mask=mask)
    out = np.swapaxes(out, -2, -3)  # (..., Lq, heads, E / heads)
    concat = out.reshape(*out.shape[:-2], e)
    return concat @ w_out.T + b_out, weights
