"""Every notebook runs clean through the real course kernel, and shows what it promises.

The run checked here is the instructor's version of each notebook as nbgrader's autograde executed
it through the course kernel in the session's grading run (the `graded` fixture, graded_class.py):
each notebook is executed once for the grading tests and for these.
"""
import base64
from pathlib import Path

import nbformat
import pytest

from notebook_runner import ExecutedNotebook, check_ran_clean

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))

# What each notebook must show, at least: HTML tables and PNG images among its outputs.
EXPECTED = {
    "00-from-threads-to-processes.ipynb": {"text/html": 2, "image/png": 1},
    "01-three-copies.ipynb": {"text/html": 5, "image/png": 4},
    "02-process-pool-executor.ipynb": {"text/html": 5, "image/png": 1},
    "03-when-parallelism-fails.ipynb": {"text/html": 7, "image/png": 4},
    "04-takeaway.ipynb": {"text/html": 3, "image/png": 1},
}


def test_there_are_notebooks():
    assert NOTEBOOKS, "no notebooks found in notebooks/"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_is_committed_without_outputs_and_names_the_course_kernel(path):
    nb = nbformat.read(str(path), as_version=4)
    with_outputs = [i for i, c in enumerate(nb.cells, 1) if c.cell_type == "code" and (c.outputs or c.execution_count)]
    assert not with_outputs, f"{path.name}: cells {with_outputs} hold outputs; clear them before committing"
    assert nb.metadata.get("kernelspec", {}).get("name") == "ipc-course", \
        f"{path.name}: kernelspec metadata must name the course kernel 'ipc-course'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_runs_clean_and_renders_tables_and_plots(path, graded):
    run = graded.autograded("instructor", path)
    assert run is not None, f"{path.name}: the grading run did not execute it:\n{graded.run.stderr[-3000:]}"
    check_ran_clean(path, run)
    executed = ExecutedNotebook(path, run, None)
    expected = EXPECTED.get(path.name)
    assert expected is not None, f"{path.name}: add its expected outputs to EXPECTED in {Path(__file__).name}"
    tables = [html for html in executed.outputs_of_type("text/html") if "<table" in html]
    assert len(tables) >= expected["text/html"], \
        f"{path.name}: expected at least {expected['text/html']} HTML tables in the outputs, found {len(tables)}"
    images = executed.outputs_of_type("image/png")
    assert len(images) >= expected["image/png"], \
        f"{path.name}: expected at least {expected['image/png']} PNG images in the outputs, found {len(images)}"
    for image in images:
        assert base64.b64decode(image)[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name}: an image/png output is not a PNG"
    stderr = [o.get("text", "") for c in executed.notebook.cells for o in c.get("outputs", [])
              if o.get("name") == "stderr"]
    assert not stderr, f"{path.name}: the notebook printed to stderr (warnings the reader did not ask for): {stderr[:3]}"
    stray = [o["data"]["text/plain"] for c in executed.notebook.cells for o in c.get("outputs", [])
             if "text/plain" in o.get("data", {}) and str(o["data"]["text/plain"]).startswith("java.io.PrintStream@")]
    assert not stray, (f"{path.name}: a cell ends in System.out.printf(...), whose value shows as {stray[0]!r}; "
                       "end it with System.out.println(String.format(...)) instead")
