"""LSTM gate animator with a GRU beside it: gates opening and closing over a sequence.

Python runs the LSTM and the GRU over one seeded sequence with dlwidgets.core (a pulse at
step 1, then small noise) and sends every step's gates and states in one dict; the browser
plays, pauses and steps through them at its own frame rate, interpolating between steps.
The cell state is drawn as a conveyor belt: what is written at step 1 survives to step t
in the fraction f_2 * f_3 * ... * f_t (LSTM), or z_2 * ... * z_t of the old state (GRU).
"""

from __future__ import annotations

import pathlib

import anywidget
import numpy as np
import traitlets

from ..core import gru_gate_slice, gru_params, gru_sequence, lstm_params, lstm_sequence
from ._static import StaticFallback
from .rnn_unroller import _number

__all__ = ["GateAnimator", "lstm_experiment", "gru_experiment", "retained_fraction", "GATE_LIMITS"]

GATE_LIMITS = {
    "forget_bias": (-6.0, 10.0), "update_bias": (-6.0, 10.0), "steps": (2, 60), "hidden_size": (1, 8),
    "pulse": (-5.0, 5.0), "noise": (0.0, 3.0),
}
PALETTE = {"i": "#009E73", "f": "#0072B2", "g": "#CC79A7", "o": "#E69F00", "c": "#D55E00", "h": "#000000",
           "r": "#56B4E9", "z": "#0072B2", "n": "#CC79A7"}


def _inputs(steps, pulse, noise, seed):
    """The shared input sequence, (T, 1): a pulse at step 1 on top of seeded noise."""
    xs = np.random.default_rng(seed).normal(size=(steps, 1)) * noise
    xs[0, 0] += pulse
    return xs


def retained_fraction(gates):
    """(T,) fraction of what the belt carried after step 1 still there at step t, averaged over units.

    gates is (T, H): the LSTM's forget gate or the GRU's update gate at every step. Row 0 is
    1 (step 1 itself); row t is the product of gates[1..t], one per unit, then the mean.
    """
    gates = np.asarray(gates, dtype=float)
    kept = np.vstack([np.ones((1, gates.shape[1])), np.cumprod(gates[1:], axis=0)])
    return kept.mean(axis=1)


def lstm_experiment(forget_bias=0.0, steps=30, hidden_size=4, pulse=2.0, noise=0.3, seed=0):
    """(xs, LSTMSequence) for the animator's settings: ``lstm_params(1, H, seed, forget_bias)``."""
    xs = _inputs(steps, pulse, noise, seed)
    return xs, lstm_sequence(xs, lstm_params(1, hidden_size, seed=seed, forget_bias=forget_bias))


def gru_experiment(update_bias=0.0, steps=30, hidden_size=4, pulse=2.0, noise=0.3, seed=0):
    """(xs, GRUSequence): ``gru_params(1, H, seed)`` with update_bias added to the z slice of bias_ih.

    This mirrors what ``lstm_params(forget_bias=...)`` does for the LSTM's forget gate: z near 1
    copies the old state through (memory), z near 0 replaces it with the candidate.
    """
    xs = _inputs(steps, pulse, noise, seed)
    params = gru_params(1, hidden_size, seed=seed)
    params["bias_ih"][gru_gate_slice("z", hidden_size)] += update_bias
    return xs, gru_sequence(xs, params)


def _rows(a):
    return [[float(x) for x in row] for row in np.asarray(a)]


