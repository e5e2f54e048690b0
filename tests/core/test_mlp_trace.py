"""forward_backward(trace=...) reuses the forward values of the layers a network shares with an
earlier pass, and gives to the last bit what a fresh pass gives."""

import numpy as np
import pytest

from dlwidgets.core import ForwardTrace, mlp_batch, mlp_network
from dlwidgets.core import mlp as mlp_module
from dlwidgets.core.mlp import MLP
from dlwidgets.core.mlp_trace import layer_nbytes

from .results import assert_identical

VARIANTS = [(False, False), (True, False), (False, True), (True, True)]
VARIANT_IDS = ["plain", "bn", "residual", "bn+residual"]
LAYER_BYTES = (12 * 12 + 12 + 2 * 12 * 10) * 8   # a traced layer of network() on data(): copies of W, b; h, f'


def network(depth, activation="tanh", batch_norm=False, residual=False, seed=4, in_features=None):
    """MLPs of one seed share their first weight matrices whatever their depth (one generator draws
    them in order); biases, gamma and beta moved off 0 and 1 the same way for every depth."""
    model = MLP(depth=depth, width=12, in_features=in_features, activation=activation, init="glorot_normal",
                batch_norm=batch_norm, residual=residual, seed=seed)
    rng = np.random.default_rng(seed + 100)
    for l in range(1, depth + 1):
        for name in (f"b{l}", f"gamma{l}", f"beta{l}"):
            if name in model.params:
                model.params[name] += rng.normal(scale=0.3, size=model.params[name].shape)
    return model


def data(in_features=12, n=10, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, in_features)), rng.normal(size=(n, 1))


@pytest.mark.parametrize("batch_norm, residual", VARIANTS, ids=VARIANT_IDS)
@pytest.mark.parametrize("activation", ["tanh", "relu", "sigmoid", "gelu"])
def test_passes_along_a_trace_give_what_fresh_passes_give(activation, batch_norm, residual):
    x, y = data()
    trace = ForwardTrace()
    for depth in (5, 7, 3, 7, 6, 1):
        model = network(depth, activation, batch_norm, residual)
        got = model.forward_backward(x, y, max_norm=0.5, trace=trace)
        assert_identical(got, network(depth, activation, batch_norm, residual).forward_backward(x, y, max_norm=0.5))
        trace = got.trace
    assert len(trace.layers) == 7


def test_an_input_narrower_than_the_layers_is_traced_too():
    x, y = data(in_features=5)
    trace = ForwardTrace()
    for depth in (3, 5, 2):
        model = network(depth, "relu", batch_norm=True, residual=True, in_features=5)
        got = model.forward_backward(x, y, trace=trace)
        assert_identical(got, network(depth, "relu", True, True, in_features=5).forward_backward(x, y))
        trace = got.trace
    assert [layer.output.shape for layer in trace.layers] == [(12, 10)] * 5


def test_a_shallower_network_reuses_every_layer_and_keeps_the_deeper_ones():
    x, y = data()
    deep = network(7).forward_backward(x, y, trace=ForwardTrace()).trace
    shallow = network(4).forward_backward(x, y, trace=deep)
    assert shallow.trace is deep                     # nothing computed, nothing lost
    deeper = network(9).forward_backward(x, y, trace=shallow.trace).trace
    assert deeper.layers[:7] == deep.layers           # the same layer objects: reused, not recomputed
    assert len(deeper.layers) == 9 and deeper.batch is deep.batch


def test_only_the_layers_before_the_first_difference_are_reused():
    x, y = data()
    trace = network(6).forward_backward(x, y, trace=ForwardTrace()).trace
    edited = network(6)
    edited.params["W4"][2, 3] += 1e-12            # one weight, one part in a trillion
    got = edited.forward_backward(x, y, trace=trace)
    assert got.trace.layers[:3] == trace.layers[:3]
    assert all(mine is not theirs for mine, theirs in zip(got.trace.layers[3:], trace.layers[3:]))
    fresh = network(6)
    fresh.params["W4"][2, 3] += 1e-12
    assert_identical(got, fresh.forward_backward(x, y))


