"""Checks for lesson 01 (activation functions). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import grad_peak, saturated_fraction, sigmoid, sigmoid_grad, softmax, softmax_jacobian
from .checking import Case, Mistake, check_choice, check_function, check_value, register_hints

__all__ = ["check_sigmoid_derivative", "check_softmax_jacobian", "check_sigmoid_peak", "check_saturated_share",
           "check_zero_centred", "check_dead_relu", "SATURATION_GRID"]

# ---------------------------------------------------------------- 1. sigmoid derivative

SIGMOID_CASES = [
    Case((0.0,), label="x = 0.0"), Case((1.5,), label="x = 1.5"), Case((-3.0,), label="x = -3.0"),
    Case((np.array([-2.0, -0.5, 0.25, 4.0]),), label="x = [-2, -0.5, 0.25, 4]"),
    Case((np.linspace(-8.0, 8.0, 9),), label="x = linspace(-8, 8, 9)"),
]
SIGMOID_HIDDEN_CASES = [Case((np.array([-12.0, -6.5, 0.1, 7.25, 12.0]),), label="x = [-12, -6.5, 0.1, 7.25, 12]"),
                        Case((np.array([[0.5, -0.5], [2.0, -2.0]]),), label="a 2x2 array x")]

SIGMOID_MISTAKES = [
    Mistake(lambda x: sigmoid(x) * (1 + sigmoid(x)),
            "that is s * (1 + s). The derivative of s = 1/(1 + e^-x) is s * (1 - s): a minus sign."),
    Mistake(lambda x: sigmoid(x) * (1 - np.asarray(x, dtype=float)),
            "that is sigmoid(x) * (1 - x): the second factor must be 1 - sigmoid(x), not 1 - x."),
    Mistake(lambda x: 1 - sigmoid(x) ** 2,
            "that is 1 - s^2, the pattern of tanh's derivative (1 - tanh^2). For sigmoid it is s * (1 - s)."),
    Mistake(lambda x: sigmoid(x),
            "that is sigmoid itself. Differentiate: d/dx 1/(1 + e^-x) = e^-x / (1 + e^-x)^2 = s * (1 - s)."),
]

register_hints("sigmoid_derivative", [
    "Write s = sigmoid(x) and differentiate 1/(1 + e^-x) with the chain rule.",
    "d/dx (1 + e^-x)^-1 = e^-x / (1 + e^-x)^2, and e^-x / (1 + e^-x) = 1 - s.",
    "s = sigmoid(x)\nreturn s * (1 - s)",
])


def check_sigmoid_derivative(fn, hidden: bool = False) -> None:
    """The learner's sigmoid_derivative(x) against core.sigmoid_grad, on numbers and arrays."""
    cases = SIGMOID_CASES + (SIGMOID_HIDDEN_CASES if hidden else [])
    check_function(fn, sigmoid_grad, cases, exercise="sigmoid_derivative", name="sigmoid_derivative",
                   mistakes=SIGMOID_MISTAKES, rtol=1e-7, atol=1e-12)


# ---------------------------------------------------------------- 2. softmax Jacobian

SOFTMAX_CASES = [
    Case((np.array([0.0, 0.0]),), label="x = [0, 0]"),
    Case((np.array([1.0, 2.0, 3.0]),), label="x = [1, 2, 3]"),
    Case((np.array([0.5, -1.0, 2.0, 0.0]),), label="x = [0.5, -1, 2, 0]"),
]
SOFTMAX_HIDDEN_CASES = [Case((np.array([10.0, -10.0, 3.0, 3.0, 0.0]),), label="x = [10, -10, 3, 3, 0]"),
                        Case((np.array([7.0]),), label="x = [7] (one class)")]

SOFTMAX_MISTAKES = [
    Mistake(lambda x: -np.outer(softmax(x), softmax(x)),
            "the diagonal term is missing. d s_i / d x_j = s_i (delta_ij - s_j): for i = j there is an "
            "extra + s_i, so J = diag(s) - s s^T, not - s s^T."),
    Mistake(lambda x: np.diag(softmax(x) * (1 - softmax(x))),
            "only the diagonal is filled. Every output depends on every input (they share the "
            "normalising sum), so the off-diagonal entries are - s_i s_j."),
    Mistake(lambda x: np.diag(softmax(x)),
            "that is diag(s) alone. Subtract the outer product s s^T: J = diag(s) - s s^T."),
    Mistake(lambda x: np.outer(softmax(x), softmax(x)) - np.diag(softmax(x)),
            "the sign is flipped: J = diag(s) - s s^T (the diagonal entries s_i (1 - s_i) are positive)."),
]

register_hints("softmax_jacobian", [
    "Compute s = softmax(x) first (subtract max(x) before exponentiating). Then differentiate "
    "s_i = e^{x_i} / sum_k e^{x_k} with respect to x_j, separately for j = i and j != i.",
    "For j = i: s_i (1 - s_i). For j != i: - s_i s_j. Both are s_i (delta_ij - s_j).",
    "e = np.exp(x - np.max(x))\ns = e / e.sum()\nreturn np.diag(s) - np.outer(s, s)",
])


