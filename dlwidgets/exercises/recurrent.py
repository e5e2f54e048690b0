"""Checks for lesson 09 (recurrent networks). Expected values come from dlwidgets.core."""

from __future__ import annotations

import inspect

import numpy as np

from ..core import gradient_ratio, rnn_experiment, rnn_param_count, rnn_params, rnn_step
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_rnn_step", "check_rnn_param_count", "check_word_vs_hidden", "check_gradient_challenge",
    "check_lstm_beats_rnn", "GRADIENT_CHALLENGE_STEPS",
]

# ---------------------------------------------------------------- 1. one RNN step


def batched_rnn_step(x, h, params):
    """core.rnn_step for one example (x of shape (D,)) or for each row of a batch (x of shape (N, D))."""
    x, h = np.asarray(x, dtype=float), np.asarray(h, dtype=float)
    if x.ndim == 1:
        return rnn_step(x, h, params)
    return np.array([rnn_step(row, state, params) for row, state in zip(x, h)])


def _rnn_cases(hidden=False):
    # (D, H, seed, N): N = None for one example, else a batch of N rows
    specs = [(3, 4, 0, None), (2, 5, 1, None), (4, 2, 2, 3), (3, 3, 5, 6)]
    specs += [(1, 1, 3, None), (6, 3, 4, 1), (2, 4, 6, 2)] if hidden else []
    cases = []
    for d, h, seed, n in specs:
        rng = np.random.default_rng(90 + seed)
        params = rnn_params(d, h, seed=seed)
        shape_x, shape_h = ((d,), (h,)) if n is None else ((n, d), (n, h))
        cases.append(Case((rng.normal(size=shape_x), rng.normal(size=shape_h), params),
                          label=f"x of shape {shape_x}, h of shape {shape_h}, params = rnn_params({d}, {h}, seed={seed})"))
    return cases


def _without(params, key):
    return {**params, key: np.zeros_like(params[key])}


