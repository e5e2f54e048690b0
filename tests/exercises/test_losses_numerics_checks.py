"""Lesson 12's checks accept right answers and recognise the mistakes learners really make."""

import math
import warnings

import numpy as np
import pytest

from dlwidgets import core
from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import losses_numerics as ex
from dlwidgets.widgets import LossExplorer


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


def stable_log_softmax(z):
    m = z.max(axis=1, keepdims=True)
    return (z - m) - np.log(np.exp(z - m).sum(axis=1, keepdims=True))


def cross_entropy_grad(logits, target, weight):
    z = logits - logits.max(axis=1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)
    keep = target != -100
    t = np.where(keep, target, 0)
    g = p.copy()
    g[np.arange(len(target)), t] -= 1.0
    w = np.asarray(weight)[t] * keep
    return g * w[:, None] / w.sum()


def test_right_answers_pass_visible_and_hidden_cases_without_warnings(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.check_log_softmax(stable_log_softmax)
        ex.check_log_softmax(stable_log_softmax, hidden=True)
        ex.check_cross_entropy_grad(cross_entropy_grad)
        ex.check_cross_entropy_grad(cross_entropy_grad, hidden=True)
        ex.check_kl(0.693)
        ex.check_float16_underflow(-17)
        ex.check_mse_sigmoid("c")
        ex.check_log_prob("a")
        ex.check_kl_challenge(LossExplorer(panel="divergence", p_centre=2.0, p_width=0.5, q_centre=4.0,
                                           q_width=2.5).settings())
    assert capsys.readouterr().out.count("✔") == 9


def naive(z):
    return np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))


@pytest.mark.parametrize("wrong, words", [
    (naive, "as written"),
    (lambda z: np.log(core.softmax(z, axis=1)), "its log is not"),
    (lambda z: z - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True)), "not outside"),
    (lambda z: core.log_softmax(z, axis=0), "down each column"),
])
def test_log_softmax_mistakes_are_diagnosed(wrong, words):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # the learner's own naive code may warn; the check adds nothing
        assert words in message_for(ex.check_log_softmax, wrong)


def test_the_library_function_is_refused():
    assert "write it yourself" in message_for(ex.check_log_softmax, core.log_softmax)


def weighted_rows(logits, target, weight):
    keep = target != -100
    t = np.where(keep, target, 0)
    g = core.softmax(logits, axis=1)
    g[np.arange(len(target)), t] -= 1.0
    return g * (np.asarray(weight)[t] * keep)[:, None]


@pytest.mark.parametrize("wrong, words", [
    (lambda z, t, w: weighted_rows(z, t, w) / len(t), "divided by N"),
    (lambda z, t, w: weighted_rows(z, t, w) / np.sum(t != -100), "number of examples that count"),
    (lambda z, t, w: weighted_rows(z, t, np.ones(len(w))) / np.sum(t != -100), "class weights are left out"),
    (lambda z, t, w: -cross_entropy_grad(z, t, w), "sign is flipped"),
    (weighted_rows, "not divided at all"),
])
def test_cross_entropy_grad_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_cross_entropy_grad, wrong)


@pytest.mark.parametrize("answer, words", [(1.0, "bits"), (math.log(4), "cross-entropy"), (-math.log(2), "upside down")])
def test_kl_mistakes(answer, words):
    assert words in message_for(ex.check_kl, answer)


@pytest.mark.parametrize("answer, words", [(-103, "float32"), (-745, "float64"), (-18, "first whole number"),
                                           (-16, "rounds UP"), (-9, "normal numbers"), (17, "sign is wrong")])
def test_float16_mistakes(answer, words):
    assert words in message_for(ex.check_float16_underflow, answer)


def test_float16_underflow_answer_is_where_numpy_rounds_exp_to_zero():
    with np.errstate(under="ignore"):
        assert np.exp(np.float16(-17)) > 0 and np.exp(np.float16(-18)) == 0
    ex.check_float16_underflow(-17)


def test_multiple_choice_explains_a_wrong_letter():
    assert "not the best answer" in message_for(ex.check_mse_sigmoid, "d")
    assert "-27.6" in message_for(ex.check_log_prob, "c")


def test_kl_challenge_recomputes_with_core():
    default = LossExplorer(panel="divergence").settings()
    assert "the target is 8" in message_for(ex.check_kl_challenge, default)
    same = {**default, "q_centre": default["p_centre"], "q_width": default["p_width"]}
    assert "almost the same" in message_for(ex.check_kl_challenge, same)
    assert "not answered yet" in message_for(ex.check_kl_challenge, ...)
    assert "should be the dict" in message_for(ex.check_kl_challenge, [1, 2])
    assert "not a setting" in message_for(ex.check_kl_challenge, {**default, "p_width": -1.0})
