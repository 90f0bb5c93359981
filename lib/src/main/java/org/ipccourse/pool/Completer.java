package org.ipccourse.pool;

import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.ipccourse.threads.LibraryThreads;

/**
 * Completes futures so that no user code runs on a thread the pool needs: a non-async dependent
 * stage ({@code thenApply}, {@code allOf(..).thenRun}, ...) runs on the thread that completes its
 * future, so the pool's reader threads, timer and the JDK's process reaper hand completions of
 * futures users can see to these threads, created on demand (a dependent that blocks, say to wait
 * for another task of the pool, occupies one thread and the next completion gets another) and
 * gone after a minute idle. The cost is one thread hand-off per answer read by a reader thread;
 * an answer read by the caller waiting for it is completed by that caller, and the chunks of
 * {@code map} (futures only the pool sees) are completed where they are read.
 */
final class Completer {
    private final AtomicInteger threads = new AtomicInteger();
    private final ExecutorService executor = new ThreadPoolExecutor(0, Integer.MAX_VALUE, 60, TimeUnit.SECONDS,
            new SynchronousQueue<>(), r -> LibraryThreads.daemon(r, "ipc-pool-completion-" + threads.incrementAndGet()));

    /** Runs {@code action} on a completion thread (here, once the pool has terminated). */
    void execute(Runnable action) {
        try {
            executor.execute(action);
        } catch (RejectedExecutionException e) {
            action.run();
        }
    }

    /** Runs each action on a completion thread. */
    void executeAll(List<Runnable> actions) {
        actions.forEach(this::execute);
    }

    /** No new threads after the pool terminated; running completions finish. */
    void shutdown() {
        executor.shutdown();
    }
}
