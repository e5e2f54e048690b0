"""Attention heat-map: query and key tokens, scores, softmax weights, and the bottleneck demo.

Python computes scores and weights with dlwidgets.core.attention (dot, scaled or additive
scores, a temperature, a causal or padding mask) and sends them in one dict; the browser
draws the heat maps and lets the learner pick a query row with the mouse or the keyboard
without a round trip. A second panel shows why attention was added to encoder-decoders:
without it the decoder sees only the encoder's last state.
"""

from __future__ import annotations

import pathlib

import anywidget
import numpy as np
import traitlets

from ..core import (SCORE_KINDS, additive_params, attention, dot_scores, encoder_decoder_contexts, masked_softmax,
                    rnn_bptt, rnn_forward, rnn_params, scaled_dot_scores)
from ._static import StaticFallback
from .rnn_unroller import _number

__all__ = ["AttentionMap", "attention_experiment", "bottleneck_experiment", "MASKS", "PANELS",
           "BOTTLENECK_TEMPERATURE"]

MASKS = ("none", "causal", "padding")
PANELS = ("attention", "bottleneck")
BOTTLENECK_TEMPERATURE = 0.02
BOTTLENECK_HIDDEN, BOTTLENECK_INPUT = 16, 4
DEFAULT_TOKENS = ("the", "cat", "sat", "on", "the", "mat", "<pad>", "<pad>")
ATTN_LIMITS = {"d_k": (1, 512), "temperature": (0.01, 100.0), "padding": (0, 40), "source_length": (2, 40)}
PALETTE = {"weight": "#0072B2", "positive": "#E69F00", "negative": "#56B4E9", "masked": "#999999",
           "fixed": "#D55E00", "attended": "#009E73", "text": "#000000"}


def causal_mask(length):
    """Boolean (L, L): query i may read keys 0..i (True = takes part), as in a decoder."""
    return np.tril(np.ones((length, length), dtype=bool))


def padding_mask(length, padding):
    """Boolean (1, L): the last ``padding`` keys are padding and hidden from every query."""
    keep = np.ones((1, length), dtype=bool)
    if padding:
        keep[:, length - padding:] = False
    return keep


def attention_experiment(length, d_k=16, kind="scaled", temperature=1.0, mask="none", padding=0, seed=0):
    """(q, k, v, mask array or None, (output, weights, scores)) for self-attention over ``length`` tokens.

    q, k are seeded standard normal (length, d_k), v is (length, 4); everything else is
    ``dlwidgets.core.attention``.
    """
    if mask not in MASKS:
        raise ValueError(f"mask must be one of {MASKS}, got {mask!r}")
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(length, d_k)), rng.normal(size=(length, d_k)), rng.normal(size=(length, 4))
    m = {"none": None, "causal": causal_mask(length), "padding": padding_mask(length, padding)}[mask]
    params = additive_params(d_k, d_k, d_k, seed=seed) if kind == "additive" else None
    return q, k, v, m, attention(q, k, v, kind=kind, mask=m, temperature=temperature, params=params)


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


def _rows(a):
    return [[float(x) for x in row] for row in np.asarray(a)]


