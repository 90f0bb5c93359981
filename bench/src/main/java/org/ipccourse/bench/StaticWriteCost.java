package org.ipccourse.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ipccourse.classes.CellClassAgent;
import org.ipccourse.classes.CellShell;
import org.ipccourse.pool.ProcessPool;

/**
 * Measures what the kernel's changed mark ({@code NotebookState.kernelWrites}, put after every
 * assignment of a static field of a class declared in a cell) costs a tight loop written in a
 * cell: {@code intoField(n)} adds {@code i} to {@code Acc.total}, a class's static field (marked),
 * {@code intoVariable(n)} adds it to a top-level variable (not marked); both have the interrupt
 * checks, so their difference is the mark. Timed in thread CPU time (load on the machine moves it
 * little), called alternately after a warm-up. Needs {@code -javaagent}, as the kernel: after
 * {@code mvn package -DskipTests}, {@code java -javaagent:lib/target/ipc-course-lib.jar -cp
 * bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/ipc-course-lib-tests.jar
 * org.ipccourse.bench.StaticWriteCost [n] [repeats]} (defaults 50000000 and 11). JDK 17 only, like
 * {@link CellShell}.
 *
 * <p>Then it prints what the pool's check of the contents of class fields it sent costs each
 * submit ({@code ProcessPool.notebookStateCheckNanos}, see {@code NotebookState}): for a pool whose
 * worker holds nothing changeable, a small list, a {@code long[1000]} and an 8 MB {@code long[]},
 * each in a fresh one-worker pool whose task read the field once; per round, 200 submits of an
 * empty task, each awaited, after 2,000 warm-up submits; the check's nanoseconds per submit beside
 * the whole submit-to-result time.
 */
public final class StaticWriteCost {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private StaticWriteCost() {
    }

    /** Prints one line: nanoseconds per loop turn for both loops and their ratio; {@code args}: n and repeats. */
    public static void main(String[] args) throws Exception {
        int n = args.length > 0 ? Integer.parseInt(args[0]) : 50_000_000;
        int repeats = args.length > 1 ? Integer.parseInt(args[1]) : 11;
        if (!CellClassAgent.installed()) {
            throw new IllegalStateException("run with -javaagent:lib/target/ipc-course-lib.jar (see the class comment)");
        }
        try (CellShell cells = new CellShell(List.of())) {
            cells.run("class Acc { static long total; }");
            cells.run("long tally = 0;");
            cells.run("long intoField(int n) { for (int i = 0; i < n; i++) Acc.total += i; return Acc.total; }");
            cells.run("long intoVariable(int n) { for (int i = 0; i < n; i++) tally += i; return tally; }");
            Method field = method(cells, "intoField");
            Method variable = method(cells, "intoVariable");
            for (int i = 0; i < 5; i++) { // warm-up: both compiled by the JIT
                time(field, n / 5);
                time(variable, n / 5);
            }
            double[] fieldNs = new double[repeats];
            double[] variableNs = new double[repeats];
            double[] ratio = new double[repeats];
            for (int r = 0; r < repeats; r++) {
                if (r % 2 == 0) {
                    fieldNs[r] = time(field, n) / n;
                    variableNs[r] = time(variable, n) / n;
                } else {
                    variableNs[r] = time(variable, n) / n;
                    fieldNs[r] = time(field, n) / n;
                }
                ratio[r] = fieldNs[r] / variableNs[r];
            }
            System.out.printf("a loop of %,d turns in a cell, %d alternating runs, thread CPU time, %s:"
                            + " a class's static field (marked) %.2f ns/turn [%.2f-%.2f], a notebook variable"
                            + " (not marked) %.2f ns/turn [%.2f-%.2f]; ratio median %.3f [%.3f-%.3f]%n",
                    n, repeats, Runtime.version(),
                    ShippingCost.median(fieldNs), ShippingCost.min(fieldNs), ShippingCost.max(fieldNs),
                    ShippingCost.median(variableNs), ShippingCost.min(variableNs), ShippingCost.max(variableNs),
                    ShippingCost.median(ratio), ShippingCost.min(ratio), ShippingCost.max(ratio));
        }
        checkCost(repeats);
    }

    /** Prints the contents check's cost per submit for each kind of value a worker may hold. */
    static void checkCost(int rounds) throws Exception {
        int submits = 200;
        try (CellShell cells = new CellShell(List.of(CellShell.location(ProcessPool.class)))) {
            cells.run("class Held { static final java.util.List<String> names = new java.util.ArrayList<>("
                    + "java.util.List.of(\"alice\", \"bob\", \"carol\")); static final long[] table = new long[1000];"
                    + " static final long[] big = new long[1 << 20]; }");
            Callable<Integer> empty = cells.value("(java.util.concurrent.Callable<Integer>) () -> 1");
            System.out.printf("the check of changeable class fields a worker holds, per submit (%d rounds of %d"
                    + " submits, medians [min-max]):%n", rounds, submits);
            String[][] kinds = {{"nothing changeable held", "1"}, {"a List of 3 Strings", "Held.names.size()"},
                    {"a long[1000]", "Held.table.length"}, {"an 8 MB long[]", "Held.big.length"}};
            for (String[] kind : kinds) {
                Callable<Integer> read = cells.value("(java.util.concurrent.Callable<Integer>) () -> " + kind[1]);
                try (ProcessPool pool = ProcessPool.newProcessPool(1)) {
                    pool.submit(read).get();
                    for (int i = 0; i < 2_000; i++) {
                        pool.submit(empty).get();
                    }
                    List<Double> check = new ArrayList<>();
                    List<Double> whole = new ArrayList<>();
                    for (int r = 0; r < rounds; r++) {
                        long nanos = pool.notebookStateCheckNanos();
                        long start = System.nanoTime();
                        for (int i = 0; i < submits; i++) {
                            pool.submit(empty).get();
                        }
                        whole.add((System.nanoTime() - start) / 1e3 / submits);
                        check.add((pool.notebookStateCheckNanos() - nanos) / 1e3 / submits);
                    }
                    System.out.printf("  %-24s check %s us, submit to result %s us%n", kind[0] + ":",
                            ShippingCost.summary(check, "%.3f"), ShippingCost.summary(whole, "%.1f"));
                }
            }
        }
    }

    private static Method method(CellShell cells, String name) throws ClassNotFoundException {
        for (String className : cells.definedClasses().keySet()) {
            for (Method m : cells.loader().loadClass(className).getDeclaredMethods()) {
                if (m.getName().equals(name)) {
                    m.setAccessible(true);
                    return m;
                }
            }
        }
        throw new IllegalStateException("no cell defines " + name);
    }

    /** CPU nanoseconds of one call. */
    private static double time(Method loop, int n) throws Exception {
        long start = THREADS.getCurrentThreadCpuTime();
        long s = (long) loop.invoke(null, n);
        long end = THREADS.getCurrentThreadCpuTime();
        if (s == 42) {
            System.out.print(""); // keeps the result alive
        }
        return end - start;
    }
}
