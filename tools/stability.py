"""Runs every notebook twice on a quiet machine and once under a CPU hog, and compares verdicts.

`./course test --stability` runs this. Each run executes a notebook through the real course kernel
with IPC_COURSE_VERDICT_LOG set, so the library's harness appends every verdict it reaches (one
JSON object per variant and parameter) to a file. The two quiet runs are two Run Alls in ONE kernel,
as a student who presses Run All again: after each, the kernel's live worker JVMs are counted, and
the second Run All must leave no more of them than the first (a pool that a re-run cell made
unreachable must be closed). The two quiet runs must not flip a verdict to its opposite ("faster"
against "slower"; a change to or from "inconclusive" is allowed); the loaded run, in a kernel of its
own with one busy process per core started and stopped here, must not contradict the first quiet
run (two different claims among "faster", "slower" and "no clear gain"). It prints every verdict
line each notebook printed, every difference, each run's Run All time and the worker counts, and
writes the whole record to build/stability/report.json. Exit status 1 when a check fails.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

CLAIMS = {"faster", "slower", "no clear gain"}
OPPOSITE = {("faster", "slower"), ("slower", "faster")}
LOG_VARIABLE = "IPC_COURSE_VERDICT_LOG"


def read_verdicts(log: Path) -> dict:
    """{(title, variant, against, parameter, occurrence): verdict} from one run's log."""
    verdicts, seen = {}, {}
    if not log.exists():
        return verdicts
    for line in log.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        r = json.loads(line)
        key = (r["title"], r["variant"], r["against"], r["parameter"])
        n = seen.get(key, 0)
        seen[key] = n + 1
        verdicts[key + (n,)] = r["verdict"]
    return verdicts


def flips(first: dict, second: dict) -> list:
    """Keys whose verdict turned into its opposite between two runs."""
    return [k for k in first if k in second and (first[k], second[k]) in OPPOSITE]


def contradictions(quiet: dict, loaded: dict) -> list:
    """Keys where both runs make a claim and the claims differ."""
    return [k for k in quiet if k in loaded and quiet[k] in CLAIMS and loaded[k] in CLAIMS
            and quiet[k] != loaded[k]]


def changes(first: dict, second: dict) -> list:
    return [k for k in first if k in second and first[k] != second[k]]


def printed_verdict_lines(notebook) -> list:
    lines = []
    for cell in notebook.cells:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream":
                lines += [l for l in out.get("text", "").splitlines() if "Verdict" in l]
    return lines


class CpuHog:
    """One busy process per core, for as long as the `with` block runs; always stopped."""

    def __init__(self, processes: int):
        self.processes = processes
        self.children = []

    def __enter__(self):
        for _ in range(self.processes):
            self.children.append(subprocess.Popen([sys.executable, "-c", "while True: pass"]))
        return self

    def __exit__(self, *exc):
        for child in self.children:
            child.kill()
        for child in self.children:
            child.wait(timeout=10)
        return False


WORKER_MAIN = "org.ipccourse.pool.WorkerMain"


def worker_jvms(kernel_pid: int) -> list:
    """Process ids of the live worker JVMs under `kernel_pid`: its descendants that run the pool's
    WorkerMain (an exited worker not yet reaped shows no command line and is not counted). `-ww`:
    without it ps cuts command lines at $COLUMNS, before the class name."""
    table = subprocess.run(["ps", "-ww", "-eo", "pid=,ppid=,args="], capture_output=True, text=True, check=True).stdout
    children, command = {}, {}
    for line in table.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2:
            pid, ppid = int(parts[0]), int(parts[1])
            children.setdefault(ppid, []).append(pid)
            command[pid] = parts[2] if len(parts) > 2 else ""
    found, pending = [], [kernel_pid]
    while pending:
        for child in children.get(pending.pop(), []):
            pending.append(child)
            if WORKER_MAIN in command[child]:
                found.append(child)
    return sorted(found)


def settled_worker_jvms(kernel_pid: int, steady: float = 1.0, limit: float = 15.0) -> list:
    """`worker_jvms` once the count has stayed the same for `steady` seconds (pools shut down at the
    end of a Run All take a moment to end their workers), or after `limit` seconds."""
    deadline = time.monotonic() + limit
    last, since = worker_jvms(kernel_pid), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < steady:
        time.sleep(0.25)
        now = worker_jvms(kernel_pid)
        if len(now) != len(last):
            last, since = now, time.monotonic()
    return last


def _pass(run_all, path: Path, log: Path) -> dict:
    """One Run All by `run_all()`, its verdicts read from `log`; the executed notebook is kept beside
    `log`, named as it is without .jsonl (<run>-<notebook>.ipynb), for reading."""
    import nbformat
    from notebook_runner import NotebookFailed
    error = None
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    try:
        executed = run_all()
        lines = printed_verdict_lines(executed.notebook)
        nbformat.write(executed.notebook, str(log.with_name(log.stem)))
    except NotebookFailed as e:  # the verdicts reached before the failure still count; the run fails
        error, lines = str(e).splitlines()[0], []
    seconds = time.monotonic() - start
    load = (load_before, os.getloadavg()[0])
    return {"seconds": seconds, "verdicts": read_verdicts(log), "lines": lines, "error": error, "load": load}


