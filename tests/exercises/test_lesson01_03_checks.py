"""Lessons 01-03's checks accept right answers and recognise the mistakes learners really make."""

import math

import numpy as np
import pytest

from dlwidgets.core import sigmoid, softmax
from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import activations as act
from dlwidgets.exercises import backprop as bp
from dlwidgets.exercises import initialisation as ini


def message_for(check, answer, *more) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer, *more)
    return info.value.message


def not_written(*args):
    raise NotImplementedError("Write your code here, run this cell, then run the check below.")


# ---------------------------------------------------------------- lesson 01

def right_second_derivative(x):
    s = 1 / (1 + np.exp(-np.asarray(x, dtype=float)))
    return s * (1 - s) * (1 - 2 * s)


def right_softmax_jacobian(x):
    x = np.asarray(x, dtype=float)
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    s = e / e.sum(axis=-1, keepdims=True)
    return s[..., :, None] * np.eye(x.shape[-1]) - s[..., :, None] * s[..., None, :]


def test_the_oracle_second_derivative_matches_the_formula():
    x = np.linspace(-10, 10, 41)
    assert np.allclose(act.sigmoid_second_derivative(x), right_second_derivative(x), rtol=1e-6, atol=1e-10)


def test_right_lesson01_answers_pass(capsys):
    act.check_sigmoid_second_derivative(right_second_derivative, hidden=True)
    act.check_softmax_jacobian(right_softmax_jacobian, hidden=True)
    act.check_scaled_peak(0.75)
    act.check_tanh_saturated_share(0.625)
    act.check_zero_centred("c")
    act.check_dead_relu(" A ")
    assert capsys.readouterr().out.count("✔") == 6


@pytest.mark.parametrize("wrong, words", [
    (lambda x: sigmoid(x) * (1 - sigmoid(x)) ** 2, "only the first factor"),
    (lambda x: -sigmoid(x) ** 2 * (1 - sigmoid(x)), "only the second term"),
    (lambda x: 1 - 2 * sigmoid(x), "with respect to s"),
    (lambda x: sigmoid(x) * (1 - sigmoid(x)), "the first derivative"),
    (lambda x: sigmoid(x) * (1 - sigmoid(x)) * (1 + 2 * sigmoid(x)), "a sign slipped"),
])
def test_second_derivative_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(act.check_sigmoid_second_derivative, wrong)


def per_row(f):
    return lambda x: f(x) if np.ndim(x) == 1 else np.array([f(r) for r in x])


@pytest.mark.parametrize("wrong, words", [
    (per_row(lambda x: -np.outer(softmax(x), softmax(x))), "diagonal term is missing"),
    (per_row(lambda x: np.diag(softmax(x) * (1 - softmax(x)))), "only the diagonal"),
    (per_row(lambda x: np.diag(softmax(x))), "diag(s) alone"),
    (per_row(lambda x: np.outer(softmax(x), softmax(x)) - np.diag(softmax(x))), "sign is flipped"),
])
def test_softmax_jacobian_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(act.check_softmax_jacobian, wrong)


def test_an_unstable_softmax_fails_on_large_scores_and_a_one_vector_version_on_the_batch():
    def unstable(x):
        e = np.exp(x)
        s = e / e.sum(axis=-1, keepdims=True)
        return s[..., :, None] * np.eye(np.shape(x)[-1]) - s[..., :, None] * s[..., None, :]
    with np.errstate(over="ignore", invalid="ignore"):
        message = message_for(act.check_softmax_jacobian, unstable)
    assert "x = [1000, 999, -1000]" in message and "NaN" in message
    one_vector = lambda x: np.diag(softmax(x)) - np.outer(softmax(x), softmax(x))
    assert "a batch" in message_for(act.check_softmax_jacobian, one_vector)


@pytest.mark.parametrize("check, answer, words", [
    (act.check_scaled_peak, 0.25, "chain rule"),
    (act.check_scaled_peak, 0.5, "sigmoid(0)"),
    (act.check_tanh_saturated_share, 0.25, "share for sigmoid"),
    (act.check_tanh_saturated_share, 0.375, "NOT saturated"),
    (act.check_zero_centred, "a", "never negative"),
    (act.check_dead_relu, "b", "still send a gradient"),
])
def test_lesson01_wrong_values_are_explained(check, answer, words):
    assert words in message_for(check, answer)


