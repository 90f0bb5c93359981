package org.ipccourse.workloads;

import java.util.Arrays;

/**
 * Converts a target duration into a number of iterations of Example 26.3's loop (one square root
 * and one addition each), measured on this machine. The rate is measured once per JVM, after the
 * loop has been compiled, as the median of several rounds timed in this thread's CPU time, so that
 * other programs busy on the machine at that moment do not skew it; later calls reuse it.
 *
 * <pre>{@code
 * long n = Calibration.iterationsFor(10.0);   // about 10 ms of work here
 * double total = Calibration.spin(n);
 * }</pre>
 *
 * <p>Costs: the first call spends about 0.3 s measuring. A task of {@code ms} milliseconds is
 * {@code ms} of CPU time on one core; on a busy machine its wall-clock time is longer, which is
 * the point of measuring instead of assuming.
 */
public final class Calibration {
    private static final double ROUND_MS = 20;
    private static volatile double iterationsPerMs;

    private Calibration() {
    }

    /** Iterations of the loop per millisecond on this machine, measured on first use. */
    public static double iterationsPerMs() {
        double rate = iterationsPerMs;
        if (rate == 0) {
            synchronized (Calibration.class) {
                if (iterationsPerMs == 0) {
                    iterationsPerMs = measure();
                }
                rate = iterationsPerMs;
            }
        }
        return rate;
    }

    /**
     * Iterations that take about {@code ms} milliseconds here.
     *
     * @throws IllegalArgumentException if {@code ms} is negative or not finite
     */
    public static long iterationsFor(double ms) {
        if (!(ms >= 0) || Double.isInfinite(ms)) {
            throw new IllegalArgumentException("duration must be zero or more milliseconds, got "
                    + ms);
        }
        return Math.round(ms * iterationsPerMs());
    }

    /** Runs {@code iterations} of the loop and returns its total (so it cannot be optimised away). */
    public static double spin(long iterations) {
        if (iterations < 0) {
            throw new IllegalArgumentException("iterations must be zero or more, got " + iterations);
        }
        double total = 0;
        for (long i = 0; i < iterations; i++) {
            total += Math.sqrt(i + 1);
        }
        return total;
    }

    /** CPU time of this thread: other processes competing for the cores do not count. */
    private static long cpuNanos() {
        java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
        return threads.isCurrentThreadCpuTimeSupported() ? threads.getCurrentThreadCpuTime()
                : System.nanoTime();
    }

    private static double measure() {
        long n = 100_000;
        double sink = 0;
        for (int i = 0; i < 30; i++) { // let the JIT compile spin() before timing it
            sink += spin(n);
        }
        long t0 = cpuNanos();
        sink += spin(n);
        double nsPerIteration = Math.max(0.05, (cpuNanos() - t0) / (double) n);
        long round = (long) (ROUND_MS * 1e6 / nsPerIteration);
        double[] rates = new double[7];
        for (int i = 0; i < rates.length; i++) {
            long start = cpuNanos();
            sink += spin(round);
            rates[i] = round / (Math.max(1, cpuNanos() - start) / 1e6);
        }
        if (sink == 42) { // keeps sink alive
            System.err.print("");
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }
}
