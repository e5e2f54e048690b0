"""Checks for lesson 05 (loss landscapes and SGD). Expected values come from dlwidgets.core."""

from __future__ import annotations

import numpy as np

from ..core import conditioned_quadratic, least_squares_gradient, max_stable_step, run_optimizer
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_minibatch_gradient", "check_stable_lr", "check_sgd_randomness", "check_saddle_escape",
    "check_condition_challenge", "check_batch_scaling", "STABLE_LR_HESSIAN", "CHALLENGE",
]

# ---------------------------------------------------------------- 1. a minibatch gradient


def _problem(n, d, seed):
    rng = np.random.default_rng(500 + seed)
    return rng.normal(size=(n, d)), rng.normal(size=n), rng.normal(size=d)


def _minibatch_cases(hidden=False):
    specs = [(8, 2, [0, 3, 5], 0), (10, 3, [9, 1, 4, 2], 1), (6, 2, [2], 2)]
    if hidden:
        specs += [(5, 1, [0, 0, 4], 3), (7, 4, list(range(7)), 4), (12, 3, [11], 5)]
    cases = []
    for n, d, idx, seed in specs:
        X, y, theta = _problem(n, d, seed)
        cases.append(Case((X, y, theta, idx), label=f"X of shape ({n}, {d}), y of shape ({n},), theta of shape ({d},), "
                                                     f"idx = {idx}"))
    return cases


def _reference(X, y, theta, idx):
    return least_squares_gradient(X, y, theta, idx)


MINIBATCH_MISTAKES = [
    Mistake(lambda X, y, t, idx: least_squares_gradient(X, y, t, idx) * len(idx),
            "that is the sum over the batch, not the mean: divide by the batch size B = len(idx), so the step "
            "size does not grow with the batch."),
    Mistake(lambda X, y, t, idx: least_squares_gradient(X, y, t),
            "that is the gradient of the whole data set: use only the rows idx (X[idx], y[idx])."),
    Mistake(lambda X, y, t, idx: -least_squares_gradient(X, y, t, idx),
            "the sign is flipped: the derivative of 0.5 (x.theta - y)^2 is (x.theta - y) x, not (y - x.theta) x."),
    Mistake(lambda X, y, t, idx: least_squares_gradient(X, y, t, idx) * len(idx) / len(y),
            "you divided by n, the size of the data set; the minibatch mean divides by B = len(idx)."),
    Mistake(lambda X, y, t, idx: 2 * least_squares_gradient(X, y, t, idx),
            "a factor 2 too many: the loss here is 1/(2B) sum (...)^2, and the 1/2 cancels the 2 of the square."),
]

register_hints("minibatch_gradient", [
    "Pick the rows first: Xb, yb = X[idx], y[idx]. Then it is the full-batch formula on Xb and yb.",
    "The residuals r = Xb @ theta - yb have shape (B,). Each example's gradient is r_i * x_i; average them.",
    "Xb, yb = X[idx], y[idx]\nreturn Xb.T @ (Xb @ theta - yb) / len(idx)",
])


def check_minibatch_gradient(fn, hidden: bool = False) -> None:
    """Check the learner's minibatch_gradient(X, y, theta, idx) against core.least_squares_gradient."""
    check_function(fn, _reference, _minibatch_cases(hidden), exercise="minibatch_gradient", name="minibatch_gradient",
                   mistakes=MINIBATCH_MISTAKES)


# ---------------------------------------------------------------- 2. predict the largest stable learning rate

STABLE_LR_HESSIAN = ((4.0, 1.0), (1.0, 2.0))   # f(x, y) = 2x^2 + xy + y^2

register_hints("stable_lr", [
    "Gradient descent on a quadratic is stable while lr < 2 / lambda_max, lambda_max the Hessian's largest "
    "eigenvalue. First write the Hessian of f: the second derivatives.",
    "f_xx = 4, f_xy = 1, f_yy = 2. The eigenvalues of [[4, 1], [1, 2]] are 3 +- sqrt(2).",
    "lr_max = 2 / (3 + 2 ** 0.5)  # = 0.4531",
])


