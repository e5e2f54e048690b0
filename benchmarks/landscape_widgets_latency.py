"""Lessons 05 and 06's widgets in a real browser: control-to-pixels latency of the landscape explorer, the
batch-size noise widget and the optimizer race, and the race's playback frame rate. Prints numbers.

    python benchmarks/landscape_widgets_latency.py [--presses 30] [--seconds 4]

Measures, in Chromium driving JupyterLab:
* kernel side: one settings change of each widget (core's runs, the view and its JSON), and the
  look-ahead after it (the views one slider step either side);
* latency: key press on a slider (the explorer's learning rate, the noise widget's learning rate,
  the race's step budget) -> the canvas is redrawn -> next animation frame;
* playback: frames the race draws per second while all eight optimizers play.
Targets: widget median <= 50 ms, race playback >= 30 frames per second.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile

from latency import (browser_session, changing, computing, fps_playing_for, press_and_measure, summary,
                     time_calls, write_notebook)

from dlwidgets.widgets import BatchNoise, LandscapeExplorer, OptimizerRace

CELLS = [
    "from dlwidgets.widgets import LandscapeExplorer\nexplorer = LandscapeExplorer()\nexplorer",
    "from dlwidgets.widgets import BatchNoise\nnoise = BatchNoise()\nnoise",
    "from dlwidgets.widgets import OptimizerRace\nrace = OptimizerRace(objective='beale', start_x=1.0, start_y=1.4)\nrace",
]
EXPLORER = ".dlw-landscape:not(.dlw-batch-noise):not(.dlw-race)"
NOISE = ".dlw-batch-noise"
RACE = ".dlw-race"


def kernel_side(updates: int) -> dict:
    """Per widget: one change of a setting, and the look-ahead (two neighbouring views) after it."""
    rows = {}
    cases = [
        ("landscape explorer, learning rate", LandscapeExplorer(), "lr", [0.1 + 0.01 * i for i in range(updates)], 0.01),
        ("batch-size noise, learning rate", BatchNoise(), "lr", [0.005 + 1e-4 * i for i in range(updates)], 1e-4),
        ("optimizer race (Beale, 150 steps), noise", OptimizerRace(objective="beale", start_x=1.0, start_y=1.4),
         "noise", [round(0.01 * i, 2) for i in range(updates)], 0.01),
    ]
    for name, widget, setting, values, step in cases:
        widget = computing(widget)
        rows[f"{name}: one change"] = summary(time_calls(changing(widget, setting), values))
        rows[f"{name}: look-ahead"] = summary(time_calls(
            lambda v, w=widget, s=setting, d=step: _computed_nearby(w, s, [v - d, v + d]), values[: max(10, updates // 5)]))
    return rows


def _computed_nearby(widget, setting, values):
    """The look-ahead's views, computed: on a busy machine one slow change would otherwise make the base send
    remembered views only (none here), and the row would time nothing."""
    widget._compute_seconds = 0.0
    return widget._nearby(setting, values)


def playback_fps(page, seconds: float) -> float:
    """Frames the race draws per second while playing all eight optimizers."""
    widget = page.locator(RACE).first
    widget.locator("input[aria-label='Speed (steps per second)']").fill("20")
    play = widget.get_by_role("button", name="Play or pause the race")
    return fps_playing_for(page, RACE, play.click, play.click, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=4.0)
    parser.add_argument("--updates", type=int, default=40)
    args = parser.parse_args()

    for name, s in kernel_side(args.updates).items():
        print(f"kernel side, {name}: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms")
    results = {}
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as root:
        write_notebook(pathlib.Path(root) / "bench.ipynb", CELLS)
        with browser_session(root) as session:
            session.open_and_run("bench.ipynb")
            page = session.page
            for selector in (EXPLORER, NOISE, RACE):
                page.wait_for_selector(f"{selector}[data-draws]")
            fps = playback_fps(page, args.seconds)
            for name, selector, control in [
                ("landscape explorer, learning-rate slider", EXPLORER, "input[data-setting='lr']"),
                ("batch-size noise, learning-rate slider", NOISE, "input[data-setting='lr']"),
                ("optimizer race, step-budget slider", RACE, "input[data-setting='steps']"),
            ]:
                page.locator(selector).first.scroll_into_view_if_needed()
                results[name] = summary(press_and_measure(page, "draws", selector, f"{selector} {control}",
                                                          args.presses))
    print(f"optimizer race playback, eight optimizers: {fps:.1f} frames per second (target >= 30): "
          f"{'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    for name, s in results.items():
        verdict = "met" if s["median"] <= 50 else "NOT met"
        print(f"  {name:42s} {s['median']:6.1f} / {s['p95']:6.1f} ms  (target median <= 50 ms: {verdict})")


if __name__ == "__main__":
    main()
