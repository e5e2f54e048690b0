"""Initialisation explorer: per-layer activation histograms through depth, for each initialiser.

Python builds a ``dlwidgets.core.MLP`` with the chosen initialiser (times a weight scale),
optionally trains it for a few SGD steps on a fixed seeded batch (the gradients from
``forward_backward``), and sends per-layer histograms of the hidden activations with core's
layer statistics. It also checks whether all units of a layer are identical: with all-zero
or constant weights every unit in a layer computes the same thing, gets the same gradient,
and so stays identical however long it trains (the symmetry that random init breaks).
"""

from __future__ import annotations

import pathlib

import numpy as np

from ..core import ACTIVATIONS, INITIALISERS, mlp_batch, mlp_network
from ._base import CourseWidget, Setting, choice, real_number, seed_number, whole_number
from ._plot_controls import finite_list, lesson_front_end

__all__ = ["InitExplorer", "INIT_LIMITS", "explorer_network", "hidden_activations", "shown_layers"]

INIT_LIMITS = {"depth": (1, 30), "width": (2, 512), "batch": (2, 1024), "weight_scale": (0.05, 4.0),
               "train_steps": (0, 50), "learning_rate": (1e-4, 10.0)}
BINS = 40
MAX_PANELS = 10
_BOUNDED = {"sigmoid": (0.0, 1.0), "tanh": (-1.0, 1.0)}
PALETTE = {"hist": "#0072B2", "identical": "#D55E00", "std": "#009E73"}  # Okabe-Ito


def explorer_network(depth=10, width=128, batch=256, activation="tanh", init="glorot_uniform", weight_scale=1.0,
                     train_steps=0, learning_rate=0.01, seed=0, stop=None):
    """(net, x, y, result): the explorer's core MLP after ``train_steps`` SGD steps, and its last pass.

    The batch is the gradient-flow meter's (core's ``mlp_batch``); each step subtracts
    ``learning_rate`` times every gradient that ``forward_backward`` returned. ``stop`` goes to
    every pass (core's PassStopped ends the computation part-way).
    """
    net = mlp_network(depth, width, activation, init, weight_scale, False, False, seed)
    x, y = mlp_batch(width, batch, seed)
    with np.errstate(all="ignore"):
        result = net.forward_backward(x, y, stop=stop)
        for _ in range(train_steps):
            for name, grad in result.grads.items():
                net.params[name] -= learning_rate * grad
            result = net.forward_backward(x, y, stop=stop)
    return net, x, y, result


def hidden_activations(net, x) -> list:
    """Each hidden layer's activations f(u), shape (batch, width), from core's own forward pass."""
    with np.errstate(all="ignore"):
        _, _, cache = net._forward(np.asarray(x, dtype=float), keep=True)  # core keeps (h_in, a, f', ...) per layer
    return [entry[1] for entry in cache]


def shown_layers(depth: int) -> list:
    """The (1-based) layers drawn: all of them up to 10, else 10 spread from first to last."""
    if depth <= MAX_PANELS:
        return list(range(1, depth + 1))
    return sorted({int(round(v)) for v in np.linspace(1, depth, MAX_PANELS)})


def _all_units_identical(a) -> bool:
    """Whether every column (unit) of a equals the first: the layer computes one thing width times."""
    return bool(np.all(a == a[:, :1]))


