package org.ipccourse.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.ipccourse.classes.CellShell;
import org.ipccourse.pool.ProcessPool;

/**
 * Measures what a notebook variable costs a task in a worker JVM. For a {@code double[]} notebook
 * variable of each size, in cells compiled by a JShell in this JVM (run with the agent, as the
 * kernel): the time of the task's first read of the variable in the worker (a fetch from the
 * owner: round trip plus encoding) against its second read in the same task (the task's copy),
 * measured inside the worker; and the submit-to-result time of a task that reads the variable
 * against the same task carrying the array as an argument. Rounds interleave the two kinds; the
 * first {@code warmup} rounds are not counted.
 *
 * <pre>{@code
 * java -javaagent:lib/target/ipc-course-lib.jar -cp bench/target/ipc-course-bench.jar:lib/target/ipc-course-lib.jar:lib/target/ipc-course-lib-tests.jar \
 *     org.ipccourse.bench.NotebookVariableCost [rounds]
 * }</pre>
 *
 * <p>Costs: a one-worker pool, a few JShell compilations, and {@code 3 * (rounds + warmup)} tasks
 * per size, each sending the array once or twice.
 */
public final class NotebookVariableCost {
    static final int[] SIZES = {1, 1_000, 1_000_000};

    private NotebookVariableCost() {
    }

    /** Prints one block per size; {@code args[0]}: timed rounds (default 30). */
    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 30;
        int warmup = 20;
        ShippingCost.requireAgent();
        try (CellShell cells = new CellShell(List.of(CellShell.location(ProcessPool.class)));
             ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            cells.run("org.ipccourse.pool.SerializableCallable<Integer> carrying(double[] values) { return () -> values.length; }");
            System.out.printf("A double[] notebook variable read by a task in a worker: %d rounds after %d warm-up rounds,"
                    + " medians [min-max]%n", rounds, warmup);
            for (int size : SIZES) {
                String name = "data" + size;
                cells.run("double[] " + name + " = new double[" + size + "];");
                Callable<long[]> reads = cells.value("(java.util.concurrent.Callable<long[]>) () -> { long t0 = System.nanoTime();"
                        + " double a = " + name + "[0]; long t1 = System.nanoTime(); double b = " + name + "[" + (size - 1) + "];"
                        + " long t2 = System.nanoTime(); return new long[] {t1 - t0, t2 - t1, (long) (a + b)}; }");
                Callable<Integer> readsVariable = cells.value("(java.util.concurrent.Callable<Integer>) () -> " + name + ".length");
                Callable<Integer> carriesIt = cells.value("carrying(" + name + ")");
                List<Double> first = new ArrayList<>();
                List<Double> later = new ArrayList<>();
                List<Double> viaVariable = new ArrayList<>();
                List<Double> viaArgument = new ArrayList<>();
                long bytesBefore = pool.notebookStateBytesSent();
                long readsBefore = pool.notebookStateReads();
                for (int r = 0; r < warmup + rounds; r++) {
                    long[] inWorker = pool.submit(reads).get();
                    double variable;
                    double argument;
                    if (r % 2 == 0) {
                        variable = millis(pool, readsVariable);
                        argument = millis(pool, carriesIt);
                    } else {
                        argument = millis(pool, carriesIt);
                        variable = millis(pool, readsVariable);
                    }
                    if (r >= warmup) {
                        first.add(inWorker[0] / 1e3);
                        later.add(inWorker[1] / 1e3);
                        viaVariable.add(variable);
                        viaArgument.add(argument);
                    }
                }
                long fetches = pool.notebookStateReads() - readsBefore;
                System.out.printf("  %,9d elements (%,d bytes fetched per read):%n", size,
                        fetches == 0 ? 0 : (pool.notebookStateBytesSent() - bytesBefore) / fetches);
                System.out.printf("      in the worker: first read %s us, a later read in the same task %s us%n",
                        ShippingCost.summary(first, "%.2f"), ShippingCost.summary(later, "%.3f"));
                System.out.printf("      per task, submit to result: reading the variable %s ms, array as an argument %s ms,"
                        + " ratio of medians %.2f%n", ShippingCost.summary(viaVariable, "%.3f"),
                        ShippingCost.summary(viaArgument, "%.3f"),
                        ShippingCost.median(viaVariable) / ShippingCost.median(viaArgument));
            }
        }
    }

    private static double millis(ProcessPool pool, Callable<Integer> task) throws Exception {
        long start = System.nanoTime();
        pool.submit(task).get();
        return (System.nanoTime() - start) / 1e6;
    }
}
