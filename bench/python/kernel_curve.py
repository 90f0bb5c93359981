"""The pool's warm-up curve measured through the real course kernel, as a notebook sees it.

Starts a fresh `ipc-course` kernel (run this with the course's .venv Python, whose Jupyter holds
the kernel), and executes cells that create a fresh pool and time `pool.submit(() -> n).join()`
one task at a time: the same loop as org.ipccourse.bench.WarmupCurve, written in a cell, so the
lambda is a cell class shipped to the workers and the loop carries the kernel's interrupt checks.
The cell prints its figures through WarmupCurve.printCurve (the bench jar is added with %jars),
so the bands are the same as the plain JVM's. Output: tab-separated lines, name, median, low,
high, in microseconds, names prefixed with `kernel.`. Then the same cell method, `spin(20,000,000)`
(a `long`-indexed loop of `s += Math.sqrt(i)`), timed in thread CPU time in the kernel and in a
worker (`kernel.cell_spin_in_kernel`, `kernel.cell_spin_in_worker`: median, min, max of 5 calls,
each after 2,000 calls of spin(10,000) on the same side, so that C2 compiles spin as a whole
method on both, as in a notebook that calls it many times).

    .venv/bin/python bench/python/kernel_curve.py BENCH_JAR [WORKERS]
"""
import subprocess
import sys
import tempfile

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
org.ipccourse.bench.SteadyState.warmUp("kernel.warm_steady", () -> batchNanos(1000), 1000);
long[] steady = new long[org.ipccourse.bench.WarmupCurve.STEADY_BATCHES * org.ipccourse.bench.WarmupCurve.STEADY_BATCH];
for (int i = 0; i < steady.length; i++) {
    int n = i;
    long s = System.nanoTime();
    pool.submit(() -> n).join();
    steady[i] = System.nanoTime() - s;
}
org.ipccourse.bench.WarmupCurve.printCurve("kernel", each, startupMicros, steady);
""",
    # Same code, same speed: a cell method's loop in the kernel and in a worker, in thread CPU time
    # (load on the machine does not move it). Each timed call follows 2,000 short calls on the same
    # side, so that C2 compiles spin as a whole method on both, as in a notebook that calls it
    # many times, and is made from a method that stays interpreted (as a notebook's timing lambda
    # does), so the call runs that compiled spin; then the median of 5.
    """
long cpuNanos() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }
double spin(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }
double warmSpin() { double v = 0; for (int i = 0; i < 2000; i++) v += spin(10_000); return v; }
long spinCpu(long n) {
    double v = warmSpin();
    long t = cpuNanos();
    v += spin(n);
    t = cpuNanos() - t;
    return v < 0 ? -1 : t;
}
long spinInWorker(long n) { return pool.submit(() -> spinCpu(n)).join(); }
double[] spinKernel = new double[5], spinWorker = new double[5];
for (int r = -2; r < 5; r++) {
    long k = spinCpu(20_000_000L), w = spinInWorker(20_000_000L);
    if (r >= 0) { spinKernel[r] = k / 1000.0; spinWorker[r] = w / 1000.0; }
}
java.util.Arrays.sort(spinKernel); java.util.Arrays.sort(spinWorker);
System.out.printf(java.util.Locale.ROOT, "kernel.cell_spin_in_kernel\t%.3f\t%.3f\t%.3f%n", spinKernel[2], spinKernel[0], spinKernel[4]);
System.out.printf(java.util.Locale.ROOT, "kernel.cell_spin_in_worker\t%.3f\t%.3f\t%.3f%n", spinWorker[2], spinWorker[0], spinWorker[4]);
System.out.flush();
""",
    "pool.close();",
]


def main():
    jar = sys.argv[1]
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 2
    # The kernel's own log (start-up lines) goes to a file, shown only if a cell fails.
    log = tempfile.TemporaryFile(mode="w+")
    km, kc = start_new_kernel(kernel_name="ipc-course", stdout=subprocess.DEVNULL, stderr=log)
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
                log.seek(0)
                sys.stderr.write(log.read()[-4000:])
                sys.exit(f"kernel_curve.py: a cell failed in the kernel: {failed[0]}")
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
        log.close()


if __name__ == "__main__":
    main()
