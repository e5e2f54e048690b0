"""Checks for lesson 01 (activation functions). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import grad_peak, saturated_fraction, sigmoid, sigmoid_grad, softmax, softmax_jacobian
from .checking import Case, Mistake, check_choice, check_function, check_value, register_hints

__all__ = ["check_sigmoid_second_derivative", "check_softmax_jacobian", "check_scaled_peak",
           "check_tanh_saturated_share", "check_zero_centred", "check_dead_relu", "sigmoid_second_derivative",
           "batched_softmax_jacobian", "SATURATION_GRID", "PEAK_SCALE"]

# ---------------------------------------------------------------- 1. the sigmoid's second derivative

STEP = 1e-5


def sigmoid_second_derivative(x):
    """sigma''(x) as the central difference of core's sigmoid_grad (an oracle independent of any formula)."""
    x = np.asarray(x, dtype=float)
    return (sigmoid_grad(x + STEP) - sigmoid_grad(x - STEP)) / (2 * STEP)


SECOND_CASES = [
    Case((0.0,), label="x = 0.0"), Case((1.5,), label="x = 1.5"), Case((-3.0,), label="x = -3.0"),
    Case((np.array([-2.0, -0.5, 0.25, 4.0]),), label="x = [-2, -0.5, 0.25, 4]"),
    Case((np.linspace(-8.0, 8.0, 9),), label="x = linspace(-8, 8, 9)"),
]
SECOND_HIDDEN_CASES = [Case((np.array([-12.0, -6.5, 0.1, 7.25, 12.0]),), label="x = [-12, -6.5, 0.1, 7.25, 12]"),
                       Case((np.array([[0.5, -0.5], [2.0, -2.0]]),), label="a 2x2 array x")]


def _s(x):
    return sigmoid(np.asarray(x, dtype=float))


SECOND_MISTAKES = [
    Mistake(lambda x: _s(x) * (1 - _s(x)) * (1 - _s(x)),
            "that is s(1 - s) * (1 - s): only the first factor was differentiated. By the product rule, "
            "d/dx [s (1 - s)] = s' (1 - s) + s (-s') = s' (1 - 2s) = s (1 - s)(1 - 2s)."),
    Mistake(lambda x: -_s(x) * _s(x) * (1 - _s(x)),
            "only the second term of the product rule is there (s * (-s')). Add s' (1 - s): the sum is s' (1 - 2s)."),
    Mistake(lambda x: 1 - 2 * _s(x),
            "that is d/ds [s (1 - s)] = 1 - 2s, the derivative with respect to s. The chain rule multiplies by "
            "ds/dx = s (1 - s)."),
    Mistake(lambda x: _s(x) * (1 - _s(x)),
            "that is the first derivative s (1 - s). Differentiate it once more."),
    Mistake(lambda x: _s(x) * (1 - _s(x)) * (1 + 2 * _s(x)),
            "a sign slipped: d/dx (1 - s) = -s', so the factor is (1 - 2s), not (1 + 2s)."),
]

register_hints("sigmoid_second_derivative", [
    "Start from the first derivative derived above, s' = s (1 - s), and differentiate it with the product rule.",
    "d/dx [s (1 - s)] = s' (1 - s) + s * d/dx(1 - s) = s' (1 - s) - s s'. Factor out s'.",
    "s = 1 / (1 + np.exp(-np.asarray(x, dtype=float)))\nreturn s * (1 - s) * (1 - 2 * s)",
])


def check_sigmoid_second_derivative(fn, hidden: bool = False) -> None:
    """The learner's sigmoid_second_derivative(x) against central differences of core.sigmoid_grad."""
    cases = SECOND_CASES + (SECOND_HIDDEN_CASES if hidden else [])
    check_function(fn, sigmoid_second_derivative, cases, exercise="sigmoid_second_derivative",
                   name="sigmoid_second_derivative", mistakes=SECOND_MISTAKES, rtol=1e-6, atol=1e-9)


# ---------------------------------------------------------------- 2. softmax Jacobian, one vector or a batch

def batched_softmax_jacobian(x):
    """core.softmax_jacobian of a 1-D x, or of each row of a 2-D x (stacked into (N, n, n))."""
    x = np.asarray(x, dtype=float)
    return softmax_jacobian(x) if x.ndim == 1 else np.array([softmax_jacobian(row) for row in x])


