"""Starts JupyterLab on notebooks/ with the course kernel: a free port, token authentication on.

JupyterLab prints the URL (with its token) itself; extra arguments go to `jupyter lab`.
"""
import argparse
import os
import socket
import sys
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", required=True)
    args, extra = parser.parse_known_args()
    notebooks = Path(args.root).resolve() / "notebooks"
    port = free_port()
    command = [
        sys.executable, "-m", "jupyterlab",
        f"--ServerApp.root_dir={notebooks}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=50",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.open_browser=False",
        "--MappingKernelManager.default_kernel_name=ipc-course",
        *extra,
    ]
    print(f"course: starting JupyterLab on port {port}; open the URL it prints (Ctrl+C stops it).", flush=True)
    os.execv(sys.executable, command)


if __name__ == "__main__":
    main()
