package org.ipccourse.measure;

/**
 * When a warm-up of one-at-a-time tasks may stop: the settle rule of {@link RoundTrip}, kept
 * apart from any clock so that it can be tested on a synthetic sequence.
 *
 * <p>The warm-up runs in batches whose size doubles from {@value #FIRST_BATCH} tasks up to
 * {@value #LARGEST_BATCH}; each batch is summarised by the median of its per-task times. The
 * warm-up has settled once at least {@value #MIN_TASKS} tasks were sent and the last
 * {@value #WINDOW} batch medians lie within {@value #TOLERANCE_PERCENT}% of each other (largest
 * over smallest), and the last median is also within that tolerance of the median of the batch
 * that was running when half of the tasks sent so far had been sent. The second condition makes
 * the rule scale-free: whatever the batch size, it compares the pool after {@code n} tasks with
 * the pool after {@code n / 2}, so a slow drift (a JIT still compiling the path over tens of
 * thousands of tasks, as in a notebook kernel) shows as a fall even where neighbouring batches of a
 * few hundred tasks agree. Comparing neighbours only would stop that drift early, at a time many
 * times its steady state; a cost that keeps falling by a fixed fraction per doubling of the tasks
 * never settles, and the caller's time cap ends it. A plateau followed by a drop is the one case
 * no such rule can see coming; {@link #MIN_TASKS} is set beyond the plateau measured in a notebook
 * kernel.
 *
 * <p>A state machine with two states: warming (the initial one) and settled; {@link #add} moves
 * it. Not thread-safe. Costs: one entry per batch (a warm-up of a few seconds has a few hundred),
 * a scan of them per batch.
 */
public final class WarmupRule {
    /** Tasks in the first batch. */
    public static final int FIRST_BATCH = 300;
    /** Batches stop growing at this size. */
    public static final int LARGEST_BATCH = 4_800;
    /**
     * The fewest tasks a warm-up sends before it may settle. A pool in a notebook kernel (JDK 17,
     * 2 cores) stays on a plateau for its first ten to fifteen thousand tasks, most round trips
     * near 90 µs, then drops to 10-15 µs within a few hundred tasks as the JIT compiles the path:
     * no rule that looks only at the past can tell such a plateau from a steady state, so the
     * warm-up goes past it before it may stop.
     */
    public static final int MIN_TASKS = 20_000;
    /** How many consecutive batch medians must agree. */
    public static final int WINDOW = 3;
    /** Largest over smallest of the window's medians, at most 1 + this / 100. */
    public static final int TOLERANCE_PERCENT = 20;
    private static final double TOLERANCE = 1 + TOLERANCE_PERCENT / 100.0;

    private final java.util.List<double[]> history = new java.util.ArrayList<>(); // {end task, median}
    private int batches;
    private long tasks;
    private boolean settled;

    /** A rule in its initial state: warming, nothing sent. */
    public WarmupRule() {
    }

    /** How many tasks the next batch should have. */
    public int nextBatch() {
        long size = (long) FIRST_BATCH << Math.min(batches, 20);
        return (int) Math.min(size, LARGEST_BATCH);
    }

    /**
     * Records one batch of {@code size} tasks whose median per-task time was {@code median}
     * (any unit, the same for every batch).
     *
     * @return true once the warm-up has settled (and from then on)
     * @throws IllegalArgumentException for a size below 1 or a median that is not finite and positive
     */
    public boolean add(int size, double median) {
        if (size < 1) {
            throw new IllegalArgumentException("a batch has at least one task, got " + size);
        }
        if (!(median > 0) || !Double.isFinite(median)) {
            throw new IllegalArgumentException("a batch median must be finite and positive, got " + median);
        }
        batches++;
        tasks += size;
        history.add(new double[] {tasks, median});
        if (!settled && batches >= WINDOW && tasks >= MIN_TASKS) {
            double low = Double.POSITIVE_INFINITY, high = 0;
            for (double[] batch : history.subList(batches - WINDOW, batches)) {
                low = Math.min(low, batch[1]);
                high = Math.max(high, batch[1]);
            }
            double halfway = halfwayMedian();
            settled = high <= low * TOLERANCE && Math.max(halfway, median) <= Math.min(halfway, median) * TOLERANCE;
        }
        return settled;
    }

    /** The median of the batch that was running when half of the tasks so far had been sent. */
    private double halfwayMedian() {
        for (double[] batch : history) {
            if (batch[0] > tasks / 2.0) {
                return batch[1];
            }
        }
        throw new AssertionError("the last batch ends at " + tasks);
    }

    /** True once the last {@value #WINDOW} batch medians agreed, after enough tasks. */
    public boolean settled() {
        return settled;
    }

    /** Tasks recorded so far. */
    public long tasks() {
        return tasks;
    }

    /** Batches recorded so far. */
    public int batches() {
        return batches;
    }
}