@pytest.mark.parametrize("change", ["activation", "batch_norm", "residual", "bias", "batch", "threshold", "seed"])
def test_any_other_difference_is_noticed(change):
    x, y = data()
    trace = network(5).forward_backward(x, y, trace=ForwardTrace()).trace
    settings = dict(activation="sigmoid") if change == "activation" else \
        dict(batch_norm=True) if change == "batch_norm" else dict(residual=True) if change == "residual" else \
        dict(seed=5) if change == "seed" else {}
    model, twin = network(5, **settings), network(5, **settings)
    if change == "bias":
        model.params["b1"][0] += 1.0
        twin.params["b1"][0] += 1.0
    x2 = x + 1e-9 if change == "batch" else x
    kwargs = dict(saturation_threshold=0.2) if change == "threshold" else {}
    got = model.forward_backward(x2, y, trace=trace, **kwargs)
    assert not set(map(id, got.trace.layers)) & set(map(id, trace.layers))
    assert_identical(got, twin.forward_backward(x2, y, **kwargs))


def test_a_trace_keeps_copies_so_later_edits_to_the_network_are_seen():
    x, y = data()
    model = network(5)
    trace = model.forward_backward(x, y, trace=ForwardTrace()).trace
    model.params["W2"] *= 2.0                    # trained in place after the trace was taken
    model.params["b3"] += 0.1
    twin = network(5)
    twin.params["W2"] *= 2.0
    twin.params["b3"] += 0.1
    got = model.forward_backward(x, y, trace=trace)
    assert got.trace.layers[:1] == trace.layers[:1] and got.trace.layers[1] is not trace.layers[1]
    assert_identical(got, twin.forward_backward(x, y))
    x[0, 0] += 1.0                               # the caller's batch edited in place
    assert not trace.candidates(x, trace.below)


def test_read_only_parameters_are_kept_as_they_are_and_anything_writable_is_copied():
    x, y = data()
    model = network(4)
    frozen = model.params["W1"].copy()
    frozen.flags.writeable = False
    model.params["W1"] = frozen
    base = model.params["W2"]
    view = base.view()
    view.flags.writeable = False                 # read-only, but its base can still be written
    model.params["W2"] = view
    trace = model.forward_backward(x, y, trace=ForwardTrace()).trace
    layers = trace.layers
    assert layers[0].params[0] is frozen
    assert layers[1].params[0] is not view and not np.shares_memory(layers[1].params[0], base)
    assert not np.shares_memory(layers[0].params[1], model.params["b1"])
    assert not any(p.flags.writeable for layer in layers for p in layer.params)   # copies are read-only too
    base *= 3.0                                  # seen through the view: the trace must notice
    twin = network(4)
    twin.params["W2"] *= 3.0
    got = model.forward_backward(x, y, trace=trace)
    assert got.trace.layers[0] is layers[0] and got.trace.layers[1] is not layers[1]
    assert_identical(got, twin.forward_backward(x, y))
    assert_identical(network(4).forward_backward(x, y, trace=got.trace), network(4).forward_backward(x, y))


def test_one_trace_serves_several_networks_and_is_never_changed():
    x, y = data()
    trace = network(4).forward_backward(x, y, trace=ForwardTrace()).trace
    layers, outputs = trace.layers, [layer.output.copy() for layer in trace.layers]
    for activation in ("relu", "tanh", "gelu"):
        got = network(6, activation).forward_backward(x, y, trace=trace)
        assert_identical(got, network(6, activation).forward_backward(x, y))
    assert trace.layers is layers
    for layer, saved in zip(trace.layers, outputs):
        np.testing.assert_array_equal(layer.output, saved)


