"""The checking layer every lesson's exercises use: cases, verdicts, diagnoses and hints.

A check prints a one-line verdict when the learner's answer is right. When it is wrong it
raises ``CheckFailed``, whose message names the failing case, what was expected and what
came back, a diagnosis for a known mistake, and how to get a hint. IPython shows that
message without a stack trace; nbgrader sees an error and scores the test cell zero.

The learner's function runs under a time limit (``TIME_LIMIT_S`` per call): an endless loop
becomes a sentence, as does stopping it with the interrupt button. In a notebook the checks
also remember which cells ran successfully, so a check whose answer cell failed last time
(a SyntaxError, an unquoted letter) says so instead of grading the answer of an earlier run.
Answers that are several arrays (dW1, db1, ...) are compared part by part and a mismatch names
the part.
"""

from __future__ import annotations

import contextlib
import math
import numbers
import re
import signal
import threading
import traceback
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from . import reference_call

__all__ = [
    "CheckFailed", "Case", "Mistake", "check_function", "check_value", "check_choice",
    "register_hints", "hint", "reset_hints", "describe", "TIME_LIMIT_S", "time_limit", "answer_cell_failure",
]

# Seconds one call of the learner's function may take before the check gives up on it.
TIME_LIMIT_S = 10.0


class CheckFailed(AssertionError):
    """A learner's answer did not pass; the message is written for the learner."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def _render_traceback_(self):
        """IPython shows these lines instead of a stack trace."""
        return ["\x1b[31m✘ " + self.message.splitlines()[0] + "\x1b[0m", *self.message.splitlines()[1:]]


@dataclass(frozen=True)
class Case:
    """One call of the learner's function: positional and keyword arguments and a label."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    label: str = ""

    def describe(self) -> str:
        if self.label:
            return self.label
        parts = [describe(a) for a in self.args] + [f"{k}={describe(v)}" for k, v in self.kwargs.items()]
        return ", ".join(parts)


@dataclass(frozen=True)
class Mistake:
    """A known wrong approach: ``answer`` computes what that mistake returns for a case."""

    answer: Callable[..., Any]
    explanation: str


# ---------------------------------------------------------------- hints

_HINTS: dict[str, list[str]] = {}
_SHOWN: dict[str, int] = {}


def register_hints(exercise: str, tiers: list[str]) -> None:
    """Hints for one exercise, from a nudge to a worked solution (the last tier)."""
    _HINTS[exercise] = list(tiers)


def hint(exercise: str, tier: int | None = None) -> None:
    """Print the next hint for ``exercise`` (or hint number ``tier``, counting from 1)."""
    tiers = _HINTS.get(exercise)
    if not tiers:
        known = ", ".join(sorted(_HINTS)) or "none registered yet (import the lesson's exercises first)"
        print(f"No hints for {exercise!r}. Exercises with hints: {known}.")
        return
    if tier is None:
        tier = min(_SHOWN.get(exercise, 0) + 1, len(tiers))
    if not 1 <= tier <= len(tiers):
        print(f"{exercise!r} has hints 1 to {len(tiers)}.")
        return
    _SHOWN[exercise] = max(_SHOWN.get(exercise, 0), tier)
    label = "Worked solution" if tier == len(tiers) and len(tiers) > 1 else f"Hint {tier} of {len(tiers)}"
    print(f"{label} for {exercise!r}:\n{tiers[tier - 1]}")
    if tier < len(tiers):
        print(f"(Run hint({exercise!r}) again for the next one.)")


def reset_hints() -> None:
    """Forget which hints were shown (so the next hint() starts at tier 1)."""
    _SHOWN.clear()


def _hint_line(exercise: str) -> str:
    return f"Stuck? Run hint({exercise!r}) for a hint; each call gives a stronger one."


# ---------------------------------------------------------------- time limit

