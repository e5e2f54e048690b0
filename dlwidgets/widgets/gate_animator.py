"""LSTM gate animator with a GRU beside it: gates opening and closing over a sequence.

Python runs the LSTM and the GRU over one seeded sequence with dlwidgets.core (a pulse at
step 1, then small noise) and sends every step's gates and states in one dict; the browser
plays, pauses and steps through them at its own frame rate, interpolating between steps.
The cell state is drawn as a conveyor belt: what is written at step 1 survives to step t
in the fraction f_2 * f_3 * ... * f_t (LSTM), or z_2 * ... * z_t of the old state (GRU).
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import gru_experiment, lstm_experiment, retained_fraction
from ._base import CourseWidget, Setting, front_end, real_number, seed_number, whole_number

__all__ = ["GateAnimator", "GATE_LIMITS"]

GATE_LIMITS = {
    "forget_bias": (-6.0, 10.0), "update_bias": (-6.0, 10.0), "steps": (2, 60), "hidden_size": (1, 8),
    "pulse": (-5.0, 5.0), "noise": (0.0, 3.0),
}
_WHOLE = ("steps", "hidden_size")
# One colour per unit in the cell-state plots (Okabe-Ito, as in the front end).
UNIT_COLOURS = ("#D55E00", "#0072B2", "#009E73", "#E69F00", "#CC79A7", "#56B4E9", "#F0E442", "#7F7F7F")
PALETTE = {"i": "#009E73", "f": "#0072B2", "g": "#CC79A7", "o": "#E69F00", "c": "#D55E00", "h": "#000000",
           "r": "#56B4E9", "z": "#0072B2", "n": "#CC79A7"}


def _pre_activation(values, tanh: bool) -> list:
    """The pre-activations a that core's gate values came from, value = σ(a) (or tanh(a) for a candidate),
    as nested lists; None where the value is saturated in float64 (σ(a) == 1 exactly), so a is not known."""
    v = np.asarray(values, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        a = np.arctanh(v) if tanh else np.log(v) - np.log1p(-v)
    return [[float(x) if np.isfinite(x) else None for x in row] for row in a]


class GateAnimator(CourseWidget):
    """Play, pause and step an LSTM (and a GRU beside it) through a sequence, gate by gate."""

    _esm = front_end("gate_animator.js")
    _css = pathlib.Path(__file__).with_name("gate_animator.css")

    forget_bias = Setting(0.0, help="Added to the LSTM forget gate's bias: high keeps memory, low forgets").tag(sync=True)
    update_bias = Setting(0.0, help="Added to the GRU update gate's bias: high copies the old state through").tag(sync=True)
    steps = Setting(30, help="Length T of the sequence").tag(sync=True)
    hidden_size = Setting(4, help="Hidden units H (one bar per unit in every gate)").tag(sync=True)
    pulse = Setting(2.0, help="Size of the input pulse at step 1").tag(sync=True)
    noise = Setting(0.3, help="Standard deviation of the input after the pulse").tag(sync=True)
    seed = Setting(0, help="Seed of the weights and the input noise").tag(sync=True)
    step = traitlets.Int(1, help="Time step shown, 1..T; the browser advances it while playing").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the sequence").tag(sync=True)
    speed = traitlets.Float(3.0, help="Playback speed, time steps per second (frames are drawn at the display rate)").tag(sync=True)

    _SETTINGS = ("forget_bias", "update_bias", "steps", "hidden_size", "pulse", "noise", "seed")
    _FIGSIZE = (10, 4.2)

    # ------------------------------------------------------------ driving from code
    def step_forward(self) -> int:
        """Show the next time step (wrapping to 1 after T); returns it."""
        total = self.view.get("steps", 1)
        self.playing = False
        self.step = 1 if self.step >= total else self.step + 1
        return self.step

    def step_back(self) -> int:
        """Show the previous time step (wrapping to T before 1); returns it."""
        total = self.view.get("steps", 1)
        self.playing = False
        self.step = total if self.step <= 1 else self.step - 1
        return self.step

    def play(self) -> None:
        """Start playback in the browser (from step 1 if at the end)."""
        if self.step >= self.view.get("steps", 1):
            self.step = 1
        self.playing = True

    def pause(self) -> None:
        """Stop playback; the browser reports the step it stopped at."""
        self.playing = False

    def memory_after(self, n: int = 20, cell: str = "lstm") -> float:
        """Fraction of what the belt carried at step 1 that is left n steps later (mean over units)."""
        key = {"lstm": "retained", "gru": "gru_retained"}[cell]
        values = self.view.get(key, [])
        if not 0 <= n < len(values):
            raise ValueError(f"n must be between 0 and {len(values) - 1} for a sequence of {len(values)} steps")
        return values[n]

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        v = {name: (whole_number if name in _WHOLE else real_number)(name, getattr(s, name), *GATE_LIMITS[name])
             for name in GATE_LIMITS}
        common = {k: v[k] for k in ("steps", "hidden_size", "pulse", "noise")}
        common["seed"] = seed_number(s.seed)
        # A slider moves one cell's bias at a time: rerun only the cell whose settings changed.
        xs, lstm = self._run_cached("lstm", lstm_experiment, forget_bias=v["forget_bias"], **common)
        _, gru = self._run_cached("gru", gru_experiment, update_bias=v["update_bias"], **common)
        return {
            "steps": v["steps"], "hidden_size": v["hidden_size"], "forget_bias": v["forget_bias"],
            "update_bias": v["update_bias"], "xs": xs[:, 0].tolist(),
            "lstm": {k: getattr(lstm, k).tolist() for k in ("i", "f", "g", "o", "c", "h")},
            "gru": {k: getattr(gru, k).tolist() for k in ("r", "z", "n", "h")},
            "retained": retained_fraction(lstm.f).tolist(), "gru_retained": retained_fraction(gru.z).tolist(),
            "c_max": float(max(np.max(np.abs(lstm.c)), 1e-12)),
            "h_max": float(max(np.max(np.abs(lstm.h)), np.max(np.abs(gru.h)), 1e-12)),
            "mean_f": float(lstm.f.mean()), "mean_z": float(gru.z.mean()),
            # what each gate's value is the σ (or tanh) of: the hover readout shows "f = σ(a)"
            "pre": {"lstm": {k: _pre_activation(getattr(lstm, k), k == "g") for k in ("i", "f", "g", "o")},
                    "gru": {k: _pre_activation(getattr(gru, k), k == "n") for k in ("r", "z", "n")}},
        }

    def _on_new_view(self) -> None:
        if self.error:
            self.playing = False
        else:
            self.step = min(max(self.step, 1), self.view["steps"])

    def _run_cached(self, cell, experiment, **settings):
        """experiment(**settings), reusing the last result of this cell if the settings are the same."""
        cache = self.__dict__.setdefault("_last_runs", {})
        key = tuple(sorted(settings.items()))
        if cell not in cache or cache[cell][0] != key:
            cache[cell] = (key, experiment(**settings))
        return cache[cell][1]

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Gate animator"

    def _describe(self, v: dict) -> str:
        n = min(20, v["steps"] - 1)
        return (f"Gate animator: an LSTM and a GRU with {v['hidden_size']} units read a pulse at step 1 and "
                f"noise for {v['steps']} steps. LSTM forget-gate bias {v['forget_bias']:+g}: mean forget gate "
                f"{v['mean_f']:.3f}, and after {n} steps the cell state keeps {v['retained'][n]:.3g} of what it "
                f"carried at step 1. GRU update-gate bias {v['update_bias']:+g}: mean update gate "
                f"{v['mean_z']:.3f}, keeping {v['gru_retained'][n]:.3g} of its old state after {n} steps.")

    def _draw_figure(self, fig, v: dict) -> None:
        """Gates, cell state and memory over time."""
        t = np.arange(1, v["steps"] + 1)
        axes = fig.subplots(1, 3)
        names = {"i": "input i", "f": "forget f", "g": "candidate g", "o": "output o"}
        for gate, label in names.items():
            axes[0].plot(t, np.mean(v["lstm"][gate], axis=1), color=PALETTE[gate], label=label)
        axes[0].set_title("LSTM gates (mean over units)", fontsize=10)
        axes[0].set_xlabel("step"); axes[0].legend(fontsize=8, loc="best")
        c = np.array(v["lstm"]["c"])
        for u in range(c.shape[1]):
            axes[1].plot(t, c[:, u], color=UNIT_COLOURS[u % len(UNIT_COLOURS)], label=f"unit {u + 1}")
        axes[1].set_title("cell state c_t (one line per unit)", fontsize=10); axes[1].set_xlabel("step")
        axes[1].legend(fontsize=7, ncol=2, loc="best")
        axes[2].plot(t, v["retained"], color=PALETTE["f"], label=f"LSTM, forget bias {v['forget_bias']:+g}")
        axes[2].plot(t, v["gru_retained"], color=PALETTE["r"], linestyle="--",
                     label=f"GRU, update bias {v['update_bias']:+g}")
        axes[2].set_ylim(-0.02, 1.02); axes[2].set_xlabel("step")
        axes[2].set_title("memory of step 1 (product of f, of z)", fontsize=10); axes[2].legend(fontsize=8)
        fig.tight_layout()