def test_the_trace_stops_recording_at_its_budget(monkeypatch):
    x, y = data()
    model = network(6)
    per_layer = layer_nbytes((model.params["W2"], model.params["b2"]), 12, 10, False)
    monkeypatch.setattr(mlp_module, "TRACE_BUDGET_BYTES", 2 * per_layer + per_layer // 2)
    got = model.forward_backward(x, y, trace=ForwardTrace())
    assert len(got.trace.layers) == 2            # the first two: a trace has no gaps
    again = network(6).forward_backward(x, y, trace=got.trace)
    assert again.trace.layers == got.trace.layers
    assert_identical(again, network(6).forward_backward(x, y))


def test_a_traces_nbytes_counts_each_buffer_it_keeps_alive_once_and_whole(monkeypatch):
    x, y = data()
    floats = 8
    trace = network(4).forward_backward(x, y, trace=ForwardTrace()).trace
    assert trace.nbytes == 4 * LAYER_BYTES + x.nbytes   # four layers and the batch
    xs, ys = mlp_batch(8, 6, 1)
    net = mlp_network(5, 8, "tanh", "orthogonal", 1.5, False, False, 0, read_only=True)
    block = net.params["W1"].base                 # W1..W5 are read-only views of one block, kept as they are
    assert block.shape == (5, 8, 8) and all(net.params[f"W{l}"].base is block for l in range(1, 6))
    two_layers = 2 * layer_nbytes((net.params["W1"], net.params["b1"]), 8, 6, False)
    monkeypatch.setattr(mlp_module, "TRACE_BUDGET_BYTES", two_layers)
    short = net.forward_backward(xs, ys, trace=ForwardTrace()).trace
    assert len(short.layers) == 2
    assert short.nbytes == block.nbytes + 2 * (8 + 2 * 8 * 6) * floats + xs.nbytes  # all of the block, once
    assert ForwardTrace().nbytes == 0


def test_a_deeper_traces_nbytes_is_its_own_count_not_the_shallower_ones():
    # nbytes is counted once per trace; the trace a deeper pass continues from keeps its own count
    x, y = data()
    shallow = network(3).forward_backward(x, y, trace=ForwardTrace()).trace
    assert shallow.nbytes == 3 * LAYER_BYTES + x.nbytes
    deeper = network(5).forward_backward(x, y, trace=shallow).trace
    assert deeper.layers[:3] == shallow.layers
    assert deeper.nbytes == 5 * LAYER_BYTES + x.nbytes
    assert shallow.nbytes == 3 * LAYER_BYTES + x.nbytes


def test_no_trace_unless_asked_and_only_a_trace_is_accepted():
    x, y = data()
    assert network(3).forward_backward(x, y).trace is None
    with pytest.raises(TypeError, match="ForwardTrace"):
        network(3).forward_backward(x, y, trace=[])


def test_the_meters_networks_of_neighbouring_depths_share_their_layers():
    # what the gradient-flow meter's depth slider relies on: mlp_network's shared weights
    x, y = mlp_batch(32, 16, 1)
    trace = ForwardTrace()
    for depth in (20, 21, 19, 22):
        net = mlp_network(depth, 32, "tanh", "orthogonal", 1.0, True, False, 0, read_only=True)
        got = net.forward_backward(x, y, keep_grads=False, trace=trace)
        assert_identical(got, mlp_network(depth, 32, "tanh", "orthogonal", 1.0, True, False, 0)
                         .forward_backward(x, y, keep_grads=False))
        assert got.trace.layers[:19] == trace.layers[:19] or not trace.layers
        trace = got.trace
    assert len(trace.layers) == 22
    assert all(layer.params[0] is net.params[f"W{l}"] for l, layer in enumerate(trace.layers, 1))  # shared


# ---------------------------------------------------------------------------------------
# Stopping a pass part-way: a what-if nobody wants any more


@pytest.mark.parametrize("stop_after", [0, 3, 12, 19])   # forward layers 1-10 ask first, then backward 10-1
def test_a_stopped_pass_raises_and_leaves_the_network_and_the_trace_as_they_were(stop_after):
    from dlwidgets.core import PassStopped

    net = mlp_network(depth=10, width=8, activation="tanh", init="orthogonal")
    x, y = mlp_batch(8, 6, 0)
    expected = net.forward_backward(x, y, keep_grads=False)
    trace = ForwardTrace()
    asked = []

    def stop():
        asked.append(1)
        return len(asked) > stop_after

    with pytest.raises(PassStopped):
        net.forward_backward(x, y, keep_grads=False, trace=trace, stop=stop)
    assert len(asked) == stop_after + 1
    assert trace.layers == ()    # a trace never changes; the stopped pass returned no new one
    again = net.forward_backward(x, y, keep_grads=False, trace=trace, stop=lambda: False)
    assert again.weight_grad_norms == expected.weight_grad_norms and again.loss == expected.loss
    assert [st.std for st in again.layer_stats] == [st.std for st in expected.layer_stats]
