"""Run an optimizer on a 2-D objective and keep everything: the path, the loss, each step's size and
the optimizer's own state after every step; tune its learning rate fairly; race several.

Fair means: the same objective, start, step budget and gradient noise for everyone, and each
optimizer at the learning rate that suits it best, picked from the same log-spaced grid by the
lowest mean log-loss over the second half of the budget (robust to a lucky or unlucky last step;
all grid values run at once, as one batch of runs).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .objectives import Objective
from .optimizers import DEFAULTS, OPTIMIZERS, lookahead_step

__all__ = ["Run", "Racer", "RACERS", "LR_GRID", "run_optimizer", "tune_learning_rate", "race", "DIVERGED_ABOVE"]

# Learning rates tried when tuning: 10^-4 to 10^0.5, four per decade.
LR_GRID = tuple(float(x) for x in np.round(10.0 ** np.arange(-4.0, 0.51, 0.25), 10))
# A run whose parameters pass this size has diverged: it stops, and its loss is nan from then on.
DIVERGED_ABOVE = 1e6


@dataclass(frozen=True)
class Racer:
    """An optimizer as the lessons name it: a torch.optim algorithm, its options, optionally Lookahead."""

    label: str
    optimizer: str
    options: dict = field(default_factory=dict)
    lookahead: dict | None = None  # {"k": 5, "alpha": 0.5} to wrap it


RACERS: dict[str, Racer] = {r.label: r for r in (
    Racer("SGD", "sgd"),
    Racer("Momentum", "sgd", {"momentum": 0.9}),
    Racer("Nesterov", "sgd", {"momentum": 0.9, "nesterov": True}),
    Racer("Adagrad", "adagrad"),
    Racer("RMSprop", "rmsprop"),
    Racer("Adam", "adam"),
    Racer("RAdam", "radam"),
    Racer("Lookahead(Adam)", "adam", lookahead={"k": 5, "alpha": 0.5}),
)}


@dataclass
class Run:
    """One run (or a batch of runs): path (steps + 1, ..., 2), loss (steps + 1, ...), step_size (steps, ...),
    state {name: (steps, ..., 2)} of the optimizer after each step (scalars such as "step" left out)."""

    path: np.ndarray
    loss: np.ndarray
    step_size: np.ndarray
    state: dict
    lr: object
    diverged: np.ndarray

    def pick(self, k: int) -> "Run":
        """Run number ``k`` of a batch of runs (one learning rate of a grid) as a run of its own."""
        lr = np.asarray(self.lr, dtype=float)
        return Run(self.path[:, k], self.loss[:, k], self.step_size[:, k], {n: v[:, k] for n, v in self.state.items()},
                   float(lr[k]), self.diverged[k])


def _flatten_state(state: dict, prefix: str = "") -> dict:
    flat = {}
    for key, value in state.items():
        if isinstance(value, dict):
            flat.update(_flatten_state(value, f"{prefix}{key}."))
        elif isinstance(value, np.ndarray) and value.ndim >= 1:
            flat[prefix + key] = value
    return flat


def run_optimizer(obj: Objective, optimizer: str, start, steps: int, *, lr=None, options: dict | None = None,
                  lookahead: dict | None = None, gradient_noise: float = 0.0, seed: int = 0) -> Run:
    """``steps`` steps of ``optimizer`` (a key of OPTIMIZERS) on ``obj`` from ``start``.

    ``lr`` defaults to torch's default; an array of shape (G,) runs G learning rates at once (the
    results gain an axis of size G after the step axis). ``gradient_noise`` adds seeded Gaussian
    noise of that standard deviation to every gradient coordinate (the same draws for any optimizer).
    A run that diverges stops where it passed DIVERGED_ABOVE; its later points and losses are nan.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {', '.join(map(repr, OPTIMIZERS))}, got {optimizer!r}")
    if int(steps) != steps or steps < 0:
        raise ValueError(f"steps must be a whole number >= 0, got {steps!r}")
    step_fn = OPTIMIZERS[optimizer]
    opts = dict(options or {})
    lr = DEFAULTS[optimizer]["lr"] if lr is None else lr
    lr_array = np.asarray(lr, dtype=float)
    batch = lr_array.shape
    p = np.broadcast_to(np.asarray(start, dtype=float), batch + (2,)).copy()
    lr_b = lr_array[..., None] if lr_array.ndim else float(lr_array)
    rng = np.random.default_rng(seed)
    path = np.empty((steps + 1,) + p.shape)
    path[0] = p
    history = []          # the optimizer's state after each step (the step functions make new arrays)
    state = None
    with np.errstate(all="ignore"):
        for t in range(steps):
            g = obj.gradient(p)
            if gradient_noise:
                g = g + gradient_noise * rng.standard_normal(2)
            if lookahead is not None:
                p, state = lookahead_step(p, g, state, step_fn, lr=lr_b, **lookahead, **opts)
            else:
                p, state = step_fn(p, g, state, lr=lr_b, **opts)
            path[t + 1] = p
            history.append(_flatten_state(state))
        # a run is over from its first point past DIVERGED_ABOVE (or not finite: nan < x is False)
        alive = np.logical_and.accumulate(np.all(np.abs(path) < DIVERGED_ABOVE, axis=-1), axis=0)
        path[~alive] = np.nan
        sizes = np.linalg.norm(np.diff(path, axis=0), axis=-1)
        states = {}
        for key in (history[-1] if history else {}):
            if history[-1][key].shape == p.shape and all(key in h for h in history):
                values = np.stack([h[key] for h in history])
                values[~alive[1:]] = np.nan
                states[key] = values
        loss = obj.value(path)
    return Run(path, loss, sizes, states, lr, ~alive[-1])


