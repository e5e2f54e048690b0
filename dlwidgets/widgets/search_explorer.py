"""Search explorer: grid against random search on an objective where one parameter matters and one does not,
and linear against log-scale sampling of a learning rate.

Python evaluates dlwidgets.core.search for the settings: the objective on a 40 x 40 raster for the heat map,
both point sets and the best each finds, how often random search beats the grid over 200 seeds, and for
the sampling panel the samples and their count per decade. The browser draws them.
"""

from __future__ import annotations

import functools
import pathlib

import numpy as np

from ..core import best_point, distinct_values, grid_points, grid_vs_random, per_decade, random_points, sample_range
from ..core import search_objective
from ._base import CourseWidget, Setting, choice, front_end, seed_number, whole_number

__all__ = ["SearchExplorer", "SEARCH_PANELS", "SAMPLE_RANGE"]

SEARCH_PANELS = ("search", "sampling")
SAMPLE_RANGE = (1e-4, 1.0)
RASTER = 40
SEEDS = 200


@functools.lru_cache(maxsize=16)
def _grid_vs_random(points):
    """core.grid_vs_random over SEEDS seeds: it depends on the number of points alone, so a new seed reuses it."""
    return grid_vs_random(points, SEEDS)


class SearchExplorer(CourseWidget):
    """Nine grid points against nine random points, and where linear or log-scale samples of a learning rate fall."""

    _esm = front_end("search_explorer.js")
    _css = pathlib.Path(__file__).with_name("search_explorer.css")

    panel = Setting("search", help="'search' (grid vs random) or 'sampling' (linear vs log scale)").tag(sync=True)
    points = Setting(9, help="Search panel: points each method may try (a square number: 4, 9, 16, 25)").tag(sync=True)
    seed = Setting(0, help="Seed of the random points and samples").tag(sync=True)
    samples = Setting(20, help="Sampling panel: how many learning rates to draw").tag(sync=True)

    _SETTINGS = ("panel", "points", "seed", "samples")
    _FIGSIZE = (9, 3.6)

    def _compute(self, s) -> dict:
        panel = choice("panel", s.panel, SEARCH_PANELS)
        points = whole_number("points", s.points, 4, 64)
        seed = seed_number(s.seed, 2**31 - 2)
        samples = whole_number("samples", s.samples, 2, 1000)
        if panel == "sampling":
            lo, hi = SAMPLE_RANGE
            linear, log = sample_range(lo, hi, samples, "linear", seed), sample_range(lo, hi, samples, "log", seed)
            return {"panel": panel, "samples": samples, "seed": seed, "range": list(SAMPLE_RANGE),
                    "linear": linear.tolist(), "log": log.tolist(),
                    "linear_decades": per_decade(linear, lo, hi).tolist(), "log_decades": per_decade(log, lo, hi).tolist()}
        grid = grid_points(points)
        rand = random_points(points, seed)
        axis = (np.arange(RASTER) + 0.5) / RASTER
        raster = search_objective(axis[:, None], axis[None, :])
        (gi, gbest), (ri, rbest) = best_point(grid), best_point(rand)
        grid_best, random_bests, share = _grid_vs_random(points)
        return {"panel": panel, "points": points, "seed": seed, "raster": np.round(raster, 4).tolist(),
                "grid": grid.tolist(), "random": rand.tolist(), "grid_best": [gi, gbest], "random_best": [ri, rbest],
                "grid_distinct": distinct_values(grid, 0), "random_distinct": distinct_values(rand, 0),
                "share_random_wins": share, "mean_random_best": float(np.mean(random_bests)), "seeds": SEEDS,
                "curve_x": axis.tolist(), "curve": np.round(search_objective(axis, 0.5), 4).tolist()}

    def _title(self) -> str:
        return "Search explorer"

    def _describe(self, v: dict) -> str:
        if v["panel"] == "sampling":
            return (f"Search explorer, sampling panel: {v['samples']} learning rates from 1e-4 to 1. Uniform in the "
                    f"value, the decades 1e-4..1e-3, ..., 0.1..1 get {v['linear_decades']} samples; uniform in log10, "
                    f"{v['log_decades']}.")
        return (f"Search explorer: {v['points']} grid points try {v['grid_distinct']} values of the parameter that "
                f"matters and find a best error of {v['grid_best'][1]:.3f}; {v['points']} random points (seed "
                f"{v['seed']}) try {v['random_distinct']} and find {v['random_best'][1]:.3f}. Over {v['seeds']} seeds "
                f"random search beats the grid {100 * v['share_random_wins']:.0f}% of the time.")

    def _draw_figure(self, fig, v: dict) -> None:
        if v["panel"] == "sampling":
            ax = fig.add_subplot()
            k = np.arange(len(v["log_decades"]))
            ax.bar(k - 0.2, v["linear_decades"], 0.4, color="#E69F00", label="uniform in the value")
            ax.bar(k + 0.2, v["log_decades"], 0.4, color="#0072B2", label="uniform in log10", hatch="//")
            ax.set_xticks(k, [f"1e{e}..1e{e + 1}" for e in range(-4, 0)])
            ax.set_ylabel("samples"); ax.legend(fontsize=8)
            ax.set_title(f"{v['samples']} learning rates from 1e-4 to 1", fontsize=10)
            fig.tight_layout()
            return
        ax_g, ax_r = fig.subplots(1, 2)
        for ax, name in ((ax_g, "grid"), (ax_r, "random")):
            ax.imshow(np.array(v["raster"]).T, origin="lower", extent=(0, 1, 0, 1), cmap="gray", vmin=-0.5, vmax=0.92)
            pts = np.array(v[name])
            ax.scatter(*pts.T, c="#0072B2" if name == "grid" else "#D55E00", s=30, marker="s" if name == "grid" else "o")
            best = pts[v[f"{name}_best"][0]]
            ax.scatter([best[0]], [best[1]], s=120, facecolors="none", edgecolors="#000000")
            ax.set_xlabel("parameter that matters"); ax.set_ylabel("parameter that does not")
            ax.set_title(f"{name}: {v[f'{name}_distinct']} values tried, best error {v[f'{name}_best'][1]:.3f}",
                         fontsize=10)
        fig.tight_layout()
