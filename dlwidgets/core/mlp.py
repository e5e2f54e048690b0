"""A small fully connected network with a hand-written backward pass, for the gradient-flow meter.

``MLP(depth, width, ...)`` has ``depth`` hidden layers of ``width`` units and a linear
output layer. Hidden layer l computes z = h W^T + b, optionally batch-normalises z
(training mode: batch statistics, biased variance, eps 1e-5, learnable gamma and beta, as
``torch.nn.BatchNorm1d`` in ``train()``), applies the activation, and optionally adds a
residual connection h + f(h) when input and output widths match. ``forward_backward``
runs one batch through and back and reports what the widget shows: the loss, activation
statistics per layer, gradient norms per layer, and the first/last gradient ratio. It keeps
its working arrays between calls on the same batch size, so repeated calls allocate little, and
given a ``ForwardTrace`` (mlp_trace) it reuses the forward values of the layers an earlier pass
of an equal network computed: a network one layer deeper costs one layer forward.

Parameter names follow the layer number, 1-based: W1, b1, gamma1, beta1, ..., and the
output layer is W{depth+1}, b{depth+1}. A weight has shape (out, in), as in torch.nn.Linear.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

import numpy as np

from .activations import (
    ACTIVATIONS,
    DEFAULT_SATURATION_THRESHOLD,
    activation_and_grad,
    activation_and_grad_into,
    grad_peak,
    log_softmax,
    softmax,
)
from .init import INITIALISERS
from .mlp_trace import TRACE_BUDGET_BYTES, ForwardTrace, TracedLayer, layer_nbytes, snapshot

__all__ = [
    "LOSSES",
    "VANISHING_BELOW",
    "EXPLODING_ABOVE",
    "BN_EPS",
    "LayerStats",
    "ForwardBackwardResult",
    "MLP",
    "mse_loss",
    "cross_entropy_loss",
    "clip_grad_norm",
    "clip_grad_value",
    "global_grad_norm",
    "classify_gradient_ratio",
    "norm_clipped",
    "PassStopped",
]

LOSSES = ("mse", "cross_entropy")

# One order of magnitude either way. A ratio of 0.1 means the first layer learns ten times
# slower than the last: the widget's threshold for "vanishing"; 10 the mirror image.
VANISHING_BELOW = 0.1
EXPLODING_ABOVE = 10.0

_SIGNED_GRADS = ("gelu", "gelu_tanh")  # activations whose derivative dips below 0

BN_EPS = 1e-5  # torch.nn.BatchNorm1d's default
_CLIP_EPS = 1e-6  # torch.nn.utils.clip_grad_norm_ adds this to the norm before dividing


def _int_at_least(value, name, low):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    if value < low:
        raise ValueError(f"{name} must be at least {low}, got {value}")
    return int(value)


def _real(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {value!r}")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be positive and finite, got {value!r}")
    return value


class PassStopped(Exception):
    """A forward_backward pass ended early because its ``stop`` callable said so (its answer is no
    longer wanted); the network is left as it was."""


# ---------------------------------------------------------------------------------------
# Losses


def mse_loss(pred, target):
    """Mean squared error over every entry (torch.nn.MSELoss, reduction='mean') and dL/dpred."""
    pred = np.asarray(pred, dtype=float)
    target = np.asarray(target, dtype=float)
    if pred.shape != target.shape:
        raise ValueError(f"targets must have the shape of the outputs {pred.shape}, got {target.shape}")
    diff = pred - target
    return float(np.mean(diff * diff)), 2.0 * diff / diff.size


def cross_entropy_loss(logits, labels):
    """Softmax cross-entropy averaged over the batch (torch.nn.CrossEntropyLoss) and dL/dlogits.

    logits (N, C), labels (N,) integer classes. The loss uses log_softmax, so it stays finite
    for any logits; the gradient is (softmax(logits) - onehot(labels)) / N.
    """
    logits = np.asarray(logits, dtype=float)
    labels = np.asarray(labels)
    if logits.ndim != 2:
        raise ValueError(f"logits must have shape (N, C), got {logits.shape}")
    n, c = logits.shape
    if labels.shape != (n,):
        raise ValueError(f"labels must have shape ({n},), one class per row, got {labels.shape}")
    if not np.issubdtype(labels.dtype, np.integer):
        raise TypeError(f"labels must be integer class indices, got dtype {labels.dtype}")
    if labels.size and (labels.min() < 0 or labels.max() >= c):
        raise ValueError(f"labels must be in [0, {c}), got values from {labels.min()} to {labels.max()}")
    rows = np.arange(n)
    loss = -float(np.mean(log_softmax(logits)[rows, labels]))
    grad = softmax(logits)
    grad[rows, labels] -= 1.0
    return loss, grad / n


_LOSS_FUNCTIONS = {"mse": mse_loss, "cross_entropy": cross_entropy_loss}


# ---------------------------------------------------------------------------------------
# Gradient clipping


def _arrays(grads):
    """The gradient arrays of a dict (its values) or of a list/tuple."""
    if isinstance(grads, dict):
        return list(grads.values())
    if isinstance(grads, (list, tuple)):
        return list(grads)
    raise TypeError(f"grads must be a dict or a list of arrays, got {type(grads).__name__}")


def _rebuild(grads, arrays):
    """arrays in the container type of grads (same keys for a dict)."""
    if isinstance(grads, dict):
        return dict(zip(grads.keys(), arrays))
    return type(grads)(arrays)


def _squares(a) -> float:
    """Sum of squares of every entry of a float64 array (a dot product of the flattened array with
    itself); the pass calls it 3 times a layer, so it converts nothing."""
    flat = a.reshape(-1)
    return float(np.dot(flat, flat))


def _sum_sq(a) -> float:
    """_squares of anything that converts to a float array."""
    return _squares(np.asarray(a, dtype=float))


def _norm_clip_factor(total: float, max_norm: float) -> float:
    """What clipping to max_norm multiplies every gradient by: max_norm / (total + 1e-6) when that
    is below 1, else 1 (torch.nn.utils.clip_grad_norm_)."""
    scale = max_norm / (total + _CLIP_EPS)
    return scale if scale < 1.0 else 1.0


def global_grad_norm(grads) -> float:
    """Euclidean norm of all gradients together, as if flattened into one vector."""
    return math.sqrt(sum(_sum_sq(g) for g in _arrays(grads)))


def clip_grad_norm(grads, max_norm: float):
    """Rescale gradients so their global norm is at most max_norm (torch.nn.utils.clip_grad_norm_).

    Returns (clipped, total_norm), total_norm measured before clipping. Every gradient is
    multiplied by max_norm / (total_norm + 1e-6) when that is below 1, else left as is, so
    the direction never changes. New arrays are returned; the inputs are not modified.
    """
    max_norm = _real(max_norm, "max_norm")
    total = global_grad_norm(grads)
    factor = _norm_clip_factor(total, max_norm)
    arrays = [np.array(g, dtype=float) for g in _arrays(grads)]
    if factor < 1.0:
        arrays = [g * factor for g in arrays]
    return _rebuild(grads, arrays), total


def clip_grad_value(grads, clip: float):
    """Clamp every gradient entry to [-clip, clip] (torch.nn.utils.clip_grad_value_).

    Returns (clipped, total_norm), total_norm measured before clipping. Unlike norm
    clipping this can change the gradient's direction.
    """
    clip = _real(clip, "clip")
    total = global_grad_norm(grads)
    arrays = [np.clip(np.asarray(g, dtype=float), -clip, clip) for g in _arrays(grads)]
    return _rebuild(grads, arrays), total


def classify_gradient_ratio(ratio: float, low: float = VANISHING_BELOW, high: float = EXPLODING_ABOVE) -> str:
    """'vanishing' if ratio < low, 'exploding' if ratio > high, else 'healthy'.

    A NaN ratio (no gradient reaches either layer, e.g. every ReLU dead) counts as vanishing.
    """
    if not low < high:
        raise ValueError(f"need low < high, got low={low}, high={high}")
    if math.isnan(ratio) or ratio < low:
        return "vanishing"
    if ratio > high:
        return "exploding"
    return "healthy"


def norm_clipped(result: "ForwardBackwardResult", max_norm: float) -> "ForwardBackwardResult":
    """What ``forward_backward(..., max_norm=max_norm)`` returns, from its result without clipping.

    Clipping by global norm changes no gradient's direction, only one factor, min(1, max_norm /
    (norm + 1e-6)): the same numbers, to the last bit, without a second pass.
    """
    if result.clipped:
        raise ValueError("the result is clipped already: pass one computed without clipping")
    max_norm = _real(max_norm, "max_norm")
    total = result.total_grad_norm
    factor = _norm_clip_factor(total, max_norm)
    grads = result.grads
    if grads is not None and factor != 1.0:
        grads = {name: g * factor for name, g in grads.items()}
    return replace(result, grads=grads, clipped=True, clipped_total_norm=factor * total,
                   clipped_weight_grad_norms=[factor * norm for norm in result.weight_grad_norms])


# ---------------------------------------------------------------------------------------
# The network


@dataclass(frozen=True)
class LayerStats:
    """What one hidden layer's activations looked like on the batch."""

    mean: float                 # of the activation output f(u)
    std: float                  # of f(u), population std (ddof 0)
    saturated_fraction: float   # of pre-activations u with |f'(u)| < threshold * peak |f'|
    dead_fraction: float        # of pre-activations u with f'(u) == 0 exactly (ReLU: u <= 0)


