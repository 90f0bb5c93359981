package org.ipccourse.measure;

import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.pool.SerializableFunction;
import tech.tablesaw.api.Table;

/**
 * "Profile first": one task over one list of inputs, timed sequentially, on a thread pool and on
 * a process pool, with a one-sentence verdict on which to use. The three variants are those of
 * {@link Harness}: a loop in the caller's thread, one {@code submit} per input on the caller's
 * {@link ExecutorService}, and {@link ProcessPool#map} with its default chunking on the caller's
 * pool; they interleave, after warm-up runs, so the pools' start-up is never timed. The verdict
 * compares the speedups over the loop with the harness's threshold (1.2): a pool wins when it is at
 * least 1.2 times as fast as the loop, and processes beat threads when they are at least 1.2 times
 * as fast as threads.
 *
 * <pre>{@code
 * Profile p = Harness.profile("heavy compute, tiny inputs", Workloads::heavyWorkSmallData,
 *     Workloads.smallTasks(8, 2_000_000), threads, pool);
 * System.out.println(p.verdict());   // e.g. "processes win, and threads do as well: ..."
 * p.table()                          // variant, median_ms, spread_pct, speedup, verdict
 * }</pre>
 *
 * <p>Costs: {@code 3 x (warmup + repetitions)} passes over the inputs (1 + 5 unless set), nothing
 * more; the process pool serializes every input and result on every pass, as it would in use.
 */
public final class Profile {
    static final String PROCESSES_BEAT_THREADS = "processes win and beat threads: use the process pool";
    static final String THREADS_DO_AS_WELL =
            "processes win, and threads do as well: use threads unless you need isolation";
    static final String THREADS_WIN = "processes lose, threads win: use threads";
    static final String NEITHER = "neither wins: stay sequential";

    private final Table table;
    private final String verdict;

    private Profile(Table table, String verdict) {
        this.table = table;
        this.verdict = verdict;
    }

    static <T> Profile run(String label, SerializableFunction<? super T, ?> task, List<T> inputs,
            ExecutorService threads, ProcessPool processes, int warmup, int repetitions) {
        if (label == null || label.isBlank()) {
            throw new IllegalArgumentException("a profile needs a non-blank label naming the task");
        }
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(processes, "processes");
        Objects.requireNonNull(inputs, "inputs");
        if (inputs.isEmpty()) {
            throw new IllegalArgumentException("give at least one input to profile '" + label + "' on");
        }
        double threshold = 1.2;
        Table all = Harness.once().title("profile first: " + label)
                .tasks(p -> inputs)
                .<T>sequential(task)
                .<T>threadPool(threads, task)
                .<T>processPool(processes, task)
                .threshold(threshold).warmup(warmup).repetitions(repetitions).run();
        Table table = all.selectColumns("variant", "median_ms", "spread_pct", "speedup", "verdict")
                .copy();
        String verdict = verdict(speedup(table, "thread pool"), speedup(table, "process pool"),
                threshold);
        table.setName("profile first: " + label + " — " + verdict);
        return new Profile(table, verdict);
    }

    /** One sentence: which of loop, threads and processes to use for this task and these inputs. */
    public String verdict() {
        return verdict;
    }

    /**
     * One row per variant ({@code sequential}, {@code thread pool}, {@code process pool}) with
     * {@code median_ms}, {@code spread_pct}, {@code speedup} over the loop and the harness's
     * per-row {@code verdict}; its name ends with {@link #verdict()}.
     */
    public Table table() {
        return table;
    }

    /** The speedup of {@code variant} over the loop (1 for {@code sequential}). */
    public double speedup(String variant) {
        return speedup(table, variant);
    }

    private static double speedup(Table t, String variant) {
        Table row = t.where(t.stringColumn("variant").isEqualTo(variant));
        if (row.isEmpty()) {
            throw new IllegalArgumentException("no variant '" + variant + "'; variants are "
                    + t.stringColumn("variant").asList());
        }
        return row.doubleColumn("speedup").get(0);
    }

    /** The verdict for these speedups over the loop; NaN counts as no gain. */
    static String verdict(double threadSpeedup, double processSpeedup, double threshold) {
        if (processSpeedup >= threshold) {
            return threshold * threadSpeedup > processSpeedup ? THREADS_DO_AS_WELL
                    : PROCESSES_BEAT_THREADS;
        }
        return threadSpeedup >= threshold ? THREADS_WIN : NEITHER;
    }

    @Override
    public String toString() {
        return table.name();
    }
}
