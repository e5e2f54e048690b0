"""Initialisers: hand-worked limits and stds, large-sample statistics, orthogonality, seeding."""

import math
import warnings

import numpy as np
import pytest

from dlwidgets.core.init import (
    INITIALISERS,
    compute_fans,
    constant,
    glorot_limit,
    glorot_normal,
    glorot_uniform,
    he_normal,
    he_uniform,
    lecun_normal,
    lecun_uniform,
    orthogonal,
    small_normal,
    zeros,
)

BIG = (1000, 500)  # fan_out = 1000, fan_in = 500; 500,000 draws: sample std within ~0.1%


def test_glorot_limit_for_100_by_100_is_sqrt_of_6_over_200():
    assert glorot_limit(100, 100) == pytest.approx(0.17320508075688773, rel=1e-15)
    assert glorot_limit(3, 5) == pytest.approx(math.sqrt(0.75), rel=1e-15)
    assert glorot_limit(100, 100, gain=2.0) == pytest.approx(0.34641016151377546, rel=1e-15)


def test_fans_follow_pytorch_dense_weight_is_out_by_in_and_conv_multiplies_the_kernel():
    assert compute_fans((10, 3)) == (3, 10)
    assert compute_fans((64, 32, 3, 3)) == (288, 576)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        compute_fans((5,))


# name, call, expected std (hand-worked for fan_in = 500, fan_out = 1000), uniform bound or None
CASES = [
    ("small_normal", small_normal, 0.01, None),
    ("glorot_uniform", glorot_uniform, 0.036514837167011066, 0.0632455532033676),  # bound sqrt(6/1500)
    ("glorot_normal", glorot_normal, 0.036514837167011066, None),            # sqrt(2/1500)
    ("he_uniform", he_uniform, 0.0632455532033676, 0.10954451150103323),     # bound sqrt(6/500)
    ("he_normal", he_normal, 0.0632455532033676, None),                      # sqrt(2/500)
    ("lecun_uniform", lecun_uniform, 0.044721359549995794, 0.07745966692414834),  # bound sqrt(3/500)
    ("lecun_normal", lecun_normal, 0.044721359549995794, None),              # sqrt(1/500)
]


@pytest.mark.parametrize("name, init, std, bound", CASES, ids=[c[0] for c in CASES])
def test_large_sample_std_and_mean_match_the_formula(name, init, std, bound):
    w = init(BIG, np.random.default_rng(0))
    assert w.shape == BIG and w.dtype == np.float64
    assert abs(w.std() / std - 1) < 0.01
    assert abs(w.mean()) < 0.01 * std
    if bound is not None:
        assert np.max(np.abs(w)) <= bound
        assert np.max(np.abs(w)) > 0.999 * bound  # fills the whole interval


def test_uniform_bounds_are_what_pytorch_computes():
    rng = np.random.default_rng(0)
    # kaiming_uniform_ with a = 0: gain sqrt 2 * sqrt(3 / fan_in); xavier_uniform_: sqrt(6/(in+out))
    w = he_uniform((8, 6), rng)
    assert np.max(np.abs(w)) <= math.sqrt(2) * math.sqrt(3 / 6)
    w = he_normal((4000, 50), rng, mode="fan_out")
    assert abs(w.std() / math.sqrt(2 / 4000) - 1) < 0.01


def test_same_seed_gives_the_same_weights_and_another_seed_does_not():
    for name, init in INITIALISERS.items():
        a = init((6, 4), np.random.default_rng(7))
        b = init((6, 4), np.random.default_rng(7))
        np.testing.assert_array_equal(a, b)
        if name not in ("zeros", "constant"):
            assert not np.array_equal(a, init((6, 4), np.random.default_rng(8)))


@pytest.mark.parametrize("shape", [(5, 5), (3, 7), (7, 3)])
def test_orthogonal_rows_or_columns_are_orthonormal(shape):
    w = orthogonal(shape, np.random.default_rng(1))
    rows, cols = shape
    gram = w @ w.T if rows <= cols else w.T @ w
    np.testing.assert_allclose(gram, np.eye(min(shape)), atol=1e-14)


def test_orthogonal_conv_weight_flattens_all_but_the_first_axis():
    w = orthogonal((4, 2, 3, 3), np.random.default_rng(2), gain=2.0)
    flat = w.reshape(4, 18)
    np.testing.assert_allclose(flat @ flat.T, 4.0 * np.eye(4), atol=1e-13)


@pytest.mark.parametrize("shape", [(4, 4), (6, 3)])
def test_orthogonal_is_the_q_of_a_gaussian_with_positive_r_diagonal(shape):
    w = orthogonal(shape, np.random.default_rng(3))
    a = np.random.default_rng(3).normal(size=shape)  # the same Gaussian draw
    r = w.T @ a  # A = Q R, so R = Q^T A
    np.testing.assert_allclose(np.tril(r, -1), 0.0, atol=1e-13)
    assert np.all(np.diag(r) > 0)


def test_orthogonal_sign_fix_makes_the_first_entry_symmetric():
    # Householder QR alone makes Q[0, 0] <= 0 every time; a uniform orthogonal matrix has it
    # positive half the time. 400 draws: binomial std 0.025.
    rng = np.random.default_rng(4)
    positive = np.mean([orthogonal((4, 4), rng)[0, 0] > 0 for _ in range(400)])
    assert 0.4 < positive < 0.6


def test_zeros_and_constant_fill_without_warnings():
    with np.errstate(all="raise"), warnings.catch_warnings():
        warnings.simplefilter("error")
        z = zeros((3, 2))
        c = constant((3, 2), value=-0.5)
    np.testing.assert_array_equal(z, np.zeros((3, 2)))
    np.testing.assert_array_equal(c, np.full((3, 2), -0.5))
    np.testing.assert_array_equal(zeros(4), np.zeros(4))  # biases are 1-D


def test_every_registered_initialiser_takes_shape_and_rng():
    for name, init in INITIALISERS.items():
        w = init((5, 3), np.random.default_rng(0))
        assert w.shape == (5, 3), name
        assert np.all(np.isfinite(w)), name


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: glorot_uniform((4, 3), 0), TypeError, "numpy Generator"),
        (lambda: he_normal((4, 3), np.random.default_rng(0), mode="fan_avg"), ValueError, "'fan_in' or 'fan_out'"),
        (lambda: glorot_uniform((4,), np.random.default_rng(0)), ValueError, "at least 2 dimensions"),
        (lambda: orthogonal((4,), np.random.default_rng(0)), ValueError, "at least 2 dimensions"),
        (lambda: zeros((3, 0)), ValueError, "at least 1"),
        (lambda: zeros((3, 2.0)), TypeError, "whole numbers"),
        (lambda: small_normal((3, 2), np.random.default_rng(0), std=-1), ValueError, "positive"),
        (lambda: glorot_limit(0, 3), ValueError, "at least 1"),
    ],
)
def test_bad_arguments_raise_a_clear_message(call, error, words):
    with pytest.raises(error, match=words):
        call()
