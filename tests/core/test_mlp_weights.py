"""mlp_network's shared weights: every network is bit for bit the one MLP draws itself, whatever
was built before it, and networks never share an array."""

import pickle

import numpy as np
import pytest

from dlwidgets.core import mlp_weights
from dlwidgets.core.experiments import mlp_network, scaled_initialiser
from dlwidgets.core.mlp import MLP


def plain(depth, width, init="glorot_normal", weight_scale=1.0, seed=0, **kwargs):
    """The network drawn by MLP itself, with no cache involved."""
    return MLP(depth, width, init=scaled_initialiser(init, float(weight_scale)), loss="mse", seed=seed, **kwargs)


def assert_same_network(net, expected):
    assert list(net.params) == list(expected.params)
    for name, value in expected.params.items():
        np.testing.assert_array_equal(net.params[name], value, err_msg=name)


@pytest.fixture(autouse=True)
def empty_cache():
    mlp_weights._streams.clear()
    yield
    mlp_weights._streams.clear()


@pytest.mark.parametrize("init", ["glorot_normal", "orthogonal", "he_uniform", "zeros"])
def test_networks_of_every_depth_and_scale_equal_the_ones_mlp_draws_in_any_order(init):
    for depth, scale in [(5, 1.0), (3, 1.0), (8, 0.5), (8, 1.0), (1, 2.0), (12, 1.0), (4, 1.0)]:
        assert_same_network(mlp_network(depth, 6, "tanh", init, scale, seed=3), plain(depth, 6, init, scale, seed=3))


def test_batch_norm_residual_and_activation_share_the_weights_too():
    mlp_network(10, 8, "relu", "he_normal", 1.0, seed=1)
    for kwargs in (dict(batch_norm=True), dict(residual=True), dict(batch_norm=True, residual=True)):
        net = mlp_network(7, 8, "sigmoid", "he_normal", 1.0, seed=1, **kwargs)
        assert_same_network(net, plain(7, 8, "he_normal", seed=1, activation="sigmoid", **kwargs))


def test_seeds_widths_and_initialisers_are_kept_apart():
    for seed, width, init in [(0, 6, "glorot_normal"), (1, 6, "glorot_normal"), (0, 7, "glorot_normal"),
                              (0, 6, "lecun_normal"), (0, 6, "glorot_normal")]:
        assert_same_network(mlp_network(4, width, "tanh", init, 1.0, seed=seed), plain(4, width, init, seed=seed))


def test_each_network_owns_its_arrays():
    a = mlp_network(6, 5, "tanh", "glorot_normal", 1.0, seed=2)
    b = mlp_network(6, 5, "tanh", "glorot_normal", 1.0, seed=2)
    for name in a.params:
        assert not np.shares_memory(a.params[name], b.params[name]), name
    a.params["W3"] -= 1.0  # training one network (the initialisation explorer does) changes no other
    assert_same_network(b, plain(6, 5, seed=2))
    assert_same_network(mlp_network(6, 5, "tanh", "glorot_normal", 1.0, seed=2), plain(6, 5, seed=2))


def test_a_network_keeps_the_initialiser_it_had_and_pickles():
    assert mlp_network(3, 4, "tanh", "he_normal", 1.0).init == "he_normal"
    scaled = mlp_network(3, 4, "tanh", "he_normal", 2.0)
    assert scaled.init.args == scaled_initialiser("he_normal", 2.0).args
    assert_same_network(pickle.loads(pickle.dumps(scaled)), scaled)


def test_a_seed_of_none_draws_new_weights_every_time():
    a, b = mlp_network(3, 4, "tanh", "he_normal", 1.0, seed=None), mlp_network(3, 4, "tanh", "he_normal", 1.0, seed=None)
    assert not np.array_equal(a.params["W1"], b.params["W1"])
    assert not mlp_weights._streams


def test_bad_settings_get_mlp_s_own_messages():
    with pytest.raises(ValueError, match="unknown initialiser"):
        mlp_network(3, 4, "tanh", "nonsense", 1.0)
    with pytest.raises(ValueError, match="depth"):
        mlp_network(0, 4, "tanh", "he_normal", 1.0)


def test_old_streams_are_forgotten_beyond_the_byte_budget(monkeypatch):
    monkeypatch.setattr(mlp_weights, "_KEPT_BYTES", 3 * 10 * 16 * 16 * 8)  # three streams of 10 layers of 16
    for seed in range(5):
        mlp_network(10, 16, "tanh", "glorot_normal", 1.0, seed=seed)
    assert [key[2] for key in mlp_weights._streams] == [2, 3, 4]
    mlp_network(10, 16, "tanh", "glorot_normal", 1.0, seed=2)  # used again: now the most recent
    mlp_network(10, 16, "tanh", "glorot_normal", 1.0, seed=5)
    assert [key[2] for key in mlp_weights._streams] == [4, 2, 5]
    assert_same_network(mlp_network(10, 16, "tanh", "glorot_normal", 1.0, seed=0), plain(10, 16, seed=0))


def test_the_newest_stream_is_kept_even_when_it_alone_is_over_budget(monkeypatch):
    monkeypatch.setattr(mlp_weights, "_KEPT_BYTES", 1)
    net = mlp_network(6, 8, "tanh", "orthogonal", 1.0, seed=4)
    assert len(mlp_weights._streams) == 1
    assert_same_network(net, plain(6, 8, "orthogonal", seed=4))


@pytest.mark.parametrize("scale", [1.0, 0.5])
def test_read_only_networks_share_the_cached_matrices_and_cannot_change_them(scale):
    a = mlp_network(5, 6, "tanh", "orthogonal", scale, seed=2, read_only=True)
    b = mlp_network(7, 6, "tanh", "orthogonal", scale, seed=2, read_only=True)
    assert_same_network(a, plain(5, 6, "orthogonal", scale, seed=2))
    assert_same_network(b, plain(7, 6, "orthogonal", scale, seed=2))
    for l in range(1, 6):
        w = a.params[f"W{l}"]
        assert not w.flags.writeable
        assert (w is b.params[f"W{l}"]) == (scale == 1.0)   # scaled ones are products of their own
        assert w.base is None or not w.base.flags.writeable  # nothing else can write to them either
        with pytest.raises(ValueError, match="read-only"):
            w += 1.0
    writable = mlp_network(5, 6, "tanh", "orthogonal", scale, seed=2)
    assert writable.params["W1"].flags.writeable and not np.shares_memory(writable.params["W1"], a.params["W1"])
