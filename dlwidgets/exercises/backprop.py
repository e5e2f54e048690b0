"""Checks for lesson 02 (back-propagation and gradient flow). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import (MLP, VANISHING_BELOW, EXPLODING_ABOVE, classify_gradient_ratio, clip_grad_norm, grad_peak,
                    mlp_experiment, tanh)
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = ["check_two_layer_backward", "check_sigmoid_chain", "check_weights_chain", "check_clip_by_global_norm",
           "check_gradient_challenge", "check_a08_correction", "check_clipping_purpose",
           "two_layer_case", "two_layer_grads", "finite_difference_grads", "challenge_ratio", "CHALLENGE_DEPTH"]

# ---------------------------------------------------------------- 1. back-propagation by hand

_GRAD_NAMES = ("dW1", "db1", "dW2", "db2")


def _two_layer_net(W1, b1, W2, b2) -> MLP:
    """core's MLP with one tanh hidden layer and MSE loss, holding exactly these parameters."""
    W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (W1, b1, W2, b2))
    net = MLP(1, W1.shape[0], in_features=W1.shape[1], out_features=W2.shape[0], activation="tanh",
              init="zeros", loss="mse")
    net.params.update(W1=W1.copy(), b1=b1.copy(), W2=W2.copy(), b2=b2.copy())
    return net


def two_layer_grads(x, y, W1, b1, W2, b2):
    """(dW1, db1, dW2, db2) of L = mean((tanh(x W1^T + b1) W2^T + b2 - y)^2), from core's backward pass."""
    g = _two_layer_net(W1, b1, W2, b2).forward_backward(x, y).grads
    return g["W1"], g["b1"], g["W2"], g["b2"]


def finite_difference_grads(x, y, W1, b1, W2, b2, h: float = 1e-6):
    """The same gradients by central differences of core's loss: (L(p + h) - L(p - h)) / 2h per entry."""
    net = _two_layer_net(W1, b1, W2, b2)
    out = []
    for name in ("W1", "b1", "W2", "b2"):
        p = net.params[name]
        g = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            keep = p[index]
            p[index] = keep + h
            up = net.loss(x, y)
            p[index] = keep - h
            down = net.loss(x, y)
            p[index] = keep
            g[index] = (up - down) / (2 * h)
        out.append(g)
    return tuple(out)


def two_layer_case(n, d, hidden, out, seed):
    """A seeded problem (x, y, W1, b1, W2, b2) for the two-layer network."""
    rng = np.random.default_rng(seed)
    return (rng.normal(size=(n, d)), rng.normal(size=(n, out)), rng.normal(0, 0.7, size=(hidden, d)),
            rng.normal(0, 0.1, size=hidden), rng.normal(0, 0.7, size=(out, hidden)), rng.normal(0, 0.1, size=out))


def _flat(grads):
    return np.concatenate([np.ravel(np.asarray(g, dtype=float)) for g in grads])


def _no_tanh_derivative(x, y, W1, b1, W2, b2):
    """The mistake of back-propagating through tanh as if its derivative were 1."""
    x, y, W1, b1, W2, b2 = (np.asarray(a, dtype=float) for a in (x, y, W1, b1, W2, b2))
    h = tanh(x @ W1.T + b1)
    g_out = 2.0 * (h @ W2.T + b2 - y) / y.size
    g_h = g_out @ W2
    return g_h.T @ x, g_h.sum(axis=0), g_out.T @ h, g_out.sum(axis=0)


def _scaled(factor):
    def mistake(*args):
        return tuple(factor(args) * g for g in two_layer_grads(*args))
    return mistake


TWO_LAYER_SPECS = [(4, 3, 5, 1, 20), (6, 2, 3, 2, 21), (1, 4, 2, 1, 22)]
TWO_LAYER_HIDDEN_SPECS = [(16, 6, 8, 3, 23), (3, 1, 1, 1, 24)]

TWO_LAYER_MISTAKES = [
    Mistake(_no_tanh_derivative,
            "tanh's derivative is missing. Between the hidden layer's output h and its pre-activation z, "
            "multiply element-wise by tanh'(z) = 1 - h**2."),
    Mistake(_scaled(lambda args: 0.5),
            "every gradient is half the right size: the derivative of mean((out - y)**2) is "
            "2 * (out - y) / N; the factor 2 is missing."),
    Mistake(_scaled(lambda args: np.asarray(args[1]).size),
            "every gradient is N times too large (N = number of entries of y): the loss is the MEAN of "
            "the squared errors, so divide by N."),
]

