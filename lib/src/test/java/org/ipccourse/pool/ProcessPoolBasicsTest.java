package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.NotSerializableException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

/** Tasks, results, exceptions, map and friends, against one pool of two workers. */
@Timeout(60)
class ProcessPoolBasicsTest {
    @RegisterExtension
    static final TwoWorkerPool POOL = new TwoWorkerPool();
    static ProcessPool pool;

    @BeforeAll
    static void usePool() {
        pool = POOL.pool();
    }

    @Test
    void submitRunsTheTaskInAnotherProcess() throws Exception {
        CompletableFuture<Long> pid = pool.submit(() -> ProcessHandle.current().pid());
        long workerPid = pid.get(10, TimeUnit.SECONDS);
        assertNotEquals(ProcessHandle.current().pid(), workerPid);
        assertTrue(pool.workerPids().contains(workerPid), "the pid should be one of the pool's workers");
        assertEquals(2, pool.workerCount());
    }

    @Test
    void futuresComposeLikeAnyCompletableFuture() throws Exception {
        int base = 20;
        CompletableFuture<Integer> a = pool.submit(() -> base + 1);
        CompletableFuture<Integer> b = pool.submit(() -> base * 2);
        assertEquals(61, a.thenCombine(b, Integer::sum).get(10, TimeUnit.SECONDS));
    }

