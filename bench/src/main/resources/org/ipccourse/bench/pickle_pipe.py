"""Python's reference rate for IpcBenchmark: pickle a float64 array, send it through a
multiprocessing pipe, unpickle it in a child process, and wait for the child's reply.

Usage: python3 pickle_pipe.py MIB REPETITIONS
Prints one line per timed run: "run <seconds>", then "rate_mib_per_s <median>".
Uses numpy when it is installed, else array('d'), which pickles its buffer the same way.
"""
import multiprocessing
import statistics
import sys
import time


def make_payload(mib):
    n = mib * 1024 * 1024 // 8
    try:
        import numpy
        return numpy.zeros(n, dtype=numpy.float64), "numpy.ndarray"
    except ImportError:
        from array import array
        return array("d", bytes(n * 8)), "array('d')"


def child(conn):
    while True:
        obj = conn.recv()          # read from the pipe and unpickle
        if obj is None:
            return
        conn.send(len(obj))        # a small reply, as the Java pool sends its result


def main():
    mib = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 5
    payload, kind = make_payload(mib)
    parent, worker = multiprocessing.Pipe()
    p = multiprocessing.Process(target=child, args=(worker,))
    p.start()
    try:
        parent.send(payload)       # warm-up
        parent.recv()
        times = []
        for _ in range(reps):
            t0 = time.perf_counter()
            parent.send(payload)   # pickle and write
            assert parent.recv() == len(payload)
            times.append(time.perf_counter() - t0)
            print(f"run {times[-1]:.6f}", flush=True)
        print(f"payload {kind}")
        print(f"rate_mib_per_s {mib / statistics.median(times):.1f}")
    finally:
        parent.send(None)
        p.join(10)
        if p.is_alive():
            p.kill()


if __name__ == "__main__":
    main()
