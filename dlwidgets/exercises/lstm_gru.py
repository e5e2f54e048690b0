"""Checks for lesson 10 (LSTM and GRU). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import (gru_gate_slice, gru_param_count, gru_params, gru_step, lstm_gate_slice, lstm_param_count,
                    lstm_experiment, lstm_params, lstm_step, retained_fraction)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_lstm_step", "check_gru_step", "check_lstm_param_count", "check_sigmoid_and_tanh",
    "check_gru_update_gate", "check_forget_bias_challenge", "MEMORY_STEPS", "MEMORY_TARGET",
]


def _cases(make, hidden, with_c):
    specs = [(3, 2, 0), (2, 4, 1), (1, 3, 2)] + ([(4, 1, 3), (5, 5, 4)] if hidden else [])
    cases = []
    for d, h, seed in specs:
        rng = np.random.default_rng(100 + seed)
        params = make(d, h, seed=seed)
        args = (rng.normal(size=d), rng.normal(size=h)) + ((rng.normal(size=h),) if with_c else ()) + (params,)
        state = "h and c" if with_c else "h"
        cases.append(Case(args, label=f"x of size {d}, {state} of size {h}, params = {make.__name__}({d}, {h}, seed={seed})"))
    return cases


def _swap_rows(params, a, b, slicer):
    """Parameters with the row blocks of gates a and b exchanged (reading the stack in a wrong order)."""
    h = params["weight_hh"].shape[1]
    out = {k: np.array(v, dtype=float, copy=True) for k, v in params.items()}
    for key, value in params.items():
        out[key][slicer(a, h)], out[key][slicer(b, h)] = value[slicer(b, h)], value[slicer(a, h)]
    return out


def _no_bias_hh(params):
    return {**params, "bias_hh": np.zeros_like(params["bias_hh"])}


# ---------------------------------------------------------------- 1. an LSTM step

def _lstm_reference(x, h, c, params):
    s = lstm_step(x, h, c, params)
    return s.h, s.c


def _lstm_mistake(combine):
    def answer(x, h, c, params):
        s = lstm_step(x, h, c, params)
        return combine(s, np.asarray(c, dtype=float))
    return answer


LSTM_MISTAKES = [
    Mistake(lambda x, h, c, p: _lstm_reference(x, h, c, _swap_rows(p, "g", "o", lstm_gate_slice)),
            "the gates are read in the order i, f, o, g. PyTorch stacks the rows of weight_ih, weight_hh and the "
            "biases as i, f, g, o: the candidate g is the third block and the output gate o the fourth."),
    Mistake(lambda x, h, c, p: _lstm_reference(x, h, c, _no_bias_hh(p)),
            "bias_hh is missing. PyTorch's LSTM has two bias vectors, bias_ih and bias_hh, and adds both."),
    Mistake(_lstm_mistake(lambda s, c: (s.o * s.c, s.c)),
            "h' = o * c' is missing the tanh: the hidden state is o * tanh(c')."),
    Mistake(_lstm_mistake(lambda s, c: (s.o * np.tanh(s.f * c + s.g), s.f * c + s.g)),
            "the candidate is added without the input gate: c' = f * c + i * g."),
    Mistake(_lstm_mistake(lambda s, c: (s.o * np.tanh(c * (1 - s.f) + s.i * s.g), c * (1 - s.f) + s.i * s.g)),
            "the forget gate is used as 'how much to forget'. In the equations f multiplies the old cell "
            "directly (c' = f * c + i * g): f near 1 keeps the memory."),
]

register_hints("lstm_step", [
    "Compute all four pre-activations at once: a = W_ih x + b_ih + W_hh h + b_hh has 4H rows.",
    "Split a into four blocks of H in PyTorch's order i, f, g, o. Sigmoid for i, f, o; tanh for g. "
    "Then c' = f*c + i*g and h' = o*tanh(c').",
    "a = params['weight_ih'] @ x + params['bias_ih'] + params['weight_hh'] @ h + params['bias_hh']\n"
    "a_i, a_f, a_g, a_o = np.split(a, 4)\n"
    "sig = lambda z: 1 / (1 + np.exp(-z))\n"
    "i, f, g, o = sig(a_i), sig(a_f), np.tanh(a_g), sig(a_o)\n"
    "c_new = f * c + i * g\n"
    "return o * np.tanh(c_new), c_new",
])


def check_lstm_step(fn, hidden: bool = False) -> None:
    """The learner's lstm_step(x, h, c, params) -> (h_new, c_new) against dlwidgets.core.lstm_step."""
    check_function(fn, _lstm_reference, _cases(lstm_params, hidden, True), exercise="lstm_step",
                   name="lstm_step", mistakes=LSTM_MISTAKES)


