"""Convolution arithmetic and a 2-D convolution forward pass, in PyTorch's conventions.

Layout is NCHW; a weight has shape (C_out, C_in / groups, kH, kW). As in every deep-learning
framework, "convolution" here is cross-correlation: the kernel is not flipped.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "PADDING_MODES",
    "output_size",
    "mode_output_size",
    "resolve_padding",
    "effective_kernel_size",
    "conv2d",
]

PADDING_MODES = ("valid", "same", "full")


def _pair(value, name):
    """Return ``value`` as a pair of ints (one per spatial dimension)."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be an int or a pair of ints, got {value!r}")
        return tuple(_int(v, name) for v in value)
    v = _int(value, name)
    return (v, v)


def _int(value, name):
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be a whole number, got {value!r}")
    return int(value)


def effective_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """Span of a dilated kernel: d*(k-1) + 1 cells."""
    return dilation * (kernel_size - 1) + 1


def _check_positive(kernel_size, stride, dilation):
    if kernel_size < 1:
        raise ValueError(f"kernel size must be at least 1, got {kernel_size}")
    if stride < 1:
        raise ValueError(f"stride must be at least 1, got {stride}")
    if dilation < 1:
        raise ValueError(f"dilation must be at least 1, got {dilation}")


def resolve_padding(padding, kernel_size: int, dilation: int = 1, stride: int = 1):
    """Turn a padding setting into (before, after) cells for one dimension.

    ``padding`` is a non-negative int (the same on both sides, as in PyTorch) or one of
    'valid' (no padding), 'same' (output size equals input size; stride 1 only, the odd
    cell goes after, as in PyTorch) or 'full' (every partial overlap: d*(k-1) each side).
    """
    _check_positive(kernel_size, stride, dilation)
    if isinstance(padding, str):
        span = dilation * (kernel_size - 1)
        if padding == "valid":
            return (0, 0)
        if padding == "same":
            if stride != 1:
                raise ValueError("padding='same' needs stride 1 (PyTorch rejects it too)")
            return (span // 2, span - span // 2)
        if padding == "full":
            return (span, span)
        raise ValueError(f"padding must be a number or one of {PADDING_MODES}, got {padding!r}")
    p = _int(padding, "padding")
    if p < 0:
        raise ValueError(f"padding must not be negative, got {p}")
    return (p, p)


def output_size(n: int, kernel_size: int, padding=0, stride: int = 1, dilation: int = 1) -> int:
    """Output length of a convolution or pooling along one dimension.

    floor((n + p_before + p_after - d*(k-1) - 1) / s) + 1, which for symmetric padding p is
    PyTorch's floor((n + 2p - d(k-1) - 1)/s) + 1. Raises ValueError when the dilated kernel
    does not fit in the padded input.
    """
    n = _int(n, "input size")
    kernel_size = _int(kernel_size, "kernel size")
    stride = _int(stride, "stride")
    dilation = _int(dilation, "dilation")
    if n < 1:
        raise ValueError(f"input size must be at least 1, got {n}")
    before, after = resolve_padding(padding, kernel_size, dilation, stride)
    return _padded_output_size(n, before, after, kernel_size, stride, dilation)


def _padded_output_size(n, before, after, kernel_size, stride, dilation):
    """Number of kernel positions in an input of n cells padded by before + after."""
    padded = n + before + after
    span = effective_kernel_size(kernel_size, dilation)
    if span > padded:
        raise ValueError(
            f"the kernel spans {span} cells (k={kernel_size}, dilation={dilation}) but the "
            f"padded input has only {padded} (n={n}, padding {before}+{after})"
        )
    return (padded - span) // stride + 1


def mode_output_size(m: int, k: int, mode: str) -> int:
    """Output length for the classic modes at stride 1: valid m-k+1, same m, full m+k-1."""
    return output_size(m, k, padding=mode, stride=1, dilation=1)


def conv2d(x, weight, bias=None, stride=1, padding=0, dilation=1, groups: int = 1):
    """2-D cross-correlation like ``torch.nn.functional.conv2d``.

    x: (N, C_in, H, W) or unbatched (C_in, H, W); weight: (C_out, C_in/groups, kH, kW);
    bias: (C_out,) or None. stride, padding, dilation: int or pair; padding may also be
    'valid', 'same' or 'full'. Returns (N, C_out, H_out, W_out) (unbatched if x was).
    """
    x = np.asarray(x, dtype=float)
    weight = np.asarray(weight, dtype=float)
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W) or (C, H, W), got {x.shape}")
    if weight.ndim != 4:
        raise ValueError(f"weight must have shape (C_out, C_in/groups, kH, kW), got {weight.shape}")
    groups = _int(groups, "groups")
    n_batch, c_in, height, width = x.shape
    c_out, c_per_group, kh, kw = weight.shape
    if groups < 1 or c_in % groups or c_out % groups:
        raise ValueError(f"groups={groups} must divide C_in={c_in} and C_out={c_out}")
    if c_per_group != c_in // groups:
        raise ValueError(
            f"weight expects {c_per_group} input channels per group but x has "
            f"{c_in} channels in {groups} group(s)"
        )
    sh, sw = _pair(stride, "stride")
    dh, dw = _pair(dilation, "dilation")
    if isinstance(padding, str):
        pad_h = resolve_padding(padding, kh, dh, sh)
        pad_w = resolve_padding(padding, kw, dw, sw)
    else:
        ph, pw = _pair(padding, "padding")
        pad_h = resolve_padding(ph, kh, dh, sh)
        pad_w = resolve_padding(pw, kw, dw, sw)
    h_out = _padded_output_size(height, *pad_h, kh, sh, dh)
    w_out = _padded_output_size(width, *pad_w, kw, sw, dw)
    xp = np.pad(x, ((0, 0), (0, 0), pad_h, pad_w))

    out = np.zeros((n_batch, c_out, h_out, w_out))
    out_per_group = c_out // groups
    for g in range(groups):
        xs = xp[:, g * c_per_group:(g + 1) * c_per_group]
        ws = weight[g * out_per_group:(g + 1) * out_per_group]
        acc = out[:, g * out_per_group:(g + 1) * out_per_group]
        for i in range(kh):
            rows = slice(i * dh, i * dh + sh * (h_out - 1) + 1, sh)
            for j in range(kw):
                cols = slice(j * dw, j * dw + sw * (w_out - 1) + 1, sw)
                # (N, Cg, Ho, Wo) x (Og, Cg) -> (N, Og, Ho, Wo)
                acc += np.einsum("nchw,oc->nohw", xs[:, :, rows, cols], ws[:, :, i, j])
    if bias is not None:
        bias = np.asarray(bias, dtype=float)
        if bias.shape != (c_out,):
            raise ValueError(f"bias must have shape ({c_out},), got {bias.shape}")
        out += bias[None, :, None, None]
    return out[0] if unbatched else out
