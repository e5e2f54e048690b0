"""The lesson's checks, run in the grader's process on plain data fetched from the student's kernel.

A graded test cell holds only calls ``ex.check_<name>(<learner names>, keyword=<literal>)``,
some between ``### BEGIN HIDDEN TESTS`` and ``### END HIDDEN TESTS``. ``parse_test_cell``
reads them with ``ast`` from the instructor's source lesson (never from a submission) and
refuses anything else. ``run_call`` calls the same ``dlwidgets.exercises`` check function
the learner's notebook calls, here, in the grader: in place of a learner's function it
passes a ``LearnerFunction``, whose every call sends plain arguments to the kernel and
brings back a plain result (wire.py); in place of an answer variable, a plain copy of it.
Expected values and hidden verdicts therefore never enter the student's kernel.

Per-student variants can follow: ``case_keywords`` gets the student's id and is where a
check's inputs for that student would be chosen.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import importlib
import io
import json
import keyword
from dataclasses import dataclass

from ..authoring.student import BEGIN_HIDDEN, END_HIDDEN
from .wire import NotPlainData, cap, decode, encode

__all__ = ["CheckCall", "TestCellError", "parse_test_cell", "run_call", "Verdict", "LearnerFunction",
           "LearnerError", "TimeLimit", "KernelDied", "NotPlainAnswer", "GraderTimeLimit", "LessonError", "case_keywords", "MAX_MESSAGE"]

MAX_MESSAGE = 2000   # characters of a check's message kept for feedback


class TestCellError(ValueError):
    """A lesson's test cell that the grader cannot run outside the kernel (an authoring error)."""

    __test__ = False   # not a test class, whatever pytest thinks of its name


@dataclass(frozen=True)
class CheckCall:
    module: str                         # dlwidgets.exercises.convolutions
    function: str                       # check_conv2d_single
    names: tuple                        # the learner's names passed positionally
    keywords: tuple                     # ((name, literal value), ...)
    hidden: bool
    text: str                           # the call as written in the lesson


def _segments(source: str):
    """(code, hidden) pieces of a test cell, split at the hidden-test markers."""
    visible, hidden, inside = [], [], False
    for line in source.split("\n"):
        if line.strip() == BEGIN_HIDDEN:
            inside = True
            hidden.append("")
            continue
        if line.strip() == END_HIDDEN:
            inside = False
            continue
        (hidden if inside else visible).append(line)
    return [("\n".join(visible), False), ("\n".join(hidden), True)]


def parse_test_cell(source: str, bindings: dict[str, str], where: str = "a test cell") -> list[CheckCall]:
    """The check calls of one graded test cell, in order (``TestCellError`` for anything else).

    ``bindings``: what the lesson's setup cells import (name -> "module" or "module:attribute").
    """
    calls: list[tuple[int, CheckCall]] = []
    for code, hidden in _segments(source):
        try:
            tree = ast.parse(code)
        except SyntaxError as exc:
            raise TestCellError(f"{where}: not valid Python ({exc.msg})") from None
        for statement in tree.body:
            call = statement.value if isinstance(statement, ast.Expr) else None
            if not isinstance(call, ast.Call):
                raise TestCellError(f"{where}: only check calls may stand in a graded test cell, not "
                                    f"{ast.get_source_segment(code, statement)!r}")
            func = call.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) \
                    and ":" not in bindings.get(func.value.id, ":"):
                module, function = bindings[func.value.id], func.attr
            elif isinstance(func, ast.Name) and ":" in bindings.get(func.id, ""):
                module, function = bindings[func.id].split(":")
            else:
                raise TestCellError(f"{where}: {ast.get_source_segment(code, func)!r} is not a check function "
                                    "imported by the lesson's set-up cells")
            if not module.startswith("dlwidgets.exercises.") or not function.startswith("check_"):
                raise TestCellError(f"{where}: {module}.{function} is not a check of dlwidgets.exercises")
            names = []
            for arg in call.args:
                if not isinstance(arg, ast.Name):
                    raise TestCellError(f"{where}: a check's positional arguments must be the learner's names, not "
                                        f"{ast.get_source_segment(code, arg)!r}")
                names.append(arg.id)
            keywords = []
            for kw in call.keywords:
                if kw.arg is None:
                    raise TestCellError(f"{where}: ** arguments are not allowed in a test cell")
                try:
                    keywords.append((kw.arg, ast.literal_eval(kw.value)))
                except (ValueError, TypeError, SyntaxError):
                    raise TestCellError(f"{where}: keyword {kw.arg!r} must be a literal") from None
            calls.append((statement.lineno, CheckCall(module, function, tuple(names), tuple(keywords), hidden,
                                                      ast.get_source_segment(code, call))))
    return [call for _, call in calls]


