"""Activations and derivatives against hand-worked values, math-module formulas and finite differences."""

import math
import warnings

import numpy as np
import pytest

from dlwidgets.core.activations import (
    ACTIVATIONS,
    activation_and_grad,
    dead_fraction,
    elu,
    elu_grad,
    gelu,
    gelu_grad,
    grad_peak,
    leaky_relu,
    leaky_relu_grad,
    log_softmax,
    log_softmax_jacobian,
    maxout,
    maxout_grad,
    relu,
    relu_grad,
    saturated_fraction,
    sigmoid,
    sigmoid_grad,
    softmax,
    softmax_jacobian,
    softmax_vjp,
    tanh,
    tanh_grad,
)

H = 1e-6
# Points away from the kinks at 0 (ReLU, leaky ReLU, ELU's second derivative).
GRID = np.concatenate([np.linspace(-8.0, -0.05, 41), np.linspace(0.05, 8.0, 41)])


def central_difference(f, x, h=H):
    return (f(x + h) - f(x - h)) / (2 * h)


def phi(x):
    return math.exp(-x * x / 2) / math.sqrt(2 * math.pi)


def Phi(x):
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_every_registered_derivative_matches_central_differences(name):
    f, grad = ACTIVATIONS[name]
    np.testing.assert_allclose(grad(GRID), central_difference(f, GRID), rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("alpha", [0.2, 1.7])
def test_leaky_relu_and_elu_derivatives_match_central_differences_for_other_alphas(alpha):
    np.testing.assert_allclose(
        leaky_relu_grad(GRID, alpha), central_difference(lambda t: leaky_relu(t, alpha), GRID), rtol=1e-6, atol=1e-9
    )
    np.testing.assert_allclose(
        elu_grad(GRID, alpha), central_difference(lambda t: elu(t, alpha), GRID), rtol=1e-6, atol=1e-9
    )


def test_sigmoid_hand_worked_values_and_its_derivative_peaks_at_a_quarter():
    assert sigmoid(0.0) == 0.5
    assert sigmoid_grad(0.0) == 0.25
    xs = np.linspace(-10, 10, 2001)
    assert np.max(sigmoid_grad(xs)) == 0.25
    assert xs[np.argmax(sigmoid_grad(xs))] == 0.0
    np.testing.assert_allclose(sigmoid(1.0), 1 / (1 + math.e ** -1), rtol=1e-15)
    np.testing.assert_allclose(sigmoid(np.log(3.0)), 0.75, rtol=1e-15)  # 1 / (1 + 1/3)


def test_tanh_derivative_is_one_at_zero_and_matches_one_minus_tanh_squared():
    assert tanh_grad(0.0) == 1.0
    xs = np.linspace(-3, 3, 61)
    np.testing.assert_allclose(tanh_grad(xs), [1 - math.tanh(v) ** 2 for v in xs], rtol=1e-13, atol=1e-16)
    np.testing.assert_allclose(tanh(xs), [math.tanh(v) for v in xs], rtol=1e-15)


def test_tails_keep_relative_precision_where_naive_formulas_cancel_to_zero():
    np.testing.assert_allclose(sigmoid(-30.0), math.exp(-30) / (1 + math.exp(-30)), rtol=1e-15)
    np.testing.assert_allclose(sigmoid_grad(40.0), math.exp(-40) / (1 + math.exp(-40)) ** 2, rtol=1e-14)
    assert 1 - float(sigmoid(40.0)) == 0.0  # the naive s(1 - s) would give 0 here
    np.testing.assert_allclose(tanh_grad(20.0), 1 / math.cosh(20.0) ** 2, rtol=1e-14)
    assert 1 - math.tanh(20.0) ** 2 == 0.0


def test_relu_leaky_relu_and_elu_hand_worked_values_including_the_kink():
    np.testing.assert_array_equal(relu([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu_grad([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])  # 0 at the kink, like PyTorch
    np.testing.assert_allclose(leaky_relu([-2.0, 3.0]), [-0.02, 3.0])
    np.testing.assert_array_equal(leaky_relu_grad([-2.0, 0.0, 3.0]), [0.01, 0.01, 1.0])
    np.testing.assert_allclose(elu([-1.0, 2.0]), [math.exp(-1) - 1, 2.0], rtol=1e-15)
    np.testing.assert_allclose(elu(-1e-10), -1e-10 + 5e-21, rtol=1e-15)  # expm1 keeps the digits near 0
    np.testing.assert_allclose(elu_grad([-1.0, 0.0, 2.0], alpha=2.0), [2 * math.exp(-1), 2.0, 1.0], rtol=1e-15)


def test_exact_gelu_matches_the_erf_formula_pytorch_uses():
    xs = np.linspace(-5, 5, 101)
    np.testing.assert_allclose(gelu(xs), [v * Phi(v) for v in xs], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(gelu_grad(xs), [Phi(v) + v * phi(v) for v in xs], rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(gelu(1.0), 0.8413447460685429, rtol=1e-15)  # Phi(1)


def test_exact_gelu_left_tail_matches_the_mills_ratio_series():
    # Phi(-x) = phi(x)/x * sum_k (-1)^k (2k-1)!! / x^(2k); at x = 10 the terms shrink by (2k+1)/100,
    # so 30 terms leave an error far below double precision.
    x = 10.0
    terms, term = [], 1.0
    for k in range(30):
        terms.append(term)
        term *= -(2 * k + 1) / x ** 2
    series = phi(x) / x * math.fsum(terms)
    np.testing.assert_allclose(gelu(-x), -x * series, rtol=1e-12)
    assert -x * Phi(-x) == 0.0  # 1 + erf(-x/sqrt 2) cancels: the naive formula loses everything


def test_tanh_approximate_gelu_matches_pytorchs_formula():
    xs = np.linspace(-5, 5, 101)
    c = math.sqrt(2 / math.pi)
    want = [0.5 * v * (1 + math.tanh(c * (v + 0.044715 * v ** 3))) for v in xs]
    np.testing.assert_allclose(gelu(xs, approximate="tanh"), want, rtol=1e-13, atol=1e-15)
    np.testing.assert_allclose(
        gelu_grad(GRID, approximate="tanh"),
        central_difference(lambda t: gelu(t, approximate="tanh"), GRID),
        rtol=1e-6,
        atol=1e-9,
    )


def test_gelu_derivative_peaks_at_root_two():
    want = Phi(math.sqrt(2)) + math.sqrt(2) * phi(math.sqrt(2))
    np.testing.assert_allclose(gelu_grad(math.sqrt(2)), want, rtol=1e-14)
    np.testing.assert_allclose(grad_peak("gelu"), want, rtol=1e-8)
    assert grad_peak("sigmoid") == 0.25 and grad_peak("tanh") == 1.0 and grad_peak("relu") == 1.0


EXTREMES = np.array([-1e308, -1e5, -1000.0, -745.0, -40.0, -1.0, 0.0, 1.0, 40.0, 1000.0, 1e5, 1e308])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_extreme_inputs_give_finite_results_and_no_floating_point_warnings(name):
    f, grad = ACTIVATIONS[name]
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        values, slopes = f(EXTREMES), grad(EXTREMES)
    assert np.all(np.isfinite(values)) and np.all(np.isfinite(slopes))


def test_sigmoid_saturates_to_exact_zero_and_one_without_overflow():
    with np.errstate(all="raise"):
        np.testing.assert_array_equal(sigmoid([-1000.0, 1000.0]), [0.0, 1.0])
        np.testing.assert_array_equal(sigmoid_grad([-1000.0, 1000.0]), [0.0, 0.0])


def test_softmax_of_1_2_3_hand_worked():
    e = [math.exp(1), math.exp(2), math.exp(3)]
    want = [v / sum(e) for v in e]
    np.testing.assert_allclose(softmax([1.0, 2.0, 3.0]), want, rtol=1e-15)
    np.testing.assert_allclose(softmax([1.0, 2.0, 3.0]), [0.09003057317038046, 0.24472847105479767, 0.6652409557748219])
    np.testing.assert_allclose(log_softmax([1.0, 2.0, 3.0]), [math.log(v) for v in want], rtol=1e-15)


def test_softmax_and_log_softmax_are_stable_for_huge_logits():
    with np.errstate(all="raise"):
        s = softmax([1000.0, -1000.0, 0.0])
        ls = log_softmax([1000.0, -1000.0, 0.0])
        s_equal = softmax([1000.0, 1000.0])
    np.testing.assert_array_equal(s, [1.0, 0.0, 0.0])
    np.testing.assert_allclose(ls, [0.0, -2000.0, -1000.0], rtol=1e-15, atol=0)
    np.testing.assert_array_equal(s_equal, [0.5, 0.5])


def test_softmax_is_shift_invariant_and_normalises_along_the_chosen_axis():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(3, 4))
    for axis in (0, 1, -1):
        s = softmax(x, axis=axis)
        np.testing.assert_allclose(s.sum(axis=axis), 1.0, rtol=1e-15)
        np.testing.assert_allclose(softmax(x + 123.0, axis=axis), s, rtol=1e-12)
        np.testing.assert_allclose(log_softmax(x, axis=axis), np.log(s), rtol=1e-13)


def test_softmax_jacobian_matches_central_differences_and_rows_sum_to_zero():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    fd = np.stack([central_difference(lambda t: softmax(x + t * e), 0.0) for e in np.eye(4)], axis=1)
    J = softmax_jacobian(x)
    np.testing.assert_allclose(J, fd, rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(J.sum(axis=0), 0.0, atol=1e-16)
    np.testing.assert_allclose(J, J.T, atol=0)


def test_softmax_jacobian_of_two_equal_logits_is_hand_worked():
    # s = (1/2, 1/2): diag(s) - s s^T = [[1/4, -1/4], [-1/4, 1/4]].
    np.testing.assert_array_equal(softmax_jacobian([5.0, 5.0]), [[0.25, -0.25], [-0.25, 0.25]])


def test_log_softmax_jacobian_and_softmax_vjp_match_central_differences():
    x = np.array([0.3, -1.2, 2.0, 0.7])
    fd = np.stack([central_difference(lambda t: log_softmax(x + t * e), 0.0) for e in np.eye(4)], axis=1)
    np.testing.assert_allclose(log_softmax_jacobian(x), fd, rtol=1e-6, atol=1e-10)
    g = np.array([1.0, -2.0, 0.5, 3.0])
    fd_vjp = [central_difference(lambda t: g @ softmax(x + t * e), 0.0) for e in np.eye(4)]
    np.testing.assert_allclose(softmax_vjp(x, g), fd_vjp, rtol=1e-6, atol=1e-10)


def test_maxout_takes_the_max_of_consecutive_groups():
    x = np.array([[1.0, 5.0, 2.0, -1.0, -3.0, -2.0]])
    np.testing.assert_array_equal(maxout(x, 2), [[5.0, 2.0, -2.0]])
    np.testing.assert_array_equal(maxout(x, 3), [[5.0, -1.0]])
    np.testing.assert_array_equal(maxout(x, 1), x)


def test_maxout_gradient_matches_central_differences_and_ties_go_to_the_first():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 6))
    fd = np.zeros_like(x)
    g_out = rng.normal(size=(2, 3))
    for idx in np.ndindex(*x.shape):
        e = np.zeros_like(x); e[idx] = 1.0
        fd[idx] = central_difference(lambda t: np.sum(g_out * maxout(x + t * e, 2)), 0.0)
    np.testing.assert_allclose(maxout_grad(x, 2) * np.repeat(g_out, 2, axis=-1), fd, rtol=1e-6, atol=1e-10)
    np.testing.assert_array_equal(maxout_grad([3.0, 3.0, 1.0, 0.0], 2), [1.0, 0.0, 1.0, 0.0])


@pytest.mark.parametrize("pieces, error, words", [(4, ValueError, "do not split"), (0, ValueError, "at least 1"),
                                                   (2.0, TypeError, "whole number")])
def test_maxout_rejects_groups_that_do_not_fit(pieces, error, words):
    with pytest.raises(error, match=words):
        maxout(np.zeros(6), pieces)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_fused_value_and_grad_gives_exactly_the_separate_results(name):
    f, grad = ACTIVATIONS[name]
    x = np.linspace(-12, 12, 97)
    value, slope = activation_and_grad(name, x)
    np.testing.assert_array_equal(value, f(x))
    np.testing.assert_array_equal(slope, grad(x))


def test_saturated_fraction_counts_derivatives_below_one_percent_of_the_peak():
    # sigmoid' < 0.01 * 0.25 beyond |x| = logit((1 + sqrt(0.99)) / 2) ~ 5.99
    s = (1 + math.sqrt(0.99)) / 2
    edge = math.log(s / (1 - s))
    assert 5.98 < edge < 6.0
    assert saturated_fraction("sigmoid", [0.0, edge - 0.01, edge + 0.01, -7.0]) == 0.5
    # tanh' < 0.01 beyond |x| = atanh(sqrt(0.99)) ~ 2.99
    edge = math.atanh(math.sqrt(0.99))
    assert saturated_fraction("tanh", [0.0, edge - 0.01, -edge - 0.01, 3.5]) == 0.5
    assert saturated_fraction("tanh", [0.5, 1.0], threshold=0.6) == 0.5  # tanh'(1) = 0.42, tanh'(0.5) = 0.79


def test_dead_fraction_counts_relu_inputs_at_or_below_zero_and_matches_relu_saturation():
    x = [-1.0, 0.0, 0.5, 2.0, -3.0]
    assert dead_fraction(x) == 0.6
    assert saturated_fraction("relu", x) == dead_fraction(x)


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: saturated_fraction("swish", [1.0]), ValueError, "unknown activation"),
        (lambda: saturated_fraction("tanh", [1.0], threshold=0), ValueError, "positive"),
        (lambda: dead_fraction([]), ValueError, "empty"),
        (lambda: gelu([1.0], approximate="erf"), ValueError, "'none' or 'tanh'"),
        (lambda: sigmoid(["a"]), TypeError, "real numbers"),
        (lambda: softmax([1.0, np.inf]), ValueError, "finite"),
        (lambda: softmax([1.0, 2.0], axis=1), ValueError, "out of range"),
        (lambda: softmax_jacobian(np.ones((2, 2))), ValueError, "1-D"),
        (lambda: leaky_relu([1.0], alpha="0.1"), TypeError, "real number"),
    ],
)
def test_bad_input_raises_a_clear_message(call, error, words):
    with pytest.raises(error, match=words):
        call()
