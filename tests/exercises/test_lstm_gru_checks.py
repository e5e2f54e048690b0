"""Lesson 10's checks accept right answers and recognise the mistakes learners really make."""

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import lstm_gru as ex
from dlwidgets.widgets import GateAnimator


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


sig = lambda a: 1 / (1 + np.exp(-a))


def make_lstm(order="ifgo", two_biases=True, tanh_out=True, use_i=True):
    def lstm_step(x, h, c, p):
        a = p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + (p["bias_hh"] if two_biases else 0)
        blocks = dict(zip(order, np.split(a, 4)))
        i, f, g, o = sig(blocks["i"]), sig(blocks["f"]), np.tanh(blocks["g"]), sig(blocks["o"])
        c_new = f * c + (i * g if use_i else g)
        return (o * np.tanh(c_new) if tanh_out else o * c_new), c_new
    return lstm_step


def make_gru(order="rzn", swap_z=False, reset_before=False, two_biases=True):
    def gru_step(x, h, p):
        bh = p["bias_hh"] if two_biases else np.zeros_like(p["bias_hh"])
        gi = p["weight_ih"] @ x + p["bias_ih"]
        gh = p["weight_hh"] @ h + bh
        bi = dict(zip(order, np.split(gi, 3)))
        bhh = dict(zip(order, np.split(gh, 3)))
        r, z = sig(bi["r"] + bhh["r"]), sig(bi["z"] + bhh["z"])
        if reset_before:
            H = h.size
            rows = slice(2 * H, 3 * H)
            n = np.tanh(bi["n"] + p["weight_hh"][rows] @ (r * h) + bh[rows])
        else:
            n = np.tanh(bi["n"] + r * bhh["n"])
        return z * n + (1 - z) * h if swap_z else (1 - z) * n + z * h
    return gru_step


def test_hand_written_lstm_and_gru_steps_pass_visible_and_hidden_cases(capsys):
    ex.check_lstm_step(make_lstm())
    ex.check_lstm_step(make_lstm(), hidden=True)
    ex.check_gru_step(make_gru())
    ex.check_gru_step(make_gru(), hidden=True)
    assert capsys.readouterr().out.count("✔") == 4


@pytest.mark.parametrize("wrong, words", [
    (make_lstm(order="ifog"), "order i, f, o, g"),
    (make_lstm(two_biases=False), "bias_hh is missing"),
    (make_lstm(tanh_out=False), "missing the tanh"),
    (make_lstm(use_i=False), "without the input gate"),
])
def test_lstm_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_lstm_step, wrong)


def test_lstm_returning_only_h_gets_a_shape_message():
    message = message_for(ex.check_lstm_step, lambda x, h, c, p: make_lstm()(x, h, c, p)[0])
    assert "expected an array of shape" in message


@pytest.mark.parametrize("wrong, words", [
    (make_gru(order="zrn"), "order z, r, n"),
    (make_gru(swap_z=True), "z and 1 - z are swapped"),
    (make_gru(reset_before=True), "reset gate is applied to h before the matrix"),
    (make_gru(two_biases=False), "bias_hh is missing"),
])
def test_gru_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_gru_step, wrong)


@pytest.mark.parametrize("check, wrong, words", [
    (ex.check_lstm_param_count, 1095680, "only one bias"),
    (ex.check_lstm_param_count, 1093632, "biases are missing"),
    (ex.check_lstm_param_count, 1142784, "second layer's input"),
    (ex.check_lstm_param_count, 571392, "first layer only"),
    (ex.check_lstm_param_count, 823296, "that is a GRU"),
    (ex.check_sigmoid_and_tanh, "a", "never negative"),
    (ex.check_gru_update_gate, "a", "notes' slip"),
])
def test_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


def test_right_count_and_choices_pass(capsys):
    ex.check_lstm_param_count(1097728)
    ex.check_sigmoid_and_tanh("c")
    ex.check_gru_update_gate("B ")
    assert capsys.readouterr().out.count("✔") == 3


def test_forget_bias_challenge_accepts_a_bias_that_keeps_half_for_20_steps(capsys):
    gates = GateAnimator(forget_bias=4.0)
    assert gates.memory_after(20) >= 0.5
    ex.check_forget_bias_challenge(gates.forget_bias)
    assert "✔" in capsys.readouterr().out


@pytest.mark.parametrize("bias, words", [
    (..., "not answered yet"),
    ("4", "should be a number"),
    (1.0, "the target is at least 0.5"),
    (float("inf"), "impossible"),
])
def test_forget_bias_challenge_rejects_with_a_reason(bias, words):
    assert words in message_for(ex.check_forget_bias_challenge, bias)


def test_the_challenge_agrees_with_what_the_widget_shows():
    for bias in np.arange(0.0, 6.01, 0.5):
        gates = GateAnimator(forget_bias=float(bias))
        if gates.memory_after(20) >= 0.5:
            ex.check_forget_bias_challenge(float(bias))
        else:
            with pytest.raises(CheckFailed):
                ex.check_forget_bias_challenge(float(bias))
