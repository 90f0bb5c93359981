package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code ExecutorService} contract as the JSR-166 TCK's AbstractExecutorService tests check
 * it, one test per check, adapted to a pool whose tasks run in other JVMs: a task's effect is
 * seen through a file or its result, never through a shared variable. The pool's lifecycle
 * (shutdown, termination) is checked in {@link ExecutorServiceLifecycleConformanceTest}.
 */
@Timeout(60)
class ExecutorServiceConformanceTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();

    static ProcessPool pool() {
        return POOL.pool();
    }

    static SerializableCallable<String> returning(String s) {
        return () -> s;
    }

    static SerializableCallable<String> failingWithNpe() {
        return () -> {
            throw new NullPointerException("from the task");
        };
    }

    static SerializableCallable<String> sleepingThen(long millis, String s) {
        return () -> {
            Thread.sleep(millis);
            return s;
        };
    }

    @Test
    void executeRunsTheRunnable(@TempDir Path dir) throws Exception {
        String file = dir.resolve("ran").toString();
        SerializableRunnable task = () -> {
            try {
                Files.writeString(Path.of(file), "ran");
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        pool().execute(task);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (!Files.exists(Path.of(file)) && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertTrue(Files.exists(Path.of(file)), "the executed runnable did not run");
    }

    @Test
    void submitCallableCompletesWithItsResult() throws Exception {
        Future<String> f = pool().submit(returning("test string"));
        assertEquals("test string", f.get());
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
    }

    @Test
    void submitRunnableCompletesWithNull() throws Exception {
        SerializableRunnable nothing = () -> { };
        Future<?> f = pool().submit(nothing);
        assertNull(f.get());
        assertTrue(f.isDone());
        assertFalse(f.isCancelled());
    }

    @Test
    void submitRunnableWithAResultCompletesWithThatResult() throws Exception {
        SerializableRunnable nothing = () -> { };
        Future<String> f = pool().submit(nothing, "test string");
        assertEquals("test string", f.get());
        assertTrue(f.isDone());
    }

    @Test
    void nullTasksAreRefusedWithNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().execute(null));
        assertThrows(NullPointerException.class, () -> pool().submit((Callable<String>) null));
        assertThrows(NullPointerException.class, () -> pool().submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> pool().submit((Runnable) null, "x"));
    }

    @Test
    void getOnAThreadAlreadyInterruptedThrowsInterruptedException() throws Exception {
        Future<String> f = pool().submit(sleepingThen(5000, "late"));
        Thread.currentThread().interrupt();
        try {
            assertThrows(InterruptedException.class, f::get);
        } finally {
            Thread.interrupted();
        }
        assertTrue(f.isCancelled(), "an interrupted get cancels its task (a difference from FutureTask)");
        POOL.assertWorkersFree();
    }

    @Test
    void aTasksExceptionIsTheCauseOfTheExecutionException() {
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool().submit(failingWithNpe()).get());
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void invokeAnyOfNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAny(null));
    }

    @Test
    void invokeAnyOfNoTasksThrowsIllegalArgumentException() {
        assertThrows(IllegalArgumentException.class, () -> pool().invokeAny(new ArrayList<Callable<String>>()));
    }

    @Test
    void invokeAnyWithANullTaskThrowsNullPointerException() {
        List<Callable<String>> tasks = Arrays.asList(returning("a"), null);
        assertThrows(NullPointerException.class, () -> pool().invokeAny(tasks));
    }

    @Test
    void invokeAnyOfFailingTasksThrowsExecutionException() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool().invokeAny(List.of(failingWithNpe(), failingWithNpe())));
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void invokeAnyReturnsTheResultOfACompletedTask() throws Exception {
        assertEquals("test string", pool().invokeAny(List.of(returning("test string"), returning("test string"))));
    }

    @Test
    void invokeAnyDoesNotWaitForASlowTaskAndCancelsIt() throws Exception {
        long start = System.nanoTime();
        assertEquals("quick", pool().invokeAny(List.of(sleepingThen(5000, "slow"), returning("quick"))));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(3), "invokeAny waited for the slow task");
        POOL.assertWorkersFree();
    }

    @Test
    void invokeAllOfNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAll(null));
    }

    @Test
    void invokeAllOfNoTasksReturnsNoFutures() throws Exception {
        assertEquals(List.of(), pool().invokeAll(Collections.<Callable<String>>emptyList()));
    }

    @Test
    void invokeAllWithANullTaskThrowsNullPointerException() {
        List<Callable<String>> tasks = Arrays.asList(returning("a"), null);
        assertThrows(NullPointerException.class, () -> pool().invokeAll(tasks));
    }

    @Test
    void invokeAllReportsAFailureThroughItsFuture() throws Exception {
        List<Future<String>> futures = pool().invokeAll(List.of(failingWithNpe()));
        assertEquals(1, futures.size());
        ExecutionException e = assertThrows(ExecutionException.class, () -> futures.get(0).get());
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void invokeAllReturnsEveryFutureDoneInTaskOrder() throws Exception {
        List<Future<String>> futures = pool().invokeAll(List.of(sleepingThen(50, "a"), returning("b"), returning("c")));
        assertEquals(3, futures.size());
        for (Future<String> f : futures) {
            assertTrue(f.isDone());
        }
        assertEquals(List.of("a", "b", "c"), List.of(futures.get(0).get(), futures.get(1).get(), futures.get(2).get()));
    }

    @Test
    void timedInvokeAnyOfNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAny(null, 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAnyWithANullUnitThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAny(List.of(returning("a")), 10, null));
    }

    @Test
    void timedInvokeAnyOfNoTasksThrowsIllegalArgumentException() {
        assertThrows(IllegalArgumentException.class,
                () -> pool().invokeAny(new ArrayList<Callable<String>>(), 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAnyWithANullTaskThrowsNullPointerException() {
        List<Callable<String>> tasks = Arrays.asList(returning("a"), null);
        assertThrows(NullPointerException.class, () -> pool().invokeAny(tasks, 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAnyOfFailingTasksThrowsExecutionException() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool().invokeAny(List.of(failingWithNpe()), 10, TimeUnit.SECONDS));
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void timedInvokeAnyReturnsTheResultOfACompletedTask() throws Exception {
        assertEquals("test string", pool().invokeAny(List.of(returning("test string")), 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAnyThrowsTimeoutExceptionWhenNoTaskCompletesInTime() throws Exception {
        long start = System.nanoTime();
        assertThrows(TimeoutException.class,
                () -> pool().invokeAny(List.of(sleepingThen(3000, "late")), 100, TimeUnit.MILLISECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.MILLISECONDS.toNanos(2000), "the timeout was not honoured");
        POOL.assertWorkersFree();
    }

    @Test
    void timedInvokeAllOfNullThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAll(null, 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAllWithANullUnitThrowsNullPointerException() {
        assertThrows(NullPointerException.class, () -> pool().invokeAll(List.of(returning("a")), 10, null));
    }

    @Test
    void timedInvokeAllOfNoTasksReturnsNoFutures() throws Exception {
        assertEquals(List.of(), pool().invokeAll(Collections.<Callable<String>>emptyList(), 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAllWithANullTaskThrowsNullPointerException() {
        List<Callable<String>> tasks = Arrays.asList(returning("a"), null);
        assertThrows(NullPointerException.class, () -> pool().invokeAll(tasks, 10, TimeUnit.SECONDS));
    }

    @Test
    void timedInvokeAllReportsAFailureThroughItsFuture() throws Exception {
        List<Future<String>> futures = pool().invokeAll(List.of(failingWithNpe()), 10, TimeUnit.SECONDS);
        ExecutionException e = assertThrows(ExecutionException.class, () -> futures.get(0).get());
        assertInstanceOf(NullPointerException.class, e.getCause());
    }

    @Test
    void timedInvokeAllReturnsEveryResult() throws Exception {
        List<Future<String>> futures = pool().invokeAll(List.of(returning("a"), returning("b")), 10, TimeUnit.SECONDS);
        assertEquals("a", futures.get(0).get());
        assertEquals("b", futures.get(1).get());
    }

    @Test
    void timedInvokeAllCancelsWhatIsNotDoneAtTheDeadline() throws Exception {
        List<Future<String>> futures = pool().invokeAll(
                List.of(returning("a"), returning("b"), sleepingThen(5000, "late")), 1000, TimeUnit.MILLISECONDS);
        assertEquals(3, futures.size());
        futures.forEach(f -> assertTrue(f.isDone(), "every future invokeAll returns is done"));
        assertEquals("a", futures.get(0).get());
        assertEquals("b", futures.get(1).get());
        assertTrue(futures.get(2).isCancelled());
        assertThrows(CancellationException.class, () -> futures.get(2).get());
        POOL.assertWorkersFree();
    }

    @Test
    void cancellingARunningTaskCancelsItsFuture() throws Exception {
        CompletableFuture<String> f = pool().submit(sleepingThen(5000, "late"));
        Thread.sleep(100);
        assertTrue(f.cancel(true));
        assertTrue(f.isCancelled());
        assertTrue(f.isDone());
        assertThrows(CancellationException.class, f::get);
        assertTrue(f.cancel(true), "cancelled stays cancelled (CompletableFuture's rule: true; FutureTask says false)");
        assertTrue(f.isCancelled());
        POOL.assertWorkersFree();
    }

    @Test
    void cancellingACompletedTaskDoesNothing() throws Exception {
        CompletableFuture<String> f = pool().submit(returning("done"));
        assertEquals("done", f.get());
        assertFalse(f.cancel(true));
        assertFalse(f.isCancelled());
        assertEquals("done", f.get());
    }
}