class _OutOfTime(BaseException):
    """Raised inside the learner's function when its time is up (not an Exception: a learner's
    ``except Exception`` must not swallow it)."""


@contextlib.contextmanager
def time_limit(seconds: float | None):
    """Raise _OutOfTime in the code run inside once ``seconds`` have passed (a SIGALRM timer: only in the
    main thread of a process with one, where notebook cells run; elsewhere, or with None, no limit)."""
    usable = (seconds is not None and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:
        yield
        return

    def out_of_time(_signum, _frame):
        raise _OutOfTime

    previous = signal.signal(signal.SIGALRM, out_of_time)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _run_learner(fn, case: "Case"):
    """fn(*case.args, **case.kwargs) under the time limit (raises _OutOfTime when it is up)."""
    with time_limit(TIME_LIMIT_S):
        return fn(*case.args, **case.kwargs)


def _out_of_time(name: str, case: "Case", exercise: str) -> CheckFailed:
    return CheckFailed(
        f"`{name}({case.describe()})` did not finish in {TIME_LIMIT_S:g} s, so the check stopped it.\n"
        "Look for a loop that never ends (a `while` whose condition stays true, a counter that is never "
        f"increased) or far more work than the task needs.\n{_hint_line(exercise)}")


def _interrupted(name: str, case: "Case") -> CheckFailed:
    return CheckFailed(f"The check was interrupted while `{name}({case.describe()})` was running.\n"
                       "If it seemed stuck, look for a loop that never ends, then run the check again.")


# ---------------------------------------------------------------- cells that failed

# In a notebook: the source and outcome of the last cells run (newest last), recorded after each cell.
_RUNS: list[tuple[str, str]] = []   # (source, '' if it ran successfully else what it raised)
_RUNS_KEPT = 200


def _remember_run(result) -> None:
    """IPython's post_run_cell event: remember the cell's source and whether it ran successfully."""
    error = result.error_before_exec or result.error_in_exec
    source = getattr(result.info, "raw_cell", "") or ""
    if error is None:
        outcome = ""
    elif isinstance(error, SyntaxError):   # without IPython's name for the cell
        outcome = f"{type(error).__name__}: {error.msg}" + (f" (line {error.lineno})" if error.lineno else "")
    else:
        outcome = f"{type(error).__name__}: {error}"
    _RUNS.append((source, outcome))
    del _RUNS[:-_RUNS_KEPT]


def _watch_cells() -> None:
    """Record every cell run from now on (once per kernel), if this runs in IPython."""
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover - IPython is always there with Jupyter
        return
    shell = get_ipython()
    if shell is None or getattr(shell, "_dlwidgets_watches_cells", False):
        return
    shell.events.register("post_run_cell", _remember_run)
    shell.set_custom_exc((NameError,), _name_not_defined)
    shell._dlwidgets_watches_cells = True


def _name_not_defined(shell, etype, value, tb, tb_offset=None):
    """IPython's handler of a NameError (it shows what it returns itself): in a check cell, say which cell
    to run first; elsewhere the usual traceback."""
    history = getattr(shell.history_manager, "input_hist_raw", None) or [""]
    source, missing = history[-1], getattr(value, "name", None)
    if not (missing and re.search(r"\bcheck_\w+\s*\(", source)):
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return []
    if missing in ("ex", "hint"):   # the lesson's own names: its set-up cell has not run in this kernel
        message = (f"`{missing}` is not defined yet, so this check cannot run: the lesson's set-up cell has not "
                   "run since the kernel started.\nRun the cells above this one first (Run > Run All Above Selected "
                   "Cell), then this check.")
    else:
        message = (f"`{missing}` is not defined yet, so this check cannot run.\n"
                   f"Run the cell that defines `{missing}` first: the exercise's cell above this one (or, "
                   "if it is the lesson's own name, the set-up cells at the top: Run > Run All Above Selected Cell).")
    stb = CheckFailed(message)._render_traceback_()
    shell._showtraceback(etype, value, stb)
    return stb


def _sets(source: str, name: str) -> bool:
    """Whether a cell's source defines or assigns ``name`` (``def name``, ``name =``, ``name: T =``)."""
    word = re.escape(name)
    return re.search(rf"^\s*(?:def\s+{word}\s*\(|{word}\s*(?::[^=\n]*)?=(?!=))", source, re.MULTILINE) is not None


def answer_cell_failure(name: str) -> str | None:
    """If the last cell run that sets ``name`` failed, what it raised; else None (also outside a notebook)."""
    for source, error in reversed(_RUNS):
        if _sets(source, name):
            return error or None
    return None


def _check_answer_cell(name: str) -> None:
    """Raise CheckFailed if the learner's answer cell for ``name`` did not run successfully last time."""
    error = answer_cell_failure(name)
    if error is not None:
        raise CheckFailed(
            f"The cell that sets `{name}` did not run successfully the last time: it raised {error}.\n"
            f"Fix that cell and run it again, then this check. (Until then `{name}` is whatever an earlier "
            "run left, so checking it would grade an answer you have since changed.)")


_watch_cells()


# ---------------------------------------------------------------- describing values

def describe(value: Any) -> str:
    """A short, readable rendering of a value for a verdict message."""
    if isinstance(value, np.ndarray):
        if value.size <= 12:
            return np.array2string(value, precision=4, separator=", ", suppress_small=True)
        return f"an array of shape {value.shape}"
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, str):
        return repr(value)
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _type_name(value: Any) -> str:
    if value is None:
        return "None"
    if isinstance(value, np.ndarray):
        return f"a numpy array of shape {value.shape}"
    return f"a {type(value).__name__}"