def check_softmax_jacobian(fn, hidden: bool = False) -> None:
    """The learner's softmax_jacobian(x) of a 1-D x against core.softmax_jacobian."""
    cases = SOFTMAX_CASES + (SOFTMAX_HIDDEN_CASES if hidden else [])
    check_function(fn, softmax_jacobian, cases, exercise="softmax_jacobian", name="softmax_jacobian",
                   mistakes=SOFTMAX_MISTAKES, rtol=1e-7, atol=1e-12)


# ---------------------------------------------------------------- 3. predictions

register_hints("sigmoid_peak", [
    "Where is sigmoid steepest? Its derivative is s * (1 - s).",
    "s * (1 - s) is largest when s = 1/2, which happens at x = 0.",
    "sigmoid_peak = 0.25",
])


def check_sigmoid_peak(answer) -> None:
    """The largest value the sigmoid's derivative takes."""
    check_value(answer, grad_peak("sigmoid"), exercise="sigmoid_peak", name="sigmoid_peak", mistakes={
        0.5: "0.5 is sigmoid(0), the value of the function, not of its slope s * (1 - s) = 0.5 * 0.5.",
        1.0: "1 is the peak of tanh's derivative. Sigmoid is flatter: s * (1 - s) <= 1/4.",
    })


# The inputs of the saturation prediction: 200,001 evenly spaced points on [-10, 10].
SATURATION_GRID = np.linspace(-10.0, 10.0, 200_001)

register_hints("saturated_share", [
    "In the explorer pick sigmoid and set x range to 10: the grey bands are where it is saturated. "
    "Read off where they start.",
    "The bands start near |x| = 6 (where sigmoid' falls below 1% of its peak 0.25). What share of "
    "[-10, 10] lies beyond |x| = 6?",
    "saturated_share = 0.4  # 2 * (10 - 6) / 20, read from the grey bands",
])


def check_saturated_share(answer) -> None:
    """Share of x evenly spread on [-10, 10] where sigmoid is saturated (to 2% of the value)."""
    expected = saturated_fraction("sigmoid", SATURATION_GRID)
    check_value(answer, expected, exercise="saturated_share", name="saturated_share", rtol=0.02, atol=0.0,
                mistakes={
                    saturated_fraction("tanh", SATURATION_GRID):
                        "that is the share for tanh, whose bands start at |x| = 3. Sigmoid is wider: "
                        "its bands start at |x| = 6.",
                    1 - expected: "that is the share where sigmoid is NOT saturated (the white middle band).",
                })


# ---------------------------------------------------------------- 4. multiple choice

ZERO_CENTRED_OPTIONS = {
    "a": "Sigmoid outputs are all positive, but that does not make the loss gradient dL/dz positive; "
         "its sign changes from example to example.",
    "b": "dL/dw_i = dL/dz * x_i, and with every x_i > 0 all components share the sign of dL/dz: "
         "in one example's update all weights go up together or down together, so reaching "
         "w = (-1, 1, -1) from (1, -1, 1) takes a zig-zag. Averaging over a mini-batch softens this, as "
         "the notes say; zero-centred activations (tanh) avoid it.",
    "c": "Saturation (small derivatives) is a separate weakness of sigmoid; it shrinks gradients, it "
         "does not fix their signs.",
    "d": "The bias gets dL/dz itself; the problem is that the weights' gradients all share one sign.",
}

register_hints("zero_centred", [
    "Write the gradient of z = w . x + b with respect to w_i for one example.",
    "dL/dw_i = dL/dz * x_i. What are the signs of x_i when x comes from a sigmoid layer?",
    "The answer is (b).",
])


def check_zero_centred(answer) -> None:
    """Why sigmoid's positive outputs make the next layer's weight updates zig-zag (B17)."""
    check_choice(answer, "b", ZERO_CENTRED_OPTIONS, exercise="zero_centred", name="zero_centred")


DEAD_RELU_OPTIONS = {
    "a": "A ReLU with a negative pre-activation outputs 0 AND has derivative 0 there, so no gradient "
         "flows back to its weights from those examples; it does not recover by itself.",
    "b": "If a unit's pre-activation is negative for every input (for example after a large "
         "update pushed its bias far down), it outputs 0 and its gradient is 0 for every example: its "
         "weights never change again. Leaky ReLU (slope 0.01 for x < 0), ELU, a smaller learning rate or "
         "careful initialisation keep units alive.",
    "c": "ReLU does not saturate for x > 0 (its derivative is exactly 1 there); dead units are about x < 0.",
    "d": "Sigmoid units saturate but never have a derivative of exactly 0; 'dead' refers to ReLU's flat half.",
}

register_hints("dead_relu", [
    "In the explorer choose ReLU and move the input mean to -2. What happens to the derivative "
    "for most inputs?",
    "A unit whose inputs always land where relu'(x) = 0 gets no gradient at all.",
    "The answer is (b).",
])


def check_dead_relu(answer) -> None:
    """What a dead ReLU is (E01)."""
    check_choice(answer, "b", DEAD_RELU_OPTIONS, exercise="dead_relu", name="dead_relu")
