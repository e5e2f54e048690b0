"""Dropout-ensemble widget speed in a real browser: control-to-pixels latency and the playback frame rate
through the sampled masks. Prints numbers.

    python benchmarks/dropout_ensemble_latency.py [--presses 30]

Measures, in Chromium driving JupyterLab:
* kernel side: one settings change (core samples 200 masks and their predictions, and runs zoneout);
* latency: key press on the drop-probability slider -> the canvas is redrawn -> next animation frame, with
  the look-ahead and with it switched off (each press waits for the kernel);
* playback: frames drawn per second while the 200 masks play at 60 per second.
Targets: widget median <= 50 ms, playback >= 30 frames per second.
"""

from __future__ import annotations

import argparse

from latency import changing, computing, fps_playing_to_the_end, slider_and_playback, summary, time_calls

from dlwidgets.widgets import DropoutEnsemble

WIDGET_CELL = """\
from dlwidgets.widgets import DropoutEnsemble
ensemble = DropoutEnsemble()
ensemble"""
ROOT = ".dlw-ens"


def playback_fps(page) -> float:
    """Frames drawn per second while the 200 masks play at 60 per second."""
    return fps_playing_to_the_end(page, ROOT, "Speed (masks per second)", "Next mask", "Play or pause the masks",
                                  "step", "200")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=50)
    args = parser.parse_args()

    ensemble = computing(DropoutEnsemble())
    s = summary(time_calls(changing(ensemble, "p"), [0.05 * (i % 18) for i in range(args.updates)]))
    print(f"kernel side, one drop-probability change: median {s['median']:.2f} ms, p95 {s['p95']:.2f} ms")
    slider = f"{ROOT} input[data-setting='p']"
    widget, kernel, fps = slider_and_playback(WIDGET_CELL, ROOT, slider, "ensemble", args.presses, playback_fps)

    print(f"playback of 200 masks at 60 per second: {fps:.1f} frames per second (target >= 30): "
          f"{'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    print(f"  drop-probability step (look-ahead):             {widget['median']:6.1f} / {widget['p95']:6.1f} ms")
    print(f"  drop-probability step, look-ahead off (kernel): {kernel['median']:6.1f} / {kernel['p95']:6.1f} ms")
    print(f"widget median {widget['median']:.1f} ms (target <= 50 ms): {'met' if widget['median'] <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
