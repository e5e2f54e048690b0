"""Independent oracles: the definitions written as plain loops, no tricks, and finite differences."""

import math

import numpy as np

EPS = 1e-6


def numeric_grad(loss, array, eps=EPS):
    """Central differences of loss() with respect to every entry of array (changed in place)."""
    grad = np.zeros_like(array)
    for idx in np.ndindex(array.shape):
        keep = array[idx]
        array[idx] = keep + eps
        up = loss()
        array[idx] = keep - eps
        down = loss()
        array[idx] = keep
        grad[idx] = (up - down) / (2 * eps)
    return grad


def sig(a):
    """The logistic function, written the textbook way (no stabilising tricks)."""
    return 1.0 / (1.0 + np.exp(-a))


def brute_conv2d(x, w, b, stride, padding, dilation, groups):
    """x: [N][C][H][W] nested lists, w: [O][C/g][kh][kw]; symmetric int padding."""
    n_batch, c_in, h, wd = len(x), len(x[0]), len(x[0][0]), len(x[0][0][0])
    c_out, cpg, kh, kw = len(w), len(w[0]), len(w[0][0]), len(w[0][0][0])
    opg = c_out // groups

    def at(n, c, i, j):
        i, j = i - padding, j - padding
        if 0 <= i < h and 0 <= j < wd:
            return x[n][c][i][j]
        return 0.0

    ho = math.floor((h + 2 * padding - dilation * (kh - 1) - 1) / stride) + 1
    wo = math.floor((wd + 2 * padding - dilation * (kw - 1) - 1) / stride) + 1
    out = [[[[0.0] * wo for _ in range(ho)] for _ in range(c_out)] for _ in range(n_batch)]
    for n in range(n_batch):
        for o in range(c_out):
            g = o // opg
            for r in range(ho):
                for c in range(wo):
                    s = b[o] if b is not None else 0.0
                    for ci in range(cpg):
                        for i in range(kh):
                            for j in range(kw):
                                s += w[o][ci][i][j] * at(n, g * cpg + ci, r * stride + i * dilation, c * stride + j * dilation)
                    out[n][o][r][c] = s
    return out


def brute_pool2d(x, k, stride, padding, reduce, ceil_mode=False, count_include_pad=True):
    """Pooling over one (H, W) plane given as nested lists; windows enumerated by hand."""
    h, w = len(x), len(x[0])
    if ceil_mode:
        ho = math.ceil((h + 2 * padding - k) / stride) + 1
        if (ho - 1) * stride >= h + padding:
            ho -= 1
        wo = math.ceil((w + 2 * padding - k) / stride) + 1
        if (wo - 1) * stride >= w + padding:
            wo -= 1
    else:
        ho = (h + 2 * padding - k) // stride + 1
        wo = (w + 2 * padding - k) // stride + 1
    out = []
    for r in range(ho):
        row = []
        for c in range(wo):
            vals, count = [], 0
            for i in range(r * stride - padding, r * stride - padding + k):
                for j in range(c * stride - padding, c * stride - padding + k):
                    inside = 0 <= i < h and 0 <= j < w
                    in_pad = -padding <= i < h + padding and -padding <= j < w + padding
                    if inside:
                        vals.append(x[i][j])
                        count += 1
                    elif in_pad:
                        vals.append(0.0 if reduce == "avg" else -math.inf)
                        count += 1 if count_include_pad else 0
            row.append(max(vals) if reduce == "max" else sum(vals) / count)
        out.append(row)
    return out
