"""The stability command's comparisons, and its CPU hog stopping what it started."""
import json

import stability


def log(tmp_path, name, rows):
    p = tmp_path / name
    p.write_text("".join(json.dumps({"title": t, "variant": v, "against": "baseline", "parameter": par,
                                     "verdict": verdict}) + "\n" for t, v, par, verdict in rows))
    return stability.read_verdicts(p)


def test_a_flip_to_the_opposite_is_found_and_a_change_to_inconclusive_is_not_a_flip(tmp_path):
    a = log(tmp_path, "a", [("s", "pool", "1", "faster"), ("s", "pool", "2", "slower"), ("s", "pool", "3", "faster")])
    b = log(tmp_path, "b", [("s", "pool", "1", "slower"), ("s", "pool", "2", "inconclusive"), ("s", "pool", "3", "faster")])
    assert stability.flips(a, b) == [("s", "pool", "baseline", "1", 0)]
    assert len(stability.changes(a, b)) == 2


def test_under_load_any_different_claim_contradicts_but_inconclusive_does_not(tmp_path):
    quiet = log(tmp_path, "q", [("s", "p", "1", "faster"), ("s", "p", "2", "no clear gain"), ("s", "p", "3", "slower")])
    loaded = log(tmp_path, "l", [("s", "p", "1", "no clear gain"), ("s", "p", "2", "inconclusive"), ("s", "p", "3", "slower")])
    assert stability.contradictions(quiet, loaded) == [("s", "p", "baseline", "1", 0)]


def test_the_same_sweep_run_twice_in_a_notebook_keeps_both(tmp_path):
    v = log(tmp_path, "d", [("s", "p", "1", "faster"), ("s", "p", "1", "slower")])
    assert v[("s", "p", "baseline", "1", 0)] == "faster" and v[("s", "p", "baseline", "1", 1)] == "slower"


def test_the_cpu_hog_stops_every_process_it_started():
    with stability.CpuHog(2) as hog:
        children = list(hog.children)
        assert all(c.poll() is None for c in children)
    assert all(c.poll() is not None for c in children)


def tiny_notebook(tmp_path, name, cells):
    import nbformat
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nb.metadata["kernelspec"] = {"name": "ipc-course", "display_name": "Java (IPC course)", "language": "java"}
    path = tmp_path / name
    nbformat.write(nb, str(path))
    return path


def test_run_all_twice_in_one_kernel_counts_its_workers_and_finds_a_leak(tmp_path):
    """A pool held by a notebook variable is closed when its cell runs again: no leak. A pool that
    nothing in the notebook holds but that stays reachable is never closed: the second Run All
    leaves one more worker JVM, and the check says so."""
    kept = tiny_notebook(tmp_path, "kept.ipynb", ["ProcessPool held = ProcessPool.newProcessPool(1);",
                                                  "held.submit(() -> 1).get()"])
    runs = stability.run_twice_in_one_kernel(kept, [tmp_path / f"quiet-{n}-kept.ipynb.jsonl" for n in (1, 2)])
    assert [r["error"] for r in runs] == [None, None]
    assert [len(r["workers"]) for r in runs] == [1, 1]
    assert runs[0]["workers"] != runs[1]["workers"], "the second Run All started a pool of its own"
    assert not stability.leaked(runs)
    assert (tmp_path / "quiet-2-kept.ipynb").exists(), "the executed notebook of each pass is kept"

    leaky = tiny_notebook(tmp_path, "leaky.ipynb", [
        "System.getProperties().put(\"leak-\" + System.nanoTime(), ProcessPool.newProcessPool(1));"])
    runs = stability.run_twice_in_one_kernel(leaky, [tmp_path / f"quiet-{n}-leaky.ipynb.jsonl" for n in (1, 2)])
    assert [len(r["workers"]) for r in runs] == [1, 2]
    assert stability.leaked(runs)
    assert not still_running({pid for r in runs for pid in r["workers"]}), "workers outlived their kernel"


def still_running(pids, seconds=10.0):
    """Those of `pids` still alive after up to `seconds` (a worker ends soon after its kernel)."""
    import os
    import time
    deadline = time.monotonic() + seconds
    while True:
        alive = set()
        for pid in pids:
            try:
                os.kill(pid, 0)
                alive.add(pid)
            except (ProcessLookupError, PermissionError):  # gone, or the id is another user's now
                pass
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.2)
