"""A plain (Elman) recurrent layer and back-propagation through time, in PyTorch's conventions.

h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh), as ``torch.nn.RNN`` with its default tanh.
Parameters are a dict with PyTorch's names: weight_ih (H, D), weight_hh (H, H), bias_ih (H,),
bias_hh (H,); leaving out both biases is PyTorch's ``bias=False``.

Sequences are unbatched: xs has shape (T, D) and ``rnn_forward`` returns (T, H) whose row t
is h_{t+1} (the initial state h_0 is not repeated). Gradient arrays from back-propagation
through time have T + 1 rows instead, row t being dL/dh_t for t = 0 (the initial state) to T.

Why a lesson needs ``rnn_bptt``: each step backwards multiplies the gradient by
W_hh^T diag(1 - h_t^2). With spectral radius of W_hh below 1 the norms ||dL/dh_t|| shrink
geometrically going back in time (vanishing gradients); above 1, while tanh is not saturated
(small inputs), they grow (exploding gradients).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from .conv import _int

__all__ = [
    "rnn_params",
    "rnn_param_count",
    "rnn_step",
    "rnn_forward",
    "rnn_step_backward",
    "rnn_bptt",
    "RNNGradients",
    "spectral_radius",
    "scale_to_spectral_radius",
]

_WEIGHTS = ("weight_ih", "weight_hh")
_BIASES = ("bias_ih", "bias_hh")


# --- helpers shared with lstm.py and gru.py -------------------------------------------------

def _sigmoid(x):
    """Logistic function that never overflows: exp is only taken of -|x|."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def _size(value, name):
    """A whole number that is at least 1."""
    v = _int(value, name)
    if v < 1:
        raise ValueError(f"{name} must be at least 1, got {v}")
    return v


def _init_params(input_size, hidden_size, n_gates, seed, bias):
    """PyTorch's default initialisation: every tensor uniform(-1/sqrt(H), 1/sqrt(H))."""
    d = _size(input_size, "input_size")
    h = _size(hidden_size, "hidden_size")
    rng = np.random.default_rng(seed)
    k = 1.0 / np.sqrt(h)
    params = {
        "weight_ih": rng.uniform(-k, k, (n_gates * h, d)),
        "weight_hh": rng.uniform(-k, k, (n_gates * h, h)),
    }
    if bias:
        params["bias_ih"] = rng.uniform(-k, k, n_gates * h)
        params["bias_hh"] = rng.uniform(-k, k, n_gates * h)
    return params


def _shift_gate_bias(params, gate, shift, name, bias):
    """Add shift to one gate's slice of bias_ih (an LSTM's forget gate, a GRU's update gate).

    shift must be finite, and non-zero only when the layer has biases. Returns params.
    """
    shift = float(shift)
    if not np.isfinite(shift):
        raise ValueError(f"{name} must be a finite number, got {shift}")
    if shift and not bias:
        raise ValueError(f"{name} needs bias=True: without biases there is nothing to shift")
    if bias:
        params["bias_ih"][gate] += shift
    return params


def _param_count(n_gates, input_size, hidden_size, bias, num_layers):
    """n_gates * (H*D + H*H + 2H) per layer; layers after the first take D = H."""
    d = _size(input_size, "input_size")
    h = _size(hidden_size, "hidden_size")
    layers = _size(num_layers, "num_layers")
    total = 0
    for _ in range(layers):
        total += n_gates * (h * d + h * h + (2 * h if bias else 0))
        d = h
    return total