register_hints("two_layer_backward", [
    "Forward first and keep the pieces: z = x @ W1.T + b1, h = np.tanh(z), out = h @ W2.T + b2. "
    "The loss is np.mean((out - y)**2).",
    "Go backwards one step at a time: g_out = 2 * (out - y) / y.size; dW2 = g_out.T @ h; "
    "db2 = g_out.sum(axis=0); g_h = g_out @ W2; g_z = g_h * (1 - h**2); then dW1 and db1 like dW2 and db2.",
    "z = x @ W1.T + b1\nh = np.tanh(z)\nout = h @ W2.T + b2\ng_out = 2 * (out - y) / y.size\n"
    "dW2 = g_out.T @ h\ndb2 = g_out.sum(axis=0)\ng_z = (g_out @ W2) * (1 - h**2)\n"
    "dW1 = g_z.T @ x\ndb1 = g_z.sum(axis=0)\nreturn dW1, db1, dW2, db2",
])


def check_two_layer_backward(fn, hidden: bool = False) -> None:
    """The learner's two_layer_backward(x, y, W1, b1, W2, b2) -> (dW1, db1, dW2, db2).

    Compared with core's backward pass on every case; the first case is also compared with
    central finite differences of core's loss, which is the definition of a derivative.
    """
    if not callable(fn):
        check_function(fn, two_layer_grads, [], exercise="two_layer_backward", name="two_layer_backward")

    def answer(x, y, W1, b1, W2, b2):
        got = fn(x, y, W1, b1, W2, b2)
        if not isinstance(got, (tuple, list)) or len(got) != 4:
            raise ValueError("it should return four arrays (dW1, db1, dW2, db2), "
                             f"got {type(got).__name__}" + (f" of length {len(got)}" if hasattr(got, "__len__") else ""))
        for name, g, p in zip(_GRAD_NAMES, got, (W1, b1, W2, b2)):
            shape = np.shape(g)
            if shape != np.shape(p):
                raise ValueError(f"{name} has shape {shape} but {name[1:]} has shape {np.shape(p)}: a gradient has "
                                 "the shape of its parameter" + (" (transposed?)" if shape[::-1] == np.shape(p) else ""))
        return tuple(got)

    answer.__name__ = "two_layer_backward"
    specs = TWO_LAYER_SPECS + (TWO_LAYER_HIDDEN_SPECS if hidden else [])
    cases = [Case(two_layer_case(*spec), label=f"a batch of {spec[0]}, {spec[1]} inputs, {spec[2]} hidden tanh units, "
                                                f"{spec[3]} output(s) (seed {spec[4]})") for spec in specs]
    check_function(answer, lambda *a: tuple(two_layer_grads(*a)), cases, exercise="two_layer_backward",
                   name="two_layer_backward", mistakes=TWO_LAYER_MISTAKES, rtol=1e-7, atol=1e-10, parts=_GRAD_NAMES)
    case = cases[0].args
    gap = float(np.max(np.abs(_flat(fn(*case)) - _flat(finite_difference_grads(*case)))))
    print(f"  and it agrees with central finite differences of the loss to {gap:.1e}.")


# ---------------------------------------------------------------- 2. chain-rule arithmetic

register_hints("chain_rule", [
    "Back-propagating through one layer multiplies the gradient by that layer's local factor f'(z) * w. Twenty "
    "layers multiply twenty factors; the best a sigmoid can do is its peak derivative each time.",
    "For the depth: 1.5 ** n > 10 ** 6 means n > log(10 ** 6) / log(1.5). For the weight: (1 * w) ** 20 = 0.1 "
    "means w = 0.1 ** (1 / 20).",
    "sigmoid_30 = 0.25 ** 30\nexplode_depth = math.ceil(math.log(1e6) / math.log(1.5))  # 35\n"
    "healthy_weight = 0.1 ** (1 / 20)  # about 0.891",
])

EXPLODE_TARGET, EXPLODE_FACTOR, HEALTHY_DEPTH = 1e6, 1.5, 20


