package org.ipccourse.bench;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.ipccourse.classes.CellInterrupts;
import org.ipccourse.classes.CellShell;
import org.ipccourse.measure.Interval;
import org.ipccourse.pool.ProcessPool;

/**
 * "Same code, same speed": times loops written in notebook cells in this JVM, which runs cells as
 * the kernel does (JShell, a cell class loader like JJava's, the library as {@code -javaagent}, so
 * the kernel's copy of each cell class carries {@link CellInterrupts} checks), and in a worker of a
 * {@link ProcessPool}, which runs the same cell classes as compiled. Each sample is one call, timed
 * in thread CPU time on the side that runs it (so load on the machine does not move it), kernel
 * and worker interleaved, alternating which goes first. Four loops: a {@code long}-indexed
 * {@code for} ({@code s += Math.sqrt(i)}), the same with an {@code int} index, a {@code while}
 * loop, and two nested loops (the inner one {@code int}-indexed). Two phases, as a notebook meets
 * them: the first calls after one uncounted call (the method interpreted, its loop compiled on the
 * stack, OSR, or compiled from the profile of those few long calls), then after 2,000 short calls on
 * each side (the method compiled by C2 as a whole). Per loop and phase it prints
 * the median nanoseconds per turn with a 95% order-statistics interval on each side and the median
 * of the per-round ratios kernel/worker with its interval, against the target of at most
 * {@value #TARGET}: met when the whole interval is at or below it, missed when the whole interval is
 * above it, inconclusive otherwise. Last, how long an endless compiled cell loop takes to end after
 * its thread is interrupted, as "Interrupt Kernel" does it (9 times, median and interval).
 *
 * <p>After {@code mvn package -DskipTests}: {@code ./course bench loops [turns] [rounds]}
 * (defaults 20,000,000 turns per call and 9 rounds; at least 6 rounds give a 95% interval), i.e.
 * {@code java -javaagent:lib/target/ipc-course-lib.jar -cp
 * bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/ipc-course-lib-tests.jar
 * org.ipccourse.bench.LoopCheckCost}. Costs: one worker JVM, about {@code 2 * (rounds + 1) * 8} calls of
 * {@code turns} loop turns (some 20 s with the defaults). JDK 17 only, like {@link CellShell}.
 */
public final class LoopCheckCost {
    /** The most the kernel may take per loop turn, as a multiple of the worker's time. */
    static final double TARGET = 1.10;
    static final String[] LOOPS = {"long-indexed for", "int-indexed for", "while", "nested for"};
    private static final int WARM_CALLS = 2_000;
    private static final long WARM_TURNS = 10_000;
    private static final int STOPS = 9;

    private static final String[] CELLS = {
        "long cpuNanos() { return java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime(); }",
        "double longFor(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }",
        "double intFor(long n) { int m = (int) n; double s = 0; for (int i = 0; i < m; i++) s += Math.sqrt(i); return s; }",
        "double whileLoop(long n) { double s = 0; long i = 0; while (i < n) { s += Math.sqrt(i); i++; } return s; }",
        "double nestedFor(long n) { double s = 0; long rows = n / 1000; for (long r = 0; r < rows; r++)"
                + " for (int c = 0; c < 1000; c++) s += Math.sqrt(r * 1000 + c); return s; }",
        // one call of loop `which`: its thread CPU time in nanoseconds (the sum kept alive by the test)
        "long cpuOf(int which, long n) { long t = cpuNanos(); double s = which == 0 ? longFor(n) : which == 1 ? intFor(n)"
                + " : which == 2 ? whileLoop(n) : nestedFor(n); t = cpuNanos() - t; return s < 0 ? -1 : t; }",
    };

    private LoopCheckCost() {
    }

    /**
     * One loop in one phase: nanoseconds per turn on each side, and the per-round ratio.
     *
     * @param loop which loop ({@link #LOOPS})
     * @param phase "first calls (OSR)" or "after 2,000 calls (C2)"
     * @param kernel ns per turn in this JVM, with the checks
     * @param worker ns per turn in the worker, as compiled
     * @param ratio kernel over worker, paired per round
     */
    record Row(String loop, String phase, Interval kernel, Interval worker, Interval ratio) {
        String verdict() {
            if (!ratio.confident()) {
                return "inconclusive (too few rounds for a 95% interval)";
            }
            if (ratio.high() <= TARGET) {
                return "met";
            }
            return ratio.low() > TARGET ? "MISSED" : "inconclusive (the interval straddles " + TARGET + ")";
        }

        @Override
        public String toString() {
            return String.format(Locale.ROOT, "%-17s %-24s kernel %5.2f ns/turn [%.2f-%.2f]  worker %5.2f [%.2f-%.2f]"
                            + "  kernel/worker %.3f [%.3f-%.3f]  target <= %.2f: %s",
                    loop, phase, kernel.median(), kernel.low(), kernel.high(), worker.median(), worker.low(),
                    worker.high(), ratio.median(), ratio.low(), ratio.high(), TARGET, verdict());
        }
    }

