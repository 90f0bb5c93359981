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
