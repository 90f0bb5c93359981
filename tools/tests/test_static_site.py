"""`./course html`: the executed notebooks as a static site, index first, plots embedded; the
students' site holds no solution and no hidden test, the instructor's (on --instructor) does."""
import base64
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

import static_site

ROOT = Path(__file__).resolve().parents[2]
FIRST = "00-from-threads-to-processes.ipynb"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


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


class Text(HTMLParser):
    """The text of an HTML page as a reader sees it (the spans of syntax highlighting joined)."""
    def __init__(self):
        super().__init__()
        self.parts = []

    def handle_data(self, data):
        self.parts.append(data)


def page_text(page: str) -> str:
    parser = Text()
    parser.feed(page)
    return "".join(parser.parts)


def between(source: str, begin: str, end: str) -> list:
    return [line for block in re.findall(rf"{re.escape(begin)}\n(.*?){re.escape(end)}", source, re.DOTALL)
            for line in block.splitlines()]


def secrets_of(instructor) -> list:
    """What a student must not see: each line inside an instructor notebook's solution or hidden-test
    delimiters, or of a written model answer, that is long enough to tell and appears in no other cell."""
    def written(cell):  # a written answer, graded by hand: all of it is the solution
        return cell.cell_type == "markdown" and cell.metadata.get("nbgrader", {}).get("solution")
    public = "\n".join(c.source for c in instructor.cells
                       if not written(c) and not any(m in c.source for m in MARKERS))
    lines = []
    for cell in instructor.cells:
        lines += cell.source.splitlines() if written(cell) else []
        lines += between(cell.source, "// BEGIN SOLUTION", "// END SOLUTION")
        lines += between(cell.source, "// BEGIN HIDDEN TESTS", "// END HIDDEN TESTS")
    return sorted({ln.strip() for ln in lines if len(ln.strip()) >= 12 and ln.strip() not in public})


def leaks(text: str, instructor) -> list:
    """The delimiters and secret lines of `instructor` that `text` holds."""
    return [m for m in MARKERS if m in text] + [line for line in secrets_of(instructor) if line in text]


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
    text = page_text(page)
    instructor = nbformat.read(str(ROOT / "notebooks" / FIRST), as_version=4)
    assert not leaks(text, instructor), f"the students' site shows solutions or hidden tests: {leaks(text, instructor)}"
    assert "YOUR CODE HERE" in text, "the students' site should show the exercises as handed out, with their stubs"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_site_is_built_from_student_versions_without_solutions_or_hidden_tests(tmp_path, path):
    instructor = nbformat.read(str(path), as_version=4)
    assert secrets_of(instructor), f"{path.name}: no solution lines found, so this check would prove nothing"
    assert leaks(nbformat.writes(instructor), instructor), "the check must find the instructor's solutions"
    [student_path] = static_site.student_versions([path], tmp_path)
    student = nbformat.read(str(student_path), as_version=4)
    found = leaks(nbformat.writes(student), instructor)
    assert not found, f"{path.name}: the student version the site exports holds {found}"


def exercise_notebook(folder: Path) -> None:
    """A tiny course: a lecture cell with output, an answer cell and a test cell with hidden tests."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "ipc-course", "display_name": "Java (IPC course)", "language": "java"}
    answer = nbformat.v4.new_code_cell("int answer() {\n    // BEGIN SOLUTION\n"
                                       "    return 6 * 7; // the secret solution line\n    // END SOLUTION\n}")
    answer.metadata["nbgrader"] = {"solution": True, "grade": False, "locked": False, "grade_id": "ex1",
                                   "schema_version": 3}
    test = nbformat.v4.new_code_cell(
        'if (answer() != 42) throw new AssertionError("expected 42, found " + answer());\n'
        '// BEGIN HIDDEN TESTS\nif (answer() < 0) throw new AssertionError("the secret hidden check");\n'
        '// END HIDDEN TESTS')
    test.metadata["nbgrader"] = {"solution": False, "grade": True, "locked": True, "points": 1,
                                 "grade_id": "ex1_test", "schema_version": 3}
    nb.cells = [nbformat.v4.new_markdown_cell("# Tiny"),
                nbformat.v4.new_code_cell('System.out.println("the lecture says " + (6 * 7));'), answer, test]
    folder.mkdir()
    nbformat.write(nb, str(folder / "01-tiny.ipynb"))


def test_the_students_site_shows_the_lecture_run_and_the_instructors_site_only_on_request(tmp_path):
    exercise_notebook(tmp_path / "notebooks")
    pages = {}
    for flag in ([], ["--instructor"]):
        out = tmp_path / ("site" + "".join(flag))
        result = subprocess.run([sys.executable, str(ROOT / "tools" / "static_site.py"), "--root", str(tmp_path),
                                 "--out", str(out), *flag], capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, f"{flag}: {result.stdout[-2000:]}\n{result.stderr[-2000:]}"
        page = (out / "01-tiny.html").read_text()
        assert 'data-mime-type="application/vnd.jupyter.stderr"' not in page and "java.lang." not in page_text(page), \
            f"{flag}: the page shows an error output (an unsolved exercise's failure must not be shown)"
        pages[tuple(flag)] = (page_text(page), (out / "index.html").read_text())
    student, index = pages[()]
    assert "the lecture says 42" in student, "the students' site must show the lecture's outputs"
    assert "YOUR CODE HERE" in student and "secret" not in student and "BEGIN" not in student, student
    assert "students' version" in index
    teacher, index = pages[("--instructor",)]
    assert "the secret solution line" in teacher and "the secret hidden check" in teacher
    assert "the lecture says 42" in teacher and "Instructor's version" in index
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")], "temporary folders were left behind"


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
