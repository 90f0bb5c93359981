"""Homework with nbgrader: student versions from the instructor's notebooks, and grading.

    python tools/grading.py release [NOTEBOOK ...]   # -> build/release/<assignment>/<assignment>.ipynb
    python tools/grading.py grade FOLDER             # FOLDER/<student_id>/<assignment>.ipynb
                                                     # -> build/grades/scores.csv, build/grades/feedback/

Every notebook in notebooks/ is the instructor's version and one assignment, named after the file
(`00-from-threads-to-processes`). The pinned nbgrader does the work, in a course directory laid out
under build/nbgrader/ (source/, release/, submitted/, autograded/, feedback/, gradebook.db):
`generate_assignment` makes the student versions, `autograde` runs the submissions through the real
course kernel, `generate_feedback` writes the HTML feedback. Delete build/ to start afresh.

`release` (without names) also packs build/release/ipc-course-student.tar.gz: the repository as
committed, with every notebook replaced by its student version, to give to students.

The exercise pattern the notebooks follow (cells, metadata, delimiters, what breaks grading) is in
notebooks/AUTHORING.md; CODE_STUB below is what a student finds in place of a solution.
"""
import argparse
import csv
import os
import re
import shutil
import sys
import warnings
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

# The stub compiles wherever a solution can stand in JShell (top level or a method body), and a
# cell left as it is fails loudly instead of leaving a placeholder that looks like an answer.
CODE_STUB = '// YOUR CODE HERE\nthrow new UnsupportedOperationException("not done yet");'


class GradingError(Exception):
    """Something the instructor must fix; the message says what and how."""


def nbgrader_config(course_dir: Path):
    from traitlets.config import Config
    c = Config()
    c.CourseDirectory.root = str(course_dir)
    c.ClearSolutions.begin_solution_delimeter = "// BEGIN SOLUTION"
    c.ClearSolutions.end_solution_delimeter = "// END SOLUTION"
    c.ClearSolutions.code_stub = {"java": CODE_STUB}
    c.ClearHiddenTests.begin_test_delimeter = "// BEGIN HIDDEN TESTS"
    c.ClearHiddenTests.end_test_delimeter = "// END HIDDEN TESTS"
    c.Execute.timeout = 600  # per cell; the notebooks' own budget is 60 s in total
    return c


def nbgrader_api(course_dir: Path):
    # nbgrader runs the `alembic` of its environment by name to migrate the gradebook.
    bin_dir = str(Path(sys.executable).parent)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")
    # nbgrader 0.9.6 with SQLAlchemy 2 warns about its own session handling; the grades are right.
    warnings.filterwarnings("ignore", message=".*not in session.*")
    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    config = nbgrader_config(course_dir)
    return NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)


def assignment_notebooks(names=None) -> list:
    """The instructor notebooks (all of notebooks/, or the ones named) that hold graded cells."""
    if names:
        paths = []
        for name in names:
            path = NOTEBOOKS / (Path(name).stem + ".ipynb")
            if not path.exists():
                raise GradingError(f"no notebook {path.name} in notebooks/; the assignments are: "
                                   + ", ".join(p.stem for p in assignment_notebooks()))
            if not graded_cells(path):
                raise GradingError(f"{path.name} has no graded test cells, so there is nothing to release")
            paths.append(path)
        return paths
    return [p for p in sorted(NOTEBOOKS.glob("[0-9][0-9]-*.ipynb")) if graded_cells(p)]


