"""A class on JupyterHub: `./course hub` serving local accounts, homework through nbgrader's exchange.

One test, as a class would live it. As root it creates an instructor and three student accounts
(removed afterwards), starts `./course hub` on free loopback ports with a temporary exchange, and:
the instructor generates and releases notebook 04 with nbgrader's commands; student 1 logs in with
Chromium, fetches it from JupyterLab's assignment list, types the solutions, runs every cell, saves
and submits; students 2 and 3 fetch and submit with nbgrader's commands as themselves (2 with the
first exercise solved, 3 untouched); the instructor collects, autogrades, generates and releases
feedback; student 1 fetches the feedback in the assignment list, the others with `nbgrader
fetch_feedback`. The grades in the gradebook must be each student's own, and once the hub is
stopped nothing it started (servers, kernels, workers, proxy) may run.
"""
import os
import pwd
import re
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import nbformat
import pytest

from lab_ui import NotebookPage, chromium, write_lab_settings
from test_grading import exercises

ROOT = Path(__file__).resolve().parents[2]
HUB_VENV = ROOT / ".venv-hub"
SCREENSHOTS = ROOT / "build" / "screenshots"
ASSIGNMENT = "04-takeaway"
COURSE_ID = "ipc-course"
MARK = "ipc-course hub test"  # the accounts' comment field: only such accounts are ever removed
INSTRUCTOR = "ipchub-teacher"
STUDENTS = ["ipchub-s1", "ipchub-s2", "ipchub-s3"]

pytestmark = pytest.mark.skipif(os.geteuid() != 0, reason="needs root: it creates accounts and runs JupyterHub")


def home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def remove_account(user: str) -> None:
    try:
        entry = pwd.getpwnam(user)
    except KeyError:
        return
    assert entry.pw_gecos == MARK, f"account {user} exists and is not this test's; not touching it"
    subprocess.run(["userdel", "-r", "-f", user], capture_output=True, timeout=60)
    # The JVMs of the account's kernels and workers kept their performance data here (HotSpot
    # always uses /tmp); userdel -r removes only the home and the mail spool.
    perf_data = Path("/tmp") / f"hsperfdata_{user}"
    if perf_data.is_dir() and perf_data.stat().st_uid == entry.pw_uid:
        shutil.rmtree(perf_data, ignore_errors=True)


@contextmanager
def accounts(users: list):
    """Local accounts with random passwords: {user: password}; removed afterwards."""
    passwords = {}
    try:
        for user in users:
            remove_account(user)  # left by a run that was killed
            subprocess.run(["useradd", "-m", "-s", "/bin/bash", "-c", MARK, user], check=True, timeout=60)
            passwords[user] = secrets.token_urlsafe(12)
        subprocess.run(["chpasswd"], input="".join(f"{u}:{p}\n" for u, p in passwords.items()),
                       text=True, check=True, timeout=60)
        yield passwords
    finally:
        for user in users:
            remove_account(user)


def free_port_triple() -> int:
    for _ in range(50):
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        if port < 65000 and all(_free(p) for p in (port, port + 1, port + 2)):
            return port
    raise RuntimeError("found no three free consecutive ports")


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def processes_of(users: list) -> list:
    out = subprocess.run(["ps", "-ww", "-o", "pid=,user:32=,args=", "-u", ",".join(users)], capture_output=True, text=True)
    return [line.strip() for line in out.stdout.splitlines() if line.strip()]


class Hub:
    """`./course hub` running for the class; `as_user` runs a command as one of its users."""

    def __init__(self, base: Path, port: int):
        self.base, self.port = base, port
        self.url = f"http://127.0.0.1:{port}"
        self.exchange, self.state = base / "exchange", base / "state"

    def as_user(self, user: str, role: str, *command: str, timeout: float = 900) -> str:
        env = {"HOME": str(home(user)), "USER": user, "LANG": "C.UTF-8",
               "PATH": f"{HUB_VENV / 'bin'}:/usr/bin:/bin",
               "JUPYTER_CONFIG_PATH": str(self.state / "jupyter" / role)}
        result = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()], *command],
                                cwd=home(user), capture_output=True, text=True, timeout=timeout)
        assert result.returncode == 0, f"{' '.join(command)} as {user} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
        return result.stdout + result.stderr


@contextmanager
def running_hub(base: Path, log: Path):
    port = free_port_triple()
    hub = Hub(base, port)
    with log.open("w") as out:
        process = subprocess.Popen([str(ROOT / "course"), "hub", "--instructor", INSTRUCTOR, "--students", ",".join(STUDENTS),
                                    "--port", str(port), "--exchange", str(hub.exchange), "--state", str(hub.state)],
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 300
        while True:
            assert process.poll() is None, f"./course hub exited with {process.returncode}:\n{log.read_text()[-3000:]}"
            try:
                with urllib.request.urlopen(f"{hub.url}/hub/api", timeout=5) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.monotonic() < deadline, f"the hub did not answer within 300 s:\n{log.read_text()[-3000:]}"
            time.sleep(0.5)
        yield hub
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)  # what Ctrl+C does: the hub stops servers and proxy
            try:
                process.wait(timeout=90)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=30)