@dataclass
class ForwardBackwardResult:
    """Everything one forward and backward pass measured."""

    loss: float
    output: np.ndarray
    layer_stats: list                # LayerStats per hidden layer, input side first
    weight_grad_norms: list          # ||dL/dW|| per linear layer, output layer last
    activation_grad_norms: list      # ||dL/dh_l|| per hidden layer output h_l
    grads: dict | None               # parameter name -> gradient (after clipping); None if not kept
    total_grad_norm: float           # global norm of all gradients before clipping
    grad_ratio: float                # ||dL/dW_first hidden|| / ||dL/dW_last hidden||
    clipped: bool = False
    low: float = field(default=VANISHING_BELOW, repr=False)
    high: float = field(default=EXPLODING_ABOVE, repr=False)
    clipped_total_norm: float | None = None       # global norm after clipping; None if not clipped
    clipped_weight_grad_norms: list | None = None  # ||dL/dW|| per linear layer after clipping
    trace: ForwardTrace | None = field(default=None, repr=False)  # this pass's forward values, if asked for

    @property
    def flow(self) -> str:
        """'vanishing', 'healthy' or 'exploding', from grad_ratio."""
        return classify_gradient_ratio(self.grad_ratio, self.low, self.high)


def _layer_stats(a, fprime, below, signed, centred, mask):
    """LayerStats of activations a whose derivatives are fprime; below = saturation cut-off.

    The std is two-pass (centre, then square): deep sigmoid layers can have a mean of 0.5 and
    a spread of 1e-12, where E[a^2] - E[a]^2 would be pure rounding noise. signed says
    whether f' can be negative (GELU). centred and mask are scratch arrays of a's shape. A
    unit with f' == 0 is saturated too (below > 0), so dead units are only counted if any is.
    """
    n = a.size
    mean = float(np.add.reduce(a, axis=None)) / n
    flat = np.subtract(a, mean, out=centred).ravel()
    std = math.sqrt(float(np.dot(flat, flat)) / n)
    slopes = np.abs(fprime, out=centred) if signed else fprime
    saturated = np.count_nonzero(np.less(slopes, below, out=mask))
    dead = np.count_nonzero(np.equal(fprime, 0.0, out=mask)) if saturated else 0
    return LayerStats(mean=mean, std=std, saturated_fraction=saturated / n, dead_fraction=dead / n)