def graded_cells(path: Path) -> list:
    """(grade_id, points) of each graded cell of a notebook, in order."""
    nb = nbformat.read(str(path), as_version=4)
    return [(c.metadata["nbgrader"]["grade_id"], float(c.metadata["nbgrader"].get("points", 0)))
            for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def _check(result: dict, what: str, log_file: Path = None) -> None:
    if result.get("success"):
        return
    log = (result.get("log") or "") + "\n" + (result.get("error") or "")
    causes = [line.strip() for line in log.splitlines()
              if re.match(r"\s*[\w.]*(Error|Exception): ", line) and "NbGraderException" not in line]
    cause = causes[0] if causes else "see the log"
    if "DeadKernelError" in cause:
        cause += " (the code in the notebook ended the kernel JVM, e.g. with System.exit)"
    if log_file:
        log_file.parent.mkdir(parents=True, exist_ok=True)
        log_file.write_text(log)
        cause += f"; nbgrader's log: {log_file}"
    elif not causes:
        cause = log.strip()
    raise GradingError(f"nbgrader could not {what}: {cause}")


def _generate(api, course_dir: Path, path: Path) -> None:
    assignment = path.stem
    source = course_dir / "source" / assignment
    source.mkdir(parents=True, exist_ok=True)
    shutil.copy2(path, source / path.name)
    _check(api.generate_assignment(assignment, force=True, create=True), f"generate the student version of {path.name}")


def release(names=None, build: Path = ROOT / "build") -> list:
    """Writes the student version of each assignment to build/release/<assignment>/; returns the paths."""
    course_dir = build / "nbgrader"
    api = nbgrader_api(course_dir)
    written = []
    for path in assignment_notebooks(names):
        written.append(student_version(api, course_dir, path, build / "release" / path.stem))
    if not names:
        written.append(student_archive(build, written))
    return written


def student_version(api, course_dir: Path, path: Path, out_dir: Path) -> Path:
    """The student version of the instructor notebook `path` (any folder), written into `out_dir`:
    solutions replaced by CODE_STUB, hidden tests removed, outputs cleared, prose locked."""
    _generate(api, course_dir, path)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    shutil.copytree(course_dir / "release" / path.stem, out_dir)
    student = out_dir / path.name
    _lock_narrative(student)
    return student


def is_exercise(cell) -> bool:
    """Whether `cell` is an nbgrader answer or test cell (the exercises, not the lecture)."""
    meta = cell.metadata.get("nbgrader", {})
    return cell.cell_type == "code" and bool(meta.get("solution") or meta.get("grade"))


def student_archive(build: Path, released: list) -> Path:
    """The repository as committed (HEAD), with each notebook replaced by its student version."""
    import io
    import subprocess
    import tarfile
    try:
        head = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", "--prefix=ipc-course/", "HEAD"],
                              capture_output=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        raise GradingError(f"could not pack the repository for students (git archive HEAD in {ROOT}): {e}")
    student_versions = {f"ipc-course/notebooks/{p.name}": p for p in released}
    archive = build / "release" / "ipc-course-student.tar.gz"
    with tarfile.open(fileobj=io.BytesIO(head)) as src, tarfile.open(archive, "w:gz") as out:
        for member in src.getmembers():
            if member.name in student_versions:
                data = student_versions.pop(member.name).read_bytes()
                member.size = len(data)
                out.addfile(member, io.BytesIO(data))
            else:
                out.addfile(member, src.extractfile(member) if member.isfile() else None)
        for name, path in student_versions.items():  # notebooks not committed yet
            out.add(path, arcname=name)
    return archive


def _lock_narrative(path: Path) -> None:
    # nbgrader locks the cells it knows; the lecture's prose is locked too (but not the markdown cells
    # that hold a written answer), code cells stay editable so that students can change parameters.
    nb = nbformat.read(str(path), as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "markdown" and not cell.metadata.get("nbgrader", {}).get("solution"):
            cell.metadata["editable"] = False
            cell.metadata["deletable"] = False
    nbformat.write(nb, str(path))


def find_submissions(folder: Path) -> tuple:
    """([Submission], [Rejected]) for FOLDER/<student_id>/<assignment>.ipynb (see submissions.py)."""
    import submissions
    if not folder.is_dir():
        raise GradingError(f"{folder} is not a folder; expected FOLDER/<student_id>/<assignment>.ipynb")
    found, rejected = submissions.scan(folder, {p.name: p for p in assignment_notebooks()})
    if not found and not rejected:
        raise GradingError(f"no submissions in {folder}; expected FOLDER/<student_id>/<assignment>.ipynb")
    return found, rejected


def grade(folder: Path, build: Path = ROOT / "build") -> Path:
    """Autogrades every submission in `folder`; writes build/grades/scores.csv and the feedback.
    A submission that cannot be graded gets one line on stderr and no new scores; everyone else's
    scores, from this run and from earlier runs, are kept (see merged_scores)."""
    found, rejected = find_submissions(folder)
    for r in rejected:
        print(f"course: {r.reason}", file=sys.stderr, flush=True)
    failed = [str(r.file) for r in rejected]
    if not found:
        raise GradingError(f"nothing in {folder} could be graded; scores.csv is unchanged")
    course_dir = build / "nbgrader"
    api = nbgrader_api(course_dir)
    for path in sorted({s.assignment for s in found}):
        _generate(api, course_dir, path)  # the gradebook must know the assignment as it is now

    grades_dir = build / "grades"
    rows = []
    for s in found:
        print(f"course: grading {s.student}/{s.assignment.name} ...", flush=True)
        try:
            rows += _grade_one(api, course_dir, grades_dir, s.student, s.assignment, s.file)
        except GradingError as e:  # one broken submission must not stop the others
            print(f"course: {e}", file=sys.stderr, flush=True)
            failed.append(str(s.file))

    grades_dir.mkdir(parents=True, exist_ok=True)
    table = grades_dir / "scores.csv"
    all_rows = merged_scores(_read_scores(table), rows)
    with table.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=SCORE_FIELDS)
        writer.writeheader()
        writer.writerows(all_rows)
    _print_summary(rows, table)
    if failed:
        raise GradingError(f"{len(failed)} submission(s) could not be graded and have no scores: " + ", ".join(failed))
    return table


# needs_manual_grade: "yes" for a written answer not graded by hand yet (its score counts 0 until a
# grader gives it points in nbgrader's formgrader; grading again keeps those points).
SCORE_FIELDS = ["student", "assignment", "exercise", "score", "max_score", "needs_manual_grade"]


def merged_scores(earlier: list, new: list) -> list:
    """The rows of an earlier scores.csv, with every (student, assignment) graded anew replaced by
    its new rows: a run that grades some students, or fails on some, loses nobody's grades."""
    regraded = {(r["student"], r["assignment"]) for r in new}
    return [r for r in earlier if (r["student"], r["assignment"]) not in regraded] + new


def _read_scores(table: Path) -> list:
    if not table.exists():
        return []
    with table.open(newline="") as f:
        return list(csv.DictReader(f))


def _grade_one(api, course_dir: Path, grades_dir: Path, student: str, path: Path, submitted: Path) -> list:
    from nbgrader.api import Gradebook
    assignment = path.stem
    target = course_dir / "submitted" / student / assignment
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    shutil.copy2(submitted, target / path.name)
    log_file = grades_dir / "logs" / f"{student}-{assignment}.log"
    _check(api.autograde(assignment, student, force=True, create=True), f"autograde {submitted}", log_file)
    _check(api.generate_feedback(assignment, student, force=True), f"write feedback for {submitted}", log_file)
    feedback = grades_dir / "feedback" / student
    feedback.mkdir(parents=True, exist_ok=True)
    shutil.copy2(course_dir / "feedback" / student / assignment / (assignment + ".html"),
                 feedback / (assignment + ".html"))
    with Gradebook(f"sqlite:///{course_dir / 'gradebook.db'}") as gb:
        return [{"student": student, "assignment": assignment, "exercise": grade_id,
                 "score": _number(g.score), "max_score": _number(g.max_score),
                 "needs_manual_grade": "yes" if g.needs_manual_grade else "no"}
                for grade_id, _ in graded_cells(path)
                for g in [gb.find_grade(grade_id, assignment, assignment, student)]]


def _number(x: float):
    return int(x) if float(x).is_integer() else round(float(x), 2)


def _print_summary(rows: list, table: Path) -> None:
    totals = {}
    for r in rows:
        key = (r["student"], r["assignment"])
        score, top = totals.get(key, (0, 0))
        totals[key] = (score + r["score"], top + r["max_score"])
    for (student, assignment), (score, top) in totals.items():
        print(f"{student:20} {assignment:40} {_number(score):>6} / {_number(top)}")
    waiting = [r for r in rows if r.get("needs_manual_grade") == "yes"]
    if waiting:
        points = _number(sum(r["max_score"] for r in waiting))
        print(f"course: {len(waiting)} written answer(s) ({points} points) await grading by hand in nbgrader's "
              f"formgrader (course directory {table.parent.parent / 'nbgrader'}); they count 0 until then")
    print(f"course: scores per exercise in {table}, feedback in {table.parent / 'feedback'}")


def main() -> None:
    parser = argparse.ArgumentParser(description="Release assignments to students, and grade their submissions.")
    parser.add_argument("--build", type=Path, default=ROOT / "build", help="the build folder (default: build/)")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("release", help="write the student versions to build/release/")
    p.add_argument("notebooks", nargs="*", help="assignment names or notebook files (default: every notebook with exercises)")
    p = sub.add_parser("grade", help="grade FOLDER/<student_id>/<assignment>.ipynb")
    p.add_argument("folder", type=Path)
    args = parser.parse_args()
    try:
        if args.command == "release":
            for path in release(args.notebooks, args.build.resolve()):
                what = "the repository for students" if path.name.endswith(".tar.gz") else "student version"
                print(f"course: {what}: {path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path}")
        else:
            grade(args.folder.resolve(), args.build.resolve())
    except GradingError as e:
        sys.exit(f"course: {e}")


if __name__ == "__main__":
    main()
