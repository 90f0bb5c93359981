"""How many students one machine holds: N kernels each running Run All of a notebook at once.

    ./course bench capacity [--students 1,2,4,8] [--notebook 02-process-pool-executor]
                            [--workers default,shared]

For each N, starts N course kernels at the same moment (one nbclient process each, as N students
pressing Run All together would), and prints each student's wall time (kernel start + Run All) and
the memory of all kernels and their pool workers together, sampled every 0.25 s: the peak of the
summed RSS (what `ps` shows; it counts the JVM's shared pages once per process) and of the summed
PSS (shared pages split among the processes sharing them: the memory the machine really gives),
and the CPU seconds the kernels and workers used per student (sampled at the same times, so a
process's last 0.25 s may be missed). Where a notebook's measurements are bounded in time rather
than in work, its wall time stays flat on a busier machine while each measurement gets fewer
samples; the CPU seconds say what one student's run costs the machine.

--workers chooses each kernel's pool size (IPC_COURSE_POOL_WORKERS, which ProcessPool's default
reads): `default` is one per core, `shared` is what ./course hub sets for N students (the cores
divided by N, at least 1), a number is that number. Other processes on the machine slow the runs:
the load average before and after each run is printed beside its figures. The kernels' logs are
in build/capacity/.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from hub import default_workers_per_student  # noqa: E402  (the hub's own rule)

SAMPLE_SECONDS = 0.25
TICKS = os.sysconf("SC_CLK_TCK")


def descendants(pid: int) -> list:
    """Every live process below `pid` (children, their children, ...), by /proc's parent links."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def java_memory(pids: list, cpu: dict) -> tuple:
    """(summed RSS, summed PSS) in bytes of the java processes among `pids`; records each one's
    CPU seconds so far in `cpu` (pid -> seconds)."""
    rss = pss = 0
    for pid in pids:
        try:
            if os.path.basename(os.readlink(f"/proc/{pid}/exe")) != "java":
                continue
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            cpu[pid] = (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime
            with open(f"/proc/{pid}/smaps_rollup") as f:
                for line in f:
                    key, value = line.split(":", 1)
                    if key == "Rss":
                        rss += int(value.split()[0]) * 1024
                    elif key == "Pss":
                        pss += int(value.split()[0]) * 1024
        except OSError:
            continue  # gone meanwhile
    return rss, pss


def run_one(notebook: Path) -> None:
    """The child: runs `notebook` through the course kernel; prints {"seconds": ...} or {"error": ...}."""
    from notebook_runner import NotebookFailed, execute
    try:
        print(json.dumps({"seconds": execute(notebook, timeout_per_cell=900).seconds}))
    except NotebookFailed as e:
        print(json.dumps({"error": str(e).splitlines()[0]}))


def run_class(students: int, workers: int, notebook: Path) -> dict:
    env = dict(os.environ, IPC_COURSE_POOL_WORKERS=str(workers))
    load_before = os.getloadavg()[0]
    logs = ROOT / "build" / "capacity"
    logs.mkdir(parents=True, exist_ok=True)
    children = []
    for student in range(students):  # the kernels' own logging goes to a file per student
        with open(logs / f"student-{student + 1}.log", "w") as log:
            children.append(subprocess.Popen([sys.executable, __file__, "--one", str(notebook)], env=env,
                                             cwd=str(ROOT), stdout=subprocess.PIPE, stderr=log, text=True))
    peak, cpu = [0, 0], {}
    done = threading.Event()

    def sample():
        while not done.is_set():
            rss, pss = java_memory(descendants(os.getpid()), cpu)
            peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    results = []
    try:
        for child in children:
            out, _ = child.communicate(timeout=3600)
            results.append(json.loads(out.strip().splitlines()[-1]) if out.strip() else {"error": "no output"})
    finally:
        done.set()
        sampler.join()
        for child in children:
            if child.poll() is None:
                child.kill()
                child.wait()
    errors = [r["error"] for r in results if "error" in r]
    if errors:
        raise SystemExit(f"course: {len(errors)} of {students} runs failed (logs: {logs}); the first: {errors[0]}")
    seconds = sorted(r["seconds"] for r in results)
    return {"students": students, "workers": workers, "median_s": statistics.median(seconds),
            "min_s": seconds[0], "max_s": seconds[-1], "peak_rss": peak[0], "peak_pss": peak[1],
            "cpu_per_student": sum(cpu.values()) / students,
            "load_before": load_before, "load_after": os.getloadavg()[0]}


def workers_for(choice: str, students: int) -> int:
    if choice == "default":
        return os.cpu_count() or 1
    if choice == "shared":
        return default_workers_per_student(students)
    if choice.isdigit() and int(choice) >= 1:
        return int(choice)
    raise SystemExit(f"course: --workers takes default, shared or a number of at least 1, not {choice!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description="N students' kernels running one notebook at once: time and memory.")
    parser.add_argument("--students", default="1,2,4,8", help="comma-separated class sizes (default 1,2,4,8)")
    parser.add_argument("--notebook", default="02-process-pool-executor", help="the notebook each student runs")
    parser.add_argument("--workers", default="default,shared", help="pool sizes to compare: default, shared, or numbers")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        return run_one(Path(args.one))
    notebook = ROOT / "notebooks" / (Path(args.notebook).stem + ".ipynb")
    if not notebook.exists():
        raise SystemExit(f"course: no notebook {notebook.name} in notebooks/")
    try:
        sizes = [int(n) for n in args.students.split(",")]
        assert all(n >= 1 for n in sizes)
    except (ValueError, AssertionError):
        raise SystemExit(f"course: --students takes class sizes of at least 1, like 1,2,4,8; not {args.students!r}")
    choices = [c.strip() for c in args.workers.split(",") if c.strip()]
    print(f"{notebook.name} on {os.cpu_count()} cores, {os.sysconf('SC_PHYS_PAGES') * os.sysconf('SC_PAGE_SIZE') / 2**30:.0f} GiB; "
          "time = kernel start + Run All per student; memory = all kernels and workers at their peak")
    print(f"{'students':>8} {'workers':>7} {'median s':>9} {'min-max s':>13} {'CPU s/student':>13} {'RSS MiB':>8} "
          f"{'PSS MiB':>8} {'PSS/student':>11} {'load before/after':>18}")
    for students in sizes:
        seen = set()
        for choice in choices:
            workers = workers_for(choice, students)
            if workers in seen:
                continue  # the same configuration twice
            seen.add(workers)
            r = run_class(students, workers, notebook)
            print(f"{students:>8} {workers:>7} {r['median_s']:>9.1f} {r['min_s']:>6.1f}-{r['max_s']:<6.1f} "
                  f"{r['cpu_per_student']:>13.1f} {r['peak_rss'] / 2**20:>8.0f} {r['peak_pss'] / 2**20:>8.0f} {r['peak_pss'] / 2**20 / students:>11.0f} "
                  f"{r['load_before']:>8.2f} / {r['load_after']:<8.2f}", flush=True)


if __name__ == "__main__":
    main()