def _check_params(params, n_gates, cell):
    """Validate a parameter dict; return float copies (zero biases if absent), H, D, has_bias."""
    if not isinstance(params, Mapping):
        raise TypeError(f"{cell} params must be a dict of arrays, got {type(params).__name__}")
    for key in _WEIGHTS:
        if key not in params:
            raise ValueError(f"{cell} params is missing {key!r}")
    w_ih = np.asarray(params["weight_ih"], dtype=float)
    w_hh = np.asarray(params["weight_hh"], dtype=float)
    rows = "H" if n_gates == 1 else f"{n_gates}H"
    if w_hh.ndim != 2 or w_hh.shape[1] < 1 or w_hh.shape[0] != n_gates * w_hh.shape[1]:
        raise ValueError(f"{cell} weight_hh must have shape ({rows}, H), got {w_hh.shape}")
    h = w_hh.shape[1]
    if w_ih.ndim != 2 or w_ih.shape[0] != n_gates * h or w_ih.shape[1] < 1:
        raise ValueError(
            f"{cell} weight_ih must have shape ({n_gates * h}, D) to match weight_hh "
            f"{w_hh.shape}, got {w_ih.shape}"
        )
    present = [key in params for key in _BIASES]
    if any(present) and not all(present):
        raise ValueError(f"{cell} params must hold both bias_ih and bias_hh, or neither")
    out = {"weight_ih": w_ih, "weight_hh": w_hh}
    for key in _BIASES:
        b = np.asarray(params[key], dtype=float) if all(present) else np.zeros(n_gates * h)
        if b.shape != (n_gates * h,):
            raise ValueError(f"{cell} {key} must have shape ({n_gates * h},), got {b.shape}")
        out[key] = b
    return out, h, w_ih.shape[1], all(present)


def _vector(value, size, name):
    """A float vector of the given length."""
    v = np.asarray(value, dtype=float)
    if v.shape != (size,):
        raise ValueError(f"{name} must have shape ({size},), got {v.shape}")
    return v


def _initial(value, size, name):
    """The initial state: zeros when None, else a vector of the given length."""
    return np.zeros(size) if value is None else _vector(value, size, name)


def _sequence(xs, input_size):
    """An unbatched input sequence of shape (T, D) with T >= 1."""
    xs = np.asarray(xs, dtype=float)
    if xs.ndim != 2 or xs.shape[0] < 1 or xs.shape[1] != input_size:
        raise ValueError(f"xs must have shape (T, {input_size}) with T >= 1, got {xs.shape}")
    return xs


def _direct_grads(grad_h, steps, hidden_size):
    """dL/dh_t from the loss itself, as (T, H): None means L = sum(h_T)."""
    if grad_h is None:
        grad_h = np.ones(hidden_size)
    g = np.asarray(grad_h, dtype=float)
    out = np.zeros((steps, hidden_size))
    if g.shape == (hidden_size,):
        out[-1] = g
    elif g.shape == (steps, hidden_size):
        out[:] = g
    else:
        raise ValueError(
            f"grad_h must have shape ({hidden_size},) for a loss on the final state or "
            f"({steps}, {hidden_size}) for a loss on every step, got {g.shape}"
        )
    return out


def _outer_grads(d_ih, d_hh, x, h_prev, has_bias):
    """Parameter gradients of a layer whose pre-activations are W_ih x + b_ih and W_hh h + b_hh."""
    grads = {"weight_ih": np.outer(d_ih, x), "weight_hh": np.outer(d_hh, h_prev)}
    if has_bias:
        grads["bias_ih"] = d_ih.copy()
        grads["bias_hh"] = d_hh.copy()
    return grads


def _accumulate(total, grads):
    """Add one step's parameter gradients into the running totals."""
    for key, value in grads.items():
        total[key] = total[key] + value if key in total else value
    return total


# --- the plain RNN --------------------------------------------------------------------------

def rnn_params(input_size, hidden_size, seed=0, bias=True) -> dict:
    """Parameters of a one-layer ``nn.RNN``, uniform(-1/sqrt(H), 1/sqrt(H)) as in PyTorch."""
    return _init_params(input_size, hidden_size, 1, seed, bias)


def rnn_param_count(input_size, hidden_size, bias=True, num_layers=1) -> int:
    """Weights plus biases of ``nn.RNN``: H*D + H*H + 2H per layer (PyTorch keeps two biases)."""
    return _param_count(1, input_size, hidden_size, bias, num_layers)


def rnn_step(x, h, params):
    """One step: tanh(W_ih x + b_ih + W_hh h + b_hh); x (D,), h (H,) -> (H,)."""
    p, hidden, d, _ = _check_params(params, 1, "RNN")
    return _rnn_step(p, _vector(x, d, "x"), _vector(h, hidden, "h"))


def _rnn_step(p, x, h):
    return np.tanh(p["weight_ih"] @ x + p["bias_ih"] + p["weight_hh"] @ h + p["bias_hh"])


