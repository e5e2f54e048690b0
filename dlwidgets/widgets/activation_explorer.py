"""Activation explorer: an activation and its derivative side by side, with saturation shaded.

Python evaluates the function and its derivative with dlwidgets.core on a grid, finds where
the derivative is below ``threshold`` times its peak (core's definition of saturated), draws
pre-activations from N(input_mean, input_std^2) and counts the saturated (and, for ReLU,
dead) fraction with core's ``saturated_fraction`` and ``dead_fraction``. The browser draws.
"""

from __future__ import annotations

import pathlib

import numpy as np

from ..core import (ACTIVATIONS, DEFAULT_SATURATION_THRESHOLD, activation_and_grad, dead_fraction, grad_peak,
                    saturated_fraction)
from ._base import CourseWidget, Setting, choice, real_number, seed_number, whole_number
from ._plot_controls import lesson_front_end

__all__ = ["ActivationExplorer", "ACTIVATION_LIMITS", "explorer_samples"]

ACTIVATION_LIMITS = {
    "input_mean": (-10.0, 10.0), "input_std": (0.05, 10.0), "x_range": (1.0, 20.0),
    "threshold": (1e-6, 0.5), "samples": (100, 200_000),
}
GRID_POINTS = 801
HIST_BINS = 60
PALETTE = {"f": "#0072B2", "df": "#D55E00", "saturated": "#999999", "inputs": "#E69F00"}  # Okabe-Ito


def explorer_samples(input_mean: float, input_std: float, samples: int, seed: int) -> np.ndarray:
    """The explorer's pre-activations: ``samples`` draws of N(mean, std^2) from default_rng(seed)."""
    return np.random.default_rng(seed).normal(input_mean, input_std, size=samples)


def _regions(x, mask):
    """[start, end] of each run of True in mask along the grid x."""
    out, start = [], None
    for i, m in enumerate(mask):
        if m and start is None:
            start = i
        if not m and start is not None:
            out.append([float(x[start]), float(x[i - 1])])
            start = None
    if start is not None:
        out.append([float(x[start]), float(x[-1])])
    return out


class ActivationExplorer(CourseWidget):
    """An activation function f and its derivative f', saturated regions shaded, for chosen inputs."""

    _esm = lesson_front_end("activation_explorer.js")
    _css = pathlib.Path(__file__).with_name("activation_explorer.css")

    activation = Setting("sigmoid", help="Activation name, one of dlwidgets.core.ACTIVATIONS").tag(sync=True)
    input_mean = Setting(0.0, help="Mean of the pre-activations fed in").tag(sync=True)
    input_std = Setting(2.0, help="Standard deviation of the pre-activations fed in").tag(sync=True)
    x_range = Setting(8.0, help="The plots span x from -x_range to x_range").tag(sync=True)
    threshold = Setting(DEFAULT_SATURATION_THRESHOLD,
                        help="Saturated where |f'(x)| < threshold * peak |f'|").tag(sync=True)
    samples = Setting(20_000, help="Number of pre-activations drawn").tag(sync=True)
    seed = Setting(0, help="Seed of the pre-activation draw").tag(sync=True)

    _SETTINGS = ("activation", "input_mean", "input_std", "x_range", "threshold", "samples", "seed")

    def _compute(self, s) -> dict:
        name = choice("activation", s.activation, tuple(ACTIVATIONS))
        mean = real_number("input_mean", s.input_mean, *ACTIVATION_LIMITS["input_mean"])
        std = real_number("input_std", s.input_std, *ACTIVATION_LIMITS["input_std"])
        span = real_number("x_range", s.x_range, *ACTIVATION_LIMITS["x_range"])
        threshold = real_number("threshold", s.threshold, *ACTIVATION_LIMITS["threshold"])
        n = whole_number("samples", s.samples, *ACTIVATION_LIMITS["samples"])
        seed = seed_number(s.seed)

        x = np.linspace(-span, span, GRID_POINTS)
        f, df = activation_and_grad(name, x)
        peak = grad_peak(name)
        saturated = np.abs(df) < threshold * peak
        u = explorer_samples(mean, std, n, seed)
        counts, edges = np.histogram(u, bins=HIST_BINS, range=(-span, span))
        fu = ACTIVATIONS[name][0](u)
        return {
            "activation": name, "x": x.tolist(), "f": f.tolist(), "df": df.tolist(),
            "peak": peak, "threshold": threshold, "cutoff": threshold * peak,
            "saturated_regions": _regions(x, saturated),
            "hist_edges": edges.tolist(), "hist_density": (counts / (n * (edges[1] - edges[0]))).tolist(),
            "outside": float(np.mean(np.abs(u) > span)),
            "input_mean": mean, "input_std": std, "samples": n,
            "saturated_fraction": saturated_fraction(name, u, threshold),
            "dead_fraction": dead_fraction(u) if name == "relu" else None,
            "output_mean": float(np.mean(fu)),
            "output_positive": float(np.mean(fu > 0)),
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Activation explorer"

    def _describe(self, v: dict) -> str:
        regions = ", ".join(f"[{a:.2f}, {b:.2f}]" for a, b in v["saturated_regions"]) or "none on this range"
        dead = (f" Inactive share {100 * v['dead_fraction']:.1f}% (x <= 0: output 0, gradient 0 for these inputs; a unit "
                "is dead only if that holds for every input)."
                if v["dead_fraction"] is not None else "")
        return (f"Activation explorer: {v['activation']} and its derivative (peak {v['peak']:.4g}). "
                f"Saturated where |f'(x)| < {v['threshold']:g} x peak: {regions}. "
                f"For pre-activations from N({v['input_mean']:g}, {v['input_std']:g}^2), "
                f"{100 * v['saturated_fraction']:.1f}% are saturated.{dead} "
                f"Mean output {v['output_mean']:.3f}; {100 * v['output_positive']:.1f}% of outputs are positive.")

    _FIGSIZE = (9, 3.4)

    def _draw_figure(self, fig, v: dict) -> None:
        """f and f' side by side with saturated regions shaded and the input histogram."""
        edges = np.array(v["hist_edges"])
        for i, (key, label) in enumerate((("f", f"{v['activation']}(x)"), ("df", f"{v['activation']}'(x)"))):
            ax = fig.add_subplot(1, 2, i + 1)
            for a, b in v["saturated_regions"]:
                ax.axvspan(a, b, color=PALETTE["saturated"], alpha=0.25, lw=0)
            y = np.array(v[key])
            ax.plot(v["x"], y, color=PALETTE[key], lw=2)
            lo, hi = float(y.min()), float(y.max())
            pad = 0.1 * (hi - lo or 1.0)
            dens = np.array(v["hist_density"])
            scale = 0.4 * (hi - lo + 2 * pad) / max(dens.max(), 1e-12)
            ax.bar(edges[:-1], dens * scale, width=np.diff(edges), bottom=lo - pad, align="edge",
                   color=PALETTE["inputs"], alpha=0.35)
            ax.set_ylim(lo - pad, hi + pad)
            ax.set_title(label)
            ax.set_xlabel("x (pre-activation)")
        fig.suptitle(f"saturated {100 * v['saturated_fraction']:.1f}%"
                     + (f", inactive {100 * v['dead_fraction']:.1f}%" if v["dead_fraction"] is not None else "")
                     + f" of inputs from N({v['input_mean']:g}, {v['input_std']:g}²)", fontsize=11)
        fig.tight_layout()
