"""Notice a learner's function that calls the course library instead of doing the exercise.

The grader scores such a solution zero; the in-notebook check says so in a sentence instead of a tick.
Only a function written in the notebook (module ``__main__``) is inspected: its code and, through its globals,
the learner's own helper functions it calls. Anything else (a proxy to another process, a test's function) is
not judged here.
"""

from __future__ import annotations

import types

__all__ = ["library_calls", "refusal"]

LIBRARY = "dlwidgets.core"


def _is_library(value) -> str | None:
    """The name of ``value`` if it is one of the course's modules or a dlwidgets.core function or class, else None."""
    if isinstance(value, types.ModuleType):
        name = value.__name__
        return name if name == "dlwidgets" or name.startswith("dlwidgets.") else None
    module = getattr(value, "__module__", None)
    if isinstance(module, str) and (module == LIBRARY or module.startswith(LIBRARY + ".")):
        return f"{module}.{getattr(value, '__name__', '?')}"
    return None


def _codes(code: types.CodeType):
    """``code`` and every code object nested in it (inner functions, lambdas, comprehensions)."""
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _codes(const)


def library_calls(fn) -> list[str]:
    """The course-library names ``fn`` uses, directly or through the learner's own helper functions; empty for
    a function not written in the notebook (``__main__``), such as a test's or a proxy."""
    found: list[str] = []
    if not isinstance(getattr(fn, "__func__", fn), types.FunctionType) or not _learners(getattr(fn, "__func__", fn)):
        return found
    seen: set[int] = set()
    todo = [fn]
    while todo:
        f = todo.pop()
        f = getattr(f, "__func__", f)   # a bound method
        code, scope = getattr(f, "__code__", None), getattr(f, "__globals__", None)
        if not isinstance(code, types.CodeType) or not isinstance(scope, dict) or id(f) in seen:
            continue
        seen.add(id(f))
        cells = [c.cell_contents for c in (getattr(f, "__closure__", None) or ()) if _filled(c)]
        for value in [scope.get(n) for c in _codes(code) for n in c.co_names if n in scope] + cells:
            library = _is_library(value)
            if library and library not in found:
                found.append(library)
            elif isinstance(value, types.FunctionType) and not _is_library(value) and _learners(value):
                todo.append(value)
    return found


def _filled(cell) -> bool:
    try:
        cell.cell_contents
    except ValueError:
        return False
    return True


def _learners(fn) -> bool:
    """True for a function the learner wrote in the notebook (not one from an installed package)."""
    return getattr(fn, "__module__", None) == "__main__"


def refusal(fn, name: str) -> str | None:
    """The sentence for a learner whose ``fn`` is, or calls, the library, or None when it does neither."""
    if _is_library(getattr(fn, "__func__", fn)) and not isinstance(fn, types.ModuleType):
        return (f"`{name}` is the course library's own function ({_is_library(getattr(fn, '__func__', fn))}): "
                "write it yourself with numpy; the grader gives this no points.")
    calls = library_calls(fn)
    if not calls:
        return None
    return (f"`{name}` calls the course library ({', '.join(calls)}) instead of doing the exercise: write it "
            "yourself with numpy; the grader gives this no points.")