def check_stable_lr(answer) -> None:
    """The largest stable learning rate of gradient descent on f(x, y) = 2x^2 + xy + y^2."""
    h = np.array(STABLE_LR_HESSIAN)
    lam = np.linalg.eigvalsh(h)
    check_value(answer, max_stable_step(h), exercise="stable_lr", name="lr_max", rtol=5e-3, mistakes={
        1 / lam[-1]: "that is 1 / lambda_max. Gradient descent oscillates but still shrinks up to 2 / lambda_max: "
                     "along that eigenvector each step multiplies the error by 1 - lr*lambda, which is above -1 "
                     "until lr = 2 / lambda_max.",
        0.5: "that is 2 / f_xx, the x direction alone. The cross term xy turns the axes: take the largest "
             "eigenvalue of the whole Hessian, not its diagonal.",
        2 / lam[0]: "that uses the smallest eigenvalue. The steepest direction (the largest eigenvalue) is the first "
                    "to diverge.",
        2 / (lam[0] + lam[-1]): "that is the optimal step 2 / (lambda_min + lambda_max), the fastest one, not the "
                                "largest stable one.",
        2 / np.linalg.eigvalsh(h / 2)[-1]: "that treats the coefficients of f as the Hessian; the Hessian holds the "
                                           "second derivatives (2x^2 gives 4, not 2).",
    })


# ---------------------------------------------------------------- 3. what is random in SGD (A09)

SGD_RANDOMNESS_OPTIONS = {
    "a": "Not quite: for a fixed minibatch the update is deterministic; the randomness is which examples are drawn.",
    "b": "The learning rate is fixed (or follows a schedule); it is not drawn at random.",
    "c": "Right: the minibatch gradient is an unbiased estimate of the full gradient whose noise comes from sampling "
         "the examples; its variance falls as 1/B.",
    "d": "Initialisation is random in most training, but that is not what the 'stochastic' in SGD refers to.",
}

register_hints("sgd_randomness", [
    "Run one update twice with the same minibatch: do you get the same step?",
    "The batch-size widget draws many minibatches at one point: what differs between the arrows?",
    "The answer is (c).",
])


def check_sgd_randomness(answer) -> None:
    """A09: where SGD's randomness comes from."""
    check_choice(answer, "c", SGD_RANDOMNESS_OPTIONS, exercise="sgd_randomness", name="sgd_randomness")


# ---------------------------------------------------------------- 4. the saddle

SADDLE_OPTIONS = {
    "a": "Right: on the x axis the gradient (2x, -2y) has no y part, so exact descent slides into the saddle and "
         "stays; any noise in y grows by (1 + 2 lr) per step and the point escapes downhill.",
    "b": "The Hessian at the origin has eigenvalue -2 along y: the origin is a saddle, not a minimum, however "
         "small the step.",
    "c": "Nothing pushes it along y: the y part of the gradient is exactly 0 when y = 0, at every step.",
    "d": "Adaptive methods rescale the gradient per coordinate, but 0 stays 0: on this axis they stall too.",
}

register_hints("saddle_escape", [
    "Write the gradient of x^2 - y^2 at a point (x, 0).",
    "With y = 0 the update never changes y. What happens to x with lr = 0.1?",
    "The answer is (a).",
])


def check_saddle_escape(answer) -> None:
    """C03: gradient descent started on the stable axis of a saddle."""
    check_choice(answer, "a", SADDLE_OPTIONS, exercise="saddle_escape", name="saddle_escape")


# ---------------------------------------------------------------- 5. widget challenge: a step size for kappa = 20

CHALLENGE = {"condition": 20.0, "steps": 60, "target": 1e-5}

