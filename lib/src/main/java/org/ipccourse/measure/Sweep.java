package org.ipccourse.measure;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalDouble;
import org.ipccourse.display.Charts;
import org.knowm.xchart.XYChart;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.IntColumn;
import tech.tablesaw.api.StringColumn;
import tech.tablesaw.api.Table;
import tech.tablesaw.columns.Column;

/**
 * The typed result of a {@link Harness} run: for every variant and parameter the median time with
 * its 95% interval, the speedup over the baseline with its interval (from the runs paired by
 * round, since the variants interleave), the {@link Verdict} and, when there is no verdict, why.
 * It answers the questions a notebook asks of a sweep without any formatting code in the notebook:
 * {@link #median}, {@link #row}, {@link #compare} (two variants against each other),
 * {@link #winsFrom} and {@link #breakEven} (the crossover), {@link #verdictLine} (a sentence
 * computed from the verdicts), {@link #table} (ready to show) and {@link #speedupChart}.
 *
 * <p>Costs: built once at the end of a run from the raw times it keeps (parameters x variants x
 * repetitions doubles); each query is a lookup or a pass over one variant's rows.
 *
 * @param <P> the type of the swept parameter
 */
public final class Sweep<P> implements org.ipccourse.display.Tabular {
    /**
     * One variant at one parameter.
     *
     * @param variant the variant's name
     * @param parameter the parameter value
     * @param timeMs median wall time of one run, in milliseconds, with its interval
     * @param speedup the baseline's time over this variant's, paired by round, with its interval
     * @param verdict what the interval allows to say
     * @param why for {@code inconclusive} and {@code implausible}: the reason; else empty
     * @param usableCores how many cores the variant could use at most (cores, workers, inputs)
     * @param warmupRuns untimed runs before timing, until the times settled
     * @param settled whether the warm-up times settled before the warm-up limit
     */
    public record Row(String variant, Object parameter, Interval timeMs, Interval speedup,
            Verdict verdict, String why, int usableCores, int warmupRuns, boolean settled) {
        /** Median absolute spread of the times relative to their median, in percent. */
        public double spreadPercent() {
            return timeMs.widthPercent() / 2;
        }
    }

    /**
     * {@code variant} against {@code against} at one parameter: the speedup of the first over the
     * second, paired by round, and its verdict (see {@link #compare}).
     */
    public record Comparison(String variant, String against, Object parameter, Interval speedup,
            Verdict verdict, String why) {
        /** A sentence such as {@code process pool against thread pool: no clear gain (0.97x, ...)}. */
        public String sentence() {
            return Sweep.sentence(variant + " against " + against, speedup, verdict, why);
        }
    }

    private final String title;
    private final String parameterName;
    private final List<P> parameters;
    private final List<String> variants;
    private final String baseline;
    private final Map<String, double[]> samples; // key(variant, index) -> times in ms, by round
    private final List<MachineLoad.Sample> loads;
    private final Map<String, Integer> usable;
    private final Map<String, int[]> warmups;
    private final Map<String, Row> rows = new LinkedHashMap<>();
    private final Map<String, Comparison> comparisons = new HashMap<>();

    Sweep(String title, String parameterName, List<P> parameters, List<String> variants,
            String baseline, Map<String, double[]> samples, List<MachineLoad.Sample> loads,
            Map<String, Integer> usable, Map<String, int[]> warmups) {
        this.title = title;
        this.parameterName = parameterName;
        this.parameters = List.copyOf(parameters);
        this.variants = List.copyOf(variants);
        this.baseline = baseline;
        this.samples = samples;
        this.loads = loads;
        this.usable = usable;
        this.warmups = warmups;
        for (String v : variants) {
            for (int i = 0; i < parameters.size(); i++) {
                rows.put(key(v, i), build(v, i));
            }
        }
        VerdictLog.record(this);
    }

    static String key(String variant, int index) {
        return variant + "\u0000" + index;
    }

