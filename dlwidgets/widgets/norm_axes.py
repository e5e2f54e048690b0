"""Normalisation axes: one (N, C, H, W) tensor, coloured by which cells share a mean and variance.

Python draws a seeded batch, asks dlwidgets.core which cells each scheme (batch, layer, instance,
group norm) averages together and computes every group's exact mean and std, batch norm's running
statistics over a run of training batches, and how the batch statistics' noise grows as the batch
shrinks. The browser draws the cells, plays the running statistics step by step, and scrubs them.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import traitlets

from ..core.norm_experiment import POPULATION_MEAN, POPULATION_STD, running_stats_experiment
from ..core.normalisation import NORM_EPS, NORM_KINDS, batch_statistics_spread, group_statistics, normalise
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, whole_number
from ._recording import Recording

__all__ = ["NormAxes", "NORM_LIMITS", "CHANNELS", "POPULATION_MEAN", "POPULATION_STD", "SHAPES"]

CHANNELS = len(POPULATION_MEAN)
SHAPES = ("N,C", "N,C,2,2")
NORM_LIMITS = {"batch_size": (1, 16), "num_groups": (1, CHANNELS), "sample": (0, 15), "channel": (0, CHANNELS - 1),
               "momentum": (0.01, 1.0), "gamma": (-3.0, 3.0), "beta": (-3.0, 3.0)}
TRAIN_STEPS = 60   # training batches the running statistics are followed through
SPREAD_SIZES = (1, 2, 4, 8, 16, 32, 64)
MODES = ("train", "eval")


def _positions(shape: str) -> int:
    return 1 if shape == "N,C" else 4


class NormAxes(Recording, CourseWidget):
    """Which cells batch, layer, instance and group norm average together, with exact statistics."""

    _esm = front_end("norm_axes.js")
    _css = pathlib.Path(__file__).with_name("norm_axes.css")

    kind = Setting("batch", help="Normalisation scheme: 'batch', 'layer', 'instance' or 'group'").tag(sync=True)
    num_groups = Setting(2, help="Groups of channels for group norm (must divide the 6 channels)").tag(sync=True)
    batch_size = Setting(4, help="Samples N in the batch").tag(sync=True)
    shape = Setting("N,C,2,2", help="'N,C' (a fully connected layer's input) or 'N,C,2,2' (a conv layer's)").tag(sync=True)
    sample = Setting(0, help="Sample of the selected cell").tag(sync=True)
    channel = Setting(0, help="Channel of the selected cell").tag(sync=True)
    mode = Setting("train", help="'train': batch statistics; 'eval': batch norm's running statistics").tag(sync=True)
    momentum = Setting(0.1, help="Batch norm's running-statistics momentum (PyTorch's default 0.1)").tag(sync=True)
    gamma = Setting(1.0, help="Scale gamma applied after normalising (every channel)").tag(sync=True)
    beta = Setting(0.0, help="Shift beta applied after normalising (every channel)").tag(sync=True)
    seed = Setting(0, help="Seed of the batch and of the training batches").tag(sync=True)
    step = traitlets.Int(-1, help="Training batches seen by the running statistics (-1 = all); the browser plays it").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the running statistics").tag(sync=True)
    speed = traitlets.Float(10.0, help="Playback speed, training batches per second").tag(sync=True)

    _SETTINGS = ("kind", "num_groups", "batch_size", "shape", "sample", "channel", "mode", "momentum", "gamma", "beta",
                 "seed")
    _FRAMES = "steps"
    _FIGSIZE = (10, 4.2)

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        kind = choice("kind", s.kind, NORM_KINDS)
        shape = choice("shape", s.shape, SHAPES)
        mode = choice("mode", s.mode, MODES)
        b = whole_number("batch_size", s.batch_size, *NORM_LIMITS["batch_size"], label="batch size")
        groups = whole_number("num_groups", s.num_groups, *NORM_LIMITS["num_groups"], label="number of groups")
        sample = min(whole_number("sample", s.sample, *NORM_LIMITS["sample"]), b - 1)  # the batch may have shrunk
        channel = whole_number("channel", s.channel, *NORM_LIMITS["channel"])
        momentum = real_number("momentum", s.momentum, *NORM_LIMITS["momentum"])
        gamma = real_number("gamma", s.gamma, *NORM_LIMITS["gamma"])
        beta = real_number("beta", s.beta, *NORM_LIMITS["beta"])
        positions = _positions(shape)
        x, *path = running_stats_experiment(b, positions, momentum, seed_number(s.seed), TRAIN_STEPS)
        if kind == "instance" and positions == 1:
            raise ValueError("instance norm averages over the positions of one channel of one sample; "
                             "a (N, C) tensor has one position, so choose shape N,C,2,2")
        labels, means, variances = group_statistics(x, kind, groups)
        cells = x.reshape(b, CHANNELS, positions)
        labels = labels.reshape(b, CHANNELS, positions)
        normalised = normalise(x, kind, groups).reshape(b, CHANNELS, positions)
        chosen = int(labels[sample, channel, 0])
        value = float(cells[sample, channel, 0])
        mean, var = float(means[chosen]), float(variances[chosen])
        train_output = gamma * (value - mean) / math.sqrt(var + NORM_EPS) + beta
        path = path if kind == "batch" and path[0] is not None else None
        view = {
            "kind": kind, "shape": shape, "mode": mode, "batch_size": b, "channels": CHANNELS,
            "positions": positions, "num_groups": groups, "sample": sample, "channel": channel,
            "gamma": gamma, "beta": beta, "momentum": momentum,
            "values": np.round(cells, 3).tolist(), "labels": labels.tolist(),
            "outputs": np.round(gamma * normalised + beta, 3).tolist(),
            "groups": int(labels.max()) + 1, "group_size": int(np.sum(labels == chosen)),
            # every group's statistics, for the readout of a hovered cell's output
            "group_means": np.round(means, 3).tolist(), "group_variances": np.round(variances, 3).tolist(),
            "selected": {"label": chosen, "value": value, "mean": mean, "std": math.sqrt(var),
                         "output": train_output},
            "train_formula": self._formula(value, mean, var, gamma, beta, train_output),
            "warning": self._warning(kind, b, positions, var),
            "population": {"mean": POPULATION_MEAN[channel], "std": POPULATION_STD[channel]},
            "eval_note": "" if kind == "batch" else (f"{kind} norm has no running statistics: in eval mode it "
                                                     "normalises each sample with its own statistics, as in training."),
        }
        view.update(self._running(path, channel, value, gamma, beta, momentum))
        view.update(self._spread(channel, positions, b, int(seed_number(s.seed))))
        return view

    @staticmethod
    def _formula(value, mean, var, gamma, beta, out) -> str:
        return (f"γ·(x − μ)/√(σ² + ε) + β = {gamma:g}·({value:.3f} − {mean:.3f})/√({var:.3f} + 1e-5) + {beta:g}"
                f" = {out:.3f}")

    @staticmethod
    def _warning(kind, b, positions, var) -> str:
        if kind == "batch" and b * positions == 1:
            return ("Batch size 1 on an (N, C) input: each channel's batch holds one value, its own mean, so x − μ = 0 "
                    "and every output is β. PyTorch refuses in training mode (\"Expected more than 1 value per "
                    "channel when training\"); the running variance's unbiased estimate would divide by 0.")
        if kind == "batch" and b == 1:
            return ("Batch size 1: batch norm averages over one sample's positions only, which is instance norm; "
                    "the statistics are as noisy as the sample.")
        return ""

    @staticmethod
    def _running(path, channel, value, gamma, beta, momentum) -> dict:
        """The running mean and std of the selected channel after each training batch, and the eval-mode
        output of the selected value from them."""
        if path is None:
            return {"steps": 0, "running_mean": [], "running_std": [], "batch_means": [], "eval_outputs": []}
        means, variances, batch_means = path
        rm, rv = means[:, channel], variances[:, channel]
        outputs = gamma * (value - rm) / np.sqrt(rv + NORM_EPS) + beta
        return {"steps": TRAIN_STEPS, "running_mean": rm.tolist(), "running_std": np.sqrt(rv).tolist(),
                "batch_means": batch_means[:, channel].tolist(), "eval_outputs": outputs.tolist(),
                "eval_formula": (f"after {TRAIN_STEPS} batches: γ·(x − running mean)/√(running var + ε) + β = "
                                 f"{gamma:g}·({value:.3f} − {rm[-1]:.3f})/√({rv[-1]:.3f} + 1e-5) + {beta:g} = "
                                 f"{outputs[-1]:.3f}"),
                "momentum_note": f"each batch: running = {1 - momentum:.2f}·running + {momentum:.2f}·batch"}

    @staticmethod
    def _spread(channel, positions, b, seed) -> dict:
        mean_spread, std_spread = batch_statistics_spread(POPULATION_MEAN[channel], POPULATION_STD[channel],
                                                          SPREAD_SIZES, positions, draws=200, seed=seed)
        return {"spread_sizes": list(SPREAD_SIZES), "mean_spread": mean_spread.tolist(),
                "std_spread": std_spread.tolist()}

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Normalisation axes"

    def _describe(self, v: dict) -> str:
        sel = v["selected"]
        name = {"batch": "batch norm", "layer": "layer norm", "instance": "instance norm",
                "group": f"group norm with {v['num_groups']} groups"}[v["kind"]]
        shape = f"({v['batch_size']}, 6)" if v["positions"] == 1 else f"({v['batch_size']}, 6, 2, 2)"
        text = (f"Normalisation axes: a tensor of shape {shape} under {name}: {v['groups']} groups of "
                f"{v['group_size']} cells share a mean and variance. The selected cell (sample {v['sample']}, "
                f"channel {v['channel']}) = {sel['value']:.3f} is in a group with mean {sel['mean']:.3f} and std "
                f"{sel['std']:.3f}; {v['train_formula']}.")
        if v["steps"]:
            text += (f" In eval mode batch norm uses running statistics instead ({v['momentum_note']}); "
                     f"{v['eval_formula']}.")
        if v["warning"]:
            text += " " + v["warning"]
        return text

    def _draw_figure(self, fig, v: dict) -> None:
        """The tensor coloured by group, and batch norm's running mean over training batches."""
        from matplotlib.patches import Rectangle

        colours = ["#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"]
        ax = fig.add_subplot(1, 2, 1)
        p, gap = v["positions"], 0.6
        for n in range(v["batch_size"]):
            for c in range(v["channels"]):
                for q in range(p):
                    label = v["labels"][n][c][q]
                    left = n * (p + gap) + q
                    chosen = label == v["selected"]["label"]
                    ax.add_patch(Rectangle((left, c), 1, 1, facecolor=colours[label % 7], edgecolor="white",
                                           alpha=1.0 if chosen else 0.35))
        ax.set_xlim(0, v["batch_size"] * (p + gap)); ax.set_ylim(v["channels"], 0); ax.set_aspect("equal")
        ax.set_xticks([n * (p + gap) + p / 2 for n in range(v["batch_size"])], [f"n={n}" for n in range(v["batch_size"])])
        ax.set_yticks([c + 0.5 for c in range(v["channels"])], [f"c={c}" for c in range(v["channels"])])
        ax.set_title(f"{v['kind']} norm: {v['groups']} groups")
        ax2 = fig.add_subplot(1, 2, 2)
        if v["steps"]:
            steps = range(len(v["running_mean"]))
            ax2.plot(steps, v["running_mean"], color="#0072B2", label="running mean")
            ax2.plot(range(1, len(v["batch_means"]) + 1), v["batch_means"], ".", color="#E69F00", label="batch mean")
            ax2.axhline(v["population"]["mean"], color="#000000", linestyle=":", label="population mean")
            ax2.set_xlabel("training batches"); ax2.legend(fontsize=8)
            ax2.set_title(f"channel {v['channel']}: running statistics (momentum {v['momentum']:g})")
        else:
            ax2.axis("off")
            ax2.text(0.5, 0.5, v["warning"] or "running statistics: batch norm only", ha="center", va="center",
                     wrap=True)
