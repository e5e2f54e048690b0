"""Checks for lesson 08 (convolutions and CNNs). Expected values come from dlwidgets.core."""

from __future__ import annotations

import math

import numpy as np

from ..core import Layer, conv2d, conv2d_params, output_size, receptive_field, tcn_receptive_field
from .checking import Case, CheckFailed, Mistake, check_choice, check_function, check_value, register_hints

__all__ = [
    "check_conv_output_size", "check_conv2d_single", "check_receptive_field", "check_param_count",
    "check_tcn_receptive_field", "check_one_by_one", "check_size_challenge",
    "CHALLENGE_INPUT", "CHALLENGE_KERNEL", "CHALLENGE_OUTPUT",
]

# ---------------------------------------------------------------- 1. output size

OUTPUT_SIZE_CASES = [
    Case((32, 3, 1, 1, 1)), Case((32, 5, 2, 2, 1)), Case((227, 11, 0, 4, 1)),
    Case((8, 3, 0, 2, 1)), Case((10, 3, 0, 1, 2)), Case((7, 3, 1, 2, 2)), Case((10, 3, 0, 3, 1)),
]
MODE_CASES = [
    Case((9, 3, "valid", 2, 1)), Case((10, 4, "same", 1, 1)), Case((12, 3, "same", 1, 3)),
    Case((7, 4, "full", 1, 1)), Case((9, 3, "full", 2, 2)),
]

def _padding_cells(p, k, s, d, same_each_side):
    """Total padding of a mode, with 'same' split as (k-1)//2 on each side when ``same_each_side``."""
    span = d * (k - 1)
    if p == "valid":
        return 0
    if p == "same":
        return 2 * (span // 2) if same_each_side else span
    if p == "full":
        return 2 * span
    return 2 * p


def _with_padding(formula, same_each_side=False):
    """A mistaken formula of numeric padding, extended to the modes."""
    return lambda n, k, p=0, s=1, d=1: formula(n, k, _padding_cells(p, k, s, d, same_each_side) / 2, s, d)


OUTPUT_SIZE_MISTAKES = [
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: int((n + 2 * p - d * (k - 1) - 1) // s + 1), same_each_side=True),
            "'same' pads d*(k-1)//2 on each side, which loses a cell for an even kernel: 'same' pads d*(k-1) cells in "
            "total, d*(k-1)//2 before and the rest after (PyTorch puts the odd cell after)."),
    Mistake(lambda n, k, p=0, s=1, d=1: (n - 1) // s + 1 if p == "full" else output_size(n, k, p, s, d),
            "'full' is treated like 'same'. Full padding computes every partial overlap: d*(k-1) cells on each side, "
            "so the output is n + d*(k-1) at stride 1."),
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: (n + 2 * p - k) // s + 1),
            "the dilation is missing. A kernel of size k with dilation d spans d*(k-1)+1 cells, "
            "so subtract d*(k-1) + 1, not k."),
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: (n + p - d * (k - 1) - 1) // s + 1),
            "the input is padded on one side only. Padding p adds p cells on each side: n + 2p."),
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: math.floor((n + 2 * p - d * (k - 1) - 1) / s + 0.5) + 1),
            "the division is rounded to the nearest whole number. Round down (floor, `//`): "
            "a window that would run past the edge is not computed."),
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: math.ceil((n + 2 * p - d * (k - 1) - 1) / s) + 1),
            "the division is rounded up. Convolutions round down (floor, `//`); rounding up is "
            "pooling's optional ceil_mode."),
    Mistake(_with_padding(lambda n, k, p=0, s=1, d=1: (n + 2 * p - d * (k - 1) - 1) // s),
            "the `+ 1` is missing: the first window position counts too."),
]

register_hints("conv_output_size", [
    "Count the positions where the kernel fits. The padded input has n + 2p cells; a dilated "
    "kernel spans d*(k-1) + 1 of them.",
    "The first window starts at 0, the next at s, and so on. The last start is at most "
    "(n + 2p) - (d*(k-1) + 1). How many multiples of s are there from 0 to that number?",
    "For the modes, find the TOTAL padding: valid 0, same d*(k-1) (so the output equals n at stride 1), full "
    "2*d*(k-1) (every partial overlap).",
    "span = d * (k - 1)\n"
    "total = {'valid': 0, 'same': span, 'full': 2 * span}.get(p, 2 * p) if isinstance(p, str) else 2 * p\n"
    "return (n + total - span - 1) // s + 1",
])


def check_conv_output_size(fn, extra_cases=()) -> None:
    """Check the learner's conv_output_size(n, k, p, s, d) against core.output_size: numeric padding first (so the
    classic mistakes are diagnosed before the modes are written), then the modes valid, same and full."""
    cases = OUTPUT_SIZE_CASES + [Case(tuple(c)) for c in extra_cases]
    check_function(fn, output_size, cases, exercise="conv_output_size", name="conv_output_size",
                   mistakes=OUTPUT_SIZE_MISTAKES[2:])
    check_function(fn, output_size, MODE_CASES, exercise="conv_output_size", name="conv_output_size",
                   mistakes=OUTPUT_SIZE_MISTAKES)


