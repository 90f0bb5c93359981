package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Shutdown and termination as the JSR-166 TCK's executor tests and CPython's shutdown tests of
 * {@code concurrent.futures} check them, each on a fresh pool of one small worker.
 */
@Timeout(60)
class ExecutorServiceLifecycleConformanceTest {
    static ProcessPool onePool() {
        return ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx64m")).build();
    }

    static SerializableCallable<Integer> sleeping(long millis, int result) {
        return ContractFixesTest.sleeping(millis, result);
    }

    @Test
    void aNewPoolIsNeitherShutDownNorTerminated() {
        try (ProcessPool pool = onePool()) {
            assertFalse(pool.isShutdown());
            assertFalse(pool.isTerminated());
        }
    }

    @Test
    void shutdownLetsAcceptedTasksFinishThenTerminates() throws Exception {
        ProcessPool pool = onePool();
        List<CompletableFuture<Integer>> futures = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            futures.add(pool.submit(sleeping(50, i)));
        }
        pool.shutdown();
        assertTrue(pool.isShutdown());
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        assertTrue(pool.isTerminated());
        for (int i = 0; i < 4; i++) {
            assertEquals(i, futures.get(i).get(), "task " + i + " accepted before shutdown must complete");
        }
    }

    @Test
    void submitAndExecuteAfterShutdownAreRejected() {
        ProcessPool pool = onePool();
        pool.shutdown();
        assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
        SerializableRunnable nothing = () -> { };
        assertThrows(RejectedExecutionException.class, () -> pool.execute(nothing));
        pool.close();
    }

    @Test
    void awaitTerminationTimesOutWhileATaskRuns() throws Exception {
        ProcessPool pool = onePool();
        try {
            pool.submit(sleeping(1000, 1));
            pool.shutdown();
            assertFalse(pool.awaitTermination(50, TimeUnit.MILLISECONDS));
            assertFalse(pool.isTerminated());
            assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shutdownNowStopsTheRunningTaskAndAccountsForEveryOther() throws Exception {
        ProcessPool pool = onePool();
        List<SerializableRunnable> tasks = new ArrayList<>();
        List<CompletableFuture<?>> futures = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i; // captured, so that each task is a distinct instance
            SerializableRunnable r = () -> {
                try {
                    Thread.sleep(5000 + n);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            };
            tasks.add(r);
            futures.add(pool.submit(r));
        }
        Thread.sleep(200);
        long start = System.nanoTime();
        List<Runnable> never = pool.shutdownNow();
        assertTrue(pool.isShutdown());
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(4), "shutdownNow waited for the tasks");
        assertTrue(futures.get(0).isDone(), "the running task is stopped");
        for (int i = 1; i < 5; i++) {
            SerializableRunnable r = tasks.get(i);
            boolean returned = never.stream().anyMatch(x -> x == r);
            assertTrue(returned || futures.get(i).isDone(),
                    "task " + i + " is neither returned by shutdownNow nor done");
        }
    }

    @Test
    void closeWaitsForAcceptedTasksAndTerminates() throws Exception {
        ProcessPool pool = onePool();
        CompletableFuture<Integer> f = pool.submit(sleeping(200, 7));
        List<Long> pids = pool.workerPids();
        pool.close();
        assertTrue(pool.isTerminated());
        assertTrue(f.isDone());
        assertEquals(7, f.get());
        PoolLifecycleTest.awaitAllGone(pids, 5000);
    }
}
