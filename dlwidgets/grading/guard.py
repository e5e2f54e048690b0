"""The runtime half of the anti-tamper design: an integrity check around every test cell.

A check runs inside the learner's kernel, so code in the notebook could replace what the
check relies on (``np.allclose = lambda *a, **k: True``, a redefined check function, a
cleared list of test cases) and pass every test. The static scan (tamper.py) catches the
plain ways of doing that; this module catches the rest at run time.

The grader fingerprints, in its own clean process, every attribute of the modules the
checks depend on (numpy, math, builtins, and every loaded ``dlwidgets`` module): a
CRC of each function's byte code and constants, each class's methods, each array's bytes,
each constant's value. The *grading version* of each test cell starts and ends with a
short block that recomputes those fingerprints inside the kernel and compares them with
the expected set, embedded in the cell's source. Test cells are restored from nbgrader's
gradebook before grading, so the learner cannot edit that block or the expected values.
On a mismatch the block raises ``GradingIntegrityError`` naming what was replaced: the
test cell scores zero and the grader reports the submission as tampered.

The grading version also marks where a test cell's hidden tests begin (a display of a
private MIME type), so feedback can show the visible checks' output and only a summary
of the hidden ones.
"""

from __future__ import annotations

import base64
import copy
import struct
import sys
import zlib

from ..authoring.student import BEGIN_HIDDEN
from .lesson import Lesson, cell_source, nbgrader_meta

__all__ = [
    "FINGERPRINT_SOURCE", "HIDDEN_MARKER_MIME", "INTEGRITY_ERROR", "expected_fingerprints",
    "guard_block", "grading_notebook",
]

HIDDEN_MARKER_MIME = "application/vnd.dlwidgets.hidden-tests+json"
INTEGRITY_ERROR = "GradingIntegrityError"

# The same code computes fingerprints in the grader and in the kernel, so it is kept as
# source text: exec'd here, and pasted into the guard block of every grading test cell.
FINGERPRINT_SOURCE = r'''
def _dlw_fingerprints(modules, skip):
    # modules: {module name: names to fingerprint, or None for all of them}
    import sys as _s, types as _t, zlib as _z
    def code(c):
        consts, nested = [], []
        for k in c.co_consts:
            if isinstance(k, _t.CodeType):
                nested.append(code(k))
            elif isinstance(k, frozenset):
                consts.append(sorted(repr(x) for x in k))
            else:
                consts.append(k)
        return b"|".join([c.co_code, repr((c.co_names, consts)).encode(), *nested])
    def fp(v, private, depth):
        t = type(v)
        if isinstance(v, _t.ModuleType) or depth > 4:
            return None
        if isinstance(v, _t.FunctionType):
            return b"F" + v.__qualname__.encode() + code(v.__code__) + (fp(v.__defaults__, 1, depth + 1) or b"")
        if isinstance(v, (staticmethod, classmethod)):
            return fp(v.__func__, private, depth + 1)
        if isinstance(v, property):
            return b"P" + b"".join(fp(f, 1, depth + 1) or b"" for f in (v.fget, v.fset, v.fdel))
        if isinstance(v, type):
            parts = [b"C", (v.__module__ or "").encode(), v.__qualname__.encode()]
            for k in sorted(vars(v)):
                if not k.startswith("__") or k in ("__init__", "__call__", "__eq__"):
                    w = vars(v)[k]
                    if isinstance(w, (_t.FunctionType, staticmethod, classmethod, property)):
                        parts.append(k.encode() + (fp(w, 1, depth + 1) or b""))
            return b"|".join(parts)
        if v is None or isinstance(v, (bool, int, float, complex, str, bytes)):
            return b"V" + repr(v).encode()
        if isinstance(v, (tuple, list)):
            if private and isinstance(v, list):
                return None
            return b"L" + b",".join(fp(x, private, depth + 1) or b"-" for x in v[:2000])
        if isinstance(v, dict):
            if private:
                return None
            return b"D" + b",".join(repr(k).encode() + b":" + (fp(v[k], private, depth + 1) or b"-")
                                    for k in sorted(v, key=repr)[:2000])
        if isinstance(v, (set, frozenset)):
            return None if private else b"S" + repr(sorted(repr(x) for x in v)).encode()
        name = (getattr(t, "__module__", "") or "") + "." + t.__qualname__
        if name == "numpy.ndarray":
            return b"A" + repr((v.shape, str(v.dtype))).encode() + str(_z.crc32(v.tobytes())).encode()
        if name == "numpy.ufunc":
            return b"U" + v.__name__.encode()
        inner = getattr(v, "_implementation", None) or getattr(v, "__wrapped__", None)
        if isinstance(inner, _t.FunctionType):
            return b"W" + name.encode() + fp(inner, 1, depth + 1)
        if t.__module__.startswith("dlwidgets") and hasattr(v, "__dict__"):
            return b"O" + name.encode() + (fp(dict(vars(v)), 0, depth + 1) or b"")
        if callable(v):
            return b"B" + name.encode() + (getattr(v, "__qualname__", "") or "").encode()
        return b"T" + name.encode()
    result = {}
    for m, only in modules.items():
        mod = _s.modules.get(m)
        if mod is None:
            continue
        entries = {}
        items = list(vars(mod).items()) if only is None else [(k, vars(mod)[k]) for k in only if k in vars(mod)]
        for k, v in items:
            if (k.startswith("__") and k.endswith("__")) or k in skip:
                continue
            f = fp(v, k.startswith("_"), 0)
            if f is not None:
                entries[k] = _z.crc32(m.encode() + b"." + k.encode() + b"=" + f)
        result[m] = entries
    return result
'''

