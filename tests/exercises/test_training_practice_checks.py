"""Lesson 13's checks accept right answers and recognise the mistakes learners really make."""

import warnings

import numpy as np
import pytest

from dlwidgets import core
from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import training_practice as ex
from dlwidgets.widgets import ImbalanceExplorer


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


def smote_points(minority, k, base, rank, gap, include_self=False, reverse=False):
    d2 = ((minority[:, None] - minority[None]) ** 2).sum(-1)
    if not include_self:
        np.fill_diagonal(d2, np.inf)
    neighbours = np.argsort(d2, axis=1, kind="stable")[:, :k]
    x, n = minority[base], minority[neighbours[base, rank]]
    return n + gap[:, None] * (x - n) if reverse else x + gap[:, None] * (n - x)


def log_softmax(z, T):
    z = z / T
    z = z - z.max(axis=1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))


def distill_loss(student, teacher, labels, T, alpha, square=True, reverse=False, soft_ce=False):
    log_ps, log_pt = log_softmax(student, T), log_softmax(teacher, T)
    a, b = (log_ps, log_pt) if reverse else (log_pt, log_ps)
    kl = np.mean(np.sum(np.exp(a) * (a - b), axis=1))
    log_p = log_softmax(student, T if soft_ce else 1.0)
    ce = -np.mean(log_p[np.arange(len(labels)), labels])
    return alpha * (T * T if square else 1.0) * kl + (1 - alpha) * ce


def test_right_answers_pass_visible_and_hidden_cases_without_warnings(capsys):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ex.check_smote_points(smote_points)
        ex.check_smote_points(smote_points, hidden=True)
        ex.check_distill_loss(distill_loss)
        ex.check_distill_loss(distill_loss, hidden=True)
        ex.check_huffman_cost(2.29)
        ex.check_linear_share(9.9)
        ex.check_rare_words("b")
        ex.check_distill_temperature("d")
        ex.check_imbalance_challenge(ImbalanceExplorer(method="smote").settings())
    assert capsys.readouterr().out.count("✔") == 9


@pytest.mark.parametrize("wrong, words", [
    (lambda m, k, b, r, g: smote_points(m, k, b, r, g, include_self=True), "its own nearest neighbour"),
    (lambda m, k, b, r, g: smote_points(m, k, b, r, g, reverse=True), "measured from the neighbour"),
])
def test_smote_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_smote_points, wrong)


@pytest.mark.parametrize("options, words", [
    (dict(square=False), "not multiplied by T^2"),
    (dict(reverse=True), "wrong way round"),
    (dict(soft_ce=True), "softened student"),
])
def test_distillation_mistakes_are_diagnosed(options, words):
    assert words in message_for(ex.check_distill_loss, lambda s, t, y, T, a: distill_loss(s, t, y, T, a, **options))


def test_the_notes_loss1_plus_loss2_is_recognised():
    def notes(s, t, y, T, a):
        return distill_loss(s, t, y, T, 1.0, square=False) + distill_loss(s, t, y, T, 0.0)
    assert "notes' loss1 + loss2" in message_for(ex.check_distill_loss, notes)


def test_the_library_function_is_refused():
    assert "write it yourself" in message_for(ex.check_distill_loss, core.distillation_loss)


@pytest.mark.parametrize("check, answer, words", [
    (ex.check_huffman_cost, 2.807, "balanced tree"), (ex.check_huffman_cost, 3.857, "plain mean"),
    (ex.check_huffman_cost, 6, "rarest word"), (ex.check_huffman_cost, 3.29, "counts the leaf"),
    (ex.check_linear_share, 500, "log-scale sampling"), (ex.check_linear_share, 250, "one decade"),
    (ex.check_rare_words, "d", "other way round"), (ex.check_distill_temperature, "c", "shrinks"),
])
def test_predictions_and_choices_explain_known_mistakes(check, answer, words):
    assert words in message_for(check, answer)


def test_imbalance_challenge_recomputes_with_core():
    w = ImbalanceExplorer()
    assert "recall is" in message_for(ex.check_imbalance_challenge, w.settings())
    assert "precision fell" in message_for(ex.check_imbalance_challenge, w.set(method="under").settings())
    assert "Keep the minority share" in message_for(ex.check_imbalance_challenge, w.set(seed=3).settings())
    assert "impossible" in message_for(ex.check_imbalance_challenge, {**w.set(seed=0).settings(), "method": "tomek"})
    assert "not answered yet" in message_for(ex.check_imbalance_challenge, ...)
    for passing in (dict(method="over"), dict(method="none", weighted=True), dict(method="smote", k=2)):
        ex.check_imbalance_challenge(ImbalanceExplorer(**passing).settings())
