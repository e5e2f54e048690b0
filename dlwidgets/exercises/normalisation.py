"""Checks for lesson 04 (normalisation). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core.normalisation import (NORM_EPS, batch_norm_eval, batch_norm_train, norm_groups, normalise,
                                  update_running_stats)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_batchnorm_forward", "check_eval_output", "check_batch_of_one", "check_what_bn_normalises",
    "check_why_bn_helps", "check_ln_for_sequences", "check_instance_challenge",
    "EVAL_BATCHES", "EVAL_INPUT",
]

# ---------------------------------------------------------------- 1. batch norm forward on (N, C, H, W)


def _reference_forward(x, gamma, beta, eps=NORM_EPS):
    return batch_norm_train(x, gamma, beta, eps=eps).y


def _affine(y, gamma, beta):
    return np.asarray(gamma, float).reshape(1, -1, 1, 1) * y + np.asarray(beta, float).reshape(1, -1, 1, 1)


def _unbiased(x, gamma, beta, eps=NORM_EPS):
    x = np.asarray(x, float)
    mean = x.mean(axis=(0, 2, 3), keepdims=True)
    var = x.var(axis=(0, 2, 3), ddof=1, keepdims=True)
    return _affine((x - mean) / np.sqrt(var + eps), gamma, beta)


def _batch_axis_only(x, gamma, beta, eps=NORM_EPS):
    x = np.asarray(x, float)
    return _affine((x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + eps), gamma, beta)


def _layer_axes(x, gamma, beta, eps=NORM_EPS):
    return _affine(normalise(x, "layer", eps=eps), gamma, beta)


def _instance_axes(x, gamma, beta, eps=NORM_EPS):
    return _affine(normalise(x, "instance", eps=eps), gamma, beta)


def _no_eps(x, gamma, beta, eps=NORM_EPS):
    with np.errstate(all="ignore"):   # a constant channel gives 0/0 here: no warning in a check cell
        return _reference_forward(x, gamma, beta, eps=0.0)


FORWARD_MISTAKES = [
    Mistake(_unbiased, "the variance is the unbiased one (divided by m - 1). Batch norm normalises with the "
                       "biased batch variance (divided by m); the unbiased one only goes into the running variance."),
    Mistake(_batch_axis_only, "the statistics are taken over the batch axis only, separately for every position. "
                              "BatchNorm2d shares one mean and variance per channel across the batch AND all H x W "
                              "positions: average over axes (0, 2, 3)."),
    Mistake(_layer_axes, "those are layer norm's axes (one mean per sample, over C, H, W). Batch norm takes one mean "
                         "per channel, over the batch and the positions: axes (0, 2, 3)."),
    Mistake(_instance_axes, "those are instance norm's axes (per sample and channel, over H, W). Batch norm also "
                            "averages over the batch: axes (0, 2, 3)."),
    Mistake(_no_eps, "eps is missing: divide by sqrt(var + eps), which also keeps a constant channel from giving 0/0."),
]


def _forward_cases(hidden=False):
    specs = [((4, 3, 2, 2), 0), ((2, 2, 3, 3), 1), ((8, 1, 1, 2), 2)]
    specs += [((3, 5, 2, 1), 3), ((16, 2, 2, 2), 4)] if hidden else []
    cases = []
    for shape, seed in specs:
        rng = np.random.default_rng(40 + seed)
        x = rng.normal(rng.uniform(-3, 3), rng.uniform(0.5, 3), size=shape)
        gamma, beta = rng.normal(1.0, 0.5, size=shape[1]), rng.normal(0.0, 0.5, size=shape[1])
        cases.append(Case((x, gamma, beta), label=f"x of shape {shape}, gamma and beta of shape ({shape[1]},)"))
    if hidden:
        x = np.zeros((2, 2, 2, 2))
        x[:, 1] = 7.0   # a constant channel: eps keeps it finite
        cases.append(Case((x, np.ones(2), np.array([0.5, -0.5])), label="a constant channel (every value 7)"))
    return cases


register_hints("batchnorm_forward", [
    "One mean and one variance per channel: which axes of (N, C, H, W) do they average over?",
    "mean = x.mean(axis=(0, 2, 3), keepdims=True); the variance the same way with x.var (biased, the default). "
    "gamma and beta need shape (1, C, 1, 1) to broadcast.",
    "mean = x.mean(axis=(0, 2, 3), keepdims=True)\n"
    "var = x.var(axis=(0, 2, 3), keepdims=True)\n"
    "xhat = (x - mean) / np.sqrt(var + eps)\n"
    "return gamma.reshape(1, -1, 1, 1) * xhat + beta.reshape(1, -1, 1, 1)",
])


def check_batchnorm_forward(fn, hidden: bool = False) -> None:
    """Check the learner's batchnorm_forward(x, gamma, beta) on (N, C, H, W) against core.batch_norm_train."""
    check_function(fn, _reference_forward, _forward_cases(hidden), exercise="batchnorm_forward",
                   name="batchnorm_forward", mistakes=FORWARD_MISTAKES, rtol=1e-7, atol=1e-9)


