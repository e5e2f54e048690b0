"""How many CPUs this process may use, from its cgroup's CPU limit (the instructor's grader runs
one worker per usable CPU), and the BLAS threads a course kernel gets: one.

numpy's OpenBLAS starts a thread per visible core and shares each matrix product between several
of them, letting the idle ones spin between products. The widgets' products are small (the
meter's are 128 x 128 by 128 x 64), and a second thread is worth little even on an idle machine
but costs much beside any other busy process: the browser drawing the last view, the Lab server,
another learner's kernel. Measured on two cores with the browser on the same machine
(benchmarks/gradient_flow_latency.py, two to four runs of each row), one thread against numpy's two:

- a held arrow key on the meter's weight-scale slider settled 124-157 ms after the last press
  instead of 137-182 ms;
- a depth step computed in the kernel (no look-ahead) was drawn in 45-51 ms instead of 61-76 ms,
  an activation step in 58-63 ms instead of 78-89 ms;
- kernel side, beside one busy process, a new weight scale cost 24-36 ms instead of 47-78 ms
  (p95 28-40 against 168-242 ms), a depth step 10-11 ms instead of 15-22 ms (p95 12 against
  128-180 ms); alone, the price of one thread: a depth step 11-14 ms instead of 7-9 ms, a new
  weight scale 24-31 ms instead of 23-28 ms.

A container (a Binder or JupyterHub pod, ``docker run --cpus``) is the worst case: it sees every
core of its host but may use only its CPU limit, which Linux enforces as a quota of CPU time per
period (CFS); the spinning threads use the quota up in part of each period and the kernel is
stopped for the rest (on two cores and a limit of one, the meter's depth step had a p95 of
59-65 ms with numpy's threads and 11-13 ms with one).

``python -m dlwidgets.cpu_limit`` prints shell ``export`` lines that give BLAS one thread, unless
one of the thread variables is set already (the user's choice rules; it prints nothing then).
Binder's ``start`` and ``./dev course`` run it before JupyterLab, so every kernel inherits the
settings (BLAS reads them when numpy is first imported). A kernel started another way (plain
``jupyter lab``, a hub's own start command) gives its running BLAS one thread when its first
course widget is made (``fit_blas_for_widgets``, through threadpoolctl), unless a variable is set.
"""

from __future__ import annotations

import math
import os
import pathlib
import shlex

__all__ = ["THREAD_VARIABLES", "cpu_quota", "usable_cpus", "blas_thread_settings", "running_thread_limit",
           "fit_blas_threads", "fit_blas_for_widgets", "main"]

# OpenBLAS (numpy's wheels), OpenMP builds and MKL (conda's numpy) each read their own
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def _read(path: pathlib.Path) -> str | None:
    """The file's text, stripped, or None if it cannot be read."""
    try:
        return path.read_text(encoding="ascii").strip()
    except (OSError, UnicodeDecodeError):
        return None


def _ancestors(directory: pathlib.Path, relative: str) -> list:
    """directory/relative and each of its parents up to directory itself. A container with its own
    cgroup namespace sees its cgroup at the mount's root, one without it at its full path."""
    parts = [p for p in relative.split("/") if p and p not in (".", "..")]
    return [directory.joinpath(*parts[:n]) for n in range(len(parts), -1, -1)]


def _v2_limit(folder: pathlib.Path) -> float | None:
    """cgroup v2: cpu.max holds "max 100000" (no limit) or "<quota> <period>" in microseconds."""
    fields = (_read(folder / "cpu.max") or "").split()
    if len(fields) == 2 and fields[0] != "max":
        try:
            quota, period = int(fields[0]), int(fields[1])
        except ValueError:
            return None
        return quota / period if quota > 0 and period > 0 else None
    return None


def _v1_limit(folder: pathlib.Path) -> float | None:
    """cgroup v1: cpu.cfs_quota_us is -1 without a limit; cpu.cfs_period_us the period."""
    try:
        quota = int(_read(folder / "cpu.cfs_quota_us") or "")
        period = int(_read(folder / "cpu.cfs_period_us") or "")
    except ValueError:
        return None
    return quota / period if quota > 0 and period > 0 else None


def cpu_quota(root="/sys/fs/cgroup", proc_cgroup: str | None = None) -> float | None:
    """CPUs this process's cgroup may use (quota / period, the tightest of its own and its
    parents'), or None when nothing limits it or no cgroup file can be read.

    root: where the cgroup file systems are mounted. proc_cgroup: the text of /proc/self/cgroup
    (read when None), lines "id:controllers:path"; v2's line is "0::path".
    """
    root = pathlib.Path(root)
    if proc_cgroup is None:
        proc_cgroup = _read(pathlib.Path("/proc/self/cgroup")) or ""
    limits = []
    for line in proc_cgroup.splitlines():
        hierarchy, _, rest = line.partition(":")
        controllers, _, path = rest.partition(":")
        if hierarchy == "0" and controllers == "":
            limits += [_v2_limit(folder) for folder in _ancestors(root, path)]
        elif "cpu" in controllers.split(","):
            for name in (controllers, "cpu,cpuacct", "cpu"):
                if (root / name).is_dir():
                    limits += [_v1_limit(folder) for folder in _ancestors(root / name, path)]
                    break
    limits = [limit for limit in limits if limit is not None]
    return min(limits) if limits else None


def _visible_cpus() -> int:
    """Cores this process may be scheduled on (its affinity), what BLAS counts its threads by."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def usable_cpus(quota: float | None = None, visible: int | None = None) -> int:
    """Cores worth running threads on: those visible, but no more than a CPU limit allows (at
    least one; a limit of 1.5 gives 1, as two busy threads would use it up)."""
    visible = _visible_cpus() if visible is None else visible
    if quota is None:
        return visible
    return max(1, min(visible, math.floor(quota)))


def blas_thread_settings(environ=None) -> dict:
    """The thread variables to set for a course kernel, each to 1; {} when any of them is set already
    (the user's choice: OpenBLAS reads OMP_NUM_THREADS too, so setting the others would override it)."""
    environ = os.environ if environ is None else environ
    if any(name in environ for name in THREAD_VARIABLES):
        return {}
    return {name: "1" for name in THREAD_VARIABLES}


def running_thread_limit(environ=None) -> int | None:
    """The BLAS thread count a kernel already running should give itself: 1, or None when a thread
    variable is set (the user's or the start script's choice, which BLAS read when it loaded)."""
    return 1 if blas_thread_settings(environ) else None


def fit_blas_threads(threads: int) -> None:
    """Give the BLAS libraries loaded in this process (numpy's) ``threads`` threads from now on."""
    from threadpoolctl import threadpool_limits

    threadpool_limits(limits=threads, user_api="blas")


_fitted = False  # whether fit_blas_for_widgets has run in this process


def fit_blas_for_widgets() -> int | None:
    """Once per process: give BLAS one thread as the start script would have (see running_thread_limit).
    Returns the thread count set, or None when it left BLAS alone. It only makes things faster, so if
    it fails, BLAS is left as it was and nothing is raised."""
    global _fitted
    if _fitted:
        return None
    _fitted = True
    try:
        threads = running_thread_limit()
        if threads is not None:
            fit_blas_threads(threads)
        return threads
    except Exception:  # noqa: BLE001 - a missing or failing threadpoolctl must not stop a widget
        return None


def main() -> None:
    """Print ``export NAME=value`` for each setting, for a shell to eval before starting Jupyter."""
    for name, value in blas_thread_settings().items():
        print(f"export {name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
