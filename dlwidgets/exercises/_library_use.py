"""Whether a learner's function only calls the course library's own implementation (dlwidgets.core).

An implement exercise asks for the learner's own code; the grader scores a call of the library's
function zero, so the check says so at once, in a sentence, instead of a ✔. A function the check
cannot look inside (a grader's proxy, a builtin) is given the benefit of the doubt.
"""

from __future__ import annotations

import types

from .checking import CheckFailed

__all__ = ["library_functions_used", "refuse_library_use"]


def _code_objects(code):
    yield code
    for const in code.co_consts:
        if isinstance(const, types.CodeType):
            yield from _code_objects(const)


def _is_core(value) -> bool:
    name = getattr(value, "__name__", "") if isinstance(value, types.ModuleType) else getattr(value, "__module__", "")
    return isinstance(name, str) and (name == "dlwidgets.core" or name.startswith("dlwidgets.core."))


def library_functions_used(fn) -> list[str]:
    """Names of dlwidgets.core functions (or modules) that ``fn``'s code refers to, directly or as core.<name>."""
    code, namespace = getattr(fn, "__code__", None), getattr(fn, "__globals__", None)
    if code is None or namespace is None:
        return []
    names = {n for c in _code_objects(code) for n in c.co_names}
    used = []
    for name in sorted(names):
        value = namespace.get(name)
        if value is None or not _is_core(value):
            continue
        if isinstance(value, types.ModuleType):
            used += [f"{value.__name__}.{attr}" for attr in sorted(names) if callable(getattr(value, attr, None))]
        elif callable(value):
            used.append(f"{value.__module__}.{name}")
    return used


def refuse_library_use(fn, name: str) -> None:
    """Raise CheckFailed when the learner's ``fn`` calls dlwidgets.core instead of implementing ``name``."""
    used = library_functions_used(fn)
    if used:
        raise CheckFailed(f"`{name}` calls the course library ({', '.join(used)}) instead of computing the answer "
                          "itself.\nWrite it with numpy: the exercise is the code, and the grader gives no points for "
                          "the library's own implementation.")
