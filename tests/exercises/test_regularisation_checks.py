"""Lesson 07's checks pass the reference answers, fail wrong ones with a diagnosis, and say why."""

import numpy as np
import pytest

from dlwidgets.exercises import regularisation as ex
from dlwidgets.exercises.checking import CheckFailed


def right_dropout(x, p, mask, training):
    return x * mask / (1 - p) if training else x


def right_zoneout(h_prev, h_new, keep, p, training):
    return keep * h_prev + (1 - keep) * h_new if training else p * h_prev + (1 - p) * h_new


def test_correct_answers_pass(capsys):
    ex.check_dropout_layer(right_dropout, hidden=True)
    ex.check_zoneout_step(right_zoneout, hidden=True)
    ex.check_weight_decay(3.0 * (1 - 0.1 * 0.05) ** 10)
    assert capsys.readouterr().out.count("✔") == 3


@pytest.mark.parametrize("wrong, words", [
    (ex._classic, "original \\(non-inverted\\) dropout"), (ex._unscaled, "not scaled"),
    (ex._scaled_by_p, "KEEP probability"), (ex._always_masked, "eval mode"),
])
def test_dropout_mistakes_are_diagnosed(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        ex.check_dropout_layer(wrong)


@pytest.mark.parametrize("mistake", ex.ZONEOUT_MISTAKES)
def test_zoneout_mistakes_are_diagnosed(mistake):
    with pytest.raises(CheckFailed, match="known mistake"):
        ex.check_zoneout_step(mistake.answer)


@pytest.mark.parametrize("value, words", [(3.0 * 0.95 ** 10, "learning rate is missing"), (3.0 - 0.05, "L1"),
                                          (3.0, "flat"), (2.85, "compounds")])
def test_weight_decay_mistakes(value, words):
    with pytest.raises(CheckFailed, match=words):
        ex.check_weight_decay(value)


CHOICES = [(ex.check_l1_vs_l2, ex.L1_VS_L2_OPTIONS, "c"), (ex.check_dropout_vs_bagging, ex.DROPOUT_VS_BAGGING_OPTIONS, "a"),
           (ex.check_rnn_dropout, ex.RNN_DROPOUT_OPTIONS, "d"), (ex.check_early_stopping, ex.EARLY_STOPPING_OPTIONS, "b")]


@pytest.mark.parametrize("check, options, correct", CHOICES)
def test_multiple_choice(check, options, correct):
    check(correct)
    for letter in "abcd":
        if letter != correct:
            with pytest.raises(CheckFailed, match="not the best answer"):
                check(letter)
    lengths = {k: len(v) for k, v in options.items()}
    assert lengths[correct] < max(lengths.values()) and max(lengths.values()) <= 1.5 * min(lengths.values()), lengths


def test_the_correct_letters_are_spread():
    assert sorted(c for _, _, c in CHOICES) == ["a", "b", "c", "d"]


def test_overfit_challenge_is_replayed_with_core(capsys):
    base = {**ex.CHALLENGE_FIXED, "penalty": "l2", "strength": 0.003}
    ex.check_overfit_challenge(base)
    assert "✔" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="not below 0.13"):
        ex.check_overfit_challenge({**base, "penalty": "none"})
    with pytest.raises(CheckFailed, match="keeps the network, the data and dropout"):
        ex.check_overfit_challenge({**base, "hidden": 4})
    with pytest.raises(CheckFailed, match="dropout=0.1"):
        ex.check_overfit_challenge({**base, "penalty": "none", "dropout": 0.1})
    with pytest.raises(CheckFailed, match="not answered yet"):
        ex.check_overfit_challenge(...)
