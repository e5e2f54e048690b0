"""Checks for lesson 14 (GANs and graph networks). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import (TARGET_MODES, adjacency_matrix, covers_all_modes, gcn_layer, gumbel_noise, gumbel_softmax,
                    karate_club, normalised_adjacency, optimal_discriminator, target_pdf, train_gan)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_optimal_discriminator", "check_saturation", "check_gumbel_softmax", "check_text_gans",
    "check_mode_challenge", "check_graph_conv", "check_coefficient", "CHALLENGE_SEEDS", "CHALLENGE_STEPS",
]


def _refuse_core(fn, name: str, core_names: set) -> None:
    """Tell a learner whose function only calls dlwidgets.core to write it with numpy (the grader scores it 0)."""
    code = getattr(fn, "__code__", None)
    if code is None:
        return
    names, stack = set(), [code]
    while stack:
        c = stack.pop()
        names |= set(c.co_names) | set(c.co_freevars)
        stack += [k for k in c.co_consts if hasattr(k, "co_names")]
    used = names & (core_names | {"dlwidgets", "core"})
    if used:
        raise CheckFailed(f"`{name}` calls dlwidgets.core ({', '.join(sorted(used))}). The point is to write it "
                          "yourself with numpy; the grader scores a call of the library zero.")


# ---------------------------------------------------------------- 1. the optimal discriminator (B32)

register_hints("optimal_discriminator", [
    "For a fixed generator the best discriminator is D*(x) = p_data(x) / (p_data(x) + p_g(x)).",
    "At x = 2 the data's density is half a Gaussian's peak (the other mode, 4 standard deviations... ten of them "
    "away, adds nothing); the collapsed generator's density is a whole peak of the same Gaussian.",
    "d_star = 0.5 / (0.5 + 1)  # = 1/3",
])


def check_optimal_discriminator(answer) -> None:
    """D*(2) when the data is the two-mode mixture and G puts all its mass exactly on the mode at 2."""
    means, std, _ = TARGET_MODES["mixture"]
    p_g = math.exp(-0.5 * ((2.0 - means[1]) / std) ** 2) / (std * math.sqrt(2 * math.pi))
    p_data = float(target_pdf("mixture", 2.0))
    expected = optimal_discriminator(p_data, p_g)
    check_value(answer, expected, exercise="optimal_discriminator", name="d_star", rtol=2e-3, atol=2e-3, mistakes={
        0.5: "1/2 is the answer at equilibrium, when p_g = p_data everywhere. Here G has only one of the two modes: "
             "at x = 2 it puts twice the data's density.",
        p_g / (p_data + p_g): "that is p_g / (p_data + p_g), the probability of 'fake'. D outputs the probability "
                              "that x is real: p_data / (p_data + p_g).",
        1.0: "D* is 1 at the mode G misses (x = -2), where only real samples fall. At x = 2 both real and fake "
             "samples fall.",
    })


# ---------------------------------------------------------------- 2. why the original generator loss saturates

SATURATION_OPTIONS = {
    "a": "The discriminator's loss is the same in both versions; only the generator's loss changes. And what "
         "the discriminator sees does not saturate: it gets strong gradients from confident mistakes.",
    "b": "Swapping the loss does not change the tanh or the sigmoid inside the networks; it changes which "
         "function of D(G(z)) the generator minimises.",
    "c": "Both losses have the same fixed point (p_g = p_data); the non-saturating one is not a different "
         "divergence at the optimum, it only gives G useful gradients far from it.",
    "d": "d/ds log(1 - sigmoid(s)) = -sigmoid(s), about 0 when D confidently rejects the fake (s very negative), "
         "which is exactly the start of training; -log sigmoid(s) has slope sigmoid(s) - 1, about -1 there.",
}

register_hints("saturation", [
    "Write D(G(z)) = sigmoid(s) with s the discriminator's logit. Early on, D rejects the fakes: s is very negative.",
    "Differentiate log(1 - sigmoid(s)) and -log sigmoid(s) with respect to s, and evaluate both at s = -10.",
    "The answer is (d).",
])


def check_saturation(answer) -> None:
    """B32: why the generator's original loss log(1 - D(G(z))) saturates."""
    check_choice(answer, "d", SATURATION_OPTIONS, exercise="saturation", name="saturation")


# ---------------------------------------------------------------- 3. a Gumbel-softmax sample (B34)


def _gumbel_reference(logits, u, tau):
    return gumbel_softmax(logits, u, tau)


