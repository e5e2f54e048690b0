"""Gradient-flow meter speed at depth 50, width 128, batch 64: kernel-side update cost, and key press
to new pixels in a real browser beside an ipywidgets ``interact`` baseline that redraws a matplotlib
figure of the same content. Prints the numbers and how they compare with the targets.

    python benchmarks/gradient_flow_latency.py [--presses 30] [--updates 100]

Targets: kernel-side p95 <= 20 ms; browser median <= 50 ms, for each kind of control the meter
has: the depth slider, the activation drop-down (arrow keys) and the batch-norm switch (space
bar). A change is normally drawn at once from a looked-ahead view (Python computed the
neighbouring depths, the options either side or the switch's other state when the control got
the focus or changed, see widgets/_base.py); the same presses are also measured with look-ahead off.
Each update runs one forward and backward pass of core's MLP on the meter's fixed batch (the
meter asks for no gradient arrays, only their norms). Networks that differ only in depth share
their first layers, so a depth step reuses the forward values the meter's last pass kept
(core's ForwardTrace) and computes at most one new layer forward, then the whole backward pass.
A value never shown before of any other setting (the "weight scale" row) shares no layer: a
network build and the whole pass. The meter remembers the views of its last few settings, so a
step to a setting the look-ahead computed costs no pass at all: that is timed on its own
("views remembered") and switched off for every other row, which time the computation.
Networks are cached by their settings, so the "warm" rows (a network built before, as when a
slider goes back and forth) cost the pass alone, while "cold" ones (a new seed every time) also
draw 50 orthogonal weight matrices. A depth not seen before draws at most one new matrix (every
depth shares its first layers, see core's mlp_weights), so a step of the "drag 40 -> 60 -> 40"
row costs a network build (the meter's networks share the cached, read-only matrices) and the
pass on top of the trace. The "full pass alone" rows, one per activation the drop-down offers,
are what a network never built with that activation costs beyond its build. The "drag step
behind a look-ahead request" rows time a change queued behind a look-ahead request, as when a
slider is dragged over weight scales never computed, with the request answered in its own thread
(as the widgets do: the change stops its what-if pass between two layers) and, for comparison,
answered first on the message thread. In the browser the same is timed end to end: a held arrow
key on the weight-scale slider (auto-repeat: the front end asks for no neighbours until the key is let
go), from its last key-down to the drawing of the last value, with the look-ahead in a thread, on the
message thread, and off.
Every row runs as the widgets do, with one BLAS thread (dlwidgets.cpu_limit); the "numpy's threads"
rows give BLAS numpy's own thread per core instead, alone and beside one busy process (a spinning
Python, as a browser drawing beside the kernel), and so does one held-key row in the browser.
Run it on a quiet machine: on two cores any other load shows up in the numbers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from contextlib import contextmanager

import numpy as np
from latency import (changing, computing, measure_baseline, press_and_measure, presses_without_lookahead, run_in_kernel,
                     summary, time_calls, widget_and_baseline)

from dlwidgets.widgets import GradientFlowMeter
from dlwidgets.core import ACTIVATIONS, mlp_batch, mlp_network

SIZE = dict(depth=50, width=128, batch=64)

WIDGET_CELL = """\
from dlwidgets.widgets import GradientFlowMeter
meter = GradientFlowMeter(depth=50, width=128, batch=64, activation="tanh", init="orthogonal")
meter"""

BASELINE_CELL = """\
import ipywidgets as widgets
from IPython.display import Image, display
from dlwidgets.widgets import GradientFlowMeter
model = GradientFlowMeter(depth=50, width=128, batch=64, activation="tanh", init="orthogonal")  # only its picture

def show(depth=50):
    model.depth = depth
    display(Image(data=model.static_png()))