def rnn_forward(xs, params, h0=None):
    """Run over xs (T, D) from h0 (zeros if None); return the hidden states h_1..h_T as (T, H)."""
    p, hidden, d, _ = _check_params(params, 1, "RNN")
    xs = _sequence(xs, d)
    h = _initial(h0, hidden, "h0")
    hs = np.empty((xs.shape[0], hidden))
    for t, x in enumerate(xs):
        h = hs[t] = _rnn_step(p, x, h)
    return hs


def rnn_step_backward(x, h, params, dh_next):
    """Back through one step given dL/dh' (H,); return (param grads dict, dL/dx, dL/dh)."""
    p, hidden, d, has_bias = _check_params(params, 1, "RNN")
    x, h = _vector(x, d, "x"), _vector(h, hidden, "h")
    dh_next = _vector(dh_next, hidden, "dh_next")
    return _rnn_backward(p, has_bias, x, h, _rnn_step(p, x, h), dh_next)


def _rnn_backward(p, has_bias, x, h_prev, h, dh):
    da = dh * (1.0 - h * h)  # tanh' = 1 - tanh^2
    grads = _outer_grads(da, da, x, h_prev, has_bias)
    return grads, p["weight_ih"].T @ da, p["weight_hh"].T @ da


@dataclass(frozen=True, eq=False)
class RNNGradients:
    """Result of ``rnn_bptt``.

    params: gradients keyed like the parameters; xs: dL/dx_t, (T, D); dh: dL/dh_t for
    t = 0..T, (T + 1, H), row 0 being the initial state; grad_norms: ||dh[t]||, (T + 1,);
    hs: the forward hidden states h_1..h_T, (T, H).
    """

    params: dict
    xs: np.ndarray
    dh: np.ndarray
    grad_norms: np.ndarray
    hs: np.ndarray

    @property
    def h0(self):
        """dL/dh_0, the gradient for the initial state."""
        return self.dh[0]


def rnn_bptt(xs, params, h0=None, grad_h=None) -> RNNGradients:
    """Back-propagation through time for the loss L = sum_t grad_h[t] . h_t.

    grad_h is (H,) for a loss on the final hidden state only (None means ones: L = sum(h_T)),
    or (T, H) giving the loss's own dL/dh_t at every step (e.g. from a read-out layer). The
    total dL/dh_t, which also counts every later step, is what ``grad_norms`` measures.
    """
    p, hidden, d, has_bias = _check_params(params, 1, "RNN")
    xs = _sequence(xs, d)
    steps = xs.shape[0]
    direct = _direct_grads(grad_h, steps, hidden)
    h0 = _initial(h0, hidden, "h0")
    hs = rnn_forward(xs, p, h0)
    prev = np.vstack([h0, hs])  # prev[t] = h_t, t = 0..T

    dh = np.zeros((steps + 1, hidden))
    dxs = np.zeros_like(xs)
    totals = {}
    carry = np.zeros(hidden)
    for t in range(steps - 1, -1, -1):
        dh[t + 1] = direct[t] + carry
        grads, dxs[t], carry = _rnn_backward(p, has_bias, xs[t], prev[t], prev[t + 1], dh[t + 1])
        _accumulate(totals, grads)
    dh[0] = carry
    return RNNGradients(totals, dxs, dh, np.linalg.norm(dh, axis=1), hs)


def spectral_radius(W) -> float:
    """Largest absolute eigenvalue of a square matrix."""
    W = np.asarray(W, dtype=float)
    if W.ndim != 2 or W.shape[0] != W.shape[1] or W.shape[0] == 0:
        raise ValueError(f"spectral radius needs a non-empty square matrix, got shape {W.shape}")
    return float(np.max(np.abs(np.linalg.eigvals(W))))


def scale_to_spectral_radius(W, rho):
    """W multiplied by a positive number so that its spectral radius becomes rho."""
    rho = float(rho)
    if not np.isfinite(rho) or rho < 0:
        raise ValueError(f"the target spectral radius must be a finite number >= 0, got {rho}")
    current = spectral_radius(W)
    if current == 0.0:
        raise ValueError("W has spectral radius 0 (e.g. all zeros or nilpotent): no scaling reaches rho")
    return np.asarray(W, dtype=float) * (rho / current)
