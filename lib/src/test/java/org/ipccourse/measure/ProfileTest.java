package org.ipccourse.measure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.ipccourse.pool.ProcessPool;
import org.ipccourse.workloads.Workloads;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tech.tablesaw.api.Table;

class ProfileTest {
    private static ExecutorService threads;
    private static ProcessPool pool;

    @BeforeAll
    static void startPools() {
        threads = Executors.newFixedThreadPool(2);
        pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    @AfterAll
    static void stopPools() {
        threads.shutdownNow();
        pool.close();
    }

    @Test
    void verdictSaysProcessesBeatThreadsOnlyWhenTheyAreFasterThanBothByTheThreshold() {
        Verdict f = Verdict.FASTER, sl = Verdict.SLOWER, n = Verdict.NO_CLEAR_GAIN, i = Verdict.INCONCLUSIVE;
        assertEquals(Profile.PROCESSES_BEAT_THREADS, Profile.verdict(n, f, f));
        assertEquals(Profile.THREADS_DO_AS_WELL, Profile.verdict(f, f, n));
        assertEquals(Profile.THREADS_DO_AS_WELL, Profile.verdict(f, f, sl));
        assertEquals(Profile.INCONCLUSIVE, Profile.verdict(f, f, i), "processes win, against threads unclear");
        assertEquals(Profile.THREADS_WIN, Profile.verdict(f, sl, sl));
        assertEquals(Profile.THREADS_WIN, Profile.verdict(f, n, sl));
        assertEquals(Profile.NEITHER, Profile.verdict(n, n, n));
        assertEquals(Profile.NEITHER, Profile.verdict(sl, sl, n));
        assertEquals(Profile.INCONCLUSIVE, Profile.verdict(f, i, i), "processes unclear: no advice");
        assertEquals(Profile.INCONCLUSIVE, Profile.verdict(i, sl, n));
        assertEquals(Profile.INCONCLUSIVE, Profile.verdict(f, Verdict.IMPLAUSIBLE, f));
    }

    @Test
    void profileTimesTheThreeVariantsOnTheCallersPoolsAndNamesItsVerdict() {
        List<Long> workersBefore = pool.workerPids();
        Profile p = Harness.profile("4 tasks of 5 ms", Workloads::simulateWork,
                Workloads.timedTasks(4, 5.0), threads, pool, 3);
        Table t = p.table();
        assertEquals(List.of("sequential", "thread pool", "process pool"),
                t.stringColumn("variant").asList());
        assertEquals(List.of("variant", "median_ms", "low_ms", "high_ms", "spread_pct", "runs", "speedup",
                "speedup_low", "speedup_high", "verdict"), t.columnNames());
        assertTrue(t.doubleColumn("median_ms").get(0) > 4 * 5 * 0.5,
                "4 tasks of 5 ms take at least 10 ms in a loop:\n" + t.print());
        for (int row = 0; row < 3; row++) {
            double median = t.doubleColumn("median_ms").get(row);
            assertTrue(median > 0 && median < 10_000, "median out of range:\n" + t.print());
        }
        assertEquals(1.0, p.speedup("sequential"));
        String sentence = Profile.verdict(p.sweep().row("thread pool").verdict(),
                p.sweep().row("process pool").verdict(), p.sweep().compare("process pool", "thread pool").verdict());
        assertTrue(p.verdict().startsWith("Verdict (profile first: 4 tasks of 5 ms): " + sentence), p.verdict());
        assertTrue(t.name().startsWith("profile first: 4 tasks of 5 ms"), t.name());
        assertEquals(workersBefore, pool.workerPids(), "the caller's workers are used, none started");
    }

    @Test
    void profilePrintsNumbersRoundedForReading() {
        Profile p = Harness.profile("one 1 ms task", Workloads::simulateWork,
                Workloads.timedTasks(1, 1.0), threads, pool, 1);
        Table t = p.table();
        String speedup = t.doubleColumn("speedup").getString(2);
        assertTrue(speedup.matches("\\d+\\.\\d\\d"), "speedup with two decimals: " + speedup);
        assertTrue(t.doubleColumn("spread_pct").getString(2).matches("\\d+"),
                t.doubleColumn("spread_pct").getString(2));
    }

    @Test
    void badArgumentsAreRejectedBeforeAnythingRuns() {
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class,
                () -> Harness.profile("nothing", Workloads::simulateWork, List.<Workloads.TimedTask>of(),
                        threads, pool));
        assertTrue(empty.getMessage().contains("at least one input"), empty.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Harness.profile(" ", Workloads::simulateWork,
                Workloads.timedTasks(1, 1.0), threads, pool));
        assertThrows(IllegalArgumentException.class, () -> Harness.profile("x", Workloads::simulateWork,
                Workloads.timedTasks(1, 1.0), threads, pool, 0));
        assertThrows(NullPointerException.class, () -> Harness.profile("x", Workloads::simulateWork,
                Workloads.timedTasks(1, 1.0), null, pool));
    }
}
