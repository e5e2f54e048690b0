"""Checks for lesson 03 (initialisation). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import INITIALISERS, MLP, glorot_limit, mlp_experiment
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = ["check_glorot_limit", "check_glorot_std", "check_zero_init_gradient", "check_symmetry",
           "check_gaussian", "check_init_challenge", "challenge_last_std", "zero_init_gradient",
           "INIT_CHALLENGE_DEPTH", "INIT_CHALLENGE_RANGE"]

# ---------------------------------------------------------------- 1. the Glorot limit

GLOROT_CASES = [Case((256, 128)), Case((784, 300)), Case((3, 2)), Case((1, 1)), Case((1000, 10))]
GLOROT_HIDDEN_CASES = [Case((4096, 4096)), Case((7, 50))]

GLOROT_MISTAKES = [
    Mistake(lambda m, n: math.sqrt(2.0 / (m + n)),
            "that is sqrt(2 / (m + n)), the STANDARD DEVIATION of Glorot normal. The uniform limit a is "
            "larger: U(-a, a) has variance a^2 / 3, so a = sqrt(3) * sqrt(2 / (m + n)) = sqrt(6 / (m + n))."),
    Mistake(lambda m, n: math.sqrt(6.0 / (m * n)),
            "the fans are multiplied. Glorot averages them: sqrt(6 / (m + n))."),
    Mistake(lambda m, n: 6.0 / (m + n), "the square root is missing: a = sqrt(6 / (m + n))."),
    Mistake(lambda m, n: math.sqrt(6.0 / m),
            "only fan_in is used (that is He uniform's limit for ReLU). Glorot uses both: sqrt(6 / (m + n))."),
    Mistake(lambda m, n: math.sqrt(3.0 / (m + n)),
            "that gives variance 1 / (m + n); Glorot's target variance is 2 / (m + n), so a = sqrt(6 / (m + n))."),
]

register_hints("glorot_limit", [
    "Glorot and Bengio want Var(W) = 2 / (fan_in + fan_out), the compromise between keeping the "
    "forward signal (1/fan_in) and the backward signal (1/fan_out).",
    "A uniform U(-a, a) has variance a^2 / 3. Solve a^2 / 3 = 2 / (m + n) for a.",
    "return math.sqrt(6 / (fan_in + fan_out))",
])


def check_glorot_limit(fn, hidden: bool = False) -> None:
    """The learner's glorot_limit(fan_in, fan_out) against core.glorot_limit."""
    cases = GLOROT_CASES + (GLOROT_HIDDEN_CASES if hidden else [])
    check_function(fn, glorot_limit, cases, exercise="glorot_limit", name="glorot_limit",
                   mistakes=GLOROT_MISTAKES, rtol=1e-9)


# ---------------------------------------------------------------- 2. predictions

register_hints("glorot_std", [
    "Glorot normal has the same variance as Glorot uniform.",
    "Uniform U(-a, a) has standard deviation a / sqrt(3); with a = sqrt(6 / (m + n)) that is sqrt(2 / (m + n)).",
    "glorot_std = math.sqrt(2 / (256 + 128))  # about 0.0722",
])


def check_glorot_std(answer) -> None:
    """Standard deviation of Glorot normal for a 256 -> 128 layer (= the uniform limit / sqrt 3)."""
    a = glorot_limit(256, 128)
    check_value(answer, a / math.sqrt(3.0), exercise="glorot_std", name="glorot_std", rtol=1e-4, mistakes={
        a: "that is the uniform LIMIT a; the standard deviation of U(-a, a) is a / sqrt(3).",
        math.sqrt(1 / 384): "that is sqrt(1 / (m + n)); Glorot's variance is 2 / (m + n).",
        math.sqrt(2 / 256): "that is He normal's std (2 / fan_in); Glorot uses fan_in + fan_out.",
    })


def zero_init_gradient() -> float:
    """||dL/dW_1|| of a 3-layer tanh network with all-zero weights, on a seeded batch (core's backward)."""
    net = MLP(3, 8, activation="tanh", init="zeros", loss="mse", seed=0)
    rng = np.random.default_rng(1)
    return net.forward_backward(rng.normal(size=(16, 8)), rng.normal(size=(16, 1))).weight_grad_norms[0]


register_hints("zero_init_gradient", [
    "With every weight 0, what do the hidden layers output, whatever the input?",
    "dL/dW_1 = (gradient arriving at layer 1)^T x, and that gradient passes back through W_2, W_3 and "
    "the output weights, all 0.",
    "zero_grad = 0.0",
])


def check_zero_init_gradient(answer) -> None:
    """The first layer's weight gradient when every weight starts at zero."""
    check_value(answer, zero_init_gradient(), exercise="zero_init_gradient", name="zero_grad", atol=1e-12)


# ---------------------------------------------------------------- 3. multiple choice

SYMMETRY_OPTIONS = {
    "a": "Constant weights are not the problem for the loss value itself; the problem is that the units "
         "in a layer can never become different from each other.",
    "b": "Every unit in a layer has the same incoming weights, so computes the same output and receives "
         "the same gradient; gradient descent changes them identically, so they stay copies of one unit. "
         "Random initialisation breaks this symmetry. (With all ZEROS it is worse still: the gradients "
         "reaching the hidden weights are exactly 0.)",
    "c": "Gradient descent cannot tell the units apart: identical units get identical updates, however "
         "long you train (the explorer's SGD steps slider shows it).",
    "d": "A larger learning rate scales every unit's update by the same factor, so the units stay identical.",
}