def _rows(jacobian):
    """A one-vector formula applied row by row, as a learner's loop would."""
    def batched(x):
        x = np.asarray(x, dtype=float)
        return jacobian(x) if x.ndim == 1 else np.array([jacobian(row) for row in x])
    return batched


SOFTMAX_CASES = [
    Case((np.array([0.0, 0.0]),), label="x = [0, 0]"),
    Case((np.array([1.0, 2.0, 3.0]),), label="x = [1, 2, 3]"),
    Case((np.array([0.5, -1.0, 2.0, 0.0]),), label="x = [0.5, -1, 2, 0]"),
    Case((np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]]),), label="a batch x = [[1, 2, 3], [0, 0, 0]]"),
    Case((np.array([1000.0, 999.0, -1000.0]),), label="x = [1000, 999, -1000] (large scores must not overflow)"),
]
SOFTMAX_HIDDEN_CASES = [Case((np.array([10.0, -10.0, 3.0, 3.0, 0.0]),), label="x = [10, -10, 3, 3, 0]"),
                        Case((np.array([7.0]),), label="x = [7] (one class)"),
                        Case((np.array([[-1000.0, 1000.0], [0.5, 0.5]]),), label="a batch with a row [-1000, 1000]")]

SOFTMAX_MISTAKES = [
    Mistake(_rows(lambda x: -np.outer(softmax(x), softmax(x))),
            "the diagonal term is missing. d s_i / d x_j = s_i (delta_ij - s_j): for i = j there is an "
            "extra + s_i, so J = diag(s) - s s^T, not - s s^T."),
    Mistake(_rows(lambda x: np.diag(softmax(x) * (1 - softmax(x)))),
            "only the diagonal is filled. Every output depends on every input (they share the "
            "normalising sum), so the off-diagonal entries are - s_i s_j."),
    Mistake(_rows(lambda x: np.diag(softmax(x))),
            "that is diag(s) alone. Subtract the outer product s s^T: J = diag(s) - s s^T."),
    Mistake(_rows(lambda x: np.outer(softmax(x), softmax(x)) - np.diag(softmax(x))),
            "the sign is flipped: J = diag(s) - s s^T (the diagonal entries s_i (1 - s_i) are positive)."),
]

register_hints("softmax_jacobian", [
    "Compute s = softmax(x) first, subtracting max(x) before exponentiating: e^1000 overflows to inf, and "
    "inf / inf is NaN. Then differentiate s_i = e^{x_i} / sum_k e^{x_k} with respect to x_j, for j = i and j != i.",
    "For j = i: s_i (1 - s_i). For j != i: - s_i s_j. Both are s_i (delta_ij - s_j). For a batch, do the same for "
    "each row (a loop is fine), or use s[:, :, None] * np.eye(n) - s[:, :, None] * s[:, None, :].",
    "x = np.asarray(x, dtype=float)\ne = np.exp(x - x.max(axis=-1, keepdims=True))\ns = e / e.sum(axis=-1, keepdims=True)\n"
    "return s[..., :, None] * np.eye(x.shape[-1]) - s[..., :, None] * s[..., None, :]",
])


def check_softmax_jacobian(fn, hidden: bool = False) -> None:
    """The learner's softmax_jacobian(x) of a 1-D x or a batch of rows against core.softmax_jacobian."""
    cases = SOFTMAX_CASES + (SOFTMAX_HIDDEN_CASES if hidden else [])
    check_function(fn, batched_softmax_jacobian, cases, exercise="softmax_jacobian", name="softmax_jacobian",
                   mistakes=SOFTMAX_MISTAKES, rtol=1e-7, atol=1e-12)


# ---------------------------------------------------------------- 3. predictions

PEAK_SCALE = 3.0

register_hints("scaled_peak", [
    "d/dx sigmoid(3x) needs the chain rule.",
    "d/dx sigmoid(3x) = 3 * sigmoid'(3x), and sigmoid' is at most 1/4.",
    "scaled_peak = 3 * 0.25",
])


