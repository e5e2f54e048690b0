"""Lesson 14's widgets: GAN training per setting, GAN playback frame rate, and control-to-pixels latency of
the GAN dynamics widget and the message-passing explorer in a real browser. Prints numbers.

    python benchmarks/lesson14_latency.py [--presses 20] [--seconds 2] [--runs 5]

Measures:
* kernel side: one GAN training run with dlwidgets.core at the lesson's settings, for each loss and for
  k = 1 and 3 (target: under 0.5 s per setting), and the whole widget view (training plus its JSON);
  one message-passing view;
* playback: canvas frames the GAN widget draws per second while it plays (target >= 30);
* latency, key press -> new pixels -> next animation frame, median / p95: the GAN's loss drop-down stepped
  back and forth between two settings already computed (remembered views; target <= 50 ms), the GAN's frame
  stepped on the picture (browser only), and the message-passing explorer's node slider (look-ahead) and
  its gather / aggregate / update steps (browser only).
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile
import time

from latency import (browser_session, changing, computing, fps_playing_for, press_and_measure, summary,
                     time_calls, write_notebook)

from dlwidgets.core import GAN_LOSSES, train_gan
from dlwidgets.widgets import GANDynamics, MessagePassingExplorer

CELLS = ["from dlwidgets.widgets import GANDynamics, MessagePassingExplorer\ngan = GANDynamics()\ngan",
         "mp = MessagePassingExplorer()\nmp"]


def kernel_side(runs: int) -> None:
    print("kernel side, one GAN training run (300 generator steps), median of", runs)
    worst = 0.0
    for loss in GAN_LOSSES:
        for k in (1, 3):
            times = []
            for seed in range(runs):
                start = time.perf_counter()
                train_gan(loss, "mixture", lr_g=0.003, lr_d=0.01, d_steps=k, steps=300, seed=seed)
                times.append(time.perf_counter() - start)
            s = summary([t * 1000 for t in times])
            worst = max(worst, s["median"])
            print(f"  {loss:15s} k = {k}: median {s['median']:6.1f} ms, p95 {s['p95']:6.1f} ms")
    print(f"slowest median {worst:.0f} ms (target < 500 ms per setting): {'met' if worst < 500 else 'NOT met'}")
    gan = computing(GANDynamics())
    s = summary(time_calls(changing(gan, "seed"), list(range(runs + 2)), warmup=2))
    print(f"kernel side, GAN widget view (training + JSON), k = 3: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms")
    mp = computing(MessagePassingExplorer())
    s = summary(time_calls(changing(mp, "node"), [1 + i % 34 for i in range(40)]))
    print(f"kernel side, message-passing view: median {s['median']:.1f} ms, p95 {s['p95']:.1f} ms")


def playback_fps(page, seconds: float) -> float:
    """Frames the GAN widget draws per second while playing (61 frames at 20 per second: 3 s of play)."""
    widget = page.locator(".dlw-gan").first

    def start():
        widget.locator("canvas").focus()
        page.keyboard.press("Home")
        page.keyboard.press(" ")

    def stop():
        if widget.get_attribute("data-playing") == "true":
            page.keyboard.press(" ")

    return fps_playing_for(page, ".dlw-gan", start, stop, seconds)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=2.0)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()

    kernel_side(args.runs)
    rows = {}
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as root:
        write_notebook(pathlib.Path(root) / "bench.ipynb", CELLS)
        with browser_session(root) as session:
            session.open_and_run("bench.ipynb")
            page = session.page
            page.wait_for_selector(".dlw-gan[data-draws]")
            page.wait_for_selector(".dlw-mp[data-draws]")
            fps = playback_fps(page, args.seconds)
            # two settings, both computed once first: the rows time what a learner gets going back and forth
            loss = ".dlw-gan select[data-setting='loss']"
            press_and_measure(page, "draws", ".dlw-gan", loss, 2, keys=("ArrowUp", "ArrowDown"))
            rows["GAN loss drop-down, settings already computed"] = summary(
                press_and_measure(page, "draws", ".dlw-gan", loss, args.presses, keys=("ArrowUp", "ArrowDown")))
            rows["GAN frame step on the picture (browser only)"] = summary(
                press_and_measure(page, "draws", ".dlw-gan", ".dlw-gan canvas", args.presses))
            page.locator(".dlw-mp").first.scroll_into_view_if_needed()
            rows["message passing, node slider (look-ahead)"] = summary(
                press_and_measure(page, "draws", ".dlw-mp", ".dlw-mp input[data-setting='node']", args.presses))
            rows["message passing, gather/aggregate/update step"] = summary(
                press_and_measure(page, "draws", ".dlw-mp", ".dlw-mp canvas", args.presses,
                                  keys=("ArrowDown", "ArrowUp")))

    print(f"GAN playback: {fps:.1f} frames per second (target >= 30): {'met' if fps >= 30 else 'NOT met'}")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    for name, s in rows.items():
        print(f"  {name:48s} {s['median']:6.1f} / {s['p95']:6.1f} ms")
    gan = rows["GAN loss drop-down, settings already computed"]["median"]
    verdict = "met" if gan <= 50 else "NOT met"
    print(f"GAN control median for computed settings {gan:.1f} ms (target <= 50 ms): {verdict}")


if __name__ == "__main__":
    main()
