"""Lessons 05 and 06: the checks accept right answers and recognise the mistakes learners really make."""

import numpy as np
import pytest

from dlwidgets.exercises import CheckFailed, hint
from dlwidgets.exercises import landscapes as ex5
from dlwidgets.exercises import optimizers as ex6
from dlwidgets.widgets import LandscapeExplorer, OptimizerRace


def message_for(check, answer) -> str:
    with pytest.raises(CheckFailed) as info:
        check(answer)
    return info.value.message


# ---------------------------------------------------------------- lesson 05

def minibatch_gradient(X, y, theta, idx):
    Xb, yb = X[idx], y[idx]
    return Xb.T @ (Xb @ theta - yb) / len(idx)


def test_a_hand_written_minibatch_gradient_passes_visible_and_hidden_cases(capsys):
    ex5.check_minibatch_gradient(minibatch_gradient)
    ex5.check_minibatch_gradient(minibatch_gradient, hidden=True)
    out = capsys.readouterr().out
    assert "passes all 3 cases" in out and "passes all 6 cases" in out


@pytest.mark.parametrize("wrong, words", [
    (lambda X, y, t, idx: X[idx].T @ (X[idx] @ t - y[idx]), "sum over the batch"),
    (lambda X, y, t, idx: X.T @ (X @ t - y) / len(y), "whole data set"),
    (lambda X, y, t, idx: X[idx].T @ (y[idx] - X[idx] @ t) / len(idx), "sign is flipped"),
    (lambda X, y, t, idx: X[idx].T @ (X[idx] @ t - y[idx]) / len(y), "divided by n"),
    (lambda X, y, t, idx: 2 * X[idx].T @ (X[idx] @ t - y[idx]) / len(idx), "factor 2"),
])
def test_minibatch_gradient_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(ex5.check_minibatch_gradient, wrong)


def test_a_broken_minibatch_gradient_gets_a_sentence():
    message = message_for(ex5.check_minibatch_gradient, lambda X, y, t, idx: X[idx] @ X[idx].T @ t)
    assert "raised ValueError" in message and "hint('minibatch_gradient')" in message


@pytest.mark.parametrize("check, wrong, words", [
    (ex5.check_stable_lr, 1 / (3 + 2 ** 0.5), "1 / lambda_max"),
    (ex5.check_stable_lr, 0.5, "cross term"),
    (ex5.check_stable_lr, 2 / (3 - 2 ** 0.5), "smallest eigenvalue"),
    (ex5.check_stable_lr, 1 / 3, "optimal step"),
    (ex5.check_stable_lr, 4 / (3 + 2 ** 0.5), "second derivatives"),
    (ex5.check_sgd_randomness, "a", "deterministic"),
    (ex5.check_saddle_escape, "b", "not a minimum"),
    (ex5.check_batch_scaling, "a", "noise does fall"),
])
def test_lesson05_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


def test_lesson05_right_predictions_and_choices_pass(capsys):
    ex5.check_stable_lr(0.4531)
    ex5.check_sgd_randomness("c")
    ex5.check_saddle_escape("a")
    ex5.check_batch_scaling("d")
    assert capsys.readouterr().out.count("✔") == 4


def test_the_condition_challenge_replays_the_explorer_with_core(capsys):
    explorer = LandscapeExplorer()
    explorer.set(condition=20.0, steps=60, lr=1.9)
    ex5.check_condition_challenge(explorer.settings())
    assert "✔ lr = 1.9" in capsys.readouterr().out
    explorer.set(lr=1.0)
    assert "ends at loss" in message_for(ex5.check_condition_challenge, explorer.settings())
    explorer.set(lr=2.5)
    assert "diverges" in message_for(ex5.check_condition_challenge, explorer.settings())
    assert "condition number 20" in message_for(ex5.check_condition_challenge, explorer.set(condition=10.0, lr=1.8).settings())
    assert "at most 60 steps" in message_for(ex5.check_condition_challenge,
                                             explorer.set(condition=20.0, steps=200).settings())
    assert "noise to 0" in message_for(ex5.check_condition_challenge, explorer.set(steps=60, noise=0.5).settings())
    assert "not answered yet" in message_for(ex5.check_condition_challenge, ...)
    assert "should be the dict" in message_for(ex5.check_condition_challenge, [1.9])


# ---------------------------------------------------------------- lesson 06

def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    m = beta1 * m + (1 - beta1) * grad
    v = beta2 * v + (1 - beta2) * grad ** 2
    m_hat = m / (1 - beta1 ** (t + 1))
    v_hat = v / (1 - beta2 ** (t + 1))
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v


def test_a_hand_written_adam_step_passes_visible_and_hidden_cases(capsys):
    ex6.check_adam_step(adam_step)
    ex6.check_adam_step(adam_step, hidden=True)
    out = capsys.readouterr().out
    assert "passes all 3 cases" in out and "passes all 6 cases" in out


def variant(**changes):
    def step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        m = beta1 * m + (1 - beta1) * grad
        v = beta2 * v + (1 - beta2) * grad ** 2
        k = t + changes.get("offset", 1)
        m_hat = m / (1 - beta1 ** k) if changes.get("m", True) else m
        v_hat = v / (1 - beta2 ** k) if changes.get("v", True) else v
        denom = np.sqrt(v_hat + eps) if changes.get("eps_inside") else np.sqrt(v_hat) + eps
        return param - lr * m_hat / denom, m, v
    return step