# ---------------------------------------------------------------- 2. predict the eval-mode output

EVAL_BATCHES = ([1.0, 3.0, 5.0], [0.0, 4.0])   # two training batches of a BatchNorm1d(1)
EVAL_INPUT = 3.0


def _eval_answer(momentum=0.1, unbiased=True, new_weight=None):
    mean, var = np.zeros(1), np.ones(1)
    for batch in EVAL_BATCHES:
        b = np.asarray(batch, float)
        v = b.var(ddof=1 if unbiased else 0)
        if new_weight is None:
            mean, var = update_running_stats(mean, var, [b.mean()], [v], momentum)
        else:   # the weights of old and new swapped
            mean, var = new_weight * mean + (1 - new_weight) * b.mean(), new_weight * var + (1 - new_weight) * v
    return float(batch_norm_eval(np.array([[EVAL_INPUT]]), mean, var)[0, 0])


def _train_mode_answer():
    """EVAL_INPUT normalised with the last batch's own (biased) statistics, as in training mode."""
    b = np.asarray(EVAL_BATCHES[-1], float)
    return float((EVAL_INPUT - b.mean()) / np.sqrt(b.var() + NORM_EPS))


register_hints("eval_output", [
    "In eval mode batch norm ignores the batch: it uses the running mean and variance. Start them at PyTorch's 0 "
    "and 1 and update them after each training batch.",
    "running = 0.9 * running + 0.1 * batch statistic, with the batch's UNBIASED variance (divide by m - 1). "
    "Then (x - running_mean) / sqrt(running_var + 1e-5).",
    "batch 1: mean 3, unbiased var 4 -> running 0.3, 1.3; batch 2: mean 2, unbiased var 8 -> running 0.47, 1.97;\n"
    "eval_out = (3 - 0.47) / (1.97 + 1e-5) ** 0.5  # = 1.8025",
])


def check_eval_output(answer) -> None:
    """BatchNorm1d(1) (momentum 0.1, gamma 1, beta 0) after the two EVAL_BATCHES, in eval mode, at EVAL_INPUT."""
    check_value(answer, _eval_answer(), exercise="eval_output", name="eval_out", rtol=1e-3, atol=1e-3, mistakes={
        _eval_answer(unbiased=False): "the running variance was updated with the biased batch variance. PyTorch "
                                      "normalises the batch with the biased one but updates the running variance "
                                      "with the unbiased one (divide by m - 1).",
        _eval_answer(new_weight=0.1): "the momentum weights are swapped: PyTorch keeps 0.9 of the old running value "
                                      "and adds 0.1 of the batch's (momentum = weight of the NEW value).",
        _train_mode_answer(): "that is training mode, with the second batch's own mean and variance. In eval mode "
                              "the running statistics are used.",
        (EVAL_INPUT - 2.5) / np.sqrt(6.0 + NORM_EPS): "those are the average statistics of the two batches; the running "
                                                      "statistics start at 0 and 1 and move only 10% per batch.",
    })


# ---------------------------------------------------------------- 3-6. multiple choice

BATCH_OF_ONE_OPTIONS = {
    "a": "No: it raises an error, as BatchNorm1d does on a (1, C) batch: one value per channel has no variance.",
    "b": "No: it behaves like layer norm, since the only sample present fills the whole batch axis.",
    "c": "Yes: with N = 1 each channel is averaged over that one image's H x W positions, as in instance norm.",
    "d": "No: it is the identity, since the batch mean of a single sample equals that sample itself.",
}

register_hints("batch_of_one", [
    "Batch norm on (N, C, H, W) averages each channel over axes (0, 2, 3). What is left of axis 0 when N = 1?",
    "With N = 1, one channel's statistics come from H x W numbers. Which scheme averages exactly those?",
    "The answer is (c).",
])


def check_batch_of_one(answer) -> None:
    """BatchNorm2d in training mode on a batch of one image: the same as instance norm?"""
    check_choice(answer, "c", BATCH_OF_ONE_OPTIONS, exercise="batch_of_one", name="batch_of_one")


WHAT_BN_NORMALISES_OPTIONS = {
    "a": "A layer's activations: each channel over the batch; the weights stay as they are.",
    "b": "The weights: each layer's weight matrix is rescaled to have mean 0 and variance 1.",
    "c": "The gradients: each layer's gradient is rescaled to unit norm before the update.",
    "d": "The inputs only: the whole dataset is standardised once, before training starts.",
}

register_hints("what_bn_normalises", [
    "Look at what batch_norm_train takes as x: a batch of what?",
    "Weight normalisation (w = g v / ||v||) is the scheme that touches the weights, and it does not make them "
    "mean 0, variance 1 either.",
    "The answer is (a).",
])