# ---------------------------------------------------------------- lesson 02

def right_backward(x, y, W1, b1, W2, b2):
    h = np.tanh(x @ W1.T + b1)
    g = 2 * (h @ W2.T + b2 - y) / y.size
    gz = (g @ W2) * (1 - h ** 2)
    return gz.T @ x, gz.sum(0), g.T @ h, g.sum(0)


def right_clip(grads, max_norm):
    total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
    return [g * min(1.0, max_norm / total) for g in grads]


def test_right_lesson02_answers_pass(capsys):
    bp.check_two_layer_backward(right_backward, hidden=True)
    bp.check_sigmoid_chain(0.25 ** 30)
    bp.check_weights_chain(35, 0.1 ** (1 / 20))
    bp.check_clip_by_global_norm(right_clip)
    bp.check_a08_correction("d")
    bp.check_clipping_purpose("c")
    out = capsys.readouterr().out
    assert out.count("✔") == 7 and "finite differences of the loss to" in out


def test_core_backward_agrees_with_finite_differences():
    case = bp.two_layer_case(5, 3, 4, 2, seed=9)
    for g, n in zip(bp.two_layer_grads(*case), bp.finite_difference_grads(*case)):
        np.testing.assert_allclose(g, n, rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("wrong, words", [
    (lambda *a: bp._no_tanh_derivative(*a), "tanh's derivative is missing"),
    (lambda *a: tuple(0.5 * g for g in right_backward(*a)), "factor 2 is missing"),
    (lambda *a: tuple(np.asarray(a[1]).size * g for g in right_backward(*a)), "MEAN of the squared errors"),
    (lambda *a: tuple(g.T if g.ndim == 2 else g for g in right_backward(*a)), "transposed"),
    (lambda *a: right_backward(*a)[:3], "four arrays"),
    (not_written, "not written yet"),
])
def test_backward_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(bp.check_two_layer_backward, wrong)


@pytest.mark.parametrize("wrong, words", [
    (lambda grads, m: [g * min(1.0, m / np.linalg.norm(g)) for g in grads], "clipped by its own norm"),
    (lambda grads, m: [np.clip(g, -m, m) for g in grads], "clipping by value"),
    (lambda grads, m: [g * m / math.sqrt(sum(float(np.sum(h ** 2)) for h in grads)) for g in grads], "scaled UP"),
    (lambda grads, m: grads[0], "list of 2 arrays"),
])
def test_clipping_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(bp.check_clip_by_global_norm, wrong)


def test_clipping_with_pytorchs_epsilon_also_passes(capsys):
    def torch_like(grads, max_norm):
        total = math.sqrt(sum(float(np.sum(g ** 2)) for g in grads))
        scale = max_norm / (total + 1e-6)
        return [g * scale for g in grads] if scale < 1 else grads
    bp.check_clip_by_global_norm(torch_like)
    assert "✔" in capsys.readouterr().out


@pytest.mark.parametrize("answer, words", [
    (7.5, "adds the layers up"), (0.25 ** 29, "29 factors"), (0.25 ** 20, "notes' depth"),
    (0.5 ** 30, "sigmoid(0), the value")])
def test_chain_rule_mistakes(answer, words):
    assert words in message_for(bp.check_sigmoid_chain, answer)
    assert "one more layer" in message_for(bp.check_weights_chain, 34, 0.1 ** (1 / 20))
    assert "20th root" in message_for(bp.check_weights_chain, 35, 0.1 / 20)
    assert "exploding edge" in message_for(bp.check_weights_chain, 35, 10 ** (1 / 20))


CHALLENGE = dict(depth=30, width=64, batch=64, activation="sigmoid", init="glorot_normal", weight_scale=1.0,
                 batch_norm=False, residual=False, max_norm=0.0, seed=0)


@pytest.mark.parametrize("change", [dict(batch_norm=True), dict(batch_norm=True, residual=True),
                                    dict(batch_norm=True, seed=2, width=32, max_norm=1.0)])
def test_known_challenge_solutions_pass_when_recomputed(change, capsys):
    bp.check_gradient_challenge({**CHALLENGE, **change})
    assert "healthy (recomputed with core)" in capsys.readouterr().out


@pytest.mark.parametrize("change, words", [
    (dict(), "vanishing"),
    (dict(residual=True), "vanishing"),            # the signal survives, but the weight ratio does not
    (dict(init="orthogonal", weight_scale=4.0), "vanishing"),
    (dict(activation="tanh", batch_norm=True), "must stay sigmoid"),
    (dict(depth=10, batch_norm=True), "30 hidden layers"),
    (dict(width=10_000, batch_norm=True), "width must be between"),
    (dict(batch_norm="no"), "batch_norm must be True or False"),   # bool("no") would be True
])
def test_challenge_failures_say_why(change, words):
    assert words in message_for(bp.check_gradient_challenge, {**CHALLENGE, **change})


def test_challenge_needs_a_recorded_dict():
    assert "not answered yet" in message_for(bp.check_gradient_challenge, ...)
    assert "missing" in message_for(bp.check_gradient_challenge, {"depth": 30})


# ---------------------------------------------------------------- lesson 03

def test_right_lesson03_answers_pass(capsys):
    ini.check_glorot_limit(right_glorot_limit, hidden=True)
    ini.check_he_std(1 / 12)
    ini.check_zero_init_gradient(1)
    ini.check_symmetry("a")
    ini.check_gaussian("d")
    ini.check_init_challenge(dict(init="he_normal", activation="relu", depth=20, width=128, batch=256,
                                  weight_scale=1.0, train_steps=0, learning_rate=0.01, seed=0))
    assert capsys.readouterr().out.count("✔") == 6


def right_glorot_limit(shape):
    receptive = math.prod(shape[2:])
    return math.sqrt(6 / (shape[0] * receptive + shape[1] * receptive))


def fans(formula):
    """A learner's limit written from the two fans, given the right fans of a shape."""
    return lambda shape: formula(shape[1] * math.prod(shape[2:]), shape[0] * math.prod(shape[2:]))


@pytest.mark.parametrize("wrong, words", [
    (lambda shape: math.sqrt(6 / (shape[0] + shape[1])), "kernel size is left out"),
    (lambda shape: math.sqrt(6 / (shape[0] + shape[1] * math.prod(shape[2:]))), "only fan_in counts the kernel"),
    (fans(lambda m, n: math.sqrt(2 / (m + n))), "STANDARD DEVIATION of Glorot normal"),
    (fans(lambda m, n: math.sqrt(6 / (m * n))), "fans are multiplied"),
    (fans(lambda m, n: 6 / (m + n)), "square root is missing"),
    (fans(lambda m, n: math.sqrt(6 / m)), "only fan_in is used"),
])
def test_glorot_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ini.check_glorot_limit, wrong)


