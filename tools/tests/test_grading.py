"""The homework loop: exercises in every notebook, student versions released, submissions graded.

One grading run per session (the `graded` fixture, made by graded_class.py) grades, through the
real kernel with nbgrader, the instructor's version of every notebook and a student's partial work
on it (the first exercise run as handed out, then solved; every other exercise untouched); beside
them, in the same run, a submission that ends the kernel and the bad inputs a class produces
(a file that does not parse, a renamed notebook, a student who never fetched and so hands in
nothing or a notebook of their own), each of which must get one line.
"""
import re
import subprocess

import nbformat
import pytest

from grading import CODE_STUB, merged_scores
from graded_class import (AS_HANDED_OUT, BAD, GRADED, NOTEBOOKS, PARTIAL, ROOT, exercises, is_written, nbgrader,
                          run_grading, written_answers)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_every_notebook_ends_with_graded_exercises_in_the_course_pattern(path):
    nb = nbformat.read(str(path), as_version=4)
    found = exercises(nb)
    assert len(found) >= 2, f"{path.name}: expected at least 2 graded exercises (answer cell + test cell), found {len(found)}"
    first_question = next(i for i, c in enumerate(nb.cells) if nbgrader(c).get("grade_id", "").endswith("_question"))
    assert all(nbgrader(c) or c.cell_type == "code" for c in nb.cells[first_question:]), \
        f"{path.name}: the notebook must end with its exercises (no lecture prose after the first exercise)"
    written = written_answers(nb)
    assert written and all(nbgrader(c).get("points", 0) > 0 and not nbgrader(c).get("locked") for c in written), \
        f"{path.name}: expected at least one written answer graded by hand (markdown, solution and grade, points)"
    predictions = [c for c in nb.cells if nbgrader(c).get("grade_id", "").endswith("_question")
                   and re.search(r"\b(predict|before you run)", c.source, re.IGNORECASE)]
    assert predictions, f"{path.name}: at least one exercise must ask for a prediction before the measurement"
    ids = [nbgrader(c)["grade_id"] for c in nb.cells if nbgrader(c)]
    assert len(ids) == len(set(ids)), f"{path.name}: grade_ids must be unique, found {ids}"
    for answer, tests in found:
        name = nbgrader(answer)["grade_id"]
        assert "// BEGIN SOLUTION" in answer.source and "// END SOLUTION" in answer.source, \
            f"{path.name}, {name}: the solution must sit between // BEGIN SOLUTION and // END SOLUTION"
        assert tests, f"{path.name}, {name}: an answer cell needs a graded test cell after it"
        for test in tests:
            meta = nbgrader(test)
            assert meta.get("locked") and meta.get("points", 0) > 0, \
                f"{path.name}, {meta['grade_id']}: test cells must be locked and worth points, found {meta}"
            assert not re.search(r"^\s*assert\s", test.source, re.MULTILINE), \
                f"{path.name}, {meta['grade_id']}: the kernel runs without -ea, so `assert` checks nothing; throw an AssertionError"
            assert "expected" in test.source and "found" in test.source, \
                f"{path.name}, {meta['grade_id']}: a failing check must say what was expected and what was found"
    questions = [c for c in nb.cells if c.cell_type == "markdown" and nbgrader(c).get("grade_id", "").endswith("_question")]
    assert len(questions) >= len(found) and all(nbgrader(q).get("locked") for q in questions), \
        f"{path.name}: every exercise needs a locked markdown question cell (grade_id exN_question)"


def scores_of(scores, student, path, manual=False) -> dict:
    """{exercise: (score, max)} of the autograded exercises (with manual=True: of the written ones)."""
    return {r["exercise"]: (float(r["score"]), float(r["max_score"]))
            for r in scores if r["student"] == student and r["assignment"] == path.stem
            and r["exercise"].endswith("_written") == manual}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_release_replaces_solutions_by_stubs_and_drops_hidden_tests_and_outputs(graded, path):
    student = nbformat.read(str(graded.build / "release" / path.stem / path.name), as_version=4)
    text = "\n".join(c.source for c in student.cells)
    assert "BEGIN SOLUTION" not in text and "HIDDEN TESTS" not in text, f"{path.name}: the student version leaks solutions"
    assert not [c for c in student.cells if c.cell_type == "code" and (c.outputs or c.execution_count)], \
        f"{path.name}: the student version holds outputs"
    answers = [c for c in student.cells if nbgrader(c).get("solution") and not is_written(c)]
    assert answers and all(CODE_STUB in c.source for c in answers), f"{path.name}: answer cells must hold the stub"
    written = written_answers(student)
    assert written and all(c.source.strip() == "YOUR ANSWER HERE" for c in written), \
        f"{path.name}: written answers must be handed out empty, found {[c.source[:60] for c in written]}"
    assert all(c.metadata.get("editable") is not False for c in written), f"{path.name}: written answers must stay editable"
    locked = [c for c in student.cells if not is_written(c) and (nbgrader(c).get("grade") or c.cell_type == "markdown")]
    assert all(c.metadata.get("editable") is False for c in locked), f"{path.name}: prose and test cells must be locked"
    assert student.metadata["kernelspec"]["name"] == "ipc-course"


