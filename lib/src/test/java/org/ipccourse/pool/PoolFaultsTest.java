package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.DataOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.ObjectInputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Faults the pool must survive at their cause: races with shutdown, dead readers, bogus frames, restarts. */
@Timeout(120)
class PoolFaultsTest {
    private static final List<String> SMALL = List.of("-Xmx64m");

    @TempDir
    Path dir;

    static ProcessPool pool(int workers) {
        return ProcessPool.builder().workers(workers).workerJvmOptions(SMALL).build();
    }

    static SerializableCallable<Integer> sleeping(long millis, int value) {
        return () -> {
            Thread.sleep(millis);
            return value;
        };
    }

    /** Sleeps in a worker; a function for {@code map}, which may not throw checked exceptions. */
    static int nap(long millis, int value) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return value;
    }

    @Test
    void shutdownDoesNotFailTasksAcceptedBeforeIt() throws Exception {
        for (int round = 0; round < 3; round++) {
            ProcessPool pool = pool(2);
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            fs.add(pool.submit(sleeping(1500, 0)));
            for (int i = 1; i <= 3; i++) {
                fs.add(pool.submit(sleeping(100, i)));
            }
            if (round == 2) {
                pool.close();
            } else {
                pool.shutdown();
            }
            for (int i = 0; i < fs.size(); i++) {
                assertEquals(i, fs.get(i).get(20, TimeUnit.SECONDS), "round " + round + ", task " + i);
            }
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), pool::toString);
        }
    }

    @Test
    void aDependentMayWaitForAnotherTaskOfThePool() throws Exception {
        try (ProcessPool pool = pool(1)) {
            CompletableFuture<Integer> first = pool.submit(sleeping(200, 1));
            CompletableFuture<String> thread = new CompletableFuture<>();
            CompletableFuture<Integer> dependent = first.thenApply(x -> {
                thread.complete(Thread.currentThread().getName());
                return x + pool.submit(() -> 2).join();
            });
            CompletableFuture<Integer> viaAllOf = CompletableFuture.allOf(pool.submit(sleeping(100, 5)))
                    .thenApply(v -> pool.submit(() -> 3).join());
            assertEquals(3, dependent.get(20, TimeUnit.SECONDS));
            assertEquals(3, viaAllOf.get(20, TimeUnit.SECONDS));
            assertFalse(thread.join().startsWith("ipc-pool-reader"), thread.join());
        }
    }

    @Test
    void anExitIsReportedWithoutParkingTheProcessReaper() throws Exception {
        try (ProcessPool pool = pool(1)) {
            long pid = pool.workerPids().get(0);
            // A grandchild holds the worker's pipes open, so its stream does not end when it dies.
            CompletableFuture<Integer> running = pool.submit(() -> {
                new ProcessBuilder("sleep", "3").redirectOutput(ProcessBuilder.Redirect.INHERIT)
                        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
                Thread.sleep(60_000);
                return 1;
            });
            Thread.sleep(500);
            ProcessHandle.of(pid).orElseThrow().destroyForcibly();
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(1500);
            while (System.nanoTime() < end) {
                Thread.getAllStackTraces().forEach((t, stack) -> {
                    if (t.getName().startsWith("process reaper")) {
                        for (StackTraceElement e : stack) {
                            assertFalse(e.getClassName().startsWith("org.ipccourse"), "the reaper thread runs " + e);
                        }
                    }
                });
                Thread.sleep(5);
            }
            ExecutionException e = assertThrows(ExecutionException.class, () -> running.get(10, TimeUnit.SECONDS));
            assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertEquals(7, pool.submit(() -> 7).get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void aReplacementKilledBeforeItIsReadyIsReplacedAgain() throws Exception {
        try (ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(SMALL)
                .initializer(() -> {
                    try {
                        Thread.sleep(1500);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }).build()) {
            long killed = pool.workerPids().get(0);
            for (int i = 0; i < 3; i++) {
                ProcessHandle.of(killed).ifPresent(ProcessHandle::destroyForcibly);
                killed = awaitNewPid(pool, killed); // starting: its initializer sleeps
            }
            assertEquals(42, pool.submit(() -> 42).get(30, TimeUnit.SECONDS));
        }
    }

    private static long awaitNewPid(ProcessPool pool, long old) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < end) {
            List<Long> pids = pool.workerPids();
            if (!pids.isEmpty() && pids.get(0) != old) {
                return pids.get(0);
            }
            Thread.sleep(5);
        }
        throw new AssertionError("no replacement for worker pid " + old + ": " + pool);
    }

    @Test
    void aReplacementThatExitsBeforeReadyBreaksThePoolAtOnceAndAMapSaysWhy() throws Exception {
        String marker = dir.resolve("fail-start").toString();
        ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(SMALL).maxTasksPerWorker(1)
                .initializer(() -> {
                    if (Files.exists(Path.of(marker))) {
                        Runtime.getRuntime().halt(1); // as a JVM that refuses an option does
                    }
                }).build();
        try {
            Files.writeString(Path.of(marker), ""); // the replacement for the retiring worker cannot start
            CompletionException e = assertThrows(CompletionException.class, () -> assertTimeoutPreemptively(
                    Duration.ofSeconds(20), () -> pool.map(x -> nap(500, x), List.of(1, 2, 3, 4), 1)));
            Throwable why = e.getCause();
            assertInstanceOf(RejectedExecutionException.class, why);
            assertTrue(why.getMessage().contains("broke") && why.getMessage().contains("before it was ready"),
                    why.getMessage());
            RejectedExecutionException r = assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
            assertTrue(r.getMessage().contains("broken"), r.getMessage());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), pool::toString);
        }
    }

    @Test
    void workersKilledBeforeReadyAgainAndAgainBreakThePoolWithinTheBudget() throws Exception {
        String marker = dir.resolve("kill-start").toString();
        ProcessPool pool = ProcessPool.builder().workers(1).workerJvmOptions(SMALL)
                .initializer(() -> {
                    if (Files.exists(Path.of(marker))) {
                        try {
                            new ProcessBuilder("kill", "-9", Long.toString(ProcessHandle.current().pid()))
                                    .start().waitFor();
                            Thread.sleep(10_000);
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    }
                }).build();
        try {
            Files.writeString(Path.of(marker), "");
            ProcessHandle.of(pool.workerPids().get(0)).orElseThrow().destroyForcibly();
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!pool.isShutdown() && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            RejectedExecutionException r = assertThrows(RejectedExecutionException.class, () -> pool.submit(() -> 1));
            assertTrue(r.getMessage().contains("in a row were killed before they were ready"), r.getMessage());
        } finally {
            pool.shutdownNow();
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), pool::toString);
        }
    }

    /** A task that writes {@code bytes} to its worker's file descriptor 1, around the protocol. */
    static SerializableCallable<Integer> writingToFd1(byte[] bytes, long thenSleepMillis, boolean thenExit) {
        return () -> {
            FileOutputStream out = new FileOutputStream(FileDescriptor.out);
            out.write(bytes);
            out.flush();
            if (thenExit) {
                Runtime.getRuntime().halt(0);
            }
            Thread.sleep(thenSleepMillis);
            return 1;
        };
    }

    static byte[] header(int length, int type, int extra) throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(length);
        out.writeByte(type);
        out.writeLong(1);
        out.write(new byte[extra]);
        return bytes.toByteArray();
    }

    @Test
    void bogusFramesFailTheirTaskAndNeitherTheOwnerNorCloseHangs() throws Exception {
        System.setProperty("ipccourse.pool.frameStallMillis", "1000");
        try {
            ProcessPool pool = pool(1);
            int limit = TaskCodec.maxPayload();
            List<SerializableCallable<Integer>> bogus = List.of(
                    writingToFd1(header(limit, 5, 10), 60_000, false), // a long frame that never arrives
                    writingToFd1(header(Integer.MAX_VALUE, 5, 0), 60_000, false), // over the limit
                    writingToFd1(new byte[] {0, 0, 0, 3, 1, 2, 3}, 60_000, false), // shorter than a header
                    writingToFd1("garbage text\n".getBytes(), 60_000, false),
                    writingToFd1(header(1000, 5, 10), 0, true), // truncated by the worker's exit
                    writingToFd1(header(100, 99, 91), 60_000, false)); // an unknown type
            for (SerializableCallable<Integer> task : bogus) {
                CompletableFuture<Integer> f = pool.submit(task);
                ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(20, TimeUnit.SECONDS));
                assertInstanceOf(WorkerDiedException.class, e.getCause());
                assertTrue(e.getCause().getMessage().contains("broke the protocol"), e.getCause().getMessage());
                assertEquals(2, pool.submit(() -> 2).get(20, TimeUnit.SECONDS), "the pool goes on");
            }
            pool.submit(writingToFd1(header(limit, 5, 10), 60_000, false));
            Thread.sleep(200);
            assertTimeoutPreemptively(Duration.ofSeconds(20), pool::close);
        } finally {
            System.clearProperty("ipccourse.pool.frameStallMillis");
        }
    }

    /**
     * A worker that said it halts after an OutOfMemoryError (EXIT_AFTER_OOM) and died before the
     * answer of the task that ran out of memory reached the owner, as when it is killed in between:
     * that task ran, so it fails once and is not run again (run elsewhere, it would take down one
     * worker after another), while the task held behind it, which never started, runs elsewhere.
     */
    @Test
    void aTaskWhoseOutOfMemoryAnswerWasLostFailsOnceAndTheTaskBehindItRunsElsewhere() throws Exception {
        byte[] exitAfterOom = header(FrameDecoder.HEADER, MessageType.EXIT_AFTER_OOM.code, 0);
        String runs = dir.resolve("runs").toString();
        try (ProcessPool pool = pool(1)) {
            CompletableFuture<Integer> lost = pool.submit(() -> {
                Files.writeString(Path.of(runs), "ran\n", java.nio.file.StandardOpenOption.CREATE,
                        java.nio.file.StandardOpenOption.APPEND);
                Thread.sleep(300); // the next task reaches this worker meanwhile
                FileOutputStream out = new FileOutputStream(FileDescriptor.out);
                out.write(exitAfterOom);
                out.flush();
                Runtime.getRuntime().halt(WorkerExit.AFTER_OOM); // before any answer
                return 1;
            });
            CompletableFuture<Long> behind = pool.submit(() -> ProcessHandle.current().pid());
            ExecutionException e = assertThrows(ExecutionException.class, () -> lost.get(20, TimeUnit.SECONDS));
            WorkerDiedException died = assertInstanceOf(WorkerDiedException.class, e.getCause());
            assertTrue(died.getMessage().contains("ran out of memory; its answer was lost"), died.getMessage());
            assertNotEquals(died.pid(), behind.get(20, TimeUnit.SECONDS), "the task behind it ran on a new worker");
            assertEquals(3, pool.submit(() -> 3).get(20, TimeUnit.SECONDS));
            assertEquals(List.of("ran"), Files.readAllLines(Path.of(runs)), "the task ran once");
        }
    }

    /** A result whose decoding in the owner throws an Error, as a reader running out of memory does. */
    static final class Poison implements Serializable {
        private static final long serialVersionUID = 1L;

        private void readObject(ObjectInputStream in) {
            throw new OutOfMemoryError("simulated: decoding this result ran out of memory");
        }
    }

    @Test
    void anErrorWhileReadingAnAnswerFailsItsTaskAndThePoolGoesOn() throws Exception {
        try (ProcessPool pool = pool(1)) {
            CompletionException e = assertThrows(CompletionException.class,
                    () -> assertTimeoutPreemptively(Duration.ofSeconds(20), () -> pool.map(x -> new Poison(), List.of(1, 2))));
            assertTrue(e.getCause().getMessage().contains("could not be read"), e.getCause().getMessage());
            ExecutionException s = assertThrows(ExecutionException.class,
                    () -> pool.submit(() -> new Poison()).get(20, TimeUnit.SECONDS));
            assertTrue(s.getCause().getMessage().contains("simulated"), s.getCause().getMessage());
            assertEquals(3, pool.submit(() -> 3).get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void tooLargeTasksAndResultsAreRefusedNamingTheSizeTheLimitAndSharedMemory() throws Exception {
        System.setProperty("ipccourse.pool.maxMessageBytes", "1000000");
        ProcessPool pool;
        try {
            pool = pool(1);
        } finally {
            System.clearProperty("ipccourse.pool.maxMessageBytes");
        }
        try (pool) {
            byte[] big = new byte[2_000_000];
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.submit(() -> big.length));
            assertTrue(e.getMessage().contains("1,000,000") && e.getMessage().contains("2,000,")
                    && e.getMessage().contains("shared memory"), e.getMessage());
            ExecutionException r = assertThrows(ExecutionException.class,
                    () -> pool.submit(() -> new byte[2_000_000]).get(20, TimeUnit.SECONDS));
            String m = r.getCause().getMessage();
            assertTrue(m.contains("result of task") && m.contains("1,000,000") && m.contains("shared memory"), m);
            assertEquals(4, pool.submit(() -> 4).get(20, TimeUnit.SECONDS));
        }
    }

    @Test
    void mapFailsAsSoonAsAChunkFailsAndCancelsTheRest() throws Exception {
        try (ProcessPool pool = pool(2)) {
            CompletionException e = assertThrows(CompletionException.class, () -> assertTimeoutPreemptively(
                    Duration.ofSeconds(5), () -> pool.map(x -> {
                        if (x == 0) {
                            nap(10_000, x);
                        } else {
                            throw new IllegalStateException("input " + x + " failed");
                        }
                        return x;
                    }, List.of(0, 1), 1)));
            assertEquals("input 1 failed", e.getCause().getMessage());
            List<Integer> both = assertTimeoutPreemptively(Duration.ofSeconds(5),
                    () -> pool.map(x -> x + 1, List.of(1, 2), 1));
            assertEquals(List.of(2, 3), both, "the sleeping chunk was cancelled: both workers are free");
        }
    }

    @Test
    void aLargeWriteToOneWorkerDoesNotStallTheOthers() throws Exception {
        try (ProcessPool pool = pool(2)) {
            long stopped = pool.workerPids().get(0);
            new ProcessBuilder("kill", "-STOP", Long.toString(stopped)).start().waitFor();
            try {
                byte[] big = new byte[8 << 20]; // far more than a pipe holds: its write blocks
                CompletableFuture<CompletableFuture<Integer>> submitting =
                        CompletableFuture.supplyAsync(() -> pool.submit(() -> big.length));
                Thread.sleep(300);
                assertFalse(submitting.isDone(), "the write to the stopped worker blocks");
                for (int i = 0; i < 20; i++) {
                    int n = i;
                    assertEquals(n, pool.submit(() -> n).get(5, TimeUnit.SECONDS), "task " + i + " on the other worker");
                }
            } finally {
                new ProcessBuilder("kill", "-CONT", Long.toString(stopped)).start().waitFor();
            }
        }
    }

    @Test
    void shutdownNowReportsItsOwnKillsAsCancellation() throws Exception {
        for (int round = 0; round < 4; round++) {
            ProcessPool pool = pool(2);
            List<CompletableFuture<Integer>> fs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                fs.add(pool.submit(sleeping(30_000, i)));
            }
            Thread.sleep(300);
            pool.shutdownNow();
            for (CompletableFuture<Integer> f : fs) {
                assertTrue(f.isCancelled(), "round " + round + ": " + f);
            }
            assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS), pool::toString);
        }
    }

    @Test
    void aMalformedFilterPatternSaysWhatIsWrong() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ProcessPool.builder().deserializationFilter("maxdepth=x"));
        assertTrue(e.getMessage().contains("maxdepth=x") && e.getMessage().contains("ObjectInputFilter"), e.getMessage());
        assertNotEquals(NumberFormatException.class, e.getClass());
    }
}