def _gumbel_cases(hidden=False):
    rng = np.random.default_rng(140)
    cases = [
        Case((np.log([1.0, 2.0, 1.0]), np.full(3, math.exp(-1)), 1.0),
             label="logits ln[1, 2, 1], u = e^-1 (noise 0), tau 1"),
        Case((rng.normal(size=(4, 5)), rng.random((4, 5)), 0.5), label="a batch of 4 rows of 5 logits, tau 0.5"),
        Case((np.array([[1000.0, -1000.0, 0.0], [-1000.0, -999.0, -1000.0]]), rng.random((2, 3)), 0.3),
             label="logits of +-1000 (numerical stability), tau 0.3"),
    ]
    if hidden:
        cases += [Case((rng.normal(size=7) * 3, rng.random(7), 5.0), label="7 logits, tau 5"),
                  Case((rng.normal(size=(3, 2)), rng.random((3, 2)), 0.05), label="3 rows of 2 logits, tau 0.05")]
    return cases


def _softmax(a):
    a = a - np.max(a, axis=-1, keepdims=True)
    e = np.exp(a)
    return e / e.sum(axis=-1, keepdims=True)


GUMBEL_MISTAKES = [
    Mistake(lambda logits, u, tau: gumbel_softmax(logits, np.full(np.shape(u), math.exp(-1)), tau),
            "the noise is missing: softmax(logits / tau) is the same every time. Add g = -log(-log u) to the logits."),
    Mistake(lambda logits, u, tau: _softmax((np.asarray(logits) + np.asarray(u)) / tau),
            "u is added as it is. u is uniform; the Gumbel noise is g = -log(-log u)."),
    Mistake(lambda logits, u, tau: _softmax((np.asarray(logits) - np.log(u)) / tau),
            "the noise is -log u (an exponential variable), not the Gumbel -log(-log u)."),
    Mistake(lambda logits, u, tau: _softmax((np.asarray(logits) + gumbel_noise(u)) * tau),
            "the scores are multiplied by tau. The temperature divides: small tau sharpens towards one-hot."),
    Mistake(lambda logits, u, tau: _softmax(np.asarray(logits) + gumbel_noise(u)),
            "the temperature is ignored: divide logits + g by tau before the softmax."),
]

register_hints("gumbel_softmax", [
    "Three steps: g = -log(-log u); scores = (logits + g) / tau; a softmax over the last axis.",
    "For the softmax, subtract each row's maximum before np.exp (keepdims=True), so logits of 1000 do not overflow.",
    "g = -np.log(-np.log(u))\n"
    "scores = (logits + g) / tau\n"
    "scores = scores - scores.max(axis=-1, keepdims=True)\n"
    "e = np.exp(scores)\n"
    "return e / e.sum(axis=-1, keepdims=True)",
])


def check_gumbel_softmax(fn, hidden: bool = False) -> None:
    """The learner's gumbel_softmax_sample(logits, u, tau) against dlwidgets.core.gumbel_softmax."""
    _refuse_core(fn, "gumbel_softmax_sample", {"gumbel_softmax", "gumbel_noise", "straight_through"})
    with np.errstate(over="ignore", invalid="ignore"):
        check_function(fn, _gumbel_reference, _gumbel_cases(hidden), exercise="gumbel_softmax",
                       name="gumbel_softmax_sample", mistakes=GUMBEL_MISTAKES, rtol=1e-7, atol=1e-10)


# ---------------------------------------------------------------- 4. GANs for text (B34)

TEXT_GAN_OPTIONS = {
    "a": "Picking a token is an argmax (or a sample): a step function of the logits, whose gradient is 0 almost "
         "everywhere, so D's verdict cannot reach G's weights. Gumbel-softmax relaxes the pick, SeqGAN "
         "estimates the gradient with REINFORCE instead.",
    "b": "Text is not too short for a discriminator: SeqGAN's discriminator reads whole sequences. Length is "
         "not what stops the gradient.",
    "c": "Word embeddings are continuous vectors, but the generator still has to choose a token to write, "
         "and the choice is not differentiable.",
    "d": "Nothing forces the discriminator to be an RNN (SeqGAN's is a CNN), and recurrent networks "
         "differentiate fine.",
}

register_hints("text_gans", [
    "Where, between the generator's logits and the discriminator's input, is there a step that is not smooth?",
    "Move one logit by a tiny amount: does the sampled one-hot token change? What is its derivative then?",
    "The answer is (a).",
])


def check_text_gans(answer) -> None:
    """B34: why a plain GAN cannot train a text generator by back-propagation."""
    check_choice(answer, "a", TEXT_GAN_OPTIONS, exercise="text_gans", name="text_gans")


# ---------------------------------------------------------------- 5. widget challenge: cover both modes

CHALLENGE_SEEDS = (0, 1, 2)
CHALLENGE_STEPS = 300

register_hints("mode_challenge", [
    "At the defaults the discriminator learns fast (lr 0.01, k = 3) and the generator slowly (lr 0.003). "
    "Which balance would let the generator keep up?",
    "Try a faster generator and a slower discriminator, with k = 1; or a Wasserstein loss. Check the seeds 1 and 2 "
    "too: the check replays all three.",
    "gan.set(loss='non_saturating', lr_g=0.01, lr_d=0.003, d_steps=1)\nmode_settings = gan.settings()",
])