widgets.interact(show, depth=widgets.IntSlider(50, min=40, max=60, description="Depth"));"""


def kernel_side(updates: int) -> dict:
    """Time one settings change: validation, one forward_backward, the view dict and its JSON state."""
    meter = computing(GradientFlowMeter(**SIZE, activation="tanh", init="orthogonal"))
    back_and_forth = [50 + (i % 2) for i in range(updates)]
    results = {"warm: depth 50 <-> 51 (networks cached)": summary(time_calls(changing(meter, "depth"), back_and_forth))}
    for activation, init in (("relu", "he_normal"), ("sigmoid", "glorot_normal")):
        other = computing(GradientFlowMeter(**SIZE, activation=activation, init=init))
        results[f"warm: depth 50 <-> 51, {activation}"] = summary(time_calls(changing(other, "depth"), back_and_forth))

    set_scale = changing(computing(GradientFlowMeter(**SIZE, activation="tanh", init="orthogonal")), "weight_scale")
    # a value never shown before: every layer changes, so a network build and the whole pass. The
    # first few new networks of a kernel also pay for its memory growing (some 5000 first-touch page
    # faults, about 20 ms per network, until the meter's caches are full); other new values take those
    for scale in (2.0 + 0.001 * i for i in range(8)):
        set_scale(round(scale, 3))
    results["weight scale, a new value every time (full pass)"] = summary(time_calls(
        set_scale, [round(1.0 + 0.001 * (i + 1), 3) for i in range(max(20, updates // 3))], warmup=0))

    # a slider dragged over weight scales never computed: after each change the front end asks for the
    # neighbours of the new value, and the next change comes in behind that request. The request is
    # answered in a thread of its own, whose what-if pass the change stops between two layers; answered
    # on the message thread, as the kernel once did, the change waited for both what-if views
    for label, in_a_thread in (("answered in its own thread", True), ("answered first, on one thread", False)):
        dragged = computing(GradientFlowMeter(**SIZE, activation="tanh", init="orthogonal", weight_scale=3.0))
        dragged._LOOK_AHEAD_IN_A_THREAD = in_a_thread
        set_dragged = changing(dragged, "weight_scale")

        def next_drag_step(scale, dragged=dragged, set_dragged=set_dragged):
            now = dragged.weight_scale
            request = {"name": "weight_scale", "values": [round(now - 0.0005, 4), round(now + 0.0005, 4)]}
            dragged._on_front_end_message(dragged, {"lookahead": request}, [])
            set_dragged(scale)
            if dragged._look_ahead_thread is not None:
                dragged._look_ahead_thread.join()   # it has stopped by now; not part of the change's time

        for i in range(8):   # the kernel's memory grows over the first new networks (see above)
            next_drag_step(round(2.0 + 0.003 * i, 4))
        results[f"drag step behind a look-ahead request, {label}"] = summary(time_calls(
            next_drag_step, [round(3.003 + 0.003 * i, 4) for i in range(max(20, updates // 3))], warmup=0))

    # the widgets give BLAS one thread (dlwidgets.cpu_limit), as every row here runs; the same two rows
    # with numpy's own thread per core, alone and beside one busy process (as the browser is, drawing)
    for label, busy in (("", False), (", beside a busy process", True)):
        for threads_label, threads in (("one BLAS thread", 1), ("numpy's threads", os.cpu_count() or 1)):
            with blas_threads(threads), busy_process(busy):
                meter_t = computing(GradientFlowMeter(**SIZE, activation="tanh", init="orthogonal"))
                results[f"depth 50 <-> 51, {threads_label}{label}"] = summary(time_calls(
                    changing(meter_t, "depth"), back_and_forth[:max(20, updates // 3)]))
                set_t = changing(meter_t, "weight_scale")
                for i in range(8):
                    set_t(round(3.5 + 0.001 * i + 0.01 * threads + (0.05 if busy else 0), 4))
                results[f"weight scale, new value, {threads_label}{label}"] = summary(time_calls(set_t, [
                    round(1.2 + 0.0001 * i + 0.01 * threads + (0.1 if busy else 0), 5)
                    for i in range(max(20, updates // 3))], warmup=0))

    # the last pass is kept: a new threshold only rescales its norms (core's norm_clipped)
    results["clipping threshold (rescales the last pass)"] = summary(
        time_calls(changing(meter, "max_norm"), [0.5 + 0.1 * (i % 10) for i in range(updates)]))

    results["look-ahead after a depth step (2 views)"] = summary(time_calls(
        lambda depth: meter._nearby("depth", [depth - 1, depth + 1]), back_and_forth))

    results["cold: new seed every time (build + pass)"] = summary(
        time_calls(changing(meter, "seed"), list(range(100, 100 + max(20, updates // 3))), warmup=0))

    fresh = computing(GradientFlowMeter(**{**SIZE, "depth": 40}, activation="tanh", init="orthogonal", seed=7))
    # a slider dragged from 40 to 60 and back, one step at a time: networks not built yet (the
    # meter keeps 6), and on the way up each draws one new matrix and computes one new layer
    results["drag 40 -> 60 -> 40, new networks"] = summary(
        time_calls(changing(fresh, "depth"), list(range(41, 61)) + list(range(59, 39, -1)), warmup=0))

    remembering = GradientFlowMeter(**SIZE, activation="tanh", init="orthogonal")
    remembering.depth = 51
    results["depth 50 <-> 51, views remembered"] = summary(time_calls(changing(remembering, "depth"), back_and_forth))

    net = mlp_network(depth=50, width=128, activation="tanh", init="orthogonal")
    x, y = mlp_batch(128, 64, 0)
    results["core forward_backward alone (full pass)"] = summary(time_calls(
        lambda _: net.forward_backward(x, y, keep_grads=False), list(range(updates))))   # as the meter calls it, no trace
    results["floor: the pass's 150 matrix products alone"] = summary(time_calls(
        lambda _: matrix_products(net), list(range(updates))))
    # what a network never built costs per activation the drop-down offers (the pass alone; the build
    # adds about 2 ms): exact GELU is the slow one, its normal CDF a C-library erfc call per entry
    for activation in ACTIVATIONS:
        other = mlp_network(depth=50, width=128, activation=activation, init="orthogonal")
        results[f"full pass alone, {activation}"] = summary(time_calls(
            lambda _: other.forward_backward(x, y, keep_grads=False), list(range(max(20, updates // 5)))))
    return results


@contextmanager
def blas_threads(threads: int):
    """numpy's BLAS with this many threads for the block (from this, the main, thread: OpenBLAS
    ignores a later change from another thread once the main one has made one)."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=threads, user_api="blas"):
        yield