def check_sigmoid_chain(answer) -> None:
    """Largest factor 30 sigmoid layers (weights 1) can pass back: peak derivative to the 30th power."""
    peak = grad_peak("sigmoid")
    check_value(answer, peak ** 30, exercise="chain_rule", name="sigmoid_30", rtol=1e-3, atol=0.0, mistakes={
        peak * 30: "0.25 * 30 adds the layers up; the chain rule MULTIPLIES one factor per layer: 0.25 ** 30.",
        peak ** 29: "that is 29 factors; 30 layers contribute 30 of them.",
        peak ** 20: "that is 20 layers, the notes' depth; this network has 30.",
        0.5 ** 30: "0.5 is sigmoid(0), the value; the factor per layer is the derivative, at most 0.25.",
    })


def explode_depth() -> int:
    """The smallest number of layers whose factors 1.5 multiply a gradient by more than a million."""
    return math.floor(math.log(EXPLODE_TARGET) / math.log(EXPLODE_FACTOR)) + 1


def healthy_weight() -> float:
    """The common weight w that makes 20 tanh layers at their steepest multiply a gradient by exactly the
    edge of healthy: (tanh'(0) * w) ** 20 = core's VANISHING_BELOW."""
    return VANISHING_BELOW ** (1 / HEALTHY_DEPTH) / grad_peak("tanh")


def check_weights_chain(depth, weight) -> None:
    """Where the chain rule's product crosses a line: the depth at which 1.5 per layer passes a million, and the
    weight at which 20 steepest tanh layers reach the 'vanishing' threshold."""
    d = explode_depth()
    check_value(depth, d, exercise="chain_rule", name="explode_depth", mistakes={
        d - 1: f"1.5 ** {d - 1} = {1.5 ** (d - 1):,.0f}, still below a million; one more layer is needed.",
        EXPLODE_TARGET / EXPLODE_FACTOR: "the factors multiply: solve 1.5 ** n > 10 ** 6 with a logarithm, "
                                          "n > log(10 ** 6) / log(1.5)."})
    w = healthy_weight()
    check_value(weight, w, exercise="chain_rule", name="healthy_weight", rtol=1e-3, mistakes={
        VANISHING_BELOW / HEALTHY_DEPTH: "0.1 / 20 divides the product among the layers; the chain rule multiplies, "
                                         "so take the 20th root: 0.1 ** (1 / 20).",
        VANISHING_BELOW ** (1 / HEALTHY_DEPTH) * 0.25: "tanh's derivative peaks at 1, not 0.25 (that is sigmoid's).",
        10 ** (1 / HEALTHY_DEPTH): "that is the weight for a product of 10, the exploding edge; vanishing starts at 0.1."})


# ---------------------------------------------------------------- 3. clipping by global norm

def _reference_clip(grads, max_norm):
    return _flat(clip_grad_norm(list(grads), max_norm)[0])


def _per_tensor(grads, max_norm):
    out = []
    for g in grads:
        g = np.asarray(g, dtype=float)
        norm = math.sqrt(float(np.sum(g * g)))
        out.append(g * min(1.0, max_norm / norm) if norm > 0 else g)
    return _flat(out)


CLIP_CASES = [
    Case(([np.array([3.0, 4.0]), np.array([[12.0]])], 1.0), label="grads [[3, 4], [[12]]] (global norm 13), max_norm=1"),
    Case(([np.array([0.1, -0.2]), np.array([0.2])], 5.0), label="small grads (global norm 0.3), max_norm=5"),
    Case(([np.array([[1.0, -2.0], [2.0, 4.0]]), np.array([-6.0, 0.0, 0.0])], 2.5),
         label="grads [[1, -2], [2, 4]] and [-6, 0, 0] (global norm 7.8), max_norm=2.5"),
    Case(([np.array([30.0, -40.0]), np.array([0.5])], 10.0), label="grads [30, -40] and [0.5], max_norm=10"),
]

