package org.ipccourse.measure;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.ipccourse.pool.SerializableCallable;

/**
 * The course's one definition of a round trip: the time from {@code submit} of a task that does
 * nothing to the return of its {@code get()}, one task at a time, on a warm executor. It is what
 * {@code ./course bench pool} reports as the pool's round trip, and what notebooks 02 and 03 print
 * as the per-task overhead. {@link #of(ExecutorService)} first sends batches of
 * {@value #BATCH} tasks until two consecutive batch medians differ by less than 20% (at least
 * {@value #MIN_WARMUP_TASKS} tasks, at most about {@value #MAX_WARMUP_MS} ms), so the JIT
 * compilers of owner and workers have compiled the path; then it times {@value #BATCHES} batches
 * and reports the median of their per-task medians, with the order-statistics interval of those
 * {@value #BATCHES} medians, in microseconds.
 *
 * <pre>{@code
 * Interval us = RoundTrip.of(pool);      // e.g. 14.2 [12.9, 16.0] µs
 * }</pre>
 *
 * <p>Costs: {@code MIN_WARMUP_TASKS + BATCHES x BATCH} tasks at least; on a process pool each is
 * a serialized task and result through the worker's pipes.
 */
public final class RoundTrip {
    /** Tasks per batch. */
    public static final int BATCH = 300;
    /** Timed batches. */
    public static final int BATCHES = 6;
    /** The fewest warm-up tasks. */
    public static final int MIN_WARMUP_TASKS = 3_000;
    /** Warm-up stops after this long even if the batches have not settled. */
    public static final int MAX_WARMUP_MS = 4_000;

    private static final SerializableCallable<Integer> NOTHING = () -> 1;

    private RoundTrip() {
    }

    /**
     * Warms {@code executor} up, then measures its round trip.
     *
     * @return microseconds per round trip: median with its 95% interval
     * @throws IllegalStateException if a task fails or the caller is interrupted
     */
    public static Interval of(ExecutorService executor) {
        Objects.requireNonNull(executor, "executor");
        long begin = System.nanoTime();
        double previous = Double.NaN;
        int sent = 0;
        while (true) {
            double median = batchMedianMicros(executor);
            sent += BATCH;
            boolean settled = Math.abs(median - previous) <= 0.2 * Math.max(median, previous);
            if (sent >= MIN_WARMUP_TASKS && (settled || (System.nanoTime() - begin) / 1e6 > MAX_WARMUP_MS)) {
                break;
            }
            previous = median;
        }
        double[] medians = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            medians[b] = batchMedianMicros(executor);
        }
        return Interval.ofMedian(medians);
    }

    private static double batchMedianMicros(ExecutorService executor) {
        double[] us = new double[BATCH];
        try {
            for (int i = 0; i < BATCH; i++) {
                long t0 = System.nanoTime();
                executor.submit(NOTHING).get();
                us[i] = (System.nanoTime() - t0) / 1e3;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the round trip", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed while measuring the round trip: "
                    + e.getCause(), e.getCause());
        }
        Arrays.sort(us);
        return us[BATCH / 2];
    }
}