@contextmanager
def busy_process(on: bool):
    """Another process spinning on one core for the block, as a browser drawing beside the kernel."""
    spinner = subprocess.Popen([sys.executable, "-c", "while True: pass"]) if on else None
    try:
        time.sleep(0.2 if on else 0)
        yield
    finally:
        if spinner is not None:
            spinner.kill()
            spinner.wait()


def matrix_products(net) -> None:
    """The products one depth-50 pass makes, on arrays of the pass's shapes and layout (units x
    examples): W h forward, dL/dW = g h^T and W^T g backward. A floor no numpy code of the pass can
    go below; how far the pass is above it shows what the rest costs, and it moves with the
    machine's speed at the moment (on shared hosts that varies by half between runs)."""
    h = np.ones((net.width, 64))
    out, grad = np.empty_like(h), np.empty((net.width, net.width))
    for l in range(1, net.depth + 1):
        w = net.params[f"W{l}"]
        np.matmul(w, h, out=out)
        np.matmul(out, h.T, out=grad)
        np.matmul(w.T, out, out=h)


# The activation drop-down, stepped with the arrow keys from tanh to the last option and back
# (five steps each way): on the way down every option is a network the kernel has not built yet.
ACTIVATION_WALK = ("ArrowDown",) * 5 + ("ArrowUp",) * 5


_SETTLE_INSTALL = """
() => {
  const root = document.querySelector('.dlw-gf');
  const state = window.__settle = { keys: [], draws: [] };
  document.addEventListener('keydown', () => { state.keys.push(performance.now()); }, true);
  new MutationObserver(() => requestAnimationFrame(() => {
    state.draws.push([performance.now(), root.dataset.weightScale]);
  })).observe(root, { attributes: true, attributeFilter: ['data-draws'] });
}
"""


HELD_KEY_MODES = {  # what the kernel is told for each way of answering look-ahead requests
    "look-ahead in a thread": "",
    "look-ahead on the message thread": "meter._LOOK_AHEAD_IN_A_THREAD = False",
    "look-ahead off": "meter._LOOKAHEAD_VALUES = 0",
    # the kernel's BLAS with numpy's own thread per core instead of the widgets' one (dlwidgets.cpu_limit)
    "look-ahead in a thread, numpy's BLAS threads":
        "from threadpoolctl import threadpool_limits as _limits; import os as _os; "
        "_limits(limits=_os.cpu_count(), user_api='blas')",
}


def held_key_settle(page, sweeps: int, mode: str, steps: int = 8, gap_s: float = 0.03) -> list[float]:
    """A held arrow key on the weight-scale slider, like a drag: the key goes down ``steps`` times
    ``gap_s`` apart (after the first, as the keyboard's auto-repeat: event.repeat) over weight scales
    never computed (each sweep has a seed of its own), then up; the time in ms from the last key-down
    until the widget draws the last value. ``mode`` is one of HELD_KEY_MODES."""
    if HELD_KEY_MODES[mode]:
        run_in_kernel(page, HELD_KEY_MODES[mode])
    page.evaluate(_SETTLE_INSTALL)
    control = page.locator(".dlw-gf input[data-setting='weight_scale']").first
    first_seed = 100 + 100 * list(HELD_KEY_MODES).index(mode)
    samples = []
    try:
        for sweep in range(sweeps):
            run_in_kernel(page, f"meter.set(seed={first_seed + sweep}, weight_scale=1.0)")
            page.wait_for_function("() => document.querySelector('.dlw-gf').dataset.weightScale === '1'")
            control.focus()
            time.sleep(0.3)   # the focus's own look-ahead, as a learner's hand takes that long to start
            page.evaluate("() => { window.__settle.keys = []; window.__settle.draws = []; }")
            for _ in range(steps):
                page.keyboard.down("ArrowRight")
                time.sleep(gap_s)
            page.keyboard.up("ArrowRight")
            final = f"{1.0 + 0.1 * steps:g}"
            page.wait_for_function(f"() => window.__settle.draws.some(([, value]) => value === '{final}')",
                                   timeout=30_000)
            keys, draws = page.evaluate("() => [window.__settle.keys, window.__settle.draws]")
            samples.append(min(t for t, value in draws if value == final) - keys[-1])
    finally:
        run_in_kernel(page, "for _name in ('_LOOK_AHEAD_IN_A_THREAD', '_LOOKAHEAD_VALUES'):\n"
                            "    meter.__dict__.pop(_name, None)\n"
                            "from threadpoolctl import threadpool_limits as _limits\n"
                            "_limits(limits=1, user_api='blas')")   # the widgets' one BLAS thread again
    return samples


