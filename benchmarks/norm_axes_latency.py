"""Normalisation-axes widget speed in a real browser: control-to-pixels latency and the playback frame
rate of batch norm's running statistics. Prints numbers.

    python benchmarks/norm_axes_latency.py [--presses 30]

Measures, in Chromium driving JupyterLab:
* latency: key press on the batch-size slider -> the canvas is redrawn -> next animation frame, with the
  look-ahead (Python sent core's views one step either side) and with it switched off (each press waits
  for the kernel to recompute with dlwidgets.core);
* playback: frames drawn per second while the running statistics play at the fastest speed (60 batches
  per second), one full pass;
* kernel side: one settings change (core's statistics, the 60-batch running statistics, the view's JSON).
Targets: widget median <= 50 ms, playback >= 30 frames per second.
"""

from __future__ import annotations

import argparse

from latency import changing, computing, fps_playing_to_the_end, slider_and_playback, summary, time_calls

from dlwidgets.widgets import NormAxes

WIDGET_CELL = """\
from dlwidgets.widgets import NormAxes
norm = NormAxes(kind="batch", batch_size=8)
norm"""
ROOT = ".dlw-norm"


def playback_fps(page) -> float:
    """Frames drawn per second while the running statistics play at 60 batches per second."""
    return fps_playing_to_the_end(page, ".dlw-norm", "Speed (training batches per second)", "One more training batch",
                                  "Play or pause the running statistics", "step", "60")   # the rewind pauses at batch 1


def kernel_side(updates: int) -> dict:
    norm = computing(NormAxes())
    sizes = [1 + i % 16 for i in range(updates)]
    return {"one batch-size change": summary(time_calls(changing(norm, "batch_size"), sizes)),
            "look-ahead (two neighbouring views)": summary(time_calls(
                lambda b: norm._nearby("batch_size", [max(1, b - 1), min(16, b + 1)]), sizes))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=100)
    args = parser.parse_args()

    for name, s in kernel_side(args.updates).items():
        print(f"kernel side, {name}: median {s['median']:.2f} ms, p95 {s['p95']:.2f} ms")
    slider = f"{ROOT} input[data-setting='batch_size']"
    widget, kernel, fps = slider_and_playback(WIDGET_CELL, ROOT, slider, "norm", args.presses, playback_fps)

    print(f"running-statistics playback at 60 batches per second: {fps:.1f} frames per second "
          f"(target >= 30): {'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    print(f"  batch-size step (look-ahead):                 {widget['median']:6.1f} / {widget['p95']:6.1f} ms")
    print(f"  batch-size step, look-ahead off (kernel):     {kernel['median']:6.1f} / {kernel['p95']:6.1f} ms")
    print(f"widget median {widget['median']:.1f} ms (target <= 50 ms): {'met' if widget['median'] <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
