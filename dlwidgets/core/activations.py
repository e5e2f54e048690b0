"""Activation functions and their derivatives, written to be exact and safe for any input.

Every function takes an array (or a number) and returns a float64 array. Each has a
derivative ``<name>_grad(x)``: the derivative with respect to the input, evaluated at x.
The widgets read ``ACTIVATIONS`` (name -> (function, derivative)) to plot a curve, to feed
the gradient-flow meter and to count saturated or dead units.

Large inputs never overflow and never raise RuntimeWarnings: exponentials are only taken
of non-positive numbers, and where a result underflows (exp(-1000) is 0 to double
precision) the underflow is the correctly rounded answer, so it is silenced locally.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = [
    "sigmoid",
    "sigmoid_grad",
    "tanh",
    "tanh_grad",
    "relu",
    "relu_grad",
    "leaky_relu",
    "leaky_relu_grad",
    "elu",
    "elu_grad",
    "gelu",
    "gelu_grad",
    "identity",
    "identity_grad",
    "softmax",
    "softmax_jacobian",
    "softmax_vjp",
    "log_softmax",
    "log_softmax_jacobian",
    "maxout",
    "maxout_grad",
    "ACTIVATIONS",
    "activation_and_grad",
    "activation_and_grad_into",
    "tanh_and_grad",
    "DEFAULT_SATURATION_THRESHOLD",
    "grad_peak",
    "saturated_fraction",
    "dead_fraction",
]

_SQRT_2 = math.sqrt(2.0)
_SQRT_2PI = math.sqrt(2.0 * math.pi)
_SQRT_2_OVER_PI = math.sqrt(2.0 / math.pi)
_GELU_TANH_COEF = 0.044715


def _as_float_array(x):
    """x as a float64 array; rejects complex, string and object input with a TypeError."""
    if type(x) is np.ndarray and x.dtype == np.float64:  # fast path, the common case
        return x
    arr = np.asarray(x)
    if arr.dtype == bool or not (np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)):
        raise TypeError(f"activations take real numbers, got an array of dtype {arr.dtype}")
    return arr.astype(np.float64, copy=False)


def _logistic_parts(x):
    """Return (z, positive) with z = exp(-|x|) in (0, 1]: the stable ingredient of sigmoid."""
    with np.errstate(under="ignore"):
        z = np.exp(-np.abs(x))
    return z, x >= 0


def sigmoid(x):
    """Logistic 1 / (1 + e^-x), as 1/(1+z) for x >= 0 and z/(1+z) for x < 0, z = e^-|x|.

    The two branches only ever exponentiate -|x|, so sigmoid(-1000) is 0 with no overflow
    and sigmoid(-30) keeps full relative precision (1 - sigmoid(30) would not).
    """
    x = _as_float_array(x)
    z, positive = _logistic_parts(x)
    return np.where(positive, 1.0 / (1.0 + z), z / (1.0 + z))


def sigmoid_grad(x):
    """sigma'(x) = sigma(x)(1 - sigma(x)) = z / (1 + z)^2 with z = e^-|x|; peak 1/4 at 0.

    The z form is symmetric and avoids 1 - sigma(x), which cancels to 0 for x > 37.
    """
    x = _as_float_array(x)
    z, _ = _logistic_parts(x)
    with np.errstate(under="ignore"):
        return z / ((1.0 + z) * (1.0 + z))


def tanh(x):
    """Hyperbolic tangent (numpy's, which saturates to exactly +-1 without overflow)."""
    return np.tanh(_as_float_array(x))


def tanh_grad(x):
    """tanh'(x) = sech^2(x) = 4z / (1 + z)^2 with z = e^-2|x|; peak 1 at 0.

    Equal to 1 - tanh(x)^2, but keeps relative precision in the tails where that form
    cancels to 0 (tanh(20) rounds to exactly 1).
    """
    x = _as_float_array(x)
    with np.errstate(under="ignore"):
        z = np.exp(-2.0 * np.minimum(np.abs(x), 400.0))  # cap: e^-800 is 0 already; 2|x| could overflow
        return 4.0 * z / ((1.0 + z) * (1.0 + z))


def relu(x):
    """max(x, 0)."""
    return np.maximum(_as_float_array(x), 0.0)


def relu_grad(x):
    """1 for x > 0, else 0; the value at the kink x = 0 is 0, as in PyTorch."""
    return (_as_float_array(x) > 0).astype(np.float64)


def _check_alpha(alpha, name):
    if isinstance(alpha, (bool, np.bool_)) or not isinstance(alpha, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name} must be a real number, got {alpha!r}")
    if not math.isfinite(alpha):
        raise ValueError(f"{name} must be finite, got {alpha!r}")
    return float(alpha)


def leaky_relu(x, alpha: float = 0.01):
    """x for x > 0, alpha * x otherwise (PyTorch's negative_slope, default 0.01)."""
    x = _as_float_array(x)
    alpha = _check_alpha(alpha, "alpha")
    return np.where(x > 0, x, alpha * x)


def leaky_relu_grad(x, alpha: float = 0.01):
    """1 for x > 0, alpha otherwise; the kink x = 0 gets alpha, as in PyTorch."""
    x = _as_float_array(x)
    alpha = _check_alpha(alpha, "alpha")
    return np.where(x > 0, 1.0, alpha)


def elu(x, alpha: float = 1.0):
    """x for x > 0, alpha * (e^x - 1) otherwise, with expm1 for precision near 0.

    expm1 only ever sees min(x, 0), so large positive x cannot overflow.
    """
    x = _as_float_array(x)
    alpha = _check_alpha(alpha, "alpha")
    return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))