def browser(presses: int) -> dict:
    """Key press to new pixels for each kind of control: the depth slider, the activation
    drop-down, the batch-norm switch (space bar); each with look-ahead, then with it off."""
    controls = {  # name: (control, keys, setting to start from)
        "depth slider step": (".dlw-gf input[data-setting='depth']", ("ArrowRight", "ArrowLeft"), "depth=50"),
        "activation drop-down step": (".dlw-gf select[data-setting='activation']", ACTIVATION_WALK, "activation='tanh'"),
        "batch-norm switch": (".dlw-gf input[data-setting='batch_norm']", ("Space",), "batch_norm=False"),
    }
    results = {}
    with widget_and_baseline(WIDGET_CELL, BASELINE_CELL, ".dlw-gf") as page:
        for name, (control, keys, start) in controls.items():
            run_in_kernel(page, f"meter.set({start})")
            results[f"meter, {name} (look-ahead)"] = press_and_measure(page, "draws", ".dlw-gf", control, presses, keys)
            run_in_kernel(page, f"meter.set({start})")
            results[f"meter, {name}, look-ahead off (kernel)"] = presses_without_lookahead(
                page, "draws", ".dlw-gf", control, "meter", presses, keys)
            run_in_kernel(page, f"meter.set({start})")
        for mode in HELD_KEY_MODES:
            results[f"meter, weight scale key held, last key-down to view ({mode})"] = \
                held_key_settle(page, max(6, presses // 3), mode)
        run_in_kernel(page, "meter.set(seed=0, weight_scale=1.0)")
        results["interact + matplotlib baseline"] = measure_baseline(page, presses)
    return {name: summary(samples) for name, samples in results.items()}

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--presses", type=int, default=30)
    parser.add_argument("--updates", type=int, default=100)
    parser.add_argument("--no-browser", action="store_true", help="measure the kernel side only")
    args = parser.parse_args()

    print("kernel side, one settings change at depth 50, width 128, batch 64:")
    kernel = kernel_side(args.updates)
    for name, s in kernel.items():
        print(f"  {name:50s} median {s['median']:6.2f} ms   p95 {s['p95']:6.2f} ms   (n={s['n']})")
    warm = kernel["warm: depth 50 <-> 51 (networks cached)"]["p95"]
    full = kernel["weight scale, a new value every time (full pass)"]["p95"]
    floor = kernel["floor: the pass's 150 matrix products alone"]["p95"]
    print(f"kernel-side p95, depth step (tanh) {warm:.2f} ms (target <= 20 ms): {'met' if warm <= 20 else 'NOT met'}; "
          f"a change that shares no layer (weight scale) p95 {full:.2f} ms: {'met' if full <= 20 else 'NOT met'}; "
          f"core's full pass alone p95 {kernel['core forward_backward alone (full pass)']['p95']:.2f} ms, "
          f"its matrix products alone {floor:.2f} ms")
    if args.no_browser:
        return
    timings = browser(args.presses)
    print(f"\nkey press to new pixels in Chromium ({args.presses} presses each):")
    for name, s in timings.items():
        print(f"  {name:58s} median {s['median']:7.1f} ms   p95 {s['p95']:7.1f} ms")
    base = timings["interact + matplotlib baseline"]["median"]
    print()
    for name, s in timings.items():
        if name.endswith("(look-ahead)"):
            ours = s["median"]
            print(f"{name}: browser median {ours:.1f} ms (target <= 50 ms): {'met' if ours <= 50 else 'NOT met'}; "
                  f"{base / ours:.1f}x faster than the baseline")


if __name__ == "__main__":
    main()