# ---------------------------------------------------------------- 2. conv2d on one channel

def _reference_single(x, w, stride=1, padding=0):
    return conv2d(np.asarray(x, float)[None, None], np.asarray(w, float)[None, None],
                  stride=stride, padding=padding)[0, 0]


def _flipped_single(x, w, stride=1, padding=0):
    return _reference_single(x, np.asarray(w, float)[::-1, ::-1], stride, padding)


def _conv2d_cases(extra_seeds=()):
    cases = []
    specs = [((5, 5), (3, 3), 1, 0), ((5, 5), (3, 3), 1, 1), ((6, 7), (3, 2), 2, 1), ((4, 4), (1, 1), 1, 0)]
    specs += [((7, 5), (3, 3), 2, 2)] if extra_seeds else []
    for seed, (xs, ws, s, p) in enumerate(specs):
        rng = np.random.default_rng(80 + seed)
        x = rng.integers(-3, 4, size=xs).astype(float)
        w = rng.integers(-2, 3, size=ws).astype(float)
        cases.append(Case((x, w), {"stride": s, "padding": p},
                          label=f"x of shape {xs}, w of shape {ws}, stride={s}, padding={p}"))
    return cases


register_hints("conv2d_single", [
    "First compute the output shape with your conv_output_size, and pad x with np.pad(x, padding).",
    "For output cell (r, c), the window starts at row r*stride and column c*stride of the padded "
    "input; multiply it element-wise by w and sum.",
    "xp = np.pad(np.asarray(x, float), padding)\n"
    "kh, kw = w.shape\n"
    "ho = (xp.shape[0] - kh) // stride + 1\n"
    "wo = (xp.shape[1] - kw) // stride + 1\n"
    "out = np.zeros((ho, wo))\n"
    "for r in range(ho):\n"
    "    for c in range(wo):\n"
    "        out[r, c] = np.sum(xp[r*stride:r*stride + kh, c*stride:c*stride + kw] * w)\n"
    "return out",
])


def check_conv2d_single(fn, hidden: bool = False) -> None:
    """Check the learner's one-channel conv2d(x, w, stride, padding) against core.conv2d."""
    check_function(fn, _reference_single, _conv2d_cases(extra_seeds=(1,) if hidden else ()),
                   exercise="conv2d_single", name="conv2d_single",
                   mistakes=[Mistake(_flipped_single,
                                     "the kernel is flipped. Deep-learning 'convolution' is cross-correlation: "
                                     "w[0, 0] multiplies the window's top-left cell, with no flip.")])


# ---------------------------------------------------------------- 3. predict numbers

register_hints("receptive_field", [
    "At stride 1 each 3x3 layer widens the field by 2. With stride, a step of one cell in a layer's output is a "
    "step of several input cells (the jump).",
    "Field after each layer: rf += (k - 1) * jump, then jump *= stride. The jump before the layers is 1.",
    "rf_strided = 1 + 2 * 1 + 2 * 2 + 2 * 4  # = 15",
])

STRIDED_STACK = [Layer(3, stride=2), Layer(3, stride=2), Layer(3, stride=2)]


def check_receptive_field(answer) -> None:
    """Receptive field of three stacked 3x3 convolutions, each with stride 2."""
    expected = receptive_field(STRIDED_STACK)[-1].size
    check_value(answer, expected, exercise="receptive_field", name="rf_strided", mistakes={
        7: "that is the field at stride 1. With stride 2 each later layer's cells are 2, then 4 input cells apart, "
           "so its kernel reaches further: add (k - 1) * jump.",
        29: "the jump is multiplied by the stride after a layer widens the field, not before: the first layer adds "
            "2 * 1, the second 2 * 2, the third 2 * 4.",
        27: "receptive fields grow by addition ((k - 1) * jump per layer), not multiplication.",
        9: "adding the kernel sizes (3 + 3 + 3) ignores both the overlap and the stride."})


register_hints("param_count", [
    "With groups=4 the 16 input channels are split into 4 groups of 4, and each output channel sees one group.",
    "C_out * (C_in / groups) * k * k + C_out",
    "params_conv = 32 * (16 // 4) * 5 * 5 + 32  # = 3232",
])


def check_param_count(answer) -> None:
    """Parameters of nn.Conv2d(16, 32, kernel_size=5, groups=4)."""
    check_value(answer, conv2d_params(16, 32, 5, groups=4), exercise="param_count", name="params_conv", mistakes={
        12832: "the groups are ignored: each output channel sees only C_in / groups = 4 input channels, not 16.",
        3200: "the 32 biases are missing (nn.Conv2d has bias=True by default).",
        832: "the output channels were divided by the groups too: there are 32 kernels, each over 4 channels.",
        12800: "the groups are ignored and the biases are missing."})