register_hints("symmetry", [
    "In the explorer choose 'constant 0.1', then move the SGD steps slider.",
    "If two units have the same incoming weights, what are their outputs, and their gradients?",
    "The answer is (b).",
])


def check_symmetry(answer) -> None:
    """Why all-equal (or all-zero) initial weights never train (D04)."""
    check_choice(answer, "b", SYMMETRY_OPTIONS, exercise="symmetry", name="symmetry")


GAUSSIAN_OPTIONS = {
    "a": "Nothing stops a weight drawn from a Gaussian from being large; that is why its std is chosen "
         "with care (Glorot, He), and why truncated normals exist.",
    "b": "By the central limit theorem, a sum of many independent small effects is close to normal, "
         "so many real quantities are; and among all distributions with a given mean and variance the "
         "normal has the largest entropy, so it assumes the least beyond those two numbers. For weights "
         "the scale matters far more than the shape: uniform and normal with the same variance behave alike.",
    "c": "The Gaussian's tails are unbounded; a uniform distribution is the bounded one.",
    "d": "Both shapes are used (Glorot uniform is Keras' default, PyTorch's Linear uses a uniform); what "
         "must match is the variance.",
}

register_hints("gaussian", [
    "The notes give two reasons for the normal distribution being the default choice.",
    "One is about sums of many independent variables; the other about how little a distribution assumes.",
    "The answer is (b).",
])


def check_gaussian(answer) -> None:
    """Why the Gaussian is the default choice (C02, C12)."""
    check_choice(answer, "b", GAUSSIAN_OPTIONS, exercise="gaussian", name="gaussian")


# ---------------------------------------------------------------- 4. widget challenge

INIT_CHALLENGE_DEPTH = 20
INIT_CHALLENGE_RANGE = (0.2, 5.0)
_KEYS = ("init", "activation", "depth", "width", "batch", "weight_scale", "train_steps", "learning_rate", "seed")


def challenge_last_std(settings) -> float:
    """Std of the last hidden layer's activations, recomputed with core from the explorer's settings.

    core's ``mlp_experiment`` is the explorer's recipe (no training, no batch norm or residuals).
    """
    return mlp_experiment(depth=settings["depth"], width=settings["width"], batch=settings["batch"],
                          activation=settings["activation"], init=settings["init"],
                          weight_scale=float(settings["weight_scale"]), seed=settings["seed"]).layer_stats[-1].std


register_hints("init_challenge", [
    f"Set Activation ReLU and Depth {INIT_CHALLENGE_DEPTH}, then try the initialisers. Watch the std of the "
    "last layer.",
    "ReLU zeroes half of its inputs, halving the variance at each layer; which initialiser doubles the "
    "weights' variance to make up for it?",
    f"explorer.set(activation='relu', depth={INIT_CHALLENGE_DEPTH}, init='he_normal', train_steps=0)\n"
    "init_challenge = explorer.settings()",
])


def check_init_challenge(settings) -> None:
    """A 20-layer ReLU network whose last hidden layer keeps an activation std in [0.2, 5]."""
    if settings is ...:
        raise CheckFailed("`init_challenge` is not answered yet.\nSet the explorer, then run "
                          "`init_challenge = explorer.settings()`.")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`init_challenge` should be a dict like explorer.settings() returns, "
                          f"got {type(settings).__name__}.")
    missing = [k for k in _KEYS if k not in settings]
    if missing:
        raise CheckFailed(f"`init_challenge` is missing {', '.join(missing)}; record it with `explorer.settings()`.")
    if settings["activation"] != "relu" or settings["depth"] != INIT_CHALLENGE_DEPTH:
        raise CheckFailed(f"The challenge is for {INIT_CHALLENGE_DEPTH} ReLU layers; yours has {settings['depth']} "
                          f"{settings['activation']!r} layers.")
    if settings["train_steps"]:
        raise CheckFailed("The challenge is about the initialisation itself: set SGD steps to 0.")
    if settings["init"] in ("zeros", "constant"):
        raise CheckFailed(f"{settings['init']!r} makes every unit in a layer identical (no symmetry breaking); "
                          "choose a random initialiser.")
    if settings["init"] not in INITIALISERS:
        raise CheckFailed(f"Unknown initialiser {settings['init']!r}.")
    if not (isinstance(settings["weight_scale"], (int, float)) and 0.05 <= settings["weight_scale"] <= 4.0):
        raise CheckFailed(f"weight_scale must be between 0.05 and 4 (the explorer's range), got {settings['weight_scale']!r}.")
    if not (isinstance(settings["width"], int) and 2 <= settings["width"] <= 512
            and isinstance(settings["batch"], int) and 2 <= settings["batch"] <= 1024):
        raise CheckFailed("width must be 2-512 and batch 2-1024, as in the explorer.")
    std = challenge_last_std(settings)
    lo, hi = INIT_CHALLENGE_RANGE
    if not lo <= std <= hi:
        raise CheckFailed(f"Recomputed with core, the last layer's activation std is {std:.3g}, outside "
                          f"[{lo}, {hi}].\nStuck? Run hint('init_challenge') for a hint.")
    print(f"✔ {INIT_CHALLENGE_DEPTH} ReLU layers with {settings['init']} x {settings['weight_scale']:g}: "
          f"last-layer std {std:.3g} (recomputed with core).")
