"""The message-passing explorer shows what dlwidgets.core computes for one GCN layer, the spread and a trained GCN."""

import base64

import numpy as np
import pytest

from dlwidgets.core import (adjacency_matrix, build_text_graph, gcn_layer, hop_distances, karate_club,
                            normalised_adjacency, train_gcn)
from dlwidgets.widgets import MessagePassingExplorer


def karate():
    g = karate_club()
    a = adjacency_matrix(g.n, g.edges)
    return g, a, normalised_adjacency(a)


def test_the_chosen_nodes_steps_are_one_row_of_the_gcn_layer():
    g, a, a_hat = karate()
    w = MessagePassingExplorer(node=34, weight=1.5, seed=3)
    v = w.view
    h = np.round(np.random.default_rng(3).uniform(-1, 1, size=34), 2)
    layer = gcn_layer(a_hat, h[:, None], np.array([[1.5]]), "relu")[:, 0]
    np.testing.assert_allclose(v["layer"], layer, atol=5e-5)
    assert v["updated"] == pytest.approx(layer[33], abs=5e-5)
    assert v["senders"][0] == 33 and sorted(v["senders"][1:]) == list(np.flatnonzero(a[33]))
    deg = a.sum(axis=1) + 1
    np.testing.assert_allclose(v["coefficients"], 1 / np.sqrt(deg[33] * deg[v["senders"]]), atol=5e-5)
    assert v["aggregate"] == pytest.approx(sum(v["messages"]), abs=1e-3)


def test_spread_reaches_exactly_the_nodes_within_l_hops():
    _, a, _ = karate()
    dist = hop_distances(a, 11)
    for layers in range(5):
        v = MessagePassingExplorer(node=12, show="spread", layers=layers).view
        reached = np.array(v["spread"]) > 0
        np.testing.assert_array_equal(reached, (dist >= 0) & (dist <= layers))
        assert v["reached"] == reached.sum()
    assert MessagePassingExplorer(node=12, layers=0).view["reached"] == 1


def test_predictions_are_a_core_trained_gcn():
    g, _, a_hat = karate()
    mask = np.zeros(34, bool)
    mask[[0, 33]] = True
    run = train_gcn(a_hat, np.eye(34), g.labels, mask, epochs=60, seed=2)
    v = MessagePassingExplorer(show="predictions", epochs=60, seed=2).view
    assert v["predictions"] == run.predictions.tolist()
    assert v["accuracy"] == pytest.approx(np.mean(run.predictions[1:33] == g.labels[1:33]))


def test_the_text_graph_labels_its_documents():
    t = build_text_graph()
    v = MessagePassingExplorer(graph="textgcn", node=1, show="predictions").view
    assert len(v["names"]) == t.n_docs + len(t.vocab) and v["names"][0] == "doc 1"
    assert v["predictions"][:t.n_docs] == t.labels.tolist() and v["scored"] == t.n_docs - 2


def test_phases_cycle_and_change_no_view():
    w = MessagePassingExplorer()
    view = w.view
    assert [w.step_phase() for _ in range(5)] == ["gather", "aggregate", "update", "features", "gather"]
    assert w.view is view


@pytest.mark.parametrize("settings, words", [
    (dict(graph="cora"), "graph must be one of"),
    (dict(node=35), "node must be between 1 and 34"),
    (dict(graph="textgcn", node=40), "node must be between 1 and 31"),
    (dict(layers=5), "layers must be between 0 and 4"),
    (dict(weight="big"), "the weight W must be a number"),
    (dict(show="everything"), "show must be one of"),
    (dict(epochs=-1), "epochs must be between 0 and 300"),
])
def test_impossible_settings_show_a_message_instead_of_raising(settings, words):
    w = MessagePassingExplorer().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


def test_display_bundle_carries_a_png_and_a_text_description():
    data, _ = MessagePassingExplorer(node=34)._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert "At node 34: it gathers from itself and 17 neighbours" in data["text/plain"]


@pytest.mark.parametrize("nonsense", ["nonsense", None, [1], 2.5])   # 2.5: not whole, or beyond W's range
def test_any_setting_set_to_nonsense_shows_a_message_and_raises_nothing(nonsense):
    w = MessagePassingExplorer()
    for name, value in w.settings().items():
        w.set(**{name: nonsense})
        assert w.error and w.view == {}, name
        w.set(**{name: value})
        assert w.error == "", name
