"""Attention heat-map: query and key tokens, scores, softmax weights, and the bottleneck demo.

Python computes scores and weights with dlwidgets.core.attention (dot, scaled or additive
scores, a temperature, a causal or padding mask) and sends them in one dict; the browser
draws the heat maps and lets the learner pick a query row with the mouse or the keyboard
without a round trip. A second panel shows why attention was added to encoder-decoders:
without it the decoder sees only the encoder's last state.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import (BOTTLENECK_HIDDEN, BOTTLENECK_INPUT, BOTTLENECK_TEMPERATURE, MASK_KINDS, SCORE_KINDS,
                    attention_experiment, bottleneck_experiment, score_scaling_comparison)
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, whole_number

__all__ = ["AttentionMap", "MASKS", "PANELS", "BOTTLENECK_TEMPERATURE"]

MASKS = MASK_KINDS
PANELS = ("attention", "bottleneck")
DEFAULT_TOKENS = ("the", "cat", "sat", "on", "the", "mat", "<pad>", "<pad>")
ATTN_LIMITS = {"d_k": (1, 512), "temperature": (0.01, 100.0), "padding": (0, 40), "source_length": (2, 40)}
PALETTE = {"weight": "#0072B2", "positive": "#E69F00", "negative": "#56B4E9", "masked": "#999999",
           "fixed": "#D55E00", "attended": "#009E73", "text": "#000000"}


def _token_list(tokens) -> list[str]:
    """The tokens as a list of strings, or a ValueError that says what is wanted."""
    if isinstance(tokens, str):
        raise ValueError(f"tokens must be a list of words, such as {tokens.split()!r} (a sentence's "
                         f"str.split()), got the string {tokens!r}")
    if not isinstance(tokens, (list, tuple)):
        raise ValueError(f"tokens must be a list of words, such as ['the', 'cat', 'sat'], got {tokens!r}")
    if not 1 <= len(tokens) <= 16:
        raise ValueError(f"give between 1 and 16 tokens, got {len(tokens)}")
    return [str(t) for t in tokens]


class AttentionMap(CourseWidget):
    """Scores and softmax weights of self-attention over a short sentence; the bottleneck demo."""

    _esm = front_end("attention_map.js")
    _css = pathlib.Path(__file__).with_name("attention_map.css")

    tokens = Setting(help="The tokens (queries and keys: self-attention), a list of words").tag(sync=True)
    kind = Setting("scaled", help="Scores: 'dot' (q·k), 'scaled' (q·k/√d_k) or 'additive'").tag(sync=True)
    d_k = Setting(16, help="Size of the query and key vectors").tag(sync=True)
    temperature = Setting(1.0, help="Scores are divided by it before the softmax").tag(sync=True)
    mask = Setting("none", help="'none', 'causal' (no peeking at later tokens) or 'padding'").tag(sync=True)
    padding = Setting(2, help="With mask='padding': how many trailing tokens are padding").tag(sync=True)
    seed = Setting(0, help="Seed of the query, key and value vectors").tag(sync=True)
    panel = Setting("attention", help="'attention' (heat maps) or 'bottleneck' (why attention)").tag(sync=True)
    source_length = Setting(12, help="Bottleneck panel: length of the source sentence").tag(sync=True)
    selected = traitlets.Int(2, help="The query row whose weights are shown as bars").tag(sync=True)

    _SETTINGS = ("tokens", "kind", "d_k", "temperature", "mask", "padding", "seed", "panel", "source_length")
    _DISPLAY_TRAITS = ("selected",)
    _FIGSIZE = (10, 3.8)

    @traitlets.default("tokens")
    def _default_tokens(self):
        return list(DEFAULT_TOKENS)   # a list of its own for every widget

    # ------------------------------------------------------------ driving from code
    def weights(self) -> np.ndarray:
        """The softmax weights now shown, (L, L); row i is query i."""
        return np.array(self.view.get("weights", []), dtype=float)

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        choice("kind", s.kind, SCORE_KINDS)
        choice("mask", s.mask, MASKS)
        choice("panel", s.panel, PANELS)
        tokens = _token_list(s.tokens)
        v = {name: (real_number if name == "temperature" else whole_number)(name, getattr(s, name), *ATTN_LIMITS[name],
                                                                             label=name if name == "d_k" else None)
             for name in ATTN_LIMITS}
        v["seed"] = seed_number(s.seed)
        if s.mask == "padding" and v["padding"] >= len(tokens):
            raise ValueError(f"with {v['padding']} padding tokens out of {len(tokens)} every key is hidden: "
                             "no position is left to attend to")
        return self._attention_view(s, tokens, v) if s.panel == "attention" else self._bottleneck_view(s, v)

    def _on_new_view(self) -> None:
        if self.view.get("panel") == "attention":
            self.selected = min(max(self.selected, 0), len(self.view["tokens"]) - 1)

    def _attention_view(self, s, tokens, v):
        length = len(tokens)
        q, k, _, m, (_, weights, scores) = attention_experiment(
            length, v["d_k"], s.kind, v["temperature"], s.mask, v["padding"], v["seed"])
        masked = np.zeros((length, length), dtype=bool) if m is None else ~np.broadcast_to(m, (length, length))
        shown = np.where(masked, 0.0, scores)
        return {
            "panel": "attention", "tokens": tokens, "kind": s.kind, "d_k": v["d_k"],
            "temperature": v["temperature"], "mask": s.mask, "padding": v["padding"] if s.mask == "padding" else 0,
            "scores": scores.tolist(), "weights": weights.tolist(), "masked": masked.tolist(),
            "score_abs_max": float(max(np.max(np.abs(shown)), 1e-12)),
            "row_max": weights.max(axis=1).tolist(),
            "compare": score_scaling_comparison(q, k, mask=m, temperature=v["temperature"]),
            # the same two numbers for the scores shown (the additive ones have no 1/√d_k to compare)
            "shown_stats": {"score_std": float(np.std(scores)), "mean_max_weight": float(weights.max(axis=1).mean())},
        }

    def _bottleneck_view(self, s, v):
        enc, contexts, influence = bottleneck_experiment(v["source_length"], v["seed"])
        length = v["source_length"]
        return {
            "panel": "bottleneck", "source_length": length, "hidden": BOTTLENECK_HIDDEN,
            "input_numbers": length * BOTTLENECK_INPUT, "temperature": BOTTLENECK_TEMPERATURE,
            "encoder": enc.tolist(), "fixed": contexts.fixed[0].tolist(),
            "weights": contexts.weights.tolist(), "diagonal": np.diag(contexts.weights).tolist(),
            "influence": influence.tolist(),
            "influence_first": float(influence[0] / influence[-1]),
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Attention map"

    def _describe(self, v: dict) -> str:
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
        head = (f"Attention map: self-attention over {len(v['tokens'])} tokens ({' '.join(v['tokens'])}) with "
                f"{v['kind']} scores, d_k = {v['d_k']}, temperature {v['temperature']:g} and {mask}. ")
        if v["kind"] == "additive":
            shown = v["shown_stats"]
            return head + (f"Additive scores have standard deviation {shown['score_std']:.2f} and the largest weight "
                           f"per row averages {shown['mean_max_weight']:.2f} (1/√d_k scales dot products only).")
        return head + (f"Unscaled scores have standard deviation {c['dot']['score_std']:.2f} and the largest weight "
                       f"per row averages {c['dot']['mean_max_weight']:.2f}; scaled by 1/√d_k: "
                       f"{c['scaled']['score_std']:.2f} and {c['scaled']['mean_max_weight']:.2f}.")

    def _draw_figure(self, fig, v: dict) -> None:
        """The scores and weights heat maps, or the bottleneck demo."""
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
            return
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
