"""Receptive field and jump (effective stride) of a stack of conv / pooling layers.

For each layer with kernel k, stride s, dilation d and padding p, going from the input
side: jump_out = jump_in * s; rf_out = rf_in + d*(k-1) * jump_in; and the centre of the
first output's window moves by (d*(k-1)/2 - p) * jump_in.
"""

from __future__ import annotations

from dataclasses import dataclass

from .conv import _int

__all__ = ["Layer", "LayerField", "receptive_field", "tcn_layers", "tcn_receptive_field"]


@dataclass(frozen=True)
class Layer:
    """One conv or pooling layer along one spatial dimension."""

    kernel_size: int
    stride: int = 1
    dilation: int = 1
    padding: int = 0
    name: str = "conv"

    def __post_init__(self):
        for field in ("kernel_size", "stride", "dilation"):
            if _int(getattr(self, field), field) < 1:
                raise ValueError(f"{field} must be at least 1, got {getattr(self, field)}")
        if _int(self.padding, "padding") < 0:
            raise ValueError(f"padding must not be negative, got {self.padding}")


@dataclass(frozen=True)
class LayerField:
    """What one output cell of a layer sees of the network's input."""

    name: str
    size: int      # receptive field, in input cells
    jump: int      # input cells between neighbouring outputs of this layer
    start: float   # input coordinate of the centre of the first output's field


def receptive_field(layers) -> list[LayerField]:
    """Receptive field, jump and start after each layer of ``layers`` (input first)."""
    size, jump, start = 1, 1, 0.5
    fields = []
    for layer in layers:
        span = layer.dilation * (layer.kernel_size - 1)
        size += span * jump
        start += (span / 2 - layer.padding) * jump
        jump *= layer.stride
        fields.append(LayerField(layer.name, size, jump, start))
    return fields


def tcn_layers(kernel_size: int, num_blocks: int, convs_per_block: int = 2, base: int = 2):
    """Dilated causal conv layers of a TCN: block b uses dilation base**b (1, 2, 4, ...).

    Causal padding (d*(k-1) on the left only) does not change the field's size.
    """
    layers = []
    for b in range(num_blocks):
        d = base ** b
        for c in range(convs_per_block):
            layers.append(Layer(kernel_size, 1, d, 0, f"block{b + 1}.conv{c + 1} (d={d})"))
    return layers


def tcn_receptive_field(kernel_size: int, num_blocks: int, convs_per_block: int = 2, base: int = 2) -> int:
    """Receptive field of a TCN: 1 + convs_per_block * (k-1) * sum of dilations."""
    layers = tcn_layers(kernel_size, num_blocks, convs_per_block, base)
    return receptive_field(layers)[-1].size if layers else 1
