"""The pool's warm-up curve measured through the real course kernel, as a notebook sees it.

Starts a fresh `ipc-course` kernel (run this with the course's .venv Python, whose Jupyter holds
the kernel), and executes cells that create a fresh pool and time `pool.submit(() -> n).join()`
one task at a time: the same loop as org.ipccourse.bench.WarmupCurve, written in a cell, so the
lambda is a cell class shipped to the workers and the loop carries the kernel's interrupt checks.
The cell prints its figures through WarmupCurve.printCurve (the bench jar is added with %jars),
so the bands are the same as the plain JVM's. Output: tab-separated lines, name, median, low,
high, in microseconds, names prefixed with `kernel.`.

    .venv/bin/python bench/python/kernel_curve.py BENCH_JAR [WORKERS]
"""
import sys
import time

from jupyter_client.manager import start_new_kernel

CELLS = [
    "%classpath {jar}",
    """
long t0 = System.nanoTime();
ProcessPool pool = ProcessPool.newProcessPool({workers});
double startupMicros = (System.nanoTime() - t0) / 1000.0;
""",
    """
long[] each = new long[org.ipccourse.bench.WarmupCurve.CURVE_TASKS];
for (int i = 0; i < each.length; i++) {
    int n = i;
    long s = System.nanoTime();
    pool.submit(() -> n).join();
    each[i] = System.nanoTime() - s;
}
""",
    """
long batchNanos(int tasks) {
    long s = System.nanoTime();
    for (int i = 0; i < tasks; i++) {
        int n = i;
        pool.submit(() -> n).join();
    }
    return (System.nanoTime() - s) / tasks;
}
long warm = System.nanoTime();
for (int done = 0; done < 40_000 || System.nanoTime() - warm < 2_000_000_000L; done += 1000) {
    batchNanos(1000);
}
double[] steady = new double[20];
for (int b = 0; b < steady.length; b++) {
    steady[b] = batchNanos(1000) / 1000.0;
}
org.ipccourse.bench.WarmupCurve.printCurve("kernel", each, startupMicros, steady);
""",
    "pool.close();",
]


def main():
    jar = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    km, kc = start_new_kernel(kernel_name="ipc-course")
    failed = []

    def output(msg):
        content = msg["content"]
        if msg["msg_type"] == "stream" and content["name"] == "stdout":
            sys.stdout.write(content["text"])
            sys.stdout.flush()
        elif msg["msg_type"] == "stream":
            sys.stderr.write(content["text"])
        elif msg["msg_type"] == "error":
            failed.append(f"{content['ename']}: {content['evalue']}")

    try:
        for cell in CELLS:
            kc.execute_interactive(cell.replace("{jar}", jar).replace("{workers}", str(workers)),
                                   timeout=300, output_hook=output)
            if failed:
                sys.exit(f"kernel_curve.py: a cell failed in the kernel: {failed[0]}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


if __name__ == "__main__":
    main()
