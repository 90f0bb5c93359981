package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
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
            Sweep<Double> s = Harness.over(List.of(1.0, 8.0)).parameterName("task_ms")
                    .variant("sequential", ms -> Workloads.timedTasks(4, ms).forEach(Workloads::simulateWork))
                    .variant("thread pool", 2, ms -> {
                        for (Future<?> f : threads.invokeAll(Workloads.timedTasks(4, ms).stream()
                                .map(task -> (java.util.concurrent.Callable<Object>) () -> Workloads.simulateWork(task))
                                .toList())) {
                            f.get();
                        }
                    })
                    .warmup(1).repetitions(6).run();
            Table t = s.table();
            assertEquals(4, t.rowCount());
            assertEquals(List.of("variant", "task_ms", "median_ms", "low_ms", "high_ms", "spread_pct",
                    "runs", "speedup", "speedup_low", "speedup_high", "verdict"), t.columnNames());
            assertEquals(Verdict.BASELINE, s.row("sequential", 1.0).verdict());
            assertTrue(s.median("sequential", 8.0) > 4 * 8 * 0.5,
                    "4 tasks of 8 ms take at least 16 ms sequentially: " + t.print());
            Sweep.Row r = s.row("sequential", 8.0);
            assertTrue(r.timeMs().low() <= r.timeMs().median() && r.timeMs().median() <= r.timeMs().high());
            assertEquals(6, r.timeMs().n());
            assertTrue(r.warmupRuns() >= 1);
            assertEquals(1.0, t.doubleColumn("speedup").get(0));
            assertTrue(s.verdictLine("thread pool").startsWith("Verdict on the thread pool against the sequential"),
                    s.verdictLine("thread pool"));
        } finally {
            threads.shutdownNow();
        }
    }

    /** A clock that only the variants move, so that timings are exact whatever the machine does. */
    private final java.util.concurrent.atomic.AtomicLong clock = new java.util.concurrent.atomic.AtomicLong();

    /** A variant that takes exactly {@code ms} on {@link #clock}. */
    private Harness.Variant<String> sleeps(double ms) {
        return p -> clock.addAndGet((long) (ms * 1e6));
    }

    private Harness<String, Object> once() {
        return Harness.once().clock(clock::get);
    }

    @Test
    void aClearGainIsFasterAndAClearLossSlower() {
        Sweep<String> s = once().title("sleeps")
                .variant("sequential", sleeps(20)).variant("quicker", 2, sleeps(12.5))
                .variant("double", 2, sleeps(40)).run();
        assertEquals(Verdict.FASTER, s.row("quicker").verdict(), s.toString());
        assertEquals(Verdict.SLOWER, s.row("double").verdict(), s.toString());
        assertEquals(1.6, s.row("quicker").speedup().median(), 1e-9);
        assertEquals(Verdict.FASTER, s.compare("quicker", "double").verdict());
        assertEquals(Verdict.SLOWER, s.compare("double", "quicker").verdict());
    }

    @Test
    void aComparisonAskedForTwiceIsComputedOnceSoTheVerdictLogHoldsItOnce() {
        Sweep<String> s = once().title("sleeps")
                .variant("sequential", sleeps(20)).variant("quicker", 2, sleeps(12.5))
                .variant("double", 2, sleeps(40)).run();
        Sweep.Comparison first = s.compare("quicker", "double");
        assertSame(first, s.compare("quicker", "double")); // as Profile's verdict and its reason both ask
        assertEquals(Verdict.SLOWER, s.compare("double", "quicker").verdict(), "the other way round is its own");
    }

    @Test
    void aSpeedupAboveTheUsableCoresIsFlaggedImplausibleAndNotShown() {
        Sweep<String> s = once().variant("sequential", sleeps(40))
                .variant("one thread", 1, sleeps(10)).run();
        Sweep.Row r = s.row("one thread");
        assertEquals(Verdict.IMPLAUSIBLE, r.verdict(), s.toString());
        assertTrue(r.why().contains("1 usable core") && r.why().contains("kernel") && r.why().contains("spread"), r.why());
        assertTrue(s.table().doubleColumn("speedup").isMissing(1), "not printed as a result: " + s);
        assertTrue(s.verdictLine("one thread").contains("implausible") && !s.verdictLine("one thread").contains("interval"),
                s.verdictLine("one thread"));
    }

    @Test
    void anIntervalAcrossTheThresholdIsInconclusiveAndSaysWhy() {
        AtomicInteger round = new AtomicInteger();
        // alternately 1.0x and 2.0x as fast: the interval spans the win threshold
        Sweep<String> s = once().warmup(0)
                .variant("sequential", sleeps(20))
                .variant("noisy", 2, p -> clock.addAndGet(round.getAndIncrement() % 2 == 0 ? 20_000_000 : 10_000_000)).run();
        Sweep.Row r = s.row("noisy");
        assertEquals(Verdict.INCONCLUSIVE, r.verdict(), s.toString());
        assertTrue(r.why().contains("crosses") && r.why().contains("spread") && r.why().contains("load average"),
                r.why());
    }

    @Test
    void winsFromAndBreakEvenFollowTheVerdictsOfANamedParameter() {
        Sweep<Double> s = Harness.over(List.of(1.0, 10.0, 100.0)).clock(clock::get).parameterName("task_ms")
                .variant("sequential", p -> clock.addAndGet((long) (2 * p * 1e6)))
                .variant("pool", 2, p -> clock.addAndGet((long) ((p + 5) * 1e6))).run();
        assertEquals(Verdict.SLOWER, s.row("pool", 1.0).verdict());
        assertEquals(Verdict.FASTER, s.row("pool", 10.0).verdict());
        assertEquals(10.0, s.winsFrom("pool").getAsDouble());
        double even = s.breakEven("pool").getAsDouble();
        assertTrue(even > 1 && even < 10, "break-even " + even);
        assertTrue(s.verdictLine("pool").contains("faster at task_ms 10-100"), s.verdictLine("pool"));
        assertTrue(s.speedupChart().getSeriesMap().containsKey("pool"));
    }

    @Test
    void fewerThanSixRoundsGiveNoVerdict() {
        Sweep<String> s = once().variant("sequential", sleeps(20)).variant("half", 2, sleeps(10))
                .repetitions(5).run();
        assertEquals(Verdict.INCONCLUSIVE, s.row("half").verdict());
        assertTrue(s.row("half").why().contains("94%"), s.row("half").why());
    }

    @Test
    void warmUpRunsUntilTheTimesSettle() {
        AtomicInteger calls = new AtomicInteger();
        // the first four runs take 40, 20, 10, 5 ms; from the fifth on 5 ms: settled after five
        Sweep<String> s = once().variant("cooling", p -> {
            int n = calls.getAndIncrement();
            clock.addAndGet((n < 4 ? 40 >> n : 5) * 1_000_000L);
        }).repetitions(6).run();
        assertEquals(5, s.row("cooling").warmupRuns(), s.toString());
        assertTrue(s.row("cooling").settled());
        assertEquals(11, calls.get());
        assertTrue(s.median("cooling") < 8, "timed runs are the settled ones: " + s);
    }

    @Test
    void variantsInterleaveAndEachRoundStartsWithAnother() {
        List<String> order = new java.util.ArrayList<>();
        Harness.once().warmup(0).repetitions(6)
                .variant("a", p -> order.add("a")).variant("b", p -> order.add("b")).run();
        assertEquals(List.of("a", "b", "b", "a", "a", "b", "b", "a", "a", "b", "b", "a"), order);
    }

    @Test
    void standardVariantsRunTheSameInputsSequentiallyOnThreadsAndInWorkerProcesses() {
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (org.ipccourse.pool.ProcessPool pool = org.ipccourse.pool.ProcessPool.builder().workers(2)
                .workerJvmOptions(List.of("-Xmx64m")).build()) {
            Sweep<Double> s = Harness.over(List.of(2.0, 20.0)).title("Example 26.3")
                    .tasks(ms -> Workloads.timedTasks(4, ms))
                    // plain lambdas: the input type (TimedTask) is inferred from tasks(...)
                    .sequential(task -> Workloads.simulateWork(task))
                    .threadPool(threads, task -> Workloads.simulateWork(task))
                    .processPool(pool, task -> Workloads.simulateWork(task))
                    .warmup(1).repetitions(2).run();
            Table t = s.table();
            assertEquals(2, s.row("process pool", 2.0).usableCores(), "two workers, four inputs, cores "
                    + Runtime.getRuntime().availableProcessors());
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
        Sweep<String> s = Harness.once().variant("count", p -> calls.incrementAndGet())
                .warmup(2).repetitions(3).run();
        int warm = s.row("count").warmupRuns();
        assertTrue(warm >= 2 && warm <= Harness.MAX_WARMUP, "warm-up runs " + warm);
        assertEquals(warm + 3, calls.get());
        assertEquals(3, s.table().intColumn("runs").get(0));
        AtomicInteger cold = new AtomicInteger();
        Harness.once().variant("cold", p -> cold.incrementAndGet()).warmup(0).repetitions(3).run();
        assertEquals(3, cold.get(), "warmup(0) turns the warm-up off");
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
