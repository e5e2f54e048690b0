"""Losses against hand-worked numbers, plain-loop definitions and finite differences of their own values."""

import math

import numpy as np
import pytest

from dlwidgets.core import (binary_cross_entropy_with_logits, cross_entropy, nll_loss, saturated_and_wrong,
                            sigmoid_cross_entropy_grad,
                            sigmoid_mse, sigmoid_mse_grad, softplus)
from dlwidgets.core import log_softmax

from .oracles import numeric_grad, sig


def loop_cross_entropy(z, y, w=None, ignore=-100, eps=0.0, reduction="mean"):
    """PyTorch's documented formula, one example and one class at a time."""
    n, c = z.shape
    w = np.ones(c) if w is None else w
    total, denominator, per = 0.0, 0.0, []
    for i in range(n):
        if y[i] == ignore:
            per.append(0.0)
            continue
        logp = [z[i, k] - math.log(sum(math.exp(z[i, j]) for j in range(c))) for k in range(c)]
        hard = -w[y[i]] * logp[y[i]]
        smooth = -sum(w[k] * logp[k] for k in range(c)) / c
        per.append((1 - eps) * hard + eps * smooth)
        total += per[-1]
        denominator += w[y[i]]
    return {"mean": total / denominator, "sum": total, "none": np.array(per)}[reduction]


CASES = [
    dict(),
    dict(weight=np.array([0.2, 1.0, 3.0, 0.5])),
    dict(ignore_index=1),
    dict(label_smoothing=0.1),
    dict(weight=np.array([0.2, 1.0, 3.0, 0.5]), ignore_index=2, label_smoothing=0.25),
]


@pytest.mark.parametrize("options", CASES)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_matches_the_documented_formula_and_finite_differences(options, reduction):
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 4)) * 2
    y = np.array([0, 1, 2, 3, 2])
    loss, grad = cross_entropy(z, y, reduction=reduction, **options)
    want = loop_cross_entropy(z, y, options.get("weight"), options.get("ignore_index", -100),
                              options.get("label_smoothing", 0.0), reduction)
    np.testing.assert_allclose(loss, want, rtol=1e-12)
    total = lambda: np.sum(cross_entropy(z, y, reduction=reduction, **options)[0])
    np.testing.assert_allclose(grad, numeric_grad(total, z), atol=1e-7)


def test_cross_entropy_hand_worked_and_huge_logits():
    # logits [0, ln 3]: softmax [1/4, 3/4]; target 1 -> loss ln(4/3), gradient [1/4, -1/4]
    loss, grad = cross_entropy([[0.0, math.log(3)]], [1])
    assert loss == pytest.approx(math.log(4 / 3))
    np.testing.assert_allclose(grad, [[0.25, -0.25]])
    loss, grad = cross_entropy([[1000.0, -1000.0]], [1])
    assert loss == pytest.approx(2000.0) and np.all(np.isfinite(grad))
    np.testing.assert_allclose(grad, [[1.0, -1.0]])


def test_cross_entropy_says_what_is_wrong():
    with pytest.raises(ValueError, match="mean over nothing"):
        cross_entropy([[1.0, 2.0]], [-100])
    with pytest.raises(ValueError, match="in \\[0, 2\\)"):
        cross_entropy([[1.0, 2.0]], [2])
    with pytest.raises(TypeError, match="integer class indices"):
        cross_entropy([[1.0, 2.0]], [1.0])
    with pytest.raises(ValueError, match="one entry per class"):
        cross_entropy([[1.0, 2.0]], [1], weight=[1.0])


def test_nll_of_log_softmax_is_cross_entropy():
    rng = np.random.default_rng(1)
    z, y, w = rng.normal(size=(6, 3)), np.array([0, 2, 1, 1, -100, 2]), np.array([1.0, 2.0, 0.5])
    ce, _ = cross_entropy(z, y, weight=w)
    nll, grad = nll_loss(log_softmax(z), y, weight=w)
    assert nll == pytest.approx(ce, rel=1e-12)
    lp = log_softmax(z)
    np.testing.assert_allclose(grad, numeric_grad(lambda: nll_loss(lp, y, weight=w)[0], lp), atol=1e-8)


@pytest.mark.parametrize("options", [dict(), dict(weight=np.array([1.0, 0.5, 2.0])), dict(pos_weight=3.0)])
def test_bce_with_logits_matches_the_textbook_formula_and_finite_differences(options):
    z = np.array([-3.0, 0.2, 4.0])
    y = np.array([0.0, 1.0, 0.3])
    w = options.get("weight", np.ones(3))
    p = options.get("pos_weight", 1.0)
    want = np.mean(-w * (p * y * np.log(sig(z)) + (1 - y) * np.log(1 - sig(z))))
    loss, grad = binary_cross_entropy_with_logits(z, y, **options)
    assert loss == pytest.approx(want, rel=1e-12)
    np.testing.assert_allclose(grad, numeric_grad(lambda: binary_cross_entropy_with_logits(z, y, **options)[0], z),
                               atol=1e-8)


def test_bce_with_logits_is_finite_at_1000_and_its_gradient_is_sigmoid_minus_y():
    loss, grad = binary_cross_entropy_with_logits([1000.0, -1000.0], [0.0, 1.0], reduction="none")
    np.testing.assert_allclose(loss, [1000.0, 1000.0])
    np.testing.assert_allclose(sigmoid_cross_entropy_grad([1000.0, -1000.0, 0.0], [0.0, 1.0, 1.0]), [1.0, -1.0, -0.5])
    np.testing.assert_allclose(softplus([-1000.0, 0.0, 1000.0]), [0.0, math.log(2), 1000.0])


def test_sigmoid_mse_gradient_vanishes_when_saturated_and_wrong():
    z, y = np.array([-8.0, 0.0, 8.0]), np.array([1.0, 1.0, 1.0])
    loss, grad = sigmoid_mse(z, y)
    assert loss == pytest.approx(np.mean((sig(z) - 1) ** 2))
    np.testing.assert_allclose(grad, numeric_grad(lambda: sigmoid_mse(z, y)[0], z), atol=1e-9)
    mse, ce = sigmoid_mse_grad(-8.0, 1.0), sigmoid_cross_entropy_grad(-8.0, 1.0)
    assert abs(mse) < 7e-4 and ce == pytest.approx(-(1 - sig(-8.0)))    # wrong by ~1, yet MSE barely moves
    assert sigmoid_mse_grad(0.0, 1.0) == pytest.approx(2 * (0.5 - 1) * 0.25)


def test_saturated_and_wrong_is_where_mse_learns_slowest():
    z = np.linspace(-10, 10, 2001)
    region = saturated_and_wrong(z, np.ones_like(z))
    assert region.any() and np.all(z[region] < 0)                       # wrong side for y = 1
    assert np.all(np.abs(sigmoid_mse_grad(z[region], 1.0)) < 0.1)
    assert np.all(np.abs(sigmoid_cross_entropy_grad(z[region], 1.0)) > 0.5)
    assert not saturated_and_wrong(np.array([5.0]), np.array([1.0]))[0]   # saturated but right
