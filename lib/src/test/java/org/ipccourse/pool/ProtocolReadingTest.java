package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Who reads a worker's answers: a caller waiting for the worker's only task reads its answer
 * itself, and the reader thread reads everything nobody waits for, including what a worker prints
 * when it holds no task.
 */
@Timeout(60)
class ProtocolReadingTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();
    static ProcessPool pool;

    @BeforeAll
    static void usePool() {
        pool = POOL.pool();
    }

    @Test
    void aCallerWaitingForItsOnlyTaskReadsTheAnswerItself() throws Exception {
        Thread me = Thread.currentThread();
        int warmUp = 3000;
        int rounds = 500;
        int readByCaller = 0;
        for (int i = -warmUp; i < rounds; i++) {
            int n = i;
            CompletableFuture<Integer> f = pool.submit(() -> n + 1);
            AtomicReference<Thread> completer = new AtomicReference<>();
            boolean[] inGet = {false};
            boolean[] completedInGet = {false};
            f.whenComplete((r, e) -> {
                completer.set(Thread.currentThread());
                completedInGet[0] = inGet[0];
            });
            inGet[0] = true;
            assertEquals(n + 1, f.get());
            inGet[0] = false;
            if (i >= 0 && completer.get() == me && completedInGet[0]) {
                readByCaller++;
            }
        }
        // Not all: the reader thread's periodic look can come between a submit and its get.
        assertTrue(readByCaller >= rounds / 2, "answers read by the waiting caller: " + readByCaller + " of " + rounds);
    }

    @Test
    void anAnswerNobodyWaitsForIsReadByTheReaderThread() throws Exception {
        assertReadWithoutAWaitingCaller(); // right after other tasks: the reader thread looks every millisecond
        Thread.sleep(WorkerHandle.QUIET_TICKS * TimeUnit.NANOSECONDS.toMillis(WorkerHandle.TICK_NANOS) + 100);
        assertReadWithoutAWaitingCaller(); // after a quiet spell: the reader thread is blocked in the read
    }

    private static void assertReadWithoutAWaitingCaller() throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<String> completer = new AtomicReference<>();
        pool.submit(() -> 42).whenComplete((r, e) -> {
            completer.set(Thread.currentThread().getName());
            done.countDown();
        });
        assertTrue(done.await(5, TimeUnit.SECONDS), "nobody read the answer of a task nobody waited for");
        assertTrue(completer.get().startsWith("ipc-pool-reader-") || completer.get().equals(Thread.currentThread().getName()),
                "completed on " + completer.get());
    }

    @Test
    void whatAWorkerPrintsWhileHoldingNoTaskReachesTheOwner() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        long quietMillis = WorkerHandle.QUIET_TICKS * TimeUnit.NANOSECONDS.toMillis(WorkerHandle.TICK_NANOS);
        try {
            pool.submit(() -> {
                Thread later = new Thread(() -> {
                    ProcessPoolBasicsTest.sleep(20);
                    System.out.println("printed while the reader steps aside");
                    ProcessPoolBasicsTest.sleep(quietMillis + 200);
                    System.out.println("printed while the reader is blocked in the read");
                });
                later.setDaemon(true);
                later.start();
                return null;
            }).get();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!captured.toString(StandardCharsets.UTF_8).contains("blocked in the read") && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
        } finally {
            System.setOut(saved);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("printed while the reader steps aside\n"), text);
        assertTrue(text.contains("printed while the reader is blocked in the read\n"), text);
    }
}
