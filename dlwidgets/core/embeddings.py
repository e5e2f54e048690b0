"""Word vectors from a small generated corpus (co-occurrence counts, PPMI, truncated SVD), and the ways of judging
them: relatedness, analogies by vector offset, categorisation and clustering (A12).

The corpus is made here, seeded, so nothing downloads: each sentence names one word (a person, a country or
a capital, an animal, a food) with context words drawn from that word's attributes (male or female, royal,
young, which country, country or city, animal or food). Words that share attributes share contexts, so
PPMI + SVD gives vectors in which each attribute is roughly one direction, which is what makes
king - man + woman land near queen. Real corpora give the same effect with far more noise.
"""

from __future__ import annotations

import numpy as np

__all__ = ["EMBEDDING_WORDS", "CATEGORIES", "ANALOGIES", "RELATEDNESS", "make_corpus", "cooccurrence", "ppmi", "svd_vectors",
           "WordVectors", "word_vectors", "cosine_similarity", "analogy", "analogy_accuracy", "kmeans",
           "cluster_purity", "spearman"]

_CONTEXTS = {
    "male": ["he", "his", "him", "sir"], "female": ["she", "her", "hers", "madam"],
    "royal": ["crown", "throne", "palace", "reign"], "common": ["works", "job", "neighbour", "village"],
    "young": ["small", "school", "play", "toy"],
    "country": ["country", "nation", "border", "flag"], "city": ["city", "capital", "streets", "mayor"],
    "france": ["french", "wine"], "italy": ["italian", "pasta"], "japan": ["japanese", "sushi"],
    "egypt": ["egyptian", "nile"], "spain": ["spanish", "flamenco"], "germany": ["german", "beer"],
    "animal": ["animal", "legs", "fur", "wild"], "food": ["eat", "cook", "taste", "plate"],
    "farm": ["farm", "field"], "home": ["home", "sofa"], "sweet": ["sweet", "sugar"], "grain": ["grain", "flour"],
}

# word -> its attributes (each an entry of _CONTEXTS)
EMBEDDING_WORDS = {
    "king": ("male", "royal"), "queen": ("female", "royal"), "man": ("male", "common"),
    "woman": ("female", "common"), "prince": ("male", "royal", "young"), "princess": ("female", "royal", "young"),
    "boy": ("male", "common", "young"), "girl": ("female", "common", "young"),
    "france": ("country", "france"), "paris": ("city", "france"), "italy": ("country", "italy"),
    "rome": ("city", "italy"), "japan": ("country", "japan"), "tokyo": ("city", "japan"),
    "egypt": ("country", "egypt"), "cairo": ("city", "egypt"), "spain": ("country", "spain"),
    "madrid": ("city", "spain"), "germany": ("country", "germany"), "berlin": ("city", "germany"),
    "cow": ("animal", "farm"), "horse": ("animal", "farm"), "cat": ("animal", "home"), "dog": ("animal", "home"),
    "cake": ("food", "sweet"), "honey": ("food", "sweet"), "bread": ("food", "grain"), "rice": ("food", "grain"),
}

CATEGORIES = {
    "people": ["king", "queen", "man", "woman", "prince", "princess", "boy", "girl"],
    "countries": ["france", "italy", "japan", "egypt", "spain", "germany"],
    "capitals": ["paris", "rome", "tokyo", "cairo", "madrid", "berlin"],
    "animals": ["cow", "horse", "cat", "dog"],
    "foods": ["cake", "honey", "bread", "rice"],
}

# (a, b, c, d): a is to b as c is to d, answered by the word nearest to b - a + c
ANALOGIES = [
    ("man", "woman", "king", "queen"), ("king", "queen", "prince", "princess"), ("man", "king", "woman", "queen"),
    ("boy", "girl", "prince", "princess"), ("man", "boy", "woman", "girl"), ("king", "prince", "queen", "princess"),
    ("france", "paris", "italy", "rome"), ("italy", "rome", "japan", "tokyo"), ("japan", "tokyo", "egypt", "cairo"),
    ("spain", "madrid", "germany", "berlin"), ("paris", "france", "berlin", "germany"),
    ("rome", "italy", "madrid", "spain"),
]

# (word, word, relatedness 0-10 as a person might judge it): the relatedness test set
RELATEDNESS = [
    ("king", "queen", 9), ("man", "woman", 8), ("king", "prince", 8), ("paris", "france", 8), ("tokyo", "japan", 8),
    ("cat", "dog", 8), ("honey", "cake", 8), ("cow", "horse", 7), ("bread", "rice", 7), ("rome", "berlin", 6),
    ("girl", "cake", 2), ("king", "bread", 1), ("cat", "paris", 1), ("queen", "madrid", 1), ("dog", "rice", 1),
    ("egypt", "boy", 1),
]


def make_corpus(sentences=4000, seed=0):
    """A list of sentences (lists of words): 'the' + a word + one context word for each of two of its attributes."""
    rng = np.random.default_rng(seed)
    words = list(EMBEDDING_WORDS)
    corpus = []
    for _ in range(int(sentences)):
        word = words[rng.integers(len(words))]
        attributes = list(EMBEDDING_WORDS[word])
        chosen = rng.choice(len(attributes), size=min(2, len(attributes)), replace=False)
        contexts = [_CONTEXTS[attributes[i]][rng.integers(len(_CONTEXTS[attributes[i]]))] for i in chosen]
        sentence = ["the", word, *contexts]
        if rng.random() < 0.5:
            sentence = [sentence[0], *contexts[:1], word, *contexts[1:]]
        corpus.append(sentence)
    return corpus


