"""An LSTM cell, a sequence run and back-propagation through time, in PyTorch's conventions.

Parameters are a dict laid out as ``torch.nn.LSTM`` stores them: weight_ih (4H, D),
weight_hh (4H, H), bias_ih (4H,), bias_hh (4H,), the 4H rows stacked in gate order
i, f, g, o (rows k*H to (k+1)*H belong to gate k). With a_k = W_ik x + b_ik + W_hk h + b_hk:

    i = sigmoid(a_i)   input gate       c' = f * c + i * g
    f = sigmoid(a_f)   forget gate      h' = o * tanh(c')
    g = tanh(a_g)      candidate cell
    o = sigmoid(a_o)   output gate

Sequences are unbatched, xs (T, D); per-step arrays are (T, H) with row t for step t + 1.
The forget gate is the point of the lessons: ``lstm_params(..., forget_bias=b)`` shifts it,
and ``lstm_bptt`` reports ||dL/dc_t|| at every step. Backwards along the cell path the
gradient is only multiplied by f (no weight matrix, no squashing), so with f near 1 it
survives many steps where a plain RNN's gradient vanishes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rnn import (_accumulate, _check_params, _direct_grads, _init_params, _initial,
                  _outer_grads, _param_count, _sequence, _shift_gate_bias, _sigmoid, _vector)

__all__ = [
    "LSTM_GATES",
    "lstm_gate_slice",
    "lstm_params",
    "lstm_param_count",
    "LSTMStep",
    "LSTMSequence",
    "LSTMGradients",
    "lstm_step",
    "lstm_sequence",
    "lstm_step_backward",
    "lstm_bptt",
]

LSTM_GATES = ("i", "f", "g", "o")


def lstm_gate_slice(gate: str, hidden_size: int) -> slice:
    """Rows of weight_ih / weight_hh / the biases that belong to one gate ('i', 'f', 'g', 'o')."""
    if gate not in LSTM_GATES:
        raise ValueError(f"LSTM gate must be one of {LSTM_GATES}, got {gate!r}")
    k = LSTM_GATES.index(gate)
    return slice(k * hidden_size, (k + 1) * hidden_size)


def lstm_params(input_size, hidden_size, seed=0, forget_bias=0.0, bias=True) -> dict:
    """Parameters of a one-layer ``nn.LSTM`` (uniform(-1/sqrt(H), 1/sqrt(H))), forget_bias added.

    forget_bias is added to the f slice of bias_ih: large and positive keeps f near 1 (the
    cell remembers), very negative drives f to 0 (the cell forgets every step). The random
    draws depend only on the seed, so changing forget_bias changes nothing else.
    """
    params = _init_params(input_size, hidden_size, 4, seed, bias)
    return _shift_gate_bias(params, lstm_gate_slice("f", int(hidden_size)), forget_bias, "forget_bias", bias)


def lstm_param_count(input_size, hidden_size, bias=True, num_layers=1) -> int:
    """Weights plus biases of ``nn.LSTM``: 4*(H*D + H*H + 2H) per layer; later layers have D = H."""
    return _param_count(4, input_size, hidden_size, bias, num_layers)


@dataclass(frozen=True, eq=False)
class LSTMStep:
    """One step's gate activations and new state, each (H,)."""

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


@dataclass(frozen=True, eq=False)
class LSTMSequence:
    """Every step's gate activations, cell state and hidden state, each (T, H); row t is step t+1."""

    i: np.ndarray
    f: np.ndarray
    g: np.ndarray
    o: np.ndarray
    c: np.ndarray
    h: np.ndarray


def _lstm_step(p, x, h, c):
    a = p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"]
    a_i, a_f, a_g, a_o = np.split(a, 4)
    i, f, g, o = _sigmoid(a_i), _sigmoid(a_f), np.tanh(a_g), _sigmoid(a_o)
    c_new = f * c + i * g
    return LSTMStep(i, f, g, o, c_new, o * np.tanh(c_new))


def lstm_step(x, h, c, params) -> LSTMStep:
    """One LSTM step from x (D,), h (H,), c (H,); returns the gates i, f, g, o and the new c, h."""
    p, hidden, d, _ = _check_params(params, 4, "LSTM")
    return _lstm_step(p, _vector(x, d, "x"), _vector(h, hidden, "h"), _vector(c, hidden, "c"))


def _run(p, xs, h0, c0):
    """All steps as a list of LSTMStep records."""
    steps, h, c = [], h0, c0
    for x in xs:
        s = _lstm_step(p, x, h, c)
        steps.append(s)
        h, c = s.h, s.c
    return steps


