"""Two-dimensional loss surfaces with exact gradients and Hessians, and what the Hessian predicts.

Each objective takes points of shape (..., 2) (one point, a grid, or a batch of runs) and gives
values (...), gradients (..., 2) and Hessians (..., 2, 2) in closed form. Near a minimum a loss
looks like the quadratic 0.5 p^T H p, and for gradient descent on it everything is decided by
H's eigenvalues: a step lr is stable while lr < 2 / lambda_max, the best fixed step is
2 / (lambda_min + lambda_max), and then the error shrinks by (kappa - 1) / (kappa + 1) per step,
kappa = lambda_max / lambda_min being the condition number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

__all__ = [
    "Objective", "OBJECTIVES", "objective", "quadratic", "conditioned_quadratic", "rosenbrock", "saddle",
    "monkey_saddle", "two_minima", "local_minimum_of_two_minima", "beale", "hessian_eigenvalues", "condition_number", "max_stable_step",
    "optimal_step", "gd_rate", "optimal_gd_rate", "steps_to_shrink",
]


@dataclass(frozen=True)
class Objective:
    """A loss surface over (x, y): value, gradient and Hessian in closed form, and where to look at it."""

    name: str
    value: Callable[[np.ndarray], np.ndarray]
    gradient: Callable[[np.ndarray], np.ndarray]
    hessian: Callable[[np.ndarray], np.ndarray]
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((x_lo, x_hi), (y_lo, y_hi)) worth drawing
    start: tuple[float, float]  # a start that shows the surface's difficulty
    minimum: tuple[float, float] | None  # the global minimiser (None: unbounded below)
    formula: str

    @property
    def min_value(self) -> float:
        """The loss at the global minimiser (-inf for a surface unbounded below)."""
        return -np.inf if self.minimum is None else float(self.value(np.array(self.minimum, dtype=float)))


def _xy(p):
    p = np.asarray(p, dtype=float)
    if p.shape[-1:] != (2,):
        raise ValueError(f"points must have shape (..., 2), got {p.shape}")
    return p, p[..., 0], p[..., 1]


def _hess(hxx, hxy, hyy):
    hxx, hxy, hyy = np.broadcast_arrays(hxx, hxy, hyy)
    return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)


def quadratic(eigenvalues=(1.0, 0.1), angle: float = 0.0) -> Objective:
    """f(p) = 0.5 p^T A p with A = R diag(eigenvalues) R^T, R a rotation by ``angle`` degrees.

    The first eigenvalue's direction is the x axis turned by ``angle``; the minimum is the origin.
    """
    lam = np.asarray(eigenvalues, dtype=float)
    if lam.shape != (2,) or not np.all(np.isfinite(lam)):
        raise ValueError(f"eigenvalues must be two finite numbers, got {eigenvalues!r}")
    t = np.deg2rad(angle)
    rot = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    a = rot @ np.diag(lam) @ rot.T

    def value(p):
        p, _, _ = _xy(p)
        return 0.5 * np.einsum("...i,ij,...j->...", p, a, p)

    def gradient(p):
        p, _, _ = _xy(p)
        return p @ a.T

    def hessian(p):
        p, _, _ = _xy(p)
        return np.broadcast_to(a, p.shape[:-1] + (2, 2)).copy()

    return Objective("quadratic", value, gradient, hessian, ((-2.0, 2.0), (-2.0, 2.0)), (-1.6, 1.2), (0.0, 0.0),
                     f"0.5 p^T A p, eigenvalues {lam[0]:g} and {lam[1]:g}, turned {angle:g} degrees")


def conditioned_quadratic(condition: float = 10.0, angle: float = 30.0) -> Objective:
    """The quadratic with eigenvalues 1 and 1 / condition (so lambda_max = 1 and kappa = condition)."""
    if not condition >= 1:
        raise ValueError(f"the condition number must be at least 1, got {condition!r}")
    return quadratic((1.0, 1.0 / condition), angle)


def rosenbrock(a: float = 1.0, b: float = 100.0) -> Objective:
    """(a - x)^2 + b (y - x^2)^2: a curved, narrow valley with its minimum at (a, a^2)."""

    def value(p):
        _, x, y = _xy(p)
        return (a - x) ** 2 + b * (y - x * x) ** 2

    def gradient(p):
        _, x, y = _xy(p)
        return np.stack([-2 * (a - x) - 4 * b * x * (y - x * x), 2 * b * (y - x * x)], -1)

    def hessian(p):
        _, x, y = _xy(p)
        return _hess(2 - 4 * b * y + 12 * b * x * x, -4 * b * x, 2 * b + 0 * x)

    return Objective("rosenbrock", value, gradient, hessian, ((-2.0, 2.0), (-1.0, 3.0)), (-1.5, 2.0), (a, a * a),
                     f"(1 - x)^2 + {b:g} (y - x^2)^2" if a == 1 else f"({a:g} - x)^2 + {b:g} (y - x^2)^2")


def saddle() -> Objective:
    """x^2 - y^2: gradient zero at the origin, a minimum along x and a maximum along y."""

    def value(p):
        _, x, y = _xy(p)
        return x * x - y * y

    def gradient(p):
        _, x, y = _xy(p)
        return np.stack([2 * x, -2 * y], -1)

    def hessian(p):
        _, x, _ = _xy(p)
        return _hess(2 + 0 * x, 0 * x, -2 + 0 * x)

    return Objective("saddle", value, gradient, hessian, ((-2.0, 2.0), (-2.0, 2.0)), (-1.5, 0.0), None, "x^2 - y^2")


def monkey_saddle() -> Objective:
    """x^3 - 3 x y^2: a flat saddle (gradient and Hessian both zero at the origin), three ways down."""

    def value(p):
        _, x, y = _xy(p)
        return x ** 3 - 3 * x * y * y

    def gradient(p):
        _, x, y = _xy(p)
        return np.stack([3 * x * x - 3 * y * y, -6 * x * y], -1)

    def hessian(p):
        _, x, y = _xy(p)
        return _hess(6 * x, -6 * y, -6 * x)

    return Objective("monkey_saddle", value, gradient, hessian, ((-2.0, 2.0), (-2.0, 2.0)), (1.2, 0.0), None,
                     "x^3 - 3 x y^2")


_TILT = 0.3


def two_minima() -> Objective:
    """(x^2 - 1)^2 + 0.3 x + y^2: a poor local minimum near x = +1 and the global one near x = -1."""

    def value(p):
        _, x, y = _xy(p)
        return (x * x - 1) ** 2 + _TILT * x + y * y

    def gradient(p):
        _, x, y = _xy(p)
        return np.stack([4 * x * (x * x - 1) + _TILT, 2 * y], -1)

    def hessian(p):
        _, x, _ = _xy(p)
        return _hess(12 * x * x - 4, 0 * x, 2 + 0 * x)

    # the global minimiser: the smallest real root of 4x^3 - 4x + 0.3 = 0
    roots = np.roots([4.0, 0.0, -4.0, _TILT])
    x_min = float(np.min(roots[np.abs(roots.imag) < 1e-12].real))
    return Objective("two_minima", value, gradient, hessian, ((-2.0, 2.0), (-2.0, 2.0)), (1.8, 1.0), (x_min, 0.0),
                     "(x^2 - 1)^2 + 0.3 x + y^2")


def local_minimum_of_two_minima() -> tuple[float, float]:
    """The poor local minimiser of ``two_minima`` (the largest root of 4x^3 - 4x + 0.3)."""
    roots = np.roots([4.0, 0.0, -4.0, _TILT])
    return float(np.max(roots[np.abs(roots.imag) < 1e-12].real)), 0.0


def beale() -> Objective:
    """Beale's function: flat plateaus and steep walls, minimum 0 at (3, 0.5)."""
    cs = (1.5, 2.25, 2.625)

    def value(p):
        _, x, y = _xy(p)
        return sum((c - x + x * y ** k) ** 2 for k, c in enumerate(cs, 1))

    def gradient(p):
        _, x, y = _xy(p)
        gx = sum(2 * (c - x + x * y ** k) * (y ** k - 1) for k, c in enumerate(cs, 1))
        gy = sum(2 * (c - x + x * y ** k) * k * x * y ** (k - 1) for k, c in enumerate(cs, 1))
        return np.stack([gx, gy], -1)

    def hessian(p):
        _, x, y = _xy(p)
        hxx = hxy = hyy = 0
        for k, c in enumerate(cs, 1):
            u = c - x + x * y ** k
            ux, uy = y ** k - 1, k * x * y ** (k - 1)
            uxy = k * y ** (k - 1)
            uyy = k * (k - 1) * x * y ** (k - 2) if k >= 2 else 0 * x
            hxx = hxx + 2 * ux * ux
            hxy = hxy + 2 * (ux * uy + u * uxy)
            hyy = hyy + 2 * (uy * uy + u * uyy)
        return _hess(hxx, hxy, hyy)

    return Objective("beale", value, gradient, hessian, ((-4.5, 4.5), (-4.5, 4.5)), (1.0, 1.4), (3.0, 0.5),
                     "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2")


