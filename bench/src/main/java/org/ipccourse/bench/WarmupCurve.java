package org.ipccourse.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.ipccourse.pool.ProcessPool;

/**
 * The warm-up curve of a fresh pool in a fresh JVM: the round trip of each of the first 10,000
 * trivial tasks, one at a time, then the steady state. Prints tab-separated lines as
 * {@link JavaCosts} does (name, median, low, high in microseconds), one per band of tasks:
 * {@code 1-100}, {@code 101-1000}, {@code 1001-10000}, {@code 1001-2000} (the band the
 * warm-up target reads), the mean over the first 100 (what Python's first 100 calls are compared
 * with), the start-up of the pool, and the steady state.
 *
 * <p>The round trip, here as everywhere in the course: the time from {@code submit} of a task
 * that returns its argument to its result in the caller's hands ({@code join}), one task at a
 * time, so nothing overlaps. The kernel's figure ({@code kernel_curve.py}) runs the same loop in a
 * notebook cell through the real kernel; both print their figures through {@link #printCurve}'s
 * format.
 *
 * <p>Band figures: the median of the band's tasks, low and high its 10th and 90th percentiles.
 * Steady state: after {@link SteadyState#warmUp} (the batch times settled and the JIT compilers
 * of owner and workers quiet), the median of {@value #STEADY_BATCHES} batches of {@value
 * #STEADY_BATCH} tasks, each timed on its own, low and high the extreme batch medians. The same
 * statistic as the bands, so that a target's ratio compares like with like: in a notebook kernel
 * a few per cent of tasks take over 50 µs where a plain JVM has a fraction of that, so there the
 * mean per task of a batch read 2.1-2.8x the plain JVM's while the medians were within 1.3x of it.
 */
public final class WarmupCurve {
    /** The tasks timed one by one from the pool's start. */
    public static final int CURVE_TASKS = 10_000;
    /** Batches timed for the steady state. */
    public static final int STEADY_BATCHES = 20;
    /** Tasks per steady-state batch. */
    public static final int STEADY_BATCH = 1000;

    private WarmupCurve() {
    }

    public static void main(String[] args) throws Exception {
        int workers = args.length > 0 ? Integer.parseInt(args[0]) : 2;
        String prefix = args.length > 1 ? args[1] : "java";
        long t0 = System.nanoTime();
        List<String> workerOptions = List.of(args).subList(Math.min(2, args.length), args.length);
        try (ProcessPool pool = ProcessPool.builder().workers(workers).workerJvmOptions(workerOptions).build()) {
            long startup = System.nanoTime() - t0;
            long[] each = timeEach(pool, CURVE_TASKS);
            SteadyState.warmUp(prefix + ".warm_steady", () -> batch(pool, 1000), 1000);
            printCurve(prefix, each, startup / 1000.0, timeEach(pool, STEADY_BATCHES * STEADY_BATCH));
            if (Boolean.getBoolean("bench.firstTasks")) {
                System.err.println("first tasks (µs): " + Arrays.toString(Arrays.stream(each, 0, 40).map(x -> x / 1000).toArray()));
            }
        }
    }

    /** Runs {@code tasks} tasks one at a time and returns each one's round trip in nanoseconds. */
    private static long[] timeEach(ProcessPool pool, int tasks) {
        long[] each = new long[tasks];
        for (int i = 0; i < tasks; i++) {
            int n = i;
            long s = System.nanoTime();
            pool.submit(() -> n).join();
            each[i] = System.nanoTime() - s;
        }
        return each;
    }

    private static long batch(ProcessPool pool, int tasks) {
        long s = System.nanoTime();
        for (int i = 0; i < tasks; i++) {
            int n = i;
            pool.submit(() -> n).join();
        }
        return (System.nanoTime() - s) / tasks;
    }

    /**
     * Prints the curve's lines: {@code each}, the first tasks' times, and {@code steady}, the
     * steady state's {@value #STEADY_BATCHES} batches of {@value #STEADY_BATCH} tasks one after
     * the other, in nanoseconds; start-up in µs. Public for the kernel's run ({@code
     * python/kernel_curve.py}), which times the same loops in notebook cells and prints through
     * here, so both sides' figures mean the same.
     *
     * @throws IllegalArgumentException if {@code steady} does not hold whole batches
     */
    public static void printCurve(String prefix, long[] each, double startupMicros, long[] steady) {
        if (steady.length == 0 || steady.length % STEADY_BATCH != 0) {
            throw new IllegalArgumentException("steady holds " + steady.length + " tasks, not whole batches of " + STEADY_BATCH);
        }
        band(prefix + ".warm_1_100", each, 0, 100);
        band(prefix + ".warm_101_1000", each, 100, 1000);
        band(prefix + ".warm_1001_10000", each, 1000, 10_000);
        band(prefix + ".warm_1001_2000", each, 1000, 2000);
        double first100 = Arrays.stream(each, 0, 100).sum() / 100 / 1000.0;
        line(prefix + ".warm_first100_mean", first100, first100, first100);
        line(prefix + ".warm_startup", startupMicros, startupMicros, startupMicros);
        double[] batchMedians = new double[steady.length / STEADY_BATCH];
        for (int b = 0; b < batchMedians.length; b++) {
            batchMedians[b] = median(micros(steady, b * STEADY_BATCH, (b + 1) * STEADY_BATCH));
        }
        Arrays.sort(batchMedians);
        line(prefix + ".warm_steady", median(micros(steady, 0, steady.length)), batchMedians[0],
                batchMedians[batchMedians.length - 1]);
    }

    /** The times {@code from} to {@code to} in µs, sorted. */
    private static double[] micros(long[] nanos, int from, int to) {
        return Arrays.stream(nanos, from, to).mapToDouble(x -> x / 1000.0).sorted().toArray();
    }

    private static void band(String name, long[] each, int from, int to) {
        double[] us = micros(each, from, to);
        line(name, median(us), us[(int) (0.1 * us.length)], us[(int) (0.9 * us.length)]);
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static void line(String name, double median, double low, double high) {
        System.out.printf(Locale.ROOT, "%s\t%.3f\t%.3f\t%.3f%n", name, median, low, high);
        System.out.flush();
    }

    /** The band names in print order, for the benchmark's table. */
    static List<String> bands() {
        return new ArrayList<>(List.of("warm_1_100", "warm_101_1000", "warm_1001_10000", "warm_1001_2000",
                "warm_first100_mean", "warm_steady", "warm_startup"));
    }
}