    private Row build(String variant, int i) {
        double[] times = samples.get(key(variant, i));
        Interval time = Interval.ofMedian(times);
        int[] w = warmups.get(key(variant, i));
        int cores = usable.get(key(variant, i));
        if (variant.equals(baseline)) {
            return new Row(variant, parameters.get(i), time, Interval.ofMedian(new double[] {1}),
                    Verdict.BASELINE, "", cores, w[0], w[1] == 1);
        }
        Interval speedup = paired(baseline, variant, i);
        Verdict verdict = Verdict.of(speedup);
        String why = "";
        MachineLoad.Sample load = loads.get(i);
        if (speedup.median() > cores * Verdict.IMPLAUSIBLE_ABOVE_CORES) {
            verdict = Verdict.IMPLAUSIBLE;
            why = String.format("a speedup of %.2fx cannot come from %d usable core%s: the baseline"
                    + " ran slower than the same work runs in this variant (code compiled from a"
                    + " notebook cell runs slower in the kernel JVM than in a worker JVM, the"
                    + " baseline was not warmed up, or the runs were too noisy to tell); spread %.0f%%, %s",
                    speedup.median(), cores, cores == 1 ? "" : "s",
                    Math.max(time.widthPercent(), speedup.widthPercent()) / 2, load.describe());
        } else if (!speedup.confident()) {
            verdict = Verdict.INCONCLUSIVE;
            why = String.format("%d runs give only a %.0f%% interval; a 95%% interval needs at"
                    + " least 6", speedup.n(), 100 * speedup.confidence());
        } else if (verdict == Verdict.INCONCLUSIVE) {
            why = String.format("the 95%% interval %s-%sx crosses %s; spread %.0f%%, %s",
                    Formats.number(speedup.low()), Formats.number(speedup.high()),
                    speedup.high() > Verdict.WINS && speedup.low() < Verdict.WINS ? "the win threshold "
                            + Verdict.WINS : Formats.number(1 / Verdict.WINS) + " (1 / " + Verdict.WINS + ")",
                    Math.max(time.widthPercent(), speedup.widthPercent()) / 2, load.describe());
        } else if (load.busy() && verdict == Verdict.NO_CLEAR_GAIN && cores > 1) {
            verdict = Verdict.INCONCLUSIVE;
            why = "the machine was busy (" + load.describe() + "): no gain may only mean no free core";
        }
        return new Row(variant, parameters.get(i), time, speedup, verdict, why, cores, w[0], w[1] == 1);
    }

    /** Per-round ratio of {@code against}'s time over {@code variant}'s, with its interval. */
    private Interval paired(String against, String variant, int i) {
        double[] a = samples.get(key(against, i));
        double[] b = samples.get(key(variant, i));
        double[] ratios = new double[a.length];
        for (int r = 0; r < a.length; r++) {
            ratios[r] = a[r] / b[r];
        }
        return Interval.ofMedian(ratios);
    }

    /** The title the harness was given. */
    public String title() {
        return title;
    }

    /** The variants, in the order they were added. */
    public List<String> variants() {
        return variants;
    }

    /** The swept parameter values, in order. */
    public List<P> parameters() {
        return parameters;
    }

    /** Every row: variants in the order they were added, parameters in sweep order. */
    public List<Row> rows() {
        return List.copyOf(rows.values());
    }

    /** The row of {@code variant} at {@code parameter}. */
    public Row row(String variant, P parameter) {
        int i = parameters.indexOf(parameter);
        if (i < 0) {
            throw new IllegalArgumentException("parameter " + parameter + " was not swept; parameters are "
                    + parameters);
        }
        Row row = rows.get(key(requireVariant(variant), i));
        return row;
    }

    /** The row of {@code variant} in a sweep of one parameter ({@link Harness#once()}). */
    public Row row(String variant) {
        if (parameters.size() != 1) {
            throw new IllegalStateException("this sweep has " + parameters.size()
                    + " parameters; name one with row(variant, parameter)");
        }
        return rows.get(key(requireVariant(variant), 0));
    }

    /** Median time in milliseconds of {@code variant} at {@code parameter}. */
    public double median(String variant, P parameter) {
        return row(variant, parameter).timeMs().median();
    }

    /** Median time in milliseconds of {@code variant} in a sweep of one parameter. */
    public double median(String variant) {
        return row(variant).timeMs().median();
    }

    /**
     * {@code variant} against {@code against} at {@code parameter}: the speedup of the first over
     * the second from the runs paired by round, and a verdict by the same rules as every row's
     * (implausible above the first variant's usable cores x1.1 when the second is the baseline and
     * uses one core: against any other variant the two may do different work). Computed once per
     * pair and parameter: asked again, it is the same comparison, recorded once in the verdict log.
     */
    public Comparison compare(String variant, String against, P parameter) {
        int i = parameters.indexOf(parameter);
        String key = key(variant, i) + "\u0000" + against;
        synchronized (comparisons) {
            Comparison c = comparisons.get(key);
            if (c == null) {
                c = comparison(variant, against, parameter, i);
                comparisons.put(key, c);
                VerdictLog.record(title, c);
            }
            return c;
        }
    }

