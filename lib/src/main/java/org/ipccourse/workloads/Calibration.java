package org.ipccourse.workloads;

import java.util.Arrays;

/**
 * Converts a target duration into a number of iterations of Example 26.3's loop (one square root
 * and one addition each), measured on this machine. The rate is measured once per JVM, after the
 * loop has been compiled, as the median of several timed rounds; later calls reuse it.
 *
 * <pre>{@code
 * long n = Calibration.iterationsFor(10.0);   // about 10 ms of work here
 * double total = Calibration.spin(n);
 * }</pre>
 *
 * <p>Costs: the first call spends about 0.3 s measuring. The rate is for one core with nothing
 * else running; on a busy machine tasks take longer than their target, which is the point of
 * measuring instead of assuming.
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

    private static double measure() {
        long n = 100_000;
        double sink = 0;
        for (int i = 0; i < 30; i++) { // let the JIT compile spin() before timing it
            sink += spin(n);
        }
        long t0 = System.nanoTime();
        sink += spin(n);
        double nsPerIteration = Math.max(0.05, (System.nanoTime() - t0) / (double) n);
        long round = (long) (ROUND_MS * 1e6 / nsPerIteration);
        double[] rates = new double[7];
        for (int i = 0; i < rates.length; i++) {
            long start = System.nanoTime();
            sink += spin(round);
            rates[i] = round / ((System.nanoTime() - start) / 1e6);
        }
        if (sink == 42) { // keeps sink alive
            System.err.print("");
        }
        Arrays.sort(rates);
        return rates[rates.length / 2];
    }
}
