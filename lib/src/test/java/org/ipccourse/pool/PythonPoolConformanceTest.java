package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The semantics CPython's own tests give {@code concurrent.futures} (as_completed, map, futures,
 * cancellation) and {@code multiprocessing.Pool} (map, imap, imap_unordered, timeouts), adapted to
 * Java: Python's {@code ValueError} is an {@link IllegalArgumentException}, a failed task surfaces
 * as an {@link ExecutionException} or, from map and imap, a {@link CompletionException}.
 */
@Timeout(60)
class PythonPoolConformanceTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();

    static ProcessPool pool() {
        return POOL.pool();
    }

    static List<Integer> range(int n) {
        return IntStream.range(0, n).boxed().collect(Collectors.toList());
    }

    @Test
    void completionOrderYieldsFuturesAlreadyDoneFailedOrCancelledAndRunningOnes() {
        CompletableFuture<Integer> cancelled = new CompletableFuture<>();
        cancelled.cancel(false);
        CompletableFuture<Integer> failed = CompletableFuture.failedFuture(new IOException("x"));
        CompletableFuture<Integer> succeeded = CompletableFuture.completedFuture(42);
        CompletableFuture<Integer> a = pool().submit(() -> 2 * 21);
        CompletableFuture<Integer> b = pool().submit(() -> 7 * 6);
        Set<CompletableFuture<Integer>> seen = new HashSet<>();
        for (CompletableFuture<Integer> f : ProcessPool.completionOrder(List.of(cancelled, failed, succeeded, a, b))) {
            assertTrue(f.isDone());
            assertTrue(seen.add(f), "yielded twice: " + f);
        }
        assertEquals(Set.of(cancelled, failed, succeeded, a, b), seen);
    }

    @Test
    void completionOrderOfNoFuturesIsEmpty() {
        assertFalse(ProcessPool.completionOrder(List.<CompletableFuture<Integer>>of()).iterator().hasNext());
    }

    @Test
    void mapReturnsWhatASequentialMapReturns() {
        List<Integer> inputs = range(100);
        List<Integer> expected = inputs.stream().map(x -> x * x).collect(Collectors.toList());
        assertEquals(expected, pool().map(x -> x * x, inputs));
        assertEquals(expected, pool().map(x -> x * x, inputs, 1));
        assertEquals(expected, pool().map(x -> x * x, inputs, 1000));
    }

    @Test
    void mapOfNothingIsEmpty() {
        assertEquals(List.of(), pool().map(x -> x, List.<Integer>of()));
        assertEquals(List.of(), pool().map(x -> x, List.<Integer>of(), 3));
    }

    @Test
    void chunkSizesBelowOneAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> pool().map(x -> x, range(3), -1));
        assertThrows(IllegalArgumentException.class, () -> pool().imap(x -> x, range(3), 0));
        assertThrows(IllegalArgumentException.class, () -> pool().imapUnordered(x -> x, range(3), 0));
    }

    @Test
    void mapRaisesTheExceptionOfAFailingTask() {
        SerializableFunction<Integer, Integer> inverse = x -> 10 / x;
        CompletionException e = assertThrows(CompletionException.class, () -> pool().map(inverse, List.of(5, 0, 2)));
        assertInstanceOf(ArithmeticException.class, e.getCause());
    }

    @Test
    void mapOfAnInputThatCannotBeSentFailsAtOnceNamingIt() {
        List<Object> inputs = List.of(1, new Object());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool().map(x -> x, inputs));
        assertTrue(e.getMessage().contains("java.lang.Object"), e.getMessage());
    }

    @Test
    void imapYieldsResultsInInputOrderForEveryChunkSize() {
        List<Integer> expected = range(30).stream().map(x -> x * x).collect(Collectors.toList());
        for (int chunk : new int[] {1, 2, 7, 100}) {
            List<Integer> got = new ArrayList<>();
            pool().imap(x -> x * x, range(30), chunk).forEachRemaining(got::add);
            assertEquals(expected, got, "chunk size " + chunk);
        }
    }

    @Test
    void imapUnorderedYieldsEveryResultOnceForEveryChunkSize() {
        Set<Integer> expected = range(30).stream().map(x -> x * x).collect(Collectors.toSet());
        for (int chunk : new int[] {1, 4}) {
            List<Integer> got = new ArrayList<>();
            pool().imapUnordered(x -> x * x, range(30), chunk).forEachRemaining(got::add);
            assertEquals(30, got.size());
            assertEquals(expected, new HashSet<>(got), "chunk size " + chunk);
        }
    }

    @Test
    void imapOfNothingHasNoNext() {
        Iterator<Integer> it = pool().imap(x -> x, List.<Integer>of());
        assertFalse(it.hasNext());
        assertThrows(java.util.NoSuchElementException.class, it::next);
        assertFalse(pool().imapUnordered(x -> x, List.<Integer>of()).hasNext());
    }

    @Test
    void imapRaisesAnInputIteratorsExceptionAtItsPosition() {
        // As CPython's test_imap_handle_iterable_exception, at chunk size 1; with chunks the pool also
        // yields the results of the partly read chunk, which Python drops.
        Iterator<Integer> it = pool().imap(x -> x * x, ContractFixesTest.inputsFailingAt(3), 1);
        for (int i = 0; i < 3; i++) {
            assertEquals(i * i, it.next());
        }
        assertThrows(IllegalStateException.class, it::next);
    }

    @Test
    void aTimedGetThatTimesOutLeavesTheTaskRunning() throws Exception {
        CompletableFuture<Integer> f = pool().submit(ContractFixesTest.sleeping(600, 5));
        assertThrows(TimeoutException.class, () -> f.get(50, TimeUnit.MILLISECONDS));
        assertFalse(f.isCancelled());
        assertEquals(5, f.get(10, TimeUnit.SECONDS), "the task completes after a caller's get timed out");
    }

    @Test
    void aFailedTaskKeepsItsExceptionsCauseChain() {
        SerializableCallable<Integer> task = () -> {
            throw new IllegalStateException("outer", new IOException("inner"));
        };
        ExecutionException e = assertThrows(ExecutionException.class, () -> pool().submit(task).get(10, TimeUnit.SECONDS));
        assertEquals("outer", assertInstanceOf(IllegalStateException.class, e.getCause()).getMessage());
        assertEquals("inner", assertInstanceOf(IOException.class, e.getCause().getCause()).getMessage());
    }

    @Test
    void aFutureReportsWhetherItFailed() throws Exception {
        CompletableFuture<Integer> ok = pool().submit(() -> 1);
        SerializableCallable<Integer> failing = () -> {
            throw new IOException("no");
        };
        CompletableFuture<Integer> bad = pool().submit(failing);
        assertEquals(1, ok.get(10, TimeUnit.SECONDS));
        assertThrows(ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertFalse(ok.isCompletedExceptionally());
        assertTrue(bad.isCompletedExceptionally());
        assertFalse(bad.isCancelled());
    }

    @Test
    void cancellingAQueuedTaskKeepsItFromEverRunning(@TempDir Path dir) throws Exception {
        List<CompletableFuture<Integer>> blockers = new ArrayList<>();
        for (int i = 0; i < 2 * Scheduler.PREFETCH; i++) { // fill both workers and their queued slots
            blockers.add(pool().submit(ContractFixesTest.sleeping(400, i)));
        }
        CompletableFuture<Integer> queued = pool().submit(ContractFixesTest.marking(dir, "ran"));
        assertTrue(queued.cancel(false));
        assertTrue(queued.isCancelled());
        for (CompletableFuture<Integer> b : blockers) {
            b.get(20, TimeUnit.SECONDS);
        }
        POOL.assertWorkersFree();
        assertFalse(Files.exists(dir.resolve("ran")), "a cancelled queued task ran");
    }

    @Test
    void terminatingAPoolStopsLongTasksAtOnce() throws Exception {
        ProcessPool pool = ProcessPool.builder().workers(2).workerJvmOptions(List.of("-Xmx64m")).build();
        List<CompletableFuture<Integer>> running = List.of(pool.submit(ContractFixesTest.sleeping(10_000, 1)),
                pool.submit(ContractFixesTest.sleeping(10_000, 2)));
        Thread.sleep(200);
        long start = System.nanoTime();
        pool.shutdownNow();
        assertTrue(pool.awaitTermination(10, TimeUnit.SECONDS));
        assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(5), "terminate waited for the tasks");
        running.forEach(f -> assertTrue(f.isDone()));
    }
}