def _is_identity_affine(gamma, beta) -> bool:
    """Whether gamma is all 1 and beta all 0, so gamma * zhat + beta is zhat itself."""
    return not beta.any() and bool((gamma == 1.0).all())


def _batch_norm_forward(z, gamma, beta, zhat, inv_std, tmp):
    """Batch-normalise z (overwritten; units x examples) with batch statistics; fills zhat and
    inv_std, returns u.

    u = gamma * (z - mean) / sqrt(var + BN_EPS) + beta, var the biased batch variance, both
    per unit (row). tmp is scratch of z's shape; u is zhat itself when gamma is 1 and beta 0,
    else z's array.
    """
    n = z.shape[1]
    mean = np.add.reduce(z, axis=1, out=inv_std)
    mean /= n
    zc = np.subtract(z, mean[:, None], out=z)
    var = np.add.reduce(np.multiply(zc, zc, out=tmp), axis=1, out=inv_std)
    var /= n
    var += BN_EPS
    np.divide(1.0, np.sqrt(var, out=var), out=inv_std)
    np.multiply(zc, inv_std[:, None], out=zhat)
    if _is_identity_affine(gamma, beta):
        return zhat
    return np.add(np.multiply(zhat, gamma[:, None], out=z), beta[:, None], out=z)


def _batch_norm_backward(g_u, zhat, inv_std, gamma, gamma_grad, beta_grad, tmp, column):
    """dL/dz into g_u (dL/du on entry; units x examples); fills gamma_grad and beta_grad.
    tmp, column: scratch.

    dL/dz = gamma inv_std (g_u - mean(g_u) - zhat mean(g_u zhat)), the batch statistics'
    own dependence on z included; the two means are beta_grad / n and gamma_grad / n.
    """
    n = g_u.shape[1]
    np.add.reduce(np.multiply(g_u, zhat, out=tmp), axis=1, out=gamma_grad)
    np.add.reduce(g_u, axis=1, out=beta_grad)
    scale = np.multiply(gamma, inv_std, out=column)
    np.subtract(g_u, (beta_grad / n)[:, None], out=g_u)
    np.multiply(g_u, scale[:, None], out=g_u)
    np.multiply(zhat, (scale * gamma_grad / n)[:, None], out=tmp)
    return np.subtract(g_u, tmp, out=g_u)


