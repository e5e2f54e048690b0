"""Checks for lesson 03 (initialisation). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import INITIALISERS, MLP, compute_fans, glorot_limit, mlp_experiment
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = ["check_glorot_limit", "check_he_std", "check_zero_init_gradient", "check_symmetry",
           "check_gaussian", "check_init_challenge", "challenge_last_std", "zero_init_gradient", "shape_glorot_limit",
           "INIT_CHALLENGE_DEPTH", "INIT_CHALLENGE_RANGE"]

# ---------------------------------------------------------------- 1. the Glorot limit

def shape_glorot_limit(shape) -> float:
    """Glorot uniform's limit for a weight of ``shape`` in PyTorch's layout (core's fans and limit)."""
    return glorot_limit(*compute_fans(tuple(shape)))


def _fans_ignoring_kernel(shape):
    return shape[1], shape[0]


GLOROT_CASES = [Case(((128, 256),), label="shape (128, 256), a Linear(256, 128)"),
                Case(((64, 3, 3, 3),), label="shape (64, 3, 3, 3), a Conv2d(3, 64, 3)"),
                Case(((10, 784),), label="shape (10, 784)"), Case(((1, 1),), label="shape (1, 1)"),
                Case(((16, 8, 5, 5),), label="shape (16, 8, 5, 5)")]
GLOROT_HIDDEN_CASES = [Case(((256, 256, 1, 1),), label="shape (256, 256, 1, 1), a 1x1 conv"),
                       Case(((4096, 4096),), label="shape (4096, 4096)"),
                       Case(((32, 16, 3, 1),), label="shape (32, 16, 3, 1), a 3x1 kernel")]

GLOROT_MISTAKES = [
    Mistake(lambda shape: math.sqrt(6.0 / sum(_fans_ignoring_kernel(shape))),
            "the kernel size is left out of the fans. One output of a convolution sums C_in * kH * kW inputs, "
            "and one input reaches C_out * kH * kW outputs: multiply both fans by kH * kW."),
    Mistake(lambda shape: math.sqrt(2.0 / sum(compute_fans(tuple(shape)))),
            "that is sqrt(2 / (m + n)), the STANDARD DEVIATION of Glorot normal. The uniform limit a is "
            "larger: U(-a, a) has variance a^2 / 3, so a = sqrt(3) * sqrt(2 / (m + n)) = sqrt(6 / (m + n))."),
    Mistake(lambda shape: math.sqrt(6.0 / (compute_fans(tuple(shape))[0] * compute_fans(tuple(shape))[1])),
            "the fans are multiplied. Glorot averages them: sqrt(6 / (m + n))."),
    Mistake(lambda shape: 6.0 / sum(compute_fans(tuple(shape))), "the square root is missing: a = sqrt(6 / (m + n))."),
    Mistake(lambda shape: math.sqrt(6.0 / compute_fans(tuple(shape))[0]),
            "only fan_in is used (that is He uniform's limit for ReLU). Glorot uses both: sqrt(6 / (m + n))."),
    Mistake(lambda shape: math.sqrt(6.0 / (shape[0] + shape[1] * math.prod(shape[2:]))),
            "only fan_in counts the kernel. Each input also reaches kH * kW positions of every output channel: "
            "fan_out = C_out * kH * kW."),
]

register_hints("glorot_limit", [
    "Glorot and Bengio want Var(W) = 2 / (fan_in + fan_out), the compromise between keeping the "
    "forward signal (1/fan_in) and the backward signal (1/fan_out). A uniform U(-a, a) has variance a^2 / 3.",
    "For a convolution, one output sums a kH x kW window over C_in channels: fan_in = C_in * kH * kW. "
    "Likewise fan_out = C_out * kH * kW. For a linear layer (2 dimensions) the kernel size is 1.",
    "receptive = math.prod(shape[2:])\n"
    "fan_in, fan_out = shape[1] * receptive, shape[0] * receptive\n"
    "return math.sqrt(6 / (fan_in + fan_out))",
])


def check_glorot_limit(fn, hidden: bool = False) -> None:
    """The learner's glorot_limit(shape) against core.glorot_limit of core.compute_fans(shape)."""
    cases = GLOROT_CASES + (GLOROT_HIDDEN_CASES if hidden else [])
    check_function(fn, shape_glorot_limit, cases, exercise="glorot_limit", name="glorot_limit",
                   mistakes=GLOROT_MISTAKES, rtol=1e-9)


# ---------------------------------------------------------------- 2. predictions

HE_SHAPE = (64, 32, 3, 3)          # nn.Conv2d(32, 64, kernel_size=3)

register_hints("he_std", [
    "He normal's variance is 2 / fan_in. What is fan_in for a convolution?",
    "One output of Conv2d(32, 64, 3) sums a 3x3 window over 32 channels: fan_in = 32 * 3 * 3 = 288.",
    "he_std = math.sqrt(2 / (32 * 3 * 3))  # = 1/12",
])


def check_he_std(answer) -> None:
    """Standard deviation of He normal (fan_in) for the weight of nn.Conv2d(32, 64, 3)."""
    fan_in, fan_out = compute_fans(HE_SHAPE)
    check_value(answer, math.sqrt(2.0 / fan_in), exercise="he_std", name="he_std", rtol=1e-3, mistakes={
        math.sqrt(2.0 / 32): "fan_in counts the kernel too: one output sums 32 channels x 3 x 3 positions = 288 inputs.",
        math.sqrt(2.0 / (fan_in + fan_out)): "that is Glorot normal's std (2 / (fan_in + fan_out)); He uses fan_in only.",
        math.sqrt(6.0 / fan_in): "that is He UNIFORM's limit a; the std of He normal is sqrt(2 / fan_in).",
        2.0 / fan_in: "that is the variance; the standard deviation is its square root.",
    })


def zero_init_gradient() -> int:
    """How many weight matrices of a 3-hidden-layer sigmoid network with all-zero weights get a non-zero
    gradient, on a seeded batch (core's backward)."""
    net = MLP(3, 8, activation="sigmoid", init="zeros", loss="mse", seed=0)
    rng = np.random.default_rng(1)
    norms = net.forward_backward(rng.normal(size=(16, 8)), rng.normal(size=(16, 1))).weight_grad_norms
    return int(sum(n > 0 for n in norms))


register_hints("zero_init_gradient", [
    "With every weight 0, what does a sigmoid hidden unit output, whatever the input? (Not 0.)",
    "The output layer's gradient is (output error) x (last hidden output)^T. Every other layer's gradient "
    "passes back through a weight matrix that is all zeros.",
    "zero_grad_layers = 1  # only the output layer: sigmoid(0) = 0.5 feeds it, and zeros block the rest",
])


def check_zero_init_gradient(answer) -> None:
    """How many of the 4 weight matrices get a gradient when every weight starts at zero (sigmoid units)."""
    check_value(answer, zero_init_gradient(), exercise="zero_init_gradient", name="zero_grad_layers", mistakes={
        0: "the output layer does get a gradient: its inputs are sigmoid(0) = 0.5, not 0, and the output error is "
           "not 0. (With tanh, whose tanh(0) = 0, the answer would be 0.)",
        4: "the gradient reaching a hidden layer passes back through the all-zero weight matrix above it, so it "
           "is exactly 0; only the output layer learns at first.",
        3: "count again from the top: the output layer gets a gradient, the three hidden layers get none.",
    })


# ---------------------------------------------------------------- 3. multiple choice

SYMMETRY_OPTIONS = {
    "a": "Every unit has the same incoming weights, so it computes the same output and receives the same "
         "gradient; gradient descent changes them identically, so they stay copies of one unit however long and "
         "fast you train. Random initialisation breaks this symmetry.",
    "b": "SGD's noise comes from the choice of examples, which is the same for every unit of the layer: identical "
         "units get identical updates, step after step.",
    "c": "A larger learning rate scales every unit's update by the same factor, so the units stay identical.",
    "d": "The network trains, but as if the layer had a single unit, so it cannot match random weights.",
}

register_hints("symmetry", [
    "In the explorer choose 'constant 0.1', then move the SGD steps slider.",
    "If two units have the same incoming weights, what are their outputs, and their gradients?",
    "The answer is (a).",
])


def check_symmetry(answer) -> None:
    """Why all-equal (or all-zero) initial weights never train (D04)."""
    check_choice(answer, "a", SYMMETRY_OPTIONS, exercise="symmetry", name="symmetry")


GAUSSIAN_OPTIONS = {
    "a": "A sum of many independent terms forgets the shape of its terms' distribution (central limit theorem); "
         "only their variances carry over.",
    "b": "The uniform has lighter tails than the normal (it is bounded); and either way the sum of 256 terms is "
         "nearly normal.",
    "c": "Both shapes are used (PyTorch's Linear draws from a uniform); what must be right is the variance.",
    "d": "z = sum of 256 independent terms, so by the central limit theorem it is close to normal whatever the "
         "weights' shape, with the same std because the variance is the same. That is also why the notes "
         "recommend the normal as a default: it is what sums tend to, and for a given variance it has the "
         "largest entropy, so it assumes the least.",
}

register_hints("gaussian", [
    "Look at the kurtosis table in section 4: what happens to a unit's distribution as its fan-in grows?",
    "z is a sum of 256 independent terms. What does the central limit theorem say about such a sum?",
    "The answer is (d).",
])


def check_gaussian(answer) -> None:
    """Why the Gaussian is the default choice (C02, C12)."""
    check_choice(answer, "d", GAUSSIAN_OPTIONS, exercise="gaussian", name="gaussian")


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
