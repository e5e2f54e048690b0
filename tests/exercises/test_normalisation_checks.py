"""Lesson 04's checks pass the reference answers, fail wrong ones with a diagnosis, and say why."""

import numpy as np
import pytest

from dlwidgets.core.normalisation import batch_norm_train
from dlwidgets.exercises import normalisation as ex
from dlwidgets.exercises.checking import CheckFailed


def right_forward(x, gamma, beta, eps=1e-5):
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), keepdims=True)
    return gamma.reshape(1, -1, 1, 1) * (x - mean) / np.sqrt(var + eps) + beta.reshape(1, -1, 1, 1)


def test_a_correct_batchnorm_forward_passes_visible_and_hidden_cases(capsys):
    ex.check_batchnorm_forward(right_forward)
    ex.check_batchnorm_forward(right_forward, hidden=True)
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("wrong, words", [
    (lambda x, g, b, eps=1e-5: right_forward(x, g, b) * 0 + ex._unbiased(x, g, b), "unbiased"),
    (ex._layer_axes, "layer norm's axes"),
    (ex._instance_axes, "instance norm's axes"),
    (ex._batch_axis_only, "batch axis only"),
    (ex._no_eps, "eps is missing"),
])
def test_known_mistakes_are_diagnosed(wrong, words):
    with pytest.raises(CheckFailed, match=words):
        ex.check_batchnorm_forward(wrong)


def test_calling_the_library_is_not_needed_and_a_crash_is_a_sentence():
    def crashes(x, gamma, beta):
        return x.mean(axis=7)
    with pytest.raises(CheckFailed, match="raised AxisError|raised ValueError|raised numpy"):
        ex.check_batchnorm_forward(crashes)


def test_eval_output_prediction_and_its_mistakes():
    ex.check_eval_output((3 - 0.47) / (1.97 + 1e-5) ** 0.5)
    with pytest.raises(CheckFailed, match="biased batch variance"):
        ex.check_eval_output(ex._eval_answer(unbiased=False))
    with pytest.raises(CheckFailed, match="training mode"):
        ex.check_eval_output((3 - 2) / (4 + 1e-5) ** 0.5)
    with pytest.raises(CheckFailed, match="not answered yet"):
        ex.check_eval_output(...)


@pytest.mark.parametrize("check, correct", [
    (ex.check_batch_of_one, "c"), (ex.check_what_bn_normalises, "a"), (ex.check_why_bn_helps, "d"),
    (ex.check_ln_for_sequences, "b"),
])
def test_multiple_choice_accepts_only_the_right_letter(check, correct):
    check(correct)
    for letter in "abcd":
        if letter != correct:
            with pytest.raises(CheckFailed, match="not the best answer"):
                check(letter)


@pytest.mark.parametrize("options, correct", [
    (ex.BATCH_OF_ONE_OPTIONS, "c"), (ex.WHAT_BN_NORMALISES_OPTIONS, "a"), (ex.WHY_BN_HELPS_OPTIONS, "d"),
    (ex.LN_FOR_SEQUENCES_OPTIONS, "b"),
])
def test_options_have_similar_lengths_and_the_right_one_is_not_the_longest(options, correct):
    lengths = {k: len(v) for k, v in options.items()}
    assert lengths[correct] < max(lengths.values()), lengths
    assert max(lengths.values()) <= 1.5 * min(lengths.values()), lengths


def test_instance_challenge_is_replayed_with_core(capsys):
    ex.check_instance_challenge({"kind": "batch", "batch_size": 1, "shape": "N,C,2,2"})
    assert "✔" in capsys.readouterr().out
    with pytest.raises(CheckFailed, match="over 16 cells"):
        ex.check_instance_challenge({"kind": "batch", "batch_size": 4, "shape": "N,C,2,2"})
    with pytest.raises(CheckFailed, match="no positions"):
        ex.check_instance_challenge({"kind": "batch", "batch_size": 1, "shape": "N,C"})
    with pytest.raises(CheckFailed, match="about batch norm"):
        ex.check_instance_challenge({"kind": "instance", "batch_size": 1, "shape": "N,C,2,2"})
    with pytest.raises(CheckFailed, match="not answered yet"):
        ex.check_instance_challenge(...)
