"""Lesson 09's checks accept right answers and recognise the mistakes learners really make."""

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import recurrent as ex
from dlwidgets.widgets import RNNUnroller


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


def rnn_step(x, h, p):
    return np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])


def test_a_hand_written_rnn_step_passes_the_visible_and_hidden_cases(capsys):
    ex.check_rnn_step(rnn_step)
    ex.check_rnn_step(rnn_step, hidden=True)
    out = capsys.readouterr().out
    assert "passes all 4 cases" in out and "passes all 7 cases" in out


@pytest.mark.parametrize("wrong, words", [
    (lambda x, h, p: np.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T), "bias_hh is missing"),
    (lambda x, h, p: x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"], "tanh is missing"),
    (lambda x, h, p: 1 / (1 + np.exp(-(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"]))),
     "that is a sigmoid"),
    (lambda x, h, p: np.maximum(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"], 0),
     "that is a ReLU"),
])
def test_rnn_step_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_rnn_step, wrong)


def test_a_step_written_for_one_example_only_is_told_about_the_batch():
    one_only = lambda x, h, p: np.tanh(p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"])
    message = message_for(ex.check_rnn_step, one_only)
    assert "x of shape (3, 4)" in message or "raised ValueError" in message
    assert "hint('rnn_step')" in message


def test_transposed_weights_give_a_sentence_not_a_traceback():
    message = message_for(ex.check_rnn_step, lambda x, h, p: np.tanh(x @ p["weight_ih"] + h @ p["weight_hh"]))
    assert "raised ValueError" in message and "hint('rnn_step')" in message


@pytest.mark.parametrize("check, wrong, words", [
    (ex.check_rnn_param_count, 2 * 3136, "layer 2 does not read"),
    (ex.check_rnn_param_count, 3136, "that is one layer"),
    (ex.check_rnn_param_count, 5248 - 64, "only one bias"),
    (ex.check_word_vs_hidden, "a", "independent"),
    (ex.check_lstm_beats_rnn, "b", "more parameters"),
])
def test_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


def test_right_predictions_and_choices_pass(capsys):
    ex.check_rnn_param_count(5248)
    ex.check_word_vs_hidden("b")
    ex.check_lstm_beats_rnn("a")
    assert capsys.readouterr().out.count("✔") == 3


def test_gradient_challenge_accepts_settings_from_the_widget(capsys):
    ex.check_gradient_challenge(RNNUnroller().set(spectral_radius=1.0).settings())
    assert "✔" in capsys.readouterr().out


@pytest.mark.parametrize("settings, words", [
    (..., "not answered yet"),
    ([1.0], "should be a dict"),
    (dict(RNNUnroller().settings(), steps=10), "over 20 steps"),
    (dict(RNNUnroller().settings(), spectral_radius=0.5), "gradient vanishes"),
    (dict(RNNUnroller().settings(), spectral_radius=1.3), "gradient explodes"),
    (dict(RNNUnroller().settings(), spectral_radius=-1), "impossible"),
])
def test_gradient_challenge_rejects_wrong_settings_with_a_reason(settings, words):
    assert words in message_for(ex.check_gradient_challenge, settings)


def test_the_challenge_agrees_with_what_the_widget_shows():
    for rho in (0.8, 0.95, 1.0, 1.1, 1.2):
        w = RNNUnroller(spectral_radius=rho)
        inside = 0.1 <= w.gradient_ratio() <= 10
        if inside:
            ex.check_gradient_challenge(w.settings())
        else:
            with pytest.raises(CheckFailed):
                ex.check_gradient_challenge(w.settings())


BLOCK_WIDGETS = """
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.startswith('dlwidgets.widgets') or name.split('.')[0] in {'anywidget', 'ipywidgets', 'traitlets'}:
            raise ImportError('blocked for this test: ' + name)
sys.meta_path.insert(0, Block())
from dlwidgets.exercises import recurrent, lstm_gru, attention
recurrent.check_gradient_challenge(dict(steps=20, spectral_radius=1.0))
lstm_gru.check_forget_bias_challenge(4.0)
attention.check_decoder_challenge(dict(tokens='the cat sat on the mat <pad> <pad>'.split(), kind='scaled', d_k=16, temperature=0.1, mask='causal'))
"""


def test_lesson_09_to_11_checks_run_without_any_widget_module():
    """Exercises take their maths from dlwidgets.core, never from a widget (which needs a front end)."""
    import subprocess
    import sys

    result = subprocess.run([sys.executable, "-c", BLOCK_WIDGETS], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("✔") == 3


def test_the_gradient_challenge_keeps_the_other_settings_as_they_start():
    start = RNNUnroller(steps=20, spectral_radius=1.0).settings()
    ex.check_gradient_challenge(start)
    assert "input_scale is 1.0" in message_for(ex.check_gradient_challenge, {**start, "spectral_radius": 1.5,
                                                                              "input_scale": 1.0})
