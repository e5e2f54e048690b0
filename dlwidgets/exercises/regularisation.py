"""Checks for lesson 07 (regularisation and dropout). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core.dropout import dropout
from ..core.overfitting import train_regressor
from ..core.penalties import sgd_weight_decay_step
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_dropout_layer", "check_zoneout_step", "check_weight_decay", "check_l1_vs_l2", "check_dropout_vs_bagging",
    "check_rnn_dropout", "check_early_stopping", "check_overfit_challenge",
    "CHALLENGE_FIXED", "CHALLENGE_BOUND", "DECAY_SETUP",
]

# ---------------------------------------------------------------- 1. inverted dropout, training and eval


def _reference_dropout(x, p, mask, training):
    return dropout(x, p, training=training, mask=mask)[0]


def _unscaled(x, p, mask, training):
    x = np.asarray(x, float)
    return x * np.asarray(mask, float) if training else x


def _scaled_by_p(x, p, mask, training):
    x = np.asarray(x, float)
    return x * np.asarray(mask, float) / p if training and p > 0 else x


def _classic(x, p, mask, training):
    x = np.asarray(x, float)
    return x * np.asarray(mask, float) if training else x * (1 - p)


def _always_masked(x, p, mask, training):
    return np.asarray(x, float) * np.asarray(mask, float) / (1 - p)


DROPOUT_MISTAKES = [
    Mistake(_classic, "that is the original (non-inverted) dropout: no scaling in training, x * (1 - p) at test time. "
                      "PyTorch's nn.Dropout is inverted: it scales the kept units by 1/(1 - p) in training and leaves "
                      "eval mode untouched."),
    Mistake(_unscaled, "the kept units are not scaled: multiply them by 1/(1 - p), so that the expected output equals "
                       "the input and eval mode can be the identity."),
    Mistake(_scaled_by_p, "the kept units are divided by p, the DROP probability; divide by the KEEP probability 1 - p."),
    Mistake(_always_masked, "in eval mode (training=False) dropout does nothing: return x unchanged, whatever the mask."),
]


def _dropout_cases(hidden=False):
    cases = []
    specs = [((6,), 0.5, True, 0), ((3, 4), 0.2, True, 1), ((5,), 0.5, False, 2), ((2, 3), 0.0, True, 3)]
    specs += [((4, 4), 0.75, True, 4), ((3,), 0.3, False, 5)] if hidden else []
    for shape, p, training, seed in specs:
        rng = np.random.default_rng(70 + seed)
        x = rng.normal(size=shape).round(2)
        mask = (rng.random(shape) >= p).astype(float)
        cases.append(Case((x, p, mask, training), label=f"x of shape {shape}, p={p}, a mask of shape {shape}, "
                                                         f"training={training}"))
    return cases


register_hints("dropout_layer", [
    "In training the mask zeroes some units; what must the survivors be multiplied by so that the expected output is x?",
    "Each unit survives with probability 1 - p. In eval mode nothing is dropped and nothing is scaled.",
    "if not training:\n    return x\nreturn x * mask / (1 - p)",
])


def check_dropout_layer(fn, hidden: bool = False) -> None:
    """Check the learner's dropout_layer(x, p, mask, training) against core.dropout."""
    check_function(fn, _reference_dropout, _dropout_cases(hidden), exercise="dropout_layer", name="dropout_layer",
                   mistakes=DROPOUT_MISTAKES)


# ---------------------------------------------------------------- 2. one zoneout step


def _reference_zoneout(h_prev, h_new, keep, p, training):
    h_prev, h_new, keep = (np.asarray(a, float) for a in (h_prev, h_new, keep))
    if not training:
        return p * h_prev + (1 - p) * h_new
    return keep * h_prev + (1 - keep) * h_new


ZONEOUT_MISTAKES = [
    Mistake(lambda hp, hn, k, p, tr: _reference_zoneout(hn, hp, k, p, tr),
            "the previous and the new state are swapped: where the keep mask is 1 the unit KEEPS its previous value."),
    Mistake(lambda hp, hn, k, p, tr: (1 - np.asarray(k, float)) * np.asarray(hn, float) if tr else
            (1 - p) * np.asarray(hn, float),
            "the kept units are set to 0, as dropout would do. Zoneout keeps them at their previous value h_prev."),
    Mistake(lambda hp, hn, k, p, tr: _reference_zoneout(hp, hn, k, p, True) if tr else np.asarray(hn, float),
            "in eval mode the update is not the plain new state: zoneout uses its expectation, "
            "p * h_prev + (1 - p) * h_new."),
]


