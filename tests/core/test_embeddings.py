"""Word vectors and their evaluation against definitions written out by hand."""

import math

import numpy as np
import pytest

from dlwidgets.core import (ANALOGIES, cluster_purity, cooccurrence, cosine_similarity, kmeans, make_corpus, ppmi,
                            spearman, svd_vectors, word_vectors, analogy_accuracy)


def test_cooccurrence_counts_a_window_by_hand():
    vocab, counts = cooccurrence([["a", "b", "c"], ["b", "a"]], window=1)
    assert vocab == ["a", "b", "c"]
    np.testing.assert_array_equal(counts, [[0, 2, 0], [2, 0, 1], [0, 1, 0]])


def test_ppmi_by_hand():
    counts = np.array([[2.0, 0.0], [1.0, 1.0]])
    # p(0,0) = 2/4, p(row 0) = 2/4, p(col 0) = 3/4: log(0.5 / 0.375) > 0; zero counts give 0
    want = np.array([[math.log(0.5 / 0.375), 0.0], [0.0, math.log(0.25 / (0.5 * 0.25))]])
    np.testing.assert_allclose(ppmi(counts), np.maximum(want, 0.0))


def test_svd_vectors_reconstruct_at_full_rank():
    m = np.random.default_rng(0).random((5, 4))
    v = svd_vectors(m, 4)
    u, s, vt = np.linalg.svd(m, full_matrices=False)
    np.testing.assert_allclose((v * np.sqrt(s)) @ vt, m, atol=1e-12)


def test_cosine_spearman_kmeans_purity():
    assert cosine_similarity([1.0, 0.0], [1.0, 1.0]) == pytest.approx(1 / math.sqrt(2))
    assert spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
    points = np.r_[np.zeros((5, 2)), np.ones((5, 2)) * 10] + np.random.default_rng(1).normal(size=(10, 2)) * 0.1
    labels, _ = kmeans(points, 2, seed=0)
    assert cluster_purity(labels, [0] * 5 + [1] * 5) == 1.0
    assert cluster_purity([0, 0, 0, 0], ["a", "a", "b", "b"]) == 0.5


def test_the_lessons_vectors_solve_the_analogies():
    wv = word_vectors()
    accuracy, answers = analogy_accuracy(wv)
    assert accuracy == 1.0, answers
    assert len(make_corpus(sentences=10, seed=3)) == 10
    with pytest.raises(ValueError, match="dim must be between"):
        word_vectors(dim=100)
