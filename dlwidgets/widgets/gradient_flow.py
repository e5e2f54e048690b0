"""Gradient-flow meter: per-layer gradient norms of a deep MLP on a log scale.

Python builds ``dlwidgets.core.MLP`` for the chosen depth, width, activation, initialiser
(times a weight scale), batch norm and residual connections, runs ONE ``forward_backward``
on a fixed seeded batch, and sends only per-layer numbers (a few hundred floats, never the
weights). The browser draws ||dL/dW_l|| and ||dL/dh_l|| per layer, the first/last ratio and
core's verdict (vanishing / healthy / exploding, from ``classify_gradient_ratio``).

Networks are cached by their construction settings (the last six, fewer when they are large),
and the batch by (batch, width, seed), so going back to a network seen before costs only the
forward and backward pass. The networks are never trained, so they share core's cached weight
matrices read-only (``mlp_network(..., read_only=True)``) instead of copying them. The last pass
is kept too: a new clipping threshold only rescales its norms (core's ``norm_clipped``). And so
is the forward trace of the last few settings other than depth (fewer when they are large):
networks that differ only in depth share their first layers (core's ``ForwardTrace``), so a depth
step computes at most one new layer forward, then the backward pass.
"""

from __future__ import annotations

import operator
import pathlib
from collections import OrderedDict

import numpy as np

from ..core import (ACTIVATIONS, EXPLODING_ABOVE, INITIALISERS, VANISHING_BELOW, ForwardTrace,
                    classify_gradient_ratio, mlp_batch, mlp_network, norm_clipped)
from ._base import (CourseWidget, Setting, choice, keep_newest, real_number, seed_number, switch,
                    trim_to_budget, whole_number)
from ._plot_controls import finite, finite_list, lesson_front_end

__all__ = ["GradientFlowMeter", "FLOW_LIMITS", "disagreement"]

FLOW_LIMITS = {"depth": (1, 100), "width": (2, 256), "batch": (2, 512), "weight_scale": (0.05, 4.0),
               "max_norm": (0.0, 1e6)}
PALETTE = {"weight": "#0072B2", "activation": "#E69F00", "clipped": "#009E73",
           "vanishing": "#56B4E9", "healthy": "#009E73", "exploding": "#D55E00"}  # Okabe-Ito
_CACHE_SIZE = 6
# The networks kept may take this many bytes together (MLP.nbytes: weights and kept per-layer values),
# and so may the traces (ForwardTrace.nbytes: forward values and the weights they hold on to); the
# newest of each is always kept. That is all of them at lesson sizes (a network 7 MB, a trace 13 MB at
# depth 50, width 128, batch 64), and one network at the largest (depth 100, width 256, batch 512 set
# from code: up to 300 MB, and half a second a pass), where keeping six took the meter to 1.5 GB.
_NETWORK_BYTES = 128 * 2**20
_TRACE_BYTES = 96 * 2**20
_TRACES = 3  # forward traces kept: the settings shown and the two a slider's look-ahead computes
_nbytes = operator.attrgetter("nbytes")  # of a network or a trace


def disagreement(weights: str, signal: str, total_norm: float) -> str:
    """What a learner should conclude when the weight badge and the signal badge disagree ("" when they agree):
    an explosion anywhere wins (a low ratio of two huge gradients is no comfort); otherwise the gradient vanishes."""
    if weights == signal:
        return ""
    if "exploding" in (weights, signal):
        return (f"The two ratios disagree (weights {weights}, signal {signal}): conclude EXPLODING. Somewhere the "
                f"gradients are huge (total norm {total_norm:.3g}); a ratio that looks fine or low only compares "
                "two large gradients.")
    return (f"The two ratios disagree (weights {weights}, signal {signal}): conclude VANISHING. Some layers get a far "
            "smaller gradient than others, or every weight gradient is tiny: compare the curves' heights, not only "
            "their ratio.")


