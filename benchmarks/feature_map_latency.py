"""Feature-map calculator speed: kernel-side update cost, and key press to new pixels in a real
browser beside an ipywidgets ``interact`` baseline that redraws a matplotlib figure of the same
content. Prints the numbers and how they compare with the targets.

    python benchmarks/feature_map_latency.py [--presses 30] [--updates 200]

Targets: browser median <= 40 ms and >= 4x faster than the baseline; kernel-side p95 <= 5 ms.
A slider step is normally drawn at once from a looked-ahead view (see widgets/_base.py); the
same presses are also measured with look-ahead off, when each one waits for the kernel.
Run it on a quiet machine: on two cores any other load shows up in the numbers.
"""

from __future__ import annotations

import argparse

from latency import (changing, computing, measure_baseline, press_and_measure, presses_without_lookahead, summary,
                     time_calls, widget_and_baseline)

from dlwidgets.widgets import FeatureMapCalculator

WIDGET_CELL = """\
from dlwidgets.widgets import FeatureMapCalculator
calc = FeatureMapCalculator(input_size=16, kernel_size=3, padding=1)
calc"""

BASELINE_CELL = """\
import ipywidgets as widgets
from IPython.display import Image, display
from dlwidgets.widgets import FeatureMapCalculator
model = FeatureMapCalculator(kernel_size=3, padding=1)   # only its matplotlib picture is shown

def show(input_size=16):
    model.input_size = input_size
    display(Image(data=model.static_png()))

widgets.interact(show, input_size=widgets.IntSlider(16, min=8, max=24, description="Input size"));"""


def kernel_side(updates: int) -> dict:
    """Time one settings change: validation, core computations, the view dict and its JSON state."""
    calc = computing(FeatureMapCalculator(input_size=16, kernel_size=3, padding=1))
    sizes = [8 + (i % 17) for i in range(updates)]
    return summary(time_calls(changing(calc, "input_size"), sizes))


def lookahead_side(updates: int) -> dict:
    """Time the look-ahead request a slider step sends after its change: the two neighbouring views."""
    calc = computing(FeatureMapCalculator(input_size=16, kernel_size=3, padding=1))
    sizes = [8 + (i % 17) for i in range(updates)]
    return summary(time_calls(lambda size: calc._nearby("input_size", [size - 1, size + 1]), sizes))


def browser(presses: int) -> dict:
    with widget_and_baseline(WIDGET_CELL, BASELINE_CELL, ".dlw-fm") as page:
        slider = ".dlw-fm input[data-setting='input_size']"
        results = {
            "anywidget, slider step (look-ahead)": press_and_measure(page, "draws", ".dlw-fm", slider, presses),
            "anywidget, look-ahead off (kernel)": presses_without_lookahead(
                page, "draws", ".dlw-fm", slider, "calc", presses),
            "anywidget, Step in the browser": press_and_measure(
                page, "draws", ".dlw-fm", ".dlw-fm button[aria-label='Move the kernel one position']",
                presses, keys=("Enter",)),
            "interact + matplotlib baseline": measure_baseline(page, presses),
        }
    return {name: summary(samples) for name, samples in results.items()}

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=200)
    args = parser.parse_args()

    kernel = kernel_side(args.updates)
    print(f"kernel side, one settings change ({kernel['n']} updates): "
          f"median {kernel['median']:.2f} ms, p95 {kernel['p95']:.2f} ms  (target p95 <= 5 ms)")
    ahead = lookahead_side(args.updates)
    print(f"kernel side, the look-ahead that follows (two neighbouring views, a separate message): "
          f"median {ahead['median']:.2f} ms, p95 {ahead['p95']:.2f} ms")
    timings = browser(args.presses)
    print(f"\nkey press to new pixels in Chromium ({args.presses} presses each):")
    for name, s in timings.items():
        print(f"  {name:38s} median {s['median']:7.1f} ms   p95 {s['p95']:7.1f} ms")
    ours = timings["anywidget, slider step (look-ahead)"]["median"]
    base = timings["interact + matplotlib baseline"]["median"]
    print(f"\nbrowser median {ours:.1f} ms (target <= 40 ms): {'met' if ours <= 40 else 'NOT met'}")
    print(f"speed-up over the baseline {base / ours:.1f}x (target >= 4x): {'met' if base / ours >= 4 else 'NOT met'}")
    print(f"kernel-side p95 {kernel['p95']:.2f} ms (target <= 5 ms): {'met' if kernel['p95'] <= 5 else 'NOT met'}")


if __name__ == "__main__":
    main()
