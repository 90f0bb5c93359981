package org.ipccourse.measure;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import org.ipccourse.pool.SerializableCallable;

/**
 * The course's one definition of a round trip: the time from {@code submit} of a task that does
 * nothing to the return of its {@code get()}, one task at a time, on a warm executor. It is what
 * {@code ./course bench pool} reports as the pool's steady-state round trip, and what notebooks 02
 * and 03 print as the per-task overhead.
 *
 * <p>{@link #of(ExecutorService)} first warms the executor up with batches of one-at-a-time empty
 * tasks until {@link WarmupRule} says their medians have settled (batches that grow, three
 * medians within 20%, at least {@value WarmupRule#MIN_TASKS} tasks), or until
 * {@value #MAX_WARMUP_MS} ms have passed; then it times {@value #BATCHES} batches of
 * {@value #BATCH} tasks and reports the median of their per-task medians with the
 * order-statistics interval of those medians, in microseconds. When the cap stopped the
 * warm-up, {@link #settled()} is false and {@link #summary()} says so: the warm figure is then an
 * upper bound of the steady state, not the steady state.
 *
 * <p>What the first tasks of a fresh pool cost is a different number, and is never to be printed
 * as the round trip: {@link #firstTasks(ExecutorService)} times the first {@value #FIRST_TASKS}
 * tasks of an executor (call it on a pool just built), with no warm-up.
 *
 * <pre>{@code
 * RoundTrip trip = RoundTrip.of(pool);
 * trip.warm();           // e.g. 9.1 [8.8, 9.6] µs
 * trip.summary();        // the sentence, with "not settled" when the cap was hit
 * RoundTrip.firstTasks(ProcessPool.newProcessPool(2));  // e.g. 900 [700, 1200] µs: a fresh pool
 * }</pre>
 *
 * <p>Costs: at least {@code WarmupRule.MIN_TASKS + BATCHES x BATCH} tasks (a second or two on a warm
 * process pool) and at most about
 * {@value #MAX_WARMUP_MS} ms of warm-up; on a process pool each task is a serialized task and
 * result through a worker's pipes.
 *
 * @param warm microseconds per round trip once warm: median with its 95% interval
 * @param settled false when the warm-up hit its time cap before its batches agreed
 * @param warmupTasks how many tasks the warm-up sent
 * @param warmupMillis how long the warm-up took
 */
public record RoundTrip(Interval warm, boolean settled, long warmupTasks, double warmupMillis) {
    /** Tasks per timed batch. */
    public static final int BATCH = 300;
    /** Timed batches. */
    public static final int BATCHES = 6;
    /** Warm-up stops after this long even if the batches have not settled. */
    public static final int MAX_WARMUP_MS = 4_000;
    /** How many of the first tasks are reported apart. */
    public static final int FIRST_TASKS = 100;

    private static final SerializableCallable<Integer> NOTHING = () -> 1;

    /** Checks the fields. */
    public RoundTrip {
        Objects.requireNonNull(warm, "warm");
    }

    /**
     * Warms {@code executor} up, then measures its round trip.
     *
     * @throws IllegalStateException if a task fails or the caller is interrupted
     */
    public static RoundTrip of(ExecutorService executor) {
        return of(executor, NOTHING);
    }

    /**
     * Warms {@code executor} up with {@code task} and measures its round trip by the same rule as
     * {@link #of(ExecutorService)}: for instance an empty task written in a notebook cell, whose
     * path through the pool (a cell lambda, rebuilt in the worker) has its own warm-up. Only an
     * empty task measures a round trip in the course's sense.
     *
     * @throws IllegalStateException if a task fails or the caller is interrupted
     */
    public static RoundTrip of(ExecutorService executor, SerializableCallable<?> task) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        long begin = System.nanoTime();
        long deadline = begin + MAX_WARMUP_MS * 1_000_000L;
        WarmupRule rule = new WarmupRule();
        while (!rule.settled() && System.nanoTime() < deadline) {
            double[] us = timeTasks(executor, task, rule.nextBatch(), deadline);
            if (us.length > 0) {
                rule.add(us.length, Stats.of(us).median());
            }
        }
        double warmupMillis = (System.nanoTime() - begin) / 1e6;
        double[] medians = new double[BATCHES];
        for (int b = 0; b < BATCHES; b++) {
            medians[b] = Stats.of(timeTasks(executor, task, BATCH, Long.MAX_VALUE)).median();
        }
        return new RoundTrip(Interval.ofMedian(medians), rule.settled(), rule.tasks(), warmupMillis);
    }

    /**
     * Times the next {@value #FIRST_TASKS} empty tasks, one at a time, with no warm-up: on a pool
     * just built, what its first tasks cost. Not a round trip in the course's sense.
     *
     * @return microseconds per task: median with its 95% interval
     * @throws IllegalStateException if a task fails or the caller is interrupted
     */
    public static Interval firstTasks(ExecutorService executor) {
        return sample(executor, NOTHING, FIRST_TASKS);
    }

    /**
     * Times {@code tasks} submits of {@code task}, one at a time, each awaited before the next,
     * with no warm-up: what the next tasks of this kind cost as they are, warm or not (a task
     * whose path has not run before pays its warm-up here; {@link #of(ExecutorService,
     * SerializableCallable)} warms it first).
     *
     * @return microseconds per task: median with its 95% interval
     * @throws IllegalArgumentException if {@code tasks} is below 1
     * @throws IllegalStateException if a task fails or the caller is interrupted
     */
    public static Interval sample(ExecutorService executor, SerializableCallable<?> task, int tasks) {
        Objects.requireNonNull(executor, "executor");
        Objects.requireNonNull(task, "task");
        if (tasks < 1) {
            throw new IllegalArgumentException("tasks must be at least 1, got " + tasks);
        }
        return Interval.ofMedian(timeTasks(executor, task, tasks, Long.MAX_VALUE));
    }

    /** The warm round trip's median in microseconds. */
    public double micros() {
        return warm.median();
    }

    /** The warm round trip's median in milliseconds. */
    public double millis() {
        return warm.median() / 1000;
    }

    /**
     * One sentence: the warm round trip with its interval, how long the warm-up took, and, when the
     * time cap stopped it, that it had not settled.
     */
    public String summary() {
        String s = String.format(java.util.Locale.ROOT,
                "round trip of one empty task: %s µs (median, 95%% interval %s-%s), after a warm-up of %,d tasks (%.1f s)",
                Formats.number(warm.median()), Formats.number(warm.low()), Formats.number(warm.high()),
                warmupTasks, warmupMillis / 1000);
        if (!settled) {
            s += String.format(java.util.Locale.ROOT, "; NOT SETTLED: the warm-up reached its %d s cap before the"
                    + " times settled (at least %,d tasks, batch medians within %d%%), so this is an upper bound,"
                    + " not the steady state", MAX_WARMUP_MS / 1000, WarmupRule.MIN_TASKS, WarmupRule.TOLERANCE_PERCENT);
        }
        return s;
    }

    private static double[] timeTasks(ExecutorService executor, SerializableCallable<?> task, int tasks, long deadline) {
        double[] us = new double[tasks];
        int done = 0;
        try {
            while (done < tasks && (done % 16 != 0 || System.nanoTime() < deadline)) {
                long t0 = System.nanoTime();
                executor.submit(task).get();
                us[done++] = (System.nanoTime() - t0) / 1e3;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while measuring the round trip", e);
        } catch (ExecutionException e) {
            throw new IllegalStateException("an empty task failed while measuring the round trip: "
                    + e.getCause(), e.getCause());
        }
        return Arrays.copyOf(us, done);
    }
}
