"""Checks for lesson 12 (losses and numerics). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import (DIVERGENCE_BINS, FLOAT_FORMATS, binned_distribution, cross_entropy, cross_entropy_of, entropy,
                    format_limits, kl_divergence, log_softmax, softmax)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_log_softmax", "check_cross_entropy_grad", "check_kl", "check_float16_underflow", "check_mse_sigmoid",
    "check_log_prob", "check_kl_challenge", "KL_P", "KL_Q", "KL_RATIO", "KL_FLOOR",
]


def _hint_line(exercise):
    return f"Stuck? Run hint({exercise!r}) for a hint; each call gives a stronger one."


def _quiet(fn):
    """A mistake model that may overflow, run without printing warnings (a test cell must write no stderr)."""
    def run(*args, **kwargs):
        with np.errstate(all="ignore"):
            return fn(*args, **kwargs)
    return run


# ---------------------------------------------------------------- 1. stable log-softmax, row by row


def _log_softmax_cases(hidden=False):
    rng = np.random.default_rng(120)
    cases = [
        Case((rng.normal(size=(3, 4)),), label="3 rows of 4 ordinary logits"),
        Case((np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -999.0]]),),
             label="[[1000, -1000, 0], [-1000, -1000, -999]]"),
        Case((np.array([[0.0, 1000.0], [5.0, 5.0], [-1000.0, 0.0]]),), label="[[0, 1000], [5, 5], [-1000, 0]]"),
    ]
    if hidden:
        cases += [Case((rng.normal(size=(1, 7)) * 300,), label="1 row of 7 logits of size ~300"),
                  Case((np.array([[3.0]]),), label="a single class [[3]]")]
    return cases


LOG_SOFTMAX_MISTAKES = [
    Mistake(_quiet(lambda z: np.log(np.exp(z) / np.exp(z).sum(axis=1, keepdims=True))),
            "this is log(exp(z) / sum exp(z)) as written: exp(1000) overflows to inf (inf / inf = nan) and "
            "exp(-1000) underflows to 0 (log 0 = -inf). Subtract each row's maximum first."),
    Mistake(_quiet(lambda z: np.log(softmax(z, axis=1))),
            "the softmax is stable but its log is not: a probability that underflows to 0 gives log 0 = -inf. "
            "Stay in log space: (z - m) - log(sum exp(z - m))."),
    Mistake(_quiet(lambda z: z - np.log(np.exp(z - z.max(axis=1, keepdims=True)).sum(axis=1, keepdims=True))),
            "the maximum m was subtracted inside the exponential but not outside: log-softmax is "
            "(z - m) - log(sum exp(z - m)), so every entry is off by m."),
    Mistake(_quiet(lambda z: log_softmax(z, axis=0)),
            "the softmax runs down each column (axis 0); each row is one example: use axis=1 with keepdims=True."),
]

register_hints("log_softmax", [
    "log softmax(z)_i = z_i - log(sum_j exp(z_j)). Neither exp(1000) nor log(0) may ever be computed.",
    "Subtract each row's maximum m (axis=1, keepdims=True): the shifted logits are <= 0, one of them is 0, so the "
    "sum of their exponentials is between 1 and C, and its log is finite.",
    "m = z.max(axis=1, keepdims=True)\n"
    "shifted = z - m\n"
    "return shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))",
])


def _not_finite(fn, cases):
    """A sentence for the first case where the learner's function returns nan or inf, or None.

    The shared diagnosis compares numbers, and nan equals nothing, so overflow is recognised here."""
    for number, case in enumerate(cases, 1):
        try:
            got = np.asarray(fn(*case.args), dtype=float)
        except Exception:  # noqa: BLE001 - check_function reports the learner's exception in its own words
            return None
        if got.shape != case.args[0].shape or np.all(np.isfinite(got)):
            continue
        why = LOG_SOFTMAX_MISTAKES[0 if np.isnan(got).any() or np.isposinf(got).any() else 1].explanation
        return (f"Case {number} of {len(cases)} fails: stable_log_softmax({case.describe()}) returns "
                f"{int(np.sum(~np.isfinite(got)))} value(s) that are nan or inf; every log-probability is finite.\n"
                f"This looks like a known mistake: {why}\n{_hint_line('log_softmax')}")
    return None


def check_log_softmax(fn, hidden: bool = False) -> None:
    """The learner's stable_log_softmax(z) over rows of an (N, C) array against dlwidgets.core.log_softmax."""
    cases = _log_softmax_cases(hidden)
    if callable(fn):
        problem = _not_finite(fn, cases)
        if problem:
            raise CheckFailed(problem)
    check_function(fn, lambda z: log_softmax(z, axis=1), cases, exercise="log_softmax",
                   name="stable_log_softmax", mistakes=LOG_SOFTMAX_MISTAKES)