def tune_learning_rate(obj: Objective, racer: Racer, start, steps: int, *, grid=LR_GRID, gradient_noise: float = 0.0,
                       seed: int = 0) -> tuple[float, np.ndarray]:
    """(the learning rate from ``grid`` whose run has the lowest mean of log10(loss - minimum) over the second
    half of ``steps``, that score for every grid value).

    A diverged run scores inf; of equal scores the smallest learning rate wins."""
    best, score, _ = _tuned_run(obj, racer, start, steps, grid, gradient_noise, seed)
    return best.lr, score


def _tuned_run(obj, racer, start, steps, grid, gradient_noise, seed):
    """(the tuned run, every grid value's score, the whole batch of runs): all grid values run at once."""
    grid = np.asarray(grid, dtype=float)
    run = run_optimizer(obj, racer.optimizer, start, steps, lr=grid, options=racer.options,
                        lookahead=racer.lookahead, gradient_noise=gradient_noise, seed=seed)
    low = obj.min_value if np.isfinite(obj.min_value) else 0.0
    with np.errstate(all="ignore"):
        logs = np.log10(np.maximum(run.loss[steps // 2:] - low, 1e-16))
    score = np.where(np.all(np.isfinite(logs), axis=0), logs.mean(axis=0), np.inf)
    return run.pick(int(np.argmin(score))), score, run


def race(obj: Objective, racers, start, steps: int, *, gradient_noise: float = 0.0, seed: int = 0,
         lrs: dict | None = None) -> dict[str, Run]:
    """Every racer (labels of RACERS or Racer objects) from the same start with the same budget and noise, each
    at its tuned learning rate (or the one ``lrs`` gives it by label)."""
    runs = {}
    for item in racers:
        racer = RACERS[item] if isinstance(item, str) else item
        lr = (lrs or {}).get(racer.label)
        if lr is None:   # the tuned run is one of the grid's batch: the same numbers as running it alone
            runs[racer.label] = _tuned_run(obj, racer, start, steps, LR_GRID, gradient_noise, seed)[0]
        else:
            runs[racer.label] = run_optimizer(obj, racer.optimizer, start, steps, lr=lr, options=racer.options,
                                              lookahead=racer.lookahead, gradient_noise=gradient_noise, seed=seed)
    return runs
