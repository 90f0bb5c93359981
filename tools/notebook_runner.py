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


def execute(path: Path, timeout_per_cell: int = 300, parameters: dict | None = None,
            may_fail=lambda cell: False) -> ExecutedNotebook:
    """Runs every cell of `path`; raises NotebookFailed on an error output or a dead kernel,
    except an error in a cell for which `may_fail(cell)` is true (a student's unsolved exercise)."""
    nb = nbformat.read(str(path), as_version=4)
    if parameters:
        _apply_parameters(nb, parameters)
    # coalesce_streams: the kernel sends printf output in pieces; keep one stream output per run of
    # pieces, as JupyterLab shows it (the static site exports these outputs).
    client = NotebookClient(nb, kernel_name=KERNEL_NAME, timeout=timeout_per_cell, coalesce_streams=True,
                            allow_errors=True, resources={"metadata": {"path": str(path.parent)}})
    start = time.monotonic()
    try:
        client.execute()
    except (CellTimeoutError, DeadKernelError, CellExecutionError) as e:
        raise NotebookFailed(f"{path.name}: the kernel failed: {e}") from e
    seconds = time.monotonic() - start
    check_ran_clean(path, nb, may_fail)
    return ExecutedNotebook(path, nb, seconds)


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
