"""Python reference figures for the Java process pool benchmark (bench/README.md).

Prints one line per figure: name, median, min, max, in microseconds (per call, per task, or for
the whole start-up), tab-separated. Every pool uses the 'spawn' start method, the one that starts
a fresh interpreter like the Java pool starts a fresh JVM.
"""
import multiprocessing as mp
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor


def ident(x):
    return x


def ready(queue):
    queue.put(1)


def report(name, samples):
    print(f"{name}\t{statistics.median(samples):.3f}\t{min(samples):.3f}\t{max(samples):.3f}", flush=True)


def per_call(fn, calls, reps):
    samples = []
    for _ in range(reps):
        t0 = time.perf_counter_ns()
        for i in range(calls):
            fn(i)
        samples.append((time.perf_counter_ns() - t0) / calls / 1000)
    return samples


def main():
    calls = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    tasks = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    reps = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    workers = int(sys.argv[4]) if len(sys.argv) > 4 else 2
    ctx = mp.get_context("spawn")

    with ctx.Pool(workers) as pool:
        pool.apply(ident, (0,))
        report("python.pool_apply", per_call(lambda i: pool.apply(ident, (i,)), calls, reps))
        for chunk, name in ((1, "python.map_chunk1"), (None, "python.map_default")):
            samples = []
            for _ in range(reps):
                t0 = time.perf_counter_ns()
                pool.map(ident, range(tasks), chunksize=chunk)
                samples.append((time.perf_counter_ns() - t0) / tasks / 1000)
            report(name, samples)

    with ProcessPoolExecutor(workers, mp_context=ctx) as executor:
        executor.submit(ident, 0).result()
        report("python.executor_submit", per_call(lambda i: executor.submit(ident, i).result(), calls, reps))

    # A fresh pool's first 100 calls, timed from the moment its workers are ready (as the Java
    # pool's first tasks are timed from the return of newProcessPool, which waits for them).
    samples = []
    for _ in range(reps):
        queue = ctx.SimpleQueue()
        with ctx.Pool(workers, initializer=ready, initargs=(queue,)) as pool:
            for _ in range(workers):
                queue.get()
            t0 = time.perf_counter_ns()
            for i in range(100):
                pool.apply(ident, (i,))
            samples.append((time.perf_counter_ns() - t0) / 100 / 1000)
    report("python.apply_first100", samples)

    samples = []
    for _ in range(reps):
        queue = ctx.SimpleQueue()
        t0 = time.perf_counter_ns()
        pool = ctx.Pool(workers, initializer=ready, initargs=(queue,))
        for _ in range(workers):
            queue.get()
        samples.append((time.perf_counter_ns() - t0) / 1000)
        pool.terminate()
        pool.join()
    report("python.startup", samples)


if __name__ == "__main__":
    main()