# ---------------------------------------------------------------- 2. the weighted cross-entropy gradient


def _ce_reference(logits, target, weight):
    return cross_entropy(logits, target, weight=weight)[1]


def _ce_cases(hidden=False):
    rng = np.random.default_rng(121)
    cases = [
        Case((rng.normal(size=(4, 3)), np.array([0, 2, 1, 2]), np.array([1.0, 1.0, 1.0])),
             label="4 examples, 3 classes, equal weights"),
        Case((rng.normal(size=(5, 3)), np.array([0, 0, 1, 0, 2]), np.array([0.25, 1.0, 4.0])),
             label="5 examples, weights [0.25, 1, 4]"),
        Case((rng.normal(size=(4, 4)), np.array([1, -100, 3, 0]), np.array([2.0, 1.0, 0.5, 3.0])),
             label="4 examples, one ignored (target -100), weights [2, 1, 0.5, 3]"),
    ]
    if hidden:
        cases += [Case((np.array([[1000.0, -1000.0], [0.0, 0.0]]), np.array([1, 0]), np.array([3.0, 1.0])),
                       label="logits of +-1000, weights [3, 1]"),
                  Case((rng.normal(size=(6, 5)), np.array([4, -100, -100, 2, 2, 0]), np.ones(5) * 0.5),
                       label="6 examples, two ignored, weights all 0.5")]
    return cases


def _onehot_weighted(logits, target, weight):
    z, t, w = np.asarray(logits, float), np.asarray(target), np.asarray(weight, float)
    keep = t != -100
    t0 = np.where(keep, t, 0)
    g = softmax(z, axis=1)
    g[np.arange(len(t)), t0] -= 1.0
    return g * (w[t0] * keep)[:, None]


CE_MISTAKES = [
    Mistake(lambda z, t, w: _onehot_weighted(z, t, w) / len(t),
            "the weighted sum is divided by N, the number of examples. PyTorch's weighted mean divides by the sum of "
            "the weights of the examples that count, sum of weight[target[n]] over n not ignored."),
    Mistake(lambda z, t, w: _onehot_weighted(z, t, w) / max(int(np.sum(np.asarray(t) != -100)), 1),
            "the weighted sum is divided by the number of examples that count. PyTorch divides by the sum of "
            "their weights, sum of weight[target[n]], so that the weights change the average, not only its terms."),
    Mistake(lambda z, t, w: _onehot_weighted(z, t, np.ones_like(np.asarray(w, float)))
            / max(int(np.sum(np.asarray(t) != -100)), 1),
            "the class weights are left out: each example's row is multiplied by weight[target[n]]."),
    Mistake(lambda z, t, w: -_ce_reference(z, t, w),
            "the sign is flipped: the gradient is softmax(z) - onehot(y), which is positive for the wrong classes."),
    Mistake(lambda z, t, w: _onehot_weighted(z, t, w),
            "the weighted sum is not divided at all: 'mean' divides by sum of weight[target[n]] over examples that count."),
]

register_hints("cross_entropy_grad", [
    "For one example, d(-log softmax(z)_y)/dz = softmax(z) - onehot(y). The weight w[y] multiplies that row; an "
    "ignored example (target -100) contributes a row of zeros.",
    "PyTorch's 'mean' with class weights is sum_n w[y_n] * loss_n / sum_n w[y_n], over examples that are not "
    "ignored: divide the whole gradient by that same sum of weights.",
    "z = logits - logits.max(axis=1, keepdims=True)\n"
    "p = np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)\n"
    "keep = target != -100\n"
    "t = np.where(keep, target, 0)\n"
    "g = p.copy()\n"
    "rows = np.arange(len(target))\n"
    "g[rows, t] -= 1.0\n"
    "w = np.asarray(weight)[t] * keep\n"
    "return g * w[:, None] / w.sum()",
])


