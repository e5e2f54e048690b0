"""Plain data across the sandbox wall: the only things the grader and a student's kernel exchange.

The grader sends a learner's function its arguments and gets back its result, or gets an
answer variable's value, as JSON: numbers, strings, booleans, None, ``...``, lists, tuples,
dicts, numpy numbers and numpy arrays of booleans, integers or floats (as the bytes of
``np.save(..., allow_pickle=False)``). Anything else (an object with its own ``==``, a
subclass of ``float``, an object array) is refused with a sentence saying what it was, so
nothing the learner's code builds can run code in the grader or fake a comparison.

The same functions run on both sides; ``decode`` is the one that must be strict, because
on the grader's side the text comes from a process the learner controls. ``serve`` runs in
the student's kernel: it calls a function or reads a variable and encodes the outcome.
"""

from __future__ import annotations

import base64
import io
import json
import math

import numpy as np

__all__ = ["NotPlainData", "encode", "decode", "serve", "MAX_TEXT", "MAX_BYTES", "cap"]

MAX_TEXT = 1000              # characters kept of an exception message or a type name
MAX_BYTES = 50 * 2 ** 20     # an encoded value larger than this is refused
MAX_DEPTH = 32
_KINDS = "biuf"              # numpy dtypes allowed: bool, int, unsigned, float


class NotPlainData(ValueError):
    """A value that is not plain data; the message says what it was, for the learner."""


def cap(text, limit: int = MAX_TEXT) -> str:
    """``text`` as a string of at most ``limit`` characters (longer ones say they were cut)."""
    text = text if type(text) is str else "(not text)"
    return text if len(text) <= limit else text[:limit] + f"... [{len(text) - limit} more characters cut]"


def _what(value) -> str:
    kind = type(value)
    name = f"{getattr(kind, '__module__', '?')}.{getattr(kind, '__qualname__', '?')}"
    return cap(name.replace("builtins.", ""), 120)


def _npy(array: np.ndarray) -> str:
    buffer = io.BytesIO()
    np.save(buffer, array, allow_pickle=False)
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _from_npy(text) -> np.ndarray:
    if type(text) is not str:
        raise NotPlainData("an array without its data")
    array = np.load(io.BytesIO(base64.b64decode(text, validate=True)), allow_pickle=False)
    if type(array) is not np.ndarray or array.dtype.kind not in _KINDS or array.dtype.hasobject:
        raise NotPlainData("an array of something other than numbers or booleans")
    return array


def _plain_numpy_scalar(value) -> bool:
    return isinstance(value, np.generic) and type(value).__module__ == "numpy" and value.dtype.kind in _KINDS


def _to_tree(value, depth: int = 0):
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(value)
    if value is None or kind in (bool, str):
        return value
    if kind is int:
        return value
    if kind is float:
        return value if math.isfinite(value) else {"$": "float", "v": repr(value)}
    if value is Ellipsis:
        return {"$": "..."}
    if kind in (list, tuple):
        items = [_to_tree(item, depth + 1) for item in value]
        return items if kind is list else {"$": "tuple", "v": items}
    if kind is dict:
        return {"$": "dict", "v": [[_to_tree(k, depth + 1), _to_tree(v, depth + 1)] for k, v in value.items()]}
    if kind is np.ndarray:
        if value.dtype.kind not in _KINDS or value.dtype.hasobject:
            raise NotPlainData(f"a numpy array of dtype {cap(str(value.dtype), 40)} (only numbers and booleans "
                               "can be graded)")
        return {"$": "ndarray", "v": _npy(value)}
    if _plain_numpy_scalar(value):
        return {"$": "npscalar", "v": _npy(np.asarray(value))}
    raise NotPlainData(f"an object of type {_what(value)}, which is not plain data (numbers, strings, "
                       "booleans, lists, tuples, dicts or numpy arrays)")


