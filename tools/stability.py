"""Runs every notebook twice on a quiet machine and once under a CPU hog, and compares verdicts.

`./course test --stability` runs this. Each run executes a notebook through the real course kernel
with IPC_COURSE_VERDICT_LOG set, so the library's harness appends every verdict it reaches (one
JSON object per variant and parameter) to a file. The two quiet runs must not flip a verdict to its
opposite ("faster" against "slower"; a change to or from "inconclusive" is allowed); the loaded run,
with one busy process per core started and stopped here, must not contradict the first quiet run
(two different claims among "faster", "slower" and "no clear gain"). It prints every verdict line
each notebook printed, every difference, and each run's Run All time, and writes the whole record
to build/stability/report.json. Exit status 1 when a check fails.
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


def run_once(path: Path, log: Path) -> dict:
    """Runs `path` once; the executed notebook is kept beside `log`, named as it is without .jsonl, for reading."""
    import nbformat
    from notebook_runner import execute
    log.parent.mkdir(parents=True, exist_ok=True)
    log.unlink(missing_ok=True)
    old = os.environ.get(LOG_VARIABLE)
    os.environ[LOG_VARIABLE] = str(log)
    from notebook_runner import NotebookFailed
    error = None
    load_before = os.getloadavg()[0]
    start = time.monotonic()
    try:
        executed = execute(path)
        lines = printed_verdict_lines(executed.notebook)
        nbformat.write(executed.notebook, str(log.with_name(log.stem)))  # <run>-<notebook>.ipynb
    except NotebookFailed as e:  # the verdicts reached before the failure still count; the run fails
        error, lines = str(e).splitlines()[0], []
    finally:
        seconds = time.monotonic() - start
        if old is None:
            os.environ.pop(LOG_VARIABLE, None)
        else:
            os.environ[LOG_VARIABLE] = old
    load = (load_before, os.getloadavg()[0])
    return {"seconds": seconds, "verdicts": read_verdicts(log), "lines": lines, "error": error, "load": load}


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
    for label in runs:
        if label == "loaded" and args.no_hog:
            continue
        for name in names:
            log = out / f"{label.replace(' ', '-')}-{name}.jsonl"
            print(f"stability: {label}: {name} ...", flush=True)
            if label == "loaded":
                with CpuHog(cores):
                    runs[label][name] = run_once(args.root / "notebooks" / name, log)
            else:
                runs[label][name] = run_once(args.root / "notebooks" / name, log)
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
