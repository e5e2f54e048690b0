"""Lesson 14's checks accept right answers and recognise the mistakes learners really make."""

import math

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed
from dlwidgets.exercises import gans_graphs as ex
from dlwidgets.widgets import GANDynamics


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


# ---------------------------------------------------------------- Gumbel-softmax

def make_gumbel(noise="gumbel", tau_op="divide", stable=True):
    def gumbel_softmax_sample(logits, u, tau):
        g = {"gumbel": -np.log(-np.log(u)), "raw": u, "exponential": -np.log(u), "none": 0.0}[noise]
        scores = logits + g
        scores = {"divide": scores / tau, "multiply": scores * tau, "ignore": scores}[tau_op]
        if stable:
            scores = scores - scores.max(axis=-1, keepdims=True)
        e = np.exp(scores)
        return e / e.sum(axis=-1, keepdims=True)
    return gumbel_softmax_sample


def test_a_hand_written_gumbel_softmax_passes_visible_and_hidden_cases(capsys):
    ex.check_gumbel_softmax(make_gumbel())
    ex.check_gumbel_softmax(make_gumbel(), hidden=True)
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("wrong, words", [
    (make_gumbel(noise="none"), "the noise is missing"),
    (make_gumbel(noise="raw"), "u is added as it is"),
    (make_gumbel(noise="exponential"), "not the Gumbel -log(-log u)"),
    (make_gumbel(tau_op="multiply"), "multiplied by tau"),
    (make_gumbel(tau_op="ignore"), "the temperature is ignored"),
])
def test_gumbel_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_gumbel_softmax, wrong)


def test_an_unstable_softmax_fails_on_logits_of_1000():
    message = message_for(ex.check_gumbel_softmax, make_gumbel(stable=False))
    assert "Case 3 of 3" in message and "+-1000" in message and "NaN" in message


def test_calling_the_library_is_refused():
    from dlwidgets.core import gumbel_softmax

    def gumbel_softmax_sample(logits, u, tau):
        return gumbel_softmax(logits, u, tau)
    assert "write it yourself" in message_for(ex.check_gumbel_softmax, gumbel_softmax_sample)


# ---------------------------------------------------------------- one GCN layer

def make_graph_conv(self_loops=True, loop_in_degree=True, norm="sym", relu=True):
    def graph_conv(adjacency, features, weight):
        a = np.asarray(adjacency, float)
        a_loop = a + np.eye(len(a))
        d = (a_loop if loop_in_degree else a).sum(axis=1)
        m = a_loop if self_loops else a
        with np.errstate(divide="ignore", invalid="ignore"):
            if norm == "sym":
                s = 1 / np.sqrt(d)
                a_hat = s[:, None] * m * s[None, :]
            elif norm == "row":
                a_hat = m / d[:, None]
            else:
                a_hat = m
        out = a_hat @ features @ weight
        return np.maximum(out, 0) if relu else out
    return graph_conv


def test_a_hand_written_graph_conv_passes_visible_and_hidden_cases(capsys):
    ex.check_graph_conv(make_graph_conv())
    ex.check_graph_conv(make_graph_conv(), hidden=True)
    assert capsys.readouterr().out.count("✔") == 2


@pytest.mark.parametrize("wrong, words", [
    (make_graph_conv(relu=False), "the ReLU is missing"),
    (make_graph_conv(norm="row"), "D^-1 (A + I)"),
    (make_graph_conv(self_loops=False, loop_in_degree=False), "isolated node"),
    (make_graph_conv(loop_in_degree=False), "isolated node"),
    (make_graph_conv(norm="none"), "the adjacency is not normalised"),
])
def test_graph_conv_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex.check_graph_conv, wrong)


def test_graph_conv_that_only_calls_core_is_refused():
    from dlwidgets import core

    def graph_conv(adjacency, features, weight):
        return core.gcn_layer(core.normalised_adjacency(adjacency), features, weight)
    assert "calls dlwidgets.core" in message_for(ex.check_graph_conv, graph_conv)


# ---------------------------------------------------------------- predictions and choices

def test_the_optimal_discriminator_and_its_mistakes(capsys):
    ex.check_optimal_discriminator(1 / 3)
    ex.check_optimal_discriminator(0.333)
    assert "equilibrium" in message_for(ex.check_optimal_discriminator, 0.5)
    assert "probability of 'fake'" in message_for(ex.check_optimal_discriminator, 2 / 3)
    assert "the mode G misses" in message_for(ex.check_optimal_discriminator, 1.0)
    assert "not answered yet" in message_for(ex.check_optimal_discriminator, ...)


def test_the_coefficient_and_its_mistakes(capsys):
    ex.check_coefficient(1 / math.sqrt(34))
    ex.check_coefficient(0.1715)
    assert "leave out the self-loops" in message_for(ex.check_coefficient, 0.25)
    assert "row normalisation" in message_for(ex.check_coefficient, 0.5)
    assert "the sender's degree only" in message_for(ex.check_coefficient, 1 / 17)
    assert "only one of the two self-loops" in message_for(ex.check_coefficient, 1 / math.sqrt(32))


@pytest.mark.parametrize("check, right", [(ex.check_saturation, "d"), (ex.check_text_gans, "a")])
def test_multiple_choice_accepts_only_the_right_letter(check, right, capsys):
    check(right)
    check(right.upper())
    for letter in "abcd":
        if letter != right:
            assert f"({letter}) is not the best answer" in message_for(check, letter)


# ---------------------------------------------------------------- widget challenge

def test_the_mode_challenge_replays_the_widgets_settings(capsys):
    gan = GANDynamics()
    assert "not answered yet" in message_for(ex.check_mode_challenge, ...)
    message = message_for(ex.check_mode_challenge, gan.settings())
    assert "seed 0" in message and "not both modes" in message
    gan.set(lr_g=0.01, lr_d=0.003, d_steps=1)
    ex.check_mode_challenge(gan.settings())
    assert "both modes covered on every seed" in capsys.readouterr().out


@pytest.mark.parametrize("change, words", [
    ({"target": "gaussian"}, "keep target='mixture'"),
    ({"steps": 600}, "Keep the budget of 300"),
    ({"lr_g": -1.0}, "impossible"),
])
def test_the_mode_challenge_keeps_its_rules(change, words):
    settings = {**GANDynamics().settings(), **change}
    assert words in message_for(ex.check_mode_challenge, settings)
    assert "should be the dict" in message_for(ex.check_mode_challenge, [1, 2])


def test_every_exercise_has_hints():
    from dlwidgets.exercises.checking import _HINTS
    for name in ("optimal_discriminator", "saturation", "gumbel_softmax", "text_gans", "mode_challenge",
                 "graph_conv", "coefficient"):
        assert len(_HINTS[name]) >= 3
    assert math.isclose(1 / 3, 0.5 / 1.5)
