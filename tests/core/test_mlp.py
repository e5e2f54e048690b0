"""The MLP's gradients against central differences, its forward pass against explicit formulas,
clipping against hand-worked numbers, and the classic vanishing-gradient results."""

import math

import numpy as np
import pytest

from dlwidgets.core.activations import ACTIVATIONS, dead_fraction, saturated_fraction
from dlwidgets.core.init import constant
from dlwidgets.core.mlp import (
    MLP,
    classify_gradient_ratio,
    clip_grad_norm,
    clip_grad_value,
    cross_entropy_loss,
    mse_loss,
)

H = 1e-6


def small_batch(seed, n=4, d_in=3, d_out=2):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, d_in)), rng.normal(size=(n, d_out))


def finite_difference_grads(model, x, y):
    """Central differences of model.loss with respect to every parameter entry."""
    out = {}
    for name, p in model.params.items():
        g = np.zeros_like(p)
        for idx in np.ndindex(*p.shape):
            keep = p[idx]
            p[idx] = keep + H
            up = model.loss(x, y)
            p[idx] = keep - H
            down = model.loss(x, y)
            p[idx] = keep
            g[idx] = (up - down) / (2 * H)
        out[name] = g
    return out


VARIANTS = [(False, False), (True, False), (False, True), (True, True)]


@pytest.mark.parametrize("batch_norm, residual", VARIANTS, ids=["plain", "bn", "residual", "bn+residual"])
@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_parameter_gradient_matches_central_differences(activation, batch_norm, residual):
    model = MLP(depth=3, width=5, in_features=3, out_features=2, activation=activation, init="glorot_normal",
                batch_norm=batch_norm, residual=residual, seed=11)
    x, y = small_batch(5)
    if batch_norm:  # move gamma and beta off 1 and 0 so their gradients are tested in general position
        rng = np.random.default_rng(6)
        for name in model.params:
            if name.startswith(("gamma", "beta")):
                model.params[name] += rng.normal(scale=0.3, size=model.params[name].shape)
    result = model.forward_backward(x, y)
    fd = finite_difference_grads(model, x, y)
    assert result.grads.keys() == fd.keys()
    for name in fd:
        np.testing.assert_allclose(result.grads[name], fd[name], rtol=1e-6, atol=1e-9, err_msg=name)


@pytest.mark.parametrize("batch_norm", [False, True])
def test_cross_entropy_gradients_match_central_differences(batch_norm):
    model = MLP(depth=2, width=4, in_features=3, out_features=3, activation="tanh", init="he_normal",
                batch_norm=batch_norm, loss="cross_entropy", seed=2)
    x, _ = small_batch(8, n=5)
    labels = np.array([0, 2, 1, 2, 0])
    result = model.forward_backward(x, labels)
    fd = finite_difference_grads(model, x, labels)
    for name in fd:
        np.testing.assert_allclose(result.grads[name], fd[name], rtol=1e-6, atol=1e-9, err_msg=name)


def test_forward_matches_the_formula_written_out():
    model = MLP(depth=2, width=3, in_features=2, out_features=1, activation="tanh", init="glorot_uniform", seed=1)
    p = model.params
    p["b1"][:] = [0.1, -0.2, 0.3]
    p["b2"][:] = [0.05, 0.0, -0.1]
    p["b3"][:] = [0.7]
    x = np.array([[1.0, -2.0], [0.5, 0.25]])
    h1 = np.tanh(x @ p["W1"].T + p["b1"])
    h2 = np.tanh(h1 @ p["W2"].T + p["b2"])
    np.testing.assert_allclose(model.forward(x), h2 @ p["W3"].T + p["b3"], rtol=1e-15)


def test_batch_norm_forward_uses_batch_mean_and_biased_variance_with_eps():
    model = MLP(depth=1, width=3, in_features=2, out_features=1, activation="identity", init="glorot_uniform",
                batch_norm=True, seed=2)
    p = model.params
    p["gamma1"][:] = [2.0, 1.0, 0.5]
    p["beta1"][:] = [0.0, 1.0, -1.0]
    x = np.array([[1.0, 2.0], [3.0, -1.0], [0.0, 0.5], [2.0, 2.0]])
    z = x @ p["W1"].T
    u = p["gamma1"] * (z - z.mean(axis=0)) / np.sqrt(z.var(axis=0, ddof=0) + 1e-5) + p["beta1"]
    np.testing.assert_allclose(model.forward(x), u @ p["W2"].T + p["b2"], rtol=1e-13)
    assert "b1" not in p  # a bias before batch norm would have zero gradient


def test_residual_layers_add_their_input_only_when_widths_match():
    model = MLP(depth=2, width=3, in_features=2, activation="relu", init="he_normal", residual=True, seed=3)
    p = model.params
    x = np.random.default_rng(0).normal(size=(4, 2))
    h1 = np.maximum(x @ p["W1"].T, 0)           # 2 -> 3: no skip
    h2 = h1 + np.maximum(h1 @ p["W2"].T, 0)     # 3 -> 3: skip
    np.testing.assert_allclose(model.forward(x), h2 @ p["W3"].T + p["b3"], rtol=1e-15)


