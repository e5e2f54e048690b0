"""Gate animator speed in a real browser: playback frame rate, and control-to-pixels latency
beside the matplotlib ``interact`` baseline. Prints numbers.

Usage: python benchmarks/gate_animator_latency.py [--presses 30] [--seconds 4]

Starts a private JupyterLab (tests/browser/lab.py) with a two-cell benchmark notebook, drives
it in Chromium, and measures:
* playback: canvas frames drawn per second while the animator plays (requestAnimationFrame);
* latency: key press on the forget-gate-bias slider -> kernel recomputes with dlwidgets.core ->
  the canvas is redrawn -> next animation frame; and the same for an ``interact`` slider that
  re-creates a matplotlib figure of the same gates (inline backend).
Targets from the issue: playback >= 30 frames per second, widget median <= 50 ms.
"""

from __future__ import annotations

import argparse
import pathlib
import statistics
import sys
import tempfile

import nbformat

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browser.lab import JupyterLab, launch_chromium, open_notebook, run_all_cells  # noqa: E402

WIDGET_CELL = """
from dlwidgets.widgets import GateAnimator
gates = GateAnimator()
gates
"""

BASELINE_CELL = """
%matplotlib inline
import matplotlib.pyplot as plt
import numpy as np
from ipywidgets import FloatSlider, interact
from dlwidgets.widgets.gate_animator import lstm_experiment, retained_fraction

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

interact(show, forget_bias=FloatSlider(value=0.0, min=-6, max=10, step=0.25, description="forget bias"));
"""

# Record the time of every key press before anything else sees it.
LISTEN = """() => { window.__presses = []; document.addEventListener('keydown',
    () => window.__presses.push(performance.now()), true); }"""
NEXT_FRAME = "() => new Promise(r => requestAnimationFrame(() => r(performance.now())))"


def percentile(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def widget_latency(page, presses):
    widget = page.locator(".dlw-gates").first
    widget.scroll_into_view_if_needed()
    slider = widget.locator("input[data-setting='forget_bias']")
    times = []
    for k in range(presses):
        draws = int(widget.get_attribute("data-draws"))
        slider.focus()
        page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        page.wait_for_function(f"() => Number(document.querySelector('.dlw-gates').dataset.draws) > {draws}")
        end = page.evaluate(NEXT_FRAME)
        times.append(end - page.evaluate("() => window.__presses[window.__presses.length - 1]"))
    return times


def baseline_latency(page, presses):
    area = page.locator(".jp-Cell-outputArea").nth(1)
    area.scroll_into_view_if_needed()
    handle = area.locator(".noUi-handle").first
    times = []
    for k in range(presses):
        before = area.locator("img").first.get_attribute("src")
        handle.focus()
        page.keyboard.press("ArrowRight" if k % 2 == 0 else "ArrowLeft")
        page.wait_for_function(
            """before => { const areas = document.querySelectorAll('.jp-Cell-outputArea');
                           const img = areas[1] && areas[1].querySelector('img');
                           return img && img.isConnected && img.getAttribute('src') !== before; }""",
            arg=before)
        end = page.evaluate("""async () => { const img = document.querySelectorAll('.jp-Cell-outputArea')[1]
                                             .querySelector('img'); await img.decode();
                                             return await new Promise(r => requestAnimationFrame(() => r(performance.now()))); }""")
        times.append(end - page.evaluate("() => window.__presses[window.__presses.length - 1]"))
    return times


def playback_fps(page, seconds):
    widget = page.locator(".dlw-gates").first
    widget.scroll_into_view_if_needed()
    widget.locator("input[aria-label='Speed (time steps per second)']").fill("1")
    widget.get_by_role("button", name="Play or pause the sequence").click()
    page.wait_for_timeout(500)
    start = page.evaluate("() => [Number(document.querySelector('.dlw-gates').dataset.draws), performance.now()]")
    page.wait_for_timeout(int(seconds * 1000))
    end = page.evaluate("() => [Number(document.querySelector('.dlw-gates').dataset.draws), performance.now()]")
    widget.get_by_role("button", name="Play or pause the sequence").click()
    return (end[0] - start[0]) / ((end[1] - start[1]) / 1000)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--seconds", type=float, default=4.0)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="dlwidgets-bench-") as tmp:
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(WIDGET_CELL.strip()),
                                             nbformat.v4.new_code_cell(BASELINE_CELL.strip())])
        nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
        nbformat.write(nb, pathlib.Path(tmp) / "bench_gates.ipynb")
        with JupyterLab(tmp) as lab, sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
            open_notebook(page, lab, "bench_gates.ipynb")
            run_all_cells(page)
            page.evaluate(LISTEN)
            widget_latency(page, 3)                       # warm-up
            fps = playback_fps(page, args.seconds)
            widget = widget_latency(page, args.presses)
            baseline_latency(page, 3)
            baseline = baseline_latency(page, args.presses)
            browser.close()
            lab.delete_kernels()
    print(f"gate animator playback: {fps:.1f} frames per second (target >= 30)")
    print(f"control -> new pixels, {args.presses} presses, median / p95:")
    print(f"  gate animator (anywidget canvas, through the kernel): {statistics.median(widget):6.1f} / "
          f"{percentile(widget, 0.95):6.1f} ms (target median <= 50)")
    print(f"  matplotlib interact baseline (figure re-created):     {statistics.median(baseline):6.1f} / "
          f"{percentile(baseline, 0.95):6.1f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
