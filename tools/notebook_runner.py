"""Executes a notebook headless through the real course kernel and reports what it produced.

Used by the test suite and by the static-site export. A failing cell is reported by notebook
name, cell number (1-based, as JupyterLab counts) and the Java error the kernel printed.
"""
import re
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

KERNEL_NAME = "ipc-course"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


class NotebookFailed(AssertionError):
    """A notebook did not run clean; the message names the notebook, the cell and the error."""


@dataclass
class ExecutedNotebook:
    path: Path
    notebook: object
    seconds: float | None  # None when the notebook was run by another tool (nbgrader's autograde)
    mime_types: list = field(default_factory=list)  # one set of output MIME types per code cell

    def outputs_of_type(self, mime: str) -> list:
        found = []
        for cell in self.notebook.cells:
            for out in cell.get("outputs", []):
                if mime in out.get("data", {}):
                    found.append(out["data"][mime])
        return found


def _error_text(output) -> str:
    if output.get("output_type") == "error":
        text = "\n".join(output.get("traceback") or [f"{output.get('ename')}: {output.get('evalue')}"])
    else:
        text = output.get("text", "")
    return ANSI.sub("", text).strip()


def _read(path: Path, parameters: dict | None):
    nb = nbformat.read(str(path), as_version=4)
    if parameters:
        _apply_parameters(nb, parameters)
    return nb


def _client(nb, path: Path, timeout_per_cell: int) -> NotebookClient:
    # coalesce_streams: the kernel sends printf output in pieces; keep one stream output per run of
    # pieces, as JupyterLab shows it (the static site exports these outputs).
    return NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=timeout_per_cell, coalesce_streams=True,
                          allow_errors=True, resources={"metadata": {"path": str(path.parent)}})


def _run_all(client: NotebookClient, path: Path, may_fail, **kwargs) -> ExecutedNotebook:
    start = time.monotonic()
    try:
        client.execute(**kwargs)
    except (CellTimeoutError, DeadKernelError, CellExecutionError) as e:
        raise NotebookFailed(f"{path.name}: the kernel failed: {e}") from e
    seconds = time.monotonic() - start
    check_ran_clean(path, client.nb, may_fail)
    return ExecutedNotebook(path, client.nb, seconds)


def execute(path: Path, timeout_per_cell: int = 300, parameters: dict | None = None,
            may_fail=lambda cell: False) -> ExecutedNotebook:
    """Runs every cell of `path`; raises NotebookFailed on an error output or a dead kernel,
    except an error in a cell for which `may_fail(cell)` is true (a student's unsolved exercise)."""
    return _run_all(_client(_read(path, parameters), path, timeout_per_cell), path, may_fail)


class KernelSession:
    """One course kernel kept for several Run Alls of a notebook, as a student who presses Run All
    again in the same session; shut down when the `with` block ends (its worker JVMs with it).

        with KernelSession(path) as session:
            first = session.run_all()
            second = session.run_all()     # same kernel: what the first left behind is still there
            print(session.pid)

    Each `run_all` executes a fresh copy of the notebook read from `path` and raises NotebookFailed
    as `execute` does; `seconds` is the Run All alone, without the kernel's start."""

    def __init__(self, path: Path, timeout_per_cell: int = 300):
        self.path = path
        self.timeout_per_cell = timeout_per_cell
        self._client = _client(nbformat.v4.new_notebook(), path, timeout_per_cell)
        self._kernel = None

    def __enter__(self):
        self._kernel = self._client.setup_kernel()
        self._kernel.__enter__()
        return self

    def __exit__(self, *exc):
        return self._kernel.__exit__(*exc)

    @property
    def pid(self) -> int:
        """The kernel's process id."""
        return self._client.km.provisioner.pid

    def run_all(self, parameters: dict | None = None, may_fail=lambda cell: False) -> ExecutedNotebook:
        self._client.nb = _read(self.path, parameters)
        return _run_all(self._client, self.path, may_fail, cleanup_kc=False)  # the kernel stays for the next


def check_ran_clean(path: Path, nb, may_fail=lambda cell: False) -> None:
    """Raises NotebookFailed naming the first code cell of the executed `nb` (run from `path`) that
    shows an error output, unless `may_fail(cell)`."""
    code_number = 0
    for index, cell in enumerate(nb.cells, start=1):
        if cell.cell_type != "code":
            continue
        code_number += 1
        if may_fail(cell):
            continue
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                first_line = cell.source.splitlines()[0] if cell.source else ""
                raise NotebookFailed(
                    f"{path.name}, cell {index} (code cell {code_number}, starting `{first_line}`) failed:\n"
                    f"{_error_text(out)}")


def _apply_parameters(nb, parameters: dict) -> None:
    """Rewrites `name = value;` assignments in the notebook's parameters cell (the first code cell)."""
    cell = next(c for c in nb.cells if c.cell_type == "code")
    cell.source = with_parameters(cell.source, parameters)


def with_parameters(source: str, parameters: dict) -> str:
    """`source` (a parameters cell) with each `type name = value;` assignment given a new value."""
    for name, value in parameters.items():
        pattern = re.compile(rf"^(\s*[\w<>\[\]]+\s+{re.escape(name)}\s*=\s*)[^;]+;", re.MULTILINE)
        source, count = pattern.subn(rf"\g<1>{value};", source)
        if count != 1:
            raise ValueError(f"parameter {name} not found once in the parameters cell")
    return source