def elu_grad(x, alpha: float = 1.0):
    """1 for x > 0, alpha * e^x otherwise (so alpha at the kink, as in PyTorch)."""
    x = _as_float_array(x)
    alpha = _check_alpha(alpha, "alpha")
    with np.errstate(under="ignore"):
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))


def _erfc(x):
    """math.erfc applied elementwise (the C library's erfc, accurate to the last bit or so)."""
    flat = np.fromiter(map(math.erfc, x.ravel().tolist()), dtype=np.float64, count=x.size)
    return flat.reshape(x.shape)


def _normal_cdf(x):
    """Phi(x) = erfc(-x / sqrt 2) / 2: erfc, not 1 + erf, so the left tail keeps its digits."""
    return 0.5 * _erfc(-x / _SQRT_2)


def _normal_pdf(x):
    """phi(x) = e^(-x^2/2) / sqrt(2 pi); |x| is capped at 40 (phi(40) underflows to 0)."""
    xc = np.clip(x, -40.0, 40.0)
    with np.errstate(under="ignore"):
        return np.exp(-0.5 * xc * xc) / _SQRT_2PI


def _gelu_tanh_inner(x):
    """u(x) = sqrt(2/pi) (x + 0.044715 x^3) and u'(x), with |x| capped at 50 against overflow.

    Capping changes nothing: for |x| >= 50, |u| > 4000 and both sigma(2u) and sigma'(2u)
    are already exactly 0 or 1 in double precision.
    """
    xc = np.clip(x, -50.0, 50.0)
    u = _SQRT_2_OVER_PI * (xc + _GELU_TANH_COEF * xc * xc * xc)
    du = _SQRT_2_OVER_PI * (1.0 + 3.0 * _GELU_TANH_COEF * xc * xc)
    return u, du


def _check_approximate(approximate):
    if approximate not in ("none", "tanh"):
        raise ValueError(f"approximate must be 'none' or 'tanh' (as in PyTorch), got {approximate!r}")


def gelu(x, approximate: str = "none"):
    """GELU x * Phi(x), Phi the standard normal CDF: PyTorch's exact default.

    approximate='tanh' gives PyTorch's 0.5 x (1 + tanh(sqrt(2/pi)(x + 0.044715 x^3))),
    computed as x * sigmoid(2u), which is the same number without the 1 + tanh cancellation.
    """
    x = _as_float_array(x)
    _check_approximate(approximate)
    if approximate == "tanh":
        u, _ = _gelu_tanh_inner(x)
        return x * sigmoid(2.0 * u)
    return x * _normal_cdf(x)


def gelu_grad(x, approximate: str = "none"):
    """GELU'(x) = Phi(x) + x phi(x) (exact); peak about 1.129 at x = sqrt 2.

    For approximate='tanh': sigma(2u) + 2 x sigma'(2u) u'(x).
    """
    x = _as_float_array(x)
    _check_approximate(approximate)
    if approximate == "tanh":
        u, du = _gelu_tanh_inner(x)
        xc = np.clip(x, -50.0, 50.0)  # sigma'(2u) is 0 beyond, so the product is unchanged
        return sigmoid(2.0 * u) + 2.0 * xc * sigmoid_grad(2.0 * u) * du
    xc = np.clip(x, -40.0, 40.0)  # phi(x) is 0 beyond
    return _normal_cdf(x) + xc * _normal_pdf(xc)


