"""Batch-size noise: the true gradient of a line fit, a cloud of minibatch gradients around it, and SGD at
several batch sizes.

Python draws the minibatches and runs SGD with dlwidgets.core (seeded): the cloud's exact covariance
Sigma / B * (n - B) / (n - 1) is drawn as an ellipse over the sampled gradients, the noise variance
against B on a log-log plot, and plain SGD paths for batch sizes 1, 4, 16 and 64 over the same number
of epochs, their learning rates scaled linearly with the batch (or all the same), beside the limit
2 / lambda_max that the scaled rate must stay under.
"""

from __future__ import annotations

import pathlib

import numpy as np

from ..core import (full_gradient, gradient_noise_covariance, hessian_eigenvalues, least_squares_objective, line_data,
                    minibatch_gradients, scaled_learning_rate, sgd_minibatch_run)
from ._base import CourseWidget, Setting, choice, real_number, seed_number, whole_number
from ._landscape import draw_surface, landscape_front_end, short, short_list, surface_grid

__all__ = ["BatchNoise", "BATCH_SIZES", "PATH_BATCHES", "NOISE_DATA_SIZE", "noise_data"]

NOISE_DATA_SIZE = 256
BATCH_SIZES = (1, 2, 4, 8, 16, 32, 64, 128, 256)
PATH_BATCHES = (1, 4, 16, 64)
CLOUD = 300  # minibatch gradients drawn in the cloud
PATH_COLOURS = {1: ("#E69F00", []), 4: ("#56B4E9", [6, 3]), 16: ("#009E73", [2, 3]), 64: ("#CC79A7", [10, 3, 2, 3])}


def noise_data(seed: int = 0):
    """The lesson's data set: 256 points around y = 2x - 1 (core.line_data)."""
    return line_data(NOISE_DATA_SIZE, seed=seed)


