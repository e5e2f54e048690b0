"""Landscape explorer: gradient descent on a 2-D surface, with what the Hessian predicts beside it.

Python runs the whole descent once per setting with dlwidgets.core (the path, the loss, seeded
gradient noise) and computes the Hessian's eigenvalues at the start and at the surface's critical
point: the condition number, the largest stable step 2 / lambda_max, the optimal step
2 / (lambda_min + lambda_max) and the rate per step max |1 - lr lambda|. The browser draws the
contours, plays the path, and lets the learner place the start by click or keyboard.
"""

from __future__ import annotations

import math
import pathlib

import numpy as np
import traitlets

from ..core import (Objective, condition_number, gd_rate, hessian_eigenvalues, objective, optimal_gd_rate, run_optimizer,
                    steps_to_shrink)
from ._base import CourseWidget, Setting, choice, real_number, seed_number, whole_number
from ._landscape import draw_surface, landscape_front_end, short, short_list, surface_grid

__all__ = ["LandscapeExplorer", "LANDSCAPE_LIMITS", "LANDSCAPE_OBJECTIVES", "critical_point"]

LANDSCAPE_OBJECTIVES = ("quadratic", "rosenbrock", "saddle", "monkey_saddle", "two_minima", "beale")
LANDSCAPE_LIMITS = {"condition": (1.0, 1000.0), "angle": (0.0, 180.0), "lr": (1e-4, 10.0), "steps": (1, 400),
                    "noise": (0.0, 5.0)}


def critical_point(obj: Objective) -> tuple[float, float]:
    """Where the surface's interesting flat point is: its global minimum, or the saddle point (the origin)."""
    return obj.minimum if obj.minimum is not None else (0.0, 0.0)


def _hessian_facts(h, lr) -> dict:
    """What a Hessian says about gradient descent at step lr (None where it says nothing)."""
    lam = hessian_eigenvalues(h)
    lam_max = float(lam[-1])
    positive = lam[0] > 0
    return {
        "eigenvalues": [short(v + 0.0) for v in lam], "condition": short(condition_number(h)) if positive else None,
        "max_stable": short(2 / lam_max) if lam_max > 0 else None,
        "optimal_step": short(2 / (lam[0] + lam[-1])) if positive else None,
        "optimal_rate": short(optimal_gd_rate(h)) if positive else None,
        "rate": short(gd_rate(lr, h)),
        "steps_to_1e-3": steps_to_shrink(gd_rate(lr, h)) if positive else None,
    }


