"""Convolution arithmetic and conv2d against hand-worked numbers and a brute-force loop."""

import itertools

import numpy as np
import pytest

from dlwidgets.core import conv2d, mode_output_size, output_size, resolve_padding

from .oracles import brute_conv2d


@pytest.mark.parametrize(
    "n, k, p, s, d, expected",
    [
        (32, 3, 1, 1, 1, 32),    # 'same' 3x3
        (32, 3, 0, 1, 1, 30),    # valid: 32 - 3 + 1
        (32, 5, 2, 2, 1, 16),    # floor((32 + 4 - 4 - 1)/2) + 1 = 15 + 1
        (227, 11, 0, 4, 1, 55),  # AlexNet conv1
        (224, 7, 3, 2, 1, 112),  # ResNet stem
        (7, 3, 0, 2, 1, 3),
        (8, 3, 0, 2, 1, 3),      # floor(5/2) + 1 = 3: the last column is never covered
        (10, 3, 0, 1, 2, 6),     # dilated kernel spans 5 cells: 10 - 5 + 1
        (10, 3, 2, 1, 2, 10),    # dilation 2 needs padding 2 to keep the size
    ],
)
def test_output_size_matches_hand_worked_examples(n, k, p, s, d, expected):
    assert output_size(n, k, p, s, d) == expected


@pytest.mark.parametrize("m, k", [(7, 3), (5, 5), (10, 1), (6, 4)])
def test_valid_same_full_sizes_are_m_minus_k_plus_1_m_and_m_plus_k_minus_1(m, k):
    assert mode_output_size(m, k, "valid") == m - k + 1
    assert mode_output_size(m, k, "same") == m
    assert mode_output_size(m, k, "full") == m + k - 1


def test_same_padding_puts_the_odd_cell_after_like_pytorch():
    assert resolve_padding("same", 4) == (1, 2)
    assert resolve_padding("same", 3, dilation=2) == (2, 2)


@pytest.mark.parametrize(
    "args, words",
    [
        ((4, 7, 0, 1, 1), "spans 7 cells"),
        ((5, 3, 0, 0, 1), "stride must be at least 1"),
        ((5, 3, -1, 1, 1), "padding must not be negative"),
        ((5, 0, 0, 1, 1), "kernel size must be at least 1"),
        ((5, 3, 0, 1, 0), "dilation must be at least 1"),
        ((5, 3, "same", 2, 1), "needs stride 1"),
        ((5, 3, "half", 1, 1), "padding must be a number or one of"),
    ],
)
def test_impossible_settings_raise_a_clear_message(args, words):
    with pytest.raises(ValueError, match=words):
        output_size(*args)


def test_non_integer_sizes_are_rejected_with_a_type_error():
    with pytest.raises(TypeError, match="whole number"):
        output_size(5.0, 3)


def test_conv2d_hand_worked_3x3_by_2x2():
    x = np.arange(9.0).reshape(1, 1, 3, 3)           # 0 1 2 / 3 4 5 / 6 7 8
    w = np.array([[[[1.0, 0.0], [0.0, -1.0]]]])      # top-left minus bottom-right
    out = conv2d(x, w, bias=[0.5])
    np.testing.assert_allclose(out, [[[[0 - 4 + 0.5, 1 - 5 + 0.5], [3 - 7 + 0.5, 4 - 8 + 0.5]]]])


def test_conv2d_is_cross_correlation_not_flipped():
    x = np.zeros((1, 1, 3, 3)); x[0, 0, 1, 1] = 1.0  # an impulse
    w = np.arange(9.0).reshape(1, 1, 3, 3)
    out = conv2d(x, w, padding=1)
    # Cross-correlation of an impulse gives the kernel rotated by 180 degrees.
    np.testing.assert_allclose(out[0, 0], w[0, 0, ::-1, ::-1])


CONFIGS = list(itertools.product([1, 2], [0, 1, 2], [1, 2], [1, 2], [True, False]))


@pytest.mark.parametrize("stride, padding, dilation, groups, with_bias", CONFIGS)
def test_conv2d_matches_brute_force_loop(stride, padding, dilation, groups, with_bias):
    rng = np.random.default_rng(stride * 100 + padding * 10 + dilation + groups * 7)
    x = rng.normal(size=(2, 4, 7, 6))
    w = rng.normal(size=(6, 4 // groups, 3, 2))
    b = rng.normal(size=6) if with_bias else None
    got = conv2d(x, w, b, stride, padding, dilation, groups)
    want = brute_conv2d(x.tolist(), w.tolist(), None if b is None else b.tolist(), stride, padding, dilation, groups)
    np.testing.assert_allclose(got, np.array(want), rtol=1e-12, atol=1e-12)


def test_conv2d_modes_give_the_classic_sizes_and_full_matches_explicit_padding():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(1, 1, 6, 6)), rng.normal(size=(1, 1, 3, 3))
    assert conv2d(x, w, padding="valid").shape[-2:] == (4, 4)
    assert conv2d(x, w, padding="same").shape[-2:] == (6, 6)
    np.testing.assert_allclose(conv2d(x, w, padding="full"), conv2d(x, w, padding=2))


def test_conv2d_same_with_even_kernel_pads_after():
    rng = np.random.default_rng(1)
    x, w = rng.normal(size=(1, 1, 5, 5)), rng.normal(size=(1, 1, 2, 2))
    out = conv2d(x, w, padding="same")
    xp = np.pad(x, ((0, 0), (0, 0), (0, 1), (0, 1)))
    np.testing.assert_allclose(out, conv2d(xp, w))


def test_conv2d_unbatched_input_returns_unbatched_output():
    x, w = np.ones((2, 4, 4)), np.ones((3, 2, 3, 3))
    out = conv2d(x, w)
    assert out.shape == (3, 2, 2)
    np.testing.assert_allclose(out, 18.0)


def test_one_by_one_conv_is_a_per_pixel_linear_map_over_channels():
    rng = np.random.default_rng(2)
    x, w = rng.normal(size=(1, 5, 4, 4)), rng.normal(size=(3, 5, 1, 1))
    want = np.einsum("oc,nchw->nohw", w[:, :, 0, 0], x)
    np.testing.assert_allclose(conv2d(x, w), want)


@pytest.mark.parametrize(
    "x_shape, w_shape, groups, words",
    [((1, 4, 5, 5), (2, 3, 3, 3), 1, "expects 3 input channels"),
     ((1, 4, 5, 5), (3, 2, 3, 3), 2, "must divide"),
     ((4, 5, 5, 5, 1), (2, 4, 3, 3), 1, "x must have shape")],
)
def test_conv2d_shape_mismatches_raise_a_clear_message(x_shape, w_shape, groups, words):
    with pytest.raises(ValueError, match=words):
        conv2d(np.zeros(x_shape), np.zeros(w_shape), groups=groups)
