"""Boolean attention masks (True = the key takes part), by name, for self-attention over L tokens."""

from __future__ import annotations

import numpy as np

__all__ = ["MASK_KINDS", "causal_mask", "padding_mask", "attention_mask"]

MASK_KINDS = ("none", "causal", "padding")


def causal_mask(length) -> np.ndarray:
    """Boolean (L, L): query i may read keys 0..i, as in a decoder (no peeking at later tokens)."""
    return np.tril(np.ones((length, length), dtype=bool))


def padding_mask(length, padding) -> np.ndarray:
    """Boolean (1, L): the last ``padding`` keys are padding and hidden from every query."""
    keep = np.ones((1, length), dtype=bool)
    if padding:
        keep[:, length - padding:] = False
    return keep


def attention_mask(kind, length, padding=0):
    """The mask called ``kind`` ('none' gives None, 'causal', 'padding') for ``length`` tokens."""
    if kind not in MASK_KINDS:
        raise ValueError(f"mask must be one of {MASK_KINDS}, got {kind!r}")
    if kind == "none":
        return None
    return causal_mask(length) if kind == "causal" else padding_mask(length, padding)