class GradientFlowMeter(CourseWidget):
    """Per-layer gradient norms of a deep MLP, and whether the gradient vanishes or explodes."""

    _esm = lesson_front_end("gradient_flow.js")
    _css = pathlib.Path(__file__).with_name("gradient_flow.css")

    depth = Setting(30, help="Number of hidden layers").tag(sync=True)
    width = Setting(64, help="Units per hidden layer (and input features)").tag(sync=True)
    batch = Setting(64, help="Examples in the fixed batch").tag(sync=True)
    activation = Setting("sigmoid", help="Hidden activation, one of dlwidgets.core.ACTIVATIONS").tag(sync=True)
    init = Setting("glorot_normal", help="Weight initialiser, one of dlwidgets.core.INITIALISERS").tag(sync=True)
    weight_scale = Setting(1.0, help="Every initial weight is multiplied by this").tag(sync=True)
    batch_norm = Setting(False, help="Batch-normalise every hidden layer (training mode)").tag(sync=True)
    residual = Setting(False, help="Residual connections h + f(h) around every hidden layer").tag(sync=True)
    max_norm = Setting(0.0, help="Clip the gradients to this global norm (0 = no clipping)").tag(sync=True)
    seed = Setting(0, help="Seed of the weights (the batch uses seed + 1)").tag(sync=True)

    _SETTINGS = ("depth", "width", "batch", "activation", "init", "weight_scale", "batch_norm", "residual",
                 "max_norm", "seed")

    def __init__(self, **kwargs):
        self._networks: OrderedDict = OrderedDict()
        self._batches: OrderedDict = OrderedDict()
        self._last_pass = (None, None)  # (network and batch settings, their unclipped pass)
        self._traces: OrderedDict = OrderedDict()  # settings other than depth -> the latest ForwardTrace
        super().__init__(**kwargs)

    # ------------------------------------------------------------ driving from code
    @property
    def ratio(self):
        """||dL/dW_1|| / ||dL/dW_depth|| now (None if undefined)."""
        return self.view.get("ratio") if self.view else None

    @property
    def signal_ratio(self):
        """||dL/dh_1|| / ||dL/dh_depth|| now: how much of the back-propagated signal reaches layer 1."""
        return self.view.get("signal_ratio") if self.view else None

    @property
    def flow(self):
        """'vanishing', 'healthy' or 'exploding' now (None if the settings are impossible)."""
        return self.view.get("flow") if self.view else None

    # ------------------------------------------------------------ the model
    def _validated(self, s) -> dict:
        return {
            "depth": whole_number("depth", s.depth, *FLOW_LIMITS["depth"]),
            "width": whole_number("width", s.width, *FLOW_LIMITS["width"]),
            "batch": whole_number("batch", s.batch, *FLOW_LIMITS["batch"]),
            "activation": choice("activation", s.activation, tuple(ACTIVATIONS)),
            "init": choice("init", s.init, tuple(INITIALISERS)),
            "weight_scale": real_number("weight_scale", s.weight_scale, *FLOW_LIMITS["weight_scale"]),
            "batch_norm": switch("batch_norm", s.batch_norm),
            "residual": switch("residual", s.residual),
            "max_norm": real_number("max_norm", s.max_norm, *FLOW_LIMITS["max_norm"]),
            "seed": seed_number(s.seed, 2**31 - 2),
        }

    @staticmethod
    def _cached(cache, key, make):
        """cache[key], made by make() if missing; the newest _CACHE_SIZE entries are kept."""
        return keep_newest(cache, key, cache[key] if key in cache else make(), _CACHE_SIZE)

    def _compute(self, s) -> dict:
        s = self._validated(s)
        net_key = tuple(s[k] for k in ("depth", "width", "activation", "init", "weight_scale", "batch_norm",
                                        "residual", "seed"))
        new_network = net_key not in self._networks
        if new_network and self._networks:
            # make room first, or old and new would both be alive while the new one is built and run:
            # it is about as large as the newest (as a rule it differs in one setting)
            newest = next(reversed(self._networks.values())).nbytes
            trim_to_budget(self._networks, _NETWORK_BYTES - newest, _nbytes, keep=0)
        net = self._cached(self._networks, net_key, lambda: mlp_network(*net_key, read_only=True))  # never trained
        batch_key = (s["width"], s["batch"], s["seed"])
        x, y = self._cached(self._batches, batch_key, lambda: mlp_batch(*batch_key))
        pass_key, result = self._last_pass
        if pass_key != (net_key, batch_key):
            trace_key = (net_key[1:], batch_key)
            with np.errstate(all="ignore"):
                result = net.forward_backward(x, y, keep_grads=False, stop=self._stale,
                                              trace=self._traces.get(trace_key) or ForwardTrace())
            self._last_pass = ((net_key, batch_key), result)
            new_trace = trace_key not in self._traces
            keep_newest(self._traces, trace_key, result.trace, _TRACES)
            # trimmed when what they hold grew: a new network, or a new trace (new settings other than
            # depth, or a new batch, which also resizes a network's arrays); a depth step adds at most
            # one layer to its trace
            if new_network or new_trace:
                trim_to_budget(self._networks, _NETWORK_BYTES, _nbytes)
            if new_trace:
                trim_to_budget(self._traces, _TRACE_BYTES, _nbytes)
        if s["max_norm"]:
            with np.errstate(all="ignore"):
                result = norm_clipped(result, s["max_norm"])
        if not np.isfinite(result.total_grad_norm):
            raise ValueError("the gradients overflowed (too large to represent); lower the weight scale or the depth")
        depth = s["depth"]
        weight_norms = result.weight_grad_norms
        signal = result.activation_grad_norms
        signal_ratio = signal[0] / signal[-1] if signal[-1] > 0 else (np.inf if signal[0] > 0 else np.nan)
        view = {
            **s,
            "layers": list(range(1, depth + 1)),
            "weight_grad_norms": finite_list(weight_norms[:depth]),
            "output_grad_norm": finite(weight_norms[depth]),
            "activation_grad_norms": finite_list(result.activation_grad_norms),
            "saturated": [st.saturated_fraction for st in result.layer_stats],
            "dead": [st.dead_fraction for st in result.layer_stats],
            "act_std": finite_list(st.std for st in result.layer_stats),
            "ratio": finite(result.grad_ratio),
            "ratio_text": "undefined (no gradient reaches either layer)" if np.isnan(result.grad_ratio)
                          else f"{result.grad_ratio:.3g}",
            "flow": result.flow,
            "signal_ratio": finite(signal_ratio),
            "signal_ratio_text": "undefined (no gradient)" if np.isnan(signal_ratio) else f"{signal_ratio:.3g}",
            "signal_flow": classify_gradient_ratio(signal_ratio),
            "verdict": disagreement(result.flow, classify_gradient_ratio(signal_ratio), result.total_grad_norm),
            "loss": finite(result.loss),
            "total_norm": finite(result.total_grad_norm),
            "vanishing_below": VANISHING_BELOW, "exploding_above": EXPLODING_ABOVE,
        }
        if result.clipped:
            view["clipped_norm"] = finite(result.clipped_total_norm)
            view["clipped_weight_norms"] = finite_list(result.clipped_weight_grad_norms[:depth])
        else:
            view["clipped_norm"] = None
            view["clipped_weight_norms"] = None
        return view

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Gradient-flow meter"

    def _describe(self, v: dict) -> str:
        extras = [name for name, on in (("batch norm", v["batch_norm"]), ("residual connections", v["residual"])) if on]
        clip = (f" Clipped to global norm {v['max_norm']:g}: total norm {v['total_norm']:.3g} -> {v['clipped_norm']:.3g}."
                if v["clipped_norm"] is not None else f" Total gradient norm {v['total_norm']:.3g}.")
        return (f"Gradient-flow meter: {v['depth']} {v['activation']} layers of width {v['width']}, "
                f"{v['init']} init x {v['weight_scale']:g}"
                + (f", {' and '.join(extras)}" if extras else "")
                + f", batch {v['batch']}. Weight gradients ||dL/dW_1|| / ||dL/dW_{v['depth']}|| = {v['ratio_text']}: "
                f"{v['flow']}; back-propagated signal ||dL/dh_1|| / ||dL/dh_{v['depth']}|| = {v['signal_ratio_text']}: "
                f"{v['signal_flow']} (vanishing below {v['vanishing_below']:g}, exploding above "
                f"{v['exploding_above']:g})." + clip + (f" {v['verdict']}" if v["verdict"] else ""))

    _FIGSIZE = (8, 3.6)

    def _draw_figure(self, fig, v: dict) -> None:
        """Per-layer gradient norms on a log scale, with the ratio and the verdict in the title."""
        ax = fig.add_subplot()
        floor = 1e-30

        def clean(values):
            return [max(val, floor) if val is not None else np.nan for val in values]

        ax.semilogy(v["layers"], clean(v["weight_grad_norms"]), "o-", ms=3, color=PALETTE["weight"],
                    label="||dL/dW_l|| (weights)")
        ax.semilogy(v["layers"], clean(v["activation_grad_norms"]), "s--", ms=3, color=PALETTE["activation"],
                    label="||dL/dh_l|| (layer outputs)")
        if v["clipped_weight_norms"] is not None:
            ax.semilogy(v["layers"], clean(v["clipped_weight_norms"]), ":", color=PALETTE["clipped"],
                        label="||dL/dW_l|| after clipping")
        ax.set_xlabel("hidden layer (1 = next to the input)")
        ax.set_ylabel("gradient norm")
        ax.legend(fontsize=8, loc="best")
        ax.set_title(f"weights first/last = {v['ratio_text']}: {v['flow']};  signal first/last = "
                     f"{v['signal_ratio_text']}: {v['signal_flow']}", fontsize=11)
        fig.tight_layout()
