"""A sandbox for each student's kernel: bubblewrap, read-only Python, a private home, no network.

The kernel sees only what Python needs, all read-only: ``/usr`` (and the ``/bin``, ``/lib``
links into it), a few files of ``/etc`` (the linker's cache, fonts, time zone), the Python
installation and the virtual environment the grader runs in, and the course package's own
files (``dlwidgets/``) at ``/opt/dlwidgets``. It does not see the grading folder, the
submissions, other students, the source lessons or the repository. It writes only in its
own scratch home (``/home/student``, inside the grading folder's work space, deleted
afterwards), a small ``/tmp`` in memory, and the directory of its own ZeroMQ ``ipc``
sockets. Its own user, PID, network, IPC and UTS namespaces mean no network, no view of
other processes, and when the sandbox ends every process started in it ends too
(``--die-with-parent``; killing the sandbox's first process empties its PID namespace).
Inside, before Python starts, limits are set: address space (memory), processes (counted
per user namespace, so per sandbox) and file size.

No sandbox (not Linux, no ``bwrap``, no user namespaces): ``sandbox_problem()`` says why.
"""

from __future__ import annotations

import functools
import os
import pathlib
import shutil
import subprocess
import sys

__all__ = ["SandboxLimits", "sandbox_problem", "sandbox_command", "limited_command", "kernel_env", "matplotlib_cache",
           "visible_paths", "hidden_from_sandbox", "package_root", "HOME", "PACKAGE_MOUNT"]

HOME = "/home/student"
PACKAGE_MOUNT = "/opt/dlwidgets"
_ETC = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "fonts", "localtime", "alternatives", "mime.types",
        "nsswitch.conf", "passwd", "group", "ssl/openssl.cnf")


class SandboxLimits:
    """What one student's kernel may use."""

    def __init__(self, memory_mb: int = 2048, processes: int = 64, file_mb: int = 200, tmp_mb: int = 256):
        self.memory_mb, self.processes, self.file_mb, self.tmp_mb = memory_mb, processes, file_mb, tmp_mb


def package_root() -> pathlib.Path:
    """The folder holding the ``dlwidgets`` package the grader itself runs."""
    import dlwidgets

    return pathlib.Path(dlwidgets.__file__).resolve().parent


def _python_dirs() -> list[str]:
    import site

    dirs = []
    user_site = [site.getusersitepackages()] if site.ENABLE_USER_SITE and site.getusersitepackages() in sys.path else []
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix,
                 os.path.dirname(os.path.realpath(sys.executable)), *user_site):
        for candidate in (path, os.path.realpath(path)):
            if candidate and candidate not in dirs and not any(candidate.startswith(d + os.sep) for d in dirs):
                dirs.append(candidate)
    # a venv's python is a link into the base installation: bind the link's target's tree too
    return [d for d in dirs if d != "/" and os.path.isdir(d)]


def visible_paths() -> list[pathlib.Path]:
    """The grader's folders a student's kernel sees (read-only): Python, its environment, the package."""
    return [pathlib.Path(p) for p in _python_dirs()] + [package_root()]


def hidden_from_sandbox(*paths) -> str | None:
    """None if none of ``paths`` lies in a folder the sandbox shows; otherwise a sentence saying which."""
    for path in paths:
        resolved = pathlib.Path(path).resolve()
        for shown in visible_paths():
            if resolved == shown or resolved.is_relative_to(shown):
                return (f"{path} is inside {shown}, which every student's sandbox can read (it holds Python or the "
                        "course package); keep submissions, lessons and the grading folder elsewhere")
    return None


def _system_args() -> list[str]:
    args = ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "lib", "lib64", "lib32", "sbin", "libx32"):
        path = pathlib.Path("/") / name
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), str(path)]
        elif path.is_dir():
            args += ["--ro-bind", str(path), str(path)]
    for name in _ETC:
        path = pathlib.Path("/etc") / name
        if path.exists():
            args += ["--ro-bind", str(path), str(path)]
    return args


