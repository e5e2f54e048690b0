"""Max and average pooling in 2-D, in PyTorch's conventions (NCHW, floor or ceil mode)."""

from __future__ import annotations

import numpy as np

from .conv import _pair, effective_kernel_size, output_size

__all__ = ["pool_output_size", "max_pool2d", "avg_pool2d"]


def pool_output_size(n, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Output length of pooling along one dimension; stride defaults to the kernel size.

    In ceil mode PyTorch rounds up but drops a last window that would start in the right
    padding, so every window overlaps the input or the left padding.
    """
    stride = kernel_size if stride is None else stride
    if padding * 2 > kernel_size:
        raise ValueError(
            f"pooling padding must be at most half the kernel size, got padding={padding} "
            f"for kernel {kernel_size}"
        )
    floor_len = output_size(n, kernel_size, padding, stride, dilation)
    if not ceil_mode:
        return floor_len
    span = effective_kernel_size(kernel_size, dilation)
    length = -(-(n + 2 * padding - span) // stride) + 1
    if (length - 1) * stride >= n + padding:
        length -= 1
    return length


def _windows(x, kernel_size, stride, padding, dilation, ceil_mode, fill):
    """Padded input and the per-offset strided views that pooling reduces over."""
    x = np.asarray(x, dtype=float)
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    if x.ndim != 4:
        raise ValueError(f"x must have shape (N, C, H, W) or (C, H, W), got {x.shape}")
    kh, kw = _pair(kernel_size, "kernel_size")
    sh, sw = _pair(kernel_size if stride is None else stride, "stride")
    ph, pw = _pair(padding, "padding")
    dh, dw = _pair(dilation, "dilation")
    h_out = pool_output_size(x.shape[2], kh, sh, ph, dh, ceil_mode)
    w_out = pool_output_size(x.shape[3], kw, sw, pw, dw, ceil_mode)
    # Extra cells on the right/bottom so ceil-mode windows stay in bounds; they hold `fill`.
    need_h = (h_out - 1) * sh + effective_kernel_size(kh, dh)
    need_w = (w_out - 1) * sw + effective_kernel_size(kw, dw)
    extra_h = max(0, need_h - (x.shape[2] + 2 * ph))
    extra_w = max(0, need_w - (x.shape[3] + 2 * pw))
    xp = np.pad(x, ((0, 0), (0, 0), (ph, ph + extra_h), (pw, pw + extra_w)), constant_values=fill)
    views = []
    for i in range(kh):
        rows = slice(i * dh, i * dh + sh * (h_out - 1) + 1, sh)
        for j in range(kw):
            cols = slice(j * dw, j * dw + sw * (w_out - 1) + 1, sw)
            views.append(xp[:, :, rows, cols])
    return np.stack(views), unbatched, (ph, pw, extra_h, extra_w, kh, kw, sh, sw, dh, dw, x.shape)


def max_pool2d(x, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Maximum over each window (padding counts as -inf, so it never wins)."""
    views, unbatched, _ = _windows(x, kernel_size, stride, padding, dilation, ceil_mode, -np.inf)
    out = views.max(axis=0)
    return out[0] if unbatched else out


def avg_pool2d(x, kernel_size, stride=None, padding=0, ceil_mode=False, count_include_pad=True):
    """Mean over each window. Zero padding counts in the divisor when count_include_pad,
    as in PyTorch; cells beyond the padding (ceil mode) never count."""
    views, unbatched, geo = _windows(x, kernel_size, stride, padding, 1, ceil_mode, 0.0)
    ph, pw, extra_h, extra_w, kh, kw, sh, sw, _, _, shape = geo
    total = views.sum(axis=0)
    # Divisor per output cell: count the window cells that are real input (or padding).
    h, w = shape[2], shape[3]
    lo_h, hi_h = (0, h + 2 * ph) if count_include_pad else (ph, ph + h)
    lo_w, hi_w = (0, w + 2 * pw) if count_include_pad else (pw, pw + w)
    mask = np.zeros((h + 2 * ph + extra_h, w + 2 * pw + extra_w))
    mask[lo_h:hi_h, lo_w:hi_w] = 1.0
    count_views, _, _ = _windows(mask[None, None], (kh, kw), (sh, sw), 0, 1, False, 0.0)
    counts = count_views.sum(axis=0)[0, 0][: total.shape[2], : total.shape[3]]
    out = total / counts
    return out[0] if unbatched else out