class GateAnimator(StaticFallback, anywidget.AnyWidget):
    """Play, pause and step an LSTM (and a GRU beside it) through a sequence, gate by gate."""

    _esm = pathlib.Path(__file__).with_name("gate_animator.js")
    _css = pathlib.Path(__file__).with_name("gate_animator.css")

    forget_bias = traitlets.Any(0.0, help="Added to the LSTM forget gate's bias: high keeps memory, low forgets").tag(sync=True)
    update_bias = traitlets.Any(0.0, help="Added to the GRU update gate's bias: high copies the old state through").tag(sync=True)
    steps = traitlets.Any(30, help="Length T of the sequence").tag(sync=True)
    hidden_size = traitlets.Any(4, help="Hidden units H (one bar per unit in every gate)").tag(sync=True)
    pulse = traitlets.Any(2.0, help="Size of the input pulse at step 1").tag(sync=True)
    noise = traitlets.Any(0.3, help="Standard deviation of the input after the pulse").tag(sync=True)
    seed = traitlets.Int(0, help="Seed of the weights and the input noise").tag(sync=True)
    step = traitlets.Int(1, help="Time step shown, 1..T; the browser advances it while playing").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the sequence").tag(sync=True)
    speed = traitlets.Float(3.0, help="Playback speed, time steps per second (frames are drawn at the display rate)").tag(sync=True)
    view = traitlets.Dict(help="Everything the front end draws, computed by dlwidgets.core").tag(sync=True)
    error = traitlets.Unicode("", help="Why the current settings are impossible ('' if they are fine)").tag(sync=True)

    _SETTINGS = ("forget_bias", "update_bias", "steps", "hidden_size", "pulse", "noise", "seed")
    _WHOLE = ("steps", "hidden_size")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.observe(self._recompute, names=list(self._SETTINGS))
        self._recompute()

    # ------------------------------------------------------------ driving from code
    def settings(self) -> dict:
        """The current settings."""
        return {k: getattr(self, k) for k in self._SETTINGS}

    def set(self, **settings) -> "GateAnimator":
        """Change several settings at once (one recomputation)."""
        unknown = set(settings) - set(self._SETTINGS)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(self._SETTINGS)}")
        with self.hold_trait_notifications():
            for key, value in settings.items():
                setattr(self, key, value)
        return self

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
    def _validate(self):
        v = {name: _number(getattr(self, name), name, *GATE_LIMITS[name], whole=name in self._WHOLE)
             for name in GATE_LIMITS}
        v["seed"] = int(self.seed)
        return v

    def _recompute(self, change=None):
        try:
            v = self._validate()
            common = {k: v[k] for k in ("steps", "hidden_size", "pulse", "noise", "seed")}
            # A slider moves one cell's bias at a time: rerun only the cell whose settings changed.
            xs, lstm = self._run_cached("lstm", lstm_experiment, forget_bias=v["forget_bias"], **common)
            _, gru = self._run_cached("gru", gru_experiment, update_bias=v["update_bias"], **common)
        except (TypeError, ValueError) as exc:
            self.error = str(exc)
            self.view = {}
            self.playing = False
            return
        retained, gru_retained = retained_fraction(lstm.f), retained_fraction(gru.z)
        view = {
            "steps": v["steps"], "hidden_size": v["hidden_size"], "forget_bias": v["forget_bias"],
            "update_bias": v["update_bias"], "xs": [float(x) for x in xs[:, 0]],
            "lstm": {k: _rows(getattr(lstm, k)) for k in ("i", "f", "g", "o", "c", "h")},
            "gru": {k: _rows(getattr(gru, k)) for k in ("r", "z", "n", "h")},
            "retained": [float(x) for x in retained], "gru_retained": [float(x) for x in gru_retained],
            "c_max": float(max(np.max(np.abs(lstm.c)), 1e-12)),
            "h_max": float(max(np.max(np.abs(lstm.h)), np.max(np.abs(gru.h)), 1e-12)),
            "mean_f": float(lstm.f.mean()), "mean_z": float(gru.z.mean()),
        }
        view["description"] = self._describe(view, "")
        self.error = ""
        self.step = min(max(self.step, 1), v["steps"])
        self.view = view

    def _run_cached(self, cell, experiment, **settings):
        """experiment(**settings), reusing the last result of this cell if the settings are the same."""
        cache = self.__dict__.setdefault("_last_runs", {})
        key = tuple(sorted(settings.items()))
        if cell not in cache or cache[cell][0] != key:
            cache[cell] = (key, experiment(**settings))
        return cache[cell][1]

    # ------------------------------------------------------------ readable without a kernel
    def describe(self) -> str:
        """One paragraph saying what the widget shows now."""
        return self._describe(self.view, self.error)

    @staticmethod
    def _describe(v: dict, error: str) -> str:
        if error:
            return f"Gate animator: impossible settings: {error}."
        if not v:
            return "Gate animator (not computed yet)."
        n = min(20, v["steps"] - 1)
        return (f"Gate animator: an LSTM and a GRU with {v['hidden_size']} units read a pulse at step 1 and "
                f"noise for {v['steps']} steps. LSTM forget-gate bias {v['forget_bias']:+g}: mean forget gate "
                f"{v['mean_f']:.3f}, and after {n} steps the cell state keeps {v['retained'][n]:.3g} of what it "
                f"carried at step 1. GRU update-gate bias {v['update_bias']:+g}: mean update gate "
                f"{v['mean_z']:.3f}, keeping {v['gru_retained'][n]:.3g} of its old state after {n} steps.")

    def static_figure(self):
        """Gates, cell state and memory over time, as a Figure."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=(10, 4.2), dpi=80)
        if self.error or not self.view:
            ax = fig.add_subplot()
            ax.axis("off")
            ax.text(0.5, 0.5, self.describe(), ha="center", va="center", wrap=True, fontsize=11)
            return fig
        v = self.view
        t = np.arange(1, v["steps"] + 1)
        axes = fig.subplots(1, 3)
        names = {"i": "input i", "f": "forget f", "g": "candidate g", "o": "output o"}
        for gate, label in names.items():
            axes[0].plot(t, np.mean(v["lstm"][gate], axis=1), color=PALETTE[gate], label=label)
        axes[0].set_title("LSTM gates (mean over units)", fontsize=10)
        axes[0].set_xlabel("step"); axes[0].legend(fontsize=8, loc="best")
        c = np.array(v["lstm"]["c"])
        for u in range(c.shape[1]):
            axes[1].plot(t, c[:, u], color=PALETTE["c"], alpha=0.4 + 0.6 * (u == 0))
        axes[1].set_title("cell state c_t (one line per unit)", fontsize=10); axes[1].set_xlabel("step")
        axes[2].plot(t, v["retained"], color=PALETTE["f"], label=f"LSTM, forget bias {v['forget_bias']:+g}")
        axes[2].plot(t, v["gru_retained"], color=PALETTE["r"], linestyle="--",
                     label=f"GRU, update bias {v['update_bias']:+g}")
        axes[2].set_ylim(-0.02, 1.02); axes[2].set_xlabel("step")
        axes[2].set_title("memory of step 1 (product of f, of z)", fontsize=10); axes[2].legend(fontsize=8)
        fig.tight_layout()
        return fig
