"""Checks for lesson 13 (training in practice). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import (cross_entropy, distillation_loss, expected_path_length, expected_share, huffman_tree,
                    imbalance_experiment,
                    kl_divergence, nearest_neighbours, soften)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_smote_points", "check_distill_loss", "check_huffman_cost", "check_linear_share", "check_rare_words",
    "check_distill_temperature", "check_imbalance_challenge", "HUFFMAN_FREQUENCIES",
    "CHALLENGE_MINORITY", "CHALLENGE_SEED", "CHALLENGE_RECALL", "CHALLENGE_PRECISION",
]


def _hint_line(exercise):
    return f"Stuck? Run hint({exercise!r}) for a hint; each call gives a stronger one."


# ---------------------------------------------------------------- 1. SMOTE, from the neighbours up


def _smote_reference(minority, k, base, rank, gap):
    minority = np.asarray(minority, dtype=float)
    neighbours = nearest_neighbours(minority, k)
    base, rank, gap = np.asarray(base), np.asarray(rank), np.asarray(gap, dtype=float)
    chosen = neighbours[base, rank]
    return minority[base] + gap[:, None] * (minority[chosen] - minority[base])


def _smote_cases(hidden=False):
    rng = np.random.default_rng(130)
    square = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 2.0], [3.0, 3.0]])
    cases = [
        Case((square, 1, np.array([0, 3]), np.array([0, 0]), np.array([0.5, 0.25])),
             label="4 points, k=1, bases [0, 3], ranks [0, 0], gaps [0.5, 0.25]"),
        Case((square, 2, np.array([0, 1, 2]), np.array([1, 1, 0]), np.array([1.0, 0.5, 0.1])),
             label="4 points, k=2, bases [0, 1, 2], ranks [1, 1, 0], gaps [1, 0.5, 0.1]"),
        Case((rng.normal(size=(8, 2)), 3, rng.integers(0, 8, 6), rng.integers(0, 3, 6), rng.random(6)),
             label="8 random points, k=3, 6 synthetic points"),
    ]
    if hidden:
        cases += [Case((rng.normal(size=(10, 3)), 5, rng.integers(0, 10, 7), rng.integers(0, 5, 7), rng.random(7)),
                       label="10 points in 3-D, k=5")]
    return cases


def _with_self(minority, k, base, rank, gap):
    minority = np.asarray(minority, dtype=float)
    d2 = ((minority[:, None] - minority[None]) ** 2).sum(-1)
    chosen = np.argsort(d2, axis=1, kind="stable")[:, :k][np.asarray(base), np.asarray(rank)]
    return minority[base] + np.asarray(gap)[:, None] * (minority[chosen] - minority[base])


SMOTE_MISTAKES = [
    Mistake(_with_self, "each point counts as its own nearest neighbour (distance 0). Leave the point itself out "
                        "(set the diagonal of the distance matrix to infinity) before sorting."),
    Mistake(lambda m, k, b, r, g: _smote_reference(m, k, b, r, 1.0 - np.asarray(g, dtype=float)),
            "the gap is measured from the neighbour: the synthetic point is x + gap (neighbour - x), so gap 0 gives "
            "x itself and gap 1 the neighbour."),
    Mistake(lambda m, k, b, r, g: _smote_reference(m, k, b, np.asarray(r) * 0 + k - 1 - np.asarray(r), g),
            "the neighbours are sorted the wrong way round: rank 0 is the nearest, rank k - 1 the k-th nearest."),
]

register_hints("smote_points", [
    "Two steps: for every minority point find its k nearest other minority points; then interpolate between "
    "base point i and its neighbour of the given rank.",
    "d2 = ((minority[:, None] - minority[None]) ** 2).sum(-1) gives all squared distances. Put np.inf on its "
    "diagonal, then np.argsort(d2, axis=1, kind='stable')[:, :k] lists each point's neighbours, nearest first.",
    "d2 = ((minority[:, None] - minority[None]) ** 2).sum(-1)\n"
    "np.fill_diagonal(d2, np.inf)\n"
    "neighbours = np.argsort(d2, axis=1, kind='stable')[:, :k]\n"
    "x = minority[base]\n"
    "n = minority[neighbours[base, rank]]\n"
    "return x + gap[:, None] * (n - x)",
])


def check_smote_points(fn, hidden: bool = False) -> None:
    """The learner's smote_points(minority, k, base, rank, gap) against core's nearest neighbours and interpolation."""
    check_function(fn, _smote_reference, _smote_cases(hidden), exercise="smote_points", name="smote_points",
                   mistakes=SMOTE_MISTAKES)


# ---------------------------------------------------------------- 2. the distillation loss


def _distill_reference(student, teacher, labels, temperature, alpha):
    return distillation_loss(student, teacher, labels, temperature, alpha)[0]


def _distill_cases(hidden=False):
    rng = np.random.default_rng(131)
    cases = [
        Case((rng.normal(size=(3, 4)), rng.normal(size=(3, 4)) * 3, np.array([0, 2, 3]), 4.0, 0.9),
             label="3 examples, 4 classes, T=4, alpha=0.9"),
        Case((rng.normal(size=(5, 3)), rng.normal(size=(5, 3)) * 2, np.array([1, 0, 2, 2, 1]), 2.0, 0.5),
             label="5 examples, 3 classes, T=2, alpha=0.5"),
        Case((rng.normal(size=(2, 5)), rng.normal(size=(2, 5)) * 4, np.array([4, 1]), 1.0, 0.3),
             label="2 examples, 5 classes, T=1, alpha=0.3"),
    ]
    if hidden:
        cases += [Case((rng.normal(size=(4, 6)) * 2, rng.normal(size=(4, 6)) * 5, np.array([0, 5, 3, 1]), 10.0, 0.7),
                       label="4 examples, 6 classes, T=10, alpha=0.7")]
    return cases


def _batch_kl(p, q):
    return float(np.mean(kl_divergence(p, q)))


DISTILL_MISTAKES = [
    Mistake(lambda s, t, y, T, a: a * _batch_kl(soften(t, T), soften(s, T)) + (1 - a) * cross_entropy(s, y)[0],
            "the soft term is not multiplied by T^2. Its gradient shrinks like 1/T^2 as T grows, so Hinton et al. "
            "scale it by T^2 to keep both terms' gradients comparable."),
    Mistake(lambda s, t, y, T, a: a * T * T * _batch_kl(soften(s, T), soften(t, T)) + (1 - a) * cross_entropy(s, y)[0],
            "the KL divergence is the wrong way round: the teacher's softened distribution is the target, "
            "KL(teacher_T || student_T) = sum p_teacher log(p_teacher / p_student)."),
    Mistake(lambda s, t, y, T, a: a * T * T * _batch_kl(soften(t, T), soften(s, T))
            + (1 - a) * cross_entropy(np.asarray(s) / T, y)[0],
            "the hard-label cross-entropy uses the softened student (logits / T). The labels are matched at T = 1."),
    Mistake(lambda s, t, y, T, a: _batch_kl(soften(t, T), soften(s, T)) + cross_entropy(s, y)[0],
            "that is the notes' loss1 + loss2: no alpha and no T^2. Weigh the soft term by alpha T^2 and the hard "
            "term by 1 - alpha."),
    Mistake(lambda s, t, y, T, a: a * T * T * float(np.sum(kl_divergence(soften(t, T), soften(s, T))))
            + (1 - a) * cross_entropy(s, y)[0],
            "the KL divergence is summed over the batch but the cross-entropy averaged: average both over the examples."),
]

register_hints("distill_loss", [
    "Soften both with the same T: softmax(logits / T) row by row. The soft term is the mean over examples of "
    "KL(teacher_T || student_T); the hard term is the ordinary cross-entropy of the student's logits (T = 1).",
    "loss = alpha * T**2 * soft + (1 - alpha) * hard. Use a stable softmax and log-softmax (lesson 12).",
    "def soft(z, T):\n"
    "    z = z / T\n"
    "    z = z - z.max(axis=1, keepdims=True)\n"
    "    return z - np.log(np.exp(z).sum(axis=1, keepdims=True))   # log-probabilities\n"
    "log_ps, log_pt = soft(student, T), soft(teacher, T)\n"
    "kl = np.mean(np.sum(np.exp(log_pt) * (log_pt - log_ps), axis=1))\n"
    "log_p = soft(student, 1.0)\n"
    "ce = -np.mean(log_p[np.arange(len(labels)), labels])\n"
    "return alpha * T**2 * kl + (1 - alpha) * ce",
])


def check_distill_loss(fn, hidden: bool = False) -> None:
    """The learner's distill_loss(student, teacher, labels, T, alpha) against dlwidgets.core.distillation_loss."""
    check_function(fn, _distill_reference, _distill_cases(hidden), exercise="distill_loss", name="distill_loss",
                   mistakes=DISTILL_MISTAKES, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- 3. predict the cost of a word in a Huffman tree

HUFFMAN_FREQUENCIES = {"the": 40, "of": 25, "cat": 15, "sat": 10, "mat": 6, "hat": 3, "zygote": 1}

register_hints("huffman_cost", [
    "Build the tree by hand: repeatedly merge the two smallest weights into one node whose weight is their sum. "
    "A word's depth is the number of merges its subtree takes part in.",
    "Start with 1 + 3 = 4, then 4 + 6 = 10, ... Then average the depths, each weighted by its word's count "
    "(the counts add up to 100).",
    "Depths: the 1, of 2, cat 3, sat 4, mat 5, hat 6, zygote 6.\n"
    "average_sigmoids = (40*1 + 25*2 + 15*3 + 10*4 + 6*5 + 3*6 + 1*6) / 100  # 2.29",
])


def check_huffman_cost(answer) -> None:
    """The average number of sigmoids per word of text (depths weighted by the counts) in the Huffman tree."""
    words = list(HUFFMAN_FREQUENCIES)
    counts = np.array([HUFFMAN_FREQUENCIES[w] for w in words], dtype=float)
    tree = huffman_tree(counts)
    depths = np.array([tree.depth(i) for i in range(len(words))], dtype=float)
    check_value(answer, expected_path_length(tree), exercise="huffman_cost", name="average_sigmoids", rtol=5e-3,
                atol=5e-3, mistakes={
        math.log2(len(words)): "that is log2 of the vocabulary size, a balanced tree's depth. A Huffman tree gives "
                               "frequent words shorter paths, so the average over the text is lower.",
        float(depths.mean()): "that is the plain mean of the depths; weigh each word's depth by how often it occurs.",
        float(depths.max()): "that is the rarest word's depth, the longest path, not the average.",
        float(np.sum(counts * (depths + 1)) / counts.sum()): "that counts the leaf as well; count the inner nodes "
                                                             "(one sigmoid each) on each path.",
    })


# ---------------------------------------------------------------- 4. predict where linear samples land

LINEAR_RANGE, LINEAR_BELOW, LINEAR_SAMPLES = (1e-5, 1e-1), 1e-3, 1000

register_hints("linear_share", [
    "Uniform in the value: the chance to land in [a, b) is (b - a) / (high - low), whatever the decades.",
    "(1e-3 - 1e-5) / (1e-1 - 1e-5) is about 0.0099; times 1000 samples.",
    "linear_below = 9.9",
])


def check_linear_share(answer) -> None:
    """Of 1000 learning rates drawn uniformly in the value from [1e-5, 0.1), how many fall below 1e-3 on average."""
    lo, hi = LINEAR_RANGE
    expected = LINEAR_SAMPLES * expected_share(lo, hi, lo, LINEAR_BELOW, "linear")
    check_value(answer, expected, exercise="linear_share", name="linear_below", rtol=0.05, atol=0.5, mistakes={
        LINEAR_SAMPLES * expected_share(lo, hi, lo, LINEAR_BELOW, "log"): "that is what log-scale sampling gives: "
        "two of the four decades. Uniform in the value, almost all samples land in the top decade.",
        LINEAR_SAMPLES / 4: "that is one decade's share under log-scale sampling.",
    })


# ---------------------------------------------------------------- 5. hierarchical softmax and rare words (A16)

RARE_OPTIONS = {
    "a": "No: Huffman trees are not balanced; a word's depth is about -log2 of its frequency, not log2 V for all.",
    "b": "Yes: rare words sit deep in the Huffman tree, so each of their updates evaluates more sigmoids (and "
         "touches more inner-node vectors) than a frequent word's, as the notes say.",
    "c": "No: every word of the vocabulary is a leaf of the tree; none falls back to a full softmax.",
    "d": "No: it is the other way round; Huffman codes give the shortest codes to the most frequent symbols.",
}

register_hints("rare_words", [
    "How does the Huffman construction decide which words end up near the root?",
    "The two least frequent nodes are merged first, again and again.",
    "The answer is (b).",
])


def check_rare_words(answer) -> None:
    """A16: the cost of a rare word's update under hierarchical softmax."""
    check_choice(answer, "b", RARE_OPTIONS, exercise="rare_words", name="rare_answer")


# ---------------------------------------------------------------- 6. distillation temperature (A17)

TEMPERATURE_OPTIONS = {
    "a": "No: KL of softened distributions changes with T, and so does its gradient, which is the problem.",
    "b": "No: softmax(z / T) only gets flatter as T grows; nothing makes the soft targets one-hot.",
    "c": "No: the gradient shrinks, it does not grow: (p_s - p_t) / T, and p_s - p_t itself is O(1/T).",
    "d": "Yes: the soft term's gradient is (p_s - p_t) / T with p_s - p_t of order 1/T, so it shrinks like 1/T^2 "
         "and the hard-label term takes over; Hinton et al. multiply the soft term by T^2.",
}

register_hints("distill_temperature", [
    "Differentiate KL(softmax(t / T) || softmax(s / T)) with respect to the student's logits s.",
    "The gradient is (softmax(s / T) - softmax(t / T)) / T; for large T each softmax is 1/C + O(1/T).",
    "The answer is (d).",
])


def check_distill_temperature(answer) -> None:
    """A17: what goes wrong with the notes' loss1 + loss2 as T grows."""
    check_choice(answer, "d", TEMPERATURE_OPTIONS, exercise="distill_temperature", name="temperature_answer")


# ---------------------------------------------------------------- 7. widget challenge: recall without losing precision

CHALLENGE_MINORITY, CHALLENGE_SEED = 0.05, 0
CHALLENGE_RECALL, CHALLENGE_PRECISION = 0.85, 0.225

register_hints("imbalance_challenge", [
    "With no resampling and no weights the model rarely predicts the minority: look at its recall.",
    "Rebalancing (weights, over-sampling or SMOTE) moves the boundary towards the majority. Which way of "
    "rebalancing throws away the most information about the majority?",
    "imb.set(method='smote', k=5, weighted=False)\nimbalance_settings = imb.settings()",
])


def check_imbalance_challenge(settings) -> None:
    """Minority share 0.05 and seed 0 kept; a setting with held-out recall >= 0.85 and precision >= 0.225."""
    if settings is ...:
        raise CheckFailed("`imbalance_settings` is not answered yet.\nChoose the resampling in the widget, then run "
                          "`imbalance_settings = imb.settings()`.")
    if not isinstance(settings, dict) or not {"minority", "method", "k", "weighted", "seed"} <= settings.keys():
        raise CheckFailed("`imbalance_settings` should be the dict imb.settings() returns.")
    if settings["minority"] != CHALLENGE_MINORITY or settings["seed"] != CHALLENGE_SEED:
        raise CheckFailed(f"Keep the minority share at {CHALLENGE_MINORITY} and the seed at {CHALLENGE_SEED}: the "
                          "problem is fixed, only the way you train on it changes.")
    try:
        r = imbalance_experiment(CHALLENGE_MINORITY, settings["method"], settings["k"], settings["weighted"],
                                 CHALLENGE_SEED)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    if r.recall < CHALLENGE_RECALL:
        raise CheckFailed(f"Held-out recall is {r.recall:.3f}; the target is at least {CHALLENGE_RECALL}: the model "
                          f"still misses too many minority points.\n{_hint_line('imbalance_challenge')}")
    if r.precision < CHALLENGE_PRECISION:
        raise CheckFailed(f"Recall {r.recall:.3f} is fine, but precision fell to {r.precision:.3f} (target at least "
                          f"{CHALLENGE_PRECISION}).\n{_hint_line('imbalance_challenge')}")
    print(f"✔ held-out recall {r.recall:.3f} with precision {r.precision:.3f} (F1 {r.f1:.3f}).")
