"""Starts JupyterLab on notebooks/ with the course kernel: a free port, token authentication on.

`./course open` runs this file: JupyterLab prints the URL (with its token) itself; extra arguments
go to `jupyter lab`. The browser test starts JupyterLab the same way through `running_lab`, which
also waits until the server answers and stops it (and every kernel it started) afterwards.
"""
import argparse
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

KERNEL_NAME = "ipc-course"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def lab_command(root_dir: Path, port: int, extra=(), port_retries: int = 50) -> list:
    """The `jupyter lab` command line the course uses, serving `root_dir` on 127.0.0.1:`port`.

    With `port_retries` > 0 JupyterLab takes the next free port if `port` was taken meanwhile.
    """
    return [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={root_dir}",
        f"--ServerApp.port={port}",
        f"--ServerApp.port_retries={port_retries}",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.open_browser=False",
        f"--MappingKernelManager.default_kernel_name={KERNEL_NAME}",
        # Containers and CI often run as root; JupyterLab refuses that unless told.
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
        *extra,
    ]


@dataclass
class Lab:
    """A JupyterLab server started by `running_lab`."""
    process: subprocess.Popen
    port: int
    token: str
    stopped: bool = False

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url(self, path: str = "lab") -> str:
        return f"{self.base_url}/{path}?token={self.token}"

    def api(self, path: str, method: str = "GET"):
        request = urllib.request.Request(f"{self.base_url}/api/{path}", method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None


@contextmanager
def running_lab(root_dir: Path, state_dir: Path, extra=(), startup_timeout: float = 60):
    """Starts JupyterLab on `root_dir` with a fresh token; yields a `Lab`; shuts it down on exit.

    JupyterLab's own state (settings, workspaces, kernel connection files) goes to `state_dir`,
    so the user's ~/.jupyter is left alone. On exit the server is asked to shut down (which shuts
    down its kernels); if it does not stop within 20 s its process group is killed.
    """
    state_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(24)
    env = dict(os.environ, JUPYTER_TOKEN=token, JUPYTER_RUNTIME_DIR=str(state_dir / "runtime"))
    port = free_port()
    command = lab_command(root_dir, port, [
        f"--LabApp.user_settings_dir={state_dir / 'user-settings'}",
        f"--LabApp.workspaces_dir={state_dir / 'workspaces'}",
        "--LabApp.news_url=None",
        *extra,
    ], port_retries=0)
    log = open(state_dir / "jupyterlab.log", "wb")
    process = subprocess.Popen(command, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    lab = Lab(process, port, token)
    try:
        _wait_until_up(lab, state_dir / "jupyterlab.log", startup_timeout)
        yield lab
    finally:
        stop(lab)
        log.close()


def _wait_until_up(lab: Lab, log: Path, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"JupyterLab exited with status {lab.process.returncode} at start-up; "
                               f"its log ({log}) ends with:\n{log.read_text()[-2000:]}")
        try:
            lab.api("status")
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"JupyterLab did not answer on port {lab.port} within {timeout:.0f} s (log: {log})")


def stop(lab: Lab) -> list:
    """Shuts the server down the way a user does; returns the processes that outlived it.

    The server is asked to shut down (it shuts down its kernels first) and given 20 s. Every
    process that descended from it before the shutdown (kernels, and whatever the kernels started)
    gets 10 s more to exit. Those still alive then are described in the returned list (empty when
    the shutdown was clean), and killed, so nothing is left behind either way.
    """
    import psutil
    if lab.stopped:
        return []
    lab.stopped = True
    try:
        before = psutil.Process(lab.process.pid).children(recursive=True)
    except psutil.NoSuchProcess:
        before = []
    if lab.process.poll() is None:
        try:
            lab.api("shutdown", method="POST")
        except OSError:
            pass
        try:
            lab.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
    _, alive = psutil.wait_procs(before, timeout=10)
    survivors = []
    for p in alive:
        try:
            survivors.append(f"pid {p.pid}: {' '.join(p.cmdline())[:200]}")
            p.kill()
        except psutil.NoSuchProcess:
            pass
    if lab.process.poll() is None:
        survivors.append(f"pid {lab.process.pid}: the JupyterLab server itself")
    # The group's leader is not reaped yet, so its id cannot have been reused.
    try:
        os.killpg(lab.process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    lab.process.wait()
    return survivors


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    args, extra = parser.parse_known_args()
    notebooks = Path(args.root).resolve() / "notebooks"
    port = free_port()
    command = lab_command(notebooks, port, extra)
    print(f"course: starting JupyterLab on port {port}; open the URL it prints (Ctrl+C stops it).", flush=True)
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
