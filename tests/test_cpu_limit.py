"""dlwidgets.cpu_limit: a container's CPU limit read from fake cgroup trees (the grader's worker
count), the one BLAS thread Binder's start script and ``./dev course`` export, and a running kernel
giving its BLAS one thread when its first widget is made."""

import json
import os
import pathlib
import subprocess
import sys

import pytest

from dlwidgets import cpu_limit
from dlwidgets.cpu_limit import THREAD_VARIABLES, blas_thread_settings, cpu_quota, usable_cpus

ROOT = pathlib.Path(__file__).resolve().parents[1]


def write(path: pathlib.Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text + "\n", encoding="ascii")


def test_cgroup_v2_in_its_own_namespace(tmp_path):
    write(tmp_path / "cpu.max", "100000 100000")
    assert cpu_quota(tmp_path, "0::/") == 1.0


def test_cgroup_v2_takes_the_tightest_limit_of_the_cgroup_and_its_parents(tmp_path):
    write(tmp_path / "kubepods" / "cpu.max", "150000 100000")
    write(tmp_path / "kubepods" / "pod7" / "cpu.max", "max 100000")
    write(tmp_path / "kubepods" / "pod7" / "user" / "cpu.max", "400000 100000")
    assert cpu_quota(tmp_path, "0::/kubepods/pod7/user\n") == 1.5


def test_cgroup_v2_without_a_limit(tmp_path):
    write(tmp_path / "cpu.max", "max 100000")
    assert cpu_quota(tmp_path, "0::/") is None


def test_cgroup_v1_seen_at_the_mount_root_from_inside_a_container(tmp_path):
    # /proc/self/cgroup names the host's path, which does not exist inside the container
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_quota_us", "50000")
    write(tmp_path / "cpu,cpuacct" / "cpu.cfs_period_us", "100000")
    assert cpu_quota(tmp_path, "5:memory:/docker/abc\n4:cpu,cpuacct:/docker/abc\n") == 0.5


def test_cgroup_v1_at_its_full_path_and_the_separate_cpu_mount(tmp_path):
    write(tmp_path / "cpu" / "cpu.cfs_quota_us", "-1")
    write(tmp_path / "cpu" / "cpu.cfs_period_us", "100000")
    write(tmp_path / "cpu" / "course" / "cpu.cfs_quota_us", "200000")
    write(tmp_path / "cpu" / "course" / "cpu.cfs_period_us", "100000")
    assert cpu_quota(tmp_path, "1:cpu:/course") == 2.0
    assert cpu_quota(tmp_path, "1:cpu:/") is None  # -1: no limit


@pytest.mark.parametrize("proc, files", [
    ("", {}),                                                     # no cgroups at all
    ("0::/", {}),                                                 # v2 without the cpu controller's files
    ("0::/", {"cpu.max": "lots 100000"}),                         # unreadable numbers
    ("0::/", {"cpu.max": "100000 0"}),
    ("4:cpu,cpuacct:/", {"cpu,cpuacct/cpu.cfs_quota_us": "50000"}),  # no period
    ("4:memory:/", {"memory/cpu.cfs_quota_us": "50000"}),          # not the cpu controller
])
def test_no_limit_is_read_from_missing_or_malformed_files(tmp_path, proc, files):
    for name, text in files.items():
        write(tmp_path / name, text)
    assert cpu_quota(tmp_path, proc) is None


def test_paths_cannot_climb_out_of_the_cgroup_mount(tmp_path):
    write(tmp_path / "mount" / "cpu.max", "max 100000")
    write(tmp_path / "cpu.max", "100000 100000")  # outside the mount: never read
    assert cpu_quota(tmp_path / "mount", "0::/../..") is None


@pytest.mark.parametrize("quota, visible, usable", [
    (None, 8, 8), (0.5, 8, 1), (1.0, 8, 1), (1.5, 8, 1), (3.0, 8, 3), (16.0, 8, 8), (2.0, 2, 2),
])
def test_usable_cpus(quota, visible, usable):
    assert usable_cpus(quota, visible) == usable


def test_a_course_kernel_gets_one_blas_thread():
    assert blas_thread_settings({}) == {name: "1" for name in THREAD_VARIABLES}


@pytest.mark.parametrize("name", THREAD_VARIABLES)
def test_blas_threads_are_left_alone_when_any_thread_variable_is_set(name):
    assert blas_thread_settings({name: "3"}) == {}   # OpenBLAS reads OMP_NUM_THREADS too: the user's choice rules


def test_main_prints_exports_a_shell_can_eval(monkeypatch, capsys):
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    cpu_limit.main()
    printed = capsys.readouterr().out
    assert printed.splitlines() == [f"export {name}=1" for name in THREAD_VARIABLES]
    shell = subprocess.run(["bash", "-c", printed + 'echo "$OPENBLAS_NUM_THREADS $OMP_NUM_THREADS $MKL_NUM_THREADS"'],
                           capture_output=True, text=True, check=True)
    assert shell.stdout.split() == ["1", "1", "1"]


