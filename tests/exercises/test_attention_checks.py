"""Lesson 11's checks accept right answers and recognise the mistakes learners really make."""

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import attention as ex
from dlwidgets.widgets import AttentionMap


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


def make_attention(scale=True, fill=-np.inf, axis=-1, use_mask=True, return_weights=False, stable=True):
    def scaled_dot_product_attention(q, k, v, mask=None):
        scores = q @ k.T / (np.sqrt(q.shape[-1]) if scale else 1.0)
        if mask is not None and use_mask:
            scores = np.where(mask, scores, fill)
        if stable:
            scores = scores - scores.max(axis=axis, keepdims=True)
        w = np.exp(scores)
        w = w / w.sum(axis=axis, keepdims=True)
        return w if return_weights else w @ v
    return scaled_dot_product_attention


def test_hand_written_attention_passes_visible_and_hidden_cases(capsys):
    ex.check_attention(make_attention())
    ex.check_attention(make_attention(), hidden=True)
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("wrong, words", [
    (make_attention(scale=False), "not divided by sqrt(d_k)"),
    (make_attention(fill=0.0), "masked positions are set to 0"),
    (make_attention(use_mask=False), "mask is ignored"),
    (make_attention(return_weights=True), "that is the weight matrix"),
])
def test_attention_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_attention, wrong)


def test_an_unstable_softmax_fails_on_large_scores_with_a_nan_message():
    with np.errstate(over="ignore", invalid="ignore"):
        message = message_for(ex.check_attention, make_attention(stable=False))
    assert "Case 4 of 4 fails" in message and "subtract each row's max" in message and "NaN" in message


def test_softmax_over_the_wrong_axis_names_the_failing_case():
    def wrong(q, k, v, mask=None):
        scores = q @ k.T / np.sqrt(q.shape[-1])
        w = np.exp(scores - scores.max(axis=0, keepdims=True))
        return (w / w.sum(axis=0, keepdims=True)) @ v
    message = message_for(ex.check_attention, wrong)
    assert message.startswith("Case 1 of 4 fails") and "values differ" in message


@pytest.mark.parametrize("check, wrong, words", [
    (ex.check_attention_weight, 0.8808, "unscaled softmax"),
    (ex.check_attention_weight, 1.0, "scores were normalised by their sum"),
    (ex.check_score_kinds, "a", "no dot product"),
    (ex.check_score_kinds, "d", "through their learned matrices"),
    (ex.check_bottleneck_size, 40, "count all four"),
    (ex.check_bottleneck_size, 2400, "every encoder state together"),
])
def test_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


def test_right_predictions_and_choices_pass(capsys):
    ex.check_attention_weight(float(np.exp(np.sqrt(2)) / (np.exp(np.sqrt(2)) + 1)))
    ex.check_attention_weight(0.804)
    ex.check_score_kinds("b")
    ex.check_bottleneck_size(80)
    assert capsys.readouterr().out.count("✔") == 4


def test_decoder_challenge_accepts_settings_from_the_widget(capsys):
    ex.check_decoder_challenge(AttentionMap().set(mask="causal", temperature=0.1).settings())
    assert "✔" in capsys.readouterr().out


@pytest.mark.parametrize("change, words", [
    (dict(temperature=0.1), "still read later tokens"),
    (dict(mask="causal"), "the target is 0.95"),
    (dict(mask="causal", temperature=0.1, kind="dot"), "Keep the scaled scores"),
])
def test_decoder_challenge_rejects_with_a_reason(change, words):
    assert words in message_for(ex.check_decoder_challenge, AttentionMap().set(**change).settings())


def test_decoder_challenge_rejects_unanswered_and_malformed():
    assert "not answered yet" in message_for(ex.check_decoder_challenge, ...)
    assert "should be the dict" in message_for(ex.check_decoder_challenge, {"mask": "causal"})


def test_the_decoder_challenge_checks_that_query_2_is_sat():
    settings = AttentionMap(kind="scaled", d_k=16, mask="causal", temperature=0.1).settings()
    ex.check_decoder_challenge(settings)
    assert "the query 'sat'" in message_for(ex.check_decoder_challenge, {**settings, "tokens": ["a", "b"]})
