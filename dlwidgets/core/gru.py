"""A GRU cell, a sequence run and back-propagation through time, in PyTorch's conventions.

Parameters are a dict laid out as ``torch.nn.GRU`` stores them: weight_ih (3H, D),
weight_hh (3H, H), bias_ih (3H,), bias_hh (3H,), the 3H rows stacked in gate order r, z, n.
The equations are PyTorch's, where the reset gate multiplies the whole recurrent term of the
candidate, bias b_hn included:

    r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)          reset gate
    z = sigmoid(W_iz x + b_iz + W_hz h + b_hz)          update gate
    n = tanh(W_in x + b_in + r * (W_hn h + b_hn))       candidate
    h' = (1 - z) * n + z * h

So z near 1 copies the old state through (memory), z near 0 replaces it by the candidate.
Sequences are unbatched, xs (T, D); per-step arrays are (T, H) with row t for step t + 1.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .rnn import (_accumulate, _check_params, _direct_grads, _init_params, _initial,
                  _outer_grads, _param_count, _sequence, _shift_gate_bias, _sigmoid, _vector)

__all__ = [
    "GRU_GATES",
    "gru_gate_slice",
    "gru_params",
    "gru_param_count",
    "GRUStep",
    "GRUSequence",
    "GRUGradients",
    "gru_step",
    "gru_sequence",
    "gru_step_backward",
    "gru_bptt",
]

GRU_GATES = ("r", "z", "n")


def gru_gate_slice(gate: str, hidden_size: int) -> slice:
    """Rows of weight_ih / weight_hh / the biases that belong to one gate ('r', 'z', 'n')."""
    if gate not in GRU_GATES:
        raise ValueError(f"GRU gate must be one of {GRU_GATES}, got {gate!r}")
    k = GRU_GATES.index(gate)
    return slice(k * hidden_size, (k + 1) * hidden_size)


def gru_params(input_size, hidden_size, seed=0, bias=True, update_bias=0.0) -> dict:
    """Parameters of a one-layer ``nn.GRU``, uniform(-1/sqrt(H), 1/sqrt(H)) as in PyTorch, update_bias added.

    update_bias is added to the z slice of bias_ih (as ``lstm_params(forget_bias=...)`` does for
    the LSTM's forget gate): large and positive keeps z near 1 (the old state is copied through),
    very negative drives z to 0 (the state is replaced by the candidate every step). The random
    draws depend only on the seed, so changing update_bias changes nothing else.
    """
    params = _init_params(input_size, hidden_size, 3, seed, bias)
    return _shift_gate_bias(params, gru_gate_slice("z", int(hidden_size)), update_bias, "update_bias", bias)


def gru_param_count(input_size, hidden_size, bias=True, num_layers=1) -> int:
    """Weights plus biases of ``nn.GRU``: 3*(H*D + H*H + 2H) per layer; later layers have D = H."""
    return _param_count(3, input_size, hidden_size, bias, num_layers)


@dataclass(frozen=True, eq=False)
class GRUStep:
    """One step's gates r, z, candidate n and new hidden state h, each (H,)."""

    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    h: np.ndarray


@dataclass(frozen=True, eq=False)
class GRUSequence:
    """Every step's r, z, n and h, each (T, H); row t is step t + 1."""

    r: np.ndarray
    z: np.ndarray
    n: np.ndarray
    h: np.ndarray


def _gru_parts(p, x, h):
    """Gates plus the recurrent candidate term W_hn h + b_hn (needed going backwards)."""
    gi = np.split(p["weight_ih"] @ x + p["bias_ih"], 3)
    gh = np.split(p["weight_hh"] @ h + p["bias_hh"], 3)
    r = _sigmoid(gi[0] + gh[0])
    z = _sigmoid(gi[1] + gh[1])
    n = np.tanh(gi[2] + r * gh[2])
    return GRUStep(r, z, n, (1.0 - z) * n + z * h), gh[2]


def gru_step(x, h, params) -> GRUStep:
    """One GRU step from x (D,) and h (H,); returns r, z, n and the new h."""
    p, hidden, d, _ = _check_params(params, 3, "GRU")
    return _gru_parts(p, _vector(x, d, "x"), _vector(h, hidden, "h"))[0]


def _run(p, xs, h0):
    """All steps as (GRUStep, W_hn h + b_hn) pairs."""
    out, h = [], h0
    for x in xs:
        s, hn = _gru_parts(p, x, h)
        out.append((s, hn))
        h = s.h
    return out


def _stack(run):
    return GRUSequence(*(np.array([getattr(s, k) for s, _ in run]) for k in ("r", "z", "n", "h")))


def gru_sequence(xs, params, h0=None) -> GRUSequence:
    """Run over xs (T, D) from h0 (zeros if None); r, z, n and h at every step."""
    p, hidden, d, _ = _check_params(params, 3, "GRU")
    xs = _sequence(xs, d)
    return _stack(_run(p, xs, _initial(h0, hidden, "h0")))


def _gru_backward(p, has_bias, x, h_prev, s, hn, dh):
    """One step back given the total dL/dh'."""
    dz = dh * (h_prev - s.n)
    da_n = dh * (1.0 - s.z) * (1.0 - s.n * s.n)
    da_r = da_n * hn * s.r * (1.0 - s.r)
    da_z = dz * s.z * (1.0 - s.z)
    d_ih = np.concatenate([da_r, da_z, da_n])
    d_hh = np.concatenate([da_r, da_z, da_n * s.r])
    grads = _outer_grads(d_ih, d_hh, x, h_prev, has_bias)
    return grads, p["weight_ih"].T @ d_ih, dh * s.z + p["weight_hh"].T @ d_hh


def gru_step_backward(x, h, params, dh_next):
    """Back through one step given dL/dh' (H,); return (param grads dict, dL/dx, dL/dh)."""
    p, hidden, d, has_bias = _check_params(params, 3, "GRU")
    x, h = _vector(x, d, "x"), _vector(h, hidden, "h")
    s, hn = _gru_parts(p, x, h)
    return _gru_backward(p, has_bias, x, h, s, hn, _vector(dh_next, hidden, "dh_next"))


@dataclass(frozen=True, eq=False)
class GRUGradients:
    """Result of ``gru_bptt``.

    params: gradients keyed like the parameters; xs: dL/dx_t, (T, D); dh: total dL/dh_t for
    t = 0..T, (T + 1, H), row 0 being the initial state; grad_norms: ||dh[t]||, (T + 1,);
    sequence: the forward run.
    """

    params: dict
    xs: np.ndarray
    dh: np.ndarray
    grad_norms: np.ndarray
    sequence: GRUSequence

    @property
    def h0(self):
        """dL/dh_0."""
        return self.dh[0]


def gru_bptt(xs, params, h0=None, grad_h=None) -> GRUGradients:
    """Back-propagation through time for the loss L = sum_t grad_h[t] . h_t.

    grad_h is (H,) for a loss on the final hidden state (None means ones: L = sum(h_T)) or
    (T, H) for the loss's own dL/dh_t at every step.
    """
    p, hidden, d, has_bias = _check_params(params, 3, "GRU")
    xs = _sequence(xs, d)
    steps = xs.shape[0]
    direct = _direct_grads(grad_h, steps, hidden)
    h0 = _initial(h0, hidden, "h0")
    run = _run(p, xs, h0)
    hs = [h0] + [s.h for s, _ in run]

    dh = np.zeros((steps + 1, hidden))
    dxs = np.zeros_like(xs)
    totals = {}
    carry = np.zeros(hidden)
    for t in range(steps - 1, -1, -1):
        dh[t + 1] = direct[t] + carry
        s, hn = run[t]
        grads, dxs[t], carry = _gru_backward(p, has_bias, xs[t], hs[t], s, hn, dh[t + 1])
        _accumulate(totals, grads)
    dh[0] = carry
    return GRUGradients(totals, dxs, dh, np.linalg.norm(dh, axis=1), _stack(run))
