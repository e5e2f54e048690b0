"""Parameter counts of conv layers, 1x1 bottlenecks and an Inception-style block."""

from __future__ import annotations

from .conv import _int, _pair

__all__ = ["conv2d_params", "linear_params", "inception_params", "INCEPTION_3A"]


def conv2d_params(in_channels, out_channels, kernel_size, groups=1, bias=True) -> int:
    """Weights plus biases of ``nn.Conv2d``: C_out * (C_in/groups) * kH * kW (+ C_out)."""
    cin, cout, g = (_int(v, n) for v, n in ((in_channels, "in_channels"),
                                             (out_channels, "out_channels"), (groups, "groups")))
    kh, kw = _pair(kernel_size, "kernel_size")
    if min(cin, cout, g, kh, kw) < 1:
        raise ValueError("channels, groups and kernel size must all be at least 1")
    if cin % g or cout % g:
        raise ValueError(f"groups={g} must divide in_channels={cin} and out_channels={cout}")
    return cout * (cin // g) * kh * kw + (cout if bias else 0)


def linear_params(in_features, out_features, bias=True) -> int:
    """Weights plus biases of ``nn.Linear``."""
    return in_features * out_features + (out_features if bias else 0)


# GoogLeNet's inception (3a): input 192 channels (Szegedy et al. 2014, table 1).
INCEPTION_3A = dict(in_channels=192, c1=64, c3_reduce=96, c3=128, c5_reduce=16, c5=32, pool_proj=32)


def inception_params(in_channels, c1, c3_reduce, c3, c5_reduce, c5, pool_proj, bias=True) -> dict:
    """Parameters per branch of a GoogLeNet Inception block with 1x1 reductions.

    Branches: 1x1; 1x1 -> 3x3; 1x1 -> 5x5; 3x3 max-pool -> 1x1. Returns a dict with one
    entry per branch and 'total'; the output has c1 + c3 + c5 + pool_proj channels.
    """
    branches = {
        "1x1": conv2d_params(in_channels, c1, 1, bias=bias),
        "3x3": conv2d_params(in_channels, c3_reduce, 1, bias=bias) + conv2d_params(c3_reduce, c3, 3, bias=bias),
        "5x5": conv2d_params(in_channels, c5_reduce, 1, bias=bias) + conv2d_params(c5_reduce, c5, 5, bias=bias),
        "pool": conv2d_params(in_channels, pool_proj, 1, bias=bias),
    }
    branches["total"] = sum(branches.values())
    return branches
