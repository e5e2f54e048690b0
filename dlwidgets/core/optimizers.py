"""The optimizers exactly as torch.optim defines them, defaults included, and Lookahead around any of them.

One pure step function per optimizer: ``new_param, new_state = adam_step(param, grad, state, lr=...)``.
``state`` is a dict named as torch names it ("step", "momentum_buffer", "exp_avg", ...), empty before
the first step; the step function never changes its arguments. Everything works element-wise, so a
param of shape (..., 2) runs many starts, or many learning rates (``lr`` of shape (..., 1)), at once.
The formulas follow the algorithms printed in torch.optim's documentation (PyTorch 2.x):
weight decay is L2 (added to the gradient) except in AdamW, which decays the weights themselves.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

__all__ = [
    "sgd_step", "adagrad_step", "rmsprop_step", "adam_step", "adamw_step", "radam_step", "lookahead_step",
    "OPTIMIZERS", "DEFAULTS", "radam_rho", "radam_rectification",
]


def _state(state: dict | None) -> dict:
    return {} if state is None else dict(state)


def _get(state: dict, name: str, like):
    """state[name], or zeros shaped like ``like`` before the first step."""
    value = state.get(name)
    return np.zeros_like(like) if value is None else value


def sgd_step(param, grad, state=None, *, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False):
    """torch.optim.SGD: g = grad + wd*p; b = g (first step) or momentum*b + (1 - dampening)*g;
    g = g + momentum*b (Nesterov) or b; p = p - lr*g."""
    if nesterov and (momentum <= 0 or dampening != 0):
        raise ValueError("Nesterov momentum requires a momentum and zero dampening")
    state = _state(state)
    param = np.asarray(param, dtype=float)
    g = np.asarray(grad, dtype=float)
    if weight_decay != 0:
        g = g + weight_decay * param
    state["step"] = state.get("step", 0) + 1
    if momentum != 0:
        buf = state.get("momentum_buffer")
        buf = g.copy() if buf is None else momentum * buf + (1 - dampening) * g
        state["momentum_buffer"] = buf
        g = g + momentum * buf if nesterov else buf
    return param - lr * g, state


def adagrad_step(param, grad, state=None, *, lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0,
                 eps=1e-10):
    """torch.optim.Adagrad: clr = lr / (1 + (t - 1)*lr_decay); sum += g^2; p = p - clr * g / (sqrt(sum) + eps)."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    g = np.asarray(grad, dtype=float)
    t = state.get("step", 0) + 1
    state["step"] = t
    if weight_decay != 0:
        g = g + weight_decay * param
    clr = lr / (1 + (t - 1) * lr_decay)
    total = state["sum"] + g * g if "sum" in state else np.full_like(param, initial_accumulator_value) + g * g
    state["sum"] = total
    return param - clr * g / (np.sqrt(total) + eps), state


def rmsprop_step(param, grad, state=None, *, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0,
                 centered=False):
    """torch.optim.RMSprop: v = alpha*v + (1 - alpha)*g^2 (centred: minus the square of the running mean of g);
    p = p - lr * g / (sqrt(v) + eps), or through a momentum buffer b = momentum*b + g / (sqrt(v) + eps)."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    g = np.asarray(grad, dtype=float)
    state["step"] = state.get("step", 0) + 1
    if weight_decay != 0:
        g = g + weight_decay * param
    square_avg = alpha * _get(state, "square_avg", param) + (1 - alpha) * g * g
    state["square_avg"] = square_avg
    if centered:
        grad_avg = alpha * _get(state, "grad_avg", param) + (1 - alpha) * g
        state["grad_avg"] = grad_avg
        avg = np.sqrt(square_avg - grad_avg * grad_avg) + eps
    else:
        avg = np.sqrt(square_avg) + eps
    if momentum > 0:
        buf = momentum * _get(state, "momentum_buffer", param) + g / avg
        state["momentum_buffer"] = buf
        return param - lr * buf, state
    return param - lr * g / avg, state


def _adam_moments(param, g, state, betas, amsgrad):
    """Update Adam's moments in ``state``; returns (t, m_hat, v_hat)."""
    beta1, beta2 = betas
    t = state.get("step", 0) + 1
    state["step"] = t
    m = beta1 * _get(state, "exp_avg", param) + (1 - beta1) * g
    v = beta2 * _get(state, "exp_avg_sq", param) + (1 - beta2) * g * g
    state["exp_avg"], state["exp_avg_sq"] = m, v
    if amsgrad:
        v = np.maximum(_get(state, "max_exp_avg_sq", param), v)
        state["max_exp_avg_sq"] = v
    return t, m / (1 - beta1 ** t), v / (1 - beta2 ** t)