    @Test
    void exceptionInTaskKeepsItsTypeMessageAndWorkerFrames() {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(ProcessPoolBasicsTest::failing).get(10, TimeUnit.SECONDS));
        IllegalStateException cause = assertInstanceOf(IllegalStateException.class, e.getCause());
        assertEquals("bad input 42", cause.getMessage());
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getClassName().equals(WorkerMain.class.getName())),
                "the stack should show the worker's frames, was " + Arrays.toString(cause.getStackTrace()));
        assertTrue(Arrays.stream(cause.getStackTrace()).anyMatch(f -> f.getMethodName().equals("failing")));
    }

    private static Integer failing() {
        throw new IllegalStateException("bad input 42");
    }

    @Test
    void unserializableTaskFailsAtSubmitNamingTheClass() {
        Thread notSerializable = new Thread(() -> { });
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.submit(() -> notSerializable.getName()));
        assertTrue(e.getMessage().contains("java.lang.Thread is not Serializable"), e.getMessage());
    }

    @Test
    void plainNonSerializableCallableIsRefusedAtSubmit() {
        Callable<Integer> plain = new Callable<>() {
            @Override
            public Integer call() {
                return 1;
            }
        };
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> pool.submit(plain));
        assertTrue(e.getMessage().contains("is not Serializable"), e.getMessage());
    }

    @Test
    void unserializableResultFailsThatFutureAndThePoolCarriesOn() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(() -> new Object()).get(10, TimeUnit.SECONDS));
        NotSerializableException cause = assertInstanceOf(NotSerializableException.class, e.getCause());
        assertTrue(cause.getMessage().contains("java.lang.Object"), cause.getMessage());
        assertEquals(3, pool.submit(() -> 3).get(10, TimeUnit.SECONDS));
    }

    @Test
    void nullTaskIsRefusedWithANullPointerException() {
        assertThrows(NullPointerException.class, () -> pool.submit((SerializableCallable<Integer>) null));
        assertThrows(NullPointerException.class, () -> pool.submit((Runnable) null));
        assertThrows(NullPointerException.class, () -> pool.map(null, List.of(1)));
    }

    @Test
    void stackOverflowInTaskIsReportedAsStackOverflowError() throws Exception {
        ExecutionException e = assertThrows(ExecutionException.class,
                () -> pool.submit(() -> recurse(0)).get(20, TimeUnit.SECONDS));
        assertInstanceOf(StackOverflowError.class, e.getCause());
        assertEquals(5, pool.submit(() -> 5).get(10, TimeUnit.SECONDS));
    }

    private static int recurse(int n) {
        return recurse(n + 1) + 1;
    }

    @Test
    void serializableRunnableAndExecuteWork() throws Exception {
        SerializableRunnable r = () -> { };
        assertNull(pool.submit(r).get(10, TimeUnit.SECONDS));
        assertEquals("done", pool.submit(r, "done").get(10, TimeUnit.SECONDS));
        pool.execute(r);
    }

    @Test
    void mapKeepsInputOrderWithDefaultAndUnitChunks() {
        List<Integer> inputs = IntStream.range(0, 1000).boxed().collect(Collectors.toList());
        List<Integer> expected = inputs.stream().map(x -> x * x).collect(Collectors.toList());
        assertEquals(expected, pool.map(x -> x * x, inputs));
        assertEquals(expected, pool.<Integer, Integer>map(x -> x * x, inputs, 1));
        assertEquals(List.of(), pool.map(x -> x, List.of()));
        // Not a random-access list: chunks are cut from a copy; a last chunk shorter than the others.
        assertEquals(expected, pool.<Integer, Integer>map(x -> x * x, new java.util.LinkedList<>(inputs), 7));
        assertEquals(List.of(1, 4, 9), pool.map(x -> x * x, new java.util.TreeSet<>(List.of(3, 1, 2)), 2));
    }

    @Test
    void mapCarriesNumbersNullsAndMixedTypes() {
        List<Object> mixed = Arrays.asList(1, 2L, null, "three", 4.5);
        assertEquals(mixed, pool.map(x -> x, mixed, 2));
        List<Double> doubles = List.of(0.5, -1.25, Double.MAX_VALUE);
        assertEquals(doubles, pool.map(x -> x, doubles));
        List<Long> longs = List.of(Long.MIN_VALUE, 0L, Long.MAX_VALUE);
        assertEquals(List.of(Long.MIN_VALUE + 1, 1L, Long.MIN_VALUE), pool.map(x -> x + 1, longs));
    }

    @Test
    void aShortTaskDoesNotWaitBehindALongOneWhileAWorkerIsIdle() throws Exception {
        CompletableFuture<String> slow = pool.submit(() -> {
            Thread.sleep(2000);
            return "slow";
        });
        List<CompletableFuture<Long>> quick = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            quick.add(pool.submit(() -> ProcessHandle.current().pid()));
        }
        long start = System.nanoTime();
        for (CompletableFuture<Long> f : quick) {
            f.get(10, TimeUnit.SECONDS);
        }
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        assertTrue(millis < 1500 && !slow.isDone(), "quick tasks took " + millis + " ms, behind the slow one");
        assertEquals("slow", slow.get(10, TimeUnit.SECONDS));
    }

    @Test
    void mapChunksWaitingBehindALongOneMoveToTheIdleWorker() {
        // Chunks go to the workers in turn, several to a worker: inputs 2, 4 and 6 first wait
        // behind input 0 in the same worker, and the other worker takes them once it is idle.
        List<long[]> ran = pool.map(x -> {
            sleep(x == 0 ? 1500 : 100);
            return new long[] {x, ProcessHandle.current().pid()};
        }, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1);
        long slowPid = ran.get(0)[1];
        for (long[] r : ran.subList(1, ran.size())) {
            assertNotEquals(slowPid, r[1], "input " + r[0] + " waited for the slow input's worker");
        }
    }

    @Test
    void mapUsesEveryWorker() {
        List<Long> pids = pool.map(x -> {
            sleep(50);
            return ProcessHandle.current().pid();
        }, List.of(1, 2, 3, 4, 5, 6, 7, 8), 1);
        assertEquals(2, pids.stream().distinct().count(), "pids seen: " + pids);
    }

    @Test
    void mapRethrowsTheFirstTaskFailureAsCompletionException() {
        CompletionException e = assertThrows(CompletionException.class,
                () -> pool.map(x -> 10 / x, List.of(1, 0, 2), 1));
        assertInstanceOf(ArithmeticException.class, e.getCause());
    }

    @Test
    void badChunkSizeIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> pool.map(x -> x, List.of(1), 0));
        assertTrue(e.getMessage().contains("chunkSize"), e.getMessage());
    }

    @Test
    void imapIsLazyWithBoundedReadAheadAndKeepsOrder() {
        int[] pulled = {0};
        Iterable<Integer> counting = () -> new Iterator<>() {
            int next;

            @Override
            public boolean hasNext() {
                return next < 100_000;
            }

            @Override
            public Integer next() {
                pulled[0]++;
                return next++;
            }
        };
        Iterator<Integer> out = pool.imap(x -> x + 1, counting, 3);
        for (int i = 0; i < 10; i++) {
            assertEquals(i + 1, out.next());
        }
        assertTrue(pulled[0] <= 10 + 2 * 2 * 3 + 3, "imap read " + pulled[0] + " inputs to produce 10");
    }

    @Test
    void imapUnorderedReturnsEveryResultOnce() {
        List<Integer> got = new ArrayList<>();
        pool.imapUnordered(x -> {
            sleep(x % 3 * 10);
            return x;
        }, IntStream.range(0, 30).boxed().collect(Collectors.toList())).forEachRemaining(got::add);
        got.sort(null);
        assertEquals(IntStream.range(0, 30).boxed().collect(Collectors.toList()), got);
    }

    @Test
    void completionOrderYieldsTheFastestFirst() {
        CompletableFuture<String> slow = pool.submit(() -> {
            sleep(800);
            return "slow";
        });
        CompletableFuture<String> fast = pool.submit(() -> "fast");
        List<String> order = new ArrayList<>();
        for (CompletableFuture<String> f : ProcessPool.completionOrder(List.of(slow, fast))) {
            order.add(f.join());
        }
        assertEquals(List.of("fast", "slow"), order);
    }

    @Test
    void invokeAllAndInvokeAnyRunInWorkers() throws Exception {
        List<SerializableCallable<Integer>> tasks = List.of(() -> 1, () -> 2, () -> 3);
        List<Future<Integer>> all = pool.invokeAll(tasks);
        assertEquals(List.of(1, 2, 3), List.of(all.get(0).get(), all.get(1).get(), all.get(2).get()));
        SerializableCallable<Integer> bad = () -> {
            throw new IllegalStateException("no");
        };
        assertEquals(7, pool.invokeAny(List.of(bad, () -> 7)));
    }

    @Test
    void printingInAWorkerReachesTheOwnerAndDoesNotBreakTheProtocol() throws Exception {
        PrintStream saved = System.out;
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
        try {
            int r = pool.submit(() -> {
                System.out.println("hello from the worker");
                System.out.print("no newline yet");
                return 9;
            }).get(10, TimeUnit.SECONDS);
            assertEquals(9, r);
        } finally {
            System.setOut(saved);
        }
        String text = captured.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("hello from the worker\n"), text);
        assertTrue(text.contains("no newline yet"), "output is flushed before the result arrives: " + text);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }
}
