"""One student's kernel, in its sandbox: run a cell under a time limit, ask it for plain data, end it.

The kernel is an ordinary IPython kernel started by jupyter_client, talking over ZeroMQ's
``ipc`` transport through a socket directory that is the only writable place it shares
with the grader. Interrupts go as messages (the sandbox's first process does not pass
signals on). A cell still running a few seconds after its interrupt (a cell that ignores
interrupts) gets the whole sandbox killed; so does a kernel at the end of its notebook.

``StudentKernel.run`` executes a cell and gathers its outputs, capped while they arrive;
``StudentKernel.ask`` sends one request to ``wire.serve`` inside the kernel and returns its
JSON reply text, with no outputs kept.
"""

from __future__ import annotations

import pathlib
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field

from .sandbox import HOME, SandboxLimits, kernel_env, limited_command, package_root, sandbox_command

__all__ = ["StudentKernel", "CellRun", "KernelGone", "INTERRUPT_GRACE"]

INTERRUPT_GRACE = 5.0    # seconds a cell gets to stop after an interrupt before the sandbox is killed
_SERVE = ("__dlw_reply = __import__('dlwidgets.grading.wire', fromlist=['serve']).serve("
          "{request!r}, __import__('IPython').get_ipython().user_ns)")


class KernelGone(Exception):
    """The kernel is no longer running (it died or was killed)."""


@dataclass
class CellRun:
    """What running one cell did."""

    outputs: list = field(default_factory=list)   # nbformat outputs, capped
    status: str = "ok"        # ok, error, timeout (interrupted), killed (ignored the interrupt), died
    ename: str = ""
    evalue: str = ""
    truncated: bool = False


def _preload_code(modules) -> str:
    """Import the lesson's modules and draw a figure once (fonts, Agg), before any student code."""
    lines = [f"import {name}" for name in modules]
    lines += ["try:", "    import io, matplotlib.figure, matplotlib.backends.backend_agg as _agg",
              "    _f = matplotlib.figure.Figure(figsize=(2, 1)); _agg.FigureCanvasAgg(_f)",
              "    _f.add_subplot().set_title('0123456789'); _f.savefig(io.BytesIO(), format='png')",
              "    del _f, _agg", "except Exception:", "    pass"]
    return "\n".join(lines)


def _output(msg: dict) -> dict | None:
    kind, content = msg["header"]["msg_type"], msg["content"]
    if kind == "stream":
        return {"output_type": "stream", "name": content.get("name", "stdout"), "text": content.get("text", "")}
    if kind in ("display_data", "update_display_data"):
        return {"output_type": "display_data", "data": content.get("data", {}), "metadata": content.get("metadata", {})}
    if kind == "execute_result":
        return {"output_type": "execute_result", "data": content.get("data", {}), "metadata": content.get("metadata", {}),
                "execution_count": content.get("execution_count")}
    if kind == "error":
        return {"output_type": "error", "ename": str(content.get("ename", ""))[:200],
                "evalue": str(content.get("evalue", ""))[:2000], "traceback": []}
    return None


def _size(output: dict) -> int:
    return len(output.get("text", "")) + sum(len(str(v)) for v in output.get("data", {}).values()) \
        + len(output.get("evalue", ""))


