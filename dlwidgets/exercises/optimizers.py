"""Checks for lesson 06 (optimizers). Expected values come from dlwidgets.core (torch.optim's algorithms)."""

from __future__ import annotations

import numpy as np

from ..core import RACERS, adam_step, objective, rmsprop_step, run_optimizer, sgd_step
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_adam_step", "check_plateau_step", "check_rmsprop_first_step", "check_adagrad_shrinking",
    "check_adam_scale", "check_weight_decay", "check_rosenbrock_challenge", "ROSENBROCK_CHALLENGE",
]

# ---------------------------------------------------------------- 1. one Adam step, bias correction included


def _reference_adam(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
    state = {"step": t, "exp_avg": np.asarray(m, dtype=float), "exp_avg_sq": np.asarray(v, dtype=float)}
    p, state = adam_step(param, grad, state, lr=lr, betas=(beta1, beta2), eps=eps)
    return p, state["exp_avg"], state["exp_avg_sq"]


def _adam_cases(hidden=False):
    rng = np.random.default_rng(606)
    cases = [
        Case((np.array([1.0, -2.0]), np.array([0.5, -3.0]), np.zeros(2), np.zeros(2), 0), {"lr": 0.01},
             label="the first step (t = 0, m = v = 0), lr = 0.01"),
        Case((np.array([0.3, 0.1, -0.4]), np.array([0.2, -0.1, 0.05]), np.array([0.1, -0.02, 0.0]),
              np.array([0.01, 0.003, 0.0004]), 3), {"lr": 0.1}, label="a fourth step (t = 3), lr = 0.1"),
        Case((rng.normal(size=(2, 3)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3)) * 0.1,
              rng.random((2, 3)) * 0.01, 9), {"lr": 0.05, "beta1": 0.8, "beta2": 0.99},
             label="a (2, 3) array after 9 steps, lr = 0.05, beta1 = 0.8, beta2 = 0.99"),
    ]
    if hidden:
        cases += [
            Case((np.array([0.0, 0.0]), np.array([1000.0, -1000.0]), np.zeros(2), np.zeros(2), 0), {},
                 label="gradients of +-1000 on the first step"),
            Case((np.array([1.0]), np.array([1e-9]), np.zeros(1), np.zeros(1), 0), {"lr": 0.1},
                 label="a gradient of 1e-9, where eps matters"),
            Case((rng.normal(size=4), rng.normal(size=4), rng.normal(size=4) * 0.1, rng.random(4) * 0.01, 999),
                 {"lr": 0.002, "eps": 1e-6}, label="step 1000, eps = 1e-6"),
        ]
    return cases


def _adam_variant(correct1=True, correct2=True, offset=1, eps_inside=False, no_sqrt=False):
    def step(param, grad, m, v, t, lr=1e-3, beta1=0.9, beta2=0.999, eps=1e-8):
        g = np.asarray(grad, dtype=float)
        m = beta1 * np.asarray(m, dtype=float) + (1 - beta1) * g
        v = beta2 * np.asarray(v, dtype=float) + (1 - beta2) * g * g
        k = t + offset
        m_hat = m / (1 - beta1 ** k) if correct1 else m
        v_hat = v / (1 - beta2 ** k) if correct2 else v
        denom = v_hat + eps if no_sqrt else (np.sqrt(v_hat + eps) if eps_inside else np.sqrt(v_hat) + eps)
        return np.asarray(param, dtype=float) - lr * m_hat / denom, m, v
    return step


ADAM_MISTAKES = [
    Mistake(_adam_variant(correct1=False, correct2=False),
            "the bias correction is missing. m and v start at 0, so early on they are too small by the factors "
            "(1 - beta1^t) and (1 - beta2^t); divide by them (t counting from 1 at the first step)."),
    Mistake(_adam_variant(correct1=False),
            "only v is bias-corrected: m_hat = m / (1 - beta1^t) too."),
    Mistake(_adam_variant(correct2=False),
            "only m is bias-corrected: v_hat = v / (1 - beta2^t) too."),
    Mistake(_adam_variant(offset=2),
            "the step count is one too far: t is the number of steps taken before this one, so this step is "
            "number t + 1 and the corrections use beta^(t + 1)."),
    Mistake(_adam_variant(eps_inside=True),
            "eps is inside the square root. PyTorch adds it outside: m_hat / (sqrt(v_hat) + eps)."),
    Mistake(_adam_variant(no_sqrt=True),
            "the square root is missing: divide by sqrt(v_hat), the root mean square of the gradient."),
]