def test_main_prints_nothing_when_a_thread_variable_is_set(monkeypatch, capsys):
    monkeypatch.setenv("OMP_NUM_THREADS", "4")
    cpu_limit.main()
    assert capsys.readouterr().out == ""


def environment_with(bindir) -> dict:
    """This process's environment without the thread variables, bindir first on PATH (where Binder's
    start script finds `python`)."""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    env["PATH"] = f"{bindir}{os.pathsep}{env['PATH']}"
    return env


def python_on_path(tmp_path, script: str) -> dict:
    """An environment whose `python` is this script (as Binder's start script calls it)."""
    bindir = tmp_path / "bin"
    bindir.mkdir()
    fake = bindir / "python"
    fake.write_text("#!/usr/bin/env bash\n" + script + "\n", encoding="ascii")
    fake.chmod(0o755)
    return environment_with(bindir)


def test_binder_start_exports_the_settings_and_starts_the_command(tmp_path):
    env = python_on_path(tmp_path, 'echo "export OPENBLAS_NUM_THREADS=1"')
    result = subprocess.run(["bash", str(ROOT / "binder" / "start"), "bash", "-c", 'echo "started $OPENBLAS_NUM_THREADS"'],
                            env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "started 1"


def test_binder_start_starts_the_command_even_when_the_check_fails(tmp_path):
    env = python_on_path(tmp_path, "echo 'Traceback: no module dlwidgets' >&2; exit 1")
    result = subprocess.run(["bash", str(ROOT / "binder" / "start"), "bash", "-c", 'echo "started ${OPENBLAS_NUM_THREADS-unset}"'],
                            env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "started unset"


def test_binder_start_is_executable_and_runs_the_real_module():
    assert os.access(ROOT / "binder" / "start", os.X_OK), "repo2docker runs binder/start only if it is executable"
    env = environment_with(pathlib.Path(sys.executable).parent)
    result = subprocess.run(["bash", str(ROOT / "binder" / "start"), sys.executable, "-c",
                             "import os; print(os.environ.get('OPENBLAS_NUM_THREADS', 'unset'))"],
                            env=env, capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "1"


# A kernel started without the start script gives its running BLAS one thread when its first widget is made.


@pytest.mark.parametrize("environ, threads", [
    ({}, 1),
    ({"OMP_NUM_THREADS": "4"}, None),          # a variable set: the user's or the start script's choice
    ({"OPENBLAS_NUM_THREADS": "1"}, None),
])
def test_running_thread_limit(environ, threads):
    assert cpu_limit.running_thread_limit(environ) == threads


@pytest.fixture
def fresh_process(monkeypatch):
    """cpu_limit as in a process that has not fitted BLAS yet, with no thread variable set; returns
    the thread counts handed to fit_blas_threads."""
    fitted = []
    monkeypatch.setattr(cpu_limit, "_fitted", False)
    monkeypatch.setattr(cpu_limit, "fit_blas_threads", fitted.append)
    for name in THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    return fitted


def test_the_first_widget_gives_blas_one_thread_once(fresh_process):
    from dlwidgets.widgets import ActivationExplorer

    ActivationExplorer()
    ActivationExplorer()
    assert fresh_process == [1]
    assert cpu_limit.fit_blas_for_widgets() is None  # done already


def test_a_set_thread_variable_is_left_to_rule(fresh_process, monkeypatch):
    monkeypatch.setenv("OPENBLAS_NUM_THREADS", "2")
    assert cpu_limit.fit_blas_for_widgets() is None
    assert fresh_process == []


def test_a_failing_fit_leaves_blas_alone_and_the_widget_working(fresh_process, monkeypatch):
    def fail(threads):
        raise OSError("no BLAS library found")

    monkeypatch.setattr(cpu_limit, "fit_blas_threads", fail)
    from dlwidgets.widgets import ActivationExplorer

    assert ActivationExplorer().error == ""


@pytest.mark.skipif(usable_cpus() < 2, reason="BLAS runs one thread already on a single core")
def test_a_widget_gives_the_running_blas_of_a_fresh_kernel_one_thread():
    # real threadpoolctl, real numpy, no thread variable set
    script = """
import json
from threadpoolctl import threadpool_info
blas = lambda: sorted(pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas")
import numpy
before = blas()
from dlwidgets.widgets import ActivationExplorer
ActivationExplorer()
print(json.dumps({"before": before, "after": blas()}))
"""
    env = {k: v for k, v in os.environ.items() if k not in THREAD_VARIABLES}
    result = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True)
    threads = json.loads(result.stdout)
    assert threads["before"] and min(threads["before"]) > 1, "numpy's BLAS should start with a thread per core"
    assert threads["after"] == [1] * len(threads["before"])
