"""Drive JupyterLab in a real Chromium: start a private Lab server, open a notebook, run it.

Used by the browser tests and by the latency benchmarks, so both measure the same setup.
The server binds 127.0.0.1 on a free port with its own config, data and runtime folders,
no token, the announcements popup and update checks off.
"""

from __future__ import annotations

import contextlib
import json
import os
import pathlib
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

__all__ = ["CHROMIUM_FLAGS", "chromium_path", "JupyterLab", "launch_chromium", "open_notebook",
           "run_all_cells", "run_in_kernel", "watch_console"]

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_path() -> str | None:
    """Debian's Chromium, which Playwright drives (it cannot download its own browser here)."""
    return shutil.which("chromium") or (
        "/usr/bin/chromium" if pathlib.Path("/usr/bin/chromium").exists() else None)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class JupyterLab:
    """A JupyterLab server for tests, serving ``root``; use as a context manager."""

    def __init__(self, root, startup_timeout: float = 60):
        self.root = pathlib.Path(root).resolve()
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.startup_timeout = startup_timeout
        self._tmp = tempfile.TemporaryDirectory(prefix="dlwidgets-lab-")
        self.process = None

    def _env(self) -> dict:
        base = pathlib.Path(self._tmp.name)
        env = dict(os.environ)
        for name in ("JUPYTER_CONFIG_DIR", "JUPYTER_RUNTIME_DIR", "IPYTHONDIR", "MPLCONFIGDIR",
                     "JUPYTERLAB_SETTINGS_DIR", "JUPYTERLAB_WORKSPACES_DIR"):
            (base / name.lower()).mkdir()
            env[name] = str(base / name.lower())
        labconfig = base / "jupyter_config_dir" / "labconfig"
        labconfig.mkdir(parents=True)
        (labconfig / "page_config.json").write_text(json.dumps(
            {"disabledExtensions": {"@jupyterlab/apputils-extension:announcements": True}}))
        # Render every cell (no windowing) so tests and screenshots see the whole notebook.
        tracker = base / "jupyterlab_settings_dir" / "@jupyterlab" / "notebook-extension"
        tracker.mkdir(parents=True)
        (tracker / "tracker.jupyterlab-settings").write_text(json.dumps({"windowingMode": "none"}))
        env["PYTHONHASHSEED"] = "0"
        return env

    def __enter__(self) -> "JupyterLab":
        self.log = open(pathlib.Path(self._tmp.name) / "lab.log", "w")
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
               "--ServerApp.port_retries=0", "--IdentityProvider.token=", "--ServerApp.password=",
               f"--ServerApp.root_dir={self.root}", "--LabApp.expose_app_in_browser=True",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate", "--allow-root"]
        self.process = subprocess.Popen(cmd, env=self._env(), stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.startup_timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"JupyterLab exited early:\n{self.read_log()}")
            with contextlib.suppress(OSError):
                with urllib.request.urlopen(f"{self.url}/api/status", timeout=2) as response:
                    if response.status == 200:
                        return self
            time.sleep(0.3)
        self.__exit__(None, None, None)
        raise RuntimeError(f"JupyterLab did not start within {self.startup_timeout} s:\n{self.read_log()}")

    def read_log(self, tail: int | None = 4000) -> str:
        """The server's log so far (its last ``tail`` characters; None for all of it)."""
        text = (pathlib.Path(self._tmp.name) / "lab.log").read_text(errors="replace")
        return text if tail is None else text[-tail:]

    def notebook_url(self, relative_path) -> str:
        return f"{self.url}/lab/tree/{relative_path}?reset"

    def delete_kernels(self) -> None:
        """Shut down every kernel: left running they skew timings on two cores."""
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{self.url}/api/kernels", timeout=5) as response:
                kernels = json.load(response)
            for kernel in kernels:
                request = urllib.request.Request(f"{self.url}/api/kernels/{kernel['id']}", method="DELETE")
                urllib.request.urlopen(request, timeout=10).close()

    def __exit__(self, *exc) -> None:
        if self.process is not None:
            self.delete_kernels()
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
            self.process = None
        self.log.close()
        self._tmp.cleanup()


def launch_chromium(playwright):
    """Debian's Chromium, headless, without the background traffic a closed network refuses."""
    path = chromium_path()
    if path is None:
        raise RuntimeError("Chromium is not installed (apt-get install -y chromium)")
    return playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)


def watch_console(page) -> list[str]:
    """Collect the page's console errors and uncaught exceptions into a list."""
    errors: list[str] = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    return errors


def open_notebook(page, lab: JupyterLab, relative_path, timeout_ms: int = 90_000) -> None:
    """Open a notebook in Lab and wait until it is loaded and its kernel is connected and idle."""
    page.goto(lab.notebook_url(relative_path))
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp && window.jupyterapp.shell.currentWidget;
            if (!panel || !panel.context || !panel.context.isReady || !panel.sessionContext) return false;
            const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
            return !!kernel && kernel.connectionStatus === 'connected' && kernel.status === 'idle';
        }""",
        timeout=timeout_ms,
        polling=250,
    )


def run_all_cells(page, timeout_ms: int = 120_000) -> None:
    """Clear the saved outputs, run every cell, and wait until each code cell has run anew."""
    page.evaluate("window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.wait_for_function(
        """() => window.jupyterapp.shell.currentWidget.content.widgets
                 .filter(c => c.model.type === 'code').every(c => c.model.executionCount === null)""",
        timeout=timeout_ms)
    page.evaluate("window.jupyterapp.commands.execute('notebook:run-all-cells')")
    page.wait_for_function(
        """() => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel.sessionContext.session && panel.sessionContext.session.kernel;
            if (!kernel || kernel.status !== 'idle') return false;
            return panel.content.widgets.filter(c => c.model.type === 'code')
                        .every(c => c.model.executionCount !== null);
        }""",
        timeout=timeout_ms,
        polling=250,
    )


def run_in_kernel(page, code: str) -> None:
    """Run Python in the open notebook's kernel, without output, and wait until it has run; an
    exception there (a failed assert, say) is raised here as a RuntimeError."""
    reply = page.evaluate("""async (code) => {
        const kernel = window.jupyterapp.shell.currentWidget.sessionContext.session.kernel;
        const { content } = await kernel.requestExecute({ code, silent: true }).done;
        return { status: content.status, error: content.status === "error" ? `${content.ename}: ${content.evalue}` : "" };
    }""", code)
    if reply["status"] != "ok":
        raise RuntimeError(f"the kernel could not run {code!r}: {reply['error'] or reply['status']}")