CLIP_MISTAKES = [
    Mistake(_per_tensor, "each tensor is clipped by its own norm. Clip by the GLOBAL norm, "
                         "sqrt(sum of all squared entries of all tensors), and scale every tensor by the same "
                         "factor, so the update keeps its direction."),
    Mistake(lambda grads, m: _flat([np.clip(np.asarray(g, float), -m, m) for g in grads]),
            "that clips each entry to [-max_norm, max_norm] (clipping by value), which changes the "
            "direction. Scale all gradients by max_norm / global_norm instead."),
    Mistake(lambda grads, m: _flat([np.asarray(g, float) * m / math.sqrt(sum(float(np.sum(np.square(h))) for h in grads))
                                    for g in grads]),
            "gradients whose global norm is already below max_norm are scaled UP. Only scale when the "
            "norm is above max_norm (factor min(1, max_norm / norm))."),
]

register_hints("clip_by_global_norm", [
    "First compute one number for all the tensors together: the square root of the sum of every "
    "squared entry.",
    "If that norm is above max_norm, multiply every tensor by max_norm / norm; otherwise return them "
    "unchanged. (PyTorch adds 1e-6 to the norm; either way passes.)",
    "total = np.sqrt(sum(np.sum(g**2) for g in grads))\nscale = min(1.0, max_norm / total)\n"
    "return [g * scale for g in grads]",
])


def check_clip_by_global_norm(fn) -> None:
    """The learner's clip_by_global_norm(grads, max_norm) -> list of arrays, against core.clip_grad_norm."""
    if not callable(fn):
        check_function(fn, _reference_clip, [], exercise="clip_by_global_norm", name="clip_by_global_norm")

    def flat_answer(grads, max_norm):
        got = fn([np.array(g) for g in grads], max_norm)   # copies: an in-place answer must not change the cases
        if not isinstance(got, (list, tuple)) or len(got) != len(grads):
            raise ValueError(f"it should return a list of {len(grads)} arrays, one per gradient, "
                             f"got {type(got).__name__}")
        for i, (g, want) in enumerate(zip(got, grads)):
            if np.shape(g) != np.shape(want):
                raise ValueError(f"gradient {i} came back with shape {np.shape(g)}, expected {np.shape(want)}")
        return _flat(got)

    flat_answer.__name__ = "clip_by_global_norm"
    check_function(flat_answer, _reference_clip, CLIP_CASES, exercise="clip_by_global_norm",
                   name="clip_by_global_norm", mistakes=CLIP_MISTAKES, rtol=1e-5, atol=1e-9)


# ---------------------------------------------------------------- 4. widget challenge

CHALLENGE_DEPTH = 30
_CHALLENGE_KEYS = ("depth", "width", "batch", "activation", "init", "weight_scale", "batch_norm", "residual", "seed")
_CHALLENGE_LIMITS = {"width": (2, 256), "batch": (2, 512), "weight_scale": (0.05, 4.0)}


def challenge_ratio(settings) -> float:
    """||dL/dW_1|| / ||dL/dW_depth|| recomputed with core from the meter's settings.

    core's ``mlp_experiment`` is the meter's recipe. Clipping is left out: it rescales every
    gradient by the same factor, so the ratio is unchanged.
    """
    s = {k: settings[k] for k in _CHALLENGE_KEYS}
    return mlp_experiment(depth=s["depth"], width=s["width"], batch=s["batch"], activation=s["activation"],
                          init=s["init"], weight_scale=float(s["weight_scale"]), batch_norm=bool(s["batch_norm"]),
                          residual=bool(s["residual"]), seed=s["seed"]).grad_ratio


register_hints("gradient_challenge", [
    "Set Depth 30 and Activation sigmoid, and watch the badge. Changing the initialiser or the weight "
    "scale alone is not enough: sigmoid's derivative is at most 0.25 and its outputs are all positive.",
    "Which remedy from section 5 re-centres and re-scales every layer's pre-activations so that "
    "sigmoid works in its steep middle?",
    "meter.set(depth=30, activation='sigmoid', batch_norm=True)\nchallenge = meter.settings()",
])