def case_keywords(call: CheckCall, student: str) -> dict:
    """The keywords a check gets for this student (the seam for per-student variants)."""
    return dict(call.keywords)


# ---------------------------------------------------------------- the learner's side, as plain data

class LearnerError(Exception):
    """An exception the learner's code raised in its kernel (its own class is not recreated)."""


class TimeLimit(Exception):
    """A learner's call did not return within the grader's limit."""


class KernelDied(Exception):
    """The learner's kernel is gone, so the call could not be made."""


class NotPlainAnswer(Exception):
    """The learner's code returned something that is not plain data."""


class LessonError(BaseException):
    """The lesson's check broke the convention (it passed more than plain data to the learner).

    A BaseException, so that a check's ``except Exception`` around the learner's call cannot
    turn it into a verdict on the answer."""


class GraderTimeLimit(Exception):
    """A check spent longer than its budget in the grader (replaying an answer with huge sizes)."""


class _Budget:
    """Seconds a check may compute in the grader's own process; paused while the learner's kernel works."""

    def __init__(self, seconds: float):
        self.seconds, self.left, self.armed = seconds, seconds, False

    def _expired(self, signum, frame):
        raise GraderTimeLimit(f"checking this answer took more than {self.seconds:g} s of the grader's time")

    def __enter__(self):
        import signal
        import threading

        if hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGALRM, self._expired)
            self.armed = True
            self.resume()
        return self

    def pause(self):
        if self.armed:
            import signal

            self.left = max(0.001, signal.setitimer(signal.ITIMER_REAL, 0)[0])

    def resume(self):
        if self.armed:
            import signal

            signal.setitimer(signal.ITIMER_REAL, self.left)

    def __exit__(self, *exc):
        if self.armed:
            import signal

            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, self._previous)
            self.armed = False


_SAFE_BUILTINS = {name for name in dir(builtins) if isinstance(getattr(builtins, name), type)
                  and issubclass(getattr(builtins, name), Exception)}


def _raised(reply: dict) -> Exception:
    name = reply.get("raised") if type(reply.get("raised")) is str else "Exception"
    message = cap(reply.get("message") if type(reply.get("message")) is str else "")
    if reply.get("builtin") is True and name in _SAFE_BUILTINS:
        return getattr(builtins, name)(message)
    if name == "KeyboardInterrupt":
        return LearnerError(f"KeyboardInterrupt raised by the learner's own code (not the grader's time limit)"
                            f"{': ' + message if message else ''}")
    if not name.isidentifier() or keyword.iskeyword(name):
        name = "LearnerError"
    return type(name, (LearnerError,), {})(message)


class Learner:
    """The grader's handle on one student's kernel during the checks."""

    def __init__(self, kernel, call_timeout: float):
        self.kernel, self.call_timeout = kernel, call_timeout
        self.hit = ""    # the last limit a call hit (a check may turn it into its own message)
        self.budget = _Budget(call_timeout)

    def _ask(self, request: dict, what: str) -> dict:
        self.budget.pause()
        try:
            outcome, text = self.kernel.ask(json.dumps(request), self.call_timeout)
        finally:
            self.budget.resume()
        if outcome == "timeout":
            self.hit = f"{what} did not finish within the {self.call_timeout:g} s time limit per call"
            raise TimeLimit(f"{what} did not finish within {self.call_timeout:g} s (the grader's time limit per call)")
        if outcome == "killed":
            self.hit = (f"{what} did not finish within the {self.call_timeout:g} s time limit per call and ignored "
                        "the interrupt, so its kernel was stopped")
            raise TimeLimit(self.hit)
        if outcome == "died":
            self.hit = "the kernel died during a check"
            raise KernelDied("the kernel had stopped (it died or was stopped in an earlier cell or call)")
        try:
            reply = json.loads(ast.literal_eval(text)) if isinstance(text, str) else None
        except (ValueError, SyntaxError, RecursionError):
            reply = None
        if not isinstance(reply, dict):
            raise NotPlainAnswer(f"{what} gave no answer the grader could read")
        return reply

    def value(self, name: str):
        """The learner's ``name``: a plain copy, a ``LearnerFunction``, or ``Missing``."""
        reply = self._ask({"get": name}, f"reading `{name}`")
        if reply.get("missing") is True:
            return MISSING
        if reply.get("callable") is True:
            return LearnerFunction(self, name)
        if "not_plain" in reply:
            raise NotPlainAnswer(f"`{name}` is {cap(str(reply['not_plain']), 300)}")
        if "raised" in reply:
            raise NotPlainAnswer(f"`{name}` could not be read: {cap(str(reply.get('message')), 300)}")
        try:
            return decode(reply.get("value"))
        except NotPlainData as exc:
            raise NotPlainAnswer(f"`{name}` is {exc}") from None


