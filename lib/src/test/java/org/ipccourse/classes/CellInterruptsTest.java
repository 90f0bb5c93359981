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
    void aLoopCompiledWhileNoThreadWasInterruptedStillEndsAndTheCheckIsDisarmedAfterwards() throws Exception {
        cells.run("double spinAgain(long n) { double s = 0; for (long i = 0; i < n; i++) s += Math.sqrt(i); return s; }");
        Runnable warm = cells.value("(Runnable) () -> { for (int k = 0; k < 3_000; k++) spinAgain(10_000); }");
        Runnable forever = cells.value("(Runnable) () -> spinAgain(Long.MAX_VALUE)");
        warm.run(); // the JIT compiles spinAgain with the check's empty target inlined
        awaitArmed(false);
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = startUntilThrown(forever, thrown);
        Thread.sleep(300);
        assertTrue(t.isAlive(), "the loop should still be running before the interrupt");
        long interrupted = System.nanoTime();
        t.interrupt();
        assertInstanceOf(CellInterruptedException.class, thrown.get(STOPS_WITHIN_MILLIS, TimeUnit.MILLISECONDS),
                "a compiled cell loop must end after an interrupt");
        long stoppedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - interrupted);
        assertTrue(stoppedMillis < STOPS_WITHIN_MILLIS, "stopped after " + stoppedMillis + " ms");
        t.join(STOPS_WITHIN_MILLIS);
        assertFalse(t.isAlive());
        awaitArmed(false); // the interrupted thread is gone: loops go back to checking nothing
    }

    // Runs `loop` on a new thread; what it throws completes `thrown`.
    private static Thread startUntilThrown(Runnable loop, CompletableFuture<Throwable> thrown) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (Throwable e) {
                thrown.complete(e);
            }
        }, "cell-loop");
        t.start();
        return t;
    }

    // Waits until the watcher has switched the checks on or off; fails after STOPS_WITHIN_MILLIS.
    private static void awaitArmed(boolean armed) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(STOPS_WITHIN_MILLIS);
        while (CellInterrupts.armed() != armed) {
            assertTrue(System.nanoTime() < deadline, "the loop checks were still " + (armed ? "off" : "on")
                    + " " + STOPS_WITHIN_MILLIS + " ms later (is some thread of the test JVM left interrupted?)");
            Thread.sleep(CellInterrupts.WATCH_MILLIS);
        }
    }

    @Test
    void anEmptyEndlessLoopEndsToo() throws Exception {
        cells.run("void idle() { while (true) { } }");
        Runnable idle = cells.value("(Runnable) () -> idle()");
        CompletableFuture<Throwable> thrown = new CompletableFuture<>();
        Thread t = startUntilThrown(idle, thrown);
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