def check_gradient_challenge(settings) -> None:
    """A 30-layer sigmoid network whose first/last gradient ratio is within [0.1, 10], recomputed with core."""
    if settings is ...:
        raise CheckFailed("`challenge` is not answered yet.\nSet the meter, then run "
                          "`challenge = meter.settings()`.")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`challenge` should be a dict like meter.settings() returns, got {type(settings).__name__}.")
    missing = [k for k in _CHALLENGE_KEYS if k not in settings]
    if missing:
        raise CheckFailed(f"`challenge` is missing {', '.join(missing)}; record it with `meter.settings()`.")
    if settings["activation"] != "sigmoid":
        raise CheckFailed(f"The challenge is for sigmoid layers; yours use {settings['activation']!r}. "
                          "Swapping the activation is a real remedy, but here the network must stay sigmoid.")
    if settings["depth"] != CHALLENGE_DEPTH:
        raise CheckFailed(f"The challenge is for a network of {CHALLENGE_DEPTH} hidden layers; yours has "
                          f"{settings['depth']}.")
    for key, (lo, hi) in _CHALLENGE_LIMITS.items():
        value = settings[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
            raise CheckFailed(f"{key} must be between {lo} and {hi} (the meter's range), got {value!r}.")
    for key in ("batch_norm", "residual"):
        if not isinstance(settings[key], bool):
            raise CheckFailed(f"{key} must be True or False, got {settings[key]!r}.")
    try:
        ratio = challenge_ratio(settings)
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    verdict = classify_gradient_ratio(ratio)
    if verdict != "healthy":
        raise CheckFailed(f"Recomputed with core, those settings give a first/last gradient ratio of {ratio:.3g}: "
                          f"{verdict} (it must be between {VANISHING_BELOW} and {EXPLODING_ABOVE}).\n"
                          "Stuck? Run hint('gradient_challenge') for a hint.")
    extras = [name for name in ("batch_norm", "residual") if settings[name]]
    print(f"✔ 30 sigmoid layers, {settings['init']} x {settings['weight_scale']:g}"
          + (f" with {' and '.join(extras)}" if extras else "")
          + f": ratio {ratio:.3g}, healthy (recomputed with core).")


# ---------------------------------------------------------------- 5. multiple choice

A08_OPTIONS = {
    "a": "That is the notes' slip: sigmoid is not the loss here (cross-entropy is), it is the activation of every "
         "hidden unit. Swapping the loss for MSE leaves twenty sigmoid factors in the chain.",
    "b": "Cross-entropy on the output gives the well-behaved gradient p - y; the trouble is what happens to it on "
         "its way back through the hidden layers.",
    "c": "Sigmoid's derivative never exceeds 0.25, so sigmoid layers cannot by themselves make gradients "
         "explode; large weights can.",
    "d": "Sigmoid is an activation function. Back-propagation multiplies by its derivative at every layer, and "
         "that derivative is at most 0.25 (much less when the unit saturates), so in a deep stack the product "
         "shrinks geometrically: 0.25**20 is about 9e-13.",
}

register_hints("a08_correction", [
    "Where in a network does sigmoid sit: on the units, or after the output, comparing with the target?",
    "The chain rule multiplies one sigmoid'(z) per layer. How large can sigmoid' be?",
    "The answer is (d).",
])


def check_a08_correction(answer) -> None:
    """What sigmoid is, and why it makes gradients vanish (the A08 correction)."""
    check_choice(answer, "d", A08_OPTIONS, exercise="a08_correction", name="a08")


CLIPPING_OPTIONS = {
    "a": "Clipping never raises a gradient: it only scales them down, all by the same factor, when the total is "
         "too large. The first layer's tiny gradient stays tiny.",
    "b": "That would be clipping each tensor by its own norm, which changes the update's direction; clipping by "
         "global norm uses one factor for all, so the first/last ratio is unchanged.",
    "c": "Clipping by global norm caps the size of one update when the gradient explodes, and keeps its "
         "direction: it multiplies every gradient by the same factor. The ratio 1e-18 stays; clipping treats "
         "exploding gradients (huge steps, NaN losses), not vanishing ones.",
    "d": "That is clipping by value, and even that caps entries at the threshold, it does not zero them; global "
         "norm clipping scales the whole gradient instead.",
}

register_hints("clipping_purpose", [
    "Turn on clipping in the meter and compare the blue and green curves and the badge.",
    "Clipping multiplies all gradients by one number. What does that do to a ratio of two of them?",
    "The answer is (c).",
])


def check_clipping_purpose(answer) -> None:
    """What gradient clipping does and does not fix."""
    check_choice(answer, "c", CLIPPING_OPTIONS, exercise="clipping_purpose", name="clipping")
