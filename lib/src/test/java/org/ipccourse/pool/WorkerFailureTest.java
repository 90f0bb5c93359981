package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Workers that die, run out of memory, or ignore cancellation; one pool shared, replaced workers. */
@Timeout(60)
class WorkerFailureTest {
    static ProcessPool pool;

    @TempDir
    Path dir;

    @BeforeAll
    static void startPool() {
        pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m"))
                .cancelGracePeriod(Duration.ofMillis(500)).build();
    }

    @AfterAll
    static void closePool() throws InterruptedException {
        pool.shutdownNow(); // some tests leave spinning tasks behind when they fail
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), pool::toString);
    }

    /** A task that writes its worker's pid to a file, then sleeps or spins for {@code millis}. */
    static SerializableCallable<String> marking(Path marker, long millis, boolean spin) {
        String file = marker.toString();
        return () -> {
            Files.writeString(Path.of(file + ".tmp"), Long.toString(ProcessHandle.current().pid()));
            Files.move(Path.of(file + ".tmp"), Path.of(file));
            long end = System.nanoTime() + millis * 1_000_000;
            while (System.nanoTime() < end) {
                if (!spin) {
                    Thread.sleep(10);
                }
            }
            return "finished";
        };
    }

    static long awaitPid(Path marker) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!Files.exists(marker)) {
            assertTrue(System.nanoTime() < deadline, "the task never started");
            Thread.sleep(5);
        }
        return Long.parseLong(Files.readString(marker));
    }

    static void awaitGone(long pid, long millis) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
        while (ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) {
            assertTrue(System.nanoTime() < deadline, "process " + pid + " still alive after " + millis + " ms");
            Thread.sleep(10);
        }
    }

    @Test
    void workerKilledMidTaskFailsOnlyItsFutureWithinASecond() throws Exception {
        CompletableFuture<String> victim = pool.submit(marking(dir.resolve("victim"), 60_000, false));
        long pid = awaitPid(dir.resolve("victim"));
        CompletableFuture<String> other = pool.submit(() -> {
            Thread.sleep(700);
            return "other";
        });
        long killedAt = System.nanoTime();
        ProcessHandle.of(pid).orElseThrow().destroyForcibly();
        ExecutionException e = assertThrows(ExecutionException.class, () -> victim.get(5, TimeUnit.SECONDS));
        long failedAfter = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
        WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
        assertTrue(failedAfter < 1000, "the future failed " + failedAfter + " ms after the kill");
        assertEquals(pid, died.pid());
        assertEquals(137, died.exitStatus());
        assertTrue(died.getMessage().contains("pid " + pid) && died.getMessage().contains("SIGKILL"), died.getMessage());
        assertEquals("other", other.get(10, TimeUnit.SECONDS));
        assertReplaced(pid);
    }

    private static void assertReplaced(long deadPid) throws Exception {
        List<Long> pids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            pids.add(pool.submit(() -> ProcessHandle.current().pid()).get(20, TimeUnit.SECONDS));
        }
        assertFalse(pids.contains(deadPid), "a dead worker ran a task: " + pids);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (pool.workerPids().size() != 2) {
            assertTrue(System.nanoTime() < deadline, "pool has workers " + pool.workerPids());
            Thread.sleep(20);
        }
        assertFalse(pool.workerPids().contains(deadPid));
    }

    /** Every status, including those the worker gives itself (0-3, 70): a task's own exit is never taken for ours. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {42, 0, 1, 2, 3, 70})
    void systemExitInATaskFailsItWithTheExitStatus(int status) throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> {
            System.exit(status);
            return 0;
        }).get(10, TimeUnit.SECONDS));
        WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
        assertEquals(status, died.exitStatus());
        assertTrue(died.getMessage().contains("exit status " + status), died.getMessage());
        assertReplaced(died.pid());
    }

    @Test
    void nativeCrashInATaskFailsItAndNamesTheCrashReport() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> {
            java.lang.reflect.Field f = Class.forName("sun.misc.Unsafe").getDeclaredField("theUnsafe");
            f.setAccessible(true);
            sun.misc.Unsafe unsafe = (sun.misc.Unsafe) f.get(null);
            unsafe.putAddress(0, 42); // SIGSEGV: the JVM aborts
            return 0;
        }).get(30, TimeUnit.SECONDS));
        WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
        Path report = Path.of(System.getProperty("java.io.tmpdir"), "ipc-pool-worker-hs_err_pid" + died.pid() + ".log");
        try {
            assertNotEquals(0, died.exitStatus(), died.getMessage());
            assertTrue(died.getMessage().contains("crash report: " + report), died.getMessage());
        } finally {
            Files.deleteIfExists(report);
        }
        assertReplaced(died.pid());
    }

    @Test
    void outOfMemoryInATaskIsReportedAndTheWorkerReplaced() throws Exception {
        AtomicReference<Long> pid = new AtomicReference<>();
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool.submit(() -> {
            List<long[]> hog = new ArrayList<>();
            while (true) {
                hog.add(new long[1 << 17]);
            }
        }).get(30, TimeUnit.SECONDS));
        assertInstanceOf(OutOfMemoryError.class, e.getCause(), String.valueOf(e.getCause()));
        assertEquals(Integer.valueOf(4), pool.submit(() -> 4).get(20, TimeUnit.SECONDS));
        assertEquals(2, pool.map(x -> x, List.of(1, 2), 1).size());
    }

    @Test
    void cancelOfASpinningTaskStopsItsWorkerWithinTheGracePeriod() throws Exception {
        CompletableFuture<String> spinning = pool.submit(marking(dir.resolve("spin"), 60_000, true));
        long pid = awaitPid(dir.resolve("spin"));
        assertTrue(spinning.cancel(true));
        awaitGone(pid, 3000);
        assertThrows(CancellationException.class, spinning::join);
        assertReplaced(pid);
    }

    @Test
    void cancelOfASleepingTaskInterruptsItAndKeepsTheWorker() throws Exception {
        CompletableFuture<String> sleeping = pool.submit(marking(dir.resolve("sleep"), 60_000, false));
        long pid = awaitPid(dir.resolve("sleep"));
        assertTrue(sleeping.cancel(true));
        Thread.sleep(1000); // longer than the grace period
        assertTrue(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
                "an interruptible task should not cost its worker");
    }

    @Test
    void interruptedThreadWaitingOnAFutureCancelsTheTask() throws Exception {
        CompletableFuture<String> spinning = pool.submit(marking(dir.resolve("wait"), 60_000, true));
        long pid = awaitPid(dir.resolve("wait"));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread waiter = new Thread(() -> {
            try {
                spinning.get();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        waiter.start();
        Thread.sleep(100);
        waiter.interrupt();
        waiter.join(5000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertTrue(spinning.isCancelled());
        awaitGone(pid, 3000);
    }

    @Test
    void interruptedMapCancelsItsTasks() throws Exception {
        assertInterruptingTheCallerStopsBothWorkers("map", fn -> pool.map(fn, List.of(1, 2), 1));
    }

    @Test
    void interruptedImapCancelsItsChunksInFlight() throws Exception {
        assertInterruptingTheCallerStopsBothWorkers("imap", fn -> pool.imap(fn, List.of(1, 2)).next());
    }

    /** Runs {@code call} with a function that marks its worker's pid and spins; interrupts the caller. */
    private void assertInterruptingTheCallerStopsBothWorkers(String name,
            java.util.function.Consumer<SerializableFunction<Integer, Integer>> call) throws Exception {
        String file = dir.resolve(name).toString();
        SerializableFunction<Integer, Integer> markThenSpin = x -> {
            try {
                Files.writeString(Path.of(file + x + ".tmp"), Long.toString(ProcessHandle.current().pid()));
                Files.move(Path.of(file + x + ".tmp"), Path.of(file + x));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            while (true) {
                Math.sqrt(x);
            }
        };
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                call.accept(markThenSpin);
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        long pid1 = awaitPid(Path.of(file + 1));
        long pid2 = awaitPid(Path.of(file + 2));
        caller.interrupt();
        caller.join(5000);
        assertInstanceOf(CancellationException.class, thrown.get());
        awaitGone(pid1, 3000);
        awaitGone(pid2, 3000);
    }
}
