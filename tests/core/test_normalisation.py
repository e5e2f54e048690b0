"""Normalisation against an independent loop, hand-worked numbers and finite differences."""

import itertools

import numpy as np
import pytest

from dlwidgets.core.normalisation import (NORM_EPS, batch_norm_backward, batch_norm_eval, batch_norm_train,
                                          group_norm, group_statistics, instance_norm, layer_norm, norm_groups,
                                          normalise, running_stats_path, update_running_stats, weight_norm)


def loop_normalise(x, members, eps=NORM_EPS):
    """Normalise by explicit index lists: members(index) is the list of indices sharing index's statistics."""
    out = np.empty_like(x)
    for index in itertools.product(*map(range, x.shape)):
        values = np.array([x[j] for j in members(index)])
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / len(values)
        out[index] = (x[index] - mean) / np.sqrt(var + eps)
    return out


def everything(shape):
    return list(itertools.product(*map(range, shape)))


MEMBERS = {
    "batch": lambda shape, g: lambda i: [j for j in everything(shape) if j[1] == i[1]],
    "layer": lambda shape, g: lambda i: [j for j in everything(shape) if j[0] == i[0]],
    "instance": lambda shape, g: lambda i: [j for j in everything(shape) if j[:2] == i[:2]],
    "group": lambda shape, g: lambda i: [j for j in everything(shape)
                                         if j[0] == i[0] and j[1] // (shape[1] // g) == i[1] // (shape[1] // g)],
}


@pytest.mark.parametrize("kind, groups", [("batch", 1), ("layer", 1), ("instance", 1), ("group", 2), ("group", 3)])
def test_every_scheme_matches_an_explicit_loop_over_the_members_of_each_group(kind, groups):
    x = np.random.default_rng(1).normal(2.0, 3.0, size=(3, 6, 2, 2))
    expected = loop_normalise(x, MEMBERS[kind](x.shape, groups))
    np.testing.assert_allclose(normalise(x, kind, groups), expected, atol=1e-12)
    labels, means, variances = group_statistics(x, kind, groups)
    for index in everything(x.shape):
        values = np.array([x[j] for j in MEMBERS[kind](x.shape, groups)(index)])
        assert means[labels[index]] == pytest.approx(values.mean())
        assert variances[labels[index]] == pytest.approx(values.var())


def test_group_counts_and_the_two_extremes_of_group_norm():
    shape = (4, 6, 3, 3)
    assert len(np.unique(norm_groups("batch", shape))) == 6
    assert len(np.unique(norm_groups("layer", shape))) == 4
    assert len(np.unique(norm_groups("instance", shape))) == 24
    assert len(np.unique(norm_groups("group", shape, 3))) == 12
    x = np.random.default_rng(2).normal(size=shape)
    np.testing.assert_allclose(group_norm(x, 1), layer_norm(x), atol=1e-12)
    np.testing.assert_allclose(group_norm(x, 6), instance_norm(x), atol=1e-12)


def test_batch_norm_by_hand_on_one_channel():
    x = np.array([[1.0], [2.0], [3.0], [6.0]])   # mean 3, biased var (4 + 1 + 0 + 9)/4 = 3.5, unbiased 14/3
    r = batch_norm_train(x, gamma=[2.0], beta=[0.5], momentum=0.1)
    assert r.mean[0] == 3.0 and r.var[0] == 3.5 and r.var_unbiased[0] == pytest.approx(14 / 3)
    np.testing.assert_allclose(r.y[:, 0], 2.0 * (x[:, 0] - 3.0) / np.sqrt(3.5 + 1e-5) + 0.5)
    assert r.running_mean[0] == pytest.approx(0.9 * 0 + 0.1 * 3.0)
    assert r.running_var[0] == pytest.approx(0.9 * 1 + 0.1 * 14 / 3)
    # eval mode uses the running statistics: one fixed affine map
    y = batch_norm_eval(np.array([[4.0]]), r.running_mean, r.running_var, gamma=[2.0], beta=[0.5])
    assert y[0, 0] == pytest.approx(2.0 * (4.0 - 0.3) / np.sqrt(0.9 + 0.1 * 14 / 3 + 1e-5) + 0.5)


def test_training_output_has_zero_mean_unit_variance_per_channel_on_nchw():
    x = np.random.default_rng(3).normal(5.0, 4.0, size=(8, 3, 4, 4))
    y = batch_norm_train(x).y
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1, atol=1e-5)


