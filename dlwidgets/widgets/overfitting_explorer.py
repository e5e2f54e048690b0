"""Overfitting explorer: capacity, data, noise, L1 / L2 and dropout against training and validation loss.

Python trains the small network of ``dlwidgets.core.overfitting`` once per setting (seeded, the
whole run) and sends what it recorded every 20 epochs: both losses, the fitted curve and the output
weights. The browser plays, pauses, steps and scrubs through the epochs, drawing the fit, the loss
curves with the early-stopping point, and the weights' sizes (L2 shrinks them all, L1 zeroes some).
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core.overfitting import PENALTIES, target_function, train_regressor
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, whole_number
from ._recording import Recording

__all__ = ["OverfittingExplorer", "OVERFITTING_LIMITS", "STRENGTHS", "EPOCHS", "RECORD_EVERY"]

OVERFITTING_LIMITS = {"hidden": (1, 64), "n_train": (5, 60), "noise": (0.0, 1.0), "dropout": (0.0, 0.6)}
STRENGTHS = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1)
EPOCHS, RECORD_EVERY = 2000, 20
_VALIDATION_SHOWN = 5   # every 5th validation point is drawn


def _rounded(array, places=4):
    return np.round(np.asarray(array, float), places).tolist()


class OverfittingExplorer(Recording, CourseWidget):
    """Train a small network on a few noisy points and watch it overfit, or not, epoch by epoch."""

    _esm = front_end("overfitting_explorer.js")
    _css = pathlib.Path(__file__).with_name("overfitting_explorer.css")

    hidden = Setting(64, help="Hidden units: the network's capacity").tag(sync=True)
    n_train = Setting(15, help="Training points").tag(sync=True)
    noise = Setting(0.3, help="Standard deviation of the noise on every y").tag(sync=True)
    penalty = Setting("none", help="Weight penalty: 'none', 'l1' or 'l2' (weight decay)").tag(sync=True)
    strength = Setting(0.0, help="Penalty strength lambda (one of 0, 0.001, 0.003, 0.01, 0.03, 0.1)").tag(sync=True)
    dropout = Setting(0.0, help="Dropout probability on the hidden units during training").tag(sync=True)
    seed = Setting(0, help="Seed of the data, the initial weights and the dropout masks").tag(sync=True)
    step = traitlets.Int(-1, help="Recorded epochs shown (-1 = all); the browser plays it").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the training run").tag(sync=True)
    speed = traitlets.Float(20.0, help="Playback speed, recorded epochs (20 epochs each) per second").tag(sync=True)

    _SETTINGS = ("hidden", "n_train", "noise", "penalty", "strength", "dropout", "seed")
    # A whole training run takes about 0.1 s: still worth computing a slider's neighbours ahead.
    _LOOKAHEAD_BUDGET_S = 0.3
    _FIGSIZE = (11, 3.6)

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        hidden = whole_number("hidden", s.hidden, *OVERFITTING_LIMITS["hidden"], label="hidden units")
        n_train = whole_number("n_train", s.n_train, *OVERFITTING_LIMITS["n_train"], label="training points")
        noise = real_number("noise", s.noise, *OVERFITTING_LIMITS["noise"])
        penalty = choice("penalty", s.penalty, PENALTIES)
        strength = real_number("strength", s.strength, 0.0, max(STRENGTHS))
        if strength not in STRENGTHS:
            raise ValueError(f"strength must be one of {', '.join(f'{v:g}' for v in STRENGTHS)}, got {strength:g}")
        p = real_number("dropout", s.dropout, *OVERFITTING_LIMITS["dropout"])
        seed = seed_number(s.seed)
        run = train_regressor(hidden, n_train, noise, penalty, strength if penalty != "none" else 0.0, p,
                              EPOCHS, seed=seed, record_every=RECORD_EVERY)
        x_train, y_train, x_val, y_val = run.data
        weights = run.output_weights
        return {
            "hidden": hidden, "n_train": n_train, "noise": noise, "penalty": penalty, "strength": strength,
            "dropout": p, "frames": len(run.epochs) - 1, "epochs": run.epochs.tolist(),
            "train_loss": _rounded(run.train_loss, 5), "val_loss": _rounded(run.val_loss, 5),
            "best": run.best, "best_epoch": int(run.epochs[run.best]), "best_val": float(run.val_loss[run.best]),
            "final_train": float(run.train_loss[-1]), "final_val": float(run.val_loss[-1]),
            "grid": _rounded(run.grid, 3), "target": _rounded(target_function(run.grid)),
            "curves": _rounded(run.curves, 3), "weights": _rounded(weights, 3),
            "zeros": [int(z) for z in (weights == 0).sum(axis=1)],
            "weight_norm": _rounded(np.sqrt((weights ** 2).sum(axis=1)), 4),
            "x_train": _rounded(x_train), "y_train": _rounded(y_train),
            "x_val": _rounded(x_val[::_VALIDATION_SHOWN]), "y_val": _rounded(y_val[::_VALIDATION_SHOWN]),
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Overfitting explorer"

    def _describe(self, v: dict) -> str:
        reg = "no penalty" if v["penalty"] == "none" or not v["strength"] else f"{v['penalty'].upper()} strength {v['strength']:g}"
        return (f"Overfitting explorer: {v['hidden']} hidden units fitted to {v['n_train']} points with noise "
                f"{v['noise']:g}, {reg}, dropout {v['dropout']:g}, {EPOCHS} epochs. Final training loss "
                f"{v['final_train']:.4f}, validation loss {v['final_val']:.4f}; the validation loss is lowest, "
                f"{v['best_val']:.4f}, at epoch {v['best_epoch']} (where early stopping would stop). The "
                f"{v['hidden']} output weights end with norm {v['weight_norm'][-1]:.3f}, {v['zeros'][-1]} of them "
                f"exactly 0.")

    def _draw_figure(self, fig, v: dict) -> None:
        """The final fit, both loss curves with the early-stopping point, and the final output weights."""
        ax1, ax2, ax3 = fig.add_subplot(1, 3, 1), fig.add_subplot(1, 3, 2), fig.add_subplot(1, 3, 3)
        ax1.plot(v["grid"], v["target"], ":", color="#000000", label="target")
        ax1.plot(v["x_val"], v["y_val"], ".", color="#BBBBBB", label="validation")
        ax1.plot(v["x_train"], v["y_train"], "o", color="#E69F00", label="training")
        ax1.plot(v["grid"], v["curves"][-1], color="#0072B2", label=f"fit, epoch {EPOCHS}")
        ax1.set_ylim(-2.5, 2.5); ax1.legend(fontsize=7); ax1.set_title("the fit")
        ax2.semilogy(v["epochs"], v["train_loss"], color="#E69F00", label="training")
        ax2.semilogy(v["epochs"], v["val_loss"], color="#0072B2", label="validation")
        ax2.axvline(v["best_epoch"], color="#009E73", linestyle="--", label="early stop")
        ax2.set_xlabel("epoch"); ax2.legend(fontsize=7); ax2.set_title("loss")
        w = np.array(v["weights"][-1])
        ax3.bar(range(len(w)), np.abs(w), color=np.where(w > 0, "#0072B2", "#D55E00"))
        ax3.set_title(f"|output weights|: {v['zeros'][-1]} exactly 0"); ax3.set_xlabel("hidden unit")
