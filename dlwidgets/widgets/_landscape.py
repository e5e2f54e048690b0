"""What the loss-landscape widgets share: the surface as a grid of log-losses, compact JSON numbers, the front end.

The browser shades the grid in bands of equal log-loss (so the bands are contours) and draws the
paths on top; every number it shows comes from dlwidgets.core.
"""

from __future__ import annotations

import math

import numpy as np

from ..core import Objective
from ._base import front_end

__all__ = ["landscape_front_end", "surface_grid", "short", "short_list", "surface_colormap", "draw_surface", "GRID",
           "RACE_STYLE"]

GRID = 72  # grid points per side: smooth bands, a small view

# Okabe-Ito colours, each optimizer with a dash pattern and a marker too (colour is never the only cue)
RACE_STYLE = {
    "SGD": ("#000000", [], "circle"), "Momentum": ("#E69F00", [8, 4], "square"),
    "Nesterov": ("#56B4E9", [2, 3], "triangle"), "Adagrad": ("#009E73", [10, 3, 2, 3], "diamond"),
    "RMSprop": ("#CC79A7", [4, 4], "cross"), "Adam": ("#0072B2", [], "square"),
    "RAdam": ("#D55E00", [6, 2, 2, 2], "triangle"), "Lookahead(Adam)": ("#8C6D00", [1, 2], "diamond"),
}


def landscape_front_end(filename: str) -> str:
    """_shared.js, then _landscape.js (contours, paths, log plots), then the widget's own module, in the shared
    frame (kernel notice, resize and theme redraws)."""
    return front_end("_landscape.js", filename)


def short(x: float, digits: int = 5):
    """A float with ``digits`` significant digits (short in JSON), None for nan or inf."""
    x = float(x)
    if not math.isfinite(x):
        return None
    return float(f"{x:.{digits}g}")


def short_list(values, digits: int = 5):
    """Nested lists of short floats (None for nan / inf): JSON the browser can read, a few characters a number."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 0:
        return short(arr, digits)
    return [short_list(v, digits) for v in arr] if arr.ndim > 1 else [short(v, digits) for v in arr.tolist()]


def surface_grid(obj: Objective, bounds=None, size: int = GRID) -> dict:
    """The objective on a size x size grid over ``bounds`` as log10(f - f_low + 1e-3), rows from the bottom up
    (y rising), with the range of those logs: the browser shades it in bands of equal log-loss."""
    (x0, x1), (y0, y1) = bounds or obj.bounds
    xs, ys = np.linspace(x0, x1, size), np.linspace(y0, y1, size)
    values = obj.value(np.stack(np.meshgrid(xs, ys), -1))
    low = float(np.min(values))
    logs = np.log10(values - low + 1e-3)
    return {"x": [x0, x1], "y": [y0, y1], "n": size, "lo": short(logs.min(), 4), "hi": short(logs.max(), 4),
            "logs": np.round(logs, 3).ravel().tolist()}


# The front end's light ramp (low loss pale, high loss blue-grey), for the static pictures
RAMP = ((253, 251, 236), (226, 232, 214), (190, 208, 200), (150, 174, 188), (110, 132, 162))


def surface_colormap():
    """The ramp the browser shades surfaces with, as a matplotlib colormap."""
    from matplotlib.colors import LinearSegmentedColormap

    return LinearSegmentedColormap.from_list("dlw_surface", [tuple(c / 255 for c in rgb) for rgb in RAMP])


def draw_surface(ax, surface: dict) -> None:
    """The surface grid on matplotlib axes, shaded in the browser's bands (an image: far quicker than contours)."""
    n = surface["n"]
    logs = np.array(surface["logs"], dtype=float).reshape(n, n)
    ax.imshow(logs, origin="lower", extent=(*surface["x"], *surface["y"]), aspect="auto", interpolation="bilinear",
              cmap=surface_colormap().resampled(14))
    ax.set_xlim(*surface["x"]); ax.set_ylim(*surface["y"])
