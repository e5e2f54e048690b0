"""What every course widget shares: settings in, a view computed by core out, or a message.

A widget declares its settings as ``Setting`` traits (any value; a real-valued setting's default is a
float, a whole-number one's an int) and ``_SETTINGS`` naming them, and implements
``_compute(s)`` (returns the dict the front end draws for the settings ``s``, a namespace with one
attribute per setting; raises ValueError or TypeError with a sentence for the learner when they
are impossible), ``_describe(view)`` and either
``_draw_figure(fig, view)`` (the base's ``static_figure()`` makes the Figure, and says why there
is no picture when the settings are impossible) or ``static_figure()`` itself. The base
recomputes on every settings change, shows the message in the widget instead of raising, and
lets code change several settings at once with ``set()``.
Its front end is the widget's ES module placed after ``_shared.js`` (see ``front_end``).

Look-ahead: when a control gets the focus or changes, the front end asks for the views one step
either side (``{"lookahead": {"name", "values"}}``): a slider's neighbouring values, a drop-down's
neighbouring options, a switch's other state (also when the pointer comes over a drop-down or a
switch, which a click follows; while a key is held or a slider dragged, only once it is let go).
The base computes them with the same ``_compute(s)`` and sends them back, so the next step is
drawn at once from core's numbers for exactly those settings, before the kernel's own answer
(identical) arrives. Every view carries the settings
it was computed for (``view["settings"]``), so the front end can tell which one it shows.

A view depends on the settings alone, so the views of the last few settings are remembered:
stepping to a setting the look-ahead has computed, or back to one just left, costs the kernel
no second computation, and it is free sooner to look further ahead. When views are slow to
compute, the look-ahead sends only remembered ones.

Threads: JupyterLab sends widget messages to a kernel subshell where the kernel has them
(ipykernel 7), so a change or a look-ahead request from the browser runs in another thread than
the cells, which may change settings too. A view is computed from a snapshot of the settings,
never by giving the traits other values, and one lock per widget serialises the computations
and the caches behind them; the view shown is always that of the settings as they are last.
A look-ahead request is answered from a thread of its own that takes the lock one view at a time
and stops when the settings change, so the learner's next change, queued behind the request,
waits for one what-if view at most, not for all of them; a widget whose views are slow (the
meter, the initialisation explorer) also stops the what-if view in progress, part-way, unless the
change is to that very view.
"""

from __future__ import annotations

import difflib
import math
import pathlib
import re
import threading
import time
from collections import OrderedDict
from types import SimpleNamespace

import anywidget
import numpy as np
import traitlets

from ..cpu_limit import fit_blas_for_widgets
from ._static import StaticFallback

__all__ = ["CourseWidget", "Setting", "UnknownSetting", "front_end", "in_course_frame", "whole_number", "real_number", "seed_number", "switch", "choice",
           "keep_newest", "trim_to_budget"]

_HERE = pathlib.Path(__file__).parent


_DEFAULT_EXPORT = re.compile(r"export\s+default\s*\{\s*render\s*,?\s*\}\s*;?\s*$")


def in_course_frame(module: str) -> str:
    """A widget module whose ``export default { render };`` (at its end) renders inside the shared frame
    (``courseWidget`` in _shared.js): a notice when its kernel is gone, a redraw on a new width, pixel
    ratio or theme, the shared CSS. A module that ends otherwise is returned unchanged."""
    return _DEFAULT_EXPORT.sub("export default { render: courseWidget(render) };", module.rstrip()) + "\n"


def front_end(*filenames: str) -> str:
    """A widget's ES module with the shared helpers (_shared.js) in front of it, in the shared frame (see
    ``in_course_frame``); several files (helpers, then the widget's own) are joined in order."""
    parts = [(_HERE / name).read_text(encoding="utf-8") for name in ("_shared.js", *filenames)]
    return in_course_frame("\n".join(parts))


def _label(name: str, label: str | None) -> str:
    """How a message names a setting: ``label`` if given, else the name with spaces for underscores."""
    return name.replace("_", " ") if label is None else label