def check_mode_challenge(settings) -> None:
    """The learner's GAN settings cover both modes of the mixture (each >= 25% of G's samples) at step 300,
    replayed with dlwidgets.core for the seeds 0, 1 and 2."""
    if settings is ...:
        raise CheckFailed("`mode_settings` is not answered yet.\nMove the GAN widget's controls, then run "
                          "`mode_settings = gan.settings()`.")
    needed = {"loss", "target", "lr_g", "lr_d", "d_steps", "steps"}
    if not isinstance(settings, dict) or not needed <= settings.keys():
        raise CheckFailed("`mode_settings` should be the dict gan.settings() returns.")
    if settings["target"] != "mixture":
        raise CheckFailed("The challenge is on the two-mode target: keep target='mixture'.")
    if settings["steps"] != CHALLENGE_STEPS:
        raise CheckFailed(f"Keep the budget of {CHALLENGE_STEPS} generator steps (steps={CHALLENGE_STEPS}); more steps "
                          "is not the point.")
    outcomes = []
    for seed in CHALLENGE_SEEDS:
        try:
            run = train_gan(settings["loss"], "mixture", steps=CHALLENGE_STEPS, d_steps=settings["d_steps"],
                            lr_g=settings["lr_g"], lr_d=settings["lr_d"], seed=seed, record_every=CHALLENGE_STEPS)
        except (TypeError, ValueError) as exc:
            raise CheckFailed(f"Those settings are impossible: {exc}.") from None
        outcomes.append(run.masses[-1])
    failed = [(seed, m) for seed, m in zip(CHALLENGE_SEEDS, outcomes) if not covers_all_modes(m)]
    if failed:
        seed, m = failed[0]
        raise CheckFailed(f"With seed {seed} the generator ends with {m[0]:.0%} of its samples near -2 and {m[1]:.0%} "
                          f"near 2: not both modes (each needs 25%). {len(failed)} of {len(CHALLENGE_SEEDS)} seeds "
                          "fail."
                          "\nStuck? Run hint('mode_challenge') for a hint.")
    summary = "; ".join(f"seed {s}: {m[0]:.0%} / {m[1]:.0%}" for s, m in zip(CHALLENGE_SEEDS, outcomes))
    print(f"✔ both modes covered on every seed ({summary}).")


# ---------------------------------------------------------------- 6. one GCN layer (B35)


def _graph_conv_reference(adjacency, features, weight):
    return gcn_layer(normalised_adjacency(adjacency), features, weight, "relu")


def _graph_cases(hidden=False):
    rng = np.random.default_rng(141)
    path = adjacency_matrix(3, [(0, 1), (1, 2)])
    with_isolated = adjacency_matrix(5, [(0, 1), (1, 2), (2, 3)])          # node 4 has no neighbour
    weighted = adjacency_matrix(4, [(0, 1), (1, 2), (2, 3), (3, 0)], weights=[0.5, 2.0, 1.0, 3.0])
    cases = [
        Case((path, np.array([[1.0], [2.0], [3.0]]), np.array([[1.0]])),
             label="the path 0-1-2, features [1, 2, 3], W = [[1]]"),
        Case((with_isolated, rng.normal(size=(5, 3)), rng.normal(size=(3, 2))),
             label="5 nodes, node 4 isolated, 3 features -> 2"),
        Case((weighted, rng.normal(size=(4, 2)), rng.normal(size=(2, 3))), label="a weighted 4-cycle, 2 features -> 3"),
    ]
    if hidden:
        g = karate_club()
        cases += [Case((adjacency_matrix(g.n, g.edges), rng.normal(size=(34, 4)), rng.normal(size=(4, 2))),
                       label="the karate club, 4 features -> 2"),
                  Case((np.zeros((2, 2)), rng.normal(size=(2, 1)), np.array([[-1.0]])), label="two isolated nodes")]
    return cases


def _row_normalised(adjacency, features, weight):
    a = np.asarray(adjacency, float) + np.eye(len(adjacency))
    return np.maximum((a / a.sum(axis=1, keepdims=True)) @ features @ weight, 0)


def _without_self_loops(adjacency, features, weight):
    a = np.asarray(adjacency, float)
    d = a.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1 / np.sqrt(d)
        return np.maximum(s[:, None] * a * s[None, :] @ features @ weight, 0)


def _degree_without_loop(adjacency, features, weight):
    a = np.asarray(adjacency, float)
    d = a.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        s = 1 / np.sqrt(d)
        return np.maximum(s[:, None] * (a + np.eye(len(a))) * s[None, :] @ features @ weight, 0)