def test_mse_and_cross_entropy_hand_worked():
    loss, grad = mse_loss([[1.0, 2.0]], [[0.0, 0.0]])
    assert loss == 2.5                        # (1 + 4) / 2
    np.testing.assert_array_equal(grad, [[1.0, 2.0]])  # 2 (pred - y) / 2
    loss, grad = cross_entropy_loss([[0.0, 0.0]], [0])
    assert loss == pytest.approx(math.log(2), rel=1e-15)
    np.testing.assert_array_equal(grad, [[-0.5, 0.5]])
    loss, _ = cross_entropy_loss([[1000.0, -1000.0]], [1])
    assert loss == 2000.0                     # finite, thanks to log_softmax


def test_clip_grad_norm_hand_worked_3_4_12_has_norm_13():
    grads = {"a": np.array([3.0, 4.0]), "b": np.array([12.0])}
    clipped, total = clip_grad_norm(grads, max_norm=1.0)
    assert total == 13.0
    scale = 1.0 / (13.0 + 1e-6)
    np.testing.assert_allclose(clipped["a"], [3 * scale, 4 * scale], rtol=1e-15)
    np.testing.assert_allclose(clipped["b"], [12 * scale], rtol=1e-15)
    np.testing.assert_array_equal(grads["a"], [3.0, 4.0])  # inputs untouched
    unchanged, _ = clip_grad_norm(grads, max_norm=26.0)
    np.testing.assert_array_equal(unchanged["b"], [12.0])
    # max_norm equal to the norm still scales by 13 / (13 + 1e-6), as torch does
    at_norm, _ = clip_grad_norm([np.array([3.0, 4.0]), np.array([12.0])], max_norm=13.0)
    assert isinstance(at_norm, list)
    np.testing.assert_allclose(at_norm[1], [12 * 13 / (13 + 1e-6)], rtol=1e-15)
    assert at_norm[1][0] < 12.0


def test_clip_grad_value_clamps_each_entry_and_reports_the_norm_before():
    clipped, total = clip_grad_value([np.array([-1.0, 0.2, 3.0]), np.array([[0.5, -0.4]])], clip=0.5)
    assert total == pytest.approx(math.sqrt(1 + 0.04 + 9 + 0.25 + 0.16), rel=1e-15)
    np.testing.assert_array_equal(clipped[0], [-0.5, 0.2, 0.5])
    np.testing.assert_array_equal(clipped[1], [[0.5, -0.4]])


def test_forward_backward_clips_the_returned_grads_but_reports_the_raw_norm():
    model = MLP(depth=3, width=8, activation="relu", seed=0)
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(16, 8)), 10 * rng.normal(size=(16, 1))
    raw = model.forward_backward(x, y)
    clipped = model.forward_backward(x, y, max_norm=0.5)
    assert raw.total_grad_norm > 0.5 and clipped.total_grad_norm == raw.total_grad_norm
    norm_after = math.sqrt(sum(np.sum(g ** 2) for g in clipped.grads.values()))
    assert norm_after == pytest.approx(0.5 * raw.total_grad_norm / (raw.total_grad_norm + 1e-6), rel=1e-12)
    by_value = model.forward_backward(x, y, clip_value=0.01)
    assert max(np.max(np.abs(g)) for g in by_value.grads.values()) == 0.01
    assert clipped.clipped and not raw.clipped


def test_forward_backward_does_not_change_the_parameters():
    model = MLP(depth=2, width=4, seed=0)
    before = {k: v.copy() for k, v in model.params.items()}
    x, y = np.ones((3, 4)), np.zeros((3, 1))
    model.forward_backward(x, y, max_norm=0.1)
    for k in before:
        np.testing.assert_array_equal(model.params[k], before[k])


def test_layer_statistics_match_the_activations_computed_by_hand():
    model = MLP(depth=2, width=6, in_features=4, activation="relu", init="he_normal", seed=4)
    p = model.params
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(10, 4)), rng.normal(size=(10, 1))
    z1 = x @ p["W1"].T + p["b1"]
    a1 = np.maximum(z1, 0)
    z2 = a1 @ p["W2"].T + p["b2"]
    a2 = np.maximum(z2, 0)
    res = model.forward_backward(x, y)
    for stats, z, a in zip(res.layer_stats, (z1, z2), (a1, a2)):
        assert stats.mean == pytest.approx(np.mean(a), rel=1e-13)
        assert stats.std == pytest.approx(np.std(a), rel=1e-13)
        assert stats.dead_fraction == dead_fraction(z)
        assert stats.saturated_fraction == saturated_fraction("relu", z)
    # dL/dh2 = dL/dout W3 with dL/dout = 2 (out - y) / N
    g_out = 2 * (a2 @ p["W3"].T + p["b3"] - y) / 10
    assert res.activation_grad_norms[1] == pytest.approx(np.linalg.norm(g_out @ p["W3"]), rel=1e-13)
    assert res.weight_grad_norms == [pytest.approx(np.linalg.norm(res.grads[f"W{l}"]), rel=1e-14) for l in (1, 2, 3)]
    assert res.grad_ratio == pytest.approx(res.weight_grad_norms[0] / res.weight_grad_norms[1], rel=1e-14)


