package org.ipccourse.pool;

import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Seeded rounds of threads submitting, mapping and cancelling while a chaos thread kills ready and
 * starting workers and the round ends in {@code shutdown}, {@code shutdownNow} or {@code close}.
 * Each round checks: nothing hangs (the round is bounded), no future is lost (every one is done
 * once the pool has terminated), no false failure (a task fails only as it should: its own
 * exception, a cancellation asked for, or a {@link WorkerDiedException} naming a worker the chaos
 * thread killed), and the pool never breaks. {@code ./course test} runs
 * {@value #DEFAULT_ROUNDS} rounds; {@code ./course test --stress} runs 1,000
 * ({@code -Dipccourse.stress.rounds=N}); a failing round prints its seed, and
 * {@code -Dipccourse.stress.seed=S} re-runs that round alone.
 */
class PoolStressTest {
    static final int DEFAULT_ROUNDS = 30;

    @Test
    void seededRoundsOfSubmitCancelKillAndShutdown() {
        String one = System.getProperty("ipccourse.stress.seed");
        long base = Long.getLong("ipccourse.stress.base", System.nanoTime());
        int rounds = one != null ? 1 : Integer.getInteger("ipccourse.stress.rounds", DEFAULT_ROUNDS);
        long started = System.nanoTime();
        for (int i = 0; i < rounds; i++) {
            long seed = one != null ? Long.parseLong(one) : base + i;
            try {
                assertTimeoutPreemptively(Duration.ofSeconds(90), () -> new Round(seed).run(),
                        () -> "round with seed " + seed + " hung");
            } catch (Throwable t) {
                throw new AssertionError("stress round " + i + " failed; re-run it with -Dipccourse.stress.seed=" + seed
                        + ": " + t.getMessage(), t);
            }
            if ((i + 1) % 50 == 0) {
                System.out.printf("stress: %d of %d rounds passed (seeds %d..%d), %.0f s%n", i + 1, rounds, base,
                        seed, (System.nanoTime() - started) / 1e9);
            }
        }
        System.out.printf("stress: %d rounds from seed %d passed in %.1f s%n", rounds, base,
                (System.nanoTime() - started) / 1e9);
    }

    /** What one submitted task should give. */
    private record Expected(CompletableFuture<?> future, Object value, String thrown) {
    }

    private static final class Round {
        final long seed;
        final Random random;
        final Set<Long> killed = ConcurrentHashMap.newKeySet();
        final Set<CompletableFuture<?>> cancelled = ConcurrentHashMap.newKeySet();
        final List<Expected> expected = new CopyOnWriteArrayList<>();
        final List<String> problems = new CopyOnWriteArrayList<>();
        volatile boolean shuttingDown;
        volatile boolean stoppedNow;

        Round(long seed) {
            this.seed = seed;
            this.random = new Random(seed);
        }

        void run() throws Exception {
            int workers = 1 + random.nextInt(2);
            ProcessPool pool = ProcessPool.builder().workers(workers).workerJvmOptions(List.of("-Xmx64m"))
                    .cancelGracePeriod(Duration.ofMillis(200)).build();
            Set<Long> everyPid = ConcurrentHashMap.newKeySet();
            everyPid.addAll(pool.workerPids());
            List<Thread> threads = new ArrayList<>();
            int submitters = 2 + random.nextInt(3);
            for (int t = 0; t < submitters; t++) {
                long threadSeed = random.nextLong();
                threads.add(new Thread(() -> submit(pool, new Random(threadSeed))));
            }
            long chaosSeed = random.nextLong();
            threads.add(new Thread(() -> chaos(pool, new Random(chaosSeed), everyPid)));
            threads.forEach(Thread::start);
            Thread.sleep(100 + random.nextInt(400));
            int ending = random.nextInt(3);
            shuttingDown = true;
            if (ending == 0) {
                pool.shutdown();
            } else if (ending == 1) {
                stoppedNow = true;
                pool.shutdownNow();
            }
            for (Thread t : threads) {
                t.join(30_000);
            }
            if (ending == 2) {
                pool.close();
            }
            if (!pool.awaitTermination(30, TimeUnit.SECONDS)) {
                problems.add("the pool did not terminate: " + pool);
            }
            everyPid.addAll(pool.workerPids());
            for (Expected e : expected) {
                check(e);
            }
            long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (everyPid.stream().anyMatch(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                    && System.nanoTime() < end) {
                Thread.sleep(20);
            }
            everyPid.stream().filter(p -> ProcessHandle.of(p).map(ProcessHandle::isAlive).orElse(false))
                    .forEach(p -> problems.add("worker pid " + p + " outlived its pool"));
            if (!problems.isEmpty()) {
                throw new AssertionError(problems.size() + " problems, first: " + problems.get(0)
                        + (problems.size() > 1 ? "; second: " + problems.get(1) : ""));
            }
        }

        private void submit(ProcessPool pool, Random r) {
            for (int i = 0; i < 30 && !shuttingDown; i++) {
                int n = r.nextInt(1000);
                int kind = r.nextInt(10);
                try {
                    if (kind < 4) {
                        expected.add(new Expected(pool.submit(() -> n), n, null));
                    } else if (kind < 6) {
                        int millis = r.nextInt(30);
                        expected.add(new Expected(pool.submit(PoolFaultsTest.sleeping(millis, n)), n, null));
                    } else if (kind == 6) {
                        expected.add(new Expected(pool.submit(() -> {
                            throw new IllegalStateException("task " + n);
                        }), null, "task " + n));
                    } else if (kind == 7) {
                        List<Integer> in = IntStream.range(0, 1 + r.nextInt(40)).boxed().collect(Collectors.toList());
                        int chunk = 1 + r.nextInt(4);
                        CompletableFuture<List<Integer>> f = CompletableFuture.supplyAsync(() -> pool.map(x -> x * 2, in, chunk));
                        expected.add(new Expected(f, in.stream().map(x -> x * 2).collect(Collectors.toList()), null));
                        f.exceptionally(e -> null).join();
                    } else if (!expected.isEmpty()) {
                        CompletableFuture<?> f = expected.get(r.nextInt(expected.size())).future;
                        if (f instanceof TaskFuture<?> && f.cancel(r.nextBoolean())) {
                            cancelled.add(f);
                        }
                    }
                } catch (RejectedExecutionException e) {
                    if (!shuttingDown || String.valueOf(e.getMessage()).contains("broken")) {
                        problems.add("rejected while running: " + e);
                    }
                }
                if (r.nextInt(4) == 0) {
                    pause(r.nextInt(20));
                }
            }
        }

        private void chaos(ProcessPool pool, Random r, Set<Long> everyPid) {
            int kills = r.nextInt(3);
            for (int k = 0; k < kills && !shuttingDown; k++) {
                pause(r.nextInt(300));
                List<Long> pids = pool.workerPids();
                everyPid.addAll(pids);
                if (!pids.isEmpty()) {
                    long pid = pids.get(r.nextInt(pids.size()));
                    killed.add(pid);
                    ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                }
                if (r.nextBoolean()) { // a replacement, likely still starting
                    pause(r.nextInt(150));
                    List<Long> now = pool.workerPids();
                    everyPid.addAll(now);
                    now.stream().filter(p -> !pids.contains(p)).findFirst().ifPresent(p -> {
                        killed.add(p);
                        ProcessHandle.of(p).ifPresent(ProcessHandle::destroyForcibly);
                    });
                }
            }
        }

        private void check(Expected e) {
            CompletableFuture<?> f = e.future;
            try {
                Object value = f.get(20, TimeUnit.SECONDS);
                if (e.thrown != null || !e.value.equals(value)) {
                    problems.add("wrong result " + value + " instead of " + e);
                }
            } catch (java.util.concurrent.TimeoutException x) {
                problems.add("a lost future: not done 20 s after the pool terminated: " + f);
            } catch (CancellationException x) {
                if (!cancelled.contains(f) && !stoppedNow) {
                    problems.add("cancelled but nobody cancelled it: " + f + " " + x);
                }
            } catch (ExecutionException x) {
                Throwable cause = x.getCause() instanceof CompletionException c && c.getCause() != null ? c.getCause() : x.getCause();
                if (cause instanceof CancellationException && (cancelled.contains(f) || stoppedNow)) {
                    return; // a map whose chunks shutdownNow cancelled
                }
                if (cause instanceof WorkerDiedException d && killed.contains(d.pid())) {
                    return;
                }
                if (cause instanceof RejectedExecutionException && shuttingDown && !cause.getMessage().contains("broke")) {
                    return; // a map submitted as the pool shut down
                }
                if (e.thrown == null || !e.thrown.equals(cause.getMessage())) {
                    problems.add("false failure of " + e + ": " + cause);
                }
            } catch (InterruptedException x) {
                Thread.currentThread().interrupt();
            }
        }

        private static void pause(long millis) {
            try {
                Thread.sleep(millis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