# Names the kernel itself changes, not the learner: IPython installs its own exit, input, ...
_SKIP = ("_", "exit", "quit", "input", "raw_input", "display", "get_ipython", "help", "copyright", "credits",
         "license", "open", "__IPYTHON__", "_dh", "_oh", "_ih", "In", "Out", "breakpoint", "runfile")

_GUARD = '''# --- added by the grader: checks that nothing the tests rely on was replaced ---
def _dlw_integrity(_expected, _where):
    import base64 as _b, struct as _st, sys as _s, zlib as _z
    {fingerprint}
    _got = _dlw_fingerprints({names!r}, {skip!r})
    _bad = []
    for _m, _packed in _expected.items():
        if _m not in _got:
            continue
        _raw = _z.decompress(_b.b64decode(_packed))
        _v = _st.unpack("<%dI" % (len(_raw) // 4), _raw)
        _names = {{_z.crc32((_m + "." + _k).encode()): _k for _k in _got[_m]}}
        for _nc, _vc in zip(_v[::2], _v[1::2]):
            _k = _names.get(_nc)
            if _k is None:
                _bad.append(_m + " (an attribute was deleted)")
            elif _got[_m][_k] != _vc:
                _bad.append(_m + "." + _k)
    _ns = _user_ns
    for _name, _target in {bindings!r}.items():
        _mod, _, _attr = _target.partition(":")
        if _mod in _s.modules and _name in _ns:
            if _ns[_name] is not (getattr(_s.modules[_mod], _attr, None) if _attr else _s.modules[_mod]):
                _bad.append(_name + " (rebound)")
    if _bad:
        class GradingIntegrityError(Exception):
            pass
        raise GradingIntegrityError("replaced " + _where + ": " + ", ".join(sorted(set(_bad))[:8]))
_dlw_integrity({expected!r}, {where!r})
'''


