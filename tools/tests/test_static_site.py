"""`./course html`: the executed notebooks as a static site, index first, plots embedded."""
import base64
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
FIRST = "00-from-threads-to-processes.ipynb"


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links, self._href = [], None

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self._href = dict(attrs).get("href")
            self.links.append([self._href, ""])

    def handle_data(self, data):
        if self._href is not None:
            self.links[-1][1] += data

    def handle_endtag(self, tag):
        if tag == "a":
            self._href = None


def title_of(name: str) -> str:
    nb = nbformat.read(str(ROOT / "notebooks" / name), as_version=4)
    first_markdown = next(c.source for c in nb.cells if c.cell_type == "markdown")
    return re.search(r"^#\s+(.+)$", first_markdown, re.MULTILINE).group(1).strip().replace("`", "")


def test_course_html_writes_an_index_and_the_executed_notebook_with_its_plot(tmp_path):
    out = tmp_path / "site"
    result = subprocess.run([str(ROOT / "course"), "html", "--out", str(out), FIRST],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"./course html failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}"

    assert out.stat().st_mode & 0o777 == 0o755, "the site folder should be readable by everyone"
    parser = Links()
    parser.feed((out / "index.html").read_text(encoding="utf-8"))
    assert parser.links == [[Path(FIRST).stem + ".html", title_of(FIRST)]], \
        f"index.html should link the notebook by its title, found {parser.links}"

    page = (out / parser.links[0][0]).read_text(encoding="utf-8")
    pngs = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', page)
    assert pngs, "the notebook page holds no embedded PNG plot"
    assert all(base64.b64decode(p)[:8] == b"\x89PNG\r\n\x1a\n" for p in pngs), "an embedded image is not a PNG"
    assert "<table" in page, "the notebook page holds no HTML table"
    assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page, "the notebook page shows an error output"


def test_a_failing_notebook_stops_the_export_and_leaves_the_previous_site(tmp_path):
    (tmp_path / "notebooks").mkdir()
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ipc-course", "display_name": "Java (IPC course)", "language": "java"}
    nb.cells = [nbformat.v4.new_markdown_cell("# Broken"), nbformat.v4.new_code_cell('int broken = "text";')]
    nbformat.write(nb, str(tmp_path / "notebooks" / "01-broken.ipynb"))
    out = tmp_path / "site"
    out.mkdir()
    (out / "index.html").write_text("previous site")

    result = subprocess.run([sys.executable, str(ROOT / "tools" / "static_site.py"), "--root", str(tmp_path),
                             "--out", str(out)], capture_output=True, text=True, timeout=300)
    assert result.returncode != 0, "a notebook with a compile error must fail the export"
    assert "01-broken.ipynb, cell 2" in result.stderr, f"the error should name the notebook and cell:\n{result.stderr}"
    assert (out / "index.html").read_text() == "previous site", "a failed export must leave the previous site"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".site-")] == [], "the staging folder was left behind"


def test_an_unknown_notebook_name_gets_one_clear_line(tmp_path):
    result = subprocess.run([sys.executable, str(ROOT / "tools" / "static_site.py"), "--root", str(ROOT),
                             "--out", str(tmp_path / "site"), "99-no-such.ipynb"],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert result.stderr.strip() == "course: no such notebook in notebooks/: 99-no-such.ipynb", result.stderr
    assert not (tmp_path / "site").exists()
