"""Warm kernels: a fork server that hands out fresh IPython kernels in a fraction of a second.

Starting a kernel and importing numpy, matplotlib and the course package costs about two
seconds of CPU per notebook, more than running a lesson's cells. Grading hundreds of
notebooks pays that again and again. So each grading worker starts one *zygote*: a process
that imports ipykernel and the lesson's modules once, draws a figure to load the fonts,
and then forks a brand-new kernel process for every notebook. Each kernel is still its own
process, with its own memory: nothing one submission does can reach another.

The kernel manager (jupyter_client, driven by nbgrader's Execute preprocessor) launches a
tiny *client* process (``python -m dlwidgets.grading.warmkernel connect SOCKET -f FILE``)
instead of ``ipykernel_launcher``. The client asks the zygote for a kernel, forwards the
signals the manager sends (interrupt, terminate) to it, and exits with the kernel's exit
status, so the manager's view (alive, interrupted, dead, killed) is the same as for an
ordinary kernel. If the client is killed, the zygote kills the kernel.

Each forked kernel gets the memory cap (``RLIMIT_AS``) before it runs any code.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import time

__all__ = ["Zygote", "kernel_spec", "serve", "connect"]

_FORWARDED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2)


def _send(conn: socket.socket, message: dict) -> None:
    conn.sendall(json.dumps(message).encode() + b"\n")


def _receive(conn: socket.socket) -> dict | None:
    data = b""
    while not data.endswith(b"\n"):
        chunk = conn.recv(65536)
        if not chunk:
            return None
        data += chunk
    return json.loads(data)


# ---------------------------------------------------------------- the zygote (server side)

def _warm_up(preload: list[str]) -> None:
    """Import what every kernel will need and load matplotlib's fonts, without threads."""
    import importlib
    import io

    import ipykernel.kernelapp  # noqa: F401  (the kernel itself)
    for name in preload:
        try:
            importlib.import_module(name)
        except Exception:  # a module that fails here will fail, and be reported, in the kernel
            pass
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(2, 1))
        FigureCanvasAgg(fig)
        fig.add_subplot().set_title("warm-up 0123456789")
        fig.savefig(io.BytesIO(), format="png")
    except Exception:
        pass


def _run_kernel(request: dict, memory_bytes: int | None, monitor_pid: int) -> None:
    """In the forked kernel process: apply limits, take the client's cwd and env, run ipykernel."""
    for sig in _FORWARDED + (signal.SIGCHLD,):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    if memory_bytes:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    os.environ["JPY_PARENT_PID"] = str(monitor_pid)
    args = list(request["argv"]) + [f"--IPKernelApp.parent_handle={monitor_pid}"]
    sys.argv = ["ipykernel_launcher", *args]
    from ipykernel import kernelapp

    app = kernelapp.IPKernelApp.instance()
    app.initialize(args)
    app.start()


def _monitor(conn: socket.socket, listener: socket.socket, memory_bytes: int | None) -> None:
    """In the forked monitor process: start the kernel, report its pid and exit status."""
    listener.close()
    request = _receive(conn)
    if request is None:
        os._exit(0)
    me = os.getpid()
    kernel = os.fork()
    if kernel == 0:
        conn.close()
        try:
            _run_kernel(request, memory_bytes, me)
        except SystemExit as exc:
            os._exit(exc.code if isinstance(exc.code, int) else 1)
        except BaseException:
            os._exit(1)
        os._exit(0)
    _send(conn, {"pid": kernel})
    while True:
        done, status = os.waitpid(kernel, os.WNOHANG)
        if done:
            code = os.waitstatus_to_exitcode(status)
            try:
                _send(conn, {"exit": code})
            except OSError:
                pass
            os._exit(0)
        readable, _, _ = select.select([conn], [], [], 0.05)
        if readable and not conn.recv(1):  # the client went away: nobody watches this kernel
            try:
                os.kill(kernel, signal.SIGKILL)
            except ProcessLookupError:
                pass
            os.waitpid(kernel, 0)
            os._exit(0)


def serve(socket_path: str, preload: list[str], memory_bytes: int | None, parent: int) -> None:
    """Warm up, then fork a monitor (which forks a kernel) for every connection."""
    _warm_up(preload)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(socket_path)
    listener.listen(64)
    listener.settimeout(0.5)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    print("ready", flush=True)
    while os.getppid() == parent:
        try:
            while os.waitpid(-1, os.WNOHANG)[0]:
                pass
        except ChildProcessError:
            pass
        try:
            conn, _ = listener.accept()
        except (socket.timeout, InterruptedError):
            continue
        conn.settimeout(None)
        if os.fork() == 0:
            _monitor(conn, listener, memory_bytes)
            os._exit(0)
        conn.close()


# ---------------------------------------------------------------- the client (launched as "the kernel")

def connect(socket_path: str, argv: list[str]) -> int:
    """Ask the zygote for a kernel; forward signals to it; exit with its exit status."""
    conn = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    conn.connect(socket_path)
    _send(conn, {"argv": argv, "cwd": os.getcwd(), "env": dict(os.environ)})
    reply = _receive(conn)
    if reply is None:
        return 1
    pid = reply["pid"]

    def forward(signum, _frame):
        try:
            os.kill(pid, signum)
        except ProcessLookupError:
            pass

    for sig in _FORWARDED:
        signal.signal(sig, forward)
    while True:
        try:
            reply = _receive(conn)
        except InterruptedError:
            continue
        if reply is None:
            return 1
        if "exit" in reply:
            code = reply["exit"]
            return 128 - code if code < 0 else code


# ---------------------------------------------------------------- the worker's handle on its zygote

def kernel_spec(socket_path: str) -> dict:
    """A kernel.json whose 'kernel' is the client of the zygote listening on ``socket_path``."""
    return {
        "argv": [sys.executable, "-m", "dlwidgets.grading.warmkernel", "connect", socket_path,
                 "-f", "{connection_file}"],
        "display_name": "Python 3 (warm, for grading)",
        "language": "python",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


class Zygote:
    """Start a zygote process for this (worker) process and stop it again."""

    def __init__(self, socket_path: str, preload: list[str], memory_bytes: int | None = None):
        self.socket_path = socket_path
        if os.path.exists(socket_path):
            os.unlink(socket_path)
        command = [sys.executable, "-m", "dlwidgets.grading.warmkernel", "serve", socket_path,
                   str(memory_bytes or 0), str(os.getpid()), *preload]
        self.process = subprocess.Popen(command, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL, text=True)
        line = self.process.stdout.readline()
        if line.strip() != "ready":
            raise RuntimeError("the warm-kernel server did not start")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
        if os.path.exists(self.socket_path):
            os.unlink(self.socket_path)


def _main(argv: list[str]) -> int:
    if argv[:1] == ["serve"]:
        socket_path, memory, parent, *preload = argv[1:]
        serve(socket_path, preload, int(memory) or None, int(parent))
        return 0
    if argv[:1] == ["connect"]:
        return connect(argv[1], argv[2:])
    print("usage: python -m dlwidgets.grading.warmkernel (serve SOCKET MEMORY PARENT [MODULE...] | "
          "connect SOCKET KERNEL-ARGS...)", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