    private Comparison comparison(String variant, String against, P parameter, int i) {
        Row r = row(variant, parameter);
        requireVariant(against);
        Interval speedup = paired(against, variant, i);
        Verdict verdict = Verdict.of(speedup);
        String why = "";
        boolean serialAgainst = against.equals(baseline) && row(against, parameter).usableCores() == 1;
        if (serialAgainst && speedup.median() > r.usableCores() * Verdict.IMPLAUSIBLE_ABOVE_CORES) {
            verdict = Verdict.IMPLAUSIBLE;
            why = String.format("%.2fx is more than %d usable cores allow", speedup.median(), r.usableCores());
        } else if (!speedup.confident()) {
            verdict = Verdict.INCONCLUSIVE;
            why = speedup.n() + " runs are too few for a 95% interval";
        } else if (verdict == Verdict.INCONCLUSIVE) {
            why = String.format("the 95%% interval %s-%sx crosses a threshold (%s or %s); %s",
                    Formats.number(speedup.low()), Formats.number(speedup.high()),
                    Formats.number(1 / Verdict.WINS), Verdict.WINS, loads.get(i).describe());
        }
        return new Comparison(variant, against, parameter, speedup, verdict, why);
    }

    /** As {@link #compare(String, String, Object)} for a sweep of one parameter. */
    public Comparison compare(String variant, String against) {
        if (parameters.size() != 1) {
            throw new IllegalStateException("name the parameter: compare(variant, against, parameter)");
        }
        return compare(variant, against, parameters.get(0));
    }

    /**
     * The smallest parameter from which {@code variant}'s verdict is {@code faster} at every
     * larger parameter: where it wins by {@link Verdict#WINS} with its whole interval. Empty when
     * it does not win at the largest parameter.
     */
    public OptionalDouble winsFrom(String variant) {
        requireVariant(variant);
        OptionalDouble from = OptionalDouble.empty();
        for (int i = parameters.size() - 1; i >= 0; i--) {
            if (rows.get(key(variant, i)).verdict() != Verdict.FASTER) {
                break;
            }
            from = OptionalDouble.of(number(parameters.get(i)));
        }
        return from;
    }

    /**
     * The break-even point: the parameter at which {@code variant}'s median speedup reaches 1 and
     * stays there, interpolated on a log scale (see {@link Harness#crossover(Table, String)}).
     */
    public OptionalDouble breakEven(String variant) {
        requireVariant(variant);
        Table t = table();
        t.column(parameterName).setName("parameter");
        return Harness.crossover(t, variant);
    }

    /**
     * One sentence on {@code variant} over the whole sweep, computed from its verdicts: e.g.
     * {@code Verdict on the process pool (Example 26.3): slower at task_ms 0.01-0.3, inconclusive at
     * 1 (the 95% interval 0.9-1.4x crosses the win threshold 1.2; ...), faster at 3-30.}
     * Consecutive numeric parameters with the same verdict are grouped; the reason of every inconclusive
     * or implausible one is given.
     */
    public String verdictLine(String variant) {
        requireVariant(variant);
        StringBuilder out = new StringBuilder("Verdict on the " + variant + " against the " + baseline
                + (parameters.size() > 1 || !"-".equals(parameters.get(0)) ? " (" + title + ")" : "")
                + ": ");
        List<String> parts = new ArrayList<>();
        int i = 0;
        while (i < parameters.size()) {
            Row first = rows.get(key(variant, i));
            int j = i;
            boolean numeric = parameters.stream().allMatch(p -> p instanceof Number);
            while (numeric && j + 1 < parameters.size() && rows.get(key(variant, j + 1)).verdict() == first.verdict()
                    && first.why().isEmpty() && rows.get(key(variant, j + 1)).why().isEmpty()) {
                j++;
            }
            String at = parameters.size() == 1 ? "" : " at " + parameterName + " "
                    + label(parameters.get(i)) + (j > i ? "-" + label(parameters.get(j)) : "");
            String part = first.verdict().label() + at;
            if (i == j && first.verdict() != Verdict.IMPLAUSIBLE) {
                part += String.format(" (%sx, 95%% interval %s-%s)", Formats.number(first.speedup().median()),
                        Formats.number(first.speedup().low()), Formats.number(first.speedup().high()));
            }
            if (!first.why().isEmpty()) {
                part += ": " + first.why();
            }
            parts.add(part);
            i = j + 1;
        }
        return out.append(String.join("; ", parts)).append('.').toString();
    }