def _one_example_only(x, h, p):
    """What W @ x gives on a batch whose size N equals D: the rows and columns mixed up."""
    return np.tanh(p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"])


RNN_STEP_MISTAKES = [
    Mistake(lambda x, h, p: batched_rnn_step(x, h, _without(p, "bias_hh")),
            "bias_hh is missing. PyTorch's RNN keeps two bias vectors, bias_ih and bias_hh, and adds both."),
    Mistake(lambda x, h, p: batched_rnn_step(x, h, _without(p, "bias_ih")),
            "bias_ih is missing. PyTorch's RNN keeps two bias vectors, bias_ih and bias_hh, and adds both."),
    Mistake(lambda x, h, p: np.arctanh(batched_rnn_step(x, h, p)),
            "the tanh is missing: the new hidden state is tanh of the sum, which keeps it between -1 and 1."),
    Mistake(lambda x, h, p: 1 / (1 + np.exp(-np.arctanh(batched_rnn_step(x, h, p)))),
            "that is a sigmoid. nn.RNN's default non-linearity is tanh, which is zero-centred."),
    Mistake(lambda x, h, p: np.maximum(np.arctanh(batched_rnn_step(x, h, p)), 0),
            "that is a ReLU (nn.RNN(nonlinearity='relu')). The default, and this exercise, uses tanh."),
]

register_hints("rnn_step", [
    "Two matrix products, two biases, one tanh: the input part and the recurrent part. Write it for one example "
    "first, then ask what shape each term has when x is (N, D).",
    "For a batch, each row of x must meet W_ih (H, D) so that the result is a row of H numbers: x @ W_ih.T is "
    "(N, H). For a single x of shape (D,), x @ W_ih.T is (H,) too, so one expression serves both. The biases "
    "(H,) broadcast over the rows.",
    "return np.tanh(x @ params['weight_ih'].T + params['bias_ih'] + h @ params['weight_hh'].T + params['bias_hh'])",
])


def check_rnn_step(fn, hidden: bool = False) -> None:
    """Check the learner's rnn_step(x, h, params), for one example or a batch, against dlwidgets.core.rnn_step."""
    check_function(fn, batched_rnn_step, _rnn_cases(hidden), exercise="rnn_step", name="rnn_step",
                   mistakes=RNN_STEP_MISTAKES + [Mistake(
                       _one_example_only, "W_ih @ x works for one example of shape (D,), but on a batch (N, D) it "
                       "multiplies the wrong axis. Use x @ W_ih.T (and h @ W_hh.T), which is right for both.")])


# ---------------------------------------------------------------- 2. predict a parameter count

register_hints("rnn_param_count", [
    "Count each layer as an nn.RNN of its own: weight_ih (H, D), weight_hh (H, H), bias_ih and bias_hh (H,).",
    "Layer 2 reads layer 1's hidden state, so its input size is H = 32, not D = 64.",
    "params_rnn = (32 * 64 + 32 * 32 + 2 * 32) + (32 * 32 + 32 * 32 + 2 * 32)  # = 5248",
])


def check_rnn_param_count(answer) -> None:
    """Parameters of nn.RNN(input_size=64, hidden_size=32, num_layers=2)."""
    h, d = 32, 64
    one = rnn_param_count(d, h)
    check_value(answer, rnn_param_count(d, h, num_layers=2), exercise="rnn_param_count", name="params_rnn", mistakes={
        2 * one: "layer 2 does not read the 64-dimensional input: its input is layer 1's hidden state, of size 32.",
        one: "that is one layer; num_layers=2 stacks a second RNN on top of the first.",
        rnn_param_count(d, h, num_layers=2) - 2 * h: "only one bias per layer is counted. PyTorch keeps two, bias_ih "
                                                       "and bias_hh (2H numbers per layer).",
        rnn_param_count(d, h, num_layers=2) - 4 * h: "the biases are missing: nn.RNN has bias=True by default, with two "
                                                       "bias vectors per layer.",
    })


# ---------------------------------------------------------------- 3. word-vector size vs hidden size

WORD_VS_HIDDEN_OPTIONS = {
    "a": "The sizes are independent: W_ih (H, D) maps a D-sized word vector to H hidden units for any D and H. "
         "D is set by the embedding, H by how much the network must carry.",
    "b": "Yes: only W_ih touches the word vector, so only it changes, from (128, 300) to (128, 50); W_hh maps the "
         "128-unit state to itself and the hidden state stays (128,).",
    "c": "W_hh multiplies the hidden state, never the word vector, so its shape (H, H) does not depend on D.",
    "d": "W_ih's shape is (H, D): its second dimension is the word-vector size, so it must change.",
}

register_hints("word_vs_hidden", [
    "Look at the shapes the unroller prints: W_ih and W_hh.",
    "Which matrix touches the word vector? What shape must it have?",
    "The answer is (b).",
])


def check_word_vs_hidden(answer) -> None:
    """B31: how the word-vector size D and the hidden size H relate."""
    check_choice(answer, "b", WORD_VS_HIDDEN_OPTIONS, exercise="word_vs_hidden", name="word_vs_hidden")


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
    starts = {k: p.default for k, p in inspect.signature(rnn_experiment).parameters.items()}
    for key in sorted(allowed - {"steps", "spectral_radius"}):
        if key in settings and settings[key] != starts[key]:
            raise CheckFailed(f"Keep the unroller's other settings as they start: {key} is {settings[key]!r}, it "
                              f"starts at {starts[key]!r}. The challenge is to find the spectral radius alone.")
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
    "a": "Along the cell state c_t = f*c_{t-1} + i*g the gradient is multiplied only by the forget gate f "
         "(no weight matrix, no tanh derivative), so with f near 1 it can survive 50 steps. It eases vanishing "
         "gradients; it does not stop exploding ones (clip the gradients for that).",
    "b": "An LSTM has more parameters, but that is not why it remembers longer: a bigger plain RNN still "
         "multiplies its gradient by W_hh^T diag(1 - h^2) at every step.",
    "c": "LSTMs use sigmoid and tanh, not ReLU; the activation functions are not what changes.",
    "d": "An LSTM can still suffer exploding gradients (through its hidden state and gates), so gradient "
         "clipping is still used with LSTMs.",
}

register_hints("lstm_beats_rnn", [
    "Which path does the gradient follow backwards from c_t to c_{t-1}?",
    "dc_{t-1} = dc_t * f_t along the cell path: no matrix, no squashing derivative.",
    "The answer is (a).",
])


def check_lstm_beats_rnn(answer) -> None:
    """C09: why an LSTM beats a plain RNN."""
    check_choice(answer, "a", LSTM_VS_RNN_OPTIONS, exercise="lstm_beats_rnn", name="lstm_beats_rnn")
