"""Checks for lesson 09 (recurrent networks). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import gradient_ratio, rnn_experiment, rnn_param_count, rnn_params, rnn_step
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_rnn_step", "check_rnn_param_count", "check_word_vs_hidden", "check_gradient_challenge",
    "check_lstm_beats_rnn", "GRADIENT_CHALLENGE_STEPS",
]

# ---------------------------------------------------------------- 1. one RNN step


def _rnn_cases(hidden=False):
    specs = [(3, 4, 0), (2, 5, 1), (4, 2, 2)] + ([(1, 1, 3), (6, 3, 4)] if hidden else [])
    cases = []
    for d, h, seed in specs:
        rng = np.random.default_rng(90 + seed)
        params = rnn_params(d, h, seed=seed)
        cases.append(Case((rng.normal(size=d), rng.normal(size=h), params),
                          label=f"x of size {d}, h of size {h}, params = rnn_params({d}, {h}, seed={seed})"))
    return cases


def _without(params, key):
    return {**params, key: np.zeros_like(params[key])}


RNN_STEP_MISTAKES = [
    Mistake(lambda x, h, p: rnn_step(x, h, _without(p, "bias_hh")),
            "bias_hh is missing. PyTorch's RNN keeps two bias vectors, bias_ih and bias_hh, and adds both."),
    Mistake(lambda x, h, p: rnn_step(x, h, _without(p, "bias_ih")),
            "bias_ih is missing. PyTorch's RNN keeps two bias vectors, bias_ih and bias_hh, and adds both."),
    Mistake(lambda x, h, p: np.arctanh(rnn_step(x, h, p)),
            "the tanh is missing: the new hidden state is tanh of the sum, which keeps it between -1 and 1."),
    Mistake(lambda x, h, p: 1 / (1 + np.exp(-np.arctanh(rnn_step(x, h, p)))),
            "that is a sigmoid. nn.RNN's default non-linearity is tanh, which is zero-centred."),
    Mistake(lambda x, h, p: np.maximum(np.arctanh(rnn_step(x, h, p)), 0),
            "that is a ReLU (nn.RNN(nonlinearity='relu')). The default, and this exercise, uses tanh."),
]

register_hints("rnn_step", [
    "Two matrix-vector products, two biases, one tanh: the input part W_ih x and the recurrent part W_hh h.",
    "params['weight_ih'] has shape (H, D) and multiplies x; params['weight_hh'] has shape (H, H) and multiplies h.",
    "return np.tanh(params['weight_ih'] @ x + params['bias_ih'] + params['weight_hh'] @ h + params['bias_hh'])",
])


def check_rnn_step(fn, hidden: bool = False) -> None:
    """Check the learner's rnn_step(x, h, params) against dlwidgets.core.rnn_step."""
    check_function(fn, rnn_step, _rnn_cases(hidden), exercise="rnn_step", name="rnn_step", mistakes=RNN_STEP_MISTAKES)


# ---------------------------------------------------------------- 2. predict a parameter count

register_hints("rnn_param_count", [
    "nn.RNN stores weight_ih (H, D), weight_hh (H, H), bias_ih (H,) and bias_hh (H,).",
    "H*D + H*H + 2*H with D = 100 and H = 128.",
    "params_rnn = 128 * 100 + 128 * 128 + 2 * 128  # = 29440",
])


def check_rnn_param_count(answer) -> None:
    """Parameters of nn.RNN(input_size=100, hidden_size=128)."""
    h, d = 128, 100
    check_value(answer, rnn_param_count(d, h), exercise="rnn_param_count", name="params_rnn", mistakes={
        h * d + h * h + h: "only one bias is counted. PyTorch keeps two, bias_ih and bias_hh (2H numbers).",
        h * d + h * h: "the biases are missing: nn.RNN has bias=True by default, with two bias vectors.",
        h * d + h * h + h * h + 2 * h: "nn.RNN has no output matrix V: the hidden-to-output layer is a separate nn.Linear.",
    })


# ---------------------------------------------------------------- 3. word-vector size vs hidden size

