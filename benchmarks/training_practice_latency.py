"""Lesson 13's widgets: kernel-side cost of a settings change, and key press to new pixels in a real browser
for the imbalance explorer (SMOTE's k, which refits the model), the search explorer (the seed) and the
hierarchical-softmax tree (the seed). Prints the numbers and the target.

    python benchmarks/training_practice_latency.py [--presses 30] [--updates 100]

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

from dlwidgets.widgets import HuffmanTreeView, ImbalanceExplorer, SearchExplorer

CELLS = [
    "from dlwidgets.widgets import HuffmanTreeView, ImbalanceExplorer, SearchExplorer\n"
    "imb = ImbalanceExplorer(method='smote')\nimb",
    "search = SearchExplorer()\nsearch",
    "tree = HuffmanTreeView()\ntree",
]


def kernel_side(updates: int) -> dict:
    """Time one settings change of each widget: validation, core, the view dict and its JSON state."""
    imb = computing(ImbalanceExplorer(method="smote"))
    search = computing(SearchExplorer())
    return {"imbalance explorer, SMOTE k": summary(time_calls(changing(imb, "k"), [1 + i % 10 for i in range(updates)])),
            "imbalance explorer, minority share": summary(time_calls(
                changing(imb, "minority"), [round(0.02 + 0.01 * (i % 49), 2) for i in range(updates)])),
            "search explorer, seed": summary(time_calls(changing(search, "seed"), [i % 31 for i in range(updates)])),
            "hierarchical-softmax tree, seed": summary(time_calls(
                changing(computing(HuffmanTreeView()), "seed"), [i % 21 for i in range(updates)]))}


def browser(presses: int) -> dict:
    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as root:
        write_notebook(pathlib.Path(root) / "bench.ipynb", CELLS)
        with browser_session(root) as session:
            session.open_and_run("bench.ipynb")
            page = session.page
            page.wait_for_selector(".dlw-imb[data-draws]")
            page.wait_for_selector(".dlw-search[data-draws]")
            page.wait_for_selector(".dlw-huff[data-draws]")
            k, seed = ".dlw-imb input[data-setting='k']", ".dlw-search input[data-setting='seed']"
            tree_seed = ".dlw-huff input[data-setting='seed']"
            results = {
                "imbalance explorer, k step (look-ahead)": press_and_measure(page, "draws", ".dlw-imb", k, presses),
                "imbalance explorer, look-ahead off (kernel)": presses_without_lookahead(
                    page, "draws", ".dlw-imb", k, "imb", presses),
                "search explorer, seed step (look-ahead)": press_and_measure(page, "draws", ".dlw-search", seed, presses),
                "search explorer, look-ahead off (kernel)": presses_without_lookahead(
                    page, "draws", ".dlw-search", seed, "search", presses),
                "tree, seed step (look-ahead)": press_and_measure(page, "draws", ".dlw-huff", tree_seed, presses),
                "tree, look-ahead off (kernel)": presses_without_lookahead(
                    page, "draws", ".dlw-huff", tree_seed, "tree", presses),
            }
    return {name: summary(samples) for name, samples in results.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=100)
    args = parser.parse_args()
    for name, s in kernel_side(args.updates).items():
        print(f"kernel side, {name} ({s['n']} changes): median {s['median']:.2f} ms, p95 {s['p95']:.2f} ms")
    timings = browser(args.presses)
    print(f"\nkey press to new pixels in Chromium ({args.presses} presses each):")
    for name, s in timings.items():
        print(f"  {name:45s} median {s['median']:7.1f} ms   p95 {s['p95']:7.1f} ms")
    for name in ("imbalance explorer, k step (look-ahead)", "search explorer, seed step (look-ahead)",
                 "tree, seed step (look-ahead)"):
        median = timings[name]["median"]
        print(f"{name}: median {median:.1f} ms (target <= 50 ms): {'met' if median <= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