class InitExplorer(CourseWidget):
    """Histograms of each hidden layer's activations for an initialiser, and whether units stay identical."""

    _esm = lesson_front_end("init_explorer.js")
    _css = pathlib.Path(__file__).with_name("init_explorer.css")

    init = Setting("glorot_uniform", help="Weight initialiser, one of dlwidgets.core.INITIALISERS").tag(sync=True)
    activation = Setting("tanh", help="Hidden activation, one of dlwidgets.core.ACTIVATIONS").tag(sync=True)
    depth = Setting(10, help="Number of hidden layers").tag(sync=True)
    width = Setting(128, help="Units per hidden layer (and input features)").tag(sync=True)
    batch = Setting(256, help="Examples in the fixed batch").tag(sync=True)
    weight_scale = Setting(1.0, help="Every initial weight is multiplied by this").tag(sync=True)
    train_steps = Setting(0, help="SGD steps taken before the histograms are drawn").tag(sync=True)
    learning_rate = Setting(0.01, help="SGD step size for train_steps").tag(sync=True)
    seed = Setting(0, help="Seed of the weights (the batch uses seed + 1)").tag(sync=True)

    _SETTINGS = ("init", "activation", "depth", "width", "batch", "weight_scale", "train_steps", "learning_rate",
                 "seed")

    def _compute(self, s) -> dict:
        s = {
            "init": choice("init", s.init, tuple(INITIALISERS)),
            "activation": choice("activation", s.activation, tuple(ACTIVATIONS)),
            "depth": whole_number("depth", s.depth, *INIT_LIMITS["depth"]),
            "width": whole_number("width", s.width, *INIT_LIMITS["width"]),
            "batch": whole_number("batch", s.batch, *INIT_LIMITS["batch"]),
            "weight_scale": real_number("weight_scale", s.weight_scale, *INIT_LIMITS["weight_scale"]),
            "train_steps": whole_number("train_steps", s.train_steps, *INIT_LIMITS["train_steps"]),
            "learning_rate": real_number("learning_rate", s.learning_rate, *INIT_LIMITS["learning_rate"]),
            "seed": seed_number(s.seed, 2**31 - 2),
        }
        net, x, _, result = explorer_network(**s, stop=self._stale)
        acts = hidden_activations(net, x)
        if not all(np.all(np.isfinite(a)) for a in acts) or not np.isfinite(result.loss):
            raise ValueError("the activations overflowed; lower the weight scale, the learning rate or the depth")
        lo, hi = _BOUNDED.get(s["activation"], (min(float(a.min()) for a in acts), max(float(a.max()) for a in acts)))
        if hi - lo < 1e-9:
            lo, hi = lo - 0.5, hi + 0.5
        layers = shown_layers(s["depth"])
        panels = []
        for l in layers:
            a = acts[l - 1]
            counts, _ = np.histogram(a, bins=BINS, range=(lo, hi))
            st = result.layer_stats[l - 1]
            panels.append({"layer": l, "counts": counts.tolist(), "fraction": (counts / a.size).tolist(),
                           "mean": st.mean, "std": st.std, "saturated": st.saturated_fraction,
                           "dead": st.dead_fraction, "identical": _all_units_identical(a)})
        return {**s, "lo": lo, "hi": hi, "bins": BINS, "panels": panels,
                "std_by_layer": finite_list(st.std for st in result.layer_stats),
                "identical_by_layer": [_all_units_identical(a) for a in acts],
                "grad_norms": finite_list(result.weight_grad_norms[:s["depth"]]),
                "loss": float(result.loss)}

    @property
    def identical_units(self) -> bool:
        """True if some hidden layer has all of its units computing the same thing."""
        return bool(self.view) and any(self.view["identical_by_layer"])

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Initialisation explorer"

    def _describe(self, v: dict) -> str:
        stds = v["std_by_layer"]
        same = [l + 1 for l, same in enumerate(v["identical_by_layer"]) if same]
        symmetry = (f" In {len(same)} of {v['depth']} layers every one of the {v['width']} units is identical "
                    "(symmetry not broken)." if same else " All layers have distinct units.")
        trained = f" after {v['train_steps']} SGD steps (lr {v['learning_rate']:g})" if v["train_steps"] else ""
        return (f"Initialisation explorer: {v['depth']} {v['activation']} layers of width {v['width']}, "
                f"{v['init']} init x {v['weight_scale']:g}{trained}. Activation std goes from "
                f"{stds[0]:.3g} in layer 1 to {stds[-1]:.3g} in layer {v['depth']}.{symmetry}")

    _FIGSIZE = (10, 2.6)

    def _draw_figure(self, fig, v: dict) -> None:
        """One histogram per shown layer, in a row."""
        edges = np.linspace(v["lo"], v["hi"], v["bins"] + 1)
        axes = fig.subplots(1, len(v["panels"]), sharey=True, squeeze=False)[0]
        for ax, p in zip(axes, v["panels"]):
            color = PALETTE["identical"] if p["identical"] else PALETTE["hist"]
            ax.stairs(p["fraction"], edges, fill=True, color=color)   # one artist, not one bar per bin
            ax.set_title(f"layer {p['layer']}\nstd {p['std']:.2g}", fontsize=9)
            ax.tick_params(labelsize=7)
        fig.suptitle(f"{v['init']} x {v['weight_scale']:g}, {v['activation']}", fontsize=10)
        fig.tight_layout()
