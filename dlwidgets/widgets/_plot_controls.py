"""Front-end assembly and JSON-safe numbers for the lesson 01-03 widgets.

Their ES modules share the plotting and control helpers in ``_plot_controls.js``, placed
after the course-wide ``_shared.js`` and before the widget's own module.
"""

from __future__ import annotations

import math

from ._base import front_end

__all__ = ["lesson_front_end", "finite", "finite_list"]


def lesson_front_end(filename: str) -> str:
    """_shared.js + _plot_controls.js + the widget's own module, as one ES module."""
    return front_end("_plot_controls.js", filename)


def finite(value):
    """A float for JSON, or None for NaN and infinities (JSON has no such numbers)."""
    value = float(value)
    return value if math.isfinite(value) else None


def finite_list(values):
    """finite() of every entry."""
    return [finite(v) for v in values]
