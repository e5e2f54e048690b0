"""The maths behind every widget and exercise: numpy only, one concept per module."""

from .conv import PADDING_MODES, conv2d, effective_kernel_size, mode_output_size, output_size, resolve_padding
from .params import INCEPTION_3A, conv2d_params, inception_params, linear_params
from .pooling import avg_pool2d, max_pool2d, pool_output_size
from .receptive_field import Layer, LayerField, receptive_field, tcn_layers, tcn_receptive_field

__all__ = [
    "PADDING_MODES", "conv2d", "effective_kernel_size", "mode_output_size", "output_size",
    "resolve_padding",
    "INCEPTION_3A", "conv2d_params", "inception_params", "linear_params",
    "avg_pool2d", "max_pool2d", "pool_output_size",
    "Layer", "LayerField", "receptive_field", "tcn_layers", "tcn_receptive_field",
]