def adam_step(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False):
    """torch.optim.Adam: m = b1*m + (1 - b1)*g; v = b2*v + (1 - b2)*g^2; m_hat = m / (1 - b1^t);
    v_hat = v / (1 - b2^t) (amsgrad: of the running maximum of v); p = p - lr * m_hat / (sqrt(v_hat) + eps)."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    g = np.asarray(grad, dtype=float)
    if weight_decay != 0:
        g = g + weight_decay * param
    _, m_hat, v_hat = _adam_moments(param, g, state, betas, amsgrad)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), state


def adamw_step(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False):
    """torch.optim.AdamW: first p = p - lr*wd*p (decoupled weight decay, not through the gradient), then Adam."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    param = param - lr * weight_decay * param
    _, m_hat, v_hat = _adam_moments(param, np.asarray(grad, dtype=float), state, betas, amsgrad)
    return param - lr * m_hat / (np.sqrt(v_hat) + eps), state


def radam_rho(t, beta2=0.999):
    """RAdam's rho_t = rho_inf - 2 t b2^t / (1 - b2^t), rho_inf = 2 / (1 - b2) - 1: the length of the
    simple moving average v approximates; the variance of the adaptive step is defined once it passes 4."""
    rho_inf = 2 / (1 - beta2) - 1
    return rho_inf - 2 * t * beta2 ** t / (1 - beta2 ** t)


def radam_rectification(t, beta2=0.999):
    """RAdam's r_t = sqrt((rho_t - 4)(rho_t - 2) rho_inf / ((rho_inf - 4)(rho_inf - 2) rho_t)) (used while rho_t > 5)."""
    rho_inf = 2 / (1 - beta2) - 1
    rho = radam_rho(t, beta2)
    return float(np.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho)))


def radam_step(param, grad, state=None, *, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
               decoupled_weight_decay=False):
    """torch.optim.RAdam: Adam's moments; while rho_t <= 5, p = p - lr * m_hat (momentum SGD, a built-in
    warm-up); after, p = p - lr * m_hat * r_t * sqrt(1 - b2^t) / (sqrt(v) + eps)."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    g = np.asarray(grad, dtype=float)
    if weight_decay != 0:
        if decoupled_weight_decay:
            param = param * (1 - lr * weight_decay)
        else:
            g = g + weight_decay * param
    beta1, beta2 = betas
    t = state.get("step", 0) + 1
    state["step"] = t
    m = beta1 * _get(state, "exp_avg", param) + (1 - beta1) * g
    v = beta2 * _get(state, "exp_avg_sq", param) + (1 - beta2) * g * g
    state["exp_avg"], state["exp_avg_sq"] = m, v
    m_hat = m / (1 - beta1 ** t)
    if radam_rho(t, beta2) > 5.0:
        adaptive = np.sqrt(1 - beta2 ** t) / (np.sqrt(v) + eps)
        return param - lr * m_hat * adaptive * radam_rectification(t, beta2), state
    return param - lr * m_hat, state


def lookahead_step(param, grad, state, inner: Callable, *, k=5, alpha=0.5, **inner_options):
    """Lookahead (Zhang et al., 2019) around ``inner``: the fast weights take ``inner``'s step; every k steps
    the slow weights move alpha of the way to them, slow = slow + alpha*(fast - slow), and the fast weights
    restart from there. The inner optimizer keeps its state. ``state`` holds "slow", "la_step" and "inner"."""
    state = _state(state)
    param = np.asarray(param, dtype=float)
    slow = state.get("slow", param)
    fast, state["inner"] = inner(param, grad, state.get("inner"), **inner_options)
    state["la_step"] = state.get("la_step", 0) + 1
    if state["la_step"] % k == 0:
        slow = slow + alpha * (fast - slow)
        fast = slow
    state["slow"] = slow
    return fast, state


OPTIMIZERS: dict[str, Callable] = {
    "sgd": sgd_step, "adagrad": adagrad_step, "rmsprop": rmsprop_step, "adam": adam_step, "adamw": adamw_step,
    "radam": radam_step,
}

# torch.optim's defaults, written out (PyTorch 2.x; SGD's lr default is 1e-3 since 2.2)
DEFAULTS: dict[str, dict] = {
    "sgd": dict(lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False),
    "adagrad": dict(lr=1e-2, lr_decay=0.0, weight_decay=0.0, initial_accumulator_value=0.0, eps=1e-10),
    "rmsprop": dict(lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0.0, momentum=0.0, centered=False),
    "adam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, amsgrad=False),
    "adamw": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2, amsgrad=False),
    "radam": dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, decoupled_weight_decay=False),
    "lookahead": dict(k=5, alpha=0.5),
}