def _learner_frame(exc: BaseException) -> str:
    """'line N: <source>' of the deepest frame in the learner's own code, if any."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__)
              if "dlwidgets" not in f.filename and "site-packages" not in f.filename]
    if not frames:
        return ""
    f = frames[-1]
    return f" (in {f.name}, line {f.lineno}: {(f.line or '').strip()})"


# ---------------------------------------------------------------- comparing

def _mismatch(got: Any, expected: Any, rtol: float, atol: float) -> str | None:
    """None if ``got`` matches ``expected``; otherwise a sentence saying how it differs."""
    if isinstance(expected, Parts):
        return _parts_mismatch(got, expected, rtol, atol)
    if isinstance(expected, bool) or isinstance(expected, str):
        return None if got == expected else f"expected {describe(expected)}, got {describe(got)}"
    if isinstance(expected, numbers.Integral):
        if got is None:
            return "got None: did you forget to `return` the result?"
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
            return f"expected a whole number, got {_type_name(got)} ({describe(got)})"
        if isinstance(got, numbers.Real) and not isinstance(got, numbers.Integral):
            if math.isnan(got):
                return "got NaN (not a number)"
            if float(got) != int(got):
                return f"expected the whole number {expected}, got {describe(got)}: sizes and counts are whole numbers"
            return None if int(got) == expected else f"expected {expected}, got {describe(got)}"
        return None if int(got) == expected else f"expected {expected}, got {got}"
    if isinstance(expected, numbers.Real):
        if got is None:
            return "got None: did you forget to `return` the result?"
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, numbers.Real):
            return f"expected a number, got {_type_name(got)} ({describe(got)})"
        if math.isnan(got):
            return "got NaN (not a number): look for 0/0, inf - inf or log of a negative number"
        if math.isclose(got, expected, rel_tol=rtol, abs_tol=atol):
            return None
        return f"expected {expected:.6g}, got {got:.6g}"
    if isinstance(expected, np.ndarray):
        if got is None:
            return "got None: did you forget to `return` the result?"
        try:
            arr = np.asarray(got, dtype=float)
        except (TypeError, ValueError):
            return f"expected an array of numbers, got {_type_name(got)}"
        if arr.shape != expected.shape:
            return f"expected an array of shape {expected.shape}, got shape {arr.shape}"
        if np.isnan(arr).any() and not np.isnan(expected).any():
            return f"the result has {int(np.isnan(arr).sum())} NaN value(s) (not a number)"
        if np.allclose(arr, expected, rtol=rtol, atol=atol):
            return None
        worst = np.unravel_index(np.argmax(np.abs(arr - expected)), arr.shape)
        return (f"values differ; for example at index {tuple(int(i) for i in worst)} expected "
                f"{expected[worst]:.6g}, got {arr[worst]:.6g}")
    return None if got == expected else f"expected {describe(expected)}, got {describe(got)}"


class Parts(tuple):
    """Several arrays returned together (dW1, db1, dW2, db2), compared part by part; ``names`` name them."""

    names: tuple = ()


def _part_names(parts, count: int) -> tuple:
    """Names of ``count`` parts: ``parts`` itself, or a format with ``{i}`` ("gradient {i}"), or "part i"."""
    if isinstance(parts, str):
        return tuple(parts.format(i=i) for i in range(count))
    names = tuple(parts or ())
    return names + tuple(f"part {i}" for i in range(len(names), count))


def _parts_mismatch(got: Any, expected: Parts, rtol: float, atol: float) -> str | None:
    """None if every part of ``got`` matches; otherwise which part differs, and how."""
    if got is None:
        return "got None: did you forget to `return` the result?"
    listing = ", ".join(expected.names)
    if not isinstance(got, (tuple, list)) or len(got) != len(expected):
        return f"expected {len(expected)} arrays ({listing}), got {_type_name(got)}"
    for name, part, want in zip(expected.names, got, expected):
        problem = _mismatch(part, want, rtol, atol)
        if problem is not None:
            return f"{name}: {problem}"
    return None


def _matches(got, candidate, rtol, atol) -> bool:
    try:
        return _mismatch(got, candidate, rtol, atol) is None
    except Exception:  # a mistake model that cannot be compared is simply not this mistake
        return False


def _expected(reference, case, parts=None):
    value = reference(*case.args, **case.kwargs)
    if parts is not None and isinstance(value, (list, tuple)):
        result = Parts(np.asarray(v, dtype=float) for v in value)
        result.names = _part_names(parts, len(result))
        return result
    return np.asarray(value, dtype=float) if isinstance(value, (list, tuple, np.ndarray)) else value


def _diagnose(fn, cases, mistakes, rtol, atol, parts=None):
    """The known mistake that reproduces the learner's answers on every case, if one does.

    Two mistakes can give the same wrong number on one case; agreeing on all of them is
    what makes a diagnosis trustworthy.
    """
    if not mistakes:
        return None
    answers = []
    for case in cases:
        try:
            answers.append(_run_learner(fn, case))
        except (Exception, _OutOfTime):
            return None
    for mistake in mistakes:
        if all(_matches(got, _expected(mistake.answer, case, parts), rtol, atol) for got, case in zip(answers, cases)):
            return mistake
    return None


# ---------------------------------------------------------------- checks

def check_function(fn, reference, cases, *, exercise: str, name: str | None = None,
                   mistakes=(), rtol: float = 1e-9, atol: float = 1e-12, parts=None) -> None:
    """Call the learner's ``fn`` on every case and compare with ``reference``.

    ``reference`` is the library's implementation (dlwidgets.core), so the expected values
    are computed, never typed in. ``mistakes`` are known wrong approaches whose answers,
    when they match the learner's, explain what probably went wrong. When the answer is
    several arrays, ``parts`` names them (("dW1", "db1", ...), or a format such as
    "gradient {i}") and a mismatch names the part and the index inside it. Each call has
    ``TIME_LIMIT_S`` seconds.
    """
    name = name or getattr(fn, "__name__", "your function")
    _check_answer_cell(name)
    if fn is ... or fn is None:
        raise CheckFailed(f"`{name}` is not defined yet.\nWrite it in the cell above, run that cell, then run this check.")
    if not callable(fn):
        raise CheckFailed(f"`{name}` should be a function, but it is {_type_name(fn)}.\n"
                          "Define it with `def` in the cell above and run that cell.")
    if refused := reference_call.refusal(fn, name):
        raise CheckFailed(f"{refused}\n{_hint_line(exercise)}")
    cases = list(cases)
    for number, case in enumerate(cases, 1):
        expected = _expected(reference, case, parts)
        try:
            got = _run_learner(fn, case)
        except _OutOfTime:
            raise _out_of_time(name, case, exercise) from None
        except KeyboardInterrupt:
            raise _interrupted(name, case) from None
        except NotImplementedError:
            raise CheckFailed(
                f"`{name}` is not written yet.\nReplace the `raise NotImplementedError(...)` line "
                f"with your code, run that cell, then run this check again.\n{_hint_line(exercise)}"
            ) from None
        except Exception as exc:  # the learner's code failed: say so in a sentence
            raise CheckFailed(
                f"`{name}({case.describe()})` raised {type(exc).__name__}: {exc}{_learner_frame(exc)}.\n"
                f"{_hint_line(exercise)}"
            ) from None
        problem = _mismatch(got, expected, rtol, atol)
        if problem is None:
            continue
        lines = [f"Case {number} of {len(cases)} fails: {name}({case.describe()}): {problem}."]
        mistake = _diagnose(fn, cases, mistakes, rtol, atol, parts)
        if mistake is not None:
            lines.append(f"This looks like a known mistake: {mistake.explanation}")
        lines.append(_hint_line(exercise))
        raise CheckFailed("\n".join(lines))
    print(f"✔ {name} passes all {len(cases)} cases.")


def check_value(answer, expected, *, exercise: str, name: str = "answer",
                mistakes: dict | None = None, rtol: float = 1e-9, atol: float = 1e-12) -> None:
    """Check a predicted number (or other value) against one computed by the library.

    ``mistakes`` maps a wrong value a known mistake gives to the explanation of it.
    """
    _check_answer_cell(name)
    if answer is ...:
        raise CheckFailed(f"`{name}` is not answered yet.\nReplace the `...` after `{name} =` with your answer, "
                          f"run that cell, then run this check.")
    if not isinstance(expected, (str, bool)) and isinstance(expected, (list, tuple)):
        expected = np.asarray(expected, dtype=float)
    problem = _mismatch(answer, expected, rtol, atol)
    if problem is None:
        print(f"✔ {name} = {describe(answer)} is right.")
        return
    lines = [f"`{name}` is not right yet: {problem}."]
    for wrong, explanation in (mistakes or {}).items():
        if _matches(answer, wrong, rtol, atol):
            lines.append(f"This looks like a known mistake: {explanation}")
            break
    lines.append(_hint_line(exercise))
    raise CheckFailed("\n".join(lines))


def check_choice(answer, correct: str, options: dict[str, str], *, exercise: str, name: str = "answer") -> None:
    """Check a multiple-choice answer (a letter); ``options`` explains every option."""
    _check_answer_cell(name)
    if answer is ...:
        raise CheckFailed(f"`{name}` is not answered yet.\nSet `{name}` to one of "
                          f"{', '.join(repr(k) for k in options)} and run that cell, then run this check.")
    if not isinstance(answer, str) or answer.strip().lower() not in options:
        raise CheckFailed(f"`{name}` should be one of {', '.join(repr(k) for k in options)}, "
                          f"got {describe(answer)}.")
    letter = answer.strip().lower()
    if letter == correct:
        print(f"✔ ({letter}) is right. {options[letter]}")
        return
    raise CheckFailed(f"({letter}) is not the best answer. {options[letter]}\n{_hint_line(exercise)}")
