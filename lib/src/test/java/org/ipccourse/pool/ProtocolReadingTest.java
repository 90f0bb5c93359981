package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CancellationException;
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
 * itself (spinning only while the worker answers quickly), and the reader thread reads everything nobody waits for, including what a worker prints
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
        for (int i = 0; i < 3000; i++) { // the JIT compiles both sides: short tasks answer within the caller's reading time
            int n = i;
            pool.submit(() -> n).get();
        }
        int rounds = 500;
        long before = pool.answersReadByCallers();
        for (int i = 0; i < rounds; i++) {
            int n = i;
            assertEquals(n + 1, pool.submit(() -> n + 1).get());
        }
        long readByCallers = pool.answersReadByCallers() - before;
        // Not all: the reader thread's periodic look can come between a submit and its get.
        assertTrue(readByCallers >= rounds / 2, "answers read by the waiting caller: " + readByCallers + " of " + rounds);
    }

    @Test
    void aCallerDoesNotSpinThroughTheWaitForASlowAnswer() throws Exception {
        for (int i = 0; i < 3000; i++) { // warm: answers come quickly, and callers read them spinning
            int n = i;
            pool.submit(() -> n).get();
        }
        int tasks = 40;
        long sleepMillis = 3;
        sleepingTasks(5, sleepMillis); // the first one meets a new lambda class
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        long cpuBefore = threads.getCurrentThreadCpuTime();
        sleepingTasks(tasks, sleepMillis);
        long cpuMicros = (threads.getCurrentThreadCpuTime() - cpuBefore) / 1000;
        // A caller that spun through each wait would use its whole wait in CPU time; one that blocks in
        // the read (or parks) uses some tens of microseconds per task, for the submit and the answer.
        long spinningMicros = tasks * sleepMillis * 1000;
        assertTrue(cpuMicros < spinningMicros / 12, "the caller used " + cpuMicros + " µs of CPU time waiting for "
                + tasks + " tasks of " + sleepMillis + " ms; spinning through the waits would use " + spinningMicros);
    }

    /**
     * A caller whose spin found nothing blocks in the read of its worker's stream, which an
     * interrupt cannot end; the reader thread sees the interrupt (or the cancellation) and has the
     * worker send a frame, so {@code get} still throws InterruptedException, and {@code join} of
     * a task cancelled by another thread CancellationException, at once.
     */
    @Test
    void aCallerBlockedReadingReturnsAtOnceWhenInterruptedOrWhenItsTaskIsCancelled() throws Exception {
        for (boolean cancel : new boolean[] {false, true}) {
            for (int i = 0; i < 200; i++) { // callers read: the reader thread is not blocked in a read of its own
                int n = i;
                pool.submit(() -> n).get();
            }
            AtomicReference<CompletableFuture<Integer>> task = new AtomicReference<>();
            AtomicReference<Throwable> thrown = new AtomicReference<>();
            Thread caller = new Thread(() -> {
                try { // get or join right after submit, as a cell does: the caller reads the answer itself
                    CompletableFuture<Integer> f = pool.submit(() -> {
                        ProcessPoolBasicsTest.sleep(10_000);
                        return 1;
                    });
                    task.set(f);
                    if (cancel) {
                        f.join();
                    } else {
                        f.get();
                    }
                } catch (Throwable t) {
                    thrown.set(t);
                }
            });
            caller.start();
            Thread.sleep(300); // long past its spin: it blocks in the read
            long start = System.nanoTime();
            CompletableFuture<Integer> f = task.get();
            if (cancel) {
                f.cancel(true);
            } else {
                caller.interrupt();
            }
            caller.join(5000);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
            assertFalse(caller.isAlive(), "the caller still waits");
            Class<? extends Throwable> expected = cancel ? CancellationException.class : InterruptedException.class;
            assertTrue(expected.isInstance(thrown.get()), "the caller got " + thrown.get());
            assertTrue(ms < 1000, "the caller returned " + ms + " ms after the " + (cancel ? "cancel" : "interrupt"));
            assertTrue(f.isCancelled(), "an interrupted get cancels its task");
        }
        assertEquals(7, pool.submit(() -> 7).get(10, TimeUnit.SECONDS));
    }

    private static void sleepingTasks(int tasks, long sleepMillis) throws Exception {
        for (int i = 0; i < tasks; i++) {
            int n = i;
            assertEquals(n, pool.submit(() -> {
                ProcessPoolBasicsTest.sleep(sleepMillis);
                return n;
            }).get());
        }
    }

    @Test
    void answersThatNobodyWaitsForInGetAreReadByTheReaderThread() throws Exception {
        assertCompletesWithoutGet(); // right after other tasks: the reader thread looks every millisecond
        Thread.sleep(Timing.READER_QUIET_TICKS * TimeUnit.NANOSECONDS.toMillis(Timing.READER_TICK_NANOS) + 100);
        assertCompletesWithoutGet(); // after a quiet spell: the reader thread is blocked in the read
    }

    private static void assertCompletesWithoutGet() throws Exception {
        long before = pool.answersReadByCallers();
        CompletableFuture<Integer> viaAllOf = pool.submit(() -> 42);
        CompletableFuture.allOf(viaAllOf).get(5, TimeUnit.SECONDS); // allOf attaches no stage the pool sees
        CompletableFuture<Integer> withTimeout = pool.submit(() -> 43);
        assertEquals(43, withTimeout.get(5, TimeUnit.SECONDS));
        CountDownLatch dependentRan = new CountDownLatch(1);
        pool.submit(() -> 44).thenAccept(x -> dependentRan.countDown());
        assertTrue(dependentRan.await(5, TimeUnit.SECONDS), "the answer of a task with a dependent stage was not read");
        assertEquals(42, viaAllOf.get());
        assertEquals(before, pool.answersReadByCallers(), "no caller waited in get or join, so none read");
    }

    @Test
    void whatAWorkerPrintsWhileHoldingNoTaskReachesTheOwner() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        long quietMillis = Timing.READER_QUIET_TICKS * TimeUnit.NANOSECONDS.toMillis(Timing.READER_TICK_NANOS);
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
