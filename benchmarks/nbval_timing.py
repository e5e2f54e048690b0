"""How long each lesson takes to validate under nbval (target: under 10 s each).

    python benchmarks/nbval_timing.py [course/08_convolutions.ipynb ...]

Each lesson runs in its own pytest process, as a contributor would run it. Printed: the
time pytest reports for validating the lesson (kernel start and every cell; the target applies
to this) and the wall time of the whole process (Python and pytest start-up added).
"""

from __future__ import annotations

import pathlib
import re
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]


def main(argv) -> int:
    lessons = [pathlib.Path(a) for a in argv] or sorted((ROOT / "course").glob("[0-9][0-9]_*.ipynb"))
    worst = 0.0
    failed = []
    print(f"{'lesson':34s} {'nbval s':>8s} {'wall s':>7s}  result")
    for lesson in lessons:
        start = time.perf_counter()
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", str(lesson)],
                                cwd=ROOT, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - start
        reported = re.search(r" in ([0-9.]+)s", result.stdout)
        seconds = float(reported.group(1)) if reported else wall
        worst = max(worst, seconds)
        verdict = "passed" if result.returncode == 0 else "FAILED"
        if result.returncode:
            failed.append(lesson.name)
        print(f"{lesson.name:34s} {seconds:8.1f} {wall:7.1f}  {verdict}")
    print(f"\nslowest nbval validation: {worst:.1f} s (target < 10 s): {'met' if worst < 10 else 'NOT met'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
