"""Checks for lesson 11 (attention). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import (attention, attention_experiment, dot_scores, lstm_params, lstm_sequence, masked_softmax,
                    scaled_dot_scores)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_attention", "check_attention_weight", "check_score_kinds", "check_bottleneck_size",
    "check_decoder_challenge", "PREDICT_Q", "PREDICT_K", "CHALLENGE_QUERY", "CHALLENGE_WEIGHT",
]

# ---------------------------------------------------------------- 1. scaled dot-product attention


def _reference(q, k, v, mask=None):
    return attention(q, k, v, kind="scaled", mask=mask)[0]


def _cases(hidden=False):
    # (Lq, Lk, d_k, d_v, mask, scale of q and k): scale 40 gives scores in the thousands
    specs = [(3, 4, 4, 2, None, 2), (2, 5, 3, 3, "causal", 2), (4, 4, 8, 2, "padding", 2), (3, 4, 4, 2, None, 40)]
    if hidden:
        specs += [(1, 3, 2, 1, "padding", 2), (5, 5, 16, 4, "causal", 2), (2, 3, 4, 2, "causal", 60)]
    cases = []
    for seed, (lq, lk, d, dv, kind, scale) in enumerate(specs):
        rng = np.random.default_rng(110 + seed)
        q, k, v = rng.normal(size=(lq, d)) * scale, rng.normal(size=(lk, d)) * scale, rng.normal(size=(lk, dv))
        if kind == "causal":
            mask = np.tril(np.ones((lq, lk), dtype=bool), k=lk - lq)
        elif kind == "padding":
            mask = np.ones((lq, lk), dtype=bool)
            mask[:, -1] = False
        else:
            mask = None
        label = f"q {q.shape}, k {k.shape}, v {v.shape}, mask={'None' if mask is None else kind}" + (
            f" (scores up to {np.abs(scaled_dot_scores(q, k)).max():.0f}: subtract each row's max)" if scale > 2 else "")
        cases.append(Case((q, k, v), {"mask": mask}, label=label))
    return cases


def _fill_zero(q, k, v, mask=None):
    scores = scaled_dot_scores(q, k)
    if mask is not None:
        scores = np.where(mask, scores, 0.0)
    return masked_softmax(scores) @ np.asarray(v, dtype=float)


ATTENTION_MISTAKES = [
    Mistake(lambda q, k, v, mask=None: attention(q, k, v, kind="dot", mask=mask)[0],
            "the scores are not divided by sqrt(d_k). For unit-variance q and k, q·k has variance d_k, so large "
            "d_k pushes the softmax towards one-hot and its gradients towards zero."),
    Mistake(_fill_zero,
            "masked positions are set to 0 before the softmax. exp(0) = 1 still gives them weight; fill them "
            "with -inf (or leave them out) so their weight is exactly 0."),
    Mistake(lambda q, k, v, mask=None: masked_softmax(scaled_dot_scores(q, k)) @ np.asarray(v, float),
            "the mask is ignored."),
    Mistake(lambda q, k, v, mask=None: attention(q, k, v, kind="scaled", mask=mask)[1],
            "that is the weight matrix; return weights @ v, the weighted sum of the values."),
]

register_hints("attention", [
    "Three steps: scores = q @ k.T / sqrt(d_k); hide masked scores; softmax each row; multiply by v.",
    "For the mask use np.where(mask, scores, -np.inf). Subtract each row's maximum before np.exp for stability.",
    "d_k = q.shape[-1]\n"
    "scores = q @ k.T / np.sqrt(d_k)\n"
    "if mask is not None:\n"
    "    scores = np.where(mask, scores, -np.inf)\n"
    "scores = scores - scores.max(axis=-1, keepdims=True)\n"
    "weights = np.exp(scores)\n"
    "weights = weights / weights.sum(axis=-1, keepdims=True)\n"
    "return weights @ v",
])


def check_attention(fn, hidden: bool = False) -> None:
    """The learner's scaled_dot_product_attention(q, k, v, mask=None) against dlwidgets.core.attention."""
    check_function(fn, _reference, _cases(hidden), exercise="attention", name="scaled_dot_product_attention",
                   mistakes=ATTENTION_MISTAKES)


# ---------------------------------------------------------------- 2. predict a weight

PREDICT_Q = np.array([[1.0, 1.0]])
PREDICT_K = np.array([[1.0, 1.0], [1.0, -1.0]])

register_hints("attention_weight", [
    "Scores first: q·k for each key, divided by sqrt(d_k) = sqrt(2).",
    "The scores are 2/√2 = √2 and 0. The weight on key 0 is e^√2 / (e^√2 + e^0).",
    "w0 = np.exp(np.sqrt(2)) / (np.exp(np.sqrt(2)) + 1)  # about 0.804",
])


def check_attention_weight(answer) -> None:
    """Scaled dot-product weight of q = [1, 1] on key [1, 1] when the other key is [1, -1]."""
    expected = float(masked_softmax(scaled_dot_scores(PREDICT_Q, PREDICT_K))[0, 0])
    unscaled = float(masked_softmax(dot_scores(PREDICT_Q, PREDICT_K))[0, 0])
    check_value(answer, expected, exercise="attention_weight", name="w0", rtol=1e-3, atol=1e-3, mistakes={
        unscaled: "that is the unscaled softmax: divide the scores by sqrt(d_k) = sqrt(2) first.",
        1.0: "the scores were normalised by their sum (or rounded to one-hot); softmax normalises exp(scores) "
             "and never gives exactly 1 to a finite score difference.",
    })


