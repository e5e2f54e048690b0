"""A forward pass's per-layer values, kept so that a pass of another network reuses what it shares.

Hidden layer l of an MLP depends only on the batch and on layers 1..l, never on the layers after
it or on the depth. Networks that differ in depth alone (the gradient-flow meter's depth slider,
whose networks share their first weight matrices, see mlp_weights) therefore share every hidden
layer's forward values up to the shallower depth. ``MLP.forward_backward(..., trace=t)``
reuses the leading layers of t whose inputs equal its own, compared by value (weights, biases
or batch-norm parameters, activation, batch norm, residual connection, the batch and the
saturation threshold), so reusing a trace gives, to the last bit, what a fresh pass gives.

A trace keeps copies of the parameters it was computed with, except read-only arrays that view
nothing writable (as mlp_network(read_only=True) gives): nothing can change those, so the trace
keeps the array itself, and a network holding the same array matches without a comparison.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

__all__ = ["ForwardTrace", "TracedLayer", "TRACE_BUDGET_BYTES", "snapshot"]

TRACE_BUDGET_BYTES = 32 * 2**20  # a pass stops recording layers beyond this; the ones kept stay valid


def _unchanging(a) -> bool:
    """Whether nothing can write to a's data: a and every array it views are read-only arrays."""
    while a is not None:
        if not isinstance(a, np.ndarray) or a.flags.writeable:
            return False
        a = a.base
    return True


def snapshot(a: np.ndarray) -> np.ndarray:
    """An array that keeps a's present values: a itself if nothing can change it, else a read-only
    copy (so that even a network later given the copy cannot change what the trace holds)."""
    if _unchanging(a):
        return a
    copy = a.copy()
    copy.flags.writeable = False
    return copy


@dataclass(frozen=True, eq=False)
class TracedLayer:
    """One hidden layer as a pass computed it: snapshots of its parameters, and the arrays it gave
    (units x examples). Nothing here is written to after the layer is recorded."""

    activation: str
    batch_norm: bool
    skip: bool
    params: tuple                # snapshots of (W, b), or of (W, gamma, beta) with batch norm
    output: np.ndarray           # h_l, what the next layer reads
    fprime: np.ndarray           # f'(u_l)
    zhat: np.ndarray | None      # batch norm's normalised z_l
    inv_std: np.ndarray | None   # batch norm's 1 / sqrt(var + eps) per unit
    stats: object                # the layer's LayerStats

    def matches(self, activation: str, batch_norm: bool, skip: bool, params: tuple) -> bool:
        """Whether a layer with these settings and parameters computes exactly this layer (a
        parameter that is the very array kept needs no comparison: it cannot have changed)."""
        return (self.activation == activation and self.batch_norm == batch_norm and self.skip == skip
                and len(self.params) == len(params)
                and all(mine is theirs or np.array_equal(mine, theirs) for mine, theirs in zip(self.params, params)))


def layer_nbytes(params: tuple, units: int, examples: int, batch_norm: bool) -> int:
    """Bytes a TracedLayer with these parameters takes: its copies of them (unchanging arrays are
    not copied), h, f' and batch norm's arrays."""
    per_example = units * examples * 8
    copies = sum(p.nbytes for p in params if not _unchanging(p))
    return copies + (3 if batch_norm else 2) * per_example + (units * 8 if batch_norm else 0)


@dataclass(frozen=True, eq=False)
class ForwardTrace:
    """The hidden layers' forward values on one batch, input side first. ``ForwardTrace()`` is the
    empty trace: a pass given it computes everything and returns its own trace in ``result.trace``.

    Immutable: a pass that reuses a trace returns a new one (sharing the layers it reused), so one
    trace may be handed to several passes.
    """

    batch: np.ndarray | None = None   # a copy of the batch x (examples x features)
    below: float | None = None        # the saturation cut-off of the layer statistics
    layers: tuple = ()

    @functools.cached_property
    def nbytes(self) -> int:
        """Bytes this trace keeps alive: the whole of every buffer its arrays use, each once (a kept
        read-only weight matrix that views a network's block of weights keeps all of the block).
        Counted once: a trace never changes, and a cache that trims by size asks on every change."""
        buffers = {}
        for layer in self.layers:
            for a in (*layer.params, layer.output, layer.fprime, layer.zhat, layer.inv_std):
                while a is not None and isinstance(a.base, np.ndarray):
                    a = a.base
                if a is not None:
                    buffers[id(a)] = a.nbytes
        return sum(buffers.values()) + (self.batch.nbytes if self.batch is not None else 0)

    def candidates(self, x, below) -> tuple:
        """The layers a pass on batch x with this cut-off may reuse, each still to be matched: all of
        them if the batch and the cut-off are the same, else none."""
        if not self.layers or self.below != below or not np.array_equal(self.batch, x):
            return ()
        return self.layers

    def continued(self, x, below, reused: int, new_layers: list) -> "ForwardTrace":
        """The trace after a pass that reused this one's first ``reused`` layers, then recorded
        ``new_layers``. A pass that reused every layer it has leaves the trace as it is, deeper
        layers included: they depend only on the ones it matched."""
        if not new_layers and reused:
            return self
        batch = self.batch if reused else np.array(x, dtype=float)
        return ForwardTrace(batch=batch, below=below, layers=self.layers[:reused] + tuple(new_layers))
