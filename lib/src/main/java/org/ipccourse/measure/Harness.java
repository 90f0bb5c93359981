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
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * Times a set of variants (sequential, thread pool, process pool, anything else) over a sweep of
 * parameters and returns one row per variant and parameter: median, spread, speedup over the
 * baseline variant and a verdict. Each parameter gets warm-up runs of every variant first, then
 * the timed repetitions interleave the variants, so a slow drift of the machine does not favour
 * whichever variant ran last. While it runs, one progress line updates in place in the notebook.
 *
 * <pre>{@code
 * Table t = Harness.over(List.of(1.0, 10.0, 100.0))
 *     .tasks(ms -> Workloads.timedTasks(8, ms))          // the inputs at each parameter
 *     .sequential(Workloads::simulateWork)
 *     .threadPool(threads, Workloads::simulateWork)
 *     .processPool(pool, Workloads::simulateWork)
 *     .variant("chunked", ms -> pool.map(Workloads::simulateWork, Workloads.timedTasks(8, ms), 8))
 *     .run();
 * OptionalDouble breakEven = Harness.crossover(t, "process pool");
 * }</pre>
 *
 * <p>Columns: {@code variant}, {@code parameter} (numbers when every parameter is a number, text
 * otherwise), {@code median_ms}, {@code mad_ms} (median absolute deviation), {@code min_ms},
 * {@code max_ms}, {@code spread_pct} (MAD over median), {@code runs}, {@code speedup} (baseline
 * median over this median) and {@code verdict}: {@code faster} when the speedup reaches the
 * threshold (1.2 unless set), {@code slower} when it is below its inverse, {@code no clear gain}
 * between. The baseline is the variant named {@code sequential}, else the first one added.
 * Doubles print with three significant digits ({@code speedup} with two decimals,
 * {@code spread_pct} with none); the stored values keep every digit. For the three standard
 * variants over one list of inputs with a verdict on which to use, see {@link #profile}.
 *
 * <p>Costs: {@code parameters x variants x (warmup + repetitions)} runs, nothing more; the timer
 * is {@link System#nanoTime()} around the variant's body.
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

    private final List<P> parameters;
    private final Map<String, Variant<P>> variants = new LinkedHashMap<>();
    private String title = "measurement";
    private int warmup = 1;
    private int repetitions = 5;
    private double threshold = 1.2;
    private String baseline;
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

    /** Adds a variant; names must be unique. */
    public Harness<P, T> variant(String name, Variant<P> body) {
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
        return variant("thread pool", prepared(inputs -> {
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
        return variant("process pool", prepared(inputs -> {
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

    /** Untimed runs of each variant before timing, per parameter (default 1). */
    public Harness<P, T> warmup(int runs) {
        this.warmup = requireAtLeast("warmup runs", runs, 0);
        return this;
    }

    /** Timed runs of each variant per parameter (default 5). */
    public Harness<P, T> repetitions(int runs) {
        this.repetitions = requireAtLeast("repetitions", runs, 1);
        return this;
    }

    /** The speedup a variant needs for the verdict {@code faster} (default 1.2). */
    public Harness<P, T> threshold(double speedup) {
        if (!(speedup >= 1) || Double.isInfinite(speedup)) {
            throw new IllegalArgumentException("threshold must be a finite speedup >= 1, got "
                    + speedup);
        }
        this.threshold = speedup;
        return this;
    }

    /** The variant the others are compared with (default: {@code sequential}, else the first). */
    public Harness<P, T> baseline(String variant) {
        this.baseline = Objects.requireNonNull(variant, "variant");
        return this;
    }

    /**
     * Runs the sweep and returns its table.
     *
     * @throws IllegalStateException if there are no variants, the baseline is unknown, or a
     *     variant fails (the message names the variant and the parameter; the cause is attached)
     */
    public Table run() {
        if (variants.isEmpty()) {
            throw new IllegalStateException("add at least one variant before run()");
        }
        String base = baseline != null ? baseline
                : variants.containsKey("sequential") ? "sequential" : variants.keySet().iterator().next();
        if (!variants.containsKey(base)) {
            throw new IllegalStateException("baseline '" + base + "' is not one of the variants "
                    + variants.keySet());
        }
        int total = parameters.size() * variants.size() * (warmup + repetitions);
        int done = 0;
        long started = System.nanoTime();
        List<Map<String, Stats>> results = new ArrayList<>();
        try (LiveDisplay progress = LiveDisplay.show(title + ": starting")) {
            for (P parameter : parameters) {
                currentInputs = tasks == null ? null : List.copyOf(tasks.apply(parameter));
                Map<String, double[]> samples = new LinkedHashMap<>();
                variants.keySet().forEach(name -> samples.put(name, new double[repetitions]));
                for (int round = 0; round < warmup + repetitions; round++) {
                    for (Map.Entry<String, Variant<P>> v : variants.entrySet()) {
                        progress.update(String.format("%s: %s, parameter %s, %s %d of %d"
                                        + " (%d of %d runs, %.0f s)", title, v.getKey(), parameter,
                                round < warmup ? "warm-up" : "run",
                                round < warmup ? round + 1 : round - warmup + 1,
                                round < warmup ? warmup : repetitions, done, total,
                                (System.nanoTime() - started) / 1e9));
                        double ms = time(v.getKey(), v.getValue(), parameter);
                        if (round >= warmup) {
                            samples.get(v.getKey())[round - warmup] = ms;
                        }
                        done++;
                    }
                }
                Map<String, Stats> stats = new LinkedHashMap<>();
                samples.forEach((name, s) -> stats.put(name, Stats.of(s)));
                results.add(stats);
            }
            progress.update(String.format("%s: done, %d runs in %.1f s", title, total,
                    (System.nanoTime() - started) / 1e9));
        }
        return table(base, results);
    }

    /**
     * Profiles {@code task} over {@code inputs} sequentially, on {@code threads} and on
     * {@code processes}, with one warm-up and five timed runs each; see {@link Profile}.
     *
     * @throws IllegalArgumentException if the label is blank or there are no inputs
     * @throws IllegalStateException if a variant fails (the message names it; cause attached)
     */
    public static <T> Profile profile(String label, SerializableFunction<? super T, ?> task,
            List<T> inputs, ExecutorService threads, ProcessPool processes) {
        return Profile.run(label, task, inputs, threads, processes, 1, 5);
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

    private static double time(String name, Variant<?> body, Object parameter) {
        @SuppressWarnings("unchecked")
        Variant<Object> v = (Variant<Object>) body;
        long t0 = System.nanoTime();
        try {
            v.run(parameter);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running variant '" + name + "'", e);
        } catch (Exception e) {
            throw new IllegalStateException("variant '" + name + "' failed at parameter "
                    + parameter + ": " + e, e);
        }
        return (System.nanoTime() - t0) / 1e6;
    }

    private Table table(String base, List<Map<String, Stats>> results) {
        boolean numeric = parameters.stream().allMatch(p -> p instanceof Number);
        StringColumn variant = StringColumn.create("variant");
        Column<?> parameter = numeric ? DoubleColumn.create("parameter")
                : StringColumn.create("parameter");
        DoubleColumn median = DoubleColumn.create("median_ms");
        DoubleColumn mad = DoubleColumn.create("mad_ms");
        DoubleColumn min = DoubleColumn.create("min_ms");
        DoubleColumn max = DoubleColumn.create("max_ms");
        DoubleColumn spread = DoubleColumn.create("spread_pct");
        IntColumn runs = IntColumn.create("runs");
        DoubleColumn speedup = DoubleColumn.create("speedup");
        StringColumn verdict = StringColumn.create("verdict");
        for (String name : variants.keySet()) {
            for (int i = 0; i < parameters.size(); i++) {
                Stats s = results.get(i).get(name);
                double sp = results.get(i).get(base).median() / s.median();
                variant.append(name);
                if (numeric) {
                    ((DoubleColumn) parameter).append(((Number) parameters.get(i)).doubleValue());
                } else {
                    ((StringColumn) parameter).append(String.valueOf(parameters.get(i)));
                }
                median.append(s.median());
                mad.append(s.mad());
                min.append(s.min());
                max.append(s.max());
                spread.append(s.spreadPercent());
                runs.append(s.n());
                speedup.append(sp);
                verdict.append(name.equals(base) ? "baseline" : verdict(sp, threshold));
            }
        }
        return Formats.apply(Table.create(title, variant, parameter, median, mad, min, max, spread,
                runs, speedup, verdict));
    }

    static String verdict(double speedup, double threshold) {
        if (speedup >= threshold) {
            return "faster";
        }
        return speedup <= 1 / threshold ? "slower" : "no clear gain";
    }

    private static int requireAtLeast(String what, int value, int least) {
        if (value < least) {
            throw new IllegalArgumentException(what + " must be at least " + least + ", got " + value);
        }
        return value;
    }
}
