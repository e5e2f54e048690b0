"""Dropout as an ensemble: sampled masks drawn as thinned networks, and the average of their predictions
closing in on the full network's; zoneout on a recurrent layer beside it.

Python samples every mask and prediction with dlwidgets.core (and runs core's zoneout RNN in training
and eval mode) and sends them in one view; the browser steps and plays through the masks.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import rnn_params
from ..core.dropout import zoneout_rnn_forward
from ..core.dropout_ensemble import ENSEMBLE_SCHEMES, dropout_ensemble, ensemble_network
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, whole_number
from ._recording import Recording

__all__ = ["DropoutEnsemble", "ENSEMBLE_LIMITS", "ZONEOUT_STEPS", "ZONEOUT_UNITS"]

ENSEMBLE_LIMITS = {"p": (0.0, 0.9), "masks": (1, 300), "x1": (-2.0, 2.0), "x2": (-2.0, 2.0)}
ZONEOUT_STEPS, ZONEOUT_UNITS = 12, 6


def _rounded(array, places=4):
    return np.round(np.asarray(array, float), places).tolist()


class DropoutEnsemble(Recording, CourseWidget):
    """Thinned networks one mask at a time, their running average, and zoneout on an RNN."""

    _esm = front_end("dropout_ensemble.js")
    _css = pathlib.Path(__file__).with_name("dropout_ensemble.css")

    scheme = Setting("dropout", help="Where the mask goes: 'dropout' (hidden units), 'dropconnect' (input weights) "
                                     "or 'input_dropout' (inputs, before the tanh)").tag(sync=True)
    p = Setting(0.5, help="Drop probability (for zoneout: the probability that a unit keeps its value)").tag(sync=True)
    masks = Setting(200, help="Masks sampled (thinned networks averaged)").tag(sync=True)
    x1 = Setting(0.5, help="First input").tag(sync=True)
    x2 = Setting(-0.5, help="Second input").tag(sync=True)
    seed = Setting(0, help="Seed of the masks").tag(sync=True)
    step = traitlets.Int(-1, help="Masks shown (-1 = all); the browser plays it").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing through the masks").tag(sync=True)
    speed = traitlets.Float(10.0, help="Playback speed, masks per second").tag(sync=True)

    _SETTINGS = ("scheme", "p", "masks", "x1", "x2", "seed")
    _FRAMES = "count"
    _FIGSIZE = (10, 3.6)

    def _compute(self, s) -> dict:
        scheme = choice("scheme", s.scheme, ENSEMBLE_SCHEMES)
        p = real_number("p", s.p, *ENSEMBLE_LIMITS["p"], label="drop probability p")
        count = whole_number("masks", s.masks, *ENSEMBLE_LIMITS["masks"])
        x = [real_number(name, getattr(s, name), *ENSEMBLE_LIMITS[name]) for name in ("x1", "x2")]
        seed = seed_number(s.seed)
        run = dropout_ensemble(x, p, count, scheme, seed)
        net = ensemble_network(0)
        xs = np.random.default_rng(11).normal(size=(ZONEOUT_STEPS, 2))
        cell = rnn_params(2, ZONEOUT_UNITS, seed=0)
        zone_train, keep = zoneout_rnn_forward(xs, cell, p, seed=seed)
        zone_eval, _ = zoneout_rnn_forward(xs, cell, p, training=False)
        return {
            "scheme": scheme, "p": p, "count": count, "x": x,
            "W1": _rounded(net["W1"]), "w2": _rounded(net["w2"][0]),
            "masks": run.masks.reshape(count, -1).astype(int).tolist(),
            "predictions": _rounded(run.predictions), "running_mean": _rounded(run.running_mean),
            "full": run.full, "final_gap": float(abs(run.running_mean[-1] - run.full)),
            "exact_in_expectation": scheme == "dropout",
            "zoneout_train": _rounded(zone_train, 3), "zoneout_keep": keep.astype(int).tolist(),
            "zoneout_eval": _rounded(zone_eval, 3), "zoneout_kept": float(keep.mean()),
        }

    def _title(self) -> str:
        return "Dropout ensemble"

    def _describe(self, v: dict) -> str:
        where = {"dropout": "on the 8 hidden units", "dropconnect": "on the 16 input-to-hidden weights",
                 "input_dropout": "on the 2 inputs, before the tanh"}[v["scheme"]]
        limit = ("equals it in expectation (the masks feed a linear output)" if v["exact_in_expectation"] else
                 "only approximates it (the masks act inside the tanh)")
        return (f"Dropout ensemble: {v['count']} masks with p = {v['p']:g} {where}. The average of the {v['count']} "
                f"thinned networks' predictions is {v['running_mean'][-1]:.4f}; the full network (eval mode) predicts "
                f"{v['full']:.4f}, {v['final_gap']:.4f} away; the average {limit}. Zoneout with p = {v['p']:g} on a "
                f"6-unit RNN over {ZONEOUT_STEPS} steps kept {v['zoneout_kept']:.0%} of the unit updates.")

    def _draw_figure(self, fig, v: dict) -> None:
        """The predictions of the thinned networks and their running average, and the zoneout keep mask."""
        ax1, ax2 = fig.add_subplot(1, 2, 1), fig.add_subplot(1, 2, 2)
        k = np.arange(1, v["count"] + 1)
        ax1.plot(k, v["predictions"], ".", color="#E69F00", label="one thinned network")
        ax1.plot(k, v["running_mean"], color="#0072B2", label="running average")
        ax1.axhline(v["full"], color="#000000", linestyle="--", label="full network (eval)")
        ax1.set_xlabel("masks"); ax1.legend(fontsize=7); ax1.set_title(f"{v['scheme']}, p = {v['p']:g}")
        ax2.imshow(np.array(v["zoneout_train"]).T, cmap="PuOr", vmin=-1, vmax=1, aspect="auto")
        keep = np.array(v["zoneout_keep"])
        t, u = np.nonzero(keep)
        ax2.plot(t, u, "s", markerfacecolor="none", markeredgecolor="#000000", markersize=7)
        ax2.set_xlabel("time step"); ax2.set_ylabel("unit"); ax2.set_title("zoneout: kept units outlined")
