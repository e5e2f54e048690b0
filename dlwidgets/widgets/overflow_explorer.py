"""Overflow explorer: the same logits through naive and stable softmax in float16, float32 or float64.

Python computes every step with dlwidgets.core.numerics in the chosen format (exp of each logit, the
naive softmax and log-softmax, and the stable log-sum-exp one step at a time) and sends the numbers
as text, so inf, 0 and nan reach the page as they are; the browser draws a number line with each
format's exp limits and the logits on it, and the tables.
"""

from __future__ import annotations

import pathlib

import numpy as np
import traitlets

from ..core import (FLOAT_FORMATS, first_overflow, format_limits, logsumexp_steps, naive_log_softmax, naive_logsumexp,
                    naive_softmax, stable_log_softmax, stable_softmax)
from ._base import CourseWidget, Setting, choice, front_end, real_number

__all__ = ["OverflowExplorer", "DEFAULT_OVERFLOW_LOGITS", "SHIFT_STOPS"]

DEFAULT_OVERFLOW_LOGITS = (3.0, 1.0, 0.2, -2.0)
# The shifts the slider steps through: each format's edges either side (largest default logit = shift + 3).
SHIFT_STOPS = (-1000.0, -749.0, -745.0, -108.0, -104.0, -21.0, -17.0, -10.0, 0.0, 5.0, 8.0, 9.0, 20.0, 50.0, 85.0,
               86.0, 100.0, 500.0, 706.0, 707.0, 1000.0)


def _text(x) -> str:
    """A number as the page shows it: inf, -inf and nan spelled out (JSON has no such numbers)."""
    return f"{float(x):.6g}"


def _texts(values) -> list[str]:
    return [_text(x) for x in np.asarray(values).ravel()]


def _logits(logits) -> np.ndarray:
    if isinstance(logits, str) or not isinstance(logits, (list, tuple, np.ndarray)):
        raise ValueError(f"logits must be a list of numbers such as [3, 1, 0.2, -2], got {logits!r}")
    if not 2 <= len(logits) <= 8:
        raise ValueError(f"give between 2 and 8 logits, got {len(logits)}")
    return np.array([real_number("logits", v, -1e4, 1e4, label="each logit") for v in logits])


class OverflowExplorer(CourseWidget):
    """Naive against stable softmax, log-softmax and log-sum-exp, in float16, float32 or float64."""

    _esm = front_end("overflow_explorer.js")
    _css = pathlib.Path(__file__).with_name("overflow_explorer.css")

    dtype = Setting("float32", help="The floating-point format everything is computed in").tag(sync=True)
    shift = Setting(0.0, help="Added to every logit (softmax does not change; the naive formula may)").tag(sync=True)
    logits = Setting(help="The logits before the shift, 2 to 8 numbers").tag(sync=True)

    _SETTINGS = ("dtype", "shift", "logits")
    _FIGSIZE = (9, 2.6)

    @traitlets.default("logits")
    def _default_logits(self):
        return list(DEFAULT_OVERFLOW_LOGITS)

    def _compute(self, s) -> dict:
        dtype = choice("dtype", s.dtype, FLOAT_FORMATS)
        shift = real_number("shift", s.shift, -1e4, 1e4)
        x = _logits(s.logits) + shift
        with np.errstate(over="ignore"):
            stored = x.astype(dtype)
            exps = np.exp(stored)
            naive_total = exps.sum(dtype=exps.dtype)
        steps = logsumexp_steps(x, dtype)
        limits = {name: format_limits(name) for name in FLOAT_FORMATS}
        naive, stable = naive_softmax(x, dtype), stable_softmax(x, dtype)
        naive_log, stable_log = naive_log_softmax(x, dtype), stable_log_softmax(x, dtype)
        overflow = first_overflow(x, dtype)
        return {
            "dtype": dtype, "shift": shift, "logits": x.tolist(), "stored": _texts(stored),
            "exp": _texts(exps), "exp_inf": np.isinf(exps).tolist(), "exp_zero": (exps == 0).tolist(),
            "naive_softmax": _texts(naive), "stable_softmax": _texts(stable),
            "naive_log_softmax": _texts(naive_log), "stable_log_softmax": _texts(stable_log),
            "naive_bad": (~np.isfinite(naive) | ~np.isfinite(naive_log)).tolist(),
            "naive_logsumexp": _text(naive_logsumexp(x, dtype)), "naive_total": _text(naive_total),
            "steps": {"m": _text(steps.m), "shifted": _texts(steps.shifted), "exps": _texts(steps.exps),
                      "total": _text(steps.total), "log_total": _text(steps.log_total), "result": _text(steps.result)},
            "first_overflow": overflow,
            "naive_fails": bool(np.any(~np.isfinite(naive))),
            "limits": {name: {"exp_overflow": lim.exp_overflow, "exp_underflow": lim.exp_underflow,
                              "largest": _text(lim.largest)} for name, lim in limits.items()},
        }

    # ------------------------------------------------------------ readable without a kernel
    def _title(self) -> str:
        return "Overflow explorer"

    def _describe(self, v: dict) -> str:
        lim = v["limits"][v["dtype"]]
        where = ("no exp overflows" + (f", but their sum does ({v['naive_total']})" if v["naive_total"] == "inf" else "")
                 if v["first_overflow"] is None
                 else f"exp first overflows at logit {v['first_overflow']} ({v['logits'][v['first_overflow']]:g})")
        return (f"Overflow explorer: logits {[round(z, 4) for z in v['logits']]} in {v['dtype']} (exp is finite up "
                f"to x = {lim['exp_overflow']:.5g} and non-zero down to {lim['exp_underflow']:.5g}); {where}. Naive "
                f"softmax: [{', '.join(v['naive_softmax'])}]; stable: [{', '.join(v['stable_softmax'])}]. "
                f"Log-sum-exp: naive {v['naive_logsumexp']}, stable {v['steps']['m']} + log({v['steps']['total']}) "
                f"= {v['steps']['result']}.")

    def _draw_figure(self, fig, v: dict) -> None:
        ax = fig.add_subplot()
        ax.axis("off")
        rows = [["logit x", *[f"{z:g}" for z in v["logits"]]], ["exp(x)", *v["exp"]],
                ["naive softmax", *v["naive_softmax"]], ["stable softmax", *v["stable_softmax"]],
                ["naive log-softmax", *v["naive_log_softmax"]], ["stable log-softmax", *v["stable_log_softmax"]]]
        table = ax.table(cellText=rows, loc="center", cellLoc="center")
        table.auto_set_font_size(False)
        table.set_fontsize(9)
        for (r, c), cell in table.get_celld().items():
            if c > 0 and r in (1, 2, 4) and rows[r][c] in ("inf", "-inf", "nan", "0"):
                cell.set_facecolor("#F5C9A8")
        lim = v["limits"][v["dtype"]]
        where = "no exp overflows" if v["first_overflow"] is None else f"exp overflows first at index {v['first_overflow']}"
        ax.set_title(f"{v['dtype']}: exp(x) is finite for x <= {lim['exp_overflow']:.5g}; {where};\nstable "
                     f"log-sum-exp = {v['steps']['m']} + log({v['steps']['total']}) = {v['steps']['result']}", fontsize=10)