# ---------------------------------------------------------------- 3. kinds of attention (E06)

SCORE_KIND_OPTIONS = {
    "a": "q^T k needs q and k of the same length: a 512-vector and a 256-vector have no dot product.",
    "b": "Yes. A bilinear score q^T W k has a learned W of shape (512, 256) that brings the two into one space. "
         "Additive attention, v^T tanh(W_q q + W_k k), can do the same; dot and scaled dot cannot.",
    "c": "Dividing by sqrt(d_k) only rescales a dot product, which needs equal lengths in the first place.",
    "d": "Bilinear (q^T W k) and additive (v^T tanh(W_q q + W_k k)) scores compare vectors of different sizes "
         "through their learned matrices.",
}

register_hints("score_kinds", [
    "Write each score function down with its shapes. Which one can multiply a 512-vector with a 256-vector?",
    "Only a score with a learned matrix in it can connect two different sizes.",
    "The answer is (b).",
])


def check_score_kinds(answer) -> None:
    """E06: which score function compares a query and a key of different sizes."""
    check_choice(answer, "b", SCORE_KIND_OPTIONS, exercise="score_kinds", name="score_kind")


# ---------------------------------------------------------------- 4. the bottleneck (A14)

BOTTLENECK_HIDDEN, BOTTLENECK_SOURCE = 20, 30

register_hints("bottleneck_size", [
    "Without attention the decoder starts from the encoder's final states only, whatever the source length.",
    "An LSTM has two states, h and c, of the hidden size each; a bidirectional encoder has two LSTMs.",
    "fixed_numbers = 2 * 2 * 20  # directions x (h and c) x hidden size",
])


def bottleneck_numbers(hidden=BOTTLENECK_HIDDEN, source_length=BOTTLENECK_SOURCE) -> int:
    """Numbers in the final h and c of both directions of a bidirectional LSTM encoder, run with core."""
    xs = np.random.default_rng(0).normal(size=(source_length, 4))
    total = 0
    for direction, seq in enumerate((xs, xs[::-1])):
        run = lstm_sequence(seq, lstm_params(4, hidden, seed=direction))
        total += run.h[-1].size + run.c[-1].size
    return total


def check_bottleneck_size(answer) -> None:
    """How many numbers a decoder without attention receives from a bidirectional LSTM encoder (hidden 20)."""
    n, h = BOTTLENECK_SOURCE, BOTTLENECK_HIDDEN
    check_value(answer, bottleneck_numbers(), exercise="bottleneck_size", name="fixed_numbers", mistakes={
        2 * h: "an LSTM has two states, h and c, and a bidirectional encoder has two LSTMs: count all four.",
        h: "that is one state of one direction; the decoder gets h and c of both directions.",
        4 * h * n: "that is every encoder state together, what attention can read. Without attention only the "
                   "final states reach the decoder, whatever the length.",
        2 * h * n: "the source length does not matter: only the final states reach the decoder.",
    })


# ---------------------------------------------------------------- 5. widget challenge

CHALLENGE_QUERY, CHALLENGE_WEIGHT = 2, 0.95

register_hints("decoder_challenge", [
    "A decoder must not read tokens that come after the current one: which mask does that?",
    "With the mask set, lower the temperature until query 'sat' puts almost all its weight on one key.",
    "attn.set(mask='causal', temperature=0.1)\ndecoder_settings = attn.settings()",
])


def check_decoder_challenge(settings) -> None:
    """Causal mask, scaled scores, d_k 16, and query 'sat' (row 2) with a largest weight >= 0.95."""
    if settings is ...:
        raise CheckFailed("`decoder_settings` is not answered yet.\nSet the attention map, then run "
                          "`decoder_settings = attn.settings()`.")
    if not isinstance(settings, dict) or not {"tokens", "kind", "d_k", "temperature", "mask"} <= settings.keys():
        raise CheckFailed("`decoder_settings` should be the dict attn.settings() returns.")
    tokens = settings["tokens"]
    if not isinstance(tokens, (list, tuple)) or len(tokens) <= CHALLENGE_QUERY or tokens[CHALLENGE_QUERY] != "sat":
        raise CheckFailed("Keep the widget's sentence (\"the cat sat on the mat\"): the challenge is about the query "
                          "'sat', token 2.")
    if settings["kind"] != "scaled" or settings["d_k"] != 16:
        raise CheckFailed("Keep the scaled scores and d_k = 16; change only the mask and the temperature.")
    try:
        _, _, _, _, (_, weights, _) = attention_experiment(
            len(settings["tokens"]), settings["d_k"], settings["kind"], settings["temperature"], settings["mask"],
            settings.get("padding", 0), settings.get("seed", 0))
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    later = float(np.triu(weights, k=1).sum())
    if later > 0:
        raise CheckFailed(f"Queries still read later tokens (total weight {later:.3g} above the diagonal): a "
                          "decoder must not see the future.\nStuck? Run hint('decoder_challenge') for a hint.")
    top = float(weights[CHALLENGE_QUERY].max())
    if top < CHALLENGE_WEIGHT:
        raise CheckFailed(f"Query {settings['tokens'][CHALLENGE_QUERY]!r} puts at most {top:.3f} on one key; the "
                          f"target is {CHALLENGE_WEIGHT}.\nStuck? Run hint('decoder_challenge') for a hint.")
    print(f"✔ no weight on later tokens, and {settings['tokens'][CHALLENGE_QUERY]!r} puts {top:.3f} on one key.")
