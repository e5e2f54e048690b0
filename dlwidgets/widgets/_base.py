"""What every course widget shares: settings in, a view computed by core out, or a message.

A widget declares its settings as traitlets and ``_SETTINGS`` naming them, and implements
``_compute()`` (returns the dict the front end draws; raises ValueError or TypeError with a
sentence for the learner when the settings are impossible), ``_describe(view)`` and
``static_figure()``. The base recomputes on every settings change, shows the message in the
widget instead of raising, and lets code change several settings at once with ``set()``.
Its front end is the widget's ES module placed after ``_shared.js`` (see ``front_end``).
"""

from __future__ import annotations

import pathlib

import anywidget
import numpy as np
import traitlets

from ._static import StaticFallback

__all__ = ["CourseWidget", "front_end", "whole_number", "real_number", "choice"]

_HERE = pathlib.Path(__file__).parent


def front_end(filename: str) -> str:
    """A widget's ES module with the shared helpers (_shared.js) in front of it."""
    return (_HERE / "_shared.js").read_text(encoding="utf-8") + "\n" + (_HERE / filename).read_text(encoding="utf-8")


def whole_number(name: str, value, lo: int, hi: int) -> int:
    """``value`` as an int in [lo, hi], or a ValueError that says what is allowed."""
    label = name.replace("_", " ")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{label} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{label} must be between {lo} and {hi}, got {value}")
    return int(value)


def real_number(name: str, value, lo: float, hi: float) -> float:
    """``value`` as a finite float in [lo, hi], or a ValueError that says what is allowed."""
    label = name.replace("_", " ")
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{label} must be a number, got {value!r}")
    if not (np.isfinite(value) and lo <= value <= hi):
        raise ValueError(f"{label} must be between {lo:g} and {hi:g}, got {value!r}")
    return float(value)


def choice(name: str, value, options) -> str:
    """``value`` if it is one of ``options``, or a ValueError listing them."""
    if value not in options:
        raise ValueError(f"{name.replace('_', ' ')} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


class CourseWidget(StaticFallback, anywidget.AnyWidget):
    """Base class: recompute ``view`` with core on every settings change, or set ``error``."""

    view = traitlets.Dict(help="Everything the front end draws, computed by dlwidgets.core").tag(sync=True)
    error = traitlets.Unicode("", help="Why the current settings are impossible ('' if they are fine)").tag(sync=True)

    _SETTINGS: tuple[str, ...] = ()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.observe(self._recompute, names=list(self._SETTINGS))
        self._recompute()

    def set(self, **settings) -> "CourseWidget":
        """Change several settings at once (one recomputation); returns the widget."""
        unknown = set(settings) - set(self._SETTINGS)
        if unknown:
            raise TypeError(f"unknown setting(s): {', '.join(sorted(unknown))}; known: {', '.join(self._SETTINGS)}")
        with self.hold_trait_notifications():
            for key, value in settings.items():
                setattr(self, key, value)
        return self

    def _compute(self) -> dict:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def _describe(self, view: dict) -> str:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def _on_new_view(self) -> None:
        """Hook run after a new view is set (for example to reset an animation)."""

    def _recompute(self, change=None) -> None:
        try:
            view = self._compute()
        except (TypeError, ValueError) as exc:
            self.error = str(exc)
            self.view = {}
            self._on_new_view()
            return
        view["description"] = self._describe(view)
        self.error = ""
        self.view = view
        self._on_new_view()

    def describe(self) -> str:
        """One paragraph saying what the widget shows now (also its text/plain output)."""
        name = type(self).__name__
        if self.error:
            return f"{self._title()}: impossible settings: {self.error}."
        if not self.view:
            return f"{name} (not computed yet)."
        return self.view["description"]

    def _title(self) -> str:
        """How the description names this widget."""
        return type(self).__name__
