package org.ipccourse.classes;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Loops typed into cells end when their thread is interrupted, as "Interrupt Kernel" does it. */
class CellInterruptsTest {
    private static final long STOPS_WITHIN_MILLIS = 2000;
    private static CellShell cells;

    @BeforeAll
    static void startKernel() {
        cells = TestCells.start();
        cells.run("double spin(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }");
    }

    @AfterAll
    static void stopKernel() {
        cells.close();
    }

    @Test
    void anEndlessLoopInACellMethodEndsWithinTwoSecondsOfAnInterrupt() throws Exception {
        Runnable forever = cells.value("(Runnable) () -> spin(Long.MAX_VALUE)");
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagStillSet = new AtomicBoolean();
        Thread t = new Thread(() -> {
            try {
                forever.run();
            } catch (Throwable e) {
                thrown.set(e);
                flagStillSet.set(Thread.currentThread().isInterrupted());
            }
        }, "cell-loop");
        t.start();
        Thread.sleep(300);
        assertTrue(t.isAlive(), "the loop should still be running before the interrupt");
        long interrupted = System.nanoTime();
        t.interrupt();
        t.join(STOPS_WITHIN_MILLIS);
        assertFalse(t.isAlive(), "the cell's loop was still running " + STOPS_WITHIN_MILLIS + " ms after the interrupt");
        assertInstanceOf(CellInterruptedException.class, thrown.get(), "the loop should end with CellInterruptedException");
        assertTrue(thrown.get().getMessage().contains("stopped from the notebook"), thrown.get().getMessage());
        assertTrue(flagStillSet.get(), "the check must leave the interrupt flag set");
        assertTrue(System.nanoTime() - interrupted < TimeUnit.MILLISECONDS.toNanos(STOPS_WITHIN_MILLIS));
    }

    @Test
    void anEmptyEndlessLoopEndsToo() throws Exception {
        cells.run("void idle() { while (true) { } }");
        Runnable idle = cells.value("(Runnable) () -> idle()");
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = new Thread(() -> {
            try {
                idle.run();
            } catch (Throwable e) {
                thrown.complete(e);
            }
        });
        t.start();
        Thread.sleep(200);
        t.interrupt();
        assertInstanceOf(CellInterruptedException.class, thrown.get(STOPS_WITHIN_MILLIS, TimeUnit.MILLISECONDS));
    }

    @Test
    void aLoopThatFinishesGivesTheSameResultAsWithoutTheChecks() {
        double s = 0;
        for (long i = 0; i < 1_000_000; i++) {
            s += Math.sqrt(i);
        }
        assertEquals(s, cells.<Double>value("spin(1_000_000)"), 0.0, "the checked loop computed another sum");
        assertEquals(499_500L, cells.<Long>value("java.util.stream.LongStream.range(0, 1000).map(x -> {"
                + " long a = 0; switch ((int) (x % 3)) { case 0: a = x; break; default: a = 0; } return a + x - a; }).sum()"));
    }

    @Test
    void aLambdaFromACellRunOnAPoolThreadStopsWhenItsFutureIsCancelled() throws Exception {
        Callable<Double> endless = cells.value(
                "(java.util.concurrent.Callable<Double>) () -> { double s = 0; for (long i = 0; ; i++) s += Math.sqrt(i); }");
        ExecutorService threads = Executors.newFixedThreadPool(1);
        try {
            CompletableFuture<Throwable> thrown = new CompletableFuture<>();
            Future<Double> running = threads.submit(() -> {
                try {
                    return endless.call();
                } catch (Throwable e) {
                    thrown.complete(e);
                    throw e;
                }
            });
            Thread.sleep(300);
            assertTrue(running.cancel(true), "the endless task should still be running when cancelled");
            assertInstanceOf(CellInterruptedException.class, thrown.get(STOPS_WITHIN_MILLIS, TimeUnit.MILLISECONDS));
            assertEquals(42, threads.submit(() -> 42).get(STOPS_WITHIN_MILLIS, TimeUnit.MILLISECONDS),
                    "the pool thread should be free again");
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void theBytesKeptForWorkersAreTheClassFilesAsCompiled() {
        cells.run("long countUp(long n) { long c = 0; while (c < n) c++; return c; }");
        String name = cells.definedClasses().entrySet().stream()
                .filter(e -> new String(e.getValue(), ISO_8859_1).contains("countUp")).findFirst().orElseThrow().getKey();
        byte[] shipped = ClassBytes.find(name, cells.loader()).orElseThrow();
        TestCells.assertSameBytes(cells.definedClasses().get(name), shipped, name);
        assertFalse(new String(shipped, ISO_8859_1).contains(LoopChecks.OWNER), "shipped bytes must have no checks");
        assertTrue(new String(LoopChecks.instrument(shipped), ISO_8859_1).contains(LoopChecks.OWNER),
                "the kernel's copy of a cell class with a loop gets checks");
    }

    @Test
    void aClassThatCannotBeRewrittenIsDefinedAsItIsAndNothingIsThrown() {
        ClassLoader someLoader = new ClassLoader(null) { };
        byte[] garbage = {(byte) 0xCA, (byte) 0xFE, 1, 2, 3};
        assertNull(new CellClassAgent.Recorder().transform(someLoader, "REPL/$JShell$999", null, null, garbage));
        assertNull(new CellClassAgent.Recorder().transform(someLoader, "REPL/$JShell$999", null, null, null));
    }
}
