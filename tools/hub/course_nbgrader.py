"""The course's nbgrader settings for a class: one exchange shared by every user on the machine.

`./course hub` writes, per role, a two-line nbgrader_config.py into the hub's state folder
(<state>/jupyter/instructor/ and <state>/jupyter/student/) that calls `configure` below; each
user's server gets the folder of its role as JUPYTER_CONFIG_PATH, so `nbgrader` in a JupyterLab
terminal and the assignment list read the same settings. Outside the hub, run nbgrader with
JUPYTER_CONFIG_PATH set to that folder (./course hub prints it).

The delimiters and the code stub are those of tools/grading.py (`./course release` and
`./course grade`), so an assignment released on the hub is the one `./course release` makes.
"""
import os
import sys
from pathlib import Path

TOOLS = Path(__file__).resolve().parents[1]


def configure(c, exchange: str, course_id: str, instructor: bool) -> None:
    """Sets nbgrader's exchange, course id and the course's Java delimiters on config `c`.

    An instructor's course directory is ~/<course_id>/ (source/, release/, submitted/,
    autograded/, feedback/, gradebook.db); a student's is the folder nbgrader runs in (the
    assignment list fetches into the home folder, as ~/<assignment>/).
    """
    if str(TOOLS) not in sys.path:
        sys.path.insert(0, str(TOOLS))
    from grading import nbgrader_config
    settings = nbgrader_config(Path(os.path.expanduser("~")) / course_id)
    if not instructor:
        del settings.CourseDirectory["root"]  # nbgrader's default: the folder it runs in
    c.merge(settings)
    c.CourseDirectory.course_id = course_id
    c.Exchange.root = exchange