class _Workspace:
    """Arrays reused by every forward_backward call of one network on one batch size.

    A deep pass keeps megabytes of per-layer values; allocating them afresh on every call
    costs about as much as the arithmetic (new memory must be paged in), so they are kept.
    Per-layer values are stored units x examples (the transpose of the plain pass's layout):
    W @ h then gives OpenBLAS a tall product, faster than the plain layout's with one thread or two.
    """

    def __init__(self, net, n):
        shape = (net.width, n)
        depth = net.depth
        self.key = (n, net.batch_norm)
        self.shape = shape
        self.layers = [None] * depth   # per hidden layer: (h_l, f'(u_l), zhat, inv_std), made when first used
        self.pre, self.act, self.scratch = np.empty(shape), np.empty(shape), np.empty(shape)
        self.mask = np.empty(shape, dtype=bool)
        self.grad_h = (np.empty(shape), np.empty(shape))
        self.grad_pre = np.empty(shape)
        self.column = np.empty(net.width)
        # gradients whose norms are all that is wanted: the weights share one buffer
        weights = np.empty(max(p.size for p in net.params.values() if p.ndim == 2))
        self.grads = {name: weights[:p.size].reshape(p.shape) if p.ndim == 2 else np.empty(p.shape)
                      for name, p in net.params.items()}
        self._weights = weights

    def layer(self, l, batch_norm):
        """Hidden layer l's reused arrays: (h, f', zhat, inv_std), the last two None without batch norm."""
        if self.layers[l] is None:
            self.layers[l] = _layer_arrays(self.shape, batch_norm)
        return self.layers[l]

    def nbytes(self) -> int:
        """Bytes of every array kept here (the weight gradients' shared buffer once)."""
        arrays = [self.pre, self.act, self.scratch, self.mask, *self.grad_h, self.grad_pre, self.column,
                  self._weights, *(g for g in self.grads.values() if g.base is None)]
        arrays += [a for layer in self.layers if layer is not None for a in layer if a is not None]
        return sum(a.nbytes for a in arrays)