class LandscapeExplorer(CourseWidget):
    """Gradient descent on a chosen 2-D objective, played in the browser, with the Hessian's numbers."""

    _esm = landscape_front_end("landscape_explorer.js")
    _css = pathlib.Path(__file__).with_name("_landscape.css")

    objective = Setting("quadratic", help="The surface: " + ", ".join(LANDSCAPE_OBJECTIVES)).tag(sync=True)
    condition = Setting(10.0, help="The quadratic's condition number kappa = lambda_max / lambda_min (lambda_max = 1)").tag(sync=True)
    angle = Setting(30.0, help="The quadratic's rotation, degrees (the steep direction's angle)").tag(sync=True)
    lr = Setting(0.5, help="Gradient descent's step size (learning rate)").tag(sync=True)
    steps = Setting(60, help="Number of gradient-descent steps").tag(sync=True)
    start_x = Setting(-1.6, help="Start point, x").tag(sync=True)
    start_y = Setting(1.2, help="Start point, y").tag(sync=True)
    noise = Setting(0.0, help="Standard deviation of Gaussian noise added to each gradient coordinate").tag(sync=True)
    seed = Setting(0, help="Seed of the gradient noise").tag(sync=True)
    step = traitlets.Int(-1, help="Steps of the path shown (-1 = all); the browser advances it while playing").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the path").tag(sync=True)
    speed = traitlets.Float(20.0, help="Playback speed, steps per second").tag(sync=True)

    _SETTINGS = ("objective", "condition", "angle", "lr", "steps", "start_x", "start_y", "noise", "seed")
    _FIGSIZE = (9, 4)

    def __init__(self, **kwargs):
        self._grids: dict = {}
        super().__init__(**kwargs)

    # ------------------------------------------------------------ driving from code
    def start_at_default(self) -> "LandscapeExplorer":
        """Put the start where the chosen surface shows its difficulty."""
        obj = self._objective(self.objective, self.condition, self.angle)
        return self.set(start_x=obj.start[0], start_y=obj.start[1])

    def final_loss(self) -> float:
        """The loss after the last step (nan if the descent blew up past core's DIVERGED_ABOVE)."""
        value = None if self.error else self.view["final_loss"]
        return float("nan") if value is None else value

    # ------------------------------------------------------------ the model
    @staticmethod
    def _objective(name, condition, angle) -> Objective:
        if name == "quadratic":
            return objective("quadratic", condition=condition, angle=angle)
        return objective(name)

    def _compute(self, s) -> dict:
        name = choice("objective", s.objective, LANDSCAPE_OBJECTIVES)
        condition = real_number("condition", s.condition, *LANDSCAPE_LIMITS["condition"], label="condition number")
        angle = real_number("angle", s.angle, *LANDSCAPE_LIMITS["angle"])
        lr = real_number("lr", s.lr, *LANDSCAPE_LIMITS["lr"], label="learning rate")
        steps = whole_number("steps", s.steps, *LANDSCAPE_LIMITS["steps"])
        noise = real_number("noise", s.noise, *LANDSCAPE_LIMITS["noise"])
        seed = seed_number(s.seed)
        obj = self._objective(name, condition, angle)
        (x0, x1), (y0, y1) = obj.bounds
        sx = real_number("start_x", s.start_x, x0, x1, label=f"start x on {name}")
        sy = real_number("start_y", s.start_y, y0, y1, label=f"start y on {name}")
        run = run_optimizer(obj, "sgd", (sx, sy), steps, lr=lr, gradient_noise=noise, seed=seed)
        key = (name, condition, angle) if name == "quadratic" else (name,)
        if key not in self._grids:
            self._grids = {key: surface_grid(obj)}       # one surface kept: moving the start or lr reuses it
        crit = critical_point(obj)
        h_crit = obj.hessian(np.array(crit, dtype=float))
        h_start = obj.hessian(np.array([sx, sy]))
        low = obj.min_value if np.isfinite(obj.min_value) else None
        final = float(run.loss[-1])
        return {
            "objective": name, "formula": obj.formula, "lr": lr, "steps": steps, "noise": noise,
            "start": [sx, sy], "critical": list(crit), "critical_kind": "minimum" if obj.minimum else "saddle",
            "surface": self._grids[key],
            "path": short_list(run.path), "loss": short_list(run.loss, 6),
            "min_value": short(low) if low is not None else None,
            # diverging: blown up, or ending above where it started
            "diverged": bool(run.diverged or final > run.loss[0]), "final_loss": short(final, 6),
            "final_point": short_list(run.path[-1]),
            "at_critical": _hessian_facts(h_crit, lr), "at_start": _hessian_facts(h_start, lr),
        }

    def _on_new_view(self) -> None:
        if self.error:
            self.playing = False

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Landscape explorer"

    def _describe(self, v: dict) -> str:
        c = v["at_critical"]
        lam = ", ".join(f"{x:.4g}" for x in c["eigenvalues"])
        where = ", ".join(f"{x:.4g}" for x in v["critical"])
        facts = [f"Hessian eigenvalues at the {v['critical_kind']} ({where}): {lam}"]
        if c["condition"] is not None:
            facts.append(f"condition number {c['condition']:.4g}, largest stable step 2/lambda_max = "
                         f"{c['max_stable']:.4g}, optimal step {c['optimal_step']:.4g} with rate {c['optimal_rate']:.4g}")
        facts.append(f"at lr = {v['lr']:g} the rate max|1 - lr*lambda| is {c['rate']:.4g}")
        end = ("and diverges" if v["diverged"] else
               f"and ends at ({v['final_point'][0]:.4g}, {v['final_point'][1]:.4g}) with loss {v['final_loss']:.4g}")
        noise = f" with gradient noise {v['noise']:g}" if v["noise"] else ""
        return (f"Landscape explorer: gradient descent on {v['formula']} from ({v['start'][0]:g}, {v['start'][1]:g}), "
                f"{v['steps']} steps of lr {v['lr']:g}{noise}, {end}. " + "; ".join(facts) + ".")

    def _draw_figure(self, fig, v: dict) -> None:
        s = v["surface"]
        ax, ax2 = fig.subplots(1, 2, gridspec_kw={"width_ratios": [1.1, 1]})
        draw_surface(ax, s)
        path = np.array([[np.nan if c is None else c for c in p] for p in v["path"]], dtype=float)
        ax.plot(path[:, 0], path[:, 1], color="#E69F00", marker="o", markersize=2.5, linewidth=1.5)
        ax.plot(*v["start"], marker="s", color="#D55E00")
        ax.plot(*v["critical"], marker="*", color="#FFFFFF", markersize=10, markeredgecolor="#000000")
        ax.set_xlim(*s["x"]); ax.set_ylim(*s["y"]); ax.set_title(v["formula"], fontsize=9)
        loss = np.array([np.nan if x is None else x for x in v["loss"]], dtype=float)
        above = loss - (v["min_value"] or 0.0) if v["min_value"] is not None else loss
        if v["min_value"] is not None:
            ax2.semilogy(np.maximum(above, 1e-16), color="#0072B2")
            ax2.set_ylabel("loss - minimum")
        else:
            ax2.plot(loss, color="#0072B2"); ax2.set_ylabel("loss")
        ax2.set_xlabel("step"); ax2.set_title(f"lr = {v['lr']:g}" + (" (diverged)" if v["diverged"] else ""), fontsize=9)
        fig.subplots_adjust(left=0.06, right=0.98, bottom=0.12, top=0.92, wspace=0.25)   # fixed: tight_layout is slow
