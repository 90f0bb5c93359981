"""Starts a JupyterHub on this machine that serves the course to a class of local accounts.

    ./course hub --instructor ALICE --students BOB,CAROL,DAVE [--ip 0.0.0.0] [--port 8000]
                 [--exchange /srv/nbgrader/exchange] [--state build/hub] [--workers-per-student N]

Runs as root (JupyterHub's LocalProcessSpawner starts each user's JupyterLab as that user). Users
log in with their account's password (PAM). The hub listens on --ip:--port, its own API on
127.0.0.1:port+1 and the proxy's API on 127.0.0.1:port+2. Ctrl+C (or SIGTERM) stops the hub,
every user's server, their kernels and pool workers, and the proxy.

The homework loop then runs on nbgrader's exchange (--exchange, created mode 1777 as nbgrader
requires): the instructor releases from a JupyterLab terminal, students fetch and submit from
JupyterLab's assignment list (Nbgrader > Assignment List), the instructor collects, autogrades and
releases feedback, students fetch it. The commands are in the README ("Teach it to a class").
"""
import argparse
import json
import os
import pwd
import socket
import stat
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HUB_DIR = ROOT / "tools" / "hub"
VENV = ROOT / ".venv-hub"  # made by ./course from a Python every account can run
COURSE_ID = "ipc-course"
# The nbgrader lab plugins a student does not need (and must not see): the instructor's tools.
INSTRUCTOR_ONLY_PLUGINS = ["@jupyter/nbgrader:formgrader", "@jupyter/nbgrader:create-assignment",
                           "@jupyter/nbgrader:course-list"]


class HubError(Exception):
    """A problem the person starting the hub must fix; the message says how."""


def default_workers_per_student(students: int, cpus: int = os.cpu_count() or 1) -> int:
    """The pool size each student's kernel gets by default: the machine's cores shared out among
    the students, at least one. See the README's sizing advice for the measurements behind it."""
    return max(1, cpus // max(1, students))


def accounts(names: str, what: str) -> list:
    found = [n.strip() for n in names.split(",") if n.strip()]
    if not found:
        raise HubError(f"--{what} names no account; give a comma-separated list of local user names")
    for name in found:
        try:
            pwd.getpwnam(name)
        except KeyError:
            raise HubError(f"there is no local account '{name}' (--{what}); create it first, e.g. "
                           f"useradd -m {name} && passwd {name}") from None
        if not os.path.isdir(os.path.expanduser(f"~{name}")):
            raise HubError(f"account '{name}' has no home folder {os.path.expanduser('~' + name)}; "
                           "JupyterLab starts there (useradd -m creates it)")
    return found


def check_port_free(port: int, what: str) -> None:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            raise HubError(f"port {port} ({what}) is in use; choose another --port "
                           "(the hub uses --port, --port+1 and --port+2)") from None


def prepare_exchange(exchange: Path) -> None:
    """The exchange as nbgrader wants it: world-writable with the sticky bit, reachable by all."""
    exchange.mkdir(parents=True, exist_ok=True)
    exchange.chmod(0o1777)
    for parent in exchange.parents:
        if not parent.stat().st_mode & stat.S_IXOTH:
            raise HubError(f"{parent} is not searchable by other users, so students cannot reach the "
                           f"exchange {exchange}; choose another --exchange or chmod o+x {parent}")


def write_role_configs(state: Path, exchange: Path, course_id: str) -> None:
    for role in ("instructor", "student"):
        folder = state / "jupyter" / role
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "nbgrader_config.py").write_text(
            f"# Written by ./course hub; the settings are in {HUB_DIR / 'course_nbgrader.py'}.\n"
            f"import sys; sys.path.insert(0, {str(HUB_DIR)!r})\n"
            f"from course_nbgrader import configure\n"
            f"configure(c, exchange={str(exchange)!r}, course_id={course_id!r}, instructor={role == 'instructor'})\n")
        labconfig = folder / "labconfig"
        labconfig.mkdir(exist_ok=True)
        disabled = {p: True for p in INSTRUCTOR_ONLY_PLUGINS} if role == "student" else {}
        (labconfig / "page_config.json").write_text(json.dumps({"disabledExtensions": disabled}, indent=1))
    # Every user's server reads its role's folder; the hub's secrets beside it stay private.
    for path in [state, state / "jupyter", *(state / "jupyter").rglob("*")]:
        path.chmod(0o755 if path.is_dir() else 0o644)


def main() -> None:
    parser = argparse.ArgumentParser(description="Serve the course to a class from this machine (JupyterHub + nbgrader).")
    parser.add_argument("--instructor", required=True, help="comma-separated instructor accounts (hub admins)")
    parser.add_argument("--students", required=True, help="comma-separated student accounts")
    parser.add_argument("--ip", default="127.0.0.1", help="address to listen on (0.0.0.0: every interface; default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=8000, help="public port (default 8000; the hub also uses port+1 and port+2)")
    parser.add_argument("--exchange", type=Path, default=Path("/srv/nbgrader/exchange"), help="nbgrader's shared exchange folder")
    parser.add_argument("--state", type=Path, default=ROOT / "build" / "hub", help="the hub's database, secrets and config folder")
    parser.add_argument("--workers-per-student", type=int, help="each kernel's default pool size (default: cores / students, at least 1)")
    args = parser.parse_args()
    try:
        if os.geteuid() != 0:
            raise HubError("the hub must run as root to start each user's server as that user; run: sudo ./course hub ...")
        instructors = accounts(args.instructor, "instructor")
        students = accounts(args.students, "students")
        for port, what in ((args.port, "the hub"), (args.port + 1, "the hub's API"), (args.port + 2, "the proxy's API")):
            check_port_free(port, what)
        workers = args.workers_per_student or default_workers_per_student(len(students))
        if workers < 1:
            raise HubError(f"--workers-per-student must be at least 1, was {workers}")
        exchange, state = args.exchange.resolve(), args.state.resolve()
        prepare_exchange(exchange)
        write_role_configs(state, exchange, COURSE_ID)
        proxy = VENV / "hub-proxy" / "node_modules" / ".bin" / "configurable-http-proxy"
        if not proxy.exists():
            raise HubError(f"{proxy} is missing; start the hub with ./course hub (it installs the proxy)")
        settings = state / "settings.json"
        settings.write_text(json.dumps({
            "ip": args.ip, "port": args.port, "state_dir": str(state), "venv": str(VENV),
            "proxy": str(proxy), "students": students, "instructors": instructors,
            "workers_per_student": workers}, indent=1))
    except HubError as e:
        sys.exit(f"course: {e}")
    print(f"course: JupyterHub for {len(students)} student(s) on http://{args.ip}:{args.port}/ "
          f"(exchange {exchange}, {workers} pool worker(s) per student)", flush=True)
    print(f"course: nbgrader outside the hub: JUPYTER_CONFIG_PATH={state / 'jupyter' / 'instructor'} "
          f"(instructors) or {state / 'jupyter' / 'student'} (students)", flush=True)
    os.environ["COURSE_HUB_SETTINGS"] = str(settings)
    os.chdir(state)
    hub = VENV / "bin" / "jupyterhub"
    os.execv(str(hub), [str(hub), "-f", str(HUB_DIR / "jupyterhub_config.py")])


if __name__ == "__main__":
    main()
