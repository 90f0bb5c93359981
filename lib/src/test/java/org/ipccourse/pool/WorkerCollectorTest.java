package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The workers' collector: the launcher's choice by JDK, and the user's when the options name one. */
class WorkerCollectorTest {
    @Test
    void theLauncherPicksTheCollectorThatStartsFastestOnThisJdk() {
        List<String> expected = Runtime.version().feature() >= 18
                ? List.of("-XX:+UseSerialGC", "-XX:PretenureSizeThreshold=1m") : List.of("-XX:+UseG1GC");
        assertEquals(expected, WorkerLauncher.collectorOptions(List.of("-Xmx256m")));
        assertEquals(List.of(), WorkerLauncher.collectorOptions(List.of("-XX:+UseParallelGC")));
    }

    @Test
    @Timeout(60)
    void aCollectorChosenInTheWorkerOptionsIsTheOneTheWorkersRun() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-XX:+UseParallelGC")).build()) {
            String collectors = pool.submit(WorkerCollectorTest::collectorNames).get();
            assertTrue(collectors.contains("PS Scavenge"), "the worker's collectors: " + collectors);
        }
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            String collectors = pool.submit(WorkerCollectorTest::collectorNames).get();
            String expected = Runtime.version().feature() >= 18 ? "Copy" : "G1 Young Generation";
            assertTrue(collectors.contains(expected), "the worker's collectors: " + collectors);
        }
    }

    @Test
    @Timeout(60)
    void theDefaultWorkerOptionsAreTheOnesAWorkerStartsWithCollectorIncluded() throws Exception {
        List<String> defaults = ProcessPool.defaultWorkerJvmOptions();
        assertTrue(defaults.contains("-Xshare:auto"), defaults.toString());
        assertEquals(WorkerLauncher.collectorOptions(List.of()), defaults.subList(defaults.size()
                - WorkerLauncher.collectorOptions(List.of()).size(), defaults.size()));
        try (ProcessPool pool = ProcessPool.builder().workers(1).build()) {
            List<String> started = pool.submit(() -> List.copyOf(ManagementFactory.getRuntimeMXBean().getInputArguments())).get();
            assertEquals(0, java.util.Collections.indexOfSubList(started, defaults), "the worker started with " + started);
        }
    }

    private static String collectorNames() {
        StringBuilder names = new StringBuilder();
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            names.append(gc.getName()).append("; ");
        }
        return names.toString();
    }
}