def test_running_stats_converge_geometrically_to_the_population():
    rng = np.random.default_rng(4)
    batches = [rng.normal(3.0, 2.0, size=(64, 2)) for _ in range(60)]
    means, variances = running_stats_path(batches, momentum=0.1)
    assert means.shape == (61, 2) and np.all(means[0] == 0) and np.all(variances[0] == 1)
    np.testing.assert_allclose(means[-1], 3.0, atol=0.3)
    np.testing.assert_allclose(variances[-1], 4.0, atol=0.8)
    # with identical batches the gap to the batch mean shrinks by (1 - momentum) per step
    same = [batches[0]] * 5
    m, _ = running_stats_path(same, momentum=0.1)
    target = batches[0].mean(axis=0)
    np.testing.assert_allclose(target - m[5], 0.9 ** 5 * target)


def test_momentum_outside_zero_one_is_refused():
    with pytest.raises(ValueError, match="momentum"):
        update_running_stats(0, 1, 0, 1, momentum=1.5)


def test_batch_size_one_in_training_mode_is_refused_with_a_reason():
    with pytest.raises(ValueError, match="more than one value per channel"):
        batch_norm_train(np.ones((1, 3)))


def finite_difference(f, x, eps=1e-6):
    grad = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        d = np.zeros_like(x)
        d[index] = eps
        grad[index] = (f(x + d) - f(x - d)) / (2 * eps)
    return grad


@pytest.mark.parametrize("shape", [(5, 3), (3, 2, 2, 2)])
def test_backward_matches_finite_differences(shape):
    rng = np.random.default_rng(5)
    x = rng.normal(size=shape)
    gamma, beta = rng.normal(size=shape[1]), rng.normal(size=shape[1])
    w = rng.normal(size=shape)   # L = sum(w * y): dL/dy = w
    loss = lambda x_, g_=gamma, b_=beta: float((w * batch_norm_train(x_, g_, b_).y).sum())
    dx, dgamma, dbeta = batch_norm_backward(w, x, gamma)
    np.testing.assert_allclose(dx, finite_difference(loss, x), atol=1e-6)
    np.testing.assert_allclose(dgamma, finite_difference(lambda g: loss(x, g), gamma), atol=1e-6)
    np.testing.assert_allclose(dbeta, finite_difference(lambda b: loss(x, gamma, b), beta), atol=1e-6)


def test_layer_norm_is_per_sample_with_elementwise_affine():
    x = np.array([[1.0, 2.0, 3.0], [10.0, 10.0, 40.0]])
    y = layer_norm(x, gamma=np.array([1.0, 2.0, 3.0]), beta=np.zeros(3))
    mean, var = 2.0, 2 / 3
    np.testing.assert_allclose(y[0], np.array([-1.0, 0.0, 1.0]) / np.sqrt(var + 1e-5) * [1, 2, 3])
    assert layer_norm(x)[1].mean() == pytest.approx(0, abs=1e-12)


def test_instance_norm_needs_positions():
    with pytest.raises(ValueError, match="instance norm"):
        instance_norm(np.ones((2, 3)))


def test_group_norm_refuses_groups_that_do_not_divide_the_channels():
    with pytest.raises(ValueError, match="divide the 6 channels"):
        group_norm(np.ones((2, 6, 2, 2)), 4)


def test_weight_norm_separates_length_and_direction():
    v = np.array([[3.0, 4.0], [0.0, 2.0]])
    w = weight_norm(v, [10.0, 0.5])
    np.testing.assert_allclose(w, [[6.0, 8.0], [0.0, 0.5]])
    np.testing.assert_allclose(weight_norm(7 * v, [10.0, 0.5]), w)   # v's length does not matter
    with pytest.raises(ValueError, match="non-zero"):
        weight_norm(np.zeros((1, 2)), [1.0])


def test_the_spread_of_batch_means_falls_like_one_over_root_batch_size():
    from dlwidgets.core.normalisation import batch_statistics_spread
    sizes = [1, 4, 16, 64]
    mean_spread, std_spread = batch_statistics_spread(0.0, 2.0, sizes, positions=1, draws=4000, seed=0)
    np.testing.assert_allclose(mean_spread, 2.0 / np.sqrt(sizes), rtol=0.06)
    assert std_spread[0] == 0.0   # one value: its batch std is always 0
    assert np.all(np.diff(std_spread[1:]) < 0)


def test_the_lessons_experiment_is_batch_norm_trained_on_its_own_batches():
    from dlwidgets.core.norm_experiment import norm_batch, running_stats_experiment
    first, means, variances, batch_means = running_stats_experiment(4, 4, 0.1, seed=3, steps=10)
    rng = np.random.default_rng(3)
    batches = [norm_batch(rng, 4, 4) for _ in range(10)]
    np.testing.assert_array_equal(first, batches[0])
    m, v = running_stats_path(batches, momentum=0.1)
    np.testing.assert_allclose(means, m)
    np.testing.assert_allclose(variances, v)
    np.testing.assert_allclose(batch_means, [b.mean(axis=(0, 2, 3)) for b in batches])
    assert running_stats_experiment(1, 1, 0.1, seed=0)[1] is None