def check_what_bn_normalises(answer) -> None:
    """The notes' C03 error: BN does not scale 'the weights'."""
    check_choice(answer, "a", WHAT_BN_NORMALISES_OPTIONS, exercise="what_bn_normalises", name="what_bn_normalises")


WHY_BN_HELPS_OPTIONS = {
    "a": "It removes internal covariate shift: each layer's input distribution stays fixed during training.",
    "b": "It makes every layer linear, so the network as a whole becomes convex and easy to optimise.",
    "c": "It removes the need for a learning rate, because the normalised gradients always have norm 1.",
    "d": "It makes the loss and its gradients change more smoothly, so larger learning rates stay stable.",
}

register_hints("why_bn_helps", [
    "Santurkar et al. (2018) added noise after batch norm, making the distributions shift MORE. What happened to "
    "training?",
    "Training was still fast: covariate shift is not what matters. They measured the loss's Lipschitz constant "
    "and the gradients' predictiveness instead.",
    "The answer is (d).",
])


def check_why_bn_helps(answer) -> None:
    """What later work found about why batch norm helps."""
    check_choice(answer, "d", WHY_BN_HELPS_OPTIONS, exercise="why_bn_helps", name="why_bn_helps")


LN_FOR_SEQUENCES_OPTIONS = {
    "a": "Batch norm cannot be applied to tensors with more than two axes, such as (N, T, D).",
    "b": "Each token is normalised with its own statistics: batch size and padding do not count.",
    "c": "Layer norm has no learnable parameters at all, so it cannot overfit on short sequences.",
    "d": "Layer norm keeps running statistics that are far more accurate than batch norm's are.",
}

register_hints("ln_for_sequences", [
    "What does batch norm need from the OTHER sequences in the batch, and what does layer norm need?",
    "Layer norm's statistics come from one token's D features: nothing from other samples, no running averages.",
    "The answer is (b).",
])


def check_ln_for_sequences(answer) -> None:
    """Why Transformers and RNNs use layer norm."""
    check_choice(answer, "b", LN_FOR_SEQUENCES_OPTIONS, exercise="ln_for_sequences", name="ln_for_sequences")


# ---------------------------------------------------------------- 7. widget challenge

register_hints("instance_challenge", [
    "Keep the scheme on batch norm. Which settings change the cells batch norm averages together?",
    "Batch norm averages one channel over the batch and the positions. With which batch size is only one sample's "
    "positions left, and which shape has positions to average?",
    "norm.set(kind='batch', batch_size=1, shape='N,C,2,2')\ninstance_settings = norm.settings()",
])


def _partition(labels: np.ndarray) -> set:
    """The groups of a labelling as sets of flat indices (labels themselves do not matter)."""
    flat = labels.ravel()
    return {frozenset(np.flatnonzero(flat == label).tolist()) for label in np.unique(flat)}


def check_instance_challenge(settings) -> None:
    """The learner's NormAxes settings make batch norm average exactly the cells instance norm would."""
    if settings is ...:
        raise CheckFailed("`instance_settings` is not answered yet.\nSet the widget, then run "
                          "`instance_settings = norm.settings()`.")
    if not isinstance(settings, dict) or not {"kind", "batch_size", "shape"} <= set(settings):
        raise CheckFailed("`instance_settings` should be the dict `norm.settings()` returns "
                          "(with kind, batch_size and shape).")
    if settings["kind"] != "batch":
        raise CheckFailed(f"The challenge is about batch norm; the settings have kind={settings['kind']!r}.\n"
                          "Set the scheme back to batch norm and change something else.")
    if settings["shape"] not in ("N,C", "N,C,2,2"):
        raise CheckFailed(f"shape should be 'N,C' or 'N,C,2,2', got {settings['shape']!r}.")
    batch = settings["batch_size"]
    if isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or not 1 <= batch <= 16:
        raise CheckFailed(f"batch_size should be a whole number from 1 to 16, got {batch!r}.")
    if settings["shape"] == "N,C":
        raise CheckFailed("An (N, C) tensor has no positions: instance norm is impossible on it, so no setting of "
                          "batch norm can match it. Try the convolutional shape.\n"
                          "Stuck? Run hint('instance_challenge') for a hint.")
    shape = (batch, 6, 2, 2)
    bn, inst = norm_groups("batch", shape), norm_groups("instance", shape)
    if _partition(bn) != _partition(inst):
        raise CheckFailed(f"With batch size {batch}, batch norm averages each channel over {bn.size // 6} cells, "
                          f"instance norm over {inst.size // (6 * batch)}.\nStuck? Run hint('instance_challenge') "
                          "for a hint.")
    print(f"✔ With batch size {batch} on (N, C, 2, 2), batch norm's {len(_partition(bn))} groups are exactly "
          "instance norm's (recomputed with core): training-mode batch norm on one image is instance norm.")