register_hints("adam_step", [
    "Update the two moving averages first: m with beta1 and g, v with beta2 and g*g. Then correct their bias.",
    "This is step number t + 1: m_hat = m / (1 - beta1 ** (t + 1)), v_hat likewise with beta2. "
    "The step is lr * m_hat / (sqrt(v_hat) + eps).",
    "m = beta1 * m + (1 - beta1) * grad\nv = beta2 * v + (1 - beta2) * grad ** 2\n"
    "m_hat = m / (1 - beta1 ** (t + 1))\nv_hat = v / (1 - beta2 ** (t + 1))\n"
    "return param - lr * m_hat / (np.sqrt(v_hat) + eps), m, v",
])


def check_adam_step(fn, hidden: bool = False) -> None:
    """Check the learner's adam_step(param, grad, m, v, t, ...) against core.adam_step (torch.optim.Adam)."""
    check_function(fn, _reference_adam, _adam_cases(hidden), exercise="adam_step", name="adam_step",
                   mistakes=ADAM_MISTAKES, rtol=1e-7, atol=1e-12)


# ---------------------------------------------------------------- 2. momentum on a plateau

PLATEAU = {"gradient": 0.03, "lr": 0.05, "momentum": 0.8}

register_hints("plateau_step", [
    "On a plateau the gradient is the same at every step, so the momentum buffer b = 0.8 b + g settles where it "
    "stops changing.",
    "At the fixed point b = 0.8 b + g, so b = g / (1 - 0.8) = 5 g. The step is lr * b.",
    "plateau_step = 0.05 * 0.03 / (1 - 0.8)  # = 0.0075",
])


def _plateau_limit() -> float:
    """The step of torch's SGD with momentum after many steps of a constant gradient (core, not the formula)."""
    p, state = np.zeros(1), None
    for _ in range(600):
        new, state = sgd_step(p, np.full(1, PLATEAU["gradient"]), state, lr=PLATEAU["lr"],
                              momentum=PLATEAU["momentum"])
        step, p = float(abs(new[0] - p[0])), new
    return step


def check_plateau_step(answer) -> None:
    """The size of a step of SGD with momentum 0.8, lr 0.05, after many steps of the constant gradient 0.03."""
    g, lr, mu = PLATEAU["gradient"], PLATEAU["lr"], PLATEAU["momentum"]
    check_value(answer, _plateau_limit(), exercise="plateau_step", name="plateau_step", rtol=1e-3, mistakes={
        lr * g: "that is plain SGD's step, lr * g. With momentum the buffer keeps adding g, and settles at g / (1 - 0.8).",
        lr * g * mu: "the buffer does not shrink the gradient by 0.8: b = 0.8 b + g settles at 5 g.",
        lr * g / (1 - mu) ** 2: "one factor 1 / (1 - 0.8) too many: b settles at g / (1 - 0.8), and the step is lr * b.",
        g / (1 - mu): "that is the buffer b itself; the step is lr * b.",
    })


# ---------------------------------------------------------------- 3. RMSprop's first step

RMSPROP_FIRST = {"alpha": 0.96, "lr": 0.003, "gradient": 3.0}

register_hints("rmsprop_first_step", [
    "RMSprop has no bias correction: v starts at 0 and after one step is (1 - alpha) g^2.",
    "The step is lr * g / sqrt(v) = lr * g / (sqrt(1 - alpha) |g|) (eps is negligible here).",
    "rmsprop_first_step = 0.003 / (1 - 0.96) ** 0.5  # = 0.015",
])


