"""In a real browser: JupyterLab opened, run and read the way a student does it.

Each test starts JupyterLab the way `./course open` does (a free port, a token) on a temporary copy
of notebooks/, drives Debian's headless Chromium through the menus and the editor, reads the
rendered page, saves screenshots to build/screenshots/, shuts everything down and checks that no
process it started (JupyterLab, kernel JVMs, worker JVMs, Chromium) is left behind.
"""
import json
import os
import shutil
import sys
import time
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
        shows_after=[f"{CORES + 1} threads", f"Speedup with {CORES + 1} threads"]),
}

RUN_ALL_TIMEOUT = 240  # seconds; notebook 00 takes well under a minute on two busy cores


@contextmanager
def course_in_browser(tmp_path: Path, notebooks: dict = None):
    """JupyterLab on a copy of notebooks/ (plus `notebooks`, name -> nbformat node) and Chromium.

    Yields (lab, browser context). On exit both are shut down, and the test fails if anything
    JupyterLab, its kernels or Chromium started is still running.
    """
    copy = tmp_path / "notebooks"
    shutil.copytree(ROOT / "notebooks", copy, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    for name, nb in (notebooks or {}).items():
        nbformat.write(nb, str(copy / name))
    state = tmp_path / "jupyter"
    write_lab_settings(state / "user-settings")
    seen = []
    with running_lab(copy, state) as lab:
        with chromium(tmp_path / "chromium") as browser:
            try:
                yield lab, browser
            except BaseException:
                for i, page in enumerate(browser.pages):
                    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(SCREENSHOTS / f"failure-{tmp_path.name}-{i}.png"))
                raise
        seen = psutil.Process(lab.process.pid).children(recursive=True)
        survivors = stop(lab)
    assert not survivors, f"processes outlived JupyterLab's shutdown (killed now): {survivors}"
    assert_nothing_left(tmp_path, seen)


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
def test_a_student_runs_the_lecture_changes_a_parameter_and_sees_new_output(name, tmp_path):
    lecture = LECTURES[name]
    source_nb = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
    code_cells = [c for c in source_nb.cells if c.cell_type == "code"]
    timings = {}
    with course_in_browser(tmp_path) as (lab, browser):
        start = time.monotonic()
        notebook = NotebookPage.open(browser, lab, name, SCREENSHOTS)
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
