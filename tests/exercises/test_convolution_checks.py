"""Lesson 08's checks recognise the mistakes learners really make."""

import math

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import convolutions as ex


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


def correct(n, k, p=0, s=1, d=1):
    if p == "same" and s != 1:
        raise ValueError("same padding needs stride 1")
    total = {"valid": 0, "same": d * (k - 1), "full": 2 * d * (k - 1)}[p] if isinstance(p, str) else 2 * p
    return (n + total - d * (k - 1) - 1) // s + 1


def modes(formula):
    """A formula written for numeric padding, given the modes' total padding the right way."""
    def size(n, k, p=0, s=1, d=1):
        total = {"valid": 0, "same": d * (k - 1), "full": 2 * d * (k - 1)}[p] if isinstance(p, str) else 2 * p
        return formula(n, k, total / 2, s, d)
    return size


@pytest.mark.parametrize("wrong, words", [
    (modes(lambda n, k, p=0, s=1, d=1: (n + 2 * p - k) // s + 1), "dilation is missing"),
    (modes(lambda n, k, p=0, s=1, d=1: (n + p - d * (k - 1) - 1) // s + 1), "padded on one side only"),
    (modes(lambda n, k, p=0, s=1, d=1: round((n + 2 * p - d * (k - 1) - 1) / s + 1e-9) + 1), "rounded to the nearest"),
    (modes(lambda n, k, p=0, s=1, d=1: math.ceil((n + 2 * p - d * (k - 1) - 1) / s) + 1), "rounded up"),
    (modes(lambda n, k, p=0, s=1, d=1: (n + 2 * p - d * (k - 1) - 1) // s), "`+ 1` is missing"),
    (lambda n, k, p=0, s=1, d=1: correct(n, k, 2 * (d * (k - 1) // 2) // 2 if p == "same" else p, s, d)
     if not (p == "same" and (d * (k - 1)) % 2) else (n + 2 * (d * (k - 1) // 2) - d * (k - 1) - 1) // s + 1,
     "loses a cell for an even kernel"),
    (lambda n, k, p=0, s=1, d=1: (n - 1) // s + 1 if p == "full" else correct(n, k, p, s, d),
     "'full' is treated like 'same'"),
])
def test_output_size_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_conv_output_size, wrong)


def test_a_numeric_only_formula_is_diagnosed_before_the_modes_are_written():
    message = message_for(ex.check_conv_output_size, lambda n, k, p=0, s=1, d=1: (n + 2 * p - k) // s + 1)
    assert "dilation is missing" in message


def test_a_numeric_only_formula_that_is_right_fails_on_the_modes_with_a_sentence():
    message = message_for(ex.check_conv_output_size, lambda n, k, p=0, s=1, d=1: (n + 2 * p - d * (k - 1) - 1) // s + 1)
    assert "conv_output_size(9, 3, 'valid', 2, 1)` raised TypeError" in message


def test_correct_output_size_passes_hidden_cases_too(capsys):
    ex.check_conv_output_size(correct, extra_cases=[(33, 4, 1, 3, 2)])
    out = capsys.readouterr().out
    assert "passes all 8 cases" in out and "passes all 5 cases" in out


def test_flipped_kernel_is_diagnosed_as_true_convolution():
    def flipped(x, w, stride=1, padding=0):
        w = np.asarray(w)[::-1, ::-1]
        xp = np.pad(np.asarray(x, float), padding)
        kh, kw = w.shape
        ho, wo = (xp.shape[0] - kh) // stride + 1, (xp.shape[1] - kw) // stride + 1
        return np.array([[np.sum(xp[r * stride:r * stride + kh, c * stride:c * stride + kw] * w)
                          for c in range(wo)] for r in range(ho)])
    assert "kernel is flipped" in message_for(ex.check_conv2d_single, flipped)


def test_ignoring_stride_gives_a_shape_message():
    def no_stride(x, w, stride=1, padding=0):
        xp = np.pad(np.asarray(x, float), padding)
        kh, kw = np.shape(w)
        return np.array([[np.sum(xp[r:r + kh, c:c + kw] * w) for c in range(xp.shape[1] - kw + 1)]
                         for r in range(xp.shape[0] - kh + 1)])
    assert "expected an array of shape" in message_for(ex.check_conv2d_single, no_stride)


@pytest.mark.parametrize("check, wrong, words", [
    (ex.check_receptive_field, 7, "the field at stride 1"),
    (ex.check_receptive_field, 29, "multiplied by the stride after"),
    (ex.check_param_count, 12832, "groups are ignored"),
    (ex.check_param_count, 3200, "biases are missing"),
    (ex.check_tcn_receptive_field, 32, "each dilation counts twice"),
    (ex.check_tcn_receptive_field, 11, "dilation multiplies"),
    (ex.check_one_by_one, "a", "not the identity"),
])
def test_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


@pytest.mark.parametrize("settings, words", [
    (..., "not answered yet"),
    ([32, 5, 2, 2, 1], "should be a dict"),
    (dict(input_size=32, kernel_size=5, padding=1, stride=2), "missing dilation"),
    (dict(input_size=28, kernel_size=5, padding=2, stride=2, dilation=1), "input size 32"),
    (dict(input_size=32, kernel_size=5, padding=1, stride=2, dilation=1), "output of 15, not 16"),
    (dict(input_size=32, kernel_size=5, padding="same", stride=2, dilation=1), "impossible"),
])
def test_size_challenge_rejects_wrong_settings_with_a_reason(settings, words):
    assert words in message_for(ex.check_size_challenge, settings)


def test_size_challenge_accepts_every_valid_answer(capsys):
    ex.check_size_challenge(dict(input_size=32, kernel_size=5, padding=2, stride=2, dilation=1))
    ex.check_size_challenge(dict(input_size=32, kernel_size=5, padding="same", stride=1, dilation=1) | {"stride": 2, "padding": 2})
    assert capsys.readouterr().out.count("✔") == 2


def test_right_predictions_pass(capsys):
    ex.check_receptive_field(15)
    ex.check_param_count(3232)
    ex.check_tcn_receptive_field(63)
    ex.check_one_by_one("c")
    assert capsys.readouterr().out.count("✔") == 4

