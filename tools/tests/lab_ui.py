"""Drives JupyterLab in Debian's headless Chromium the way a student does: menus, keys, the page.

Playwright never downloads a browser here: it drives /usr/bin/chromium (the set-up installs it).
Everything read back comes from the rendered page (prompts, outputs, the kernel indicator), not
from the server's API, so a test sees what a student sees.
"""
import json
import os
import re
import time
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

CHROMIUM = Path(os.environ.get("COURSE_CHROMIUM", "/usr/bin/chromium"))  # as in ./course
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]

# The active notebook panel, its cells and its outputs, as JupyterLab 4 renders them.
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"
CODE_CELL = f"{PANEL} .jp-Notebook .jp-CodeCell"
ERROR_OUTPUT = f'{PANEL} .jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]'
PNG_IMAGE = f'{PANEL} .jp-OutputArea-output img[src^="data:image/png"]'
HTML_TABLE = f"{PANEL} .jp-OutputArea-output.jp-RenderedHTMLCommon table"

# True when the kernel is idle and every code cell shows an execution count above `after`.
IDLE_AND_ALL_RUN = """([panel, after]) => {
    const indicator = document.querySelector(panel + ' .jp-Notebook-ExecutionIndicator');
    const counts = [...document.querySelectorAll(panel + ' .jp-CodeCell .jp-InputPrompt')]
        .map(p => /^\\[(\\d+)\\]:$/.exec(p.textContent.trim()));
    return indicator && indicator.dataset.status === 'idle'
        && counts.length > 0 && counts.every(m => m && Number(m[1]) > after);
}"""


def write_lab_settings(settings_dir: Path) -> None:
    """JupyterLab user settings for the page under test: no pop-ups (news, update checks), and
    every cell kept in the page (JupyterLab otherwise empties cells scrolled out of view, and a
    test reads the whole notebook)."""
    settings = {
        ("apputils-extension", "notification"): {"fetchNews": "false", "checkForUpdates": False},
        ("notebook-extension", "tracker"): {"windowingMode": "none"},
    }
    for (extension, plugin), values in settings.items():
        target = settings_dir / "@jupyterlab" / extension / f"{plugin}.jupyterlab-settings"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps(values))