def check_cross_entropy_grad(fn, hidden: bool = False) -> None:
    """The learner's cross_entropy_grad(logits, target, weight) against dlwidgets.core.cross_entropy's gradient."""
    check_function(fn, _ce_reference, _ce_cases(hidden), exercise="cross_entropy_grad", name="cross_entropy_grad",
                   mistakes=CE_MISTAKES)


# ---------------------------------------------------------------- 3. predict a KL divergence

KL_P = (0.5, 0.5, 0.0)
KL_Q = (0.25, 0.25, 0.5)

register_hints("kl", [
    "KL(p || q) = sum over outcomes of p log(p / q), natural log; an outcome with p = 0 contributes 0.",
    "Two outcomes contribute 0.5 * log(0.5 / 0.25) each; the third has p = 0.",
    "kl_pq = np.log(2)  # 0.693 nats",
])


def check_kl(answer) -> None:
    """KL(p || q) in nats for p = [0.5, 0.5, 0], q = [0.25, 0.25, 0.5]."""
    p, q = np.array(KL_P), np.array(KL_Q)
    expected = float(kl_divergence(p, q))
    check_value(answer, expected, exercise="kl", name="kl_pq", rtol=2e-3, atol=1e-3, mistakes={
        float(kl_divergence(p, q, base=2)): "that is in bits (log base 2); the lesson uses nats (natural log).",
        float(cross_entropy_of(p, q)): "that is the cross-entropy H(p, q); KL subtracts the entropy H(p) = log 2.",
        -expected: "the ratio is upside down: KL(p || q) = sum p log(p / q), and it is never negative.",
        float(kl_divergence(q, p)) if math.isfinite(float(kl_divergence(q, p))) else 1e308:
            "that is KL(q || p), the other direction.",
    })


# ---------------------------------------------------------------- 4. predict where float16 overflows

register_hints("float16_underflow", [
    "exp(x) becomes 0 when it rounds to 0. float16 rounds to its nearest number, and the nearest to a tiny positive "
    "value is either 0 or its smallest positive number 2^-24 (about 5.96e-8).",
    "A value rounds up to 2^-24, not down to 0, when it is more than half of it, 2^-25. Solve exp(x) > 2^-25 for x.",
    "smallest_x = -17  # log(2**-25) = -17.33; exp(-17) = 4.1e-8 rounds up to 6e-8, exp(-18) = 1.5e-8 down to 0",
])


def check_float16_underflow(answer) -> None:
    """The most negative whole number x whose exp(x) is not rounded to 0 in float16."""
    limits = format_limits("float16")
    expected = int(math.ceil(limits.exp_underflow))
    mistakes = {int(math.ceil(format_limits(name).exp_underflow)): f"that is the limit in {name}, not float16."
                for name in FLOAT_FORMATS if name != "float16"}
    mistakes[int(math.ceil(math.log(limits.smallest)))] = (
        "exp of one less is below float16's smallest positive number 2^-24 but still rounds UP to it, not to 0: "
        "float16 rounds to the nearest number it has, so anything above half of 2^-24 survives.")
    mistakes[int(math.ceil(math.log(limits.tiny)))] = (
        "that is where exp(x) leaves float16's normal numbers (6.1e-5); below them come the subnormals, down to "
        "2^-24 = 5.96e-8.")
    mistakes[expected - 1] = "exp of that is already rounded to 0: it is the first whole number, going down, that gives 0."
    mistakes[-expected] = "the sign is wrong: exp(x) gets tiny for large negative x."
    check_value(answer, expected, exercise="float16_underflow", name="smallest_x", mistakes=mistakes)


# ---------------------------------------------------------------- 5. MSE after a sigmoid (C05)

MSE_OPTIONS = {
    "a": "No: the loss is large ((0.001 - 1)^2 is almost 1); the gradient is small despite the large loss.",
    "b": "No: learning rates do not explain it; every weight's gradient is scaled by the same tiny factor.",
    "c": "Yes: dL/dz = 2(σ(z) - y)·σ'(z), and σ'(z) = σ(1 - σ) ≈ 0.001 there; cross-entropy's σ(z) - y has no "
         "σ' factor and stays near -1.",
    "d": "No: the sigmoid is an activation, not a loss; and its output 0.001 is not the problem, its slope is.",
}