class _Missing:
    def __repr__(self):
        return "<not defined>"


MISSING = _Missing()


class LearnerFunction:
    """Stands for a learner's function in the grader: plain arguments in, plain result out."""

    def __init__(self, learner: Learner, name: str):
        self._learner = learner
        self.__name__ = name
        self.__qualname__ = name

    def __repr__(self):
        return f"<the learner's function {self.__name__}>"

    def __call__(self, *args, **kwargs):
        try:
            request = {"call": self.__name__, "args": encode(list(args)), "kwargs": encode(dict(kwargs))}
        except NotPlainData as exc:  # a check that passes more than plain data: the lesson's bug
            raise LessonError(f"the lesson's check passes {exc} to `{self.__name__}`, but checks may pass only "
                              "plain data; this is a problem of the lesson, not of the answer") from None
        reply = self._learner._ask(request, f"`{self.__name__}`")
        if "raised" in reply:
            raise _raised(reply)
        if reply.get("missing") is True:
            raise NameError(f"`{self.__name__}` is no longer defined")
        if "not_plain" in reply:
            raise NotPlainAnswer(f"it returned {cap(str(reply['not_plain']), 300)}")
        try:
            return decode(reply.get("value"))
        except NotPlainData as exc:
            raise NotPlainAnswer(f"it returned {exc}") from None


# ---------------------------------------------------------------- one check

@dataclass
class Verdict:
    call: CheckCall
    passed: bool
    message: str        # what the check printed or said (for visible calls only; capped)
    limit: str = ""     # a limit the learner's code hit during the check (time, a dead kernel)


def _check_function(call: CheckCall):
    module = importlib.import_module(call.module)
    function = getattr(module, call.function, None)
    if not callable(function):
        raise TestCellError(f"{call.module} has no check function {call.function}")
    return function


@contextlib.contextmanager
def _no_timer_of_the_notebook_check():
    """In the notebook a check times each call of the learner's function with its own SIGALRM timer; here
    every call is timed in the kernel (LearnerFunction) and the grader's budget owns the timer, so the
    check's own timer is off (two timers on one signal would cut each other short)."""
    from ..exercises import checking

    saved, checking.TIME_LIMIT_S = checking.TIME_LIMIT_S, None
    try:
        yield
    finally:
        checking.TIME_LIMIT_S = saved


def run_call(call: CheckCall, learner: Learner, student: str) -> Verdict:
    """Run one check call in this process on the learner's plain data; never raises for the learner.

    The check's own computing (replaying a widget challenge, say) has a time budget, paused while
    the learner's kernel works, so an answer with absurd sizes cannot stall the grader."""
    function = _check_function(call)
    printed = io.StringIO()
    learner.budget = _Budget(learner.call_timeout)
    try:
        with learner.budget, _no_timer_of_the_notebook_check():
            return _run(call, function, learner, student, printed)
    except GraderTimeLimit as exc:
        return Verdict(call, False, cap(printed.getvalue() + str(exc), MAX_MESSAGE), str(exc))


def _run(call: CheckCall, function, learner: Learner, student: str, printed: io.StringIO) -> Verdict:
    from ..exercises.checking import CheckFailed

    try:
        arguments = []
        for name in call.names:
            value = learner.value(name)
            if value is MISSING:
                return Verdict(call, False, f"`{name}` is not defined: the cell that defines it did not run, "
                                            "failed, or was deleted.")
            arguments.append(value)
        with contextlib.redirect_stdout(printed):
            function(*arguments, **case_keywords(call, student))
    except CheckFailed as exc:
        return Verdict(call, False, cap(printed.getvalue() + exc.message, MAX_MESSAGE), learner.hit)
    except (TimeLimit, KernelDied) as exc:
        return Verdict(call, False, cap(printed.getvalue() + str(exc), MAX_MESSAGE), cap(str(exc), 300))
    except (LearnerError, NotPlainAnswer) as exc:
        return Verdict(call, False, cap(printed.getvalue() + str(exc), MAX_MESSAGE))
    except GraderTimeLimit:
        raise
    except LessonError as exc:
        return Verdict(call, False, cap(str(exc), MAX_MESSAGE), cap(str(exc), 300))
    except Exception as exc:  # a learner's value that made the check itself fail
        return Verdict(call, False, cap(printed.getvalue() + f"The check could not use your answer "
                                        f"({type(exc).__name__}: {cap(str(exc), 300)}).", MAX_MESSAGE))
    return Verdict(call, True, cap(printed.getvalue().strip(), MAX_MESSAGE))
