"""Graph convolution against hand-worked numbers, explicit loops and finite differences; the shipped karate club."""

import math

import numpy as np
import pytest

from dlwidgets.core.graph import (adjacency_matrix, gcn_layer, gcn_loss_and_grads, hop_distances, karate_club,
                                  message_passing, normalised_adjacency, parse_graph, spring_layout, train_gcn)

from .oracles import numeric_grad

# networkx's karate_club_graph degrees, node 1 to 34
KARATE_DEGREES = [16, 9, 10, 6, 3, 4, 4, 4, 5, 2, 3, 1, 2, 5, 2, 2, 2, 2, 2, 3, 2, 2, 2, 5, 3, 3, 2, 4, 3, 4, 4, 6,
                  12, 17]


def test_the_karate_club_as_published():
    g = karate_club()
    assert g.n == 34 and len(g.edges) == 78 and len(set(map(frozenset, g.edges))) == 78
    degrees = adjacency_matrix(g.n, g.edges).sum(axis=1)
    assert degrees[33] == 17 and degrees[0] == 16 and degrees[32] == 12
    assert degrees.astype(int).tolist() == KARATE_DEGREES
    assert g.group_names == ("Mr. Hi", "Officer") and np.bincount(g.labels).tolist() == [17, 17]
    assert g.groups[0] == "Mr. Hi" and g.groups[33] == "Officer"


def test_normalised_adjacency_hand_worked_on_a_path():
    # path 0 - 1 - 2: degrees with self-loops 2, 3, 2
    a_hat = normalised_adjacency(adjacency_matrix(3, [(0, 1), (1, 2)]))
    s6 = 1 / math.sqrt(6)
    np.testing.assert_allclose(a_hat, [[1 / 2, s6, 0], [s6, 1 / 3, s6], [0, s6, 1 / 2]], rtol=1e-15)
    with pytest.raises(ValueError, match="positive degree"):
        normalised_adjacency(np.zeros((2, 2)), self_loops=False)


def test_gcn_layer_is_an_explicit_sum_over_neighbours_and_message_passing_is_its_row():
    g = karate_club()
    a = adjacency_matrix(g.n, g.edges)
    a_hat = normalised_adjacency(a)
    rng = np.random.default_rng(0)
    h, w = rng.normal(size=(34, 3)), rng.normal(size=(3, 2))
    out = gcn_layer(a_hat, h, w, "tanh")
    deg = a.sum(axis=1) + 1
    for i in (0, 11, 33):
        total = sum((h[j] @ w) / math.sqrt(deg[i] * deg[j]) for j in range(34) if a[i, j] or i == j)
        np.testing.assert_allclose(out[i], np.tanh(total), rtol=1e-12)
        step = message_passing(a_hat, h, w, i, "tanh")
        assert step.senders[0] == i and sorted(step.senders[1:]) == list(np.flatnonzero(a[i]))
        np.testing.assert_allclose(step.coefficients, 1 / np.sqrt(deg[i] * deg[step.senders]))
        np.testing.assert_allclose(step.updated, out[i], rtol=1e-12)
    with pytest.raises(ValueError, match="node must be"):
        message_passing(a_hat, h, w, 34)


def test_hop_distances_and_how_far_two_layers_reach():
    g = karate_club()
    a = adjacency_matrix(g.n, g.edges)
    dist = hop_distances(a, 11)        # member 12 has one friend, member 1
    assert dist[11] == 0 and dist[0] == 1 and (dist <= 1).sum() == 2
    # two layers of a linear GCN: node j reaches node 12 exactly when it is at most 2 hops away
    reach = np.linalg.matrix_power(normalised_adjacency(a), 2)[11]
    np.testing.assert_array_equal(reach > 1e-12, (dist <= 2) & (dist >= 0))


def test_gcn_gradients_match_finite_differences():
    g = karate_club()
    a_hat = normalised_adjacency(adjacency_matrix(g.n, g.edges))
    rng = np.random.default_rng(1)
    x, w0, w1 = rng.normal(size=(34, 5)), rng.normal(size=(5, 4)), rng.normal(size=(4, 2))
    mask = np.zeros(34, bool)
    mask[[0, 5, 33]] = True
    _, dw0, dw1 = gcn_loss_and_grads(a_hat, x, w0, w1, g.labels, mask, 0.01)
    for array, grad in ((w0, dw0), (w1, dw1)):
        numeric = numeric_grad(lambda: gcn_loss_and_grads(a_hat, x, w0, w1, g.labels, mask, 0.01)[0], array)
        np.testing.assert_allclose(grad, numeric, rtol=1e-6, atol=1e-9)


def test_two_labelled_members_label_the_club():
    g = karate_club()
    a_hat = normalised_adjacency(adjacency_matrix(g.n, g.edges))
    mask = np.zeros(34, bool)
    mask[[0, 33]] = True
    run = train_gcn(a_hat, np.eye(34), g.labels, mask, seed=0)
    assert run.losses[-1] < run.losses[0] / 10
    assert run.accuracies[-1] >= 0.9 and run.predictions[0] == 0 and run.predictions[33] == 1


def test_parse_graph_names_bad_lines():
    with pytest.raises(ValueError, match="line 2"):
        parse_graph("[edges]\n1 x\n")
    with pytest.raises(ValueError, match="two different nodes"):
        parse_graph("[edges]\n1 1\n")
    with pytest.raises(ValueError, match="without a group"):
        parse_graph("[edges]\n1 2\n[a]\n1\n")


def test_spring_layout_is_seeded_and_fills_the_unit_square():
    a = adjacency_matrix(4, [(0, 1), (1, 2), (2, 3)])
    pos = spring_layout(a)
    np.testing.assert_array_equal(pos, spring_layout(a))
    assert pos.min() == 0 and pos.max() == 1 and len(np.unique(pos.round(3), axis=0)) == 4
    wide = spring_layout(adjacency_matrix(3, [(0, 1)]), spacing=3.0)     # a lone node and a pair
    assert np.isfinite(wide).all()