class BatchNoise(CourseWidget):
    """Minibatch gradients around the true gradient, their variance against the batch size, and SGD paths."""

    _esm = landscape_front_end("batch_noise.js")
    _css = pathlib.Path(__file__).with_name("_landscape.css")

    batch_size = Setting(8, help="Minibatch size B of the gradient cloud (1 to 256 = the whole data set)").tag(sync=True)
    w = Setting(0.0, help="Where the gradients are taken, and the paths start: slope w").tag(sync=True)
    b = Setting(1.5, help="... and intercept b").tag(sync=True)
    lr = Setting(0.01, help="The learning rate at batch size 1 (the others scale from it, or share it)").tag(sync=True)
    scaling = Setting("linear", help="'linear': lr grows with the batch (lr * B); 'none': every batch size uses lr").tag(sync=True)
    epochs = Setting(1, help="Passes over the data for every path (equal examples seen)").tag(sync=True)
    seed = Setting(0, help="Seed of the minibatch draws and the shuffles").tag(sync=True)

    _SETTINGS = ("batch_size", "w", "b", "lr", "scaling", "epochs", "seed")
    _FIGSIZE = (11, 3.8)

    def __init__(self, **kwargs):
        self._data = noise_data(0)
        self._obj = least_squares_objective(self._data)
        self._grid = surface_grid(self._obj)
        super().__init__(**kwargs)

    def _compute(self, s) -> dict:
        batch = whole_number("batch_size", s.batch_size, 1, NOISE_DATA_SIZE, label="batch size")
        (w0, w1), (b0, b1) = self._obj.bounds
        w = real_number("w", s.w, round(w0, 3), round(w1, 3))
        b = real_number("b", s.b, round(b0, 3), round(b1, 3))
        lr = real_number("lr", s.lr, 1e-4, 1.0, label="learning rate")
        scaling = choice("scaling", s.scaling, ("linear", "none"))
        epochs = whole_number("epochs", s.epochs, 1, 5)
        seed = seed_number(s.seed)
        data, theta = self._data, np.array([w, b])
        true = full_gradient(data, theta)
        cloud = minibatch_gradients(data, theta, batch, CLOUD, seed=seed)
        cov = gradient_noise_covariance(data, theta, batch)
        exact = float(np.trace(cov))
        measured = float(np.mean(np.sum((cloud - true) ** 2, axis=1)))
        curve = [float(np.trace(gradient_noise_covariance(data, theta, k))) for k in BATCH_SIZES]
        lam = hessian_eigenvalues(self._obj.hessian(theta))
        paths = []
        for k in PATH_BATCHES:
            lr_k = scaled_learning_rate(lr, 1, k) if scaling == "linear" else lr
            path = sgd_minibatch_run(data, theta, k, lr_k, epochs, seed=seed)
            loss = self._obj.value(path)
            colour, dash = PATH_COLOURS[k]
            paths.append({"batch": k, "lr": short(lr_k), "steps": len(path) - 1, "path": short_list(path),
                          "colour": colour, "dash": dash, "final_loss": short(loss[-1], 5),
                          "diverged": bool(not np.all(np.isfinite(loss)) or loss[-1] > loss[0])})
        return {
            "batch_size": batch, "theta": [w, b], "n": data.n, "true_gradient": short_list(true),
            "cloud": short_list(cloud, 4), "covariance": short_list(cov), "exact_variance": short(exact),
            "measured_variance": short(measured), "curve": {"batch": list(BATCH_SIZES), "variance": short_list(curve)},
            "lambda_max": short(lam[-1]), "max_stable": short(2 / lam[-1]), "scaling": scaling, "epochs": epochs,
            "paths": paths, "surface": self._grid, "minimum": list(self._obj.minimum),
            "min_loss": short(self._obj.min_value),
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Batch-size noise"

    def _describe(self, v: dict) -> str:
        runs = "; ".join(f"B = {p['batch']} (lr {p['lr']:g}, {p['steps']} steps): "
                         + ("diverges" if p["diverged"] else f"loss {p['final_loss']:.4g}") for p in v["paths"])
        return (f"Batch-size noise on a line fit to {v['n']} points: at (w, b) = ({v['theta'][0]:g}, {v['theta'][1]:g}) "
                f"the true gradient is ({v['true_gradient'][0]:.4g}, {v['true_gradient'][1]:.4g}); minibatches of "
                f"{v['batch_size']} scatter around it with mean squared deviation {v['measured_variance']:.4g} over "
                f"{len(v['cloud'])} draws (exactly {v['exact_variance']:.4g}: the per-example variance / B, times "
                f"(n - B)/(n - 1)). SGD for {v['epochs']} epoch(s), learning rate "
                f"{'scaled with B' if v['scaling'] == 'linear' else 'the same for every B'} (2/lambda_max = "
                f"{v['max_stable']:.3g}): {runs}. The least-squares loss is {v['min_loss']:.4g}.")

    def _draw_figure(self, fig, v: dict) -> None:
        s = v["surface"]
        ax, ax2, ax3 = fig.subplots(1, 3)
        draw_surface(ax, s)
        for p in v["paths"]:
            path = np.array([[np.nan if c is None else c for c in q] for q in p["path"]], dtype=float)
            ax.plot(path[:, 0], path[:, 1], color=p["colour"], linewidth=1.2, label=f"B = {p['batch']}, lr {p['lr']:g}")
        ax.set_xlim(*s["x"]); ax.set_ylim(*s["y"]); ax.set_xlabel("w"); ax.set_ylabel("b"); ax.legend(fontsize=7)
        cloud = np.array(v["cloud"], dtype=float)
        ax2.scatter(cloud[:, 0], cloud[:, 1], s=4, color="#56B4E9")
        ax2.annotate("", xy=v["true_gradient"], xytext=(0, 0), arrowprops={"arrowstyle": "->", "color": "#D55E00"})
        ax2.set_title(f"minibatch gradients, B = {v['batch_size']}", fontsize=9)
        variance = np.array([np.nan if x is None else x for x in v["curve"]["variance"]], dtype=float)
        keep = variance > 0                      # B = n has no noise at all: nothing to draw on a log scale
        ax3.loglog(np.array(v["curve"]["batch"])[keep], variance[keep], marker="o", color="#0072B2")
        ax3.set_xlabel("batch size B"); ax3.set_title("noise variance E||g_B - g||^2", fontsize=9)
        fig.subplots_adjust(left=0.05, right=0.98, bottom=0.14, top=0.92, wspace=0.28)   # fixed: tight_layout is slow
