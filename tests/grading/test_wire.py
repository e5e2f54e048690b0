"""Plain data across the sandbox: what goes through unchanged and what is refused, with a reason."""

import json

import numpy as np
import pytest

from dlwidgets.grading.wire import NotPlainData, decode, encode, serve


@pytest.mark.parametrize("value", [
    0, -7, 2 ** 70, 0.1, float("inf"), "é 字", True, None, ..., [1, [2.5, "x"]], (1, (2,)), {"a": 1, 3: (4,), (1, 2): None},
    np.float64(0.25), np.int32(-3), np.bool_(True), np.arange(6).reshape(2, 3).T, np.array(5.0), np.zeros((0, 3)),
    np.array([True, False]), np.array([1, 2], dtype=np.uint8),
])
def test_plain_data_comes_back_equal_and_of_the_same_type(value):
    back = decode(encode(value))
    assert type(back) is type(value)
    if isinstance(value, np.ndarray):
        assert back.dtype == value.dtype and back.shape == value.shape and np.array_equal(back, value)
    else:
        assert back == value or (value is ...)


def test_nan_survives():
    assert np.isnan(decode(encode(float("nan"))))


class Anything(float):
    def __eq__(self, other):
        return True


class Matrix(np.ndarray):
    pass


@pytest.mark.parametrize("value, words", [
    (Anything(1.0), "Anything"), (np.zeros(2).view(Matrix), "Matrix"), (object(), "object"),
    (np.array(["a"]), "dtype <U1"), (np.array([1 + 2j]), "complex"), (np.array([None]), "dtype object"),
    ([lambda: 0], "function"), ({1, 2}, "set"), (1 + 2j, "complex"),
])
def test_anything_else_is_refused_with_what_it_was(value, words):
    with pytest.raises(NotPlainData, match=words):
        encode(value)


@pytest.mark.parametrize("text", [
    "nope", "NaN", json.dumps({"$": "pickle", "v": "x"}), json.dumps({"$": "ndarray", "v": "!!"}),
    json.dumps({"$": "dict", "v": [[{"$": "dict", "v": []}, 1]]}), "[" * 100_000 + "]" * 100_000, 5,
])
def test_decoding_text_from_the_kernel_is_strict(text):
    with pytest.raises(NotPlainData):
        decode(text)


def test_an_object_array_saved_with_pickle_is_refused():
    import base64
    import io

    buffer = io.BytesIO()
    np.save(buffer, np.array([{"a": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(NotPlainData):
        decode(json.dumps({"$": "ndarray", "v": base64.b64encode(buffer.getvalue()).decode()}))


def test_serve_calls_a_function_and_reports_its_exception_as_data():
    def f(x, scale=1):
        if x < 0:
            raise ValueError("negative " * 1000)
        return np.full(2, x * scale)

    namespace = {"f": f, "answer": 42, "g": Anything(2.0)}
    reply = json.loads(serve(json.dumps({"call": "f", "args": encode([3]), "kwargs": encode({"scale": 2})}), namespace))
    assert np.array_equal(decode(reply["value"]), [6, 6])
    reply = json.loads(serve(json.dumps({"call": "f", "args": encode([-1]), "kwargs": encode({})}), namespace))
    assert reply["raised"] == "ValueError" and reply["builtin"] and len(reply["message"]) < 1100
    assert json.loads(serve(json.dumps({"get": "answer"}), namespace)) == {"value": "42"}
    assert json.loads(serve(json.dumps({"get": "f"}), namespace)) == {"callable": True}
    assert json.loads(serve(json.dumps({"get": "nothing"}), namespace)) == {"missing": True}
    assert "Anything" in json.loads(serve(json.dumps({"get": "g"}), namespace))["not_plain"]
