package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Creating, limiting and ending pools: bad input, initializers, shutdown, owner death. */
@Timeout(60)
class PoolLifecycleTest {
    private static final List<String> SMALL = List.of("-Xmx64m");

    static void awaitAllGone(List<Long> pids, long millis) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        for (long pid : pids) {
            while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
                assertTrue(System.nanoTime() < deadline, "worker " + pid + " outlived " + millis + " ms");
                Thread.sleep(10);
            }
        }
    }

    static Set<Long> childPids() {
        return ProcessHandle.current().children().filter(ProcessHandle::isAlive).map(ProcessHandle::pid)
                .collect(Collectors.toSet());
    }

    @Test
    void poolSizeBelowOneIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcessPool.newProcessPool(0));
        assertTrue(e.getMessage().contains("at least 1 worker, was 0"), e.getMessage());
    }

    @Test
    void closeLeavesNoWorkerProcess() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(2).workerJvmOptions(SMALL).build();
        List<Long> pids = pool.workerPids();
        assertEquals(2, pids.size());
        assertEquals(3, pool.submit(() -> 3).get());
        pool.close();
        assertTrue(pool.isTerminated());
        for (long pid : pids) {
            assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false), "worker " + pid + " alive");
        }
    }

    @Test
    void shutdownRunsQueuedTasksThenRefusesNewOnes() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(SMALL).build();
        List<CompletableFuture<Integer>> queued = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            int n = i;
            queued.add(pool.submit(() -> {
                Thread.sleep(20);
                return n;
            }));
        }
        pool.shutdown();
        RejectedExecutionException e = assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
        assertTrue(e.getMessage().contains("shut down"), e.getMessage());
        assertTrue(pool.awaitTermination(20, TimeUnit.SECONDS));
        assertEquals(List.of(0, 1, 2, 3, 4), queued.stream().map(CompletableFuture::join).collect(Collectors.toList()));
    }

    @Test
    void shutdownNowCancelsRunningTasksAndKillsWorkers() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(SMALL).build();
        List<Long> pids = pool.workerPids();
        CompletableFuture<Integer> running = pool.submit(() -> {
            Thread.sleep(60_000);
            return 1;
        });
        CompletableFuture<Integer> queued = pool.submit(() -> 2);
        CompletableFuture<Integer> neverSent = pool.submit(() -> {
            System.setProperty("pool.test.neverSent", "ran here");
            return 3;
        });
        Thread.sleep(200);
        List<Runnable> never = pool.shutdownNow();
        assertEquals(2, never.size(), "one task was in the owner's queue, one held by the worker behind the running one;"
                + " neither started");
        never.get(1).run();
        assertEquals("ran here", System.getProperty("pool.test.neverSent"), "the returned Runnable runs the task");
        assertTrue(pool.awaitTermination(5, TimeUnit.SECONDS));
        assertThrows(CancellationException.class, running::join);
        assertThrows(CancellationException.class, queued::join);
        assertThrows(CancellationException.class, neverSent::join);
        awaitAllGone(pids, 2000);
    }

    @Test
    void initializerRunsInEveryWorkerBeforeTasks() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(2).workerJvmOptions(SMALL)
                .initializer(() -> System.setProperty("pool.role", "initialized")).build()) {
            List<String> seen = pool.map(x -> System.getProperty("pool.role"), List.of(1, 2, 3, 4), 1);
            assertEquals(List.of("initialized", "initialized", "initialized", "initialized"), seen);
        }
    }

    @Test
    void initializerThatThrowsFailsFastWithItsErrorAndLeavesNoWorker() throws Exception {
        Set<Long> before = childPids();
        long start = System.nanoTime();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> ProcessPool.builder().workers(2)
                .workerJvmOptions(SMALL).initializer(() -> {
                    throw new UnsupportedOperationException("no database here");
                }).build());
        assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start) < 20, "creation should fail fast");
        UnsupportedOperationException cause = assertInstanceOf(UnsupportedOperationException.class, e.getCause());
        assertEquals("no database here", cause.getMessage());
        assertTrue(e.getMessage().contains("initializer"), e.getMessage());
        Set<Long> after = new HashSet<>(childPids());
        after.removeAll(before);
        awaitAllGone(new ArrayList<>(after), 3000);
    }

    @Test
    void maxTasksPerWorkerReplacesTheWorker() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).maxTasksPerWorker(2).workerJvmOptions(SMALL).build()) {
            List<Long> pids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                pids.add(pool.submit(() -> ProcessHandle.current().pid()).get(20, TimeUnit.SECONDS));
            }
            assertEquals(pids.get(0), pids.get(1));
            assertEquals(pids.get(2), pids.get(3));
            assertEquals(3, new HashSet<>(pids).size(), "pids: " + pids);
            awaitAllGone(List.of(pids.get(0), pids.get(2)), 3000);
        }
    }

    @Test
    void ownerKilledWithSigkillLeavesNoWorker() throws Exception {
        assertOwnerLeavesNoWorker("sleep");
    }

    @Test
    void ownerExitingWithoutCloseLeavesNoWorker() throws Exception {
        assertOwnerLeavesNoWorker("exit");
    }

    @ParameterizedTest
    @ValueSource(strings = {"exit", "system-exit"})
    void aNormalExitOfTheOwnerHasKilledItsWorkersWhenItEnds(String mode) throws Exception {
        // Without the exit hook the workers halt only after they see their input end, a few
        // milliseconds after the owner has gone, and the owner's exit took 0.3 s longer.
        withOwner(mode, (owner, pids) -> {
            assertTrue(owner.waitFor(20, TimeUnit.SECONDS));
            for (long pid : pids) {
                assertFalse(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                        "worker " + pid + " still ran when its owner had exited (" + mode + ")");
            }
        });
    }

    private static void assertOwnerLeavesNoWorker(String mode) throws Exception {
        withOwner(mode, (owner, pids) -> {
            assertEquals(2, pids.size());
            if (mode.equals("sleep")) {
                for (long pid : pids) {
                    assertTrue(ProcessHandle.of(pid).isPresent(), "worker " + pid + " should be running");
                }
                owner.destroyForcibly();
            }
            assertTrue(owner.waitFor(20, TimeUnit.SECONDS));
            awaitAllGone(pids, 2000);
        });
    }

    private interface OwnerCheck {
        void check(Process owner, List<Long> workerPids) throws Exception;
    }

    /** Starts {@link OwnerMain} in {@code mode}, reads its workers' pids, runs {@code check}, kills it. */
    private static void withOwner(String mode, OwnerCheck check) throws Exception {
        String java = WorkerLauncher.javaCommand();
        Process owner = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                OwnerMain.class.getName(), mode).redirectErrorStream(true).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(owner.getInputStream()))) {
            String line = out.readLine();
            assertTrue(line != null && line.startsWith("pids "), "owner printed " + line);
            check.check(owner, Arrays.stream(line.substring(5).split(",")).map(Long::parseLong).collect(Collectors.toList()));
        } finally {
            owner.destroyForcibly();
        }
    }

    /** An owner JVM for the tests above: starts a pool, prints its worker pids, then sleeps or exits. */
    static final class OwnerMain {
        public static void main(String[] args) throws Exception {
            ProcessPool pool = ProcessPool.builder().workers(2).workerJvmOptions(SMALL).build();
            pool.submit(() -> 1).get();
            System.out.println("pids " + pool.workerPids().stream().map(String::valueOf).collect(Collectors.joining(",")));
            System.out.flush();
            if (args[0].equals("sleep")) {
                Thread.sleep(60_000);
            } else if (args[0].equals("system-exit")) {
                System.exit(0);
            }
        }
    }

    static String classPathSeparator() {
        return File.pathSeparator;
    }
}