def _zoneout_cases(hidden=False):
    specs = [(4, 0.25, True, 0), (3, 0.5, True, 1), (4, 0.25, False, 2)] + ([(5, 0.1, False, 3), (2, 0.9, True, 4)]
                                                                          if hidden else [])
    cases = []
    for size, p, training, seed in specs:
        rng = np.random.default_rng(75 + seed)
        h_prev, h_new = np.tanh(rng.normal(size=size)).round(3), np.tanh(rng.normal(size=size)).round(3)
        keep = (rng.random(size) < p).astype(float)
        cases.append(Case((h_prev, h_new, keep, p, training),
                          label=f"hidden size {size}, p={p}, training={training}"))
    return cases


register_hints("zoneout_step", [
    "Zoneout is dropout on the UPDATE: a unit whose keep mask is 1 does not change this step.",
    "Training: h = keep * h_prev + (1 - keep) * h_new. Eval: replace the random mask by its expectation p.",
    "if training:\n    return keep * h_prev + (1 - keep) * h_new\nreturn p * h_prev + (1 - p) * h_new",
])


def check_zoneout_step(fn, hidden: bool = False) -> None:
    """Check the learner's zoneout_step(h_prev, h_new, keep, p, training)."""
    check_function(fn, _reference_zoneout, _zoneout_cases(hidden), exercise="zoneout_step", name="zoneout_step",
                   mistakes=ZONEOUT_MISTAKES)


# ---------------------------------------------------------------- 3. predict: weight decay alone

DECAY_SETUP = {"w": 3.0, "lr": 0.1, "weight_decay": 0.05, "steps": 10}


def _decayed():
    w = np.array([DECAY_SETUP["w"]])
    for _ in range(DECAY_SETUP["steps"]):
        w, _ = sgd_weight_decay_step(w, np.zeros(1), DECAY_SETUP["lr"], DECAY_SETUP["weight_decay"])
    return float(w[0])


register_hints("weight_decay", [
    "With a zero loss gradient, SGD's step is -lr * weight_decay * w: the weight shrinks by the same FACTOR each step.",
    "One step multiplies w by (1 - lr * weight_decay) = 1 - 0.1 * 0.05.",
    "w_after = 3.0 * (1 - 0.1 * 0.05) ** 10  # = 2.8534",
])


def check_weight_decay(answer) -> None:
    """w = 3 after 10 SGD steps (lr 0.1, weight_decay 0.05) on a flat loss."""
    w, lr, wd, n = DECAY_SETUP["w"], DECAY_SETUP["lr"], DECAY_SETUP["weight_decay"], DECAY_SETUP["steps"]
    check_value(answer, _decayed(), exercise="weight_decay", name="w_after", rtol=1e-4, mistakes={
        w * (1 - wd) ** n: "the learning rate is missing: SGD subtracts lr * weight_decay * w, so each step multiplies "
                           "w by 1 - lr * weight_decay.",
        w - n * lr * wd * w: "the shrinkage is taken from the starting weight every step; it is proportional to the "
                             "CURRENT weight, so it compounds: w * (1 - lr * wd) ** steps.",
        w - n * lr * wd: "that is an L1 penalty's constant pull (lr * lambda * sign(w) per step). Weight decay's pull is "
                         "proportional to w.",
        w: "weight decay shrinks the weights even where the loss is flat: that is its whole point.",
    })


# ---------------------------------------------------------------- 4-7. multiple choice

L1_VS_L2_OPTIONS = {
    "a": "L2, because its pull grows with each weight, so it removes the largest, noisiest weights.",
    "b": "L2, because its pull λw is strongest near zero and so drives small weights exactly to 0.",
    "c": "L1, because its pull λ·sign(w) stays the same near 0, so useless weights end at 0.",
    "d": "Either one: both penalties end at the same sparse solution, only at different speeds.",
}

register_hints("l1_vs_l2", [
    "Compare the two pulls towards 0 on a weight that is already tiny, say w = 0.001: λw or λ·sign(w)?",
    "In the explorer, L1 at λ = 0.1 leaves most of the 64 output weights exactly at 0; L2 at any λ leaves none there.",
    "The answer is (c).",
])


def check_l1_vs_l2(answer) -> None:
    check_choice(answer, "c", L1_VS_L2_OPTIONS, exercise="l1_vs_l2", name="l1_vs_l2")