def check_rmsprop_first_step(answer) -> None:
    """The size of RMSprop's first step with alpha = 0.96, lr = 0.003 and the gradient 3."""
    a, lr, g = RMSPROP_FIRST["alpha"], RMSPROP_FIRST["lr"], RMSPROP_FIRST["gradient"]
    p, _ = rmsprop_step(np.zeros(1), np.full(1, g), lr=lr, alpha=a)
    check_value(answer, abs(float(p[0])), exercise="rmsprop_first_step", name="rmsprop_first_step", rtol=5e-3,
                mistakes={
                    lr: "that is what a bias-corrected method (Adam) does. RMSprop divides by sqrt((1 - alpha) g^2) "
                        "without correcting, so its first step is lr / sqrt(1 - alpha).",
                    lr * 10: "that is the first step with torch's default alpha = 0.99 (lr / sqrt(0.01)); here alpha = 0.96.",
                    lr * g: "that is plain SGD's step; RMSprop divides the gradient by its root mean square.",
                    lr / (1 - a): "the square root is missing: divide by sqrt(1 - alpha), not by 1 - alpha.",
                })


# ---------------------------------------------------------------- 4. Adagrad's shrinking steps (B12, E04)

ADAGRAD_OPTIONS = {
    "a": "No: the sum of squared gradients only grows, so the steps can only shrink; nothing resets it.",
    "b": "Right: the k-th step is lr / sqrt(k) times the gradient's sign, so it shrinks however far the "
         "minimum still is; RMSprop and Adam replace the sum by a moving average that forgets.",
    "c": "Adagrad's steps shrink with the accumulated gradient, not with the distance to the minimum.",
    "d": "The steps shrink like 1/sqrt(k), not geometrically: no fixed factor per step.",
}

register_hints("adagrad_shrinking", [
    "Write the first three steps of Adagrad for the gradient 1 at every step (eps = 0).",
    "sum = k after k steps, so the k-th step is lr * 1 / sqrt(k).",
    "The answer is (b).",
])


def check_adagrad_shrinking(answer) -> None:
    """Adagrad on a long, gentle slope with a constant gradient."""
    check_choice(answer, "b", ADAGRAD_OPTIONS, exercise="adagrad_shrinking", name="adagrad_shrinking")


# ---------------------------------------------------------------- 5. Adam and the scale of the gradient (B14)

ADAM_SCALE_OPTIONS = {
    "a": "That is what SGD does: its step is lr * g. Adam divides m_hat by sqrt(v_hat), and both scale with g.",
    "b": "Both m and sqrt(v) grow 1000 times, so the ratio does not change at all.",
    "c": "Right: m_hat and sqrt(v_hat) both grow 1000 times and the ratio is unchanged (eps aside): Adam's steps "
         "depend on the gradients' consistency, not their scale.",
    "d": "v grows 10^6 times but sqrt(v) only 1000 times, as m does: the step keeps its size.",
}

register_hints("adam_scale", [
    "Multiply g by 1000 in m = beta1 m + (1 - beta1) g and v = beta2 v + (1 - beta2) g^2.",
    "m grows 1000 times, v a million times, sqrt(v) 1000 times.",
    "The answer is (c).",
])


def check_adam_scale(answer) -> None:
    """B14: Adam's steps when every gradient is multiplied by 1000."""
    check_choice(answer, "c", ADAM_SCALE_OPTIONS, exercise="adam_scale", name="adam_scale")


# ---------------------------------------------------------------- 6. weight decay in Adam and AdamW

WEIGHT_DECAY_OPTIONS = {
    "a": "Only Adam adds it to the gradient (where it is divided by sqrt(v_hat) like the rest); AdamW decays the "
         "weights directly.",
    "b": "Only AdamW shrinks every weight by the same fraction; Adam's L2 term is divided by sqrt(v_hat), so its "
         "effect differs from coordinate to coordinate.",
    "c": "It is the other way round: Adam's weight_decay is L2 added to the gradient; AdamW decays the weights "
         "directly.",
    "d": "Right: AdamW multiplies the weights by (1 - lr * wd) outside the adaptive step, so every weight decays "
         "at the same rate; Adam's L2 term is divided by sqrt(v_hat), weakest where gradients are large.",
}

