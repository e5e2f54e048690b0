"""Imbalance explorer: class ratio, resampling (none, over, under, SMOTE with k) and class weights, and what they do
to a logistic-regression boundary and to precision, recall and F1 on a held-out set.

Python runs dlwidgets.core.imbalance_experiment for the settings (data, resampling, the fitted model, the
test scores and the precision-recall curve) and sends the points rounded for drawing; the browser draws
the training points, SMOTE's synthetic points, the decision boundary and the PR curve.
"""

from __future__ import annotations

import pathlib

import numpy as np

from ..core import RESAMPLING_METHODS, imbalance_experiment
from ._base import CourseWidget, Setting, choice, front_end, real_number, seed_number, switch, whole_number

__all__ = ["ImbalanceExplorer", "VIEW_BOX"]

VIEW_BOX = (-4.0, 5.0, -3.5, 4.5)      # x from, x to, y from, y to: where the points are drawn
CURVE_POINTS = 150


def _boundary(w, b):
    """The segment of w . x + b = 0 inside the view box, or [] when it misses the box."""
    x0, x1, y0, y1 = VIEW_BOX
    points = []
    if abs(w[1]) > 1e-12:
        points += [(x, -(w[0] * x + b) / w[1]) for x in (x0, x1)]
    if abs(w[0]) > 1e-12:
        points += [(-(w[1] * y + b) / w[0], y) for y in (y0, y1)]
    inside = [(x, y) for x, y in points if x0 - 1e-9 <= x <= x1 + 1e-9 and y0 - 1e-9 <= y <= y1 + 1e-9]
    return [list(map(float, p)) for p in inside[:2]] if len(inside) >= 2 else []


class ImbalanceExplorer(CourseWidget):
    """Resampling and re-weighting an imbalanced 2-D problem: the boundary, SMOTE's points, precision and recall."""

    _esm = front_end("imbalance_explorer.js")
    _css = pathlib.Path(__file__).with_name("imbalance_explorer.css")

    minority = Setting(0.05, help="The minority class's share of the data (train and held-out test alike)").tag(sync=True)
    method = Setting("none", help="Resampling: 'none', 'over' (repeat minority), 'under' (drop majority), 'smote'"
                     ).tag(sync=True)
    k = Setting(5, help="SMOTE: how many nearest minority neighbours to interpolate towards").tag(sync=True)
    weighted = Setting(False, help="Weigh the loss by balanced class weights").tag(sync=True)
    seed = Setting(0, help="Seed of the data and the resampling").tag(sync=True)

    _SETTINGS = ("minority", "method", "k", "weighted", "seed")
    _FIGSIZE = (9, 3.8)

    def _compute(self, s) -> dict:
        minority = real_number("minority", s.minority, 0.02, 0.5, label="minority share")
        method = choice("method", s.method, RESAMPLING_METHODS)
        k = whole_number("k", s.k, 1, 20)
        weighted = switch("weighted", s.weighted)
        seed = seed_number(s.seed, 2**31 - 2)
        r = imbalance_experiment(minority, method, k, weighted, seed)
        precision, recall, thresholds = r.curve
        pick = np.unique(np.linspace(0, len(thresholds) - 1, min(CURVE_POINTS, len(thresholds))).round().astype(int))
        return {
            "minority": minority, "method": method, "k": k, "weighted": weighted, "seed": seed,
            "train": np.round(r.X_train, 3).tolist(), "labels": r.y_train.tolist(),
            "synthetic": np.round(r.synthetic, 3).tolist(),
            "counts": np.bincount(r.y_train, minlength=2).tolist(), "fit_counts": np.bincount(r.y_fit, minlength=2).tolist(),
            "boundary": _boundary(r.model.w, r.model.b), "w": r.model.w.tolist(), "b": r.model.b,
            "precision": r.precision, "recall": r.recall, "f1": r.f1,
            "test_counts": np.bincount(r.y_test, minlength=2).tolist(),
            "curve": {"precision": precision[pick].tolist(), "recall": recall[pick].tolist()},
            "box": list(VIEW_BOX),
        }

    def scores(self) -> tuple[float, float, float]:
        """(precision, recall, F1) on the held-out set at the current settings."""
        return self.view["precision"], self.view["recall"], self.view["f1"]

    def _title(self) -> str:
        return "Imbalance explorer"

    def _describe(self, v: dict) -> str:
        method = {"none": "no resampling", "over": "random over-sampling", "under": "random under-sampling",
                  "smote": f"SMOTE with k = {v['k']}"}[v["method"]]
        made = f" ({len(v['synthetic'])} synthetic)" if v["synthetic"] else ""
        weights = ", balanced class weights" if v["weighted"] else ""
        return (f"Imbalance explorer: {v['counts'][0]} majority and {v['counts'][1]} minority training points "
                f"(minority share {v['minority']:g}), {method}{weights}; "
                f"the model is fitted on {v['fit_counts'][0]} + {v['fit_counts'][1]} points"
                f"{made}. On {sum(v['test_counts'])} "
                f"held-out points: precision {v['precision']:.3f}, recall {v['recall']:.3f}, F1 {v['f1']:.3f}.")

    def _draw_figure(self, fig, v: dict) -> None:
        ax, pr = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.3, 1]})
        X, y = np.array(v["train"]), np.array(v["labels"])
        ax.scatter(*X[y == 0].T, s=8, c="#56B4E9", marker="o", label="majority (0)")
        if v["synthetic"]:
            ax.scatter(*np.array(v["synthetic"]).T, s=10, c="#CC79A7", marker="x", label="SMOTE (synthetic)")
        ax.scatter(*X[y == 1].T, s=22, c="#D55E00", marker="^", label="minority (1)")
        if v["boundary"]:
            (a, b), (c, d) = v["boundary"]
            ax.plot([a, c], [b, d], color="#000000", lw=2, label="boundary p = 0.5")
        x0, x1, y0, y1 = v["box"]
        ax.set_xlim(x0, x1); ax.set_ylim(y0, y1); ax.legend(fontsize=7, loc="upper left")
        ax.set_title(f"{v['method']}, weighted={v['weighted']}", fontsize=10)
        pr.plot(v["curve"]["recall"], v["curve"]["precision"], color="#0072B2", lw=2)
        pr.plot([v["recall"]], [v["precision"]], "o", color="#D55E00")
        pr.set_xlabel("recall"); pr.set_ylabel("precision"); pr.set_xlim(0, 1); pr.set_ylim(0, 1.02)
        pr.set_title(f"held out: P {v['precision']:.2f}, R {v['recall']:.2f}, F1 {v['f1']:.2f}", fontsize=10)
        fig.tight_layout()