def _layer_arrays(shape, batch_norm):
    """Fresh (h, f', zhat, inv_std) for one hidden layer of this shape (units x examples)."""
    extra = (np.empty(shape), np.empty(shape[0])) if batch_norm else (None, None)
    return (np.empty(shape), np.empty(shape)) + extra


class _GradientSink:
    """Where the backward pass writes each gradient, and the squared norms it notes of them.

    With keep, gradients go into one fresh block (a view per parameter, in params order) that
    the caller may keep; without, into the workspace's reused arrays.
    """

    def __init__(self, params, keep, clip_value, scratch):
        self.clip_value = clip_value
        self.squares = {}
        self.clipped_squares = {} if clip_value is not None else self.squares
        self.block = None
        if keep:
            self.block = np.empty(sum(p.size for p in params.values()))
            self.arrays, start = {}, 0
            for name, p in params.items():
                self.arrays[name] = self.block[start:start + p.size].reshape(p.shape)
                start += p.size
        else:
            self.arrays = scratch

    def record(self, name):
        """Note the squared norm of arrays[name], then clip it by value if asked."""
        g = self.arrays[name]
        self.squares[name] = _squares(g)
        if self.clip_value is not None:
            np.clip(g, -self.clip_value, self.clip_value, out=g)
            self.clipped_squares[name] = _squares(g)


