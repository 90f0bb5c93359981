package org.ipccourse.measure;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Future;
import org.ipccourse.display.LiveDisplay;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.pool.SerializableFunction;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

/**
 * Times a set of variants (sequential, thread pool, process pool, anything else) over a sweep of
 * parameters and returns a {@link Sweep}: per variant and parameter the median time with its 95%
 * interval, the speedup over the baseline with its interval, and a {@link Verdict}. It is the one
 * place in the course where timings become verdicts:
 * <ul>
 * <li><b>Warm-up until settled.</b> At each parameter every variant runs untimed, interleaved with
 *     the others, at least {@link #warmup(int)} times (1 unless set) and then until its last two
 *     times differ by less than {@value #SETTLED_PERCENT}% (at most {@value #MAX_WARMUP} runs or
 *     about {@value #WARMUP_BUDGET_MS} ms per parameter).</li>
 * <li><b>Interleaved.</b> The timed rounds run every variant once each, starting with a different
 *     variant each round, so a drift of the machine favours none of them; the speedup is the
 *     median of the per-round ratios baseline / variant.</li>
 * <li><b>Intervals.</b> {@link Interval}: order statistics, distribution-free; at least 6 timed
 *     rounds give a 95% interval (the default is {@value #DEFAULT_REPETITIONS}).</li>
 * <li><b>Verdicts</b> only when the interval clears {@link Verdict#WINS} (or its inverse), else
 *     {@code inconclusive} with the reason (interval, spread, what other processes used of the
 *     machine, load average); a speedup above the usable cores x{@value
 *     Verdict#IMPLAUSIBLE_ABOVE_CORES} is {@code implausible}, with its likely cause, and never
 *     shown as a result.</li>
 * </ul>
 * While it runs, one progress line updates in place in the notebook.
 *
 * <pre>{@code
 * Sweep<Double> s = Harness.over(List.of(1.0, 10.0, 100.0)).parameterName("task_ms")
 *     .tasks(ms -> Workloads.timedTasks(8, ms))          // the inputs at each parameter
 *     .sequential(Workloads::simulateWork)
 *     .threadPool(threads, Workloads::simulateWork)
 *     .processPool(pool, Workloads::simulateWork)
 *     .run();
 * s.verdictLine("process pool");  s.winsFrom("process pool");  s.table();  s.speedupChart();
 * }</pre>
 *
 * <p>The usable cores of a variant are the fewest of the machine's cores, its parallelism (1 for
 * {@code sequential}, the pool size of a thread pool, the workers of a process pool, as given to
 * {@link #variant(String, int, Variant)} otherwise) and the number of inputs.
 *
 * <p>Costs: {@code parameters x variants x (warm-up + repetitions)} runs, nothing more; the timer
 * is {@link System#nanoTime()} around the variant's body; the load is read from {@code /proc}
 * once per parameter.
 *
 * @param <P> the parameter swept over
 * @param <T> the type of the inputs {@link #tasks} builds ({@code Object} until it is called)
 */
public final class Harness<P, T> {
    /** The body of one variant, run once per timed repetition with the current parameter. */
    @FunctionalInterface
    public interface Variant<P> {
        void run(P parameter) throws Exception;
    }

    /** Timed rounds unless set: the fewest that give a 95% interval. */
    public static final int DEFAULT_REPETITIONS = 6;
    /** Warm-up ends once a variant's last two untimed runs differ by less than this, in percent. */
    public static final int SETTLED_PERCENT = 20;
    /** At most this many untimed runs per variant and parameter. */
    public static final int MAX_WARMUP = 8;
    /** Warm-up stops adding runs at a parameter after about this long (once the minimum is done). */
    public static final int WARMUP_BUDGET_MS = 1500;

    private final List<P> parameters;
    private final Map<String, Variant<P>> variants = new LinkedHashMap<>();
    private final Map<String, Integer> parallelism = new LinkedHashMap<>();
    private String title = "measurement";
    private String parameterName = "parameter";
    private int warmup = 1;
    private int repetitions = DEFAULT_REPETITIONS;
    private String baseline;
    private java.util.function.LongSupplier clock = System::nanoTime;
    private java.util.function.Function<? super P, ? extends Collection<?>> tasks;
    private List<?> currentInputs;

    private Harness(List<P> parameters) {
        this.parameters = List.copyOf(parameters);
    }