register_hints("tcn_receptive_field", [
    "A dilated kernel of size k adds d*(k-1) cells to the receptive field; causal padding "
    "does not change that.",
    "Each block has two convolutions with the same dilation: add 2*(k-1)*d for d = 1, 2, 4, 8, 16, then 1.",
    "tcn_rf = 1 + 2 * (2 - 1) * (1 + 2 + 4 + 8 + 16)  # = 63",
])


def check_tcn_receptive_field(answer) -> None:
    """Receptive field of a TCN: kernel 2, 5 blocks of two causal convs, dilations 1, 2, 4, 8, 16."""
    check_value(answer, tcn_receptive_field(2, 5, 2), exercise="tcn_receptive_field", name="tcn_rf", mistakes={
        32: "each residual block has two dilated convolutions, so each dilation counts twice.",
        11: "dilation multiplies each layer's reach: add (k-1)*d, not k-1, per layer.",
        62: "start from 1: a field is one cell before any layer widens it.",
        125: "that is kernel 3's field; with kernel 2 each layer adds (2 - 1) * d."})


# ---------------------------------------------------------------- 4. multiple choice

ONE_BY_ONE_OPTIONS = {
    "a": "A 1x1 kernel is not the identity: each output channel is a learned weighted sum of all 256 input "
         "channels, so there are 256 x 64 weights, not 256.",
    "b": "A 1x1 window covers a single pixel, so it cannot blur neighbours; it has no 3x3 taps.",
    "c": "At each pixel it maps the 256 channel values to 64 new ones with a learned linear map (a per-pixel linear "
         "layer): 256 x 64 weights + 64 biases = 16,448. It cuts the cost of the 3x3 layer that follows; with ReLU "
         "it also adds a non-linearity. This is the bottleneck of NIN, GoogLeNet and ResNet.",
    "d": "With stride 1 a 1x1 convolution keeps the spatial size (56x56), and unlike pooling it has parameters.",
}

register_hints("one_by_one", [
    "A 1x1 window sees one pixel at a time, but all of its channels.",
    "Write the output at one pixel as a formula: y[o] = sum over c of w[o, c] * x[c] + b[o]. Count the w and b.",
    "The answer is (c).",
])


def check_one_by_one(answer) -> None:
    """What a 1x1 convolution from 256 to 64 channels does."""
    check_choice(answer, "c", ONE_BY_ONE_OPTIONS, exercise="one_by_one", name="one_by_one")


# ---------------------------------------------------------------- 5. widget challenge

CHALLENGE_INPUT, CHALLENGE_KERNEL, CHALLENGE_OUTPUT = 32, 5, 16

register_hints("size_challenge", [
    "Halving the size needs stride 2. Then choose the padding.",
    f"With s = 2: floor(({CHALLENGE_INPUT} + 2p - {CHALLENGE_KERNEL})/2) + 1 = {CHALLENGE_OUTPUT}. Try p = 1, 2, 3 "
    "in the calculator and watch the formula.",
    "challenge = dict(input_size=32, kernel_size=5, padding=2, stride=2, dilation=1)",
])


def check_size_challenge(settings) -> None:
    """The learner's settings must turn a 32-wide input into 16 with a 5-wide kernel."""
    if settings is ...:
        raise CheckFailed("`challenge` is not answered yet.\nSet the calculator, then run "
                          "`challenge = calc.settings()` (or write the dict by hand).")
    if not isinstance(settings, dict):
        raise CheckFailed(f"`challenge` should be a dict like calc.settings() returns, got {type(settings).__name__}.")
    missing = [k for k in ("input_size", "kernel_size", "padding", "stride", "dilation") if k not in settings]
    if missing:
        raise CheckFailed(f"`challenge` is missing {', '.join(missing)}.")
    if settings["input_size"] != CHALLENGE_INPUT or settings["kernel_size"] != CHALLENGE_KERNEL:
        raise CheckFailed(f"The challenge is for input size {CHALLENGE_INPUT} and kernel size {CHALLENGE_KERNEL}; "
                          f"yours has {settings['input_size']} and {settings['kernel_size']}.")
    try:
        got = output_size(settings["input_size"], settings["kernel_size"], settings["padding"],
                          settings["stride"], settings["dilation"])
    except (TypeError, ValueError) as exc:
        raise CheckFailed(f"Those settings are impossible: {exc}.") from None
    if got != CHALLENGE_OUTPUT:
        raise CheckFailed(f"Those settings give an output of {got}, not {CHALLENGE_OUTPUT}.\n"
                          "Stuck? Run hint('size_challenge') for a hint.")
    print(f"✔ input {CHALLENGE_INPUT}, kernel {CHALLENGE_KERNEL}, padding {settings['padding']}, "
          f"stride {settings['stride']}, dilation {settings['dilation']} gives {got}.")