register_hints("weight_decay", [
    "Where does weight_decay enter in torch.optim.Adam, and where in AdamW?",
    "Adam: g = g + wd * p, before m and v. AdamW: p = p - lr * wd * p, before the Adam step.",
    "The answer is (d).",
])


def check_weight_decay(answer) -> None:
    """How AdamW's decoupled weight decay differs from Adam's L2 penalty."""
    check_choice(answer, "d", WEIGHT_DECAY_OPTIONS, exercise="weight_decay", name="weight_decay")


# ---------------------------------------------------------------- 7. widget challenge on Rosenbrock

ROSENBROCK_CHALLENGE = {"start": (-1.5, 2.0), "steps": 300, "target": 1e-2}

register_hints("rosenbrock_challenge", [
    "Pick one optimizer as the race's focus and move its learning rate; the tuned rates in the readout are a "
    "good first guess.",
    "Adam with a learning rate near 1, or momentum with a learning rate near 0.0015, gets there; plain SGD only "
    "right at the edge of stability.",
    "race.set(objective='rosenbrock', start_x=-1.5, start_y=2.0, steps=300, noise=0.0, focus='Adam', focus_lr=1.0)\n"
    "challenge_settings = race.settings()",
])


def check_rosenbrock_challenge(settings) -> None:
    """The race's focused optimizer and learning rate reach Rosenbrock's loss below 0.01 within 300 steps."""
    name = "race_settings"
    if settings is ...:
        raise CheckFailed(f"`{name}` is not answered yet.\nChoose a focus and a learning rate in the race, then run "
                          f"`{name} = race.settings()`.")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`{name}` should be the dict race.settings() returns, got {type(settings).__name__}.")
    needed = {"objective", "start_x", "start_y", "steps", "noise", "focus", "focus_lr"}
    if not needed <= set(settings):
        raise CheckFailed(f"`{name}` misses {', '.join(sorted(needed - set(settings)))}: record it with race.settings().")
    c = ROSENBROCK_CHALLENGE
    if settings["objective"] != "rosenbrock" or (settings["start_x"], settings["start_y"]) != c["start"]:
        raise CheckFailed(f"The challenge is on Rosenbrock from {c['start']}; your settings have objective "
                          f"{settings['objective']!r} from ({settings['start_x']!r}, {settings['start_y']!r}).")
    if settings["noise"] != 0:
        raise CheckFailed("Set the gradient noise to 0 for the challenge.")
    if not isinstance(settings["steps"], (int, np.integer)) or not 1 <= settings["steps"] <= c["steps"]:
        raise CheckFailed(f"Use at most {c['steps']} steps; your settings have steps = {settings['steps']!r}.")
    racer = RACERS.get(settings["focus"])
    if racer is None:
        raise CheckFailed(f"focus must be one of {', '.join(map(repr, RACERS))}, got {settings['focus']!r}.")
    lr = settings["focus_lr"]
    if isinstance(lr, bool) or not isinstance(lr, (int, float, np.integer, np.floating)) or not lr > 0:
        raise CheckFailed(f"Give the focused optimizer its own learning rate (focus_lr > 0), got {lr!r}.")
    run = run_optimizer(objective("rosenbrock"), racer.optimizer, c["start"], int(settings["steps"]), lr=float(lr),
                        options=racer.options, lookahead=racer.lookahead)
    losses = np.where(np.isfinite(run.loss), run.loss, np.inf)
    best = int(np.argmin(losses))
    if not losses[best] < c["target"]:
        what = "diverges" if run.diverged else f"gets no lower than {losses[best]:.3g}"
        raise CheckFailed(f"{racer.label} with lr = {lr:g} {what} within {settings['steps']} steps; the target is "
                          f"{c['target']:g}.\nStuck? Run hint('rosenbrock_challenge') for a hint.")
    first = int(np.argmax(losses < c["target"]))
    print(f"✔ {racer.label} with lr = {lr:g} passes loss {c['target']:g} at step {first} (of {settings['steps']}).")
