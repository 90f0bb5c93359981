package org.ipccourse.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import org.ipccourse.classes.CellClassAgent;
import org.ipccourse.classes.CellShell;
import org.ipccourse.pool.ProcessPool;

/**
 * Measures the one-time cost of shipping notebook-cell classes to a worker JVM: the first task that
 * needs {@code classes} fresh cell classes against the same task submitted again, when the worker
 * has them. Both run on the same warm worker of a one-worker pool, so the difference is the class
 * requests over the pipe and the class definitions in the worker.
 *
 * <pre>{@code
 * ShippingCost.Result r = ShippingCost.measure(100, 7);
 * System.out.println(r);   // medians and ranges, and the cost per class
 * }</pre>
 *
 * <p>The cells are compiled by a JShell in this JVM with a class loader made like the kernel's, so
 * this JVM must run with {@code -javaagent:ipc-course-lib.jar}, as the kernel does. Costs: a
 * one-worker pool for the duration, and one JShell compilation per cell class (tens of
 * milliseconds each): {@code classes * (repeats + 1)} compilations in all. From the command line,
 * after {@code mvn package -DskipTests}:
 * {@code java -javaagent:lib/target/ipc-course-lib.jar -cp
 * bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/ipc-course-lib-tests.jar
 * org.ipccourse.bench.ShippingCost 1 10 100} ({@code ./course bench pool} runs it).
 */
public final class ShippingCost {
    private ShippingCost() {
    }

    /**
     * Times in milliseconds, one entry per repeat: the first submission of a task needing
     * {@code classes} + 1 new cell classes (its methods and the cell of the lambda), and the same task again.
     *
     * @param classes cell methods the task calls, one class each
     * @param firstMillis the first submission's submit-to-result time, per repeat
     * @param againMillis the second submission's submit-to-result time, per repeat
     */
    public record Result(int classes, double[] firstMillis, double[] againMillis) {
        public double medianFirstMillis() {
            return median(firstMillis);
        }

        public double medianAgainMillis() {
            return median(againMillis);
        }

        /** The one-time cost per shipped class, from the medians, in microseconds. */
        public double microsPerClass() {
            return 1000 * (medianFirstMillis() - medianAgainMillis()) / (classes + 1);
        }

        @Override
        public String toString() {
            return String.format("%4d cell classes: first task %8.2f ms [%.2f-%.2f], same task again %6.2f ms [%.2f-%.2f],"
                            + " ratio %5.1fx; one-time cost %7.2f ms, %6.1f us per class (medians [min-max] of %d)",
                    classes + 1, medianFirstMillis(), min(firstMillis), max(firstMillis), medianAgainMillis(),
                    min(againMillis), max(againMillis), medianFirstMillis() / medianAgainMillis(),
                    medianFirstMillis() - medianAgainMillis(), microsPerClass(), firstMillis.length);
        }
    }

    /**
     * Runs the measurement on a new one-worker pool, after one warm-up round that is not counted.
     *
     * @param classes how many cell methods the task calls (each in its own cell class), at least 1
     * @param repeats how many rounds, each with fresh classes, at least 1
     * @throws IllegalStateException when this JVM runs without the agent
     */
    public static Result measure(int classes, int repeats) throws InterruptedException, ExecutionException {
        if (classes < 1 || repeats < 1) {
            throw new IllegalArgumentException("classes and repeats must be at least 1, were " + classes + " and " + repeats);
        }
        requireAgent();
        double[] first = new double[repeats];
        double[] again = new double[repeats];
        try (CellShell cells = new CellShell(List.of());
             ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            for (int round = -1; round < repeats; round++) {
                Callable<Long> task = defineTask(cells, round + 1, classes);
                double f = millis(pool, task);
                double a = millis(pool, task);
                if (round >= 0) {
                    first[round] = f;
                    again[round] = a;
                }
            }
        }
        return new Result(classes, first, again);
    }

    // Cells f<round>_0 .. f<round>_<classes-1>, each calling the one before, and a lambda calling the last.
    private static Callable<Long> defineTask(CellShell cells, int round, int classes) {
        String prefix = "f" + round + "_";
        cells.run("long " + prefix + "0(long x) { return x + 1; }");
        for (int i = 1; i < classes; i++) {
            cells.run("long " + prefix + i + "(long x) { return " + prefix + (i - 1) + "(x) * 31 + " + i + "; }");
        }
        return cells.value("(java.util.concurrent.Callable<Long> & java.io.Serializable) () -> "
                + prefix + (classes - 1) + "(" + round + ")");
    }

    private static double millis(ProcessPool pool, Callable<Long> task) throws InterruptedException, ExecutionException {
        long start = System.nanoTime();
        pool.submit(task).get();
        return (System.nanoTime() - start) / 1e6;
    }

    /** Throws unless this JVM runs with the library's agent, as the kernel does. */
    static void requireAgent() {
        if (!CellClassAgent.installed()) {
            throw new IllegalStateException("this JVM runs without the agent, so cell classes cannot be shipped:"
                    + " start it with -javaagent:lib/target/ipc-course-lib.jar");
        }
    }

    static double median(List<Double> values) {
        return median(values.stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** "median [min-max]" of {@code values}, each with {@code format}. */
    static String summary(List<Double> values, String format) {
        double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
        return String.format(format + " [" + format + "-" + format + "]", median(v), min(v), max(v));
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    static double min(double[] values) {
        return Arrays.stream(values).min().orElse(Double.NaN);
    }

    static double max(double[] values) {
        return Arrays.stream(values).max().orElse(Double.NaN);
    }

    /**
     * Prints one line per class count given (default 1 10 100), 7 rounds each ({@code --rounds=N}
     * to change), and the cost of each extra class between successive counts.
     *
     * @param args class counts
     */
    public static void main(String[] args) throws Exception {
        List<Integer> counts = new ArrayList<>();
        int rounds = 7;
        for (String a : args) {
            if (a.startsWith("--rounds=")) {
                rounds = Integer.parseInt(a.substring("--rounds=".length()));
            } else {
                counts.add(Integer.parseInt(a));
            }
        }
        if (counts.isEmpty()) {
            counts = List.of(1, 10, 100);
        }
        Result previous = null;
        for (int n : counts) {
            Result r = measure(n, rounds);
            System.out.println(r);
            if (previous != null && r.classes() != previous.classes()) {
                System.out.printf("     from %d to %d cell classes: %.1f us per extra class (difference of the first-task medians)%n",
                        previous.classes() + 1, r.classes() + 1,
                        1000 * (r.medianFirstMillis() - previous.medianFirstMillis()) / (r.classes() - previous.classes()));
            }
            previous = r;
        }
    }
}
