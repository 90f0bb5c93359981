package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per contract the pool used to break: invokeAny's timeout and interrupt, tasks that
 * throw cancellation or completion exceptions, null arguments of invokeAll and invokeAny, duplicate
 * futures in completionOrder, imap's failures, and a builder reused after build. Each failed
 * before its fix.
 */
@Timeout(60)
class ContractFixesTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();

    static SerializableCallable<Integer> sleeping(long millis, int result) {
        return () -> {
            Thread.sleep(millis);
            return result;
        };
    }

    static void assertWorkersFree() {
        POOL.assertWorkersFree();
    }

    @Test
    void timedInvokeAnyThrowsTimeoutWhileNoTaskHasCompletedAndCancelsThem() throws Exception {
        long start = System.nanoTime();
        assertThrows(TimeoutException.class, () -> POOL.pool().invokeAny(
                List.of(sleeping(5000, 1), sleeping(5000, 2)), 300, TimeUnit.MILLISECONDS));
        long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(ms < 2500, "invokeAny with a 300 ms timeout returned after " + ms + " ms");
        assertWorkersFree();
    }

    @Test
    void interruptingAThreadWaitingInInvokeAnyThrowsInterruptedException() throws Exception {
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                POOL.pool().invokeAny(List.of(sleeping(5000, 1), sleeping(5000, 2)));
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        Thread.sleep(300);
        caller.interrupt();
        caller.join(5000);
        assertFalse(caller.isAlive(), "invokeAny did not return after the interrupt");
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertWorkersFree();
    }

    @Test
    void aTaskThatThrowsCancellationExceptionFailsAndIsNotCancelled() throws Exception {
        SerializableCallable<Integer> task = () -> {
            throw new CancellationException("thrown by the task");
        };
        CompletableFuture<Integer> f = POOL.pool().submit(task);
        ExecutionException e = assertThrows(ExecutionException.class, () -> f.get(10, TimeUnit.SECONDS));
        CancellationException cause = assertInstanceOf(CancellationException.class, e.getCause());
        assertEquals("thrown by the task", cause.getMessage());
        assertFalse(f.isCancelled(), "a task that threw CancellationException was not cancelled");
        assertTrue(f.isCompletedExceptionally());
        ExecutionException untimed = assertThrows(ExecutionException.class, f::get);
        assertInstanceOf(CancellationException.class, untimed.getCause());
        CompletionException joined = assertThrows(CompletionException.class, f::join);
        assertInstanceOf(CancellationException.class, joined.getCause());
    }

    @Test
    void aTaskThatThrowsCompletionExceptionReportsWhatItThrew() {
        SerializableCallable<Integer> task = () -> {
            throw new CompletionException("wrapped by the task", new IOException("disk full"));
        };
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> POOL.pool().submit(task).get(10, TimeUnit.SECONDS));
        CompletionException thrown = assertInstanceOf(CompletionException.class, e.getCause());
        assertEquals("wrapped by the task", thrown.getMessage());
        assertEquals("disk full", assertInstanceOf(IOException.class, thrown.getCause()).getMessage());
    }

    /** A task that leaves a file behind when it runs. */
    static SerializableCallable<Integer> marking(Path dir, String name) {
        String file = dir.resolve(name).toString();
        return () -> {
            Files.writeString(Path.of(file), "ran");
            return 1;
        };
    }

    private static void assertNothingRan(Path dir, Executable call) throws Exception {
        assertThrows(NullPointerException.class, call);
        assertWorkersFree(); // anything submitted before would have run by now
        try (var files = Files.list(dir)) {
            assertEquals(List.of(), files.toList(), "a task ran although the call threw NullPointerException");
        }
    }

    @Test
    void invokeAllAndInvokeAnyWithANullUnitThrowBeforeRunningAnything(@TempDir Path dir) throws Exception {
        List<Callable<Integer>> tasks = List.of(marking(dir, "a"), marking(dir, "b"));
        assertNothingRan(dir, () -> POOL.pool().invokeAll(tasks, 1, null));
        assertNothingRan(dir, () -> POOL.pool().invokeAny(tasks, 1, null));
    }

    @Test
    void invokeAllAndInvokeAnyWithANullTaskThrowBeforeRunningAnything(@TempDir Path dir) throws Exception {
        List<Callable<Integer>> tasks = Arrays.asList(marking(dir, "a"), marking(dir, "b"), null);
        assertNothingRan(dir, () -> POOL.pool().invokeAll(tasks));
        assertNothingRan(dir, () -> POOL.pool().invokeAny(tasks));
        assertNothingRan(dir, () -> POOL.pool().invokeAll(tasks, 10, TimeUnit.SECONDS));
        assertNothingRan(dir, () -> POOL.pool().invokeAny(tasks, 10, TimeUnit.SECONDS));
        assertNothingRan(dir, () -> POOL.pool().invokeAll(null));
        assertNothingRan(dir, () -> POOL.pool().invokeAny(null, 10, TimeUnit.SECONDS));
    }

    @Test
    void completionOrderYieldsEachDistinctFutureOnce() {
        CompletableFuture<Integer> f = POOL.pool().submit(() -> 1);
        CompletableFuture<Integer> g = POOL.pool().submit(() -> 2);
        List<CompletableFuture<Integer>> seen = new ArrayList<>();
        for (CompletableFuture<Integer> done : ProcessPool.completionOrder(List.of(f, f, g, f, g))) {
            assertTrue(done.isDone());
            seen.add(done);
        }
        assertEquals(2, seen.size(), "each distinct future once, got " + seen);
        assertEquals(Set.of(f, g), new HashSet<>(seen));
    }

    /** 0, 1, ..., failAt - 1, then the iterator throws. */
    static Iterable<Integer> inputsFailingAt(int failAt) {
        return () -> new Iterator<>() {
            private int next;

            @Override
            public boolean hasNext() {
                return true;
            }

            @Override
            public Integer next() {
                if (next == failAt) {
                    throw new IllegalStateException("input " + failAt + " is unreadable");
                }
                return next++;
            }
        };
    }

    @Test
    void imapYieldsTheResultsBeforeAFailingInputThenThrowsWhatTheInputThrew() {
        for (int chunk : new int[] {1, 2, 3}) {
            Iterator<Integer> it = POOL.pool().imap(x -> x * x, inputsFailingAt(7), chunk);
            for (int i = 0; i < 7; i++) {
                assertTrue(it.hasNext());
                assertEquals(i * i, it.next(), "result " + i + " with chunk size " + chunk);
            }
            assertTrue(it.hasNext(), "the input's exception is still to come");
            IllegalStateException e = assertThrows(IllegalStateException.class, it::next);
            assertEquals("input 7 is unreadable", e.getMessage());
            assertFalse(it.hasNext(), "the iteration ends after the input failed");
        }
    }

    @Test
    void imapUnorderedYieldsEveryResultBeforeAFailingInput() {
        Iterator<Integer> it = POOL.pool().imapUnordered(x -> x * x, inputsFailingAt(9), 2);
        Set<Integer> results = new HashSet<>();
        for (int i = 0; i < 9; i++) {
            results.add(it.next());
        }
        assertEquals(Set.of(0, 1, 4, 9, 16, 25, 36, 49, 64), results);
        assertThrows(IllegalStateException.class, it::next);
        assertFalse(it.hasNext());
    }

    @Test
    void imapRaisesForAFailedElementAndGoesOnWithTheRest() {
        SerializableFunction<Integer, Integer> failOn2 = x -> {
            if (x == 2) {
                throw new IllegalArgumentException("no 2");
            }
            return x * 10;
        };
        Iterator<Integer> it = POOL.pool().imap(failOn2, List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9));
        assertEquals(0, it.next());
        assertEquals(10, it.next());
        CompletionException e = assertThrows(CompletionException.class, it::next);
        assertEquals("no 2", assertInstanceOf(IllegalArgumentException.class, e.getCause()).getMessage());
        List<Integer> rest = new ArrayList<>();
        it.forEachRemaining(rest::add);
        assertEquals(List.of(30, 40, 50, 60, 70, 80, 90), rest);

        Iterator<Integer> unordered = POOL.pool().imapUnordered(failOn2, List.of(0, 1, 2, 3, 4, 5));
        Set<Integer> got = new HashSet<>();
        int failures = 0;
        while (unordered.hasNext()) {
            try {
                got.add(unordered.next());
            } catch (CompletionException x) {
                failures++;
            }
        }
        assertEquals(1, failures);
        assertEquals(Set.of(0, 10, 30, 40, 50), got);
    }

    @Test
    void changingOrReusingABuilderAfterBuildDoesNotChangeTheRunningPool() throws Exception {
        ProcessPool.Builder builder = ProcessPool.builder().workers(1).workerJvmOptions(List.of("-Xmx64m"));
        try (ProcessPool first = builder.build()) {
            builder.workers(2).maxTasksPerWorker(1).cancelGracePeriod(java.time.Duration.ofMillis(1));
            assertEquals(1, first.workerCount());
            Set<Long> pids = new HashSet<>();
            for (int i = 0; i < 3; i++) {
                pids.add(first.submit(() -> ProcessHandle.current().pid()).get(10, TimeUnit.SECONDS));
            }
            assertEquals(1, pids.size(), "the first pool has no task limit, so one worker ran all: " + pids);
            try (ProcessPool second = builder.build()) {
                assertEquals(2, second.workerCount());
                assertEquals(1, first.workerCount());
            }
        }
    }

    @Test
    void resultsAreCopiesNotTheSameInstance() throws Exception {
        ArrayList<Integer> list = new ArrayList<>(List.of(1, 2, 3));
        List<Integer> back = POOL.pool().submit(() -> list).get(10, TimeUnit.SECONDS);
        assertEquals(list, back);
        assertNotSame(list, back);
        ArrayList<String> result = new ArrayList<>(List.of("done"));
        SerializableRunnable nothing = () -> { };
        Object returned = POOL.pool().submit(nothing, result).get(10, TimeUnit.SECONDS);
        assertEquals(result, returned);
        assertNotSame(result, returned, "submit(task, result) hands back a copy of result");
    }

    @Test
    void interruptingACallerWaitingInGetCancelsItsTask() throws Exception {
        CompletableFuture<Integer> f = POOL.pool().submit(sleeping(5000, 1));
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        Thread caller = new Thread(() -> {
            try {
                f.get();
            } catch (Throwable t) {
                thrown.set(t);
            }
        });
        caller.start();
        Thread.sleep(200);
        caller.interrupt();
        caller.join(5000);
        assertInstanceOf(InterruptedException.class, thrown.get());
        assertTrue(f.isCancelled(), "the task the interrupted caller waited for is cancelled");
        assertWorkersFree();
    }
}