    /** A harness over these parameter values, in this order. */
    public static <P> Harness<P, Object> over(List<P> parameters) {
        Objects.requireNonNull(parameters, "parameters");
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("give at least one parameter value to sweep over");
        }
        return new Harness<>(parameters);
    }

    /** A harness with a single, unnamed parameter: compares variants only. */
    public static Harness<String, Object> once() {
        return new Harness<>(List.of("-"));
    }

    /** Adds a variant that may use every core; names must be unique. */
    public Harness<P, T> variant(String name, Variant<P> body) {
        return variant(name, name.equals("sequential") ? 1 : Runtime.getRuntime().availableProcessors(), body);
    }

    /**
     * Adds a variant that runs at most {@code parallelism} things at once (1 for a loop, the size
     * of its pool otherwise): a speedup above that many cores x1.1 is flagged as implausible.
     */
    public Harness<P, T> variant(String name, int parallelism, Variant<P> body) {
        requireAtLeast("parallelism", parallelism, 1);
        this.parallelism.put(name, parallelism);
        Objects.requireNonNull(body, "body");
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a variant needs a non-blank name");
        }
        if (variants.putIfAbsent(name, body) != null) {
            throw new IllegalArgumentException("variant '" + name + "' was already added");
        }
        return this;
    }

    /**
     * The inputs each standard variant works through at a parameter, e.g.
     * {@code ms -> Workloads.timedTasks(8, ms)}; built once per parameter, outside the timing,
     * and shared by the variants (the process pool still serializes them on every run). The
     * inputs' element type {@code U} is the argument type of the functions given to
     * {@link #sequential}, {@link #threadPool} and {@link #processPool}, so those take plain
     * lambdas such as {@code limit -> countPrimes(limit)} with the type inferred.
     */
    @SuppressWarnings("unchecked")
    public <U> Harness<P, U> tasks(java.util.function.Function<? super P, ? extends Collection<? extends U>> tasksFor) {
        this.tasks = Objects.requireNonNull(tasksFor, "tasksFor");
        return (Harness<P, U>) this; // the same harness, now typed by its inputs
    }

    /** Adds the variant {@code sequential}: {@code fn} over the {@link #tasks} in this thread. */
    public Harness<P, T> sequential(java.util.function.Function<? super T, ?> fn) {
        Objects.requireNonNull(fn, "fn");
        return variant("sequential", prepared(inputs -> {
            for (T input : inputs) {
                fn.apply(input);
            }
        }));
    }

    /** Adds the variant {@code thread pool}: one task per input on {@code threads}, all awaited. */
    public Harness<P, T> threadPool(ExecutorService threads, java.util.function.Function<? super T, ?> fn) {
        Objects.requireNonNull(threads, "threads");
        Objects.requireNonNull(fn, "fn");
        int size = threads instanceof java.util.concurrent.ThreadPoolExecutor t ? t.getMaximumPoolSize()
                : threads instanceof java.util.concurrent.ForkJoinPool f ? f.getParallelism()
                : Runtime.getRuntime().availableProcessors();
        return variant("thread pool", Math.max(1, size), prepared(inputs -> {
            List<Callable<Object>> calls = new ArrayList<>();
            for (T input : inputs) {
                calls.add(() -> fn.apply(input));
            }
            for (Future<Object> f : threads.invokeAll(calls)) {
                f.get();
            }
        }));
    }

    /** Adds the variant {@code process pool}: {@code pool.map(fn, inputs)}, default chunking. */
    public Harness<P, T> processPool(ProcessPool pool, SerializableFunction<? super T, ?> fn) {
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(fn, "fn");
        return variant("process pool", Math.max(1, pool.workerCount()), prepared(inputs -> {
            if (pool.isShutdown()) {
                throw new IllegalStateException("the process pool is shut down; create a new pool"
                        + " and add it again with processPool(pool, fn)");
            }
            pool.map(fn, inputs);
        }));
    }

    /** A body over the inputs, typed by the caller's function. */
    private interface Body<I> {
        void run(List<I> inputs) throws Exception;
    }

    /** A variant over the inputs the harness built for the current parameter, outside the timing. */
    private Variant<P> prepared(Body<T> body) {
        if (tasks == null) {
            throw new IllegalStateException("call tasks(parameter -> inputs) before adding the"
                    + " standard variants");
        }
        return parameter -> {
            @SuppressWarnings("unchecked")
            List<T> inputs = (List<T>) currentInputs;
            body.run(inputs);
        };
    }

    /** Shown in the progress line and used as the table's name. */
    public Harness<P, T> title(String title) {
        this.title = Objects.requireNonNull(title, "title");
        return this;
    }

    /**
     * The fewest untimed runs of each variant before timing, per parameter (default 1); more run
     * until the times settle (see the class description). 0 turns the warm-up off, for variants
     * that measure a cold start on purpose.
     */
    public Harness<P, T> warmup(int runs) {
        this.warmup = requireAtLeast("warmup runs", runs, 0);
        return this;
    }

    /** Timed rounds per parameter (default {@value #DEFAULT_REPETITIONS}; fewer than 6 give no verdict). */
    public Harness<P, T> repetitions(int runs) {
        this.repetitions = requireAtLeast("repetitions", runs, 1);
        return this;
    }

    /** Replaces the timer, for tests whose variants advance a clock of their own. */
    Harness<P, T> clock(java.util.function.LongSupplier nanos) {
        this.clock = Objects.requireNonNull(nanos, "nanos");
        return this;
    }

    /** The name of the parameter in tables and verdict lines (default {@code parameter}). */
    public Harness<P, T> parameterName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a parameter name must not be blank");
        }
        this.parameterName = name;
        return this;
    }

    /** The variant the others are compared with (default: {@code sequential}, else the first). */
    public Harness<P, T> baseline(String variant) {
        this.baseline = Objects.requireNonNull(variant, "variant");
        return this;
    }

    /**
     * Runs the sweep and returns its result.
     *
     * @throws IllegalStateException if there are no variants, the baseline is unknown, or a
     *     variant fails (the message names the variant and the parameter; the cause is attached)
     */
    public Sweep<P> run() {
        if (variants.isEmpty()) {
            throw new IllegalStateException("add at least one variant before run()");
        }
        String base = baseline != null ? baseline
                : variants.containsKey("sequential") ? "sequential" : variants.keySet().iterator().next();
        if (!variants.containsKey(base)) {
            throw new IllegalStateException("baseline '" + base + "' is not one of the variants "
                    + variants.keySet());
        }
        List<String> names = List.copyOf(variants.keySet());
        Map<String, double[]> samples = new LinkedHashMap<>();
        Map<String, Integer> usable = new LinkedHashMap<>();
        Map<String, int[]> warmups = new LinkedHashMap<>();
        List<MachineLoad.Sample> loads = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        long started = System.nanoTime();
        try (LiveDisplay progress = LiveDisplay.show(title + ": starting")) {
            for (int p = 0; p < parameters.size(); p++) {
                P parameter = parameters.get(p);
                currentInputs = tasks == null ? null : List.copyOf(tasks.apply(parameter));
                MachineLoad load = MachineLoad.start();
                Map<String, List<Double>> warm = warmUp(names, parameter, progress, started);
                for (String name : names) {
                    List<Double> w = warm.get(name);
                    warmups.put(Sweep.key(name, p), new int[] {w.size(), settled(w) ? 1 : 0});
                    int inputs = currentInputs == null ? Integer.MAX_VALUE : Math.max(1, currentInputs.size());
                    usable.put(Sweep.key(name, p), Math.min(cores, Math.min(parallelism.get(name), inputs)));
                    samples.put(Sweep.key(name, p), new double[repetitions]);
                }
                for (int round = 0; round < repetitions; round++) {
                    for (int k = 0; k < names.size(); k++) {
                        String name = names.get((round + k) % names.size());
                        progress.update(String.format("%s: %s, %s %s, run %d of %d (%.0f s)", title,
                                name, parameterName, parameter, round + 1, repetitions,
                                (System.nanoTime() - started) / 1e9));
                        samples.get(Sweep.key(name, p))[round] = time(name, variants.get(name), parameter);
                    }
                }
                loads.add(load.stop());
            }
            progress.update(String.format("%s: done in %.1f s", title, (System.nanoTime() - started) / 1e9));
        } finally {
            currentInputs = null;
        }
        return new Sweep<>(title, parameterName, parameters, names, base, samples, loads, usable, warmups);
    }

    /** Untimed, interleaved runs until every variant's last two times settle, within the limits. */
    private Map<String, List<Double>> warmUp(List<String> names, P parameter, LiveDisplay progress,
            long started) {
        Map<String, List<Double>> warm = new LinkedHashMap<>();
        names.forEach(n -> warm.put(n, new ArrayList<>()));
        long begin = System.nanoTime();
        for (int round = 0; warmup > 0 && round < Math.max(MAX_WARMUP, warmup); round++) {
            boolean pastMinimum = round >= warmup;
            if (pastMinimum && (warm.values().stream().allMatch(Harness::settled)
                    || (System.nanoTime() - begin) / 1e6 > WARMUP_BUDGET_MS)) {
                break;
            }
            for (String name : names) {
                if (round >= warmup && settled(warm.get(name))) {
                    continue;
                }
                progress.update(String.format("%s: %s, %s %s, warm-up %d (%.0f s)", title, name,
                        parameterName, parameter, round + 1, (System.nanoTime() - started) / 1e9));
                warm.get(name).add(time(name, variants.get(name), parameter));
            }
        }
        return warm;
    }

    /** The last two warm-up times differ by less than {@link #SETTLED_PERCENT}%. */
    private static boolean settled(List<Double> times) {
        int n = times.size();
        if (n < 2) {
            return false;
        }
        double a = times.get(n - 2);
        double b = times.get(n - 1);
        return Math.abs(a - b) <= SETTLED_PERCENT / 100.0 * Math.max(a, b);
    }

    /**
     * Profiles {@code task} over {@code inputs} sequentially, on {@code threads} and on
     * {@code processes}, warmed up until settled and with {@value #DEFAULT_REPETITIONS} timed
     * rounds; see {@link Profile}.
     *
     * @throws IllegalArgumentException if the label is blank or there are no inputs
     * @throws IllegalStateException if a variant fails (the message names it; cause attached)
     */
    public static <T> Profile profile(String label, SerializableFunction<? super T, ?> task,
            List<T> inputs, ExecutorService threads, ProcessPool processes) {
        return Profile.run(label, task, inputs, threads, processes, 1, DEFAULT_REPETITIONS);
    }

    /** As {@link #profile(String, SerializableFunction, List, ExecutorService, ProcessPool)}, with
     *  {@code repetitions} timed runs per variant. */
    public static <T> Profile profile(String label, SerializableFunction<? super T, ?> task,
            List<T> inputs, ExecutorService threads, ProcessPool processes, int repetitions) {
        return Profile.run(label, task, inputs, threads, processes, 1,
                requireAtLeast("repetitions", repetitions, 1));
    }

    /**
     * The parameter at which {@code variant}'s speedup reaches 1 and stays there for every larger
     * parameter: the break-even point. See {@link #crossover(Table, String, double)}.
     */
    public static OptionalDouble crossover(Table results, String variant) {
        return crossover(results, variant, 1.0);
    }

    /**
     * The parameter at which {@code variant}'s speedup reaches {@code speedup} and stays at or
     * above it for every larger parameter, interpolated on a log scale between the two measured
     * parameters around the crossing. Empty when the largest parameter is still below; the
     * smallest parameter when even that one is above (the crossover lies at or below it).
     *
     * @throws IllegalArgumentException if the table has no numeric {@code parameter} column or no
     *     rows for {@code variant}
     */
    public static OptionalDouble crossover(Table results, String variant, double speedup) {
        if (!(results.column("parameter") instanceof DoubleColumn)) {
            throw new IllegalArgumentException("crossover needs numeric parameters; this table's"
                    + " parameters are text");
        }
        Table rows = results.where(results.stringColumn("variant").isEqualTo(variant))
                .sortAscendingOn("parameter");
        if (rows.isEmpty()) {
            throw new IllegalArgumentException("no rows for variant '" + variant + "'; variants are "
                    + results.stringColumn("variant").unique().asList());
        }
        double[] x = rows.doubleColumn("parameter").asDoubleArray();
        double[] y = rows.doubleColumn("speedup").asDoubleArray();
        int first = x.length; // first index from which every speedup is >= the target
        while (first > 0 && y[first - 1] >= speedup) {
            first--;
        }
        if (first == x.length) {
            return OptionalDouble.empty();
        }
        if (first == 0) {
            return OptionalDouble.of(x[0]);
        }
        double x0 = x[first - 1];
        double x1 = x[first];
        double f = (speedup - y[first - 1]) / (y[first] - y[first - 1]);
        if (x0 > 0 && x1 > 0) {
            return OptionalDouble.of(Math.exp(Math.log(x0) + f * (Math.log(x1) - Math.log(x0))));
        }
        return OptionalDouble.of(x0 + f * (x1 - x0));
    }

    private double time(String name, Variant<?> body, Object parameter) {
        @SuppressWarnings("unchecked")
        Variant<Object> v = (Variant<Object>) body;
        long t0 = clock.getAsLong();
        try {
            v.run(parameter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running variant '" + name + "'", e);
        } catch (Exception e) {
            throw new IllegalStateException("variant '" + name + "' failed at parameter "
                    + parameter + ": " + e, e);
        }
        return (clock.getAsLong() - t0) / 1e6;
    }

    private static int requireAtLeast(String what, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(what + " must be at least " + least + ", got " + value);
        }
        return value;
    }
}