def test_release_packs_the_repository_for_students_without_any_solution(graded):
    import tarfile
    build = graded.build
    with tarfile.open(build / "release" / "ipc-course-student.tar.gz") as archive:
        names = archive.getnames()
        assert "ipc-course/course" in names and "ipc-course/README.md" in names, names[:10]
        for path in NOTEBOOKS:
            member = f"ipc-course/notebooks/{path.name}"
            text = archive.extractfile(member).read().decode()
            assert text == (build / "release" / path.stem / path.name).read_text(), f"{member} is not the student version"
        leaks = [n for n in names if n.endswith(".ipynb") and b"BEGIN SOLUTION" in archive.extractfile(n).read()]
        assert not leaks, f"the student archive holds solutions in {leaks}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_instructor_version_grades_at_full_marks(graded, path):
    mine = scores_of(graded.scores, "instructor", path)
    assert mine, f"{path.name}: no scores for the instructor's version"
    short = {ex: s for ex, s in mine.items() if s[0] != s[1]}
    assert not short, f"{path.name}: expected full marks for the instructor's version, found (score, max) {short}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_written_answers_wait_for_a_grader_in_the_formgrader(graded, path):
    """nbgrader sees the written answers as manually graded: an answer that was written needs a
    grade by hand (the formgrader lists it), one left empty (as in the student's partial work) scores
    0 without one."""
    rows = {(r["student"], r["exercise"]): r for r in graded.scores if r["assignment"] == path.stem}
    written = [nbgrader(c)["grade_id"] for c in written_answers(nbformat.read(str(path), as_version=4))]
    for grade_id in written:
        assert rows[("instructor", grade_id)]["needs_manual_grade"] == "yes", rows[("instructor", grade_id)]
        assert rows[(PARTIAL, grade_id)]["needs_manual_grade"] == "no" and float(rows[(PARTIAL, grade_id)]["score"]) == 0
        assert all(r["needs_manual_grade"] == "no" for (who, ex), r in rows.items() if ex not in written), \
            f"{path.name}: only written answers may wait for a grader"
    import grading
    api = grading.nbgrader_api(graded.build / "nbgrader")
    listed = {s["student"]: s["needs_manual_grade"] for s in api.get_notebook_submissions(path.stem, path.stem)}
    assert listed.get("instructor") is True and listed.get(PARTIAL) is False, \
        f"{path.name}: the formgrader should list the instructor's submission as needing manual grading, found {listed}"


def first_exercise_tests(path) -> set:
    """The grade_ids of the first exercise's test cells."""
    return {nbgrader(t)["grade_id"] for t in exercises(nbformat.read(str(path), as_version=4))[0][1]}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_the_student_version_runs_to_the_end_and_each_unsolved_exercise_fails_clearly_for_0_points(graded, path):
    """The student version as handed out, in the partial work (graded_class.py): every exercise but
    the first is untouched and scores 0; the first one's tests, run against its stub before it was
    solved, fail the same way; each failing test says what it expected and found."""
    solved = first_exercise_tests(path)
    unsolved = {ex: s for ex, s in scores_of(graded.scores, PARTIAL, path).items() if ex not in solved}
    assert unsolved and all(score == 0 for score, _ in unsolved.values()), \
        f"{path.name}: expected 0 on every exercise left as handed out, found {unsolved}"
    nb = graded.autograded(PARTIAL, path)
    assert nb is not None, f"{path.name}: the student version was not graded:\n{graded.run.stderr[-3000:]}"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count for c in code), f"{path.name}: the kernel stopped before the last cell"
    as_handed_out = [c.metadata[AS_HANDED_OUT] for c in code if AS_HANDED_OUT in c.metadata]
    assert as_handed_out == ["stub"] + ["test"] * len(solved), \
        f"{path.name}: expected the first exercise's stub and its {len(solved)} test cell(s) run as handed out, found {as_handed_out}"
    for index, cell in enumerate(nb.cells, 1):
        errors = [o for o in cell.get("outputs", []) if o.output_type == "error"]
        role = cell.metadata.get(AS_HANDED_OUT)
        if role == "stub":
            continue  # an answer cell as handed out: its stub throws
        if role == "test" or (cell.cell_type == "code" and nbgrader(cell).get("grade")
                              and nbgrader(cell)["grade_id"] not in solved):
            what = nbgrader(cell).get("grade_id") or f"cell {index} (a test of the first exercise, against its stub)"
            assert errors and "expected" in errors[0].evalue and "found" in errors[0].evalue, \
                f"{path.name}, {what}: a failing test must say what it expected and found, " \
                f"found {[e.evalue for e in errors]}"
        elif not nbgrader(cell):
            assert not errors, f"{path.name}, cell {index}: a lecture cell failed in the student version: {errors[0].evalue}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_one_correct_exercise_scores_exactly_its_points(graded, path):
    answer, _ = exercises(nbformat.read(str(path), as_version=4))[0]
    solved = first_exercise_tests(path)
    expected = {ex: (mx if ex in solved else 0.0) for ex, (_, mx) in scores_of(graded.scores, "instructor", path).items()}
    found = {ex: s for ex, (s, _) in scores_of(graded.scores, PARTIAL, path).items()}
    assert found == expected, f"{path.name}: with only {nbgrader(answer)['grade_id']} solved, expected {expected}, found {found}"