# ---------------------------------------------------------------- 2. a GRU step

def _gru_reference(x, h, params):
    return gru_step(x, h, params).h


def _gru_reset_before(x, h, params):
    """The original paper's candidate, tanh(W_in x + b_in + W_hn (r * h) + b_hn), with core's r and z."""
    s = gru_step(x, h, params)
    n_rows = gru_gate_slice("n", np.shape(params["weight_hh"])[1])
    w_in, w_hn = np.asarray(params["weight_ih"])[n_rows], np.asarray(params["weight_hh"])[n_rows]
    n = np.tanh(w_in @ x + params["bias_ih"][n_rows] + w_hn @ (s.r * h) + params["bias_hh"][n_rows])
    return (1 - s.z) * n + s.z * h


GRU_MISTAKES = [
    Mistake(lambda x, h, p: _gru_reference(x, h, _swap_rows(p, "r", "z", gru_gate_slice)),
            "the gates are read in the order z, r, n. PyTorch stacks the GRU's rows as r, z, n: reset first."),
    Mistake(lambda x, h, p: (lambda s: s.z * s.n + (1 - s.z) * np.asarray(h))(gru_step(x, h, p)),
            "z and 1 - z are swapped. In PyTorch's GRU h' = (1 - z) * n + z * h: z near 1 keeps the old state. "
            "(Some texts write it the other way round; the two conventions differ only in what z means.)"),
    Mistake(_gru_reset_before,
            "the reset gate is applied to h before the matrix, W_hn (r * h), as in the original paper and Keras' "
            "reset_after=False. PyTorch applies it after: r * (W_hn h + b_hn)."),
    Mistake(lambda x, h, p: _gru_reference(x, h, _no_bias_hh(p)),
            "bias_hh is missing. PyTorch's GRU has two bias vectors and adds both (b_hn inside the reset product)."),
]

register_hints("gru_step", [
    "Compute the input part W_ih x + b_ih and the recurrent part W_hh h + b_hh separately (3H rows each): "
    "the candidate needs the recurrent part of its own block on its own.",
    "Split both into r, z, n blocks. r = σ(gi_r + gh_r), z = σ(gi_z + gh_z), n = tanh(gi_n + r * gh_n), "
    "h' = (1 - z) * n + z * h.",
    "gi = params['weight_ih'] @ x + params['bias_ih']\n"
    "gh = params['weight_hh'] @ h + params['bias_hh']\n"
    "i_r, i_z, i_n = np.split(gi, 3)\n"
    "h_r, h_z, h_n = np.split(gh, 3)\n"
    "sig = lambda a: 1 / (1 + np.exp(-a))\n"
    "r, z = sig(i_r + h_r), sig(i_z + h_z)\n"
    "n = np.tanh(i_n + r * h_n)\n"
    "return (1 - z) * n + z * h",
])


def check_gru_step(fn, hidden: bool = False) -> None:
    """The learner's gru_step(x, h, params) -> h_new against dlwidgets.core.gru_step."""
    check_function(fn, _gru_reference, _cases(gru_params, hidden, False), exercise="gru_step",
                   name="gru_step", mistakes=GRU_MISTAKES)


# ---------------------------------------------------------------- 3. count LSTM parameters

register_hints("lstm_param_count", [
    "Each layer stores weight_ih (4H, D_in), weight_hh (4H, H), bias_ih (4H,) and bias_hh (4H,).",
    "The second layer reads the first layer's hidden state, so its D_in is H = 256, not 300.",
    "params_lstm = 4 * (256 * 300 + 256 * 256 + 2 * 256) + 4 * (256 * 256 + 256 * 256 + 2 * 256)  # = 1097728",
])


def check_lstm_param_count(answer) -> None:
    """Parameters of nn.LSTM(input_size=300, hidden_size=256, num_layers=2)."""
    d, h = 300, 256
    layer = lambda d_in, biases=2, gates=4: gates * (h * d_in + h * h + biases * h)
    check_value(answer, lstm_param_count(d, h, num_layers=2), exercise="lstm_param_count", name="params_lstm",
                mistakes={
                    layer(d, 1) + layer(h, 1): "only one bias per gate is counted. PyTorch keeps two, bias_ih and "
                                               "bias_hh: 2 * 4H numbers per layer.",
                    layer(d, 0) + layer(h, 0): "the biases are missing (nn.LSTM has bias=True by default, two vectors).",
                    2 * layer(d): "the second layer's input is the first layer's hidden state (H = 256), not the "
                                  "300-sized word vector.",
                    layer(d): "that is the first layer only; num_layers=2 stacks a second one.",
                    gru_param_count(d, h, num_layers=2): "that is a GRU (3 blocks of rows); an LSTM has 4: "
                                                         "i, f, g, o, the candidate g with its own weights.",
                })