class VerdictLogFor:
    """IPC_COURSE_VERDICT_LOG names `log` (emptied first) for the kernels started in the `with` block."""

    def __init__(self, log: Path):
        self.log = log

    def __enter__(self):
        self.log.parent.mkdir(parents=True, exist_ok=True)
        self.log.unlink(missing_ok=True)
        self.old = os.environ.get(LOG_VARIABLE)
        os.environ[LOG_VARIABLE] = str(self.log)
        return self.log

    def __exit__(self, *exc):
        if self.old is None:
            os.environ.pop(LOG_VARIABLE, None)
        else:
            os.environ[LOG_VARIABLE] = self.old
        return False


def run_once(path: Path, log: Path) -> dict:
    """Runs `path` once in a kernel of its own."""
    from notebook_runner import execute
    with VerdictLogFor(log):
        return _pass(lambda: execute(path), path, log)


def run_twice_in_one_kernel(path: Path, logs: list) -> list:
    """Runs `path` once per log in `logs`, all in one kernel (Run All, then Run All again), and counts
    the kernel's worker JVMs after each: each result's "workers" lists their pids. The kernel logs
    its verdicts to one file (it reads the variable once, at start), moved to each pass's log after
    that pass."""
    from notebook_runner import KernelSession
    kernel_log = logs[0].with_name(logs[0].name + ".kernel")
    results = []
    with VerdictLogFor(kernel_log), KernelSession(path) as session:
        for log in logs:
            log.unlink(missing_ok=True)

            def run_all(log=log):
                try:
                    return session.run_all()
                finally:
                    if kernel_log.exists():
                        kernel_log.replace(log)
            result = _pass(run_all, path, log)
            result["workers"] = settled_worker_jvms(session.pid)
            results.append(result)
    return results


def leaked(results: list) -> bool:
    """Whether a later Run All in one kernel left more worker JVMs than the first."""
    return any(len(r["workers"]) > len(results[0]["workers"]) for r in results[1:])


def key_text(k) -> str:
    title, variant, against, parameter, n = k
    return f"{title} · {variant} against {against}" + ("" if parameter == "-" else f" at {parameter}") \
        + (f" (#{n + 1})" if n else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--no-hog", action="store_true", help="skip the run under a CPU hog")
    parser.add_argument("notebooks", nargs="*", help="notebook file names (default: all)")
    args = parser.parse_args(argv)
    names = args.notebooks or sorted(p.name for p in (args.root / "notebooks").glob("[0-9][0-9]-*.ipynb"))
    out = args.root / "build" / "stability"
    cores = os.cpu_count() or 1
    runs = {"quiet 1": {}, "quiet 2": {}, "loaded": {}}
    for name in names:
        print(f"stability: quiet 1 and 2 (Run All twice in one kernel): {name} ...", flush=True)
        quiet = run_twice_in_one_kernel(args.root / "notebooks" / name,
                                        [out / f"quiet-{n}-{name}.jsonl" for n in (1, 2)])
        runs["quiet 1"][name], runs["quiet 2"][name] = quiet
    for name in [] if args.no_hog else names:
        print(f"stability: loaded: {name} ...", flush=True)
        with CpuHog(cores):
            runs["loaded"][name] = run_once(args.root / "notebooks" / name, out / f"loaded-{name}.jsonl")
    failed = False
    report = {"cores": cores, "notebooks": {}}
    for name in names:
        print(f"\n== {name}")
        entry = {}
        for label, per in runs.items():
            if name not in per:
                continue
            r = per[name]
            print(f"  {label}: Run All {r['seconds']:.1f} s (load {r['load'][0]:.1f} -> {r['load'][1]:.1f}), "
                  f"{len(r['verdicts'])} verdicts"
                  + (f"; FAILED: {r['error']}" if r["error"] else ""))
            failed |= bool(r["error"])
            for line in r["lines"]:
                print(f"    {line}")
            entry[label] = {"seconds": r["seconds"], "load": r["load"], "lines": r["lines"], "error": r["error"],
                            "verdicts": {key_text(k): v for k, v in r["verdicts"].items()}}
            if "workers" in r:
                entry[label]["worker_jvms"] = len(r["workers"])
                entry[label]["worker_pids"] = r["workers"]
        quiet = [runs["quiet 1"][name], runs["quiet 2"][name]]
        leak = leaked(quiet)
        failed |= leak
        entry["worker_jvms_leaked"] = leak
        print(f"  worker JVMs of the kernel after Run All: {len(quiet[0]['workers'])} (first),"
              f" {len(quiet[1]['workers'])} (second, same kernel)"
              + ("; LEAK: the second Run All left more" if leak else ""))
        q1, q2 = runs["quiet 1"][name]["verdicts"], runs["quiet 2"][name]["verdicts"]
        for k in changes(q1, q2):
            opposite = k in flips(q1, q2)
            failed |= opposite
            print(f"  {'FLIP' if opposite else 'change'} between the quiet runs: {key_text(k)}: {q1[k]} -> {q2[k]}")
        if name in runs["loaded"]:
            loaded = runs["loaded"][name]["verdicts"]
            bad = contradictions(q1, loaded)
            failed |= bool(bad)
            for k in changes(q1, loaded):
                print(f"  {'CONTRADICTION' if k in bad else 'change'} under the CPU hog: {key_text(k)}: {q1[k]} -> {loaded[k]}")
        report["notebooks"][name] = entry
    out.mkdir(parents=True, exist_ok=True)
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    print(f"\nstability: {'FAILED' if failed else 'passed'}; the record is in {out / 'report.json'}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
