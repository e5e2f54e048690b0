"""The lessons' deep-MLP weights, drawn once and shared between depths and weight scales.

``MLP(depth, width, init=..., seed=s)`` draws W1, ..., W_depth (all width x width when the input
has width features) and then the output layer from one generator seeded with s. So a network
of depth 51 starts with the same 50 matrices as one of depth 50, and a weight scale only
multiplies them. ``stream_initialiser`` hands MLP those matrices from a cache instead of drawing
them again, leaving MLP's generator exactly where its own draws would have left it: the
network is bit for bit the one MLP draws itself, built in a millisecond or two instead of up to
a hundred (orthogonal initialisation takes a QR decomposition per layer). Each network gets its
own copy of every matrix, so training one changes no other; a caller that never trains (the
gradient-flow meter) may instead ask for the cached matrices themselves, read-only, which costs
no copy and lets a forward trace (mlp_trace) recognise them without comparing them.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from .init import INITIALISERS

__all__ = ["stream_initialiser"]

# Streams are kept, most recently used last, while their matrices take at most this many bytes
# together (the newest is always kept): 64 MB is 4 streams of 100 layers of width 128.
_KEPT_BYTES = 64 * 2**20
_streams: OrderedDict = OrderedDict()
_lock = threading.Lock()


class _WeightStream:
    """Hidden weight matrices of one (width, init, seed), in drawing order, with the generator
    state after each: states[k] is the state before W_{k+1} is drawn. The matrices are read-only
    arrays that own their data: nothing writes to them, so they can be handed out as they are."""

    def __init__(self, init: str, seed):
        self.init = INITIALISERS[init]
        self.rng = np.random.default_rng(seed)
        self.matrices: list = []
        self.states = [self.rng.bit_generator.state]
        self.nbytes = 0

    def matrix(self, k: int, shape) -> np.ndarray:
        """W_{k+1} (0-based k), drawing the ones not drawn yet."""
        while len(self.matrices) <= k:
            w = np.array(self.init(shape, self.rng), dtype=float, order="C")
            w.flags.writeable = False
            self.matrices.append(w)
            self.states.append(self.rng.bit_generator.state)
            self.nbytes += w.nbytes
        return self.matrices[k]


def _stream(width: int, init: str, seed) -> _WeightStream:
    """The cached stream for these settings (made if new), marked most recently used."""
    key = (width, init, seed)
    stream = _streams.get(key)
    if stream is None:
        stream = _streams[key] = _WeightStream(init, seed)
    _streams.move_to_end(key)
    return stream


def _trim() -> None:
    """Forget the least recently used streams while all of them take more than _KEPT_BYTES."""
    while len(_streams) > 1 and sum(s.nbytes for s in _streams.values()) > _KEPT_BYTES:
        _streams.popitem(last=False)


def stream_initialiser(depth: int, width: int, init: str, scale: float, seed, read_only: bool = False):
    """An init callable for ``MLP(depth, width, init=..., seed=seed)`` (input width features) that
    gives that MLP exactly the weights ``scaled_initialiser(init, scale)`` would draw.

    Hidden layers come from the cache (multiplied by scale, or copied when it is 1, into one block
    per network), with MLP's generator moved to where drawing them would have left it; the output
    layer is drawn as usual.
    read_only: hand out the cached matrices themselves when scale is 1, and read-only products
    otherwise, instead of writable copies.
    """
    if init not in INITIALISERS:
        raise ValueError(f"unknown initialiser {init!r}; choose one of {sorted(INITIALISERS)}")
    base = INITIALISERS[init]
    calls = iter(range(depth + 1))
    shared = True  # until a hidden layer is not width x width: the stream's states assume it is
    block = None   # the network's own hidden matrices, one allocation: 50 separate ones of 128 KB
                   # each came back from the system as fresh pages, about 0.1 ms apiece

    def initialiser(shape, rng):
        nonlocal shared, block
        k = next(calls)
        shared = shared and k < depth and tuple(shape) == (width, width)
        if shared:
            with _lock:
                stream = _stream(width, init, seed)
                w = stream.matrix(k, shape)
                rng.bit_generator.state = stream.states[k + 1]
                _trim()
            if scale == 1.0 and read_only:
                return w
            if block is None:
                block = np.empty((depth, width, width))
            own = block[k]
            if scale == 1.0:
                own[...] = w
            else:
                np.multiply(w, scale, out=own)
            if read_only:
                own.flags.writeable = False
                if k == depth - 1:          # the last hidden layer: nothing can write to the block now
                    block.flags.writeable = False
            return own
        w = base(shape, rng)
        return w if scale == 1.0 else scale * w

    return initialiser