OBJECTIVES: dict[str, Callable[..., Objective]] = {
    "quadratic": conditioned_quadratic, "rosenbrock": rosenbrock, "saddle": saddle, "monkey_saddle": monkey_saddle,
    "two_minima": two_minima, "beale": beale,
}


def objective(name: str, **options) -> Objective:
    """The objective called ``name`` (a key of OBJECTIVES), made with ``options``."""
    if name not in OBJECTIVES:
        raise ValueError(f"objective must be one of {', '.join(map(repr, OBJECTIVES))}, got {name!r}")
    return OBJECTIVES[name](**options)


# ---------------------------------------------------------------- what the Hessian predicts

def hessian_eigenvalues(hessian) -> np.ndarray:
    """The eigenvalues of a symmetric Hessian, smallest first."""
    h = np.asarray(hessian, dtype=float)
    return np.linalg.eigvalsh(0.5 * (h + np.swapaxes(h, -1, -2)))


def condition_number(hessian) -> float:
    """lambda_max / lambda_min of a positive-definite Hessian; inf when it is not positive definite."""
    lam = hessian_eigenvalues(hessian)
    return float(lam[-1] / lam[0]) if lam[0] > 0 else float("inf")


def max_stable_step(hessian) -> float:
    """Gradient descent on 0.5 p^T H p converges for every start exactly when lr < 2 / lambda_max."""
    lam_max = hessian_eigenvalues(hessian)[-1]
    if lam_max <= 0:
        raise ValueError("the Hessian has no positive eigenvalue: no step size makes gradient descent converge")
    return float(2.0 / lam_max)