def lstm_sequence(xs, params, h0=None, c0=None) -> LSTMSequence:
    """Run over xs (T, D) from h0, c0 (zeros if None); every gate and state at every step."""
    p, hidden, d, _ = _check_params(params, 4, "LSTM")
    xs = _sequence(xs, d)
    steps = _run(p, xs, _initial(h0, hidden, "h0"), _initial(c0, hidden, "c0"))
    return LSTMSequence(*(np.array([getattr(s, k) for s in steps]) for k in ("i", "f", "g", "o", "c", "h")))


def _lstm_backward(p, has_bias, x, h_prev, c_prev, s, dh, dc_next):
    """One step back; dh is the total dL/dh', dc_next the part of dL/dc' arriving from c''."""
    tc = np.tanh(s.c)
    dc = dc_next + dh * s.o * (1.0 - tc * tc)  # total dL/dc', including through h'
    da = np.concatenate([
        dc * s.g * s.i * (1.0 - s.i),          # a_i
        dc * c_prev * s.f * (1.0 - s.f),       # a_f
        dc * s.i * (1.0 - s.g * s.g),          # a_g
        dh * tc * s.o * (1.0 - s.o),           # a_o
    ])
    grads = _outer_grads(da, da, x, h_prev, has_bias)
    return grads, p["weight_ih"].T @ da, p["weight_hh"].T @ da, dc * s.f, dc


def lstm_step_backward(x, h, c, params, dh_next, dc_next=None):
    """Back through one step given dL/dh' and dL/dc' (zeros if None), both (H,).

    dc_next is the gradient reaching c' other than through h' (from the next step's cell
    path). Returns (param grads dict, dL/dx, dL/dh, dL/dc).
    """
    p, hidden, d, has_bias = _check_params(params, 4, "LSTM")
    x, h, c = _vector(x, d, "x"), _vector(h, hidden, "h"), _vector(c, hidden, "c")
    dh_next = _vector(dh_next, hidden, "dh_next")
    dc_next = _initial(dc_next, hidden, "dc_next")
    return _lstm_backward(p, has_bias, x, h, c, _lstm_step(p, x, h, c), dh_next, dc_next)[:4]


@dataclass(frozen=True, eq=False)
class LSTMGradients:
    """Result of ``lstm_bptt``.

    params: gradients keyed like the parameters; xs: dL/dx_t, (T, D); dh and dc: total
    dL/dh_t and dL/dc_t for t = 0..T, (T + 1, H), row 0 being the initial state; grad_norms
    and cell_grad_norms: their norms per row, (T + 1,); sequence: the forward run.
    """

    params: dict
    xs: np.ndarray
    dh: np.ndarray
    dc: np.ndarray
    grad_norms: np.ndarray
    cell_grad_norms: np.ndarray
    sequence: LSTMSequence

    @property
    def h0(self):
        """dL/dh_0."""
        return self.dh[0]

    @property
    def c0(self):
        """dL/dc_0: how much the loss still depends on the very first cell state."""
        return self.dc[0]


def lstm_bptt(xs, params, h0=None, c0=None, grad_h=None) -> LSTMGradients:
    """Back-propagation through time for the loss L = sum_t grad_h[t] . h_t.

    grad_h is (H,) for a loss on the final hidden state (None means ones: L = sum(h_T)) or
    (T, H) for the loss's own dL/dh_t at every step. dL/dc_t is the total derivative with
    h_t = o_t * tanh(c_t) following c_t; for c_0 it is the path through c_1 only.
    """
    p, hidden, d, has_bias = _check_params(params, 4, "LSTM")
    xs = _sequence(xs, d)
    steps = xs.shape[0]
    direct = _direct_grads(grad_h, steps, hidden)
    h0, c0 = _initial(h0, hidden, "h0"), _initial(c0, hidden, "c0")
    run = _run(p, xs, h0, c0)
    hs = [h0] + [s.h for s in run]
    cs = [c0] + [s.c for s in run]

    dh = np.zeros((steps + 1, hidden))
    dc = np.zeros((steps + 1, hidden))
    dxs = np.zeros_like(xs)
    totals = {}
    dh_carry, dc_carry = np.zeros(hidden), np.zeros(hidden)
    for t in range(steps - 1, -1, -1):
        dh[t + 1] = direct[t] + dh_carry
        grads, dxs[t], dh_carry, dc_carry, dc[t + 1] = _lstm_backward(
            p, has_bias, xs[t], hs[t], cs[t], run[t], dh[t + 1], dc_carry)
        _accumulate(totals, grads)
    dh[0], dc[0] = dh_carry, dc_carry
    sequence = LSTMSequence(*(np.array([getattr(s, k) for s in run]) for k in ("i", "f", "g", "o", "c", "h")))
    return LSTMGradients(totals, dxs, dh, dc, np.linalg.norm(dh, axis=1),
                         np.linalg.norm(dc, axis=1), sequence)