# ---------------------------------------------------------------- 4. why sigmoid and tanh

SIGMOID_TANH_OPTIONS = {
    "a": "Not the same in use: tanh ranges over (-1, 1), sigmoid over (0, 1). With a sigmoid candidate the write "
         "i * g is never negative, so no weights can make the cell go down by writing.",
    "b": "The gates still use their own sigmoids and can close as before; only the candidate changed.",
    "c": "Yes. The candidate carries content that must push the cell down as well as up, so it needs a "
         "zero-centred range with both signs: tanh's (-1, 1). With sigmoid's (0, 1), i * g >= 0, and the cell can "
         "only be written upwards (it can still decay through f). Gates, which multiply, need (0, 1): a sigmoid.",
    "d": "Both functions saturate; the LSTM's gradient survives through the additive cell path, not through the "
         "choice of activation, so this swap does not by itself make the gradient vanish.",
}

register_hints("sigmoid_and_tanh", [
    "What does a gate do with its output? What range does that need?",
    "A gate multiplies: 0 blocks, 1 passes. The candidate is content: it must be able to push the cell "
    "both up and down. What sign does i * g have when g is a sigmoid?",
    "The answer is (c).",
])


def check_sigmoid_and_tanh(answer) -> None:
    """B29: why an LSTM uses both sigmoid and tanh."""
    check_choice(answer, "c", SIGMOID_TANH_OPTIONS, exercise="sigmoid_and_tanh", name="sigmoid_and_tanh")


# ---------------------------------------------------------------- 5. the GRU's update gate

GRU_UPDATE_OPTIONS = {
    "a": "That is the notes' slip (合并了输出和遗忘门). The GRU has no output gate: its hidden state is exposed as it is.",
    "b": "Yes: z decides how much of the old state to keep (the forget gate's job) and 1 - z how much of the "
         "candidate to write (the input gate's job), tied so that they add up to 1.",
    "c": "The candidate n is computed separately, with its own weights and the reset gate; z only mixes it with "
         "the old state.",
    "d": "The GRU has no output gate, and the reset gate r decides how much of the old state goes into the "
         "candidate, not how much of it is kept.",
}

register_hints("gru_update_gate", [
    "Write h' = z * h + (1 - z) * n next to c' = f * c + i * g.",
    "Which LSTM gate multiplies the old state? Which multiplies the new candidate?",
    "The answer is (b).",
])


def check_gru_update_gate(answer) -> None:
    """Which LSTM gates the GRU's update gate stands for."""
    check_choice(answer, "b", GRU_UPDATE_OPTIONS, exercise="gru_update_gate", name="gru_update_gate")


# ---------------------------------------------------------------- 6. widget challenge

MEMORY_STEPS, MEMORY_TARGET = 20, 0.5

register_hints("forget_bias_challenge", [
    "Move the forget-gate bias slider and watch the solid line in 'memory of step 1'.",
    f"You need the product of {MEMORY_STEPS} forget gates to stay above {MEMORY_TARGET}: each f must be "
    f"about {MEMORY_TARGET ** (1 / MEMORY_STEPS):.3f} or more. sigmoid(b) reaches that for b around 3.4.",
    "gates.forget_bias = 4.0\nkeep_bias = gates.forget_bias",
])


def check_forget_bias_challenge(bias) -> None:
    """A forget-gate bias that keeps at least half of step 1's cell state for 20 steps (the animator's defaults)."""
    if bias is ...:
        raise CheckFailed("`keep_bias` is not answered yet.\nMove the forget-gate bias slider, then run "
                          "`keep_bias = gates.forget_bias`.")
    if isinstance(bias, (bool, np.bool_)) or not isinstance(bias, (int, float, np.integer, np.floating)):
        raise CheckFailed(f"`keep_bias` should be a number (the forget-gate bias), got {type(bias).__name__}.")
    try:
        _, run = lstm_experiment(forget_bias=float(bias))
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"That bias is impossible: {exc}.") from None
    kept = float(retained_fraction(run.f)[MEMORY_STEPS])
    if kept < MEMORY_TARGET:
        raise CheckFailed(f"With forget-gate bias {bias:g} the cell keeps {kept:.3g} of step 1's value after "
                          f"{MEMORY_STEPS} steps; the target is at least {MEMORY_TARGET}.\n"
                          "Stuck? Run hint('forget_bias_challenge') for a hint.")
    print(f"✔ forget-gate bias {bias:g}: the cell keeps {kept:.3f} of step 1's value after {MEMORY_STEPS} steps.")