def _gelu_tanh(x):
    """gelu(x, approximate='tanh'), for the registry."""
    return gelu(x, approximate="tanh")


def _gelu_tanh_grad(x):
    """gelu_grad(x, approximate='tanh'), for the registry."""
    return gelu_grad(x, approximate="tanh")


def identity(x):
    """x itself (a linear layer with no activation; for deep-linear-network lessons)."""
    return _as_float_array(x).copy()


def identity_grad(x):
    """1 everywhere."""
    return np.ones_like(_as_float_array(x))


def _check_axis(x, axis):
    if isinstance(axis, (bool, np.bool_)) or not isinstance(axis, (int, np.integer)):
        raise TypeError(f"axis must be an int, got {axis!r}")
    if x.ndim == 0:
        raise ValueError("softmax needs at least one axis; got a scalar")
    if not -x.ndim <= axis < x.ndim:
        raise ValueError(f"axis {axis} is out of range for an array with {x.ndim} dimension(s)")
    if x.shape[axis] == 0:
        raise ValueError("softmax over an empty axis is undefined")


def _shifted(x, axis):
    """x minus its max along axis, so the largest entry is exactly 0 and exp cannot overflow."""
    if not np.all(np.isfinite(x)):
        raise ValueError("softmax inputs must be finite (no inf or NaN)")
    return x - np.max(x, axis=axis, keepdims=True)


def softmax(x, axis: int = -1):
    """e^x_i / sum_j e^x_j along axis, computed as softmax(x - max x) (same value, no overflow).

    The shifted exponentials are all <= 1 and one of them is exactly 1, so the sum is in
    [1, n]: no overflow, no division by 0, no NaN even for inputs like [1000, -1000].
    """
    x = _as_float_array(x)
    _check_axis(x, axis)
    with np.errstate(under="ignore"):
        e = np.exp(_shifted(x, axis))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis: int = -1):
    """x_i - logsumexp(x) along axis, as (x - m) - log(sum e^(x - m)) with m = max x.

    The log of a sum in [1, n] is never -inf, so log_softmax stays finite where
    log(softmax(x)) would give log(0) = -inf.
    """
    x = _as_float_array(x)
    _check_axis(x, axis)
    s = _shifted(x, axis)
    with np.errstate(under="ignore"):
        return s - np.log(np.sum(np.exp(s), axis=axis, keepdims=True))


def _check_vector(x, name):
    x = _as_float_array(x)
    if x.ndim != 1:
        raise ValueError(f"{name} takes a 1-D vector, got shape {x.shape}")
    return x


def softmax_jacobian(x):
    """Full Jacobian d softmax_i / d x_j = diag(s) - s s^T of a 1-D x (rows sum to 0)."""
    x = _check_vector(x, "softmax_jacobian")
    s = softmax(x)
    with np.errstate(under="ignore"):
        return np.diag(s) - np.outer(s, s)


def log_softmax_jacobian(x):
    """Full Jacobian d log_softmax_i / d x_j = I - 1 s^T of a 1-D x."""
    x = _check_vector(x, "log_softmax_jacobian")
    s = softmax(x)
    return np.eye(x.size) - s[None, :]


def softmax_vjp(x, grad_out, axis: int = -1):
    """Back-propagate grad_out through softmax: s * (g - sum(g s)), without forming J."""
    s = softmax(x, axis)
    g = _as_float_array(grad_out)
    if g.shape != s.shape:
        raise ValueError(f"grad_out must have the shape of x {s.shape}, got {g.shape}")
    with np.errstate(under="ignore"):
        return s * (g - np.sum(g * s, axis=axis, keepdims=True))