def check_scaled_peak(answer) -> None:
    """The largest slope of sigmoid(3x): 3 times the sigmoid's peak derivative (chain rule)."""
    peak = grad_peak("sigmoid")
    check_value(answer, PEAK_SCALE * peak, exercise="scaled_peak", name="scaled_peak", rtol=1e-6, mistakes={
        peak: "that is the peak of sigmoid'(x). The inner function 3x multiplies the slope by 3 (chain rule).",
        peak / PEAK_SCALE: "the factor 3 multiplies the slope: a steeper curve, d/dx sigmoid(3x) = 3 sigmoid'(3x).",
        0.5: "0.5 is sigmoid(0), the value, not the slope.",
    })


# The inputs of the saturation prediction: 200,001 evenly spaced points on [-8, 8].
SATURATION_GRID = np.linspace(-8.0, 8.0, 200_001)

register_hints("tanh_saturated_share", [
    "In the explorer pick tanh and set x range to 8: the grey bands are where it is saturated. Where do they start?",
    "tanh(x) = 2 sigmoid(2x) - 1 is a sigmoid squeezed by 2 along x, so its bands start at half of sigmoid's 6: "
    "near |x| = 3. What share of [-8, 8] lies beyond |x| = 3?",
    "tanh_saturated_share = 2 * (8 - 3) / 16  # about 0.625",
])


def check_tanh_saturated_share(answer) -> None:
    """Share of x evenly spread on [-8, 8] where tanh is saturated (to 2% of the value)."""
    expected = saturated_fraction("tanh", SATURATION_GRID)
    check_value(answer, expected, exercise="tanh_saturated_share", name="tanh_saturated_share", rtol=0.02, atol=0.0,
                mistakes={
                    saturated_fraction("sigmoid", SATURATION_GRID):
                        "that is the share for sigmoid, whose bands start at |x| = 6. tanh is squeezed by 2: its "
                        "bands start near |x| = 3.",
                    1 - expected: "that is the share where tanh is NOT saturated (the white middle band).",
                })


# ---------------------------------------------------------------- 4. multiple choice

ZERO_CENTRED_OPTIONS = {
    "a": "Unbounded is not the point: ReLU outputs are never negative, so every x_i >= 0, and the gradient's "
         "components all take the sign of dL/dz, just as with sigmoid.",
    "b": "ReLU's derivative belongs to the layer that produced x, not to this neuron's weight gradient; what "
         "matters here is the sign of its inputs x_i.",
    "c": "dL/dw_i = dL/dz * x_i, and with every x_i >= 0 all components share the sign of dL/dz: in one "
         "example's update all weights go up together or down together, so reaching w = (-1, 1, -1) from "
         "(1, -1, 1) takes a zig-zag. Averaging over a mini-batch softens this, as the notes say; zero-centred "
         "inputs avoid it.",
    "d": "The bias gets dL/dz itself; it cannot change the signs of the weights' gradients dL/dz * x_i.",
}

register_hints("zero_centred", [
    "Write the gradient of z = w . x + b with respect to w_i for one example.",
    "dL/dw_i = dL/dz * x_i. What are the signs of x_i when x comes from a ReLU layer?",
    "The answer is (c).",
])


def check_zero_centred(answer) -> None:
    """Why non-negative inputs make a neuron's single-example weight updates zig-zag (B17)."""
    check_choice(answer, "c", ZERO_CENTRED_OPTIONS, exercise="zero_centred", name="zero_centred")


DEAD_RELU_OPTIONS = {
    "a": "Right. 84% is this batch's inactive share: for those examples the unit outputs 0 and passes no "
         "gradient, but the other 16% still train its weights. That is ordinary sparsity. A unit is dead only "
         "when its pre-activation is <= 0 for every input, for example after a large update pushed its bias "
         "far down; then its weights never change again. Leaky ReLU, ELU, a smaller learning rate or careful "
         "initialisation keep units alive.",
    "b": "The examples with x > 0 still send a gradient back to the unit's weights; a unit is dead only when no "
         "example does.",
    "c": "There is no such threshold: as long as some examples land on the active side, the unit keeps learning.",
    "d": "ReLU units can die: one whose pre-activation is <= 0 for every input gets no gradient at all.",
}

register_hints("dead_relu", [
    "In the explorer choose ReLU and move the input mean to -2. For which inputs is relu'(x) still 1?",
    "A unit learns from every example where it is active. When does it get no gradient at all?",
    "The answer is (a).",
])


def check_dead_relu(answer) -> None:
    """An inactive share is not a dead unit (E01)."""
    check_choice(answer, "a", DEAD_RELU_OPTIONS, exercise="dead_relu", name="dead_relu")
