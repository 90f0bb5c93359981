"""The submissions folder of `./course grade`: what is there, and what cannot be graded and why.

FOLDER/<student_id>/<assignment>.ipynb, one sub-folder per student. Every file that cannot be
graded is turned into one line saying whose it is, what is wrong and what to do, and the rest are
graded as usual; nothing here runs a kernel or writes a file.
"""
import json
from dataclasses import dataclass
from pathlib import Path

import nbformat


@dataclass(frozen=True)
class Submission:
    student: str
    assignment: Path  # the instructor notebook it answers
    file: Path        # what the student handed in


@dataclass(frozen=True)
class Rejected:
    student: str
    file: Path
    reason: str       # one line: what is wrong and what to do


def grade_ids(notebook) -> set:
    return {c.metadata["nbgrader"]["grade_id"] for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade_id")}


def questions(notebook) -> set:
    """(grade_id, text) of the locked markdown cells: the questions, the same in every version."""
    return {(c.metadata["nbgrader"].get("grade_id"), c.source.strip()) for c in notebook.cells
            if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("locked")}


def scan(folder: Path, known: dict) -> tuple:
    """([Submission], [Rejected]) for `folder`; `known` maps each assignment's file name to its
    instructor notebook."""
    instructor = {name: nbformat.read(str(path), as_version=4) for name, path in known.items()}
    ids = {name: (grade_ids(nb), questions(nb)) for name, nb in instructor.items()}
    found, rejected = [], []
    for student_dir in sorted(p for p in folder.iterdir() if p.is_dir() and not p.name.startswith(".")):
        student = student_dir.name
        files = sorted(p for p in student_dir.iterdir() if p.suffix == ".ipynb" and p.is_file())
        if not files:
            rejected.append(Rejected(student, student_dir,
                                     f"{student} handed in no notebook ({student_dir} holds no .ipynb file; a student who "
                                     "never fetched the assignment has none): not graded; give them the released "
                                     "version (build/release/<assignment>/) to work on and hand in"))
        for submitted in files:
            problem = _problem(submitted, known, ids)
            if problem:
                rejected.append(Rejected(student, submitted, f"{student}/{submitted.name}: {problem}"))
            else:
                found.append(Submission(student, known[submitted.name], submitted))
    return found, rejected


def _problem(submitted: Path, known: dict, ids: dict):
    """Why `submitted` cannot be graded, or None."""
    notebook, unreadable = _read(submitted)
    mine = grade_ids(notebook) if notebook else set()
    if submitted.name not in known:
        asked = questions(notebook) if notebook else set()
        likely = [name for name, (_, theirs) in ids.items() if asked and asked <= theirs]
        hint = (f"it holds the exercises of {likely[0]}: hand it in under that released file name"
                if len(likely) == 1 else f"keep the released file name, one of: {', '.join(sorted(known))}")
        return f"no assignment of that name (renamed?): not graded; {hint}"
    if unreadable:
        return unreadable
    if not mine & ids[submitted.name][0]:
        return ("holds none of the assignment's exercise cells, so it is not the released student version "
                "(did the student fetch the assignment? `./course release` makes it): not graded")
    return None


def _read(submitted: Path) -> tuple:
    """(notebook, None), or (None, why it cannot be read and what to do)."""
    try:
        return nbformat.read(str(submitted), as_version=4), None
    except (json.JSONDecodeError, nbformat.reader.NotJSONError, UnicodeDecodeError) as e:
        return None, (f"does not parse as a notebook ({_first_line(e)}): not graded; ask the student for the "
                      "file JupyterLab saved (File > Save Notebook, then hand in the .ipynb unchanged)")
    except Exception as e:  # nbformat's own validation errors and the like
        return None, f"is not a valid notebook ({type(e).__name__}: {_first_line(e)}): not graded"


def _first_line(e: Exception) -> str:
    text = str(e).strip()
    return (text.splitlines() or [""])[0][:80]