def whole_number(name: str, value, lo: int, hi: int, *, label: str | None = None) -> int:
    """``value`` as an int in [lo, hi], or a ValueError that says what is allowed (naming it ``label``)."""
    label = _label(name, label)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise ValueError(f"{label} must be a whole number, got {value!r}")
    if not lo <= value <= hi:
        raise ValueError(f"{label} must be between {lo} and {hi}, got {value}")
    return int(value)


def real_number(name: str, value, lo: float, hi: float, *, label: str | None = None) -> float:
    """``value`` as a finite float in [lo, hi], or a ValueError that says what is allowed (naming it ``label``)."""
    label = _label(name, label)
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise ValueError(f"{label} must be a number, got {value!r}")
    try:
        number = float(value)
    except OverflowError:  # a whole number too large for a float
        number = math.inf if value > 0 else -math.inf
    if not (math.isfinite(number) and lo <= number <= hi):
        # the number as a float: 5 and 5.0 are one setting here, with one message (see CourseWidget._key)
        raise ValueError(f"{label} must be between {lo:g} and {hi:g}, got {number!r}")
    return number


def seed_number(value, hi: int = 2**32 - 1) -> int:
    """``value`` as the seed of a random draw: a whole number from 0 to ``hi`` (numpy's default_rng takes
    any up to 2**32 - 1 here), or a ValueError that says so."""
    return whole_number("seed", value, 0, hi)


def switch(name: str, value, *, label: str | None = None) -> bool:
    """``value`` if it is True or False, or a ValueError that says so (naming it ``label``)."""
    if not isinstance(value, (bool, np.bool_)):
        raise ValueError(f"{_label(name, label)} must be True or False, got {value!r}")
    return bool(value)


def choice(name: str, value, options, *, label: str | None = None) -> str:
    """``value`` if it is one of ``options``, or a ValueError listing them (naming it ``label``)."""
    if value not in options:
        raise ValueError(f"{_label(name, label)} must be one of {', '.join(map(repr, options))}, got {value!r}")
    return value


def keep_newest(cache: OrderedDict, key, value, size: int):
    """Store value under key as cache's newest entry, forget the oldest beyond size; returns value."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)
    return value


def trim_to_budget(cache: OrderedDict, budget: int, nbytes, keep: int = 1) -> None:
    """Forget cache's oldest entries while they take more than budget bytes together (nbytes(value)
    each); the newest ``keep`` entries are always kept, however large."""
    sizes = [nbytes(value) for value in cache.values()]
    total = sum(sizes)
    for size in sizes[:len(sizes) - keep]:
        if total <= budget:
            break
        cache.popitem(last=False)
        total -= size


def _json_safe(value):
    """A setting as JSON can carry it: NaN and infinities (which a learner may type) as their names, which
    the front end shows as they are; anything else unchanged. Without this jupyter_client warns about
    non-compliant JSON in the learner's notebook."""
    if isinstance(value, (float, np.floating)) and not math.isfinite(value):
        return repr(float(value))
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    return value


def _setting_to_json(value, _widget):
    return _json_safe(value)


class UnknownSetting(TypeError):
    """``set()`` was given a name the widget does not have; IPython shows the sentence alone, no traceback."""

    def _render_traceback_(self):
        return ["\x1b[31m✘ " + str(self) + "\x1b[0m"]


