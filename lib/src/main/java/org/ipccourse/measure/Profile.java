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
 * rests on the harness's verdicts (a pool wins when its whole 95% interval of the speedup clears
 * {@link Verdict#WINS}) and on the comparison of processes with threads by the same rule; when an
 * interval crosses a threshold the sentence says the run was inconclusive, and why.
 *
 * <pre>{@code
 * Profile p = Harness.profile("heavy compute, tiny inputs", Workloads::heavyWorkSmallData,
 *     Workloads.smallTasks(8, 2_000_000), threads, pool);
 * System.out.println(p.verdict());   // e.g. "Verdict (profile first: ...): processes win and beat threads: ..."
 * p.table()                          // variant, median_ms, low_ms, high_ms, speedup, verdict
 * }</pre>
 *
 * <p>Costs: {@code 3 x (warm-up + repetitions)} passes over the inputs, nothing more; the process
 * pool serializes every input and result on every pass, as it would in use.
 */
public final class Profile implements org.ipccourse.display.Tabular {
    static final String PROCESSES_BEAT_THREADS = "processes win and beat threads: use the process pool";
    static final String THREADS_DO_AS_WELL =
            "processes win, and threads do as well: use threads unless you need isolation";
    static final String THREADS_WIN = "processes do not win, threads do: use threads";
    static final String NEITHER = "neither pool wins: stay sequential";
    static final String INCONCLUSIVE = "inconclusive";

    private final Sweep<String> sweep;
    private final String verdict;

    private Profile(Sweep<String> sweep, String verdict) {
        this.sweep = sweep;
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
        Sweep<String> sweep = Harness.once().title("profile first: " + label)
                .tasks(p -> inputs)
                .sequential(task)
                .threadPool(threads, task)
                .processPool(processes, task)
                .warmup(warmup).repetitions(repetitions).run();
        String sentence = verdict(sweep.row("thread pool").verdict(), sweep.row("process pool").verdict(),
                sweep.compare("process pool", "thread pool").verdict());
        if (sentence.equals(INCONCLUSIVE)) {
            sentence += ": " + reason(sweep);
        }
        return new Profile(sweep, "Verdict (" + sweep.title() + "): " + sentence);
    }

    private static String reason(Sweep<String> sweep) {
        for (String v : List.of("process pool", "thread pool")) {
            Sweep.Row r = sweep.row(v);
            if (!r.verdict().conclusive()) {
                return v + " " + r.verdict().label() + ", " + r.why();
            }
        }
        return sweep.compare("process pool", "thread pool").sentence();
    }

    /**
     * One sentence, starting with {@code Verdict}: which of loop, threads and processes to use for
     * this task and these inputs, or why this run cannot tell.
     */
    public String verdict() {
        return verdict;
    }

    /** The sweep behind the verdict: one row per variant. */
    public Sweep<String> sweep() {
        return sweep;
    }

    /**
     * One row per variant ({@code sequential}, {@code thread pool}, {@code process pool}) with
     * {@code median_ms} and its interval, {@code speedup} over the loop with its interval and the
     * harness's per-row {@code verdict}; its name is the profile's title.
     */
    @Override
    public Table table() {
        return sweep.table().removeColumns("parameter");
    }

    /** The median speedup of {@code variant} over the loop (1 for {@code sequential}). */
    public double speedup(String variant) {
        return sweep.row(variant).speedup().median();
    }

    /**
     * The sentence for these verdicts: threads and processes each against the loop, and
     * processes against threads.
     */
    static String verdict(Verdict threads, Verdict processes, Verdict processesOverThreads) {
        if (processes == Verdict.FASTER) {
            if (processesOverThreads == Verdict.FASTER) {
                return PROCESSES_BEAT_THREADS;
            }
            return processesOverThreads.conclusive() ? THREADS_DO_AS_WELL : INCONCLUSIVE;
        }
        if (!processes.conclusive()) {
            return INCONCLUSIVE;
        }
        if (threads == Verdict.FASTER) {
            return THREADS_WIN;
        }
        return threads.conclusive() ? NEITHER : INCONCLUSIVE;
    }

    @Override
    public String toString() {
        return verdict;
    }
}