WORD_VS_HIDDEN_OPTIONS = {
    "a": "They need not be equal: W_ih has shape (H, D), so it maps a D-sized word vector to H hidden units for "
         "any D and H. D is set by the embedding, H by how much the network must remember.",
    "b": "Nothing forces them to be equal: W_ih (H, D) maps D inputs to H units whatever the two sizes are.",
    "c": "The hidden size is not tied to the sequence length: the same H-sized state is reused at every step.",
    "d": "The hidden state h_t is (H,), not (H, D); D only appears in W_ih's shape.",
}

register_hints("word_vs_hidden", [
    "Look at the shapes the unroller prints: W_ih and W_hh.",
    "Which matrix touches the word vector? What shape must it have?",
    "The answer is (a).",
])


def check_word_vs_hidden(answer) -> None:
    """B31: how the word-vector size D and the hidden size H relate."""
    check_choice(answer, "a", WORD_VS_HIDDEN_OPTIONS, exercise="word_vs_hidden", name="word_vs_hidden")


# ---------------------------------------------------------------- 4. widget challenge

GRADIENT_CHALLENGE_STEPS = 20

register_hints("gradient_challenge", [
    "Watch the sweep on the right of the unroller: where does the curve cross 1?",
    "Below ρ = 1 the gradient shrinks by about ρ per step; above it, it grows while tanh is not saturated.",
    "rnn.set(spectral_radius=1.0)\ngradient_settings = rnn.settings()",
])


def check_gradient_challenge(settings) -> None:
    """The learner's unroller settings keep ||dL/dh_0|| / ||dL/dh_T|| within [0.1, 10] over 20 steps."""
    if settings is ...:
        raise CheckFailed("`gradient_settings` is not answered yet.\nMove the unroller's slider, then run "
                          "`gradient_settings = rnn.settings()`.")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`gradient_settings` should be a dict like rnn.settings() returns, got {type(settings).__name__}.")
    if settings.get("steps") != GRADIENT_CHALLENGE_STEPS:
        raise CheckFailed(f"The challenge is over {GRADIENT_CHALLENGE_STEPS} steps; your settings have steps = "
                          f"{settings.get('steps')!r}.")
    allowed = {"steps", "hidden_size", "input_size", "spectral_radius", "input_scale", "bias", "seed"}
    try:
        norms = rnn_experiment(**{k: v for k, v in settings.items() if k in allowed})[2].grad_norms
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    ratio = gradient_ratio(norms)
    if not 0.1 <= ratio <= 10:
        word = "vanishes" if ratio < 0.1 else "explodes"
        raise CheckFailed(f"With those settings the gradient {word}: ||dL/dh_0|| / ||dL/dh_T|| = {ratio:.3g}, "
                          "outside [0.1, 10].\nStuck? Run hint('gradient_challenge') for a hint.")
    print(f"✔ spectral radius {settings.get('spectral_radius')}: the gradient changes by {ratio:.3g} over "
          f"{GRADIENT_CHALLENGE_STEPS} steps.")


# ---------------------------------------------------------------- 5. why LSTM beats a plain RNN

LSTM_VS_RNN_OPTIONS = {
    "a": "An LSTM has more parameters, but that is not why it remembers longer: a bigger plain RNN still "
         "multiplies its gradient by W_hh^T diag(1 - h^2) at every step.",
    "b": "Along the cell state c_t = f*c_{t-1} + i*g the gradient is multiplied only by the forget gate f "
         "(no weight matrix, no tanh derivative), so with f near 1 it survives many steps. It eases vanishing "
         "gradients; it does not stop exploding ones (clip the gradients for that).",
    "c": "LSTMs use sigmoid and tanh as well; the activation functions are not what changes.",
    "d": "An LSTM can still suffer exploding gradients (through its hidden state and gates), so gradient "
         "clipping is still used with LSTMs.",
}

register_hints("lstm_beats_rnn", [
    "Which path does the gradient follow backwards from c_t to c_{t-1}?",
    "dc_{t-1} = dc_t * f_t along the cell path: no matrix, no squashing derivative.",
    "The answer is (b).",
])


def check_lstm_beats_rnn(answer) -> None:
    """C09: why an LSTM beats a plain RNN."""
    check_choice(answer, "b", LSTM_VS_RNN_OPTIONS, exercise="lstm_beats_rnn", name="lstm_beats_rnn")
