"""Zero-centred updates: why all-positive inputs make a neuron's weights zig-zag (B17).

The notes' example moves w = [1, -1, 1] to [-1, 1, -1]. The widget follows the first two
weights, from (1, -1) to (-1, 1), of a linear neuron trained by SGD on mean squared error,
twice: once fed sigmoid outputs (always positive), once tanh outputs (zero-centred). Each
step's gradient comes from ``dlwidgets.core.MLP.forward_backward`` on a one-unit linear
network, whose first-layer weight is the neuron's weight vector. With one example per step
the gradient is (dL/dy) * x, so with x > 0 every component has the same sign: the weights
can only move towards "all up" or "all down", and reach (-1, 1) by zig-zagging.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import MLP, sigmoid, tanh
from ._base import CourseWidget, Setting, real_number, seed_number, whole_number
from ._plot_controls import lesson_front_end

__all__ = ["ZeroCentredUpdates", "ZERO_CENTRED_LIMITS", "START", "TARGET", "NOTES_EXAMPLE", "sgd_path"]

ZERO_CENTRED_LIMITS = {"learning_rate": (0.01, 5.0), "steps": (1, 400), "batch_size": (1, 128)}
START = (1.0, -1.0)
TARGET = (-1.0, 1.0)
REACHED = 0.1  # a path has arrived when it is this close to the target
# The notes' 3-weight example: one mixed-sign update, or two same-sign ones.
NOTES_EXAMPLE = {"start": [1, -1, 1], "target": [-1, 1, -1], "mixed": [[-2, 2, -2]], "same_sign": [[-3, -3, -3], [1, 5, 1]]}
PALETTE = {"positive": "#D55E00", "centred": "#0072B2", "notes": "#555555", "allowed": "#E69F00"}  # Okabe-Ito
FEEDS = {"positive": sigmoid, "centred": tanh}


def _neuron():
    """A one-unit linear network y = W2 (W1 x): with W2 = 1 and no biases, W1 is the neuron's weight."""
    net = MLP(1, 1, in_features=2, out_features=1, activation="identity", init="zeros", seed=0)
    net.params["W2"][...] = 1.0
    return net


def sgd_path(feed: str, learning_rate=0.5, steps=60, batch_size=1, seed=0):
    """Weights after each SGD step (steps + 1 rows) and each step's gradient (steps rows).

    Inputs are ``sigmoid(z)`` (feed 'positive') or ``tanh(z)`` (feed 'centred') with z ~ N(0, 1)
    from ``default_rng(seed)``; targets are w* . x with w* = TARGET, so the loss can reach 0.
    """
    net = _neuron()
    z = np.random.default_rng(seed).normal(size=(steps * batch_size, 2))
    x = FEEDS[feed](z)
    y = x @ np.array(TARGET)
    w = np.array(START, dtype=float)
    path, grads = [w.copy()], []
    for t in range(steps):
        rows = slice(t * batch_size, (t + 1) * batch_size)
        net.params["W1"][0] = w
        g = net.forward_backward(x[rows], y[rows]).grads["W1"][0]
        w = w - learning_rate * g
        path.append(w.copy())
        grads.append(g.copy())
    return np.array(path), np.array(grads)


class ZeroCentredUpdates(CourseWidget):
    """Two SGD paths in weight space: all-positive inputs (sigmoid) zig-zag, zero-centred (tanh) do not."""

    _esm = lesson_front_end("zero_centred.js")
    _css = pathlib.Path(__file__).with_name("zero_centred.css")

    learning_rate = Setting(0.5, help="SGD step size").tag(sync=True)
    steps = Setting(60, help="Number of SGD steps").tag(sync=True)
    batch_size = Setting(1, help="Examples per step (1 = plain SGD)").tag(sync=True)
    seed = Setting(0, help="Seed of the inputs").tag(sync=True)
    shown = traitlets.Int(-1, help="Steps drawn (-1 = all); the browser animates it").tag(sync=True)

    _SETTINGS = ("learning_rate", "steps", "batch_size", "seed")

    def _compute(self, s) -> dict:
        lr = real_number("learning_rate", s.learning_rate, *ZERO_CENTRED_LIMITS["learning_rate"])
        steps = whole_number("steps", s.steps, *ZERO_CENTRED_LIMITS["steps"])
        batch = whole_number("batch_size", s.batch_size, *ZERO_CENTRED_LIMITS["batch_size"])
        seed = seed_number(s.seed)
        view = {"learning_rate": lr, "steps": steps, "batch_size": batch, "start": list(START),
                "target": list(TARGET), "reached_within": REACHED, "notes": NOTES_EXAMPLE}
        with np.errstate(all="ignore"):
            for feed in FEEDS:
                path, grads = sgd_path(feed, lr, steps, batch, seed)
                if not np.all(np.abs(path) < 1e6):   # diverged (or overflowed): nothing sensible to draw
                    raise ValueError(f"learning rate {lr:g} makes the {'sigmoid' if feed == 'positive' else 'tanh'}"
                                     " path diverge; try a smaller one")
                dist = np.linalg.norm(path - np.array(TARGET), axis=1)
                arrived = np.flatnonzero(dist < REACHED)
                view[feed] = {
                    "path": path.tolist(),
                    "same_sign": float(np.mean(grads[:, 0] * grads[:, 1] > 0)),
                    "reached_at": int(arrived[0]) if arrived.size else None,
                    "final_distance": float(dist[-1]),
                }
        return view

    def _on_new_view(self) -> None:
        self.shown = -1

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Zero-centred updates"

    def _describe(self, v: dict) -> str:
        def part(feed, name):
            p = v[feed]
            when = f"reaches the target after {p['reached_at']} steps" if p["reached_at"] is not None else \
                f"ends {p['final_distance']:.3f} from the target"
            return f"{name}: {100 * p['same_sign']:.0f}% of the updates have both components of the same sign; it {when}"
        return (f"Zero-centred updates: SGD from w = (1, -1) to w* = (-1, 1), learning rate {v['learning_rate']:g}, "
                f"{v['batch_size']} example(s) per step, {v['steps']} steps. "
                f"{part('positive', 'Sigmoid inputs (all positive)')}. {part('centred', 'Tanh inputs (zero-centred)')}.")

    _FIGSIZE = (5.2, 4.6)

    def _draw_figure(self, fig, v: dict) -> None:
        """Both paths in the (w1, w2) plane, with the notes' two-step path."""
        ax = fig.add_subplot()
        notes = np.cumsum([v["notes"]["start"][:2]] + [s[:2] for s in v["notes"]["same_sign"]], axis=0)
        ax.plot(notes[:, 0], notes[:, 1], "--", color=PALETTE["notes"], label="notes: two same-sign steps")
        for feed, label in (("positive", "sigmoid inputs (> 0)"), ("centred", "tanh inputs (zero-centred)")):
            path = np.array(v[feed]["path"])
            ax.plot(path[:, 0], path[:, 1], ".-", ms=3, lw=1.2, color=PALETTE[feed], label=label)
        ax.plot(*START, "ko")
        ax.plot(*TARGET, "k*", ms=12)
        ax.set_aspect("equal")
        ax.set_xlabel("w1")
        ax.set_ylabel("w2")
        ax.legend(fontsize=8, loc="lower left")
        ax.set_title(f"SGD, lr {v['learning_rate']:g}, batch {v['batch_size']}, {v['steps']} steps", fontsize=11)
        fig.tight_layout()