def _maxout_groups(x, pieces):
    """x reshaped to (..., units, pieces): consecutive runs of `pieces` entries form a unit."""
    x = _as_float_array(x)
    if isinstance(pieces, (bool, np.bool_)) or not isinstance(pieces, (int, np.integer)):
        raise TypeError(f"pieces must be a whole number, got {pieces!r}")
    if pieces < 1:
        raise ValueError(f"pieces must be at least 1, got {pieces}")
    if x.ndim == 0:
        raise ValueError("maxout needs an array with a last axis; got a scalar")
    if x.shape[-1] % pieces:
        raise ValueError(
            f"the last axis has {x.shape[-1]} entries, which do not split into groups of {pieces}"
        )
    return x.reshape(*x.shape[:-1], x.shape[-1] // pieces, int(pieces))


def maxout(x, pieces: int):
    """Maxout (Goodfellow et al. 2013): max over consecutive groups of `pieces` on the last axis.

    A last axis of k * pieces entries gives k outputs; output j is max(x[..., j*p:(j+1)*p]).
    """
    return np.max(_maxout_groups(x, pieces), axis=-1)


def maxout_grad(x, pieces: int):
    """d maxout / d x as a mask of x's shape: 1 at each group's winner, 0 elsewhere.

    Each input feeds exactly one output, so this mask is the whole Jacobian. Ties go to the
    first maximum (np.argmax), so every group passes its gradient to exactly one input.
    """
    g = _maxout_groups(x, pieces)
    mask = np.zeros_like(g)
    np.put_along_axis(mask, np.argmax(g, axis=-1)[..., None], 1.0, axis=-1)
    return mask.reshape(np.shape(x))


# Elementwise activations only: softmax and maxout change the shape, so they are not here.
ACTIVATIONS = {
    "sigmoid": (sigmoid, sigmoid_grad),
    "tanh": (tanh, tanh_grad),
    "relu": (relu, relu_grad),
    "leaky_relu": (leaky_relu, leaky_relu_grad),
    "elu": (elu, elu_grad),
    "gelu": (gelu, gelu_grad),
    "gelu_tanh": (_gelu_tanh, _gelu_tanh_grad),
    "identity": (identity, identity_grad),
}

def _sigmoid_and_grad(x):
    """(sigmoid(x), sigmoid_grad(x)) from one exponential; the same numbers as the two calls."""
    z, positive = _logistic_parts(x)
    with np.errstate(under="ignore"):
        return np.where(positive, 1.0 / (1.0 + z), z / (1.0 + z)), z / ((1.0 + z) * (1.0 + z))


def _gelu_and_grad(x):
    """(gelu(x), gelu_grad(x)) with Phi(x) computed once (the costly erfc pass)."""
    cdf = _normal_cdf(x)
    xc = np.clip(x, -40.0, 40.0)
    return x * cdf, cdf + xc * _normal_pdf(xc)


_FUSED = {"sigmoid": _sigmoid_and_grad, "gelu": _gelu_and_grad}


def activation_and_grad(name: str, x):
    """(f(x), f'(x)) for a registered activation, sharing work where the two share a term.

    Sigmoid shares its exponential and GELU its normal CDF; the results are identical to
    calling the function and its derivative separately. Used by the MLP's forward pass.
    """
    f, grad = _lookup(name)
    x = _as_float_array(x)
    if name in _FUSED:
        return _FUSED[name](x)
    return f(x), grad(x)


# In-place kernels for the MLP: they write f(x) into `value` and f'(x) into `grad` (C-ordered
# arrays of x's shape), may use `scratch` (same), leave x alone and allocate little.


def _relu_and_grad_into(x, value, grad, scratch):
    """relu(x) and relu_grad(x), the same numbers."""
    np.greater(x, 0.0, out=grad)
    np.maximum(x, 0.0, out=value)


def _sigmoid_and_grad_into(x, value, grad, scratch):
    """_sigmoid_and_grad(x), the same numbers, from one exponential."""
    z = np.copysign(x, -1.0, out=grad)  # -|x|
    with np.errstate(under="ignore"):
        np.exp(z, out=z)
        d = np.add(z, 1.0, out=scratch)
        np.greater_equal(x, 0.0, out=value)
        np.maximum(z, value, out=value)  # numerator: 1 where x >= 0, else z (0 < z <= 1)
        np.divide(value, d, out=value)
        np.multiply(d, d, out=d)
        np.divide(z, d, out=z)


# Below this |x| tanh comes from a rational function of x^2, above it from exp; both are accurate
# there (the split and the coefficients are Cephes' tanh, which Go's math.Tanh uses as well).
_TANH_SPLIT = 0.625
_TANH_P = (-9.64399179425052238628e-1, -9.92877231001918586564e1, -1.61468768441708447952e3)
_TANH_Q = (1.12811678491632931402e2, 2.23548839060100448583e3, 4.84406305325125486048e3)


def _tanh_near_zero(x, value, grad, scratch):
    """For |x| < _TANH_SPLIT: tanh x = x + x s P(s) / Q(s), s = x^2, into value; tanh' into grad.

    Only multiplications, additions and one division, which numpy vectorises (its expm1 does
    not, and took three quarters of a deep tanh network's activation time). tanh' = 1 - tanh^2
    is well conditioned while tanh^2 < 0.31. Entries beyond the split get meaningless numbers.
    """
    p0, p1, p2 = _TANH_P
    q0, q1, q2 = _TANH_Q
    s = np.multiply(x, x, out=value)
    p = np.multiply(s, p0, out=grad)
    p += p1
    p *= s
    p += p2
    p *= s
    q = np.add(s, q0, out=scratch)
    q *= s
    q += q1
    q *= s
    q += q2
    p /= q
    p += 0.0  # turns -0 into +0, so that x p is -0 for x = -0 and the sum keeps that sign
    p *= x
    np.add(x, p, out=value)
    np.subtract(1.0, np.multiply(value, value, out=grad), out=grad)


def _tanh_far(x, value, grad, scratch):
    """For |x| >= _TANH_SPLIT: tanh x = sign(x) (1 - 2z / (1 + z)) with z = e^-2|x| into value;
    tanh' = 4z / (1 + z)^2 into grad, as tanh_grad has it.

    z keeps its relative precision in the tails, where 1 - tanh^2 would cancel.
    """
    z = np.exp(np.multiply(np.abs(x, out=grad), -2.0, out=grad), out=grad)
    d = np.add(z, 1.0, out=scratch)
    np.divide(z, d, out=value)
    np.multiply(value, -2.0, out=value)
    np.add(value, 1.0, out=value)
    np.copysign(value, x, out=value)
    np.multiply(d, d, out=d)
    np.multiply(z, 4.0, out=z)
    np.divide(z, d, out=z)


def _tanh_and_grad_into(x, value, grad, scratch):
    """tanh(x) and tanh'(x): a rational function below |x| = 0.625, one exponential beyond.

    The formula for the majority of entries runs on the whole array; the others are
    gathered, computed with their own formula and put back.
    """
    far = np.greater_equal(np.abs(x, out=scratch), _TANH_SPLIT)  # NaN is not: the rational passes it on
    n_far = np.count_nonzero(far)
    if 2 * n_far > far.size:
        bulk, rest, others = _tanh_far, _tanh_near_zero, np.logical_not(far, out=far)
    else:
        bulk, rest, others = _tanh_near_zero, _tanh_far, far
    where = np.flatnonzero(others) if 0 < n_far < far.size else None
    with np.errstate(under="ignore", over="ignore", invalid="ignore"):
        if where is not None:
            sub = x.ravel()[where]
            sub_value, sub_grad = np.empty_like(sub), np.empty_like(sub)
            rest(sub, sub_value, sub_grad, np.empty_like(sub))
        bulk(x, value, grad, scratch)
    if where is not None:
        value.ravel()[where] = sub_value
        grad.ravel()[where] = sub_grad


def tanh_and_grad(x):
    """(tanh(x), tanh'(x)) computed together: a rational function of x^2 for |x| < 0.625, one
    exponential per entry beyond, where tanh and tanh_grad take two exponentials.

    tanh is within about 1 ulp of the exact value and tanh' keeps its relative precision in the
    tails, like tanh_grad; both may differ from np.tanh and tanh_grad in the last bit or two.
    """
    x = _as_float_array(x)
    value, grad, scratch = np.empty(x.shape), np.empty(x.shape), np.empty(x.shape)
    _tanh_and_grad_into(x.reshape(-1), value.reshape(-1), grad.reshape(-1), scratch.reshape(-1))
    return value, grad


def _elu_and_grad_into(x, value, grad, scratch):
    """elu(x) and elu_grad(x) (alpha 1, as registered), the same numbers: x and 1 where x > 0, and
    expm1 and exp of min(x, 0) elsewhere, both taken of those entries alone (the two exponentials
    are most of the time, and about half the entries of a layer are positive)."""
    flat = x.reshape(-1)
    rest = np.flatnonzero(np.logical_not(np.greater(flat, 0.0)))  # x <= 0, and NaN
    m = np.minimum(flat[rest], 0.0)  # -0.0 or 0.0 exactly as elu's own min(x, 0) gives it
    np.copyto(value, x)
    grad.fill(1.0)
    with np.errstate(under="ignore"):
        grad.reshape(-1)[rest] = np.exp(m)
    value.reshape(-1)[rest] = np.expm1(m)


def _gelu_tanh_and_grad_into(x, value, grad, scratch):
    """gelu(x, 'tanh') and gelu_grad(x, 'tanh'), the same numbers: every product and sum in the
    order those functions have it, with sigma(2u) and sigma'(2u) from one exponential."""
    extra = np.empty_like(x)
    xc = np.clip(x, -50.0, 50.0, out=scratch)
    t = np.multiply(xc, _GELU_TANH_COEF, out=grad)  # 2u, u = sqrt(2/pi) (xc + 0.044715 xc^3)
    t *= xc
    t *= xc
    t += xc
    t *= _SQRT_2_OVER_PI
    t *= 2.0
    numerator = np.greater_equal(t, 0.0, out=value)  # sigma(2u) = 1 / (1 + z) there, else z / (1 + z)
    with np.errstate(under="ignore"):
        z = np.exp(np.copysign(t, -1.0, out=extra), out=extra)
        d = np.add(z, 1.0, out=grad)
        np.maximum(z, numerator, out=numerator)
        s = np.divide(numerator, d, out=value)
        slope = np.divide(z, np.multiply(d, d, out=d), out=extra)  # sigma'(2u)
    g = np.multiply(xc, 2.0, out=grad)
    g *= slope
    du = np.multiply(xc, 3.0 * _GELU_TANH_COEF, out=extra)  # u'(x) = sqrt(2/pi) (1 + 3 0.044715 xc^2)
    du *= xc
    du += 1.0
    du *= _SQRT_2_OVER_PI
    g *= du
    g += s
    s *= x


_IN_PLACE = {"relu": _relu_and_grad_into, "sigmoid": _sigmoid_and_grad_into, "tanh": _tanh_and_grad_into,
             "elu": _elu_and_grad_into, "gelu_tanh": _gelu_tanh_and_grad_into}


def activation_and_grad_into(name: str, x, value, grad, scratch):
    """(f(x), f'(x)) written into value and grad for relu, sigmoid, tanh, elu and gelu_tanh,
    allocating little (gelu_tanh one array of x's shape, the others nothing large).

    value, grad and scratch are C-ordered float64 arrays of x's shape; scratch is overwritten
    and x is not. tanh uses tanh_and_grad's formulas. Other activations return fresh arrays
    from activation_and_grad and leave the buffers alone.
    """
    kernel = _IN_PLACE.get(name)
    if kernel is None:
        return activation_and_grad(name, x)
    kernel(x, value, grad, scratch)
    return value, grad


# A derivative below 1% of its peak passes on almost nothing: for sigmoid that is |x| > 5.99,
# for tanh |x| > 2.99.
DEFAULT_SATURATION_THRESHOLD = 0.01

_PEAK_GRID = np.linspace(-10.0, 10.0, 200_001)  # step 1e-4, and 0 is on the grid
_peaks: dict = {}


def _lookup(name):
    if name not in ACTIVATIONS:
        raise ValueError(f"unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    return ACTIVATIONS[name]


def grad_peak(name: str) -> float:
    """Largest |f'| of a registered activation, read off a fine grid on [-10, 10].

    Exact where the peak is on the grid (sigmoid 0.25 and tanh 1 at 0, ReLU-like 1 on the
    positive side); for GELU (peak at sqrt 2) the grid is within 1e-8 of the true peak.
    """
    if name not in _peaks:
        _, grad = _lookup(name)
        _peaks[name] = float(np.max(np.abs(grad(_PEAK_GRID))))
    return _peaks[name]


def saturated_fraction(name: str, x, threshold: float = DEFAULT_SATURATION_THRESHOLD) -> float:
    """Fraction of pre-activations x where |f'(x)| < threshold * peak |f'| (saturated units).

    Relative to the peak so one threshold means the same for sigmoid (peak 1/4) and tanh
    (peak 1). For ReLU every x <= 0 counts, so it equals dead_fraction(x).
    """
    _, grad = _lookup(name)
    threshold = _check_alpha(threshold, "threshold")
    if threshold <= 0:
        raise ValueError(f"threshold must be positive, got {threshold}")
    x = _as_float_array(x)
    if x.size == 0:
        raise ValueError("saturated_fraction of an empty array is undefined")
    return float(np.mean(np.abs(grad(x)) < threshold * grad_peak(name)))


def dead_fraction(x) -> float:
    """Fraction of ReLU pre-activations x that are <= 0 (the unit outputs 0 and passes no gradient)."""
    x = _as_float_array(x)
    if x.size == 0:
        raise ValueError("dead_fraction of an empty array is undefined")
    return float(np.mean(x <= 0))