@contextmanager
def chromium(user_data_dir: Path):
    """A fresh headless Chromium (its own profile in `user_data_dir`); yields a browser context."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing; run ./course test (it installs Debian's chromium) "
                           "or: sudo apt-get install -y chromium")
    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(user_data_dir), executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS,
            viewport={"width": 1280, "height": 1800})
        try:
            yield context
        finally:
            context.close()


class NotebookPage:
    """One notebook open in JupyterLab, driven through its menus and editor."""

    def __init__(self, page: Page, screenshots: Path):
        self.page = page
        self.screenshots = screenshots

    @classmethod
    def open(cls, page: Page, lab, name: str, screenshots: Path, timeout: float = 90) -> "NotebookPage":
        """Opens notebook `name` (a path under JupyterLab's root) in `page`; waits for its kernel.

        Each notebook gets a workspace of its own, so that tabs a previous test left in the
        default workspace are not restored (a restored notebook would start a kernel of its own).
        """
        workspace = re.sub(r"[^A-Za-z0-9-]", "-", Path(name).stem)
        page.goto(lab.url(f"lab/workspaces/{workspace}/tree/{name}"))
        page.wait_for_selector(CODE_CELL, timeout=timeout * 1000)
        notebook = cls(page, screenshots)
        notebook.wait_for_kernel_ready(lab, timeout)
        return notebook

    # --- reading the page ---------------------------------------------------------------------

    def kernel_status(self) -> str:
        return self.page.locator(f"{PANEL} .jp-Notebook-ExecutionIndicator").get_attribute("data-status") or ""

    def code_cell_count(self) -> int:
        return self.page.locator(CODE_CELL).count()

    def source(self, index: int) -> str:
        """The text in the editor of code cell `index` (0-based), as the student sees it."""
        return self.page.locator(CODE_CELL).nth(index).locator(".cm-content").inner_text()

    def prompt(self, index: int) -> str:
        return self.page.locator(CODE_CELL).nth(index).locator(".jp-InputPrompt").inner_text().strip()

    def output_text(self, index: int) -> str:
        return self.page.locator(CODE_CELL).nth(index).locator(".jp-OutputArea").inner_text()

    def all_output_text(self) -> str:
        return "\n".join(self.page.locator(f"{CODE_CELL} .jp-OutputArea").all_inner_texts())

    def error_outputs(self) -> list:
        return self.page.locator(ERROR_OUTPUT).all_inner_texts()

    def png_images(self) -> list:
        return [img.get_attribute("src") for img in self.page.locator(PNG_IMAGE).all()]

    def html_table_count(self) -> int:
        return self.page.locator(HTML_TABLE).count()

    def screenshot(self, name: str) -> Path:
        self.screenshots.mkdir(parents=True, exist_ok=True)
        path = self.screenshots / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    # --- acting like a student ----------------------------------------------------------------

    def menu(self, *labels: str) -> None:
        """Clicks through the menu bar: menu("Run", "Run All Cells")."""
        self.page.locator(".lm-MenuBar-itemLabel", has_text=labels[0]).first.click()
        for label in labels[1:]:
            item = self.page.locator(".lm-Menu-item:not(.lm-mod-hidden) .lm-Menu-itemLabel").get_by_text(label, exact=True)
            item.first.click()

    def run_all(self) -> None:
        self.menu("Run", "Run All Cells")

    def run_cell(self, index: int, wait: float = 0) -> float:
        """Selects code cell `index` and runs it with Ctrl+Enter (the cell stays selected).

        With `wait` > 0, waits up to that many seconds for the cell to finish and returns the
        seconds it took; otherwise returns once the cell is queued or running.
        """
        before = self.prompt(index)
        self.page.locator(CODE_CELL).nth(index).locator(".jp-InputPrompt").click()
        self.page.keyboard.press("Control+Enter")
        start = time.monotonic()
        if wait:
            self.page.wait_for_function(
                """([selector, index, before]) => {
                    const text = document.querySelectorAll(selector)[index]
                        .querySelector('.jp-InputPrompt').textContent.trim();
                    return text !== before && /^\\[\\d+\\]:$/.test(text);
                }""", arg=[CODE_CELL, index, before], timeout=wait * 1000, polling=100)
        else:
            self.wait_for_prompt(index, r"^\[\*\]:$", 30)
        return time.monotonic() - start

    def set_source(self, index: int, text: str) -> None:
        """Replaces the text of code cell `index` by typing into its editor."""
        self.page.locator(CODE_CELL).nth(index).locator(".cm-content").click()
        self.page.keyboard.press("Control+a")
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Escape")

    def interrupt(self) -> None:
        self.menu("Kernel", "Interrupt Kernel")

    def close_and_shut_down(self) -> None:
        """File > Close and Shut Down Notebook…, confirmed; waits until the notebook's tab is gone."""
        self.menu("File", "Close and Shut Down Notebook…")
        self.page.locator(".jp-Dialog button.jp-mod-accept").click()
        self.page.wait_for_selector(PANEL, state="detached", timeout=30_000)

    def restart_and_clear(self) -> None:
        """Kernel > Restart Kernel and Clear Outputs of All Cells…, confirmed in the dialog."""
        self.menu("Kernel", "Restart Kernel and Clear Outputs of All Cells…")
        self.page.locator(".jp-Dialog button.jp-mod-accept").click()

    # --- waiting ------------------------------------------------------------------------------

    def wait_for_kernel_ready(self, lab, timeout: float) -> float:
        """Waits until the kernel has started and this page is connected to it, idle.

        Before the kernel has started the page's indicator can already read idle, so the server
        must also list the kernel as idle with a connection (this page's).
        """
        start = time.monotonic()
        while time.monotonic() - start < timeout:
            try:
                kernels = lab.api("kernels")
            except OSError:  # the server answers 500 while a kernel is half-started
                kernels = None
            if (self.kernel_status() == "idle" and kernels
                    and all(k["execution_state"] == "idle" and k["connections"] > 0 for k in kernels)):
                return time.monotonic() - start
            time.sleep(0.25)
        raise TimeoutError(f"the kernel was not ready within {timeout:.0f} s (page shows {self.kernel_status()!r})")

    def wait_for_kernel(self, status: str, timeout: float) -> float:
        """Waits until the kernel indicator shows `status`; returns the seconds it took."""
        start = time.monotonic()
        self.page.wait_for_selector(f'{PANEL} .jp-Notebook-ExecutionIndicator[data-status="{status}"]',
                                    state="attached", timeout=timeout * 1000)
        return time.monotonic() - start

    def wait_until_all_run(self, timeout: float, after_count: int = 0) -> float:
        """Waits until the kernel is idle and every code cell shows an execution count above
        `after_count` (the highest count before this run); returns the seconds it took."""
        start = time.monotonic()
        self.page.wait_for_function(IDLE_AND_ALL_RUN, arg=[PANEL, after_count], timeout=timeout * 1000, polling=250)
        return time.monotonic() - start

    def wait_for_prompt(self, index: int, pattern: str, timeout: float) -> float:
        """Waits until code cell `index`'s prompt matches the regular expression `pattern`."""
        start = time.monotonic()
        self.page.wait_for_function(
            """([selector, index, pattern]) => {
                const cell = document.querySelectorAll(selector)[index];
                return cell && new RegExp(pattern).test(cell.querySelector('.jp-InputPrompt').textContent.trim());
            }""", arg=[CODE_CELL, index, pattern], timeout=timeout * 1000, polling=100)
        return time.monotonic() - start