    /** Prints one line per loop and phase; {@code args}: turns per call and rounds. */
    public static void main(String[] args) throws Exception {
        long turns = args.length > 0 ? Long.parseLong(args[0]) : 20_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
        if (turns < 1000 || rounds < 1) {
            throw new IllegalArgumentException("turns must be at least 1000 and rounds at least 1, were " + turns
                    + " and " + rounds + "; usage: ./course bench loops [turns] [rounds]");
        }
        ShippingCost.requireAgent();
        System.out.printf(Locale.ROOT, "A cell's loops in the kernel (with interrupt checks, watched every %d ms) and in a worker"
                        + " (as compiled), thread CPU time, %,d turns per call, %d interleaved rounds, %s:%n",
                CellInterrupts.WATCH_MILLIS, turns, rounds, Runtime.version());
        List<Row> rows = new ArrayList<>();
        try (CellShell cells = new CellShell(List.of());
             ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            for (String cell : CELLS) {
                cells.run(cell);
            }
            BiFunction<Integer, Long, Long> inKernel = cells.value(
                    "(java.util.function.BiFunction<Integer, Long, Long>) (w, n) -> cpuOf(w, n)");
            BiFunction<Integer, Long, Callable<Long>> task = cells.value(
                    "(java.util.function.BiFunction<Integer, Long, java.util.concurrent.Callable<Long>>)"
                            + " (w, n) -> () -> cpuOf(w, n)");
            Side kernel = (w, n) -> inKernel.apply(w, n);
            Side worker = (w, n) -> pool.submit(task.apply(w, n)).get();
            measure(kernel, worker, turns, rounds, "first calls (OSR)", rows);
            for (int w = 0; w < LOOPS.length; w++) {
                for (int i = 0; i < WARM_CALLS; i++) {
                    kernel.cpuNanos(w, WARM_TURNS);
                    worker.cpuNanos(w, WARM_TURNS);
                }
            }
            measure(kernel, worker, turns, rounds, "after 2,000 calls (C2)", rows);
        }
        rows.forEach(System.out::println);
        System.out.println(stopLatency());
        boolean missed = rows.stream().anyMatch(r -> r.verdict().equals("MISSED"));
        System.out.println(missed ? "Some loops missed the target (see MISSED above)."
                : "No loop missed the target" + (rows.stream().allMatch(r -> r.verdict().equals("met")) ? "." : " (some inconclusive)."));
    }

    // "Interrupt Kernel" on an endless compiled cell loop: milliseconds from interrupt() to the exception.
    private static String stopLatency() throws Exception {
        try (CellShell cells = new CellShell(List.of())) {
            cells.run(CELLS[1]);
            Runnable warm = cells.value("(Runnable) () -> { for (int k = 0; k < 2_000; k++) longFor(10_000); }");
            Runnable forever = cells.value("(Runnable) () -> longFor(Long.MAX_VALUE)");
            warm.run();
            double[] millis = new double[STOPS];
            for (int r = 0; r < STOPS; r++) {
                CompletableFuture<Long> stopped = new CompletableFuture<>();
                Thread t = new Thread(() -> {
                    try {
                        forever.run();
                    } catch (RuntimeException e) {
                        stopped.complete(System.nanoTime());
                    }
                }, "endless-cell-loop");
                t.start();
                Thread.sleep(200);
                long interrupted = System.nanoTime();
                t.interrupt();
                millis[r] = (stopped.get(10, TimeUnit.SECONDS) - interrupted) / 1e6;
                t.join();
                Thread.sleep(3L * CellInterrupts.WATCH_MILLIS); // the watcher switches the checks off again
            }
            Interval stop = Interval.ofMedian(millis);
            return String.format(Locale.ROOT, "Interrupt on an endless compiled cell loop (longFor(Long.MAX_VALUE)), %d times:"
                    + " stopped after %.1f ms [%.1f-%.1f] (median [95%% interval]), at most %.1f ms",
                    STOPS, stop.median(), stop.low(), stop.high(), Arrays.stream(millis).max().orElse(0));
        }
    }

    private interface Side {
        long cpuNanos(int which, long turns) throws Exception;
    }

    private static void measure(Side kernel, Side worker, long turns, int rounds, String phase, List<Row> rows)
            throws Exception {
        double[][] k = new double[LOOPS.length][rounds];
        double[][] w = new double[LOOPS.length][rounds];
        double[][] ratio = new double[LOOPS.length][rounds];
        for (int r = -1; r < rounds; r++) { // round -1: each loop's first call on each side, not counted
            for (int loop = 0; loop < LOOPS.length; loop++) {
                if (r < 0) {
                    kernel.cpuNanos(loop, turns);
                    worker.cpuNanos(loop, turns);
                    continue;
                }
                if (r % 2 == 0) {
                    k[loop][r] = kernel.cpuNanos(loop, turns) / (double) turns;
                    w[loop][r] = worker.cpuNanos(loop, turns) / (double) turns;
                } else {
                    w[loop][r] = worker.cpuNanos(loop, turns) / (double) turns;
                    k[loop][r] = kernel.cpuNanos(loop, turns) / (double) turns;
                }
                ratio[loop][r] = k[loop][r] / w[loop][r];
            }
        }
        for (int loop = 0; loop < LOOPS.length; loop++) {
            rows.add(new Row(LOOPS[loop], phase, Interval.ofMedian(k[loop]), Interval.ofMedian(w[loop]),
                    Interval.ofMedian(ratio[loop])));
        }
    }
}