_CLEAN_PROCESS = """
import json, sys
for name in sys.argv[1:]:
    try:
        __import__(name)
    except Exception:
        pass
import types
ours = sorted(m for m in sys.modules if m.startswith(("dlwidgets.exercises", "dlwidgets.core")))
# of numpy, math and builtins, what the checking code names (its functions' co_names)
used = set()
def walk(code):
    used.update(code.co_names)
    for k in code.co_consts:
        if isinstance(k, types.CodeType):
            walk(k)
for m in ours:
    for v in list(vars(sys.modules[m]).values()):
        for f in [v] + (list(vars(v).values()) if isinstance(v, type) else []):
            f = getattr(f, "__func__", f)
            if isinstance(f, types.FunctionType):
                walk(f.__code__)
mods = {m: None for m in ours}
for m in ("numpy", "numpy.linalg", "math", "builtins"):
    __import__(m)
    mods[m] = sorted(used & set(vars(sys.modules[m])))
ns = {}
exec(%r, ns)
print(json.dumps(ns["_dlw_fingerprints"](mods, %r)))
"""


def expected_fingerprints(lesson: Lesson) -> dict[str, dict[str, int]]:
    """Fingerprints of the modules the lesson's checks rely on, taken in a fresh, clean Python
    that imports only what the lesson's setup cells import (so nothing else can differ)."""
    import json
    import subprocess

    code = _CLEAN_PROCESS % (FINGERPRINT_SOURCE, _SKIP)
    out = subprocess.run([sys.executable, "-c", code, *lesson.preload_modules()], check=True,
                         capture_output=True, text=True, env={**__import__("os").environ, "PYTHONHASHSEED": "0"})
    return json.loads(out.stdout)


def guard_block(lesson: Lesson, test_id: str, where: str, expected: dict[str, dict[str, int]]) -> str:
    """The code put before (``where="before"``) and after the tests of one test cell."""
    packed = {}
    for module, entries in expected.items():
        pairs = [x for name, crc in sorted(entries.items()) for x in (zlib.crc32(f"{module}.{name}".encode()), crc)]
        packed[module] = base64.b64encode(zlib.compress(struct.pack(f"<{len(pairs)}I", *pairs), 9)).decode()
    used = lesson.test_names()
    bindings = {name: target for name, target in lesson.setup_bindings.items() if name in used}
    fingerprint = FINGERPRINT_SOURCE.strip().replace("\n", "\n    ")
    names = {module: sorted(entries) for module, entries in expected.items()}
    program = _GUARD.format(fingerprint=fingerprint, skip=_SKIP, bindings=bindings, expected=packed, names=names,
                            where=f"{where} {test_id}")
    # One line: IPython's input transformers take ~70 ms on a 15 kB cell, and nothing for one string.
    blob = base64.b64encode(zlib.compress(program.encode(), 9)).decode()
    return (f"exec(__import__('zlib').decompress(__import__('base64').b64decode('{blob}')), "
            f"{{'__builtins__': __import__('builtins'), '_user_ns': globals()}})  # grader: integrity check\n")


def _marker_line() -> str:
    return (f"__import__('IPython.display', fromlist=['display']).display("
            f"{{{HIDDEN_MARKER_MIME!r}: {{}}}}, raw=True)  # grader: hidden tests start here")


def grading_notebook(lesson: Lesson, expected: dict[str, dict[str, int]] | None = None) -> dict:
    """The source notebook as the grader runs it: each test cell wrapped in integrity checks,
    with a marker where its hidden tests begin. Solutions and hidden tests stay in (nbgrader's
    generate_assignment removes them from the release and keeps them in the gradebook)."""
    if expected is None:
        expected = expected_fingerprints(lesson)
    nb = copy.deepcopy(lesson.source)
    last = list(lesson.test_points)[-1] if lesson.test_points else None
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if not (meta.get("grade") and cell.get("cell_type") == "code"):
            continue
        lines = []
        for line in cell_source(cell).split("\n"):
            lines.append(line)
            if line.strip() == BEGIN_HIDDEN:
                lines.append(_marker_line())
        test_id = meta["grade_id"]
        body = "\n".join(lines).rstrip()
        cell["source"] = guard_block(lesson, test_id, "before", expected) + body
        if test_id == last:  # tampering during an earlier check is caught by the next cell's guard
            cell["source"] += "\n" + guard_block(lesson, test_id, "after", expected)
    return nb
