"""Feature-map calculator: a kernel sliding over a padded input, drawn in the browser.

Python computes everything with dlwidgets.core (output size, the output values, receptive
field, parameter count) and sends one small dict; the browser draws it on a canvas and
animates the kernel by itself, so stepping never waits for the kernel.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import conv2d, conv2d_params, effective_kernel_size, output_size, resolve_padding
from ._base import CourseWidget, Setting, front_end, seed_number, whole_number
from ._recording import Recording

__all__ = ["FeatureMapCalculator", "LIMITS"]

# Bounds that keep the grid readable on screen; core itself has no such limits.
LIMITS = {
    "input_size": (1, 32), "kernel_size": (1, 9), "stride": (1, 6), "dilation": (1, 5),
    "in_channels": (1, 1024), "out_channels": (1, 1024), "padding": (0, 8),
}
PALETTE = {"input": "#56B4E9", "pad": "#DDDDDD", "kernel": "#E69F00", "output": "#009E73"}  # Okabe-Ito


class FeatureMapCalculator(Recording, CourseWidget):
    """Interactive convolution arithmetic on a square input and kernel (one channel drawn)."""

    _esm = front_end("feature_map.js")
    _css = pathlib.Path(__file__).with_name("feature_map.css")

    input_size = Setting(7, help="Input height and width, in cells").tag(sync=True)
    kernel_size = Setting(3, help="Kernel height and width").tag(sync=True)
    padding = Setting(0, help="Cells of zero padding per side, or 'valid', 'same', 'full'").tag(sync=True)
    stride = Setting(1, help="Cells the kernel moves per step").tag(sync=True)
    dilation = Setting(1, help="Spacing between kernel taps (1 = no gaps)").tag(sync=True)
    in_channels = Setting(3, help="Input channels, for the parameter count").tag(sync=True)
    out_channels = Setting(8, help="Output channels, for the parameter count").tag(sync=True)
    seed = Setting(0, help="Seed of the example input and kernel values").tag(sync=True)
    step = traitlets.Int(-1, help="Kernel positions shown (-1 = all); the browser animates it").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is animating the kernel").tag(sync=True)
    speed = traitlets.Float(4.0, help="Animation speed, kernel positions per second").tag(sync=True)

    _SETTINGS = ("input_size", "kernel_size", "padding", "stride", "dilation", "in_channels", "out_channels", "seed")
    _FRAMES = "positions"

    # ------------------------------------------------------------ driving from code
    def settings(self) -> dict:
        """The current geometry, as the exercises expect it."""
        return {k: getattr(self, k) for k in ("input_size", "kernel_size", "padding", "stride", "dilation")}

    # ------------------------------------------------------------ the model
    def _padding(self, settings):
        padding = settings.padding
        if isinstance(padding, str):
            return int(padding) if padding.strip().isdigit() else padding
        try:
            return whole_number("padding", padding, *LIMITS["padding"])
        except ValueError:
            raise ValueError(f"padding must be between 0 and {LIMITS['padding'][1]} or 'valid', 'same', 'full', "
                             f"got {padding!r}") from None

    def _compute(self, settings) -> dict:
        n, k, s, d = (whole_number(name, getattr(settings, name), *LIMITS[name]) for name in
                      ("input_size", "kernel_size", "stride", "dilation"))
        padding = self._padding(settings)
        before, after = resolve_padding(padding, k, d, s)
        out = output_size(n, k, padding, s, d)
        rng = np.random.default_rng(seed_number(settings.seed))
        x = rng.integers(0, 5, size=(n, n)).astype(float)
        w = rng.integers(-1, 2, size=(k, k)).astype(float)
        y = conv2d(x[None, None], w[None, None], stride=s, padding=padding, dilation=d)[0, 0]
        span = effective_kernel_size(k, d)
        # The channels only change the parameter count: a bad one is said there, the picture stays.
        try:
            c_in, c_out = (whole_number(name, getattr(settings, name), *LIMITS[name], label=label) for name, label in
                           (("in_channels", "C in (input channels)"), ("out_channels", "C out (output channels)")))
        except ValueError as exc:
            c_in = c_out = params = None
            params_formula, params_error = "", str(exc)
        else:
            params = conv2d_params(c_in, c_out, k)
            params_formula, params_error = f"{c_out}·{c_in}·{k}·{k} + {c_out} = {params:,}", ""
        return {
            "n": n, "k": k, "stride": s, "dilation": d, "pad_before": before, "pad_after": after,
            "padding": padding, "out": out, "positions": out * out, "span": span,
            "input": x.astype(int).tolist(), "kernel": w.astype(int).tolist(),
            "output": [[float(val) for val in row] for row in y],
            "formula": self._formula(n, k, before, after, s, d, out),
            "receptive_field": span, "jump": s,
            "params": params, "params_formula": params_formula, "params_error": params_error,
            "in_channels": c_in, "out_channels": c_out,
        }

    @staticmethod
    def _formula(n, k, before, after, s, d, out):
        pad = f"2·{before}" if before == after else f"{before}+{after}"
        return (f"⌊(n + 2p − d(k−1) − 1) / s⌋ + 1 = ⌊({n} + {pad} − {d}·({k}−1) − 1) / {s}⌋ + 1 = "
                f"⌊{n + before + after - d * (k - 1) - 1} / {s}⌋ + 1 = {out}")

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Feature-map calculator"

    def _describe(self, v: dict) -> str:
        pad = v["padding"] if isinstance(v["padding"], str) else f"{v['padding']}"
        return (f"Feature-map calculator: a {v['n']}x{v['n']} input with padding {pad} "
                f"({v['pad_before']} before, {v['pad_after']} after), a {v['k']}x{v['k']} kernel, "
                f"stride {v['stride']}, dilation {v['dilation']} gives a {v['out']}x{v['out']} output. "
                f"{v['formula']}. Each output cell sees {v['receptive_field']}x{v['receptive_field']} input cells. "
                + (f"No parameter count: {v['params_error']}." if v["params_error"] else
                   f"With {v['in_channels']} input and {v['out_channels']} output channels the layer has "
                   f"{v['params']:,} parameters ({v['params_formula']})."))

    _FIGSIZE = (8, 4)

    def _draw_figure(self, fig, v: dict) -> None:
        """The padded input with the first kernel window, and the whole output."""
        from matplotlib.patches import Rectangle

        size = v["n"] + v["pad_before"] + v["pad_after"]
        ax_in, ax_out = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        for ax, title, cells in ((ax_in, f"padded input {size}x{size}", size), (ax_out, f"output {v['out']}x{v['out']}", v["out"])):
            ax.set_xlim(0, cells); ax.set_ylim(cells, 0); ax.set_aspect("equal"); ax.axis("off")
            ax.set_title(title)
        show_numbers = size <= 14
        for r in range(size):
            for c in range(size):
                i, j = r - v["pad_before"], c - v["pad_before"]
                inside = 0 <= i < v["n"] and 0 <= j < v["n"]
                ax_in.add_patch(Rectangle((c, r), 1, 1, facecolor=PALETTE["input"] if inside else PALETTE["pad"], edgecolor="white"))
                if show_numbers:
                    ax_in.text(c + 0.5, r + 0.5, str(v["input"][i][j]) if inside else "0", ha="center", va="center", fontsize=8)
        for a in range(v["k"]):
            for b in range(v["k"]):
                ax_in.add_patch(Rectangle((b * v["dilation"], a * v["dilation"]), 1, 1, fill=False,
                                          edgecolor=PALETTE["kernel"], linewidth=2.5))
        for r in range(v["out"]):
            for c in range(v["out"]):
                ax_out.add_patch(Rectangle((c, r), 1, 1, facecolor=PALETTE["output"], edgecolor="white", alpha=0.8))
                if v["out"] <= 14:
                    ax_out.text(c + 0.5, r + 0.5, f"{v['output'][r][c]:g}", ha="center", va="center", fontsize=8)
        fig.suptitle(f"k={v['k']}, p={v['padding']}, s={v['stride']}, d={v['dilation']}: "
                     f"{v['n']}x{v['n']} -> {v['out']}x{v['out']}", fontsize=11)
