"""Optimizer race: every optimizer from the same start, with the same step budget and the same gradient noise,
each at the learning rate tuned for it, played together in the browser.

Python runs the race once per setting with dlwidgets.core (torch.optim's algorithms, Adam's bias
correction included): each optimizer's learning rate is the one of a shared log-spaced grid
(core.LR_GRID) that gives the lowest loss after the budget, or torch's default when asked. The view
holds every path, loss, step size and internal state (Adam's m and v, Adagrad's sum, ...) per step;
the browser plays, pauses, steps and scrubs through them.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import DEFAULTS, LR_GRID, RACERS, objective, race
from ._base import CourseWidget, Setting, choice, real_number, seed_number, whole_number
from ._landscape import draw_surface, RACE_STYLE, landscape_front_end, short, short_list, surface_grid

__all__ = ["OptimizerRace", "RACE_OBJECTIVES", "RACE_LIMITS", "STATE_NAMES"]

RACE_OBJECTIVES = ("rosenbrock", "beale", "quadratic", "two_minima")
RACE_LIMITS = {"steps": (10, 400), "noise": (0.0, 5.0), "condition": (1.0, 1000.0)}
# How the readout names each optimizer's state (torch's names on the left)
STATE_NAMES = {"momentum_buffer": "b", "sum": "sum g²", "square_avg": "v", "exp_avg": "m", "exp_avg_sq": "v",
               "inner.exp_avg": "m", "inner.exp_avg_sq": "v", "slow": "slow"}


class OptimizerRace(CourseWidget):
    """SGD, momentum, Nesterov, Adagrad, RMSprop, Adam, RAdam and Lookahead(Adam) racing on one surface."""

    _esm = landscape_front_end("optimizer_race.js")
    _css = pathlib.Path(__file__).with_name("_landscape.css")

    objective = Setting("rosenbrock", help="The surface: " + ", ".join(RACE_OBJECTIVES)).tag(sync=True)
    condition = Setting(50.0, help="The quadratic's condition number (lambda_max = 1)").tag(sync=True)
    start_x = Setting(-1.5, help="Start point, x (the same for everyone)").tag(sync=True)
    start_y = Setting(2.0, help="Start point, y").tag(sync=True)
    steps = Setting(150, help="Step budget (the same for everyone)").tag(sync=True)
    noise = Setting(0.0, help="Standard deviation of Gaussian noise on every gradient coordinate (the same draws for everyone)").tag(sync=True)
    learning_rates = Setting("tuned", help="'tuned' (best of LR_GRID for each) or 'defaults' (torch.optim's)").tag(sync=True)
    focus = Setting("Adam", help="The optimizer drawn on top, whose learning rate focus_lr can set").tag(sync=True)
    focus_lr = Setting(0.0, help="The focused optimizer's learning rate (0: its tuned or default one)").tag(sync=True)
    seed = Setting(0, help="Seed of the gradient noise").tag(sync=True)
    step = traitlets.Int(-1, help="Step shown (-1 = the end); the browser advances it while playing").tag(sync=True)
    playing = traitlets.Bool(False, help="Whether the browser is playing the race").tag(sync=True)
    speed = traitlets.Float(30.0, help="Playback speed, steps per second").tag(sync=True)

    _SETTINGS = ("objective", "condition", "start_x", "start_y", "steps", "noise", "learning_rates", "focus", "focus_lr",
                 "seed")
    _FIGSIZE = (10, 4.2)
    # A race takes about 0.05-0.15 s to compute (eight optimizers, each tuned over the whole grid): still worth
    # computing the neighbouring views ahead (the look-ahead's thread stops at the learner's next change).
    _LOOKAHEAD_BUDGET_S = 0.35

    def __init__(self, **kwargs):
        self._grids: dict = {}
        super().__init__(**kwargs)

    # ------------------------------------------------------------ driving from code
    def final_losses(self) -> dict:
        """Each optimizer's loss above the minimum after the budget (nan if it diverged)."""
        return {r["label"]: (np.nan if r["final_gap"] is None else r["final_gap"]) for r in self.view.get("racers", [])}

    def learning_rates_used(self) -> dict:
        """The learning rate each optimizer raced with."""
        return {r["label"]: r["lr"] for r in self.view.get("racers", [])}

    # ------------------------------------------------------------ the model
    def _compute(self, s) -> dict:
        name = choice("objective", s.objective, RACE_OBJECTIVES)
        condition = real_number("condition", s.condition, *RACE_LIMITS["condition"], label="condition number")
        steps = whole_number("steps", s.steps, *RACE_LIMITS["steps"])
        noise = real_number("noise", s.noise, *RACE_LIMITS["noise"])
        mode = choice("learning_rates", s.learning_rates, ("tuned", "defaults"), label="learning rates")
        seed = seed_number(s.seed)
        obj = objective(name, condition=condition, angle=30.0) if name == "quadratic" else objective(name)
        (x0, x1), (y0, y1) = obj.bounds
        start = (real_number("start_x", s.start_x, x0, x1, label=f"start x on {name}"),
                 real_number("start_y", s.start_y, y0, y1, label=f"start y on {name}"))
        focus = choice("focus", s.focus, tuple(RACERS))
        focus_lr = real_number("focus_lr", s.focus_lr, 0.0, 10.0, label="the focused optimizer's learning rate")
        lrs = {}
        if mode == "defaults":
            lrs = {label: DEFAULTS[r.optimizer]["lr"] for label, r in RACERS.items()}
        if focus_lr > 0:
            lrs[focus] = focus_lr
        runs = race(obj, list(RACERS), start, steps, gradient_noise=noise, seed=seed, lrs=lrs)
        key = (name, condition) if name == "quadratic" else (name,)
        if key not in self._grids:
            self._grids = {key: surface_grid(obj)}
        low = obj.min_value
        racers = []
        for label, run in runs.items():
            colour, dash, marker = RACE_STYLE[label]
            gap = np.maximum(run.loss - low, 0.0)
            racers.append({
                "label": label, "lr": short(run.lr), "colour": colour, "dash": dash, "marker": marker,
                "path": short_list(run.path), "gap": short_list(gap, 4), "step_size": short_list(run.step_size, 4),
                "state": {STATE_NAMES.get(k, k): short_list(v, 4) for k, v in run.state.items()},
                "diverged": bool(run.diverged), "final_gap": short(gap[-1], 6), "focus": label == focus,
                "best_gap": short(np.nanmin(gap), 6) if np.any(np.isfinite(gap)) else None,
            })
        return {"objective": name, "formula": obj.formula, "start": list(start), "steps": steps, "noise": noise,
                "mode": mode, "focus": focus, "focus_lr": focus_lr, "minimum": list(obj.minimum), "min_value": short(low), "surface": self._grids[key],
                "grid": [LR_GRID[0], LR_GRID[-1], len(LR_GRID)], "racers": racers}

    def _on_new_view(self) -> None:
        if self.error:
            self.playing = False

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Optimizer race"

    def _describe(self, v: dict) -> str:
        how = (f"each at the best of {v['grid'][2]} learning rates from {v['grid'][0]:g} to {v['grid'][1]:.3g}"
               if v["mode"] == "tuned" else "each at torch.optim's default learning rate")
        parts = [f"{r['label']} (lr {r['lr']:g}): " + ("diverged" if r["final_gap"] is None else f"{r['final_gap']:.3g}")
                 for r in sorted(v["racers"], key=lambda r: np.inf if r["final_gap"] is None else r["final_gap"])]
        noise = f", gradient noise {v['noise']:g}" if v["noise"] else ""
        if v["focus_lr"] > 0:
            how += f", except {v['focus']} at lr {v['focus_lr']:g}"
        return (f"Optimizer race on {v['formula']} from ({v['start'][0]:g}, {v['start'][1]:g}), {v['steps']} steps "
                f"for everyone{noise}, {how}. Loss above the minimum at the end: " + "; ".join(parts) + ".")

    def _draw_figure(self, fig, v: dict) -> None:
        s = v["surface"]
        ax, ax2 = fig.subplots(1, 2)
        draw_surface(ax, s)
        for r in v["racers"]:
            path = np.array([[np.nan if c is None else c for c in p] for p in r["path"]], dtype=float)
            dash = (0, r["dash"]) if r["dash"] else None
            kw = {"linestyle": dash} if dash else {}
            ax.plot(path[:, 0], path[:, 1], color=r["colour"], linewidth=1.4, label=f"{r['label']} ({r['lr']:g})", **kw)
            gap = np.array([np.nan if x is None else x for x in r["gap"]], dtype=float)
            ax2.semilogy(np.maximum(gap, 1e-16), color=r["colour"], linewidth=1.4, **kw)
        ax.plot(*v["minimum"], marker="*", color="white", markeredgecolor="black", markersize=11)
        ax.set_xlim(*s["x"]); ax.set_ylim(*s["y"]); ax.set_title(v["formula"], fontsize=9)
        ax2.set_xlabel("step"); ax2.set_ylabel("loss - minimum"); ax2.set_title(f"{v['steps']} steps each", fontsize=9)
        fig.legend(loc="center right", fontsize=7)
        fig.subplots_adjust(left=0.05, right=0.8, bottom=0.12, top=0.92, wspace=0.25)   # fixed: tight_layout is slow