class StudentKernel:
    """A sandboxed kernel for one notebook (started at once, ready when first used)."""

    def __init__(self, work_dir: pathlib.Path, limits: SandboxLimits, *, sandboxed: bool = True,
                 preload: tuple = (), matplotlib_cache: pathlib.Path | None = None):
        from jupyter_client import KernelManager
        from jupyter_client.kernelspec import KernelSpec

        import tempfile

        self.work_dir = pathlib.Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        self.scratch = pathlib.Path(tempfile.mkdtemp(prefix="k", dir=self.work_dir))
        self.home = self.scratch / "home"
        self.home.mkdir()
        if matplotlib_cache is not None:
            shutil.copytree(matplotlib_cache, self.home / ".matplotlib")
        sockets = self.scratch / "s"
        sockets.mkdir()
        if len(str(sockets)) > 80:  # ipc socket paths are limited to about 100 bytes
            sockets = pathlib.Path(tempfile.mkdtemp(prefix="dlw-"))
            self._outside = sockets
        else:
            self._outside = None
        self.sockets = sockets
        home, limits_ = str(self.home), limits

        class Manager(KernelManager):
            def format_kernel_cmd(self, extra_arguments=None):
                command = super().format_kernel_cmd(extra_arguments)[1:]
                if sandboxed:
                    return sandbox_command(command, home=home, sockets=str(sockets), limits=limits_)
                return limited_command(command, limits_)

        self.km = Manager(transport="ipc", ip=str(sockets / "k"), connection_file=str(sockets / "kernel.json"))
        self.km._kernel_spec = KernelSpec(argv=[sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
                                          display_name="Python 3 (sandboxed)", language="python",
                                          interrupt_mode="message")
        self.started = time.monotonic()
        env = kernel_env(HOME, "/opt/dlwidgets") if sandboxed else \
            kernel_env(str(self.home), str(package_root().parent))
        self.km.start_kernel(cwd=str(self.home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                             stdin=subprocess.DEVNULL, env=env)
        self.kc = self.km.blocking_client()
        self.kc.start_channels()
        self.ready = False
        self.gone = False
        self._preload = self.kc.execute(_preload_code(preload), silent=True, store_history=False) if preload else None

    # ------------------------------------------------------------ life

    def wait_ready(self, timeout: float = 120) -> None:
        """Wait until the kernel has answered (and finished importing the lesson's modules)."""
        if self.ready:
            return
        msg_id = self._preload or self.kc.kernel_info()
        end = time.monotonic() + timeout
        while self._reply(msg_id, 1.0) is None:
            if not self.km.is_alive() or time.monotonic() > end:
                self.gone = True
                raise KernelGone("the kernel did not start")
        self._drain()
        self.ready = True

    def alive(self) -> bool:
        return not self.gone and self.km.is_alive()

    def kill(self) -> None:
        """End the sandbox and everything in it, and delete its scratch space."""
        self.gone = True
        try:
            self.kc.stop_channels()
        except Exception:
            pass
        try:
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=True)
        except Exception:
            pass
        try:
            self.km.cleanup_resources()
        except Exception:
            pass
        shutil.rmtree(self.scratch, ignore_errors=True)
        if self._outside is not None:
            shutil.rmtree(self._outside, ignore_errors=True)

    # ------------------------------------------------------------ cells

    def run(self, code: str, timeout: float, max_output_bytes: int) -> CellRun:
        """Run one cell; interrupt it at ``timeout``; kill the sandbox if it will not stop."""
        result = CellRun()
        if self.gone:
            result.status = "died"
            return result
        try:
            self.wait_ready()
        except KernelGone:
            result.status = "died"
            return result
        used = 0
        msg_id = self.kc.execute(code, store_history=True, allow_stdin=False, stop_on_error=False)
        deadline = time.monotonic() + timeout
        interrupted_at = None
        replied_at = None
        while True:
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.km.interrupt_kernel()
                interrupted_at = now
                result.status = "timeout"
            if interrupted_at is not None and now > interrupted_at + INTERRUPT_GRACE:
                result.status = "killed"
                self.kill()
                return result
            try:
                msg = self.kc.get_iopub_msg(timeout=0.2)
            except Exception:  # queue.Empty
                if not self.km.is_alive():
                    result.status = "died"
                    self.gone = True
                    return result
                if replied_at is None and self._reply(msg_id, 0.01) is not None:
                    replied_at = time.monotonic()
                if replied_at is not None and time.monotonic() > replied_at + 1.0:
                    break   # the cell is done; its last outputs were lost on the way (should not happen)
                continue
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind = msg["header"]["msg_type"]
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                break
            if kind == "clear_output":
                result.outputs = []
                continue
            output = _output(msg)
            if output is None:
                continue
            if output["output_type"] == "error":
                result.ename, result.evalue = output["ename"], output["evalue"]
                if result.status == "ok":
                    result.status = "error"
            size = _size(output)
            if used + size > max_output_bytes:
                if not result.truncated:
                    result.outputs.append({"output_type": "stream", "name": "stdout",
                                           "text": f"[output truncated by the grader at {max_output_bytes} bytes]\n"})
                result.truncated = True
                if output["output_type"] != "error":
                    continue
            used += size
            if output["output_type"] == "stream" and result.outputs and result.outputs[-1].get("name") == output["name"] \
                    and result.outputs[-1]["output_type"] == "stream":
                result.outputs[-1]["text"] += output["text"]
            else:
                result.outputs.append(output)
        if result.status == "timeout" and result.ename != "KeyboardInterrupt":
            result.status = "ok" if not result.ename else "error"  # it finished on its own just in time
        if replied_at is None:
            self._reply(msg_id, 2.0)
        return result

    def _reply(self, msg_id: str, timeout: float) -> dict | None:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            try:
                msg = self.kc.get_shell_msg(timeout=max(0.01, end - time.monotonic()))
            except Exception:
                return None
            if msg.get("parent_header", {}).get("msg_id") == msg_id:
                return msg
        return None

    def _drain(self) -> None:
        for _ in range(10000):
            try:
                self.kc.get_iopub_msg(timeout=0)
            except Exception:
                return

    # ------------------------------------------------------------ requests for plain data

    def ask(self, request: str, timeout: float) -> tuple[str, str | None]:
        """(outcome, reply text): outcome is ok, timeout (the call was interrupted), killed or died."""
        if self.gone:
            return "died", None
        try:
            self.wait_ready()
        except KernelGone:
            return "died", None
        code = _SERVE.format(request=request)
        msg_id = self.kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False,
                                 user_expressions={"r": "__dlw_reply"})
        end = time.monotonic() + timeout
        outcome = "ok"
        while True:
            reply = self._reply(msg_id, min(0.5, max(0.01, end - time.monotonic())))
            self._drain()
            if reply is not None:
                break
            if not self.km.is_alive():
                self.gone = True
                return "died", None
            if time.monotonic() > end:
                if outcome == "timeout":
                    self.kill()
                    return "killed", None
                self.km.interrupt_kernel()
                outcome, end = "timeout", time.monotonic() + INTERRUPT_GRACE
        if outcome != "ok":
            return outcome, None
        value = reply["content"].get("user_expressions", {}).get("r", {})
        text = value.get("data", {}).get("text/plain") if isinstance(value, dict) else None
        return ("ok", text) if isinstance(text, str) else ("ok", None)