    /**
     * The sweep as a table: {@code variant}, the parameter (named as given to the harness),
     * {@code median_ms}, {@code low_ms} and {@code high_ms} (the 95% interval), {@code spread_pct},
     * {@code runs}, {@code speedup} with {@code speedup_low} and {@code speedup_high}, and
     * {@code verdict} (with its reason when there is one). An implausible speedup is left empty:
     * it is not a result. Numbers print with three significant digits.
     */
    @Override
    public Table table() {
        boolean numeric = parameters.stream().allMatch(p -> p instanceof Number);
        StringColumn variant = StringColumn.create("variant");
        Column<?> parameter = numeric ? DoubleColumn.create(parameterName) : StringColumn.create(parameterName);
        DoubleColumn median = DoubleColumn.create("median_ms");
        DoubleColumn low = DoubleColumn.create("low_ms");
        DoubleColumn high = DoubleColumn.create("high_ms");
        DoubleColumn spread = DoubleColumn.create("spread_pct");
        IntColumn runs = IntColumn.create("runs");
        DoubleColumn speedup = DoubleColumn.create("speedup");
        DoubleColumn speedupLow = DoubleColumn.create("speedup_low");
        DoubleColumn speedupHigh = DoubleColumn.create("speedup_high");
        StringColumn verdict = StringColumn.create("verdict");
        for (Row r : rows.values()) {
            variant.append(r.variant());
            if (numeric) {
                ((DoubleColumn) parameter).append(number(r.parameter()));
            } else {
                ((StringColumn) parameter).append(String.valueOf(r.parameter()));
            }
            median.append(r.timeMs().median());
            low.append(r.timeMs().low());
            high.append(r.timeMs().high());
            spread.append(r.spreadPercent());
            runs.append(r.timeMs().n());
            boolean shown = r.verdict() != Verdict.IMPLAUSIBLE;
            speedup.append(shown ? r.speedup().median() : DoubleColumnMissing.VALUE);
            speedupLow.append(shown ? r.speedup().low() : DoubleColumnMissing.VALUE);
            speedupHigh.append(shown ? r.speedup().high() : DoubleColumnMissing.VALUE);
            verdict.append(r.verdict().label() + (r.why().isEmpty() ? "" : ": " + r.why()));
        }
        return Formats.apply(Table.create(title, variant, parameter, median, low, high, spread, runs,
                speedup, speedupLow, speedupHigh, verdict));
    }

    /**
     * Speedup over the baseline against the parameter, both axes logarithmic, one line per variant
     * with its 95% interval as error bars, a line at 1 (break-even) and one at the ideal (the
     * usable cores); each variant's break-even point is named in the legend.
     */
    public XYChart speedupChart() {
        if (!parameters.stream().allMatch(p -> p instanceof Number)) {
            throw new IllegalStateException("a speedup chart needs numeric parameters; use table()");
        }
        Map<String, Double> crossings = new LinkedHashMap<>();
        int ideal = 1;
        for (String v : variants) {
            if (!v.equals(baseline)) {
                breakEven(v).ifPresent(x -> crossings.put(v, x));
                for (int i = 0; i < parameters.size(); i++) {
                    ideal = Math.max(ideal, usable.get(key(v, i)));
                }
            }
        }
        Table t = table();
        t.column(parameterName).setName("parameter");
        XYChart chart = Charts.speedup(t, crossings, ideal);
        chart.setTitle(title);
        chart.setXAxisTitle(parameterName + " (log)");
        return chart;
    }

    private String requireVariant(String variant) {
        Objects.requireNonNull(variant, "variant");
        if (!variants.contains(variant)) {
            throw new IllegalArgumentException("no variant '" + variant + "'; variants are " + variants);
        }
        return variant;
    }

    private static double number(Object p) {
        return p instanceof Number n ? n.doubleValue() : Double.NaN;
    }

    private static String label(Object p) {
        return p instanceof Number n ? Formats.number(n.doubleValue()) : String.valueOf(p);
    }

    static String sentence(String subject, Interval speedup, Verdict verdict, String why) {
        String s = subject + ": " + verdict.label();
        if (verdict != Verdict.IMPLAUSIBLE) {
            s += String.format(" (%sx, 95%% interval %s-%s)", Formats.number(speedup.median()),
                    Formats.number(speedup.low()), Formats.number(speedup.high()));
        }
        return why.isEmpty() ? s : s + ": " + why;
    }

    /** Tablesaw's missing value for doubles. */
    private static final class DoubleColumnMissing {
        static final double VALUE = tech.tablesaw.columns.numbers.DoubleColumnType.missingValueIndicator();
    }

    @Override
    public String toString() {
        return table().print();
    }
}
