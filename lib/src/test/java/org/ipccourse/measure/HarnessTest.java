package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.OptionalDouble;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipccourse.workloads.Workloads;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.DoubleColumn;
import tech.tablesaw.api.Table;

class HarnessTest {
    @Test
    void returnsOneRowPerVariantAndParameterWithSpeedupAgainstSequential() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try {
            Table t = Harness.over(List.of(1.0, 8.0))
                    .variant("sequential", ms -> Workloads.timedTasks(4, ms).forEach(Workloads::simulateWork))
                    .variant("thread pool", ms -> {
                        for (Future<?> f : threads.invokeAll(Workloads.timedTasks(4, ms).stream()
                                .map(task -> (java.util.concurrent.Callable<Object>) () -> Workloads.simulateWork(task))
                                .toList())) {
                            f.get();
                        }
                    })
                    .warmup(1).repetitions(3).run();
            assertEquals(4, t.rowCount());
            assertEquals(List.of("variant", "parameter", "median_ms", "mad_ms", "min_ms", "max_ms",
                    "spread_pct", "runs", "speedup", "verdict"), t.columnNames());
            assertEquals(List.of("baseline", "baseline"), t.where(t.stringColumn("variant")
                    .isEqualTo("sequential")).stringColumn("verdict").asList());
            Table seq = t.where(t.stringColumn("variant").isEqualTo("sequential"));
            assertTrue(seq.doubleColumn("median_ms").get(1) > 4 * 8 * 0.5,
                    "4 tasks of 8 ms take at least 16 ms sequentially: " + seq.print());
            assertEquals(1.0, seq.doubleColumn("speedup").get(0));
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void standardVariantsRunTheSameInputsSequentiallyOnThreadsAndInWorkerProcesses() {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (org.ipccourse.pool.ProcessPool pool = org.ipccourse.pool.ProcessPool.builder().workers(2)
                .workerJvmOptions(List.of("-Xmx64m")).build()) {
            Table t = Harness.over(List.of(2.0, 20.0)).title("Example 26.3")
                    .tasks(ms -> Workloads.timedTasks(4, ms))
                    // plain lambdas: the input type (TimedTask) is inferred from tasks(...)
                    .sequential(task -> Workloads.simulateWork(task))
                    .threadPool(threads, task -> Workloads.simulateWork(task))
                    .processPool(pool, task -> Workloads.simulateWork(task))
                    .warmup(1).repetitions(2).run();
            assertEquals(List.of("sequential", "sequential", "thread pool", "thread pool",
                    "process pool", "process pool"), t.stringColumn("variant").asList());
            assertEquals("Example 26.3", t.name());
            Table seq = t.where(t.stringColumn("variant").isEqualTo("sequential"));
            assertTrue(seq.doubleColumn("median_ms").get(1) > 4 * 20 * 0.5, t.print());
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aClosedProcessPoolFailsTheRunWithAMessageSayingSo() {
        org.ipccourse.pool.ProcessPool pool = org.ipccourse.pool.ProcessPool.builder().workers(1)
                .workerJvmOptions(List.of("-Xmx32m")).build();
        pool.close();
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Harness.over(List.of(1)).tasks(n -> List.of(n)).processPool(pool, Workloads::computeHash).run());
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertTrue(pool.workerPids().stream().noneMatch(pid -> ProcessHandle.of(pid).isPresent()),
                "no worker left running");
    }

    @Test
    void standardVariantsNeedTheirInputsFirst() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Harness.over(List.of(1)).sequential(input -> input));
        assertTrue(e.getMessage().contains("tasks("), e.getMessage());
    }

    @Test
    void warmupRunsAreNotTimedButDoRun() {
        AtomicInteger calls = new AtomicInteger();
        Table t = Harness.once().variant("count", p -> calls.incrementAndGet())
                .warmup(2).repetitions(3).run();
        assertEquals(5, calls.get());
        assertEquals(3, t.intColumn("runs").get(0));
    }

    @Test
    void aFailingVariantNamesItselfAndTheParameter() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Harness.over(List.of(3, -1)).variant("hash", n -> Workloads.computeHash(n)).run());
        assertTrue(e.getMessage().contains("'hash'") && e.getMessage().contains("-1"), e.getMessage());
        assertTrue(e.getCause() instanceof IllegalArgumentException);
    }

    @Test
    void crossoverIsInterpolatedBetweenTheMeasuredParametersOnALogScale() {
        Table t = Table.create("t",
                tech.tablesaw.api.StringColumn.create("variant", "p", "p", "p", "p"),
                DoubleColumn.create("parameter", 1, 10, 100, 1000),
                DoubleColumn.create("speedup", 0.2, 0.5, 1.5, 1.9));
        OptionalDouble x = Harness.crossover(t, "p");
        assertEquals(Math.sqrt(10 * 100), x.getAsDouble(), 1e-9);
        assertTrue(Harness.crossover(t, "p", 2.0).isEmpty());
        assertEquals(1.0, Harness.crossover(t, "p", 0.1).getAsDouble());
    }

    @Test
    void crossoverIgnoresAnEarlyLuckyPoint() {
        Table t = Table.create("t",
                tech.tablesaw.api.StringColumn.create("variant", "p", "p", "p"),
                DoubleColumn.create("parameter", 1, 10, 100),
                DoubleColumn.create("speedup", 1.3, 0.8, 1.6));
        double x = Harness.crossover(t, "p").getAsDouble();
        assertTrue(x > 10 && x < 100, "crossover " + x);
    }

    @Test
    void badSettingsAreRejectedWithTheirName() {
        assertThrows(IllegalArgumentException.class, () -> Harness.over(List.of()));
        assertThrows(IllegalArgumentException.class, () -> Harness.once().repetitions(0));
        assertThrows(IllegalArgumentException.class, () -> Harness.once().warmup(-1));
        assertThrows(IllegalStateException.class, () -> Harness.once().run());
        assertThrows(IllegalStateException.class,
                () -> Harness.once().variant("a", p -> { }).baseline("b").run());
    }
}