def kernel_env(home: str, python_path: str) -> dict[str, str]:
    """The whole environment of a student's kernel (nothing of the grader's own is passed on)."""
    return {"HOME": home, "PATH": f"{os.path.dirname(sys.executable)}:/usr/bin:/bin", "PYTHONPATH": python_path,
            "PYTHONNOUSERSITE": "1", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0",
            "PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{home}/.matplotlib",
            "IPYTHONDIR": f"{home}/.ipython", "JUPYTER_RUNTIME_DIR": f"{home}/.jupyter", "LANG": "C.UTF-8",
            "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "USER": "student"}


def matplotlib_cache(folder: pathlib.Path) -> pathlib.Path:
    """Build matplotlib's font cache once in ``folder`` (each kernel gets a copy: building it
    costs every new home about a second of CPU)."""
    folder.mkdir(parents=True, exist_ok=True)
    if not any(folder.glob("fontlist-*.json")):
        env = dict(os.environ, MPLCONFIGDIR=str(folder), MPLBACKEND="Agg")
        subprocess.run([sys.executable, "-c", "import matplotlib.font_manager"], env=env, capture_output=True,
                       timeout=300)
    return folder


def sandbox_command(command: list[str], *, home: str, sockets: str, limits: SandboxLimits) -> list[str]:
    """``command`` (a Python command line) wrapped to run inside the sandbox."""
    bwrap = shutil.which("bwrap")
    args = [bwrap, "--unshare-all", "--die-with-parent", "--new-session", "--clearenv",
            "--proc", "/proc", "--dev", "/dev", "--size", str(limits.tmp_mb * 2 ** 20), "--tmpfs", "/tmp"]
    args += _system_args()
    # the directories python lives in come before the home, which may sit below one of them
    for path in _python_dirs():
        args += ["--ro-bind", path, path]
    args += ["--ro-bind", str(package_root()), f"{PACKAGE_MOUNT}/dlwidgets"]
    args += ["--dir", "/home", "--bind", home, HOME, "--bind", sockets, sockets, "--chdir", HOME]
    for name, value in kernel_env(HOME, PACKAGE_MOUNT).items():
        args += ["--setenv", name, value]
    limit = (f"import os,resource as r,sys;m={limits.memory_mb * 2 ** 20};"
             f"r.setrlimit(r.RLIMIT_AS,(m,m));r.setrlimit(r.RLIMIT_NPROC,({limits.processes},{limits.processes}));"
             f"f={limits.file_mb * 2 ** 20};r.setrlimit(r.RLIMIT_FSIZE,(f,f));r.setrlimit(r.RLIMIT_CORE,(0,0));"
             "os.execv(sys.executable,[sys.executable]+sys.argv[1:])")
    return args + ["--", sys.executable, "-c", limit, *command]


@functools.lru_cache(maxsize=None)
def sandbox_problem() -> str | None:
    """None if student kernels can run in a sandbox here; otherwise a sentence saying why not."""
    if not sys.platform.startswith("linux"):
        return f"student code can only be sandboxed on Linux (this is {sys.platform})"
    if shutil.which("bwrap") is None:
        return ("bubblewrap (bwrap), which sandboxes each student's kernel, is not installed: "
                "`apt-get install bubblewrap` (Debian, Ubuntu) or `dnf install bubblewrap`")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="dlw-probe-") as scratch:
        command = sandbox_command(["-c", "import numpy; print('sandboxed')"], home=scratch, sockets=scratch,
                                  limits=SandboxLimits())
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=60)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"bubblewrap could not start a sandbox ({exc})"
    if done.returncode != 0 or "sandboxed" not in done.stdout:
        detail = (done.stderr.strip().splitlines() or ["no message"])[-1][:200]
        return f"bubblewrap could not start a sandbox here (user namespaces may be disabled): {detail}"
    return None


def limited_command(command: list[str], limits: SandboxLimits) -> list[str]:
    """``command`` with the same limits but no sandbox (only when the instructor asks for it)."""
    full = sandbox_command(command, home="/", sockets="/", limits=limits)
    launcher = full[full.index("--") + 1:]
    # outside a user namespace a process limit would count every process of this user, not the notebook's
    launcher[2] = launcher[2].replace(f"r.setrlimit(r.RLIMIT_NPROC,({limits.processes},{limits.processes}));", "")
    return launcher
