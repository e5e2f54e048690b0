"""Gradient-flow meter memory: what a meter keeps alive after a learner's run of changes, at
the lesson's size and at the largest settings it accepts. Prints the numbers.

    python benchmarks/gradient_flow_memory.py

The meter keeps networks, forward traces and remembered views so that going back is instant;
those caches are bounded by count and by bytes (gradient_flow._NETWORK_BYTES and _TRACE_BYTES),
and core's weight cache by bytes (mlp_weights._KEPT_BYTES). "live" is what numpy and Python
hold after those changes (tracemalloc), "peak" the most at any moment (while one network is being
replaced by the next, both exist). The resident size of the process can be higher: the C
allocator keeps some freed memory for reuse.
"""

from __future__ import annotations

import gc
import time
import tracemalloc

from dlwidgets.core import mlp_weights
from dlwidgets.widgets import GradientFlowMeter

SIZES = {
    "lesson: depth 50, width 128, batch 64": dict(depth=50, width=128, batch=64),
    "largest on the sliders: depth 100, width 256, batch 64": dict(depth=100, width=256, batch=64),
    "largest from code: depth 100, width 256, batch 512": dict(depth=100, width=256, batch=512),
}


def learner_changes(meter) -> None:
    """Eight depth steps, four new weight scales, batch norm on, residual connections on."""
    depth = meter.depth
    for step in range(1, 9):
        meter.depth = depth - step
    for scale in (1.1, 1.2, 1.3, 1.4):
        meter.weight_scale = scale
    meter.batch_norm = True
    meter.residual = True


def measure(size: dict) -> dict:
    mlp_weights._streams.clear()   # core's weight cache is shared by every meter: count it each time
    gc.collect()
    tracemalloc.start()
    start = time.perf_counter()
    meter = GradientFlowMeter(**size, activation="tanh", init="orthogonal")
    learner_changes(meter)
    seconds = time.perf_counter() - start
    live, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    result = {"live": live / 2**20, "peak": peak / 2**20, "seconds": seconds,
              "networks": len(meter._networks), "traces": len(meter._traces)}
    del meter
    gc.collect()
    return result


def main() -> None:
    print("gradient-flow meter, after 8 depth steps, 4 new weight scales, batch norm and residual on:")
    for name, size in SIZES.items():
        m = measure(size)
        print(f"  {name:55s} live {m['live']:6.0f} MB   peak {m['peak']:6.0f} MB   "
              f"networks kept {m['networks']}, traces kept {m['traces']}   ({m['seconds']:.1f} s)")


if __name__ == "__main__":
    main()
