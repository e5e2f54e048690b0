"""The seeded batches of the normalisation lesson and batch norm's running statistics over them.

Each of 6 channels draws its values from its own normal distribution, so channels differ and the
running statistics have a known target. The widget and the lesson's checks use these same functions.
"""

from __future__ import annotations

import numpy as np

from .normalisation import update_running_stats

__all__ = ["POPULATION_MEAN", "POPULATION_STD", "norm_batch", "running_stats_experiment"]

POPULATION_MEAN = (2.0, -1.0, 0.5, 3.0, -2.0, 1.0)
POPULATION_STD = (1.0, 0.5, 2.0, 1.5, 1.0, 0.8)


def norm_batch(rng, batch_size: int, positions: int) -> np.ndarray:
    """A batch of shape (B, 6) (positions 1) or (B, 6, 2, 2) (positions 4) drawn from the channels' populations."""
    if positions not in (1, 4):
        raise ValueError(f"positions must be 1 (an (N, C) tensor) or 4 (an (N, C, 2, 2) one), got {positions}")
    channels = len(POPULATION_MEAN)
    mean = np.array(POPULATION_MEAN).reshape(1, channels, 1)
    std = np.array(POPULATION_STD).reshape(1, channels, 1)
    x = mean + std * rng.normal(size=(batch_size, channels, positions))
    return x.reshape(batch_size, channels) if positions == 1 else x.reshape(batch_size, channels, 2, 2)


def running_stats_experiment(batch_size: int, positions: int, momentum: float, seed: int, steps: int = 60):
    """(first batch, running means, running variances, batch means) of batch norm trained on ``steps``
    seeded batches: running statistics of shape (steps + 1, 6) from PyTorch's start (0 and 1), updated
    with the unbiased batch variance; batch means (steps, 6). The running parts are None when a batch
    holds a single value per channel (PyTorch refuses to train then)."""
    rng = np.random.default_rng(seed)
    first = norm_batch(rng, batch_size, positions)
    count = batch_size * positions
    if count < 2:
        return first, None, None, None
    channels = len(POPULATION_MEAN)
    means, variances, batch_means = [np.zeros(channels)], [np.ones(channels)], []
    for step in range(steps):
        x = first if step == 0 else norm_batch(rng, batch_size, positions)
        axes = (0,) + tuple(range(2, x.ndim))
        mean, var = x.mean(axis=axes), x.var(axis=axes) * count / (count - 1)
        m, v = update_running_stats(means[-1], variances[-1], mean, var, momentum)
        means.append(m)
        variances.append(v)
        batch_means.append(mean)
    return first, np.array(means), np.array(variances), np.array(batch_means)
