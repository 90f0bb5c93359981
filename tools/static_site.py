"""Writes the course as static HTML: every notebook executed through the real kernel, then exported.

`./course html` runs this file. The result (build/site/ by default) is an index.html linking the
notebooks in order with their titles, and one self-contained HTML page per notebook, its tables
and plots embedded (PNG images as data: URLs), for a course website or for readers without Java.

The site is the students': each page is the student version that `./course release` hands out
(made by nbgrader: solutions replaced by stubs, hidden tests removed), executed so that the
lecture's outputs show; the exercises' cells are shown without outputs (an unsolved stub fails,
by design). `--instructor` builds the instructor's site instead, solutions and hidden tests
included and executed, into build/instructor-site/ unless --out says otherwise: not for publishing.

    python tools/static_site.py --root .                                   # every notebook, into build/site
    python tools/static_site.py --root . --out /tmp/site 00-from-threads-to-processes.ipynb
    python tools/static_site.py --root . --instructor                      # into build/instructor-site

The site is built in a temporary folder beside the target and replaces the target only when every
notebook ran clean, so a failing notebook leaves the previous site untouched.
"""
import argparse
import datetime
import html
import re
import shutil
import sys
import tempfile
from pathlib import Path

from nbconvert import HTMLExporter

import grading
from notebook_runner import NotebookFailed, execute

NOTEBOOK_PATTERN = "[0-9][0-9]-*.ipynb"


def title_of(notebook, fallback: str) -> str:
    """The first level-1 heading of the notebook's markdown, without its '#'."""
    for cell in notebook.cells:
        if cell.cell_type == "markdown":
            match = re.search(r"^#\s+(.+?)\s*#*\s*$", cell.source, re.MULTILINE)
            if match:
                return match.group(1)
    return fallback


def title_html(title: str) -> str:
    """A markdown title as HTML: escaped, with `code` spans kept as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", html.escape(title))


def export_html(notebook, title: str) -> str:
    exporter = HTMLExporter(template_name="lab", embed_images=True)
    body, _ = exporter.from_notebook_node(notebook, resources={"metadata": {"name": title.replace("`", "")}})
    return body


def index_page(entries: list, instructor: bool = False) -> str:
    """The index: one link per notebook, in course order. `entries` holds (file name, title)."""
    today = datetime.date.today().isoformat()
    version = ("<p><strong>Instructor's version: every solution and hidden test is on these pages. "
               "Do not publish it; `./course html` without --instructor builds the students' site.</strong></p>"
               if instructor else
               "<p>The students' version: the exercises are shown as handed out, without solutions.</p>")
    items = "\n".join(f'    <li><a href="{html.escape(href)}">{title_html(title)}</a></li>'
                      for href, title in entries)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>IPC cost, shared memory, and when parallelism fails (Java edition)</title>
  <style>body {{ font-family: sans-serif; max-width: 48rem; margin: 2rem auto; line-height: 1.5; }}</style>
</head>
<body>
  <h1>IPC cost, shared memory, and when parallelism fails (Java edition)</h1>
  <p>The course's notebooks, executed on {today} with the course kernel. Every table and plot was
  measured on the machine that built this copy; run the notebooks yourself for your own numbers.</p>
  {version}
  <ol>
{items}
  </ol>
</body>
</html>
"""


def student_versions(notebooks: list, work: Path) -> list:
    """The student version of each notebook, as `./course release` makes it, written under `work`."""
    course_dir = work / "nbgrader"
    api = grading.nbgrader_api(course_dir)
    return [grading.student_version(api, course_dir, path, work / "release" / path.stem) for path in notebooks]


def without_exercise_outputs(notebook):
    """`notebook` with the outputs of its answer and test cells removed (the stubs fail by design)."""
    for cell in notebook.cells:
        if grading.is_exercise(cell):
            cell.outputs = []
            cell.execution_count = None
    return notebook


def build(notebooks: list, out: Path, instructor: bool = False) -> list:
    """Executes and exports `notebooks` into `out` (replaced as a whole); returns the entries.
    Without `instructor`, the student versions are executed and exported instead of `notebooks`."""
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; a website folder is readable by all
    work = Path(tempfile.mkdtemp(prefix=".student-versions-", dir=out.parent))
    try:
        entries = []
        sources = notebooks if instructor else student_versions(notebooks, work)
        for path in sources:
            print(f"course: executing {path.name}{'' if instructor else ' (student version)'} ...", flush=True)
            if instructor:
                executed = execute(path)
            else:
                executed = execute(path, may_fail=grading.is_exercise)
                without_exercise_outputs(executed.notebook)
            title = title_of(executed.notebook, path.stem)
            href = f"{path.stem}.html"
            (staging / href).write_text(export_html(executed.notebook, title), encoding="utf-8")
            entries.append((href, title))
            print(f"course:   {href} ({executed.seconds:.0f} s)", flush=True)
        (staging / "index.html").write_text(index_page(entries, instructor), encoding="utf-8")
        if out.exists():
            shutil.rmtree(out)
        staging.rename(out)
        return entries
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if staging.exists():
            shutil.rmtree(staging)


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the executed notebooks as a static HTML site.")
    parser.add_argument("--root", required=True, help="the course checkout")
    parser.add_argument("--out", help="the folder to write (default: build/site, or build/instructor-site)")
    parser.add_argument("--instructor", action="store_true",
                        help="the instructor's site: solutions and hidden tests included (not for publishing)")
    parser.add_argument("notebooks", nargs="*", help="notebook file names in notebooks/ (default: all, in order)")
    args = parser.parse_args()
    root = Path(args.root).resolve()
    folder = root / "notebooks"
    if args.notebooks:
        paths = [folder / name for name in args.notebooks]
        missing = [p.name for p in paths if not p.is_file()]
        if missing:
            sys.exit(f"course: no such notebook in notebooks/: {', '.join(missing)}")
    else:
        paths = sorted(folder.glob(NOTEBOOK_PATTERN))
        if not paths:
            sys.exit("course: notebooks/ holds no numbered notebooks (NN-name.ipynb) to export.")
    default = "instructor-site" if args.instructor else "site"
    out = Path(args.out).resolve() if args.out else root / "build" / default
    try:
        entries = build(paths, out, args.instructor)
    except NotebookFailed as failure:
        sys.exit(f"course: the site was not written, a notebook failed.\n{failure}")
    except grading.GradingError as e:
        sys.exit(f"course: the site was not written: {e}")
    which = "the instructor's site (solutions included; do not publish)" if args.instructor else "the students' site"
    print(f"course: wrote {which}, {len(entries)} notebook(s) and index.html, to {out}")


if __name__ == "__main__":
    main()
