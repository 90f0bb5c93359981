"""One grading run of the whole course, made once per test session and shared (see conftest.py).

`./course release`, then one `./course grade` of a class folder, through the real kernel with
nbgrader: for every notebook the instructor's version and one student's partial work; beside them
one submission whose answer ends the kernel JVM and the bad inputs a class produces (a file that
does not parse, a renamed notebook, a student who never fetched and so hands in nothing or a
notebook of their own), each of which must get one line.

The partial work is the released student version as a student hands it in after solving the first
exercise only: before the answer cell, the student ran the first exercise as handed out (its stub
and its visible tests, in cells of their own, which nbgrader grades no more than any cell a student
adds), then pasted the solution into the answer cell. So one execution shows both what an untouched
student version does (every unsolved exercise scores 0 and fails saying what it expected and found;
the first exercise's tests fail that way against its stub) and that one solved exercise scores
exactly its points.

The instructor's runs are also the notebooks' Run All check (test_notebooks.py): each notebook is
executed once for both. Each submission costs one full execution of its notebook; a session that
selects no test of test_grading.py grades the instructor's versions alone.
"""
import csv
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
GRADING = ROOT / "tools" / "grading.py"
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb"))

PARTIAL = "first_exercise_only"  # the student version with only the first exercise solved
GRADED = ("instructor", PARTIAL)  # the students whose every notebook must be graded
# Bad inputs, each in its own student's folder: what each one's line must say.
BAD = {"unparsable": "does not parse as a notebook",
       "renamed": "no assignment of that name",
       "never_fetched": "handed in no notebook",
       "own_notebook": "not the released student version"}
AS_HANDED_OUT = "ipc_course_test"  # cell metadata key marking the cells that ran the first exercise as handed out


def nbgrader(cell) -> dict:
    return cell.metadata.get("nbgrader", {})


def is_written(cell) -> bool:
    """A written answer, graded by hand: a markdown cell that is both solution and grade cell."""
    return cell.cell_type == "markdown" and bool(nbgrader(cell).get("solution") and nbgrader(cell).get("grade"))


def written_answers(nb) -> list:
    return [c for c in nb.cells if is_written(c)]


def exercises(nb) -> list:
    """[(answer cell, [test cells])] of the autograded exercises, in notebook order."""
    found = []
    for cell in nb.cells:
        if is_written(cell):
            continue
        if nbgrader(cell).get("solution"):
            found.append((cell, []))
        elif nbgrader(cell).get("grade") and found:
            found[-1][1].append(cell)
    return found


def run_grading(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(GRADING), *args], capture_output=True, text=True, timeout=1800)


@dataclass
class GradedCourse:
    build: Path                   # the --build folder: release/, nbgrader/, grades/
    scores: list                  # the rows of grades/scores.csv
    run: subprocess.CompletedProcess  # the grading run (its stderr holds the one-line reports)

    def autograded(self, student: str, path: Path):
        """`student`'s notebook `path` as nbgrader executed it through the kernel, or None."""
        file = self.build / "nbgrader" / "autograded" / student / path.stem / path.name
        return nbformat.read(str(file), as_version=4) if file.exists() else None


def grade_the_course(build: Path, whole_class: bool = True) -> GradedCourse:
    """Releases every notebook into `build`, then grades the class folder in one run; without
    `whole_class`, the instructor's versions alone."""
    result = run_grading("--build", str(build), "release")
    assert result.returncode == 0, result.stderr
    submissions = build / "submissions"
    (submissions / "instructor").mkdir(parents=True)
    for path in NOTEBOOKS:
        (submissions / "instructor" / path.name).write_bytes(path.read_bytes())
    if whole_class:
        add_the_class(build, submissions)
    run = run_grading("--build", str(build), "grade", str(submissions))
    with (build / "grades" / "scores.csv").open() as f:
        scores = list(csv.DictReader(f))
    return GradedCourse(build, scores, run)


def add_the_class(build: Path, submissions: Path) -> None:
    for who in (PARTIAL, "exits_the_kernel", *BAD):
        (submissions / who).mkdir()
    for path in NOTEBOOKS:
        partial = released(build, path)
        run_first_exercise_as_handed_out(partial)
        first_answer = exercises(nbformat.read(str(path), as_version=4))[0][0]
        answer_cell(partial).source = first_answer.source
        nbformat.write(partial, str(submissions / PARTIAL / path.name))
    first = NOTEBOOKS[0]
    exits = released(build, first)
    answer_cell(exits).source = "System.exit(3);"
    nbformat.write(exits, str(submissions / "exits_the_kernel" / first.name))
    (submissions / "unparsable" / first.name).write_text('{"cells": [ {"cell_type": "code", "source": "int x')
    renamed = f"{first.stem} (1).ipynb"
    (submissions / "renamed" / renamed).write_bytes((build / "release" / first.stem / first.name).read_bytes())
    own = nbformat.v4.new_notebook()
    own.cells = [nbformat.v4.new_code_cell("int myOwnAnswer = 42;")]
    nbformat.write(own, str(submissions / "own_notebook" / first.name))


def released(build: Path, path: Path):
    """The student version of `path`, as `./course release` wrote it."""
    return nbformat.read(str(build / "release" / path.stem / path.name), as_version=4)


def answer_cell(student):
    """The first answer cell (of the first exercise) of a student version."""
    return next(c for c in student.cells if nbgrader(c).get("solution") and not is_written(c))


def run_first_exercise_as_handed_out(student) -> None:
    """Inserts, before the first answer cell of `student`, copies of that cell (its stub) and of
    its test cells as released, without nbgrader metadata and marked AS_HANDED_OUT."""
    answer, tests = exercises(student)[0]
    copies = [nbformat.v4.new_code_cell(cell.source) for cell in (answer, *tests)]
    for index, copy in enumerate(copies):
        copy.metadata[AS_HANDED_OUT] = "test" if index else "stub"
    at = student.cells.index(answer)
    student.cells[at:at] = copies
