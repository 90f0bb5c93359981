package org.ipccourse.pool;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code invokeAll} and {@code invokeAny} over futures already submitted to a pool. Each waits in
 * one blocking call at a time, bounded by the caller's deadline, so a timeout or an interrupt is
 * noticed while no task has completed; whatever ends the wait, the tasks not yet done are
 * cancelled. Costs one completion callback per future.
 */
final class Invocations {
    private Invocations() {
    }

    /**
     * Waits until every future is done or one has failed. The waiting thread parks once, not
     * once per future: with many short tasks, each wake-up of the waiter would cost about as much
     * as a task.
     */
    static void awaitAllOrAFailure(List<? extends CompletableFuture<?>> futures) throws InterruptedException {
        CompletableFuture<Void> settled = new CompletableFuture<>();
        AtomicInteger left = new AtomicInteger(futures.size());
        for (CompletableFuture<?> f : futures) {
            f.whenComplete((r, e) -> {
                if (e != null || left.decrementAndGet() == 0) {
                    settled.complete(null);
                }
            });
        }
        if (!futures.isEmpty()) {
            try {
                settled.get();
            } catch (ExecutionException e) {
                throw new IllegalStateException(e); // never: settled only completes normally
            }
        }
    }

    /** Waits for all; on timeout, interruption or error cancels the unfinished ones. */
    static <T> List<Future<T>> all(List<CompletableFuture<T>> futures, long nanos) throws InterruptedException {
        long deadline = System.nanoTime() + nanos;
        try {
            for (Future<T> f : futures) {
                try {
                    f.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                } catch (ExecutionException | CancellationException e) {
                    // reported through the future
                }
            }
        } catch (TimeoutException e) {
            futures.forEach(f -> f.cancel(true));
        } catch (InterruptedException | RuntimeException | Error e) {
            futures.forEach(f -> f.cancel(true));
            throw e;
        }
        return new ArrayList<>(futures);
    }

    /**
     * The first successful result; cancels the rest whatever happens. Waits on a queue the
     * futures add themselves to as they complete, so the deadline and an interrupt end the wait
     * even while every task is still running.
     *
     * @throws TimeoutException if no task succeeded within {@code nanos}
     * @throws InterruptedException if the waiting thread is interrupted
     * @throws ExecutionException with the last failure, when every task failed (a task cancelled
     *                            by someone else counts as failed, as in {@code AbstractExecutorService})
     */
    static <T> T any(List<CompletableFuture<T>> futures, long nanos)
            throws InterruptedException, ExecutionException, TimeoutException {
        if (futures.isEmpty()) {
            throw new IllegalArgumentException("invokeAny needs at least one task");
        }
        long deadline = System.nanoTime() + nanos;
        BlockingQueue<CompletableFuture<T>> done = new LinkedBlockingQueue<>();
        try {
            for (CompletableFuture<T> f : futures) {
                f.whenComplete((r, e) -> done.add(f));
            }
            ExecutionException last = null;
            for (int left = futures.size(); left > 0; left--) {
                CompletableFuture<T> f = done.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
                if (f == null) {
                    throw new TimeoutException("no task of invokeAny completed successfully within "
                            + TimeUnit.NANOSECONDS.toMillis(nanos) + " ms; the tasks were cancelled");
                }
                try {
                    return f.get(); // done: does not wait
                } catch (ExecutionException e) {
                    last = e;
                } catch (CancellationException e) {
                    last = new ExecutionException("a task of invokeAny was cancelled", e);
                }
            }
            throw last;
        } finally {
            futures.forEach(f -> f.cancel(true));
        }
    }
}
