"""RNN unroller: a plain RNN unrolled over a short sequence, and its gradient through time.

Python runs the recurrent layer and back-propagation through time with dlwidgets.core (the
recurrent weight rescaled to the chosen spectral radius) and sends one small dict; the
browser draws the unrolled chain, animates the hidden state step by step, and plots
||dL/dh_t|| on a log scale beside the sweep over spectral radii.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import gradient_ratio, rnn_experiment, rnn_radius_sweep, spectral_radius
from ._base import CourseWidget, Setting, front_end, real_number, seed_number, switch, whole_number
from ._recording import Recording

__all__ = ["RNNUnroller", "RNN_LIMITS", "RADIUS_SWEEP"]

RNN_LIMITS = {
    "steps": (2, 40), "hidden_size": (1, 8), "input_size": (1, 4),
    "spectral_radius": (0.05, 2.5), "input_scale": (0.0, 3.0),
}
_WHOLE = ("steps", "hidden_size", "input_size")
RADIUS_SWEEP = tuple(round(0.1 * k, 1) for k in range(1, 21))   # 0.1, 0.2, ..., 2.0
PALETTE = {"positive": "#E69F00", "negative": "#56B4E9", "grad": "#D55E00", "weight": "#0072B2",
           "input": "#009E73", "text": "#000000", "grid": "#BBBBBB"}


class RNNUnroller(Recording, CourseWidget):
    """h_t = tanh(W_ih x_t + W_hh h_{t-1} (+ biases)) unrolled in time, with the BPTT gradient norms."""

    _esm = front_end("rnn_unroller.js")
    _css = pathlib.Path(__file__).with_name("rnn_unroller.css")

    steps = Setting(20, help="Length T of the input sequence").tag(sync=True)
    hidden_size = Setting(6, help="Hidden units H").tag(sync=True)
    input_size = Setting(2, help="Input features D per step (word-vector size)").tag(sync=True)
    spectral_radius = Setting(0.9, help="Largest |eigenvalue| of the recurrent weight W_hh").tag(sync=True)
    input_scale = Setting(0.01, help="Standard deviation of the inputs (large saturates tanh)").tag(sync=True)
    bias = Setting(False, help="Whether the layer has PyTorch's two bias vectors").tag(sync=True)
    seed = Setting(0, help="Seed of the weights and the inputs").tag(sync=True)
    step = traitlets.Int(-1, help="Animation positions shown (-1 = all): 1..T forward, then T+1..2T+1 backward").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is animating the forward pass").tag(sync=True)
    speed = traitlets.Float(4.0, help="Animation speed, time steps per second").tag(sync=True)

    _SETTINGS = ("steps", "hidden_size", "input_size", "spectral_radius", "input_scale", "bias", "seed")
    _FRAMES = "positions"   # 1..T reveal h_1..h_T (forward); T+1..2T+1 the BPTT norms from t = T back to 0
    _FIGSIZE = (10, 3.4)

    # ------------------------------------------------------------ driving from code
    def gradient_ratio(self) -> float:
        """||dL/dh_0|| / ||dL/dh_T||: below 1 the gradient vanishes going back, above 1 it explodes."""
        return self.view.get("ratio", float("nan"))

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        v = {name: (whole_number if name in _WHOLE else real_number)(name, getattr(s, name), *RNN_LIMITS[name])
             for name in RNN_LIMITS}
        v["bias"], v["seed"] = switch("bias", s.bias), seed_number(s.seed)
        params, xs, grads = rnn_experiment(**v)
        norms = grads.grad_norms
        ratio = gradient_ratio(norms)
        return {
            "steps": v["steps"], "hidden_size": v["hidden_size"], "input_size": v["input_size"],
            "spectral_radius": spectral_radius(params["weight_hh"]), "input_scale": v["input_scale"],
            "bias": v["bias"],
            "xs": xs.tolist(), "hs": grads.hs.tolist(),
            "h_max": float(np.max(np.abs(grads.hs))) if grads.hs.size else 0.0,
            "grad_norms": norms.tolist(), "ratio": ratio,
            "sweep_radii": list(RADIUS_SWEEP), "sweep_ratios": rnn_radius_sweep(RADIUS_SWEEP, **v),
            "positions": 2 * v["steps"] + 1,
            "shapes": {"weight_ih": list(params["weight_ih"].shape), "weight_hh": list(params["weight_hh"].shape)},
            "verdict": self._verdict(ratio),
        }

    @staticmethod
    def _verdict(ratio):
        if ratio < 0.1:
            return "vanishing"
        if ratio > 10:
            return "exploding"
        return "kept"

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "RNN unroller"

    def _describe(self, v: dict) -> str:
        words = {"vanishing": "vanishes", "exploding": "explodes", "kept": "keeps its size (within 10x)"}
        return (f"RNN unroller: a tanh RNN with {v['hidden_size']} hidden units and {v['input_size']} inputs "
                f"unrolled over {v['steps']} steps, the same W_ih {tuple(v['shapes']['weight_ih'])} and "
                f"W_hh {tuple(v['shapes']['weight_hh'])} at every step. W_hh has spectral radius "
                f"{v['spectral_radius']:.2f} and the inputs have scale {v['input_scale']:g}. Going back from "
                f"step {v['steps']} to step 0 the gradient norm ||dL/dh_t|| changes by a factor "
                f"{v['ratio']:.3g}: it {words[v['verdict']]}.")

    def _draw_figure(self, fig, v: dict) -> None:
        """Hidden states over time, gradient norms through time, and the sweep over radii."""
        ax_h, ax_g, ax_s = fig.add_subplot(1, 3, 1), fig.add_subplot(1, 3, 2), fig.add_subplot(1, 3, 3)
        hs = np.array(v["hs"]).T
        lim = max(v["h_max"], 1e-12)
        ax_h.imshow(hs, cmap="PuOr_r", vmin=-lim, vmax=lim, aspect="auto",
                    extent=(0.5, v["steps"] + 0.5, v["hidden_size"] - 0.5, -0.5))
        ax_h.set_xlabel("time step t"); ax_h.set_ylabel("hidden unit")
        ax_h.set_title(f"hidden state h_t (|h| ≤ {lim:.2g})", fontsize=10)
        ax_g.semilogy(range(v["steps"] + 1), v["grad_norms"], "o-", color=PALETTE["grad"], markersize=3)
        ax_g.set_xlabel("time step t"); ax_g.set_title("||dL/dh_t||, loss on h_T", fontsize=10)
        ax_s.semilogy(v["sweep_radii"], v["sweep_ratios"], "o-", color=PALETTE["weight"], markersize=3)
        ax_s.axhline(1, color=PALETTE["grid"], linewidth=1)
        ax_s.axvline(v["spectral_radius"], color=PALETTE["grad"], linestyle="--")
        ax_s.set_xlabel("spectral radius of W_hh")
        ax_s.set_title("||dL/dh_0|| / ||dL/dh_T||", fontsize=10)
        fig.suptitle(f"ρ(W_hh) = {v['spectral_radius']:.2f}, T = {v['steps']}: gradient ratio "
                     f"{v['ratio']:.3g} ({v['verdict']})", fontsize=11)
        fig.tight_layout()
