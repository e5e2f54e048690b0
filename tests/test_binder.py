"""Binder: a fresh environment built from the binder/ files alone opens the course and runs every lesson."""

import os
import pathlib
import re
import shutil
import subprocess
import sys

import pytest

tomllib = pytest.importorskip("tomllib", reason="Python 3.11+ reads pyproject.toml with tomllib")

ROOT = pathlib.Path(__file__).resolve().parents[1]

RUN_LESSONS = r"""
import pathlib, sys
import nbformat
from nbclient import NotebookClient
for path in sorted(pathlib.Path(sys.argv[1]).glob('[0-9][0-9]_*.ipynb')):
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=120, kernel_name='python3', resources={'metadata': {'path': str(path.parent)}}).execute()
    print('ran', path.name)
"""


def requirement_names(lines):
    return {re.split(r"[<>=!\[ ;]", line.strip())[0].lower() for line in lines
            if line.strip() and not line.strip().startswith("#")}


def test_binder_requirements_cover_the_package_runtime_dependencies():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    binder = requirement_names((ROOT / "binder" / "requirements.txt").read_text(encoding="utf-8").splitlines())
    assert requirement_names(project["dependencies"]) <= binder
    assert "jupyterlab" in binder


def repository_files():
    listed = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout.split("\n")
    return [name for name in listed if name and (ROOT / name).is_file()]


@pytest.mark.slow
def test_a_fresh_binder_environment_builds_the_student_course_and_runs_every_lesson(tmp_path):
    repo = tmp_path / "repo"
    for name in repository_files():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, repo / name)
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VIRTUAL_ENV", "JUPYTER", "PYTHON", "IPYTHON"))}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["JUPYTER_CONFIG_DIR"] = str(tmp_path / "jupyter-config")
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    env["IPYTHONDIR"] = str(tmp_path / "ipython")
    env["MPLCONFIGDIR"] = str(tmp_path / "mpl")

    def run(*cmd):
        result = subprocess.run(cmd, cwd=repo, env=env, capture_output=True, text=True, check=False)
        assert result.returncode == 0, f"{' '.join(map(str, cmd))} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout + result.stderr

    run(venv / "bin" / "python", "-m", "pip", "install", "--quiet", "-r", "binder/requirements.txt")
    run("bash", "binder/postBuild")
    assert (repo / "student" / "00_getting_started.ipynb").exists(), "Binder must open the student version of lesson 00"
    extensions = run(venv / "bin" / "jupyter", "labextension", "list")
    assert "@jupyter-widgets/jupyterlab-manager" in extensions and "anywidget" in extensions
    server_extensions = re.sub(r"\x1b\[[0-9;]*m", "", run(venv / "bin" / "jupyter", "server", "extension", "list"))
    assert re.search(r"dlwidgets\.lab_server\s+enabled", server_extensions), "kernel messages would wait on Nagle"
    run("python", "-m", "dlwidgets.cpu_limit")  # what binder/start evaluates: it must run in Binder's environment
    assert run("bash", "binder/start", "python", "-c", "print('started')").strip() == "started"
    output = run(venv / "bin" / "python", "-c", RUN_LESSONS, str(repo / "course"))
    lessons = sorted(p.name for p in (ROOT / "course").glob("[0-9][0-9]_*.ipynb"))
    assert [line.split()[1] for line in output.splitlines() if line.startswith("ran ")] == lessons