def test_grading_writes_html_feedback_per_student(graded):
    for row in graded.scores:
        page = graded.build / "grades" / "feedback" / row["student"] / (row["assignment"] + ".html")
        assert page.exists() and "<html" in page.read_text()[:2000].lower(), f"no feedback page {page}"


def test_a_submission_that_ends_the_kernel_is_reported_and_the_others_are_still_graded(graded):
    scores, run = graded.scores, graded.run
    assert run.returncode == 1, f"expected exit status 1 for the broken submission, found {run.returncode}:\n{run.stderr}"
    report = [line for line in run.stderr.splitlines() if line.startswith("course:")]
    assert any("exits_the_kernel" in line and "Kernel died" in line for line in report), run.stderr
    assert f"{1 + len(BAD)} submission(s) could not be graded" in report[-1] and "exits_the_kernel" in report[-1], report
    assert not [r for r in scores if r["student"] == "exits_the_kernel"], "a submission that was not graded must have no scores"
    assert {r["student"] for r in scores} == set(GRADED), scores


@pytest.mark.parametrize("who", sorted(BAD))
def test_bad_input_gets_one_clear_line_and_nobody_elses_grade_is_lost(graded, who):
    scores, run = graded.scores, graded.run
    lines = [line for line in run.stderr.splitlines() if line.startswith(f"course: {who}")]
    assert len(lines) == 1, f"{who}: expected one line, found {lines}\n{run.stderr}"
    assert BAD[who] in lines[0] and "not graded" in lines[0], lines[0]
    assert not [r for r in scores if r["student"] == who], f"{who} must have no scores"
    assert not [line for line in run.stderr.splitlines() if who in line and "Traceback" in line]
    for path in NOTEBOOKS:  # everyone else was graded in full
        for student in GRADED:
            assert scores_of(scores, student, path), f"{student}'s {path.name} lost its grade beside {who}'s"


def test_a_renamed_notebook_is_told_its_released_name(graded):
    [line] = [line for line in graded.run.stderr.splitlines() if line.startswith("course: renamed/")]
    assert "hand it in under that released file name" in line and NOTEBOOKS[0].name in line, line


def test_a_later_run_that_grades_nothing_keeps_every_earlier_grade(graded, tmp_path):
    table = graded.build / "grades" / "scores.csv"
    before = table.read_text()
    (tmp_path / "subs" / "instructor").mkdir(parents=True)
    (tmp_path / "subs" / "instructor" / NOTEBOOKS[0].name).write_text("not a notebook")
    result = run_grading("--build", str(graded.build), "grade", str(tmp_path / "subs"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "does not parse" in lines[0] and "scores.csv is unchanged" in lines[1], lines
    assert table.read_text() == before, "a run that grades nothing must not touch scores.csv"


def test_a_submission_with_an_unknown_name_alone_grades_nothing_and_says_why(tmp_path):
    (tmp_path / "subs" / "alice").mkdir(parents=True)
    (tmp_path / "subs" / "alice" / "homework.ipynb").write_text("{}")
    result = run_grading("--build", str(tmp_path / "build"), "grade", str(tmp_path / "subs"))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 2 and "homework.ipynb" in lines[0] and "released file name" in lines[0], result.stderr
    assert "could be graded" in lines[1], lines
    assert not (tmp_path / "build").exists(), "a rejected grading run must leave nothing behind"


def test_regrading_some_students_keeps_the_grades_of_the_others():
    def row(student, assignment, exercise, score):
        return {"student": student, "assignment": assignment, "exercise": exercise, "score": score, "max_score": 2}
    earlier = [row("ann", "00", "ex1", 2), row("ann", "01", "ex1", 1), row("bob", "00", "ex1", 0)]
    new = [row("bob", "00", "ex1", 2), row("cid", "00", "ex1", 1)]
    assert merged_scores(earlier, new) == [row("ann", "00", "ex1", 2), row("ann", "01", "ex1", 1)] + new
    assert merged_scores(earlier, []) == earlier, "a run that graded nobody keeps every earlier row"


def test_course_help_lists_release_and_grade():
    result = subprocess.run([str(ROOT / "course"), "help"], capture_output=True, text=True, check=True)
    assert "./course release" in result.stdout and "./course grade" in result.stdout, result.stdout
