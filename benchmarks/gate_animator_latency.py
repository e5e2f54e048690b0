"""Gate animator speed in a real browser: playback frame rate, and control-to-pixels latency
beside the matplotlib ``interact`` baseline. Prints numbers.

    python benchmarks/gate_animator_latency.py [--presses 30] [--seconds 4]

Measures, in Chromium driving JupyterLab:
* playback: canvas frames drawn per second while the animator plays (requestAnimationFrame);
* latency: key press on the forget-gate-bias slider -> the canvas is redrawn -> next animation
  frame. Normally the new view is already in the browser (look-ahead: Python computed core's
  views one slider step either side after the previous change); measured again with look-ahead
  off, when each press waits for the kernel to recompute with dlwidgets.core; and the same for
  an ``interact`` slider that re-creates a matplotlib figure of the same gates (inline backend).
* kernel side: one settings change, and the look-ahead request that follows it.
Targets: playback >= 30 frames per second, widget median <= 50 ms.
"""

from __future__ import annotations

import argparse

from latency import (changing, computing, fps_playing_for, measure_baseline, press_and_measure,
                     presses_without_lookahead, summary, time_calls, widget_and_baseline)

from dlwidgets.widgets import GateAnimator

WIDGET_CELL = """\
from dlwidgets.widgets import GateAnimator
gates = GateAnimator()
gates"""

BASELINE_CELL = """\
%matplotlib inline
import matplotlib.pyplot as plt
from ipywidgets import FloatSlider, interact
from dlwidgets.core import lstm_experiment, retained_fraction

def show(forget_bias=0.0):
    _, run = lstm_experiment(forget_bias=forget_bias)
    fig, axes = plt.subplots(1, 3, figsize=(10, 3.4), dpi=80)
    for gate in ("i", "f", "g", "o"):
        axes[0].plot(getattr(run, gate).mean(axis=1), label=gate)
    axes[0].legend()
    axes[1].plot(run.c)
    axes[2].plot(retained_fraction(run.f))
    axes[2].set_ylim(0, 1)
    plt.show()

interact(show, forget_bias=FloatSlider(value=0.0, min=-6, max=10, step=0.25, description="forget bias"));"""


def playback_fps(page, seconds: float) -> float:
    """Frames the animator draws per second while playing."""
    widget = page.locator(".dlw-gates").first
    widget.locator("input[aria-label='Speed (time steps per second)']").fill("1")
    play = widget.get_by_role("button", name="Play or pause the sequence")
    return fps_playing_for(page, ".dlw-gates", play.click, play.click, seconds)


def kernel_side(updates: int) -> dict:
    """One forget-bias change (core's LSTM and GRU runs, the view and its JSON), and the look-ahead after it."""
    gates = computing(GateAnimator())
    biases = [-6 + 0.25 * (i % 65) for i in range(updates)]
    return {"one settings change": summary(time_calls(changing(gates, "forget_bias"), biases)),
            "look-ahead (two neighbouring views)": summary(time_calls(
                lambda bias: gates._nearby("forget_bias", [bias - 0.25, bias + 0.25]), biases))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--updates", type=int, default=100)
    args = parser.parse_args()

    for name, s in kernel_side(args.updates).items():
        print(f"kernel side, {name}: median {s['median']:.2f} ms, p95 {s['p95']:.2f} ms")
    slider = ".dlw-gates input[data-setting='forget_bias']"
    with widget_and_baseline(WIDGET_CELL, BASELINE_CELL, ".dlw-gates") as page:
        fps = playback_fps(page, args.seconds)
        widget = summary(press_and_measure(page, "draws", ".dlw-gates", slider, args.presses))
        kernel = summary(presses_without_lookahead(page, "draws", ".dlw-gates", slider, "gates", args.presses))
        baseline = summary(measure_baseline(page, args.presses))

    print(f"gate animator playback: {fps:.1f} frames per second (target >= 30): {'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    print(f"  gate animator, slider step (look-ahead):              {widget['median']:6.1f} / {widget['p95']:6.1f} ms")
    print(f"  gate animator, look-ahead off (through the kernel):   {kernel['median']:6.1f} / {kernel['p95']:6.1f} ms")
    print(f"  matplotlib interact baseline (figure re-created):     {baseline['median']:6.1f} / {baseline['p95']:6.1f} ms")
    print(f"widget median {widget['median']:.1f} ms (target <= 50 ms): {'met' if widget['median'] <= 50 else 'NOT met'}; "
          f"{baseline['median'] / widget['median']:.1f}x faster than the baseline")


if __name__ == "__main__":
    main()