class HubLab:
    """What lab_ui.NotebookPage needs from a JupyterLab: its URLs and its REST API, for one user."""

    def __init__(self, page, hub: Hub, user: str):
        self.page, self.base = page, f"{hub.url}/user/{user}/"

    def url(self, path: str) -> str:
        return self.base + path

    def api(self, path: str):
        response = self.page.request.get(self.base + "api/" + path)
        if response.status != 200:
            raise OSError(f"GET api/{path}: {response.status}")
        return response.json()


def open_assignment_list(page, lab: HubLab, shots: Path):
    page.goto(lab.url("lab"))
    page.wait_for_selector(".jp-LabShell", timeout=120_000)
    NotebookPage(page, shots).menu("Nbgrader", "Assignment List")
    page.wait_for_selector("#released_assignments_list", timeout=60_000)


def assignment_button(page, section: str, text: str):
    row = page.locator(f"#{section}_assignments_list .list_item", has_text=ASSIGNMENT).first
    row.wait_for(timeout=120_000)
    return row.locator("button", has_text=text)


def autograded_points(notebook) -> dict:
    """{grade_id: points} of the autograded test cells."""
    return {c.metadata.nbgrader["grade_id"]: float(c.metadata.nbgrader.get("points", 0)) for c in notebook.cells
            if c.metadata.get("nbgrader", {}).get("grade") and not c.metadata.nbgrader.get("solution")}


def with_solutions(released, instructor, how_many: int):
    """`released` with the first `how_many` exercises' answers taken from the instructor's version."""
    answers = {a.metadata.nbgrader["grade_id"]: a.source for a, _ in exercises(instructor)[:how_many]}
    for cell in released.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in answers:
            cell.source = answers[cell.metadata.nbgrader["grade_id"]]
    return released