@pytest.mark.parametrize("wrong, words", [
    (variant(m=False, v=False), "bias correction is missing"),
    (variant(m=False), "only v is bias-corrected"),
    (variant(v=False), "only m is bias-corrected"),
    (variant(offset=2), "one too far"),
    (variant(eps_inside=True), "eps is inside the square root"),
])
def test_adam_step_mistakes_are_diagnosed(wrong, words):
    assert words in message_for(lambda fn: ex6.check_adam_step(fn, hidden=True), wrong)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_adam_with_t_as_the_step_number_divides_by_zero_and_is_told_so():
    message = message_for(ex6.check_adam_step, variant(offset=0))
    assert "Case 1 of 3 fails" in message and ("NaN" in message or "inf" in message or "differ" in message)


@pytest.mark.parametrize("check, wrong, words", [
    (ex6.check_plateau_step, 0.0015, "plain SGD"),
    (ex6.check_plateau_step, 0.0012, "does not shrink"),
    (ex6.check_plateau_step, 0.0375, "one factor"),
    (ex6.check_rmsprop_first_step, 0.003, "bias-corrected"),
    (ex6.check_rmsprop_first_step, 0.03, "default alpha"),
    (ex6.check_rmsprop_first_step, 0.009, "plain SGD"),
    (ex6.check_adagrad_shrinking, "a", "only grows"),
    (ex6.check_adam_scale, "a", "That is what SGD does"),
    (ex6.check_weight_decay, "c", "other way round"),
])
def test_lesson06_predictions_and_choices_explain_wrong_answers(check, wrong, words):
    assert words in message_for(check, wrong)


def test_lesson06_right_predictions_and_choices_pass(capsys):
    ex6.check_plateau_step(0.0075)
    ex6.check_rmsprop_first_step(0.015)
    ex6.check_adagrad_shrinking("b")
    ex6.check_adam_scale("c")
    ex6.check_weight_decay("d")
    assert capsys.readouterr().out.count("✔") == 5


def test_the_rosenbrock_challenge_replays_the_race_with_core(capsys):
    race = OptimizerRace(steps=300, focus="Adam", focus_lr=1.0)
    ex6.check_rosenbrock_challenge(race.settings())
    assert "✔ Adam with lr = 1 passes loss 0.01" in capsys.readouterr().out
    assert "gets no lower than" in message_for(ex6.check_rosenbrock_challenge, race.set(focus="SGD", focus_lr=1e-4).settings())
    assert "diverges" in message_for(ex6.check_rosenbrock_challenge, race.set(focus="SGD", focus_lr=0.01).settings())
    assert "own learning rate" in message_for(ex6.check_rosenbrock_challenge, race.set(focus_lr=0.0).settings())
    assert "at most 300 steps" in message_for(ex6.check_rosenbrock_challenge,
                                              race.set(steps=400, focus="Adam", focus_lr=1.0).settings())
    assert "on Rosenbrock from" in message_for(ex6.check_rosenbrock_challenge,
                                               race.set(steps=300, start_x=0.0).settings())


def test_every_exercise_has_tiered_hints(capsys):
    for name in ("minibatch_gradient", "stable_lr", "sgd_randomness", "saddle_escape", "condition_challenge",
                 "batch_scaling", "adam_step", "plateau_step", "rmsprop_first_step", "adagrad_shrinking", "adam_scale",
                 "weight_decay", "rosenbrock_challenge"):
        hint(name, 1)
        assert "Hint 1 of" in capsys.readouterr().out


def learner_function(source: str, name: str):
    """A function defined as in a lesson notebook, whose set-up cell imported the library as `core`."""
    namespace = {"__name__": "__main__"}   # as in a notebook
    exec("import numpy as np\nfrom dlwidgets import core\nfrom dlwidgets.core import adam_step as reference\n" + source,
         namespace)
    return namespace[name]


@pytest.mark.parametrize("check, source, name", [
    (ex5.check_minibatch_gradient,
     "def minibatch_gradient(X, y, theta, idx):\n    return core.least_squares_gradient(X, y, theta, idx)",
     "minibatch_gradient"),
    (ex6.check_adam_step,
     "def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
     "    return reference(param, grad, {'step': t, 'exp_avg': m, 'exp_avg_sq': v}, lr=lr)[0], m, v",
     "adam_step"),
])
def test_calling_the_library_instead_of_writing_the_code_is_told_so(check, source, name):
    message = message_for(check, learner_function(source, name))
    assert "calls the course library" in message and "dlwidgets.core" in message


def test_own_code_in_a_notebook_that_imported_the_library_passes(capsys):
    ex6.check_adam_step(learner_function(
        "def adam_step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):\n"
        "    m = beta1 * m + (1 - beta1) * grad\n    v = beta2 * v + (1 - beta2) * grad ** 2\n"
        "    m_hat, v_hat = m / (1 - beta1 ** (t + 1)), v / (1 - beta2 ** (t + 1))\n"
        "    return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v", "adam_step"))
    assert "✔" in capsys.readouterr().out
