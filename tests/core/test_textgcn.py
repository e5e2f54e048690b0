"""TextGCN's graph against hand-worked TF-IDF and PMI; the GCN labels the tiny corpus."""

import math

import numpy as np

from dlwidgets.core.graph import normalised_adjacency, train_gcn
from dlwidgets.core.textgcn import TINY_CORPUS, build_text_graph, pmi, tf_idf, tokenise


def test_tokenise_drops_stop_words():
    assert tokenise("The team and THE goal") == ["team", "goal"]


def test_tf_idf_hand_worked():
    docs = [["a", "b", "b"], ["b", "c"]]
    w = tf_idf(docs, ["a", "b", "c"])
    # a: count 1, in 1 of 2 docs -> ln 2; b is in every doc -> 0; c: ln 2
    np.testing.assert_allclose(w, [[math.log(2), 0, 0], [0, 0, math.log(2)]])


def test_pmi_hand_worked():
    # windows of 2 over "x y z": {x, y}, {y, z}; #W = 2, #W(y) = 2, #W(x) = 1, #W(x, y) = 1
    out = pmi([["x", "y", "z"]], ["x", "y", "z"], window=2)
    assert out[0, 1] == out[1, 0] == 0.0                           # log(1 * 2 / (1 * 2))
    assert out[0, 2] == 0.0                                         # never in one window
    out = pmi([["x", "y"], ["z", "w"]], ["w", "x", "y", "z"], window=2)
    assert out[1, 2] == math.log(1 * 2 / (1 * 1))                  # x and y always together: log 2


def test_text_graph_shape_and_symmetry():
    g = build_text_graph()
    n = g.n_docs + len(g.vocab)
    assert g.adjacency.shape == (n, n) and np.allclose(g.adjacency, g.adjacency.T)
    assert np.all(np.diag(g.adjacency) == 1)
    assert np.all(g.adjacency[:g.n_docs, :g.n_docs] == np.eye(g.n_docs))      # no document-document edges
    assert "the" not in g.vocab and g.label_names == ("food", "sport")


def test_two_labelled_documents_label_the_corpus():
    g = build_text_graph()
    n = g.adjacency.shape[0]
    labels = np.full(n, -1)
    labels[:g.n_docs] = g.labels
    mask = np.zeros(n, bool)
    mask[[0, 4]] = True
    run = train_gcn(normalised_adjacency(g.adjacency, self_loops=False), np.eye(n), labels, mask, seed=0)
    assert run.predictions[:g.n_docs].tolist() == g.labels.tolist()
    assert len(TINY_CORPUS) == g.n_docs
