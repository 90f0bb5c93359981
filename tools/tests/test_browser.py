"""In a real browser: JupyterLab opened, run and read the way a student does it.

The module starts one JupyterLab the way `./course open` does (a free port, a token) on a temporary
copy of notebooks/ and one headless Chromium (Debian's). Each test opens its notebook in a new tab,
drives it through the menus and the editor, reads the rendered page, saves screenshots to
build/screenshots/, and closes it with File > Close and Shut Down Notebook, checking its kernel JVM
is gone. At the end JupyterLab and Chromium are shut down and nothing they started may remain.
"""
import json
import os
import shutil
import subprocess
import sys
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import nbformat
import psutil
import pytest

from lab_ui import NotebookPage, chromium, write_lab_settings
from notebook_runner import with_parameters
from open import running_lab, stop

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "build" / "screenshots"
CORES = os.cpu_count() or 1


@dataclass
class Lecture:
    parameters: dict  # new values the test types into the parameters cell
    shows_after: list  # text the outputs show after the change, and not before it


# The lecture notebooks the browser test runs, with a parameter change whose effect is certain.
LECTURES = {
    "00-from-threads-to-processes.ipynb": Lecture(
        parameters={"tasks": 1, "threads": CORES + 1},
        shows_after=[f"{CORES + 1} threads", f"{CORES + 1} threads, {CORES} cores)"]),
}

RUN_ALL_TIMEOUT = 240  # seconds; notebook 00 takes well under a minute on two busy cores


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """One JupyterLab and one Chromium for this module's tests: JupyterLab on a temporary copy of
    notebooks/ plus the scratch notebook. At the end both are shut down, and the module fails
    (an error at teardown) if anything JupyterLab, its kernels or Chromium started still runs."""
    tmp_path = tmp_path_factory.mktemp("browser")
    for stale in SCREENSHOTS.glob("failure-*.png"):  # from an earlier failing run
        stale.unlink()
    copy = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    nbformat.write(scratch_notebook(), str(copy / SCRATCH))
    state = tmp_path / "jupyter"
    write_lab_settings(state / "user-settings")
    with running_lab(copy, state) as lab:
        with chromium(tmp_path / "chromium") as browser:
            yield lab, browser
        seen = psutil.Process(lab.process.pid).children(recursive=True)
        survivors = stop(lab)
    assert not survivors, f"processes outlived JupyterLab's shutdown (killed now): {survivors}"
    assert_nothing_left(tmp_path, seen)


@contextmanager
def notebook_in_browser(course, name: str):
    """Opens notebook `name` in a new browser tab; at the end closes it with File > Close and Shut
    Down Notebook and checks that its kernel JVM (and whatever it started) is gone."""
    lab, browser = course
    page = browser.new_page()
    try:
        notebook = NotebookPage.open(page, lab, name, SCREENSHOTS)
        try:
            yield notebook
        except BaseException:
            notebook.screenshot(f"failure-{Path(name).stem}")
            raise
        finally:
            kernel = kernel_jvm(lab)
            processes = [kernel] + kernel.children(recursive=True)
            notebook.close_and_shut_down()
        _, alive = psutil.wait_procs(processes, timeout=15)
        assert not alive, f"{name}: processes outlived Close and Shut Down Notebook: {[p.pid for p in alive]}"
    finally:
        page.close()


def assert_nothing_left(tmp_path: Path, seen: list) -> None:
    """No process the test started runs any more: none of `seen`, no child of this test process,
    and nothing whose command line names the test's temporary directory (Chromium's profile,
    the notebooks' copy, the kernels' connection files)."""
    _, alive = psutil.wait_procs(seen + psutil.Process().children(recursive=True), timeout=10)
    marker = str(tmp_path)
    for p in psutil.process_iter(["pid", "cmdline"]):
        if p.pid != os.getpid() and marker in " ".join(p.info["cmdline"] or []) and p not in alive:
            alive.append(p)
    described = []
    for p in alive:
        try:
            described.append(f"pid {p.pid}: {' '.join(p.cmdline())[:160]}")
        except psutil.NoSuchProcess:
            pass
    assert not described, f"processes left behind after the test: {described}"