register_hints("condition_challenge", [
    "Set the condition number to 20 and read the optimal step the explorer shows.",
    "The rate per step is max|1 - lr*lambda|: smallest at lr = 2/(lambda_min + lambda_max), and 1 again at "
    "2/lambda_max = 2.",
    "explorer.set(objective='quadratic', condition=20.0, steps=60, lr=1.9, noise=0.0)\n"
    "challenge_settings = explorer.settings()",
])


def _replay(settings) -> tuple[float, float]:
    """(final loss, lr) of the explorer settings, replayed with core."""
    obj = conditioned_quadratic(float(settings["condition"]), float(settings.get("angle", 30.0)))
    run = run_optimizer(obj, "sgd", (float(settings["start_x"]), float(settings["start_y"])), int(settings["steps"]),
                        lr=float(settings["lr"]))
    return float(run.loss[-1]), float(settings["lr"])


def check_condition_challenge(settings) -> None:
    """The explorer's settings reach a loss below 1e-5 within 60 steps on the quadratic with condition number 20."""
    name = "challenge_settings"
    if settings is ...:
        raise CheckFailed(f"`{name}` is not answered yet.\nMove the explorer, then run `{name} = explorer.settings()`.")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`{name}` should be the dict explorer.settings() returns, got {type(settings).__name__}.")
    needed = {"objective", "condition", "lr", "steps", "start_x", "start_y", "noise"}
    if not needed <= set(settings):
        raise CheckFailed(f"`{name}` misses {', '.join(sorted(needed - set(settings)))}: record it with "
                          "explorer.settings().")
    if settings["objective"] != "quadratic" or settings["condition"] != CHALLENGE["condition"]:
        raise CheckFailed(f"The challenge is on the quadratic with condition number {CHALLENGE['condition']:g}; your "
                          f"settings have objective {settings['objective']!r}, condition {settings['condition']!r}.")
    if settings["noise"] != 0:
        raise CheckFailed("Set the gradient noise to 0: the challenge is about the step size alone.")
    if not isinstance(settings["steps"], (int, np.integer)) or not 1 <= settings["steps"] <= CHALLENGE["steps"]:
        raise CheckFailed(f"Use at most {CHALLENGE['steps']} steps; your settings have steps = {settings['steps']!r}.")
    try:
        final, lr = _replay(settings)
    except (TypeError, ValueError, KeyError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    if not final < CHALLENGE["target"]:
        what = "diverges" if not np.isfinite(final) or final > 1 else f"ends at loss {final:.3g}"
        raise CheckFailed(f"With lr = {lr:g} gradient descent {what}, not below {CHALLENGE['target']:g} after "
                          f"{settings['steps']} steps.\nStuck? Run hint('condition_challenge') for a hint.")
    print(f"✔ lr = {lr:g}: loss {final:.3g} after {settings['steps']} steps.")


# ---------------------------------------------------------------- 6. batch size and the linear scaling rule (C13)

BATCH_SCALING_OPTIONS = {
    "a": "The minibatch noise does fall 8 times (1/B), but the step itself is what breaks here: look at lr * lambda_max.",
    "b": "Linear scaling keeps the progress per epoch only while every step stays stable; 0.8 is past 2/lambda_max.",
    "c": "Memory grows with the batch, but that does not change the maths of the update: the step is unstable.",
    "d": "Right: 8 x 0.1 = 0.8 is above 2 / lambda_max = 0.5, so along the steepest direction each step multiplies "
         "the error by |1 - 0.8*4| = 2.2: the large batch diverges.",
}

register_hints("batch_scaling", [
    "Linear scaling gives the new learning rate 0.1 x 8. Compare it with the largest stable step.",
    "The largest stable step of gradient descent is 2 / lambda_max = 2 / 4.",
    "The answer is (d).",
])


def check_batch_scaling(answer) -> None:
    """C13: linear learning-rate scaling up to a batch 8 times larger on a loss with lambda_max = 4."""
    check_choice(answer, "d", BATCH_SCALING_OPTIONS, exercise="batch_scaling", name="batch_scaling")