def test_a_class_releases_works_submits_and_gets_feedback_on_jupyterhub(tmp_path):
    assert shutil.which("runuser"), "runuser (util-linux) is needed to act as the students"
    instructor_nb = nbformat.read(str(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb"), as_version=4)
    points = autograded_points(instructor_nb)
    first_exercise = {t.metadata.nbgrader["grade_id"] for t in exercises(instructor_nb)[0][1]}
    expected = {STUDENTS[0]: sum(points.values()),  # the browser student solves everything
                STUDENTS[1]: sum(p for g, p in points.items() if g in first_exercise),
                STUDENTS[2]: 0.0}
    shots = SCREENSHOTS / "hub"
    base = Path(tempfile.mkdtemp(prefix="ipc-course-hub-", dir="/tmp"))
    base.chmod(0o755)
    leftovers = []
    try:
        with accounts([INSTRUCTOR, *STUDENTS]) as passwords:
            with running_hub(base, tmp_path / "hub.log") as hub:
                run_the_class(hub, passwords, instructor_nb, expected, tmp_path, shots)
            time.sleep(2)
            leftovers = processes_of([INSTRUCTOR, *STUDENTS])
            for line in leftovers:  # fail below, but never leave them running
                os.kill(int(line.split()[0]), signal.SIGKILL)
            proxy_pid = hub.state / "proxy.pid"
            assert not proxy_pid.exists() or not Path(f"/proc/{proxy_pid.read_text().strip()}").exists(), \
                "the proxy outlived the hub"
    finally:
        shutil.rmtree(base, ignore_errors=True)
    assert not leftovers, "stopping the hub left these processes of the class running:\n" + "\n".join(leftovers)
    for user in [INSTRUCTOR, *STUDENTS]:
        with pytest.raises(KeyError):
            pwd.getpwnam(user)


def run_the_class(hub: Hub, passwords: dict, instructor_nb, expected: dict, tmp_path: Path, shots: Path) -> None:
    teacher = home(INSTRUCTOR)
    source = teacher / COURSE_ID / "source" / ASSIGNMENT
    hub.as_user(INSTRUCTOR, "instructor", "mkdir", "-p", str(source))
    hub.as_user(INSTRUCTOR, "instructor", "cp", str(ROOT / "notebooks" / f"{ASSIGNMENT}.ipynb"), str(source))
    hub.as_user(INSTRUCTOR, "instructor", "nbgrader", "generate_assignment", ASSIGNMENT)
    hub.as_user(INSTRUCTOR, "instructor", "nbgrader", "release_assignment", ASSIGNMENT)
    assert (hub.exchange / COURSE_ID / "outbound" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").exists()

    # Students 2 and 3, with nbgrader's commands.
    for student, solved in ((STUDENTS[1], 1), (STUDENTS[2], 0)):
        listed = hub.as_user(student, "student", "nbgrader", "list")
        assert ASSIGNMENT in listed, f"{student} does not see the released assignment:\n{listed}"
        hub.as_user(student, "student", "nbgrader", "fetch_assignment", ASSIGNMENT)
        fetched = home(student) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
        if solved:  # the student's work, written as the editor would (the file stays theirs)
            nbformat.write(with_solutions(nbformat.read(str(fetched), as_version=4), instructor_nb, solved), str(fetched))
        hub.as_user(student, "student", "nbgrader", "submit", ASSIGNMENT)

    # Student 1, in JupyterLab's assignment list.
    student = STUDENTS[0]
    settings = home(student) / ".jupyter" / "lab" / "user-settings"
    write_lab_settings(settings)
    subprocess.run(["chown", "-R", f"{student}:{student}", str(home(student) / ".jupyter")], check=True)
    with chromium(tmp_path / "chromium") as context:
        page = context.new_page()
        try:
            page.goto(f"{hub.url}/hub/login")
            page.fill("#username_input", student)
            page.fill("#password_input", passwords[student])
            page.click("#login_submit")
            page.wait_for_url(re.compile(rf"/user/{student}/lab"), timeout=180_000)
            lab = HubLab(page, hub, student)
            open_assignment_list(page, lab, shots)
            assignment_button(page, "released", "fetch").click()
            assignment_button(page, "fetched", "Submit").wait_for(timeout=120_000)
            fetched = home(student) / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
            assert fetched.exists(), "fetching in the assignment list put nothing in the student's home"

            notebook = NotebookPage.open(page, lab, f"{ASSIGNMENT}/{ASSIGNMENT}.ipynb", shots, timeout=180)
            released = nbformat.read(str(fetched), as_version=4)
            code_cells = [c for c in released.cells if c.cell_type == "code"]
            for answer, _ in exercises(instructor_nb):
                grade_id = answer.metadata.nbgrader["grade_id"]
                index = next(i for i, c in enumerate(code_cells) if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id)
                notebook.set_source(index, answer.source)
            notebook.run_all()
            notebook.wait_until_all_run(timeout=600)
            assert not notebook.error_outputs(), f"the solved notebook shows errors: {notebook.error_outputs()}"
            notebook.screenshot("hub-student-ran-the-assignment")
            page.keyboard.press("Control+s")
            deadline = time.monotonic() + 60
            while "// BEGIN SOLUTION" not in fetched.read_text() and time.monotonic() < deadline:
                time.sleep(0.5)
            assert "// BEGIN SOLUTION" in fetched.read_text(), "saving did not write the typed solutions"

            open_assignment_list(page, lab, shots)
            assignment_button(page, "fetched", "Submit").click()
            assignment_button(page, "submitted", "Fetch Feedback").wait_for(timeout=120_000)

            # The instructor grades the class.
            for step in ("collect", "autograde", "generate_feedback", "release_feedback"):
                hub.as_user(INSTRUCTOR, "instructor", "nbgrader", step, ASSIGNMENT)
            assert grades(home(INSTRUCTOR) / COURSE_ID / "gradebook.db", instructor_nb) == expected

            open_assignment_list(page, lab, shots)
            assignment_button(page, "submitted", "Fetch Feedback").click()
            page.locator("#submitted_assignments_list a", has_text="view feedback").first.wait_for(timeout=120_000)
            notebook.screenshot("hub-student-has-feedback")
        except Exception:
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "failure-hub.png"), full_page=True)
            raise
    for student in STUDENTS[1:]:
        hub.as_user(student, "student", "nbgrader", "fetch_feedback", ASSIGNMENT)
    for student in STUDENTS:
        feedback = list((home(student) / ASSIGNMENT / "feedback").glob(f"*/{ASSIGNMENT}.html"))
        assert len(feedback) == 1, f"{student} has no feedback file: {feedback}"
        # nbgrader's feedback page lists each test cell as "Test cell</a> (Score: X / P)".
        scores = [float(x) for x in re.findall(r"Test cell</a> \(Score: ([\d.]+) / [\d.]+\)", feedback[0].read_text())]
        assert len(scores) == len(autograded_points(instructor_nb)) and sum(scores) == expected[student], \
            f"{student}'s feedback shows test scores {scores}, expected a total of {expected[student]}"


def grades(gradebook: Path, instructor_nb) -> dict:
    """{student: autograded score} from the instructor's gradebook."""
    from nbgrader.api import Gradebook
    with Gradebook(f"sqlite:///{gradebook}") as gb:
        return {student: sum(float(gb.find_grade(g, ASSIGNMENT, ASSIGNMENT, student).score or 0)
                             for g in autograded_points(instructor_nb))
                for student in STUDENTS}
