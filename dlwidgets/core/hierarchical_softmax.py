"""Hierarchical softmax over a Huffman tree (word2vec): a word's probability is a product of sigmoids along its path.

The Huffman tree merges the two least frequent nodes first, so frequent words sit near the root (short
codes) and rare words deep down: the path length is about -log2(frequency). At each inner node n on a
word's path the model goes left with probability sigmoid(v_n . h) and right with sigmoid(-v_n . h); the
word's probability is the product over its path, and the probabilities of all V words sum to 1. Scoring
one word costs its path length in dot products instead of V for a full softmax: cheap on average, but
rare words pay the most (A16).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

import numpy as np

from .activations import sigmoid

__all__ = ["HuffmanTree", "huffman_tree", "word_probability", "all_word_probabilities", "expected_path_length"]


@dataclass(frozen=True, eq=False)
class HuffmanTree:
    """A Huffman tree over V words with V - 1 inner nodes (numbered 0..V-2, the root is V-2).

    paths[w]: the inner nodes from the root down to word w; codes[w]: the turn taken at each (0 left, 1 right).
    """

    frequencies: np.ndarray
    paths: list
    codes: list

    def depth(self, word) -> int:
        """How many inner nodes (sigmoids) lie on the word's path."""
        return len(self.paths[word])


def huffman_tree(frequencies) -> HuffmanTree:
    """Build the Huffman tree of the given word counts (two queues, ties broken by order of creation)."""
    f = np.asarray(frequencies, dtype=float)
    if f.ndim != 1 or len(f) < 2 or np.any(f <= 0):
        raise ValueError("give at least 2 word frequencies, all > 0")
    leaves = deque(sorted(range(len(f)), key=lambda w: (f[w], w)))
    inner = deque()                                    # (weight, node id) in the order made: weights never decrease
    children = {}
    weight = {("leaf", w): f[w] for w in range(len(f))}

    def pop():
        if inner and (not leaves or inner[0][0] < f[leaves[0]]):
            return inner.popleft()[1]
        return ("leaf", leaves.popleft())

    for node in range(len(f) - 1):
        a, b = pop(), pop()
        children[node] = (a, b)
        weight[("inner", node)] = weight[a] + weight[b]
        inner.append((weight[("inner", node)], ("inner", node)))
    paths, codes = [None] * len(f), [None] * len(f)
    stack = [(("inner", len(f) - 2), [], [])]
    while stack:
        (kind, ident), path, code = stack.pop()
        if kind == "leaf":
            paths[ident], codes[ident] = path, code
            continue
        left, right = children[ident]
        stack.append((left, path + [ident], code + [0]))
        stack.append((right, path + [ident], code + [1]))
    return HuffmanTree(f, paths, codes)


def word_probability(tree: HuffmanTree, word, h, node_vectors):
    """p(word | h) = product over the path of sigmoid(+-v_n . h): + for a left turn (code 0), - for a right turn.

    Also returns the sigmoids along the path (one per inner node), the factors of the product.
    """
    h, v = np.asarray(h, dtype=float), np.asarray(node_vectors, dtype=float)
    path, code = tree.paths[word], np.asarray(tree.codes[word])
    signs = 1.0 - 2.0 * code
    factors = sigmoid(signs * (v[path] @ h))
    return float(np.prod(factors)), factors


def all_word_probabilities(tree: HuffmanTree, h, node_vectors):
    """p(w | h) for every word: they sum to 1, as a softmax's do."""
    return np.array([word_probability(tree, w, h, node_vectors)[0] for w in range(len(tree.frequencies))])


def expected_path_length(tree: HuffmanTree) -> float:
    """The average number of sigmoids per word, weighted by frequency (what training pays per word on average)."""
    depths = np.array([tree.depth(w) for w in range(len(tree.frequencies))], dtype=float)
    return float(np.sum(tree.frequencies * depths) / np.sum(tree.frequencies))