def test_tanh_saturation_is_counted_per_layer():
    model = MLP(depth=1, width=50, activation="tanh", init="he_normal", seed=0)
    x = 100 * np.random.default_rng(0).normal(size=(20, 50))  # huge inputs: nearly every unit saturates
    stats = model.forward_backward(x, np.zeros((20, 1))).layer_stats[0]
    z = x @ model.params["W1"].T
    assert stats.saturated_fraction == saturated_fraction("tanh", z)
    assert stats.saturated_fraction > 0.9


def deep_ratio(activation, init, seed, batch_norm=False, depth=30, width=128, batch=64):
    model = MLP(depth=depth, width=width, activation=activation, init=init, batch_norm=batch_norm, seed=seed)
    rng = np.random.default_rng(1000 + seed)
    return model.forward_backward(rng.normal(size=(batch, width)), rng.normal(size=(batch, 1)))


def test_a_30_layer_sigmoid_net_with_small_normal_init_has_vanishing_gradients():
    for seed in range(3):
        res = deep_ratio("sigmoid", "small_normal", seed)
        assert res.grad_ratio < 1e-20  # each layer multiplies by at most 0.25 * ||W|| << 1
        assert res.flow == "vanishing"


def test_a_30_layer_relu_net_with_he_init_keeps_the_ratio_near_one():
    ratios = [deep_ratio("relu", "he_normal", seed).grad_ratio for seed in range(8)]
    geometric_mean = math.exp(np.mean(np.log(ratios)))
    assert classify_gradient_ratio(geometric_mean) == "healthy"
    assert all(1e-2 < r < 1e2 for r in ratios)  # every seed within two orders of magnitude


def test_batch_norm_rescues_the_30_layer_sigmoid_net():
    for seed in range(3):
        assert deep_ratio("sigmoid", "glorot_normal", seed, batch_norm=True).flow == "healthy"


def test_the_same_seed_reproduces_weights_and_results_exactly():
    x, y = small_batch(0, n=6, d_in=5, d_out=1)
    a = MLP(depth=4, width=5, activation="elu", init="glorot_uniform", seed=42).forward_backward(x, y)
    b = MLP(depth=4, width=5, activation="elu", init="glorot_uniform", seed=42).forward_backward(x, y)
    c = MLP(depth=4, width=5, activation="elu", init="glorot_uniform", seed=43).forward_backward(x, y)
    assert a.loss == b.loss and a.grad_ratio == b.grad_ratio
    for k in a.grads:
        np.testing.assert_array_equal(a.grads[k], b.grads[k])
    assert a.loss != c.loss


def test_a_callable_initialiser_is_accepted():
    model = MLP(depth=2, width=3, init=lambda shape, rng: constant(shape, rng, value=0.2))
    np.testing.assert_array_equal(model.params["W2"], np.full((3, 3), 0.2))


@pytest.mark.parametrize(
    "ratio, verdict",
    [(0.05, "vanishing"), (0.1, "healthy"), (1.0, "healthy"), (10.0, "healthy"), (10.5, "exploding"),
     (math.inf, "exploding"), (math.nan, "vanishing")],
)
def test_ratio_thresholds_are_one_order_of_magnitude_either_way(ratio, verdict):
    assert classify_gradient_ratio(ratio) == verdict


@pytest.mark.parametrize(
    "call, error, words",
    [
        (lambda: MLP(depth=0, width=3), ValueError, "depth must be at least 1"),
        (lambda: MLP(depth=2, width=3, activation="swish"), ValueError, "unknown activation"),
        (lambda: MLP(depth=2, width=3, init="xavier"), ValueError, "unknown initialiser"),
        (lambda: MLP(depth=2, width=3, loss="hinge"), ValueError, "loss must be one of"),
        (lambda: MLP(depth=2, width=3.0), TypeError, "whole number"),
        (lambda: MLP(2, 3).forward_backward(np.ones((2, 4)), np.ones((2, 1))), ValueError, r"shape \(N, 3\)"),
        (lambda: MLP(2, 3, batch_norm=True).forward_backward(np.ones((1, 3)), np.ones((1, 1))), ValueError,
         "at least 2 examples"),
        (lambda: MLP(2, 3, out_features=2, loss="cross_entropy").forward_backward(np.ones((2, 3)), np.array([0, 2])),
         ValueError, r"in \[0, 2\)"),
        (lambda: clip_grad_norm([np.ones(2)], max_norm=0), ValueError, "positive"),
        (lambda: clip_grad_value(np.ones(2), clip=1.0), TypeError, "dict or a list"),
    ],
)
def test_bad_settings_raise_a_clear_message(call, error, words):
    with pytest.raises(error, match=words):
        call()