@pytest.mark.parametrize("check, answer, words", [
    (ini.check_he_std, math.sqrt(2 / 32), "counts the kernel too"),
    (ini.check_he_std, math.sqrt(2 / (288 + 576)), "Glorot normal's std"),
    (ini.check_he_std, math.sqrt(6 / 288), "UNIFORM's limit"),
    (ini.check_zero_init_gradient, 0, "sigmoid(0) = 0.5"),
    (ini.check_zero_init_gradient, 4, "all-zero weight matrix"),
    (ini.check_symmetry, "c", "same factor"),
    (ini.check_gaussian, "a", "central limit theorem"),
])
def test_lesson03_wrong_values_are_explained(check, answer, words):
    assert words in message_for(check, answer)


INIT = dict(init="he_normal", activation="relu", depth=20, width=128, batch=256, weight_scale=1.0, train_steps=0,
            learning_rate=0.01, seed=0)


@pytest.mark.parametrize("change, words", [
    (dict(init="glorot_uniform"), "outside [0.2, 5.0]"),
    (dict(init="small_normal"), "outside"),
    (dict(weight_scale=2.0), "outside"),
    (dict(init="constant", weight_scale=0.5), "identical"),
    (dict(activation="tanh"), "ReLU layers"),
    (dict(train_steps=3), "SGD steps to 0"),
])
def test_init_challenge_failures_say_why(change, words):
    assert words in message_for(ini.check_init_challenge, {**INIT, **change})


def test_other_he_like_solutions_pass():
    for change in (dict(init="orthogonal", weight_scale=1.4), dict(init="glorot_normal", weight_scale=1.4)):
        ini.check_init_challenge({**INIT, **change})