GRAPH_CONV_MISTAKES = [
    Mistake(lambda a, h, w: gcn_layer(normalised_adjacency(a), h, w, "identity"),
            "the ReLU is missing: a GCN layer ends with the non-linearity, relu(A_hat H W)."),
    Mistake(_row_normalised, "that is D^-1 (A + I), the mean over neighbours (row-normalised). Kipf and Welling's "
                             "GCN normalises on both sides, D^-1/2 (A + I) D^-1/2."),
    Mistake(_without_self_loops, "the self-loops are missing: add I to A first, so each node keeps its own features "
                                 "(and an isolated node does not divide by zero)."),
    Mistake(_degree_without_loop, "the degrees leave out the self-loop: D must be the row sums of A + I."),
    Mistake(lambda a, h, w: np.maximum((np.asarray(a) + np.eye(len(a))) @ h @ w, 0),
            "the adjacency is not normalised: without D^-1/2 ... D^-1/2 high-degree nodes get ever larger features."),
]

register_hints("graph_conv", [
    "Four steps: A + I; the degrees d = row sums of A + I; A_hat[i, j] = (A + I)[i, j] / sqrt(d_i d_j); "
    "relu(A_hat @ H @ W).",
    "With s = 1 / np.sqrt(d), A_hat is s[:, None] * (A + I) * s[None, :]. Weighted edges need no special case.",
    "a = adjacency + np.eye(len(adjacency))\n"
    "s = 1 / np.sqrt(a.sum(axis=1))\n"
    "a_hat = s[:, None] * a * s[None, :]\n"
    "return np.maximum(a_hat @ features @ weight, 0)",
])


def _isolated_node_check(fn) -> None:
    """A learner's NaN or inf for a graph with an isolated node gets its own sentence: the self-loop's degree."""
    if not callable(fn):
        return
    adjacency = adjacency_matrix(3, [(0, 1)])                 # node 2 has no neighbour
    try:
        with np.errstate(divide="ignore", invalid="ignore"):
            out = np.asarray(fn(adjacency, np.ones((3, 1)), np.ones((1, 1))), dtype=float)
    except Exception:  # noqa: BLE001 - check_function reports the learner's exception in a sentence
        return
    if out.shape == (3, 1) and not np.isfinite(out).all():
        raise CheckFailed("For a graph with an isolated node (no neighbours, here node 2 of the edge 0-1) graph_conv "
                          "returns NaN or inf: a degree of 0 is divided by. Add the self-loops, A + I, before "
                          "computing the degrees, so every degree is at least 1.\n"
                          "Stuck? Run hint('graph_conv') for a hint; each call gives a stronger one.")


def check_graph_conv(fn, hidden: bool = False) -> None:
    """The learner's graph_conv(adjacency, features, weight) against core's normalised_adjacency and gcn_layer."""
    _refuse_core(fn, "graph_conv", {"gcn_layer", "normalised_adjacency", "message_passing"})
    _isolated_node_check(fn)
    with np.errstate(divide="ignore", invalid="ignore"):
        check_function(fn, _graph_conv_reference, _graph_cases(hidden), exercise="graph_conv", name="graph_conv",
                       mistakes=GRAPH_CONV_MISTAKES)


# ---------------------------------------------------------------- 7. one coefficient of A_hat (B35)

COEFFICIENT_AT, COEFFICIENT_FROM = 12, 1

register_hints("coefficient", [
    "A_hat[i, j] = 1 / sqrt(d_i d_j), where d counts the neighbours and the self-loop.",
    "Member 12 has one friend (member 1); member 1 has 16 friends. Add the self-loop to each.",
    "a_12_1 = 1 / np.sqrt(2 * 17)  # about 0.1715",
])


def check_coefficient(answer) -> None:
    """A_hat[12, 1] of the karate club: the weight of member 1's message in member 12's sum."""
    g = karate_club()
    a = adjacency_matrix(g.n, g.edges)
    i, j = COEFFICIENT_AT - 1, COEFFICIENT_FROM - 1
    expected = float(normalised_adjacency(a)[i, j])
    d_i, d_j = a[i].sum(), a[j].sum()
    check_value(answer, expected, exercise="coefficient", name="a_12_1", rtol=2e-3, atol=5e-4, mistakes={
        1 / math.sqrt(d_i * d_j): "the degrees leave out the self-loops: with A + I, member 12's degree is 2 and "
                                   "member 1's is 17.",
        1 / (d_i + 1): "that is 1/d_12, the mean over member 12's neighbourhood (row normalisation). GCN divides by "
                       "sqrt(d_i d_j), so a message from a well-connected sender counts for less.",
        1 / (d_j + 1): "that is 1/d_1, dividing by the sender's degree only. GCN divides by sqrt(d_i d_j), both.",
        1 / math.sqrt((d_i + 1) * d_j): "only one of the two self-loops is counted: both degrees include one.",
    })
