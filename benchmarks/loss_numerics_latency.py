"""Lesson 12's widgets: kernel-side cost of a settings change, and key press to new pixels in a real browser
for the loss explorer's logit slider and the overflow explorer's shift slider. Prints the numbers and the target.

    python benchmarks/loss_numerics_latency.py [--presses 30] [--updates 200]

Target: browser median <= 50 ms per widget. A slider step is normally drawn at once from a looked-ahead view
(see widgets/_base.py); the same presses are also measured with look-ahead off, when each waits for the kernel.
Run it on a quiet machine: on two cores any other load shows up in the numbers.
"""

from __future__ import annotations

import argparse
import pathlib
import tempfile

from latency import (browser_session, changing, computing, press_and_measure, presses_without_lookahead, summary,
                     time_calls, write_notebook)

from dlwidgets.widgets import LossExplorer, OverflowExplorer
from dlwidgets.widgets.overflow_explorer import SHIFT_STOPS

CELLS = [
    "from dlwidgets.widgets import LossExplorer, OverflowExplorer\nloss = LossExplorer(logit=-6.0)\nloss",
    "ovf = OverflowExplorer()\novf",
]


def kernel_side(updates: int) -> dict:
    """Time one settings change of each widget: validation, core, the view dict and its JSON state."""
    loss = computing(LossExplorer())
    logits = [-10 + 0.5 * (i % 41) for i in range(updates)]
    ovf = computing(OverflowExplorer())
    shifts = [SHIFT_STOPS[i % len(SHIFT_STOPS)] for i in range(updates)]
    temp = computing(LossExplorer(panel="temperature"))
    temps = [round(0.1 + 0.1 * (i % 50), 2) for i in range(updates)]
    return {"loss explorer, logit": summary(time_calls(changing(loss, "logit"), logits)),
            "loss explorer, temperature": summary(time_calls(changing(temp, "temperature"), temps)),
            "overflow explorer, shift": summary(time_calls(changing(ovf, "shift"), shifts))}


def browser(presses: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as root:
        write_notebook(pathlib.Path(root) / "bench.ipynb", CELLS)
        with browser_session(root) as session:
            session.open_and_run("bench.ipynb")
            page = session.page
            page.wait_for_selector(".dlw-loss[data-draws]")
            page.wait_for_selector(".dlw-ovf[data-draws]")
            logit, shift = ".dlw-loss input[data-setting='logit']", ".dlw-ovf input[data-setting='shift']"
            results = {
                "loss explorer, logit step (look-ahead)": press_and_measure(page, "draws", ".dlw-loss", logit, presses),
                "loss explorer, look-ahead off (kernel)": presses_without_lookahead(
                    page, "draws", ".dlw-loss", logit, "loss", presses),
                "overflow explorer, shift step (look-ahead)": press_and_measure(page, "draws", ".dlw-ovf", shift,
                                                                                presses),
                "overflow explorer, look-ahead off (kernel)": presses_without_lookahead(
                    page, "draws", ".dlw-ovf", shift, "ovf", presses),
            }
    return {name: summary(samples) for name, samples in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()
    for name, s in kernel_side(args.updates).items():
        print(f"kernel side, {name} ({s['n']} changes): median {s['median']:.2f} ms, p95 {s['p95']:.2f} ms")
    timings = browser(args.presses)
    print(f"\nkey press to new pixels in Chromium ({args.presses} presses each):")
    for name, s in timings.items():
        print(f"  {name:44s} median {s['median']:7.1f} ms   p95 {s['p95']:7.1f} ms")
    for name in ("loss explorer, logit step (look-ahead)", "overflow explorer, shift step (look-ahead)"):
        median = timings[name]["median"]
        print(f"{name}: median {median:.1f} ms (target <= 50 ms): {'met' if median <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
