"""Lesson 13's widgets show what dlwidgets.core computes, and never raise at a learner."""

import base64

import numpy as np
import pytest

from dlwidgets.core import best_point, grid_points, imbalance_experiment, per_decade, random_points, sample_range
from dlwidgets.widgets import ImbalanceExplorer, SearchExplorer


def test_imbalance_explorer_is_core_values():
    w = ImbalanceExplorer(minority=0.1, method="smote", k=3, weighted=True, seed=2)
    r = imbalance_experiment(0.1, "smote", 3, True, 2)
    assert w.scores() == (r.precision, r.recall, r.f1)
    np.testing.assert_allclose(w.view["synthetic"], np.round(r.synthetic, 3))
    assert w.view["fit_counts"] == np.bincount(r.y_fit).tolist()
    (x0, y0), (x1, y1) = w.view["boundary"]
    for x, y in ((x0, y0), (x1, y1)):                    # both ends lie on w . x + b = 0
        assert abs(r.model.w[0] * x + r.model.w[1] * y + r.model.b) < 1e-9


def test_resampling_raises_recall_on_the_held_out_set():
    w = ImbalanceExplorer()
    _, plain_recall, _ = w.scores()
    w.set(method="over")
    assert w.scores()[1] > plain_recall + 0.3 and w.view["synthetic"] == []


def test_search_explorer_is_core_values():
    w = SearchExplorer(points=16, seed=3)
    assert w.view["grid"] == grid_points(16).tolist() and w.view["random"] == random_points(16, 3).tolist()
    assert w.view["random_best"] == list(best_point(random_points(16, 3)))
    assert w.view["grid_distinct"] == 4 and w.view["random_distinct"] == 16
    w.set(panel="sampling", samples=100)
    assert w.view["log_decades"] == per_decade(sample_range(1e-4, 1.0, 100, "log", 3), 1e-4, 1.0).tolist()


@pytest.mark.parametrize("widget, settings, words", [
    (ImbalanceExplorer, dict(minority=0.9), "minority share must be between"),
    (ImbalanceExplorer, dict(method="tomek"), "method must be one of"),
    (ImbalanceExplorer, dict(method="smote", k=20), "k must be between 1 and 19"),
    (ImbalanceExplorer, dict(weighted="yes"), "weighted must be True or False"),
    (SearchExplorer, dict(points=8), "square number"),
    (SearchExplorer, dict(panel="bayes"), "panel must be one of"),
    (SearchExplorer, dict(samples=0), "samples must be between"),
])
def test_impossible_settings_show_a_message_instead_of_raising(widget, settings, words):
    w = widget().set(**settings)
    assert words in w.error and w.view == {}
    assert "impossible settings" in w.describe()
    w.static_png()


@pytest.mark.parametrize("widget, settings", [(ImbalanceExplorer, {}), (ImbalanceExplorer, dict(method="smote")),
                                              (SearchExplorer, {}), (SearchExplorer, dict(panel="sampling"))])
def test_display_bundle_carries_a_png_and_a_text_description(widget, settings):
    data, _ = widget(**settings)._repr_mimebundle_()
    assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
    assert data["text/plain"].startswith(("Imbalance explorer", "Search explorer"))


def test_huffman_tree_view_is_core_values():
    from dlwidgets.core import all_word_probabilities, huffman_tree, word_probability
    from dlwidgets.widgets import HuffmanTreeView
    from dlwidgets.widgets.huffman_tree import DEFAULT_COUNTS, VECTOR_SIZE

    w = HuffmanTreeView(word="gnu", seed=4)
    tree = huffman_tree(list(DEFAULT_COUNTS.values()))
    rng = np.random.default_rng(4)
    h, v = rng.normal(size=VECTOR_SIZE), rng.normal(size=(len(DEFAULT_COUNTS) - 1, VECTOR_SIZE))
    p, factors = word_probability(tree, 7, h, v)
    assert w.view["probability"] == p and w.view["factors"] == factors.tolist() and w.view["path"] == tree.paths[7]
    assert w.view["probabilities"] == all_word_probabilities(tree, h, v).tolist()
    assert sum(w.view["probabilities"]) == pytest.approx(1.0)
    # every node is placed, each inner node above its two children, every leaf reached by one edge
    assert len(w.view["nodes"]) == 2 * len(DEFAULT_COUNTS) - 1 and len(w.view["edges"]) == 2 * len(DEFAULT_COUNTS) - 2
    depth = {(n["kind"], n["id"]): n["depth"] for n in w.view["nodes"]}
    for e in w.view["edges"]:
        assert depth[("inner", e["parent"])] < depth[tuple(e["child"])]
    w.set(word="the")
    assert len(w.view["path"]) < 5


@pytest.mark.parametrize("settings, words", [
    (dict(word="dog"), "word must be one of"),
    (dict(counts={"a": 1}), "2 to 16 words"),
    (dict(counts={"a": 1, "b": 0}), "count must be a finite number > 0"),
    (dict(seed=-1), "seed must be between"),
])
def test_huffman_tree_view_explains_impossible_settings(settings, words):
    from dlwidgets.widgets import HuffmanTreeView
    w = HuffmanTreeView().set(**settings)
    assert words in w.error and w.view == {}
    w.static_png()
    assert HuffmanTreeView(counts={"x": 3, "y": 1}, word="y").describe().startswith("Hierarchical-softmax tree")