def optimal_step(hessian) -> float:
    """The fixed step 2 / (lambda_min + lambda_max) that makes gradient descent's worst direction shrink fastest."""
    lam = hessian_eigenvalues(hessian)
    if lam[0] <= 0:
        raise ValueError("the Hessian is not positive definite: there is no minimum to converge to")
    return float(2.0 / (lam[0] + lam[-1]))


def gd_rate(lr: float, hessian) -> float:
    """max_i |1 - lr * lambda_i|: how much gradient descent's error shrinks (< 1) or grows (> 1) per step."""
    lam = hessian_eigenvalues(hessian)
    return float(np.max(np.abs(1.0 - lr * lam)))


def optimal_gd_rate(hessian) -> float:
    """(kappa - 1) / (kappa + 1): the rate at the optimal step."""
    kappa = condition_number(hessian)
    if not np.isfinite(kappa):
        raise ValueError("the Hessian is not positive definite: there is no minimum to converge to")
    return float((kappa - 1.0) / (kappa + 1.0))


def steps_to_shrink(rate: float, factor: float = 1e-3) -> int:
    """Steps for an error shrinking by ``rate`` per step to fall below ``factor`` of its start (-1: it never does)."""
    if not 0 <= rate < 1:
        return -1 if rate >= 1 else 0
    if rate == 0:
        return 1
    return int(np.ceil(np.log(factor) / np.log(rate)))
