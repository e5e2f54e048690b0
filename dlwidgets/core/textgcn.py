"""TextGCN (Yao, Mao & Luo 2019): a whole corpus as one graph of documents and words, classified by a GCN.

Nodes are the documents and the vocabulary. A document is joined to each word it contains with weight
TF-IDF (the word's count in the document times log(number of documents / documents containing it),
as the paper's code computes it); two words are joined with weight PMI(i, j) = log(p(i, j) / (p(i) p(j)))
over sliding windows, when positive; every node has a self-loop of weight 1. A two-layer GCN on one-hot
node features, trained on a few labelled documents, labels the rest: label information flows
document -> shared word -> document, so two layers reach every document that shares a word, or a
word's co-occurring word, with a labelled one.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from itertools import combinations

import numpy as np

__all__ = ["TINY_CORPUS", "STOP_WORDS", "TextGraph", "tokenise", "tf_idf", "pmi", "build_text_graph"]

# Eight one-line documents on two topics, written for this lesson: (text, label).
TINY_CORPUS = (
    ("the team won the match with a late goal", "sport"),
    ("the striker scored a goal for the team", "sport"),
    ("fans cheered as the keeper saved the match", "sport"),
    ("the coach praised the striker and the keeper", "sport"),
    ("bake the bread with butter and salt", "food"),
    ("the soup needs salt and fresh herbs", "food"),
    ("fresh bread and butter with the soup", "food"),
    ("the chef tasted the soup and the herbs", "food"),
)
STOP_WORDS = frozenset({"the", "a", "and", "with", "for", "as"})


def tokenise(text: str, stop_words=STOP_WORDS) -> list[str]:
    """Lower-case words of ``text`` without the stop words."""
    return [w for w in text.lower().split() if w not in stop_words]


def tf_idf(docs: list[list[str]], vocab: list[str]) -> np.ndarray:
    """(documents, words): count of the word in the document * log(documents / documents containing it)."""
    index = {w: k for k, w in enumerate(vocab)}
    counts = np.zeros((len(docs), len(vocab)))
    for d, words in enumerate(docs):
        for w in words:
            counts[d, index[w]] += 1
    df = (counts > 0).sum(axis=0)
    return counts * np.log(len(docs) / df)


def pmi(docs: list[list[str]], vocab: list[str], window: int = 3) -> np.ndarray:
    """(words, words): point-wise mutual information over all sliding windows of ``window`` words (a shorter
    document is one window), log(#W(i,j) #W / (#W(i) #W(j))); 0 on the diagonal and for pairs never together."""
    windows = []
    for words in docs:
        if len(words) <= window:
            windows.append(set(words))
        else:
            windows += [set(words[k:k + window]) for k in range(len(words) - window + 1)]
    single = Counter(w for win in windows for w in win)
    pair = Counter(p for win in windows for p in combinations(sorted(win), 2))
    index = {w: k for k, w in enumerate(vocab)}
    out = np.zeros((len(vocab), len(vocab)))
    total = len(windows)
    for (wi, wj), count in pair.items():
        value = math.log(count * total / (single[wi] * single[wj]))
        out[index[wi], index[wj]] = out[index[wj], index[wi]] = value
    return out


@dataclass
class TextGraph:
    """The document-word graph: ``adjacency`` (n, n) with documents first, then ``vocab``; ``labels`` of the
    documents as indices into ``label_names``."""

    docs: list
    vocab: list
    adjacency: np.ndarray
    labels: np.ndarray
    label_names: tuple

    @property
    def n_docs(self) -> int:
        return len(self.docs)


def build_text_graph(corpus=TINY_CORPUS, window: int = 3) -> TextGraph:
    """TextGCN's graph of a corpus of (text, label): TF-IDF document-word edges, positive-PMI word-word edges,
    self-loops of weight 1."""
    docs = [tokenise(text) for text, _ in corpus]
    vocab = sorted({w for words in docs for w in words})
    names = tuple(sorted({label for _, label in corpus}))
    n_docs, n = len(docs), len(docs) + len(vocab)
    a = np.eye(n)
    weights = tf_idf(docs, vocab)
    a[:n_docs, n_docs:] = weights
    a[n_docs:, :n_docs] = weights.T
    a[n_docs:, n_docs:] += np.maximum(pmi(docs, vocab, window), 0.0)
    labels = np.array([names.index(label) for _, label in corpus])
    return TextGraph(docs=docs, vocab=vocab, adjacency=a, labels=labels, label_names=names)
