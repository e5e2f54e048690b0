"""``./dev course``, a newcomer's first command: it sets up, builds the student versions and serves
JupyterLab with the first lesson, also where the only user is root (as in many containers). Run
for real, it writes student/ in the repository as it always does, keeping any notebook there."""

import json
import os
import pathlib
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]
TOKEN = "dev-course-test"

pytest.importorskip("jupyterlab", reason="./dev course serves JupyterLab")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_status(url: str) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status
    except urllib.error.HTTPError as err:
        return err.code
    except OSError:
        return None


def test_dev_course_serves_the_first_student_lesson(tmp_path):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("JUPYTER")}
    env["DLWIDGETS_VENV"] = sys.prefix  # this environment: setting up again is quick and changes nothing
    env["JUPYTER_RUNTIME_DIR"] = str(tmp_path / "runtime")
    log = tmp_path / "dev-course.log"
    with open(log, "w", encoding="utf-8") as out:
        server = subprocess.Popen(["./dev", "course", "--no-browser", f"--port={port}", "--ServerApp.port_retries=0",
                                   f"--IdentityProvider.token={TOKEN}"],
                                  cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 240
        while http_status(f"{base}/api/status?token={TOKEN}") != 200:
            assert server.poll() is None, f"./dev course stopped (exit {server.returncode}):\n{log.read_text()[-3000:]}"
            assert time.monotonic() < deadline, f"JupyterLab did not answer within 240 s:\n{log.read_text()[-3000:]}"
            time.sleep(1)
        # the server shows the student versions alone: its root is student/
        with urllib.request.urlopen(f"{base}/api/contents?token={TOKEN}", timeout=10) as response:
            listed = {item["name"] for item in json.load(response)["content"]}
        lessons = {path.name for path in (ROOT / "course").glob("[0-9][0-9]_*.ipynb")}
        assert lessons and lessons <= listed
        assert http_status(f"{base}/lab/tree/00_getting_started.ipynb?token={TOKEN}") == 200
    finally:
        stop(server)


def stop(process) -> None:
    """End the process and everything it started (JupyterLab and its kernels), if still running."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