def cooccurrence(corpus, window=2):
    """(vocabulary in order of first use, counts[i, j] of word j within ``window`` words of word i in a sentence)."""
    vocab, index = [], {}
    for sentence in corpus:
        for word in sentence:
            if word not in index:
                index[word] = len(vocab)
                vocab.append(word)
    counts = np.zeros((len(vocab), len(vocab)))
    for sentence in corpus:
        ids = [index[w] for w in sentence]
        for i, a in enumerate(ids):
            for j in range(max(0, i - window), min(len(ids), i + window + 1)):
                if j != i:
                    counts[a, ids[j]] += 1
    return vocab, counts


def ppmi(counts):
    """Positive pointwise mutual information max(0, log p(i, j) / (p(i) p(j))); 0 where a pair never occurs."""
    counts = np.asarray(counts, dtype=float)
    total = counts.sum()
    row, col = counts.sum(1, keepdims=True), counts.sum(0, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log(counts * total / (row * col))
    return np.where(counts > 0, np.maximum(pmi, 0.0), 0.0)


def svd_vectors(matrix, dim):
    """Rows of U_d sqrt(S_d): the rank-d truncated SVD of the matrix, one vector per word."""
    u, s, _ = np.linalg.svd(np.asarray(matrix, dtype=float), full_matrices=False)
    return u[:, :dim] * np.sqrt(s[:dim])


class WordVectors:
    """A vocabulary and one vector per word, with lookups by word."""

    def __init__(self, vocab, vectors):
        self.vocab = list(vocab)
        self.vectors = np.asarray(vectors, dtype=float)
        self.index = {w: i for i, w in enumerate(self.vocab)}

    def __getitem__(self, word):
        return self.vectors[self.index[word]]

    def nearest(self, query, k=5, among=None, exclude=()):
        """The k words (of ``among``, default the whole vocabulary) most cosine-similar to a word or a vector."""
        named = isinstance(query, str)
        v = self[query] if named else np.asarray(query, dtype=float)
        words = [w for w in (among or self.vocab) if w not in exclude and not (named and w == query)]
        sims = [float(cosine_similarity(v, self[w])) for w in words]
        order = np.argsort(sims, kind="stable")[::-1][:k]
        return [(words[i], sims[i]) for i in order]


def word_vectors(corpus=None, dim=10, window=2, seed=0):
    """WordVectors of the lesson's words from PPMI + truncated SVD of their word-context counts.

    Rows are the target words (EMBEDDING_WORDS), columns every other word except 'the': the classic
    word-context matrix, so a word's vector says which contexts it keeps, not which targets.
    """
    corpus = make_corpus(seed=seed) if corpus is None else corpus
    vocab, counts = cooccurrence(corpus, window)
    targets = [w for w in EMBEDDING_WORDS if w in vocab]
    contexts = [i for i, w in enumerate(vocab) if w not in EMBEDDING_WORDS and w != "the"]
    matrix = counts[np.ix_([vocab.index(w) for w in targets], contexts)]
    if not 1 <= dim <= min(matrix.shape):
        raise ValueError(f"dim must be between 1 and {min(matrix.shape)}, got {dim}")
    return WordVectors(targets, svd_vectors(ppmi(matrix), dim))


def cosine_similarity(a, b):
    """a . b / (|a| |b|) along the last axis."""
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    return np.sum(a * b, axis=-1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def analogy(vectors: WordVectors, a, b, c, among=None):
    """The word d with b - a + c nearest to it (a is to b as c is to d), a, b and c themselves excluded."""
    target = vectors[b] - vectors[a] + vectors[c]
    return vectors.nearest(target, k=1, among=among or list(EMBEDDING_WORDS), exclude=(a, b, c))[0][0]


def analogy_accuracy(vectors: WordVectors, analogies=ANALOGIES):
    """The share of analogies (a, b, c, d) answered d, and the answers."""
    answers = [analogy(vectors, a, b, c) for a, b, c, _ in analogies]
    return float(np.mean([got == d for got, (_, _, _, d) in zip(answers, analogies)])), answers


def kmeans(points, k, seed=0, iterations=100):
    """Lloyd's k-means from k distinct random points: (labels, centres)."""
    points = np.asarray(points, dtype=float)
    rng = np.random.default_rng(seed)
    centres = points[rng.choice(len(points), size=k, replace=False)]
    labels = np.zeros(len(points), dtype=int)
    for _ in range(iterations):
        labels = np.argmin(((points[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
        new = np.array([points[labels == j].mean(0) if np.any(labels == j) else centres[j] for j in range(k)])
        if np.allclose(new, centres):
            break
        centres = new
    return labels, centres


def cluster_purity(labels, truth):
    """The share of points whose cluster's most common true category is their own."""
    labels, truth = np.asarray(labels), np.asarray(truth)
    hits = sum(np.max(np.unique(truth[labels == c], return_counts=True)[1]) for c in np.unique(labels))
    return float(hits / len(labels))


def spearman(a, b):
    """Spearman's rank correlation (ties get their mean rank)."""
    def ranks(x):
        x = np.asarray(x, dtype=float)
        order = np.argsort(x, kind="stable")
        r = np.empty(len(x))
        r[order] = np.arange(len(x), dtype=float)
        for value in np.unique(x):
            r[x == value] = r[x == value].mean()
        return r
    ra, rb = ranks(a), ranks(b)
    return float(np.corrcoef(ra, rb)[0, 1])
