"""Overfitting-explorer speed: one training run in the kernel, control-to-pixels latency in a real browser,
and the playback frame rate of the recorded epochs. Prints numbers.

    python benchmarks/overfitting_explorer_latency.py [--presses 20]

Measures:
* kernel side: one settings change at lesson defaults (core trains 64 hidden units for 2000 epochs and the
  view is serialised), the budget for which is about 0.3 s;
* latency, in Chromium driving JupyterLab: key press on the hidden-units slider -> the canvas is redrawn ->
  next animation frame, with the look-ahead (the neighbouring runs were trained while the learner looked)
  and with it switched off (each press waits for a training run);
* playback: frames drawn per second while the 100 recorded epochs play at 60 per second.
Targets: widget median <= 50 ms, playback >= 30 frames per second.
"""

from __future__ import annotations

import argparse

from latency import changing, computing, fps_playing_to_the_end, slider_and_playback, summary, time_calls

from dlwidgets.widgets import OverfittingExplorer

WIDGET_CELL = """\
from dlwidgets.widgets import OverfittingExplorer
explorer = OverfittingExplorer()
explorer"""
ROOT = ".dlw-over"


def playback_fps(page) -> float:
    """Frames drawn per second while the recorded epochs play at 60 per second."""
    return fps_playing_to_the_end(page, ROOT, "Speed (recorded epochs per second)", "Twenty more epochs",
                                  "Play or pause training", "epoch", "2000")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--updates", type=int, default=20)
    args = parser.parse_args()

    explorer = computing(OverfittingExplorer())
    run = summary(time_calls(changing(explorer, "hidden"), [64 - i % 8 for i in range(args.updates)], warmup=2))
    print(f"kernel side, one training run and its view (64 units, 2000 epochs): median {run['median']:.1f} ms, "
          f"p95 {run['p95']:.1f} ms (budget about 300 ms)")
    slider = f"{ROOT} input[data-setting='hidden']"
    # the look-ahead trains both neighbours (about 0.1 s each) before the next press
    widget, kernel, fps = slider_and_playback(WIDGET_CELL, ROOT, slider, "explorer", args.presses, playback_fps,
                                               keys=("ArrowLeft", "ArrowRight"), pause_s=0.8)

    print(f"playback of the recorded epochs at 60 per second: {fps:.1f} frames per second "
          f"(target >= 30): {'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    print(f"  hidden-units step (look-ahead):               {widget['median']:6.1f} / {widget['p95']:6.1f} ms")
    print(f"  hidden-units step, look-ahead off (kernel):   {kernel['median']:6.1f} / {kernel['p95']:6.1f} ms")
    print(f"widget median {widget['median']:.1f} ms (target <= 50 ms): {'met' if widget['median'] <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