register_hints("mse_sigmoid", [
    "Write the chain rule for L = (σ(z) - y)^2 with respect to the logit z.",
    "One factor of dL/dz is the sigmoid's slope σ'(z) = σ(z)(1 - σ(z)). How big is it when σ(z) = 0.001?",
    "The answer is (c).",
])


def check_mse_sigmoid(answer) -> None:
    """C05: why a sigmoid unit trained with MSE learns slowly when confidently wrong."""
    check_choice(answer, "c", MSE_OPTIONS, exercise="mse_sigmoid", name="mse_answer")


# ---------------------------------------------------------------- 6. a log-probability that stays right (C08)

LOG_PROB_OPTIONS = {
    "a": "Yes: (z - m) - log Σ exp(z - m) gives 0 - log(1 + e^-1000) = 0 for class 0 and -1000 - 0 = -1000 for "
         "class 1, with no exp of anything positive and no log of 0.",
    "b": "No: the shift keeps the softmax finite, but softmax(z)[1] = e^-1000 underflows to 0 and log(0) = -inf.",
    "c": "No: it is finite, but log(0 + 1e-12) = -27.6, not -1000: the epsilon changes the answer it hides.",
    "d": "No: float64 overflows at exp(709.78) but underflows at exp(-745.13); e^-1000 is 0 in float64 too.",
}

register_hints("log_prob", [
    "Compute each option for class 1 by hand: which step produces a 0, and is its log taken afterwards?",
    "Only an option that never takes the log of a probability can keep -1000.",
    "The answer is (a).",
])


def check_log_prob(answer) -> None:
    """C08: which computation returns log p_1 = -1000 for logits [0, -1000]."""
    check_choice(answer, "a", LOG_PROB_OPTIONS, exercise="log_prob", name="log_prob_answer")


# ---------------------------------------------------------------- 7. widget challenge: KL is not symmetric

KL_RATIO, KL_FLOOR = 8.0, 0.2

register_hints("kl_challenge", [
    "KL(q || p) weighs q's outcomes by log(q / p): it is large when q puts mass where p has almost none.",
    "Make p narrow and q wide, and move their peaks a little apart.",
    "loss.set(panel='divergence', p_centre=2.0, p_width=0.5, q_centre=4.0, q_width=2.5)\n"
    "kl_settings = loss.settings()",
])


def check_kl_challenge(settings) -> None:
    """Shape p and q with KL(q || p) >= 8 KL(p || q) and KL(p || q) >= 0.2 (recomputed with core)."""
    if settings is ...:
        raise CheckFailed("`kl_settings` is not answered yet.\nShape p and q in the widget, then run "
                          "`kl_settings = loss.settings()`.")
    names = ("p_centre", "p_width", "q_centre", "q_width")
    if not isinstance(settings, dict) or not set(names) <= settings.keys():
        raise CheckFailed("`kl_settings` should be the dict loss.settings() returns.")
    values = {}
    for name in names:
        value = settings[name]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or (
                name.endswith("width") and value <= 0):
            raise CheckFailed(f"{name} = {value!r} is not a setting the widget allows.")
        values[name] = float(value)
    p = binned_distribution(DIVERGENCE_BINS, values["p_centre"], values["p_width"])
    q = binned_distribution(DIVERGENCE_BINS, values["q_centre"], values["q_width"])
    forward, backward = float(kl_divergence(p, q)), float(kl_divergence(q, p))
    if forward < KL_FLOOR:
        raise CheckFailed(f"KL(p || q) = {forward:.3f} is below {KL_FLOOR}: p and q are almost the same. Make them "
                          f"differ.\n{_hint_line('kl_challenge')}")
    if backward < KL_RATIO * forward:
        raise CheckFailed(f"KL(q || p) = {backward:.3f} is {backward / forward:.2f} times KL(p || q) = {forward:.3f}; "
                          f"the target is {KL_RATIO:g} times.\n{_hint_line('kl_challenge')}")
    print(f"✔ KL(p || q) = {forward:.3f} but KL(q || p) = {backward:.3f}, {backward / forward:.1f} times as much "
          f"(H(p) = {float(entropy(p)):.3f}, H(q) = {float(entropy(q)):.3f}).")