def kernel_jvm(lab) -> psutil.Process:
    """The JJava kernel JVM JupyterLab started (exactly one is expected)."""
    kernels = [p for p in psutil.Process(lab.process.pid).children(recursive=True)
               if p.name() == "java" and "org.dflib.jjava" in " ".join(p.cmdline())]
    assert len(kernels) == 1, f"expected one kernel JVM, found {[p.pid for p in kernels]}"
    return kernels[0]


def worker_jvms(kernel: psutil.Process) -> list:
    """Worker JVMs: java processes whose parent is the kernel JVM."""
    try:
        return [p for p in kernel.children() if p.name() == "java"]
    except psutil.NoSuchProcess:
        return []


def cpu_cores_used(processes: list, seconds: float) -> float:
    """How many cores `processes` used together over the next `seconds` (exited ones count 0)."""
    def total():
        used = 0.0
        for p in processes:
            try:
                t = p.cpu_times()
                used += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return used
    before = total()
    time.sleep(seconds)
    return max(0.0, total() - before) / seconds


def screenshot_name(notebook: str, step: str) -> str:
    return f"{Path(notebook).stem}-{step}"


@pytest.mark.parametrize("name", sorted(LECTURES), ids=lambda n: n[:2])
def test_a_student_runs_the_lecture_changes_a_parameter_and_sees_new_output(name, course):
    lecture = LECTURES[name]
    source_nb = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
    code_cells = [c for c in source_nb.cells if c.cell_type == "code"]
    timings = {}
    start = time.monotonic()
    with notebook_in_browser(course, name) as notebook:
        timings["open and start the kernel"] = time.monotonic() - start
        assert notebook.code_cell_count() == len(code_cells), \
            f"{name}: the page shows {notebook.code_cell_count()} code cells, the notebook has {len(code_cells)}"

        notebook.run_all()
        timings["Run All Cells"] = notebook.wait_until_all_run(RUN_ALL_TIMEOUT)
        notebook.screenshot(screenshot_name(name, "run-all"))
        assert notebook.error_outputs() == [], f"{name}: error output after Run All Cells: {notebook.error_outputs()}"
        images_before = notebook.png_images()
        assert images_before, f"{name}: no plot (an img with a data:image/png source) after Run All Cells"
        assert notebook.html_table_count() >= 1, f"{name}: no HTML table in the outputs after Run All Cells"
        text_before = notebook.all_output_text()
        for text in lecture.shows_after:
            assert text not in text_before, f"{name}: {text!r} shows before the parameter change; choose another change"

        edited = with_parameters(code_cells[0].source, lecture.parameters)
        notebook.set_source(0, edited)
        assert notebook.source(0).strip() == edited.strip(), \
            f"{name}: the parameters cell reads\n{notebook.source(0)}\nafter typing\n{edited}"
        notebook.run_all()
        timings["Run All Cells after the change"] = notebook.wait_until_all_run(
            RUN_ALL_TIMEOUT, after_count=len(code_cells))
        notebook.screenshot(screenshot_name(name, "after-parameter-change"))
        assert notebook.error_outputs() == [], f"{name}: error output after the re-run: {notebook.error_outputs()}"
        images_after = notebook.png_images()
        assert images_after and notebook.html_table_count() >= 1, f"{name}: the re-run lost its plot or table"
        text_after = notebook.all_output_text()
        for text in lecture.shows_after:
            assert text in text_after, f"{name}: after setting {lecture.parameters} the outputs do not show {text!r}"
        assert images_after != images_before, f"{name}: the plot did not change after setting {lecture.parameters}"
    print(f"\n{name} in the browser: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))


def test_setup_without_chromium_and_without_root_prints_the_command_to_install_it(tmp_path):
    fake_id = tmp_path / "bin" / "id"
    fake_id.parent.mkdir()
    fake_id.write_text("#!/bin/sh\necho 1000\n")
    fake_id.chmod(0o755)
    env = dict(os.environ, PATH=f"{fake_id.parent}:{os.environ['PATH']}",
               COURSE_CHROMIUM=str(tmp_path / "no-chromium"))
    result = subprocess.run([str(ROOT / "course"), "test"], capture_output=True, text=True, env=env, timeout=60)
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, f"expected one line and status 2, got {result.returncode}: {result.stderr}"
    assert "apt-get install -y --no-install-recommends chromium" in lines[0] and str(tmp_path) in lines[0], lines[0]


# A scratch notebook for the interrupt and restart checks; it lives only in the temporary copy.
SCRATCH = "scratch-interrupt.ipynb"
SCRATCH_CELLS = [
    # 0: which JVM runs the kernel
    "ProcessHandle.current().pid()",
    # 1: proof that the notebook is still usable
    '"still usable: " + (6 * 7)',
    # 2: a CPU loop in the kernel JVM itself, far longer than anyone waits
    "long spun = 0;\nfor (long i = 0; i < Long.MAX_VALUE; i++) spun += i % 7;\nspun",
    # 3: a pool of two worker JVMs
    "ProcessPool pool = ProcessPool.newProcessPool(2);\npool.workerPids()",
    # 4: a sweep in the workers that does not end on its own: each step is twice as long
    "for (long size = 200_000_000L; size > 0; size *= 2) {\n"
    "    long n = size;\n"
    "    List<Long> sums = pool.map(k -> { long s = 0; for (long i = 0; i < n; i++) s += i % 7; return s; },\n"
    "                               List.of(1L, 2L));\n"
    "    System.out.println(n + \" iterations per worker: \" + sums);\n"
    "}",
]
INTERRUPT_RETURNS_WITHIN = 5.0  # seconds from the menu click to the cell's prompt showing a count
WORK_STOPS_WITHIN = 5.0  # seconds from the click until the busy processes use no more CPU
BUSY, QUIET = 0.1, 0.03  # cores: working (even on a loaded machine), and stopped


def scratch_notebook():
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ipc-course", "display_name": "Java (IPC course)", "language": "java"}
    nb.cells = [nbformat.v4.new_code_cell(source) for source in SCRATCH_CELLS]
    return nb


def kernel_has_cell_class_agent() -> bool:
    """Whether cell-defined lambdas can run in pool workers (the kernel JVM carries the agent)."""
    spec = json.loads((Path(sys.prefix) / "share/jupyter/kernels/ipc-course/kernel.json").read_text())
    return any(arg.startswith("-javaagent:") for arg in spec["argv"])


def seconds_until_quiet(processes: list, since: float, deadline: float) -> float:
    """Seconds from `since` until `processes` together use less than QUIET cores (over 0.5 s)."""
    while time.monotonic() - since < deadline:
        if cpu_cores_used(processes, 0.5) < QUIET:
            return time.monotonic() - since
    return float("inf")


def interrupt(notebook: NotebookPage, cell: int) -> float:
    """Kernel > Interrupt Kernel while `cell` runs; returns the seconds until the cell gave the
    prompt back (its prompt shows an execution count again)."""
    clicked = time.monotonic()
    notebook.interrupt()
    notebook.wait_for_prompt(cell, r"^\[\d+\]:$", 30)
    return time.monotonic() - clicked


def test_interrupt_stops_the_work_and_restart_leaves_no_jvm_behind(course):
    lab, _ = course
    pool_in_cells = kernel_has_cell_class_agent()
    with notebook_in_browser(course, SCRATCH) as notebook:
        notebook.run_cell(0, wait=60)
        kernel = kernel_jvm(lab)
        assert str(kernel.pid) in notebook.output_text(0), "cell 0 should print the kernel JVM's pid"
        timings = {}

        if pool_in_cells:
            notebook.run_cell(3, wait=60)
            workers = worker_jvms(kernel)
            assert len(workers) == 2, f"expected 2 worker JVMs under the kernel JVM, found {workers}"
            notebook.run_cell(4)
            time.sleep(2)
            assert cpu_cores_used(workers, 2.0) > BUSY, "the sweep should keep the worker JVMs busy"
            clicked = time.monotonic()
            returned = interrupt(notebook, 4)
            quiet = seconds_until_quiet(workers, clicked, WORK_STOPS_WITHIN)
            notebook.screenshot("interrupt-pool-sweep")
            assert returned <= INTERRUPT_RETURNS_WITHIN, \
                f"the sweep cell gave the prompt back {returned:.1f} s after Interrupt Kernel"
            assert quiet <= WORK_STOPS_WITHIN, \
                f"worker JVMs kept burning CPU for more than {WORK_STOPS_WITHIN} s after Interrupt Kernel"
            all_workers = worker_jvms(kernel)
            assert seconds_until_quiet(all_workers, time.monotonic(), 10) < 10, \
                "a worker JVM (perhaps a replacement) still burns CPU 10 s after the interrupt"
            timings["pool sweep: prompt back"], timings["pool sweep: workers quiet"] = returned, quiet
            notebook.run_cell(1, wait=30)
            assert "still usable: 42" in notebook.output_text(1), "the notebook is unusable after the interrupt"

        notebook.run_cell(2)
        time.sleep(1.5)
        assert cpu_cores_used([kernel], 2.0) > BUSY, "the loop should keep the kernel JVM busy"
        clicked = time.monotonic()
        returned = interrupt(notebook, 2)
        # The course's agent puts an interrupt check into every loop of cell code (CellInterrupts).
        quiet = seconds_until_quiet([kernel], clicked, WORK_STOPS_WITHIN)
        notebook.screenshot("interrupt-kernel-loop")
        assert returned <= INTERRUPT_RETURNS_WITHIN, \
            f"the loop cell gave the prompt back {returned:.1f} s after Interrupt Kernel"
        assert quiet <= WORK_STOPS_WITHIN, \
            f"the loop kept the kernel JVM busy for more than {WORK_STOPS_WITHIN} s after Interrupt Kernel " \
            f"({cpu_cores_used([kernel], 1.0):.2f} cores now)"
        timings["kernel loop: prompt back"], timings["kernel loop: kernel quiet"] = returned, quiet
        notebook.run_cell(1, wait=30)
        assert "still usable: 42" in notebook.output_text(1), "the notebook is unusable after the interrupt"

        old = [kernel] + [p for p in kernel.children(recursive=True) if p.name() == "java"]
        clicked = time.monotonic()
        notebook.restart_and_clear()
        _, alive = psutil.wait_procs(old, timeout=15)
        assert not alive, f"JVMs outlived the kernel restart: {[(p.pid, p.cmdline()[-1]) for p in alive]}"
        timings["restart: old JVMs gone"] = time.monotonic() - clicked
        notebook.wait_for_kernel_ready(lab, 90)
        notebook.run_cell(0, wait=60)
        new_kernel = kernel_jvm(lab)
        assert new_kernel.pid != kernel.pid and str(new_kernel.pid) in notebook.output_text(0), \
            "after the restart cell 0 should run in a new kernel JVM"
        notebook.screenshot("after-restart")
    print("\ninterrupt and restart: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items())
          + f"; {len(old) - 1} worker JVMs ended by the restart")
    if not pool_in_cells:
        warnings.warn("the interrupt of a pool sweep was not checked: the course kernel has no cell-class "
                      "agent (-javaagent), so lambdas written in cells cannot run in worker JVMs yet")