def _from_tree(tree, depth: int = 0):
    if depth > MAX_DEPTH:
        raise NotPlainData(f"nested more than {MAX_DEPTH} levels deep")
    kind = type(tree)
    if tree is None or kind in (bool, int, str):
        return tree
    if kind is float:
        return tree
    if kind is list:
        return [_from_tree(item, depth + 1) for item in tree]
    if kind is not dict or type(tree.get("$")) is not str:
        raise NotPlainData("a value the grader cannot read")
    tag, inner = tree["$"], tree.get("v")
    if tag == "...":
        return Ellipsis
    if tag == "float" and inner in ("nan", "inf", "-inf"):
        return float(inner)
    if tag == "tuple" and type(inner) is list:
        return tuple(_from_tree(item, depth + 1) for item in inner)
    if tag == "dict" and type(inner) is list:
        result = {}
        for pair in inner:
            if type(pair) is not list or len(pair) != 2:
                raise NotPlainData("a malformed dict")
            key = _from_tree(pair[0], depth + 1)
            if type(key) not in (str, int, float, bool, tuple) and key is not None:
                raise NotPlainData("a dict whose keys are not numbers, strings or tuples")
            try:
                result[key] = _from_tree(pair[1], depth + 1)
            except TypeError:
                raise NotPlainData("a dict with a key that cannot be used") from None
        return result
    if tag == "ndarray":
        return _from_npy(inner)
    if tag == "npscalar":
        array = _from_npy(inner)
        if array.shape != ():
            raise NotPlainData("a malformed numpy number")
        return array[()]
    raise NotPlainData(f"a value of unknown kind {cap(tag, 40)!r}")


def encode(value) -> str:
    """``value`` as JSON text, or ``NotPlainData`` saying why it cannot be sent."""
    text = json.dumps(_to_tree(value), allow_nan=False)
    if len(text) > MAX_BYTES:
        raise NotPlainData(f"a value of {len(text) // 2 ** 20} MB (the limit is {MAX_BYTES // 2 ** 20} MB)")
    return text


def decode(text):
    """The plain value in ``text``, checked strictly (``NotPlainData`` otherwise)."""
    if type(text) is not str:
        raise NotPlainData("no readable answer")
    if len(text) > MAX_BYTES:
        raise NotPlainData(f"an answer of {len(text) // 2 ** 20} MB (the limit is {MAX_BYTES // 2 ** 20} MB)")
    try:
        tree = json.loads(text, parse_constant=lambda name: (_ for _ in ()).throw(NotPlainData(name)))
    except (ValueError, RecursionError) as exc:
        raise NotPlainData(f"an unreadable answer ({cap(str(exc), 100)})") from None
    try:
        return _from_tree(tree)
    except NotPlainData:
        raise
    except (ValueError, TypeError, EOFError, OSError, RecursionError) as exc:  # bad base64, a bad .npy header...
        raise NotPlainData(f"an unreadable answer ({type(exc).__name__})") from None


# ---------------------------------------------------------------- in the student's kernel

def _failure(exc: BaseException) -> dict:
    try:
        message = cap(str(exc))
    except BaseException:  # a learner's exception whose __str__ fails
        message = "(its message could not be read)"
    name = type(exc).__name__ if type(type(exc).__name__) is str else "Exception"
    return {"raised": cap(name, 80), "message": message, "builtin": type(exc).__module__ == "builtins"}


def serve(request: str, namespace: dict) -> str:
    """Answer one grader request (JSON) about ``namespace`` (the kernel's user namespace).

    ``{"get": name}``: the variable's value, ``{"callable": true}`` for a function, or
    ``{"missing": true}``; ``{"call": name, "args": ..., "kwargs": ...}``: the function's
    result or the exception it raised.
    """
    req = json.loads(request)
    try:
        if "get" in req:
            if req["get"] not in namespace:
                return json.dumps({"missing": True})
            value = namespace[req["get"]]
            if callable(value) and not isinstance(value, (type, np.ndarray)) and not _plain_numpy_scalar(value):
                return json.dumps({"callable": True})
            return json.dumps({"value": encode(value)})
        fn = namespace.get(req["call"])
        if fn is None:
            return json.dumps({"missing": True})
        args, kwargs = decode(req["args"]), decode(req["kwargs"])
        try:
            result = fn(*args, **kwargs)
        except BaseException as exc:  # the learner's own error, reported as data
            return json.dumps(_failure(exc))
        return json.dumps({"value": encode(result)})
    except NotPlainData as exc:
        return json.dumps({"not_plain": cap(str(exc))})
    except BaseException as exc:
        return json.dumps(_failure(exc))
