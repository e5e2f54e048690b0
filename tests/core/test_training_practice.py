"""Distillation, hierarchical softmax and hyper-parameter search against definitions, brute force and finite differences."""

import itertools
import math

import numpy as np
import pytest

from dlwidgets.core import (all_word_probabilities, cross_entropy, distillation_loss, distinct_values,
                            expected_path_length, grid_points, grid_vs_random, huffman_tree, kl_divergence,
                            per_decade, random_points, sample_range, search_objective, soften, word_probability)

from .oracles import numeric_grad


def test_distillation_loss_is_the_formula_and_its_gradient_matches_finite_differences():
    rng = np.random.default_rng(0)
    s, t, y = rng.normal(size=(4, 5)) * 2, rng.normal(size=(4, 5)) * 3, np.array([0, 3, 1, 4])
    T, alpha = 3.0, 0.7
    loss, grad, parts = distillation_loss(s, t, y, T, alpha)
    kl = np.mean([kl_divergence(soften(t[i], T), soften(s[i], T)) for i in range(4)])
    assert loss == pytest.approx(alpha * T * T * kl + (1 - alpha) * cross_entropy(s, y)[0], rel=1e-12)
    assert parts["soft"] + parts["hard"] == pytest.approx(loss)
    np.testing.assert_allclose(grad, numeric_grad(lambda: distillation_loss(s, t, y, T, alpha)[0], s), atol=1e-7)


def test_temperature_lifts_small_probabilities():
    p1, p4 = soften([5.0, 2.0, 0.0], 1.0), soften([5.0, 2.0, 0.0], 4.0)
    assert p4[2] > 5 * p1[2] and p4[0] < p1[0]
    np.testing.assert_allclose(soften([[1.0, 1.0]], 0.5), [[0.5, 0.5]])


def test_huffman_codes_are_optimal_prefix_codes():
    freqs = np.array([45, 13, 12, 16, 9, 5], dtype=float)        # the textbook example (CLRS 16.3)
    tree = huffman_tree(freqs)
    depths = [tree.depth(w) for w in range(6)]
    assert sum(f * d for f, d in zip(freqs, depths)) == 224      # CLRS: 224 bits per 100 characters
    codes = ["".join(map(str, c)) for c in tree.codes]
    assert not any(a != b and b.startswith(a) for a, b in itertools.permutations(codes, 2))   # prefix-free
    assert depths[0] == 1 and depths[5] == 4
    assert expected_path_length(tree) == pytest.approx(224 / 100)


def test_word_probabilities_are_products_of_sigmoids_and_sum_to_one():
    freqs = np.random.default_rng(1).integers(1, 100, size=13)
    tree = huffman_tree(freqs)
    rng = np.random.default_rng(2)
    h, v = rng.normal(size=4), rng.normal(size=(12, 4))
    probs = all_word_probabilities(tree, h, v)
    assert probs.sum() == pytest.approx(1.0) and np.all(probs > 0)
    p, factors = word_probability(tree, 5, h, v)
    signs = 1 - 2 * np.array(tree.codes[5])
    assert p == pytest.approx(np.prod([1 / (1 + math.exp(-s * (v[n] @ h))) for s, n in zip(signs, tree.paths[5])]))
    assert len(factors) == tree.depth(5)


def test_frequent_words_have_short_paths():
    freqs = np.array([1000, 500, 200, 100, 50, 20, 10, 5, 2, 1], dtype=float)
    tree = huffman_tree(freqs)
    depths = [tree.depth(w) for w in range(10)]
    assert depths == sorted(depths) and depths[0] == 1 and depths[-1] == 9
    with pytest.raises(ValueError, match="at least 2"):
        huffman_tree([3.0])


def test_grid_tries_few_values_of_each_parameter_and_random_search_wins():
    grid = grid_points(9)
    assert distinct_values(grid, 0) == 3 and distinct_values(random_points(9, 0), 0) == 9
    grid_best, random_best, share = grid_vs_random(9, seeds=100)
    assert share > 0.6 and np.mean(random_best) < grid_best
    assert np.ptp(search_objective(0.57, np.linspace(0, 1, 50))) <= 0.02 + 1e-12   # the second barely matters
    with pytest.raises(ValueError, match="square number"):
        grid_points(8)


def test_log_scale_sampling_spreads_over_decades():
    linear = per_decade(sample_range(1e-4, 1.0, 1000, "linear"), 1e-4, 1.0)
    log = per_decade(sample_range(1e-4, 1.0, 1000, "log"), 1e-4, 1.0)
    assert linear[-1] > 850 and linear[0] < 10
    assert np.all(np.abs(log - 250) < 50)
    assert 10 ^ 3 == 9 and 10**3 == 1000        # the notes' D02 code: ^ is XOR in Python


def test_expected_share_matches_sampling():
    from dlwidgets.core import expected_share
    assert expected_share(1e-4, 1.0, 1e-3, 1e-2, "log") == pytest.approx(0.25)
    assert expected_share(0.0 + 1e-9, 1.0, 0.5, 2.0, "linear") == pytest.approx(0.5)
    values = sample_range(1e-5, 1e-1, 200_000, "linear", seed=1)
    assert np.mean(values < 1e-3) == pytest.approx(expected_share(1e-5, 1e-1, 0, 1e-3, "linear"), abs=2e-3)