class AttentionMap(StaticFallback, anywidget.AnyWidget):
    """Scores and softmax weights of self-attention over a short sentence; the bottleneck demo."""

    _esm = pathlib.Path(__file__).with_name("attention_map.js")
    _css = pathlib.Path(__file__).with_name("attention_map.css")

    tokens = traitlets.List(list(DEFAULT_TOKENS), help="The tokens (queries and keys: self-attention)").tag(sync=True)
    kind = traitlets.Unicode("scaled", help="Scores: 'dot' (q·k), 'scaled' (q·k/√d_k) or 'additive'").tag(sync=True)
    d_k = traitlets.Any(16, help="Size of the query and key vectors").tag(sync=True)
    temperature = traitlets.Any(1.0, help="Scores are divided by it before the softmax").tag(sync=True)
    mask = traitlets.Unicode("none", help="'none', 'causal' (no peeking at later tokens) or 'padding'").tag(sync=True)
    padding = traitlets.Any(2, help="With mask='padding': how many trailing tokens are padding").tag(sync=True)
    seed = traitlets.Int(0, help="Seed of the query, key and value vectors").tag(sync=True)
    panel = traitlets.Unicode("attention", help="'attention' (heat maps) or 'bottleneck' (why attention)").tag(sync=True)
    source_length = traitlets.Any(12, help="Bottleneck panel: length of the source sentence").tag(sync=True)
    selected = traitlets.Int(2, help="The query row whose weights are shown as bars").tag(sync=True)
    view = traitlets.Dict(help="Everything the front end draws, computed by dlwidgets.core").tag(sync=True)
    error = traitlets.Unicode("", help="Why the current settings are impossible ('' if they are fine)").tag(sync=True)

    _SETTINGS = ("tokens", "kind", "d_k", "temperature", "mask", "padding", "seed", "panel", "source_length")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.observe(self._recompute, names=list(self._SETTINGS))
        self._recompute()

    # ------------------------------------------------------------ driving from code
    def settings(self) -> dict:
        """The current settings, as the exercises expect them."""
        return {k: getattr(self, k) for k in self._SETTINGS}

    def set(self, **settings) -> "AttentionMap":
        """Change several settings at once (one recomputation)."""
        unknown = set(settings) - set(self._SETTINGS) - {"selected"}
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(self._SETTINGS)}")
        with self.hold_trait_notifications():
            for key, value in settings.items():
                setattr(self, key, value)
        return self

    def weights(self) -> np.ndarray:
        """The softmax weights now shown, (L, L); row i is query i."""
        return np.array(self.view.get("weights", []), dtype=float)

    # ------------------------------------------------------------ the model
    def _validate(self):
        if self.kind not in SCORE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(SCORE_KINDS)}, got {self.kind!r}")
        if self.mask not in MASKS:
            raise ValueError(f"mask must be one of {', '.join(MASKS)}, got {self.mask!r}")
        if self.panel not in PANELS:
            raise ValueError(f"panel must be one of {', '.join(PANELS)}, got {self.panel!r}")
        tokens = [str(t) for t in self.tokens]
        if not 1 <= len(tokens) <= 16:
            raise ValueError(f"give between 1 and 16 tokens, got {len(tokens)}")
        v = {name: _number(getattr(self, name), name, *ATTN_LIMITS[name], whole=name != "temperature",
                           label="d_k" if name == "d_k" else None) for name in ATTN_LIMITS}
        if self.mask == "padding" and v["padding"] >= len(tokens):
            raise ValueError(f"with {v['padding']} padding tokens out of {len(tokens)} every key is hidden: "
                             "no position is left to attend to")
        return tokens, v

    def _recompute(self, change=None):
        try:
            tokens, v = self._validate()
            view = self._attention_view(tokens, v) if self.panel == "attention" else self._bottleneck_view(v)
        except (TypeError, ValueError) as exc:
            self.error = str(exc)
            self.view = {}
            return
        view["description"] = self._describe(view, "")
        self.error = ""
        if view["panel"] == "attention":
            self.selected = min(max(self.selected, 0), len(tokens) - 1)
        self.view = view

    def _attention_view(self, tokens, v):
        length = len(tokens)
        q, k, _, m, (_, weights, scores) = attention_experiment(
            length, v["d_k"], self.kind, v["temperature"], self.mask, v["padding"], self.seed)
        masked = np.zeros((length, length), dtype=bool) if m is None else ~np.broadcast_to(m, (length, length))
        compare = {}
        for name, fn in (("dot", dot_scores), ("scaled", scaled_dot_scores)):
            s = fn(q, k)
            w = masked_softmax(s, mask=m, temperature=v["temperature"])
            compare[name] = {"score_std": float(np.std(s)), "mean_max_weight": float(w.max(axis=1).mean())}
        shown = np.where(masked, 0.0, scores)
        return {
            "panel": "attention", "tokens": tokens, "kind": self.kind, "d_k": v["d_k"],
            "temperature": v["temperature"], "mask": self.mask, "padding": v["padding"] if self.mask == "padding" else 0,
            "scores": _rows(scores), "weights": _rows(weights), "masked": masked.tolist(),
            "score_abs_max": float(max(np.max(np.abs(shown)), 1e-12)),
            "row_max": [float(x) for x in weights.max(axis=1)], "compare": compare,
        }

    def _bottleneck_view(self, v):
        enc, contexts, influence = bottleneck_experiment(v["source_length"], self.seed)
        length = v["source_length"]
        return {
            "panel": "bottleneck", "source_length": length, "hidden": BOTTLENECK_HIDDEN,
            "input_numbers": length * BOTTLENECK_INPUT, "temperature": BOTTLENECK_TEMPERATURE,
            "encoder": _rows(enc), "fixed": [float(x) for x in contexts.fixed[0]],
            "weights": _rows(contexts.weights), "diagonal": [float(x) for x in np.diag(contexts.weights)],
            "influence": [float(x) for x in influence],
            "influence_first": float(influence[0] / influence[-1]),
        }

    # ------------------------------------------------------------ readable without a kernel
    def describe(self) -> str:
        """One paragraph saying what the widget shows now."""
        return self._describe(self.view, self.error)

    @staticmethod
    def _describe(v: dict, error: str) -> str:
        if error:
            return f"Attention map: impossible settings: {error}."
        if not v:
            return "Attention map (not computed yet)."
        if v["panel"] == "bottleneck":
            return (f"Bottleneck demo: an RNN encoder reads {v['source_length']} source tokens "
                    f"({v['input_numbers']} numbers). Without attention the decoder sees only the last state, "
                    f"{v['hidden']} numbers at every step, and the first token's influence on it is "
                    f"{v['influence_first']:.3g} times the last token's. With attention each decoder step "
                    f"reads all {v['source_length']} encoder states; the weight on the matching position "
                    f"averages {np.mean(v['diagonal']):.2f}.")
        c = v["compare"]
        mask = {"none": "no mask", "causal": "a causal mask",
                "padding": f"the last {v['padding']} tokens masked as padding"}[v["mask"]]
        return (f"Attention map: self-attention over {len(v['tokens'])} tokens ({' '.join(v['tokens'])}) with "
                f"{v['kind']} scores, d_k = {v['d_k']}, temperature {v['temperature']:g} and {mask}. "
                f"Unscaled scores have standard deviation {c['dot']['score_std']:.2f} and the largest weight "
                f"per row averages {c['dot']['mean_max_weight']:.2f}; scaled by 1/√d_k: "
                f"{c['scaled']['score_std']:.2f} and {c['scaled']['mean_max_weight']:.2f}.")

    def static_figure(self):
        """The scores and weights heat maps (or the bottleneck demo), as a Figure."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 3.8), dpi=80)
        if self.error or not self.view:
            ax = fig.add_subplot()
            ax.axis("off")
            ax.text(0.5, 0.5, self.describe(), ha="center", va="center", wrap=True, fontsize=11)
            return fig
        v = self.view
        if v["panel"] == "bottleneck":
            ax_i, ax_w = fig.subplots(1, 2)
            pos = np.arange(1, v["source_length"] + 1)
            ax_i.semilogy(pos, v["influence"], "o-", color=PALETTE["fixed"], markersize=3)
            ax_i.set_title(f"no attention: influence of token j on the last state", fontsize=10)
            ax_i.set_xlabel("source position j")
            ax_w.imshow(np.array(v["weights"]), cmap="Blues", vmin=0, vmax=1)
            ax_w.set_title("with attention: weights (decoder step × source position)", fontsize=10)
            ax_w.set_xlabel("source position"); ax_w.set_ylabel("decoder step")
            fig.tight_layout()
            return fig
        ax_s, ax_w = fig.subplots(1, 2)
        tokens = v["tokens"]
        scores = np.ma.masked_array(np.array(v["scores"]), mask=np.array(v["masked"]))
        lim = v["score_abs_max"]
        from matplotlib import colormaps
        ax_s.imshow(scores, cmap=colormaps["PuOr_r"].with_extremes(bad="#BBBBBB"), vmin=-lim, vmax=lim)
        ax_w.imshow(np.array(v["weights"]), cmap="Blues", vmin=0, vmax=1)
        for ax, title in ((ax_s, f"{v['kind']} scores (masked: grey)"), (ax_w, f"softmax weights, T = {v['temperature']:g}")):
            ax.set_xticks(range(len(tokens)), tokens, rotation=45, fontsize=8)
            ax.set_yticks(range(len(tokens)), tokens, fontsize=8)
            ax.set_xlabel("key"); ax.set_ylabel("query"); ax.set_title(title, fontsize=10)
        if len(tokens) <= 10:
            for r, row in enumerate(v["weights"]):
                for c, w in enumerate(row):
                    ax_w.text(c, r, f"{w:.2f}", ha="center", va="center", fontsize=7,
                              color="white" if w > 0.6 else "black")
        fig.tight_layout()
        return fig
