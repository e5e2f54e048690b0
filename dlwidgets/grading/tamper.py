"""The static half of the anti-tamper design, and the check for copied reference answers.

Before a submission runs, its learner-written code (solution cells, and any cell that
differs from the released lesson) is parsed, never executed, and searched for:

* **tampering**: assigning to, deleting or mutating anything reached through a module
  (``np.allclose = ...``, ``ex.check_x = ...``, ``checking._mismatch = ...``,
  ``ex.CASES.clear()``, ``setattr(np, ...)``), or rebinding a name the test cells use
  (``ex``, ``hint``, a check function). Such a submission scores zero and is reported.
* **capabilities that could hide tampering** from both this scan and the runtime guard
  (``exec``/``eval``/``compile``, ``__import__``, ``builtins``, ``sys.modules``, ``gc``,
  ``ctypes``, ``inspect``, ``get_ipython``, ``globals()``, tracing hooks, function
  internals such as ``__code__``): points are kept, the status asks for a review.
* **reference calls**: a solution that uses the library's own implementation
  (``dlwidgets.core``, or the check module's copies of it) instead of doing the exercise.
  The exercise scores zero and the status says which function was called.

The runtime guard (guard.py) backs this up for whatever a scan of source text cannot see.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

__all__ = ["Finding", "scan_cell", "MUTATORS"]

MUTATORS = {"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault", "popitem", "sort",
            "reverse", "add", "discard", "__setitem__", "__delitem__", "fill", "put", "itemset", "resize",
            "setflags", "__setattr__", "__delattr__"}
_CAPABILITY_CALLS = {"exec", "eval", "compile", "__import__", "globals", "vars", "get_ipython", "breakpoint"}
_CAPABILITY_MODULES = {"builtins", "gc", "ctypes", "inspect", "importlib", "unittest", "mock", "sys", "types",
                       "marshal", "pickle", "code", "codeop"}
_CAPABILITY_ATTRS = {"__code__", "__globals__", "__builtins__", "__dict__", "__class__", "__closure__",
                     "__defaults__", "__kwdefaults__", "f_globals", "f_locals", "f_back", "modules",
                     "settrace", "setprofile", "set_custom_exc", "_getframe", "__subclasses__"}
_HARMLESS_IMPORTS = {"numpy", "math", "sys"}  # importing these is fine; what is done with them is scanned


@dataclass
class Finding:
    kind: str        # "tamper", "review" or "reference"
    message: str
    cell: str = ""   # grade_id or "cell N"


@dataclass
class _Scope:
    modules: set[str] = field(default_factory=set)       # names bound to modules here
    reference: dict[str, str] = field(default_factory=dict)   # name -> the library function it is


def _root(node: ast.AST) -> ast.AST:
    while isinstance(node, (ast.Attribute, ast.Subscript, ast.Call)):
        node = node.value if not isinstance(node, ast.Call) else node.func
    return node


def _dotted(node: ast.AST) -> str:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def scan_cell(source: str, *, where: str, setup_bindings: dict[str, str], protected: set[str],
              solution: bool) -> list[Finding]:
    """Findings for one cell of learner code.

    ``setup_bindings``: what the lesson's setup cells import (name -> "module" or "module:attr").
    ``protected``: names the test cells read that the setup binds (ex, hint...): not to be rebound.
    ``solution``: this is an exercise's solution cell (reference calls are looked for).
    """
    module_names = {n for n, t in setup_bindings.items() if ":" not in t}
    reference_names = {n: t.replace(":", ".") for n, t in setup_bindings.items() if t.startswith("dlwidgets.core")}
    reference_modules = {n for n, t in setup_bindings.items() if ":" not in t and t.startswith("dlwidgets")}
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []  # it will fail when it runs, and that is reported then
    findings: list[Finding] = []
    modules = set(module_names)
    references = dict(reference_names)
    ref_modules = set(reference_modules)

    def add(kind, message):
        if all(f.message != message for f in findings):
            findings.append(Finding(kind, message, where))

    # imports inside the learner's code add module names (and maybe reference functions)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                modules.add(bound)
                top = alias.name.split(".")[0]
                if top in _CAPABILITY_MODULES - _HARMLESS_IMPORTS:
                    add("review", f"imports {alias.name}")
                if alias.name.startswith("dlwidgets"):
                    ref_modules.add(bound)
        elif isinstance(node, ast.ImportFrom) and node.module:
            top = node.module.split(".")[0]
            if top in _CAPABILITY_MODULES - _HARMLESS_IMPORTS:
                add("review", f"imports from {node.module}")
            for alias in node.names:
                bound = alias.asname or alias.name
                if node.module.startswith("dlwidgets"):
                    if node.module.startswith("dlwidgets.core") or node.module.startswith("dlwidgets.exercises"):
                        references[bound] = f"{node.module}.{alias.name}"
                    ref_modules.add(bound)
                    modules.add(bound)

    for node in ast.walk(tree):
        # 1. writes through a module: np.allclose = ..., ex.CASES[0] = ..., del np.x
        targets: list[ast.AST] = []
        if isinstance(node, (ast.Assign, ast.Delete)):
            targets = list(node.targets)
        elif isinstance(node, (ast.AugAssign, ast.AnnAssign)):
            targets = [node.target]
        for target in targets:
            for t in ast.walk(target):
                if isinstance(t, (ast.Attribute, ast.Subscript)) and isinstance(_root(t), ast.Name) \
                        and _root(t).id in modules:
                    add("tamper", f"changes {_dotted(t) or _root(t).id + '[...]'}")
                elif isinstance(t, ast.Name) and isinstance(t.ctx, (ast.Store, ast.Del)) and t.id in protected:
                    add("tamper", f"rebinds {t.id}, which the tests use")
        # 2. rebinding a protected name by def/class/import/for/with
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name in protected:
            add("tamper", f"redefines {node.name}, which the tests use")
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            for alias in node.names:
                bound = alias.asname or alias.name.split(".")[0]
                if bound in protected and _import_target(node, alias) != setup_bindings.get(bound, "").replace(":", "."):
                    add("tamper", f"rebinds {bound}, which the tests use, by an import")
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            pass
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            # setattr/delattr on a module
            if name in ("setattr", "delattr") and node.args and isinstance(_root(node.args[0]), ast.Name) \
                    and _root(node.args[0]).id in modules:
                add("tamper", f"{name}() on {_dotted(node.args[0]) or 'a module'}")
            elif name in ("setattr", "delattr"):
                add("review", f"calls {name}()")
            # mutation through a module: ex.CASES.clear(), np.some_list.append(...)
            if isinstance(func, ast.Attribute) and func.attr in MUTATORS and isinstance(func.value, ast.Attribute) \
                    and isinstance(_root(func), ast.Name) and _root(func).id in modules:
                add("tamper", f"mutates {_dotted(func.value)} (.{func.attr}())")
            if name in _CAPABILITY_CALLS:
                add("review", f"calls {name}()")
        if isinstance(node, ast.Attribute) and node.attr in _CAPABILITY_ATTRS:
            add("review", f"uses .{node.attr}")
        if isinstance(node, ast.Name) and node.id in ("__builtins__", "__loader__", "__spec__"):
            add("review", f"uses {node.id}")

    if solution:
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Load) and node.id in references:
                add("reference", f"calls the library's {references[node.id]} instead of implementing it")
            elif isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in ref_modules \
                    and not node.attr.startswith("check_") and node.attr != "hint" and isinstance(node.ctx, ast.Load):
                add("reference", f"uses {node.value.id}.{node.attr} from the course library instead of implementing it")
            elif isinstance(node, ast.Attribute) and _dotted(node).startswith("dlwidgets.core."):
                add("reference", f"calls the library's {_dotted(node)} instead of implementing it")
    return findings


def _import_target(node, alias) -> str:
    """What an import binds, spelled like a setup binding ("numpy", "dlwidgets.exercises.hint")."""
    if isinstance(node, ast.Import):
        return alias.name if alias.asname else alias.name.split(".")[0]
    return f"{node.module}.{alias.name}"