class MLP:
    """depth hidden layers of width units, then a linear output layer; float64 throughout.

    activation: a name from ACTIVATIONS. init: a name from INITIALISERS, or a callable
    (shape, rng) -> array, used for every weight matrix; biases start at 0. With
    batch_norm=True the linear layers have no bias (BN's beta replaces it; a bias before BN
    has zero gradient) and each BN has gamma = 1, beta = 0. With residual=True a hidden layer
    whose input and output widths match returns h + f(h). in_features defaults to width,
    out_features to 1. loss: 'mse' (targets (N, out)) or 'cross_entropy' (labels (N,)).
    """

    def __init__(
        self,
        depth: int,
        width: int,
        in_features: int | None = None,
        out_features: int = 1,
        activation: str = "relu",
        init="he_normal",
        batch_norm: bool = False,
        residual: bool = False,
        loss: str = "mse",
        seed: int = 0,
    ):
        self.depth = _int_at_least(depth, "depth", 1)
        self.width = _int_at_least(width, "width", 1)
        self.in_features = self.width if in_features is None else _int_at_least(in_features, "in_features", 1)
        self.out_features = _int_at_least(out_features, "out_features", 1)
        if activation not in ACTIVATIONS:
            raise ValueError(f"unknown activation {activation!r}; choose one of {sorted(ACTIVATIONS)}")
        if isinstance(init, str):
            if init not in INITIALISERS:
                raise ValueError(f"unknown initialiser {init!r}; choose one of {sorted(INITIALISERS)}")
            init_fn = INITIALISERS[init]
        elif callable(init):
            init_fn = init
        else:
            raise TypeError(f"init must be an initialiser name or a callable (shape, rng), got {init!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if loss == "cross_entropy" and self.out_features < 2:
            raise ValueError("cross-entropy needs out_features >= 2 (one logit per class)")
        self.activation = activation
        self.init = init
        self.batch_norm = bool(batch_norm)
        self.residual = bool(residual)
        self.loss_name = loss
        self.seed = seed
        self._f = ACTIVATIONS[activation][0]

        rng = np.random.default_rng(seed)
        sizes = [self.in_features] + [self.width] * self.depth + [self.out_features]
        self.params: dict = {}
        for l in range(1, self.depth + 2):
            shape = (sizes[l], sizes[l - 1])
            w = np.asarray(init_fn(shape, rng), dtype=float)
            if w.shape != shape:
                raise ValueError(f"init returned shape {w.shape} for a weight of shape {shape}")
            self.params[f"W{l}"] = w
            hidden = l <= self.depth
            if hidden and self.batch_norm:
                self.params[f"gamma{l}"] = np.ones(sizes[l])
                self.params[f"beta{l}"] = np.zeros(sizes[l])
            else:
                self.params[f"b{l}"] = np.zeros(sizes[l])
        # parameter names per linear layer, looked up on every pass
        self._names = [(f"W{l}", f"b{l}", f"gamma{l}", f"beta{l}") for l in range(1, self.depth + 2)]

    @property
    def nbytes(self) -> int:
        """Bytes of the parameters and of the arrays kept between passes for the last batch size
        (its per-layer values beyond a forward trace): what keeping this network in memory costs.
        Parameters shared with other networks (mlp_network's read-only weights) count in full."""
        ws = self.__dict__.get("_workspace")
        return sum(p.nbytes for p in self.params.values()) + (ws.nbytes() if ws is not None else 0)

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_workspace", None)  # scratch arrays, rebuilt on the next call
        return state

    def _skip(self, l):
        """Whether hidden layer l (1-based) adds its input back: residual on and widths match."""
        fan_out, fan_in = self.params[f"W{l}"].shape
        return self.residual and fan_in == fan_out

    def _check_batch(self, x, y):
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}), got {x.shape}")
        if self.batch_norm and x.shape[0] < 2:
            raise ValueError("batch norm in training mode needs at least 2 examples per batch")
        if self.loss_name == "mse":
            y = np.asarray(y, dtype=float)
            if y.ndim == 1 and self.out_features == 1:
                y = y[:, None]
            if y.shape != (x.shape[0], self.out_features):
                raise ValueError(f"targets must have shape ({x.shape[0]}, {self.out_features}), got {y.shape}")
        return x, y

    def _forward(self, x, keep):
        """Output of the network, computed the plain way; if keep, also (input, f(u), f'(u), zhat,
        inv_std) per hidden layer, as fresh arrays."""
        p = self.params
        h = x
        cache = []
        for l in range(1, self.depth + 1):
            z = h @ p[f"W{l}"].T
            if self.batch_norm:
                mu = z.mean(axis=0)
                zc = z - mu
                inv_std = 1.0 / np.sqrt(np.mean(zc * zc, axis=0) + BN_EPS)  # biased variance
                zhat = zc * inv_std
                u = zhat * p[f"gamma{l}"] + p[f"beta{l}"]
            else:
                z += p[f"b{l}"]
                zhat = inv_std = None
                u = z
            if keep:
                a, fprime = activation_and_grad(self.activation, u)
                cache.append((h, a, fprime, zhat, inv_std))
            else:
                a = self._f(u)
            h_next = h + a if self._skip(l) else a
            h = h_next
        out = h @ p[f"W{self.depth + 1}"].T + p[f"b{self.depth + 1}"]
        return out, h, cache

    def forward(self, x):
        """The network's output for a batch x of shape (N, in_features)."""
        x = np.asarray(x, dtype=float)
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}), got {x.shape}")
        if self.batch_norm and x.shape[0] < 2:
            raise ValueError("batch norm in training mode needs at least 2 examples per batch")
        return self._forward(x, keep=False)[0]

    def loss(self, x, y) -> float:
        """The scalar loss on a batch (forward only; what finite differences perturb)."""
        x, y = self._check_batch(x, y)
        out = self._forward(x, keep=False)[0]
        return _LOSS_FUNCTIONS[self.loss_name](out, y)[0]

    def forward_backward(
        self,
        x,
        y,
        clip_value: float | None = None,
        max_norm: float | None = None,
        saturation_threshold: float = DEFAULT_SATURATION_THRESHOLD,
        keep_grads: bool = True,
        trace: ForwardTrace | None = None,
        stop=None,
    ) -> ForwardBackwardResult:
        """One forward and backward pass on a batch; the parameters are not changed.

        Gradient norms and the ratio are of the raw gradients. If clip_value and/or max_norm
        are given, the returned grads are clipped: by value first, then by global norm (scaled
        by max_norm / (norm + 1e-6) when below 1, as torch does), and clipped_total_norm and
        clipped_weight_grad_norms report their norms. keep_grads=False leaves grads None and
        skips building them, for callers that only show the norms.

        trace: a ForwardTrace (``ForwardTrace()`` to start one). The pass reuses its leading layers
        that are equal to this network's, value for value, on the same batch, instead of computing
        them, and result.trace is the trace continued with the layers this pass computed: what a
        network that differs only in depth needs. The result is exactly that of a pass without it.

        stop: a callable asked before each layer, forward and backward; once it returns True the pass
        raises PassStopped (for a what-if computation that a newer request has made pointless).
        """
        x, y = self._check_batch(x, y)
        if clip_value is not None:
            clip_value = _real(clip_value, "clip_value")
        if max_norm is not None:
            max_norm = _real(max_norm, "max_norm")
        below = _real(saturation_threshold, "saturation_threshold") * grad_peak(self.activation)
        if trace is not None and not isinstance(trace, ForwardTrace):
            raise TypeError(f"trace must be a ForwardTrace or None, got {type(trace).__name__}")
        ws = self._take_workspace(x.shape[0])
        x_t = np.ascontiguousarray(x.T)  # the first layer's input, units x examples like every layer's
        try:
            out, layers, new_trace = self._forward_pass(ws, x, x_t, below, trace, stop)
            loss, g_out = _LOSS_FUNCTIONS[self.loss_name](out, y)
            sink = _GradientSink(self.params, keep_grads, clip_value, ws.grads)
            act_norms = self._backward_pass(ws, g_out, x_t, layers, sink, stop)
        finally:
            self._workspace = ws
        result = self._result(loss, out, [layer.stats for layer in layers], act_norms, sink, max_norm)
        result.trace = new_trace
        return result

    def _take_workspace(self, n):
        """This network's reusable arrays for batch size n, taken out until the call puts them back.

        dict.pop is atomic, so a call running at the same time in another thread finds none
        and makes its own.
        """
        ws = self.__dict__.pop("_workspace", None)
        if ws is None or ws.key != (n, self.batch_norm):
            ws = _Workspace(self, n)
        return ws

    def _layer_params(self, l):
        """Hidden layer l's (0-based) parameters: (W, b), or (W, gamma, beta) with batch norm."""
        w_name, b_name, gamma_name, beta_name = self._names[l]
        p = self.params
        return (p[w_name], p[gamma_name], p[beta_name]) if self.batch_norm else (p[w_name], p[b_name])

    def _forward_pass(self, ws, x, x_t, below, trace, stop=None):
        """Output, every hidden layer as a TracedLayer (what the backward pass and the statistics
        need; units x examples, the layout of x_t, x transposed) and the continued trace (None if
        none was given). Layers taken from the trace are not computed; new ones are recorded into
        fresh arrays while the trace stays within its budget, the rest use the workspace's arrays."""
        signed = self.activation in _SIGNED_GRADS
        h = x_t
        shape = (self.width, x.shape[0])  # of every hidden layer's output
        candidates = trace.candidates(x, below) if trace is not None else ()
        room = TRACE_BUDGET_BYTES if trace is not None else -1
        layers, new_layers, reused = [], [], 0
        for l in range(self.depth):
            if stop is not None and stop():
                raise PassStopped
            skip = self._skip(l + 1)
            params = self._layer_params(l)
            size = layer_nbytes(params, *shape, self.batch_norm) if trace is not None else 0
            if reused == l < len(candidates) and candidates[l].matches(self.activation, self.batch_norm, skip, params):
                layers.append(candidates[l])
                h = candidates[l].output
                room -= size
                reused += 1
                continue
            record = room >= size  # never without a trace: room is -1
            if record:
                room -= size
                arrays = _layer_arrays(shape, self.batch_norm)
            else:
                room = -1  # a trace is its first layers, without gaps
                arrays = ws.layer(l, self.batch_norm)
            output, fprime, zhat, inv_std = arrays
            z = np.matmul(params[0], h, out=ws.pre)
            if self.batch_norm:
                u = _batch_norm_forward(z, params[1], params[2], zhat, inv_std, ws.scratch)
            else:
                b = params[1]
                u = np.add(z, b[:, None], out=z) if np.count_nonzero(b) else z  # biases start at 0: nothing to add
            a, fprime = activation_and_grad_into(self.activation, u, ws.act if skip else output, fprime, ws.scratch)
            stats = _layer_stats(a, fprime, below, signed, ws.scratch, ws.mask)
            h = np.add(h, a, out=output) if skip else a
            kept = tuple(snapshot(p) for p in params) if record else params
            layer = TracedLayer(self.activation, self.batch_norm, skip, kept, h, fprime, zhat, inv_std, stats)
            if record:
                new_layers.append(layer)
            layers.append(layer)
        new_trace = trace.continued(x, below, reused, new_layers) if trace is not None else None
        w_name, b_name = self._names[self.depth][:2]
        return np.matmul(h.T, self.params[w_name].T) + self.params[b_name], layers, new_trace

    def _backward_pass(self, ws, g_out, x_t, layers, sink, stop=None):
        """Fill sink with every parameter's gradient; return ||dL/dh_l|| per hidden layer.

        g_out is (examples x outputs) as the loss gives it; everything else is units x examples.
        """
        p = self.params
        w_name, b_name = self._names[self.depth][:2]
        np.matmul(g_out.T, layers[-1].output.T, out=sink.arrays[w_name])
        sink.record(w_name)
        np.add.reduce(g_out, axis=0, out=sink.arrays[b_name])
        sink.record(b_name)
        g_h, spare = np.matmul(p[w_name].T, g_out.T, out=ws.grad_h[0]), ws.grad_h[1]
        act_norms = [0.0] * self.depth
        for l in range(self.depth - 1, -1, -1):
            if stop is not None and stop():
                raise PassStopped
            w_name, b_name, gamma_name, beta_name = self._names[l]
            layer = layers[l]
            act_norms[l] = math.sqrt(_squares(g_h))
            g_z = np.multiply(g_h, layer.fprime, out=ws.grad_pre)
            if self.batch_norm:
                _batch_norm_backward(g_z, layer.zhat, layer.inv_std, p[gamma_name], sink.arrays[gamma_name],
                                     sink.arrays[beta_name], ws.scratch, ws.column)
                sink.record(gamma_name)
                sink.record(beta_name)
            else:
                np.add.reduce(g_z, axis=1, out=sink.arrays[b_name])
                sink.record(b_name)
            layer_input = layers[l - 1].output if l else x_t
            np.matmul(g_z, layer_input.T, out=sink.arrays[w_name])
            sink.record(w_name)
            if l > 0:  # the gradient with respect to the input x itself is not needed
                g_in = np.matmul(p[w_name].T, g_z, out=spare)
                if layer.skip:
                    g_in += g_h
                g_h, spare = g_in, g_h
        return act_norms

    def _result(self, loss, out, stats, act_norms, sink, max_norm):
        """The ForwardBackwardResult from the sink's squared norms; applies norm clipping to kept grads."""
        names = list(self.params)
        weights = [w_name for w_name, *_ in self._names]
        squares = sink.squares
        weight_norms = [math.sqrt(squares[name]) for name in weights]
        first, final = weight_norms[0], weight_norms[self.depth - 1]
        ratio = first / final if final > 0 else (math.inf if first > 0 else math.nan)
        clipped = sink.clip_value is not None or max_norm is not None
        clipped_total = clipped_weights = None
        if clipped:
            kept = sink.clipped_squares
            kept_total = math.sqrt(sum(kept[name] for name in names))
            factor = 1.0 if max_norm is None else _norm_clip_factor(kept_total, max_norm)
            if factor < 1.0 and sink.block is not None:
                sink.block *= factor
            clipped_total = factor * kept_total
            clipped_weights = [factor * math.sqrt(kept[name]) for name in weights]
        return ForwardBackwardResult(
            loss=loss,
            output=out,
            layer_stats=stats,
            weight_grad_norms=weight_norms,
            activation_grad_norms=act_norms,
            grads=sink.arrays if sink.block is not None else None,
            total_grad_norm=math.sqrt(sum(squares[name] for name in names)),
            grad_ratio=ratio,
            clipped=clipped,
            clipped_total_norm=clipped_total,
            clipped_weight_grad_norms=clipped_weights,
        )