DROPOUT_VS_BAGGING_OPTIONS = {
    "a": "Dropout's sub-networks share weights and most are never trained; bagging's are separate.",
    "b": "Bagging's models share their weights, while each dropout sub-network has weights of its own.",
    "c": "Dropout trains every sub-network to convergence on its own bootstrap sample of the data.",
    "d": "They are the same method: dropout is bagging applied to the units of one layer at a time.",
}

register_hints("dropout_vs_bagging", [
    "How many different thinned networks can a mask over 100 units make, and how many training steps are there?",
    "Every thinned network uses the SAME weights; bagging trains k separate models on k resampled data sets.",
    "The answer is (a).",
])


def check_dropout_vs_bagging(answer) -> None:
    check_choice(answer, "a", DROPOUT_VS_BAGGING_OPTIONS, exercise="dropout_vs_bagging", name="dropout_vs_bagging")


RNN_DROPOUT_OPTIONS = {
    "a": "A new mask at every time step on the recurrent state, to add as much noise as possible.",
    "b": "No mask on the inputs or outputs; only the recurrent weights are dropped, as in DropConnect.",
    "c": "A mask on the cell state only, drawn again at each step, so that memories are forgotten.",
    "d": "One mask per sequence, the same at every time step, on the inputs and the recurrent state.",
}

register_hints("rnn_dropout", [
    "What happens to a memory carried over 50 steps if each step multiplies it by a fresh random mask?",
    "Gal and Ghahramani (2016) draw the masks once per sequence and reuse them at every step.",
    "The answer is (d).",
])


def check_rnn_dropout(answer) -> None:
    check_choice(answer, "d", RNN_DROPOUT_OPTIONS, exercise="rnn_dropout", name="rnn_dropout")


EARLY_STOPPING_OPTIONS = {
    "a": "Stop when the training loss stops falling, since after that the network learns nothing new.",
    "b": "Keep the weights from the epoch with the lowest validation loss, not those from the last.",
    "c": "Stop at the epoch where the training loss and the validation loss are exactly equal.",
    "d": "Stop after a fixed number of epochs, the same for every model, chosen before training.",
}

register_hints("early_stopping", [
    "Which of the two curves tells you how the network does on data it was not trained on?",
    "In the explorer the green dashed line marks the epoch with the lowest validation loss.",
    "The answer is (b).",
])


def check_early_stopping(answer) -> None:
    check_choice(answer, "b", EARLY_STOPPING_OPTIONS, exercise="early_stopping", name="early_stopping")


# ---------------------------------------------------------------- 8. widget challenge

CHALLENGE_FIXED = {"hidden": 64, "n_train": 15, "noise": 0.3, "seed": 0, "dropout": 0.0}
CHALLENGE_BOUND = 0.13

register_hints("overfit_challenge", [
    "Keep 64 hidden units, 15 points, noise 0.3, seed 0 and no dropout; choose the penalty and its strength λ.",
    "Too large a λ underfits (the training loss rises too), too small changes nothing: try each penalty at a few λ.",
    "explorer.set(penalty='l2', strength=0.003)\noverfit_settings = explorer.settings()",
])


def check_overfit_challenge(settings) -> None:
    """The learner's explorer settings end training with a validation loss below CHALLENGE_BOUND."""
    if settings is ...:
        raise CheckFailed("`overfit_settings` is not answered yet.\nSet the explorer, then run "
                          "`overfit_settings = explorer.settings()`.")
    needed = set(CHALLENGE_FIXED) | {"penalty", "strength"}
    if not isinstance(settings, dict) or not needed <= set(settings):
        raise CheckFailed("`overfit_settings` should be the dict `explorer.settings()` returns.")
    changed = [f"{k}={settings[k]!r} (should be {v!r})" for k, v in CHALLENGE_FIXED.items() if settings[k] != v]
    if changed:
        raise CheckFailed("The challenge keeps the network, the data and dropout as they are: " + ", ".join(changed)
                          + ".\nUse the penalty and its strength.")
    try:
        run = train_regressor(64, 15, 0.3, settings["penalty"],
                              float(settings["strength"]) if settings["penalty"] != "none" else 0.0,
                              float(settings["dropout"]), seed=0)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    final = float(run.val_loss[-1])
    if final >= CHALLENGE_BOUND:
        raise CheckFailed(f"With those settings the validation loss after training is {final:.4f} (recomputed with "
                          f"core), not below {CHALLENGE_BOUND}.\nStuck? Run hint('overfit_challenge') for a hint.")
    print(f"✔ penalty {settings['penalty']} (λ = {settings['strength']}): validation loss after training {final:.4f} "
          f"< {CHALLENGE_BOUND} (recomputed with core).")