class Setting(traitlets.Any):
    """A widget's setting: any value, checked by the widget's own code, so that a bad one shows a message in
    the widget. A value equal to the old one but of another type (12.0 for 12, 1 for True) is a change here,
    which traitlets would let pass unseen: the widget checks it at once, not at the next change. NaN and
    infinities go to the front end as their names (JSON has no such numbers)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.metadata = {**self.metadata, "to_json": _setting_to_json}

    def set(self, obj, value):
        old = obj._trait_values.get(self.name, self.default_value)
        super().set(obj, value)
        new = obj._trait_values[self.name]
        if type(old) is not type(new):
            try:
                unseen = bool(old == new)
            except Exception:  # noqa: BLE001 - traitlets has notified already when it cannot compare
                unseen = False
            if unseen:
                obj._notify_trait(self.name, old, new)


_EXACT_FLOAT_INTS = 2**53  # whole numbers up to this size are the same number as a float


def _can_stand_for(value, current) -> bool:
    """Whether a look-ahead value from the front end may stand in for a setting now at ``current``:
    a true/false for a switch; a number or a name for any other setting (a drop-down's options may
    be either, as a padding's are), which the widget's own checks then accept or explain."""
    if isinstance(current, (bool, np.bool_)):
        return isinstance(value, bool)
    return isinstance(value, (int, float, str)) and not isinstance(value, bool)


def _jsonable(value):
    """A setting as the front end sees it after JSON: numpy scalars as Python numbers, tuples as lists."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, (tuple, list)):
        return [_jsonable(v) for v in value]
    return value


class CourseWidget(StaticFallback, anywidget.AnyWidget):
    """Base class: recompute ``view`` with core on every settings change, or set ``error``."""

    view = traitlets.Dict(help="Everything the front end draws, computed by dlwidgets.core").tag(sync=True)
    error = traitlets.Unicode("", help="Why the current settings are impossible ('' if they are fine)").tag(sync=True)

    _SETTINGS: tuple[str, ...] = ()
    # Traits ``set()`` also accepts that only change what is shown (a selected row, say): no recomputation.
    _DISPLAY_TRAITS: tuple[str, ...] = ()
    # Size in inches of the Figure the base's ``static_figure()`` makes (80 dpi).
    _FIGSIZE: tuple[float, float] = (8, 4)
    # At most this many neighbouring values are computed per look-ahead request (0 turns it off).
    _LOOKAHEAD_VALUES = 4
    # When the last view computed took longer than this, the look-ahead sends remembered views only:
    # computing more would hold up the learner's next real change (the kernel does one thing at a time).
    _LOOKAHEAD_BUDGET_S = 0.1
    # The views (or messages) of this many recent settings are remembered (0 turns it off).
    _REMEMBERED_VIEWS = 8
    # Look-ahead requests are answered from a thread of their own (False: on the message's thread,
    # holding up whatever comes behind; the benchmarks compare the two).
    _LOOK_AHEAD_IN_A_THREAD = True

    def __init_subclass__(cls, **kwargs):
        """Settings the front end changes are not echoed back: ipywidgets' echo is a message the browser
        must handle before it gets to the new view, and a widget here has a single front end."""
        super().__init_subclass__(**kwargs)
        for trait in vars(cls).values():
            if isinstance(trait, traitlets.TraitType) and trait.metadata.get("sync"):
                trait.metadata.setdefault("echo_update", False)

    def __init__(self, **kwargs):
        fit_blas_for_widgets()  # once per process: BLAS gets one thread (see cpu_limit), unless told otherwise
        self._lock = threading.RLock()  # one computation at a time: a cell's change, the browser's, a look-ahead
        self._remembered: OrderedDict = OrderedDict()  # repr of the settings -> (view, error)
        self._compute_seconds = 0.0  # what the last view computed took (a remembered one takes nothing)
        self._look_ahead_thread = None  # the thread answering the last look-ahead request
        self._changes = 0  # settings changes so far: a what-if computation checks it to stop early
        self._what_if = threading.local()  # in a look-ahead's thread: (key of the what-if settings, changes seen)
        super().__init__(**kwargs)
        # real-valued settings: those whose default is a float (a whole-number one's is an int)
        self._real_settings = tuple(name for name in self._SETTINGS if isinstance(self.trait_defaults(name), float))
        self.observe(self._count_change, names=list(self._SETTINGS))  # first, before the recomputation waits
        self.observe(self._recompute, names=list(self._SETTINGS))
        self.on_msg(self._on_front_end_message)
        self._recompute()

    def settings(self) -> dict:
        """The current settings by name (what set() and the exercises take)."""
        return self._settings_now()

    def set(self, **settings) -> "CourseWidget":
        """Change several settings at once (one recomputation); returns the widget."""
        known = tuple(self._SETTINGS) + tuple(self._DISPLAY_TRAITS)
        unknown = sorted(set(settings) - set(known))
        if unknown:
            guesses = [match for name in unknown for match in difflib.get_close_matches(name, known, n=1)]
            raise UnknownSetting(f"unknown setting(s): {', '.join(unknown)}; known: {', '.join(self._SETTINGS)}"
                                 + (f" (did you mean {', '.join(guesses)}?)" if guesses else "")) from None
        with self.hold_trait_notifications():
            for key, value in settings.items():
                setattr(self, key, value)
        return self

    def _compute(self, s: SimpleNamespace) -> dict:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def _describe(self, view: dict) -> str:  # pragma: no cover - every widget overrides it
        raise NotImplementedError

    def _on_new_view(self) -> None:
        """Hook run after a new view is set (for example to reset an animation)."""

    def _settings_now(self) -> dict:
        """Every setting's value now (``settings()`` may show a widget's learners fewer)."""
        return {k: getattr(self, k) for k in self._SETTINGS}

    def _stamp(self, settings: dict) -> dict:
        """Settings as JSON values, as the front end sees them: which settings a view was computed for."""
        return {k: _jsonable(settings[k]) for k in self._SETTINGS}

    def _key(self, settings: dict) -> str:
        """Settings as a key of the remembered views. repr tells 1, 1.0, True and "1" apart (a whole-number
        setting refuses 1.0), but a real-valued setting's 1 is its 1.0: the browser sends a slider's 1.0 as 1."""
        stamp = self._stamp(settings)
        for name in self._real_settings:
            value = stamp[name]
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _EXACT_FLOAT_INTS:
                stamp[name] = float(value)
        return repr(list(stamp.values()))

    def _view_or_error(self, settings: dict) -> tuple[dict, str]:
        """(view, '') computed by core for these settings, or ({}, why they are impossible)."""
        try:
            view = self._compute(SimpleNamespace(**settings))
        except (TypeError, ValueError) as exc:
            return {}, str(exc)
        view["description"] = self._describe(view)
        view["settings"] = self._stamp(settings)
        return view, ""

    def _remembered_view(self, settings: dict) -> tuple[dict, str] | None:
        """(view, error) remembered for these settings, or None."""
        key = self._key(settings)
        entry = self._remembered.get(key)
        if entry is not None:
            self._remembered.move_to_end(key)
        return entry

    def _view_for(self, settings: dict) -> tuple[dict, str]:
        """(view, error) for these settings: remembered if they were seen lately, else computed now (and
        remembered, and _compute_seconds set to what that took). Call it holding the lock."""
        entry = self._remembered_view(settings)
        if entry is not None:
            return entry
        start = time.perf_counter()
        entry = self._view_or_error(settings)
        self._compute_seconds = time.perf_counter() - start
        if self._REMEMBERED_VIEWS > 0:
            keep_newest(self._remembered, self._key(settings), entry, self._REMEMBERED_VIEWS)
        return entry

    def _count_change(self, change=None) -> None:
        """Count a settings change (an observer run before _recompute, which may wait for the lock), so
        that a what-if computation in progress can tell at once that it has become stale."""
        self._changes += 1

    def _stale(self) -> bool:
        """Whether the view being computed is a look-ahead's what-if that nobody will want any more: the
        settings have changed since it began, to something else than it. Always False for a real
        change. A _compute that can stop part-way asks it (core's MLP pass, before each layer)
        and stops by raising, so that a change queued behind a look-ahead does not wait for it."""
        what_if = getattr(self._what_if, "settings", None)
        if what_if is None:
            return False
        key, seen = what_if
        changes = self._changes
        if changes == seen:
            return False
        if self._key(self._settings_now()) != key:
            return True
        self._what_if.settings = (key, changes)  # the learner has come to this very what-if: finish it
        return False

    def _recompute(self, change=None) -> None:
        # The settings are read holding the lock, so whichever thread recomputes last shows the view of
        # the settings as they are last, whatever order two threads' changes came in.
        with self._lock:
            view, error = self._view_for(self._settings_now())
            self.error = error
            self.view = view
            self._on_new_view()

    def _nearby(self, name, values, now: dict | None = None) -> list[dict]:
        """Views (or messages) for the settings ``now`` (the current ones if not given) with ``name`` set
        to each of ``values``; only the remembered ones once the last view computed took longer than
        the look-ahead budget. The widget's own settings are not touched. Once the settings are not
        ``now`` any more it stops, before its next view: the change is what the learner waits for,
        and these what-ifs are stale."""
        if name not in self._SETTINGS or not isinstance(values, list):
            return []
        entries = []
        if now is None:
            with self._lock:
                now = self._settings_now()
        asked_for = self._key(now)
        for value in values[: self._LOOKAHEAD_VALUES]:
            if not _can_stand_for(value, now[name]):
                continue
            settings = {**now, name: value}
            with self._lock:  # taken for one view at a time, so a real change waits for one at most
                if self._key(self._settings_now()) != asked_for:
                    break
                slow = self._compute_seconds > self._LOOKAHEAD_BUDGET_S
                self._what_if.settings = (self._key(settings), self._changes)
                try:
                    found = self._remembered_view(settings) if slow else self._view_for(settings)
                except Exception:  # noqa: BLE001 - a what-if, or stopped (_stale): the real change reports its own error
                    continue
                finally:
                    self._what_if.settings = None
            if found is not None:
                entries.append({"settings": self._stamp(settings), "view": found[0], "error": found[1]})
        return entries

    def _on_front_end_message(self, _widget, content, _buffers) -> None:
        """Answer a look-ahead request from the front end with the neighbouring views, from a thread of
        its own: the kernel goes on at once to the messages behind it, such as the learner's next
        change, which then stops the look-ahead before its next view (see _nearby)."""
        if isinstance(content, dict) and "ping" in content:  # the front end asks whether a kernel is listening
            self.send({"pong": content["ping"]})
            return
        request = content.get("lookahead") if isinstance(content, dict) else None
        if isinstance(request, dict):
            # the neighbours of the settings as they are when the request comes, not when the thread runs
            args = (request.get("name"), request.get("values"), self._settings_now())
            if not self._LOOK_AHEAD_IN_A_THREAD:
                self._answer_look_ahead(*args)
                return
            thread = threading.Thread(target=self._answer_look_ahead, args=args,
                                      name=f"{type(self).__name__} look-ahead", daemon=True)
            self._look_ahead_thread = thread
            thread.start()

    def _answer_look_ahead(self, name, values, now: dict) -> None:
        """Send the front end the neighbouring views it asked for (an empty list if none)."""
        self.send({"nearby": self._nearby(name, values, now)})

    def describe(self) -> str:
        """One paragraph saying what the widget shows now (also its text/plain output)."""
        if self.error:
            return f"{self._title()}: impossible settings: {self.error}."
        if not self.view:
            return f"{self._title()} (not computed yet)."
        return self.view["description"]

    def _title(self) -> str:
        """How the description names this widget."""
        return type(self).__name__

    def static_figure(self):
        """The current view as a matplotlib Figure, drawn by ``_draw_figure``, or the reason there is none."""
        from matplotlib.figure import Figure

        fig = Figure(figsize=self._FIGSIZE, dpi=80)
        if self.error or not self.view:
            ax = fig.add_subplot()
            ax.axis("off")
            ax.text(0.5, 0.5, self.describe(), ha="center", va="center", wrap=True, fontsize=11)
            return fig
        self._draw_figure(fig, self.view)
        return fig

    def _draw_figure(self, fig, view: dict) -> None:  # pragma: no cover - widgets override it or static_figure
        raise NotImplementedError
